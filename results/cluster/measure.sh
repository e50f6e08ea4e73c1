#!/usr/bin/env bash
# The figures of results/cluster/README.md, again: a local `hsbench server`
# (openssl backend, one worker per PU) under `hsbench load` as one process,
# as one MPI rank and as two MPI ranks (8 connections in flight in total
# each time), RSA and DHE; a fresh server per run, whose own handshake count
# (its --json) and CPU time (/proc) give its CPU per handshake.
#   results/cluster/measure.sh [BUILD_DIR]   (default build/; writes here)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:-$here/../../build}" && pwd)
hsb=$build/hsbench
work=$(mktemp -d)
srv=
trap '[ -n "$srv" ] && kill "$srv" 2>/dev/null; rm -rf "$work"' EXIT
"$build/tls_certgen_tool" "$work" 2048 >/dev/null
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
tick=$(getconf CLK_TCK)

start_server() { # kx
  rm -f "$work/server.json"
  "$hsb" server --listen 127.0.0.1:0 --cert "$work/chain.pem" --key "$work/key.pem" \
    --kx "$1" --backend openssl --log none --json "$work/server.json" >"$work/server.log" 2>&1 &
  srv=$!
  for _ in $(seq 100); do grep -q '^listening on' "$work/server.log" && break; sleep 0.05; done
  port=$(head -1 "$work/server.log" | sed 's/.*://')
}
stop_server() { # sets n: the server's own handshake count (its --json at exit)
  kill "$srv"
  wait "$srv" 2>/dev/null || true # not in a subshell: only the parent can wait
  srv=
  n=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["benchmarks"][0]["server"]["handshakes"])' "$work/server.json")
}
cpu() { awk '{print $14 + $15}' "/proc/$srv/stat"; }

run() { # name kx, then the load's command (before --connect)
  local name=$1 kx=$2 c0 c1 n
  shift 2
  start_server "$kx"
  c0=$(cpu)
  "$@" --connect "127.0.0.1:$port" --cafile "$work/ca.pem" --kx "$kx" --backend openssl \
    --duration 5 --repetitions 3 --quiet --json "$here/$name.json" >"$here/$name.txt" 2>&1 \
    || echo "$name: exit $?" >&2
  c1=$(cpu)
  stop_server
  echo "$name: server handshakes $n, server CPU $(((c1 - c0) * 1000000 / tick / n)) us/handshake" \
    | tee -a "$here/server-cpu.txt"
}

: >"$here/server-cpu.txt"
uptime >>"$here/server-cpu.txt"
for kx in rsa dhe; do
  run $kx-1proc $kx "$hsb" load --threads 1 --connections 8
  run $kx-mpi1 $kx mpirun -n 1 "$hsb" load --threads 1 --connections 8
  run $kx-mpi2 $kx mpirun --oversubscribe -n 2 "$hsb" load --threads 1 --connections 4
done
uptime >>"$here/server-cpu.txt"

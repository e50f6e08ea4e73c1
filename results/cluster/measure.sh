#!/usr/bin/env bash
# The figures of results/cluster/README.md, again: a local `hsbench server`
# (RSA, openssl backend) under `hsbench load` as one process, as one MPI
# rank and as two MPI ranks (the same 8 connections in flight in total), and
# the server's own CPU time per handshake from /proc over each run.
#   results/cluster/measure.sh [BUILD_DIR]   (default build/; writes here)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:-$here/../../build}" && pwd)
hsb=$build/hsbench
work=$(mktemp -d)
trap 'kill "$srv" 2>/dev/null || true; rm -rf "$work"' EXIT
"$build/tls_certgen_tool" "$work" 2048 >/dev/null
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1

tick=$(getconf CLK_TCK)
srv=
start_server() { # kx
  "$hsb" server --listen 127.0.0.1:0 --cert "$work/chain.pem" --key "$work/key.pem" \
    --kx "$1" --backend openssl --threads 16 >"$work/server.log" 2>&1 &
  srv=$!
  for _ in $(seq 100); do grep -q '^listening on' "$work/server.log" && break; sleep 0.05; done
  port=$(head -1 "$work/server.log" | sed 's/.*://')
}
cpu() { awk '{print $14 + $15}' "/proc/$srv/stat"; }
run() { # name, then the command
  local name=$1 c0 c1 n0 n1
  shift
  c0=$(cpu)
  n0=$(grep -c ': ok TLSv1.2' "$work/server.log" || true)
  "$@" --json "$here/$name.json" >"$here/$name.txt" 2>&1 || echo "$name: exit $?" >&2
  c1=$(cpu)
  n1=$(grep -c ': ok TLSv1.2' "$work/server.log" || true)
  echo "$name: server handshakes $((n1 - n0)), server CPU $(((c1 - c0) * 1000000 / tick / (n1 - n0))) us/handshake" \
    | tee -a "$here/server-cpu.txt"
}
: >"$here/server-cpu.txt"
for kx in rsa dhe; do
  start_server $kx
  common=(--connect "127.0.0.1:$port" --cafile "$work/ca.pem" --kx $kx --backend openssl
          --duration 5 --repetitions 3 --quiet)
  run $kx-1proc "$hsb" load "${common[@]}" --threads 1 --connections 8
  run $kx-mpi1 mpirun -n 1 "$hsb" load "${common[@]}" --threads 1 --connections 8
  run $kx-mpi2 mpirun --oversubscribe -n 2 "$hsb" load "${common[@]}" --threads 1 --connections 4
  kill $srv
  wait $srv 2>/dev/null || true
done

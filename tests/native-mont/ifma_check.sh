#!/bin/sh
# A short check of the native Montgomery paths on a machine that may lack the
# project's other dependencies (hwloc, jansson, gmp, Google Benchmark): builds
# the native code and its tests with gcc and OpenSSL only, then
#   1. the IFMA path against the mulx one (PASS/FAIL; SKIP without IFMA),
#   2. the IFMA algorithm over its scalar model (any CPU),
#   3. the full differential test against OpenSSL BN on every path,
#   4. the timing loop against OpenSSL (unless QUICK=1).
# Usage: sh tests/native-mont/ifma_check.sh [OUTDIR]   (from the source root)
set -u
OUT=${1:-/tmp/hsb-ifma-check}
mkdir -p "$OUT"
CC=${CC:-gcc}
CFLAGS="-O2 -std=c11 -D_GNU_SOURCE -DHSB_NO_JANSSON -Wall -Wextra -Icore -Ibackends -Ibackends/native"
N=backends/native
LIB="core/error.c core/ct.c core/provider.c backends/cpu.c $N/native_mont.c $N/mont_portable.c
     $N/mont_x64.c $N/native_modexp.c $N/native_rsa.c $N/native_rsa_pub.c $N/native_dh.c"
set -e
$CC $CFLAGS $LIB $N/mont_ifma.c tests/native-mont/test_native_mont.c -o "$OUT/test_native_mont" -lcrypto -lpthread
$CC $CFLAGS $LIB $N/mont_ifma.c tests/native-mont/timing.c -o "$OUT/hsb_mont_timing" -lcrypto -lpthread
$CC $CFLAGS -Itests/native-mont -DHSB_IFMA_EMULATE=1 -c $N/mont_ifma.c -o "$OUT/mont_ifma_emu.o"
$CC $CFLAGS $LIB $N/mont_ifma.c "$OUT/mont_ifma_emu.o" tests/native-mont/test_ifma_emu.c \
    -o "$OUT/test_ifma_emu" -lcrypto -lpthread
set +e
rc=0
echo "== 1. IFMA vs mulx (real instructions)"
"$OUT/test_native_mont" --ifma; r=$?
[ $r -ne 0 ] && [ $r -ne 77 ] && rc=1
echo "== 2. IFMA algorithm, emulated"
if [ -x "$OUT/test_ifma_emu" ]; then "$OUT/test_ifma_emu" || rc=1; fi
echo "== 3. differential test, every path"
"$OUT/test_native_mont" || rc=1
if [ "${QUICK:-0}" != 1 ]; then
  echo "== 4. timing (native vs OpenSSL, same run)"
  "$OUT/hsb_mont_timing" --reps 9
fi
echo "== overall: $([ $rc -eq 0 ] && echo PASS || echo FAIL)"
exit $rc

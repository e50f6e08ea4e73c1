#!/bin/sh
# hsbench selftest over the shared vectors with the MAC classes from native
# (HSB_CPU_DISABLE=sha set by ctest): must pass, and must have run the
# portable SHA-256 and HMAC (not SHA-NI) on the SHAVS and HMAC files.
# usage: vectors_portable.sh HSBENCH VECTORS_DIR
hsbench=$1
vectors=$2
if [ ! -d "$vectors" ]; then
    echo "vectors folder $vectors absent: skipped"
    exit 77
fi
out=$("$hsbench" selftest --quick --vectors "$vectors" --backend openssl,mac=native) || {
    echo "$out"
    echo "FAIL: hsbench selftest failed"
    exit 1
}
echo "$out" | grep -E 'sha|hmac'
for want in 'sha256=sha256-portable' 'hmac-sha256=hmac-sha256-portable' \
    'SHA256Monte.rsp +passed [1-9]' 'SHA256LongMsg.rsp +passed [1-9]' \
    'hmac/HMAC.rsp +passed [1-9]' 'hmac_sha256_test.json +passed [1-9]' \
    'diff/sha256 +passed [1-9]' 'diff/hmac +passed [1-9]'; do
    echo "$out" | grep -Eq "$want" || {
        echo "FAIL: no line matching '$want'"
        exit 1
    }
done
echo "portable SHA-256/HMAC: vectors passed"

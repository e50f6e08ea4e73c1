#!/bin/sh
# corrupt.sh HSBENCH WORKDIR: proves the vector runner can fail.
# Writes, at run time, into WORKDIR (the build tree):
#   good/  a Wycheproof-shaped MacTest file (RFC 4231 test cases 1 and 2, and
#          a modified-tag case marked invalid) and a CAVP AES KAT .rsp with
#          CRLF lines (FIPS-197 C.1): hsbench selftest --vectors good -> 0
#   bad/   the same files with one expected tag and one expected plaintext
#          byte flipped: -> 1, with tcId 2 and COUNT 0 [DECRYPT] named
#   empty/ a MacTest file with no tests: recognised, yields nothing -> 1
hsbench=$1
work=$2
rm -rf "$work"
mkdir -p "$work/good" "$work/bad" "$work/empty" || exit 1

tag1=b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7
tag2=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843
tag2x=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3842
mactest() { # mactest TAG_OF_CASE_2 > file
    cat <<JSON
{
  "algorithm": "HMACSHA256",
  "schema": "mac_test_schema_v1.json",
  "numberOfTests": 3,
  "header": ["written by tests/selftest/corrupt.sh: RFC 4231 section 4, test cases 1 and 2"],
  "notes": {"ModifiedTag": {"bugType": "AUTH_BYPASS", "description": "tag changed"}},
  "testGroups": [
    {
      "type": "MacTest", "keySize": 160, "tagSize": 256,
      "tests": [
        {"tcId": 1, "comment": "RFC 4231 TC1", "flags": [],
         "key": "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", "msg": "4869205468657265",
         "tag": "$tag1", "result": "valid"},
        {"tcId": 2, "comment": "RFC 4231 TC2", "flags": [], "key": "4a656665",
         "msg": "7768617420646f2079612077616e7420666f72206e6f7468696e673f",
         "tag": "$1", "result": "valid"},
        {"tcId": 3, "comment": "RFC 4231 TC2, tag modified", "flags": ["ModifiedTag"],
         "key": "4a656665",
         "msg": "7768617420646f2079612077616e7420666f72206e6f7468696e673f",
         "tag": "$tag2x", "result": "invalid"}
      ]
    }
  ]
}
JSON
}
aeskat() { # aeskat PLAINTEXT_IN_DECRYPT > file, CRLF line endings like NIST's
    printf '# written by tests/selftest/corrupt.sh: FIPS-197 Appendix C.1\r\n\r\n'
    printf '[ENCRYPT]\r\n\r\nCOUNT = 0\r\nKEY = 000102030405060708090a0b0c0d0e0f\r\n'
    printf 'PLAINTEXT = 00112233445566778899aabbccddeeff\r\n'
    printf 'CIPHERTEXT = 69c4e0d86a7b0430d8cdb78070b4c55a\r\n\r\n'
    printf '[DECRYPT]\r\n\r\nCOUNT = 0\r\nKEY = 000102030405060708090a0b0c0d0e0f\r\n'
    printf 'CIPHERTEXT = 69c4e0d86a7b0430d8cdb78070b4c55a\r\nPLAINTEXT = %s\r\n\r\n' "$1"
}
mactest $tag2 > "$work/good/mac.json"
aeskat 00112233445566778899aabbccddeeff > "$work/good/aes.rsp"
mactest $tag2x > "$work/bad/mac.json"
aeskat 00112233445566778899aabbccddeeee > "$work/bad/aes.rsp"
printf '{"algorithm": "HMACSHA256", "testGroups": [{"type": "MacTest", "keySize": 128, "tagSize": 256, "tests": []}]}\n' \
    > "$work/empty/mac.json"

fail=0
"$hsbench" selftest --quick --vectors "$work/good" > "$work/good.out" 2>&1
st=$?
if [ $st -ne 0 ]; then
    echo "FAIL: good vectors gave exit $st, want 0"; cat "$work/good.out"; fail=1
elif ! grep -q '^openssl  *mac.json  *passed 3  failed 0  unsupported 0' "$work/good.out" ||
     ! grep -q '^openssl  *aes.rsp  *passed 2  failed 0  unsupported 0' "$work/good.out"; then
    echo "FAIL: good vectors: counts not as written"; cat "$work/good.out"; fail=1
else
    echo "ok: good vectors pass (exit 0)"
fi

"$hsbench" selftest --quick --vectors "$work/bad" > "$work/bad.out" 2>&1
st=$?
if [ $st -ne 1 ]; then
    echo "FAIL: corrupted vectors gave exit $st, want 1"; cat "$work/bad.out"; fail=1
elif ! grep -q 'mac.json  tcId 2 (valid)' "$work/bad.out" ||
     ! grep -q 'aes.rsp  COUNT 0 \[DECRYPT\]' "$work/bad.out" ||
     ! grep -q '^openssl  *mac.json  *passed 2  failed 1' "$work/bad.out"; then
    echo "FAIL: corrupted vectors: failures not named as expected"; cat "$work/bad.out"; fail=1
else
    echo "ok: corrupted vectors fail (exit 1), naming tcId 2 and COUNT 0 [DECRYPT]"
fi

"$hsbench" selftest --quick --vectors "$work/empty" > "$work/empty.out" 2>&1
st=$?
if [ $st -ne 1 ] || ! grep -q 'yielded no test' "$work/empty.out"; then
    echo "FAIL: a recognised file with no tests gave exit $st, want 1"; cat "$work/empty.out"
    fail=1
else
    echo "ok: a recognised file with no tests fails (exit 1)"
fi
exit $fail

#!/bin/sh
# usage.sh HSBENCH WORKDIR: the usage errors of hsbench selftest exit 2 with
# a message naming the valid choices.
hsbench=$1
work=$2
fail=0
expect() { # expect STATUS PATTERN ARGS...
    want=$1 pat=$2
    shift 2
    out=$("$hsbench" selftest "$@" 2>&1)
    got=$?
    if [ "$got" -ne "$want" ]; then
        echo "FAIL: hsbench selftest $* exited $got, want $want"; echo "$out"; fail=1
    elif [ -n "$pat" ] && ! printf '%s\n' "$out" | grep -q -- "$pat"; then
        echo "FAIL: hsbench selftest $*: no '$pat' in:"; echo "$out"; fail=1
    else
        echo "ok: hsbench selftest $* -> $got"
    fi
}
expect 2 "backends: openssl" --backend nosuch
expect 2 "unknown class key" --backend pk=openssl,bogus=openssl
expect 2 "not a folder" --vectors "$work/no-such-folder"
expect 2 "needs a value" --vectors
expect 2 "unknown option" --frobnicate
expect 0 "usage:" --help
exit $fail

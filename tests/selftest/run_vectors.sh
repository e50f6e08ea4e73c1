#!/bin/sh
# run_vectors.sh HSBENCH DIR: hsbench selftest --vectors DIR, or exit 77
# (ctest's SKIP_RETURN_CODE) with a clear message when DIR is absent.
hsbench=$1
dir=$2
if [ ! -d "$dir" ]; then
    echo "vectors folder $dir absent: skipped"
    exit 77
fi
exec "$hsbench" selftest --vectors "$dir"

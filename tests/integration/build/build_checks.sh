#!/bin/sh
# build_checks.sh BINARY LINKAGE FORTIFY - what the release binary promises:
#   LINKAGE static: ldd lists glibc's own libraries only (anything else means
#     a dependency was linked as a shared library and must be installed
#     beside the binary); "system" or "sanitize" skips that check.
#   always: PIE (ELF type DYN with the PIE flag), full RELRO (GNU_RELRO and
#     BIND_NOW), a non-executable stack, the stack protector in use;
#   FORTIFY 1: glibc's checked functions (__*_chk) are called.
# Exit 0 when all hold, 1 when one fails (each failure named), 77 = skipped.
set -eu
bin=$1 linkage=$2 fortify=$3
failures=0
fail() { echo "FAIL: $bin: $*" >&2; failures=$((failures + 1)); }

[ -x "$bin" ] || { echo "FAIL: $bin is not an executable" >&2; exit 1; }

if [ "$linkage" = static ]; then
    # glibc: libc, libm, libpthread, libdl, librt, the vDSO and the loader
    others=$(ldd "$bin" | awk '{print $1}' | grep -Ev \
        '^(linux-vdso\.so\.1|libc\.so\.6|libm\.so\.6|libpthread\.so\.0|libdl\.so\.2|librt\.so\.1|/lib64/ld-linux-x86-64\.so\.2|/lib/ld-linux-aarch64\.so\.1)$' || true)
    [ -z "$others" ] || fail "links libraries outside glibc: $(echo "$others" | tr '\n' ' ')"
fi

header=$(readelf -h "$bin")
dynamic=$(readelf -d "$bin")
segments=$(readelf -lW "$bin")
symbols=$(readelf --dyn-syms -W "$bin")

echo "$header" | grep -q 'Type:[[:space:]]*DYN' || fail "not position independent (ELF type is not DYN)"
echo "$dynamic" | grep -q 'FLAGS_1.*PIE' || fail "no PIE flag in the dynamic section"
echo "$segments" | grep -q 'GNU_RELRO' || fail "no RELRO segment"
echo "$dynamic" | grep -Eq 'BIND_NOW|FLAGS_1.* NOW' || fail "no BIND_NOW: RELRO is partial"
echo "$segments" | grep 'GNU_STACK' | grep -q 'RWE' && fail "executable stack"
echo "$symbols" | grep -q '__stack_chk_fail' || fail "stack protector not in use (__stack_chk_fail)"
if [ "$fortify" = 1 ]; then
    echo "$symbols" | grep -v '__stack_chk_fail' | grep -Eq '__[a-z0-9_]+_chk' ||
        fail "_FORTIFY_SOURCE not in effect (no __*_chk call)"
fi

if [ "$failures" -ne 0 ]; then
    exit 1
fi
echo "$(basename "$bin"): linkage=$linkage fortify=$fortify: all checks passed"

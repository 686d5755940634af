#!/bin/sh
# embed_cli.sh EMBED FIXTURES WORKDIR - the embed tool from the outside:
# the same inputs in any order give the same bytes, and bad input fails with
# a message and no output file.
set -eu
tool=$1 fix=$2 work=$3
rm -rf "$work" && mkdir -p "$work"
failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }

"$tool" "$work/a.c" t "$fix" "$fix/abc.txt" "$fix/bytes.bin" "$fix/sub/abc-copy.txt"
"$tool" "$work/b.c" t "$fix" "$fix/sub/abc-copy.txt" "$fix/abc.txt" "$fix/bytes.bin"
cmp -s "$work/a.c" "$work/b.c" || fail "output depends on the order of the files"
touch "$fix/abc.txt"
"$tool" "$work/c.c" t "$fix" "$fix/abc.txt" "$fix/bytes.bin" "$fix/sub/abc-copy.txt"
cmp -s "$work/a.c" "$work/c.c" || fail "output depends on the modification time"
[ ! -e "$work/a.c.tmp" ] || fail "temporary file left behind"

# expect_fail NAME ARGS...: the tool must exit non-zero, say why, write nothing
expect_fail() {
    name=$1; shift
    if "$tool" "$work/bad.c" "$@" 2>"$work/err"; then
        fail "$name: accepted"
    fi
    grep -q . "$work/err" || fail "$name: no message"
    [ ! -e "$work/bad.c" ] || fail "$name: wrote output"
    [ ! -e "$work/bad.c.tmp" ] || fail "$name: left a temporary file"
}
expect_fail "file outside the base" t "$fix/sub" "$fix/abc.txt"
expect_fail "missing file" t "$fix" "$fix/no-such-file"
expect_fail "same path twice" t "$fix" "$fix/abc.txt" "$fix/abc.txt"
expect_fail "symbol not an identifier" "9bad" "$fix" "$fix/abc.txt"
expect_fail "directory as a file" t "$fix" "$fix/sub"
expect_fail "missing base" t "$fix/nowhere" "$fix/abc.txt"

if [ "$failures" -ne 0 ]; then
    echo "$failures failed" >&2
    exit 1
fi
echo "embed_cli: all passed"

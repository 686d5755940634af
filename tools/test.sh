#!/usr/bin/env bash
# Builds and runs every test.  This is the README's second command and all
# that .ci/run does.
#
#   1. release   the shipped binary (static, hardened): unit, integration and
#                browser tests (the web UI in headless chromium), including
#                the ldd and hardening checks
#   2. sanitize  the same tests under AddressSanitizer and UBSan
#   3. fuzz      each libFuzzer target for DXFQ_FUZZ_SECONDS (default 60)
#
# Build folders: build/, build-asan/, build-fuzz/.  Set DXFQ_TEST_STAGES to a
# subset ("release sanitize") to run fewer.
set -euo pipefail
cd "$(dirname "$0")/.."

stages=${DXFQ_TEST_STAGES:-release sanitize fuzz}
jobs=$(nproc)
tools/deps.sh --test

# run_stage DIR CTEST_LABEL_REGEX CMAKE_ARGS...
run_stage() {
    local dir=$1 labels=$2; shift 2
    echo "== $dir: configure and build"
    cmake -S . -B "$dir" -DBUILD_TESTING=ON "$@" >/dev/null
    cmake --build "$dir" -j"$jobs"
    echo "== $dir: test"
    ctest --test-dir "$dir" --output-on-failure -j"$jobs" --timeout 900 -L "$labels"
}

for stage in $stages; do
    case $stage in
    release)
        run_stage build "unit|integration|browser" -DCMAKE_BUILD_TYPE=Release ;;
    sanitize)
        ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
            run_stage build-asan "unit|integration" -DCMAKE_BUILD_TYPE=Debug -DDXFQ_SANITIZE=ON ;;
    fuzz)
        CC=clang run_stage build-fuzz "fuzz" -DCMAKE_BUILD_TYPE=Debug -DDXFQ_SANITIZE=ON -DDXFQ_FUZZ=ON ;;
    *)
        echo "tools/test.sh: unknown stage '$stage' (release, sanitize, fuzz)" >&2
        exit 2 ;;
    esac
done

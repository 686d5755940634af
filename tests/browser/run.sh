#!/bin/sh
# run.sh CASES DXFQUOTE OUT_DIR - runs cases of run.mjs, or exits 77
# (skipped) when node is missing or older than 20 (playwright-core's
# minimum), or playwright-core is not installed.
here=$(dirname "$0")
if ! command -v node >/dev/null 2>&1; then
    echo "skipped: node is not installed (tools/deps.sh --test installs it)"
    exit 77
fi
major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$major" -lt 20 ]; then
    echo "skipped: node $(node --version) is older than 20, which playwright-core needs"
    exit 77
fi
if [ ! -d "$here/node_modules/playwright-core" ]; then
    echo "skipped: run 'npm ci' in tests/browser (tools/deps.sh --test does)"
    exit 77
fi
exec node "$here/run.mjs" "$@"

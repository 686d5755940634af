#!/usr/bin/env bash
# deps.sh - prepares a Debian 12 machine to build the appliance.
#
#   tools/deps.sh            build packages + sources of CivetWeb, libharu, cJSON
#   tools/deps.sh --test     also what the tests need (clang, libFuzzer, promtool, poppler, qpdf,
#                            chromium, node and the browser tests' npm packages)
#   tools/deps.sh --bench    also the peers the benchmarks compare against
#
# The browser tests drive Debian's chromium with playwright-core from npm,
# installed by `npm ci` from tests/browser/package-lock.json (pinned, with
# its checksum) into tests/browser/node_modules (git ignores it).  Node and
# npm come from Debian unless the machine has them already (a newer Node
# from elsewhere is kept: playwright-core wants Node 20, Debian 12 has 18,
# and the tests skip themselves on an older one).
#
# Run as root on a fresh machine.  It installs packages with apt, enables
# Debian's source packages through a file of its own
# (/etc/apt/sources.list.d/dxfquote-src.sources, derived from the machine's
# own Debian entries, so the admin's files are never edited), and fetches the
# three sources CMake builds statically with `apt-get source` into
# .cache/deps/ (git ignores it): apt checks every file against the signed
# Sources index, dpkg-source checks them against the .dsc and applies
# Debian's patches.  Should a source's Debian tarball be missing from the
# mirror, the upstream tarball is checked against the .dsc here and unpacked
# unpatched (a warning says so).  Nothing is pinned: whatever version Debian
# ships is fetched and recorded in .cache/deps/manifest.tsv with the sha256 of
# each file.  A second run sees the stamps and does nothing; remove
# .cache/deps to fetch again (e.g. after a Debian security update).
#
# Quiet unless something fails; apt's output goes to .cache/deps/deps.log.
set -Eeuo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cache=$root/.cache/deps
log=$cache/deps.log
src_list=/etc/apt/sources.list.d/dxfquote-src.sources

base_pkgs=(build-essential cmake pkg-config dpkg-dev xz-utils ca-certificates
    libsqlite3-dev liblua5.4-dev libpng-dev zlib1g-dev libstb-dev libssl-dev libcrypt-dev
    libcivetweb-dev libhpdf-dev libcjson-dev)
test_pkgs=(clang libclang-rt-14-dev prometheus python3 curl poppler-utils qpdf chromium)
bench_pkgs=(libdxflib-dev python3-ezdxf python3-matplotlib hyperfine chromium)
# source package -> folder under .cache/deps that cmake/deps.cmake reads
sources=(civetweb:civetweb libharu:libharu cjson:cjson)

script_args="$*"
modes=(base)
for arg in "$@"; do
    case $arg in
    --test) modes+=(test) ;;
    --bench) modes+=(bench) ;;
    -h | --help)
        sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'
        exit 0
        ;;
    *)
        echo "deps.sh: unknown option '$arg' (expected --test, --bench)" >&2
        exit 2
        ;;
    esac
done

step="starting"
die() {
    echo "deps.sh: $*" >&2
    exit 1
}
# shellcheck disable=SC2317  # reached through the trap
on_error() {
    local rc=$?
    echo "deps.sh: failed while $step (exit $rc)." >&2
    if [[ -s $log ]]; then
        echo "--- last lines of $log:" >&2
        tail -n 15 "$log" >&2
    fi
    exit "$rc"
}
trap on_error ERR

mkdir -p "$cache"
: >>"$log"

# Stamps hold the sha256 of this script: editing it invalidates them.
self_sum=$(sha256sum "${BASH_SOURCE[0]}" | cut -d' ' -f1)
stamp_ok() { [[ -f $cache/stamp-$1 && $(cat "$cache/stamp-$1") == "$self_sum" ]]; }
stamp_set() { echo "$self_sum" >"$cache/stamp-$1"; }

browser=$root/tests/browser
all_done=1
for m in "${modes[@]}" sources; do
    stamp_ok "$m" || all_done=0
done
# node_modules is not in .cache: a fresh work tree needs its own npm ci
if [[ " ${modes[*]} " == *" test "* && ! -d $browser/node_modules/playwright-core ]]; then
    all_done=0
fi
[[ $all_done == 1 ]] && exit 0

export DEBIAN_FRONTEND=noninteractive
need_root() {
    [[ $(id -u) == 0 ]] || die "$1 needs root: run sudo tools/deps.sh $script_args"
}

# ------------------------------------------------------------------ apt lists

apt_updated=0
apt_update() {
    step="running apt-get update"
    need_root "apt-get update"
    apt-get update >>"$log" 2>&1
    apt_updated=1
}

# Lists are stale when missing or older than a day.
lists_fresh() {
    local newest
    newest=$(find /var/lib/apt/lists -maxdepth 1 -name '*_Packages*' -mmin -1440 -print -quit)
    [[ -n $newest ]]
}

# ---------------------------------------------------------------- packages

missing_pkgs() {
    local p
    for p in "$@"; do
        dpkg-query -W -f '${db:Status-Status}\n' "$p" 2>/dev/null | grep -qx installed ||
            echo "$p"
    done
}

install_pkgs() {
    local mode=$1
    shift
    stamp_ok "$mode" && return 0
    local missing
    mapfile -t missing < <(missing_pkgs "$@")
    if ((${#missing[@]})); then
        need_root "installing ${missing[*]}"
        [[ $apt_updated == 1 ]] || lists_fresh || apt_update
        step="installing ${missing[*]}"
        if ! apt-get install -y --no-install-recommends "${missing[@]}" >>"$log" 2>&1; then
            # an old list can name versions the mirror has dropped: retry once
            if [[ $apt_updated == 1 ]]; then
                return 1
            fi
            apt_update
            step="installing ${missing[*]} (after apt-get update)"
            apt-get install -y --no-install-recommends "${missing[@]}" >>"$log" 2>&1
        fi
    fi
    stamp_set "$mode"
}

# ------------------------------------------------------------ source packages

have_deb_src() {
    # shellcheck disable=SC2016  # apt's own $(FIELD) syntax
    apt-get indextargets --format '$(CREATED_BY)' 2>/dev/null | grep -qx Sources
}

# Writes deb-src twins of the machine's Debian archive entries (deb822
# .sources and one-line .list files alike) into our own file.
enable_deb_src() {
    step="enabling Debian source packages"
    need_root "enabling deb-src"
    local tmp
    tmp=$(mktemp)
    {
        echo "# Written by dxfquote tools/deps.sh: source packages for the static build."
        echo "# Derived from the Debian entries in /etc/apt; safe to delete."
        local f
        for f in /etc/apt/sources.list.d/*.sources; do
            [[ -e $f && $f != "$src_list" ]] || continue
            awk '
                function flush() {
                    if (n && deb && debian && enabled) {
                        for (i = 1; i <= n; i++) print lines[i]
                        print ""
                    }
                    n = 0; deb = 0; debian = 0; enabled = 1
                }
                BEGIN { enabled = 1 }
                /^[ \t]*$/ { flush(); next }
                /^#/ { next }
                /^Types:/ {
                    for (i = 2; i <= NF; i++) if ($i == "deb") deb = 1
                    lines[++n] = "Types: deb-src"; next
                }
                /^URIs:/ { if ($0 ~ /debian/) debian = 1 }
                /^Enabled:[ \t]*no/ { enabled = 0 }
                { lines[++n] = $0 }
                END { flush() }
            ' "$f"
        done
        for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
            [[ -e $f ]] || continue
            awk '$1 == "deb" && /debian/ {
                     opts = ""; i = 2
                     if ($2 ~ /^\[/) { while ($i !~ /\]$/) { opts = opts " " $i; i++ }
                                       opts = opts " " $i; i++ }
                     sub(/^ \[/, "", opts); sub(/\]$/, "", opts)
                     comps = ""; for (j = i + 2; j <= NF; j++) comps = comps " " $j
                     print "Types: deb-src"; print "URIs: " $i; print "Suites: " $(i + 1)
                     print "Components:" comps
                     if (opts ~ /signed-by=/) {
                         s = opts; sub(/.*signed-by=/, "", s); sub(/ .*/, "", s)
                         print "Signed-By: " s
                     }
                     print ""
                 }' "$f"
        done
    } >"$tmp"
    grep -q '^Types: deb-src' "$tmp" ||
        die "found no Debian archive in /etc/apt to derive deb-src entries from"
    install -m 644 "$tmp" "$src_list"
    rm -f "$tmp"
    apt_update
    have_deb_src || die "deb-src entries in $src_list did not give a Sources index"
}

# Prints "SHA256 SIZE NAME" for each file the .dsc lists.
dsc_files() {
    awk '/^Checksums-Sha256:/ { on = 1; next } /^[^ ]/ { on = 0 } on && NF == 3 { print }' "$1"
}

fetch_source() {
    local pkg=$1 dir=$2
    local dest=$cache/$dir dl=$cache/download/$pkg
    [[ -f $dest/.dxfq-source ]] && return 0
    step="downloading the source of $pkg"
    rm -rf "$dl" "$dest" "$dest.tmp"
    mkdir -p "$dl"
    local fetched=1
    # apt checks each file against the signed Sources index as it arrives
    (cd "$dl" && apt-get source --download-only "$pkg") >>"$log" 2>&1 || fetched=0
    local dsc
    dsc=$(find "$dl" -maxdepth 1 -name '*.dsc' -print -quit)
    if [[ -z $dsc && $apt_updated == 0 ]]; then
        # an old Sources list names a version the mirror has replaced
        apt_update
        step="downloading the source of $pkg (after apt-get update)"
        fetched=1
        (cd "$dl" && apt-get source --download-only "$pkg") >>"$log" 2>&1 || fetched=0
        dsc=$(find "$dl" -maxdepth 1 -name '*.dsc' -print -quit)
    fi
    [[ -n $dsc ]] || die "apt-get source $pkg gave no .dsc (see $log)"
    local version
    version=$(awk '/^Version:/ { print $2; exit }' "$dsc")
    local sum _size name absent=0 orig=""
    while read -r sum _size name; do
        if [[ ! -f $dl/$name ]]; then
            absent=1
            echo "$pkg: $name is missing from the mirror" >>"$log"
            continue
        fi
        [[ $(sha256sum "$dl/$name" | cut -d' ' -f1) == "$sum" ]] ||
            die "$pkg: $name does not match the sha256 in $(basename "$dsc")"
        [[ $name == *.orig.tar.* ]] && orig=$name
    done < <(dsc_files "$dsc")
    local how
    if [[ $fetched == 1 && $absent == 0 ]]; then
        step="unpacking $pkg with Debian's patches"
        # dpkg-source checks the .dsc checksums again and applies the quilt series
        dpkg-source --no-copy -x "$dsc" "$dest.tmp" >>"$log" 2>&1
        how=debian-patched
    else
        [[ -n $orig ]] || die "$pkg: neither the Debian nor the upstream tarball could be fetched"
        step="unpacking the upstream tarball of $pkg"
        echo "deps.sh: warning: $pkg's Debian tarball is missing from the mirror;" \
            "using the upstream tarball (sha256 checked against the .dsc), without Debian's patches" >&2
        mkdir -p "$dest.tmp"
        tar -xf "$dl/$orig" -C "$dest.tmp" --strip-components=1
        how=upstream-unpatched
    fi
    {
        while read -r sum _size name; do
            if [[ -f $dl/$name ]]; then
                printf '%s\t%s\t%s\t%s\t%s\n' "$pkg" "$version" "$name" "$sum" "$how"
            fi
        done < <(dsc_files "$dsc")
        printf '%s\t%s\t%s\t%s\t%s\n' "$pkg" "$version" "$(basename "$dsc")" \
            "$(sha256sum "$dsc" | cut -d' ' -f1)" "$how"
    } >"$dest.tmp/.dxfq-manifest"
    printf '%s %s %s\n' "$pkg" "$version" "$how" >"$dest.tmp/.dxfq-source"
    mv "$dest.tmp" "$dest"
}

fetch_sources() {
    stamp_ok sources && return 0
    local need=0 entry
    for entry in "${sources[@]}"; do
        [[ -f $cache/${entry#*:}/.dxfq-source ]] || need=1
    done
    if [[ $need == 1 ]]; then
        if ! have_deb_src; then
            enable_deb_src
        elif ! find /var/lib/apt/lists -maxdepth 1 -name '*_Sources*' -print -quit | grep -q .; then
            apt_update
        fi
        for entry in "${sources[@]}"; do
            fetch_source "${entry%%:*}" "${entry#*:}"
        done
    fi
    step="writing the manifest"
    {
        printf 'source\tversion\tfile\tsha256\thow\n'
        for entry in "${sources[@]}"; do
            cat "$cache/${entry#*:}/.dxfq-manifest"
        done
    } >"$cache/manifest.tsv"
    rm -rf "$cache/download"
    stamp_set sources
}

# ------------------------------------------------------- browser test tools

browser_tools() {
    local want=()
    command -v node >/dev/null 2>&1 || want+=(nodejs)
    command -v npm >/dev/null 2>&1 || want+=(npm)
    if ((${#want[@]})); then
        rm -f "$cache/stamp-node"
        install_pkgs node "${want[@]}"
    fi
    [[ -d $browser/node_modules/playwright-core ]] && return 0
    step="installing the browser tests' npm packages (npm ci in tests/browser)"
    (cd "$browser" && npm ci --no-audit --no-fund) >>"$log" 2>&1
}

for m in "${modes[@]}"; do
    case $m in
    base) install_pkgs base "${base_pkgs[@]}" ;;
    test)
        install_pkgs test "${test_pkgs[@]}"
        browser_tools
        ;;
    bench) install_pkgs bench "${bench_pkgs[@]}" ;;
    esac
done
fetch_sources
exit 0

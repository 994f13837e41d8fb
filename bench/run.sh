#!/usr/bin/env bash
# Run every benchmark of a build and gather their machine-readable lines.
#   bench/run.sh <builddir> [--quick]      (./dev.sh bench calls it)
# Each benchmark measures sigurg and the kernel (and lwIP) in the same run
# and prints ratios; see bench/README.md. --quick (or BENCH_QUICK=1) uses
# fewer runs and smaller transfers: a smoke test, not figures to quote.
# The kernel halves need root (private network namespaces, ethtool).
# Exit status: non-zero if a benchmark crashed or printed no final line;
# a side that could not be measured ("na") is reported, not a failure.
set -uo pipefail

if [ $# -lt 1 ] || [ ! -d "$1" ]; then
    echo "usage: $0 <builddir> [--quick]" >&2
    exit 2
fi
BUILD=$(cd "$1" && pwd)
BIN=$BUILD/bench
SRC=$(cd "$(dirname "$0")" && pwd)
QUICK=${BENCH_QUICK:-0}
[ "${2:-}" = "--quick" ] && QUICK=1

if [ "$(id -u)" -ne 0 ]; then
    echo "note: not root: the kernel halves (network namespaces) will fail and print na" >&2
fi

# Arguments per benchmark: full, then quick.
args_for() {
    local full quick
    case "$1" in
    bulk) full=""; quick="--runs 3 --bytes 256M" ;;
    rr) full=""; quick="--runs 3 --seconds 0.3" ;;
    crr) full=""; quick="--runs 3 --seconds 0.3" ;;
    conn_mem) full=""; quick="--runs 1 --conns 2000" ;;
    oob_latency) full=""; quick="--runs 2 --iters 500" ;;
    *) full=""; quick="" ;;
    esac
    if [ "$QUICK" = 1 ]; then echo "$quick"; else echo "$full"; fi
}

# Known benchmarks first, in this order, then any other bench/*.c.
ORDER=(bulk rr crr conn_mem oob_latency reass_scaling)
for f in "$SRC"/*.c; do
    n=$(basename "$f" .c)
    case " ${ORDER[*]} " in *" $n "*) ;; *) ORDER+=("$n") ;; esac
done

SUMMARY=()
STATUS=0
run_one() { # name, args...
    local name=$1
    shift
    local exe=$BIN/$name
    if [ ! -x "$exe" ]; then
        echo "== $name: not built ($exe)"
        SUMMARY+=("$name: not built")
        STATUS=1
        return
    fi
    echo "== $name $*"
    local tmp rc last
    tmp=$(mktemp)
    "$exe" "$@" | tee "$tmp"
    rc=${PIPESTATUS[0]}
    last=$(tail -n 1 "$tmp")
    rm -f "$tmp"
    if [ "$rc" -ne 0 ] || [ -z "$last" ]; then
        SUMMARY+=("$name: FAILED (exit $rc)")
        STATUS=1
    else
        SUMMARY+=("$last")
    fi
    echo
}

for name in "${ORDER[@]}"; do
    [ -f "$SRC/$name.c" ] || continue
    # shellcheck disable=SC2046
    run_one "$name" $(args_for "$name")
done

# Instructions per byte of a sigurg-only transfer, under callgrind.
if command -v valgrind >/dev/null 2>&1; then
    if [ "$QUICK" = 1 ]; then run_one bulk --callgrind --bytes 8M; else run_one bulk --callgrind; fi
else
    echo "== bulk --callgrind: skipped (valgrind not installed)"
    SUMMARY+=("bulk-callgrind: skipped (no valgrind)")
fi

echo "== summary"
printf '%s\n' "${SUMMARY[@]}"
exit $STATUS

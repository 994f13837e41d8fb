#!/usr/bin/env bash
# sigurg's developer entry point. From a fresh Debian clone:
#   ./dev.sh demo    install what is missing, build, run the demo
#   ./dev.sh test    install what is missing, build, run every test
#                    (release build, ASan+UBSan build, and a short fuzz run)
# Other verbs: build, bench, fuzz [seconds], sim-long (100,000 seeds), clean.
set -euo pipefail
cd "$(dirname "$0")"
ROOT=$PWD
JOBS=$(nproc 2>/dev/null || echo 2)

# Debian packages the build, tests and benchmarks need.
PKGS=(build-essential cmake pkg-config clang libclang-rt-14-dev libcmocka-dev
      iproute2 tcpdump tshark ethtool netcat-openbsd valgrind liblwip-dev)

need_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

install_deps() {
    local missing=()
    for p in "${PKGS[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
            missing+=("$p")
    done
    if [ ${#missing[@]} -gt 0 ]; then
        echo "== installing: ${missing[*]}"
        # tshark asks whether non-root users may capture; answer no.
        echo "wireshark-common wireshark-common/install-setuid boolean false" |
            need_root debconf-set-selections
        need_root apt-get update -qq
        need_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
    fi
}

configure_build() { # dir, extra cmake args...
    local dir=$1
    shift
    cmake -S "$ROOT" -B "$ROOT/$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null
    cmake --build "$ROOT/$dir" -j"$JOBS"
}

run_ctest() { # dir, extra ctest args...
    local dir=$1
    shift
    (cd "$ROOT/$dir" && ctest --output-on-failure -j"$JOBS" "$@")
}

fuzz() { # seconds
    local secs=${1:-60}
    CC=clang configure_build build-fuzz -DSIGURG_FUZZ=ON -DSIGURG_SANITIZE=ON -DSIGURG_TESTS=ON
    local corpus
    corpus=$(mktemp -d)
    cp -r "$ROOT"/tests/fuzz/corpus/. "$corpus"/
    echo "== fuzzing frames for ${secs}s"
    "$ROOT/build-fuzz/tests/fuzz/fuzz_frame" -max_total_time="$secs" -print_final_stats=1 \
        -artifact_prefix="$ROOT/build-fuzz/" "$corpus" 2>&1 | tail -n 12
    rm -rf "$corpus"
}

case "${1:-}" in
demo)
    install_deps
    configure_build build
    shift
    "$ROOT/build/tools/sgdemo/sgdemo" "$@"
    echo
    echo "== tcpdump -r demo.pcap (first lines)"
    tcpdump -vv -n -r demo.pcap 2>/dev/null | head -n 8
    ;;
test)
    install_deps
    echo "== release build"
    configure_build build
    run_ctest build
    echo "== ASan+UBSan build"
    configure_build build-asan -DSIGURG_SANITIZE=ON
    # The diff_* tests run in the release pass only: under ASan the diff
    # runner selects the wrong scenarios (an open bug in the test runner,
    # see tests/diff/README.md). sigurg's own code is still exercised under
    # ASan by every other test, including the urgent-data model simulation.
    run_ctest build-asan -E '^diff_'
    fuzz 60
    echo "== all tests passed (release, ASan+UBSan, fuzz)"
    ;;
build)
    install_deps
    configure_build build
    ;;
bench)
    install_deps
    configure_build build -DCMAKE_BUILD_TYPE=Release
    "$ROOT/bench/run.sh" "$ROOT/build"
    ;;
fuzz)
    install_deps
    fuzz "${2:-600}"
    ;;
sim-long)
    install_deps
    configure_build build
    # Straight to the binary: CTest's per-test timeout would stop a long run.
    SIGURG_SIM_SEEDS=${2:-100000} "$ROOT/build/tests/test_tcp_transfer"
    ;;
clean)
    rm -rf build build-asan build-fuzz
    ;;
*)
    sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
    ;;
esac

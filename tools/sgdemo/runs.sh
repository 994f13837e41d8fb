#!/bin/sh
# sgdemo_runs: the demo exits 0 and its urgent act reaches the urgent byte
# (ctest's PASS_REGULAR_EXPRESSION alone would ignore the exit status).
# Usage: runs.sh /path/to/sgdemo; the capture goes to a temporary directory.
set -eu
demo=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
rc=0
"$demo" --pcap "$tmp/demo.pcap" >"$tmp/out.txt" || rc=$?
cat "$tmp/out.txt"
if [ "$rc" -ne 0 ]; then
    echo "FAIL: sgdemo exited $rc"
    exit 1
fi
grep -q "the urgent byte is 0xf2 (telnet's Data Mark), as sent" "$tmp/out.txt" || {
    echo "FAIL: the output does not show the urgent byte"
    exit 1
}

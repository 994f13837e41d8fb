#!/bin/sh
# sgdemo_deterministic: the demo's output is a function of its options
# alone. Two runs with one seed must match byte for byte (output and
# capture); a run with another seed must differ (another loss pattern).
# Usage: deterministic.sh /path/to/sgdemo
set -eu
demo=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The output names the capture file, so all three runs use the same path
# and each capture is moved aside before the next run.
"$demo" --seed 7 --pcap "$tmp/demo.pcap" >"$tmp/a.txt"
mv "$tmp/demo.pcap" "$tmp/a.pcap"
"$demo" --seed 7 --pcap "$tmp/demo.pcap" >"$tmp/b.txt"
mv "$tmp/demo.pcap" "$tmp/b.pcap"
"$demo" --seed 8 --pcap "$tmp/demo.pcap" >"$tmp/c.txt"

cmp "$tmp/a.txt" "$tmp/b.txt" || { echo "FAIL: same seed, different output"; exit 1; }
cmp "$tmp/a.pcap" "$tmp/b.pcap" || { echo "FAIL: same seed, different capture"; exit 1; }
if cmp -s "$tmp/a.txt" "$tmp/c.txt"; then
    echo "FAIL: seeds 7 and 8 gave the same output"
    exit 1
fi
echo "ok: seed 7 twice identical (output and capture), seed 8 differs"

#!/bin/sh
# echo_sg.c and echo_kernel.c must be the same program up to renamed calls:
# drop the lines marked "setup" (a "/* setup */" line, or a block from
# "/* setup { */" to "/* } setup */"), turn sg_x into x in echo_sg.c, and
# the two must be identical. And the renaming must be complete: echo_sg.c
# outside its setup lines calls no kernel socket function by its own name.
set -eu
dir=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

strip() {
    sed -e '/\/\* setup { \*\//,/\/\* } setup \*\//d' -e '/\/\* setup \*\//d' "$1"
}

strip "$dir/echo_kernel.c" >"$tmp/kernel.c"
strip "$dir/echo_sg.c" >"$tmp/sg_raw.c"
sed -e 's/\bsg_//g' "$tmp/sg_raw.c" >"$tmp/sg.c"

if ! diff -u "$tmp/kernel.c" "$tmp/sg.c"; then
    echo "check_diff: echo_sg.c and echo_kernel.c differ beyond renamed calls and setup lines" >&2
    exit 1
fi

calls='socket|bind|listen|accept|accept4|connect|send|sendto|sendmsg|recv|recvfrom|recvmsg|read|write|shutdown|close|poll|select|getsockname|getpeername|setsockopt|getsockopt|ioctl|fcntl|sockatmark'
if grep -nE "(^|[^A-Za-z0-9_.\"])($calls)\(" "$tmp/sg_raw.c"; then
    echo "check_diff: echo_sg.c calls the kernel's sockets above (rename them to sg_*)" >&2
    exit 1
fi

renamed=$(diff "$tmp/sg_raw.c" "$tmp/sg.c" | grep -c '^<' || true)
if [ "$renamed" -eq 0 ]; then
    echo "check_diff: no sg_ call in echo_sg.c: nothing was compared" >&2
    exit 1
fi
echo "check_diff: echo_sg.c == echo_kernel.c up to $renamed renamed lines and the setup lines"

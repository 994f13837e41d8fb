/* Helpers every benchmark shares: clocks, medians, CPU pinning, private
 * network namespaces, child processes that report numbers back, argument
 * parsing. Not part of the library; linked into each bench program.
 *
 * Conventions (bench/README.md): a benchmark measures sigurg and the
 * kernel (and lwIP where it can) in the same run, quotes medians, and
 * ends with one machine-readable line. Kernel figures are measured in a
 * forked child that first enters a private network namespace, so the
 * host's own traffic, sysctls and ephemeral ports never mix in.
 */
#ifndef SG_BENCH_BENCH_H
#define SG_BENCH_BENCH_H
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* CLOCK_MONOTONIC in nanoseconds. */
uint64_t bench_now_ns(void);

/* Median of v[0..n) (sorts v in place); NAN when n == 0. */
double bench_median(double *v, size_t n);
/* The p-th percentile (0..100, nearest rank) of v[0..n) (sorts v). */
double bench_percentile(double *v, size_t n, double p);

/* Pin the calling thread to one CPU. 0 or -1 with errno. */
int bench_pin_self(int cpu);
/* The CPU the single-core benchmarks use: the last one (cpu 0 takes most
 * of the machine's interrupts). */
int bench_default_cpu(void);

/* Enter a new network namespace (unshare(CLONE_NEWNET)), bring its `lo` up
 * with the given MTU (0: leave the default, 65536) and, if offloads_off,
 * run `ethtool -K lo tso off gso off gro off` inside it. 0, or -1 with a
 * message on stderr. Call in a child process: the namespace is for ever. */
int bench_netns_enter(uint32_t lo_mtu, int offloads_off);
/* Write a sysctl under /proc/sys (e.g. "net/ipv4/tcp_tw_reuse") of the
 * current namespace. 0 or -1. */
int bench_sysctl_write(const char *path, const char *value);

/* Run fn(arg, out, nout) in a forked child and copy back the doubles it
 * stores in out[0..nout) (at most 64). The child's return value is its
 * exit status; 0 means the numbers are valid. Returns that status (or -1
 * if the child died: the signal is reported on stderr). */
typedef int (*bench_child_fn)(void *arg, double *out, size_t nout);
int bench_in_child(bench_child_fn fn, void *arg, double *out, size_t nout);

/* Raise RLIMIT_NOFILE (soft and, as root, hard) to at least n. 0 or -1. */
int bench_raise_nofile(uint64_t n);

/* "1G", "64M", "4096", "2k" -> bytes (binary units). 0 on a bad value. */
uint64_t bench_parse_size(const char *s);

/* Path of a program that sits next to this executable (e.g. "lwip_bulk"),
 * in buf; NULL if it does not exist. */
const char *bench_sibling(const char *name, char *buf, size_t len);

/* Format a ratio a/b for the machine-readable line: "%.3f", or "na" when
 * either side is missing (NaN) or b is 0. Returns buf. */
const char *bench_ratio_str(double a, double b, char *buf, size_t len);

#endif

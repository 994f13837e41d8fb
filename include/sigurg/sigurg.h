/* sigurg: a userspace TCP/IP stack with faithful TCP urgent data.
 *
 * This header is the public API: stacks and their configuration, links,
 * counters, and (as it lands) the POSIX mirror sg_socket, sg_send, ...
 * which takes the system's own constants and reports errors as -1 and
 * errno, exactly like the calls it mirrors. See docs/api.md.
 */
#ifndef SIGURG_SIGURG_H
#define SIGURG_SIGURG_H
#include <stddef.h>
#include <stdint.h>
#include "sigurg/counters.h"

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define SG_API __attribute__((visibility("default")))
#else
#define SG_API
#endif

/* Congestion control algorithms. */
enum sg_cc {
    SG_CC_CUBIC = 0, /* default, as Linux */
    SG_CC_NEWRENO = 1,
};

/* A stack's configuration. Zero means "the default" for every field, so
 * `struct sg_config cfg = {0};` gives a stack that behaves like a default
 * Linux host. Defaults are listed with each field. */
struct sg_config {
    const char *name;        /* for logs and pcap names; default "sg" */
    uint64_t seed;           /* PRNG seed; 0: the runtime picks one from the
                                OS (a world always derives one from its seed) */
    uint32_t tcp_rmem;       /* default receive buffer, bytes; default 131072
                                (Linux tcp_rmem[1]) */
    uint32_t tcp_wmem;       /* default send buffer, bytes; default 16384
                                (Linux tcp_wmem[1]) */
    uint32_t tcp_rmem_max;   /* largest SO_RCVBUF/autotuned; default 6291456 */
    uint32_t tcp_wmem_max;   /* largest SO_SNDBUF/autotuned; default 4194304 */
    uint32_t msl_ms;         /* TIME_WAIT lasts 2*MSL; default 30000 (Linux's 60 s) */
    enum sg_cc cc;           /* default SG_CC_CUBIC */
    uint32_t initial_cwnd;   /* segments; default 10 (RFC 6928) */
    uint32_t rto_min_ms;     /* default 200 (Linux) */
    uint32_t rto_max_ms;     /* default 120000 (Linux) */
    uint32_t rto_initial_ms; /* default 1000 (RFC 6298) */
    uint32_t syn_retries;    /* default 6 (Linux tcp_syn_retries) */
    uint32_t retries2;       /* default 15 (Linux tcp_retries2) */
    uint32_t delack_min_ms;  /* delayed-ACK timer; default 40 (Linux) */
    uint32_t somaxconn;      /* listen backlog cap; default 4096 (Linux) */
    int tcp_stdurg;          /* 1: read received urgent pointers as RFC 1122
                                "last byte" (Linux net.ipv4.tcp_stdurg);
                                default 0, the BSD reading. shared/spec/oob.md R10 */
    int no_timestamps;       /* 1: don't offer RFC 7323 timestamps; default 0 */
    int no_sack;             /* 1: don't offer SACK; default 0 */
    int no_wscale;           /* 1: don't offer window scaling; default 0 */
    uint32_t ip_default_ttl; /* default 64 */
    uint32_t icmp_msgs_per_sec; /* ICMP error token bucket rate; default 1000
                                   (Linux icmp_msgs_per_sec), burst 50 */
    uint32_t ip_reasm_timeout_ms; /* default 30000 (Linux ipfrag_time) */
    uint32_t ip_reasm_max_bytes;  /* memory for reassembly; default 4 MiB (ipfrag_high_thresh) */
};

/* Fill every zero field of *cfg with its default. */
SG_API void sg_config_defaults(struct sg_config *cfg);

/* Name and description of a counter (sigurg/counters.h), NULL if out of range. */
SG_API const char *sg_counter_name(enum sg_counter c);
SG_API const char *sg_counter_desc(enum sg_counter c);

#ifdef __cplusplus
}
#endif
#endif

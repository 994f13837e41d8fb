/* Links: the drivers that carry frames between a stack's interface and
 * something else (another stack in memory, a TUN/TAP device, ...).
 *
 * A link endpoint is one `struct link`. Drivers and wrappers all have the
 * same face, so wrappers compose with any driver:
 *     pcap(impair(memlink))  or  impair(pcap(tun))
 * A wrapper owns the link it wraps and destroys it with itself.
 *
 * Frames: for LINK_ETHERNET a frame starts with the 14-byte Ethernet
 * header; for LINK_RAW_IP it starts with the IP header. Frames are
 * `struct buf`; xmit takes ownership, recv gives ownership.
 *
 * Time: every call that may do timed work takes `now` (ns, the caller's
 * clock: virtual in a world, monotonic in the runtime). Links never read a
 * clock themselves, so a world is deterministic.
 *
 * Threads: a link endpoint is driven by one thread at a time (its stack's).
 * Only the memlink's inbound queue is touched by the peer's thread, under
 * the memlink's own small lock; on_rx is then called *without* that lock.
 */
#ifndef SG_LINK_LINK_H
#define SG_LINK_LINK_H
#include <stdint.h>
#include "base/buf.h"
#include "base/time.h"

enum link_kind {
    LINK_ETHERNET = 1, /* frames carry an Ethernet header (pcap DLT 1) */
    LINK_RAW_IP = 2,   /* frames are bare IPv4/IPv6 packets (pcap DLT 101) */
};

enum {
    /* Frames crossing this link are never altered in transit (in-memory),
     * so a transport checksum may be left to the receiver's trust, as
     * Linux's loopback does (CHECKSUM_PARTIAL). Wrappers that may alter
     * bytes (impairment corruption) or that leave the process (pcap, TUN)
     * clear it or complete the checksum. */
    LINK_CAP_CSUM_OFFLOAD = 1u << 0,
};

struct link;

struct link_ops {
    /* Send a frame; takes ownership of `frame` in every case. Returns 0,
     * or -errno after freeing it (-ENOBUFS queue full, -EMSGSIZE frame
     * larger than the link MTU allows). A dropped frame is not an error
     * the caller must handle: impairment drops return 0. */
    int (*xmit)(struct link *l, struct buf *frame, sg_time now);
    /* The next received frame whose time has come, or NULL. */
    struct buf *(*recv)(struct link *l, sg_time now);
    /* Do timed work due at `now` (release delayed frames). May be NULL. */
    void (*poll)(struct link *l, sg_time now);
    /* Earliest time at which recv() may return a frame or poll() has work:
     * <= now if a frame is ready now, SG_TIME_NEVER if nothing is pending
     * (frames may still arrive from outside: see wait_fd/on_rx). */
    sg_time (*next_event)(const struct link *l);
    /* A host descriptor that is readable when frames may be waiting, or
     * -1 (memlinks use on_rx instead). May be NULL. */
    int (*wait_fd)(const struct link *l);
    /* Free the endpoint, its queued frames, and any wrapped link. */
    void (*destroy)(struct link *l);
};

struct link {
    const struct link_ops *ops;
    enum link_kind kind;
    uint32_t mtu;     /* largest IP packet, bytes (Ethernet header not counted) */
    uint32_t caps;    /* LINK_CAP_* */
    uint8_t mac[6];   /* this endpoint's address, for LINK_ETHERNET */
    char name[16];
    /* Called (if set) when a frame becomes available to recv() from
     * outside the owner's own calls, e.g. by the peer's xmit. The runtime
     * sets it to wake the stack's service thread. */
    void (*on_rx)(void *ctx);
    void *on_rx_ctx;
};

static inline int link_xmit(struct link *l, struct buf *f, sg_time now)
{
    return l->ops->xmit(l, f, now);
}
static inline struct buf *link_recv(struct link *l, sg_time now)
{
    return l->ops->recv(l, now);
}
static inline void link_poll(struct link *l, sg_time now)
{
    if (l->ops->poll)
        l->ops->poll(l, now);
}
static inline sg_time link_next_event(const struct link *l)
{
    return l->ops->next_event(l);
}
static inline void link_destroy(struct link *l)
{
    if (l)
        l->ops->destroy(l);
}

/* --- drivers and wrappers (each in its own file under src/link/) --- */

/* memlink.c: two endpoints joined in memory; a frame sent on one is
 * received on the other without copying (the buf is handed over). Each
 * endpoint's inbound queue holds at most `qlen` frames (then -ENOBUFS).
 * For LINK_ETHERNET the endpoints get distinct locally administered MACs
 * derived from `id`. Returns 0 or -ENOMEM. */
int link_mem_pair(enum link_kind kind, uint32_t mtu, uint32_t qlen, uint32_t id,
                  struct link **a, struct link **b);

/* impair.c: wraps any link; applies the impairments to frames in both
 * directions (sent through it and received from it), with every random
 * choice drawn from a PRNG seeded with `seed`. Same seed and same inputs:
 * same output, bit for bit. */
struct link_impair {
    double loss;        /* probability a frame is dropped, 0..1 */
    double duplicate;   /* probability a frame is delivered twice */
    double reorder;     /* probability a frame is held back ... */
    uint32_t reorder_depth; /* ... behind up to this many later frames (default 3) */
    sg_time delay;      /* fixed one-way delay added to every frame */
    sg_time jitter;     /* plus a uniform random 0..jitter (may reorder) */
    double corrupt;     /* probability one random bit of the frame is flipped */
    uint64_t rate_bps;  /* serialisation rate in bit/s; 0 = unlimited */
    uint32_t mtu;       /* frames with IP packets larger than this are dropped; 0 = no limit */
    uint32_t queue_limit; /* frames held at most (rate/delay queue), 0 = 10000 */
};
struct link_impair_stats {
    uint64_t frames, dropped, duplicated, reordered, corrupted, mtu_dropped, queue_dropped;
};
struct link *link_impair_wrap(struct link *inner, const struct link_impair *cfg, uint64_t seed);
/* Counters of an impairment wrapper (zeroes if `l` is not one). */
void link_impair_stats(const struct link *l, struct link_impair_stats *out);

/* pcap.c: wraps any link; writes every frame in both directions to a
 * classic pcap file (DLT_EN10MB or DLT_RAW by the inner kind) with the
 * frame's time `now` as timestamp. Completes BUF_CSUM_PARTIAL checksums in
 * the copy it writes so captures read cleanly. NULL if the file cannot be
 * opened (errno set). */
struct link *link_pcap_wrap(struct link *inner, const char *path);

#endif

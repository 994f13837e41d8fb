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
 *
 * Checksum flags on received frames: links hand frames over with the
 * sender's BUF_CSUM_* flags. A frame still marked BUF_CSUM_PARTIAL has
 * crossed only in-memory links that do not alter bytes (a wrapper that
 * alters bytes completes the checksum first and clears the flag), so the
 * receiver may trust it as Linux trusts loopback's CHECKSUM_PARTIAL.
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
    uint32_t mtu;   /* largest IP packet, bytes (Ethernet header not counted) */
    uint32_t caps;  /* LINK_CAP_* */
    uint8_t mac[6]; /* this endpoint's address, for LINK_ETHERNET */
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
 * received on the other without copying (the buf is handed over, flags
 * and all). Each endpoint's inbound queue holds at most `qlen` frames
 * (0: 1000, Linux's txqueuelen), then xmit fails with -ENOBUFS; a frame
 * whose IP packet exceeds `mtu` fails with -EMSGSIZE. Both endpoints have
 * LINK_CAP_CSUM_OFFLOAD and the MACs 02:ii:ii:ii:ii:01 (a) and ..:02 (b),
 * with `id` big-endian in the middle: distinct ids give distinct MACs.
 * Frames in an inbound queue are ready at once (next_event 0). A frame
 * sent to an endpoint already destroyed is dropped (xmit returns 0). The
 * two endpoints are destroyed independently; destroying one while the
 * peer's thread may be in xmit is the caller's race to prevent.
 * Returns 0 or -ENOMEM. */
int link_mem_pair(enum link_kind kind, uint32_t mtu, uint32_t qlen, uint32_t id, struct link **a,
                  struct link **b);

/* impair.c: wraps any link; applies the impairments to frames in both
 * directions (sent through it and received from it), with every random
 * choice drawn from a PRNG seeded with `seed` (one independent stream per
 * direction, so traffic one way never shifts the other way's choices).
 * Same seed and same inputs (frames and the times of the calls): same
 * output, bit for bit.
 *
 * Each frame entering a direction, in this order:
 *   1. MTU: an IP packet longer than cfg.mtu is dropped (mtu_dropped);
 *      the wrapper still reports the inner MTU, so this is a black hole
 *      the sender does not know about.
 *   2. loss (dropped); 3. corruption: one bit of the IP packet is
 *      flipped, after completing a BUF_CSUM_PARTIAL checksum, and
 *      BUF_CSUM_VERIFIED and BUF_CSUM_PARTIAL are cleared so the receiver
 *      verifies (corrupted). Only IP packets, and never their Ethernet
 *      header: on a real wire the FCS drops a damaged frame, so what gets
 *      through is what checksums above the link must catch -- while a
 *      damaged ARP packet (no checksum) would only poison caches and a
 *      damaged Ethernet header would only look like loss;
 *   4. duplication: a zero-copy clone follows the frame (duplicated).
 * Then each copy is scheduled: queue limit (queue_dropped), rate limit
 * (leaves when the previous frame of this direction has been serialised,
 * len*8/rate_bps later), plus delay and a uniform 0..jitter; then, with
 * probability `reorder`, it is held back until 1..reorder_depth later
 * frames of its direction have been scheduled, held or not (it then
 * leaves right after the last of them: without jitter, at most
 * reorder_depth later frames overtake it), or until reorder_hold has
 * passed (reordered).
 * Every random draw a frame could need is made when it enters, in a fixed
 * order, whatever the configuration and whatever befalls the frame, so
 * changing one impairment leaves the others' pattern for a seed unchanged
 * (adding jitter does not move the losses).
 *
 * Sent frames are passed to the inner link from xmit (when due at once)
 * or poll; received frames are pulled from the inner link by recv, which
 * returns them when due. next_event covers both directions and the inner
 * link. Caps are the inner link's, minus LINK_CAP_CSUM_OFFLOAD when
 * corrupt > 0 (so a stack that honours caps computes real checksums).
 * NULL on allocation failure; `inner` is then still the caller's. */
struct link_impair {
    double loss;            /* probability a frame is dropped, 0..1 */
    double duplicate;       /* probability a frame is delivered twice */
    double reorder;         /* probability a frame is held back ... */
    uint32_t reorder_depth; /* ... behind up to this many later frames (default 3) */
    sg_time reorder_hold;   /* ... or at most this long (default 10 ms) */
    sg_time delay;          /* fixed one-way delay added to every frame */
    sg_time jitter;         /* plus a uniform random 0..jitter (may reorder) */
    double corrupt;         /* probability one random bit of the frame is flipped */
    uint64_t rate_bps;      /* serialisation rate in bit/s; 0 = unlimited */
    uint32_t mtu;           /* frames with IP packets larger than this are dropped; 0 = no limit */
    uint32_t queue_limit;   /* frames held at most per direction (rate/delay/reorder), 0 = 10000 */
};
/* Both directions together. `frames` counts frames entering the wrapper
 * (duplicates not included); each other counter counts frames affected. */
struct link_impair_stats {
    uint64_t frames, dropped, duplicated, reordered, corrupted, mtu_dropped, queue_dropped;
};
struct link *link_impair_wrap(struct link *inner, const struct link_impair *cfg, uint64_t seed);
/* Counters of an impairment wrapper (zeroes if `l` is not one). */
void link_impair_stats(const struct link *l, struct link_impair_stats *out);

/* offload.c: complete the TCP or UDP checksum of a frame marked
 * BUF_CSUM_PARTIAL (IPv4 without fragmentation, or IPv6 without extension
 * headers), computing it afresh over pseudo-header and segment, so what
 * the checksum field held before does not matter. The bytes must be
 * private (buf_writable). Clears BUF_CSUM_PARTIAL. Returns 0, or -EINVAL
 * (frame left unchanged) if it is not such a packet. */
int link_csum_complete(struct buf *f, enum link_kind kind);

/* pcap.c: wraps any link; writes every frame in both directions to a
 * classic pcap file (DLT_EN10MB or DLT_RAW by the inner kind) with the
 * frame's time `now` as timestamp. Completes BUF_CSUM_PARTIAL checksums in
 * the copy it writes so captures read cleanly. Sent frames are written as
 * they enter xmit (before any wrapper inside it), received frames as recv
 * returns them (after every wrapper inside it): outermost, it sees what
 * a host's tcpdump would.
 *
 * File format: pcap 2.4 in host byte order with the nanosecond magic
 * 0xa1b23c4d (tcpdump and Wireshark read it; virtual time keeps its ns),
 * snaplen 262144; the file is flushed and closed on destroy.
 * NULL if the file cannot be created or its header written (errno set);
 * `inner` is then still the caller's. */
struct link *link_pcap_wrap(struct link *inner, const char *path);
/* 0, or the errno of the first failed write of a pcap wrapper (writes
 * after a failure are skipped; the frames still pass). 0 if `l` is not
 * a pcap wrapper. */
int link_pcap_error(const struct link *l);

#endif

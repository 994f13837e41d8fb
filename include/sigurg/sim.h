/* sigurg deterministic simulation: a world of stacks joined by in-memory
 * links, driven by a virtual clock, event by event, in one thread.
 *
 * Determinism: a world is a pure function of its seed and of the calls
 * made on it. Nothing reads the wall clock; stacks, links and the events
 * of one step are processed in creation order; every random choice (each
 * stack's, each link impairment's) comes from a PRNG derived from the
 * world seed. Two runs with the same seed and the same calls produce the
 * same frames at the same virtual times, bit for bit (captures included).
 * A failing simulation is reproduced by its seed.
 *
 * Threads: a world and everything in it belong to the calling thread.
 *
 * Errors: functions returning int give 0 (or a non-negative result) on
 * success and -1 with errno set on failure, as the POSIX calls do.
 */
#ifndef SIGURG_SIM_H
#define SIGURG_SIM_H
#include <stddef.h>
#include <stdint.h>
#include "sigurg/sigurg.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct sg_world sg_world;

/* Virtual time: nanoseconds since the world was created (it starts at 0). */
typedef uint64_t sg_time;
#ifndef SG_TIME_NEVER
#define SG_TIME_NEVER UINT64_MAX
#endif

/* A new world with its clock at 0. NULL and errno ENOMEM on failure. */
SG_API sg_world *sg_world_new(uint64_t seed);
/* Free the world, its stacks and its links (NULL allowed). Pending
 * frames are discarded; capture files are flushed and closed. */
SG_API void sg_world_free(sg_world *w);

/* Add a stack (NULL cfg: all defaults). Its PRNG seed is cfg->seed if
 * non-zero, else derived from the world seed and the stack's index (0, 1,
 * ... in order of creation), so adding a stack never changes the seeds of
 * those created before it. The stack belongs to the world. NULL and errno
 * (ENOMEM) on failure. */
SG_API sg_stack *sg_world_add_stack(sg_world *w, const struct sg_config *cfg);

/* Link impairments, applied on the first stack's side of a link to both
 * directions: what it sends and what it receives (so a loss probability p
 * loses a round trip's request or reply with probability 1-(1-p)^2).
 * All zero: a perfect link. */
struct sg_impair {
    double loss;            /* probability a frame is dropped, 0..1 */
    double duplicate;       /* probability a frame is delivered twice */
    double reorder;         /* probability a frame is held back behind ... */
    uint32_t reorder_depth; /* ... 1..reorder_depth later frames (default 3),
                               or at most 10 ms if no later frame comes */
    uint64_t delay_ns;      /* one-way delay added to every frame */
    uint64_t jitter_ns;     /* plus a uniform random 0..jitter_ns (may reorder) */
    double corrupt;         /* probability one bit of an IP packet is flipped
                               (its receiver then verifies checksums); ARP
                               and the Ethernet header are spared, as a
                               real link's FCS would drop such frames */
    uint64_t rate_bps;      /* serialisation rate, bit/s; 0 = unlimited */
    uint32_t mtu;           /* IP packets longer than this vanish (a path MTU
                               black hole the sender is not told of); 0 = none */
    uint32_t queue_limit;   /* frames queued per direction at most (delay,
                               rate, reorder), more are dropped; 0 = 10000 */
};

enum sg_link_kind {
    SG_LINK_ETHERNET = 1, /* Ethernet frames, ARP; captures are DLT_EN10MB */
    SG_LINK_RAW_IP = 2,   /* bare IP packets, no ARP; captures are DLT_RAW */
};

struct sg_link_config {
    enum sg_link_kind kind; /* 0: SG_LINK_ETHERNET */
    uint32_t mtu;           /* largest IP packet, bytes; 0: 1500 */
    struct sg_impair impair;
    /* If set, a pcap capture of the first stack's interface on this link,
     * as tcpdump on that host would see it: frames it sends before any
     * impairment, frames it receives after all impairment, timestamped in
     * virtual time (nanosecond pcap). NULL: no capture. */
    const char *pcap_path;
};

/* Join stacks a and b with a new link: an interface on each (named
 * "eth0", "eth1", ... per stack in order of creation) with the addresses
 * a_cidr and b_cidr ("10.0.0.1/24"; the connected route comes with the
 * address). NULL cfg: a perfect Ethernet link, MTU 1500. The link's
 * impairment PRNG is derived from the world seed and the link's index.
 * Returns the link's index (0, 1, ... in order of creation), or -1 with
 * errno: EINVAL (bad address, a or b not of this world or the same
 * stack, bad kind), ENOENT/EACCES/... (capture file not creatable) --
 * nothing is changed then -- or ENOMEM, which may leave a half-made
 * link behind (free the world). */
SG_API int sg_world_connect(sg_world *w, sg_stack *a, const char *a_cidr, sg_stack *b,
                            const char *b_cidr, const struct sg_link_config *cfg);

/* Counters of a link's impairment, both directions together. `frames`
 * counts frames entering the impairment (not duplicates); the others, the
 * frames each impairment hit. 0, or -1 and EINVAL for a bad index. */
struct sg_impair_stats {
    uint64_t frames, dropped, duplicated, reordered, corrupted, mtu_dropped, queue_dropped;
};
SG_API int sg_world_impair_stats(const sg_world *w, int link, struct sg_impair_stats *out);

/* ---- the virtual clock ---- */

SG_API sg_time sg_world_now(const sg_world *w);
/* The time of the next event (a stack timer or a frame due on a link),
 * or SG_TIME_NEVER if nothing is pending. */
SG_API sg_time sg_world_next_event(const sg_world *w);
/* One step: advance the clock to the next event, then for each stack in
 * order of creation, deliver every frame due on its links (in the order
 * of the links' creation) and run its timers. Frames sent during a step
 * are delivered by a later step (at the same time if they are due at
 * once). Returns 1 if a step was made, 0 if nothing at all is pending
 * (the clock does not move). */
SG_API int sg_world_step(sg_world *w);
/* Step through every event up to now + ns, then set the clock to now + ns. */
SG_API void sg_world_run_for(sg_world *w, uint64_t ns);
/* Step until cond(ctx) is non-zero (checked before the first step and
 * after each) or until timeout_ns of virtual time have passed. Returns 0
 * when cond held, or -1 with errno ETIMEDOUT with the clock at the
 * deadline (also when nothing is pending: the wait is then simply over). */
SG_API int sg_world_run_until(sg_world *w, int (*cond)(void *ctx), void *ctx, uint64_t timeout_ns);

/* ---- ping: the pre-socket ICMP echo facility ----
 * For the demo and tests until the socket API brings ping sockets
 * (socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP)), which will replace it. */

/* Send one ICMP echo request from stack s to the IPv4 address `dst`
 * ("10.0.0.2") with identifier `id`, sequence `seq` and payload_len bytes
 * of payload (the first 8 bytes carry the send time, as ping(8) does;
 * the rest a fixed pattern). 0, or -1 with errno: EINVAL (bad address),
 * EMSGSIZE, ENETUNREACH, ENOBUFS, ENOMEM. */
SG_API int sg_ping_send(sg_stack *s, const char *dst, uint16_t id, uint16_t seq,
                        size_t payload_len);
/* Call fn for every echo reply stack s receives (NULL fn: stop). `from` is
 * the sender's address as text (valid during the call), `len` the ICMP
 * payload length, `ttl` the reply's IP TTL, `now_ns` the arrival time. */
typedef void (*sg_ping_handler)(void *ctx, const char *from, uint16_t id, uint16_t seq, size_t len,
                                uint8_t ttl, uint64_t now_ns);
SG_API void sg_ping_set_handler(sg_stack *s, sg_ping_handler fn, void *ctx);

#ifdef __cplusplus
}
#endif
#endif

/* Round-trip time estimation and the retransmission timeout (RFC 6298),
 * with Karn's algorithm (RFC 6298 §3; RFC 7323 §4 for timestamps).
 *
 * Units: every time here is sg_time, nanoseconds. The clock granularity G
 * is RTT_GRANULARITY (1 ms, the resolution of the timer wheel).
 *
 * RFC 6298 §2, with alpha = 1/8, beta = 1/4, K = 4:
 *   first sample R:       SRTT = R, RTTVAR = R/2
 *   later samples R':     RTTVAR = 3/4 RTTVAR + 1/4 |SRTT - R'|
 *                         SRTT   = 7/8 SRTT   + 1/8 R'   (RTTVAR first)
 *   RTO = SRTT + max(G, K * RTTVAR), then clamped to [rto_min, rto_max]
 *   before any sample:    RTO = rto_initial (1 s, §2.1)
 * Integer arithmetic in nanoseconds (divisions truncate; error < 1 ns).
 *
 * Deviation, configurable: RFC 6298 §2.4 asks for rto_min = 1 s; sigurg
 * defaults to Linux's 200 ms (sg_config.rto_min_ms) and 120 s maximum.
 *
 * Optional Linux variance floor (RTT_LINUX_FLOOR): Linux computes
 * RTO = SRTT + max(4 * mdev, rto_min) (tcp_set_rto/tcp_rtt_estimator:
 * rttvar is floored at rto_min / 4), so the RTO never comes within
 * rto_min of SRTT, instead of merely being at least rto_min. With the
 * flag, RTO = SRTT + max(G, K * RTTVAR, rto_min), then clamped to
 * rto_max. Without it (default) the RFC formula above is used. (Linux's
 * mdev_max decay per RTT is not modelled.)
 *
 * Backoff (RFC 6298 §5.5): each expiry doubles the RTO up to rto_max
 * (rtt_backoff); the backed-off value is kept (Karn) until a valid sample
 * arrives or the engine calls rtt_reset_backoff on an ACK of new data.
 *
 * Karn's rule: a sample taken from a segment that was retransmitted is
 * ambiguous and is ignored, unless it comes from an echoed timestamp
 * (RFC 7323 §4: TSecr identifies the transmission, so the sample is valid).
 */
#ifndef SG_TCP_RTT_H
#define SG_TCP_RTT_H
#include <stdbool.h>
#include <stdint.h>
#include "base/time.h"

#define RTT_GRANULARITY SG_MS(1) /* G */
#define RTT_K 4
#define RTT_MAX_BACKOFF 16 /* shift cap; rto_max caps long before on sane configs */

enum {
    RTT_LINUX_FLOOR = 1u << 0, /* see above */
};

/* Sample flags. */
enum {
    RTT_SAMPLE_RETRANSMITTED = 1u << 0, /* the timed segment was retransmitted */
    RTT_SAMPLE_TIMESTAMP = 1u << 1,     /* measured by an echoed timestamp */
};

struct rtt {
    sg_time srtt;   /* smoothed RTT; 0 until the first sample */
    sg_time rttvar; /* RTT variation */
    sg_time rto;    /* base RTO, clamped, before backoff */
    sg_time rto_min, rto_max, rto_initial;
    sg_time latest;  /* last accepted sample (0 if none) */
    sg_time min_rtt; /* smallest accepted sample (0 if none) */
    uint32_t flags;  /* RTT_LINUX_FLOOR */
    uint8_t backoff; /* number of doublings since the last reset */
    bool has_sample;
};

/* Initialise with bounds in ns (e.g. SG_MS(cfg.rto_min_ms)). 0 for any
 * bound picks its default: 200 ms, 120 s, 1 s. rto_max is raised to
 * rto_min if below it. flags: RTT_LINUX_FLOOR or 0. */
void rtt_init(struct rtt *r, sg_time rto_min, sg_time rto_max, sg_time rto_initial, uint32_t flags);
/* Feed one measurement `sample` (ns, > 0; 0 is treated as 1 ns since a
 * same-tick ACK still proves an RTT below G). flags: RTT_SAMPLE_*.
 * Returns true if the sample was used (false: Karn's rule rejected it).
 * A used sample recomputes the RTO and clears the backoff (RFC 6298 §5.7
 * note: the backed-off RTO is kept only until a valid sample). */
bool rtt_sample(struct rtt *r, sg_time sample, uint32_t flags);
/* The RTO to arm now: base RTO << backoff, capped at rto_max. */
sg_time rtt_rto(const struct rtt *r);
/* The retransmission timer expired (RFC 6298 §5.5): double the RTO
 * (capped at rto_max). Returns the new rtt_rto(). */
sg_time rtt_backoff(struct rtt *r);
/* Collapse the backoff (an ACK for new data arrived, RFC 6298 §5.7
 * allows keeping it until then). */
void rtt_reset_backoff(struct rtt *r);
/* Forget samples (e.g. after repeated RTOs, RFC 6298 §5 note on backing
 * off: "may clear SRTT and RTTVAR"): back to rto_initial semantics, but
 * the backoff count is kept. */
void rtt_clear(struct rtt *r);
#endif

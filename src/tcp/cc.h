/* Congestion control: a small interface and its driver.
 *
 * The engine owns one struct cc_state per connection and drives it only
 * through the cc_* functions below; the algorithm (struct cc_ops) is
 * chosen per connection (sg_config.cc, setsockopt TCP_CONGESTION with the
 * Linux names "cubic" and "reno"). Two algorithms exist:
 *   cc_newreno.c  RFC 5681 slow start / congestion avoidance with RFC 3465
 *                 byte counting (L = 2), RFC 6582 / RFC 6675 loss response
 *                 ssthresh = max(FlightSize / 2, 2 * SMSS);
 *   cc_cubic.c    RFC 9438 CUBIC (C = 0.4, beta = 0.7, Reno-friendly
 *                 region, fast convergence).
 * cc.c holds what both share: the driver, the recovery window handling
 * and cc_by_name().
 *
 * Units: cwnd, ssthresh, flight, acked and mss are bytes; time is sg_time
 * (ns) passed in (`now`), RTTs are ns. Initial window: 10 * MSS (RFC 6928;
 * like Linux, without RFC 6928's 14600-byte cap for large MSS).
 *
 * Recovery (the engine decides when, cc_* decide how much):
 *   cc_enter_recovery   fast retransmit (3 dupacks / RFC 6675 IsLost):
 *                       ssthresh = algorithm's reduction of flight;
 *                       cwnd = ssthresh (RFC 6675 §5 step 4.2; with SACK
 *                       the pipe algorithm governs sending). Without SACK
 *                       the engine adds the RFC 6582 §3.2 step 2 3*SMSS
 *                       inflation with cc_recovery_inflate() three times,
 *                       then once per further duplicate ACK (step 4);
 *   cc_recovery_partial_ack  RFC 6582 §3.2 step 5 deflation (no SACK);
 *   cc_exit_recovery    full ACK: cwnd = min(ssthresh, max(flight, SMSS) +
 *                       SMSS) (RFC 6582 §3.2 step 6 option 1);
 *   cc_on_rto           RFC 5681 §3.1 (5.2): ssthresh reduced, cwnd = LW
 *                       = 1 SMSS, recovery abandoned.
 * While in_recovery, cc_on_ack does not grow cwnd.
 */
#ifndef SG_TCP_CC_H
#define SG_TCP_CC_H
#include <stdbool.h>
#include <stdint.h>
#include "base/time.h"

#define CC_INIT_SEGS 10 /* RFC 6928 initial window, segments */
#define CC_ABC_L 2      /* RFC 3465 limit L, segments per ACK in slow start */

/* CUBIC's private state (RFC 9438 §4). Windows in segments (double). */
struct cc_cubic {
    double w_max;        /* W_max: window before the last reduction, or the
                            window at epoch start when that is larger */
    double k;            /* K: seconds for W_cubic to reach w_max */
    double cwnd_epoch;   /* cwnd_epoch: window at the start of the epoch */
    double w_est;        /* W_est: Reno-friendly estimate (§4.3) */
    double cwnd_prior;   /* cwnd_prior: window before the last reduction */
    double cwnd_exact;   /* cwnd in bytes with the fraction CA growth needs */
    sg_time epoch_start; /* start of the current CA epoch */
    bool in_epoch;       /* epoch_start valid */
    bool have_w_max;     /* false before any congestion event and after RTO */
};

struct cc_ops;

struct cc_state {
    const struct cc_ops *ops;
    uint32_t cwnd;        /* bytes */
    uint32_t ssthresh;    /* bytes; UINT32_MAX ("arbitrarily high", RFC 5681 §3.1) */
    uint32_t mss;         /* SMSS, bytes */
    uint32_t bytes_acked; /* RFC 3465 congestion-avoidance byte counter */
    bool in_recovery;
    union {
        struct cc_cubic cubic;
    } u;
};

/* One ACK that acknowledged new data, as cc_on_ack sees it. */
struct cc_ack {
    uint32_t acked;  /* bytes newly acknowledged (cumulatively, plus newly
                        SACKed if the engine counts those) */
    uint32_t flight; /* FlightSize (bytes outstanding) before this ACK */
    sg_time srtt;    /* current smoothed RTT (0 if unknown) */
    sg_time rtt;     /* RTT sample carried by this ACK (0 if none) */
    /* The sender was not using the window (application- or receiver-
     * window-limited): cwnd does not grow (RFC 7661 spirit, as Linux's
     * tcp_is_cwnd_limited). Leave false when unsure. */
    bool app_limited;
};

struct cc_ops {
    const char *name; /* Linux TCP_CONGESTION name */
    /* Reset the private state (st->u); cwnd, ssthresh and mss are set. */
    void (*init)(struct cc_state *st, sg_time now);
    /* Grow on an ACK outside recovery (slow start or avoidance). */
    void (*on_ack)(struct cc_state *st, const struct cc_ack *ack, sg_time now);
    /* ssthresh after a congestion event with `flight` bytes outstanding;
     * may update private state (W_max). Returns bytes (>= 2 * mss). */
    uint32_t (*ssthresh)(struct cc_state *st, uint32_t flight, sg_time now);
    /* Private state after an RTO (optional, may be NULL). */
    void (*on_rto)(struct cc_state *st, sg_time now);
    /* Private state when recovery ends (optional, may be NULL). */
    void (*on_exit_recovery)(struct cc_state *st, sg_time now);
};

extern const struct cc_ops cc_newreno_ops; /* "reno" */
extern const struct cc_ops cc_cubic_ops;   /* "cubic" */

/* The algorithm with Linux name `name` ("cubic", "reno"), or NULL for
 * any other name (the engine then fails the setsockopt with -ENOENT, as
 * Linux does for an algorithm it does not have). */
const struct cc_ops *cc_by_name(const char *name);

/* Start a connection's congestion state: cwnd = 10 * mss, ssthresh
 * unlimited. mss > 0. */
void cc_init(struct cc_state *st, const struct cc_ops *ops, uint32_t mss, sg_time now);
/* Switch algorithm mid-connection (TCP_CONGESTION after connect): keeps
 * cwnd and ssthresh, resets private state. */
void cc_set_ops(struct cc_state *st, const struct cc_ops *ops, sg_time now);
/* SMSS changed (PMTU): cwnd is rescaled to the same number of segments. */
void cc_set_mss(struct cc_state *st, uint32_t mss);
/* An ACK of new data (no-op for cwnd while in recovery). */
void cc_on_ack(struct cc_state *st, const struct cc_ack *ack, sg_time now);
/* Fast retransmit / loss detected: see the table above. */
void cc_enter_recovery(struct cc_state *st, uint32_t flight, sg_time now);
/* RFC 6582 step 2 / 4: cwnd += SMSS (non-SACK recovery only). */
void cc_recovery_inflate(struct cc_state *st);
/* RFC 6582 step 5, partial ACK of `acked` bytes: cwnd -= acked, then
 * += SMSS if acked >= SMSS (never below SMSS). */
void cc_recovery_partial_ack(struct cc_state *st, uint32_t acked);
/* Full ACK ends recovery: cwnd = min(ssthresh, max(flight, SMSS) + SMSS)
 * where flight is FlightSize after the ACK. */
void cc_exit_recovery(struct cc_state *st, uint32_t flight, sg_time now);
/* Retransmission timeout with `flight` bytes outstanding (before the
 * timeout): ssthresh reduced, cwnd = 1 SMSS (RFC 5681 LW). */
void cc_on_rto(struct cc_state *st, uint32_t flight, sg_time now);
/* For algorithm implementations (shared, so no algorithm copies them):
 * RFC 5681 §3.1 slow start with RFC 3465 byte counting: cwnd grows by
 * min(acked, L * SMSS), but not past ssthresh; returns the acked bytes
 * left over for congestion avoidance (0 while still in slow start). */
uint32_t cc_slow_start(struct cc_state *st, uint32_t acked);
/* RFC 5681 §3.1 congestion avoidance with RFC 3465 appropriate byte
 * counting: cwnd += SMSS each time a cwnd's worth of bytes is acked. */
void cc_reno_avoid(struct cc_state *st, uint32_t acked);

/* Slow start? (cwnd < ssthresh, RFC 5681 §3.1) */
static inline bool cc_in_slow_start(const struct cc_state *st)
{
    return st->cwnd < st->ssthresh;
}
#endif

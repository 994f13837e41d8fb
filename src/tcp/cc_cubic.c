/* CUBIC congestion control (RFC 9438).
 *
 * Windows are kept in segments as doubles, as the RFC writes them; the
 * byte window st->cwnd is derived from cwnd_exact (bytes, with fraction)
 * so that the small per-ACK increments near the plateau are not lost to
 * integer truncation.
 *
 *   W_cubic(t) = C * (t - K)^3 + W_max                      §4.2 (1)
 *   K = cbrt((W_max - cwnd_epoch) / C)                      §4.2 (2)
 *   target = clamp(W_cubic(t + RTT), cwnd, 1.5 * cwnd)      §4.2
 *   cwnd += (target - cwnd) / cwnd per acked segment        §4.4, §4.5
 *   W_est += alpha_cubic * segments_acked / cwnd            §4.3 (4)
 *   alpha_cubic = 3 (1 - beta) / (1 + beta), 1 once W_est >= cwnd_prior
 *   W_cubic(t) < W_est  =>  cwnd = W_est (Reno-friendly region)
 *   on congestion: W_max = cwnd, or cwnd (1 + beta) / 2 when cwnd < the
 *   previous W_max (fast convergence, §4.7); ssthresh = FlightSize * beta
 *   (at least 2 SMSS, §4.6); after an RTO the next epoch has K = 0 and
 *   W_max = cwnd at its start (§4.8).
 * t is seconds since the epoch began (the first ACK in congestion
 * avoidance after a reduction or after slow start), from `now`.
 *
 * Not implemented: HyStart++ (RFC 9406), the spurious-loss undo of §4.9,
 * and Linux's epoch restart after an idle period.
 */
#include "tcp/cc.h"

#define CC_CUBIC_C 0.4
#define CC_CUBIC_BETA 0.7
#define CC_CUBIC_BETA_NUM 7u
#define CC_CUBIC_BETA_DEN 10u
#define CC_CUBIC_ALPHA (3.0 * (1.0 - CC_CUBIC_BETA) / (1.0 + CC_CUBIC_BETA))

/* Cube root without libm (the library must not need -lm): Newton's
 * iteration from an overestimate converges monotonically. v >= 0. */
static double cc_cubic_cbrt(double v)
{
    if (v <= 0.0)
        return 0.0;
    double x = v > 1.0 ? v : 1.0;
    for (int i = 0; i < 200; i++) {
        double nx = (2.0 * x + v / (x * x)) / 3.0;
        if (nx >= x)
            break;
        x = nx;
    }
    return x;
}

static double cc_cubic_w(const struct cc_cubic *c, double t)
{
    double d = t - c->k;
    return CC_CUBIC_C * d * d * d + c->w_max;
}

static void cc_cubic_init(struct cc_state *st, sg_time now)
{
    (void)now;
    struct cc_cubic *c = &st->u.cubic;
    *c = (struct cc_cubic){0};
    c->cwnd_exact = st->cwnd;
}

static void cc_cubic_start_epoch(struct cc_state *st, sg_time now)
{
    struct cc_cubic *c = &st->u.cubic;
    double cw = (double)st->cwnd / st->mss;
    c->epoch_start = now;
    c->in_epoch = true;
    c->cwnd_epoch = cw;
    c->w_est = cw;
    if (!c->have_w_max || c->w_max <= cw) {
        /* No reduction to recover from (after slow start or an RTO, or the
         * window already passed W_max): plateau here, K = 0 (§4.8). */
        c->w_max = cw;
        c->k = 0.0;
        if (!c->have_w_max)
            c->cwnd_prior = cw;
        c->have_w_max = true;
    } else {
        c->k = cc_cubic_cbrt((c->w_max - cw) / CC_CUBIC_C);
    }
}

static void cc_cubic_on_ack(struct cc_state *st, const struct cc_ack *ack, sg_time now)
{
    struct cc_cubic *c = &st->u.cubic;
    uint32_t acked = ack->acked;
    if (cc_in_slow_start(st)) {
        acked = cc_slow_start(st, acked);
        c->cwnd_exact = st->cwnd;
        if (!acked)
            return;
    }
    /* cc.c may have set cwnd (recovery, RTO, MSS change): resync. */
    if ((uint32_t)c->cwnd_exact != st->cwnd)
        c->cwnd_exact = st->cwnd;
    if (!c->in_epoch)
        cc_cubic_start_epoch(st, now);

    double mss = st->mss;
    double cw = c->cwnd_exact / mss;
    double segs = (double)acked / mss;
    double t = (double)(now - c->epoch_start) / 1e9;
    double rtt = (double)(ack->srtt ? ack->srtt : ack->rtt) / 1e9;

    /* §4.3 Reno-friendly estimate. */
    double alpha = c->w_est >= c->cwnd_prior ? 1.0 : CC_CUBIC_ALPHA;
    c->w_est += alpha * segs / cw;

    double next;
    if (cc_cubic_w(c, t) < c->w_est) {
        next = c->w_est; /* Reno-friendly region */
    } else {
        double target = cc_cubic_w(c, t + rtt);
        if (target < cw)
            target = cw;
        if (target > 1.5 * cw)
            target = 1.5 * cw;
        next = cw + (target - cw) * segs / cw; /* concave or convex region */
    }
    if (next * mss > c->cwnd_exact)
        c->cwnd_exact = next * mss;
    if (c->cwnd_exact > (double)UINT32_MAX)
        c->cwnd_exact = (double)UINT32_MAX;
    st->cwnd = (uint32_t)c->cwnd_exact;
}

static uint32_t cc_cubic_ssthresh(struct cc_state *st, uint32_t flight, sg_time now)
{
    (void)now;
    struct cc_cubic *c = &st->u.cubic;
    double cw = (double)st->cwnd / st->mss;
    /* §4.7 fast convergence: a flow whose window keeps shrinking yields
     * bandwidth by remembering a smaller W_max. */
    if (c->have_w_max && cw < c->w_max)
        c->w_max = cw * (1.0 + CC_CUBIC_BETA) / 2.0;
    else
        c->w_max = cw;
    c->have_w_max = true;
    c->cwnd_prior = cw;
    c->in_epoch = false;
    /* §4.6: ssthresh = flight_size * beta_cubic, at least 2 segments
     * (integer arithmetic: beta = 7/10 exactly). */
    uint64_t ss = (uint64_t)flight * CC_CUBIC_BETA_NUM / CC_CUBIC_BETA_DEN;
    uint32_t min = 2 * st->mss;
    return ss > min ? (uint32_t)ss : min;
}

static void cc_cubic_on_rto(struct cc_state *st, sg_time now)
{
    (void)now;
    struct cc_cubic *c = &st->u.cubic;
    /* §4.8: the first epoch after a timeout has K = 0 and W_max = cwnd at
     * its start. */
    c->have_w_max = false;
    c->in_epoch = false;
    c->cwnd_exact = st->cwnd;
}

static void cc_cubic_on_exit_recovery(struct cc_state *st, sg_time now)
{
    (void)now;
    struct cc_cubic *c = &st->u.cubic;
    c->in_epoch = false; /* the epoch starts with the next ACK */
    c->cwnd_exact = st->cwnd;
}

const struct cc_ops cc_cubic_ops = {
    .name = "cubic",
    .init = cc_cubic_init,
    .on_ack = cc_cubic_on_ack,
    .ssthresh = cc_cubic_ssthresh,
    .on_rto = cc_cubic_on_rto,
    .on_exit_recovery = cc_cubic_on_exit_recovery,
};

/* Congestion control driver: what every algorithm shares (window setup,
 * the recovery-time window rules of RFC 5681/6582/6675, RTO, slow start
 * and byte-counted avoidance) and cc_by_name(). See cc.h. */
#include "tcp/cc.h"

#include <string.h>

const struct cc_ops *cc_by_name(const char *name)
{
    if (!name)
        return NULL;
    if (strcmp(name, "cubic") == 0)
        return &cc_cubic_ops;
    if (strcmp(name, "reno") == 0)
        return &cc_newreno_ops;
    return NULL;
}

static uint32_t cc_sat_add(uint32_t a, uint32_t b)
{
    return a > UINT32_MAX - b ? UINT32_MAX : a + b;
}

void cc_init(struct cc_state *st, const struct cc_ops *ops, uint32_t mss, sg_time now)
{
    memset(st, 0, sizeof *st);
    st->ops = ops;
    st->mss = mss ? mss : 1;
    /* RFC 6928: IW = 10 segments (as Linux's TCP_INIT_CWND). */
    st->cwnd = CC_INIT_SEGS * st->mss;
    st->ssthresh = UINT32_MAX; /* RFC 5681 §3.1: arbitrarily high */
    ops->init(st, now);
}

void cc_set_ops(struct cc_state *st, const struct cc_ops *ops, sg_time now)
{
    st->ops = ops;
    memset(&st->u, 0, sizeof st->u);
    ops->init(st, now);
}

static uint32_t cc_rescale(uint32_t v, uint32_t from, uint32_t to)
{
    if (v == UINT32_MAX)
        return v;
    uint64_t r = (uint64_t)v * to / from;
    return r > UINT32_MAX ? UINT32_MAX : (uint32_t)r;
}

void cc_set_mss(struct cc_state *st, uint32_t mss)
{
    if (!mss || mss == st->mss)
        return;
    st->cwnd = cc_rescale(st->cwnd, st->mss, mss);
    if (st->cwnd < mss)
        st->cwnd = mss;
    st->ssthresh = cc_rescale(st->ssthresh, st->mss, mss);
    st->bytes_acked = 0;
    st->mss = mss;
}

uint32_t cc_slow_start(struct cc_state *st, uint32_t acked)
{
    /* RFC 3465 §2.2: increase by min(acked, L * SMSS) per ACK. */
    uint32_t inc = acked < CC_ABC_L * st->mss ? acked : CC_ABC_L * st->mss;
    uint32_t room = st->ssthresh - st->cwnd; /* called only below ssthresh */
    if (inc < room) {
        st->cwnd += inc;
        return 0;
    }
    /* Reaching ssthresh: the rest of this ACK counts for avoidance (as
     * Linux's tcp_slow_start returns it). */
    st->cwnd = st->ssthresh;
    return acked - room;
}

void cc_reno_avoid(struct cc_state *st, uint32_t acked)
{
    /* RFC 3465 §2.1 / RFC 5681 §3.1: cwnd += SMSS once bytes_acked reaches
     * cwnd; one increase per ACK at most (like SMSS*SMSS/cwnd per ACK). */
    st->bytes_acked = cc_sat_add(st->bytes_acked, acked);
    if (st->bytes_acked >= st->cwnd) {
        st->bytes_acked -= st->cwnd;
        st->cwnd = cc_sat_add(st->cwnd, st->mss);
    }
}

void cc_on_ack(struct cc_state *st, const struct cc_ack *ack, sg_time now)
{
    /* Recovery: RFC 6675 / 6582 govern the window (cc_recovery_*).
     * Application-limited: an unused window is not evidence that the path
     * can take a bigger one. */
    if (st->in_recovery || ack->app_limited || ack->acked == 0)
        return;
    st->ops->on_ack(st, ack, now);
}

void cc_enter_recovery(struct cc_state *st, uint32_t flight, sg_time now)
{
    /* RFC 5681 §3.2 step 2 / RFC 6675 §5 step 4.2 (with the algorithm's
     * multiplicative decrease): cwnd = ssthresh. */
    st->ssthresh = st->ops->ssthresh(st, flight, now);
    st->cwnd = st->ssthresh;
    st->bytes_acked = 0;
    st->in_recovery = true;
}

void cc_recovery_inflate(struct cc_state *st)
{
    st->cwnd = cc_sat_add(st->cwnd, st->mss);
}

void cc_recovery_partial_ack(struct cc_state *st, uint32_t acked)
{
    /* RFC 6582 §3.2 step 5: deflate by the newly acked amount, add back
     * one SMSS if at least one SMSS was acked. */
    st->cwnd = acked < st->cwnd ? st->cwnd - acked : 0;
    if (acked >= st->mss)
        st->cwnd = cc_sat_add(st->cwnd, st->mss);
    if (st->cwnd < st->mss)
        st->cwnd = st->mss;
}

void cc_exit_recovery(struct cc_state *st, uint32_t flight, sg_time now)
{
    /* RFC 6582 §3.2 step 6, option (1): avoid a burst when little is in
     * flight. */
    uint32_t f = flight > st->mss ? flight : st->mss;
    uint32_t w = cc_sat_add(f, st->mss);
    st->cwnd = w < st->ssthresh ? w : st->ssthresh;
    st->bytes_acked = 0;
    st->in_recovery = false;
    if (st->ops->on_exit_recovery)
        st->ops->on_exit_recovery(st, now);
}

void cc_on_rto(struct cc_state *st, uint32_t flight, sg_time now)
{
    /* RFC 5681 §3.1 equation (4) (or the algorithm's decrease) and
     * cwnd = LW = 1 SMSS. */
    st->ssthresh = st->ops->ssthresh(st, flight, now);
    st->cwnd = st->mss;
    st->bytes_acked = 0;
    st->in_recovery = false;
    if (st->ops->on_rto)
        st->ops->on_rto(st, now);
}

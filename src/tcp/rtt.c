/* RFC 6298 RTT estimator and RTO. See rtt.h for the formulas, the Linux
 * floor option and Karn's rule. */
#include "tcp/rtt.h"

#define RTT_DEF_MIN SG_MS(200)
#define RTT_DEF_MAX SG_SEC(120)
#define RTT_DEF_INITIAL SG_SEC(1)

static sg_time rtt_clamp(const struct rtt *r, sg_time rto)
{
    if (rto < r->rto_min)
        rto = r->rto_min;
    if (rto > r->rto_max)
        rto = r->rto_max;
    return rto;
}

/* RFC 6298 §2.2/2.3: RTO = SRTT + max(G, K * RTTVAR), clamped (§2.4,
 * §2.5); with RTT_LINUX_FLOOR the variance term is at least rto_min. */
static void rtt_set_rto(struct rtt *r)
{
    sg_time var = RTT_K * r->rttvar;
    if (var < RTT_GRANULARITY)
        var = RTT_GRANULARITY;
    if ((r->flags & RTT_LINUX_FLOOR) && var < r->rto_min)
        var = r->rto_min;
    r->rto = rtt_clamp(r, r->srtt + var);
}

void rtt_init(struct rtt *r, sg_time rto_min, sg_time rto_max, sg_time rto_initial, uint32_t flags)
{
    *r = (struct rtt){0};
    r->rto_min = rto_min ? rto_min : RTT_DEF_MIN;
    r->rto_max = rto_max ? rto_max : RTT_DEF_MAX;
    if (r->rto_max < r->rto_min)
        r->rto_max = r->rto_min;
    r->rto_initial = rto_initial ? rto_initial : RTT_DEF_INITIAL;
    r->flags = flags;
    /* §2.1: before any measurement RTO = 1 s (rto_initial), which is not
     * subject to rto_min (Linux's TCP_TIMEOUT_INIT is not either), only to
     * rto_max. */
    r->rto = r->rto_initial < r->rto_max ? r->rto_initial : r->rto_max;
}

bool rtt_sample(struct rtt *r, sg_time sample, uint32_t flags)
{
    /* Karn (RFC 6298 §3): no samples from retransmitted segments, unless
     * the echoed timestamp says which transmission is being acked
     * (RFC 7323 §4.2). */
    if ((flags & RTT_SAMPLE_RETRANSMITTED) && !(flags & RTT_SAMPLE_TIMESTAMP))
        return false;
    if (sample == 0)
        sample = 1;
    if (!r->has_sample) {
        /* §2.2: first measurement. */
        r->srtt = sample;
        r->rttvar = sample / 2;
        r->has_sample = true;
        r->min_rtt = sample;
    } else {
        /* §2.3: RTTVAR is updated with the old SRTT, then SRTT. */
        sg_time err = r->srtt > sample ? r->srtt - sample : sample - r->srtt;
        r->rttvar = r->rttvar - r->rttvar / 4 + err / 4;
        r->srtt = r->srtt - r->srtt / 8 + sample / 8;
        if (sample < r->min_rtt)
            r->min_rtt = sample;
    }
    r->latest = sample;
    rtt_set_rto(r);
    r->backoff = 0;
    return true;
}

sg_time rtt_rto(const struct rtt *r)
{
    sg_time rto = r->rto;
    for (uint8_t i = 0; i < r->backoff; i++) {
        if (rto >= r->rto_max / 2)
            return r->rto_max;
        rto *= 2;
    }
    return rto < r->rto_max ? rto : r->rto_max;
}

sg_time rtt_backoff(struct rtt *r)
{
    /* §5.5: RTO = RTO * 2, capped (§2.5). Stop counting once capped so
     * the shift cannot overflow. */
    if (rtt_rto(r) < r->rto_max && r->backoff < RTT_MAX_BACKOFF)
        r->backoff++;
    return rtt_rto(r);
}

void rtt_reset_backoff(struct rtt *r)
{
    r->backoff = 0;
}

void rtt_clear(struct rtt *r)
{
    r->srtt = 0;
    r->rttvar = 0;
    r->has_sample = false;
    r->rto = r->rto_initial < r->rto_max ? r->rto_initial : r->rto_max;
}

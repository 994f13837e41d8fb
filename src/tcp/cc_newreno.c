/* NewReno congestion control: RFC 5681 slow start and congestion
 * avoidance with RFC 3465 byte counting (L = 2), and the RFC 5681 §3.1
 * equation (4) / RFC 6582 reduction ssthresh = max(FlightSize / 2,
 * 2 * SMSS). The recovery-time window rules (RFC 6582 inflation and
 * partial-ACK deflation) are in cc.c because CUBIC shares them. */
#include "tcp/cc.h"

#include <stddef.h>

static void cc_reno_init(struct cc_state *st, sg_time now)
{
    (void)st;
    (void)now;
}

static void cc_reno_on_ack(struct cc_state *st, const struct cc_ack *ack, sg_time now)
{
    (void)now;
    uint32_t acked = ack->acked;
    if (cc_in_slow_start(st)) {
        acked = cc_slow_start(st, acked);
        if (!acked)
            return;
    }
    cc_reno_avoid(st, acked);
}

static uint32_t cc_reno_ssthresh(struct cc_state *st, uint32_t flight, sg_time now)
{
    (void)now;
    uint32_t half = flight / 2;
    return half > 2 * st->mss ? half : 2 * st->mss;
}

const struct cc_ops cc_newreno_ops = {
    .name = "reno",
    .init = cc_reno_init,
    .on_ack = cc_reno_on_ack,
    .ssthresh = cc_reno_ssthresh,
    .on_rto = NULL,
    .on_exit_recovery = NULL,
};

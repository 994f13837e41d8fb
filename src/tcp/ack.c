/* ACK processing: the send window, SND.UNA, RTT samples, congestion
 * control and loss recovery (RFC 9293 §3.10.7.4 "fifth, check the ACK
 * field"; RFC 6298; RFC 5681; RFC 6582 NewReno; RFC 6675 SACK recovery;
 * RFC 3522 Eifel detection of spurious timeouts).
 *
 * Loss-recovery states (Linux's names, tcpi_ca_state):
 *   OPEN      nothing suspicious
 *   DISORDER  duplicate ACKs or SACKs seen, below the threshold
 *   RECOVERY  fast retransmit / fast recovery until snd_una >= recover
 *             (RFC 6675 pipe algorithm with SACK, RFC 6582 without)
 *   LOSS      after an RTO: everything outstanding is resent in slow
 *             start (go-back-N from rtx_nxt) until snd_una >= recover
 */
#include "tcp/tcb.h"
#include <errno.h>

static void tcp_retransmit_head(struct tcb *t, sg_time now)
{
    uint64_t end = t->snd_una + tcp_cur_mss(t);
    if (end > t->snd_nxt)
        end = t->snd_nxt;
    if (end > t->snd_una)
        tcp_xmit_range(t, t->snd_una, end, true, now);
}

/* Fast retransmit (RFC 5681 §3.2 steps 2-3; RFC 6675 §5 step 4; RFC 6582
 * §3.2 step 2). */
static void tcp_enter_recovery(struct tcb *t, uint32_t flight, sg_time now)
{
    struct stack *s = t->s;
    STAT_INC(s, TCP_FAST_RETRANS);
    t->recover = t->snd_nxt;
    cc_enter_recovery(&t->cc, flight, now);
    t->ca_state = TCP_CAS_RECOVERY;
    t->rto_undo_ok = false;
    if (t->sack_ok) {
        STAT_INC(s, TCP_SACK_RECOVERY);
        struct sack_seg first;
        sack_enter_recovery(&t->sb, t->snd_una, t->snd_nxt, &first);
        if (first.kind != SACK_SEG_NONE)
            tcp_xmit_range(t, first.seq, first.seq + first.len, true, now);
    } else {
        STAT_INC(s, TCP_RENO_RECOVERY);
        tcp_retransmit_head(t, now);
        /* RFC 6582 §3.2 step 2: cwnd = ssthresh + 3*SMSS. */
        cc_recovery_inflate(&t->cc);
        cc_recovery_inflate(&t->cc);
        cc_recovery_inflate(&t->cc);
        t->reno_partial_seen = false;
    }
}

/* Linux tcp_sndbuf_expand: unless SO_SNDBUF was set, let the send buffer
 * follow the congestion window (twice it, as Linux does) so a fast path is
 * not limited by the default 16 KiB. */
static void tcp_sndbuf_expand(struct tcb *t)
{
    if (t->sndbuf_locked)
        return;
    uint32_t max = t->s->cfg.tcp_wmem_max ? t->s->cfg.tcp_wmem_max : 4194304u;
    uint64_t want = 2ull * (t->cc.cwnd > t->snd_wnd ? t->cc.cwnd : t->snd_wnd);
    if (want > max)
        want = max;
    if (want > t->sndbuf.limit)
        ring_set_limit(&t->sndbuf, (uint32_t)want);
}

int tcp_ack(struct tcb *t, const struct tcp_seg *seg, sg_time now)
{
    struct stack *s = t->s;
    uint64_t ack = seg->ack;
    /* RFC 9293: "If the ACK acks something not yet sent (SEG.ACK >
     * SND.NXT), then send an ACK, drop the segment, and return." */
    if (ack > t->snd_nxt)
        return TCP_ACK_UNSENT;
    /* RFC 5961 §5.2: acceptable only if SND.UNA - MAX.SND.WND =< SEG.ACK. */
    if (ack + t->max_snd_wnd < t->snd_una)
        return TCP_ACK_TOO_OLD;

    uint64_t prior_una = t->snd_una;
    uint32_t prior_flight = tcp_flight(t);
    uint32_t prior_wnd = t->snd_wnd;
    uint64_t acked = ack > prior_una ? ack - prior_una : 0;

    /* Send window update, RFC 9293 §3.10.7.4: "If SND.UNA =< SEG.ACK =<
     * SND.NXT, the send window should be updated. If (SND.WL1 < SEG.SEQ or
     * (SND.WL1 = SEG.SEQ and SND.WL2 =< SEG.ACK)), set SND.WND <- SEG.WND,
     * set SND.WL1 <- SEG.SEQ, and set SND.WL2 <- SEG.ACK." */
    if (ack >= prior_una &&
        (t->snd_wl1 < seg->seq || (t->snd_wl1 == seg->seq && t->snd_wl2 <= ack))) {
        t->snd_wnd = (uint32_t)seg->h.win << t->snd_wscale;
        t->snd_wl1 = seg->seq;
        t->snd_wl2 = ack;
        if (t->snd_wnd > t->max_snd_wnd)
            t->max_snd_wnd = t->snd_wnd;
    }
    t->probes = 0;

    sg_time rtt_sample_ns = 0;
    if (acked) {
        t->last_ack_rcv = now;
        uint64_t data_end = tcp_write_seq(t);
        uint64_t free_to = ack < data_end ? ack : data_end;
        if (free_to > t->snd_buf_seq) {
            ring_skip(&t->sndbuf, (uint32_t)(free_to - t->snd_buf_seq));
            t->snd_buf_seq = free_to;
        }
        t->snd_una = ack;
        urg_on_snd_una(t);
        if (t->rtx_nxt < ack)
            t->rtx_nxt = ack;

        /* RTT (RFC 6298 §3 with Karn; RFC 7323 §4 via TSecr otherwise). */
        if (t->rtt_timing && ack >= t->rtt_seq) {
            if (!t->rtt_timing_rtx) {
                rtt_sample_ns = now - t->rtt_time;
                rtt_sample(&t->rtt, rtt_sample_ns, 0);
            }
            t->rtt_timing = false;
        } else if (t->ts_ok && seg->h.has_ts && seg->h.ts_ecr && t->retransmits) {
            uint32_t d = tcp_ts_now(t, now) - seg->h.ts_ecr;
            if (d < 0x7fffffffu) {
                rtt_sample_ns = SG_MS(d);
                rtt_sample(&t->rtt, rtt_sample_ns, RTT_SAMPLE_TIMESTAMP);
            }
        }
        /* RFC 3522 Eifel: the first ACK after a timeout echoes a timestamp
         * older than the retransmission: the original arrived, the RTO
         * was spurious; undo the window reduction. */
        if (t->ca_state == TCP_CAS_LOSS && t->rto_undo_ok && t->ts_ok && seg->h.has_ts &&
            seq_lt(seg->h.ts_ecr, t->rto_tsval)) {
            STAT_INC(s, TCP_SPURIOUS_RTOS);
            t->cc.cwnd = t->prior_cwnd > t->cc.cwnd ? t->prior_cwnd : t->cc.cwnd;
            t->cc.ssthresh = t->prior_ssthresh;
            t->ca_state = TCP_CAS_OPEN;
            t->recover = t->snd_una;
        }
        t->rto_undo_ok = false;
        rtt_reset_backoff(&t->rtt);
        t->retransmits = 0;
        t->rto_first = 0;
        t->soft_err = 0;
        /* RFC 6298 §5.2-5.3: stop the timer when all is acknowledged,
         * else restart it. */
        if (t->snd_una == t->snd_nxt)
            tcp_stop_rto(t);
        else
            tcp_arm_rto(t, now);
        if (t->write_blocked && ring_space(&t->sndbuf) >= ring_len(&t->sndbuf) / 2) {
            t->write_blocked = false;
            tcp_notify(t, TCP_EV_WRITABLE);
        }
    }

    /* SACK scoreboard (RFC 2018, RFC 2883, RFC 6675). */
    struct sack_update su = {0};
    if (t->sack_ok) {
        if (seg->h.nsack) {
            sack_on_ack(&t->sb, t->snd_una, t->snd_nxt, seg->h.sack, seg->h.nsack, &su);
            STAT_ADD(s, TCP_SACK_BLOCKS_IN, seg->h.nsack);
            if (su.dsack)
                STAT_INC(s, TCP_DSACK_IN);
        } else if (acked) {
            sack_advance(&t->sb, t->snd_una);
        }
    }

    /* Duplicate ACK: RFC 5681 §2 (same ack, no data, no SYN/FIN, same
     * window, data outstanding); with SACK, RFC 6675 §2: an ACK with
     * SACK information that covers new bytes. */
    bool dup = false;
    if (!acked && prior_una < t->snd_nxt) {
        if (t->sack_ok && seg->h.nsack)
            dup = su.newly_sacked > 0;
        else
            dup = seg->len == 0 && !(seg->h.flags & (TCP_SYN | TCP_FIN)) && t->snd_wnd == prior_wnd;
    }

    switch (t->ca_state) {
    case TCP_CAS_RECOVERY:
        if (ack >= t->recover) {
            /* Full ACK: RFC 6582 step 6 / RFC 6675 end of recovery. */
            t->ca_state = TCP_CAS_OPEN;
            t->dupacks = 0;
            if (t->sack_ok)
                sack_exit_recovery(&t->sb, t->snd_una);
            cc_exit_recovery(&t->cc, tcp_flight(t), now);
        } else if (acked) {
            if (!t->sack_ok) {
                /* RFC 6582 §3.2 step 5: partial ACK: retransmit the first
                 * unacknowledged segment, deflate, and reset the timer on
                 * the first partial ACK only. */
                tcp_retransmit_head(t, now);
                cc_recovery_partial_ack(&t->cc, (uint32_t)acked);
                if (!t->reno_partial_seen) {
                    t->reno_partial_seen = true;
                    tcp_arm_rto(t, now);
                }
            }
        } else if (dup && !t->sack_ok) {
            cc_recovery_inflate(&t->cc); /* RFC 6582 step 4 */
        }
        break;
    case TCP_CAS_LOSS:
        if (ack >= t->recover) {
            t->ca_state = TCP_CAS_OPEN;
            t->dupacks = 0;
        }
        break;
    default:
        if (dup)
            t->dupacks++;
        else if (acked)
            t->dupacks = 0;
        if (t->snd_una < t->snd_nxt) {
            bool enter;
            if (t->sack_ok)
                enter = sack_may_enter_recovery(&t->sb, t->snd_una) &&
                        (t->dupacks >= SACK_DUPTHRESH || sack_is_lost(&t->sb, t->snd_una));
            else
                /* RFC 6582 §3.2 step 1: only if the ACK covers more than
                 * `recover` (no second reduction for one window). */
                enter = dup && t->dupacks == 3 && t->snd_una > t->recover;
            if (enter) {
                tcp_enter_recovery(t, prior_flight, now);
                break;
            }
        }
        t->ca_state =
            (t->dupacks || (t->sack_ok && sack_ranges(&t->sb))) ? TCP_CAS_DISORDER : TCP_CAS_OPEN;
        break;
    }

    if (acked && t->ca_state != TCP_CAS_RECOVERY) {
        struct cc_ack ca = {
            .acked = acked > UINT32_MAX ? UINT32_MAX : (uint32_t)acked,
            .flight = prior_flight,
            .srtt = t->rtt.srtt,
            .rtt = rtt_sample_ns,
            /* Linux tcp_is_cwnd_limited: grow only if the window was used
             * (in slow start: at least half of it). */
            .app_limited = cc_in_slow_start(&t->cc)
                               ? (uint64_t)prior_flight * 2 < t->cc.cwnd
                               : (uint64_t)prior_flight + 3 * t->mss < t->cc.cwnd,
        };
        cc_on_ack(&t->cc, &ca, now);
        tcp_sndbuf_expand(t);
    }
    return TCP_ACK_OK;
}

/* RTO expiry with data outstanding (RFC 6298 §5.4-5.6, RFC 5681 §3.1,
 * RFC 6675 §5.1). The caller checked the retry limits. */
void tcp_on_rto(struct tcb *t, sg_time now)
{
    struct stack *s = t->s;
    STAT_INC(s, TCP_RTO_TIMEOUTS);
    uint32_t flight = tcp_flight(t);
    if (t->retransmits == 0) {
        /* Remember for an Eifel undo (RFC 3522) if timestamps can tell. */
        t->prior_cwnd = t->cc.cwnd;
        t->prior_ssthresh = t->cc.ssthresh;
        t->rto_tsval = tcp_ts_now(t, now);
        t->rto_undo_ok = t->ts_ok && t->ca_state != TCP_CAS_LOSS;
    } else {
        t->rto_undo_ok = false;
    }
    cc_on_rto(&t->cc, flight ? flight : t->mss, now);
    if (t->sack_ok)
        sack_on_rto(&t->sb, t->snd_una, t->snd_nxt);
    t->ca_state = TCP_CAS_LOSS;
    t->recover = t->snd_nxt;
    t->rtx_nxt = t->snd_una;
    t->dupacks = 0;
    t->retransmits++;
    rtt_backoff(&t->rtt);
    if (t->rtt_timing)
        t->rtt_timing_rtx = true;
    /* RFC 6298 §5.4: retransmit the earliest segment not acknowledged. */
    uint64_t end = t->snd_una + tcp_cur_mss(t);
    if (end > t->recover)
        end = t->recover;
    if (!tcp_xmit_range(t, t->snd_una, end, true, now))
        t->rtx_nxt = end;
    tcp_arm_rto(t, now);
}

/* Segment arrival (RFC 9293 §3.10.7), step by step.
 *
 * Input path:
 *   ip4_input -> s->l4[IPPROTO_TCP].input = tcp_input
 *     parse (wire/tcp.c), checksum (unless BUF_CSUM_VERIFIED), demux:
 *       connection (4-tuple)  -> tcp_rcv
 *           SYN_SENT            -> tcp_rcv_synsent    (§3.10.7.3)
 *           ESTABLISHED fast    -> tcp_fast_check/apply (header prediction;
 *                                  checksum fused with the copy to the ring)
 *           other states        -> tcp_rcv_state      (§3.10.7.4)
 *               first  sequence number (+ PAWS, RFC 7323 §5)
 *               second RST (RFC 5961 §3)
 *               fourth SYN (RFC 5961 §4)
 *               fifth  ACK  -> ack.c tcp_ack
 *               sixth  URG  -> urg.c urg_on_segment (oob.md R10-R13)
 *               seventh text -> tcp_data (reass.c, receive ring)
 *               eighth FIN  -> tcp_fin_in
 *           then tcp_output (data, and an ACK if one is owed now)
 *       TIME_WAIT + new SYN  -> Linux's reuse rule, then the listener
 *       listener (port)      -> open.c tcp_listen_input (§3.10.7.2)
 *       nothing              -> RST reply (§3.10.7.1), tcp.no_port
 */
#include "tcp/tcb.h"
#include <errno.h>
#include <netinet/in.h>
#include "tcp/isn.h"
#include "wire/csum.h"

/* ---- ACK policy for received data (RFC 9293 §3.8.6.3, RFC 1122 §4.2.3.2,
 * RFC 5681 §4.2) ---- */

/* After in-order data: ACK at once in quick-ACK mode (the first segments
 * of a connection, as Linux), or when more than one full-sized segment is
 * unacknowledged ("an ACK SHOULD be generated for at least every second
 * full-sized segment"); otherwise delay it (delayed-ACK timer). */
static void tcp_ack_policy(struct tcb *t, sg_time now)
{
    if (t->ack_now)
        return;
    if (t->quickack) {
        t->quickack--;
        t->ack_now = true;
        return;
    }
    if (t->rcv_nxt - t->rcv_wup > t->rcv_mss) {
        t->ack_now = true;
        return;
    }
    t->ack_pending = true;
    tcp_arm_delack(t, now);
}

static void tcp_measure_rcv_mss(struct tcb *t, uint32_t len)
{
    if (len > t->rcv_mss)
        t->rcv_mss = len < t->advmss ? len : t->advmss;
}

/* Eighth step: the FIN is processed once every byte before it arrived. */
static void tcp_fin_in(struct tcb *t, sg_time now)
{
    t->rcv_nxt++;
    t->fin_rcvd = true;
    /* Linux coalesces a FIN into the receive queue's unread tail skb, and
     * a read that empties that skb then also steps over the FIN (and so
     * past a mark at it). */
    t->fin_coalesced = ring_len(&t->rcvbuf) > 0;
    t->done = true;
    t->shutdown |= TCP_SHUT_RCV;
    t->ack_now = true; /* "Send an acknowledgment for the FIN" */
    switch (t->state) {
    case TCP_SYN_RECV:
    case TCP_ESTABLISHED:
        tcp_set_state(t, TCP_CLOSE_WAIT);
        break;
    case TCP_FIN_WAIT1:
        /* Our FIN is not acknowledged (else we would be in FIN_WAIT_2). */
        tcp_set_state(t, TCP_CLOSING);
        break;
    case TCP_FIN_WAIT2:
        tcp_enter_time_wait(t, now);
        break;
    default:
        break;
    }
    tcp_notify(t, TCP_EV_READABLE | TCP_EV_HUP);
}

/* Seventh step: segment text into the receive ring, in order or out of
 * order (reass.c), D-SACK for duplicates (RFC 2883), immediate ACKs for
 * out-of-order data and filled holes (RFC 5681 §4.2). */
static void tcp_data(struct tcb *t, const struct tcp_seg *seg, sg_time now)
{
    struct stack *s = t->s;
    uint64_t seq = seg->seq + ((seg->h.flags & TCP_SYN) ? 1 : 0);
    bool fin = seg->h.flags & TCP_FIN;
    bool delivered = false;
    if (seg->len) {
        struct reass_result res;
        reass_insert(&t->reass, &t->rcvbuf, t->rcv_nxt, seq, seg->data, seg->len, &res);
        if (res.dropped) {
            if (res.out_of_order || seq > t->rcv_nxt)
                STAT_INC(s, TCP_OFO_DROPS);
            else
                STAT_INC(s, TCP_RCVBUF_DROPS);
            fin = false; /* the FIN lies beyond bytes we did not keep */
            t->ack_now = true;
        }
        if (res.out_of_order) {
            STAT_INC(s, TCP_OFO_QUEUED);
            t->ack_now = true;
            if (t->quickack < TCP_MAX_QUICKACKS / 2)
                t->quickack = TCP_MAX_QUICKACKS / 2;
        }
        if (res.filled_hole)
            t->ack_now = true;
        if (res.duplicate) {
            if (!res.new_bytes)
                STAT_INC(s, TCP_DUP_DATA);
            if (t->sack_ok) {
                t->dsack.start = res.dup_start;
                t->dsack.end = res.dup_end;
                t->dsack_pending = true;
            }
            t->ack_now = true;
        }
        if (res.delivered) {
            t->rcv_nxt += res.delivered;
            t->last_data_rcv = now;
            tcp_measure_rcv_mss(t, seg->len);
            delivered = true;
        }
    }
    if (fin && !t->fin_seen) {
        t->fin_seen = true;
        t->rcv_fin_seq = seq + seg->len;
    }
    if (t->fin_seen && !t->fin_rcvd && t->rcv_nxt == t->rcv_fin_seq)
        tcp_fin_in(t, now);
    if (delivered) {
        tcp_notify(t, TCP_EV_READABLE);
        tcp_ack_policy(t, now);
    }
}

/* ---- SYN_SENT (§3.10.7.3) ---- */

static void tcp_rcv_synsent(struct tcb *t, struct tcp_seg *seg, sg_time now)
{
    uint8_t f = seg->h.flags;
    bool ack_ok = false;
    uint64_t ack = 0;
    /* "first check the ACK bit: If SEG.ACK =< ISS or SEG.ACK > SND.NXT,
     * send a reset (unless the RST bit is set, if so drop the segment and
     * return) <SEQ=SEG.ACK><CTL=RST>" */
    if (f & TCP_ACK) {
        ack = seq_unwrap(t->snd_una, seg->h.ack);
        if (ack <= t->iss || ack > t->snd_nxt) {
            tcp_send_reset_reply(t->s, seg, now);
            return;
        }
        ack_ok = true;
    }
    /* "second check the RST bit": acceptable only with an acceptable ACK
     * (RFC 5961 §3.2 leaves SYN-SENT to RFC 793's rule); else drop. */
    if (f & TCP_RST) {
        if (ack_ok)
            tcp_reset_received(t);
        return;
    }
    /* "fourth check the SYN bit"; "fifth, if neither of the SYN or RST bits
     * is set, then drop the segment and return." */
    if (!(f & TCP_SYN))
        return;
    tcp_active_init(t, seg, now);
    t->last_rcv = now;
    if (ack_ok) {
        /* "If SND.UNA > ISS (our SYN has been ACKed), change the connection
         * state to ESTABLISHED, form an ACK segment <SEQ=SND.NXT>
         * <ACK=RCV.NXT><CTL=ACK> and send it." */
        t->snd_una = ack;
        urg_on_snd_una(t);
        t->snd_wl2 = ack;
        if (t->rtt_timing && !t->rtt_timing_rtx && t->retransmits == 0)
            rtt_sample(&t->rtt, now - t->rtt_time, 0);
        t->rtt_timing = false;
        rtt_reset_backoff(&t->rtt);
        t->retransmits = 0;
        tcp_stop_rto(t);
        tcp_set_state(t, TCP_ESTABLISHED);
        tcp_arm_keepalive(t, now);
        /* oob.md R12: a URG SYN-ACK is processed (Linux tcp_urg); like
         * Linux without Fast Open, data on a SYN-ACK is not kept (the peer
         * retransmits it). */
        urg_on_segment(t, &seg->h, t->irs + 1, seg->data, seg->len);
        t->ack_now = true;
        tcp_notify(t, TCP_EV_CONNECTED | TCP_EV_WRITABLE);
        tcp_output(t, now);
        return;
    }
    /* Simultaneous open: "Otherwise, enter SYN-RECEIVED, form a SYN,ACK
     * segment <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK> and send it." */
    tcp_set_state(t, TCP_SYN_RECV);
    tcp_send_syn(t, now);
}

/* ---- synchronised states (§3.10.7.4) ---- */

/* "There are four cases for the acceptability test for an incoming
 * segment" (RCV.WND is the window we advertised: its right edge rcv_adv).
 * Deviation, as Linux's tcp_sequence: the left edge is rcv_wup (RCV.NXT
 * when we last sent an ACK), not RCV.NXT, so a segment that ends exactly
 * at or after what we last acknowledged is processed (its ACK and URG
 * fields count, oob.md R11's wire_rx_urg_for_received_byte) and its
 * duplicate text is then answered with an ACK (and a D-SACK). A
 * zero-length segment at the right edge is accepted, and so is a
 * non-empty one starting at RCV.NXT into a zero window: "special
 * allowance should be made to accept valid ACKs, URGs, and RSTs" (its
 * text is dropped at the ring's limit). */
static bool tcp_acceptable(const struct tcb *t, const struct tcp_seg *seg)
{
    uint64_t wnd_end = t->rcv_adv > t->rcv_nxt ? t->rcv_adv : t->rcv_nxt;
    uint64_t seq = seg->seq;
    uint64_t end = seq + seg->seg_len;
    if (end < t->rcv_wup)
        return false;
    if (seg->seg_len == 0)
        return seq <= wnd_end;
    return seq < wnd_end || seq == t->rcv_nxt;
}

/* The simultaneous-open SYN,ACK in SYN-RECEIVED (Linux tcp_validate_incoming
 * "pass"): it acknowledges our SYN and repeats theirs. */
static bool tcp_simul_synack(const struct tcb *t, const struct tcp_seg *seg)
{
    return t->state == TCP_SYN_RECV && !t->passive &&
           (seg->h.flags & (TCP_SYN | TCP_ACK | TCP_RST)) == (TCP_SYN | TCP_ACK) && seg->len == 0 &&
           seg->seq + 1 == t->rcv_nxt && seg->ack == t->snd_nxt;
}

static void tcp_rcv_state(struct tcb *t, struct tcp_seg *seg, sg_time now)
{
    struct stack *s = t->s;
    uint8_t f = seg->h.flags;
    bool simul = tcp_simul_synack(t, seg);

    /* A passive child's peer retransmitting its SYN (our SYN,ACK was
     * lost) gets the SYN,ACK again (Linux tcp_check_req). */
    if (t->state == TCP_SYN_RECV && t->passive && (f & (TCP_SYN | TCP_ACK | TCP_RST)) == TCP_SYN &&
        seg->seq + 1 == t->rcv_nxt) {
        tcp_send_syn(t, now);
        return;
    }

    /* first: sequence number, with PAWS before it (RFC 7323 §5.3). */
    if (!simul) {
        if (tcp_paws_reject(t, seg, now)) {
            STAT_INC(s, TCP_PAWS_DROPS);
            if (!(f & TCP_RST))
                tcp_send_ack(t, now);
            return;
        }
        if (!tcp_acceptable(t, seg)) {
            /* "If an incoming segment is not acceptable, an acknowledgment
             * should be sent in reply (unless the RST bit is set, if so
             * drop the segment and return)". A SYN gets the RFC 5961 §4
             * challenge ACK (rate limited). */
            if (f & TCP_RST)
                return;
            if (f & TCP_SYN) {
                tcp_send_challenge_ack(t, now);
                return;
            }
            if (seg->len && seg->seq < t->rcv_nxt) {
                STAT_INC(s, TCP_DUP_DATA);
                if (t->sack_ok) { /* RFC 2883 §4.1 */
                    uint64_t e = seg->seq + seg->len;
                    t->dsack.start = seg->seq;
                    t->dsack.end = e < t->rcv_nxt ? e : t->rcv_nxt;
                    t->dsack_pending = true;
                }
            } else {
                STAT_INC(s, TCP_OUT_OF_WINDOW);
            }
            /* TIME-WAIT: a retransmitted FIN restarts the 2*MSL wait. */
            if (t->state == TCP_TIME_WAIT && (f & TCP_FIN))
                tcp_enter_time_wait(t, now);
            tcp_send_ack(t, now);
            return;
        }
    }

    /* second: RST (RFC 5961 §3.2): exactly RCV.NXT resets; elsewhere in
     * the window it draws a challenge ACK. */
    if (f & TCP_RST) {
        if (seg->seq == t->rcv_nxt)
            tcp_reset_received(t);
        else
            tcp_send_challenge_ack(t, now);
        return;
    }

    /* fourth: SYN (RFC 5961 §4.2: challenge ACK in every synchronised
     * state). */
    if ((f & TCP_SYN) && !simul) {
        tcp_send_challenge_ack(t, now);
        return;
    }

    /* Nothing new in it (a retransmission of text or a FIN we already
     * have): acknowledge again, with a D-SACK for duplicate text
     * (RFC 2883 §4.1), after its ACK and URG fields were used. */
    bool old_dup = seg->seg_len && seg->seq + seg->seg_len <= t->rcv_nxt && !(f & TCP_SYN);
    if (old_dup) {
        t->ack_now = true;
        if (seg->len) {
            STAT_INC(s, TCP_DUP_DATA);
            if (t->sack_ok) {
                t->dsack.start = seg->seq;
                t->dsack.end = seg->seq + seg->len;
                t->dsack_pending = true;
            }
        }
    }

    /* fifth: ACK. "if the ACK bit is off, drop the segment and return" */
    if (!(f & TCP_ACK))
        return;
    if (t->state == TCP_SYN_RECV) {
        /* "If SND.UNA < SEG.ACK =< SND.NXT, then enter ESTABLISHED state
         * and continue processing ... If the segment acknowledgment is not
         * acceptable, form a reset segment <SEQ=SEG.ACK><CTL=RST>". */
        if (!(seg->ack > t->snd_una && seg->ack <= t->snd_nxt)) {
            tcp_send_reset_reply(s, seg, now);
            return;
        }
        if (t->passive && t->parent && !tcp_child_established(t)) {
            /* Accept queue full (Linux: the ACK is dropped, the SYN,ACK
             * will be retransmitted). */
            STAT_INC(s, TCP_LISTEN_OVERFLOWS);
            return;
        }
        t->snd_una = seg->ack;
        urg_on_snd_una(t);
        t->snd_wnd = (uint32_t)seg->h.win << t->snd_wscale;
        if (simul)
            t->snd_wnd = seg->h.win; /* a SYN's window is not scaled */
        if (t->snd_wnd > t->max_snd_wnd)
            t->max_snd_wnd = t->snd_wnd;
        t->snd_wl1 = seg->seq;
        t->snd_wl2 = seg->ack;
        if (t->rtt_timing && !t->rtt_timing_rtx && t->retransmits == 0)
            rtt_sample(&t->rtt, now - t->rtt_time, 0);
        t->rtt_timing = false;
        rtt_reset_backoff(&t->rtt);
        t->retransmits = 0;
        tcp_stop_rto(t);
        tcp_set_state(t, TCP_ESTABLISHED);
        tcp_arm_keepalive(t, now);
        tcp_notify(t, TCP_EV_CONNECTED | TCP_EV_WRITABLE);
        if (simul) {
            t->last_rcv = now;
            tcp_output(t, now);
            return;
        }
    } else {
        int r = tcp_ack(t, seg, now);
        if (r == TCP_ACK_UNSENT) {
            tcp_send_ack(t, now);
            return;
        }
        if (r == TCP_ACK_TOO_OLD) {
            tcp_send_challenge_ack(t, now);
            return;
        }
        bool fin_acked = t->fin_queued && t->snd_una > tcp_fin_seq(t);
        switch (t->state) {
        case TCP_FIN_WAIT1:
            /* "if the FIN segment is now acknowledged, then enter
             * FIN-WAIT-2 and continue processing in that state" */
            if (fin_acked) {
                tcp_set_state(t, TCP_FIN_WAIT2);
                tcp_stop_rto(t);
                if (t->released)
                    tcp_arm_fin_wait2(t, now);
                if (t->state != TCP_FIN_WAIT2)
                    return;
            }
            break;
        case TCP_CLOSING:
            /* "if the ACK acknowledges our FIN, then enter the TIME-WAIT
             * state; otherwise, ignore the segment" */
            if (fin_acked)
                tcp_enter_time_wait(t, now);
            tcp_output(t, now); /* data before our FIN, or an owed ACK */
            return;
        case TCP_LAST_ACK:
            /* "if our FIN is now acknowledged, delete the TCB, enter the
             * CLOSED state, and return" */
            if (fin_acked)
                tcp_done(t);
            else
                tcp_output(t, now);
            return;
        default:
            break;
        }
    }
    t->last_rcv = now;
    t->keep_probes = 0;
    tcp_ts_update(t, seg, now);
    /* sixth: URG (oob.md R12: in every state that processes the segment,
     * CLOSE_WAIT included), on the untrimmed payload, before queueing. */
    if (t->state != TCP_TIME_WAIT)
        urg_on_segment(t, &seg->h, seg->seq + ((f & TCP_SYN) ? 1 : 0), seg->data, seg->len);

    /* seventh + eighth: text and FIN. */
    switch (t->state) {
    case TCP_FIN_WAIT1:
    case TCP_FIN_WAIT2:
        if (old_dup)
            break;
        /* RFC 1122 §4.2.2.13 / Linux: new data after the application closed
         * its receive side (close, shutdown RDWR) aborts the connection. */
        if ((t->shutdown & TCP_SHUT_RCV) && seg->len && seg->seq + seg->len > t->rcv_nxt) {
            tcp_send_reset_reply(s, seg, now);
            tcp_fail(t, ECONNRESET);
            return;
        }
        tcp_data(t, seg, now);
        break;
    case TCP_ESTABLISHED:
        if (!old_dup)
            tcp_data(t, seg, now);
        break;
    case TCP_TIME_WAIT:
        /* "The only thing that can arrive in this state is a
         * retransmission of the remote FIN. Acknowledge it, and restart
         * the 2 MSL timeout." */
        if (f & TCP_FIN) {
            t->ack_now = true;
            tcp_enter_time_wait(t, now);
        }
        break;
    default:
        /* CLOSE_WAIT, CLOSING, LAST_ACK: "This should not occur, since a
         * FIN has been received from the remote side. Ignore the segment
         * text." */
        break;
    }
    if (t->state != TCP_CLOSE)
        tcp_output(t, now);
}

/* ---- header prediction (Van Jacobson; Linux tcp_rcv_established) ----
 * The common cases of a bulk transfer: the next in-order data segment,
 * or a pure ACK for new data, with nothing unusual about the connection:
 * ESTABLISHED, no recovery, no out-of-order data, no urgent state, the
 * window unchanged, the timestamp not older. Segments with URG never take
 * it (oob.md R12). Anything else goes the slow way.
 *
 * tcp_fast_check only looks (and fills seg->seq/ack); tcp_fast_apply
 * acts. In between, tcp_input may place the payload into the receive
 * ring while verifying the checksum in the same pass (csum_copy). */
static bool tcp_fast_check(const struct tcb *t, struct tcp_seg *seg)
{
    const struct tcp_repr *h = &seg->h;
    if ((h->flags & (TCP_SYN | TCP_FIN | TCP_RST | TCP_URG | TCP_ACK)) != TCP_ACK)
        return false;
    if (t->state != TCP_ESTABLISHED || h->seq != seq_wrap(t->rcv_nxt))
        return false;
    if (t->urg.state != URG_NONE || t->ca_state != TCP_CAS_OPEN || h->nsack ||
        !reass_empty(&t->reass))
        return false;
    if (((uint32_t)h->win << t->snd_wscale) != t->snd_wnd)
        return false;
    if (t->ts_ok) {
        if (!h->has_ts || seq_lt(h->ts_val, t->ts_recent))
            return false;
    }
    seg->seq = t->rcv_nxt;
    seg->ack = seq_unwrap(t->snd_una, h->ack);
    if (seg->ack > t->snd_nxt || seg->ack < t->snd_una)
        return false;
    if (seg->len == 0)
        return seg->ack != t->snd_una; /* a duplicate ACK: count it on the slow path */
    return seg->len <= ring_space(&t->rcvbuf) &&
           seg->seq + seg->len <= (t->rcv_adv > t->rcv_nxt ? t->rcv_adv : t->rcv_nxt);
}

/* placed: the payload is already stored (uncommitted) at the ring's tail. */
static void tcp_fast_apply(struct tcb *t, struct tcp_seg *seg, bool placed, sg_time now)
{
    t->last_rcv = now;
    t->keep_probes = 0;
    tcp_ts_update(t, seg, now);
    if (seg->ack != t->snd_una)
        tcp_ack(t, seg, now);
    if (seg->len) {
        if (placed)
            ring_commit(&t->rcvbuf, seg->len);
        else
            ring_write(&t->rcvbuf, seg->data, seg->len);
        t->rcv_nxt += seg->len;
        t->last_data_rcv = now;
        tcp_measure_rcv_mss(t, seg->len);
        tcp_notify(t, TCP_EV_READABLE);
        tcp_ack_policy(t, now);
    }
    tcp_output(t, now);
}

/* Copy the payload to the ring's tail (not committed) while summing it;
 * returns the accumulator of the whole segment (acc: pseudo-header +
 * header), or UINT64_MAX if the ring could not take it. */
static uint64_t tcp_place_csum(struct tcb *t, const struct tcp_seg *seg, uint64_t acc)
{
    struct ring_span sp[2];
    int n = ring_spans(&t->rcvbuf, ring_len(&t->rcvbuf), seg->len, sp);
    uint32_t pos = 0;
    for (int i = 0; i < n; i++) {
        uint64_t piece = csum_copy(sp[i].p, seg->data + pos, sp[i].n, 0);
        acc = csum_combine(acc, piece, seg->h.hdr_len + pos);
        pos += sp[i].n;
    }
    return pos == seg->len ? acc : UINT64_MAX;
}

/* ---- TIME_WAIT reuse (Linux tcp_timewait_state_process) ----
 * A SYN without ACK that PAWS accepts and whose sequence number is above
 * the old connection's RCV.NXT, or whose timestamp is newer than the last
 * one seen, reopens the connection; the new ISS is the old SND.NXT +
 * 65537 so old duplicates cannot be mistaken for new data. */
static bool tcp_tw_reuse(const struct tcb *tw, const struct tcp_seg *seg, sg_time now,
                         uint32_t *isn)
{
    if ((seg->h.flags & (TCP_SYN | TCP_RST | TCP_ACK)) != TCP_SYN)
        return false;
    struct tcp_seg tmp = *seg;
    tmp.seq = seq_unwrap(tw->rcv_nxt, seg->h.seq);
    if (tcp_paws_reject(tw, &tmp, now))
        return false;
    bool newer = tmp.seq > tw->rcv_nxt ||
                 (seg->h.has_ts && tw->ts_recent_valid && seq_lt(tw->ts_recent, seg->h.ts_val));
    if (!newer)
        return false;
    uint32_t i = seq_wrap(tw->snd_nxt) + 65535u + 2u;
    *isn = i ? i : 1;
    return true;
}

static void tcp_rcv(struct tcb *t, struct tcp_seg *seg, sg_time now)
{
    if (t->state == TCP_SYN_SENT) {
        tcp_rcv_synsent(t, seg, now);
        return;
    }
    if (tcp_fast_check(t, seg)) {
        tcp_fast_apply(t, seg, false, now);
        return;
    }
    seg->seq = seq_unwrap(t->rcv_nxt, seg->h.seq);
    seg->ack = seq_unwrap(t->snd_una, seg->h.ack);
    tcp_rcv_state(t, seg, now);
}

void tcp_input(struct stack *s, const struct ip_info *ip, struct buf *b, sg_time now)
{
    struct tcp_stack *ts = tcp_stack_of(s);
    STAT_INC(s, TCP_IN_SEGS);
    struct tcp_seg seg;
    /* A malformed option ends option parsing but keeps the segment, as
     * Linux's tcp_parse_options does (wire/tcp.h). */
    int rc = tcp_parse(b->data, b->len, &seg.h);
    if (rc < 0 && rc != WIRE_EBADOPT) {
        STAT_INC(s, TCP_IN_ERRS);
        buf_free(b);
        return;
    }
    seg.data = b->data + seg.h.hdr_len;
    seg.len = b->len - seg.h.hdr_len;
    seg.seg_len =
        seg.len + ((seg.h.flags & TCP_SYN) ? 1u : 0u) + ((seg.h.flags & TCP_FIN) ? 1u : 0u);
    seg.src = ip->src;
    seg.dst = ip->dst;
    seg.seq = seg.ack = 0;

    struct tcb *t = tcp_lookup(ts, &ip->dst, seg.h.dport, &ip->src, seg.h.sport);
    if (!(b->flags & BUF_CSUM_VERIFIED)) {
        /* The checksum (RFC 9293 §3.1) covers the pseudo-header, header and
         * payload. For in-order data on the fast path it is computed while
         * the payload is copied into the receive ring: one pass. */
        uint64_t acc = csum_partial(b->data, seg.h.hdr_len,
                                    csum_pseudo(ip->src.b, ip->dst.b, IPPROTO_TCP, b->len));
        if (t && seg.len && tcp_fast_check(t, &seg)) {
            acc = tcp_place_csum(t, &seg, acc);
            if (acc != UINT64_MAX) {
                if (csum_fold(acc) != 0) {
                    STAT_INC(s, TCP_IN_CSUM_ERRORS);
                    buf_free(b);
                    return;
                }
                tcp_fast_apply(t, &seg, true, now);
                buf_free(b);
                tcp_reap(ts);
                return;
            }
            acc = csum_partial(b->data, seg.h.hdr_len,
                               csum_pseudo(ip->src.b, ip->dst.b, IPPROTO_TCP, b->len));
        }
        if (csum_fold(csum_combine(acc, csum_partial(seg.data, seg.len, 0), seg.h.hdr_len))) {
            STAT_INC(s, TCP_IN_CSUM_ERRORS);
            buf_free(b);
            return;
        }
    }
    uint32_t isn = 0;
    if (t && t->state == TCP_TIME_WAIT && tcp_tw_reuse(t, &seg, now, &isn)) {
        STAT_INC(s, TCP_TIMEWAIT_REUSED);
        if (t->released) {
            tcp_set_state(t, TCP_CLOSE);
            tcp_kill(t);
        } else {
            tcp_done(t);
        }
        t = NULL;
    }
    if (t) {
        tcp_rcv(t, &seg, now);
    } else {
        struct tcb *l = tcp_lookup_listener(ts, &ip->dst, seg.h.dport, &ip->src, seg.h.sport);
        if (l) {
            tcp_listen_input(l, &seg, isn, now);
        } else if (!(seg.h.flags & TCP_RST)) {
            STAT_INC(s, TCP_NO_PORT);
            tcp_send_reset_reply(s, &seg, now);
        }
    }
    buf_free(b);
    tcp_reap(ts);
}

/* ICMP errors about our segments (RFC 1122 §4.2.3.9, RFC 5927 §4.1: the
 * quoted sequence number must lie in [SND.UNA, SND.NXT)). Errors are
 * fatal while connecting (Linux), soft (reported on timeout) after. */
void tcp_icmp_error(struct stack *s, const struct ip_info *q, int type, int code, uint32_t info,
                    const uint8_t *inner, uint32_t inner_len, sg_time now)
{
    struct tcp_stack *ts = tcp_stack_of(s);
    if (!ts || inner_len < 8)
        return;
    uint16_t sport = wire_get16(inner), dport = wire_get16(inner + 2);
    uint32_t seq = wire_get32(inner + 4);
    struct tcb *t = tcp_lookup(ts, &q->src, sport, &q->dst, dport);
    if (!t || t->state == TCP_LISTEN || t->state == TCP_TIME_WAIT)
        return;
    uint64_t sq = seq_unwrap(t->snd_una, seq);
    if (sq < t->snd_una || sq >= t->snd_nxt)
        return;
    static const int unreach[] = {ENETUNREACH,  EHOSTUNREACH, ENOPROTOOPT,  ECONNREFUSED,
                                  EMSGSIZE,     EOPNOTSUPP,   ENETUNREACH,  EHOSTDOWN,
                                  ENONET,       ENETUNREACH,  EHOSTUNREACH, ENETUNREACH,
                                  EHOSTUNREACH, EHOSTUNREACH, EHOSTUNREACH, EHOSTUNREACH};
    int err;
    if (type == 3) { /* destination unreachable */
        if (code < 0 || code > 15)
            return;
        if (code == 4) { /* fragmentation needed: RFC 1191 */
            if (info >= 68 && info < t->pmtu) {
                t->pmtu = (uint16_t)info;
                tcp_update_mss(t);
                if (t->snd_una < t->snd_nxt && tcp_synced(t)) {
                    uint64_t end = t->snd_una + tcp_cur_mss(t);
                    tcp_xmit_range(t, t->snd_una, end < t->snd_nxt ? end : t->snd_nxt, true, now);
                }
            }
            return;
        }
        err = unreach[code];
    } else if (type == 11) { /* time exceeded */
        err = EHOSTUNREACH;
    } else if (type == 12) { /* parameter problem */
        err = EPROTO;
    } else {
        return;
    }
    if (t->state == TCP_SYN_SENT || (t->state == TCP_SYN_RECV && !t->passive))
        tcp_fail(t, err);
    else
        t->soft_err = err;
    tcp_reap(ts);
}

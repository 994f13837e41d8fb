/* Segment building and sending.
 *
 * Output path:
 *   tcp_output -> (recovery retransmissions | new data | FIN) -> tcp_xmit_range
 *              -> tcp_build -> ip_output
 *   tcp_send_ack / tcp_send_syn / probes / resets -> tcp_build -> ip_output
 *
 * The send buffer is the byte ring t->sndbuf holding [snd_buf_seq,
 * write_seq); every (re)transmission copies its payload straight from the
 * ring into a fresh packet buffer while summing it (csum_copy): no copy of
 * a segment is kept after it is sent.
 *
 * Every segment goes through tcp_build, which applies the options (TS,
 * SACK/D-SACK), the advertised window (receiver SWS avoidance) and the
 * urgent pointer (oob.md R4-R6) in one place.
 */
#include "tcp/tcb.h"
#include <errno.h>
#include <netinet/in.h>
#include "wire/csum.h"

/* ---- receive window (RFC 9293 §3.8.6.2.2, RFC 7323 §2.3) ---- */

/* Bytes the receive ring can still take beyond rcv_nxt (the out-of-order
 * area included), capped by TCP_WINDOW_CLAMP. */
static uint32_t tcp_rcv_space(const struct tcb *t)
{
    uint32_t space = ring_space(&t->rcvbuf);
    if (t->window_clamp && space > t->window_clamp)
        space = t->window_clamp;
    return space;
}

/* The window to advertise now, in bytes. The right edge never moves left
 * (RFC 9293 §3.8.6.2.2: the receiver "SHOULD NOT shrink the window"),
 * and it moves right only by at least min(RCV.BUFF/2, MSS) ("receiver SWS
 * avoidance": RCV.BUFF - RCV.USER - RCV.WND >= min(Fr * RCV.BUFF,
 * Eff.snd.MSS) with Fr = 1/2). With scaling the value is a multiple of
 * the scale unit: rounded down when that keeps the edge, else up if the
 * ring has room for it, else down (RFC 7323 §2.4 accepts that apparent
 * shrink of less than one unit; it never promises bytes the ring cannot
 * hold, so in-window data is never dropped). */
uint32_t tcp_select_window(struct tcb *t)
{
    uint32_t ws = t->rcv_wscale;
    uint32_t space = tcp_rcv_space(t);
    uint64_t cur64 = t->rcv_adv > t->rcv_nxt ? t->rcv_adv - t->rcv_nxt : 0;
    uint32_t cur = cur64 > UINT32_MAX ? UINT32_MAX : (uint32_t)cur64;
    uint32_t limit = t->rcvbuf.limit;
    uint32_t thresh = limit / 2 < t->advmss ? limit / 2 : t->advmss;
    uint32_t wnd;
    if (space <= cur || space - cur < thresh)
        wnd = cur;
    else
        wnd = space;
    uint32_t maxw = 65535u << ws;
    if (wnd > maxw)
        wnd = maxw;
    if (ws) {
        uint32_t unit = 1u << ws;
        uint32_t down = wnd & ~(unit - 1);
        if (down < cur) {
            uint64_t up = ((uint64_t)cur + unit - 1) & ~(uint64_t)(unit - 1);
            if (up <= space && up <= maxw)
                down = (uint32_t)up;
        }
        wnd = down;
    }
    return wnd;
}

/* ---- payload sizing ---- */

static uint32_t tcp_sack_out_blocks(const struct tcb *t)
{
    if (!t->sack_ok)
        return 0;
    uint32_t n = reass_ranges(&t->reass) + (t->dsack_pending ? 1u : 0u);
    uint32_t max = t->ts_ok ? 3u : 4u;
    return n < max ? n : max;
}

uint32_t tcp_cur_mss(const struct tcb *t)
{
    uint32_t m = t->mss;
    /* Sender SWS avoidance as Linux does it (tcp_bound_to_half_wnd; RFC
     * 9293 §3.8.6.2.1 "Fs * Max(SND.WND)" with Fs = 1/2): segments are
     * at most half the largest window the peer offered, so a window
     * smaller than the MSS still moves data in whole segments. */
    uint32_t cutoff = t->max_snd_wnd > TCP_MSS_DEFAULT_V4 ? t->max_snd_wnd / 2 : t->max_snd_wnd;
    if (cutoff && m > cutoff) {
        uint32_t floor = 68u - (t->ts_ok ? 32u : 20u);
        m = cutoff > floor ? cutoff : floor;
    }
    uint32_t n = tcp_sack_out_blocks(t);
    if (n) {
        uint32_t extra = 4 + 8 * n;
        m = m > extra + 48 ? m - extra : 48;
    }
    return m;
}

uint32_t tcp_flight(const struct tcb *t)
{
    uint64_t out = t->snd_nxt - t->snd_una;
    if (t->ca_state == TCP_CAS_RECOVERY && t->sack_ok)
        return (uint32_t)sack_pipe(&t->sb, t->snd_una, t->snd_nxt);
    if (t->sack_ok) {
        uint64_t sacked = sack_sacked_bytes(&t->sb);
        out = out > sacked ? out - sacked : 0;
    }
    if (t->ca_state == TCP_CAS_LOSS && t->recover > t->rtx_nxt) {
        /* After an RTO everything not yet retransmitted is deemed lost
         * (RFC 5681 §3.1 / RFC 6675 §5.1): not in flight. */
        uint64_t lost = t->recover - (t->rtx_nxt > t->snd_una ? t->rtx_nxt : t->snd_una);
        out = out > lost ? out - lost : 0;
    }
    return out > UINT32_MAX ? UINT32_MAX : (uint32_t)out;
}

/* ---- building one segment ---- */

enum { XF_RTX = 1, XF_PROBE = 2 };

static int tcp_build(struct tcb *t, uint64_t seq, uint32_t dlen, uint8_t flags, unsigned xf,
                     sg_time now)
{
    struct stack *s = t->s;
    struct tcp_repr r = {0};
    r.sport = t->lport;
    r.dport = t->rport;
    r.seq = seq_wrap(seq);
    r.flags = flags;
    if (flags & TCP_ACK)
        r.ack = seq_wrap(t->rcv_nxt);
    uint32_t wnd = 0;
    bool dsack = false;
    if (flags & TCP_SYN) {
        tcp_syn_options(t, &r, now);
        wnd = tcp_select_window(t);
        /* RFC 7323 §2.2: the window of a SYN is never scaled. */
        r.win = (uint16_t)(wnd > 65535u ? 65535u : wnd);
        wnd = r.win;
    } else if (!(flags & TCP_RST)) {
        tcp_data_options(t, &r, now);
        if (t->sack_ok && (t->dsack_pending || !reass_empty(&t->reass))) {
            uint32_t max = t->ts_ok ? 3u : 4u;
            r.nsack = (uint8_t)reass_sack_blocks(&t->reass, t->rcv_nxt,
                                                 t->dsack_pending ? &t->dsack : NULL, r.sack, max);
            dsack = t->dsack_pending && r.nsack > 0;
        }
        wnd = tcp_select_window(t);
        r.win = (uint16_t)(wnd >> t->rcv_wscale);
        wnd = (uint32_t)r.win << t->rcv_wscale;
        urg_fill(t, seq, t->snd_nxt, &r);
    }
    size_t hl = tcp_hdr_len(&r);
    struct buf *b = buf_alloc(SG_HEADROOM, hl + dlen);
    if (!b)
        return -ENOBUFS;
    tcp_emit(&r, b->data);
    uint64_t acc = csum_pseudo(t->laddr.b, t->raddr.b, IPPROTO_TCP, (uint32_t)(hl + dlen));
    if (dlen) {
        struct ring_span sp[2];
        uint32_t off = (uint32_t)(seq - t->snd_buf_seq);
        int n = ring_spans(&t->sndbuf, off, dlen, sp);
        uint32_t pos = 0;
        for (int i = 0; i < n; i++) {
            uint64_t piece = csum_copy(b->data + hl + pos, sp[i].p, sp[i].n, 0);
            acc = csum_combine(acc, piece, hl + pos);
            pos += sp[i].n;
        }
        if (pos != dlen) {
            buf_free(b);
            return -ENOBUFS;
        }
    }
    tcp_csum_fill(b->data, hl, acc);

    if (flags & TCP_RST)
        STAT_INC(s, TCP_OUT_RSTS);
    if ((xf & XF_RTX) && (dlen || (flags & (TCP_SYN | TCP_FIN))))
        STAT_INC(s, TCP_RETRANS_SEGS);
    else
        STAT_INC(s, TCP_OUT_SEGS);
    if (r.flags & TCP_URG)
        STAT_INC(s, TCP_URG_OUT);
    if (dsack)
        STAT_INC(s, TCP_DSACK_OUT);

    if (flags & TCP_ACK) {
        /* Everything up to rcv_nxt is acknowledged and the window edge is
         * advertised: no ACK owed any more. */
        t->rcv_wup = t->rcv_nxt;
        if (t->rcv_nxt + wnd > t->rcv_adv)
            t->rcv_adv = t->rcv_nxt + wnd;
        t->ack_now = false;
        if (t->ack_pending) {
            t->ack_pending = false;
            tcp_stop_delack(t);
        }
        t->dsack_pending = false;
    }
    if (dlen)
        t->last_data_snd = now;
    int rc = ip_output(s, &t->laddr, &t->raddr, IPPROTO_TCP, t->ttl, t->tos, b, now);
    if (rc == -ENETUNREACH || rc == -EHOSTUNREACH)
        t->soft_err = -rc;
    return rc;
}

/* ---- sequence ranges ---- */

static int tcp_xmit_range_f(struct tcb *t, uint64_t seq, uint64_t end, bool rtx, uint8_t extra,
                            sg_time now);

int tcp_xmit_range(struct tcb *t, uint64_t seq, uint64_t end, bool rtx, sg_time now)
{
    return tcp_xmit_range_f(t, seq, end, rtx, 0, now);
}

static int tcp_xmit_range_f(struct tcb *t, uint64_t seq, uint64_t end, bool rtx, uint8_t extra,
                            sg_time now)
{
    if (seq < t->snd_buf_seq) { /* our SYN is not acknowledged yet */
        tcp_send_syn(t, now);
        return 0;
    }
    uint64_t data_end = tcp_write_seq(t);
    uint32_t dlen = seq < data_end ? (uint32_t)((end < data_end ? end : data_end) - seq) : 0;
    uint8_t flags = TCP_ACK | extra;
    if (t->fin_queued && end > data_end)
        flags |= TCP_FIN;
    if (dlen && seq + dlen == data_end)
        flags |= TCP_PSH;
    if (rtx) {
        t->total_retrans++;
        if (t->rtt_timing && seq < t->rtt_seq)
            t->rtt_timing_rtx = true; /* Karn: the timed segment is ambiguous now */
    }
    return tcp_build(t, seq, dlen, flags, rtx ? XF_RTX : 0, now);
}

/* ---- what to send next ---- */

static bool tcp_can_send_data(const struct tcb *t)
{
    switch (t->state) {
    case TCP_ESTABLISHED:
    case TCP_CLOSE_WAIT:
    case TCP_FIN_WAIT1:
    case TCP_CLOSING:
    case TCP_LAST_ACK:
        return true;
    default:
        return false;
    }
}

/* Start timing a segment for RTT if none is timed (RFC 6298 §3: one
 * measurement per RTT is enough; Karn's rule applies). */
static void tcp_time_segment(struct tcb *t, uint64_t end, sg_time now)
{
    if (!t->rtt_timing) {
        t->rtt_timing = true;
        t->rtt_timing_rtx = false;
        t->rtt_seq = end;
        t->rtt_time = now;
    }
}

/* Retransmit the next chunk of [from, to), skipping SACKed bytes. Returns
 * the end of what was sent, or `from` if nothing was. */
static uint64_t tcp_rtx_chunk(struct tcb *t, uint64_t from, uint64_t to, uint32_t mss, sg_time now)
{
    struct rs_range r;
    while (from < to && rangeset_find(&t->sb.sacked, from, &r))
        from = r.end;
    if (from >= to)
        return to;
    uint64_t end = from + mss < to ? from + mss : to;
    if (rangeset_first_from(&t->sb.sacked, from, &r) && r.start < end)
        end = r.start;
    if (tcp_xmit_range(t, from, end, true, now))
        return from;
    return end;
}

void tcp_output(struct tcb *t, sg_time now)
{
    bool sent = false, rwnd_limited = false;
    if (!tcp_can_send_data(t))
        goto ack;
    uint32_t mss = tcp_cur_mss(t);
    for (;;) {
        uint32_t flight = tcp_flight(t);
        uint32_t cwnd = t->cc.cwnd;
        uint64_t wnd_end = t->snd_una + t->snd_wnd;
        uint64_t data_end = tcp_write_seq(t);

        if (t->ca_state == TCP_CAS_RECOVERY && t->sack_ok) {
            /* RFC 6675 §5 step (C): while cwnd - pipe >= 1 SMSS, NextSeg. */
            if ((uint64_t)flight + mss > cwnd)
                break;
            bool unsent = t->snd_nxt < data_end || (t->fin_queued && !tcp_fin_sent(t));
            bool new_ok = unsent && t->snd_nxt < wnd_end;
            struct sack_seg sg;
            sack_next_seg(&t->sb, t->snd_una, t->snd_nxt, new_ok, &sg);
            if (sg.kind == SACK_SEG_NONE)
                break;
            if (sg.kind != SACK_SEG_NEW) {
                uint32_t len = sg.len < mss ? sg.len : mss;
                sg.len = len;
                if (tcp_xmit_range(t, sg.seq, sg.seq + len, true, now))
                    break;
                sack_sent(&t->sb, &sg);
                sent = true;
                continue;
            }
        } else if (t->ca_state == TCP_CAS_LOSS && t->rtx_nxt < t->recover) {
            /* After an RTO: go back and resend what was outstanding, in
             * slow start (RFC 5681 §3.1, RFC 6298 §5). */
            if (t->rtx_nxt < t->snd_una)
                t->rtx_nxt = t->snd_una;
            if (flight && (uint64_t)flight + mss > cwnd)
                break;
            if (t->rtx_nxt < t->recover) {
                uint64_t e = tcp_rtx_chunk(t, t->rtx_nxt, t->recover, mss, now);
                if (e == t->rtx_nxt)
                    break;
                t->rtx_nxt = e;
                sent = true;
                continue;
            }
        }

        /* New data (or a bare FIN) from snd_nxt. */
        if (t->snd_nxt >= data_end) {
            if (t->fin_queued && !tcp_fin_sent(t) && t->snd_nxt == data_end) {
                if (t->snd_nxt + 1 > wnd_end) {
                    rwnd_limited = true; /* a FIN needs one unit of window (Linux) */
                    break;
                }
                if ((uint64_t)flight + 1 > cwnd && flight)
                    break;
                if (tcp_xmit_range(t, t->snd_nxt, t->snd_nxt + 1, false, now))
                    break;
                t->snd_nxt++;
                tcp_arm_rto_if_idle(t, now);
                sent = true;
            }
            break;
        }
        uint64_t avail64 = data_end - t->snd_nxt;
        uint32_t avail = avail64 > UINT32_MAX ? UINT32_MAX : (uint32_t)avail64;
        uint32_t len = avail < mss ? avail : mss;
        uint32_t wnd_avail = wnd_end > t->snd_nxt ? (uint32_t)(wnd_end - t->snd_nxt) : 0;
        uint32_t cwnd_avail = cwnd > flight ? cwnd - flight : 0;
        if (len > wnd_avail) {
            /* Sender SWS avoidance (RFC 9293 §3.8.6.2.1): a segment is not
             * cut down to fit a window smaller than it. As Linux
             * (tcp_snd_wnd_test), the rest waits for the window to open or
             * for the persist timer, which sends what fits
             * (tcp_write_wakeup); RFC 9293's optional "at least half the
             * maximum window" case (c) is left out to match. */
            rwnd_limited = true;
            break;
        }
        if (len > cwnd_avail)
            break; /* congestion window full: the next ACK clocks more out */
        if (len < mss && len == avail && !t->fin_queued && !urg_mode(t) && !t->force_push) {
            /* A partial last segment. TCP_CORK / MSG_MORE hold it; Nagle
             * (RFC 896, RFC 9293 §3.7.4) holds it while data is unacked,
             * unless TCP_NODELAY; with Minshall's refinement, as Linux
             * (tcp_minshall_check): only while a previous *small* segment
             * is unacked, so the tail of a large write is not held. Urgent mode disables Nagle
             * (R8), and so does a pending FIN (Linux tcp_nagle_test). */
            if (t->cork || t->more)
                break;
            if (!t->nodelay && t->snd_sml > t->snd_una)
                break;
        }
        uint64_t end = t->snd_nxt + len;
        if (t->fin_queued && end == data_end && end + 1 <= wnd_end)
            end++; /* piggyback the FIN */
        if (tcp_xmit_range(t, t->snd_nxt, end, false, now))
            break;
        tcp_time_segment(t, end, now);
        t->snd_nxt = end;
        if (len < mss)
            t->snd_sml = end;
        t->probe_backoff = 0;
        tcp_arm_rto_if_idle(t, now);
        sent = true;
    }
    /* Zero (or too small) window and nothing in flight: only the persist
     * timer will find out when it opens (RFC 9293 §3.8.6.1). */
    if (rwnd_limited && t->snd_nxt == t->snd_una && !timer_armed(&t->t_rtx))
        tcp_arm_persist(t, now);
ack:
    if (t->ack_now && !sent)
        tcp_send_ack(t, now);
    t->ack_now = false;
}

/* ---- control segments ---- */

void tcp_send_ack(struct tcb *t, sg_time now)
{
    tcp_build(t, t->snd_nxt, 0, TCP_ACK, 0, now);
}

/* RFC 5961 §3.2, §4.2, §5.2: <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>, rate
 * limited per stack. */
void tcp_send_challenge_ack(struct tcb *t, sg_time now)
{
    if (!tcp_challenge_ack_allowed(t->ts, now))
        return;
    STAT_INC(t->s, TCP_CHALLENGE_ACKS);
    tcp_send_ack(t, now);
}

void tcp_send_syn(struct tcb *t, sg_time now)
{
    uint8_t flags = t->state == TCP_SYN_RECV ? (TCP_SYN | TCP_ACK) : TCP_SYN;
    bool rtx = t->snd_nxt > t->iss;
    tcp_build(t, t->iss, 0, flags, rtx ? XF_RTX : 0, now);
    if (t->snd_nxt < t->iss + 1)
        t->snd_nxt = t->iss + 1;
    if (rtx && t->rtt_timing)
        t->rtt_timing_rtx = true;
    else
        tcp_time_segment(t, t->iss + 1, now);
    tcp_arm_rto_if_idle(t, now);
}

void tcp_send_active_reset(struct tcb *t, sg_time now)
{
    /* Linux tcp_acceptable_seq: SND.NXT if the peer's window still covers
     * it, else the window's right edge. */
    uint64_t seq = t->snd_nxt;
    if (t->snd_una + t->snd_wnd < seq && t->snd_wnd)
        seq = t->snd_una + t->snd_wnd;
    tcp_build(t, seq, 0, TCP_RST | TCP_ACK, 0, now);
}

/* RFC 9293 §3.10.7.1: "If the ACK bit is off, sequence number zero is
 * used, <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>. If the ACK bit is on,
 * <SEQ=SEG.ACK><CTL=RST>". Never in reply to a RST. */
void tcp_send_reset_reply(struct stack *s, const struct tcp_seg *seg, sg_time now)
{
    if (seg->h.flags & TCP_RST)
        return;
    struct tcp_repr r = {0};
    r.sport = seg->h.dport;
    r.dport = seg->h.sport;
    if (seg->h.flags & TCP_ACK) {
        r.seq = seg->h.ack;
        r.flags = TCP_RST;
    } else {
        r.seq = 0;
        r.ack = seg->h.seq + seg->seg_len;
        r.flags = TCP_RST | TCP_ACK;
    }
    size_t hl = tcp_hdr_len(&r);
    struct buf *b = buf_alloc(SG_HEADROOM, hl);
    if (!b)
        return;
    tcp_emit(&r, b->data);
    tcp_csum_fill(b->data, hl, csum_pseudo(seg->dst.b, seg->src.b, IPPROTO_TCP, (uint32_t)hl));
    STAT_INC(s, TCP_OUT_RSTS);
    STAT_INC(s, TCP_OUT_SEGS);
    uint8_t ttl = (uint8_t)(s->cfg.ip_default_ttl ? s->cfg.ip_default_ttl : 64);
    ip_output(s, &seg->dst, &seg->src, IPPROTO_TCP, ttl, 0, b, now);
}

/* Linux tcp_write_wakeup / tcp_xmit_probe_skb. If the window has room for
 * some unsent data, send as much of it as fits (one segment). Otherwise a
 * zero-length probe at snd_una - 1, which the peer must answer with an ACK
 * carrying its window; with the urgent pointer within 64K of snd_una an
 * extra probe at snd_una goes first (oob.md R7). */
static void tcp_wakeup(struct tcb *t, sg_time now, bool keepalive)
{
    uint64_t data_end = tcp_write_seq(t);
    uint64_t wnd_end = t->snd_una + t->snd_wnd;
    if (!keepalive && tcp_can_send_data(t) && t->snd_nxt < wnd_end &&
        (t->snd_nxt < data_end || (t->fin_queued && !tcp_fin_sent(t)))) {
        uint32_t mss = tcp_cur_mss(t);
        uint64_t end = t->snd_nxt + mss;
        if (end > wnd_end)
            end = wnd_end;
        if (end > data_end)
            end = data_end;
        if (t->fin_queued && end == data_end && end + 1 <= wnd_end)
            end++;
        /* Linux marks a segment cut down by the wakeup with PSH. */
        uint8_t extra = end < data_end ? TCP_PSH : 0;
        if (end > t->snd_nxt && !tcp_xmit_range_f(t, t->snd_nxt, end, false, extra, now)) {
            tcp_time_segment(t, end, now);
            t->snd_nxt = end;
        }
        return;
    }
    if (urg_probe_extra(t))
        tcp_build(t, t->snd_una, 0, TCP_ACK, XF_PROBE, now);
    tcp_build(t, t->snd_una - 1, 0, TCP_ACK, XF_PROBE, now);
}

void tcp_send_probe(struct tcb *t, sg_time now)
{
    STAT_INC(t->s, TCP_PROBES);
    tcp_wakeup(t, now, false);
}

void tcp_send_keepalive(struct tcb *t, sg_time now)
{
    STAT_INC(t->s, TCP_KEEPALIVE_PROBES);
    tcp_wakeup(t, now, true);
}

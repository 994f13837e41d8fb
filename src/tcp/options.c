/* TCP option negotiation: MSS (RFC 9293 §3.7.1, RFC 6691), window scale
 * (RFC 7323 §2), SACK-permitted (RFC 2018 §2), timestamps and PAWS
 * (RFC 7323 §3-§5). The wire layer parses and emits options; this file
 * decides which ones a connection uses and what their values are.
 */
#include "tcp/tcb.h"
#include <netinet/in.h>
#include "tcp/isn.h"

void tcp_init_options(struct tcb *t)
{
    t->peer_mss = TCP_MSS_DEFAULT_V4;
    t->advmss = TCP_MSS_DEFAULT_V4;
    t->mss = TCP_MSS_DEFAULT_V4;
    t->pmtu = 1500;
}

/* Linux tcp_select_initial_window: the smallest shift that lets the
 * largest receive buffer the connection may grow to be advertised. */
uint8_t tcp_pick_wscale(const struct stack *s)
{
    uint32_t space = s->cfg.tcp_rmem_max ? s->cfg.tcp_rmem_max : 6291456u;
    if (s->cfg.tcp_rmem > space)
        space = s->cfg.tcp_rmem;
    uint8_t ws = 0;
    while (space > 65535u && ws < TCP_MAX_WSCALE) {
        space >>= 1;
        ws++;
    }
    return ws;
}

uint32_t tcp_ts_now(const struct tcb *t, sg_time now)
{
    return (uint32_t)(now / (SG_SEC(1) / TCP_TS_HZ)) + t->ts_offset;
}

/* The options of our SYN (active open: what the configuration offers) or
 * SYN-ACK (what the peer's SYN offered and we accept: RFC 7323 §2.2 and
 * §3.2, RFC 2018 §2 "MUST NOT be sent on a non-SYN segment" / only if
 * received). */
void tcp_syn_options(struct tcb *t, struct tcp_repr *r, sg_time now)
{
    const struct sg_config *cfg = &t->s->cfg;
    bool synack = t->state == TCP_SYN_RECV;
    r->has_mss = true;
    r->mss = t->advmss;
    if (synack ? t->ws_ok : !cfg->no_wscale) {
        r->has_wscale = true;
        r->wscale = t->rcv_wscale;
    }
    r->sack_perm = synack ? t->sack_ok : !cfg->no_sack;
    if (synack ? t->ts_ok : !cfg->no_timestamps) {
        r->has_ts = true;
        r->ts_val = tcp_ts_now(t, now);
        r->ts_ecr = synack ? t->ts_recent : 0;
    }
}

void tcp_data_options(struct tcb *t, struct tcp_repr *r, sg_time now)
{
    if (t->ts_ok) {
        r->has_ts = true;
        r->ts_val = tcp_ts_now(t, now);
        r->ts_ecr = t->ts_recent;
    }
}

/* Called with the peer's SYN (passive open, or the SYN of a simultaneous
 * open) or SYN-ACK (active open). An option is in use only if both sides
 * sent it on their SYNs. */
void tcp_negotiate(struct tcb *t, const struct tcp_repr *h, sg_time now)
{
    const struct sg_config *cfg = &t->s->cfg;
    /* RFC 9293 §3.7.1: without an MSS option assume 536 (IPv4). A zero
     * MSS option is ignored, as Linux's parser does. */
    t->peer_mss = (h->has_mss && h->mss) ? h->mss : TCP_MSS_DEFAULT_V4;
    /* RFC 7323 §2.2-2.3: scaling only if both sides offered it; a shift
     * above 14 is used as 14. */
    if (!cfg->no_wscale && h->has_wscale) {
        t->ws_ok = true;
        t->snd_wscale = h->wscale > TCP_MAX_WSCALE ? TCP_MAX_WSCALE : h->wscale;
        if (!t->rcv_wscale)
            t->rcv_wscale = tcp_pick_wscale(t->s);
    } else {
        t->ws_ok = false;
        t->snd_wscale = 0;
        t->rcv_wscale = 0;
    }
    t->sack_ok = !cfg->no_sack && h->sack_perm;
    /* RFC 7323 §3.2: timestamps are used only if both SYNs carried them. */
    if (!cfg->no_timestamps && h->has_ts) {
        t->ts_ok = true;
        t->ts_recent = h->ts_val;
        t->ts_recent_valid = true;
        t->ts_recent_time = now;
    } else {
        t->ts_ok = false;
    }
}

/* Send MSS (Linux tcp_sync_mss / tcp_mss_to_mtu): the smallest of the
 * peer's MSS, the path MTU less 40 bytes of IPv4+TCP header and the user's
 * TCP_MAXSEG, less the timestamp option carried on every segment (RFC 6691
 * §3: the MSS option does not count options). Advertised MSS: the route's
 * MTU less 40, clamped by TCP_MAXSEG. */
void tcp_update_mss(struct tcb *t)
{
    uint32_t hdr = ipaddr_is_v4(&t->raddr) ? 40u : 60u;
    uint32_t mtu = t->pmtu ? t->pmtu : 1500u;
    uint32_t adv = mtu > hdr + TCP_MIN_MSS ? mtu - hdr : TCP_MIN_MSS;
    if (t->user_mss && t->user_mss < adv)
        adv = t->user_mss;
    t->advmss = (uint16_t)adv;
    uint32_t m = t->peer_mss;
    if (mtu - hdr < m)
        m = mtu - hdr;
    if (t->user_mss && t->user_mss < m)
        m = t->user_mss;
    if (t->ts_ok)
        m -= 12;
    if (m < 48) /* Linux TCP_MIN_SND_MSS */
        m = 48;
    t->mss = m;
    sack_set_smss(&t->sb, m);
    if (t->cc.ops)
        cc_set_mss(&t->cc, m);
}

/* RFC 7323 §5.3 R1: "If there is a Timestamps option in the arriving
 * segment, SEG.TSval < TS.Recent, and if TS.Recent is valid (see later
 * discussion), then treat the arriving segment as not acceptable".
 * TS.Recent is invalid once older than 24 days (§5.5). A RST is accepted
 * whatever its timestamp (§5.2 recommends it; Linux does so). */
bool tcp_paws_reject(const struct tcb *t, const struct tcp_seg *seg, sg_time now)
{
    if (!t->ts_ok || !seg->h.has_ts || !t->ts_recent_valid)
        return false;
    if (seg->h.flags & TCP_RST)
        return false;
    if (seq_geq(seg->h.ts_val, t->ts_recent))
        return false;
    if (now - t->ts_recent_time > TCP_PAWS_24DAYS)
        return false;
    return true;
}

/* RFC 7323 §4.3 (2): "If SEG.TSval >= TS.Recent and SEG.SEQ =< Last.ACK.sent
 * then SEG.TSval is copied to TS.Recent". Last.ACK.sent is rcv_wup (rcv_nxt
 * at the last ACK sent), as in Linux tcp_may_update_ts_recent. Called for
 * acceptable segments only. */
void tcp_ts_update(struct tcb *t, const struct tcp_seg *seg, sg_time now)
{
    if (!t->ts_ok || !seg->h.has_ts)
        return;
    if (seg->seq > t->rcv_wup)
        return;
    if (t->ts_recent_valid && seq_lt(seg->h.ts_val, t->ts_recent) &&
        now - t->ts_recent_time <= TCP_PAWS_24DAYS)
        return;
    t->ts_recent = seg->h.ts_val;
    t->ts_recent_time = now;
    t->ts_recent_valid = true;
}

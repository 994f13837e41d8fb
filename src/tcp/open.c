/* Opening connections: handles, bind, active open (RFC 9293 §3.10.1),
 * listen, the passive open from LISTEN (§3.10.7.2) with a SYN queue
 * (children in SYN_RECEIVED) and an accept queue (established children
 * not yet accepted), and accept.
 *
 * Deviation: no SYN cookies. When the SYN queue is full (as many half-open
 * children as the backlog, at least one) further SYNs are dropped
 * (tcp.listen_drops); Linux would answer them with cookies.
 */
#include "tcp/tcb.h"
#include <errno.h>
#include "tcp/isn.h"

struct tcb *tcp_new(struct stack *s, void *owner, tcp_event_fn on_event)
{
    struct tcb *t = tcb_alloc(s);
    if (!t)
        return NULL;
    t->owner = owner;
    t->on_event = on_event;
    return t;
}

void tcp_set_owner(struct tcb *t, void *owner, tcp_event_fn on_event)
{
    t->owner = owner;
    t->on_event = on_event;
}

int tcp_bind(struct tcb *t, const struct ipaddr *addr, uint16_t port)
{
    if (t->in_binds || t->state != TCP_CLOSE)
        return -EINVAL;
    if (!ipaddr_is_any(addr) && !ip_is_local(t->s, addr))
        return -EADDRNOTAVAIL;
    int rc;
    if (port == 0) {
        t->laddr = *addr;
        rc = tcp_autobind(t);
    } else {
        rc = tcp_bind_insert(t, addr, port, TCP_BIND_USER);
    }
    if (rc == 0)
        t->user_bound = true;
    return rc;
}

/* Sequence spaces of a new connection (tcp/seq.h: unwrapped spaces start
 * at SEQ_UNWRAP_BASE + the 32-bit initial number). */
static void tcp_init_send_seq(struct tcb *t, uint32_t iss)
{
    t->iss = SEQ_UNWRAP_BASE + iss;
    t->snd_una = t->iss;
    t->snd_nxt = t->iss;
    t->snd_buf_seq = t->iss + 1;
    t->snd_wl2 = t->iss;
    t->recover = t->iss;
    t->rtx_nxt = t->iss;
    t->snd_sml = t->iss;
    t->ca_state = TCP_CAS_OPEN;
    urg_init_send(t);
}

static void tcp_init_recv_seq(struct tcb *t, uint32_t irs)
{
    t->irs = SEQ_UNWRAP_BASE + irs;
    t->rcv_nxt = t->irs + 1;
    t->copied_seq = t->rcv_nxt;
    t->rcv_wup = t->rcv_nxt;
    t->rcv_adv = t->rcv_nxt;
    t->snd_wl1 = t->irs;
    urg_reset(t);
}

/* Start the per-connection machinery once the MSS is known. */
static void tcp_init_transfer(struct tcb *t, sg_time now)
{
    tcp_update_mss(t);
    cc_init(&t->cc, t->cc_ops, t->mss, now);
    sack_set_smss(&t->sb, t->mss);
    t->rcv_mss = t->advmss < TCP_MSS_DEFAULT_V4 ? t->advmss : TCP_MSS_DEFAULT_V4;
    t->quickack = TCP_MAX_QUICKACKS;
}

int tcp_connect(struct tcb *t, const struct ipaddr *remote, uint16_t rport, sg_time now)
{
    struct stack *s = t->s;
    if (t->state == TCP_SYN_SENT || t->state == TCP_SYN_RECV)
        return -EALREADY;
    if (t->state != TCP_CLOSE)
        return -EISCONN;
    struct ipaddr src;
    uint32_t mtu = 0;
    if (ip_route_lookup(s, remote, &src, &mtu))
        return -ENETUNREACH;
    /* A reused handle (after a failed or reset connection) starts clean. */
    ring_free(&t->rcvbuf);
    ring_free(&t->sndbuf);
    reass_free(&t->reass);
    sack_free(&t->sb);
    urg_reset(t);
    t->dsack_pending = t->ack_pending = t->ack_now = false;
    t->dupacks = t->probes = t->probe_backoff = t->keep_probes = 0;
    t->rtt_timing = false;
    t->err = 0;
    t->shutdown = 0;
    t->done = false;
    t->fin_queued = t->fin_rcvd = t->fin_seen = false;
    t->fin_coalesced = t->fin_consumed = false;
    t->raddr = *remote;
    t->rport = rport;
    if (!t->in_binds || ipaddr_is_any(&t->laddr))
        t->laddr = src;
    int rc;
    if (!t->in_binds) {
        rc = tcp_autobind_connect(t);
        if (rc)
            return rc;
        rc = tcp_hash_conn(t);
    } else {
        rc = tcp_hash_conn(t);
        if (rc)
            rc = -EADDRNOTAVAIL; /* Linux __inet_check_established */
    }
    if (rc) {
        if (!t->user_bound)
            tcp_unbind(t);
        return rc;
    }
    t->pmtu = (uint16_t)(mtu ? mtu : 1500);
    t->ws_ok = t->sack_ok = t->ts_ok = false;
    t->rcv_wscale = s->cfg.no_wscale ? 0 : tcp_pick_wscale(s);
    t->ts_offset = isn_ts_offset(&s->hash_key, &t->laddr, &t->raddr);
    tcp_init_send_seq(t, isn_generate(&s->hash_key, &t->laddr, t->lport, &t->raddr, rport, now));
    t->retransmits = 0;
    tcp_update_mss(t);
    cc_init(&t->cc, t->cc_ops, t->mss, now);
    tcp_set_state(t, TCP_SYN_SENT);
    STAT_INC(s, TCP_ACTIVE_OPENS);
    tcp_send_syn(t, now);
    return 0;
}

/* Linux sk_acceptq_is_full: `>` against the backlog, so backlog 0 still
 * admits one connection. */
static bool tcp_acceptq_full(const struct tcb *l)
{
    return l->accq_len > l->backlog;
}

int tcp_listen(struct tcb *t, int backlog)
{
    uint32_t max = t->s->cfg.somaxconn ? t->s->cfg.somaxconn : 4096;
    if (t->state != TCP_CLOSE && t->state != TCP_LISTEN)
        return -EINVAL;
    /* Linux: (unsigned)backlog > somaxconn -> somaxconn (so negative too). */
    t->backlog = (uint32_t)backlog > max ? max : (uint32_t)backlog;
    if (t->state == TCP_LISTEN)
        return 0;
    if (!t->in_binds) {
        int rc = tcp_autobind(t);
        if (rc)
            return rc;
    }
    if (tcp_listen_conflict(t))
        return -EADDRINUSE;
    t->err = 0;
    t->shutdown = 0;
    tcp_listen_hash(t);
    tcp_set_state(t, TCP_LISTEN);
    return 0;
}

int tcp_accept(struct tcb *l, struct tcb **child)
{
    if (l->state != TCP_LISTEN)
        return -EINVAL;
    struct tcb *c = l->accq_head;
    if (!c)
        return -EAGAIN;
    tcp_child_unlink(c);
    c->owner = NULL;
    c->on_event = NULL;
    *child = c;
    return 0;
}

/* ---- queues ---- */

static void tcp_q_remove(struct tcb **head, struct tcb **tail, struct tcb *c)
{
    if (c->q_prev)
        c->q_prev->q_next = c->q_next;
    else
        *head = c->q_next;
    if (c->q_next)
        c->q_next->q_prev = c->q_prev;
    else if (tail)
        *tail = c->q_prev;
    c->q_next = c->q_prev = NULL;
}

void tcp_child_unlink(struct tcb *c)
{
    struct tcb *l = c->parent;
    if (!l)
        return;
    if (c->q_accept) {
        tcp_q_remove(&l->accq_head, &l->accq_tail, c);
        l->accq_len--;
    } else {
        tcp_q_remove(&l->synq_head, NULL, c);
        l->synq_len--;
    }
    c->parent = NULL;
    c->q_accept = false;
}

bool tcp_child_established(struct tcb *c)
{
    struct tcb *l = c->parent;
    if (!l)
        return true;
    if (tcp_acceptq_full(l))
        return false;
    tcp_q_remove(&l->synq_head, NULL, c);
    l->synq_len--;
    c->q_accept = true;
    c->q_prev = l->accq_tail;
    c->q_next = NULL;
    if (l->accq_tail)
        l->accq_tail->q_next = c;
    else
        l->accq_head = c;
    l->accq_tail = c;
    l->accq_len++;
    STAT_INC(c->s, TCP_PASSIVE_OPENS);
    tcp_notify(l, TCP_EV_ACCEPT | TCP_EV_READABLE);
    return true;
}

/* Linux inet_csk_listen_stop: established children not accepted are reset
 * (tcp_disconnect); half-open ones just vanish (their next segment finds
 * no listener and is answered with a RST). */
void tcp_listener_stop(struct tcb *l, sg_time now)
{
    while (l->accq_head) {
        struct tcb *c = l->accq_head;
        tcp_child_unlink(c);
        if (tcp_synced(c) && c->state != TCP_TIME_WAIT && c->state != TCP_CLOSE)
            tcp_send_active_reset(c, now);
        c->released = true;
        if (c->state != TCP_CLOSE)
            tcp_set_state(c, TCP_CLOSE);
        tcp_kill(c);
    }
    while (l->synq_head) {
        struct tcb *c = l->synq_head;
        tcp_child_unlink(c);
        c->released = true;
        tcp_set_state(c, TCP_CLOSE);
        tcp_kill(c);
    }
}

/* ---- passive open (RFC 9293 §3.10.7.2) ---- */

/* A child inherits its listener's socket options (Linux sk_clone_lock). */
static void tcp_inherit(struct tcb *c, const struct tcb *l)
{
    c->nodelay = l->nodelay;
    c->cork = l->cork;
    c->keepalive = l->keepalive;
    c->keep_idle = l->keep_idle;
    c->keep_intvl = l->keep_intvl;
    c->keep_cnt = l->keep_cnt;
    c->linger = l->linger;
    c->linger_sec = l->linger_sec;
    c->linger2 = l->linger2;
    c->oobinline = l->oobinline;
    c->reuseaddr = l->reuseaddr;
    c->reuseport = l->reuseport;
    c->user_mss = l->user_mss;
    c->user_timeout = l->user_timeout;
    c->window_clamp = l->window_clamp;
    c->cc_ops = l->cc_ops;
    c->sndbuf_locked = l->sndbuf_locked;
    c->rcvbuf_locked = l->rcvbuf_locked;
    ring_set_limit(&c->sndbuf, l->sndbuf.limit);
    ring_set_limit(&c->rcvbuf, l->rcvbuf.limit);
    c->ttl = l->ttl;
    c->tos = l->tos;
}

void tcp_listen_input(struct tcb *l, struct tcp_seg *seg, uint32_t isn, sg_time now)
{
    struct stack *s = l->s;
    uint8_t f = seg->h.flags;
    /* "first check for an RST: An incoming RST should be ignored." */
    if (f & TCP_RST)
        return;
    /* "second check for an ACK: Any acknowledgment is bad if it arrives on
     * a connection still in the LISTEN state. An acceptable reset segment
     * should be formed for any arriving ACK-bearing segment." */
    if (f & TCP_ACK) {
        tcp_send_reset_reply(s, seg, now);
        return;
    }
    /* "third check for a SYN"; anything else is dropped. Linux drops
     * SYN+FIN. */
    if (!(f & TCP_SYN) || (f & TCP_FIN))
        return;
    if (tcp_acceptq_full(l)) {
        STAT_INC(s, TCP_LISTEN_OVERFLOWS);
        return;
    }
    uint32_t synq_max = l->backlog ? l->backlog : 1;
    if (l->synq_len >= synq_max) {
        STAT_INC(s, TCP_LISTEN_DROPS);
        return;
    }
    struct tcb *c = tcb_alloc(s);
    if (!c) {
        STAT_INC(s, TCP_LISTEN_DROPS);
        return;
    }
    tcp_inherit(c, l);
    c->laddr = seg->dst;
    c->lport = l->lport;
    c->raddr = seg->src;
    c->rport = seg->h.sport;
    c->passive = true;
    struct ipaddr src;
    uint32_t mtu = 0;
    if (ip_route_lookup(s, &c->raddr, &src, &mtu) == 0 && mtu)
        c->pmtu = (uint16_t)mtu;
    if (tcp_hash_conn(c)) {
        tcb_free(c);
        STAT_INC(s, TCP_LISTEN_DROPS);
        return;
    }
    tcp_bind_insert(c, &c->laddr, c->lport, TCP_BIND_FORCE);
    if (!isn)
        isn = isn_generate(&s->hash_key, &c->laddr, c->lport, &c->raddr, c->rport, now);
    tcp_init_send_seq(c, isn);
    /* "Set RCV.NXT to SEG.SEQ+1, IRS is set to SEG.SEQ" (any data in the
     * SYN is not kept, as Linux does without Fast Open). */
    tcp_init_recv_seq(c, seg->h.seq);
    c->ts_offset = isn_ts_offset(&s->hash_key, &c->laddr, &c->raddr);
    c->rcv_wscale = 0;
    tcp_negotiate(c, &seg->h, now);
    /* RFC 7323 §2.2: the SYN's window is not scaled. */
    c->snd_wnd = seg->h.win;
    c->max_snd_wnd = c->snd_wnd;
    c->snd_wl1 = c->irs;
    c->snd_wl2 = c->iss;
    tcp_init_transfer(c, now);
    c->state = TCP_SYN_RECV;
    c->last_rcv = now;
    /* SYN queue */
    c->parent = l;
    c->q_accept = false;
    c->q_prev = NULL;
    c->q_next = l->synq_head;
    if (l->synq_head)
        l->synq_head->q_prev = c;
    l->synq_head = c;
    l->synq_len++;
    /* "<SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK>" */
    tcp_send_syn(c, now);
}

/* SYN_SENT and a SYN arrived (SYN-ACK or simultaneous open): receive
 * sequence space and options from it. */
void tcp_active_init(struct tcb *t, const struct tcp_seg *seg, sg_time now)
{
    tcp_init_recv_seq(t, seg->h.seq);
    tcp_negotiate(t, &seg->h, now);
    t->snd_wnd = seg->h.win; /* unscaled in a SYN (RFC 7323 §2.2) */
    t->max_snd_wnd = t->snd_wnd;
    t->snd_wl1 = t->irs;
    tcp_init_transfer(t, now);
}

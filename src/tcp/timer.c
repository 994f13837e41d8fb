/* TCP timers, on the stack's timer wheel (three per connection):
 *   t_rtx    retransmission (RFC 6298; SYN and SYN-ACK retries) or persist
 *            (zero-window probes, RFC 9293 §3.8.6.1), by t->rtx_kind
 *   t_delack delayed ACK (RFC 9293 §3.8.6.3, RFC 1122 §4.2.3.2: < 0.5 s;
 *            cfg.delack_min_ms, 40 ms as Linux)
 *   t_keep   keepalive (RFC 1122 §4.2.3.6), orphan FIN_WAIT_2 timeout,
 *            TIME_WAIT 2*MSL (RFC 9293 §3.6.1), by t->keep_kind
 * Callbacks may end a connection; an orphan is then freed before the
 * callback returns (the wheel has unlinked the firing timer already).
 */
#include "tcp/tcb.h"
#include <errno.h>

static sg_time tcp_rto_max(const struct tcb *t)
{
    return t->rtt.rto_max;
}

static void tcp_rtx_fire(struct timer *tm, sg_time now);
static void tcp_delack_fire(struct timer *tm, sg_time now);
static void tcp_keep_fire(struct timer *tm, sg_time now);

void tcp_timers_init(struct tcb *t)
{
    timer_init(&t->t_rtx, tcp_rtx_fire);
    timer_init(&t->t_delack, tcp_delack_fire);
    timer_init(&t->t_keep, tcp_keep_fire);
}

void tcp_timers_stop(struct tcb *t)
{
    struct timerwheel *w = &t->s->timers;
    tw_cancel(w, &t->t_rtx);
    tw_cancel(w, &t->t_delack);
    tw_cancel(w, &t->t_keep);
    t->rtx_kind = TCP_RTX_NONE;
    t->keep_kind = TCP_KT_NONE;
}

void tcp_arm_rto(struct tcb *t, sg_time now)
{
    t->rtx_kind = TCP_RTX_RTO;
    tw_arm(&t->s->timers, &t->t_rtx, now + rtt_rto(&t->rtt));
}

void tcp_arm_rto_if_idle(struct tcb *t, sg_time now)
{
    if (!timer_armed(&t->t_rtx) || t->rtx_kind != TCP_RTX_RTO)
        tcp_arm_rto(t, now);
}

void tcp_stop_rto(struct tcb *t)
{
    if (t->rtx_kind == TCP_RTX_RTO) {
        tw_cancel(&t->s->timers, &t->t_rtx);
        t->rtx_kind = TCP_RTX_NONE;
    }
}

/* Persist interval: the RTO, doubled per probe (Linux tcp_probe0_when:
 * the backoff grows even while the peer answers with a zero window, and
 * restarts once data flows again), at most rto_max. */
void tcp_arm_persist(struct tcb *t, sg_time now)
{
    sg_time when = rtt_rto(&t->rtt);
    uint32_t sh = t->probe_backoff < 16 ? t->probe_backoff : 16;
    when = when << sh;
    if (when > tcp_rto_max(t) || when == 0)
        when = tcp_rto_max(t);
    t->rtx_kind = TCP_RTX_PROBE;
    tw_arm(&t->s->timers, &t->t_rtx, now + when);
}

void tcp_arm_delack(struct tcb *t, sg_time now)
{
    if (timer_armed(&t->t_delack))
        return;
    uint32_t ms = t->s->cfg.delack_min_ms ? t->s->cfg.delack_min_ms : 40;
    tw_arm(&t->s->timers, &t->t_delack, now + SG_MS(ms));
}

void tcp_stop_delack(struct tcb *t)
{
    tw_cancel(&t->s->timers, &t->t_delack);
}

void tcp_arm_keepalive(struct tcb *t, sg_time now)
{
    if (!t->keepalive || t->keep_kind == TCP_KT_TIME_WAIT || t->keep_kind == TCP_KT_FIN_WAIT2)
        return;
    switch (t->state) {
    case TCP_ESTABLISHED:
    case TCP_CLOSE_WAIT:
    case TCP_FIN_WAIT1:
    case TCP_FIN_WAIT2:
    case TCP_CLOSING:
    case TCP_LAST_ACK:
        break;
    default:
        return;
    }
    t->keep_kind = TCP_KT_KEEPALIVE;
    sg_time base = t->last_rcv ? t->last_rcv : now;
    sg_time when = base + t->keep_idle;
    if (when <= now)
        when = now + SG_MS(1);
    tw_arm(&t->s->timers, &t->t_keep, when);
}

/* RFC 9293 §3.6.1: TIME-WAIT lasts 2*MSL. The send side is done; the
 * receive ring is kept for an owner that has not read everything yet. */
void tcp_enter_time_wait(struct tcb *t, sg_time now)
{
    struct timerwheel *w = &t->s->timers;
    tw_cancel(w, &t->t_rtx);
    tw_cancel(w, &t->t_delack);
    t->rtx_kind = TCP_RTX_NONE;
    tcp_set_state(t, TCP_TIME_WAIT);
    t->shutdown = TCP_SHUT_BOTH;
    ring_free(&t->sndbuf);
    reass_free(&t->reass);
    sack_free(&t->sb);
    uint32_t msl = t->s->cfg.msl_ms ? t->s->cfg.msl_ms : 30000;
    t->keep_kind = TCP_KT_TIME_WAIT;
    tw_arm(w, &t->t_keep, now + 2 * SG_MS(msl));
    tcp_notify(t, TCP_EV_HUP | TCP_EV_READABLE | TCP_EV_WRITABLE);
}

/* An orphan in FIN_WAIT_2 waits for the peer's FIN at most TCP_LINGER2
 * (Linux tcp_fin_timeout, 60 s), then goes away silently. */
void tcp_arm_fin_wait2(struct tcb *t, sg_time now)
{
    if (t->linger2 < 0) { /* TCP_LINGER2 < 0: no wait, reset (Linux) */
        tcp_send_active_reset(t, now);
        tcp_done(t);
        return;
    }
    sg_time tmo = t->linger2 > 0 ? SG_SEC(t->linger2) : TCP_FIN_TIMEOUT;
    t->keep_kind = TCP_KT_FIN_WAIT2;
    tw_arm(&t->s->timers, &t->t_keep, now + tmo);
}

/* ---- callbacks ---- */

static void tcp_rto_fire(struct tcb *t, sg_time now)
{
    const struct sg_config *cfg = &t->s->cfg;
    switch (t->state) {
    case TCP_SYN_SENT: {
        uint32_t limit = t->syn_retries ? (uint32_t)t->syn_retries : cfg->syn_retries;
        if (t->retransmits >= limit) {
            tcp_fail(t, t->soft_err ? t->soft_err : ETIMEDOUT);
            return;
        }
        STAT_INC(t->s, TCP_RTO_TIMEOUTS);
        t->retransmits++;
        rtt_backoff(&t->rtt);
        tcp_send_syn(t, now);
        tcp_arm_rto(t, now);
        return;
    }
    case TCP_SYN_RECV:
        if (t->retransmits >= (t->passive ? TCP_SYNACK_RETRIES : cfg->syn_retries)) {
            if (t->passive) {
                tcp_set_state(t, TCP_CLOSE);
                tcp_kill(t);
            } else {
                tcp_fail(t, t->soft_err ? t->soft_err : ETIMEDOUT);
            }
            return;
        }
        STAT_INC(t->s, TCP_RTO_TIMEOUTS);
        t->retransmits++;
        rtt_backoff(&t->rtt);
        tcp_send_syn(t, now);
        tcp_arm_rto(t, now);
        return;
    case TCP_ESTABLISHED:
    case TCP_CLOSE_WAIT:
    case TCP_FIN_WAIT1:
    case TCP_CLOSING:
    case TCP_LAST_ACK:
        break;
    default:
        return;
    }
    if (t->snd_una == t->snd_nxt)
        return;
    /* Give up after retries2 timeouts (RFC 1122 §4.2.3.5 R2; Linux
     * tcp_retries2, counted in timeouts rather than Linux's equivalent
     * time), or after TCP_USER_TIMEOUT (RFC 5482). An orphan gets 8
     * (Linux tcp_orphan_retries = 0 means 8). */
    uint32_t limit = t->released ? 8u : cfg->retries2;
    if (!t->rto_first)
        t->rto_first = now;
    if (t->retransmits >= limit || (t->user_timeout && now - t->rto_first >= t->user_timeout)) {
        STAT_INC(t->s, TCP_ABORT_ON_TIMEOUT);
        tcp_fail(t, t->soft_err ? t->soft_err : ETIMEDOUT);
        return;
    }
    tcp_on_rto(t, now);
}

static void tcp_probe_fire(struct tcb *t, sg_time now)
{
    if (t->snd_una != t->snd_nxt) {
        tcp_arm_rto(t, now); /* data in flight: the RTO owns the timer */
        return;
    }
    bool pending = t->snd_nxt < tcp_write_seq(t) || (t->fin_queued && !tcp_fin_sent(t));
    if (!pending)
        return;
    uint32_t max = t->released ? 8u : t->s->cfg.retries2;
    if (t->probes >= max ||
        (t->user_timeout && t->rto_first && now - t->rto_first >= t->user_timeout)) {
        STAT_INC(t->s, TCP_ABORT_ON_TIMEOUT);
        tcp_fail(t, t->soft_err ? t->soft_err : ETIMEDOUT);
        return;
    }
    if (!t->rto_first)
        t->rto_first = now;
    t->probes++;
    t->probe_backoff++;
    tcp_send_probe(t, now);
    if (t->snd_nxt > t->snd_una)
        tcp_arm_rto(t, now);
    else
        tcp_arm_persist(t, now);
}

static void tcp_rtx_fire(struct timer *tm, sg_time now)
{
    struct tcb *t = container_of(tm, struct tcb, t_rtx);
    struct tcp_stack *ts = t->ts;
    int kind = t->rtx_kind;
    t->rtx_kind = TCP_RTX_NONE;
    if (kind == TCP_RTX_RTO)
        tcp_rto_fire(t, now);
    else if (kind == TCP_RTX_PROBE)
        tcp_probe_fire(t, now);
    tcp_reap(ts);
}

static void tcp_delack_fire(struct timer *tm, sg_time now)
{
    struct tcb *t = container_of(tm, struct tcb, t_delack);
    if (!t->ack_pending)
        return;
    STAT_INC(t->s, TCP_DELAYED_ACKS);
    tcp_send_ack(t, now);
}

static void tcp_keepalive_fire(struct tcb *t, sg_time now)
{
    if (!t->keepalive)
        return;
    bool busy = t->snd_una != t->snd_nxt || t->snd_nxt < tcp_write_seq(t);
    if (busy) {
        tcp_arm_keepalive(t, now); /* Linux: no probes while data is out */
        return;
    }
    if (now - t->last_rcv < t->keep_idle) {
        tcp_arm_keepalive(t, now);
        return;
    }
    if (t->keep_probes >= t->keep_cnt ||
        (t->user_timeout && t->keep_probes && now - t->last_rcv >= t->user_timeout)) {
        STAT_INC(t->s, TCP_KEEPALIVE_TIMEOUTS);
        tcp_send_active_reset(t, now);
        tcp_fail(t, t->soft_err ? t->soft_err : ETIMEDOUT);
        return;
    }
    tcp_send_keepalive(t, now);
    t->keep_probes++;
    t->keep_kind = TCP_KT_KEEPALIVE;
    tw_arm(&t->s->timers, &t->t_keep, now + t->keep_intvl);
}

static void tcp_keep_fire(struct timer *tm, sg_time now)
{
    struct tcb *t = container_of(tm, struct tcb, t_keep);
    struct tcp_stack *ts = t->ts;
    int kind = t->keep_kind;
    t->keep_kind = TCP_KT_NONE;
    switch (kind) {
    case TCP_KT_KEEPALIVE:
        tcp_keepalive_fire(t, now);
        break;
    case TCP_KT_FIN_WAIT2:
        if (t->state == TCP_FIN_WAIT2)
            tcp_done(t);
        break;
    case TCP_KT_TIME_WAIT:
        if (t->state == TCP_TIME_WAIT)
            tcp_done(t);
        break;
    default:
        break;
    }
    tcp_reap(ts);
}

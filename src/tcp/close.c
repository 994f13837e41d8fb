/* Ending connections: shutdown, close, abort (RFC 9293 §3.10.4-3.10.5,
 * Linux __tcp_close / tcp_shutdown / tcp_disconnect), resets received
 * (§3.10.7.4 second step), fatal errors, and giving a handle back.
 */
#include "tcp/tcb.h"
#include <errno.h>

static void tcp_purge_send(struct tcb *t)
{
    t->snd_buf_seq += ring_len(&t->sndbuf);
    ring_free(&t->sndbuf);
    sack_free(&t->sb);
}

static void tcp_purge_recv(struct tcb *t)
{
    t->copied_seq += ring_len(&t->rcvbuf);
    ring_free(&t->rcvbuf);
    reass_free(&t->reass);
}

/* Linux tcp_done: the connection is over. The receive ring is kept for an
 * owner (R27: data received before a reset can still be read). */
void tcp_done(struct tcb *t)
{
    int old = t->state;
    tcp_set_state(t, TCP_CLOSE);
    tcp_timers_stop(t);
    t->shutdown = TCP_SHUT_BOTH;
    t->ack_pending = t->ack_now = false;
    tcp_purge_send(t);
    reass_free(&t->reass);
    tcp_unhash_conn(t);
    /* Linux tcp_set_state(TCP_CLOSE): an automatically bound port is
     * released; one bound by the user stays bound. */
    if (!t->user_bound)
        tcp_unbind(t);
    if (t->parent && !t->q_accept) {
        tcp_kill(t); /* a half-open child dies with its attempt */
        return;
    }
    if (old != TCP_CLOSE)
        tcp_notify(t, TCP_EV_HUP | TCP_EV_READABLE | TCP_EV_WRITABLE | TCP_EV_URGENT);
    if (t->released)
        tcp_kill(t);
}

void tcp_fail(struct tcb *t, int err)
{
    if (t->passive && t->state == TCP_SYN_RECV) {
        tcp_done(t);
        return;
    }
    t->err = err;
    tcp_notify(t, TCP_EV_ERROR);
    tcp_done(t);
}

/* RFC 9293 §3.10.7.4, RST in a synchronised state; Linux tcp_reset for
 * the errno: ECONNREFUSED in SYN_SENT, EPIPE in CLOSE_WAIT, ECONNRESET
 * otherwise. A passive child in SYN_RECEIVED "returns to LISTEN": it is
 * just dropped. A TIME_WAIT connection is assassinated silently (Linux
 * with tcp_rfc1337 = 0). */
void tcp_reset_received(struct tcb *t)
{
    STAT_INC(t->s, TCP_IN_RSTS);
    switch (t->state) {
    case TCP_SYN_SENT:
        tcp_fail(t, ECONNREFUSED);
        break;
    case TCP_SYN_RECV:
        tcp_fail(t, t->passive ? ECONNRESET : ECONNREFUSED);
        break;
    case TCP_CLOSE_WAIT:
        tcp_fail(t, EPIPE);
        break;
    case TCP_TIME_WAIT:
        tcp_done(t);
        break;
    default:
        tcp_fail(t, ECONNRESET);
        break;
    }
}

/* Linux tcp_close_state + tcp_send_fin: ESTABLISHED and SYN_RECEIVED go to
 * FIN_WAIT_1, CLOSE_WAIT to LAST_ACK; the FIN follows the queued data
 * (RFC 9293 §3.10.4: "Queue this until all preceding SENDs have been
 * segmentized, then form a FIN segment and send it"). */
void tcp_send_fin(struct tcb *t, sg_time now)
{
    if (t->fin_queued)
        return;
    switch (t->state) {
    case TCP_ESTABLISHED:
    case TCP_SYN_RECV:
        tcp_set_state(t, TCP_FIN_WAIT1);
        break;
    case TCP_CLOSE_WAIT:
        tcp_set_state(t, TCP_LAST_ACK);
        break;
    default:
        return;
    }
    t->fin_queued = true;
    tcp_output(t, now);
}

static bool tcp_need_reset(int state)
{
    return state == TCP_ESTABLISHED || state == TCP_CLOSE_WAIT || state == TCP_FIN_WAIT1 ||
           state == TCP_FIN_WAIT2 || state == TCP_SYN_RECV;
}

/* Linux tcp_disconnect: back to a fresh CLOSE state that may connect or
 * listen again; a synchronised connection is reset. */
static void tcp_disconnect(struct tcb *t, sg_time now)
{
    int old = t->state;
    if (old == TCP_LISTEN) {
        tcp_listener_stop(t, now);
        tcp_listen_unhash(t);
    } else if (tcp_need_reset(old) ||
               ((old == TCP_CLOSING || old == TCP_LAST_ACK) && t->snd_nxt != tcp_write_seq(t))) {
        tcp_send_active_reset(t, now);
        t->err = ECONNRESET;
    } else if (old == TCP_SYN_SENT) {
        t->err = ECONNRESET;
    }
    if (old != TCP_CLOSE && old != TCP_LISTEN)
        tcp_done(t);
    else
        tcp_set_state(t, TCP_CLOSE);
    tcp_timers_stop(t);
    tcp_purge_recv(t);
    tcp_purge_send(t);
    urg_reset(t);
    t->shutdown = 0;
    t->done = false;
    t->fin_queued = t->fin_rcvd = t->fin_seen = false;
    t->fin_coalesced = t->fin_consumed = false;
    t->ts_ok = t->sack_ok = t->ws_ok = false;
    t->ts_recent_valid = false;
    t->dsack_pending = false;
    t->ca_state = TCP_CAS_OPEN;
    t->dupacks = t->retransmits = t->probes = t->keep_probes = 0;
    t->rtt_timing = false;
    rtt_init(&t->rtt, t->rtt.rto_min, t->rtt.rto_max, t->rtt.rto_initial, t->rtt.flags);
    if (t->err)
        tcp_notify(t, TCP_EV_ERROR);
}

void tcp_abort(struct tcb *t, sg_time now)
{
    tcp_disconnect(t, now);
    tcp_reap(t->ts);
}

int tcp_shutdown(struct tcb *t, int how, sg_time now)
{
    if (how < SHUT_RD || how > SHUT_RDWR)
        return -EINVAL;
    uint8_t mask = (uint8_t)(how + 1); /* Linux: SHUT_RD -> RCV_SHUTDOWN ... */
    int err = 0;
    switch (tcp_state(t)) { /* the socket's view: TIME_WAIT is CLOSE */
    case TCP_LISTEN:
        if (mask & TCP_SHUT_RCV)
            tcp_disconnect(t, now);
        break;
    case TCP_SYN_SENT:
        tcp_disconnect(t, now);
        break;
    case TCP_CLOSE:
        err = -ENOTCONN;
        t->shutdown |= mask;
        break;
    default:
        t->shutdown |= mask;
        if (mask & TCP_SHUT_SEND)
            tcp_send_fin(t, now);
        break;
    }
    tcp_notify(t, TCP_EV_READABLE | TCP_EV_WRITABLE | TCP_EV_HUP);
    tcp_reap(t->ts);
    return err;
}

void tcp_close(struct tcb *t, sg_time now)
{
    struct stack *s = t->s;
    t->shutdown = TCP_SHUT_BOTH;
    if (t->state == TCP_LISTEN) {
        tcp_listener_stop(t, now);
        tcp_listen_unhash(t);
        tcp_set_state(t, TCP_CLOSE);
        goto out;
    }
    /* R25 / RFC 9293 §3.10.4 + RFC 1122 §4.2.2.13: unread data (the
     * urgent byte counts, even after MSG_OOB fetched it) means a reset. */
    bool unread = ring_len(&t->rcvbuf) > 0;
    tcp_purge_recv(t);
    /* TIME_WAIT goes on by itself (for the socket it is already over). */
    if (t->state == TCP_CLOSE || t->state == TCP_TIME_WAIT)
        goto out;
    if (unread) {
        if (tcp_synced(t))
            tcp_send_active_reset(t, now);
        STAT_INC(s, TCP_ABORT_ON_CLOSE);
        tcp_done(t);
    } else if (t->linger && t->linger_sec == 0) {
        STAT_INC(s, TCP_ABORT_ON_LINGER);
        tcp_disconnect(t, now);
    } else if (t->state == TCP_SYN_SENT) {
        tcp_done(t);
    } else {
        tcp_send_fin(t, now);
    }
out:
    tcp_notify(t, TCP_EV_READABLE | TCP_EV_WRITABLE | TCP_EV_HUP);
    tcp_reap(t->ts);
}

void tcp_release(struct tcb *t, sg_time now)
{
    if (t->released)
        return;
    struct tcp_stack *ts = t->ts;
    if (t->shutdown != TCP_SHUT_BOTH || t->state == TCP_LISTEN || ring_len(&t->rcvbuf))
        tcp_close(t, now);
    t->released = true;
    t->owner = NULL;
    t->on_event = NULL;
    switch (t->state) {
    case TCP_CLOSE:
        tcp_kill(t);
        break;
    case TCP_FIN_WAIT2:
        if (t->keep_kind != TCP_KT_FIN_WAIT2)
            tcp_arm_fin_wait2(t, now);
        break;
    default:
        break;
    }
    tcp_reap(ts);
}

bool tcp_linger_done(const struct tcb *t)
{
    return t->state != TCP_FIN_WAIT1 && t->state != TCP_CLOSING && t->state != TCP_LAST_ACK;
}

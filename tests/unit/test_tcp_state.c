/* TCP state machine (RFC 9293 §3.3.2, §3.10.7): every transition, RST and
 * SYN in each state, driven by hand-built segments. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include "tcp_harness.h"

static struct tcp_repr full_synack_opts(void)
{
    struct tcp_repr r = th_seg(0, 0, 0, 0, 0, 65535);
    r.has_mss = true;
    r.mss = 1460;
    r.has_wscale = true;
    r.wscale = 7;
    r.sack_perm = true;
    r.has_ts = true;
    r.ts_val = 5000;
    return r;
}

static void established(struct th *th, struct th_conn *c)
{
    struct tcp_repr o = full_synack_opts();
    th_connect(th, c, 1000000, &o);
    assert_int_equal(tcp_state(c->t), TCP_ESTABLISHED);
    th_clear(th);
}

/* ---- opening ---- */

static void test_active_open_sends_syn_with_options_and_establishes(void **st)
{
    (void)st;
    struct th th;
    th_init(&th);
    struct tcb *t = tcp_new(th.s, &th, th_on_event);
    assert_int_equal(tcp_connect(t, &th.remote, 80, th.now), 0);
    assert_int_equal(tcp_state(t), TCP_SYN_SENT);
    assert_int_equal(tcp_connect(t, &th.remote, 80, th.now), -EALREADY);
    struct th_seg *syn = th_pop(&th);
    assert_non_null(syn);
    assert_int_equal(syn->h.flags, TCP_SYN);
    assert_true(syn->h.has_mss);
    assert_int_equal(syn->h.mss, 1460);
    assert_true(syn->h.has_wscale);
    assert_int_equal(syn->h.wscale, 7);
    assert_true(syn->h.sack_perm);
    assert_true(syn->h.has_ts);
    assert_int_equal(syn->h.ts_ecr, 0);
    assert_int_equal(syn->h.dport, 80);
    assert_true(syn->h.sport >= 32768 && syn->h.sport <= 60999);
    assert_int_equal(th_stat(&th, SG_C_TCP_ACTIVE_OPENS), 1);
    /* SYN-ACK */
    struct tcp_repr r = full_synack_opts();
    r.sport = 80;
    r.dport = syn->h.sport;
    r.seq = 7777;
    r.ack = syn->h.seq + 1;
    r.flags = TCP_SYN | TCP_ACK;
    r.ts_ecr = syn->h.ts_val;
    th_inject(&th, &r, NULL, 0);
    assert_int_equal(tcp_state(t), TCP_ESTABLISHED);
    assert_true(th.events & TCP_EV_CONNECTED);
    struct th_seg *ack = th_pop(&th);
    assert_non_null(ack);
    assert_int_equal(ack->h.flags, TCP_ACK);
    assert_int_equal(ack->h.seq, syn->h.seq + 1);
    assert_int_equal(ack->h.ack, 7778);
    assert_true(ack->h.has_ts);
    assert_int_equal(ack->h.ts_ecr, 5000);
    assert_int_equal(tcp_connect(t, &th.remote, 80, th.now), -EISCONN);
    struct tcp_info info;
    tcp_get_info(t, &info, th.now);
    assert_int_equal(info.tcpi_state, TCP_ESTABLISHED);
    assert_int_equal(info.tcpi_snd_wscale, 7);
    assert_int_equal(info.tcpi_rcv_wscale, 7);
    assert_int_equal(info.tcpi_snd_mss, 1448);
    tcp_abort(t, th.now);
    tcp_release(t, th.now);
    th_free(&th);
}

static void test_passive_open_accept(void **st)
{
    (void)st;
    struct th th;
    th_init(&th);
    struct tcb *l = tcp_new(th.s, &th, th_on_event);
    assert_int_equal(tcp_bind(l, &(struct ipaddr){{0}}, 80), 0);
    assert_int_equal(tcp_listen(l, 5), 0);
    assert_int_equal(tcp_state(l), TCP_LISTEN);
    struct tcb *c = NULL;
    assert_int_equal(tcp_accept(l, &c), -EAGAIN);
    struct tcp_repr syn = th_seg(40000, 80, 123, 0, TCP_SYN, 29200);
    syn.has_mss = true;
    syn.mss = 1400;
    th_inject(&th, &syn, NULL, 0);
    struct th_seg *sa = th_pop(&th);
    assert_non_null(sa);
    assert_int_equal(sa->h.flags, TCP_SYN | TCP_ACK);
    assert_int_equal(sa->h.ack, 124);
    assert_false(sa->h.has_ts); /* not offered by the peer */
    assert_false(sa->h.sack_perm);
    assert_false(sa->h.has_wscale);
    assert_int_equal(tcp_accept(l, &c), -EAGAIN);
    struct tcp_repr ack = th_seg(40000, 80, 124, sa->h.seq + 1, TCP_ACK, 29200);
    th_inject(&th, &ack, NULL, 0);
    assert_true(th.events & TCP_EV_ACCEPT);
    assert_int_equal(tcp_poll_mask(l) & POLLIN, POLLIN);
    assert_int_equal(tcp_accept(l, &c), 0);
    assert_int_equal(tcp_state(c), TCP_ESTABLISHED);
    assert_int_equal(th_stat(&th, SG_C_TCP_PASSIVE_OPENS), 1);
    struct tcp_info info;
    tcp_get_info(c, &info, th.now);
    assert_int_equal(info.tcpi_snd_mss, 1400);
    struct ipaddr a;
    uint16_t p;
    assert_int_equal(tcp_remote(c, &a, &p), 0);
    assert_int_equal(p, 40000);
    tcp_release(c, th.now); /* FIN */
    tcp_release(l, th.now);
    th_free(&th);
}

static void test_simultaneous_open(void **st)
{
    (void)st;
    struct th th;
    th_init(&th);
    struct tcb *t = tcp_new(th.s, &th, th_on_event);
    tcp_connect(t, &th.remote, 80, th.now);
    struct th_seg *syn = th_pop(&th);
    /* The peer's own SYN crosses ours. */
    struct tcp_repr r = th_seg(80, syn->h.sport, 5000, 0, TCP_SYN, 65535);
    th_inject(&th, &r, NULL, 0);
    assert_int_equal(tcp_state(t), TCP_SYN_RECV);
    struct th_seg *sa = th_pop(&th);
    assert_non_null(sa);
    assert_int_equal(sa->h.flags, TCP_SYN | TCP_ACK);
    assert_int_equal(sa->h.seq, syn->h.seq); /* same ISS */
    assert_int_equal(sa->h.ack, 5001);
    /* ... and the peer's SYN,ACK for ours. */
    r = th_seg(80, syn->h.sport, 5000, syn->h.seq + 1, TCP_SYN | TCP_ACK, 65535);
    th_inject(&th, &r, NULL, 0);
    assert_int_equal(tcp_state(t), TCP_ESTABLISHED);
    assert_true(th.events & TCP_EV_CONNECTED);
    tcp_abort(t, th.now);
    tcp_release(t, th.now);
    th_free(&th);
}

/* ---- closing ---- */

static void test_active_close_to_time_wait(void **st)
{
    (void)st;
    struct th th;
    th_init(&th);
    struct th_conn c;
    established(&th, &c);
    tcp_close(c.t, th.now);
    assert_int_equal(tcp_state(c.t), TCP_FIN_WAIT1);
    struct th_seg *fin = th_pop(&th);
    assert_non_null(fin);
    assert_int_equal(fin->h.flags, TCP_FIN | TCP_ACK);
    assert_false(tcp_linger_done(c.t));
    c.peer_ack = fin->h.seq + 1;
    th_peer_send(&th, &c, TCP_ACK, NULL, 0);
    assert_int_equal(tcp_state(c.t), TCP_FIN_WAIT2);
    assert_true(tcp_linger_done(c.t));
    th_peer_send(&th, &c, TCP_FIN | TCP_ACK, NULL, 0);
    assert_int_equal(c.t->state, TCP_TIME_WAIT);
    assert_int_equal(tcp_state(c.t), TCP_CLOSE); /* the socket's view */
    struct th_seg *ack = th_pop(&th);
    assert_non_null(ack);
    assert_int_equal(ack->h.flags, TCP_ACK);
    assert_int_equal(ack->h.ack, c.peer_seq);
    /* A retransmitted FIN is acknowledged again. */
    c.peer_seq--;
    th_peer_send(&th, &c, TCP_FIN | TCP_ACK, NULL, 0);
    ack = th_pop(&th);
    assert_non_null(ack);
    assert_int_equal(ack->h.ack, c.peer_seq);
    struct tcb *t = c.t;
    tcp_release(t, th.now);
    assert_int_equal(t->ts->all, t); /* still there: TIME_WAIT */
    th_advance(&th, SG_SEC(59));
    assert_ptr_equal(tcp_stack_of(th.s)->all, t);
    th_advance(&th, SG_SEC(2));
    assert_null(tcp_stack_of(th.s)->all); /* 2*MSL = 60 s passed: gone */
    th_free(&th);
}

static void test_passive_close(void **st)
{
    (void)st;
    struct th th;
    th_init(&th);
    struct th_conn c;
    established(&th, &c);
    th_peer_send(&th, &c, TCP_FIN | TCP_ACK, NULL, 0);
    assert_int_equal(tcp_state(c.t), TCP_CLOSE_WAIT);
    assert_true(th.events & TCP_EV_HUP);
    struct th_seg *ack = th_pop(&th);
    assert_non_null(ack);
    assert_int_equal(ack->h.ack, c.peer_seq);
    char buf[8];
    struct iovec iov = {buf, sizeof buf};
    assert_int_equal(tcp_recv(c.t, &iov, 1, 0, NULL, th.now), 0); /* EOF */
    assert_true(tcp_poll_mask(c.t) & POLLRDHUP);
    tcp_close(c.t, th.now);
    assert_int_equal(tcp_state(c.t), TCP_LAST_ACK);
    struct th_seg *fin = th_pop(&th);
    assert_int_equal(fin->h.flags, TCP_FIN | TCP_ACK);
    c.peer_ack = fin->h.seq + 1;
    th_peer_send(&th, &c, TCP_ACK, NULL, 0);
    assert_int_equal(tcp_state(c.t), TCP_CLOSE);
    tcp_release(c.t, th.now);
    assert_null(tcp_stack_of(th.s)->all);
    th_free(&th);
}

static void test_simultaneous_close_closing(void **st)
{
    (void)st;
    struct th th;
    th_init(&th);
    struct th_conn c;
    established(&th, &c);
    tcp_close(c.t, th.now);
    struct th_seg *fin = th_pop(&th);
    /* The peer's FIN crosses ours: it does not acknowledge our FIN. */
    th_peer_send(&th, &c, TCP_FIN | TCP_ACK, NULL, 0);
    assert_int_equal(c.t->state, TCP_CLOSING);
    c.peer_ack = fin->h.seq + 1;
    th_peer_send(&th, &c, TCP_ACK, NULL, 0);
    assert_int_equal(c.t->state, TCP_TIME_WAIT);
    tcp_release(c.t, th.now);
    th_free(&th);
}

static void test_fin_wait1_fin_ack_goes_to_time_wait(void **st)
{
    (void)st;
    struct th th;
    th_init(&th);
    struct th_conn c;
    established(&th, &c);
    tcp_shutdown(c.t, SHUT_WR, th.now);
    struct th_seg *fin = th_pop(&th);
    c.peer_ack = fin->h.seq + 1;
    th_peer_send(&th, &c, TCP_FIN | TCP_ACK, NULL, 0);
    assert_int_equal(c.t->state, TCP_TIME_WAIT);
    tcp_release(c.t, th.now);
    th_free(&th);
}

static void test_half_close_keeps_receiving(void **st)
{
    (void)st;
    struct th th;
    th_init(&th);
    struct th_conn c;
    established(&th, &c);
    assert_int_equal(tcp_shutdown(c.t, SHUT_WR, th.now), 0);
    struct th_seg *fin = th_pop(&th);
    c.peer_ack = fin->h.seq + 1;
    th_peer_send(&th, &c, TCP_ACK, NULL, 0);
    assert_int_equal(tcp_state(c.t), TCP_FIN_WAIT2);
    struct iovec siov = {"x", 1};
    assert_int_equal(tcp_send(c.t, &siov, 1, 0, th.now), -EPIPE);
    th_peer_send(&th, &c, TCP_ACK | TCP_PSH, "hello", 5);
    char buf[16];
    struct iovec iov = {buf, sizeof buf};
    assert_int_equal(tcp_recv(c.t, &iov, 1, 0, NULL, th.now), 5);
    assert_memory_equal(buf, "hello", 5);
    th_peer_send(&th, &c, TCP_FIN | TCP_ACK, NULL, 0);
    assert_int_equal(c.t->state, TCP_TIME_WAIT);
    assert_int_equal(tcp_recv(c.t, &iov, 1, 0, NULL, th.now), 0);
    tcp_release(c.t, th.now);
    th_free(&th);
}

/* ---- RST in every state ---- */

static void test_rst_syn_sent(void **st)
{
    (void)st;
    struct th th;
    th_init(&th);
    struct tcb *t = tcp_new(th.s, &th, th_on_event);
    tcp_connect(t, &th.remote, 80, th.now);
    struct th_seg *syn = th_pop(&th);
    /* RST without ACK: dropped. */
    struct tcp_repr r = th_seg(80, syn->h.sport, 0, 0, TCP_RST, 0);
    th_inject(&th, &r, NULL, 0);
    assert_int_equal(tcp_state(t), TCP_SYN_SENT);
    /* RST with an unacceptable ACK: dropped. */
    r = th_seg(80, syn->h.sport, 0, syn->h.seq + 5, TCP_RST | TCP_ACK, 0);
    th_inject(&th, &r, NULL, 0);
    assert_int_equal(tcp_state(t), TCP_SYN_SENT);
    assert_int_equal(th_pending(&th), 0);
    /* Acceptable ACK: connection refused. */
    r = th_seg(80, syn->h.sport, 0, syn->h.seq + 1, TCP_RST | TCP_ACK, 0);
    th_inject(&th, &r, NULL, 0);
    assert_int_equal(tcp_state(t), TCP_CLOSE);
    assert_true(th.events & TCP_EV_ERROR);
    assert_true(tcp_poll_mask(t) & POLLERR);
    assert_int_equal(tcp_sock_error(t), ECONNREFUSED);
    assert_int_equal(tcp_sock_error(t), 0);
    assert_int_equal(th_stat(&th, SG_C_TCP_ATTEMPT_FAILS), 1);
    tcp_release(t, th.now);
    th_free(&th);
}

static void test_syn_sent_bad_ack_gets_rst(void **st)
{
    (void)st;
    struct th th;
    th_init(&th);
    struct tcb *t = tcp_new(th.s, &th, th_on_event);
    tcp_connect(t, &th.remote, 80, th.now);
    struct th_seg *syn = th_pop(&th);
    uint16_t lp = syn->h.sport;
    uint32_t iss = syn->h.seq;
    struct tcp_repr r = th_seg(80, lp, 900, iss + 100, TCP_SYN | TCP_ACK, 1000);
    th_inject(&th, &r, NULL, 0);
    struct th_seg *rst = th_pop(&th);
    assert_non_null(rst);
    assert_int_equal(rst->h.flags, TCP_RST);
    assert_int_equal(rst->h.seq, iss + 100);
    assert_int_equal(tcp_state(t), TCP_SYN_SENT);
    tcp_release(t, th.now);
    th_free(&th);
}

static void rst_in(struct th *th, struct th_conn *c, int expect_err)
{
    th_peer_send(th, c, TCP_RST, NULL, 0);
    assert_int_equal(tcp_state(c->t), TCP_CLOSE);
    assert_int_equal(tcp_sock_error(c->t), expect_err);
}

static void test_rst_established_exact_resets(void **st)
{
    (void)st;
    struct th th;
    th_init(&th);
    struct th_conn c;
    established(&th, &c);
    th_peer_send(&th, &c, TCP_ACK, "abc", 3);
    uint64_t rsts = th_stat(&th, SG_C_TCP_ESTAB_RESETS);
    rst_in(&th, &c, ECONNRESET);
    assert_int_equal(th_stat(&th, SG_C_TCP_ESTAB_RESETS), rsts + 1);
    assert_int_equal(th_stat(&th, SG_C_TCP_IN_RSTS), 1);
    /* R27: data received before the reset can still be read, then 0. */
    char buf[8];
    struct iovec iov = {buf, sizeof buf};
    assert_int_equal(tcp_recv(c.t, &iov, 1, 0, NULL, th.now), 3);
    assert_int_equal(tcp_recv(c.t, &iov, 1, 0, NULL, th.now), 0);
    struct iovec siov = {"x", 1};
    assert_int_equal(tcp_send(c.t, &siov, 1, 0, th.now), -EPIPE);
    tcp_release(c.t, th.now);
    th_free(&th);
}

static void test_rst_in_window_challenge_ack(void **st)
{
    (void)st;
    struct th th;
    th_init(&th);
    struct th_conn c;
    established(&th, &c);
    struct tcp_repr r = th_seg(c.rport, c.lport, c.peer_seq + 100, 0, TCP_RST, 0);
    th_inject(&th, &r, NULL, 0);
    assert_int_equal(tcp_state(c.t), TCP_ESTABLISHED);
    struct th_seg *a = th_pop(&th);
    assert_non_null(a);
    assert_int_equal(a->h.flags, TCP_ACK);
    assert_int_equal(a->h.ack, c.peer_seq);
    assert_int_equal(a->h.seq, c.peer_ack);
    assert_int_equal(th_stat(&th, SG_C_TCP_CHALLENGE_ACKS), 1);
    /* Out of window: silently dropped. */
    r = th_seg(c.rport, c.lport, c.peer_seq + 10000000, 0, TCP_RST, 0);
    th_inject(&th, &r, NULL, 0);
    assert_int_equal(tcp_state(c.t), TCP_ESTABLISHED);
    assert_int_equal(th_pending(&th), 0);
    tcp_abort(c.t, th.now);
    tcp_release(c.t, th.now);
    th_free(&th);
}

static void test_rst_close_wait_epipe(void **st)
{
    (void)st;
    struct th th;
    th_init(&th);
    struct th_conn c;
    established(&th, &c);
    th_peer_send(&th, &c, TCP_FIN | TCP_ACK, NULL, 0);
    assert_int_equal(tcp_state(c.t), TCP_CLOSE_WAIT);
    rst_in(&th, &c, EPIPE);
    tcp_release(c.t, th.now);
    th_free(&th);
}

static void test_rst_fin_wait_states(void **st)
{
    (void)st;
    for (int which = 0; which < 2; which++) {
        struct th th;
        th_init(&th);
        struct th_conn c;
        established(&th, &c);
        tcp_shutdown(c.t, SHUT_WR, th.now);
        struct th_seg *fin = th_pop(&th);
        if (which == 1) {
            c.peer_ack = fin->h.seq + 1;
            th_peer_send(&th, &c, TCP_ACK, NULL, 0);
            assert_int_equal(tcp_state(c.t), TCP_FIN_WAIT2);
        } else {
            assert_int_equal(tcp_state(c.t), TCP_FIN_WAIT1);
        }
        rst_in(&th, &c, ECONNRESET);
        tcp_release(c.t, th.now);
        th_free(&th);
    }
}

static void test_rst_closing_last_ack_time_wait(void **st)
{
    (void)st;
    for (int which = 0; which < 3; which++) {
        struct th th;
        th_init(&th);
        struct th_conn c;
        established(&th, &c);
        if (which == 0) { /* CLOSING */
            tcp_close(c.t, th.now);
            th_peer_send(&th, &c, TCP_FIN | TCP_ACK, NULL, 0);
            assert_int_equal(c.t->state, TCP_CLOSING);
        } else if (which == 1) { /* LAST_ACK */
            th_peer_send(&th, &c, TCP_FIN | TCP_ACK, NULL, 0);
            tcp_close(c.t, th.now);
            assert_int_equal(c.t->state, TCP_LAST_ACK);
        } else { /* TIME_WAIT */
            tcp_close(c.t, th.now);
            struct th_seg *fin = th_last(&th);
            c.peer_ack = fin->h.seq + 1;
            th_peer_send(&th, &c, TCP_FIN | TCP_ACK, NULL, 0);
            assert_int_equal(c.t->state, TCP_TIME_WAIT);
        }
        struct tcb *t = c.t;
        tcp_release(t, th.now);
        th_peer_send(&th, &c, TCP_RST, NULL, 0);
        assert_null(tcp_stack_of(th.s)->all); /* gone */
        th_free(&th);
    }
}

static void test_rst_syn_recv_passive_returns_to_listen(void **st)
{
    (void)st;
    struct th th;
    th_init(&th);
    struct tcb *l = tcp_new(th.s, &th, th_on_event);
    tcp_bind(l, &(struct ipaddr){{0}}, 80);
    tcp_listen(l, 5);
    struct tcp_repr syn = th_seg(40000, 80, 123, 0, TCP_SYN, 29200);
    th_inject(&th, &syn, NULL, 0);
    assert_int_equal(l->synq_len, 1);
    struct tcp_repr rst = th_seg(40000, 80, 124, 0, TCP_RST, 0);
    th_inject(&th, &rst, NULL, 0);
    assert_int_equal(l->synq_len, 0);
    assert_int_equal(tcp_state(l), TCP_LISTEN);
    /* The handshake's ACK now finds nothing: RST. */
    th_clear(&th);
    struct tcp_repr ack = th_seg(40000, 80, 124, 5, TCP_ACK, 100);
    th_inject(&th, &ack, NULL, 0);
    struct th_seg *r = th_pop(&th);
    assert_non_null(r);
    assert_int_equal(r->h.flags, TCP_RST);
    assert_int_equal(r->h.seq, 5);
    tcp_release(l, th.now);
    th_free(&th);
}

/* ---- SYN in synchronised states (RFC 5961 §4) ---- */

static void test_syn_in_established_challenge_ack_rate_limited(void **st)
{
    (void)st;
    struct th th;
    th_init(&th);
    struct th_conn c;
    established(&th, &c);
    for (int i = 0; i < 1005; i++) {
        struct tcp_repr r = th_seg(c.rport, c.lport, c.peer_seq + (uint32_t)i, 0, TCP_SYN, 100);
        th_inject(&th, &r, NULL, 0);
    }
    assert_int_equal(tcp_state(c.t), TCP_ESTABLISHED);
    assert_int_equal(th_stat(&th, SG_C_TCP_CHALLENGE_ACKS), 1000);
    assert_int_equal(th_stat(&th, SG_C_TCP_CHALLENGE_ACK_LIMITED), 5);
    struct th_seg *a = th_pop(&th);
    assert_int_equal(a->h.flags, TCP_ACK);
    assert_int_equal(a->h.ack, c.peer_seq);
    th_advance(&th, SG_SEC(1));
    th_clear(&th);
    struct tcp_repr r = th_seg(c.rport, c.lport, c.peer_seq, 0, TCP_SYN, 100);
    th_inject(&th, &r, NULL, 0);
    assert_int_equal(th_pending(&th), 1);
    tcp_abort(c.t, th.now);
    tcp_release(c.t, th.now);
    th_free(&th);
}

static void test_syn_in_close_wait_and_fin_wait2(void **st)
{
    (void)st;
    struct th th;
    th_init(&th);
    struct th_conn c;
    established(&th, &c);
    th_peer_send(&th, &c, TCP_FIN | TCP_ACK, NULL, 0);
    th_clear(&th);
    struct tcp_repr r = th_seg(c.rport, c.lport, c.peer_seq, 0, TCP_SYN, 100);
    th_inject(&th, &r, NULL, 0);
    assert_int_equal(tcp_state(c.t), TCP_CLOSE_WAIT);
    assert_int_equal(th_pop(&th)->h.flags, TCP_ACK);
    tcp_abort(c.t, th.now);
    tcp_release(c.t, th.now);
    th_free(&th);
}

/* ---- no connection ---- */

static void test_closed_port_rst_replies(void **st)
{
    (void)st;
    struct th th;
    th_init(&th);
    struct tcp_repr r = th_seg(5555, 81, 1000, 0, TCP_SYN, 100);
    th_inject(&th, &r, NULL, 0);
    struct th_seg *rst = th_pop(&th);
    assert_non_null(rst);
    assert_int_equal(rst->h.flags, TCP_RST | TCP_ACK);
    assert_int_equal(rst->h.seq, 0);
    assert_int_equal(rst->h.ack, 1001);
    r = th_seg(5555, 81, 1000, 4242, TCP_ACK, 100);
    th_inject(&th, &r, "xyz", 3);
    rst = th_pop(&th);
    assert_int_equal(rst->h.flags, TCP_RST);
    assert_int_equal(rst->h.seq, 4242);
    r = th_seg(5555, 81, 1000, 4242, TCP_RST, 100);
    th_inject(&th, &r, NULL, 0);
    assert_int_equal(th_pending(&th), 0);
    r = th_seg(5555, 81, 1000, 0, TCP_FIN, 100);
    th_inject(&th, &r, "ab", 2);
    rst = th_pop(&th);
    assert_int_equal(rst->h.ack, 1003); /* SEG.LEN counts the FIN */
    assert_int_equal(th_stat(&th, SG_C_TCP_NO_PORT), 3);
    th_free(&th);
}

static void test_listen_ack_gets_rst_rst_ignored(void **st)
{
    (void)st;
    struct th th;
    th_init(&th);
    struct tcb *l = tcp_new(th.s, &th, th_on_event);
    tcp_bind(l, &(struct ipaddr){{0}}, 80);
    tcp_listen(l, 5);
    struct tcp_repr r = th_seg(40000, 80, 1, 999, TCP_ACK, 100);
    th_inject(&th, &r, NULL, 0);
    struct th_seg *rst = th_pop(&th);
    assert_int_equal(rst->h.flags, TCP_RST);
    assert_int_equal(rst->h.seq, 999);
    r = th_seg(40000, 80, 1, 0, TCP_RST, 100);
    th_inject(&th, &r, NULL, 0);
    r = th_seg(40000, 80, 1, 0, TCP_SYN | TCP_FIN, 100);
    th_inject(&th, &r, NULL, 0);
    assert_int_equal(th_pending(&th), 0);
    tcp_release(l, th.now);
    th_free(&th);
}

static void test_bad_checksum_dropped(void **st)
{
    (void)st;
    struct th th;
    th_init(&th);
    struct tcp_repr r = th_seg(5555, 81, 1000, 0, TCP_SYN, 100);
    th_inject_x(&th, &r, NULL, 0, true);
    assert_int_equal(th_pending(&th), 0);
    assert_int_equal(th_stat(&th, SG_C_TCP_IN_CSUM_ERRORS), 1);
    th_free(&th);
}

/* ---- timeouts ---- */

static void test_syn_retries_then_etimedout(void **st)
{
    (void)st;
    struct th th;
    th_init(&th);
    struct tcb *t = tcp_new(th.s, &th, th_on_event);
    tcp_connect(t, &th.remote, 80, th.now);
    /* 6 retries: 1+2+4+8+16+32 s, then 64 s later the attempt fails. */
    for (int i = 0; i < 200 && tcp_state(t) == TCP_SYN_SENT; i++)
        th_advance(&th, SG_SEC(1));
    assert_int_equal(tcp_state(t), TCP_CLOSE);
    assert_int_equal(th_pending(&th), 7);
    assert_int_equal(tcp_sock_error(t), ETIMEDOUT);
    tcp_release(t, th.now);
    th_free(&th);
}

static void test_time_wait_reuse_by_newer_syn(void **st)
{
    (void)st;
    struct th th;
    th_init(&th);
    struct tcb *l = tcp_new(th.s, &th, th_on_event);
    tcp_bind(l, &(struct ipaddr){{0}}, 80);
    tcp_listen(l, 5);
    struct tcp_repr syn = th_seg(40000, 80, 123, 0, TCP_SYN, 29200);
    th_inject(&th, &syn, NULL, 0);
    struct th_seg *sa = th_pop(&th);
    uint32_t iss = sa->h.seq;
    struct tcp_repr r = th_seg(40000, 80, 124, iss + 1, TCP_ACK, 29200);
    th_inject(&th, &r, NULL, 0);
    struct tcb *c;
    assert_int_equal(tcp_accept(l, &c), 0);
    tcp_release(c, th.now); /* close: FIN */
    struct th_seg *fin = th_pop(&th);
    assert_int_equal(fin->h.flags, TCP_FIN | TCP_ACK);
    r = th_seg(40000, 80, 124, iss + 2, TCP_FIN | TCP_ACK, 29200);
    th_inject(&th, &r, NULL, 0);
    assert_int_equal(c->state, TCP_TIME_WAIT);
    th_clear(&th);
    /* An old SYN (seq below RCV.NXT) is not a new connection. */
    syn = th_seg(40000, 80, 100, 0, TCP_SYN, 29200);
    th_inject(&th, &syn, NULL, 0);
    assert_int_equal(th_stat(&th, SG_C_TCP_TIMEWAIT_REUSED), 0);
    th_clear(&th);
    syn = th_seg(40000, 80, 5000, 0, TCP_SYN, 29200);
    th_inject(&th, &syn, NULL, 0);
    assert_int_equal(th_stat(&th, SG_C_TCP_TIMEWAIT_REUSED), 1);
    sa = th_pop(&th);
    assert_non_null(sa);
    assert_int_equal(sa->h.flags, TCP_SYN | TCP_ACK);
    assert_int_equal(sa->h.seq, iss + 2 + 65537); /* old SND.NXT + 65537 */
    assert_int_equal(sa->h.ack, 5001);
    tcp_release(l, th.now);
    th_free(&th);
}

static void test_close_with_unread_data_sends_rst(void **st)
{
    (void)st;
    struct th th;
    th_init(&th);
    struct th_conn c;
    established(&th, &c);
    th_peer_send(&th, &c, TCP_ACK, "data", 4);
    th_clear(&th);
    tcp_close(c.t, th.now);
    struct th_seg *r = th_pop(&th);
    assert_non_null(r);
    assert_int_equal(r->h.flags, TCP_RST | TCP_ACK);
    assert_int_equal(tcp_state(c.t), TCP_CLOSE);
    assert_int_equal(th_stat(&th, SG_C_TCP_ABORT_ON_CLOSE), 1);
    tcp_release(c.t, th.now);
    th_free(&th);
}

static void test_linger_zero_sends_rst(void **st)
{
    (void)st;
    struct th th;
    th_init(&th);
    struct th_conn c;
    established(&th, &c);
    tcp_set_linger(c.t, true, 0);
    tcp_close(c.t, th.now);
    struct th_seg *r = th_pop(&th);
    assert_non_null(r);
    assert_int_equal(r->h.flags, TCP_RST | TCP_ACK);
    assert_int_equal(th_stat(&th, SG_C_TCP_ABORT_ON_LINGER), 1);
    tcp_release(c.t, th.now);
    th_free(&th);
}

static void test_unacceptable_segment_acked(void **st)
{
    (void)st;
    struct th th;
    th_init(&th);
    struct th_conn c;
    established(&th, &c);
    struct tcp_repr r = th_seg(c.rport, c.lport, c.peer_seq + 5000000, c.peer_ack, TCP_ACK, 100);
    th_inject(&th, &r, "zz", 2);
    struct th_seg *a = th_pop(&th);
    assert_non_null(a);
    assert_int_equal(a->h.ack, c.peer_seq);
    assert_int_equal(th_stat(&th, SG_C_TCP_OUT_OF_WINDOW), 1);
    /* Old duplicate data: ACK + D-SACK of it. */
    th_peer_send(&th, &c, TCP_ACK, "abcd", 4);
    th_clear(&th);
    r = th_seg(c.rport, c.lport, c.peer_seq - 4, c.peer_ack, TCP_ACK, 100);
    r.has_ts = true;
    r.ts_val = c.peer_tsval;
    th_inject(&th, &r, "abcd", 4);
    a = th_pop(&th);
    assert_non_null(a);
    assert_int_equal(a->h.nsack, 1);
    assert_int_equal(a->h.sack[0].left, c.peer_seq - 4);
    assert_int_equal(a->h.sack[0].right, c.peer_seq);
    assert_int_equal(th_stat(&th, SG_C_TCP_DSACK_OUT), 1);
    tcp_abort(c.t, th.now);
    tcp_release(c.t, th.now);
    th_free(&th);
}

static void test_listen_backlog_overflow(void **st)
{
    (void)st;
    struct th th;
    th_init(&th);
    struct tcb *l = tcp_new(th.s, &th, th_on_event);
    tcp_bind(l, &(struct ipaddr){{0}}, 80);
    tcp_listen(l, 1);
    /* backlog 1: the accept queue takes 2 (Linux's `>`). */
    for (uint16_t p = 0; p < 3; p++) {
        struct tcp_repr syn = th_seg((uint16_t)(40000 + p), 80, 100, 0, TCP_SYN, 1000);
        th_inject(&th, &syn, NULL, 0);
        struct th_seg *sa = th_pop(&th);
        if (!sa)
            break;
        struct tcp_repr a = th_seg((uint16_t)(40000 + p), 80, 101, sa->h.seq + 1, TCP_ACK, 1000);
        th_inject(&th, &a, NULL, 0);
    }
    assert_int_equal(l->accq_len, 2);
    assert_int_equal(th_stat(&th, SG_C_TCP_LISTEN_OVERFLOWS), 1);
    tcp_release(l, th.now); /* children reset */
    assert_int_equal(th_stat(&th, SG_C_TCP_OUT_RSTS), 2);
    th_free(&th);
}

/* A SYN in every synchronised state draws a challenge ACK and changes
 * nothing (RFC 5961 §4.2); a passive child's retransmitted SYN gets its
 * SYN,ACK again. */
static void test_syn_in_each_synchronised_state(void **st)
{
    (void)st;
    static const int want[] = {TCP_ESTABLISHED, TCP_FIN_WAIT1, TCP_FIN_WAIT2,
                               TCP_CLOSE_WAIT,  TCP_CLOSING,   TCP_LAST_ACK};
    for (unsigned i = 0; i < sizeof want / sizeof want[0]; i++) {
        struct th th;
        th_init(&th);
        struct th_conn c;
        established(&th, &c);
        switch (want[i]) {
        case TCP_FIN_WAIT1:
            tcp_shutdown(c.t, SHUT_WR, th.now);
            break;
        case TCP_FIN_WAIT2: {
            tcp_shutdown(c.t, SHUT_WR, th.now);
            c.peer_ack = th_last(&th)->h.seq + 1;
            th_peer_send(&th, &c, TCP_ACK, NULL, 0);
            break;
        }
        case TCP_CLOSE_WAIT:
            th_peer_send(&th, &c, TCP_FIN | TCP_ACK, NULL, 0);
            break;
        case TCP_CLOSING:
            tcp_shutdown(c.t, SHUT_WR, th.now);
            th_peer_send(&th, &c, TCP_FIN | TCP_ACK, NULL, 0);
            break;
        case TCP_LAST_ACK:
            th_peer_send(&th, &c, TCP_FIN | TCP_ACK, NULL, 0);
            tcp_shutdown(c.t, SHUT_WR, th.now);
            break;
        default:
            break;
        }
        assert_int_equal(c.t->state, want[i]);
        th_clear(&th);
        struct tcp_repr r = th_seg(c.rport, c.lport, c.peer_seq + 7, 0, TCP_SYN, 100);
        th_inject(&th, &r, NULL, 0);
        assert_int_equal(c.t->state, want[i]);
        struct th_seg *a = th_pop(&th);
        assert_non_null(a);
        assert_int_equal(a->h.flags & (TCP_SYN | TCP_RST | TCP_ACK), TCP_ACK);
        assert_int_equal(a->h.ack, c.peer_seq);
        tcp_abort(c.t, th.now);
        tcp_release(c.t, th.now);
        th_free(&th);
    }
    /* SYN_RECV (passive): the peer's retransmitted SYN. */
    struct th th;
    th_init(&th);
    struct tcb *l = tcp_new(th.s, &th, th_on_event);
    tcp_bind(l, &(struct ipaddr){{0}}, 80);
    tcp_listen(l, 5);
    struct tcp_repr syn = th_seg(40000, 80, 123, 0, TCP_SYN, 29200);
    th_inject(&th, &syn, NULL, 0);
    struct th_seg *sa1 = th_pop(&th);
    th_inject(&th, &syn, NULL, 0);
    struct th_seg *sa2 = th_pop(&th);
    assert_non_null(sa2);
    assert_int_equal(sa2->h.flags, TCP_SYN | TCP_ACK);
    assert_int_equal(sa2->h.seq, sa1->h.seq);
    assert_int_equal(l->synq_len, 1);
    tcp_release(l, th.now);
    th_free(&th);
}

/* The SYN,ACK is retransmitted with backoff and the half-open child is
 * dropped after tcp_synack_retries (5). */
static void test_synack_retries_then_child_dropped(void **st)
{
    (void)st;
    struct th th;
    th_init(&th);
    struct tcb *l = tcp_new(th.s, &th, th_on_event);
    tcp_bind(l, &(struct ipaddr){{0}}, 80);
    tcp_listen(l, 5);
    struct tcp_repr syn = th_seg(40000, 80, 123, 0, TCP_SYN, 29200);
    th_inject(&th, &syn, NULL, 0);
    for (int i = 0; i < 120; i++)
        th_advance(&th, SG_SEC(1));
    assert_int_equal(th_pending(&th), 6);
    assert_int_equal(l->synq_len, 0);
    tcp_release(l, th.now);
    th_free(&th);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_active_open_sends_syn_with_options_and_establishes),
        cmocka_unit_test(test_passive_open_accept),
        cmocka_unit_test(test_simultaneous_open),
        cmocka_unit_test(test_active_close_to_time_wait),
        cmocka_unit_test(test_passive_close),
        cmocka_unit_test(test_simultaneous_close_closing),
        cmocka_unit_test(test_fin_wait1_fin_ack_goes_to_time_wait),
        cmocka_unit_test(test_half_close_keeps_receiving),
        cmocka_unit_test(test_rst_syn_sent),
        cmocka_unit_test(test_syn_sent_bad_ack_gets_rst),
        cmocka_unit_test(test_rst_established_exact_resets),
        cmocka_unit_test(test_rst_in_window_challenge_ack),
        cmocka_unit_test(test_rst_close_wait_epipe),
        cmocka_unit_test(test_rst_fin_wait_states),
        cmocka_unit_test(test_rst_closing_last_ack_time_wait),
        cmocka_unit_test(test_rst_syn_recv_passive_returns_to_listen),
        cmocka_unit_test(test_syn_in_established_challenge_ack_rate_limited),
        cmocka_unit_test(test_syn_in_close_wait_and_fin_wait2),
        cmocka_unit_test(test_closed_port_rst_replies),
        cmocka_unit_test(test_listen_ack_gets_rst_rst_ignored),
        cmocka_unit_test(test_bad_checksum_dropped),
        cmocka_unit_test(test_syn_retries_then_etimedout),
        cmocka_unit_test(test_time_wait_reuse_by_newer_syn),
        cmocka_unit_test(test_close_with_unread_data_sends_rst),
        cmocka_unit_test(test_linger_zero_sends_rst),
        cmocka_unit_test(test_unacceptable_segment_acked),
        cmocka_unit_test(test_listen_backlog_overflow),
        cmocka_unit_test(test_syn_in_each_synchronised_state),
        cmocka_unit_test(test_synack_retries_then_child_dropped),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

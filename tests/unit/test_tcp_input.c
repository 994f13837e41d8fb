/* TCP data path with hand-built segments: segmentation, Nagle, delayed
 * ACKs, sequence wrap, PAWS, window scaling and option combinations,
 * persist, retransmission (RTO, NewReno, SACK), out-of-order receive, and
 * the sending side of urgent data (oob.md R1-R8). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include "tcp_harness.h"

static struct tcp_repr opts(bool mss, bool ws, bool sack, bool ts)
{
    struct tcp_repr r = th_seg(0, 0, 0, 0, 0, 65535);
    r.has_mss = mss;
    r.mss = 1460;
    r.has_wscale = ws;
    r.wscale = 7;
    r.sack_perm = sack;
    r.has_ts = ts;
    r.ts_val = 5000;
    return r;
}

static void conn_full(struct th *th, struct th_conn *c)
{
    struct tcp_repr o = opts(true, true, true, true);
    th_connect(th, c, 1000000, &o);
    th_clear(th);
}

/* The peer acknowledges everything we sent so far (window w, unscaled
 * field). */
static void peer_ack_all(struct th *th, struct th_conn *c)
{
    uint32_t hi = c->peer_ack;
    for (uint32_t i = 0; i < th->nout; i++) {
        struct th_seg *s = &th->out[i];
        uint32_t e = s->h.seq + s->len + ((s->h.flags & (TCP_SYN | TCP_FIN)) ? 1 : 0);
        if (seq_gt(e, hi))
            hi = e;
    }
    c->peer_ack = hi;
    th_peer_send(th, c, TCP_ACK, NULL, 0);
}

static ssize_t send_bytes(struct th *th, struct tcb *t, const void *p, size_t n, int flags)
{
    struct iovec iov = {(void *)p, n};
    return tcp_send(t, &iov, 1, flags, th->now);
}

static ssize_t recv_bytes(struct th *th, struct tcb *t, void *p, size_t n, int flags)
{
    struct iovec iov = {p, n};
    return tcp_recv(t, &iov, 1, flags, NULL, th->now);
}

static void done(struct th *th, struct th_conn *c)
{
    tcp_abort(c->t, th->now);
    tcp_release(c->t, th->now);
    th_free(th);
}

/* ---- sending ---- */

static void test_send_segments_by_mss_with_psh_on_last(void **st)
{
    (void)st;
    struct th th;
    th_init(&th);
    struct th_conn c;
    conn_full(&th, &c);
    static uint8_t data[5000];
    for (int i = 0; i < 5000; i++)
        data[i] = (uint8_t)i;
    assert_int_equal(send_bytes(&th, c.t, data, sizeof data, 0), 5000);
    assert_int_equal(th_pending(&th), 4);
    uint32_t off = 0;
    for (int i = 0; i < 4; i++) {
        struct th_seg *s = th_pop(&th);
        assert_int_equal(s->h.seq, c.iss + 1 + off);
        assert_int_equal(s->len, i < 3 ? 1448 : 5000 - 3 * 1448);
        assert_memory_equal(s->data, data + off, s->len);
        assert_int_equal(!!(s->h.flags & TCP_PSH), i == 3);
        assert_true(s->h.has_ts);
        off += s->len;
    }
    assert_int_equal(tcp_outq(c.t), 5000);
    assert_int_equal(tcp_outq_nsd(c.t), 0);
    peer_ack_all(&th, &c);
    assert_int_equal(tcp_outq(c.t), 0);
    done(&th, &c);
}

static void test_nagle_holds_small_segment_until_ack(void **st)
{
    (void)st;
    struct th th;
    th_init(&th);
    struct th_conn c;
    conn_full(&th, &c);
    send_bytes(&th, c.t, "0123456789", 10, 0);
    assert_int_equal(th_pending(&th), 1);
    send_bytes(&th, c.t, "abcdefghij", 10, 0);
    assert_int_equal(th_pending(&th), 1); /* held: data unacked */
    assert_int_equal(tcp_outq_nsd(c.t), 10);
    th_pop(&th);
    peer_ack_all(&th, &c);
    struct th_seg *s = th_pop(&th);
    assert_non_null(s);
    assert_int_equal(s->len, 10);
    assert_memory_equal(s->data, "abcdefghij", 10);
    /* TCP_NODELAY: no holding. */
    int one = 1;
    tcp_setsockopt(c.t, TCP_NODELAY, &one, sizeof one, th.now);
    send_bytes(&th, c.t, "x", 1, 0);
    send_bytes(&th, c.t, "y", 1, 0);
    assert_int_equal(th_pending(&th), 2);
    done(&th, &c);
}

static void test_cork_holds_until_uncorked(void **st)
{
    (void)st;
    struct th th;
    th_init(&th);
    struct th_conn c;
    conn_full(&th, &c);
    int one = 1, zero = 0;
    tcp_setsockopt(c.t, TCP_CORK, &one, sizeof one, th.now);
    send_bytes(&th, c.t, "abc", 3, 0);
    assert_int_equal(th_pending(&th), 0);
    tcp_setsockopt(c.t, TCP_CORK, &zero, sizeof zero, th.now);
    assert_int_equal(th_pending(&th), 1);
    done(&th, &c);
}

/* ---- receiving ---- */

static void test_delayed_ack_every_second_segment(void **st)
{
    (void)st;
    struct th th;
    th_init(&th);
    struct th_conn c;
    conn_full(&th, &c);
    int zero = 0;
    tcp_setsockopt(c.t, TCP_QUICKACK, &zero, sizeof zero, th.now);
    static uint8_t d[1448];
    th_peer_send(&th, &c, TCP_ACK, d, sizeof d);
    assert_int_equal(th_pending(&th), 0); /* delayed */
    th_peer_send(&th, &c, TCP_ACK, d, sizeof d);
    assert_int_equal(th_pending(&th), 1); /* second full segment: ACK now */
    assert_int_equal(th_pop(&th)->h.ack, c.peer_seq);
    th_peer_send(&th, &c, TCP_ACK, d, 100);
    assert_int_equal(th_pending(&th), 0);
    th_advance(&th, SG_MS(39));
    assert_int_equal(th_pending(&th), 0);
    th_advance(&th, SG_MS(2));
    assert_int_equal(th_pending(&th), 1);
    assert_int_equal(th_pop(&th)->h.ack, c.peer_seq);
    assert_int_equal(th_stat(&th, SG_C_TCP_DELAYED_ACKS), 1);
    done(&th, &c);
}

static void test_out_of_order_sack_and_fill(void **st)
{
    (void)st;
    struct th th;
    th_init(&th);
    struct th_conn c;
    conn_full(&th, &c);
    uint32_t base = c.peer_seq;
    c.peer_seq = base + 100;
    th_peer_send(&th, &c, TCP_ACK, "BBBBBBBBBB", 10);
    struct th_seg *a = th_pop(&th);
    assert_non_null(a); /* immediate duplicate ACK */
    assert_int_equal(a->h.ack, base);
    assert_int_equal(a->h.nsack, 1);
    assert_int_equal(a->h.sack[0].left, base + 100);
    assert_int_equal(a->h.sack[0].right, base + 110);
    c.peer_seq = base + 200;
    th_peer_send(&th, &c, TCP_ACK, "CCCCCCCCCC", 10);
    a = th_pop(&th);
    assert_int_equal(a->h.nsack, 2);
    assert_int_equal(a->h.sack[0].left, base + 200); /* most recent first */
    static uint8_t fill[100];
    memset(fill, 'A', sizeof fill);
    c.peer_seq = base;
    th_peer_send(&th, &c, TCP_ACK, fill, 100);
    a = th_pop(&th);
    assert_int_equal(a->h.ack, base + 110);
    assert_int_equal(a->h.nsack, 1);
    uint8_t buf[300];
    assert_int_equal(recv_bytes(&th, c.t, buf, sizeof buf, 0), 110);
    assert_int_equal(buf[109], 'B');
    assert_int_equal(th_stat(&th, SG_C_TCP_OFO_QUEUED), 2);
    done(&th, &c);
}

static void test_receive_window_closes_and_reopens(void **st)
{
    (void)st;
    struct th th;
    th_init(&th);
    struct th_conn c;
    struct tcp_repr o = opts(true, false, true, false);
    struct tcb *t = tcp_new(th.s, &th, th_on_event);
    tcp_set_rcvbuf(t, 8192);
    th_connect_t(&th, &c, t, 1000, &o);
    struct th_seg *a = th_last(&th);
    assert_int_equal(a->h.win, 8192);
    th_clear(&th);
    static uint8_t d[1000];
    for (int i = 0; i < 8; i++)
        th_peer_send(&th, &c, TCP_ACK, d, 1000);
    a = th_last(&th);
    assert_non_null(a);
    assert_int_equal(a->h.win, 192);
    th_peer_send(&th, &c, TCP_ACK, d, 1000); /* only 192 bytes fit */
    a = th_last(&th);
    assert_int_equal(a->h.win, 0);
    assert_int_equal(th_stat(&th, SG_C_TCP_RCVBUF_DROPS), 1);
    assert_true(tcp_poll_mask(c.t) & POLLIN);
    uint8_t buf[9000];
    assert_int_equal(recv_bytes(&th, c.t, buf, sizeof buf, 0), 8192);
    a = th_last(&th);
    assert_non_null(a); /* window update */
    assert_int_equal(a->h.win, 8192);
    done(&th, &c);
}

static void test_isn_near_wrap_both_directions(void **st)
{
    (void)st;
    struct th th;
    th_init(&th);
    struct th_conn c;
    memset(&c, 0, sizeof c);
    c.rport = 80;
    c.t = tcp_new(th.s, &th, th_on_event);
    tcp_connect(c.t, &th.remote, 80, th.now);
    struct th_seg *syn = th_pop(&th);
    c.lport = syn->h.sport;
    /* Move our sequence space to just below 2^32. */
    struct tcb *t = c.t;
    uint32_t iss = 0xfffff000u;
    t->iss = SEQ_UNWRAP_BASE + iss;
    t->snd_una = t->iss;
    t->snd_nxt = t->iss + 1;
    t->snd_buf_seq = t->iss + 1;
    t->snd_wl2 = t->recover = t->rtx_nxt = t->iss;
    t->urg.snd_up = t->iss;
    t->rtt_seq = t->iss + 1;
    c.iss = iss;
    struct tcp_repr r = th_seg(80, c.lport, 0xffffff00u, iss + 1, TCP_SYN | TCP_ACK, 65535);
    th_inject(&th, &r, NULL, 0);
    assert_int_equal(tcp_state(t), TCP_ESTABLISHED);
    c.peer_seq = 0xffffff01u;
    c.peer_ack = iss + 1;
    c.peer_win = 65535;
    th_clear(&th);
    static uint8_t out[20000], in[20000], got[20000];
    for (int i = 0; i < 20000; i++) {
        out[i] = (uint8_t)(i * 7);
        in[i] = (uint8_t)(i * 13);
    }
    uint32_t sent = 0, rcvd = 0, cap = 0;
    while (sent < sizeof out || th_pending(&th)) {
        if (sent < sizeof out) {
            ssize_t n = send_bytes(&th, t, out + sent, sizeof out - sent, 0);
            if (n > 0)
                sent += (uint32_t)n;
        }
        struct th_seg *s;
        while ((s = th_pop(&th))) {
            if (s->len) {
                assert_int_equal(s->h.seq, iss + 1 + cap);
                assert_memory_equal(s->data, out + cap, s->len);
                cap += s->len;
            }
        }
        c.peer_ack = iss + 1 + cap;
        uint32_t n = sizeof in - rcvd < 1000 ? sizeof in - rcvd : 1000;
        th_peer_send(&th, &c, TCP_ACK, in + rcvd, n);
        rcvd += n;
        uint8_t buf[4000];
        ssize_t k;
        static uint32_t got_n;
        while ((k = recv_bytes(&th, t, buf, sizeof buf, 0)) > 0) {
            memcpy(got + got_n, buf, (size_t)k);
            got_n += (uint32_t)k;
        }
        if (rcvd == sizeof in && cap == sizeof out)
            break;
    }
    assert_int_equal(cap, sizeof out);
    assert_memory_equal(got, in, rcvd);
    assert_true(seq_lt(iss, c.peer_ack)); /* wrapped */
    assert_true(c.peer_ack < iss);
    done(&th, &c);
}

static void test_paws_drops_old_timestamp(void **st)
{
    (void)st;
    struct th th;
    th_init(&th);
    struct th_conn c;
    conn_full(&th, &c);
    th_peer_send(&th, &c, TCP_ACK, "new", 3);
    th_clear(&th);
    struct tcp_repr r = th_seg(c.rport, c.lport, c.peer_seq, c.peer_ack, TCP_ACK, 65535);
    r.has_ts = true;
    r.ts_val = c.peer_tsval - 10; /* older */
    th_inject(&th, &r, "old", 3);
    assert_int_equal(th_stat(&th, SG_C_TCP_PAWS_DROPS), 1);
    struct th_seg *a = th_pop(&th);
    assert_non_null(a); /* ACK in reply */
    assert_int_equal(a->h.ack, c.peer_seq);
    uint8_t buf[16];
    assert_int_equal(recv_bytes(&th, c.t, buf, sizeof buf, 0), 3);
    assert_memory_equal(buf, "new", 3);
    /* A RST is not subject to PAWS. */
    r = th_seg(c.rport, c.lport, c.peer_seq, 0, TCP_RST, 0);
    r.has_ts = true;
    r.ts_val = 1;
    th_inject(&th, &r, NULL, 0);
    assert_int_equal(tcp_state(c.t), TCP_CLOSE);
    tcp_release(c.t, th.now);
    th_free(&th);
}

/* ---- options ---- */

static void test_wscale_negotiation(void **st)
{
    (void)st;
    struct th th;
    th_init(&th);
    struct th_conn c;
    struct tcp_repr o = opts(true, true, false, false);
    o.wscale = 3;
    th_connect(&th, &c, 1, &o);
    struct th_seg *a = th_pop(&th);
    /* our window field is scaled by our shift 7 */
    assert_int_equal(a->h.win, 131072 >> 7);
    c.peer_win = 10; /* 10 << 3 = 80 bytes */
    th_peer_send(&th, &c, TCP_ACK, NULL, 0);
    assert_int_equal(c.t->snd_wnd, 80);
    tcp_abort(c.t, th.now);
    tcp_release(c.t, th.now);
    /* A shift above 14 is used as 14 (RFC 7323 §2.3). */
    o.wscale = 15;
    th_clear(&th);
    th_connect(&th, &c, 1, &o);
    assert_int_equal(c.t->snd_wscale, 14);
    tcp_abort(c.t, th.now);
    tcp_release(c.t, th.now);
    /* Not offered by the peer: no scaling either way. */
    th_clear(&th);
    o = opts(true, false, false, false);
    th_connect(&th, &c, 1, &o);
    a = th_pop(&th);
    assert_int_equal(a->h.win, 65535);
    assert_false(c.t->ws_ok);
    assert_int_equal(c.t->rcv_wscale, 0);
    done(&th, &c);
}

static void test_options_absent(void **st)
{
    (void)st;
    struct th th;
    th_init(&th);
    struct th_conn c;
    struct tcp_repr o = opts(false, false, false, false);
    th_connect(&th, &c, 1, &o);
    th_clear(&th);
    struct tcp_info info;
    tcp_get_info(c.t, &info, th.now);
    assert_int_equal(info.tcpi_snd_mss, 536);
    assert_int_equal(info.tcpi_options, 0);
    static uint8_t d[2000];
    send_bytes(&th, c.t, d, sizeof d, 0);
    struct th_seg *s = th_pop(&th);
    assert_int_equal(s->len, 536);
    assert_false(s->h.has_ts);
    assert_int_equal(s->h.hdr_len, 20);
    done(&th, &c);
}

static void test_options_config_off_and_user_mss(void **st)
{
    (void)st;
    struct th th;
    struct sg_config cfg = {.no_sack = 1, .no_timestamps = 1, .no_wscale = 1};
    th_init_cfg(&th, &cfg);
    struct tcb *t = tcp_new(th.s, &th, th_on_event);
    int m = 1000;
    assert_int_equal(tcp_setsockopt(t, TCP_MAXSEG, &m, sizeof m, th.now), 0);
    m = 10;
    assert_int_equal(tcp_setsockopt(t, TCP_MAXSEG, &m, sizeof m, th.now), -EINVAL);
    tcp_connect(t, &th.remote, 80, th.now);
    struct th_seg *syn = th_pop(&th);
    assert_int_equal(syn->h.mss, 1000);
    assert_false(syn->h.sack_perm);
    assert_false(syn->h.has_ts);
    assert_false(syn->h.has_wscale);
    struct tcp_repr r = opts(true, true, true, true);
    r.sport = 80;
    r.dport = syn->h.sport;
    r.seq = 1;
    r.ack = syn->h.seq + 1;
    r.flags = TCP_SYN | TCP_ACK;
    th_inject(&th, &r, NULL, 0);
    assert_false(t->ts_ok);
    assert_false(t->sack_ok);
    assert_false(t->ws_ok);
    assert_int_equal(t->mss, 1000);
    socklen_t len = sizeof m;
    tcp_getsockopt(t, TCP_MAXSEG, &m, &len, th.now);
    assert_int_equal(m, 1000);
    char name[16];
    len = sizeof name;
    assert_int_equal(tcp_setsockopt(t, TCP_CONGESTION, "bogus", 5, th.now), -ENOENT);
    assert_int_equal(tcp_setsockopt(t, TCP_CONGESTION, "reno", 4, th.now), 0);
    tcp_getsockopt(t, TCP_CONGESTION, name, &len, th.now);
    assert_string_equal(name, "reno");
    assert_int_equal(tcp_setsockopt(t, 9999, &m, sizeof m, th.now), -ENOPROTOOPT);
    tcp_abort(t, th.now);
    tcp_release(t, th.now);
    th_free(&th);
}

/* ---- persist ---- */

static void test_zero_window_probe(void **st)
{
    (void)st;
    struct th th;
    th_init(&th);
    struct th_conn c;
    conn_full(&th, &c);
    c.peer_win = 0;
    th_peer_send(&th, &c, TCP_ACK, NULL, 0);
    send_bytes(&th, c.t, "hello", 5, 0);
    assert_int_equal(th_pending(&th), 0);
    th_advance(&th, SG_SEC(2));
    struct th_seg *p = th_pop(&th);
    assert_non_null(p);
    assert_int_equal(p->len, 0);
    assert_int_equal(p->h.seq, c.iss); /* snd_una - 1 */
    assert_false(p->h.flags & TCP_URG);
    assert_int_equal(th_stat(&th, SG_C_TCP_PROBES), 1);
    c.peer_win = 100;
    th_peer_send(&th, &c, TCP_ACK, NULL, 0);
    p = th_pop(&th);
    assert_non_null(p);
    assert_int_equal(p->len, 5);
    done(&th, &c);
}

/* ---- retransmission ---- */

static void test_rto_retransmits_and_gives_up(void **st)
{
    (void)st;
    struct th th;
    th_init(&th);
    struct th_conn c;
    conn_full(&th, &c);
    send_bytes(&th, c.t, "abc", 3, 0);
    th_clear(&th);
    for (int i = 0; i < 4000 && tcp_state(c.t) == TCP_ESTABLISHED; i++)
        th_advance(&th, SG_MS(500));
    assert_int_equal(tcp_state(c.t), TCP_CLOSE);
    assert_int_equal(tcp_sock_error(c.t), ETIMEDOUT);
    assert_int_equal(th_pending(&th), 15); /* retries2 */
    struct th_seg *s = th_pop(&th);
    assert_int_equal(s->len, 3);
    assert_int_equal(th_stat(&th, SG_C_TCP_ABORT_ON_TIMEOUT), 1);
    tcp_release(c.t, th.now);
    th_free(&th);
}

static void test_newreno_fast_retransmit(void **st)
{
    (void)st;
    struct th th;
    th_init(&th);
    struct th_conn c;
    struct tcp_repr o = opts(true, false, false, false);
    th_connect(&th, &c, 1, &o);
    th_clear(&th);
    static uint8_t d[14600];
    send_bytes(&th, c.t, d, sizeof d, 0);
    assert_int_equal(th_pending(&th), 10);
    th_clear(&th);
    c.peer_ack = c.iss + 1 + 1460;
    th_peer_send(&th, &c, TCP_ACK, NULL, 0);
    for (int i = 0; i < 3; i++)
        th_peer_send(&th, &c, TCP_ACK, NULL, 0);
    struct th_seg *r = th_pop(&th);
    assert_non_null(r);
    assert_int_equal(r->h.seq, c.iss + 1 + 1460);
    assert_int_equal(r->len, 1460);
    assert_int_equal(th_stat(&th, SG_C_TCP_FAST_RETRANS), 1);
    assert_int_equal(th_stat(&th, SG_C_TCP_RENO_RECOVERY), 1);
    assert_int_equal(c.t->ca_state, TCP_CAS_RECOVERY);
    /* partial ACK: the next hole goes out */
    th_clear(&th);
    c.peer_ack = c.iss + 1 + 3 * 1460;
    th_peer_send(&th, &c, TCP_ACK, NULL, 0);
    r = th_pop(&th);
    assert_non_null(r);
    assert_int_equal(r->h.seq, c.iss + 1 + 3 * 1460);
    c.peer_ack = c.iss + 1 + sizeof d;
    th_peer_send(&th, &c, TCP_ACK, NULL, 0);
    assert_int_equal(c.t->ca_state, TCP_CAS_OPEN);
    done(&th, &c);
}

static void test_sack_recovery_retransmits_hole(void **st)
{
    (void)st;
    struct th th;
    th_init(&th);
    struct th_conn c;
    conn_full(&th, &c);
    static uint8_t d[1448 * 10];
    send_bytes(&th, c.t, d, sizeof d, 0);
    th_clear(&th);
    uint32_t base = c.iss + 1;
    /* segment 0 lost; 1..3 SACKed */
    for (int i = 1; i <= 3; i++) {
        struct tcp_repr r = th_seg(c.rport, c.lport, c.peer_seq, base, TCP_ACK, c.peer_win);
        r.has_ts = true;
        r.ts_val = ++c.peer_tsval;
        r.nsack = 1;
        r.sack[0].left = base + 1448;
        r.sack[0].right = base + 1448 * (uint32_t)(i + 1);
        th_inject(&th, &r, NULL, 0);
    }
    assert_int_equal(th_stat(&th, SG_C_TCP_SACK_RECOVERY), 1);
    struct th_seg *r = th_pop(&th);
    assert_non_null(r);
    assert_int_equal(r->h.seq, base);
    assert_int_equal(th_stat(&th, SG_C_TCP_SACK_BLOCKS_IN), 3);
    done(&th, &c);
}

/* ---- urgent data, sending side (oob.md R1-R8) ---- */

static void test_urg_send_pointer_rules(void **st)
{
    (void)st;
    struct th th;
    th_init(&th);
    struct th_conn c;
    conn_full(&th, &c);
    /* R2: zero-length MSG_OOB: 0, no mark. */
    assert_int_equal(send_bytes(&th, c.t, "", 0, MSG_OOB), 0);
    assert_false(urg_mode(c.t));
    /* R1/R4: "hello" with MSG_OOB: len 5, URG, urp 5. */
    assert_int_equal(send_bytes(&th, c.t, "hello", 5, MSG_OOB), 5);
    struct th_seg *s = th_pop(&th);
    assert_int_equal(s->len, 5);
    assert_true(s->h.flags & TCP_URG);
    assert_int_equal(s->h.urp, 5);
    /* R5: later data is after snd_up: no URG even though unacked. */
    send_bytes(&th, c.t, "xy", 2, 0);
    int one = 1;
    tcp_setsockopt(c.t, TCP_NODELAY, &one, sizeof one, th.now);
    s = th_pop(&th);
    assert_non_null(s);
    assert_false(s->h.flags & TCP_URG);
    assert_int_equal(s->h.urp, 0);
    /* R5: a retransmission covering the urgent byte carries URG again. */
    th_clear(&th);
    th_advance(&th, SG_SEC(2));
    s = th_pop(&th);
    assert_non_null(s);
    assert_int_equal(s->h.seq, c.iss + 1);
    assert_true(s->h.flags & TCP_URG);
    assert_int_equal(s->h.urp, 5);
    peer_ack_all(&th, &c);
    assert_false(urg_mode(c.t));
    done(&th, &c);
}

static void test_urg_send_over_64k(void **st)
{
    (void)st;
    struct th th;
    th_init(&th);
    struct th_conn c;
    struct tcp_repr o = opts(true, true, false, false);
    o.mss = 1000;
    th_connect(&th, &c, 1, &o);
    th_clear(&th);
    tcp_set_sndbuf(c.t, 200000);
    c.peer_win = 0xffff; /* scaled by 7: plenty */
    th_peer_send(&th, &c, TCP_ACK, NULL, 0);
    static uint8_t d[100000];
    assert_int_equal(send_bytes(&th, c.t, d, sizeof d, MSG_OOB), 100000);
    uint32_t ffff = 0, exact = 0;
    for (int round = 0; round < 100 && c.peer_ack != c.iss + 1 + 100000; round++) {
        struct th_seg *s;
        while ((s = th_pop(&th))) {
            uint32_t off = s->h.seq - (c.iss + 1);
            if (!s->len)
                continue;
            assert_true(s->h.flags & TCP_URG);
            if (off <= 100000 - 65536) {
                assert_int_equal(s->h.urp, 0xffff);
                ffff++;
            } else {
                assert_int_equal(s->h.urp, 100000 - off);
                exact++;
            }
        }
        peer_ack_all(&th, &c);
    }
    assert_int_equal(ffff, 35); /* R6: offsets 0..34000 */
    assert_int_equal(exact, 65);
    done(&th, &c);
}

static void test_urg_zero_window_probes_and_acks(void **st)
{
    (void)st;
    struct th th;
    th_init(&th);
    struct th_conn c;
    conn_full(&th, &c);
    c.peer_win = 0;
    th_peer_send(&th, &c, TCP_ACK, NULL, 0);
    th_clear(&th);
    send_bytes(&th, c.t, "ab", 2, MSG_OOB);
    assert_int_equal(th_pending(&th), 0);
    /* R7: an ACK for the peer's data carries URG, urp = snd_up - snd_nxt. */
    th_peer_send(&th, &c, TCP_ACK | TCP_PSH, "z", 1);
    int one = 1;
    tcp_setsockopt(c.t, TCP_QUICKACK, &one, sizeof one, th.now);
    th_advance(&th, SG_MS(50));
    struct th_seg *a = th_last(&th);
    assert_non_null(a);
    assert_true(a->h.flags & TCP_URG);
    assert_int_equal(a->h.urp, 2);
    th_clear(&th);
    th_advance(&th, SG_SEC(3));
    /* R7: two zero-length probes, at snd_una (urp 2) and snd_una-1 (urp 3) */
    struct th_seg *p1 = th_pop(&th), *p2 = th_pop(&th);
    assert_non_null(p1);
    assert_non_null(p2);
    assert_int_equal(p1->h.seq, c.iss + 1);
    assert_int_equal(p1->len, 0);
    assert_int_equal(p1->h.urp, 2);
    assert_true(p1->h.flags & TCP_URG);
    assert_int_equal(p2->h.seq, c.iss);
    assert_int_equal(p2->h.urp, 3);
    done(&th, &c);
}

static void test_urg_nagle_off_in_urgent_mode(void **st)
{
    (void)st;
    struct th th;
    th_init(&th);
    struct th_conn c;
    conn_full(&th, &c);
    send_bytes(&th, c.t, "a", 1, 0);
    th_clear(&th);
    send_bytes(&th, c.t, "b", 1, 0);
    assert_int_equal(th_pending(&th), 0); /* Nagle holds it */
    send_bytes(&th, c.t, "!", 1, MSG_OOB);
    assert_int_equal(th_pending(&th), 1); /* R8: urgent mode sends */
    struct th_seg *s = th_pop(&th);
    assert_int_equal(s->len, 2);
    assert_int_equal(s->h.urp, 2);
    done(&th, &c);
}

static void test_keepalive_probes_then_timeout(void **st)
{
    (void)st;
    struct th th;
    th_init(&th);
    struct th_conn c;
    conn_full(&th, &c);
    int v = 10;
    tcp_setsockopt(c.t, TCP_KEEPIDLE, &v, sizeof v, th.now);
    v = 5;
    tcp_setsockopt(c.t, TCP_KEEPINTVL, &v, sizeof v, th.now);
    v = 3;
    tcp_setsockopt(c.t, TCP_KEEPCNT, &v, sizeof v, th.now);
    tcp_set_keepalive(c.t, true, th.now);
    th_advance(&th, SG_SEC(11));
    struct th_seg *p = th_pop(&th);
    assert_non_null(p);
    assert_int_equal(p->h.seq, c.iss); /* snd_una - 1 */
    assert_int_equal(p->len, 0);
    /* Answered: idle again. */
    th_peer_send(&th, &c, TCP_ACK, NULL, 0);
    th_advance(&th, SG_SEC(9));
    assert_int_equal(th_pending(&th), 0);
    for (int i = 0; i < 30; i++)
        th_advance(&th, SG_SEC(1));
    assert_int_equal(tcp_state(c.t), TCP_CLOSE);
    assert_int_equal(tcp_sock_error(c.t), ETIMEDOUT);
    assert_int_equal(th_stat(&th, SG_C_TCP_KEEPALIVE_PROBES), 4);
    assert_int_equal(th_stat(&th, SG_C_TCP_KEEPALIVE_TIMEOUTS), 1);
    tcp_release(c.t, th.now);
    th_free(&th);
}

/* R3: a non-blocking MSG_OOB send that fits only partly marks the last
 * byte actually accepted. */
static void test_urg_partial_send_marks_last_accepted(void **st)
{
    (void)st;
    struct th th;
    th_init(&th);
    struct th_conn c;
    conn_full(&th, &c);
    tcp_set_sndbuf(c.t, 4096);
    c.peer_win = 0;
    th_peer_send(&th, &c, TCP_ACK, NULL, 0);
    static uint8_t d[10000];
    ssize_t n = send_bytes(&th, c.t, d, sizeof d, MSG_OOB);
    assert_int_equal(n, 4096);
    assert_int_equal(c.t->urg.snd_up, c.t->snd_una + 4096);
    assert_int_equal(send_bytes(&th, c.t, d, sizeof d, MSG_OOB), -EAGAIN);
    assert_false(tcp_poll_mask(c.t) & POLLOUT);
    done(&th, &c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_send_segments_by_mss_with_psh_on_last),
        cmocka_unit_test(test_nagle_holds_small_segment_until_ack),
        cmocka_unit_test(test_cork_holds_until_uncorked),
        cmocka_unit_test(test_delayed_ack_every_second_segment),
        cmocka_unit_test(test_out_of_order_sack_and_fill),
        cmocka_unit_test(test_receive_window_closes_and_reopens),
        cmocka_unit_test(test_isn_near_wrap_both_directions),
        cmocka_unit_test(test_paws_drops_old_timestamp),
        cmocka_unit_test(test_wscale_negotiation),
        cmocka_unit_test(test_options_absent),
        cmocka_unit_test(test_options_config_off_and_user_mss),
        cmocka_unit_test(test_zero_window_probe),
        cmocka_unit_test(test_rto_retransmits_and_gives_up),
        cmocka_unit_test(test_newreno_fast_retransmit),
        cmocka_unit_test(test_sack_recovery_retransmits_hole),
        cmocka_unit_test(test_urg_send_pointer_rules),
        cmocka_unit_test(test_urg_send_over_64k),
        cmocka_unit_test(test_urg_zero_window_probes_and_acks),
        cmocka_unit_test(test_urg_nagle_off_in_urgent_mode),
        cmocka_unit_test(test_keepalive_probes_then_timeout),
        cmocka_unit_test(test_urg_partial_send_marks_last_accepted),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

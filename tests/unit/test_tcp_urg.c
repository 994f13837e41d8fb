/* Urgent data, receiving side (shared/spec/oob.md R10-R27), driven by
 * hand-built segments: the wire_rx_* scenarios of the spec and the
 * st.* selftest cases that a single connection can show. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include "tcp_harness.h"

static void conn(struct th *th, struct th_conn *c)
{
    struct tcp_repr o = th_seg(0, 0, 0, 0, 0, 65535);
    o.has_mss = true;
    o.mss = 1460;
    th_connect(th, c, 5000, &o);
    th_clear(th);
}

static void conn_cfg(struct th *th, struct th_conn *c, const struct sg_config *cfg)
{
    th_init_cfg(th, cfg);
    conn(th, c);
}

/* Peer sends `data` with URG and pointer field urp. */
static void send_urg(struct th *th, struct th_conn *c, const char *data, uint16_t urp)
{
    struct tcp_repr r = th_seg(c->rport, c->lport, c->peer_seq, c->peer_ack,
                               TCP_ACK | TCP_PSH | TCP_URG, c->peer_win);
    r.urp = urp;
    uint32_t n = (uint32_t)strlen(data);
    th_inject(th, &r, data, n);
    c->peer_seq += n;
}

static void send_plain(struct th *th, struct th_conn *c, const char *data)
{
    th_peer_send(th, c, TCP_ACK | TCP_PSH, data, (uint32_t)strlen(data));
}

/* recv into a string; returns the count or -errno. */
static int rd(struct th *th, struct tcb *t, char *buf, size_t n, int flags)
{
    struct iovec iov = {buf, n};
    int mf;
    ssize_t k = tcp_recv(t, &iov, 1, flags, &mf, th->now);
    if (k >= 0 && (size_t)k < n)
        buf[k] = 0;
    return (int)k;
}

static int rd_oob(struct th *th, struct tcb *t, char *c, int flags, int *mf)
{
    struct iovec iov = {c, 1};
    return (int)tcp_recv(t, &iov, 1, flags | MSG_OOB, mf, th->now);
}

static void done(struct th *th, struct th_conn *c)
{
    tcp_abort(c->t, th->now);
    tcp_release(c->t, th->now);
    th_free(th);
}

static void test_urg_rx_bsd_pointer_and_read_stops_at_mark(void **st)
{
    (void)st;
    struct th th;
    struct th_conn c;
    conn_cfg(&th, &c, NULL);
    send_urg(&th, &c, "hello", 5); /* R10: the urgent byte is 'o' */
    assert_int_equal(th.sigurg, 1);
    assert_int_equal(th_stat(&th, SG_C_TCP_URG_ACCEPTED), 1);
    assert_true(tcp_poll_mask(c.t) & POLLPRI);
    assert_int_equal(tcp_inq(c.t), 4); /* R24 */
    assert_int_equal(tcp_atmark(c.t), 0);
    char buf[64], ch = 0;
    int mf = 0;
    /* R18: peek stops before the mark too and changes nothing. */
    assert_int_equal(rd(&th, c.t, buf, sizeof buf, MSG_PEEK), 4);
    assert_int_equal(rd_oob(&th, c.t, &ch, MSG_PEEK, &mf), 1);
    assert_int_equal(ch, 'o');
    assert_int_equal(mf & MSG_OOB, MSG_OOB);
    assert_int_equal(rd_oob(&th, c.t, &ch, 0, &mf), 1); /* R19: VALID -> READ */
    assert_int_equal(ch, 'o');
    assert_false(tcp_poll_mask(c.t) & POLLPRI);
    assert_int_equal(rd_oob(&th, c.t, &ch, 0, &mf), -EINVAL); /* READ */
    assert_int_equal(rd(&th, c.t, buf, sizeof buf, 0), 4);    /* R16: "hell" */
    assert_string_equal(buf, "hell");
    assert_int_equal(tcp_atmark(c.t), 1); /* R21: READ, at the mark */
    assert_int_equal(tcp_inq(c.t), 0);
    assert_false(tcp_poll_mask(c.t) & POLLIN); /* R23: only the urgent byte left */
    /* R17: a read at the mark skips the byte; nothing follows: EAGAIN. */
    assert_int_equal(rd(&th, c.t, buf, sizeof buf, 0), -EAGAIN);
    assert_int_equal(tcp_atmark(c.t), 0);
    assert_int_equal(rd_oob(&th, c.t, &ch, 0, &mf), -EINVAL); /* NONE */
    done(&th, &c);
}

static void test_urg_rx_urp_zero_marks_first_byte(void **st)
{
    (void)st;
    struct th th;
    struct th_conn c;
    conn_cfg(&th, &c, NULL);
    send_urg(&th, &c, "xyz", 0);
    char ch = 0;
    int mf;
    assert_int_equal(rd_oob(&th, c.t, &ch, 0, &mf), 1);
    assert_int_equal(ch, 'x');
    assert_int_equal(tcp_atmark(c.t), 1);
    char buf[8];
    assert_int_equal(rd(&th, c.t, buf, sizeof buf, 0), 2); /* skips 'x' */
    assert_string_equal(buf, "yz");
    done(&th, &c);
}

static void test_urg_rx_stdurg_reads_pointer_as_last_byte(void **st)
{
    (void)st;
    struct th th;
    struct th_conn c;
    struct sg_config cfg = {.tcp_stdurg = 1};
    conn_cfg(&th, &c, &cfg);
    send_urg(&th, &c, "hello", 5); /* the byte after 'o' */
    assert_int_equal(th.sigurg, 1);
    char buf[16], ch;
    int mf;
    assert_int_equal(rd_oob(&th, c.t, &ch, 0, &mf), -EAGAIN); /* NOTYET */
    assert_int_equal(rd(&th, c.t, buf, sizeof buf, 0), 5);
    assert_string_equal(buf, "hello");
    send_plain(&th, &c, "w");
    assert_int_equal(rd_oob(&th, c.t, &ch, 0, &mf), 1);
    assert_int_equal(ch, 'w');
    done(&th, &c);
}

static void test_urg_rx_retransmit_same_pointer_no_second_sigurg(void **st)
{
    (void)st;
    struct th th;
    struct th_conn c;
    conn_cfg(&th, &c, NULL);
    send_urg(&th, &c, "ab", 2);
    c.peer_seq -= 2;
    send_urg(&th, &c, "ab", 2); /* retransmission */
    assert_int_equal(th.sigurg, 1);
    done(&th, &c);
}

static void test_urg_rx_pointer_to_received_byte_ignored(void **st)
{
    (void)st;
    struct th th;
    struct th_conn c;
    conn_cfg(&th, &c, NULL);
    send_plain(&th, &c, "abc");
    /* a pure ACK whose pointer names 'c' (already received, unread) */
    struct tcp_repr r =
        th_seg(c.rport, c.lport, c.peer_seq - 1, c.peer_ack, TCP_ACK | TCP_URG, c.peer_win);
    r.urp = 1;
    th_inject(&th, &r, NULL, 0);
    assert_int_equal(th.sigurg, 0);
    char ch;
    int mf;
    assert_int_equal(rd_oob(&th, c.t, &ch, 0, &mf), -EINVAL);
    /* A pointer equal to rcv_nxt (the next byte) is accepted. */
    r = th_seg(c.rport, c.lport, c.peer_seq, c.peer_ack, TCP_ACK | TCP_URG, c.peer_win);
    r.urp = 1;
    th_inject(&th, &r, NULL, 0);
    assert_int_equal(th.sigurg, 1);
    assert_int_equal(rd_oob(&th, c.t, &ch, 0, &mf), -EAGAIN); /* NOTYET, never blocks */
    assert_false(tcp_poll_mask(c.t) & POLLPRI);
    done(&th, &c);
}

static void test_urg_rx_out_of_order_byte_readable_first(void **st)
{
    (void)st;
    struct th th;
    struct th_conn c;
    conn_cfg(&th, &c, NULL);
    uint32_t base = c.peer_seq;
    c.peer_seq = base + 4;
    send_urg(&th, &c, "e", 1); /* "abcd" missing before it */
    unsigned m = tcp_poll_mask(c.t);
    assert_true(m & POLLPRI);
    assert_false(m & POLLIN);
    char ch;
    int mf;
    assert_int_equal(rd_oob(&th, c.t, &ch, 0, &mf), 1);
    assert_int_equal(ch, 'e');
    c.peer_seq = base;
    send_plain(&th, &c, "abcd");
    char buf[16];
    assert_int_equal(rd(&th, c.t, buf, sizeof buf, 0), 4);
    assert_string_equal(buf, "abcd");
    done(&th, &c);
}

static void test_urg_rx_pointer_ahead_then_plain_segment_supplies_byte(void **st)
{
    (void)st;
    struct th th;
    struct th_conn c;
    conn_cfg(&th, &c, NULL);
    struct tcp_repr r =
        th_seg(c.rport, c.lport, c.peer_seq, c.peer_ack, TCP_ACK | TCP_URG, c.peer_win);
    r.urp = 3; /* byte seq+2 */
    th_inject(&th, &r, NULL, 0);
    assert_int_equal(th.sigurg, 1);
    assert_false(tcp_poll_mask(c.t) & POLLPRI);
    assert_int_equal(tcp_inq(c.t), 0);
    send_plain(&th, &c, "ab");
    assert_int_equal(tcp_inq(c.t), 2); /* NOTYET: counts everything */
    send_plain(&th, &c, "Xq");
    assert_true(tcp_poll_mask(c.t) & POLLPRI);
    char ch;
    int mf;
    assert_int_equal(rd_oob(&th, c.t, &ch, 0, &mf), 1);
    assert_int_equal(ch, 'X');
    done(&th, &c);
}

static void test_urg_second_mark_drops_byte_at_reader(void **st)
{
    (void)st;
    struct th th;
    struct th_conn c;
    conn_cfg(&th, &c, NULL);
    send_urg(&th, &c, "ab", 2); /* urgent 'b' */
    char buf[16];
    assert_int_equal(rd(&th, c.t, buf, sizeof buf, 0), 1); /* "a", at the mark */
    send_urg(&th, &c, "cd", 2);                            /* urgent 'd'; reader sits on 'b' */
    assert_int_equal(th_stat(&th, SG_C_TCP_URG_BYTE_DROPPED), 1);
    assert_int_equal(rd(&th, c.t, buf, sizeof buf, 0), 1);
    assert_string_equal(buf, "c"); /* 'b' is gone for good (R14) */
    char ch;
    int mf;
    assert_int_equal(rd_oob(&th, c.t, &ch, 0, &mf), 1);
    assert_int_equal(ch, 'd');
    done(&th, &c);
}

static void test_urg_old_byte_reappears_after_oob_read(void **st)
{
    (void)st;
    struct th th;
    struct th_conn c;
    conn_cfg(&th, &c, NULL);
    send_urg(&th, &c, "ab", 2);
    char ch;
    int mf;
    assert_int_equal(rd_oob(&th, c.t, &ch, 0, &mf), 1);
    assert_int_equal(ch, 'b');
    send_urg(&th, &c, "cd", 2); /* mark moves on; reader not at the old mark */
    char buf[16];
    assert_int_equal(rd(&th, c.t, buf, sizeof buf, 0), 3);
    assert_string_equal(buf, "abc"); /* R15: 'b' delivered a second time */
    done(&th, &c);
}

static void test_urg_oobinline(void **st)
{
    (void)st;
    struct th th;
    struct th_conn c;
    conn_cfg(&th, &c, NULL);
    tcp_set_oobinline(c.t, true);
    send_urg(&th, &c, "hello", 5);
    send_plain(&th, &c, "world");
    assert_int_equal(th.sigurg, 1); /* R22: also with OOBINLINE */
    char ch;
    int mf;
    assert_int_equal(rd_oob(&th, c.t, &ch, 0, &mf), -EINVAL);
    assert_int_equal(tcp_inq(c.t), 10); /* R24: all bytes */
    char buf[16];
    assert_int_equal(rd(&th, c.t, buf, sizeof buf, 0), 4); /* stops at the mark */
    assert_true(tcp_poll_mask(c.t) & POLLPRI);
    assert_int_equal(tcp_atmark(c.t), 1);
    assert_int_equal(rd(&th, c.t, buf, sizeof buf, 0), 6);
    assert_string_equal(buf, "oworld");
    assert_false(tcp_poll_mask(c.t) & POLLPRI);
    done(&th, &c);
}

static void test_urg_recv_oob_table(void **st)
{
    (void)st;
    struct th th;
    struct th_conn c;
    conn_cfg(&th, &c, NULL);
    char ch = 0;
    int mf = 0;
    assert_int_equal(rd_oob(&th, c.t, &ch, 0, &mf), -EINVAL); /* no urgent data */
    send_urg(&th, &c, "ab", 2);
    /* zero-length buffer: returns 0 with MSG_OOB|MSG_TRUNC and consumes */
    struct iovec iov = {&ch, 0};
    assert_int_equal(tcp_recv(c.t, &iov, 1, MSG_OOB, &mf, th.now), 0);
    assert_int_equal(mf, MSG_OOB | MSG_TRUNC);
    assert_int_equal(rd_oob(&th, c.t, &ch, 0, &mf), -EINVAL);
    send_urg(&th, &c, "cd", 2);
    ch = 0;
    assert_int_equal(rd_oob(&th, c.t, &ch, MSG_TRUNC, &mf), 1); /* 1, nothing copied */
    assert_int_equal(ch, 0);
    assert_int_equal(rd_oob(&th, c.t, &ch, 0, &mf), -EINVAL); /* consumed */
    /* NOTYET after the peer's FIN: 0 */
    struct tcp_repr r =
        th_seg(c.rport, c.lport, c.peer_seq, c.peer_ack, TCP_ACK | TCP_URG, c.peer_win);
    r.urp = 5;
    th_inject(&th, &r, NULL, 0);
    assert_int_equal(rd_oob(&th, c.t, &ch, 0, &mf), -EAGAIN);
    th_peer_send(&th, &c, TCP_ACK | TCP_FIN, NULL, 0);
    assert_int_equal(rd_oob(&th, c.t, &ch, 0, &mf), 0);
    done(&th, &c);
}

static void test_urg_listener_and_unconnected(void **st)
{
    (void)st;
    struct th th;
    th_init(&th);
    struct tcb *t = tcp_new(th.s, &th, th_on_event);
    char ch;
    int mf;
    assert_int_equal(rd_oob(&th, t, &ch, 0, &mf), -EINVAL); /* never connected */
    struct iovec iov = {"x", 1};
    assert_int_equal(tcp_send(t, &iov, 1, MSG_OOB, th.now), -EPIPE); /* R9 */
    tcp_bind(t, &(struct ipaddr){{0}}, 99);
    tcp_listen(t, 1);
    assert_int_equal(rd_oob(&th, t, &ch, 0, &mf), -ENOTCONN);
    assert_int_equal(tcp_atmark(t), 0);
    tcp_release(t, th.now);
    th_free(&th);
}

static void test_urg_close_after_oob_read_resets(void **st)
{
    (void)st;
    struct th th;
    struct th_conn c;
    conn_cfg(&th, &c, NULL);
    send_urg(&th, &c, "a", 1);
    char ch;
    int mf;
    assert_int_equal(rd_oob(&th, c.t, &ch, 0, &mf), 1);
    th_clear(&th);
    tcp_close(c.t, th.now); /* R25: the fetched byte is still queued */
    struct th_seg *s = th_pop(&th);
    assert_non_null(s);
    assert_true(s->h.flags & TCP_RST);
    tcp_release(c.t, th.now);
    th_free(&th);
}

static void test_urg_after_peer_rst(void **st)
{
    (void)st;
    struct th th;
    struct th_conn c;
    conn_cfg(&th, &c, NULL);
    send_urg(&th, &c, "hello", 5);
    th_peer_send(&th, &c, TCP_RST, NULL, 0);
    unsigned m = tcp_poll_mask(c.t);
    unsigned want =
        POLLIN | POLLRDNORM | POLLPRI | POLLOUT | POLLWRNORM | POLLERR | POLLHUP | POLLRDHUP;
    assert_int_equal(m, want); /* R27 */
    char ch, buf[16];
    int mf;
    assert_int_equal(rd_oob(&th, c.t, &ch, 0, &mf), -ENOTCONN);
    assert_int_equal(rd(&th, c.t, buf, sizeof buf, 0), 4);
    assert_int_equal(rd(&th, c.t, buf, sizeof buf, 0), -ECONNRESET);
    assert_int_equal(rd(&th, c.t, buf, sizeof buf, 0), 0);
    assert_int_equal(rd_oob(&th, c.t, &ch, 0, &mf), -EINVAL);
    tcp_release(c.t, th.now);
    th_free(&th);
}

static void test_urg_after_peer_fin(void **st)
{
    (void)st;
    struct th th;
    struct th_conn c;
    conn_cfg(&th, &c, NULL);
    send_urg(&th, &c, "hello", 5);
    th_peer_send(&th, &c, TCP_ACK | TCP_FIN, NULL, 0);
    unsigned m = tcp_poll_mask(c.t);
    assert_int_equal(m & (POLLIN | POLLPRI | POLLOUT | POLLRDHUP),
                     POLLIN | POLLPRI | POLLOUT | POLLRDHUP); /* R26 */
    char ch, buf[16];
    int mf;
    assert_int_equal(rd_oob(&th, c.t, &ch, 0, &mf), 1);
    assert_int_equal(ch, 'o');
    assert_int_equal(rd(&th, c.t, buf, sizeof buf, 0), 4);
    assert_int_equal(rd(&th, c.t, buf, sizeof buf, 0), 0);
    done(&th, &c);
}

static void test_urg_after_fin_still_signals(void **st)
{
    (void)st;
    struct th th;
    struct th_conn c;
    conn_cfg(&th, &c, NULL);
    send_plain(&th, &c, "ab");
    th_peer_send(&th, &c, TCP_ACK | TCP_FIN, NULL, 0);
    assert_int_equal(tcp_state(c.t), TCP_CLOSE_WAIT);
    /* R12: URG on a segment after the FIN (a pure ACK pointing beyond). */
    struct tcp_repr r =
        th_seg(c.rport, c.lport, c.peer_seq, c.peer_ack, TCP_ACK | TCP_URG, c.peer_win);
    r.urp = 3;
    th_inject(&th, &r, NULL, 0);
    assert_int_equal(th.sigurg, 1);
    done(&th, &c);
}

static void test_urg_ffff_pointer_blocks_smaller(void **st)
{
    (void)st;
    struct th th;
    struct th_conn c;
    conn_cfg(&th, &c, NULL);
    uint32_t base = c.peer_seq;
    send_urg(&th, &c, "abcdefgh", 0xffff); /* provisional, far ahead */
    assert_int_equal(th.sigurg, 1);
    c.peer_seq = base + 8;
    send_urg(&th, &c, "i", 1); /* points at 'i': before the pending pointer */
    assert_int_equal(th.sigurg, 1);
    char ch;
    int mf;
    assert_int_equal(rd_oob(&th, c.t, &ch, 0, &mf), -EAGAIN);
    done(&th, &c);
}

static void test_urg_siocinq_around_mark(void **st)
{
    (void)st;
    struct th th;
    struct th_conn c;
    conn_cfg(&th, &c, NULL);
    send_urg(&th, &c, "hello", 5);
    send_plain(&th, &c, "world");
    assert_int_equal(tcp_inq(c.t), 4);
    char buf[4];
    assert_int_equal(rd(&th, c.t, buf, 2, 0), 2);
    assert_int_equal(tcp_inq(c.t), 2);
    assert_int_equal(rd(&th, c.t, buf, 4, 0), 2);
    assert_int_equal(tcp_inq(c.t), 0); /* at the mark, data follows */
    assert_true(tcp_poll_mask(c.t) & POLLIN);
    done(&th, &c);
}

/* wire_rx_second_pointer: a newer pointer while the old byte is still
 * ahead of the reader: a second SIGURG, the old byte becomes data (R15). */
static void test_urg_second_pointer_ahead(void **st)
{
    (void)st;
    struct th th;
    struct th_conn c;
    conn_cfg(&th, &c, NULL);
    send_urg(&th, &c, "abc", 2);
    assert_int_equal(th.sigurg, 1);
    send_urg(&th, &c, "def", 3);
    assert_int_equal(th.sigurg, 2);
    assert_int_equal(tcp_inq(c.t), 5);
    char ch, buf[16];
    int mf;
    assert_int_equal(rd_oob(&th, c.t, &ch, 0, &mf), 1);
    assert_int_equal(ch, 'f');
    assert_int_equal(rd(&th, c.t, buf, 10, 0), 5);
    assert_string_equal(buf, "abcde");
    assert_int_equal(tcp_atmark(c.t), 1);
    done(&th, &c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_urg_rx_bsd_pointer_and_read_stops_at_mark),
        cmocka_unit_test(test_urg_rx_urp_zero_marks_first_byte),
        cmocka_unit_test(test_urg_rx_stdurg_reads_pointer_as_last_byte),
        cmocka_unit_test(test_urg_rx_retransmit_same_pointer_no_second_sigurg),
        cmocka_unit_test(test_urg_rx_pointer_to_received_byte_ignored),
        cmocka_unit_test(test_urg_rx_out_of_order_byte_readable_first),
        cmocka_unit_test(test_urg_rx_pointer_ahead_then_plain_segment_supplies_byte),
        cmocka_unit_test(test_urg_second_mark_drops_byte_at_reader),
        cmocka_unit_test(test_urg_old_byte_reappears_after_oob_read),
        cmocka_unit_test(test_urg_oobinline),
        cmocka_unit_test(test_urg_recv_oob_table),
        cmocka_unit_test(test_urg_listener_and_unconnected),
        cmocka_unit_test(test_urg_close_after_oob_read_resets),
        cmocka_unit_test(test_urg_after_peer_rst),
        cmocka_unit_test(test_urg_after_peer_fin),
        cmocka_unit_test(test_urg_after_fin_still_signals),
        cmocka_unit_test(test_urg_ffff_pointer_blocks_smaller),
        cmocka_unit_test(test_urg_siocinq_around_mark),
        cmocka_unit_test(test_urg_second_pointer_ahead),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* The wire-level urgent-data suite: every `wire_*` scenario that
 * shared/spec/oob.md names, and the sender and receiver cases around
 * them, as scripts of a hand-played TCP peer (wire.h).
 *
 * Sender scenarios (wire_tx_*) capture what the local host puts on the
 * wire for MSG_OOB sends: the URG flag and pointer on new data,
 * retransmissions, pure ACKs and window probes (R1 R3-R8). Receiver
 * scenarios (wire_rx_*) inject segments with hand-chosen URG flags and
 * pointers and record what the application sees: SIGURG, recv(MSG_OOB),
 * poll/select/epoll, SIOCATMARK, SIOCINQ, normal reads (R10-R13, R19,
 * R22-R27).
 */
#include "wire_scenarios.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* How long the local host may take to answer at once, and to fire a
 * retransmission or persist timer (Linux: RTO_MIN 200 ms + RTT). */
#define NOW_MS 1000
#define RTO_MS 1500
/* A window in which nothing is expected: shorter than a delayed ACK. */
#define QUIET_MS 20

#define O (w->o)
#define SK (w->fd)

static void sig(struct wire *w)
{
    obs_sigurg(O);
}

static void oob(struct wire *w)
{
    obs_recv(O, SK, 1, MSG_OOB);
}

static void rd(struct wire *w, size_t n)
{
    obs_recv(O, SK, n, 0);
}

static void state(struct wire *w)
{
    obs_ready(O, SK);
    obs_siocatmark(O, SK);
    obs_inq(O, SK);
}

static void open_default(struct wire *w)
{
    struct wire_open wo;
    memset(&wo, 0, sizeof wo);
    wire_open(w, &wo);
}

/* ---- sender ---- */

/* R1 R4 R5: the urgent pointer points one past the last byte of the
 * MSG_OOB send; a segment starting at or after it carries no URG even
 * while the urgent byte is unacknowledged; the RTO retransmission that
 * covers the urgent byte carries URG again (collapsed with what followed). */
static void wire_tx_small(struct wire *w)
{
    open_default(w);
    obs_send(O, SK, "hello", 5, MSG_OOB);
    wire_expect(w, 1, NOW_MS);
    peer_ack(w, 5);
    wire_quiet(w, QUIET_MS);
    obs_send(O, SK, "12345x", 6, MSG_OOB);
    wire_expect(w, 1, NOW_MS);
    peer_ack(w, 10); /* everything but the urgent byte 'x' */
    wire_quiet(w, QUIET_MS);
    obs_send(O, SK, "yz", 2, 0);
    wire_expect(w, 1, NOW_MS);
    wire_expect_tag(w, 1, RTO_MS, "(rto) ");
    peer_ack(w, 13);
    wire_quiet(w, QUIET_MS);
    sig(w);
}

/* R4 R5: an unacknowledged MSG_OOB send is retransmitted by the RTO with
 * the same URG pointer. */
static void wire_tx_rto_retransmit(struct wire *w)
{
    open_default(w);
    obs_send(O, SK, "hello", 5, MSG_OOB);
    wire_expect(w, 1, NOW_MS);
    wire_expect_tag(w, 1, RTO_MS, "(rto) ");
    peer_ack(w, 5);
    wire_quiet(w, QUIET_MS);
    obs_send(O, SK, "w", 1, 0);
    wire_expect(w, 1, NOW_MS); /* urgent mode is over: no URG */
    peer_ack(w, 6);
    wire_quiet(w, QUIET_MS);
}

/* A run of segments with the same shape, for the >64 KiB summary. */
struct run {
    int32_t first, last;
    int n;
    uint32_t len;
    char shape[64];
};

static void run_flush(struct wire *w, struct run *r)
{
    if (r->n)
        obs_line(O, "out(+%d..+%d x%d,len=%u,%s)", r->first, r->last, r->n, r->len, r->shape);
    r->n = 0;
}

/* R6 R8 S12: a 100000-byte MSG_OOB send with MSS 1000. Segments more than
 * 64 KiB before the urgent pointer say "further on" (urp=65535), the rest
 * point exactly at +100000. */
static void wire_tx_over_64k(struct wire *w)
{
    enum { TOTAL = 100000 };
    struct wire_open wo;
    memset(&wo, 0, sizeof wo);
    wo.mss = 1000;
    wo.wscale = 7 + 1;
    wo.win = 1u << 20;
    wo.sndbuf = 1 << 20;
    wire_open(w, &wo);
    obs_send_pattern(O, SK, TOTAL, '!', MSG_OOB);

    struct run r;
    memset(&r, 0, sizeof r);
    int intact = 1, retrans = 0, nseg = 0;
    int32_t hi = 0;
    struct wseg s;
    while (hi < TOTAL && wire_next(w, &s, NOW_MS)) {
        nseg++;
        if (s.seq != hi) {
            retrans++;
        } else {
            for (uint32_t i = 0; i < s.len; i++) {
                int32_t k = s.seq + (int32_t)i;
                int want = k == TOTAL - 1 ? '!' : 'a' + k % 26;
                if (s.data[i] != want)
                    intact = 0;
            }
            hi = s.seq + (int32_t)s.len;
        }
        char shape[64], fl[8];
        int u = (s.t.flags & TCP_URG) != 0;
        snprintf(fl, sizeof fl, "%s%s", u ? "U" : "", (s.t.flags & TCP_PSH) ? "P" : "");
        if (!u)
            snprintf(shape, sizeof shape, "%s,urp=%u", fl[0] ? fl : ".", s.t.urp);
        else if (s.seq + (int32_t)s.t.urp == TOTAL)
            snprintf(shape, sizeof shape, "%s,urp->+%d", fl, TOTAL);
        else
            snprintf(shape, sizeof shape, "%s,urp=%u", fl, s.t.urp);
        if (r.n && (strcmp(shape, r.shape) != 0 || s.len != r.len))
            run_flush(w, &r);
        if (!r.n) {
            r.first = s.seq;
            r.len = s.len;
            snprintf(r.shape, sizeof r.shape, "%s", shape);
        }
        r.last = s.seq;
        r.n++;
        /* Acknowledge each segment at once: the sender's window grows
         * and the transfer never waits for a timer. */
        peer_ack_quiet(w, hi);
    }
    run_flush(w, &r);
    obs_line(O, "peer: %d segments, %d bytes in order, payload intact: %s, retransmissions: %d",
             nseg, hi, intact ? "yes" : "no", retrans);
    peer_ack(w, hi);
    wire_quiet(w, QUIET_MS);
}

/* R4 R7: a window smaller than the MSG_OOB send: nothing goes out until
 * the persist timer sends a window's worth ("hel", a probe with data)
 * whose pointer reaches beyond its own end (to +5); the acknowledgement
 * releases the rest. */
static void wire_tx_small_window(struct wire *w)
{
    struct wire_open wo;
    memset(&wo, 0, sizeof wo);
    wo.win = 3;
    wire_open(w, &wo);
    obs_send(O, SK, "hello", 5, MSG_OOB);
    wire_quiet(w, QUIET_MS);
    wire_expect_tag(w, 1, RTO_MS, "(probe) ");
    peer_ack(w, 3);
    wire_expect(w, 1, NOW_MS);
    peer_window(w, 65535);
    peer_ack(w, 5);
    wire_quiet(w, QUIET_MS);
}

/* R7 S12: with the peer's window closed, the urgent pointer still goes
 * out: both persist probes carry it (one at snd_una, one at snd_una-1),
 * and so does the ACK for the peer's data. */
static void wire_tx_zero_window(struct wire *w)
{
    struct wire_open wo;
    memset(&wo, 0, sizeof wo);
    wo.zero_window = 1;
    wire_open(w, &wo);
    obs_send(O, SK, "ab", 2, MSG_OOB);
    wire_quiet(w, QUIET_MS);
    wire_expect_tag(w, 2, RTO_MS, "(probe) ");
    peer_send(w, 0, "p", TCP_PSH, 0);
    wire_expect(w, 1, NOW_MS);
    rd(w, 10);
    peer_window(w, 65535);
    peer_ack(w, 0);
    wire_expect(w, 1, NOW_MS);
    peer_ack(w, 2);
    wire_quiet(w, QUIET_MS);
}

/* R3: a nonblocking MSG_OOB send that is only partly accepted makes the
 * last byte it accepted the urgent one. How much is accepted depends on
 * buffer accounting, so only relations are recorded. */
static void wire_tx_nonblock_partial(struct wire *w)
{
    enum { TOTAL = 100000 };
    struct wire_open wo;
    memset(&wo, 0, sizeof wo);
    wo.sndbuf = 4096;
    wire_open(w, &wo);
    char *buf = malloc(TOTAL);
    if (!buf)
        obs_fail(O, "out of memory");
    for (int i = 0; i < TOTAL; i++)
        buf[i] = (char)('a' + i % 26);
    ssize_t ret = w->ops->send(SK, buf, TOTAL, MSG_OOB);
    int e = errno;
    free(buf);
    if (ret < 0)
        obs_on(O, SK, "send(<%d bytes>,OOB)=-1 %s", TOTAL, obs_errname(e));
    else
        obs_on(O, SK, "send(<%d bytes>,OOB): accepted part of it: %s", TOTAL,
               ret > 0 && ret < TOTAL ? "yes" : "no");
    if (ret <= 0)
        return;
    int32_t hi = 0, last_target = -1;
    int urg_segs = 0, plain_before = 0, plain_after = 0, other_target = 0;
    struct wseg s;
    while (hi < ret && wire_next(w, &s, RTO_MS)) {
        if (s.t.flags & TCP_URG) {
            urg_segs++;
            int32_t target = s.seq + (int32_t)s.t.urp;
            if (target != (int32_t)ret)
                other_target++;
            last_target = target;
        } else if (s.len) {
            if (s.seq < (int32_t)ret)
                plain_before++;
            else
                plain_after++;
        }
        if (s.seq + (int32_t)s.len > hi)
            hi = s.seq + (int32_t)s.len;
        peer_ack_quiet(w, hi);
    }
    obs_line(O, "peer: all accepted bytes arrived: %s", hi == ret ? "yes" : "no");
    obs_line(O, "peer: data segments with URG: %s, without: %d, pointing elsewhere: %d",
             urg_segs > 0 ? "some" : "none", plain_before + plain_after, other_target);
    obs_line(O, "last_urg_target==ret:%d", last_target == (int32_t)ret);
    wire_quiet(w, QUIET_MS);
}

/* ---- receiver ---- */

/* R10 R13 R21-R24 S11: the BSD reading of the pointer -- urp=5 on
 * "hello" makes 'o' (seq + urp - 1) the urgent byte. */
static void wire_rx_bsd_pointer(struct wire *w)
{
    open_default(w);
    peer_send(w, 0, "hello", TCP_URG | TCP_PSH, 5);
    wire_expect(w, 1, NOW_MS);
    sig(w);
    state(w);
    oob(w);
    rd(w, 10);
    state(w);
    rd(w, 10);
    state(w);
}

/* R10 S11: urp=0 is not decremented: the segment's first byte is urgent. */
static void wire_rx_urp_zero(struct wire *w)
{
    open_default(w);
    peer_send(w, 0, "hello", TCP_URG | TCP_PSH, 0);
    wire_expect(w, 1, NOW_MS);
    sig(w);
    state(w);
    oob(w);
    rd(w, 10);
    state(w);
}

/* R10: with tcp_stdurg=1 the pointer names seq + urp: the byte after
 * "hello" is urgent, and the next byte sent ('w') becomes it. */
static void wire_rx_stdurg(struct wire *w)
{
    open_default(w);
    peer_send(w, 0, "hello", TCP_URG | TCP_PSH, 5);
    wire_expect(w, 1, NOW_MS);
    sig(w);
    state(w);
    oob(w);
    rd(w, 10);
    state(w);
    peer_send(w, 5, "w", TCP_PSH, 0);
    wire_expect(w, 1, NOW_MS);
    sig(w);
    state(w);
    oob(w);
    rd(w, 10);
}

/* R11(b): URG pointing at a byte that already arrived (without URG) is
 * ignored; a pointer equal to rcv_nxt -- the next byte to come -- is
 * accepted, also when it rides on a retransmission. */
static void wire_rx_urg_for_received_byte(struct wire *w)
{
    open_default(w);
    peer_send(w, 0, "hello", TCP_PSH, 0);
    wire_expect(w, 1, NOW_MS);
    sig(w);
    peer_send(w, 0, "hello", TCP_URG | TCP_PSH, 5); /* 'o': received, unread */
    wire_expect(w, 1, NOW_MS);
    sig(w);
    oob(w);
    state(w);
    peer_send(w, 0, "hello", TCP_URG | TCP_PSH, 6); /* +5: rcv_nxt */
    wire_expect(w, 1, NOW_MS);
    sig(w);
    oob(w);
    state(w);
    peer_send(w, 5, "w", TCP_PSH, 0);
    wire_expect(w, 1, NOW_MS);
    sig(w);
    state(w);
    oob(w);
    rd(w, 10);
    rd(w, 10);
}

/* R11(c) R22: a retransmission with the same pointer raises no second
 * SIGURG and does not revive a byte already fetched. */
static void wire_rx_retransmit_same_ptr(struct wire *w)
{
    open_default(w);
    peer_send(w, 0, "hello", TCP_URG | TCP_PSH, 5);
    wire_expect(w, 1, NOW_MS);
    sig(w);
    peer_send(w, 0, "hello", TCP_URG | TCP_PSH, 5);
    wire_expect(w, 1, NOW_MS);
    sig(w);
    oob(w);
    peer_send(w, 0, "hello", TCP_URG | TCP_PSH, 5);
    wire_expect(w, 1, NOW_MS);
    sig(w);
    oob(w);
    state(w);
    rd(w, 10);
    rd(w, 10);
}

/* R11(c) S11: urp=65535 is a provisional pointer 65534 bytes on; a later,
 * nearer pointer (to 'i') is older in the kernel's eyes and ignored. */
static void wire_rx_ffff_pointer(struct wire *w)
{
    open_default(w);
    peer_send(w, 0, "abc", TCP_URG | TCP_PSH, 65535);
    wire_expect(w, 1, NOW_MS);
    sig(w);
    state(w);
    peer_send(w, 3, "defghi", TCP_URG | TCP_PSH, 6);
    wire_expect(w, 1, NOW_MS);
    sig(w);
    oob(w);
    state(w);
    rd(w, 20);
    state(w);
}

/* R13 S13: the urgent byte is taken from an out-of-order segment: it can
 * be read with MSG_OOB before the bytes in front of it arrive, and poll
 * shows PRI without IN. */
static void wire_rx_out_of_order(struct wire *w)
{
    open_default(w);
    peer_send(w, 3, "de", TCP_URG | TCP_PSH, 2);
    wire_expect(w, 1, NOW_MS);
    sig(w);
    state(w);
    oob(w);
    state(w);
    peer_send(w, 0, "abc", TCP_PSH, 0);
    wire_expect(w, 1, NOW_MS);
    sig(w);
    state(w);
    rd(w, 10);
    state(w);
    rd(w, 10);
    state(w);
}

/* R13 S6: a pointer beyond the data (NOTYET: SIGURG now, the byte later);
 * a later segment without URG supplies the byte. */
static void wire_rx_ptr_ahead_of_data(struct wire *w)
{
    open_default(w);
    peer_send(w, 0, "abc", TCP_URG | TCP_PSH, 5);
    wire_expect(w, 1, NOW_MS);
    sig(w);
    state(w);
    oob(w);
    rd(w, 10);
    state(w);
    peer_send(w, 3, "de", TCP_PSH, 0);
    wire_expect(w, 1, NOW_MS);
    sig(w);
    state(w);
    oob(w);
    rd(w, 10);
    state(w);
}

/* R12 R19 R26 S11: URG on a segment after the peer's FIN (CLOSE_WAIT) is
 * still accepted: SIGURG, and MSG_OOB gives 0 (NOTYET after FIN). */
static void wire_rx_urg_after_fin(struct wire *w)
{
    open_default(w);
    peer_send(w, 0, "hello", TCP_PSH | TCP_FIN, 0);
    wire_expect(w, 1, NOW_MS);
    sig(w);
    peer_send(w, 6, NULL, TCP_URG, 1);
    wire_quiet(w, QUIET_MS);
    sig(w);
    oob(w);
    state(w);
    rd(w, 10);
    rd(w, 10);
    oob(w);
}

/* R19 R26 S9: the byte was announced, then the peer's FIN came first:
 * recv(MSG_OOB) returns 0. */
static void wire_rx_fin_notyet(struct wire *w)
{
    open_default(w);
    peer_send(w, 0, "abc", TCP_URG | TCP_PSH, 5);
    wire_expect(w, 1, NOW_MS);
    sig(w);
    oob(w);
    peer_send(w, 3, NULL, TCP_FIN, 0);
    wire_expect(w, 1, NOW_MS);
    sig(w);
    oob(w);
    state(w);
    rd(w, 10);
    rd(w, 10);
    oob(w);
}

/* R19 R22 R23 S6: URG on a pure ACK: SIGURG with nothing to read; MSG_OOB
 * is EAGAIN (also on a blocking socket), no PRI until the byte comes. */
static void wire_rx_pure_ack_urg(struct wire *w)
{
    open_default(w);
    peer_send(w, 0, NULL, TCP_URG, 3);
    wire_quiet(w, QUIET_MS);
    sig(w);
    state(w);
    oob(w);
    int fl = w->ops->fcntl(SK, F_GETFL, 0);
    w->ops->fcntl(SK, F_SETFL, fl & ~O_NONBLOCK);
    obs_line(O, "sk: (blocking)");
    oob(w);
    w->ops->fcntl(SK, F_SETFL, fl);
    peer_send(w, 0, "xyz", TCP_PSH, 0);
    wire_expect(w, 1, NOW_MS);
    sig(w);
    state(w);
    oob(w);
    rd(w, 10);
    state(w);
}

/* R19 R23 R27: RST while the byte is VALID: PRI with ERR|HUP, MSG_OOB
 * ENOTCONN, reads give the bytes before the mark, ECONNRESET once, then 0. */
static void wire_rx_rst_valid(struct wire *w)
{
    open_default(w);
    peer_send(w, 0, "hello", TCP_URG | TCP_PSH, 5);
    wire_expect(w, 1, NOW_MS);
    sig(w);
    peer_send(w, 5, NULL, TCP_RST, 0);
    wire_quiet(w, QUIET_MS);
    sig(w);
    state(w);
    oob(w);
    rd(w, 10);
    rd(w, 10);
    rd(w, 10);
    oob(w);
    state(w);
}

/* R12: a SYN-ACK with URG is processed in SYN-SENT: SIGURG during
 * connect, the byte it names (+1, 'y') arrives later. */
static void wire_rx_synack_urg(struct wire *w)
{
    struct wire_open wo;
    memset(&wo, 0, sizeof wo);
    wo.syn_flags = TCP_URG;
    wo.syn_urp = 3; /* ISN + 3 - 1: data byte +1 */
    wire_open(w, &wo);
    sig(w);
    oob(w);
    state(w);
    peer_send(w, 0, "xyz", TCP_PSH, 0);
    wire_expect(w, 1, NOW_MS);
    sig(w);
    state(w);
    rd(w, 10);
    state(w);
    oob(w);
    rd(w, 10);
}

/* R11 R12: URG on a SYN is not processed (the listener keeps no urgent
 * state), so nothing is marked. */
static void wire_rx_syn_urg(struct wire *w)
{
    struct wire_open wo;
    memset(&wo, 0, sizeof wo);
    wo.passive = 1;
    wo.syn_flags = TCP_URG;
    wo.syn_urp = 1;
    wire_open(w, &wo);
    wire_quiet(w, QUIET_MS);
    sig(w);
    peer_send(w, 0, "abc", TCP_PSH, 0);
    wire_expect(w, 1, NOW_MS);
    sig(w);
    state(w);
    oob(w);
    rd(w, 10);
}

/* R12 R22: urgent data on the handshake's last ACK reaches a socket not
 * yet accepted: the mark and the byte are kept, but no SIGURG is sent
 * (the socket has no owner yet; the listener's owner is not signalled). */
static void wire_rx_urg_before_accept(struct wire *w)
{
    struct wire_open wo;
    memset(&wo, 0, sizeof wo);
    wo.passive = 1;
    wo.ack_data = "hello";
    wo.ack_flags = TCP_URG | TCP_PSH;
    wo.ack_urp = 5;
    wo.ls_owner = 1;
    wire_open(w, &wo);
    wire_expect(w, 1, NOW_MS);
    sig(w);
    state(w);
    oob(w);
    rd(w, 10);
    state(w);
}

/* R11 R14 R22: a second, further pointer while the first byte is unread
 * and ahead of the reader: SIGURG again; the old byte becomes data. */
static void wire_rx_second_pointer(struct wire *w)
{
    open_default(w);
    peer_send(w, 0, "abc", TCP_URG | TCP_PSH, 2);
    wire_expect(w, 1, NOW_MS);
    sig(w);
    peer_send(w, 3, "def", TCP_URG | TCP_PSH, 3);
    wire_expect(w, 1, NOW_MS);
    sig(w);
    state(w);
    oob(w);
    rd(w, 10);
    state(w);
    rd(w, 10);
}

/* R14: a second pointer while the reader sits on the first mark (the old
 * byte arrived, SO_OOBINLINE off): the old urgent byte is deleted. */
static void wire_rx_second_pointer_at_mark(struct wire *w)
{
    open_default(w);
    peer_send(w, 0, "abc", TCP_URG | TCP_PSH, 3);
    wire_expect(w, 1, NOW_MS);
    sig(w);
    rd(w, 10);
    state(w);
    peer_send(w, 3, "def", TCP_URG | TCP_PSH, 3);
    wire_expect(w, 1, NOW_MS);
    sig(w);
    state(w);
    rd(w, 10);
    oob(w);
    rd(w, 10);
    state(w);
}

/* R19 R27: RST while the byte is announced but missing (NOTYET). */
static void wire_rx_rst_notyet(struct wire *w)
{
    open_default(w);
    peer_send(w, 0, "abc", TCP_URG | TCP_PSH, 5);
    wire_expect(w, 1, NOW_MS);
    sig(w);
    peer_send(w, 3, NULL, TCP_RST, 0);
    wire_quiet(w, QUIET_MS);
    state(w);
    oob(w);
    rd(w, 10);
    rd(w, 10);
    rd(w, 10);
    oob(w);
}

const struct wire_scenario wire_scenarios[] = {
    {"wire_tx_small", "R1 R4 R5 S12", wire_tx_small, 0},
    {"wire_tx_rto_retransmit", "R4 R5", wire_tx_rto_retransmit, 0},
    {"wire_tx_over_64k", "R6 R8 S12", wire_tx_over_64k, 0},
    {"wire_tx_small_window", "R4 R7", wire_tx_small_window, 0},
    {"wire_tx_zero_window", "R7 S12", wire_tx_zero_window, 0},
    {"wire_tx_nonblock_partial", "R3", wire_tx_nonblock_partial, 0},
    {"wire_rx_bsd_pointer", "R10 R13 R21 R22 R23 R24", wire_rx_bsd_pointer, 0},
    {"wire_rx_urp_zero", "R10 R21 R24 S11", wire_rx_urp_zero, 0},
    {"wire_rx_stdurg", "R10", wire_rx_stdurg, 1},
    {"wire_rx_urg_for_received_byte", "R11 R19 S11", wire_rx_urg_for_received_byte, 0},
    {"wire_rx_retransmit_same_ptr", "R11 R19 R22", wire_rx_retransmit_same_ptr, 0},
    {"wire_rx_ffff_pointer", "R10 R11 S11", wire_rx_ffff_pointer, 0},
    {"wire_rx_out_of_order", "R13 R23 S13", wire_rx_out_of_order, 0},
    {"wire_rx_ptr_ahead_of_data", "R13 R19 S6", wire_rx_ptr_ahead_of_data, 0},
    {"wire_rx_urg_after_fin", "R12 R19 R26 S11", wire_rx_urg_after_fin, 0},
    {"wire_rx_fin_notyet", "R19 R26 S9", wire_rx_fin_notyet, 0},
    {"wire_rx_pure_ack_urg", "R19 R22 R23 S6", wire_rx_pure_ack_urg, 0},
    {"wire_rx_rst_valid", "R19 R23 R27", wire_rx_rst_valid, 0},
    {"wire_rx_synack_urg", "R12 R22", wire_rx_synack_urg, 0},
    {"wire_rx_syn_urg", "R11 R12", wire_rx_syn_urg, 0},
    {"wire_rx_urg_before_accept", "R12 R22", wire_rx_urg_before_accept, 0},
    {"wire_rx_second_pointer", "R11 R15 R22", wire_rx_second_pointer, 0},
    {"wire_rx_second_pointer_at_mark", "R14 R22", wire_rx_second_pointer_at_mark, 0},
    {"wire_rx_rst_notyet", "R19 R27", wire_rx_rst_notyet, 0},
};
const size_t wire_nscenarios = sizeof wire_scenarios / sizeof wire_scenarios[0];

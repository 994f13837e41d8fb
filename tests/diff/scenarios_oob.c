/* The out-of-band (TCP urgent data) scenario suite.
 *
 * Each scenario pins rules of shared/spec/oob.md (R1..R29) and its
 * surprises (S1..S13), named in the registry at the bottom. Names are the
 * spec's where it gives one. The `st.no_peek.*` / `st.peek.*` scenarios
 * rebuild the 24 cases of the kernel selftest
 * tools/testing/selftests/net/af_unix/msg_oob.c on TCP: same actions, but
 * recorded, so TCP's answers (which the selftest marks "tcp_incompliant"
 * where they differ from AF_UNIX) are what the golden file holds.
 *
 * Conventions: "tx" is the connecting side (HOST_A) and usually sends, "rx"
 * the accepted side (HOST_B, nonblocking, F_SETOWN to this process) and
 * usually receives. Every send is followed by a settle and a "sigurg=N"
 * line (sc_send), so each scenario also pins when SIGURG fires (R22).
 * Scenarios are scripts; the short macros below keep them readable.
 */
#include "scenario.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/sockios.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#define OOB MSG_OOB
#define PEEK MSG_PEEK
#define SEND(fd, s, fl) sc_send(ops, o, (fd), (s), (fl))
#define RECV(fd, n, fl) obs_recv(o, (fd), (n), (fl))
#define MARK(fd) obs_mark(o, (fd))
#define ATMARK(fd) obs_siocatmark(o, (fd))
#define INQ(fd) obs_inq(o, (fd))
#define READY(fd) obs_ready(o, (fd))
#define EPOLL(fd) obs_epoll(o, (fd))
#define SETTLE() sc_settle(ops)
#define SIGURG_N() obs_sigurg(o)
#define INLINE(fd, on) obs_setint(o, (fd), SOL_SOCKET, SO_OOBINLINE, "SO_OOBINLINE", (on))
#define SC(fn) static void fn(const struct sockops *ops, struct obs *o)

/* A blocking call that should return at once takes microseconds; one that
 * waits for its SO_RCVTIMEO (300 ms here) takes longer than the bound. */
#define WAIT_BOUND_MS 150
#define SHORT_TIMEO_MS 300

static long long ms_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* recv recorded, plus whether it returned at once or waited. */
static ssize_t timed_recv(struct obs *o, int fd, size_t len, int flags)
{
    long long t0 = ms_now();
    ssize_t r = obs_recv(o, fd, len, flags);
    int e = errno;
    obs_on(o, fd, "%s", ms_now() - t0 < WAIT_BOUND_MS ? "returned at once" : "waited");
    errno = e;
    return r;
}

/* How many accepted urgent pointers the F_SETSIG signal reported since the
 * last call (each comes as band POLL_PRI, spec R22). */
static int pri_events(void)
{
    int codes[256];
    int n = obs_sigio_take(codes, 256);
    int pri = 0;
    for (int i = 0; i < n && i < 256; i++)
        pri += codes[i] == POLL_PRI;
    return pri;
}

static void blocking(const struct sockops *ops, struct obs *o, int fd, int timeo_ms)
{
    sc_nonblock(ops, o, fd, 0);
    sc_rcvtimeo(ops, o, fd, timeo_ms);
}

/* ================================================================
 * The kernel selftest's 24 cases, each with and without MSG_PEEK.
 * epollpair -> epoll, siocatmarkpair -> SIOCATMARK, sendpair -> send +
 * the SIGURG check, resetpair -> close the receiver and recv on the sender.
 * ================================================================ */

static void st_pair(const struct sockops *ops, struct obs *o, struct pair *p)
{
    struct pair_opts po;
    memset(&po, 0, sizeof po);
    po.no_owner = 1;
    pair_open(ops, o, &po, p);
    /* The selftest sets the owner with FIOSETOWN, not F_SETOWN. */
    int pid = (int)getpid();
    if (ops->ioctl(p->rx, FIOSETOWN, &pid) < 0)
        obs_fail(o, "setup: FIOSETOWN: %s", obs_errname(errno));
}

#define ST_E_M(p)                                                                                  \
    do {                                                                                           \
        EPOLL((p).rx);                                                                             \
        ATMARK((p).rx);                                                                            \
    } while (0)

static void st_reset(const struct sockops *ops, struct obs *o, struct pair *p, int peek)
{
    obs_close(o, p->rx);
    SETTLE();
    RECV(p->tx, 1, peek ? PEEK : 0);
}

static void st_non_oob(const struct sockops *ops, struct obs *o, int peek)
{
    struct pair p;
    st_pair(ops, o, &p);
    SEND(p.tx, "x", 0);
    ST_E_M(p);
    sc_recv(o, p.rx, 1, OOB, peek);
    ST_E_M(p);
    st_reset(ops, o, &p, peek);
}

static void st_non_oob_no_reset(const struct sockops *ops, struct obs *o, int peek)
{
    struct pair p;
    st_pair(ops, o, &p);
    SEND(p.tx, "x", 0);
    ST_E_M(p);
    sc_recv(o, p.rx, 1, 0, peek);
    ST_E_M(p);
    st_reset(ops, o, &p, peek);
}

static void st_oob(const struct sockops *ops, struct obs *o, int peek)
{
    struct pair p;
    st_pair(ops, o, &p);
    SEND(p.tx, "x", OOB);
    ST_E_M(p);
    sc_recv(o, p.rx, 1, OOB, peek);
    ST_E_M(p);
    st_reset(ops, o, &p, peek);
}

static void st_oob_reset(const struct sockops *ops, struct obs *o, int peek)
{
    struct pair p;
    st_pair(ops, o, &p);
    SEND(p.tx, "x", OOB);
    ST_E_M(p);
    st_reset(ops, o, &p, peek);
}

static void st_oob_drop(const struct sockops *ops, struct obs *o, int peek)
{
    struct pair p;
    st_pair(ops, o, &p);
    SEND(p.tx, "x", OOB);
    ST_E_M(p);
    sc_recv(o, p.rx, 1, 0, peek);
    ST_E_M(p);
    sc_recv(o, p.rx, 1, OOB, peek);
    ST_E_M(p);
    st_reset(ops, o, &p, peek);
}

static void st_oob_ahead(const struct sockops *ops, struct obs *o, int peek)
{
    struct pair p;
    st_pair(ops, o, &p);
    SEND(p.tx, "hello", OOB);
    ST_E_M(p);
    sc_recv(o, p.rx, 1, OOB, peek);
    ST_E_M(p);
    sc_recv(o, p.rx, 4, 0, peek);
    ST_E_M(p);
    st_reset(ops, o, &p, peek);
}

static void st_oob_break(const struct sockops *ops, struct obs *o, int peek)
{
    struct pair p;
    st_pair(ops, o, &p);
    SEND(p.tx, "hello", OOB);
    ST_E_M(p);
    sc_recv(o, p.rx, 5, 0, peek);
    ST_E_M(p);
    sc_recv(o, p.rx, 1, OOB, peek);
    ST_E_M(p);
    sc_recv(o, p.rx, 1, 0, peek);
    ATMARK(p.rx);
    st_reset(ops, o, &p, peek);
}

static void st_oob_ahead_break(const struct sockops *ops, struct obs *o, int peek)
{
    struct pair p;
    st_pair(ops, o, &p);
    SEND(p.tx, "hello", OOB);
    ST_E_M(p);
    SEND(p.tx, "world", 0);
    ST_E_M(p);
    sc_recv(o, p.rx, 1, OOB, peek);
    ST_E_M(p);
    sc_recv(o, p.rx, 9, 0, peek);
    ST_E_M(p);
    sc_recv(o, p.rx, 5, 0, peek);
    ST_E_M(p);
    st_reset(ops, o, &p, peek);
}

static void st_oob_break_drop(const struct sockops *ops, struct obs *o, int peek)
{
    struct pair p;
    st_pair(ops, o, &p);
    SEND(p.tx, "hello", OOB);
    ST_E_M(p);
    SEND(p.tx, "world", 0);
    ST_E_M(p);
    sc_recv(o, p.rx, 10, 0, peek);
    ST_E_M(p);
    sc_recv(o, p.rx, 10, 0, peek);
    ST_E_M(p);
    sc_recv(o, p.rx, 1, OOB, peek);
    ST_E_M(p);
    st_reset(ops, o, &p, peek);
}

static void st_ex_oob_break(const struct sockops *ops, struct obs *o, int peek)
{
    struct pair p;
    st_pair(ops, o, &p);
    SEND(p.tx, "hello", OOB);
    ST_E_M(p);
    SEND(p.tx, "wor", OOB);
    ST_E_M(p);
    SEND(p.tx, "ld", 0);
    ST_E_M(p);
    sc_recv(o, p.rx, 10, 0, peek);
    ST_E_M(p);
    sc_recv(o, p.rx, 1, OOB, peek);
    ST_E_M(p);
    sc_recv(o, p.rx, 2, 0, peek);
    ST_E_M(p);
    st_reset(ops, o, &p, peek);
}

static void st_ex_oob_drop(const struct sockops *ops, struct obs *o, int peek)
{
    struct pair p;
    st_pair(ops, o, &p);
    SEND(p.tx, "x", OOB);
    ST_E_M(p);
    SEND(p.tx, "y", OOB);
    ST_E_M(p);
    sc_recv(o, p.rx, 1, 0, peek);
    ST_E_M(p);
    sc_recv(o, p.rx, 1, OOB, peek);
    ST_E_M(p);
    st_reset(ops, o, &p, peek);
}

static void st_ex_oob_drop_2(const struct sockops *ops, struct obs *o, int peek)
{
    struct pair p;
    st_pair(ops, o, &p);
    SEND(p.tx, "x", OOB);
    ST_E_M(p);
    SEND(p.tx, "y", OOB);
    ST_E_M(p);
    sc_recv(o, p.rx, 1, OOB, peek);
    ST_E_M(p);
    sc_recv(o, p.rx, 1, 0, peek);
    ST_E_M(p);
    st_reset(ops, o, &p, peek);
}

static void st_ex_oob_oob(const struct sockops *ops, struct obs *o, int peek)
{
    struct pair p;
    st_pair(ops, o, &p);
    SEND(p.tx, "x", OOB);
    ST_E_M(p);
    sc_recv(o, p.rx, 1, OOB, peek);
    ST_E_M(p);
    SEND(p.tx, "y", OOB);
    ST_E_M(p);
    sc_recv(o, p.rx, 1, 0, peek);
    ST_E_M(p);
    sc_recv(o, p.rx, 1, OOB, peek);
    ST_E_M(p);
    st_reset(ops, o, &p, peek);
}

static void st_ex_oob_ex_oob(const struct sockops *ops, struct obs *o, int peek)
{
    struct pair p;
    st_pair(ops, o, &p);
    SEND(p.tx, "x", OOB);
    ST_E_M(p);
    sc_recv(o, p.rx, 1, OOB, peek);
    ST_E_M(p);
    SEND(p.tx, "y", OOB);
    ST_E_M(p);
    sc_recv(o, p.rx, 1, OOB, peek);
    ST_E_M(p);
    st_reset(ops, o, &p, peek);
}

static void st_ex_oob_ex_oob_oob(const struct sockops *ops, struct obs *o, int peek)
{
    struct pair p;
    st_pair(ops, o, &p);
    SEND(p.tx, "x", OOB);
    ST_E_M(p);
    sc_recv(o, p.rx, 1, OOB, peek);
    ST_E_M(p);
    SEND(p.tx, "y", OOB);
    ST_E_M(p);
    sc_recv(o, p.rx, 1, OOB, peek);
    ST_E_M(p);
    SEND(p.tx, "z", OOB);
    ST_E_M(p);
    st_reset(ops, o, &p, peek);
}

static void st_ex_oob_ahead_break(const struct sockops *ops, struct obs *o, int peek)
{
    struct pair p;
    st_pair(ops, o, &p);
    SEND(p.tx, "hello", OOB);
    ST_E_M(p);
    SEND(p.tx, "wor", OOB);
    ST_E_M(p);
    sc_recv(o, p.rx, 1, OOB, peek);
    ST_E_M(p);
    SEND(p.tx, "ld", OOB);
    ST_E_M(p);
    sc_recv(o, p.rx, 10, 0, peek);
    ST_E_M(p);
    sc_recv(o, p.rx, 1, OOB, peek);
    ST_E_M(p);
    st_reset(ops, o, &p, peek);
}

static void st_ex_oob_siocatmark(const struct sockops *ops, struct obs *o, int peek)
{
    struct pair p;
    st_pair(ops, o, &p);
    SEND(p.tx, "hello", OOB);
    ST_E_M(p);
    sc_recv(o, p.rx, 1, OOB, peek);
    ST_E_M(p);
    SEND(p.tx, "world", OOB);
    ST_E_M(p);
    sc_recv(o, p.rx, 4, 0, peek);
    ST_E_M(p);
    st_reset(ops, o, &p, peek);
}

static void st_inline_oob(const struct sockops *ops, struct obs *o, int peek)
{
    struct pair p;
    st_pair(ops, o, &p);
    INLINE(p.rx, 1);
    SEND(p.tx, "x", OOB);
    ST_E_M(p);
    sc_recv(o, p.rx, 1, OOB, peek);
    ST_E_M(p);
    sc_recv(o, p.rx, 1, 0, peek);
    ST_E_M(p);
    st_reset(ops, o, &p, peek);
}

static void st_inline_oob_break(const struct sockops *ops, struct obs *o, int peek)
{
    struct pair p;
    st_pair(ops, o, &p);
    INLINE(p.rx, 1);
    SEND(p.tx, "hello", OOB);
    ST_E_M(p);
    sc_recv(o, p.rx, 1, OOB, peek);
    ST_E_M(p);
    sc_recv(o, p.rx, 5, 0, peek);
    ST_E_M(p);
    sc_recv(o, p.rx, 1, 0, peek);
    ST_E_M(p);
    st_reset(ops, o, &p, peek);
}

static void st_inline_oob_ahead_break(const struct sockops *ops, struct obs *o, int peek)
{
    struct pair p;
    st_pair(ops, o, &p);
    SEND(p.tx, "hello", OOB);
    ST_E_M(p);
    SEND(p.tx, "world", 0);
    ST_E_M(p);
    sc_recv(o, p.rx, 1, OOB, peek);
    ST_E_M(p);
    INLINE(p.rx, 1);
    sc_recv(o, p.rx, 9, 0, peek);
    ST_E_M(p);
    sc_recv(o, p.rx, 6, 0, peek);
    ST_E_M(p);
    st_reset(ops, o, &p, peek);
}

static void st_inline_ex_oob_break(const struct sockops *ops, struct obs *o, int peek)
{
    struct pair p;
    st_pair(ops, o, &p);
    SEND(p.tx, "hello", OOB);
    ST_E_M(p);
    SEND(p.tx, "wor", OOB);
    ST_E_M(p);
    SEND(p.tx, "ld", 0);
    ST_E_M(p);
    INLINE(p.rx, 1);
    sc_recv(o, p.rx, 10, 0, peek);
    ST_E_M(p);
    sc_recv(o, p.rx, 3, 0, peek);
    ST_E_M(p);
    st_reset(ops, o, &p, peek);
}

static void st_inline_ex_oob_no_drop(const struct sockops *ops, struct obs *o, int peek)
{
    struct pair p;
    st_pair(ops, o, &p);
    SEND(p.tx, "x", OOB);
    ST_E_M(p);
    INLINE(p.rx, 1);
    SEND(p.tx, "y", OOB);
    ST_E_M(p);
    sc_recv(o, p.rx, 1, 0, peek);
    ST_E_M(p);
    sc_recv(o, p.rx, 1, 0, peek);
    ST_E_M(p);
    st_reset(ops, o, &p, peek);
}

static void st_inline_ex_oob_drop(const struct sockops *ops, struct obs *o, int peek)
{
    struct pair p;
    st_pair(ops, o, &p);
    SEND(p.tx, "x", OOB);
    ST_E_M(p);
    SEND(p.tx, "y", OOB);
    EPOLL(p.rx);
    INLINE(p.rx, 1);
    ATMARK(p.rx);
    sc_recv(o, p.rx, 1, 0, peek);
    ST_E_M(p);
    sc_recv(o, p.rx, 1, 0, peek);
    ST_E_M(p);
    st_reset(ops, o, &p, peek);
}

static void st_inline_ex_oob_siocatmark(const struct sockops *ops, struct obs *o, int peek)
{
    struct pair p;
    st_pair(ops, o, &p);
    SEND(p.tx, "hello", OOB);
    ST_E_M(p);
    sc_recv(o, p.rx, 1, OOB, peek);
    ST_E_M(p);
    INLINE(p.rx, 1);
    SEND(p.tx, "world", OOB);
    ST_E_M(p);
    sc_recv(o, p.rx, 4, 0, peek);
    ST_E_M(p);
    st_reset(ops, o, &p, peek);
}

#define ST_VARIANTS(name)                                                                          \
    SC(st_no_peek_##name)                                                                          \
    {                                                                                              \
        st_##name(ops, o, 0);                                                                      \
    }                                                                                              \
    SC(st_peek_##name)                                                                             \
    {                                                                                              \
        st_##name(ops, o, 1);                                                                      \
    }

ST_VARIANTS(non_oob)
ST_VARIANTS(non_oob_no_reset)
ST_VARIANTS(oob)
ST_VARIANTS(oob_reset)
ST_VARIANTS(oob_drop)
ST_VARIANTS(oob_ahead)
ST_VARIANTS(oob_break)
ST_VARIANTS(oob_ahead_break)
ST_VARIANTS(oob_break_drop)
ST_VARIANTS(ex_oob_break)
ST_VARIANTS(ex_oob_drop)
ST_VARIANTS(ex_oob_drop_2)
ST_VARIANTS(ex_oob_oob)
ST_VARIANTS(ex_oob_ex_oob)
ST_VARIANTS(ex_oob_ex_oob_oob)
ST_VARIANTS(ex_oob_ahead_break)
ST_VARIANTS(ex_oob_siocatmark)
ST_VARIANTS(inline_oob)
ST_VARIANTS(inline_oob_break)
ST_VARIANTS(inline_oob_ahead_break)
ST_VARIANTS(inline_ex_oob_break)
ST_VARIANTS(inline_ex_oob_no_drop)
ST_VARIANTS(inline_ex_oob_drop)
ST_VARIANTS(inline_ex_oob_siocatmark)

/* ================================================================
 * R1-R3, R6-R9: the sending side.
 * ================================================================ */

SC(oob_last_byte_of_call)
{
    struct pair p;
    pair_default(ops, o, &p);
    SEND(p.tx, "hello", OOB);
    RECV(p.rx, 1, OOB);
    RECV(p.rx, 10, 0);
    RECV(p.rx, 10, 0);
}

SC(oob_sendmsg_iov)
{
    struct pair p;
    pair_default(ops, o, &p);
    const char *parts[] = {"he", "ll", "o!", NULL};
    obs_sendmsg(o, p.tx, parts, OOB);
    SETTLE();
    SIGURG_N();
    RECV(p.rx, 1, OOB);
    RECV(p.rx, 10, 0);
    MARK(p.rx);
}

SC(oob_sendto_null_addr)
{
    struct pair p;
    pair_default(ops, o, &p);
    obs_sendto(o, p.tx, "abc", 3, OOB, NULL, 0);
    SETTLE();
    SIGURG_N();
    RECV(p.rx, 1, OOB);
    RECV(p.rx, 10, 0);
}

SC(oob_sendto_with_addr)
{
    struct pair p;
    struct sockaddr_storage ss;
    socklen_t len;
    pair_default(ops, o, &p);
    if (ops->getpeername(p.tx, (struct sockaddr *)&ss, (len = sizeof ss, &len)) < 0)
        obs_fail(o, "setup: getpeername: %s", obs_errname(errno));
    obs_sendto(o, p.tx, "abc", 3, OOB, (struct sockaddr *)&ss, len);
    SETTLE();
    SIGURG_N();
    RECV(p.rx, 1, OOB);
    RECV(p.rx, 10, 0);
}

SC(oob_large_send)
{
    struct pair p;
    pair_default(ops, o, &p);
    obs_send_pattern(o, p.tx, 10000, '!', OOB);
    SETTLE();
    SIGURG_N();
    MARK(p.rx);
    INQ(p.rx);
    obs_recv_total(o, p.rx, 20000, 0, 1);
    MARK(p.rx);
    RECV(p.rx, 1, OOB);
    RECV(p.rx, 10, 0);
}

SC(oob_after_normal_data)
{
    struct pair p;
    pair_default(ops, o, &p);
    SEND(p.tx, "abc", 0);
    SEND(p.tx, "de", OOB);
    READY(p.rx);
    MARK(p.rx);
    RECV(p.rx, 10, 0);
    MARK(p.rx);
    RECV(p.rx, 1, OOB);
}

SC(oob_nul_and_binary_byte)
{
    struct pair p;
    pair_default(ops, o, &p);
    obs_send(o, p.tx, "a\x01\xff", 3, 0);
    obs_send(o, p.tx, "\n\0", 2, OOB);
    SETTLE();
    SIGURG_N();
    RECV(p.rx, 1, OOB);
    RECV(p.rx, 10, 0);
}

SC(oob_msg_more)
{
    struct pair p;
    pair_default(ops, o, &p);
    /* MSG_MORE would cork; urgent mode overrides Nagle and corking (R8). */
    SEND(p.tx, "ab", OOB | MSG_MORE);
    READY(p.rx);
    RECV(p.rx, 1, OOB);
    RECV(p.rx, 10, 0);
}

SC(oob_dontwait_send)
{
    struct pair p;
    pair_default(ops, o, &p);
    SEND(p.tx, "ab", OOB | MSG_DONTWAIT);
    RECV(p.rx, 1, OOB);
}

SC(oob_writev_carries_no_mark)
{
    struct pair p;
    pair_default(ops, o, &p);
    struct iovec iov[2] = {{(void *)"he", 2}, {(void *)"llo", 3}};
    ssize_t r = ops->writev(p.tx, iov, 2);
    obs_on(o, p.tx, "writev(['he','llo'])=%zd", r);
    SETTLE();
    SIGURG_N();
    RECV(p.rx, 1, OOB);
    MARK(p.rx);
    RECV(p.rx, 10, 0);
}

SC(oob_zero_len_send)
{
    struct pair p;
    pair_default(ops, o, &p);
    SEND(p.tx, "", OOB);
    READY(p.rx);
    RECV(p.rx, 1, OOB);
    MARK(p.rx);
    SEND(p.tx, "ab", OOB);
    /* An empty MSG_OOB send moves no pointer either. */
    SEND(p.tx, "", OOB);
    RECV(p.rx, 1, OOB);
    RECV(p.rx, 10, 0);
}

SC(sigurg_counts)
{
    struct pair p;
    pair_default(ops, o, &p);
    SEND(p.tx, "x", OOB);
    SEND(p.tx, "y", OOB);
    SEND(p.tx, "z", 0);
    RECV(p.rx, 1, OOB);
    SIGURG_N();
    RECV(p.rx, 10, 0);
    SIGURG_N();
    SEND(p.tx, "", OOB);
    SEND(p.tx, "w", 0);
    RECV(p.rx, 10, 0);
}

/* R3: a nonblocking MSG_OOB send that is cut short marks the last byte it
 * accepted. How much it accepts depends on buffer sizes, so the lines say
 * how the results relate rather than print them. */
SC(oob_nonblock_partial)
{
    struct pair p;
    struct pair_opts po;
    memset(&po, 0, sizeof po);
    po.tx_sndbuf = 8192;
    po.rx_rcvbuf = 8192;
    po.tx_nonblocking = 1;
    pair_open(ops, o, &po, &p);
    enum { N = 1 << 20 };
    unsigned char *buf = malloc(N);
    if (!buf)
        obs_fail(o, "out of memory");
    for (size_t i = 0; i < N; i++)
        buf[i] = (unsigned char)('A' + (i * 7 + i / 26) % 26);
    ssize_t r = ops->send(p.tx, buf, N, OOB);
    obs_on(o, p.tx, "send(<1 MiB>,OOB) accepted part of it: %s", r > 0 && r < N ? "yes" : "no");
    if (r <= 0)
        obs_fail(o, "send: %s", obs_errname(errno));
    SETTLE();
    SIGURG_N();
    /* Read everything before the mark, in as many reads as it takes. */
    unsigned char *got = malloc((size_t)r);
    if (!got)
        obs_fail(o, "out of memory");
    size_t n = 0;
    int idle = 0;
    while (n < (size_t)r && ops->sockatmark(p.rx) != 1) {
        ssize_t k = ops->recv(p.rx, got + n, (size_t)r - n, 0);
        if (k > 0) {
            n += (size_t)k;
            idle = 0;
        } else if (k < 0 && errno == EAGAIN && idle++ < 3) {
            SETTLE();
        } else {
            break;
        }
    }
    obs_on(o, p.rx, "bytes before the mark == accepted-1: %s", n == (size_t)r - 1 ? "yes" : "no");
    obs_on(o, p.rx, "they are the bytes sent: %s", memcmp(got, buf, n) == 0 ? "yes" : "no");
    MARK(p.rx);
    char c = 0;
    ssize_t k = ops->recv(p.rx, &c, 1, OOB);
    obs_on(o, p.rx, "recv(1,OOB)=%zd, the last accepted byte: %s", k,
           k == 1 && (unsigned char)c == buf[r - 1] ? "yes" : "no");
    RECV(p.rx, 10, 0);
    free(got);
    free(buf);
}

/* R3, blocking: a MSG_OOB send that must wait for space pushes with the
 * urgent flag before each wait, so the receiver sees several marks. The
 * number depends on timing; that there is more than one does not. */
struct reader_arg {
    const struct sockops *ops;
    int fd;
    size_t want, got;
    int in_order;
};

static void *reader_main(void *argp)
{
    struct reader_arg *a = argp;
    unsigned char buf[8192];
    while (a->got < a->want) {
        ssize_t k = a->ops->recv(a->fd, buf, sizeof buf, 0);
        /* A blocking read at a mark gives up with EINTR when a signal is
         * pending (R17); the SIGURGs of this very transfer are. */
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            break;
        for (ssize_t i = 0; i < k; i++)
            if (buf[i] != (unsigned char)('a' + (a->got + (size_t)i) % 26) &&
                a->got + (size_t)i != a->want - 1)
                a->in_order = 0;
        a->got += (size_t)k;
    }
    return NULL;
}

SC(oob_blocking_send_steps)
{
    struct pair p;
    struct pair_opts po;
    memset(&po, 0, sizeof po);
    po.tx_sndbuf = 16384;
    po.rx_rcvbuf = 16384;
    po.rx_blocking = 1;
    pair_open(ops, o, &po, &p);
    /* Count accepted pointers through the queued F_SETSIG signal. */
    if (ops->fcntl(p.rx, F_SETSIG, obs_sigio_signo()) < 0 ||
        ops->fcntl(p.rx, F_SETFL, ops->fcntl(p.rx, F_GETFL, 0) | O_ASYNC) < 0)
        obs_fail(o, "setup: O_ASYNC: %s", obs_errname(errno));
    INLINE(p.rx, 1);
    struct reader_arg a = {.ops = ops, .fd = p.rx, .want = 300000, .got = 0, .in_order = 1};
    pthread_t th;
    if (pthread_create(&th, NULL, reader_main, &a) != 0)
        obs_fail(o, "setup: pthread_create");
    /* Signals go to the reader: one interrupting the sender's wait for
     * space would end its send early (it has SO_SNDTIMEO, so no restart). */
    sigset_t sigs, old;
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGURG);
    sigaddset(&sigs, obs_sigio_signo());
    pthread_sigmask(SIG_BLOCK, &sigs, &old);
    obs_send_pattern(o, p.tx, 300000, '!', OOB);
    pthread_join(th, NULL);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    SETTLE();
    obs_on(o, p.rx, "inline reader got %zu bytes, in order: %s", a.got, a.in_order ? "yes" : "no");
    struct obs quiet;
    obs_init(&quiet, ops, -1);
    obs_line(o, "sigurg>=1: %s", obs_sigurg(&quiet) >= 1 ? "yes" : "no");
    /* How many marks depends on timing; that there is more than one not. */
    obs_line(o, "urgent pointers accepted>1: %s", pri_events() > 1 ? "yes" : "no");
}

SC(offset_over_64k)
{
    struct pair p;
    struct pair_opts po;
    memset(&po, 0, sizeof po);
    po.tx_sndbuf = 1 << 20;
    po.rx_rcvbuf = 1 << 20;
    pair_open(ops, o, &po, &p);
    if (ops->fcntl(p.rx, F_SETSIG, obs_sigio_signo()) < 0 ||
        ops->fcntl(p.rx, F_SETFL, ops->fcntl(p.rx, F_GETFL, 0) | O_ASYNC) < 0)
        obs_fail(o, "setup: O_ASYNC: %s", obs_errname(errno));
    obs_send_pattern(o, p.tx, 200000, '!', OOB);
    SETTLE();
    /* Each 65535 "further on" pointer is a new one at the receiver (R6):
     * how many depends on the segment size, that there are several not. */
    obs_line(o, "urgent pointers accepted>1: %s", pri_events() > 1 ? "yes" : "no");
    struct obs quiet;
    obs_init(&quiet, ops, -1);
    obs_line(o, "sigurg>=1: %s", obs_sigurg(&quiet) >= 1 ? "yes" : "no");
    MARK(p.rx);
    READY(p.rx);
    obs_recv_total(o, p.rx, 300000, 0, 1);
    MARK(p.rx);
    INQ(p.rx);
    RECV(p.rx, 1, OOB);
    RECV(p.rx, 1, OOB);
    MARK(p.rx);
    RECV(p.rx, 10, 0);
    MARK(p.rx);
}

/* R7: the receiver does not read until its window closes; the urgent
 * pointer still reaches it (here on the ACK of data it sends), long before
 * the urgent byte does. */
SC(zero_window_notyet)
{
    struct pair p;
    struct pair_opts po;
    memset(&po, 0, sizeof po);
    po.tx_sndbuf = 1 << 20;
    po.rx_rcvbuf = 4096;
    pair_open(ops, o, &po, &p);
    obs_send_pattern(o, p.tx, 65536, -1, 0);
    SETTLE();
    int before = 0;
    ops->ioctl(p.rx, SIOCINQ, &before);
    obs_on(o, p.rx, "window closed with part of the data: %s",
           before > 0 && before < 65536 ? "yes" : "no");
    SEND(p.tx, "!", OOB);
    /* Data from rx makes tx send an ACK, which carries the pointer. */
    SEND(p.rx, "p", 0);
    RECV(p.tx, 10, 0);
    obs_on(o, p.rx, "(urgent byte not arrived yet)");
    SIGURG_N();
    RECV(p.rx, 1, OOB);
    RECV(p.rx, 1, OOB | PEEK);
    MARK(p.rx);
    READY(p.rx);
    int inq = -1;
    ops->ioctl(p.rx, SIOCINQ, &inq);
    obs_on(o, p.rx, "inq counts everything queued: %s", inq == before ? "yes" : "no");
    blocking(ops, o, p.rx, 3000);
    timed_recv(o, p.rx, 1, OOB);
    sc_nonblock(ops, o, p.rx, 1);
    obs_recv_total(o, p.rx, 70000, 0, 1);
    SETTLE();
    SIGURG_N();
    MARK(p.rx);
    READY(p.rx);
    INQ(p.rx);
    RECV(p.rx, 1, OOB);
    MARK(p.rx);
    READY(p.rx);
    RECV(p.rx, 10, 0);
    MARK(p.rx);
}

SC(unconnected_and_listener)
{
    int fam = ops->family();
    struct sockaddr_storage ss;
    socklen_t len;
    ops->host(HOST_A);
    int un = ops->socket(fam, SOCK_STREAM, 0);
    if (un < 0)
        obs_fail(o, "setup: socket: %s", obs_errname(errno));
    obs_name(o, un, "un");
    sc_nonblock(ops, o, un, 1);
    obs_send(o, un, "x", 1, OOB);
    obs_sigpipe(o);
    obs_send(o, un, "x", 1, OOB | MSG_NOSIGNAL);
    obs_sigpipe(o);
    obs_send(o, un, "x", 1, 0);
    obs_sigpipe(o);
    RECV(un, 1, OOB);
    RECV(un, 1, OOB | PEEK);
    RECV(un, 1, 0);
    MARK(un);
    ATMARK(un);
    INQ(un);
    READY(un);

    ops->host(HOST_B);
    int ls = ops->socket(fam, SOCK_STREAM, 0);
    if (ls < 0 || ops->addr(HOST_B, fam, 0, &ss, &len) < 0 ||
        ops->bind(ls, (struct sockaddr *)&ss, len) < 0 || ops->listen(ls, 4) < 0)
        obs_fail(o, "setup: listener: %s", obs_errname(errno));
    obs_name(o, ls, "ls");
    sc_nonblock(ops, o, ls, 1);
    obs_send(o, ls, "x", 1, OOB);
    obs_sigpipe(o);
    RECV(ls, 1, OOB);
    RECV(ls, 1, 0);
    MARK(ls);
    ATMARK(ls);
    INQ(ls);
    READY(ls);
    /* "listening" is checked before SO_OOBINLINE. */
    INLINE(ls, 1);
    RECV(ls, 1, OOB);
}

SC(oob_send_after_shut_wr)
{
    struct pair p;
    pair_default(ops, o, &p);
    obs_shutdown(o, p.tx, SHUT_WR);
    SEND(p.tx, "x", OOB);
    obs_sigpipe(o);
    SEND(p.tx, "x", OOB | MSG_NOSIGNAL);
    obs_sigpipe(o);
    RECV(p.rx, 1, OOB);
    RECV(p.rx, 1, 0);
}

SC(oob_send_after_peer_rst)
{
    struct pair p;
    pair_default(ops, o, &p);
    sc_abort(ops, o, p.rx);
    SETTLE();
    READY(p.tx);
    SEND(p.tx, "x", OOB);
    obs_sigpipe(o);
    SEND(p.tx, "x", OOB);
    obs_sigpipe(o);
}

SC(sigurg_sender_side)
{
    struct pair p;
    struct pair_opts po;
    memset(&po, 0, sizeof po);
    po.no_owner = 1;
    pair_open(ops, o, &po, &p);
    sc_setown(ops, o, p.tx, (long)getpid());
    SEND(p.tx, "x", OOB);
    obs_on(o, p.tx, "(the sender owns its socket: no signal)");
    /* The other way round the same socket is the receiver. */
    SEND(p.rx, "y", OOB);
    RECV(p.tx, 1, OOB);
}

/* ================================================================
 * R10: net.ipv4.tcp_stdurg.
 * ================================================================ */

SC(stdurg_sysctl)
{
    struct pair p;
    pair_default(ops, o, &p);
    SEND(p.tx, "hello", OOB);
    READY(p.rx);
    MARK(p.rx);
    INQ(p.rx);
    RECV(p.rx, 1, OOB);
    RECV(p.rx, 10, 0);
    MARK(p.rx);
    READY(p.rx);
    RECV(p.rx, 1, OOB);
    SEND(p.tx, "w", 0);
    READY(p.rx);
    MARK(p.rx);
    INQ(p.rx);
    RECV(p.rx, 1, OOB);
    RECV(p.rx, 10, 0);
    MARK(p.rx);
}

SC(stdurg_notyet_fin)
{
    struct pair p;
    pair_default(ops, o, &p);
    SEND(p.tx, "hello", OOB);
    obs_shutdown(o, p.tx, SHUT_WR);
    SETTLE();
    READY(p.rx);
    RECV(p.rx, 1, OOB);
    MARK(p.rx);
    RECV(p.rx, 10, 0);
    MARK(p.rx);
    RECV(p.rx, 1, OOB);
    RECV(p.rx, 10, 0);
    RECV(p.rx, 1, OOB);
    READY(p.rx);
}

/* The FIN arrives after the data was read: the reader sits on the NOTYET
 * mark, and reading the FIN steps past it without clearing the state. */
SC(stdurg_notyet_fin_after_read)
{
    struct pair p;
    pair_default(ops, o, &p);
    SEND(p.tx, "hello", OOB);
    RECV(p.rx, 10, 0);
    MARK(p.rx);
    obs_shutdown(o, p.tx, SHUT_WR);
    SETTLE();
    MARK(p.rx);
    READY(p.rx);
    RECV(p.rx, 1, OOB);
    RECV(p.rx, 10, 0);
    MARK(p.rx);
    RECV(p.rx, 1, OOB);
    READY(p.rx);
}

SC(stdurg_notyet_shut_rd)
{
    struct pair p;
    pair_default(ops, o, &p);
    SEND(p.tx, "hello", OOB);
    obs_shutdown(o, p.rx, SHUT_RD);
    READY(p.rx);
    RECV(p.rx, 1, OOB);
    RECV(p.rx, 10, 0);
    RECV(p.rx, 10, 0);
    RECV(p.rx, 1, OOB);
}

SC(notyet_blocking_eagain)
{
    struct pair p;
    pair_default(ops, o, &p);
    blocking(ops, o, p.rx, 3000);
    SEND(p.tx, "hello", OOB);
    timed_recv(o, p.rx, 1, OOB);
    timed_recv(o, p.rx, 1, OOB | MSG_WAITALL);
    timed_recv(o, p.rx, 10, 0);
    MARK(p.rx);
}

SC(after_peer_rst_notyet)
{
    struct pair p;
    pair_default(ops, o, &p);
    SEND(p.tx, "hello", OOB);
    sc_abort(ops, o, p.tx);
    SETTLE();
    READY(p.rx);
    RECV(p.rx, 1, OOB);
    RECV(p.rx, 10, 0);
    RECV(p.rx, 10, 0);
    RECV(p.rx, 10, 0);
    RECV(p.rx, 1, OOB);
}

SC(stdurg_toggle_midway)
{
    struct pair p;
    pair_default(ops, o, &p);
    SEND(p.tx, "ab", OOB);
    RECV(p.rx, 1, OOB);
    obs_line(o, "set_stdurg(1)=%d", ops->set_stdurg(1));
    SEND(p.tx, "cd", OOB);
    RECV(p.rx, 1, OOB);
    READY(p.rx);
    SEND(p.tx, "e", 0);
    READY(p.rx);
    RECV(p.rx, 1, OOB);
    RECV(p.rx, 10, 0);
    MARK(p.rx);
    RECV(p.rx, 10, 0);
    obs_line(o, "set_stdurg(0)=%d", ops->set_stdurg(0));
    SEND(p.tx, "fg", OOB);
    RECV(p.rx, 1, OOB);
}

/* R12: urgent data to a receiver that has sent its FIN (FIN_WAIT2). */
SC(oob_to_half_closed_receiver)
{
    struct pair p;
    pair_default(ops, o, &p);
    obs_shutdown(o, p.rx, SHUT_WR);
    SETTLE();
    RECV(p.tx, 10, 0);
    SEND(p.tx, "hi", OOB);
    READY(p.rx);
    RECV(p.rx, 1, OOB);
    RECV(p.rx, 10, 0);
}

/* ================================================================
 * R11, R14, R15: a second mark.
 * ================================================================ */

SC(second_urgent_reader_at_mark)
{
    struct pair p;
    pair_default(ops, o, &p);
    SEND(p.tx, "ab", 0);
    RECV(p.rx, 2, 0);
    SEND(p.tx, "x", OOB);
    MARK(p.rx);
    SEND(p.tx, "yz", OOB);
    MARK(p.rx);
    READY(p.rx);
    RECV(p.rx, 10, 0);
    MARK(p.rx);
    RECV(p.rx, 1, OOB);
    RECV(p.rx, 10, 0);
    RECV(p.rx, 1, OOB);
}

SC(second_urgent_reader_at_read_mark)
{
    struct pair p;
    pair_default(ops, o, &p);
    SEND(p.tx, "x", OOB);
    RECV(p.rx, 1, OOB);
    MARK(p.rx);
    SEND(p.tx, "yz", OOB);
    MARK(p.rx);
    RECV(p.rx, 10, 0);
    RECV(p.rx, 1, OOB);
    RECV(p.rx, 10, 0);
}

SC(second_urgent_inline_no_drop)
{
    struct pair p;
    pair_default(ops, o, &p);
    INLINE(p.rx, 1);
    SEND(p.tx, "x", OOB);
    SEND(p.tx, "yz", OOB);
    MARK(p.rx);
    RECV(p.rx, 10, 0);
    MARK(p.rx);
    RECV(p.rx, 10, 0);
    MARK(p.rx);
}

SC(second_urgent_inline_off_at_second)
{
    struct pair p;
    pair_default(ops, o, &p);
    INLINE(p.rx, 1);
    SEND(p.tx, "x", OOB);
    INLINE(p.rx, 0);
    SEND(p.tx, "yz", OOB);
    MARK(p.rx);
    RECV(p.rx, 10, 0);
    RECV(p.rx, 1, OOB);
}

SC(second_urgent_old_byte_reappears)
{
    struct pair p;
    pair_default(ops, o, &p);
    SEND(p.tx, "ab", OOB);
    RECV(p.rx, 1, OOB);
    SEND(p.tx, "cd", OOB);
    READY(p.rx);
    RECV(p.rx, 10, 0);
    MARK(p.rx);
    RECV(p.rx, 1, OOB);
    RECV(p.rx, 10, 0);
}

SC(second_urgent_unread_old_becomes_data)
{
    struct pair p;
    pair_default(ops, o, &p);
    SEND(p.tx, "ab", OOB);
    SEND(p.tx, "cd", OOB);
    RECV(p.rx, 10, 0);
    RECV(p.rx, 1, OOB);
    RECV(p.rx, 10, 0);
}

SC(second_urgent_peeked_old_becomes_data)
{
    struct pair p;
    pair_default(ops, o, &p);
    SEND(p.tx, "ab", OOB);
    RECV(p.rx, 1, OOB | PEEK);
    SEND(p.tx, "cd", OOB);
    RECV(p.rx, 10, 0);
    RECV(p.rx, 1, OOB);
}

SC(select_states)
{
    struct pair p;
    pair_default(ops, o, &p);
    obs_select(o, p.rx);
    SEND(p.tx, "ab", OOB);
    obs_select(o, p.rx);
    RECV(p.rx, 1, 0);
    obs_select(o, p.rx);
    RECV(p.rx, 1, OOB);
    obs_select(o, p.rx);
    INLINE(p.rx, 1);
    obs_select(o, p.rx);
    SEND(p.tx, "cd", OOB);
    obs_select(o, p.rx);
    MARK(p.rx);
    RECV(p.rx, 10, 0);
    obs_select(o, p.rx);
    MARK(p.rx);
    RECV(p.rx, 10, 0);
    obs_select(o, p.rx);
}

SC(oob_many_marks_chain)
{
    struct pair p;
    pair_default(ops, o, &p);
    SEND(p.tx, "1", OOB);
    SEND(p.tx, "2", OOB);
    SEND(p.tx, "3", OOB);
    SEND(p.tx, "4", OOB);
    MARK(p.rx);
    INQ(p.rx);
    RECV(p.rx, 10, 0);
    RECV(p.rx, 1, OOB);
    RECV(p.rx, 10, 0);
}

SC(oob_many_marks_with_data)
{
    struct pair p;
    pair_default(ops, o, &p);
    SEND(p.tx, "a1", OOB);
    SEND(p.tx, "b2", OOB);
    SEND(p.tx, "c3", OOB);
    INQ(p.rx);
    RECV(p.rx, 20, 0);
    MARK(p.rx);
    RECV(p.rx, 1, OOB);
    RECV(p.rx, 20, 0);
}

SC(second_mark_sigurg_each)
{
    struct pair p;
    pair_default(ops, o, &p);
    SEND(p.tx, "a", OOB);
    SEND(p.tx, "b", OOB);
    SEND(p.tx, "c", OOB);
    RECV(p.rx, 1, OOB);
    SIGURG_N();
    SEND(p.tx, "d", 0);
    RECV(p.rx, 10, 0);
}

/* ================================================================
 * R16-R18: normal reads and peeks around the mark.
 * ================================================================ */

SC(read_stops_at_mark_waitall)
{
    struct pair p;
    pair_default(ops, o, &p);
    blocking(ops, o, p.rx, 3000);
    SEND(p.tx, "hello", OOB);
    SEND(p.tx, "world", 0);
    timed_recv(o, p.rx, 10, MSG_WAITALL);
    MARK(p.rx);
    sc_rcvtimeo(ops, o, p.rx, SHORT_TIMEO_MS);
    /* From the mark: skips 'o', then waits for 10 bytes that never come. */
    timed_recv(o, p.rx, 10, MSG_WAITALL);
}

SC(read_stops_at_mark_blocking)
{
    struct pair p;
    pair_default(ops, o, &p);
    blocking(ops, o, p.rx, 3000);
    SEND(p.tx, "hello", OOB);
    timed_recv(o, p.rx, 10, 0);
    timed_recv(o, p.rx, 1, OOB);
    SEND(p.tx, "world", 0);
    timed_recv(o, p.rx, 10, 0);
}

SC(read_stops_at_mark_read)
{
    struct pair p;
    pair_default(ops, o, &p);
    SEND(p.tx, "hello", OOB);
    obs_read(o, p.rx, 10);
    obs_read(o, p.rx, 10);
    RECV(p.rx, 1, OOB);
}

SC(read_stops_at_mark_readv)
{
    struct pair p;
    pair_default(ops, o, &p);
    SEND(p.tx, "hello", OOB);
    SEND(p.tx, "world", 0);
    const size_t v[] = {2, 1, 7};
    obs_readv(o, p.rx, v, 3);
    obs_readv(o, p.rx, v, 3);
}

SC(read_stops_at_mark_recvmsg)
{
    struct pair p;
    pair_default(ops, o, &p);
    SEND(p.tx, "hello", OOB);
    SEND(p.tx, "world", 0);
    const size_t v[] = {3, 3, 4};
    obs_recvmsg(o, p.rx, v, 3, 0);
    obs_recvmsg(o, p.rx, v, 1, OOB);
    obs_recvmsg(o, p.rx, v, 3, 0);
}

SC(read_stops_at_mark_peek)
{
    struct pair p;
    pair_default(ops, o, &p);
    SEND(p.tx, "hello", OOB);
    SEND(p.tx, "world", 0);
    RECV(p.rx, 20, PEEK);
    RECV(p.rx, 20, PEEK | MSG_WAITALL);
    MARK(p.rx);
    RECV(p.rx, 20, 0);
}

SC(read_stops_at_mark_read_state)
{
    struct pair p;
    pair_default(ops, o, &p);
    SEND(p.tx, "abc", OOB);
    SEND(p.tx, "def", 0);
    RECV(p.rx, 1, OOB);
    RECV(p.rx, 20, 0);
    MARK(p.rx);
    RECV(p.rx, 20, 0);
}

SC(read_at_mark_skips_byte)
{
    struct pair p;
    pair_default(ops, o, &p);
    SEND(p.tx, "hello", OOB);
    SEND(p.tx, "world", 0);
    RECV(p.rx, 4, 0);
    MARK(p.rx);
    RECV(p.rx, 10, 0);
    MARK(p.rx);
    READY(p.rx);
    RECV(p.rx, 1, OOB);
}

SC(read_at_mark_blocking_waits)
{
    struct pair p;
    pair_default(ops, o, &p);
    blocking(ops, o, p.rx, SHORT_TIMEO_MS);
    SEND(p.tx, "x", OOB);
    /* Only the urgent byte is there: the read skips it and waits. */
    timed_recv(o, p.rx, 10, 0);
    MARK(p.rx);
    READY(p.rx);
    RECV(p.rx, 1, OOB);
}

SC(read_at_mark_after_oob_read)
{
    struct pair p;
    pair_default(ops, o, &p);
    SEND(p.tx, "hello", OOB);
    SEND(p.tx, "world", 0);
    RECV(p.rx, 1, OOB);
    RECV(p.rx, 10, 0);
    MARK(p.rx);
    READY(p.rx);
    RECV(p.rx, 10, 0);
    MARK(p.rx);
}

SC(inline_basic)
{
    struct pair p;
    pair_default(ops, o, &p);
    INLINE(p.rx, 1);
    SEND(p.tx, "hello", OOB);
    MARK(p.rx);
    INQ(p.rx);
    RECV(p.rx, 10, 0);
    MARK(p.rx);
    READY(p.rx);
    RECV(p.rx, 10, 0);
    MARK(p.rx);
    READY(p.rx);
    RECV(p.rx, 1, OOB);
}

SC(peek_around_mark)
{
    struct pair p;
    pair_default(ops, o, &p);
    SEND(p.tx, "hello", OOB);
    SEND(p.tx, "world", 0);
    RECV(p.rx, 20, 0);
    MARK(p.rx);
    RECV(p.rx, 20, PEEK);
    MARK(p.rx);
    READY(p.rx);
    RECV(p.rx, 1, OOB);
    MARK(p.rx);
    RECV(p.rx, 20, PEEK);
    RECV(p.rx, 20, 0);
    MARK(p.rx);
}

SC(peek_unread_urgent_then_read)
{
    struct pair p;
    pair_default(ops, o, &p);
    SEND(p.tx, "hello", OOB);
    RECV(p.rx, 20, PEEK);
    RECV(p.rx, 1, OOB | PEEK);
    RECV(p.rx, 1, OOB | PEEK);
    MARK(p.rx);
    RECV(p.rx, 20, 0);
    MARK(p.rx);
    RECV(p.rx, 20, PEEK);
    RECV(p.rx, 1, OOB);
    RECV(p.rx, 1, OOB);
}

SC(peek_at_mark_then_second_mark)
{
    struct pair p;
    pair_default(ops, o, &p);
    SEND(p.tx, "ab", OOB);
    RECV(p.rx, 1, 0);
    RECV(p.rx, 10, PEEK);
    SEND(p.tx, "cd", OOB);
    RECV(p.rx, 10, PEEK);
    RECV(p.rx, 10, 0);
    RECV(p.rx, 1, OOB);
}

/* ================================================================
 * R19: recv(MSG_OOB) results.
 * ================================================================ */

SC(no_urgent_data)
{
    struct pair p;
    pair_default(ops, o, &p);
    RECV(p.rx, 1, OOB);
    SEND(p.tx, "abc", 0);
    RECV(p.rx, 1, OOB);
    RECV(p.rx, 1, OOB | PEEK);
    RECV(p.rx, 1, OOB | MSG_DONTWAIT);
    RECV(p.rx, 3, 0);
    RECV(p.rx, 1, OOB);
    MARK(p.rx);
}

SC(oob_on_sender_socket)
{
    struct pair p;
    pair_default(ops, o, &p);
    SEND(p.tx, "ab", OOB);
    RECV(p.tx, 1, OOB);
    MARK(p.tx);
    READY(p.tx);
}

SC(inline_oob_einval)
{
    struct pair p;
    pair_default(ops, o, &p);
    INLINE(p.rx, 1);
    RECV(p.rx, 1, OOB);
    SEND(p.tx, "x", OOB);
    RECV(p.rx, 1, OOB);
    RECV(p.rx, 1, OOB | PEEK);
    READY(p.rx);
    RECV(p.rx, 1, 0);
}

SC(oob_peek)
{
    struct pair p;
    pair_default(ops, o, &p);
    SEND(p.tx, "x", OOB);
    RECV(p.rx, 1, OOB | PEEK);
    RECV(p.rx, 1, OOB | PEEK);
    RECV(p.rx, 4, OOB | PEEK);
    MARK(p.rx);
    READY(p.rx);
    RECV(p.rx, 1, OOB);
    RECV(p.rx, 1, OOB | PEEK);
    RECV(p.rx, 1, OOB);
    MARK(p.rx);
    READY(p.rx);
}

SC(oob_zero_len_buffer)
{
    struct pair p;
    pair_default(ops, o, &p);
    SEND(p.tx, "ab", OOB);
    obs_recvmsg(o, p.rx, NULL, 0, OOB);
    READY(p.rx);
    RECV(p.rx, 1, OOB);
    MARK(p.rx);
    RECV(p.rx, 10, 0);
    RECV(p.rx, 10, 0);
}

SC(oob_zero_len_buffer_peek)
{
    struct pair p;
    pair_default(ops, o, &p);
    SEND(p.tx, "ab", OOB);
    obs_recvmsg(o, p.rx, NULL, 0, OOB | PEEK);
    RECV(p.rx, 1, OOB);
}

SC(oob_zero_len_recv)
{
    struct pair p;
    pair_default(ops, o, &p);
    SEND(p.tx, "ab", OOB);
    RECV(p.rx, 0, OOB | PEEK);
    obs_recv_nullbuf(o, p.rx, OOB);
    RECV(p.rx, 1, OOB);
    RECV(p.rx, 0, OOB);
    RECV(p.rx, 10, 0);
}

SC(oob_trunc_flag)
{
    struct pair p;
    pair_default(ops, o, &p);
    SEND(p.tx, "ab", OOB);
    const size_t v[] = {4};
    obs_recvmsg(o, p.rx, v, 1, OOB | MSG_TRUNC);
    RECV(p.rx, 1, OOB);
    READY(p.rx);
    MARK(p.rx);
    RECV(p.rx, 10, 0);
}

SC(oob_trunc_flag_peek)
{
    struct pair p;
    pair_default(ops, o, &p);
    SEND(p.tx, "ab", OOB);
    RECV(p.rx, 4, OOB | MSG_TRUNC | PEEK);
    RECV(p.rx, 4, OOB);
}

SC(oob_recvmsg_msg_flags)
{
    struct pair p;
    pair_default(ops, o, &p);
    SEND(p.tx, "ab", OOB);
    const size_t v[] = {2, 2};
    obs_recvmsg(o, p.rx, v, 2, OOB | PEEK);
    obs_recvmsg(o, p.rx, v, 2, OOB);
    obs_recvmsg(o, p.rx, v, 2, OOB);
    obs_recvmsg(o, p.rx, v, 2, 0);
}

SC(oob_big_buffer_and_flags)
{
    struct pair p;
    pair_default(ops, o, &p);
    SEND(p.tx, "abc", OOB);
    RECV(p.rx, 100, OOB | MSG_WAITALL | PEEK);
    RECV(p.rx, 100, OOB | MSG_DONTWAIT | PEEK);
    obs_recvfrom(o, p.rx, 100, OOB);
    RECV(p.rx, 100, OOB | MSG_WAITALL);
}

SC(oob_read_keeps_read_position)
{
    struct pair p;
    pair_default(ops, o, &p);
    SEND(p.tx, "hello", OOB);
    RECV(p.rx, 2, 0);
    RECV(p.rx, 1, OOB);
    INQ(p.rx);
    RECV(p.rx, 10, 0);
    MARK(p.rx);
    INQ(p.rx);
    SEND(p.tx, "!", 0);
    INQ(p.rx);
    RECV(p.rx, 10, 0);
}

SC(oob_both_directions)
{
    struct pair p;
    pair_default(ops, o, &p);
    sc_setown(ops, o, p.tx, (long)getpid());
    sc_nonblock(ops, o, p.tx, 1);
    SEND(p.tx, "ab", OOB);
    SEND(p.rx, "cd", OOB);
    MARK(p.tx);
    MARK(p.rx);
    RECV(p.tx, 1, OOB);
    RECV(p.rx, 1, OOB);
    RECV(p.tx, 10, 0);
    RECV(p.rx, 10, 0);
}

SC(oob_before_accept)
{
    int fam = ops->family();
    struct sockaddr_storage ss;
    socklen_t len;
    ops->host(HOST_B);
    int ls = ops->socket(fam, SOCK_STREAM, 0);
    if (ls < 0 || ops->addr(HOST_B, fam, 0, &ss, &len) < 0 ||
        ops->bind(ls, (struct sockaddr *)&ss, len) < 0 || ops->listen(ls, 4) < 0)
        obs_fail(o, "setup: listener: %s", obs_errname(errno));
    sc_sockname(ops, o, ls, &ss, &len);
    obs_name(o, ls, "ls");
    sc_setown(ops, o, ls, (long)getpid());
    ops->host(HOST_A);
    int tx = ops->socket(fam, SOCK_STREAM, 0);
    if (tx < 0 || ops->connect(tx, (struct sockaddr *)&ss, len) < 0)
        obs_fail(o, "setup: connect: %s", obs_errname(errno));
    obs_name(o, tx, "tx");
    SETTLE();
    SEND(tx, "hello", OOB);
    int rx = ops->accept(ls, NULL, NULL);
    if (rx < 0)
        obs_fail(o, "setup: accept: %s", obs_errname(errno));
    obs_name(o, rx, "rx");
    sc_nonblock(ops, o, rx, 1);
    /* The owner is per socket: the listener's does not carry over. */
    int own = ops->fcntl(rx, F_GETOWN, 0);
    obs_on(o, rx, "F_GETOWN is self: %s", own == (int)getpid() ? "yes" : own == 0 ? "0" : "other");
    MARK(rx);
    READY(rx);
    RECV(rx, 1, OOB);
    RECV(rx, 10, 0);
    MARK(rx);
}

/* ================================================================
 * R20: SO_OOBINLINE.
 * ================================================================ */

SC(inline_getsockopt)
{
    struct pair p;
    struct pair_opts po;
    memset(&po, 0, sizeof po);
    po.keep_listener = 1;
    pair_open(ops, o, &po, &p);
    obs_getint(o, p.rx, SOL_SOCKET, SO_OOBINLINE, "SO_OOBINLINE");
    INLINE(p.rx, 7);
    obs_getint(o, p.rx, SOL_SOCKET, SO_OOBINLINE, "SO_OOBINLINE");
    INLINE(p.rx, 0);
    obs_getint(o, p.rx, SOL_SOCKET, SO_OOBINLINE, "SO_OOBINLINE");
    INLINE(p.rx, -1);
    obs_getint(o, p.rx, SOL_SOCKET, SO_OOBINLINE, "SO_OOBINLINE");
    INLINE(p.ls, 1);
    obs_getint(o, p.ls, SOL_SOCKET, SO_OOBINLINE, "SO_OOBINLINE");
    char c = 1;
    int r = ops->setsockopt(p.tx, SOL_SOCKET, SO_OOBINLINE, &c, 1);
    obs_on(o, p.tx, "setsockopt(SO_OOBINLINE, 1-byte optlen)=%d%s%s", r, r < 0 ? " " : "",
           r < 0 ? obs_errname(errno) : "");
}

SC(inline_inherited_from_listener)
{
    struct pair p;
    struct pair_opts po;
    memset(&po, 0, sizeof po);
    po.ls_oobinline = 1;
    pair_open(ops, o, &po, &p);
    obs_getint(o, p.rx, SOL_SOCKET, SO_OOBINLINE, "SO_OOBINLINE");
    SEND(p.tx, "xy", OOB);
    RECV(p.rx, 1, OOB);
    RECV(p.rx, 10, 0);
    RECV(p.rx, 10, 0);
}

SC(inline_on_after_arrival)
{
    struct pair p;
    pair_default(ops, o, &p);
    SEND(p.tx, "hello", OOB);
    INLINE(p.rx, 1);
    RECV(p.rx, 1, OOB);
    INQ(p.rx);
    RECV(p.rx, 10, 0);
    MARK(p.rx);
    READY(p.rx);
    RECV(p.rx, 10, 0);
    READY(p.rx);
}

SC(inline_on_after_oob_read)
{
    struct pair p;
    pair_default(ops, o, &p);
    SEND(p.tx, "hello", OOB);
    RECV(p.rx, 1, OOB);
    INLINE(p.rx, 1);
    READY(p.rx);
    RECV(p.rx, 10, 0);
    MARK(p.rx);
    RECV(p.rx, 10, 0);
    MARK(p.rx);
}

SC(inline_off_after_arrival)
{
    struct pair p;
    pair_default(ops, o, &p);
    INLINE(p.rx, 1);
    SEND(p.tx, "hello", OOB);
    INLINE(p.rx, 0);
    INQ(p.rx);
    RECV(p.rx, 1, OOB);
    RECV(p.rx, 10, 0);
    RECV(p.rx, 10, 0);
    READY(p.rx);
}

SC(inline_off_at_mark_skips)
{
    struct pair p;
    pair_default(ops, o, &p);
    INLINE(p.rx, 1);
    SEND(p.tx, "hello", OOB);
    SEND(p.tx, "world", 0);
    RECV(p.rx, 10, 0);
    INLINE(p.rx, 0);
    RECV(p.rx, 10, 0);
    RECV(p.rx, 1, OOB);
}

SC(inline_pri_until_read)
{
    struct pair p;
    pair_default(ops, o, &p);
    INLINE(p.rx, 1);
    SEND(p.tx, "hello", OOB);
    SEND(p.tx, "world", 0);
    READY(p.rx);
    RECV(p.rx, 4, 0);
    READY(p.rx);
    MARK(p.rx);
    RECV(p.rx, 3, 0);
    READY(p.rx);
    MARK(p.rx);
}

SC(sigurg_inline)
{
    struct pair p;
    pair_default(ops, o, &p);
    INLINE(p.rx, 1);
    SEND(p.tx, "x", OOB);
    SEND(p.tx, "y", OOB);
    RECV(p.rx, 10, 0);
    SIGURG_N();
}

/* ================================================================
 * R21: SIOCATMARK in every state.
 * ================================================================ */

static void both_marks(struct obs *o, int fd)
{
    obs_mark(o, fd);
    obs_siocatmark(o, fd);
}

SC(siocatmark_states)
{
    struct pair p;
    pair_default(ops, o, &p);
    both_marks(o, p.rx);
    SEND(p.tx, "ab", 0);
    both_marks(o, p.rx);
    SEND(p.tx, "cd", OOB);
    both_marks(o, p.rx);
    RECV(p.rx, 1, 0);
    both_marks(o, p.rx);
    RECV(p.rx, 10, 0);
    both_marks(o, p.rx);
    RECV(p.rx, 1, OOB);
    both_marks(o, p.rx);
    RECV(p.rx, 10, 0);
    both_marks(o, p.rx);
    SEND(p.tx, "e", 0);
    both_marks(o, p.rx);
    INLINE(p.rx, 1);
    SEND(p.tx, "fg", OOB);
    both_marks(o, p.rx);
    RECV(p.rx, 2, 0);
    both_marks(o, p.rx);
    RECV(p.rx, 10, 0);
    both_marks(o, p.rx);
}

SC(siocatmark_notyet_states)
{
    struct pair p;
    pair_default(ops, o, &p);
    SEND(p.tx, "ab", OOB);
    both_marks(o, p.rx);
    RECV(p.rx, 1, 0);
    both_marks(o, p.rx);
    RECV(p.rx, 1, 0);
    both_marks(o, p.rx);
    RECV(p.rx, 1, OOB);
    SEND(p.tx, "c", 0);
    both_marks(o, p.rx);
    RECV(p.rx, 1, OOB);
    both_marks(o, p.rx);
    RECV(p.rx, 1, 0);
    both_marks(o, p.rx);
}

/* ================================================================
 * R22: SIGURG and SIGIO.
 * ================================================================ */

SC(sigurg_no_owner)
{
    struct pair p;
    struct pair_opts po;
    memset(&po, 0, sizeof po);
    po.no_owner = 1;
    pair_open(ops, o, &po, &p);
    obs_on(o, p.rx, "F_GETOWN=%d", ops->fcntl(p.rx, F_GETOWN, 0));
    SEND(p.tx, "x", OOB);
    RECV(p.rx, 1, OOB);
}

SC(sigurg_owner_cleared)
{
    struct pair p;
    pair_default(ops, o, &p);
    SEND(p.tx, "x", OOB);
    sc_setown(ops, o, p.rx, 0);
    obs_on(o, p.rx, "F_GETOWN=%d", ops->fcntl(p.rx, F_GETOWN, 0));
    SEND(p.tx, "y", OOB);
    sc_setown(ops, o, p.rx, (long)getpid());
    SEND(p.tx, "z", OOB);
}

SC(sigurg_pgrp)
{
    struct pair p;
    struct pair_opts po;
    memset(&po, 0, sizeof po);
    po.no_owner = 1;
    pair_open(ops, o, &po, &p);
    /* The runner put this scenario in a process group of its own. */
    sc_setown(ops, o, p.rx, -(long)getpgrp());
    int own = ops->fcntl(p.rx, F_GETOWN, 0);
    obs_on(o, p.rx, "F_GETOWN is -pgrp: %s", own == -(int)getpgrp() ? "yes" : "no");
    SEND(p.tx, "x", OOB);
    SEND(p.tx, "y", OOB);
}

SC(sigurg_fiosetown)
{
    struct pair p;
    struct pair_opts po;
    memset(&po, 0, sizeof po);
    po.no_owner = 1;
    pair_open(ops, o, &po, &p);
    int pid = (int)getpid(), back = -1;
    obs_on(o, p.rx, "ioctl(FIOSETOWN)=%d", ops->ioctl(p.rx, FIOSETOWN, &pid));
    int r = ops->ioctl(p.rx, FIOGETOWN, &back);
    obs_on(o, p.rx, "ioctl(FIOGETOWN)=%d is self: %s", r, back == pid ? "yes" : "no");
    r = ops->ioctl(p.rx, SIOCGPGRP, &back);
    obs_on(o, p.rx, "ioctl(SIOCGPGRP)=%d is self: %s", r, back == pid ? "yes" : "no");
    SEND(p.tx, "x", OOB);
    int zero = 0;
    obs_on(o, p.rx, "ioctl(SIOCSPGRP,0)=%d", ops->ioctl(p.rx, SIOCSPGRP, &zero));
    SEND(p.tx, "y", OOB);
}

SC(sigurg_coalesced_when_blocked)
{
    struct pair p;
    pair_default(ops, o, &p);
    sigset_t urg, old;
    sigemptyset(&urg);
    sigaddset(&urg, SIGURG);
    sigprocmask(SIG_BLOCK, &urg, &old);
    SEND(p.tx, "x", OOB);
    SEND(p.tx, "y", OOB);
    obs_line(o, "unblock SIGURG");
    sigprocmask(SIG_SETMASK, &old, NULL);
    SIGURG_N();
}

static void set_async(const struct sockops *ops, struct obs *o, int fd, int signo)
{
    int r1 = signo ? ops->fcntl(fd, F_SETSIG, signo) : 0;
    int r2 = ops->fcntl(fd, F_SETFL, ops->fcntl(fd, F_GETFL, 0) | O_ASYNC);
    obs_on(o, fd, "F_SETSIG=%d O_ASYNC=%d", r1, r2);
}

SC(sigio_async_band)
{
    struct pair p;
    pair_default(ops, o, &p);
    set_async(ops, o, p.rx, obs_sigio_signo());
    obs_sigio(o);
    SEND(p.tx, "x", OOB);
    obs_sigio(o);
    SEND(p.tx, "ab", 0);
    obs_sigio(o);
    RECV(p.rx, 1, OOB);
    obs_sigio(o);
    SEND(p.tx, "cd", OOB);
    obs_sigio(o);
    RECV(p.rx, 10, 0);
    obs_sigio(o);
}

SC(sigio_inline_band)
{
    struct pair p;
    pair_default(ops, o, &p);
    INLINE(p.rx, 1);
    set_async(ops, o, p.rx, obs_sigio_signo());
    SEND(p.tx, "xy", OOB);
    obs_sigio(o);
    RECV(p.rx, 10, 0);
    obs_sigio(o);
}

SC(sigio_no_owner)
{
    struct pair p;
    struct pair_opts po;
    memset(&po, 0, sizeof po);
    po.no_owner = 1;
    pair_open(ops, o, &po, &p);
    set_async(ops, o, p.rx, obs_sigio_signo());
    SEND(p.tx, "x", OOB);
    obs_sigio(o);
}

SC(sigio_setsig_sigio)
{
    struct pair p;
    pair_default(ops, o, &p);
    /* F_SETSIG(SIGIO): the band is reported, but SIGIO is a standard
     * signal, so later events of the same delivery are dropped. */
    set_async(ops, o, p.rx, SIGIO);
    SEND(p.tx, "x", OOB);
    obs_sigio(o);
    SEND(p.tx, "y", 0);
    obs_sigio(o);
}

SC(sigio_plain_sigio)
{
    struct pair p;
    pair_default(ops, o, &p);
    /* Without F_SETSIG the signal is SIGIO, a standard signal: the events
     * of one delivery merge into one. */
    set_async(ops, o, p.rx, 0);
    SEND(p.tx, "x", OOB);
    obs_sigio(o);
}

/* ================================================================
 * R23: poll, select, epoll.
 * ================================================================ */

SC(states_single_byte)
{
    struct pair p;
    pair_default(ops, o, &p);
    READY(p.rx);
    SEND(p.tx, "x", OOB);
    READY(p.rx);
    MARK(p.rx);
    INQ(p.rx);
    RECV(p.rx, 1, OOB);
    READY(p.rx);
    MARK(p.rx);
    INQ(p.rx);
    RECV(p.rx, 1, 0);
    READY(p.rx);
    MARK(p.rx);
    INQ(p.rx);
}

SC(states_multibyte)
{
    struct pair p;
    pair_default(ops, o, &p);
    SEND(p.tx, "hello", OOB);
    READY(p.rx);
    SEND(p.tx, "world", 0);
    READY(p.rx);
    RECV(p.rx, 4, 0);
    READY(p.rx);
    RECV(p.rx, 1, OOB);
    READY(p.rx);
    RECV(p.rx, 3, 0);
    READY(p.rx);
    RECV(p.rx, 10, 0);
    READY(p.rx);
}

SC(pollin_suppressed_at_mark)
{
    struct pair p;
    pair_default(ops, o, &p);
    SEND(p.tx, "x", OOB);
    obs_poll(o, p.rx);
    RECV(p.rx, 1, OOB);
    obs_poll(o, p.rx);
    SEND(p.tx, "y", 0);
    obs_poll(o, p.rx);
    RECV(p.rx, 10, 0);
    obs_poll(o, p.rx);
    INLINE(p.rx, 1);
    SEND(p.tx, "z", OOB);
    obs_poll(o, p.rx);
}

SC(poll_all_bits)
{
    struct pair p;
    pair_default(ops, o, &p);
    obs_poll_all(o, p.rx);
    SEND(p.tx, "ab", OOB);
    obs_poll_all(o, p.rx);
    RECV(p.rx, 1, 0);
    obs_poll_all(o, p.rx);
    RECV(p.rx, 1, OOB);
    obs_poll_all(o, p.rx);
    obs_shutdown(o, p.tx, SHUT_WR);
    SETTLE();
    obs_poll_all(o, p.rx);
    sc_abort(ops, o, p.rx);
    SETTLE();
    obs_poll_all(o, p.tx);
}

SC(epoll_et_pri)
{
    struct pair p;
    pair_default(ops, o, &p);
    int ep = ops->epoll_create1(0);
    struct epoll_event ev;
    memset(&ev, 0, sizeof ev);
    ev.events = EPOLLPRI | EPOLLIN | EPOLLET;
    ev.data.fd = p.rx;
    if (ep < 0 || ops->epoll_ctl(ep, EPOLL_CTL_ADD, p.rx, &ev) < 0)
        obs_fail(o, "setup: epoll: %s", obs_errname(errno));
    for (int step = 0; step < 5; step++) {
        if (step == 1)
            SEND(p.tx, "ab", OOB);
        if (step == 3)
            SEND(p.tx, "cd", OOB);
        if (step == 4)
            RECV(p.rx, 1, OOB);
        struct epoll_event got;
        memset(&got, 0, sizeof got);
        int n = ops->epoll_wait(ep, &got, 1, 0);
        char b[128];
        obs_pollbits(b, sizeof b, n > 0 ? got.events : 0);
        obs_on(o, p.rx, "epoll(ET)=%d %s", n, b);
    }
}

/* ================================================================
 * R24: SIOCINQ.
 * ================================================================ */

SC(siocinq_around_mark)
{
    struct pair p;
    pair_default(ops, o, &p);
    SEND(p.tx, "hello", OOB);
    SEND(p.tx, "world", 0);
    INQ(p.rx);
    obs_fionread(o, p.rx);
    RECV(p.rx, 2, 0);
    INQ(p.rx);
    RECV(p.rx, 2, 0);
    INQ(p.rx);
    obs_fionread(o, p.rx);
    RECV(p.rx, 1, OOB);
    INQ(p.rx);
    RECV(p.rx, 10, 0);
    INQ(p.rx);
    SEND(p.tx, "!", 0);
    INQ(p.rx);
}

SC(siocinq_inline)
{
    struct pair p;
    pair_default(ops, o, &p);
    INLINE(p.rx, 1);
    SEND(p.tx, "hello", OOB);
    SEND(p.tx, "world", 0);
    INQ(p.rx);
    RECV(p.rx, 4, 0);
    INQ(p.rx);
    RECV(p.rx, 1, 0);
    INQ(p.rx);
}

SC(siocinq_listener_and_udp)
{
    struct pair p;
    struct pair_opts po;
    memset(&po, 0, sizeof po);
    po.keep_listener = 1;
    pair_open(ops, o, &po, &p);
    INQ(p.ls);
    int u = sc_udp(ops, o, HOST_B, ops->family(), 0, "u");
    INQ(u);
}

/* ================================================================
 * R25-R28: close, FIN, RST, SHUT_RD.
 * ================================================================ */

SC(close_after_oob_read_rst)
{
    struct pair p;
    pair_default(ops, o, &p);
    SEND(p.tx, "x", OOB);
    RECV(p.rx, 1, OOB);
    obs_close(o, p.rx);
    SETTLE();
    READY(p.tx);
    RECV(p.tx, 1, 0);
    RECV(p.tx, 1, 0);
}

SC(close_after_passing_mark_no_rst)
{
    struct pair p;
    pair_default(ops, o, &p);
    SEND(p.tx, "x", OOB);
    RECV(p.rx, 1, 0);
    obs_close(o, p.rx);
    SETTLE();
    READY(p.tx);
    RECV(p.tx, 1, 0);
}

SC(close_at_read_mark_rst)
{
    struct pair p;
    pair_default(ops, o, &p);
    SEND(p.tx, "abc", OOB);
    RECV(p.rx, 1, OOB);
    RECV(p.rx, 10, 0);
    MARK(p.rx);
    obs_close(o, p.rx);
    SETTLE();
    RECV(p.tx, 1, 0);
}

SC(close_inline_consumed_no_rst)
{
    struct pair p;
    pair_default(ops, o, &p);
    INLINE(p.rx, 1);
    SEND(p.tx, "x", OOB);
    RECV(p.rx, 1, 0);
    obs_close(o, p.rx);
    SETTLE();
    RECV(p.tx, 1, 0);
}

SC(after_peer_fin)
{
    struct pair p;
    pair_default(ops, o, &p);
    SEND(p.tx, "hello", OOB);
    obs_shutdown(o, p.tx, SHUT_WR);
    SETTLE();
    READY(p.rx);
    MARK(p.rx);
    RECV(p.rx, 1, OOB);
    READY(p.rx);
    RECV(p.rx, 10, 0);
    MARK(p.rx);
    RECV(p.rx, 10, 0);
    MARK(p.rx);
    RECV(p.rx, 1, OOB);
    READY(p.rx);
}

SC(after_peer_fin_unread)
{
    struct pair p;
    pair_default(ops, o, &p);
    SEND(p.tx, "hello", OOB);
    obs_close(o, p.tx);
    SETTLE();
    READY(p.rx);
    RECV(p.rx, 10, 0);
    MARK(p.rx);
    READY(p.rx);
    RECV(p.rx, 10, 0);
    RECV(p.rx, 1, OOB);
    MARK(p.rx);
    READY(p.rx);
}

SC(after_peer_fin_data_after_mark)
{
    struct pair p;
    pair_default(ops, o, &p);
    SEND(p.tx, "ab", OOB);
    SEND(p.tx, "cd", 0);
    obs_shutdown(o, p.tx, SHUT_WR);
    SETTLE();
    RECV(p.rx, 10, 0);
    RECV(p.rx, 10, 0);
    RECV(p.rx, 10, 0);
    RECV(p.rx, 1, OOB);
}

SC(after_peer_rst)
{
    struct pair p;
    pair_default(ops, o, &p);
    SEND(p.tx, "hello", OOB);
    sc_abort(ops, o, p.tx);
    SETTLE();
    READY(p.rx);
    MARK(p.rx);
    INQ(p.rx);
    RECV(p.rx, 1, OOB);
    RECV(p.rx, 1, OOB | PEEK);
    RECV(p.rx, 10, 0);
    MARK(p.rx);
    READY(p.rx);
    RECV(p.rx, 10, 0);
    RECV(p.rx, 10, 0);
    RECV(p.rx, 1, OOB);
    MARK(p.rx);
    READY(p.rx);
}

SC(after_peer_rst_read_state)
{
    struct pair p;
    pair_default(ops, o, &p);
    SEND(p.tx, "x", OOB);
    RECV(p.rx, 1, OOB);
    sc_abort(ops, o, p.tx);
    SETTLE();
    READY(p.rx);
    RECV(p.rx, 1, OOB);
    RECV(p.rx, 10, 0);
    RECV(p.rx, 10, 0);
}

SC(after_peer_rst_at_mark)
{
    struct pair p;
    pair_default(ops, o, &p);
    SEND(p.tx, "hello", OOB);
    SEND(p.tx, "world", 0);
    RECV(p.rx, 10, 0);
    sc_abort(ops, o, p.tx);
    SETTLE();
    MARK(p.rx);
    RECV(p.rx, 1, OOB);
    RECV(p.rx, 10, 0);
    RECV(p.rx, 10, 0);
    RECV(p.rx, 10, 0);
}

SC(disconnect_resets_urgent)
{
    struct pair p;
    pair_default(ops, o, &p);
    SEND(p.tx, "hello", OOB);
    struct sockaddr sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_family = AF_UNSPEC;
    int r = ops->connect(p.rx, &sa, sizeof sa);
    obs_on(o, p.rx, "connect(AF_UNSPEC)=%d%s%s", r, r < 0 ? " " : "",
           r < 0 ? obs_errname(errno) : "");
    SETTLE();
    MARK(p.rx);
    READY(p.rx);
    RECV(p.rx, 1, OOB);
    RECV(p.rx, 10, 0);
    RECV(p.tx, 10, 0);
}

SC(after_shutdown_rd)
{
    struct pair p;
    pair_default(ops, o, &p);
    SEND(p.tx, "hello", OOB);
    obs_shutdown(o, p.rx, SHUT_RD);
    READY(p.rx);
    MARK(p.rx);
    RECV(p.rx, 1, OOB);
    READY(p.rx);
    RECV(p.rx, 10, 0);
    MARK(p.rx);
    RECV(p.rx, 10, 0);
    RECV(p.rx, 1, OOB);
}

SC(after_shutdown_rd_data_after_mark)
{
    struct pair p;
    pair_default(ops, o, &p);
    SEND(p.tx, "hello", OOB);
    SEND(p.tx, "world", 0);
    obs_shutdown(o, p.rx, SHUT_RD);
    READY(p.rx);
    MARK(p.rx);
    RECV(p.rx, 1, OOB);
    RECV(p.rx, 10, 0);
    MARK(p.rx);
    RECV(p.rx, 10, 0);
    RECV(p.rx, 10, 0);
    RECV(p.rx, 1, OOB);
    /* Data sent after SHUT_RD is still queued and readable on Linux. */
    SEND(p.tx, "!", OOB);
    RECV(p.rx, 1, OOB);
    RECV(p.rx, 10, 0);
}

SC(shutdown_rd_before_oob)
{
    struct pair p;
    pair_default(ops, o, &p);
    obs_shutdown(o, p.rx, SHUT_RD);
    SEND(p.tx, "hello", OOB);
    READY(p.rx);
    MARK(p.rx);
    RECV(p.rx, 1, OOB);
    RECV(p.rx, 10, 0);
}

SC(shutdown_wr_receiver_keeps_urgent)
{
    struct pair p;
    pair_default(ops, o, &p);
    SEND(p.tx, "hello", OOB);
    obs_shutdown(o, p.rx, SHUT_WR);
    SETTLE();
    READY(p.rx);
    RECV(p.rx, 1, OOB);
    RECV(p.rx, 10, 0);
    RECV(p.tx, 10, 0);
}

SC(oob_then_sender_close)
{
    struct pair p;
    pair_default(ops, o, &p);
    SEND(p.tx, "x", OOB);
    obs_close(o, p.tx);
    SETTLE();
    READY(p.rx);
    RECV(p.rx, 1, OOB);
    RECV(p.rx, 1, 0);
    READY(p.rx);
}

/* ================================================================
 * R29: other socket types.
 * ================================================================ */

static void udp_case(const struct sockops *ops, struct obs *o, int family, int v4mapped)
{
    struct sockaddr_storage ss;
    socklen_t len;
    int u1 = sc_udp(ops, o, HOST_A, family, v4mapped, "u1");
    int u2 = sc_udp(ops, o, HOST_B, family, v4mapped, "u2");
    sc_sockname(ops, o, u2, &ss, &len);
    obs_sendto(o, u1, "o1", 2, OOB, (struct sockaddr *)&ss, len);
    if (ops->connect(u1, (struct sockaddr *)&ss, len) < 0)
        obs_fail(o, "setup: connect udp: %s", obs_errname(errno));
    obs_send(o, u1, "o2", 2, OOB);
    obs_send(o, u1, "d1", 2, 0);
    obs_send(o, u1, "d2", 2, 0);
    SETTLE();
    SIGURG_N();
    obs_sigpipe(o);
    READY(u2);
    MARK(u2);
    ATMARK(u2);
    RECV(u2, 10, OOB);
    RECV(u2, 10, OOB | PEEK);
    const size_t v[] = {10};
    obs_recvmsg(o, u2, v, 1, OOB);
    RECV(u2, 10, OOB);
    RECV(u2, 10, 0);
    INLINE(u2, 1);
    obs_getint(o, u2, SOL_SOCKET, SO_OOBINLINE, "SO_OOBINLINE");
}

SC(udp_oob)
{
    udp_case(ops, o, ops->family(), 0);
}

SC(udp4_oob)
{
    udp_case(ops, o, AF_INET, 0);
}

SC(udp6_oob)
{
    udp_case(ops, o, AF_INET6, 0);
}

SC(udp6_v4mapped_oob)
{
    udp_case(ops, o, AF_INET6, 1);
}

SC(mptcp_oob)
{
    struct pair p;
    struct pair_opts po;
    memset(&po, 0, sizeof po);
    po.protocol = IPPROTO_MPTCP;
    pair_open(ops, o, &po, &p);
    SEND(p.tx, "hello", OOB);
    READY(p.rx);
    MARK(p.rx);
    ATMARK(p.rx);
    RECV(p.rx, 2, OOB);
    RECV(p.rx, 10, 0);
    INLINE(p.rx, 1);
}

/* Raw IP: MSG_OOB fails both ways. Host A sends to host B's raw socket. */
static void raw_case(const struct sockops *ops, struct obs *o, int family)
{
    enum { PROTO = 253 }; /* RFC 3692 experimental protocol number */
    struct sockaddr_storage ss;
    socklen_t len;
    ops->host(HOST_A);
    int r1 = ops->socket(family, SOCK_RAW, PROTO);
    ops->host(HOST_B);
    int r2 = ops->socket(family, SOCK_RAW, PROTO);
    if (r1 < 0 || r2 < 0 || ops->addr(HOST_B, family, 0, &ss, &len) < 0)
        obs_fail(o, "setup: raw socket: %s", obs_errname(errno));
    obs_name(o, r1, "r1");
    obs_name(o, r2, "r2");
    sc_nonblock(ops, o, r2, 1);
    obs_sendto(o, r1, "payload", 7, OOB, (struct sockaddr *)&ss, len);
    obs_sendto(o, r1, "payload", 7, 0, (struct sockaddr *)&ss, len);
    SETTLE();
    RECV(r2, 100, OOB);
    unsigned char buf[128];
    ssize_t n = ops->recv(r2, buf, sizeof buf, 0);
    /* An IPv4 raw socket receives the IP header too; its ID and checksum
     * vary, so only the payload after it is shown. */
    size_t hdr = family == AF_INET && n > 0 ? (size_t)(buf[0] & 0x0f) * 4 : 0;
    char q[256] = "";
    if (n > 0 && (size_t)n >= hdr)
        obs_quote(q, sizeof q, buf + hdr, (size_t)n - hdr);
    obs_on(o, r2, "recv(128,0)=%zd%s payload=%s", n, hdr ? " (with IP header)" : "", q);
    MARK(r2);
}

SC(raw4_oob)
{
    raw_case(ops, o, AF_INET);
}

SC(raw6_oob)
{
    raw_case(ops, o, AF_INET6);
}

SC(ping4_oob)
{
    struct sockaddr_storage ss;
    socklen_t len;
    ops->host(HOST_A);
    int s = ops->socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP);
    if (s < 0 || ops->addr(HOST_B, AF_INET, 0, &ss, &len) < 0)
        obs_fail(o, "setup: ping socket: %s", obs_errname(errno));
    obs_name(o, s, "ping");
    sc_nonblock(ops, o, s, 1);
    /* An echo request: type 8, code 0, checksum/id filled in by the stack. */
    const char echo[] = "\x08\x00\x00\x00\x00\x00\x00\x01hi";
    obs_sendto(o, s, "x", 1, OOB, (struct sockaddr *)&ss, len);
    obs_sendto(o, s, echo, 10, OOB, (struct sockaddr *)&ss, len);
    obs_sendto(o, s, echo, 10, 0, (struct sockaddr *)&ss, len);
    SETTLE();
    RECV(s, 100, OOB);
    unsigned char buf[128];
    ssize_t n = ops->recv(s, buf, sizeof buf, 0);
    /* The reply's id and checksum depend on the socket's port. */
    obs_on(o, s, "recv(128,0)=%zd type=%d code=%d payload='%.*s'", n, n > 0 ? buf[0] : -1,
           n > 1 ? buf[1] : -1, n > 8 ? (int)(n - 8) : 0, n > 8 ? (const char *)buf + 8 : "");
    MARK(s);
}

/* ================================================================
 * The registry. Rules: R1..R29 of the spec; S1..S13 its surprises.
 * ================================================================ */

#define ST_ENTRY(name, rules)                                                                      \
    {"st.no_peek." #name, rules, st_no_peek_##name, 0, 0},                                         \
    {                                                                                              \
        "st.peek." #name, rules " R18", st_peek_##name, 0, 0                                       \
    }

static const struct scenario list[] = {
    ST_ENTRY(non_oob, "R19 R21 R23 R25"),
    ST_ENTRY(non_oob_no_reset, "R21 R23 R25"),
    ST_ENTRY(oob, "R19 R21 R22 R23 R25 S5"),
    ST_ENTRY(oob_reset, "R21 R22 R23 R25"),
    ST_ENTRY(oob_drop, "R17 R19 R21 R23 R25"),
    ST_ENTRY(oob_ahead, "R1 R16 R19 R21 R23 R25"),
    ST_ENTRY(oob_break, "R16 R17 R19 R21 R23 R25"),
    ST_ENTRY(oob_ahead_break, "R16 R17 R19 R21 R23 R25"),
    ST_ENTRY(oob_break_drop, "R16 R17 R19 R21 R23 R25"),
    ST_ENTRY(ex_oob_break, "R11 R15 R16 R21 R22 R23 R25"),
    ST_ENTRY(ex_oob_drop, "R11 R14 R21 R22 R23 R25 S2"),
    ST_ENTRY(ex_oob_drop_2, "R11 R14 R19 R21 R23 R25 S2"),
    ST_ENTRY(ex_oob_oob, "R11 R14 R17 R19 R21 R23 R25"),
    ST_ENTRY(ex_oob_ex_oob, "R11 R14 R19 R21 R23 R25 S5"),
    ST_ENTRY(ex_oob_ex_oob_oob, "R11 R14 R19 R21 R23 R25"),
    ST_ENTRY(ex_oob_ahead_break, "R11 R15 R16 R19 R21 R23 R25 S1"),
    ST_ENTRY(ex_oob_siocatmark, "R11 R15 R21 R23 R25"),
    ST_ENTRY(inline_oob, "R19 R20 R21 R23 R25"),
    ST_ENTRY(inline_oob_break, "R16 R19 R20 R21 R23 R25"),
    ST_ENTRY(inline_oob_ahead_break, "R15 R20 R21 R23 R25 S3"),
    ST_ENTRY(inline_ex_oob_break, "R15 R16 R20 R21 R23 R25"),
    ST_ENTRY(inline_ex_oob_no_drop, "R14 R20 R21 R23 R25"),
    ST_ENTRY(inline_ex_oob_drop, "R14 R20 R21 R23 R25 S2"),
    ST_ENTRY(inline_ex_oob_siocatmark, "R15 R20 R21 R23 R25"),

    {"oob_last_byte_of_call", "R1 R17", oob_last_byte_of_call, 0, 0},
    {"oob_sendmsg_iov", "R1", oob_sendmsg_iov, 0, 0},
    {"oob_sendto_null_addr", "R1", oob_sendto_null_addr, 0, 0},
    {"oob_sendto_with_addr", "R1", oob_sendto_with_addr, 0, 0},
    {"oob_large_send", "R1 R16 R24", oob_large_send, 0, 0},
    {"oob_after_normal_data", "R1 R16 R21 R23", oob_after_normal_data, 0, 0},
    {"oob_nul_and_binary_byte", "R1", oob_nul_and_binary_byte, 0, 0},
    {"oob_msg_more", "R1 R8", oob_msg_more, 0, 0},
    {"oob_dontwait_send", "R1", oob_dontwait_send, 0, 0},
    {"oob_writev_carries_no_mark", "R1 R19", oob_writev_carries_no_mark, 0, 0},
    {"oob_zero_len_send", "R2 R22", oob_zero_len_send, 0, 0},
    {"sigurg_counts", "R2 R22", sigurg_counts, 0, 0},
    {"oob_nonblock_partial", "R3", oob_nonblock_partial, 0, 0},
    {"oob_blocking_send_steps", "R3 R20 R22", oob_blocking_send_steps, SOCKOPS_CAP_THREADS, 0},
    {"offset_over_64k", "R6 R1 R16 R22", offset_over_64k, 0, 0},
    {"zero_window_notyet", "R7 R19 R21 R22 R23 R24 S6", zero_window_notyet, 0, 0},
    {"unconnected_and_listener", "R9 R19 R21 R23 R24 S9", unconnected_and_listener, 0, 0},
    {"oob_send_after_shut_wr", "R9", oob_send_after_shut_wr, 0, 0},
    {"oob_send_after_peer_rst", "R9 R27", oob_send_after_peer_rst, 0, 0},
    {"sigurg_sender_side", "R8 R22", sigurg_sender_side, 0, 0},
    {"stdurg_sysctl", "R10 R16 R17 R19 R21 R22 R23 R24", stdurg_sysctl, 0, 1},
    {"stdurg_notyet_fin", "R10 R19 R26 S9", stdurg_notyet_fin, 0, 1},
    {"stdurg_notyet_fin_after_read", "R10 R17 R19 R21 R26", stdurg_notyet_fin_after_read, 0, 1},
    {"stdurg_notyet_shut_rd", "R10 R19 R28", stdurg_notyet_shut_rd, 0, 1},
    {"notyet_blocking_eagain", "R10 R16 R19 S6", notyet_blocking_eagain, 0, 1},
    {"after_peer_rst_notyet", "R10 R19 R27", after_peer_rst_notyet, 0, 1},
    {"stdurg_toggle_midway", "R10", stdurg_toggle_midway, 0, 0},
    {"oob_to_half_closed_receiver", "R12 R22", oob_to_half_closed_receiver, 0, 0},
    {"second_urgent_reader_at_mark", "R11 R14 R22 S2", second_urgent_reader_at_mark, 0, 0},
    {"second_urgent_reader_at_read_mark", "R11 R14", second_urgent_reader_at_read_mark, 0, 0},
    {"second_urgent_inline_no_drop", "R14 R20", second_urgent_inline_no_drop, 0, 0},
    {"second_urgent_inline_off_at_second", "R14 R20", second_urgent_inline_off_at_second, 0, 0},
    {"second_urgent_old_byte_reappears", "R15 S1", second_urgent_old_byte_reappears, 0, 0},
    {"second_urgent_unread_old_becomes_data", "R15", second_urgent_unread_old_becomes_data, 0, 0},
    {"second_urgent_peeked_old_becomes_data", "R15 R18", second_urgent_peeked_old_becomes_data, 0,
     0},
    {"select_states", "R15 R20 R23", select_states, 0, 0},
    {"oob_many_marks_chain", "R11 R14", oob_many_marks_chain, 0, 0},
    {"oob_many_marks_with_data", "R11 R15 R16", oob_many_marks_with_data, 0, 0},
    {"second_mark_sigurg_each", "R11 R22", second_mark_sigurg_each, 0, 0},
    {"read_stops_at_mark_waitall", "R16 R17 S8", read_stops_at_mark_waitall, 0, 0},
    {"read_stops_at_mark_blocking", "R16 R17 S8", read_stops_at_mark_blocking, 0, 0},
    {"read_stops_at_mark_read", "R16 R17", read_stops_at_mark_read, 0, 0},
    {"read_stops_at_mark_readv", "R16 R17", read_stops_at_mark_readv, 0, 0},
    {"read_stops_at_mark_recvmsg", "R16 R17 R19", read_stops_at_mark_recvmsg, 0, 0},
    {"read_stops_at_mark_peek", "R16 R18", read_stops_at_mark_peek, 0, 0},
    {"read_stops_at_mark_read_state", "R16 R17", read_stops_at_mark_read_state, 0, 0},
    {"read_at_mark_skips_byte", "R17 R21 R23", read_at_mark_skips_byte, 0, 0},
    {"read_at_mark_blocking_waits", "R17", read_at_mark_blocking_waits, 0, 0},
    {"read_at_mark_after_oob_read", "R17 R21 R23", read_at_mark_after_oob_read, 0, 0},
    {"inline_basic", "R17 R20 R21 R23 R24", inline_basic, 0, 0},
    {"peek_around_mark", "R18 R21", peek_around_mark, 0, 0},
    {"peek_unread_urgent_then_read", "R18 R19", peek_unread_urgent_then_read, 0, 0},
    {"peek_at_mark_then_second_mark", "R14 R18", peek_at_mark_then_second_mark, 0, 0},
    {"no_urgent_data", "R19 S9", no_urgent_data, 0, 0},
    {"oob_on_sender_socket", "R19", oob_on_sender_socket, 0, 0},
    {"inline_oob_einval", "R19 R20", inline_oob_einval, 0, 0},
    {"oob_peek", "R19", oob_peek, 0, 0},
    {"oob_zero_len_buffer", "R19 S4", oob_zero_len_buffer, 0, 0},
    {"oob_zero_len_buffer_peek", "R19", oob_zero_len_buffer_peek, 0, 0},
    {"oob_zero_len_recv", "R19 S4", oob_zero_len_recv, 0, 0},
    {"oob_trunc_flag", "R19 S4", oob_trunc_flag, 0, 0},
    {"oob_trunc_flag_peek", "R19", oob_trunc_flag_peek, 0, 0},
    {"oob_recvmsg_msg_flags", "R19", oob_recvmsg_msg_flags, 0, 0},
    {"oob_big_buffer_and_flags", "R19", oob_big_buffer_and_flags, 0, 0},
    {"oob_read_keeps_read_position", "R19 R21 R24", oob_read_keeps_read_position, 0, 0},
    {"oob_both_directions", "R19 R22", oob_both_directions, 0, 0},
    {"oob_before_accept", "R21 R22", oob_before_accept, 0, 0},
    {"inline_getsockopt", "R20", inline_getsockopt, 0, 0},
    {"inline_inherited_from_listener", "R20", inline_inherited_from_listener, 0, 0},
    {"inline_on_after_arrival", "R20 R24", inline_on_after_arrival, 0, 0},
    {"inline_on_after_oob_read", "R20 S3", inline_on_after_oob_read, 0, 0},
    {"inline_off_after_arrival", "R20", inline_off_after_arrival, 0, 0},
    {"inline_off_at_mark_skips", "R17 R20", inline_off_at_mark_skips, 0, 0},
    {"inline_pri_until_read", "R20 R23", inline_pri_until_read, 0, 0},
    {"sigurg_inline", "R20 R22", sigurg_inline, 0, 0},
    {"siocatmark_states", "R21", siocatmark_states, 0, 0},
    {"siocatmark_notyet_states", "R10 R21", siocatmark_notyet_states, 0, 1},
    {"sigurg_no_owner", "R22", sigurg_no_owner, 0, 0},
    {"sigurg_owner_cleared", "R22", sigurg_owner_cleared, 0, 0},
    {"sigurg_pgrp", "R22", sigurg_pgrp, 0, 0},
    {"sigurg_fiosetown", "R22", sigurg_fiosetown, 0, 0},
    {"sigurg_coalesced_when_blocked", "R22", sigurg_coalesced_when_blocked, 0, 0},
    {"sigio_async_band", "R22", sigio_async_band, 0, 0},
    {"sigio_inline_band", "R20 R22", sigio_inline_band, 0, 0},
    {"sigio_no_owner", "R22", sigio_no_owner, 0, 0},
    {"sigio_setsig_sigio", "R22", sigio_setsig_sigio, 0, 0},
    {"sigio_plain_sigio", "R22", sigio_plain_sigio, 0, 0},
    {"states_single_byte", "R21 R23 R24 S7", states_single_byte, 0, 0},
    {"states_multibyte", "R23", states_multibyte, 0, 0},
    {"pollin_suppressed_at_mark", "R23 S7", pollin_suppressed_at_mark, 0, 0},
    {"poll_all_bits", "R23 R26 R27", poll_all_bits, 0, 0},
    {"epoll_et_pri", "R23", epoll_et_pri, 0, 0},
    {"siocinq_around_mark", "R24 S7", siocinq_around_mark, 0, 0},
    {"siocinq_inline", "R20 R24", siocinq_inline, 0, 0},
    {"siocinq_listener_and_udp", "R24 R29", siocinq_listener_and_udp, 0, 0},
    {"close_after_oob_read_rst", "R25 S5", close_after_oob_read_rst, 0, 0},
    {"close_after_passing_mark_no_rst", "R25", close_after_passing_mark_no_rst, 0, 0},
    {"close_at_read_mark_rst", "R25 S5", close_at_read_mark_rst, 0, 0},
    {"close_inline_consumed_no_rst", "R20 R25", close_inline_consumed_no_rst, 0, 0},
    {"after_peer_fin", "R19 R23 R26", after_peer_fin, 0, 0},
    {"after_peer_fin_unread", "R17 R26", after_peer_fin_unread, 0, 0},
    {"after_peer_fin_data_after_mark", "R26", after_peer_fin_data_after_mark, 0, 0},
    {"after_peer_rst", "R19 R23 R27 S9", after_peer_rst, 0, 0},
    {"after_peer_rst_read_state", "R27", after_peer_rst_read_state, 0, 0},
    {"after_peer_rst_at_mark", "R27", after_peer_rst_at_mark, 0, 0},
    {"disconnect_resets_urgent", "R27", disconnect_resets_urgent, 0, 0},
    {"after_shutdown_rd", "R19 R28", after_shutdown_rd, 0, 0},
    {"after_shutdown_rd_data_after_mark", "R17 R19 R22 R28", after_shutdown_rd_data_after_mark, 0,
     0},
    {"shutdown_rd_before_oob", "R22 R28", shutdown_rd_before_oob, 0, 0},
    {"shutdown_wr_receiver_keeps_urgent", "R19 R26", shutdown_wr_receiver_keeps_urgent, 0, 0},
    {"oob_then_sender_close", "R19 R26", oob_then_sender_close, 0, 0},
    {"udp_oob", "R29 R21 S10", udp_oob, 0, 0},
    {"udp4_oob", "R29 R21 S10", udp4_oob, 0, 0},
    {"udp6_oob", "R29 R21 S10", udp6_oob, SOCKOPS_CAP_INET6, 0},
    {"udp6_v4mapped_oob", "R29", udp6_v4mapped_oob, 0, 0},
    {"mptcp_oob", "R29 S10", mptcp_oob, SOCKOPS_CAP_MPTCP, 0},
    {"raw4_oob", "R29 R21", raw4_oob, SOCKOPS_CAP_RAW, 0},
    {"raw6_oob", "R29 R21", raw6_oob, SOCKOPS_CAP_RAW, 0},
    {"ping4_oob", "R29 R21", ping4_oob, SOCKOPS_CAP_RAW, 0},
};

const struct suite suite_oob = {"oob", list, sizeof list / sizeof list[0]};

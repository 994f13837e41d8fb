/* The sg_* API over TCP on two simulated stacks (10.0.0.1 "a" and
 * 10.0.0.2 "b" on one perfect link): connect / accept / echo, the connect
 * state machine (EINPROGRESS, EALREADY, EISCONN, ECONNREFUSED,
 * ECONNABORTED), EPIPE and SIGPIPE, timeouts in virtual time, urgent data
 * through the API (SIGURG, the mark, MSG_WAITALL, POLLPRI everywhere,
 * O_ASYNC bands), epoll edge cases, SO_LINGER. Single-threaded: blocking
 * calls step the world.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/sockios.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/select.h>
#include <unistd.h>
#include <cmocka.h>
#include "sigurg/sigurg.h"
#include "sigurg/sim.h"

#define SG_MS(x) ((sg_time)(x)*1000000ull)
#define SG_SEC(x) ((sg_time)(x)*1000000000ull)
#define SA(x) ((struct sockaddr *)&(x))

struct env {
    sg_world *w;
    sg_stack *a, *b;
};

static volatile sig_atomic_t n_sigurg, n_sigpipe, n_sigio;
static volatile int sigio_codes[16];

static void on_sig(int sig, siginfo_t *si, void *uc)
{
    (void)uc;
    if (sig == SIGURG)
        n_sigurg++;
    else if (sig == SIGPIPE)
        n_sigpipe++;
    else {
        if (n_sigio < 16)
            sigio_codes[n_sigio] = si->si_code;
        n_sigio++;
    }
}

static int setup(void **state)
{
    static struct env e;
    struct sigaction sa = {.sa_sigaction = on_sig, .sa_flags = SA_SIGINFO | SA_RESTART};
    sigaction(SIGURG, &sa, NULL);
    sigaction(SIGPIPE, &sa, NULL);
    sigaction(SIGIO, &sa, NULL);
    sigaction(SIGRTMIN + 1, &sa, NULL);
    n_sigurg = n_sigpipe = n_sigio = 0;
    e.w = sg_world_new(7);
    assert_non_null(e.w);
    e.a = sg_world_add_stack(e.w, NULL);
    e.b = sg_world_add_stack(e.w, NULL);
    assert_int_equal(sg_world_connect(e.w, e.a, "10.0.0.1/24", e.b, "10.0.0.2/24", NULL), 0);
    *state = &e;
    return 0;
}

static int teardown(void **state)
{
    struct env *e = *state;
    sg_world_free(e->w);
    return 0;
}

static struct sockaddr_in sin4(const char *ip, uint16_t port)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
    inet_pton(AF_INET, ip, &a.sin_addr);
    return a;
}

static int listener(sg_stack *s, const char *ip, uint16_t port)
{
    int fd = sg_socket_on(s, AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    struct sockaddr_in a = sin4(ip, port);
    assert_int_equal(sg_bind(fd, SA(a), sizeof(a)), 0);
    assert_int_equal(sg_listen(fd, 16), 0);
    return fd;
}

/* A connected pair: *c on a, *s on b (accepted). */
static void tcp_pair(struct env *e, uint16_t port, int *c, int *s)
{
    int l = listener(e->b, "10.0.0.2", port);
    *c = sg_socket_on(e->a, AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in to = sin4("10.0.0.2", port);
    assert_int_equal(sg_connect(*c, SA(to), sizeof(to)), 0);
    *s = sg_accept(l, NULL, NULL);
    assert_true(*s >= 0);
    sg_close(l);
}

/* Let everything in flight arrive. */
static void settle(struct env *e)
{
    sg_world_run_for(e->w, SG_MS(50));
}

static void test_tcp_connect_accept_echo(void **state)
{
    struct env *e = *state;
    int l = listener(e->b, "10.0.0.2", 8000);
    int v;
    socklen_t vl = sizeof(v);
    assert_int_equal(sg_getsockopt(l, SOL_SOCKET, SO_ACCEPTCONN, &v, &vl), 0);
    assert_int_equal(v, 1);
    int c = sg_socket_on(e->a, AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in to = sin4("10.0.0.2", 8000);
    assert_int_equal(sg_connect(c, SA(to), sizeof(to)), 0); /* steps the world */
    struct sockaddr_in peer;
    socklen_t pl = sizeof(peer);
    int s = sg_accept(l, SA(peer), &pl);
    assert_true(s >= 0);
    assert_int_equal(pl, sizeof(peer));
    char ip[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, &peer.sin_addr, ip, sizeof(ip));
    assert_string_equal(ip, "10.0.0.1");
    struct sockaddr_in cn;
    socklen_t cl = sizeof(cn);
    assert_int_equal(sg_getsockname(c, SA(cn), &cl), 0);
    assert_int_equal(cn.sin_port, peer.sin_port);
    assert_int_equal(sg_getpeername(c, SA(cn), &cl), 0);
    assert_int_equal(ntohs(cn.sin_port), 8000);

    assert_int_equal(sg_send(c, "ping", 4, 0), 4);
    char b[16];
    assert_int_equal(sg_recv(s, b, sizeof(b), 0), 4); /* blocks: steps */
    assert_memory_equal(b, "ping", 4);
    struct iovec iov[2] = {{"po", 2}, {"ng", 2}};
    assert_int_equal(sg_writev(s, iov, 2), 4);
    char x[2], y[8];
    struct iovec riov[2] = {{x, 2}, {y, sizeof(y)}};
    assert_int_equal(sg_readv(c, riov, 2), 4);
    assert_memory_equal(x, "po", 2);
    assert_memory_equal(y, "ng", 2);
    assert_int_equal(sg_write(c, "abc", 3), 3);
    settle(e);
    int n = 0;
    assert_int_equal(sg_ioctl(s, FIONREAD, &n), 0);
    assert_int_equal(n, 3);
    assert_int_equal(sg_read(s, b, sizeof(b)), 3);
    /* Orderly close: EOF on the other side. */
    assert_int_equal(sg_close(c), 0);
    assert_int_equal(sg_recv(s, b, sizeof(b), 0), 0);
    struct pollfd p = {s, POLLIN | POLLRDHUP, 0};
    assert_int_equal(sg_poll(&p, 1, 0), 1);
    assert_int_equal(p.revents, POLLIN | POLLRDHUP);
    assert_int_equal(sg_close(s), 0);
    assert_int_equal(sg_close(l), 0);
}

/* inet_stream_connect's state machine, as Linux 6.18 shows it. */
static void test_tcp_nonblocking_connect(void **state)
{
    struct env *e = *state;
    int l = listener(e->b, "10.0.0.2", 8001);
    int c = sg_socket_on(e->a, AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    struct sockaddr_in to = sin4("10.0.0.2", 8001);
    assert_int_equal(sg_connect(c, SA(to), sizeof(to)), -1);
    assert_int_equal(errno, EINPROGRESS);
    assert_int_equal(sg_connect(c, SA(to), sizeof(to)), -1);
    assert_int_equal(errno, EALREADY);
    struct pollfd p = {c, POLLOUT, 0};
    assert_int_equal(sg_poll(&p, 1, -1), 1); /* steps until writable */
    assert_int_equal(p.revents, POLLOUT);
    int v = -1;
    socklen_t vl = sizeof(v);
    assert_int_equal(sg_getsockopt(c, SOL_SOCKET, SO_ERROR, &v, &vl), 0);
    assert_int_equal(v, 0);
    assert_int_equal(sg_connect(c, SA(to), sizeof(to)), 0); /* completes SS_CONNECTED */
    assert_int_equal(sg_connect(c, SA(to), sizeof(to)), -1);
    assert_int_equal(errno, EISCONN);
    sg_close(c);
    sg_close(l);
}

static void test_tcp_connection_refused(void **state)
{
    struct env *e = *state;
    /* A TCP socket elsewhere on b (stack_new attaches TCP anyway). */
    int other = listener(e->b, "10.0.0.2", 7999);
    struct sockaddr_in to = sin4("10.0.0.2", 1);
    int c = sg_socket_on(e->a, AF_INET, SOCK_STREAM, 0);
    assert_int_equal(sg_connect(c, SA(to), sizeof(to)), -1);
    assert_int_equal(errno, ECONNREFUSED);
    assert_int_equal(sg_connect(c, SA(to), sizeof(to)), -1); /* starts over */
    assert_int_equal(errno, ECONNREFUSED);
    sg_close(c);
    int d = sg_socket_on(e->a, AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    assert_int_equal(sg_connect(d, SA(to), sizeof(to)), -1);
    assert_int_equal(errno, EINPROGRESS);
    struct pollfd p = {d, POLLIN | POLLOUT | POLLPRI | POLLRDHUP, 0};
    assert_int_equal(sg_poll(&p, 1, -1), 1);
    assert_int_equal(p.revents, POLLIN | POLLOUT | POLLERR | POLLHUP | POLLRDHUP);
    int v = 0;
    socklen_t vl = sizeof(v);
    assert_int_equal(sg_getsockopt(d, SOL_SOCKET, SO_ERROR, &v, &vl), 0);
    assert_int_equal(v, ECONNREFUSED);
    assert_int_equal(sg_connect(d, SA(to), sizeof(to)), -1);
    assert_int_equal(errno, ECONNABORTED); /* the error was taken by SO_ERROR */
    sg_close(d);
    sg_close(other);
}

/* EPIPE with SIGPIPE to the caller unless MSG_NOSIGNAL; R9 for MSG_OOB. */
static void test_tcp_epipe_sigpipe(void **state)
{
    struct env *e = *state;
    int u = sg_socket_on(e->a, AF_INET, SOCK_STREAM, 0);
    n_sigpipe = 0;
    assert_int_equal(sg_send(u, "x", 1, 0), -1);
    assert_int_equal(errno, EPIPE);
    assert_int_equal(n_sigpipe, 1);
    assert_int_equal(sg_send(u, "x", 1, MSG_OOB), -1); /* R9 */
    assert_int_equal(errno, EPIPE);
    assert_int_equal(n_sigpipe, 2);
    assert_int_equal(sg_send(u, "x", 1, MSG_NOSIGNAL), -1);
    assert_int_equal(errno, EPIPE);
    assert_int_equal(n_sigpipe, 2);
    char b[4];
    assert_int_equal(sg_recv(u, b, sizeof(b), 0), -1);
    assert_int_equal(errno, ENOTCONN);
    assert_int_equal(sg_recv(u, b, sizeof(b), MSG_OOB), -1);
    assert_int_equal(errno, EINVAL); /* R19: never connected */
    assert_int_equal(sg_shutdown(u, SHUT_RD), -1);
    assert_int_equal(errno, ENOTCONN);
    sg_close(u);
    int c, s;
    tcp_pair(e, 8002, &c, &s);
    assert_int_equal(sg_shutdown(c, SHUT_WR), 0);
    assert_int_equal(sg_send(c, "x", 1, 0), -1);
    assert_int_equal(errno, EPIPE);
    assert_int_equal(n_sigpipe, 3);
    assert_int_equal(sg_send(c, NULL, 1, 0), -1); /* the pipe is checked first */
    assert_int_equal(errno, EPIPE);
    assert_int_equal(sg_recv(s, b, sizeof(b), 0), 0); /* the FIN */
    assert_int_equal(sg_send(s, NULL, 1, 0), -1);
    assert_int_equal(errno, EFAULT);
    sg_close(c);
    sg_close(s);
}

static void test_tcp_timeouts_virtual(void **state)
{
    struct env *e = *state;
    int c, s;
    tcp_pair(e, 8003, &c, &s);
    settle(e);
    struct timeval tv = {1, 500000};
    assert_int_equal(sg_setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)), 0);
    sg_time t0 = sg_world_now(e->w);
    char b[4];
    assert_int_equal(sg_recv(s, b, sizeof(b), 0), -1);
    assert_int_equal(errno, EAGAIN);
    assert_true(sg_world_now(e->w) - t0 == SG_MS(1500));
    /* recv(MSG_OOB) never blocks, even on a blocking socket (R19). */
    t0 = sg_world_now(e->w);
    assert_int_equal(sg_recv(s, b, 1, MSG_OOB), -1);
    assert_int_equal(errno, EINVAL);
    assert_int_equal(sg_world_now(e->w), t0);
    /* accept with a timeout */
    int l = listener(e->b, "10.0.0.2", 8004);
    tv = (struct timeval){0, 200000};
    assert_int_equal(sg_setsockopt(l, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)), 0);
    t0 = sg_world_now(e->w);
    assert_int_equal(sg_accept(l, NULL, NULL), -1);
    assert_int_equal(errno, EAGAIN);
    assert_true(sg_world_now(e->w) - t0 == SG_MS(200));
    assert_int_equal(sg_accept4(l, NULL, NULL, SOCK_NONBLOCK), -1); /* flags of the new socket */
    assert_int_equal(errno, EAGAIN);
    sg_close(l);
    sg_close(c);
    sg_close(s);
}

/* Urgent data through the API: SIGURG once per pointer to the owner,
 * POLLPRI in poll / select's exception set / EPOLLPRI, reads stop at the
 * mark (R16), sockatmark, recv(MSG_OOB) (R19-R23). */
static void test_tcp_oob_through_api(void **state)
{
    struct env *e = *state;
    int c, s;
    tcp_pair(e, 8005, &c, &s);
    assert_int_equal(sg_fcntl(s, F_SETOWN, getpid()), 0);
    int ep = sg_epoll_create1(0);
    struct epoll_event ev = {.events = EPOLLIN | EPOLLPRI, .data.fd = s};
    assert_int_equal(sg_epoll_ctl(ep, EPOLL_CTL_ADD, s, &ev), 0);
    n_sigurg = 0;
    assert_int_equal(sg_send(c, "hello", 5, MSG_OOB), 5);
    settle(e);
    assert_int_equal(n_sigurg, 1);
    assert_int_equal(n_sigpipe, 0);
    struct pollfd p = {s, POLLIN | POLLPRI | POLLOUT, 0};
    assert_int_equal(sg_poll(&p, 1, 0), 1);
    assert_int_equal(p.revents, POLLIN | POLLPRI | POLLOUT);
    fd_set r, x;
    FD_ZERO(&r);
    FD_ZERO(&x);
    FD_SET(s, &r);
    FD_SET(s, &x);
    struct timeval tv = {0, 0};
    assert_int_equal(sg_select(s + 1, &r, NULL, &x, &tv), 2);
    assert_true(FD_ISSET(s, &x));
    struct epoll_event out[2];
    assert_int_equal(sg_epoll_wait(ep, out, 2, 0), 1);
    assert_int_equal(out[0].events, EPOLLIN | EPOLLPRI);
    assert_int_equal(sg_sockatmark(s), 0);
    int n = 0;
    assert_int_equal(sg_ioctl(s, SIOCINQ, &n), 0);
    assert_int_equal(n, 4); /* R24: bytes before the mark */
    char b[16];
    assert_int_equal(sg_recv(s, b, sizeof(b), 0), 4); /* R16 */
    assert_memory_equal(b, "hell", 4);
    assert_int_equal(sg_sockatmark(s), 1);
    assert_int_equal(sg_recv(s, b, 1, MSG_OOB), 1);
    assert_int_equal(b[0], 'o');
    assert_int_equal(sg_sockatmark(s), 1); /* R21 (b) */
    assert_int_equal(sg_recv(s, b, 1, MSG_OOB), -1);
    assert_int_equal(errno, EINVAL);
    p.revents = 0;
    assert_int_equal(sg_poll(&p, 1, 0), 1);
    assert_int_equal(p.revents, POLLOUT); /* R23: the urgent byte is not POLLIN */
    assert_int_equal(sg_recv(s, b, sizeof(b), MSG_DONTWAIT), -1); /* R17 */
    assert_int_equal(errno, EAGAIN);
    /* No owner, no signal (R22); the sender is never signalled. */
    assert_int_equal(sg_fcntl(s, F_SETOWN, 0), 0);
    assert_int_equal(sg_fcntl(c, F_SETOWN, getpid()), 0);
    assert_int_equal(sg_send(c, "!", 1, MSG_OOB), 1);
    settle(e);
    assert_int_equal(n_sigurg, 1);
    /* Zero-length MSG_OOB send: 0, no mark (R2). */
    assert_int_equal(sg_send(c, "", 0, MSG_OOB), 0);
    sg_close(ep);
    sg_close(c);
    sg_close(s);
}

/* R16: a blocking MSG_WAITALL read still returns short at the mark. */
static void test_tcp_waitall_stops_at_mark(void **state)
{
    struct env *e = *state;
    int c, s;
    tcp_pair(e, 8006, &c, &s);
    assert_int_equal(sg_send(c, "hello", 5, MSG_OOB), 5);
    char b[10];
    assert_int_equal(sg_recv(s, b, sizeof(b), MSG_WAITALL), 4);
    assert_memory_equal(b, "hell", 4);
    /* MSG_WAITALL otherwise waits for everything, across segments. */
    assert_int_equal(sg_recv(s, b, 1, MSG_OOB), 1);
    assert_int_equal(sg_send(c, "abc", 3, 0), 3);
    settle(e);
    assert_int_equal(sg_send(c, "defgh", 5, 0), 5);
    assert_int_equal(sg_recv(s, b, 8, MSG_WAITALL), 8);
    assert_memory_equal(b, "abcdefgh", 8);
    /* ... or until EOF. */
    assert_int_equal(sg_send(c, "xy", 2, 0), 2);
    assert_int_equal(sg_shutdown(c, SHUT_WR), 0);
    assert_int_equal(sg_recv(s, b, 8, MSG_WAITALL), 2);
    sg_close(c);
    sg_close(s);
}

/* R22, sigio_async_band: with O_ASYNC and F_SETSIG the owner gets
 * POLL_PRI for the pointer, then POLL_IN for the urgent byte and for the
 * data. */
static void test_tcp_sigio_async_band(void **state)
{
    struct env *e = *state;
    int c, s;
    tcp_pair(e, 8007, &c, &s);
    settle(e);
    assert_int_equal(sg_fcntl(s, F_SETOWN, getpid()), 0);
    assert_int_equal(sg_fcntl(s, F_SETSIG, SIGRTMIN + 1), 0);
    assert_int_equal(sg_fcntl(s, F_SETFL, sg_fcntl(s, F_GETFL) | O_ASYNC), 0);
    n_sigio = n_sigurg = 0;
    assert_int_equal(sg_send(c, "ab", 2, MSG_OOB), 2);
    settle(e);
    assert_int_equal(n_sigurg, 1);
    assert_int_equal(n_sigio, 3);
    assert_int_equal(sigio_codes[0], POLL_PRI);
    assert_int_equal(sigio_codes[1], POLL_IN);
    assert_int_equal(sigio_codes[2], POLL_IN);
    /* The owner's own reads send nothing. */
    char b[4];
    assert_int_equal(sg_recv(s, b, sizeof(b), 0), 1);
    assert_int_equal(n_sigio, 3);
    sg_close(c);
    sg_close(s);
}

/* epoll: EPOLLET reports new data once; EPOLLRDHUP on the peer's FIN;
 * EPOLLONESHOT until re-armed. */
static void test_tcp_epoll_edges(void **state)
{
    struct env *e = *state;
    int c, s;
    tcp_pair(e, 8008, &c, &s);
    int ep = sg_epoll_create1(0);
    struct epoll_event ev = {.events = EPOLLIN | EPOLLRDHUP | EPOLLET, .data.u32 = 1};
    assert_int_equal(sg_epoll_ctl(ep, EPOLL_CTL_ADD, s, &ev), 0);
    struct epoll_event out[2];
    assert_int_equal(sg_epoll_wait(ep, out, 2, 0), 0);
    assert_int_equal(sg_send(c, "12", 2, 0), 2);
    assert_int_equal(sg_epoll_wait(ep, out, 2, -1), 1); /* steps */
    assert_int_equal(out[0].events, EPOLLIN);
    assert_int_equal(sg_epoll_wait(ep, out, 2, 0), 0);
    char b[4];
    assert_int_equal(sg_recv(s, b, 1, 0), 1);
    assert_int_equal(sg_epoll_wait(ep, out, 2, 0), 0); /* no new edge */
    assert_int_equal(sg_shutdown(c, SHUT_WR), 0);
    assert_int_equal(sg_epoll_wait(ep, out, 2, -1), 1);
    assert_int_equal(out[0].events, EPOLLIN | EPOLLRDHUP);
    ev.events = EPOLLOUT | EPOLLONESHOT;
    assert_int_equal(sg_epoll_ctl(ep, EPOLL_CTL_MOD, s, &ev), 0);
    assert_int_equal(sg_epoll_wait(ep, out, 2, 0), 1);
    assert_int_equal(out[0].events, EPOLLOUT);
    assert_int_equal(sg_epoll_wait(ep, out, 2, 0), 0);
    ev.events = EPOLLIN | EPOLLEXCLUSIVE;
    assert_int_equal(sg_epoll_ctl(ep, EPOLL_CTL_MOD, s, &ev), -1);
    assert_int_equal(errno, EINVAL);
    sg_close(ep);
    sg_close(c);
    sg_close(s);
}

/* SO_LINGER {1, 0}: close resets; the peer reads ECONNRESET. */
static void test_tcp_linger_zero_resets(void **state)
{
    struct env *e = *state;
    int c, s;
    tcp_pair(e, 8009, &c, &s);
    struct linger lg = {1, 0};
    assert_int_equal(sg_setsockopt(s, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)), 0);
    uint64_t before[SG_C__COUNT], after[SG_C__COUNT];
    sg_stack_counters(e->b, before, SG_C__COUNT);
    assert_int_equal(sg_close(s), 0);
    sg_stack_counters(e->b, after, SG_C__COUNT);
    assert_int_equal(after[SG_C_TCP_ABORT_ON_LINGER] - before[SG_C_TCP_ABORT_ON_LINGER], 1);
    char b[4];
    assert_int_equal(sg_recv(c, b, sizeof(b), 0), -1);
    assert_int_equal(errno, ECONNRESET);
    assert_int_equal(sg_recv(c, b, sizeof(b), 0), 0);
    sg_close(c);
}

/* A non-blocking transfer of 1 MB each way driven by poll. */
static void test_tcp_poll_driven_transfer(void **state)
{
    struct env *e = *state;
    int c, s;
    tcp_pair(e, 8010, &c, &s);
    int fl = O_NONBLOCK;
    assert_int_equal(sg_fcntl(c, F_SETFL, fl), 0);
    assert_int_equal(sg_ioctl(s, FIONBIO, &fl), 0);
    enum { TOTAL = 1 << 20 };
    static uint8_t src[TOTAL], dst[2][TOTAL];
    for (size_t i = 0; i < TOTAL; i++)
        src[i] = (uint8_t)(i * 131 + (i >> 11));
    size_t sent[2] = {0, 0}, got[2] = {0, 0};
    int fd[2] = {c, s};
    while (got[0] < TOTAL || got[1] < TOTAL) {
        struct pollfd p[2] = {{c, POLLIN, 0}, {s, POLLIN, 0}};
        for (int k = 0; k < 2; k++)
            if (sent[k] < TOTAL)
                p[k].events |= POLLOUT;
        int n = sg_poll(p, 2, 1000);
        assert_true(n > 0);
        for (int k = 0; k < 2; k++) {
            if ((p[k].revents & POLLOUT) && sent[k] < TOTAL) {
                ssize_t r = sg_send(fd[k], src + sent[k], TOTAL - sent[k], 0);
                assert_true(r > 0 || (r < 0 && errno == EAGAIN));
                if (r > 0)
                    sent[k] += (size_t)r;
            }
            if (p[k].revents & POLLIN) {
                ssize_t r = sg_recv(fd[k], dst[k] + got[k], TOTAL - got[k], 0);
                assert_true(r > 0 || (r < 0 && errno == EAGAIN));
                if (r > 0)
                    got[k] += (size_t)r;
            }
        }
    }
    assert_memory_equal(dst[0], src, TOTAL);
    assert_memory_equal(dst[1], src, TOTAL);
    sg_close(c);
    sg_close(s);
}

/* IPPROTO_TCP options go to the engine; SOL_SOCKET buffer sizes too. */
static void test_tcp_options(void **state)
{
    struct env *e = *state;
    int c, s;
    tcp_pair(e, 8011, &c, &s);
    int v = 1;
    socklen_t vl = sizeof(v);
    assert_int_equal(sg_setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &v, sizeof(v)), 0);
    v = 0;
    assert_int_equal(sg_getsockopt(c, IPPROTO_TCP, TCP_NODELAY, &v, &vl), 0);
    assert_int_equal(v, 1);
    struct tcp_info ti;
    socklen_t tl = sizeof(ti);
    assert_int_equal(sg_getsockopt(c, IPPROTO_TCP, TCP_INFO, &ti, &tl), 0);
    assert_int_equal(ti.tcpi_state, TCP_ESTABLISHED);
    char cc[16] = {0};
    socklen_t cl = sizeof(cc);
    assert_int_equal(sg_getsockopt(c, IPPROTO_TCP, TCP_CONGESTION, cc, &cl), 0);
    assert_string_equal(cc, "cubic");
    assert_int_equal(sg_setsockopt(c, IPPROTO_TCP, TCP_CONGESTION, "nope", 4), -1);
    assert_int_equal(errno, ENOENT);
    assert_int_equal(sg_setsockopt(c, IPPROTO_TCP, 9999, &v, sizeof(v)), -1);
    assert_int_equal(errno, ENOPROTOOPT);
    assert_int_equal(sg_setsockopt(c, IPPROTO_TCP, TCP_NODELAY, NULL, 4), -1);
    assert_int_equal(errno, EFAULT);
    v = 60;
    assert_int_equal(sg_setsockopt(c, IPPROTO_TCP, TCP_KEEPIDLE, &v, sizeof(v)), 0);
    vl = sizeof(v);
    v = 0;
    assert_int_equal(sg_getsockopt(c, IPPROTO_TCP, TCP_KEEPIDLE, &v, &vl), 0);
    assert_int_equal(v, 60);
    /* Defaults from the stack's configuration; SO_SNDBUF doubles. */
    vl = sizeof(v);
    assert_int_equal(sg_getsockopt(c, SOL_SOCKET, SO_RCVBUF, &v, &vl), 0);
    assert_int_equal(v, 131072);
    v = 10000;
    assert_int_equal(sg_setsockopt(c, SOL_SOCKET, SO_SNDBUF, &v, sizeof(v)), 0);
    assert_int_equal(sg_getsockopt(c, SOL_SOCKET, SO_SNDBUF, &v, &vl), 0);
    assert_int_equal(v, 20000);
    /* SO_REUSEPORT on TCP, as Linux (the engine has reuseport groups). */
    v = 1;
    assert_int_equal(sg_setsockopt(c, SOL_SOCKET, SO_REUSEPORT, &v, sizeof(v)), 0);
    v = 0;
    assert_int_equal(sg_getsockopt(c, SOL_SOCKET, SO_REUSEPORT, &v, &vl), 0);
    assert_int_equal(v, 1);
    /* Queue sizes */
    int n = -1;
    assert_int_equal(sg_ioctl(c, SIOCOUTQ, &n), 0);
    assert_int_equal(n, 0);
    assert_int_equal(sg_ioctl(c, SIOCOUTQNSD, &n), 0);
    assert_int_equal(n, 0);
    int l = listener(e->b, "10.0.0.2", 8012);
    assert_int_equal(sg_ioctl(l, SIOCINQ, &n), -1);
    assert_int_equal(errno, EINVAL);
    assert_int_equal(sg_sockatmark(l), 0);
    sg_close(l);
    sg_close(c);
    sg_close(s);
}

/* MSG_PEEK, MSG_TRUNC (discard), a NULL buffer: EFAULT only with data. */
static void test_tcp_peek_trunc_efault(void **state)
{
    struct env *e = *state;
    int c, s;
    tcp_pair(e, 8013, &c, &s);
    char b[16];
    assert_int_equal(sg_recv(s, NULL, 4, MSG_DONTWAIT), -1);
    assert_int_equal(errno, EAGAIN); /* nothing to copy yet */
    assert_int_equal(sg_send(c, "abcdef", 6, 0), 6);
    assert_int_equal(sg_recv(s, b, 3, MSG_PEEK), 3); /* blocks: steps */
    assert_memory_equal(b, "abc", 3);
    assert_int_equal(sg_recv(s, NULL, 4, 0), -1);
    assert_int_equal(errno, EFAULT);
    assert_int_equal(sg_recv(s, NULL, 2, MSG_TRUNC), 2); /* discards "ab" */
    assert_int_equal(sg_recv(s, b, sizeof(b), 0), 4);
    assert_memory_equal(b, "cdef", 4);
    /* MSG_PEEK | MSG_WAITALL waits for the whole length, consuming nothing. */
    assert_int_equal(sg_send(c, "gh", 2, 0), 2);
    assert_int_equal(sg_recv(s, b, 1, MSG_PEEK), 1);
    assert_int_equal(sg_send(c, "ij", 2, 0), 2);
    assert_int_equal(sg_recv(s, b, 4, MSG_PEEK | MSG_WAITALL), 4);
    assert_memory_equal(b, "ghij", 4);
    assert_int_equal(sg_recv(s, b, sizeof(b), 0), 4);
    /* A zero-length read: EAGAIN with nothing there, 0 with data. */
    assert_int_equal(sg_recv(s, b, 0, MSG_DONTWAIT), -1);
    assert_int_equal(errno, EAGAIN);
    assert_int_equal(sg_send(c, "k", 1, 0), 1);
    settle(e);
    assert_int_equal(sg_recv(s, b, 0, MSG_DONTWAIT), 0);
    sg_close(c);
    sg_close(s);
}

/* SO_RCVLOWAT: poll shows POLLIN and a blocking recv returns only once
 * that many bytes are there. */
static void test_tcp_rcvlowat(void **state)
{
    struct env *e = *state;
    int c, s;
    tcp_pair(e, 8014, &c, &s);
    int v = 5;
    assert_int_equal(sg_setsockopt(s, SOL_SOCKET, SO_RCVLOWAT, &v, sizeof(v)), 0);
    assert_int_equal(sg_send(c, "abc", 3, 0), 3);
    settle(e);
    struct pollfd p = {s, POLLIN, 0};
    assert_int_equal(sg_poll(&p, 1, 0), 0);
    assert_int_equal(sg_send(c, "de", 2, 0), 2);
    assert_int_equal(sg_poll(&p, 1, -1), 1);
    char b[16];
    assert_int_equal(sg_send(c, "fghij", 5, 0), 5);
    assert_int_equal(sg_recv(s, b, sizeof(b), 0) >= 5, 1);
    sg_close(c);
    sg_close(s);
}

/* SO_SNDTIMEO: a blocking send that cannot queue everything returns what
 * it queued when the time is up (or EAGAIN if nothing). */
static void test_tcp_sndtimeo_partial(void **state)
{
    struct env *e = *state;
    int c, s;
    tcp_pair(e, 8015, &c, &s);
    struct timeval tv = {2, 0};
    assert_int_equal(sg_setsockopt(c, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)), 0);
    static char big[4 << 20];
    sg_time t0 = sg_world_now(e->w);
    ssize_t r = sg_send(c, big, sizeof(big), 0);
    assert_true(r > 0 && r < (ssize_t)sizeof(big));
    assert_true(sg_world_now(e->w) - t0 >= SG_SEC(2));
    assert_int_equal(sg_send(c, big, sizeof(big), MSG_DONTWAIT), -1);
    assert_int_equal(errno, EAGAIN);
    sg_close(c);
    sg_close(s);
}

/* SO_LINGER with a timeout: close blocks until the FIN is acknowledged
 * (here one round trip of 200 ms, virtual), not for the whole timeout. */
static void test_tcp_linger_waits_for_ack(void **state)
{
    (void)state;
    sg_world *w = sg_world_new(9);
    sg_stack *a = sg_world_add_stack(w, NULL), *b = sg_world_add_stack(w, NULL);
    struct sg_link_config lc = {.impair = {.delay_ns = SG_MS(100)}};
    assert_int_equal(sg_world_connect(w, a, "10.0.0.1/24", b, "10.0.0.2/24", &lc), 0);
    struct env e2 = {w, a, b};
    int c, s;
    tcp_pair(&e2, 8016, &c, &s);
    struct linger lg = {1, 10};
    assert_int_equal(sg_setsockopt(c, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)), 0);
    assert_int_equal(sg_send(c, "bye", 3, 0), 3);
    sg_time t0 = sg_world_now(w);
    assert_int_equal(sg_close(c), 0);
    sg_time took = sg_world_now(w) - t0;
    assert_true(took >= SG_MS(200) && took < SG_SEC(10));
    char x[4];
    assert_int_equal(sg_recv(s, x, sizeof(x), 0), 3);
    assert_int_equal(sg_recv(s, x, sizeof(x), 0), 0);
    sg_close(s);
    sg_world_free(w);
}

/* A peer that never answers: connect fails with ETIMEDOUT after the SYN
 * retries (about two minutes of virtual time). */
static void test_tcp_connect_timeout(void **state)
{
    (void)state;
    sg_world *w = sg_world_new(10);
    sg_stack *a = sg_world_add_stack(w, NULL), *b = sg_world_add_stack(w, NULL);
    struct sg_link_config lc = {.impair = {.loss = 1.0}};
    assert_int_equal(sg_world_connect(w, a, "10.0.0.1/24", b, "10.0.0.2/24", &lc), 0);
    int c = sg_socket_on(a, AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in to = sin4("10.0.0.2", 80);
    sg_time t0 = sg_world_now(w);
    int r = sg_connect(c, SA(to), sizeof(to));
    int err = errno;
    assert_int_equal(r, -1);
    assert_true(err == ETIMEDOUT || err == EHOSTUNREACH);
    assert_true(sg_world_now(w) - t0 >= SG_SEC(3));
    /* With SO_SNDTIMEO the blocking connect gives up first: EINPROGRESS. */
    int d = sg_socket_on(a, AF_INET, SOCK_STREAM, 0);
    struct timeval tv = {1, 0};
    assert_int_equal(sg_setsockopt(d, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)), 0);
    assert_int_equal(sg_connect(d, SA(to), sizeof(to)), -1);
    assert_int_equal(errno, EINPROGRESS);
    assert_int_equal(sg_connect(d, SA(to), sizeof(to)), -1);
    assert_int_equal(errno, EALREADY);
    sg_close(c);
    sg_close(d);
    sg_world_free(w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_tcp_connect_accept_echo, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tcp_nonblocking_connect, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tcp_connection_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tcp_epipe_sigpipe, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tcp_timeouts_virtual, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tcp_oob_through_api, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tcp_waitall_stops_at_mark, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tcp_sigio_async_band, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tcp_epoll_edges, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tcp_linger_zero_resets, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tcp_poll_driven_transfer, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tcp_options, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tcp_peek_trunc_efault, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tcp_rcvlowat, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tcp_sndtimeo_partial, setup, teardown),
        cmocka_unit_test(test_tcp_linger_waits_for_ack),
        cmocka_unit_test(test_tcp_connect_timeout),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

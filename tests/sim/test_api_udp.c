/* The sg_* API on two simulated stacks (10.0.0.1 and 10.0.0.2 on one
 * perfect link): UDP semantics, argument checks and errno, readiness
 * through poll / select / epoll / a kernel epoll, blocking in virtual
 * time. Everything here is single-threaded: blocking calls step the world.
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

struct env {
    sg_world *w;
    sg_stack *a, *b;
};

static int setup(void **state)
{
    static struct env e;
    e.w = sg_world_new(42);
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

#define SA(x) ((struct sockaddr *)&(x))

/* A UDP socket on s bound to ip:port. */
static int udp_bound(sg_stack *s, const char *ip, uint16_t port)
{
    int fd = sg_socket_on(s, AF_INET, SOCK_DGRAM, 0);
    assert_true(fd >= 0);
    struct sockaddr_in a = sin4(ip, port);
    assert_int_equal(sg_bind(fd, SA(a), sizeof(a)), 0);
    return fd;
}

static void test_udp_sendto_recvfrom(void **state)
{
    struct env *e = *state;
    int rx = udp_bound(e->b, "10.0.0.2", 7000);
    int tx = sg_socket_on(e->a, AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in to = sin4("10.0.0.2", 7000);
    assert_int_equal(sg_sendto(tx, "hello", 5, 0, SA(to), sizeof(to)), 5);
    char buf[16];
    struct sockaddr_in from;
    socklen_t fl = sizeof(from);
    /* Blocking: steps the world until the datagram is there. */
    assert_int_equal(sg_recvfrom(rx, buf, sizeof(buf), 0, SA(from), &fl), 5);
    assert_memory_equal(buf, "hello", 5);
    assert_int_equal(fl, sizeof(from));
    char ip[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, &from.sin_addr, ip, sizeof(ip));
    assert_string_equal(ip, "10.0.0.1");
    /* The sender was bound automatically: its port is the one seen. */
    struct sockaddr_in me;
    socklen_t ml = sizeof(me);
    assert_int_equal(sg_getsockname(tx, SA(me), &ml), 0);
    assert_int_equal(me.sin_port, from.sin_port);
    assert_true(ntohs(me.sin_port) >= 32768 && ntohs(me.sin_port) <= 60999);
    /* Reply to the address seen. */
    assert_int_equal(sg_sendto(rx, "world", 5, 0, SA(from), fl), 5);
    assert_int_equal(sg_recv(tx, buf, sizeof(buf), 0), 5);
    assert_memory_equal(buf, "world", 5);
    uint64_t c[SG_C__COUNT];
    sg_stack_counters(e->a, c, SG_C__COUNT);
    assert_int_equal(c[SG_C_UDP_OUT_DATAGRAMS], 1);
    assert_int_equal(c[SG_C_UDP_IN_DATAGRAMS], 1);
    assert_int_equal(sg_close(tx), 0);
    assert_int_equal(sg_close(rx), 0);
    assert_int_equal(sg_close(rx), -1);
    assert_int_equal(errno, EBADF);
}

/* A connected UDP socket learns of ICMP port unreachable: the next recv
 * (or send) fails once with ECONNREFUSED, SO_ERROR and POLLERR show it. */
static void test_udp_connected_econnrefused(void **state)
{
    struct env *e = *state;
    int fd = sg_socket_on(e->a, AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in to = sin4("10.0.0.2", 9);
    assert_int_equal(sg_connect(fd, SA(to), sizeof(to)), 0);
    struct sockaddr_in me;
    socklen_t ml = sizeof(me);
    assert_int_equal(sg_getsockname(fd, SA(me), &ml), 0);
    char ip[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, &me.sin_addr, ip, sizeof(ip));
    assert_string_equal(ip, "10.0.0.1"); /* connect picked the source */
    assert_int_equal(sg_send(fd, "x", 1, 0), 1);
    char b[4];
    assert_int_equal(sg_recv(fd, b, sizeof(b), 0), -1);
    assert_int_equal(errno, ECONNREFUSED);
    assert_int_equal(sg_recv(fd, b, sizeof(b), MSG_DONTWAIT), -1);
    assert_int_equal(errno, EAGAIN);
    /* Again, read through SO_ERROR and poll this time. */
    assert_int_equal(sg_send(fd, "x", 1, 0), 1);
    sg_world_run_for(e->w, SG_MS(10));
    struct pollfd p = {fd, POLLIN | POLLOUT, 0};
    assert_int_equal(sg_poll(&p, 1, 0), 1);
    assert_int_equal(p.revents, POLLOUT | POLLERR);
    int v = 0;
    socklen_t vl = sizeof(v);
    assert_int_equal(sg_getsockopt(fd, SOL_SOCKET, SO_ERROR, &v, &vl), 0);
    assert_int_equal(v, ECONNREFUSED);
    assert_int_equal(sg_getsockopt(fd, SOL_SOCKET, SO_ERROR, &v, &vl), 0);
    assert_int_equal(v, 0);
    /* And through send. */
    assert_int_equal(sg_send(fd, "x", 1, 0), 1);
    sg_world_run_for(e->w, SG_MS(10));
    assert_int_equal(sg_send(fd, "x", 1, 0), -1);
    assert_int_equal(errno, ECONNREFUSED);
    /* An unconnected socket ignores ICMP errors. */
    int u = sg_socket_on(e->a, AF_INET, SOCK_DGRAM, 0);
    assert_int_equal(sg_sendto(u, "x", 1, 0, SA(to), sizeof(to)), 1);
    sg_world_run_for(e->w, SG_MS(10));
    assert_int_equal(sg_recv(u, b, sizeof(b), MSG_DONTWAIT), -1);
    assert_int_equal(errno, EAGAIN);
    /* Disconnect with AF_UNSPEC: send needs an address again. */
    struct sockaddr unspec = {.sa_family = AF_UNSPEC};
    assert_int_equal(sg_connect(fd, &unspec, sizeof(unspec)), 0);
    assert_int_equal(sg_send(fd, "x", 1, 0), -1);
    assert_int_equal(errno, EDESTADDRREQ);
    sg_close(fd);
    sg_close(u);
}

static void test_udp_trunc_peek(void **state)
{
    struct env *e = *state;
    int rx = udp_bound(e->b, "0.0.0.0", 7001);
    int tx = sg_socket_on(e->a, AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in to = sin4("10.0.0.2", 7001);
    assert_int_equal(sg_sendto(tx, "hello", 5, 0, SA(to), sizeof(to)), 5);
    assert_int_equal(sg_sendto(tx, "", 0, 0, SA(to), sizeof(to)), 0);
    sg_world_run_for(e->w, SG_MS(1));
    int n = -1;
    assert_int_equal(sg_ioctl(rx, FIONREAD, &n), 0);
    assert_int_equal(n, 5); /* the first datagram's length */
    char b[8];
    assert_int_equal(sg_recv(rx, b, 2, MSG_PEEK | MSG_TRUNC), 5);
    assert_memory_equal(b, "he", 2);
    struct iovec iov = {b, 2};
    struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1};
    assert_int_equal(sg_recvmsg(rx, &m, 0), 2);
    assert_int_equal(m.msg_flags, MSG_TRUNC);
    assert_int_equal(m.msg_namelen, 0); /* no msg_name given */
    /* The empty datagram: recv returns 0. */
    assert_int_equal(sg_recv(rx, b, sizeof(b), 0), 0);
    assert_int_equal(sg_recv(rx, b, sizeof(b), MSG_DONTWAIT), -1);
    assert_int_equal(errno, EAGAIN);
    assert_int_equal(sg_ioctl(rx, SIOCINQ, &n), 0);
    assert_int_equal(n, 0);
    sg_close(rx);
    sg_close(tx);
}

/* oob.md R29 / R21: UDP send(MSG_OOB) is EOPNOTSUPP, recv ignores the
 * flag, SIOCATMARK is ENOTTY. */
static void test_udp_msg_oob_rules(void **state)
{
    struct env *e = *state;
    int rx = udp_bound(e->b, "10.0.0.2", 7002);
    int tx = sg_socket_on(e->a, AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in to = sin4("10.0.0.2", 7002);
    assert_int_equal(sg_sendto(tx, "u", 1, MSG_OOB, SA(to), sizeof(to)), -1);
    assert_int_equal(errno, EOPNOTSUPP);
    assert_int_equal(sg_sendto(tx, "u", 1, 0, SA(to), sizeof(to)), 1);
    char b[4];
    assert_int_equal(sg_recv(rx, b, sizeof(b), MSG_OOB), 1);
    assert_int_equal(b[0], 'u');
    assert_int_equal(sg_sockatmark(rx), -1);
    assert_int_equal(errno, ENOTTY);
    int v;
    assert_int_equal(sg_ioctl(rx, SIOCOUTQNSD, &v), -1);
    assert_int_equal(errno, ENOTTY);
    assert_int_equal(sg_ioctl(rx, SIOCOUTQ, &v), 0);
    assert_int_equal(v, 0);
    sg_close(rx);
    sg_close(tx);
}

/* SO_RCVBUF: the minimum (2304) holds two small datagrams, as on Linux;
 * the rest are dropped and counted. */
static void test_udp_rcvbuf_limit(void **state)
{
    struct env *e = *state;
    int rx = udp_bound(e->b, "10.0.0.2", 7003);
    int tx = sg_socket_on(e->a, AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in to = sin4("10.0.0.2", 7003);
    char b[8];
    /* Resolve ARP first: it would hold only 3 datagrams (unres_qlen). */
    assert_int_equal(sg_sendto(tx, "arp", 3, 0, SA(to), sizeof(to)), 3);
    assert_int_equal(sg_recv(rx, b, sizeof(b), 0), 3);
    int one = 1;
    assert_int_equal(sg_setsockopt(rx, SOL_SOCKET, SO_RCVBUF, &one, sizeof(one)), 0);
    int v = 0;
    socklen_t vl = sizeof(v);
    assert_int_equal(sg_getsockopt(rx, SOL_SOCKET, SO_RCVBUF, &v, &vl), 0);
    assert_int_equal(v, 2304);
    uint64_t before[SG_C__COUNT], after[SG_C__COUNT];
    sg_stack_counters(e->b, before, SG_C__COUNT);
    for (int i = 0; i < 5; i++)
        assert_int_equal(sg_sendto(tx, "abcd", 4, 0, SA(to), sizeof(to)), 4);
    sg_world_run_for(e->w, SG_MS(5));
    sg_stack_counters(e->b, after, SG_C__COUNT);
    assert_int_equal(after[SG_C_UDP_RCVBUF_ERRORS] - before[SG_C_UDP_RCVBUF_ERRORS], 3);
    assert_int_equal(after[SG_C_UDP_IN_DATAGRAMS] - before[SG_C_UDP_IN_DATAGRAMS], 2);
    assert_int_equal(sg_recv(rx, b, sizeof(b), MSG_DONTWAIT), 4);
    assert_int_equal(sg_recv(rx, b, sizeof(b), MSG_DONTWAIT), 4);
    assert_int_equal(sg_recv(rx, b, sizeof(b), MSG_DONTWAIT), -1);
    assert_int_equal(errno, EAGAIN);
    sg_close(rx);
    sg_close(tx);
}

/* Blocking in virtual time: SO_RCVTIMEO moves the clock to the deadline
 * and gives EAGAIN; without a timeout and with nothing pending the call
 * would block for ever: EDEADLK. Non-blocking calls never step. */
static void test_udp_blocking_virtual_time(void **state)
{
    struct env *e = *state;
    int rx = udp_bound(e->b, "10.0.0.2", 7004);
    sg_world_run_for(e->w, SG_SEC(1)); /* let pending timers (ARP) go */
    sg_time t0 = sg_world_now(e->w);
    char b[4];
    assert_int_equal(sg_recv(rx, b, sizeof(b), MSG_DONTWAIT), -1);
    assert_int_equal(errno, EAGAIN);
    assert_int_equal(sg_world_now(e->w), t0);
    struct timeval tv = {0, 250000};
    assert_int_equal(sg_setsockopt(rx, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)), 0);
    assert_int_equal(sg_recv(rx, b, sizeof(b), 0), -1);
    assert_int_equal(errno, EAGAIN);
    assert_true(sg_world_now(e->w) - t0 == SG_MS(250));
    struct timeval zero = {0, 0};
    assert_int_equal(sg_setsockopt(rx, SOL_SOCKET, SO_RCVTIMEO, &zero, sizeof(zero)), 0);
    assert_int_equal(sg_recv(rx, b, sizeof(b), 0), -1);
    assert_int_equal(errno, EDEADLK);
    /* O_NONBLOCK through fcntl and FIONBIO. */
    int fl = sg_fcntl(rx, F_GETFL);
    assert_int_equal(fl & O_NONBLOCK, 0);
    assert_int_equal(sg_fcntl(rx, F_SETFL, fl | O_NONBLOCK), 0);
    assert_int_equal(sg_recv(rx, b, sizeof(b), 0), -1);
    assert_int_equal(errno, EAGAIN);
    int off = 0;
    assert_int_equal(sg_ioctl(rx, FIONBIO, &off), 0);
    assert_int_equal(sg_fcntl(rx, F_GETFL) & O_NONBLOCK, 0);
    /* A negative tv_sec is "never wait" in Linux. */
    struct timeval neg = {-1, 0};
    assert_int_equal(sg_setsockopt(rx, SOL_SOCKET, SO_RCVTIMEO, &neg, sizeof(neg)), 0);
    t0 = sg_world_now(e->w);
    assert_int_equal(sg_recv(rx, b, sizeof(b), 0), -1);
    assert_int_equal(errno, EAGAIN);
    assert_int_equal(sg_world_now(e->w), t0);
    sg_close(rx);
}

/* shutdown(SHUT_RD) on an unconnected UDP socket: ENOTCONN, but the flag
 * is set and a blocking recv returns 0 (Linux's way of waking a blocked
 * reader); a non-blocking one still says EAGAIN. */
static void test_udp_shutdown(void **state)
{
    struct env *e = *state;
    int u = udp_bound(e->b, "10.0.0.2", 7005);
    assert_int_equal(sg_shutdown(u, SHUT_RD), -1);
    assert_int_equal(errno, ENOTCONN);
    char b[4];
    assert_int_equal(sg_recv(u, b, sizeof(b), 0), 0);
    assert_int_equal(sg_recv(u, b, sizeof(b), MSG_DONTWAIT), -1); /* only a wait ends */
    assert_int_equal(errno, EAGAIN);
    struct pollfd p = {u, POLLIN | POLLOUT | POLLRDHUP, 0};
    assert_int_equal(sg_poll(&p, 1, 0), 1);
    assert_int_equal(p.revents, POLLIN | POLLOUT | POLLRDHUP);
    assert_int_equal(sg_shutdown(u, SHUT_WR), -1);
    struct sockaddr_in to = sin4("10.0.0.1", 9);
    assert_int_equal(sg_sendto(u, "x", 1, 0, SA(to), sizeof(to)), -1);
    assert_int_equal(errno, EPIPE); /* and no SIGPIPE for a datagram socket */
    p.revents = 0;
    assert_int_equal(sg_poll(&p, 1, 0), 1);
    assert_int_equal(p.revents, POLLIN | POLLOUT | POLLRDHUP | POLLHUP);
    assert_int_equal(sg_shutdown(u, 7), -1);
    assert_int_equal(errno, EINVAL);
    sg_close(u);
}

/* socket(), bind(), connect(), sendto() argument checks, as Linux 6.18. */
static void test_api_errno_matrix(void **state)
{
    struct env *e = *state;
    sg_stack *s = e->a;
#define SOCKERR(d, t, p, err)                                                                      \
    do {                                                                                           \
        assert_int_equal(sg_socket_on(s, d, t, p), -1);                                            \
        assert_int_equal(errno, err);                                                              \
    } while (0)
    SOCKERR(AF_INET, SOCK_RAW, 0, EPROTONOSUPPORT);
    SOCKERR(AF_INET, SOCK_STREAM, IPPROTO_UDP, EPROTONOSUPPORT);
    SOCKERR(AF_INET, SOCK_DGRAM, IPPROTO_TCP, EPROTONOSUPPORT);
    SOCKERR(AF_INET, SOCK_SEQPACKET, 0, ESOCKTNOSUPPORT);
    SOCKERR(AF_INET, SOCK_STREAM | 0x100000, 0, EINVAL);
    SOCKERR(12345, SOCK_STREAM, 0, EAFNOSUPPORT);
    SOCKERR(AF_UNIX, SOCK_STREAM, 0, EAFNOSUPPORT);
    SOCKERR(AF_INET, 99, 0, EINVAL); /* unknown flag bits */
    SOCKERR(AF_INET, 15, 0, EINVAL); /* type >= SOCK_MAX */
    SOCKERR(AF_INET, SOCK_STREAM, -1, EINVAL);
    SOCKERR(AF_INET, SOCK_STREAM, 9999, EINVAL);
    SOCKERR(AF_INET, SOCK_DGRAM, IPPROTO_ICMP, EACCES);
    SOCKERR(AF_INET, SOCK_STREAM, IPPROTO_SCTP, EPROTONOSUPPORT);
#undef SOCKERR
    int u = sg_socket_on(s, AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    assert_true(u >= 0);
    assert_int_equal(sg_fcntl(u, F_GETFL), O_RDWR | O_NONBLOCK);
    assert_int_equal(sg_fcntl(u, F_GETFD), FD_CLOEXEC);
    struct sockaddr_in a = sin4("0.0.0.0", 0);
    assert_int_equal(sg_bind(u, SA(a), sizeof(a) - 1), -1);
    assert_int_equal(errno, EINVAL);
    assert_int_equal(sg_bind(u, NULL, sizeof(a)), -1);
    assert_int_equal(errno, EFAULT);
    assert_int_equal(sg_bind(u, NULL, 0), -1);
    assert_int_equal(errno, EINVAL);
    a.sin_family = AF_INET6;
    assert_int_equal(sg_bind(u, SA(a), sizeof(a)), -1);
    assert_int_equal(errno, EAFNOSUPPORT);
    struct sockaddr_in x = sin4("10.9.9.9", 0);
    assert_int_equal(sg_bind(u, SA(x), sizeof(x)), -1);
    assert_int_equal(errno, EADDRNOTAVAIL);
    a = sin4("0.0.0.0", 0);
    a.sin_family = AF_UNSPEC; /* accepted for INADDR_ANY */
    assert_int_equal(sg_bind(u, SA(a), sizeof(a)), 0);
    assert_int_equal(sg_bind(u, SA(a), sizeof(a)), -1);
    assert_int_equal(errno, EINVAL);
    /* EADDRINUSE, then sharing with SO_REUSEADDR on both. */
    int p1 = udp_bound(s, "10.0.0.1", 7100);
    int p2 = sg_socket_on(s, AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in b = sin4("0.0.0.0", 7100);
    assert_int_equal(sg_bind(p2, SA(b), sizeof(b)), -1);
    assert_int_equal(errno, EADDRINUSE);
    sg_close(p1);
    assert_int_equal(sg_bind(p2, SA(b), sizeof(b)), 0);
    /* sendto checks */
    assert_int_equal(sg_sendto(u, "x", 1, 0, NULL, 0), -1);
    assert_int_equal(errno, EDESTADDRREQ);
    assert_int_equal(sg_sendto(u, "x", 1, 0, SA(b), 3), -1);
    assert_int_equal(errno, EINVAL);
    struct sockaddr_in zp = sin4("10.0.0.2", 0);
    assert_int_equal(sg_sendto(u, "x", 1, 0, SA(zp), sizeof(zp)), -1);
    assert_int_equal(errno, EINVAL);
    struct sockaddr_in bc = sin4("10.0.0.255", 9);
    assert_int_equal(sg_sendto(u, "x", 1, 0, SA(bc), sizeof(bc)), -1);
    assert_int_equal(errno, EACCES); /* broadcast without SO_BROADCAST */
    struct sockaddr_in far = sin4("192.0.2.1", 9);
    assert_int_equal(sg_sendto(u, "x", 1, 0, SA(far), sizeof(far)), -1);
    assert_int_equal(errno, ENETUNREACH);
    static char big[70000];
    struct sockaddr_in to = sin4("10.0.0.2", 9);
    assert_int_equal(sg_sendto(u, big, sizeof(big), 0, SA(to), sizeof(to)), -1);
    assert_int_equal(errno, EMSGSIZE);
    assert_int_equal(sg_sendto(u, NULL, 1, 0, SA(to), sizeof(to)), -1);
    assert_int_equal(errno, EFAULT);
    /* listen / accept on UDP */
    assert_int_equal(sg_listen(u, 1), -1);
    assert_int_equal(errno, EOPNOTSUPP);
    assert_int_equal(sg_accept(u, NULL, NULL), -1);
    assert_int_equal(errno, EOPNOTSUPP);
    assert_int_equal(sg_accept4(u, NULL, NULL, 12345), -1);
    assert_int_equal(errno, EINVAL);
    /* getsockname truncation and length rules */
    struct sockaddr_in nm;
    socklen_t nl = 2;
    memset(&nm, 0xaa, sizeof(nm));
    assert_int_equal(sg_getsockname(p2, SA(nm), &nl), 0);
    assert_int_equal(nl, sizeof(struct sockaddr_in));
    assert_int_equal(nm.sin_family, AF_INET);
    assert_int_equal((unsigned char)((char *)&nm)[2], 0xaa); /* only 2 bytes copied */
    assert_int_equal(sg_getsockname(p2, SA(nm), NULL), -1);
    assert_int_equal(errno, EFAULT);
    nl = (socklen_t)-1;
    assert_int_equal(sg_getsockname(p2, SA(nm), &nl), -1);
    assert_int_equal(errno, EINVAL);
    nl = sizeof(nm);
    assert_int_equal(sg_getpeername(p2, SA(nm), &nl), -1);
    assert_int_equal(errno, ENOTCONN);
    /* Not sigurg descriptors: EBADF; an epoll descriptor: ENOTSOCK. */
    int pfd[2];
    assert_int_equal(pipe(pfd), 0);
    assert_int_equal(sg_send(pfd[1], "x", 1, 0), -1);
    assert_int_equal(errno, EBADF);
    assert_int_equal(sg_close(pfd[0]), -1);
    assert_int_equal(errno, EBADF);
    close(pfd[0]);
    close(pfd[1]);
    int ep = sg_epoll_create1(0);
    assert_int_equal(sg_send(ep, "x", 1, 0), -1);
    assert_int_equal(errno, ENOTSOCK);
    assert_int_equal(sg_write(ep, "x", 1), -1);
    assert_int_equal(errno, EINVAL);
    assert_int_equal(sg_close(ep), 0);
    /* iovec checks */
    assert_int_equal(sg_writev(u, NULL, -1), -1);
    assert_int_equal(errno, EINVAL);
    assert_int_equal(sg_writev(u, NULL, 1025), -1);
    assert_int_equal(errno, EINVAL);
    struct msghdr mh = {.msg_iovlen = 1025};
    assert_int_equal(sg_sendmsg(u, &mh, 0), -1);
    assert_int_equal(errno, EMSGSIZE);
    assert_int_equal(sg_sendmsg(u, NULL, 0), -1);
    assert_int_equal(errno, EFAULT);
    sg_close(u);
    sg_close(p2);
}

/* SOL_SOCKET options as Linux: doubling and clamps, 0/1 readback,
 * EINVAL / EDOM / EFAULT / ENOPROTOOPT / EOPNOTSUPP. */
static void test_api_sockopts(void **state)
{
    struct env *e = *state;
    int u = sg_socket_on(e->a, AF_INET, SOCK_DGRAM, 0);
    int t = sg_socket_on(e->a, AF_INET, SOCK_STREAM, 0);
    int v;
    socklen_t vl = sizeof(v);
#define GET(fd, lvl, name)                                                                         \
    (vl = sizeof(v), assert_int_equal(sg_getsockopt(fd, lvl, name, &v, &vl), 0), v)
    assert_int_equal(GET(u, SOL_SOCKET, SO_RCVBUF), 212992);
    assert_int_equal(GET(u, SOL_SOCKET, SO_SNDBUF), 212992);
    assert_int_equal(GET(u, SOL_SOCKET, SO_TYPE), SOCK_DGRAM);
    assert_int_equal(GET(u, SOL_SOCKET, SO_PROTOCOL), IPPROTO_UDP);
    assert_int_equal(GET(u, SOL_SOCKET, SO_DOMAIN), AF_INET);
    assert_int_equal(GET(u, SOL_SOCKET, SO_ACCEPTCONN), 0);
    assert_int_equal(GET(u, SOL_SOCKET, SO_SNDLOWAT), 1);
    assert_int_equal(GET(u, SOL_SOCKET, SO_RCVLOWAT), 1);
    assert_int_equal(GET(t, SOL_SOCKET, SO_TYPE), SOCK_STREAM);
    assert_int_equal(GET(t, SOL_SOCKET, SO_PROTOCOL), IPPROTO_TCP);
    assert_int_equal(GET(u, IPPROTO_IP, IP_TTL), 64);
    v = 1;
    assert_int_equal(sg_setsockopt(u, SOL_SOCKET, SO_SNDBUF, &v, sizeof(v)), 0);
    assert_int_equal(GET(u, SOL_SOCKET, SO_SNDBUF), 4608);
    v = 100000;
    assert_int_equal(sg_setsockopt(u, SOL_SOCKET, SO_RCVBUF, &v, sizeof(v)), 0);
    assert_int_equal(GET(u, SOL_SOCKET, SO_RCVBUF), 200000);
    v = -5; /* huge as u32: clamped to the maximum */
    assert_int_equal(sg_setsockopt(u, SOL_SOCKET, SO_RCVBUF, &v, sizeof(v)), 0);
    assert_int_equal(GET(u, SOL_SOCKET, SO_RCVBUF), 6291456);
    v = 7;
    assert_int_equal(sg_setsockopt(t, SOL_SOCKET, SO_OOBINLINE, &v, sizeof(v)), 0);
    assert_int_equal(GET(t, SOL_SOCKET, SO_OOBINLINE), 1); /* R20 */
    v = 0;
    assert_int_equal(sg_setsockopt(u, SOL_SOCKET, SO_RCVLOWAT, &v, sizeof(v)), 0);
    assert_int_equal(GET(u, SOL_SOCKET, SO_RCVLOWAT), 1);
    /* lengths and pointers */
    assert_int_equal(sg_setsockopt(u, SOL_SOCKET, SO_KEEPALIVE, &v, 2), -1);
    assert_int_equal(errno, EINVAL);
    assert_int_equal(sg_setsockopt(u, SOL_SOCKET, SO_KEEPALIVE, NULL, 4), -1);
    assert_int_equal(errno, EFAULT);
    vl = 2;
    assert_int_equal(sg_getsockopt(u, SOL_SOCKET, SO_KEEPALIVE, &v, &vl), 0);
    assert_int_equal(vl, 2);
    vl = 4;
    assert_int_equal(sg_getsockopt(u, SOL_SOCKET, SO_KEEPALIVE, NULL, &vl), -1);
    assert_int_equal(errno, EFAULT);
    assert_int_equal(sg_getsockopt(u, SOL_SOCKET, SO_KEEPALIVE, &v, NULL), -1);
    assert_int_equal(errno, EFAULT);
    vl = (socklen_t)-1;
    assert_int_equal(sg_getsockopt(u, SOL_SOCKET, SO_KEEPALIVE, &v, &vl), -1);
    assert_int_equal(errno, EINVAL);
    /* unknown options and levels */
    v = 1;
    vl = sizeof(v);
    assert_int_equal(sg_setsockopt(u, SOL_SOCKET, 9999, &v, sizeof(v)), -1);
    assert_int_equal(errno, ENOPROTOOPT);
    assert_int_equal(sg_getsockopt(u, SOL_SOCKET, 9999, &v, &vl), -1);
    assert_int_equal(errno, ENOPROTOOPT);
    assert_int_equal(sg_setsockopt(t, 12345, 1, &v, sizeof(v)), -1);
    assert_int_equal(errno, ENOPROTOOPT);
    assert_int_equal(sg_getsockopt(t, 12345, 1, &v, &vl), -1);
    assert_int_equal(errno, EOPNOTSUPP);
    assert_int_equal(sg_setsockopt(u, IPPROTO_TCP, TCP_NODELAY, &v, sizeof(v)), -1);
    assert_int_equal(errno, ENOPROTOOPT);
    assert_int_equal(sg_getsockopt(u, IPPROTO_TCP, TCP_NODELAY, &v, &vl), -1);
    assert_int_equal(errno, EOPNOTSUPP);
    assert_int_equal(sg_setsockopt(u, SOL_SOCKET, SO_SNDLOWAT, &v, sizeof(v)), -1);
    assert_int_equal(errno, ENOPROTOOPT);
    /* SO_RCVTIMEO rules */
    struct timeval tv = {0, 1000000};
    assert_int_equal(sg_setsockopt(u, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)), -1);
    assert_int_equal(errno, EDOM);
    tv.tv_usec = -1;
    assert_int_equal(sg_setsockopt(u, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)), -1);
    assert_int_equal(errno, EDOM);
    assert_int_equal(sg_setsockopt(u, SOL_SOCKET, SO_RCVTIMEO, &tv, 8), -1);
    assert_int_equal(errno, EINVAL);
    tv = (struct timeval){2, 500000};
    assert_int_equal(sg_setsockopt(u, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)), 0);
    struct timeval rb;
    vl = sizeof(rb);
    assert_int_equal(sg_getsockopt(u, SOL_SOCKET, SO_SNDTIMEO, &rb, &vl), 0);
    assert_int_equal(rb.tv_sec, 2);
    assert_int_equal(rb.tv_usec, 500000);
    /* SO_LINGER */
    struct linger lg = {5, 3}, lr;
    assert_int_equal(sg_setsockopt(t, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)), 0);
    vl = sizeof(lr);
    assert_int_equal(sg_getsockopt(t, SOL_SOCKET, SO_LINGER, &lr, &vl), 0);
    assert_int_equal(lr.l_onoff, 1);
    assert_int_equal(lr.l_linger, 3);
    assert_int_equal(sg_setsockopt(t, SOL_SOCKET, SO_LINGER, &lg, 4), -1);
    assert_int_equal(errno, EINVAL);
    /* F_SETSIG / F_SETOWN */
    assert_int_equal(sg_fcntl(u, F_SETSIG, 1000), -1);
    assert_int_equal(errno, EINVAL);
    assert_int_equal(sg_fcntl(u, F_SETSIG, SIGRTMIN), 0);
    assert_int_equal(sg_fcntl(u, F_GETSIG), SIGRTMIN);
    assert_int_equal(sg_fcntl(u, F_GETOWN), 0);
    assert_int_equal(sg_fcntl(u, F_SETOWN, getpid()), 0);
    assert_int_equal(sg_fcntl(u, F_GETOWN), getpid());
    assert_int_equal(sg_fcntl(u, F_SETOWN, -getpgrp()), 0);
    assert_int_equal(sg_fcntl(u, F_GETOWN), -getpgrp());
    assert_int_equal(sg_fcntl(u, F_SETOWN, 999999999), -1);
    assert_int_equal(errno, ESRCH);
    assert_int_equal(sg_fcntl(u, F_DUPFD, 0), -1);
    assert_int_equal(errno, EINVAL);
    assert_int_equal(sg_ioctl(u, 0x12345, &v), -1);
    assert_int_equal(errno, ENOTTY);
    assert_int_equal(sg_ioctl(u, FIONREAD, NULL), -1);
    assert_int_equal(errno, EFAULT);
#undef GET
    sg_close(u);
    sg_close(t);
}

/* poll, select and epoll (LT, ET, ONESHOT) agree on a UDP socket, and the
 * descriptor itself works in a kernel epoll. */
static void test_udp_poll_select_epoll(void **state)
{
    struct env *e = *state;
    int rx = udp_bound(e->b, "10.0.0.2", 7006);
    int tx = sg_socket_on(e->a, AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in to = sin4("10.0.0.2", 7006);
    int kep = epoll_create1(0);
    struct epoll_event kev = {.events = EPOLLIN, .data.fd = rx};
    assert_int_equal(epoll_ctl(kep, EPOLL_CTL_ADD, rx, &kev), 0);
    struct epoll_event out[4];
    assert_int_equal(epoll_wait(kep, out, 4, 0), 0);

    int lt = sg_epoll_create1(0), et = sg_epoll_create1(EPOLL_CLOEXEC), os = sg_epoll_create1(0);
    struct epoll_event ev = {.events = EPOLLIN, .data.u64 = 11};
    assert_int_equal(sg_epoll_ctl(lt, EPOLL_CTL_ADD, rx, &ev), 0);
    assert_int_equal(sg_epoll_ctl(lt, EPOLL_CTL_ADD, rx, &ev), -1);
    assert_int_equal(errno, EEXIST);
    ev.events = EPOLLIN | EPOLLET;
    ev.data.u64 = 22;
    assert_int_equal(sg_epoll_ctl(et, EPOLL_CTL_ADD, rx, &ev), 0);
    ev.events = EPOLLIN | EPOLLONESHOT;
    ev.data.u64 = 33;
    assert_int_equal(sg_epoll_ctl(os, EPOLL_CTL_ADD, rx, &ev), 0);
    assert_int_equal(sg_epoll_wait(lt, out, 4, 0), 0);

    /* A blocking poll with a timeout steps the world: nothing comes. */
    struct pollfd p = {rx, POLLIN, 0};
    sg_time t0 = sg_world_now(e->w);
    assert_int_equal(sg_poll(&p, 1, 100), 0);
    assert_true(sg_world_now(e->w) - t0 >= SG_MS(100));

    assert_int_equal(sg_sendto(tx, "a", 1, 0, SA(to), sizeof(to)), 1);
    assert_int_equal(sg_sendto(tx, "b", 1, 0, SA(to), sizeof(to)), 1);
    /* poll blocks (steps) until the first datagram is there */
    assert_int_equal(sg_poll(&p, 1, -1), 1);
    assert_int_equal(p.revents, POLLIN);
    sg_world_run_for(e->w, SG_MS(1));
    assert_int_equal(epoll_wait(kep, out, 4, 0), 1); /* the kernel sees it too */
    fd_set r, w;
    FD_ZERO(&r);
    FD_ZERO(&w);
    FD_SET(rx, &r);
    FD_SET(rx, &w);
    struct timeval tv = {0, 0};
    assert_int_equal(sg_select(rx + 1, &r, &w, NULL, &tv), 2);
    assert_true(FD_ISSET(rx, &r) && FD_ISSET(rx, &w));
    /* LT: reported while readable; ET: once; ONESHOT: once until MOD. */
    assert_int_equal(sg_epoll_wait(lt, out, 4, 0), 1);
    assert_int_equal(out[0].data.u64, 11);
    assert_int_equal(out[0].events, EPOLLIN);
    assert_int_equal(sg_epoll_wait(lt, out, 4, 0), 1);
    assert_int_equal(sg_epoll_wait(et, out, 4, 0), 1);
    assert_int_equal(out[0].data.u64, 22);
    assert_int_equal(sg_epoll_wait(et, out, 4, 0), 0);
    assert_int_equal(sg_epoll_wait(os, out, 4, 0), 1);
    assert_int_equal(out[0].data.u64, 33);
    assert_int_equal(sg_epoll_wait(os, out, 4, 0), 0);
    /* The epoll descriptors themselves are readable while events wait. */
    struct pollfd ep = {lt, POLLIN, 0};
    assert_int_equal(sg_poll(&ep, 1, 0), 1);
    /* Read one: still readable (LT reports, ET stays quiet). */
    char b[4];
    assert_int_equal(sg_recv(rx, b, sizeof(b), 0), 1);
    assert_int_equal(sg_epoll_wait(lt, out, 4, 0), 1);
    assert_int_equal(sg_epoll_wait(et, out, 4, 0), 0);
    /* A new datagram is a new edge for ET; ONESHOT waits for MOD. */
    assert_int_equal(sg_sendto(tx, "c", 1, 0, SA(to), sizeof(to)), 1);
    assert_int_equal(sg_epoll_wait(et, out, 4, -1), 1);
    assert_int_equal(sg_epoll_wait(os, out, 4, 0), 0);
    ev.events = EPOLLIN | EPOLLONESHOT;
    assert_int_equal(sg_epoll_ctl(os, EPOLL_CTL_MOD, rx, &ev), 0);
    assert_int_equal(sg_epoll_wait(os, out, 4, 0), 1);
    /* Drain: nobody reports any more; the kernel epoll goes quiet. */
    assert_int_equal(sg_recv(rx, b, sizeof(b), 0), 1);
    assert_int_equal(sg_recv(rx, b, sizeof(b), 0), 1);
    assert_int_equal(sg_epoll_wait(lt, out, 4, 0), 0);
    assert_int_equal(epoll_wait(kep, out, 4, 0), 0);
    /* EPOLLOUT is level: always writable. */
    ev.events = EPOLLOUT;
    assert_int_equal(sg_epoll_ctl(lt, EPOLL_CTL_MOD, rx, &ev), 0);
    assert_int_equal(sg_epoll_wait(lt, out, 4, 0), 1);
    assert_int_equal(out[0].events, EPOLLOUT);
    /* ctl errors */
    assert_int_equal(sg_epoll_ctl(lt, EPOLL_CTL_DEL, tx, NULL), -1);
    assert_int_equal(errno, ENOENT);
    assert_int_equal(sg_epoll_ctl(lt, EPOLL_CTL_ADD, 0, &ev), -1);
    assert_int_equal(errno, EPERM);
    assert_int_equal(sg_epoll_ctl(lt, EPOLL_CTL_ADD, lt, &ev), -1);
    assert_int_equal(errno, EINVAL);
    assert_int_equal(sg_epoll_ctl(lt, EPOLL_CTL_ADD, tx, NULL), -1);
    assert_int_equal(errno, EFAULT);
    assert_int_equal(sg_epoll_wait(lt, out, 0, 0), -1);
    assert_int_equal(errno, EINVAL);
    assert_int_equal(sg_epoll_ctl(lt, EPOLL_CTL_DEL, rx, NULL), 0);
    assert_int_equal(sg_epoll_wait(lt, out, 4, 0), 0);
    /* Closing a socket takes it out of every set. */
    assert_int_equal(sg_close(rx), 0);
    assert_int_equal(sg_epoll_wait(et, out, 4, 0), 0);
    close(kep);
    sg_close(lt);
    sg_close(et);
    sg_close(os);
    sg_close(tx);
}

/* A blocking epoll_wait or poll with nothing pending and no timeout would
 * block for ever: EDEADLK. */
static void test_sim_deadlock_detected(void **state)
{
    struct env *e = *state;
    int rx = udp_bound(e->b, "10.0.0.2", 7007);
    sg_world_run_for(e->w, SG_SEC(5));
    struct pollfd p = {rx, POLLIN, 0};
    assert_int_equal(sg_poll(&p, 1, -1), -1);
    assert_int_equal(errno, EDEADLK);
    int ep = sg_epoll_create1(0);
    struct epoll_event ev = {.events = EPOLLIN};
    assert_int_equal(sg_epoll_ctl(ep, EPOLL_CTL_ADD, rx, &ev), 0);
    assert_int_equal(sg_epoll_wait(ep, &ev, 1, -1), -1);
    assert_int_equal(errno, EDEADLK);
    sg_time t0 = sg_world_now(e->w);
    assert_int_equal(sg_epoll_wait(ep, &ev, 1, 30), 0);
    assert_true(sg_world_now(e->w) - t0 == SG_MS(30));
    sg_close(ep);
    sg_close(rx);
}

/* The default stack of sg_socket(). */
static void test_default_stack(void **state)
{
    struct env *e = *state;
    sg_set_default_stack(NULL);
    assert_int_equal(sg_socket(AF_INET, SOCK_DGRAM, 0), -1);
    assert_int_equal(errno, ENETDOWN);
    sg_set_default_stack(e->b);
    assert_ptr_equal(sg_default_stack(), e->b);
    int fd = sg_socket(AF_INET, SOCK_DGRAM, 0);
    assert_true(fd >= 0);
    struct sockaddr_in a = sin4("10.0.0.2", 7008);
    assert_int_equal(sg_bind(fd, SA(a), sizeof(a)), 0); /* a 10.0.0.2 address: stack b */
    sg_close(fd);
    sg_set_default_stack(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_udp_sendto_recvfrom, setup, teardown),
        cmocka_unit_test_setup_teardown(test_udp_connected_econnrefused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_udp_trunc_peek, setup, teardown),
        cmocka_unit_test_setup_teardown(test_udp_msg_oob_rules, setup, teardown),
        cmocka_unit_test_setup_teardown(test_udp_rcvbuf_limit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_udp_blocking_virtual_time, setup, teardown),
        cmocka_unit_test_setup_teardown(test_udp_shutdown, setup, teardown),
        cmocka_unit_test_setup_teardown(test_api_errno_matrix, setup, teardown),
        cmocka_unit_test_setup_teardown(test_api_sockopts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_udp_poll_select_epoll, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sim_deadlock_detected, setup, teardown),
        cmocka_unit_test_setup_teardown(test_default_stack, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* The socket-API suite: what the POSIX socket calls do around urgent data's
 * neighbours -- errors, flags, options, ioctls, names, connection life
 * cycles, readiness and UDP -- so that sigurg's sg_* mirror can be held to
 * the kernel's answers call by call.
 *
 * The registry at the bottom gives each scenario the topic it pins (its
 * `== ` line): "err" errno cases, "flag" MSG_* flags, "opt" socket options,
 * "ioctl", "fcntl", "name" getsockname/getpeername, "life" connection life
 * cycles, "ready" poll/select/epoll, "epoll", "udp".
 *
 * Only behaviour is recorded: errno names, byte counts, data, flag and
 * readiness sets. Never descriptor numbers, ports, addresses or times --
 * a port is "nonzero", an address "host" (equal to addr() of the host that
 * should own it) or "any"; a call that must wait is given a short timeout
 * and only its result is kept. Where a value depends on system tuning (how
 * much a full send buffer holds, SO_RCVBUF clamps under net.core.rmem_max,
 * the default congestion control) the line states a relation instead.
 */
#include "scenario.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/sockios.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/time.h>
#include <unistd.h>

#define SC(fn) static void fn(const struct sockops *ops, struct obs *o)
#define SETTLE() sc_settle(ops)
#define SEND(fd, s, fl) sc_send_nosig(ops, o, (fd), (s), (fl))
#define RECV(fd, n, fl) obs_recv(o, (fd), (n), (fl))
#define READY(fd) obs_ready(o, (fd))
#define SIGPIPE_N() obs_sigpipe(o)
#define GETINT(fd, lvl, opt) obs_getint(o, (fd), (lvl), (opt), #opt)
#define SETINT(fd, lvl, opt, v) obs_setint(o, (fd), (lvl), (opt), #opt, (v))

/* Record an int-returning call: "name: what=R" or "name: what=-1 ENAME". */
#define CALL(fd, what, expr)                                                                       \
    do {                                                                                           \
        errno = 0;                                                                                 \
        long r_ = (long)(expr);                                                                    \
        rc_line(o, (fd), (what), r_, errno);                                                       \
    } while (0)
/* Same for calls returning a descriptor: its number is not behaviour. */
#define FDCALL(fd, what, expr)                                                                     \
    do {                                                                                           \
        errno = 0;                                                                                 \
        long r_ = (long)(expr);                                                                    \
        rc_line_fd(o, (fd), (what), r_, errno);                                                    \
    } while (0)

/* A call that waits for its timeout takes ~SHORT_TIMEO_MS of (real or
 * virtual) time; only its result is recorded. */
#define SHORT_TIMEO_MS 200

/* obs_errname plus the few errnos only this suite meets. */
static const char *errname(int e)
{
    switch (e) {
    case EDOM:
        return "EDOM"; /* SO_RCVTIMEO with tv_usec out of range */
    case ESRCH:
        return "ESRCH"; /* F_SETOWN to a process that does not exist */
    default:
        return obs_errname(e);
    }
}

static void rc_line(struct obs *o, int fd, const char *what, long r, int e)
{
    if (r < 0)
        obs_on(o, fd, "%s=-1 %s", what, errname(e));
    else
        obs_on(o, fd, "%s=%ld", what, r);
}

static void rc_line_fd(struct obs *o, int fd, const char *what, long r, int e)
{
    if (r < 0)
        obs_on(o, fd, "%s=-1 %s", what, errname(e));
    else
        obs_on(o, fd, "%s=fd", what);
}

/* SO_ERROR as the errno's name ("SO_ERROR=ECONNREFUSED"), 0 when clear. */
static int so_error(const struct sockops *ops, struct obs *o, int fd)
{
    int v = -7;
    socklen_t len = sizeof v;
    int r = ops->getsockopt(fd, SOL_SOCKET, SO_ERROR, &v, &len);
    if (r < 0)
        obs_on(o, fd, "SO_ERROR=-1 %s", errname(errno));
    else
        obs_on(o, fd, "SO_ERROR=%s", v ? errname(v) : "0");
    return r < 0 ? -1 : v;
}

/* send + settle, like sc_send but without the SIGURG line this suite has
 * no use for. */
static ssize_t sc_send_nosig(const struct sockops *ops, struct obs *o, int fd, const char *s,
                             int flags)
{
    ssize_t r = obs_send(o, fd, s, strlen(s), flags);
    int e = errno;
    ops->settle(SETTLE_MS);
    errno = e;
    return r;
}

/* ---- addresses ---- */

static void host_addr(const struct sockops *ops, struct obs *o, int h, int fam,
                      struct sockaddr_storage *ss, socklen_t *len)
{
    if (ops->addr(h, fam, 0, ss, len) < 0)
        obs_fail(o, "setup: addr: %s", obs_errname(errno));
}

static int ss_port(const struct sockaddr_storage *ss)
{
    if (ss->ss_family == AF_INET)
        return ntohs(((const struct sockaddr_in *)ss)->sin_port);
    if (ss->ss_family == AF_INET6)
        return ntohs(((const struct sockaddr_in6 *)ss)->sin6_port);
    return -1;
}

static void ss_setport(struct sockaddr_storage *ss, int port)
{
    if (ss->ss_family == AF_INET)
        ((struct sockaddr_in *)ss)->sin_port = htons((uint16_t)port);
    else if (ss->ss_family == AF_INET6)
        ((struct sockaddr_in6 *)ss)->sin6_port = htons((uint16_t)port);
}

/* An address no host of the scenario owns: TEST-NET-1 / the documentation
 * prefix, so bind() must say EADDRNOTAVAIL. */
static void foreign_addr(int fam, struct sockaddr_storage *ss, socklen_t *len)
{
    memset(ss, 0, sizeof *ss);
    if (fam == AF_INET) {
        struct sockaddr_in *a = (struct sockaddr_in *)ss;
        a->sin_family = AF_INET;
        a->sin_addr.s_addr = htonl(0xc0000201u); /* 192.0.2.1 */
        *len = sizeof *a;
    } else {
        struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;
        a->sin6_family = AF_INET6;
        a->sin6_addr.s6_addr[0] = 0x20;
        a->sin6_addr.s6_addr[1] = 0x01;
        a->sin6_addr.s6_addr[2] = 0x0d;
        a->sin6_addr.s6_addr[3] = 0xb8;
        a->sin6_addr.s6_addr[15] = 1; /* 2001:db8::1 */
        *len = sizeof *a;
    }
}

/* The wildcard address of fam, port 0. */
static void any_addr(int fam, struct sockaddr_storage *ss, socklen_t *len)
{
    memset(ss, 0, sizeof *ss);
    ss->ss_family = (sa_family_t)fam;
    *len = fam == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6);
}

static int addr_equal(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
    if (a->ss_family != b->ss_family)
        return 0;
    if (a->ss_family == AF_INET)
        return ((const struct sockaddr_in *)a)->sin_addr.s_addr ==
               ((const struct sockaddr_in *)b)->sin_addr.s_addr;
    if (a->ss_family == AF_INET6)
        return memcmp(&((const struct sockaddr_in6 *)a)->sin6_addr,
                      &((const struct sockaddr_in6 *)b)->sin6_addr, sizeof(struct in6_addr)) == 0;
    return 0;
}

static int addr_is_any(const struct sockaddr_storage *a)
{
    struct sockaddr_storage z;
    socklen_t zl;
    any_addr(a->ss_family, &z, &zl);
    return addr_equal(a, &z);
}

static const char *fam_name(int f)
{
    switch (f) {
    case AF_INET:
        return "AF_INET";
    case AF_INET6:
        return "AF_INET6";
    case AF_UNSPEC:
        return "AF_UNSPEC";
    default:
        return "AF_?";
    }
}

/* "AF_INET port=nonzero addr=host": a name as behaviour. `h` is the host
 * whose address the name should carry. */
static void describe_name(const struct sockops *ops, char *dst, size_t cap,
                          const struct sockaddr_storage *ss, int h)
{
    struct sockaddr_storage want;
    socklen_t wl;
    const char *a = "other";
    if (ss->ss_family != AF_INET && ss->ss_family != AF_INET6)
        a = "-";
    else if (addr_is_any(ss))
        a = "any";
    else if (ops->addr(h, ss->ss_family, 0, &want, &wl) == 0 && addr_equal(ss, &want))
        a = "host";
    int port = ss_port(ss);
    snprintf(dst, cap, "%s port=%s addr=%s", fam_name(ss->ss_family),
             port < 0 ? "-"
             : port   ? "nonzero"
                      : "0",
             a);
}

/* getsockname/getpeername recorded: result, returned length as "full"
 * (the family's sockaddr size) or a number, and the name described. */
static void obs_name_call(const struct sockops *ops, struct obs *o, int fd, int peer, int h)
{
    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof ss);
    socklen_t len = sizeof ss;
    int r = peer ? ops->getpeername(fd, (struct sockaddr *)&ss, &len)
                 : ops->getsockname(fd, (struct sockaddr *)&ss, &len);
    int e = errno;
    const char *call = peer ? "getpeername" : "getsockname";
    if (r < 0) {
        obs_on(o, fd, "%s=-1 %s", call, obs_errname(e));
        return;
    }
    char d[128];
    describe_name(ops, d, sizeof d, &ss, h);
    size_t full = ss.ss_family == AF_INET    ? sizeof(struct sockaddr_in)
                  : ss.ss_family == AF_INET6 ? sizeof(struct sockaddr_in6)
                                             : 0;
    char l[32];
    if (len == full)
        snprintf(l, sizeof l, "full");
    else
        snprintf(l, sizeof l, "%u", (unsigned)len);
    obs_on(o, fd, "%s=%d len=%s %s", call, r, l, d);
}

/* ---- sockets ---- */

static int mksock(const struct sockops *ops, struct obs *o, int h, int fam, int type,
                  const char *name)
{
    ops->host(h);
    int fd = ops->socket(fam, type, 0);
    if (fd < 0)
        obs_fail(o, "setup: socket: %s", obs_errname(errno));
    obs_name(o, fd, name);
    return fd;
}

static int tcp_sock(const struct sockops *ops, struct obs *o, int h, const char *name)
{
    return mksock(ops, o, h, ops->family(), SOCK_STREAM, name);
}

static void setint_ok(const struct sockops *ops, struct obs *o, int fd, int lvl, int opt, int v)
{
    if (ops->setsockopt(fd, lvl, opt, &v, sizeof v) < 0)
        obs_fail(o, "setup: setsockopt(%d,%d): %s", lvl, opt, obs_errname(errno));
}

/* Bind fd to host h's address and the given port (0: any). */
static void bind_ok(const struct sockops *ops, struct obs *o, int fd, int h, int port)
{
    struct sockaddr_storage ss;
    socklen_t len;
    host_addr(ops, o, h, ops->family(), &ss, &len);
    ss_setport(&ss, port);
    if (ops->bind(fd, (struct sockaddr *)&ss, len) < 0)
        obs_fail(o, "setup: bind: %s", obs_errname(errno));
}

static int local_port(const struct sockops *ops, struct obs *o, int fd)
{
    struct sockaddr_storage ss;
    socklen_t len;
    sc_sockname(ops, o, fd, &ss, &len);
    return ss_port(&ss);
}

/* A listener on host h (bound to its address, port chosen by the stack).
 * reuse: SO_REUSEADDR before bind. */
static int listener(const struct sockops *ops, struct obs *o, int h, int backlog, int reuse,
                    const char *name)
{
    int ls = tcp_sock(ops, o, h, name);
    if (reuse)
        setint_ok(ops, o, ls, SOL_SOCKET, SO_REUSEADDR, 1);
    bind_ok(ops, o, ls, h, 0);
    if (ops->listen(ls, backlog) < 0)
        obs_fail(o, "setup: listen: %s", obs_errname(errno));
    return ls;
}

/* connect fd to where `ls` listens, recorded. */
static int connect_to(const struct sockops *ops, struct obs *o, int fd, int ls)
{
    struct sockaddr_storage ss;
    socklen_t len;
    sc_sockname(ops, o, ls, &ss, &len);
    int r = ops->connect(fd, (struct sockaddr *)&ss, len);
    int e = errno;
    rc_line(o, fd, "connect", r, e);
    errno = e;
    return r;
}

/* An address on host h where nobody listens: a port the stack picked for a
 * socket that is closed again. */
static void dead_port(const struct sockops *ops, struct obs *o, int h, int type,
                      struct sockaddr_storage *ss, socklen_t *len)
{
    int fd = mksock(ops, o, h, ops->family(), type, "tmp");
    bind_ok(ops, o, fd, h, 0);
    sc_sockname(ops, o, fd, ss, len);
    ops->close(fd);
}

static void nonblock(const struct sockops *ops, struct obs *o, int fd, int on)
{
    sc_nonblock(ops, o, fd, on);
}

static void timeo(const struct sockops *ops, struct obs *o, int fd, int opt, int ms)
{
    struct timeval tv = {ms / 1000, (ms % 1000) * 1000};
    if (ops->setsockopt(fd, SOL_SOCKET, opt, &tv, sizeof tv) < 0)
        obs_fail(o, "setup: timeout option: %s", obs_errname(errno));
}

/* A nonblocking TCP pair with the listener kept (p->ls), both ends
 * nonblocking: the shape most readiness scenarios want. */
static void pair_nb(const struct sockops *ops, struct obs *o, struct pair *p)
{
    struct pair_opts po;
    memset(&po, 0, sizeof po);
    po.tx_nonblocking = 1;
    po.no_owner = 1;
    pair_open(ops, o, &po, p);
}

/* Fill fd's send path until nothing more is accepted even after the peer
 * has had time to take what it can (the peer does not read). Returns the
 * bytes accepted -- a tuning-dependent number, never recorded. */
static long fill(const struct sockops *ops, struct obs *o, int fd)
{
    static char chunk[4096];
    memset(chunk, 'f', sizeof chunk);
    long total = 0;
    for (int round = 0; round < 2000; round++) {
        int progressed = 0;
        for (;;) {
            ssize_t r = ops->send(fd, chunk, sizeof chunk, MSG_DONTWAIT | MSG_NOSIGNAL);
            if (r > 0) {
                total += r;
                progressed = 1;
                continue;
            }
            if (r < 0 && errno == EAGAIN)
                break;
            obs_fail(o, "setup: fill: %s", r < 0 ? obs_errname(errno) : "0");
        }
        if (!progressed && round > 0)
            return total;
        ops->settle(SETTLE_MS);
    }
    obs_fail(o, "setup: fill: the send buffer never filled");
}

/* Read everything fd has (nonblocking reads, settling when empty until
 * nothing more comes); returns the byte count. */
static long drain(const struct sockops *ops, int fd)
{
    static char buf[65536];
    long total = 0;
    int idle = 0;
    while (idle < 2) {
        ssize_t r = ops->recv(fd, buf, sizeof buf, MSG_DONTWAIT);
        if (r > 0) {
            total += r;
            idle = 0;
            continue;
        }
        if (r == 0)
            break;
        if (errno != EAGAIN)
            break;
        idle++;
        ops->settle(SETTLE_MS);
    }
    return total;
}

/* Every scenario below records what one call or one state does; comments
 * say what makes the case interesting, not what the kernel answers (the
 * golden file holds that). */

/* ================================================================
 * socket(): family, type and protocol errors.
 * ================================================================ */

SC(socket_errors)
{
    int fam = ops->family();
    ops->host(HOST_A);
    obs_name(o, -1, "sock");
    FDCALL(-1, "socket(1000,STREAM,0)", ops->socket(1000, SOCK_STREAM, 0));
    FDCALL(-1, "socket(fam,99,0)", ops->socket(fam, 99, 0));
    FDCALL(-1, "socket(fam,STREAM|0x100000,0)", ops->socket(fam, SOCK_STREAM | 0x100000, 0));
    FDCALL(-1, "socket(fam,STREAM,UDP)", ops->socket(fam, SOCK_STREAM, IPPROTO_UDP));
    FDCALL(-1, "socket(fam,DGRAM,TCP)", ops->socket(fam, SOCK_DGRAM, IPPROTO_TCP));
    FDCALL(-1, "socket(fam,STREAM,-1)", ops->socket(fam, SOCK_STREAM, -1));
    FDCALL(-1, "socket(fam,STREAM,TCP)", ops->socket(fam, SOCK_STREAM, IPPROTO_TCP));
    FDCALL(-1, "socket(fam,DGRAM,UDP)", ops->socket(fam, SOCK_DGRAM, IPPROTO_UDP));
    FDCALL(-1, "socket(fam,DGRAM,0)", ops->socket(fam, SOCK_DGRAM, 0));
}

SC(socket_type_flags)
{
    int fam = ops->family();
    ops->host(HOST_A);
    int a = ops->socket(fam, SOCK_STREAM | SOCK_NONBLOCK, 0);
    int b = ops->socket(fam, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    int c = ops->socket(fam, SOCK_STREAM, 0);
    if (a < 0 || b < 0 || c < 0)
        obs_fail(o, "setup: socket: %s", obs_errname(errno));
    obs_name(o, a, "nbtcp");
    obs_name(o, b, "nbudp");
    obs_name(o, c, "tcp");
    int fds[] = {a, b, c};
    for (int i = 0; i < 3; i++) {
        int fl = ops->fcntl(fds[i], F_GETFL, 0);
        obs_on(o, fds[i], "O_NONBLOCK=%d accmode=%s", fl >= 0 && (fl & O_NONBLOCK) ? 1 : 0,
               fl < 0                       ? "ERR"
               : (fl & O_ACCMODE) == O_RDWR ? "O_RDWR"
                                            : "other");
        GETINT(fds[i], SOL_SOCKET, SO_TYPE);
    }
    RECV(a, 4, 0);
    RECV(b, 4, 0);
}

/* ================================================================
 * EBADF, EFAULT-style and short-length argument errors.
 * ================================================================ */

SC(ebadf_calls)
{
    int fam = ops->family();
    struct sockaddr_storage ss;
    socklen_t len;
    host_addr(ops, o, HOST_A, fam, &ss, &len);
    int v = 1;
    socklen_t vl = sizeof v;
    char buf[4];
    /* A descriptor just closed, and -1. Nothing is created in between, so
     * the closed number is not reused. */
    int fd = tcp_sock(ops, o, HOST_A, "closed");
    ops->close(fd);
    int bad[2] = {fd, -1};
    for (int i = 0; i < 2; i++) {
        int b = bad[i];
        obs_name(o, b, i == 0 ? "closed" : "minus1");
        CALL(b, "send", ops->send(b, "x", 1, MSG_NOSIGNAL));
        CALL(b, "recv", ops->recv(b, buf, sizeof buf, MSG_DONTWAIT));
        CALL(b, "bind", ops->bind(b, (struct sockaddr *)&ss, len));
        CALL(b, "connect", ops->connect(b, (struct sockaddr *)&ss, len));
        CALL(b, "listen", ops->listen(b, 1));
        CALL(b, "accept", ops->accept(b, NULL, NULL));
        CALL(b, "shutdown", ops->shutdown(b, SHUT_RDWR));
        CALL(b, "setsockopt", ops->setsockopt(b, SOL_SOCKET, SO_KEEPALIVE, &v, sizeof v));
        CALL(b, "getsockopt", ops->getsockopt(b, SOL_SOCKET, SO_TYPE, &v, &vl));
        len = sizeof ss;
        CALL(b, "getsockname", ops->getsockname(b, (struct sockaddr *)&ss, &len));
        CALL(b, "ioctl(FIONREAD)", ops->ioctl(b, FIONREAD, &v));
        CALL(b, "fcntl(F_GETFL)", ops->fcntl(b, F_GETFL, 0));
        CALL(b, "close", ops->close(b));
        host_addr(ops, o, HOST_A, fam, &ss, &len);
    }
    /* poll ignores a negative descriptor and flags a closed one. */
    struct pollfd p[2] = {{.fd = fd, .events = POLLIN | POLLOUT}, {.fd = -1, .events = POLLIN}};
    int n = ops->poll(p, 2, 0);
    char b0[64], b1[64];
    obs_pollbits(b0, sizeof b0, (unsigned short)p[0].revents);
    obs_pollbits(b1, sizeof b1, (unsigned short)p[1].revents);
    obs_line(o, "poll([closed,-1])=%d revents=[%s,%s]", n, b0, b1);
}

SC(efault_null_pointers)
{
    struct pair p;
    pair_nb(ops, o, &p);
    int fam = ops->family();
    int v = 1;
    socklen_t vl = sizeof v;
    CALL(p.tx, "send(NULL,5)", ops->send(p.tx, NULL, 5, 0));
    CALL(p.rx, "recv(NULL,5) empty", ops->recv(p.rx, NULL, 5, 0));
    SEND(p.tx, "hello", 0);
    CALL(p.rx, "recv(NULL,5) data", ops->recv(p.rx, NULL, 5, 0));
    CALL(p.rx, "recv(NULL,0) data", ops->recv(p.rx, NULL, 0, 0));
    RECV(p.rx, 10, 0);
    CALL(p.tx, "setsockopt(NULL,4)", ops->setsockopt(p.tx, SOL_SOCKET, SO_KEEPALIVE, NULL, 4));
    CALL(p.tx, "getsockopt(NULL val)", ops->getsockopt(p.tx, SOL_SOCKET, SO_TYPE, NULL, &vl));
    CALL(p.tx, "getsockopt(NULL len)", ops->getsockopt(p.tx, SOL_SOCKET, SO_TYPE, &v, NULL));
    struct sockaddr_storage ss;
    CALL(p.tx, "getsockname(NULL len)", ops->getsockname(p.tx, (struct sockaddr *)&ss, NULL));
    int s = tcp_sock(ops, o, HOST_A, "fresh");
    CALL(s, "bind(NULL,16)", ops->bind(s, NULL, 16));
    CALL(s, "connect(NULL,16)", ops->connect(s, NULL, 16));
    int u = mksock(ops, o, HOST_A, fam, SOCK_DGRAM, "udp");
    struct sockaddr_storage to;
    socklen_t tl;
    host_addr(ops, o, HOST_B, fam, &to, &tl);
    ss_setport(&to, 9);
    CALL(u, "sendto(NULL,3,addr)", ops->sendto(u, NULL, 3, 0, (struct sockaddr *)&to, tl));
    CALL(u, "sendto('x',1,NULL addr,16)", ops->sendto(u, "x", 1, 0, NULL, 16));
}

SC(short_address_lengths)
{
    int fam = ops->family();
    struct sockaddr_storage ss;
    socklen_t len;
    host_addr(ops, o, HOST_A, fam, &ss, &len);
    int s = tcp_sock(ops, o, HOST_A, "tcp");
    CALL(s, "bind(len=0)", ops->bind(s, (struct sockaddr *)&ss, 0));
    CALL(s, "bind(len=2)", ops->bind(s, (struct sockaddr *)&ss, 2));
    CALL(s, "bind(len=15)", ops->bind(s, (struct sockaddr *)&ss, 15));
    CALL(s, "connect(len=15)", ops->connect(s, (struct sockaddr *)&ss, 15));
    /* An IPv6 address may be as short as RFC 2133's sockaddr_in6 (24). */
    CALL(s, "bind(len=full-1)", ops->bind(s, (struct sockaddr *)&ss, len - 1));
    int u = mksock(ops, o, HOST_A, fam, SOCK_DGRAM, "udp");
    struct sockaddr_storage to;
    socklen_t tl;
    host_addr(ops, o, HOST_B, fam, &to, &tl);
    ss_setport(&to, 9);
    CALL(u, "sendto(tolen=4)", ops->sendto(u, "x", 1, 0, (struct sockaddr *)&to, 4));
    CALL(u, "connect(len=4)", ops->connect(u, (struct sockaddr *)&to, 4));
    CALL(u, "connect(len=0)", ops->connect(u, (struct sockaddr *)&to, 0));
}

SC(accept_address_lengths)
{
    int ls = listener(ops, o, HOST_B, 8, 0, "ls");
    nonblock(ops, o, ls, 1);
    int cs[4];
    static const char *const cn[] = {"c1", "c2", "c3", "c4"};
    for (int i = 0; i < 4; i++) {
        cs[i] = tcp_sock(ops, o, HOST_A, cn[i]);
        connect_to(ops, o, cs[i], ls);
    }
    SETTLE();
    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof ss);
    socklen_t len = (socklen_t)-1;
    FDCALL(ls, "accept(len=-1)", ops->accept(ls, (struct sockaddr *)&ss, &len));
    len = 4;
    int a = ops->accept(ls, (struct sockaddr *)&ss, &len);
    rc_line_fd(o, ls, "accept(len=4)", a, errno);
    obs_on(o, ls, "len after=%s family=%s", len == 4 ? "4" : "full", fam_name(ss.ss_family));
    len = sizeof ss;
    a = ops->accept(ls, (struct sockaddr *)&ss, &len);
    rc_line_fd(o, ls, "accept(full)", a, errno);
    char d[128];
    describe_name(ops, d, sizeof d, &ss, HOST_A);
    obs_on(o, ls, "len after=%s %s", len == sizeof ss ? "unchanged" : "full", d);
    FDCALL(ls, "accept(addr,NULL len)", ops->accept(ls, (struct sockaddr *)&ss, NULL));
    FDCALL(ls, "accept(NULL,NULL)", ops->accept(ls, NULL, NULL));
    FDCALL(ls, "accept(NULL,NULL)", ops->accept(ls, NULL, NULL));
    /* A bad address length is found after the connection was taken off
     * the queue: what became of each client. */
    SETTLE();
    for (int i = 0; i < 4; i++)
        READY(cs[i]);
}

/* ================================================================
 * bind().
 * ================================================================ */

SC(bind_twice_einval)
{
    int s = tcp_sock(ops, o, HOST_A, "tcp");
    struct sockaddr_storage ss;
    socklen_t len;
    host_addr(ops, o, HOST_A, ops->family(), &ss, &len);
    CALL(s, "bind", ops->bind(s, (struct sockaddr *)&ss, len));
    CALL(s, "bind again", ops->bind(s, (struct sockaddr *)&ss, len));
    int u = mksock(ops, o, HOST_A, ops->family(), SOCK_DGRAM, "udp");
    CALL(u, "bind", ops->bind(u, (struct sockaddr *)&ss, len));
    CALL(u, "bind again", ops->bind(u, (struct sockaddr *)&ss, len));
}

SC(bind_wrong_family)
{
    int fam = ops->family();
    int other = fam == AF_INET ? AF_INET6 : AF_INET;
    int s = tcp_sock(ops, o, HOST_A, "tcp");
    struct sockaddr_storage ss;
    socklen_t len;
    /* The other family's wildcard, full length for that family. */
    any_addr(other, &ss, &len);
    CALL(s, "bind(other family any)", ops->bind(s, (struct sockaddr *)&ss, len));
    /* AF_UNSPEC with the wildcard: accepted by an AF_INET bind for
     * compatibility. */
    any_addr(fam, &ss, &len);
    ss.ss_family = AF_UNSPEC;
    CALL(s, "bind(AF_UNSPEC any)", ops->bind(s, (struct sockaddr *)&ss, len));
    obs_name_call(ops, o, s, 0, HOST_A);
    int t = tcp_sock(ops, o, HOST_A, "tcp2");
    host_addr(ops, o, HOST_A, fam, &ss, &len);
    ss.ss_family = AF_UNSPEC;
    CALL(t, "bind(AF_UNSPEC host)", ops->bind(t, (struct sockaddr *)&ss, len));
}

SC(bind_nonlocal_eaddrnotavail)
{
    int fam = ops->family();
    struct sockaddr_storage ss;
    socklen_t len;
    foreign_addr(fam, &ss, &len);
    int s = tcp_sock(ops, o, HOST_A, "tcp");
    CALL(s, "bind(foreign)", ops->bind(s, (struct sockaddr *)&ss, len));
    int u = mksock(ops, o, HOST_A, fam, SOCK_DGRAM, "udp");
    CALL(u, "bind(foreign)", ops->bind(u, (struct sockaddr *)&ss, len));
    /* The wildcard and the host's own address are fine. */
    any_addr(fam, &ss, &len);
    CALL(s, "bind(any)", ops->bind(s, (struct sockaddr *)&ss, len));
    obs_name_call(ops, o, s, 0, HOST_A);
    host_addr(ops, o, HOST_A, fam, &ss, &len);
    CALL(u, "bind(host)", ops->bind(u, (struct sockaddr *)&ss, len));
    obs_name_call(ops, o, u, 0, HOST_A);
}

SC(bind_inuse_eaddrinuse)
{
    int a = tcp_sock(ops, o, HOST_A, "a");
    bind_ok(ops, o, a, HOST_A, 0);
    int port = local_port(ops, o, a);
    struct sockaddr_storage ss;
    socklen_t len;
    host_addr(ops, o, HOST_A, ops->family(), &ss, &len);
    ss_setport(&ss, port);
    int b = tcp_sock(ops, o, HOST_A, "b");
    CALL(b, "bind(same port, a bound)", ops->bind(b, (struct sockaddr *)&ss, len));
    CALL(a, "listen", ops->listen(a, 4));
    int c = tcp_sock(ops, o, HOST_A, "c");
    CALL(c, "bind(same port, a listening)", ops->bind(c, (struct sockaddr *)&ss, len));
    /* The wildcard overlaps the host address. */
    struct sockaddr_storage any;
    socklen_t al;
    any_addr(ops->family(), &any, &al);
    ss_setport(&any, port);
    CALL(c, "bind(any, same port)", ops->bind(c, (struct sockaddr *)&any, al));
    /* A UDP socket has its own port space. */
    int u = mksock(ops, o, HOST_A, ops->family(), SOCK_DGRAM, "udp");
    CALL(u, "bind(same port)", ops->bind(u, (struct sockaddr *)&ss, len));
    int u2 = mksock(ops, o, HOST_A, ops->family(), SOCK_DGRAM, "udp2");
    CALL(u2, "bind(same port)", ops->bind(u2, (struct sockaddr *)&ss, len));
}

SC(bind_reuseaddr_rules)
{
    struct sockaddr_storage ss;
    socklen_t len;
    host_addr(ops, o, HOST_A, ops->family(), &ss, &len);
    /* Both with SO_REUSEADDR, neither listening: both bind. Then only one
     * may listen. */
    int a = tcp_sock(ops, o, HOST_A, "a");
    SETINT(a, SOL_SOCKET, SO_REUSEADDR, 1);
    CALL(a, "bind", ops->bind(a, (struct sockaddr *)&ss, len));
    ss_setport(&ss, local_port(ops, o, a));
    int b = tcp_sock(ops, o, HOST_A, "b");
    SETINT(b, SOL_SOCKET, SO_REUSEADDR, 1);
    CALL(b, "bind(same port)", ops->bind(b, (struct sockaddr *)&ss, len));
    CALL(a, "listen", ops->listen(a, 4));
    CALL(b, "listen", ops->listen(b, 4));
    /* A third with SO_REUSEADDR while one listens. */
    int c = tcp_sock(ops, o, HOST_A, "c");
    SETINT(c, SOL_SOCKET, SO_REUSEADDR, 1);
    CALL(c, "bind(same port, one listening)", ops->bind(c, (struct sockaddr *)&ss, len));
    /* Without it on the first socket, the second's flag alone. */
    int d = tcp_sock(ops, o, HOST_A, "d");
    host_addr(ops, o, HOST_A, ops->family(), &ss, &len);
    CALL(d, "bind", ops->bind(d, (struct sockaddr *)&ss, len));
    ss_setport(&ss, local_port(ops, o, d));
    int e = tcp_sock(ops, o, HOST_A, "e");
    SETINT(e, SOL_SOCKET, SO_REUSEADDR, 1);
    CALL(e, "bind(d's port, only e reuses)", ops->bind(e, (struct sockaddr *)&ss, len));
}

SC(so_reuseport_two_listeners)
{
    struct sockaddr_storage ss;
    socklen_t len;
    host_addr(ops, o, HOST_B, ops->family(), &ss, &len);
    int a = tcp_sock(ops, o, HOST_B, "a");
    GETINT(a, SOL_SOCKET, SO_REUSEPORT);
    SETINT(a, SOL_SOCKET, SO_REUSEPORT, 1);
    GETINT(a, SOL_SOCKET, SO_REUSEPORT);
    CALL(a, "bind", ops->bind(a, (struct sockaddr *)&ss, len));
    CALL(a, "listen", ops->listen(a, 4));
    ss_setport(&ss, local_port(ops, o, a));
    int b = tcp_sock(ops, o, HOST_B, "b");
    SETINT(b, SOL_SOCKET, SO_REUSEPORT, 1);
    CALL(b, "bind(same port)", ops->bind(b, (struct sockaddr *)&ss, len));
    CALL(b, "listen", ops->listen(b, 4));
    int c = tcp_sock(ops, o, HOST_B, "c");
    CALL(c, "bind(same port, no SO_REUSEPORT)", ops->bind(c, (struct sockaddr *)&ss, len));
    /* Both listeners accept: a connection lands on exactly one of them. */
    int t = tcp_sock(ops, o, HOST_A, "t");
    CALL(t, "connect", ops->connect(t, (struct sockaddr *)&ss, len));
    SETTLE();
    nonblock(ops, o, a, 1);
    nonblock(ops, o, b, 1);
    int ga = ops->accept(a, NULL, NULL);
    int gb = ops->accept(b, NULL, NULL);
    obs_line(o, "accepted by exactly one listener: %s", (ga >= 0) + (gb >= 0) == 1 ? "yes" : "no");
}

/* ================================================================
 * listen() and accept().
 * ================================================================ */

SC(listen_errors)
{
    int fam = ops->family();
    int u = mksock(ops, o, HOST_B, fam, SOCK_DGRAM, "udp");
    CALL(u, "listen", ops->listen(u, 4));
    CALL(u, "accept", ops->accept(u, NULL, NULL));
    /* An unbound stream socket listens on a port the stack picks. */
    int s = tcp_sock(ops, o, HOST_B, "unbound");
    CALL(s, "listen", ops->listen(s, 4));
    obs_name_call(ops, o, s, 0, HOST_B);
    CALL(s, "listen again", ops->listen(s, 16));
    GETINT(s, SOL_SOCKET, SO_ACCEPTCONN);
    /* A connected socket cannot listen; nor a non-listening one accept. */
    struct pair p;
    pair_nb(ops, o, &p);
    CALL(p.tx, "listen", ops->listen(p.tx, 4));
    CALL(p.tx, "accept", ops->accept(p.tx, NULL, NULL));
    int f = tcp_sock(ops, o, HOST_A, "fresh");
    CALL(f, "accept", ops->accept(f, NULL, NULL));
    CALL(f, "listen(-1)", ops->listen(f, -1));
}

SC(accept_nonblocking_empty)
{
    int ls = listener(ops, o, HOST_B, 4, 0, "ls");
    nonblock(ops, o, ls, 1);
    FDCALL(ls, "accept", ops->accept(ls, NULL, NULL));
    READY(ls);
    nonblock(ops, o, ls, 0);
    timeo(ops, o, ls, SO_RCVTIMEO, SHORT_TIMEO_MS);
    FDCALL(ls, "accept(blocking, SO_RCVTIMEO)", ops->accept(ls, NULL, NULL));
    FDCALL(ls, "accept4(SOCK_NONBLOCK)", ops->accept4(ls, NULL, NULL, SOCK_NONBLOCK));
}

SC(accept4_flags)
{
    int ls = listener(ops, o, HOST_B, 4, 0, "ls");
    int c1 = tcp_sock(ops, o, HOST_A, "c1");
    int c2 = tcp_sock(ops, o, HOST_A, "c2");
    connect_to(ops, o, c1, ls);
    connect_to(ops, o, c2, ls);
    SETTLE();
    FDCALL(ls, "accept4(bad flag)", ops->accept4(ls, NULL, NULL, 0x4000000));
    int a = ops->accept4(ls, NULL, NULL, SOCK_NONBLOCK);
    rc_line_fd(o, ls, "accept4(SOCK_NONBLOCK)", a, errno);
    obs_name(o, a, "a1");
    int fl = ops->fcntl(a, F_GETFL, 0);
    obs_on(o, a, "O_NONBLOCK=%d", fl >= 0 && (fl & O_NONBLOCK) ? 1 : 0);
    RECV(a, 4, 0);
    int b = ops->accept4(ls, NULL, NULL, 0);
    rc_line_fd(o, ls, "accept4(0)", b, errno);
    obs_name(o, b, "a2");
    fl = ops->fcntl(b, F_GETFL, 0);
    obs_on(o, b, "O_NONBLOCK=%d", fl >= 0 && (fl & O_NONBLOCK) ? 1 : 0);
    /* A nonblocking listener does not make accepted sockets nonblocking. */
    int c3 = tcp_sock(ops, o, HOST_A, "c3");
    nonblock(ops, o, ls, 1);
    connect_to(ops, o, c3, ls);
    SETTLE();
    int c = ops->accept(ls, NULL, NULL);
    rc_line_fd(o, ls, "accept", c, errno);
    obs_name(o, c, "a3");
    fl = ops->fcntl(c, F_GETFL, 0);
    obs_on(o, c, "O_NONBLOCK=%d", fl >= 0 && (fl & O_NONBLOCK) ? 1 : 0);
}

SC(accept_after_peer_reset)
{
    int ls = listener(ops, o, HOST_B, 4, 0, "ls");
    int c = tcp_sock(ops, o, HOST_A, "c");
    connect_to(ops, o, c, ls);
    SETTLE();
    SEND(c, "hi", 0);
    sc_abort(ops, o, c);
    SETTLE();
    READY(ls);
    nonblock(ops, o, ls, 1);
    int a = ops->accept(ls, NULL, NULL);
    rc_line_fd(o, ls, "accept", a, errno);
    if (a >= 0) {
        obs_name(o, a, "a");
        nonblock(ops, o, a, 1);
        READY(a);
        RECV(a, 10, 0);
        RECV(a, 10, 0);
        obs_name_call(ops, o, a, 1, HOST_A);
    }
}

SC(accept_after_peer_close)
{
    int ls = listener(ops, o, HOST_B, 4, 0, "ls");
    int c = tcp_sock(ops, o, HOST_A, "c");
    connect_to(ops, o, c, ls);
    SETTLE();
    SEND(c, "bye", 0);
    obs_close(o, c);
    SETTLE();
    nonblock(ops, o, ls, 1);
    int a = ops->accept(ls, NULL, NULL);
    rc_line_fd(o, ls, "accept", a, errno);
    obs_name(o, a, "a");
    nonblock(ops, o, a, 1);
    READY(a);
    RECV(a, 10, 0);
    RECV(a, 10, 0);
    obs_name_call(ops, o, a, 1, HOST_A);
    CALL(a, "send", ops->send(a, "x", 1, MSG_NOSIGNAL));
    SETTLE();
    CALL(a, "send", ops->send(a, "x", 1, MSG_NOSIGNAL));
}

/* ================================================================
 * connect().
 * ================================================================ */

SC(connect_refused_blocking)
{
    struct sockaddr_storage ss;
    socklen_t len;
    dead_port(ops, o, HOST_B, SOCK_STREAM, &ss, &len);
    int c = tcp_sock(ops, o, HOST_A, "c");
    CALL(c, "connect", ops->connect(c, (struct sockaddr *)&ss, len));
    so_error(ops, o, c);
    READY(c);
    obs_name_call(ops, o, c, 1, HOST_B);
    /* A failed connect leaves the socket able to try again. */
    CALL(c, "connect again", ops->connect(c, (struct sockaddr *)&ss, len));
}

SC(connect_refused_nonblocking)
{
    struct sockaddr_storage ss;
    socklen_t len;
    dead_port(ops, o, HOST_B, SOCK_STREAM, &ss, &len);
    int c = tcp_sock(ops, o, HOST_A, "c");
    nonblock(ops, o, c, 1);
    CALL(c, "connect", ops->connect(c, (struct sockaddr *)&ss, len));
    SETTLE();
    READY(c);
    so_error(ops, o, c);
    so_error(ops, o, c);
    READY(c);
    /* The error was fetched: the pending connect reports it differently. */
    CALL(c, "connect again", ops->connect(c, (struct sockaddr *)&ss, len));
    CALL(c, "connect again", ops->connect(c, (struct sockaddr *)&ss, len));
    SETTLE();
    so_error(ops, o, c);
}

SC(connect_refused_nonblocking_reconnect)
{
    struct sockaddr_storage ss;
    socklen_t len;
    dead_port(ops, o, HOST_B, SOCK_STREAM, &ss, &len);
    int c = tcp_sock(ops, o, HOST_A, "c");
    nonblock(ops, o, c, 1);
    CALL(c, "connect", ops->connect(c, (struct sockaddr *)&ss, len));
    SETTLE();
    /* Without fetching SO_ERROR first: connect reports the error itself. */
    CALL(c, "connect again", ops->connect(c, (struct sockaddr *)&ss, len));
    so_error(ops, o, c);
    RECV(c, 4, 0);
    CALL(c, "send", ops->send(c, "x", 1, MSG_NOSIGNAL));
}

SC(connect_nonblocking_success)
{
    int ls = listener(ops, o, HOST_B, 4, 0, "ls");
    int c = tcp_sock(ops, o, HOST_A, "c");
    nonblock(ops, o, c, 1);
    connect_to(ops, o, c, ls);
    SETTLE();
    READY(c);
    so_error(ops, o, c);
    connect_to(ops, o, c, ls);
    connect_to(ops, o, c, ls);
    obs_name_call(ops, o, c, 1, HOST_B);
}

SC(connect_blocking_eisconn)
{
    int ls = listener(ops, o, HOST_B, 4, 0, "ls");
    int c = tcp_sock(ops, o, HOST_A, "c");
    connect_to(ops, o, c, ls);
    connect_to(ops, o, c, ls);
    SETTLE();
    /* Connecting a listening socket, and an accepted one. */
    connect_to(ops, o, ls, ls);
    int a = ops->accept(ls, NULL, NULL);
    obs_name(o, a, "a");
    connect_to(ops, o, a, ls);
    /* After shutdown the socket is still connected as far as connect()
     * is concerned. */
    obs_shutdown(o, c, SHUT_RDWR);
    connect_to(ops, o, c, ls);
}

SC(connect_wrong_family)
{
    int fam = ops->family();
    int other = fam == AF_INET ? AF_INET6 : AF_INET;
    struct sockaddr_storage ss;
    socklen_t len;
    host_addr(ops, o, HOST_B, other, &ss, &len);
    ss_setport(&ss, 9);
    int c = tcp_sock(ops, o, HOST_A, "c");
    CALL(c, "connect(other family)", ops->connect(c, (struct sockaddr *)&ss, len));
    ss.ss_family = 1000;
    CALL(c, "connect(family 1000)", ops->connect(c, (struct sockaddr *)&ss, len));
    foreign_addr(fam, &ss, &len);
    ss_setport(&ss, 9);
    /* No route to the documentation prefix: fails at once or pends. */
    nonblock(ops, o, c, 1);
    CALL(c, "connect(foreign, nonblocking)", ops->connect(c, (struct sockaddr *)&ss, len));
}

/* Keep a connection in SYN_SENT: the listener's accept queue is full (one
 * connection accepted by the stack, backlog 0), so further SYNs are
 * dropped until the application accepts. */
struct synsent {
    int ls, c1, c2;
};

static void syn_sent(const struct sockops *ops, struct obs *o, struct synsent *s)
{
    s->ls = listener(ops, o, HOST_B, 0, 0, "ls");
    s->c1 = tcp_sock(ops, o, HOST_A, "c1");
    connect_to(ops, o, s->c1, s->ls);
    SETTLE();
    s->c2 = tcp_sock(ops, o, HOST_A, "c2");
    nonblock(ops, o, s->c2, 1);
    connect_to(ops, o, s->c2, s->ls);
    SETTLE();
}

SC(connect_ealready)
{
    struct synsent s;
    syn_sent(ops, o, &s);
    connect_to(ops, o, s.c2, s.ls);
    connect_to(ops, o, s.c2, s.ls);
    so_error(ops, o, s.c2);
    RECV(s.c2, 4, 0);
    CALL(s.c2, "send", ops->send(s.c2, "x", 1, MSG_NOSIGNAL));
    obs_name_call(ops, o, s.c2, 0, HOST_A);
    obs_name_call(ops, o, s.c2, 1, HOST_B);
}

SC(listen_backlog_full)
{
    struct synsent s;
    syn_sent(ops, o, &s);
    READY(s.ls);
    READY(s.c1);
    READY(s.c2);
    /* c1 is established and may send before being accepted. */
    SEND(s.c1, "early", 0);
    nonblock(ops, o, s.ls, 1);
    int a1 = ops->accept(s.ls, NULL, NULL);
    rc_line_fd(o, s.ls, "accept", a1, errno);
    obs_name(o, a1, "a1");
    nonblock(ops, o, a1, 1);
    RECV(a1, 10, 0);
    /* Room again: c2's next SYN retransmission gets through. */
    struct pollfd p = {.fd = s.c2, .events = POLLOUT};
    int n = ops->poll(&p, 1, 5000);
    obs_on(o, s.c2, "poll(OUT, 5 s)=%d (connected after a SYN retransmission)", n);
    SETTLE();
    so_error(ops, o, s.c2);
    int a2 = ops->accept(s.ls, NULL, NULL);
    rc_line_fd(o, s.ls, "accept", a2, errno);
    FDCALL(s.ls, "accept", ops->accept(s.ls, NULL, NULL));
}

SC(connect_unspec_disconnect)
{
    struct pair_opts po;
    memset(&po, 0, sizeof po);
    po.keep_listener = 1;
    po.no_owner = 1;
    struct pair p;
    pair_open(ops, o, &po, &p);
    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof ss);
    ss.ss_family = AF_UNSPEC;
    CALL(p.tx, "connect(AF_UNSPEC)", ops->connect(p.tx, (struct sockaddr *)&ss, sizeof ss));
    SETTLE();
    READY(p.tx);
    obs_name_call(ops, o, p.tx, 1, HOST_B);
    RECV(p.rx, 4, 0);
    RECV(p.rx, 4, 0);
    /* The socket can connect again. */
    connect_to(ops, o, p.tx, p.ls);
    SETTLE();
    READY(p.tx);
}

/* ================================================================
 * ENOTCONN, EPIPE/SIGPIPE, ECONNRESET.
 * ================================================================ */

SC(unconnected_enotconn)
{
    int s = tcp_sock(ops, o, HOST_A, "tcp");
    nonblock(ops, o, s, 1);
    RECV(s, 4, 0);
    obs_read(o, s, 4);
    CALL(s, "shutdown(RDWR)", ops->shutdown(s, SHUT_RDWR));
    CALL(s, "shutdown(WR)", ops->shutdown(s, SHUT_WR));
    obs_name_call(ops, o, s, 1, HOST_B);
    CALL(s, "send", ops->send(s, "x", 1, 0));
    SIGPIPE_N();
    CALL(s, "send(NOSIGNAL)", ops->send(s, "x", 1, MSG_NOSIGNAL));
    SIGPIPE_N();
    CALL(s, "write", ops->write(s, "x", 1));
    SIGPIPE_N();
    struct sockaddr_storage ss;
    socklen_t len;
    host_addr(ops, o, HOST_B, ops->family(), &ss, &len);
    ss_setport(&ss, 9);
    CALL(s, "sendto(addr)", ops->sendto(s, "x", 1, MSG_NOSIGNAL, (struct sockaddr *)&ss, len));
    int ls = listener(ops, o, HOST_B, 4, 0, "ls");
    nonblock(ops, o, ls, 1);
    RECV(ls, 4, 0);
    CALL(ls, "send", ops->send(ls, "x", 1, MSG_NOSIGNAL));
    CALL(ls, "shutdown(RD)", ops->shutdown(ls, SHUT_RD));
    obs_name_call(ops, o, ls, 1, HOST_B);
}

SC(epipe_after_shut_wr)
{
    struct pair p;
    pair_nb(ops, o, &p);
    obs_shutdown(o, p.tx, SHUT_WR);
    CALL(p.tx, "send", ops->send(p.tx, "x", 1, 0));
    SIGPIPE_N();
    CALL(p.tx, "send(NOSIGNAL)", ops->send(p.tx, "x", 1, MSG_NOSIGNAL));
    SIGPIPE_N();
    CALL(p.tx, "write", ops->write(p.tx, "x", 1));
    SIGPIPE_N();
    const char *parts[] = {"a", "b", NULL};
    obs_sendmsg(o, p.tx, parts, 0);
    SIGPIPE_N();
    obs_sendmsg(o, p.tx, parts, MSG_NOSIGNAL);
    SIGPIPE_N();
    struct iovec iov = {.iov_base = (void *)"x", .iov_len = 1};
    CALL(p.tx, "writev", ops->writev(p.tx, &iov, 1));
    SIGPIPE_N();
    CALL(p.tx, "send(len 0)", ops->send(p.tx, "", 0, 0));
    SIGPIPE_N();
    /* The other direction still works. */
    SEND(p.rx, "back", 0);
    RECV(p.tx, 10, 0);
}

SC(epipe_sigpipe_blocked)
{
    struct pair p;
    pair_nb(ops, o, &p);
    obs_shutdown(o, p.tx, SHUT_WR);
    /* A blocked SIGPIPE stays pending; EPIPE is returned all the same. */
    sigset_t set, old;
    sigemptyset(&set);
    sigaddset(&set, SIGPIPE);
    sigprocmask(SIG_BLOCK, &set, &old);
    CALL(p.tx, "send", ops->send(p.tx, "x", 1, 0));
    CALL(p.tx, "send", ops->send(p.tx, "x", 1, 0));
    SIGPIPE_N();
    sigset_t pend;
    sigpending(&pend);
    obs_line(o, "SIGPIPE pending: %s", sigismember(&pend, SIGPIPE) ? "yes" : "no");
    sigprocmask(SIG_SETMASK, &old, NULL);
    SIGPIPE_N();
}

SC(epipe_after_peer_close)
{
    struct pair p;
    pair_nb(ops, o, &p);
    obs_close(o, p.rx);
    SETTLE();
    READY(p.tx);
    /* The first write reaches a closed socket, which answers with RST. */
    CALL(p.tx, "send", ops->send(p.tx, "one", 3, 0));
    SIGPIPE_N();
    SETTLE();
    READY(p.tx);
    CALL(p.tx, "send", ops->send(p.tx, "two", 3, 0));
    SIGPIPE_N();
    CALL(p.tx, "send", ops->send(p.tx, "three", 5, 0));
    SIGPIPE_N();
    RECV(p.tx, 4, 0);
    so_error(ops, o, p.tx);
}

SC(econnreset_recv)
{
    struct pair p;
    pair_nb(ops, o, &p);
    nonblock(ops, o, p.tx, 1);
    SEND(p.rx, "data", 0);
    sc_abort(ops, o, p.rx);
    SETTLE();
    READY(p.tx);
    /* Data that arrived before the RST, then the reset. */
    RECV(p.tx, 10, 0);
    RECV(p.tx, 10, 0);
    READY(p.tx);
    CALL(p.tx, "send", ops->send(p.tx, "x", 1, 0));
    SIGPIPE_N();
    CALL(p.tx, "shutdown(WR)", ops->shutdown(p.tx, SHUT_WR));
    obs_name_call(ops, o, p.tx, 1, HOST_B);
}

SC(econnreset_send_first)
{
    struct pair p;
    pair_nb(ops, o, &p);
    sc_abort(ops, o, p.rx);
    SETTLE();
    CALL(p.tx, "send", ops->send(p.tx, "x", 1, 0));
    SIGPIPE_N();
    CALL(p.tx, "send", ops->send(p.tx, "x", 1, 0));
    SIGPIPE_N();
    RECV(p.tx, 10, 0);
}

SC(so_error_after_rst)
{
    struct pair p;
    pair_nb(ops, o, &p);
    nonblock(ops, o, p.tx, 1);
    sc_abort(ops, o, p.rx);
    SETTLE();
    so_error(ops, o, p.tx);
    so_error(ops, o, p.tx);
    READY(p.tx);
    RECV(p.tx, 10, 0);
    CALL(p.tx, "send", ops->send(p.tx, "x", 1, MSG_NOSIGNAL));
}

SC(close_unread_data_rst)
{
    struct pair p;
    pair_nb(ops, o, &p);
    nonblock(ops, o, p.tx, 1);
    SEND(p.tx, "unread", 0);
    /* Closing with unread data aborts the connection. */
    obs_close(o, p.rx);
    SETTLE();
    READY(p.tx);
    RECV(p.tx, 10, 0);
    RECV(p.tx, 10, 0);
}

/* ================================================================
 * MSG_* flags.
 * ================================================================ */

SC(msg_peek)
{
    struct pair p;
    pair_nb(ops, o, &p);
    SEND(p.tx, "hello", 0);
    RECV(p.rx, 3, MSG_PEEK);
    RECV(p.rx, 10, MSG_PEEK);
    obs_fionread(o, p.rx);
    RECV(p.rx, 2, 0);
    RECV(p.rx, 10, MSG_PEEK);
    SEND(p.tx, "world", 0);
    /* A peek sees across the segments. */
    RECV(p.rx, 10, MSG_PEEK);
    RECV(p.rx, 10, 0);
    RECV(p.rx, 10, MSG_PEEK);
    obs_shutdown(o, p.tx, SHUT_WR);
    SETTLE();
    RECV(p.rx, 10, MSG_PEEK);
    RECV(p.rx, 10, 0);
}

SC(msg_waitall)
{
    struct pair_opts po;
    memset(&po, 0, sizeof po);
    po.rx_blocking = 1;
    po.no_owner = 1;
    struct pair p;
    pair_open(ops, o, &po, &p);
    SEND(p.tx, "abc", 0);
    SEND(p.tx, "def", 0);
    /* Enough queued in two segments: one call takes all. */
    RECV(p.rx, 6, MSG_WAITALL);
    SEND(p.tx, "ghi", 0);
    /* Not enough: waits for SO_RCVTIMEO, then returns what it has. */
    sc_rcvtimeo(ops, o, p.rx, SHORT_TIMEO_MS);
    RECV(p.rx, 6, MSG_WAITALL);
    RECV(p.rx, 6, MSG_WAITALL);
    SEND(p.tx, "jkl", 0);
    /* A nonblocking call ignores MSG_WAITALL. */
    RECV(p.rx, 6, MSG_WAITALL | MSG_DONTWAIT);
    SEND(p.tx, "mno", 0);
    obs_shutdown(o, p.tx, SHUT_WR);
    SETTLE();
    /* The peer's FIN ends the wait. */
    RECV(p.rx, 6, MSG_WAITALL);
    RECV(p.rx, 6, MSG_WAITALL);
}

SC(msg_waitall_peek)
{
    struct pair_opts po;
    memset(&po, 0, sizeof po);
    po.rx_blocking = 1;
    po.no_owner = 1;
    struct pair p;
    pair_open(ops, o, &po, &p);
    sc_rcvtimeo(ops, o, p.rx, SHORT_TIMEO_MS);
    SEND(p.tx, "abc", 0);
    RECV(p.rx, 6, MSG_WAITALL | MSG_PEEK);
    RECV(p.rx, 6, 0);
}

SC(msg_dontwait)
{
    struct pair_opts po;
    memset(&po, 0, sizeof po);
    po.rx_blocking = 1;
    po.no_owner = 1;
    struct pair p;
    pair_open(ops, o, &po, &p);
    RECV(p.rx, 4, MSG_DONTWAIT);
    SEND(p.tx, "ab", 0);
    RECV(p.rx, 4, MSG_DONTWAIT);
    RECV(p.rx, 4, MSG_DONTWAIT);
    int fl = ops->fcntl(p.rx, F_GETFL, 0);
    obs_on(o, p.rx, "still blocking: %s", fl >= 0 && !(fl & O_NONBLOCK) ? "yes" : "no");
    /* A blocking send with MSG_DONTWAIT into a full buffer. */
    nonblock(ops, o, p.tx, 1);
    fill(ops, o, p.tx);
    nonblock(ops, o, p.tx, 0);
    CALL(p.tx, "send(DONTWAIT) full", ops->send(p.tx, "x", 1, MSG_DONTWAIT));
}

SC(msg_trunc_tcp)
{
    struct pair p;
    pair_nb(ops, o, &p);
    SEND(p.tx, "abcdefgh", 0);
    /* TCP: MSG_TRUNC discards the bytes without copying them. */
    RECV(p.rx, 3, MSG_TRUNC);
    RECV(p.rx, 2, MSG_TRUNC | MSG_PEEK);
    RECV(p.rx, 10, 0);
    SEND(p.tx, "xyz", 0);
    CALL(p.rx, "recv(NULL,3,TRUNC)", ops->recv(p.rx, NULL, 3, MSG_TRUNC));
    size_t l[] = {10};
    obs_recvmsg(o, p.rx, l, 1, 0);
}

SC(zero_length_io)
{
    struct pair p;
    pair_nb(ops, o, &p);
    CALL(p.tx, "send(len 0)", ops->send(p.tx, "", 0, 0));
    SETTLE();
    READY(p.rx);
    RECV(p.rx, 0, 0);
    SEND(p.tx, "a", 0);
    RECV(p.rx, 0, 0);
    RECV(p.rx, 4, 0);
    obs_shutdown(o, p.tx, SHUT_WR);
    SETTLE();
    RECV(p.rx, 0, 0);
    RECV(p.rx, 4, 0);
}

SC(readv_writev_sendmsg)
{
    struct pair p;
    pair_nb(ops, o, &p);
    struct iovec iov[3] = {{(void *)"ab", 2}, {(void *)"", 0}, {(void *)"cde", 3}};
    CALL(p.tx, "writev", ops->writev(p.tx, iov, 3));
    SETTLE();
    size_t l[] = {1, 0, 2, 10};
    obs_readv(o, p.rx, l, 4);
    const char *parts[] = {"fg", "hij", NULL};
    obs_sendmsg(o, p.tx, parts, 0);
    SETTLE();
    size_t l2[] = {3, 3};
    obs_recvmsg(o, p.rx, l2, 2, 0);
    CALL(p.tx, "writev(iovcnt -1)", ops->writev(p.tx, iov, -1));
    CALL(p.tx, "writev(iovcnt 0)", ops->writev(p.tx, iov, 0));
    CALL(p.tx, "write", ops->write(p.tx, "kl", 2));
    SETTLE();
    obs_read(o, p.rx, 10);
    obs_read(o, p.rx, 10);
}

SC(recvmsg_fields)
{
    struct pair p;
    pair_nb(ops, o, &p);
    SEND(p.tx, "abc", 0);
    struct sockaddr_storage ss;
    char buf[8];
    char ctl[64];
    struct iovec iov = {buf, sizeof buf};
    struct msghdr mh;
    memset(&mh, 0, sizeof mh);
    mh.msg_name = &ss;
    mh.msg_namelen = sizeof ss;
    mh.msg_iov = &iov;
    mh.msg_iovlen = 1;
    mh.msg_control = ctl;
    mh.msg_controllen = sizeof ctl;
    mh.msg_flags = -1;
    ssize_t r = ops->recvmsg(p.rx, &mh, 0);
    char fl[64];
    obs_msgflags(fl, sizeof fl, mh.msg_flags);
    /* TCP gives no source address and no control messages. */
    obs_on(o, p.rx, "recvmsg=%zd namelen=%u controllen=%u msg_flags=%s", r,
           (unsigned)mh.msg_namelen, (unsigned)mh.msg_controllen, fl);
}

/* ================================================================
 * Socket options.
 * ================================================================ */

SC(sockopt_identity)
{
    int fam = ops->family();
    int t = mksock(ops, o, HOST_A, fam, SOCK_STREAM, "tcp");
    int u = mksock(ops, o, HOST_A, fam, SOCK_DGRAM, "udp");
    int fds[] = {t, u};
    for (int i = 0; i < 2; i++) {
        int f = fds[i];
        int ty = GETINT(f, SOL_SOCKET, SO_TYPE);
        int dom = GETINT(f, SOL_SOCKET, SO_DOMAIN);
        int pr = GETINT(f, SOL_SOCKET, SO_PROTOCOL);
        obs_on(o, f, "= %s %s %s",
               ty == SOCK_STREAM  ? "SOCK_STREAM"
               : ty == SOCK_DGRAM ? "SOCK_DGRAM"
                                  : "?",
               fam_name(dom),
               pr == IPPROTO_TCP   ? "IPPROTO_TCP"
               : pr == IPPROTO_UDP ? "IPPROTO_UDP"
                                   : "?");
        GETINT(f, SOL_SOCKET, SO_ACCEPTCONN);
        CALL(f, "setsockopt(SO_TYPE)", ops->setsockopt(f, SOL_SOCKET, SO_TYPE, &ty, sizeof ty));
        CALL(f, "setsockopt(SO_PROTOCOL)",
             ops->setsockopt(f, SOL_SOCKET, SO_PROTOCOL, &pr, sizeof pr));
    }
}

SC(so_acceptconn)
{
    int s = tcp_sock(ops, o, HOST_B, "s");
    GETINT(s, SOL_SOCKET, SO_ACCEPTCONN);
    bind_ok(ops, o, s, HOST_B, 0);
    GETINT(s, SOL_SOCKET, SO_ACCEPTCONN);
    CALL(s, "listen", ops->listen(s, 4));
    GETINT(s, SOL_SOCKET, SO_ACCEPTCONN);
    int c = tcp_sock(ops, o, HOST_A, "c");
    connect_to(ops, o, c, s);
    SETTLE();
    GETINT(c, SOL_SOCKET, SO_ACCEPTCONN);
    int a = ops->accept(s, NULL, NULL);
    obs_name(o, a, "a");
    GETINT(a, SOL_SOCKET, SO_ACCEPTCONN);
    obs_close(o, a);
    obs_shutdown(o, s, SHUT_RDWR);
    GETINT(s, SOL_SOCKET, SO_ACCEPTCONN);
}

/* Boolean SOL_SOCKET / IPPROTO_TCP options: default, set 5, set 0. */
SC(bool_options)
{
    int s = tcp_sock(ops, o, HOST_A, "tcp");
    static const struct {
        int lvl, opt;
        const char *name;
    } opts[] = {
        {SOL_SOCKET, SO_REUSEADDR, "SO_REUSEADDR"}, {SOL_SOCKET, SO_REUSEPORT, "SO_REUSEPORT"},
        {SOL_SOCKET, SO_KEEPALIVE, "SO_KEEPALIVE"}, {SOL_SOCKET, SO_OOBINLINE, "SO_OOBINLINE"},
        {SOL_SOCKET, SO_BROADCAST, "SO_BROADCAST"}, {SOL_SOCKET, SO_DONTROUTE, "SO_DONTROUTE"},
        {IPPROTO_TCP, TCP_NODELAY, "TCP_NODELAY"},
    };
    for (size_t i = 0; i < sizeof opts / sizeof opts[0]; i++) {
        obs_getint(o, s, opts[i].lvl, opts[i].opt, opts[i].name);
        obs_setint(o, s, opts[i].lvl, opts[i].opt, opts[i].name, 5);
        obs_getint(o, s, opts[i].lvl, opts[i].opt, opts[i].name);
        obs_setint(o, s, opts[i].lvl, opts[i].opt, opts[i].name, 0);
        obs_getint(o, s, opts[i].lvl, opts[i].opt, opts[i].name);
    }
}

SC(options_inherited_by_accept)
{
    int ls = tcp_sock(ops, o, HOST_B, "ls");
    setint_ok(ops, o, ls, SOL_SOCKET, SO_KEEPALIVE, 1);
    setint_ok(ops, o, ls, IPPROTO_TCP, TCP_NODELAY, 1);
    setint_ok(ops, o, ls, SOL_SOCKET, SO_RCVBUF, 10000);
    setint_ok(ops, o, ls, SOL_SOCKET, SO_SNDBUF, 10000);
    setint_ok(ops, o, ls, IPPROTO_TCP, TCP_KEEPIDLE, 100);
    struct linger lg = {1, 7};
    ops->setsockopt(ls, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
    bind_ok(ops, o, ls, HOST_B, 0);
    ops->listen(ls, 4);
    nonblock(ops, o, ls, 1);
    int c = tcp_sock(ops, o, HOST_A, "c");
    connect_to(ops, o, c, ls);
    SETTLE();
    int a = ops->accept(ls, NULL, NULL);
    obs_name(o, a, "a");
    GETINT(a, SOL_SOCKET, SO_KEEPALIVE);
    GETINT(a, IPPROTO_TCP, TCP_NODELAY);
    GETINT(a, SOL_SOCKET, SO_RCVBUF);
    GETINT(a, SOL_SOCKET, SO_SNDBUF);
    GETINT(a, IPPROTO_TCP, TCP_KEEPIDLE);
    struct linger got = {-7, -7};
    socklen_t gl = sizeof got;
    ops->getsockopt(a, SOL_SOCKET, SO_LINGER, &got, &gl);
    obs_on(o, a, "SO_LINGER={%d,%d}", got.l_onoff, got.l_linger);
    int fl = ops->fcntl(a, F_GETFL, 0);
    obs_on(o, a, "O_NONBLOCK=%d", fl >= 0 && (fl & O_NONBLOCK) ? 1 : 0);
}

SC(so_keepalive_tcp_keepopts)
{
    int s = tcp_sock(ops, o, HOST_A, "tcp");
    GETINT(s, SOL_SOCKET, SO_KEEPALIVE);
    GETINT(s, IPPROTO_TCP, TCP_KEEPIDLE);
    GETINT(s, IPPROTO_TCP, TCP_KEEPINTVL);
    GETINT(s, IPPROTO_TCP, TCP_KEEPCNT);
    static const int vals[] = {0, 1, 127, 128, 32767, 32768, -1};
    for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++) {
        SETINT(s, IPPROTO_TCP, TCP_KEEPIDLE, vals[i]);
        SETINT(s, IPPROTO_TCP, TCP_KEEPINTVL, vals[i]);
        SETINT(s, IPPROTO_TCP, TCP_KEEPCNT, vals[i]);
    }
    GETINT(s, IPPROTO_TCP, TCP_KEEPIDLE);
    GETINT(s, IPPROTO_TCP, TCP_KEEPINTVL);
    GETINT(s, IPPROTO_TCP, TCP_KEEPCNT);
    SETINT(s, SOL_SOCKET, SO_KEEPALIVE, 1);
    GETINT(s, SOL_SOCKET, SO_KEEPALIVE);
    /* The TCP keepalive options exist on TCP sockets only. */
    int u = mksock(ops, o, HOST_A, ops->family(), SOCK_DGRAM, "udp");
    SETINT(u, SOL_SOCKET, SO_KEEPALIVE, 1);
    GETINT(u, SOL_SOCKET, SO_KEEPALIVE);
    SETINT(u, IPPROTO_TCP, TCP_KEEPIDLE, 10);
    GETINT(u, IPPROTO_TCP, TCP_KEEPIDLE);
}

SC(so_linger_options)
{
    int s = tcp_sock(ops, o, HOST_A, "tcp");
    struct linger lg = {-7, -7};
    socklen_t len = sizeof lg;
    CALL(s, "getsockopt(SO_LINGER)", ops->getsockopt(s, SOL_SOCKET, SO_LINGER, &lg, &len));
    obs_on(o, s, "SO_LINGER={%d,%d} len=%u", lg.l_onoff, lg.l_linger, (unsigned)len);
    struct linger set = {5, 7};
    CALL(s, "setsockopt(SO_LINGER,{5,7})",
         ops->setsockopt(s, SOL_SOCKET, SO_LINGER, &set, sizeof set));
    len = sizeof lg;
    ops->getsockopt(s, SOL_SOCKET, SO_LINGER, &lg, &len);
    obs_on(o, s, "SO_LINGER={%d,%d}", lg.l_onoff, lg.l_linger);
    set.l_onoff = 1;
    set.l_linger = -3;
    CALL(s, "setsockopt(SO_LINGER,{1,-3})",
         ops->setsockopt(s, SOL_SOCKET, SO_LINGER, &set, sizeof set));
    len = sizeof lg;
    ops->getsockopt(s, SOL_SOCKET, SO_LINGER, &lg, &len);
    /* A negative l_linger means "for ever"; what it reads back as is
     * MAX_SCHEDULE_TIMEOUT / HZ truncated to int, a kernel build detail. */
    obs_on(o, s, "SO_LINGER={%d,(not -3: %s)}", lg.l_onoff, lg.l_linger != -3 ? "yes" : "no");
    CALL(s, "setsockopt(SO_LINGER,len 4)", ops->setsockopt(s, SOL_SOCKET, SO_LINGER, &set, 4));
    len = 4;
    lg.l_onoff = lg.l_linger = -7;
    CALL(s, "getsockopt(SO_LINGER,len 4)", ops->getsockopt(s, SOL_SOCKET, SO_LINGER, &lg, &len));
    obs_on(o, s, "SO_LINGER={%d,%d} len=%u", lg.l_onoff, lg.l_linger, (unsigned)len);
}

SC(so_linger_zero_abort)
{
    struct pair p;
    pair_nb(ops, o, &p);
    nonblock(ops, o, p.tx, 1);
    SEND(p.tx, "pending", 0);
    /* {1,0}: close discards and resets; the peer sees ECONNRESET. */
    sc_abort(ops, o, p.tx);
    SETTLE();
    READY(p.rx);
    so_error(ops, o, p.rx);
    RECV(p.rx, 10, 0);
    RECV(p.rx, 10, 0);
    CALL(p.rx, "send", ops->send(p.rx, "x", 1, 0));
    SIGPIPE_N();
}

SC(so_linger_zero_after_fin)
{
    struct pair p;
    pair_nb(ops, o, &p);
    nonblock(ops, o, p.tx, 1);
    obs_shutdown(o, p.tx, SHUT_WR);
    SETTLE();
    RECV(p.rx, 10, 0);
    sc_abort(ops, o, p.tx);
    SETTLE();
    READY(p.rx);
    RECV(p.rx, 10, 0);
    CALL(p.rx, "send", ops->send(p.rx, "x", 1, MSG_NOSIGNAL));
}

SC(so_linger_timeout_close)
{
    struct pair p;
    pair_nb(ops, o, &p);
    struct linger lg = {1, 2};
    CALL(p.tx, "setsockopt(SO_LINGER,{1,2})",
         ops->setsockopt(p.tx, SOL_SOCKET, SO_LINGER, &lg, sizeof lg));
    SEND(p.tx, "bye", 0);
    /* Everything is acknowledged already: close returns at once, cleanly. */
    obs_close(o, p.tx);
    SETTLE();
    READY(p.rx);
    RECV(p.rx, 10, 0);
    RECV(p.rx, 10, 0);
}

SC(so_bufsizes)
{
    int fam = ops->family();
    int s = tcp_sock(ops, o, HOST_A, "tcp");
    /* TCP's defaults are tcp_rmem[1] / tcp_wmem[1] of the namespace. */
    GETINT(s, SOL_SOCKET, SO_RCVBUF);
    GETINT(s, SOL_SOCKET, SO_SNDBUF);
    /* Set values are doubled (room for bookkeeping) ... */
    SETINT(s, SOL_SOCKET, SO_RCVBUF, 10000);
    GETINT(s, SOL_SOCKET, SO_RCVBUF);
    SETINT(s, SOL_SOCKET, SO_SNDBUF, 10000);
    GETINT(s, SOL_SOCKET, SO_SNDBUF);
    /* ... with floors ... */
    SETINT(s, SOL_SOCKET, SO_RCVBUF, 1);
    GETINT(s, SOL_SOCKET, SO_RCVBUF);
    SETINT(s, SOL_SOCKET, SO_SNDBUF, 1);
    GETINT(s, SOL_SOCKET, SO_SNDBUF);
    SETINT(s, SOL_SOCKET, SO_RCVBUF, 0);
    GETINT(s, SOL_SOCKET, SO_RCVBUF);
    /* ... and ceilings (net.core.rmem_max / wmem_max: system tuning, so
     * only the relation is kept). */
    static const int opts[] = {SO_RCVBUF, SO_SNDBUF};
    for (int i = 0; i < 2; i++) {
        int big = 1 << 28, v1 = -1, v2 = -1;
        socklen_t l = sizeof v1;
        ops->setsockopt(s, SOL_SOCKET, opts[i], &big, sizeof big);
        ops->getsockopt(s, SOL_SOCKET, opts[i], &v1, &l);
        big = 1 << 29;
        ops->setsockopt(s, SOL_SOCKET, opts[i], &big, sizeof big);
        l = sizeof v2;
        ops->getsockopt(s, SOL_SOCKET, opts[i], &v2, &l);
        obs_on(o, s, "%s 2^28 and 2^29: clamped to the same even value: %s",
               opts[i] == SO_RCVBUF ? "SO_RCVBUF" : "SO_SNDBUF",
               v1 == v2 && v1 > 20000 && v1 < (1 << 29) && v1 % 2 == 0 ? "yes" : "no");
        /* A negative size is a huge unsigned one. */
        int neg = -5, v3 = -1;
        CALL(s, "setsockopt(-5)", ops->setsockopt(s, SOL_SOCKET, opts[i], &neg, sizeof neg));
        l = sizeof v3;
        ops->getsockopt(s, SOL_SOCKET, opts[i], &v3, &l);
        obs_on(o, s, "-5 reads back as the same clamp: %s", v3 == v1 ? "yes" : "no");
    }
    int u = mksock(ops, o, HOST_A, fam, SOCK_DGRAM, "udp");
    SETINT(u, SOL_SOCKET, SO_RCVBUF, 10000);
    GETINT(u, SOL_SOCKET, SO_RCVBUF);
    SETINT(u, SOL_SOCKET, SO_SNDBUF, 1);
    GETINT(u, SOL_SOCKET, SO_SNDBUF);
}

SC(so_rcvlowat)
{
    struct pair p;
    pair_nb(ops, o, &p);
    GETINT(p.rx, SOL_SOCKET, SO_RCVLOWAT);
    SETINT(p.rx, SOL_SOCKET, SO_RCVLOWAT, 0);
    GETINT(p.rx, SOL_SOCKET, SO_RCVLOWAT);
    SETINT(p.rx, SOL_SOCKET, SO_RCVLOWAT, -1);
    /* -1 is INT_MAX, capped by TCP at half of tcp_rmem[2] (tuning). */
    int lw = -7;
    socklen_t lwl = sizeof lw;
    ops->getsockopt(p.rx, SOL_SOCKET, SO_RCVLOWAT, &lw, &lwl);
    obs_on(o, p.rx, "SO_RCVLOWAT after -1: large (>= 2^20) and below INT_MAX: %s",
           lw >= (1 << 20) && lw < INT_MAX ? "yes" : "no");
    SETINT(p.rx, SOL_SOCKET, SO_RCVLOWAT, 5);
    GETINT(p.rx, SOL_SOCKET, SO_RCVLOWAT);
    SEND(p.tx, "abc", 0);
    /* Below the low-water mark: not readable, but a nonblocking read
     * still returns what is there. */
    READY(p.rx);
    RECV(p.rx, 2, 0);
    SEND(p.tx, "defgh", 0);
    READY(p.rx);
    /* A blocking read waits for the mark or for its timeout. */
    nonblock(ops, o, p.rx, 0);
    timeo(ops, o, p.rx, SO_RCVTIMEO, SHORT_TIMEO_MS);
    RECV(p.rx, 10, 0);
    SEND(p.tx, "ij", 0);
    RECV(p.rx, 10, 0);
    /* The peer's FIN makes it readable whatever the mark. */
    SEND(p.tx, "k", 0);
    obs_shutdown(o, p.tx, SHUT_WR);
    SETTLE();
    READY(p.rx);
    RECV(p.rx, 10, 0);
}

SC(so_timeo_options)
{
    int s = tcp_sock(ops, o, HOST_A, "tcp");
    static const int opts[] = {SO_RCVTIMEO, SO_SNDTIMEO};
    for (int i = 0; i < 2; i++) {
        const char *nm = opts[i] == SO_RCVTIMEO ? "SO_RCVTIMEO" : "SO_SNDTIMEO";
        struct timeval tv = {-7, -7};
        socklen_t len = sizeof tv;
        ops->getsockopt(s, SOL_SOCKET, opts[i], &tv, &len);
        obs_on(o, s, "%s default={%ld,%ld}", nm, (long)tv.tv_sec, (long)tv.tv_usec);
        struct timeval set = {1, 500000};
        CALL(s, nm, ops->setsockopt(s, SOL_SOCKET, opts[i], &set, sizeof set));
        len = sizeof tv;
        ops->getsockopt(s, SOL_SOCKET, opts[i], &tv, &len);
        obs_on(o, s, "%s={%ld,%ld}", nm, (long)tv.tv_sec, (long)tv.tv_usec);
        set.tv_sec = 0;
        set.tv_usec = 1000000;
        CALL(s, "usec=1000000", ops->setsockopt(s, SOL_SOCKET, opts[i], &set, sizeof set));
        set.tv_usec = -1;
        CALL(s, "usec=-1", ops->setsockopt(s, SOL_SOCKET, opts[i], &set, sizeof set));
        set.tv_sec = -1;
        set.tv_usec = 0;
        CALL(s, "sec=-1", ops->setsockopt(s, SOL_SOCKET, opts[i], &set, sizeof set));
        len = sizeof tv;
        ops->getsockopt(s, SOL_SOCKET, opts[i], &tv, &len);
        obs_on(o, s, "%s={%ld,%ld}", nm, (long)tv.tv_sec, (long)tv.tv_usec);
        CALL(s, "len 4", ops->setsockopt(s, SOL_SOCKET, opts[i], &set, 4));
    }
}

SC(so_rcvtimeo_recv)
{
    struct pair_opts po;
    memset(&po, 0, sizeof po);
    po.rx_blocking = 1;
    po.no_owner = 1;
    struct pair p;
    pair_open(ops, o, &po, &p);
    sc_rcvtimeo(ops, o, p.rx, SHORT_TIMEO_MS);
    RECV(p.rx, 4, 0);
    obs_read(o, p.rx, 4);
    size_t l[] = {4};
    obs_recvmsg(o, p.rx, l, 1, 0);
    SEND(p.tx, "ok", 0);
    RECV(p.rx, 4, 0);
}

SC(so_sndtimeo_send)
{
    struct pair_opts po;
    memset(&po, 0, sizeof po);
    po.rx_rcvbuf = 4096;
    po.tx_sndbuf = 4096;
    po.no_owner = 1;
    struct pair p;
    pair_open(ops, o, &po, &p);
    nonblock(ops, o, p.tx, 1);
    fill(ops, o, p.tx);
    READY(p.tx);
    nonblock(ops, o, p.tx, 0);
    timeo(ops, o, p.tx, SO_SNDTIMEO, SHORT_TIMEO_MS);
    CALL(p.tx, "send(1) full, SO_SNDTIMEO", ops->send(p.tx, "x", 1, 0));
    /* Once the peer reads, there is room again. */
    long got = drain(ops, p.rx);
    obs_on(o, p.rx, "drained: %s", got > 0 ? "yes" : "no");
    SETTLE();
    READY(p.tx);
    CALL(p.tx, "send", ops->send(p.tx, "y", 1, 0));
}

SC(so_error_clean)
{
    int s = tcp_sock(ops, o, HOST_A, "tcp");
    so_error(ops, o, s);
    int v = 5;
    CALL(s, "setsockopt(SO_ERROR)", ops->setsockopt(s, SOL_SOCKET, SO_ERROR, &v, sizeof v));
    struct pair p;
    pair_nb(ops, o, &p);
    so_error(ops, o, p.tx);
    so_error(ops, o, p.rx);
}

SC(tcp_nodelay)
{
    struct pair p;
    pair_nb(ops, o, &p);
    GETINT(p.tx, IPPROTO_TCP, TCP_NODELAY);
    SETINT(p.tx, IPPROTO_TCP, TCP_NODELAY, 1);
    GETINT(p.tx, IPPROTO_TCP, TCP_NODELAY);
    /* Data flows either way. */
    SEND(p.tx, "a", 0);
    SEND(p.tx, "b", 0);
    RECV(p.rx, 4, 0);
    SETINT(p.tx, IPPROTO_TCP, TCP_NODELAY, 0);
    GETINT(p.tx, IPPROTO_TCP, TCP_NODELAY);
    CALL(p.tx, "setsockopt(TCP_NODELAY,len 2)",
         ops->setsockopt(p.tx, IPPROTO_TCP, TCP_NODELAY, "\1\0", 2));
    char c = 1;
    CALL(p.tx, "setsockopt(TCP_NODELAY,len 1)",
         ops->setsockopt(p.tx, IPPROTO_TCP, TCP_NODELAY, &c, 1));
    GETINT(p.tx, IPPROTO_TCP, TCP_NODELAY);
}

SC(tcp_maxseg)
{
    int s = tcp_sock(ops, o, HOST_A, "tcp");
    GETINT(s, IPPROTO_TCP, TCP_MAXSEG);
    static const int vals[] = {0, 87, 88, 1000, 32767, 32768, -1};
    for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++)
        SETINT(s, IPPROTO_TCP, TCP_MAXSEG, vals[i]);
    GETINT(s, IPPROTO_TCP, TCP_MAXSEG);
    /* A connection whose ends set 1000 (timestamps take 12 of them). */
    struct pair_opts po;
    memset(&po, 0, sizeof po);
    po.maxseg = 1000;
    po.no_owner = 1;
    struct pair p;
    pair_open(ops, o, &po, &p);
    GETINT(p.tx, IPPROTO_TCP, TCP_MAXSEG);
    GETINT(p.rx, IPPROTO_TCP, TCP_MAXSEG);
    int u = mksock(ops, o, HOST_A, ops->family(), SOCK_DGRAM, "udp");
    GETINT(u, IPPROTO_TCP, TCP_MAXSEG);
}

SC(tcp_maxseg_default_path)
{
    struct pair p;
    pair_nb(ops, o, &p);
    /* The MSS a connection settles on: the link's MTU less headers and
     * the timestamp option. */
    GETINT(p.tx, IPPROTO_TCP, TCP_MAXSEG);
    GETINT(p.rx, IPPROTO_TCP, TCP_MAXSEG);
}

SC(tcp_misc_int_options)
{
    int s = tcp_sock(ops, o, HOST_A, "tcp");
    GETINT(s, IPPROTO_TCP, TCP_SYNCNT);
    SETINT(s, IPPROTO_TCP, TCP_SYNCNT, 0);
    SETINT(s, IPPROTO_TCP, TCP_SYNCNT, 3);
    SETINT(s, IPPROTO_TCP, TCP_SYNCNT, 128);
    GETINT(s, IPPROTO_TCP, TCP_SYNCNT);
    GETINT(s, IPPROTO_TCP, TCP_USER_TIMEOUT);
    SETINT(s, IPPROTO_TCP, TCP_USER_TIMEOUT, 1000);
    SETINT(s, IPPROTO_TCP, TCP_USER_TIMEOUT, -1);
    GETINT(s, IPPROTO_TCP, TCP_USER_TIMEOUT);
    GETINT(s, IPPROTO_TCP, TCP_CORK);
    SETINT(s, IPPROTO_TCP, TCP_CORK, 1);
    GETINT(s, IPPROTO_TCP, TCP_CORK);
}

static void get_cc(const struct sockops *ops, struct obs *o, int fd, socklen_t cap)
{
    char name[32];
    memset(name, '#', sizeof name);
    socklen_t len = cap;
    int r = ops->getsockopt(fd, IPPROTO_TCP, TCP_CONGESTION, name, &len);
    int e = errno;
    if (r < 0) {
        obs_on(o, fd, "getsockopt(TCP_CONGESTION,%u)=-1 %s", (unsigned)cap, obs_errname(e));
        return;
    }
    char q[128];
    obs_quote(q, sizeof q, name, len <= sizeof name ? len : sizeof name);
    obs_on(o, fd, "getsockopt(TCP_CONGESTION,%u)=0 len=%u %s", (unsigned)cap, (unsigned)len, q);
}

static void set_cc(const struct sockops *ops, struct obs *o, int fd, const char *name,
                   socklen_t len)
{
    char what[64];
    snprintf(what, sizeof what, "setsockopt(TCP_CONGESTION,'%s',%u)", name, (unsigned)len);
    CALL(fd, what, ops->setsockopt(fd, IPPROTO_TCP, TCP_CONGESTION, name, len));
}

SC(tcp_congestion)
{
    int s = tcp_sock(ops, o, HOST_A, "tcp");
    /* The default is the system's choice; only that there is one. */
    char name[32] = "";
    socklen_t len = sizeof name;
    int r = ops->getsockopt(s, IPPROTO_TCP, TCP_CONGESTION, name, &len);
    obs_on(o, s, "default: r=%d len=%u named: %s", r, (unsigned)len, name[0] ? "yes" : "no");
    set_cc(ops, o, s, "reno", 4);
    get_cc(ops, o, s, 32);
    get_cc(ops, o, s, 2);
    get_cc(ops, o, s, 0);
    set_cc(ops, o, s, "cubic", 5);
    get_cc(ops, o, s, 32);
    set_cc(ops, o, s, "reno\0junk", 9);
    get_cc(ops, o, s, 32);
    set_cc(ops, o, s, "bogus", 5);
    set_cc(ops, o, s, "", 0);
    get_cc(ops, o, s, 32);
    /* Set on a connection that is established. */
    struct pair p;
    pair_nb(ops, o, &p);
    set_cc(ops, o, p.tx, "reno", 4);
    get_cc(ops, o, p.tx, 32);
    int u = mksock(ops, o, HOST_A, ops->family(), SOCK_DGRAM, "udp");
    set_cc(ops, o, u, "reno", 4);
    get_cc(ops, o, u, 32);
}

static const char *tcp_state_name(int st)
{
    static const char *const names[] = {"?",          "ESTABLISHED", "SYN_SENT",  "SYN_RECV",
                                        "FIN_WAIT1",  "FIN_WAIT2",   "TIME_WAIT", "CLOSE",
                                        "CLOSE_WAIT", "LAST_ACK",    "LISTEN",    "CLOSING"};
    return st >= 0 && st < (int)(sizeof names / sizeof names[0]) ? names[st] : "?";
}

/* TCP_INFO: the fields that are behaviour, not timing. */
static void tcpinfo(const struct sockops *ops, struct obs *o, int fd)
{
    struct tcp_info ti;
    memset(&ti, 0, sizeof ti);
    socklen_t len = sizeof ti;
    int r = ops->getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len);
    if (r < 0) {
        obs_on(o, fd, "TCP_INFO=-1 %s", obs_errname(errno));
        return;
    }
    char opts[64] = "";
    size_t k = 0;
    if (ti.tcpi_options & TCPI_OPT_TIMESTAMPS)
        k += (size_t)snprintf(opts + k, sizeof opts - k, "%sTS", k ? "|" : "");
    if (ti.tcpi_options & TCPI_OPT_SACK)
        k += (size_t)snprintf(opts + k, sizeof opts - k, "%sSACK", k ? "|" : "");
    if (ti.tcpi_options & TCPI_OPT_WSCALE)
        k += (size_t)snprintf(opts + k, sizeof opts - k, "%sWSCALE", k ? "|" : "");
    if (ti.tcpi_options & TCPI_OPT_ECN)
        k += (size_t)snprintf(opts + k, sizeof opts - k, "%sECN", k ? "|" : "");
    obs_on(o, fd, "TCP_INFO state=%s ca_state=%u retransmits=%u options=%s",
           tcp_state_name(ti.tcpi_state), ti.tcpi_ca_state, ti.tcpi_retransmits, k ? opts : "0");
}

SC(tcp_info_states)
{
    int s = tcp_sock(ops, o, HOST_A, "fresh");
    tcpinfo(ops, o, s);
    struct synsent ss;
    syn_sent(ops, o, &ss);
    tcpinfo(ops, o, ss.ls);
    tcpinfo(ops, o, ss.c1);
    tcpinfo(ops, o, ss.c2);
    struct pair p;
    pair_nb(ops, o, &p);
    tcpinfo(ops, o, p.tx);
    tcpinfo(ops, o, p.rx);
    obs_shutdown(o, p.tx, SHUT_WR);
    SETTLE();
    tcpinfo(ops, o, p.tx);
    tcpinfo(ops, o, p.rx);
    obs_shutdown(o, p.rx, SHUT_WR);
    SETTLE();
    /* The side that closed first goes to TIME_WAIT, which the descriptor
     * no longer sees. */
    tcpinfo(ops, o, p.tx);
    tcpinfo(ops, o, p.rx);
    int u = mksock(ops, o, HOST_A, ops->family(), SOCK_DGRAM, "udp");
    tcpinfo(ops, o, u);
    struct tcp_info ti;
    socklen_t len = 4;
    CALL(p.tx, "TCP_INFO len 4", ops->getsockopt(p.tx, IPPROTO_TCP, TCP_INFO, &ti, &len));
    obs_on(o, p.tx, "len=%u", (unsigned)len);
}

SC(tcp_info_after_rst)
{
    struct pair p;
    pair_nb(ops, o, &p);
    sc_abort(ops, o, p.rx);
    SETTLE();
    tcpinfo(ops, o, p.tx);
    struct pair q;
    pair_nb(ops, o, &q);
    obs_name(o, q.tx, "tx2");
    obs_name(o, q.rx, "rx2");
    obs_close(o, q.tx);
    SETTLE();
    tcpinfo(ops, o, q.rx);
    obs_close(o, q.rx);
}

SC(sockopt_errors)
{
    int s = tcp_sock(ops, o, HOST_A, "tcp");
    int v = 1;
    socklen_t len = sizeof v;
    CALL(s, "getsockopt(SOL_SOCKET,9999)", ops->getsockopt(s, SOL_SOCKET, 9999, &v, &len));
    CALL(s, "setsockopt(SOL_SOCKET,9999)", ops->setsockopt(s, SOL_SOCKET, 9999, &v, sizeof v));
    CALL(s, "getsockopt(TCP,9999)", ops->getsockopt(s, IPPROTO_TCP, 9999, &v, &len));
    CALL(s, "setsockopt(TCP,9999)", ops->setsockopt(s, IPPROTO_TCP, 9999, &v, sizeof v));
    CALL(s, "getsockopt(level 9999)", ops->getsockopt(s, 9999, 1, &v, &len));
    CALL(s, "setsockopt(level 9999)", ops->setsockopt(s, 9999, 1, &v, sizeof v));
    CALL(s, "getsockopt(UDP level)", ops->getsockopt(s, IPPROTO_UDP, 1, &v, &len));
    /* Lengths. */
    CALL(s, "setsockopt(SO_KEEPALIVE,len 0)", ops->setsockopt(s, SOL_SOCKET, SO_KEEPALIVE, &v, 0));
    CALL(s, "setsockopt(SO_KEEPALIVE,len 2)", ops->setsockopt(s, SOL_SOCKET, SO_KEEPALIVE, &v, 2));
    CALL(s, "setsockopt(SO_KEEPALIVE,len 8)", ops->setsockopt(s, SOL_SOCKET, SO_KEEPALIVE, &v, 8));
    len = (socklen_t)-1;
    CALL(s, "getsockopt(SO_TYPE,len -1)", ops->getsockopt(s, SOL_SOCKET, SO_TYPE, &v, &len));
    len = 0;
    CALL(s, "getsockopt(SO_TYPE,len 0)", ops->getsockopt(s, SOL_SOCKET, SO_TYPE, &v, &len));
    obs_on(o, s, "len=%u", (unsigned)len);
    unsigned char b[8];
    memset(b, 0xee, sizeof b);
    len = 2;
    CALL(s, "getsockopt(SO_TYPE,len 2)", ops->getsockopt(s, SOL_SOCKET, SO_TYPE, b, &len));
    obs_on(o, s, "len=%u bytes=%02x%02x%02x", (unsigned)len, b[0], b[1], b[2]);
    len = 8;
    CALL(s, "getsockopt(SO_TYPE,len 8)", ops->getsockopt(s, SOL_SOCKET, SO_TYPE, b, &len));
    obs_on(o, s, "len=%u", (unsigned)len);
    len = 2;
    CALL(s, "getsockopt(TCP_NODELAY,len 2)", ops->getsockopt(s, IPPROTO_TCP, TCP_NODELAY, b, &len));
    obs_on(o, s, "len=%u", (unsigned)len);
    int u = mksock(ops, o, HOST_A, ops->family(), SOCK_DGRAM, "udp");
    len = sizeof v;
    CALL(u, "getsockopt(TCP_NODELAY)", ops->getsockopt(u, IPPROTO_TCP, TCP_NODELAY, &v, &len));
    CALL(u, "setsockopt(TCP_NODELAY)", ops->setsockopt(u, IPPROTO_TCP, TCP_NODELAY, &v, sizeof v));
}

SC(ip_level_options)
{
    int fam = ops->family();
    int s = tcp_sock(ops, o, HOST_A, "tcp");
    if (fam == AF_INET) {
        GETINT(s, IPPROTO_IP, IP_TTL);
        SETINT(s, IPPROTO_IP, IP_TTL, 0);
        SETINT(s, IPPROTO_IP, IP_TTL, 256);
        SETINT(s, IPPROTO_IP, IP_TTL, 7);
        GETINT(s, IPPROTO_IP, IP_TTL);
        SETINT(s, IPPROTO_IP, IP_TTL, -1);
        GETINT(s, IPPROTO_IP, IP_TTL);
        GETINT(s, IPPROTO_IP, IP_TOS);
        SETINT(s, IPPROTO_IP, IP_TOS, 0x10);
        GETINT(s, IPPROTO_IP, IP_TOS);
        GETINT(s, IPPROTO_IPV6, IPV6_V6ONLY);
    } else {
        GETINT(s, IPPROTO_IPV6, IPV6_UNICAST_HOPS);
        SETINT(s, IPPROTO_IPV6, IPV6_UNICAST_HOPS, -2);
        SETINT(s, IPPROTO_IPV6, IPV6_UNICAST_HOPS, 256);
        SETINT(s, IPPROTO_IPV6, IPV6_UNICAST_HOPS, 7);
        GETINT(s, IPPROTO_IPV6, IPV6_UNICAST_HOPS);
        SETINT(s, IPPROTO_IPV6, IPV6_UNICAST_HOPS, -1);
        GETINT(s, IPPROTO_IPV6, IPV6_UNICAST_HOPS);
        GETINT(s, IPPROTO_IPV6, IPV6_V6ONLY);
        SETINT(s, IPPROTO_IPV6, IPV6_V6ONLY, 1);
        GETINT(s, IPPROTO_IPV6, IPV6_V6ONLY);
        GETINT(s, IPPROTO_IP, IP_TTL);
    }
}

/* ================================================================
 * ioctl() and fcntl().
 * ================================================================ */

static int ioctl_int(const struct sockops *ops, struct obs *o, int fd, unsigned long req,
                     const char *name)
{
    int v = -7;
    int r = ops->ioctl(fd, req, &v);
    int e = errno;
    if (r < 0)
        obs_on(o, fd, "%s=-1 %s", name, obs_errname(e));
    else
        obs_on(o, fd, "%s=%d", name, v);
    errno = e;
    return r < 0 ? -1 : v;
}

#define IOCTL(fd, req) ioctl_int(ops, o, (fd), (req), #req)

SC(ioctl_fionread_siocoutq)
{
    struct pair p;
    pair_nb(ops, o, &p);
    IOCTL(p.rx, FIONREAD);
    IOCTL(p.tx, SIOCOUTQ);
    SEND(p.tx, "hello", 0);
    SEND(p.tx, "world", 0);
    IOCTL(p.rx, FIONREAD);
    IOCTL(p.rx, SIOCINQ);
    IOCTL(p.tx, SIOCOUTQ);
    IOCTL(p.tx, SIOCOUTQNSD);
    RECV(p.rx, 3, 0);
    IOCTL(p.rx, FIONREAD);
    obs_shutdown(o, p.tx, SHUT_WR);
    SETTLE();
    /* The FIN is not a byte. */
    IOCTL(p.rx, FIONREAD);
    RECV(p.rx, 20, 0);
    IOCTL(p.rx, FIONREAD);
    int ls = listener(ops, o, HOST_B, 4, 0, "ls");
    IOCTL(ls, FIONREAD);
    IOCTL(ls, SIOCOUTQ);
    int s = tcp_sock(ops, o, HOST_A, "fresh");
    IOCTL(s, FIONREAD);
    IOCTL(s, SIOCOUTQ);
}

SC(ioctl_siocoutq_full)
{
    struct pair_opts po;
    memset(&po, 0, sizeof po);
    po.rx_rcvbuf = 4096;
    po.tx_sndbuf = 4096;
    po.no_owner = 1;
    po.tx_nonblocking = 1;
    struct pair p;
    pair_open(ops, o, &po, &p);
    long n = fill(ops, o, p.tx);
    int outq = -1, nsd = -1, inq = -1;
    ops->ioctl(p.tx, SIOCOUTQ, &outq);
    ops->ioctl(p.tx, SIOCOUTQNSD, &nsd);
    ops->ioctl(p.rx, FIONREAD, &inq);
    /* Whatever the buffers hold: sender's queue + receiver's queue account
     * for every byte, and the unsent part is what the window holds back. */
    obs_on(o, p.tx, "outq>0: %s  outq+inq==sent: %s  0<nsd<=outq: %s", outq > 0 ? "yes" : "no",
           (long)outq + inq == n ? "yes" : "no", nsd > 0 && nsd <= outq ? "yes" : "no");
    long got = drain(ops, p.rx);
    SETTLE();
    got += drain(ops, p.rx);
    IOCTL(p.tx, SIOCOUTQ);
    obs_on(o, p.rx, "received everything: %s", got == n ? "yes" : "no");
}

SC(ioctl_fionbio)
{
    struct pair_opts po;
    memset(&po, 0, sizeof po);
    po.rx_blocking = 1;
    po.no_owner = 1;
    struct pair p;
    pair_open(ops, o, &po, &p);
    int on = 1;
    CALL(p.rx, "ioctl(FIONBIO,1)", ops->ioctl(p.rx, FIONBIO, &on));
    int fl = ops->fcntl(p.rx, F_GETFL, 0);
    obs_on(o, p.rx, "O_NONBLOCK=%d", fl >= 0 && (fl & O_NONBLOCK) ? 1 : 0);
    RECV(p.rx, 4, 0);
    on = 0;
    CALL(p.rx, "ioctl(FIONBIO,0)", ops->ioctl(p.rx, FIONBIO, &on));
    fl = ops->fcntl(p.rx, F_GETFL, 0);
    obs_on(o, p.rx, "O_NONBLOCK=%d", fl >= 0 && (fl & O_NONBLOCK) ? 1 : 0);
    on = 42;
    CALL(p.rx, "ioctl(FIONBIO,42)", ops->ioctl(p.rx, FIONBIO, &on));
    fl = ops->fcntl(p.rx, F_GETFL, 0);
    obs_on(o, p.rx, "O_NONBLOCK=%d", fl >= 0 && (fl & O_NONBLOCK) ? 1 : 0);
}

SC(ioctl_unknown)
{
    int s = tcp_sock(ops, o, HOST_A, "tcp");
    int v = 0;
    CALL(s, "ioctl(TCGETS)", ops->ioctl(s, 0x5401, &v));
    int u = mksock(ops, o, HOST_A, ops->family(), SOCK_DGRAM, "udp");
    CALL(u, "ioctl(TCGETS)", ops->ioctl(u, 0x5401, &v));
    CALL(u, "ioctl(SIOCATMARK)", ops->ioctl(u, SIOCATMARK, &v));
    CALL(u, "ioctl(SIOCOUTQNSD)", ops->ioctl(u, SIOCOUTQNSD, &v));
}

SC(fcntl_flags)
{
    int s = tcp_sock(ops, o, HOST_A, "tcp");
    int fl = ops->fcntl(s, F_GETFL, 0);
    obs_on(o, s, "F_GETFL accmode=%s O_NONBLOCK=%d", (fl & O_ACCMODE) == O_RDWR ? "O_RDWR" : "?",
           fl & O_NONBLOCK ? 1 : 0);
    CALL(s, "F_SETFL(O_NONBLOCK)", ops->fcntl(s, F_SETFL, O_NONBLOCK));
    fl = ops->fcntl(s, F_GETFL, 0);
    obs_on(o, s, "F_GETFL accmode=%s O_NONBLOCK=%d", (fl & O_ACCMODE) == O_RDWR ? "O_RDWR" : "?",
           fl & O_NONBLOCK ? 1 : 0);
    /* The access mode cannot be changed. */
    CALL(s, "F_SETFL(O_RDONLY)", ops->fcntl(s, F_SETFL, O_RDONLY));
    fl = ops->fcntl(s, F_GETFL, 0);
    obs_on(o, s, "F_GETFL accmode=%s O_NONBLOCK=%d", (fl & O_ACCMODE) == O_RDWR ? "O_RDWR" : "?",
           fl & O_NONBLOCK ? 1 : 0);
    CALL(s, "F_GETFD", ops->fcntl(s, F_GETFD, 0));
    CALL(s, "F_SETFD(FD_CLOEXEC)", ops->fcntl(s, F_SETFD, FD_CLOEXEC));
    CALL(s, "F_GETFD", ops->fcntl(s, F_GETFD, 0));
    ops->host(HOST_A);
    int c = ops->socket(ops->family(), SOCK_STREAM | SOCK_CLOEXEC, 0);
    obs_name(o, c, "cloexec");
    CALL(c, "F_GETFD", ops->fcntl(c, F_GETFD, 0));
}

/* F_GETOWN's answer as "0", "self", "-pgrp" or "-1 ENAME": a process
 * group owner comes back negative, which is not an error. */
static void get_owner(const struct sockops *ops, struct obs *o, int fd)
{
    long pid = (long)getpid();
    long pg = (long)getpgrp();
    errno = 0;
    int r = ops->fcntl(fd, F_GETOWN, 0);
    int e = errno;
    if (r == 0 || r == pid || (r == -pg && pg != 1))
        obs_on(o, fd, "F_GETOWN=%s", r == 0 ? "0" : r == pid ? "self" : "-pgrp");
    else if (r == -1)
        obs_on(o, fd, "F_GETOWN=-1 %s", errname(e));
    else
        obs_on(o, fd, "F_GETOWN=other");
}

SC(fcntl_owner)
{
    struct pair p;
    pair_nb(ops, o, &p);
    long pid = (long)getpid();
    long pg = (long)getpgrp();
    get_owner(ops, o, p.tx);
    sc_setown(ops, o, p.tx, pid);
    get_owner(ops, o, p.tx);
    sc_setown(ops, o, p.tx, -pg);
    get_owner(ops, o, p.tx);
    sc_setown(ops, o, p.tx, 0);
    get_owner(ops, o, p.tx);
    int r;
    /* A process that does not exist. */
    r = ops->fcntl(p.tx, F_SETOWN, 0x3ffffff0L);
    obs_on(o, p.tx, "F_SETOWN(no such pid)=%s", r < 0 ? errname(errno) : "0");
    /* FIOGETOWN / SIOCGPGRP read the same owner. */
    sc_setown(ops, o, p.tx, pid);
    int v = -7;
    r = ops->ioctl(p.tx, FIOGETOWN, &v);
    obs_on(o, p.tx, "FIOGETOWN=%s", r < 0 ? obs_errname(errno) : v == pid ? "self" : "other");
    v = -7;
    r = ops->ioctl(p.tx, SIOCGPGRP, &v);
    obs_on(o, p.tx, "SIOCGPGRP=%s", r < 0 ? obs_errname(errno) : v == pid ? "self" : "other");
    /* An accepted socket does not inherit the listener's owner. */
    int ls = listener(ops, o, HOST_B, 4, 0, "ls");
    sc_setown(ops, o, ls, pid);
    int c = tcp_sock(ops, o, HOST_A, "c");
    connect_to(ops, o, c, ls);
    SETTLE();
    int a = ops->accept(ls, NULL, NULL);
    obs_name(o, a, "a");
    get_owner(ops, o, a);
}

/* ================================================================
 * getsockname() / getpeername().
 * ================================================================ */

SC(names_unbound_and_bound)
{
    int fam = ops->family();
    int s = tcp_sock(ops, o, HOST_A, "tcp");
    obs_name_call(ops, o, s, 0, HOST_A);
    obs_name_call(ops, o, s, 1, HOST_A);
    bind_ok(ops, o, s, HOST_A, 0);
    obs_name_call(ops, o, s, 0, HOST_A);
    int u = mksock(ops, o, HOST_A, fam, SOCK_DGRAM, "udp");
    obs_name_call(ops, o, u, 0, HOST_A);
    obs_name_call(ops, o, u, 1, HOST_A);
    struct sockaddr_storage any;
    socklen_t al;
    any_addr(fam, &any, &al);
    CALL(u, "bind(any)", ops->bind(u, (struct sockaddr *)&any, al));
    obs_name_call(ops, o, u, 0, HOST_A);
}

SC(names_connected)
{
    struct pair_opts po;
    memset(&po, 0, sizeof po);
    po.keep_listener = 1;
    po.no_owner = 1;
    struct pair p;
    pair_open(ops, o, &po, &p);
    obs_name_call(ops, o, p.ls, 0, HOST_B);
    obs_name_call(ops, o, p.ls, 1, HOST_B);
    obs_name_call(ops, o, p.tx, 0, HOST_A);
    obs_name_call(ops, o, p.tx, 1, HOST_B);
    obs_name_call(ops, o, p.rx, 0, HOST_B);
    obs_name_call(ops, o, p.rx, 1, HOST_A);
    /* The two ends agree on each other's ports, and the accepted socket
     * has the listener's port. */
    struct sockaddr_storage a, b, c, d, l;
    socklen_t la = sizeof a, lb = sizeof b, lc = sizeof c, ld = sizeof d, ll = sizeof l;
    ops->getsockname(p.tx, (struct sockaddr *)&a, &la);
    ops->getpeername(p.rx, (struct sockaddr *)&b, &lb);
    ops->getsockname(p.rx, (struct sockaddr *)&c, &lc);
    ops->getpeername(p.tx, (struct sockaddr *)&d, &ld);
    ops->getsockname(p.ls, (struct sockaddr *)&l, &ll);
    obs_line(o, "tx name == rx peer: %s; rx name == tx peer: %s; rx port == ls port: %s",
             ss_port(&a) == ss_port(&b) && addr_equal(&a, &b) ? "yes" : "no",
             ss_port(&c) == ss_port(&d) && addr_equal(&c, &d) ? "yes" : "no",
             ss_port(&c) == ss_port(&l) ? "yes" : "no");
    /* After the peer is gone the name stays, and so does the peer's. */
    sc_abort(ops, o, p.rx);
    SETTLE();
    obs_name_call(ops, o, p.tx, 0, HOST_A);
    obs_name_call(ops, o, p.tx, 1, HOST_B);
}

SC(names_truncated)
{
    struct pair p;
    pair_nb(ops, o, &p);
    unsigned char buf[64];
    memset(buf, 0xee, sizeof buf);
    socklen_t len = 4;
    CALL(p.tx, "getsockname(len 4)", ops->getsockname(p.tx, (struct sockaddr *)buf, &len));
    sa_family_t f;
    memcpy(&f, buf, sizeof f);
    obs_on(o, p.tx, "len after=%u family=%s byte[4] untouched: %s", (unsigned)len, fam_name(f),
           buf[4] == 0xee ? "yes" : "no");
    len = 0;
    CALL(p.tx, "getpeername(len 0)", ops->getpeername(p.tx, (struct sockaddr *)buf, &len));
    obs_on(o, p.tx, "len after=%u", (unsigned)len);
    len = (socklen_t)-1;
    CALL(p.tx, "getsockname(len -1)", ops->getsockname(p.tx, (struct sockaddr *)buf, &len));
    len = 200;
    CALL(p.tx, "getsockname(len 200)", ops->getsockname(p.tx, (struct sockaddr *)buf, &len));
    obs_on(o, p.tx, "len after=%u", (unsigned)len);
}

SC(names_after_shutdown_and_close)
{
    struct pair p;
    pair_nb(ops, o, &p);
    obs_shutdown(o, p.tx, SHUT_RDWR);
    SETTLE();
    obs_name_call(ops, o, p.tx, 0, HOST_A);
    obs_name_call(ops, o, p.tx, 1, HOST_B);
    obs_close(o, p.rx);
    SETTLE();
    obs_name_call(ops, o, p.tx, 0, HOST_A);
    obs_name_call(ops, o, p.tx, 1, HOST_B);
}

/* ================================================================
 * Connection life cycles.
 * ================================================================ */

SC(close_orderly)
{
    struct pair p;
    pair_nb(ops, o, &p);
    nonblock(ops, o, p.tx, 1);
    SEND(p.tx, "last words", 0);
    obs_close(o, p.tx);
    SETTLE();
    READY(p.rx);
    RECV(p.rx, 4, 0);
    RECV(p.rx, 20, 0);
    RECV(p.rx, 20, 0);
    RECV(p.rx, 20, 0);
    so_error(ops, o, p.rx);
    obs_close(o, p.rx);
    SETTLE();
}

SC(half_close_client_wr)
{
    struct pair p;
    pair_nb(ops, o, &p);
    nonblock(ops, o, p.tx, 1);
    SEND(p.tx, "request", 0);
    obs_shutdown(o, p.tx, SHUT_WR);
    SETTLE();
    READY(p.tx);
    READY(p.rx);
    RECV(p.rx, 20, 0);
    RECV(p.rx, 20, 0);
    /* The other direction is open: a response, then the server's FIN. */
    SEND(p.rx, "response", 0);
    RECV(p.tx, 20, 0);
    obs_shutdown(o, p.rx, SHUT_WR);
    SETTLE();
    READY(p.tx);
    READY(p.rx);
    RECV(p.tx, 20, 0);
    obs_shutdown(o, p.tx, SHUT_WR);
    obs_shutdown(o, p.tx, SHUT_RD);
}

SC(half_close_server_wr)
{
    struct pair p;
    pair_nb(ops, o, &p);
    nonblock(ops, o, p.tx, 1);
    obs_shutdown(o, p.rx, SHUT_WR);
    SETTLE();
    READY(p.tx);
    RECV(p.tx, 20, 0);
    SEND(p.tx, "still talking", 0);
    RECV(p.rx, 20, 0);
    CALL(p.rx, "send", ops->send(p.rx, "x", 1, 0));
    SIGPIPE_N();
    obs_close(o, p.tx);
    SETTLE();
    READY(p.rx);
    RECV(p.rx, 20, 0);
}

SC(shutdown_rd_then_data)
{
    struct pair p;
    pair_nb(ops, o, &p);
    nonblock(ops, o, p.tx, 1);
    SEND(p.tx, "before", 0);
    obs_shutdown(o, p.rx, SHUT_RD);
    SETTLE();
    READY(p.rx);
    /* Queued data after SHUT_RD; then data that arrives after it. */
    RECV(p.rx, 20, 0);
    SEND(p.tx, "after", 0);
    READY(p.rx);
    RECV(p.rx, 20, 0);
    RECV(p.rx, 20, 0);
    READY(p.tx);
    /* SHUT_RD sends nothing: the peer can still write, and this side. */
    SEND(p.rx, "reply", 0);
    RECV(p.tx, 20, 0);
}

SC(shutdown_errors)
{
    struct pair p;
    pair_nb(ops, o, &p);
    CALL(p.tx, "shutdown(3)", ops->shutdown(p.tx, 3));
    CALL(p.tx, "shutdown(-1)", ops->shutdown(p.tx, -1));
    obs_shutdown(o, p.tx, SHUT_WR);
    obs_shutdown(o, p.tx, SHUT_WR);
    obs_shutdown(o, p.tx, SHUT_RDWR);
    SETTLE();
    READY(p.tx);
    READY(p.rx);
}

SC(rst_lifecycle)
{
    struct pair p;
    pair_nb(ops, o, &p);
    nonblock(ops, o, p.tx, 1);
    sc_abort(ops, o, p.tx);
    SETTLE();
    READY(p.rx);
    RECV(p.rx, 4, 0);
    READY(p.rx);
    RECV(p.rx, 4, 0);
    so_error(ops, o, p.rx);
    obs_shutdown(o, p.rx, SHUT_RDWR);
    obs_close(o, p.rx);
}

SC(write_after_peer_close_rst)
{
    struct pair p;
    pair_nb(ops, o, &p);
    nonblock(ops, o, p.tx, 1);
    obs_close(o, p.tx);
    SETTLE();
    /* rx got a FIN; its data reaches a closed socket, which resets. */
    CALL(p.rx, "send", ops->send(p.rx, "x", 1, MSG_NOSIGNAL));
    SETTLE();
    READY(p.rx);
    RECV(p.rx, 4, 0);
    RECV(p.rx, 4, 0);
    CALL(p.rx, "send", ops->send(p.rx, "y", 1, MSG_NOSIGNAL));
}

/* TIME_WAIT holds the port of the side that closed first. */
static void time_wait_case(const struct sockops *ops, struct obs *o, int reuse_first, int client)
{
    int ls = listener(ops, o, HOST_B, 4, client ? 0 : reuse_first, "ls");
    int c = tcp_sock(ops, o, HOST_A, "c");
    if (client && reuse_first)
        setint_ok(ops, o, c, SOL_SOCKET, SO_REUSEADDR, 1);
    connect_to(ops, o, c, ls);
    SETTLE();
    int a = ops->accept(ls, NULL, NULL);
    obs_name(o, a, "a");
    int first = client ? c : a, second = client ? a : c;
    int h = client ? HOST_A : HOST_B;
    int port = local_port(ops, o, first);
    obs_close(o, first);
    SETTLE();
    obs_close(o, second);
    SETTLE();
    if (!client)
        obs_close(o, ls);
    struct sockaddr_storage ss;
    socklen_t len;
    host_addr(ops, o, h, ops->family(), &ss, &len);
    ss_setport(&ss, port);
    int n1 = tcp_sock(ops, o, h, "new");
    CALL(n1, "bind(port in TIME_WAIT)", ops->bind(n1, (struct sockaddr *)&ss, len));
    ops->close(n1);
    int n2 = tcp_sock(ops, o, h, "new_reuse");
    setint_ok(ops, o, n2, SOL_SOCKET, SO_REUSEADDR, 1);
    int r = ops->bind(n2, (struct sockaddr *)&ss, len);
    rc_line(o, n2, "bind(port in TIME_WAIT)", r, errno);
    if (!client && r == 0)
        CALL(n2, "listen", ops->listen(n2, 4));
}

SC(time_wait_client_bind)
{
    time_wait_case(ops, o, 0, 1);
}

SC(time_wait_client_bind_both_reuse)
{
    time_wait_case(ops, o, 1, 1);
}

SC(time_wait_server_bind)
{
    time_wait_case(ops, o, 0, 0);
}

SC(time_wait_server_bind_both_reuse)
{
    time_wait_case(ops, o, 1, 0);
}

SC(listener_close_pending)
{
    int ls = listener(ops, o, HOST_B, 4, 0, "ls");
    int c = tcp_sock(ops, o, HOST_A, "c");
    connect_to(ops, o, c, ls);
    SETTLE();
    SEND(c, "queued", 0);
    /* Closing a listener resets the connections nobody accepted. */
    obs_close(o, ls);
    SETTLE();
    nonblock(ops, o, c, 1);
    READY(c);
    RECV(c, 10, 0);
    CALL(c, "send", ops->send(c, "x", 1, MSG_NOSIGNAL));
}

SC(listener_shutdown)
{
    int ls = listener(ops, o, HOST_B, 4, 0, "ls");
    nonblock(ops, o, ls, 1);
    obs_shutdown(o, ls, SHUT_RD);
    READY(ls);
    FDCALL(ls, "accept", ops->accept(ls, NULL, NULL));
    GETINT(ls, SOL_SOCKET, SO_ACCEPTCONN);
    /* After shutdown the listener is gone: connects are refused. */
    int c = tcp_sock(ops, o, HOST_A, "c");
    connect_to(ops, o, c, ls);
    CALL(ls, "listen again", ops->listen(ls, 4));
}

SC(data_both_ways_large)
{
    struct pair p;
    pair_nb(ops, o, &p);
    nonblock(ops, o, p.tx, 1);
    /* 100000 bytes each way, interleaved with reads; only totals and the
     * hash of what arrived are recorded. */
    static unsigned char big[100000];
    for (size_t i = 0; i < sizeof big; i++)
        big[i] = (unsigned char)(i * 7 + 3);
    size_t sent[2] = {0, 0}, got[2] = {0, 0};
    unsigned char *rcv[2] = {malloc(sizeof big), malloc(sizeof big)};
    int snd[2] = {p.tx, p.rx};
    for (int round = 0; round < 10000 && (got[0] < sizeof big || got[1] < sizeof big); round++) {
        for (int d = 0; d < 2; d++) {
            if (sent[d] < sizeof big) {
                ssize_t r = ops->send(snd[d], big + sent[d], sizeof big - sent[d], MSG_NOSIGNAL);
                if (r > 0)
                    sent[d] += (size_t)r;
            }
            ssize_t r = ops->recv(snd[1 - d], rcv[d] + got[d], sizeof big - got[d], 0);
            if (r > 0)
                got[d] += (size_t)r;
        }
        ops->settle(SETTLE_MS);
    }
    for (int d = 0; d < 2; d++) {
        char q[128];
        obs_quote(q, sizeof q, rcv[d], got[d]);
        obs_on(o, snd[1 - d], "received %zu: %s intact: %s", got[d], q,
               got[d] == sizeof big && memcmp(rcv[d], big, sizeof big) == 0 ? "yes" : "no");
        free(rcv[d]);
    }
}

/* ================================================================
 * Readiness: poll, select and epoll in each state.
 * ================================================================ */

SC(ready_unconnected)
{
    int s = tcp_sock(ops, o, HOST_A, "fresh");
    READY(s);
    obs_poll_all(o, s);
    bind_ok(ops, o, s, HOST_A, 0);
    READY(s);
    int u = mksock(ops, o, HOST_A, ops->family(), SOCK_DGRAM, "udp");
    READY(u);
    obs_poll_all(o, u);
}

SC(ready_connecting)
{
    struct synsent s;
    syn_sent(ops, o, &s);
    READY(s.c2);
    obs_poll_all(o, s.c2);
    READY(s.ls);
}

SC(ready_established)
{
    struct pair p;
    pair_nb(ops, o, &p);
    READY(p.tx);
    READY(p.rx);
    obs_poll_all(o, p.rx);
    SEND(p.tx, "x", 0);
    READY(p.rx);
    obs_poll_all(o, p.rx);
    RECV(p.rx, 4, 0);
    READY(p.rx);
}

SC(ready_peer_fin)
{
    struct pair p;
    pair_nb(ops, o, &p);
    SEND(p.tx, "x", 0);
    obs_shutdown(o, p.tx, SHUT_WR);
    SETTLE();
    READY(p.rx);
    obs_poll_all(o, p.rx);
    RECV(p.rx, 4, 0);
    READY(p.rx);
    READY(p.tx);
    obs_close(o, p.tx);
    SETTLE();
    READY(p.rx);
}

SC(ready_peer_rst)
{
    struct pair p;
    pair_nb(ops, o, &p);
    sc_abort(ops, o, p.tx);
    SETTLE();
    READY(p.rx);
    obs_poll_all(o, p.rx);
    so_error(ops, o, p.rx);
    READY(p.rx);
    RECV(p.rx, 4, 0);
    READY(p.rx);
}

SC(ready_listener_pending)
{
    int ls = listener(ops, o, HOST_B, 4, 0, "ls");
    READY(ls);
    int c = tcp_sock(ops, o, HOST_A, "c");
    connect_to(ops, o, c, ls);
    SETTLE();
    READY(ls);
    obs_poll_all(o, ls);
    int a = ops->accept(ls, NULL, NULL);
    obs_name(o, a, "a");
    READY(ls);
    READY(a);
}

SC(ready_after_shutdown)
{
    struct pair p;
    pair_nb(ops, o, &p);
    obs_shutdown(o, p.tx, SHUT_WR);
    SETTLE();
    READY(p.tx);
    struct pair q;
    pair_nb(ops, o, &q);
    obs_name(o, q.tx, "tx2");
    obs_name(o, q.rx, "rx2");
    obs_shutdown(o, q.tx, SHUT_RD);
    SETTLE();
    READY(q.tx);
    READY(q.rx);
    struct pair r;
    pair_nb(ops, o, &r);
    obs_name(o, r.tx, "tx3");
    obs_name(o, r.rx, "rx3");
    obs_shutdown(o, r.tx, SHUT_RDWR);
    SETTLE();
    READY(r.tx);
    READY(r.rx);
    obs_shutdown(o, r.rx, SHUT_WR);
    SETTLE();
    READY(r.tx);
    READY(r.rx);
}

SC(ready_send_buffer_full)
{
    struct pair_opts po;
    memset(&po, 0, sizeof po);
    po.rx_rcvbuf = 4096;
    po.tx_sndbuf = 4096;
    po.no_owner = 1;
    po.tx_nonblocking = 1;
    struct pair p;
    pair_open(ops, o, &po, &p);
    fill(ops, o, p.tx);
    READY(p.tx);
    READY(p.rx);
    drain(ops, p.rx);
    SETTLE();
    READY(p.tx);
}

SC(ready_closed_fd)
{
    int s = tcp_sock(ops, o, HOST_A, "s");
    ops->close(s);
    struct pollfd pf = {.fd = s, .events = POLLIN};
    int n = ops->poll(&pf, 1, 0);
    char b[64];
    obs_pollbits(b, sizeof b, (unsigned short)pf.revents);
    obs_on(o, s, "poll=%d revents=%s", n, b);
    fd_set r;
    FD_ZERO(&r);
    FD_SET(s, &r);
    struct timeval tv = {0, 0};
    CALL(s, "select", ops->select(s + 1, &r, NULL, NULL, &tv));
}

SC(poll_select_timeouts)
{
    struct pair p;
    pair_nb(ops, o, &p);
    struct pollfd pf = {.fd = p.rx, .events = POLLIN};
    CALL(p.rx, "poll(IN, 50 ms)", ops->poll(&pf, 1, 50));
    fd_set r;
    FD_ZERO(&r);
    FD_SET(p.rx, &r);
    struct timeval tv = {0, 50000};
    CALL(p.rx, "select(r, 50 ms)", ops->select(p.rx + 1, &r, NULL, NULL, &tv));
    obs_on(o, p.rx, "rx still in the set: %s", FD_ISSET(p.rx, &r) ? "yes" : "no");
    /* events 0: only the conditions poll always reports. */
    pf.events = 0;
    CALL(p.rx, "poll(events 0)", ops->poll(&pf, 1, 0));
    /* Two descriptors, one ready. */
    SEND(p.tx, "x", 0);
    struct pollfd two[2] = {{.fd = p.tx, .events = POLLIN}, {.fd = p.rx, .events = POLLIN}};
    int n = ops->poll(two, 2, 1000);
    char b0[64], b1[64];
    obs_pollbits(b0, sizeof b0, (unsigned short)two[0].revents);
    obs_pollbits(b1, sizeof b1, (unsigned short)two[1].revents);
    obs_line(o, "poll([tx IN, rx IN])=%d revents=[%s,%s]", n, b0, b1);
    CALL(p.rx, "poll(nfds 0, 10 ms)", ops->poll(NULL, 0, 10));
    tv.tv_sec = 0;
    tv.tv_usec = -1;
    FD_ZERO(&r);
    FD_SET(p.rx, &r);
    CALL(p.rx, "select(tv_usec -1)", ops->select(p.rx + 1, &r, NULL, NULL, &tv));
}

SC(poll_waits_for_data)
{
    struct pair p;
    pair_nb(ops, o, &p);
    /* A blocking poll wakes when data arrives: the send is made first and
     * then the wait, which must return at once with the data there. */
    ops->send(p.tx, "wake", 4, 0);
    struct pollfd pf = {.fd = p.rx, .events = POLLIN};
    int n = ops->poll(&pf, 1, 3000);
    char b[64];
    obs_pollbits(b, sizeof b, (unsigned short)pf.revents);
    obs_on(o, p.rx, "poll(IN, 3 s)=%d revents=%s", n, b);
    RECV(p.rx, 10, 0);
    /* select on the write side of a fresh connection. */
    fd_set w;
    FD_ZERO(&w);
    FD_SET(p.tx, &w);
    struct timeval tv = {3, 0};
    CALL(p.tx, "select(w, 3 s)", ops->select(p.tx + 1, NULL, &w, NULL, &tv));
}

/* ================================================================
 * epoll.
 * ================================================================ */

static int ep_new(const struct sockops *ops, struct obs *o)
{
    int ep = ops->epoll_create1(0);
    if (ep < 0)
        obs_fail(o, "setup: epoll_create1: %s", obs_errname(errno));
    obs_name(o, ep, "ep");
    return ep;
}

static void ep_add(const struct sockops *ops, struct obs *o, int ep, int fd, unsigned events)
{
    struct epoll_event ev;
    memset(&ev, 0, sizeof ev);
    ev.events = events;
    ev.data.fd = fd;
    if (ops->epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) < 0)
        obs_fail(o, "setup: epoll_ctl: %s", obs_errname(errno));
}

/* epoll_wait(timeout 0) recorded: count and, per event, the socket's name
 * (from data.fd) and its bits. */
static int ep_wait(const struct sockops *ops, struct obs *o, int ep, int timeout)
{
    struct epoll_event evs[8];
    memset(evs, 0, sizeof evs);
    int n = ops->epoll_wait(ep, evs, 8, timeout);
    int e = errno;
    if (n < 0) {
        obs_on(o, ep, "wait=-1 %s", obs_errname(e));
        return n;
    }
    char line[512];
    size_t k = (size_t)snprintf(line, sizeof line, "wait=%d", n);
    for (int i = 0; i < n; i++) {
        char b[128];
        obs_pollbits(b, sizeof b, evs[i].events);
        k +=
            (size_t)snprintf(line + k, sizeof line - k, " %s:%s", obs_fdname(o, evs[i].data.fd), b);
    }
    obs_on(o, ep, "%s", line);
    return n;
}

SC(epoll_level_triggered)
{
    struct pair p;
    pair_nb(ops, o, &p);
    int ep = ep_new(ops, o);
    ep_add(ops, o, ep, p.rx, EPOLLIN | EPOLLRDHUP);
    ep_wait(ops, o, ep, 0);
    SEND(p.tx, "ab", 0);
    ep_wait(ops, o, ep, 0);
    ep_wait(ops, o, ep, 0);
    RECV(p.rx, 1, 0);
    ep_wait(ops, o, ep, 0);
    RECV(p.rx, 1, 0);
    ep_wait(ops, o, ep, 0);
    obs_shutdown(o, p.tx, SHUT_WR);
    SETTLE();
    ep_wait(ops, o, ep, 0);
    ep_wait(ops, o, ep, 0);
}

SC(epoll_edge_triggered)
{
    struct pair p;
    pair_nb(ops, o, &p);
    int ep = ep_new(ops, o);
    ep_add(ops, o, ep, p.rx, EPOLLIN | EPOLLRDHUP | EPOLLET);
    ep_wait(ops, o, ep, 0);
    SEND(p.tx, "ab", 0);
    ep_wait(ops, o, ep, 0);
    ep_wait(ops, o, ep, 0);
    /* A partial read is not an edge. */
    RECV(p.rx, 1, 0);
    ep_wait(ops, o, ep, 0);
    /* New data is. */
    SEND(p.tx, "c", 0);
    ep_wait(ops, o, ep, 0);
    ep_wait(ops, o, ep, 0);
    RECV(p.rx, 10, 0);
    obs_shutdown(o, p.tx, SHUT_WR);
    SETTLE();
    ep_wait(ops, o, ep, 0);
    ep_wait(ops, o, ep, 0);
}

SC(epoll_et_out)
{
    struct pair p;
    pair_nb(ops, o, &p);
    nonblock(ops, o, p.tx, 1);
    int ep = ep_new(ops, o);
    ep_add(ops, o, ep, p.tx, EPOLLOUT | EPOLLET);
    ep_wait(ops, o, ep, 0);
    ep_wait(ops, o, ep, 0);
    /* Sending while writable, and the ACK for it. */
    SEND(p.tx, "x", 0);
    ep_wait(ops, o, ep, 0);
    /* Re-arming with MOD reports the current state again. */
    struct epoll_event ev;
    memset(&ev, 0, sizeof ev);
    ev.events = EPOLLOUT | EPOLLET;
    ev.data.fd = p.tx;
    CALL(ep, "epoll_ctl(MOD)", ops->epoll_ctl(ep, EPOLL_CTL_MOD, p.tx, &ev));
    ep_wait(ops, o, ep, 0);
    ep_wait(ops, o, ep, 0);
}

SC(epoll_et_after_full)
{
    struct pair_opts po;
    memset(&po, 0, sizeof po);
    po.rx_rcvbuf = 4096;
    po.tx_sndbuf = 4096;
    po.no_owner = 1;
    po.tx_nonblocking = 1;
    struct pair p;
    pair_open(ops, o, &po, &p);
    int ep = ep_new(ops, o);
    ep_add(ops, o, ep, p.tx, EPOLLOUT | EPOLLET);
    ep_wait(ops, o, ep, 0);
    fill(ops, o, p.tx);
    ep_wait(ops, o, ep, 0);
    /* The peer reads: room again is an edge. */
    drain(ops, p.rx);
    SETTLE();
    ep_wait(ops, o, ep, 0);
    ep_wait(ops, o, ep, 0);
}

SC(epoll_oneshot)
{
    struct pair p;
    pair_nb(ops, o, &p);
    int ep = ep_new(ops, o);
    ep_add(ops, o, ep, p.rx, EPOLLIN | EPOLLONESHOT);
    SEND(p.tx, "a", 0);
    ep_wait(ops, o, ep, 0);
    ep_wait(ops, o, ep, 0);
    SEND(p.tx, "b", 0);
    ep_wait(ops, o, ep, 0);
    struct epoll_event ev;
    memset(&ev, 0, sizeof ev);
    ev.events = EPOLLIN | EPOLLONESHOT;
    ev.data.fd = p.rx;
    /* Disabled, not removed: ADD says it exists, MOD re-arms. */
    CALL(ep, "epoll_ctl(ADD)", ops->epoll_ctl(ep, EPOLL_CTL_ADD, p.rx, &ev));
    CALL(ep, "epoll_ctl(MOD)", ops->epoll_ctl(ep, EPOLL_CTL_MOD, p.rx, &ev));
    ep_wait(ops, o, ep, 0);
    ep_wait(ops, o, ep, 0);
    CALL(ep, "epoll_ctl(DEL)", ops->epoll_ctl(ep, EPOLL_CTL_DEL, p.rx, NULL));
    ep_wait(ops, o, ep, 0);
}

SC(epoll_ctl_errors)
{
    struct pair p;
    pair_nb(ops, o, &p);
    int ep = ep_new(ops, o);
    struct epoll_event ev;
    memset(&ev, 0, sizeof ev);
    ev.events = EPOLLIN;
    ev.data.fd = p.rx;
    CALL(ep, "ADD rx", ops->epoll_ctl(ep, EPOLL_CTL_ADD, p.rx, &ev));
    CALL(ep, "ADD rx again", ops->epoll_ctl(ep, EPOLL_CTL_ADD, p.rx, &ev));
    CALL(ep, "MOD tx (not added)", ops->epoll_ctl(ep, EPOLL_CTL_MOD, p.tx, &ev));
    CALL(ep, "DEL tx (not added)", ops->epoll_ctl(ep, EPOLL_CTL_DEL, p.tx, &ev));
    CALL(ep, "ADD ep itself", ops->epoll_ctl(ep, EPOLL_CTL_ADD, ep, &ev));
    CALL(ep, "ADD -1", ops->epoll_ctl(ep, EPOLL_CTL_ADD, -1, &ev));
    CALL(ep, "op 99", ops->epoll_ctl(ep, 99, p.tx, &ev));
    CALL(ep, "ADD tx NULL event", ops->epoll_ctl(ep, EPOLL_CTL_ADD, p.tx, NULL));
    CALL(ep, "epoll_ctl on a socket", ops->epoll_ctl(p.tx, EPOLL_CTL_ADD, p.rx, &ev));
    struct epoll_event out[1];
    CALL(ep, "wait(maxevents 0)", ops->epoll_wait(ep, out, 0, 0));
    CALL(ep, "wait(maxevents -1)", ops->epoll_wait(ep, out, -1, 0));
    CALL(ep, "wait on a socket", ops->epoll_wait(p.tx, out, 1, 0));
    FDCALL(ep, "epoll_create1(bad flag)", ops->epoll_create1(1));
    CALL(ep, "wait(50 ms)", ops->epoll_wait(ep, out, 1, 50));
}

SC(epoll_data_and_close)
{
    struct pair p;
    pair_nb(ops, o, &p);
    int ep = ep_new(ops, o);
    struct epoll_event ev;
    memset(&ev, 0, sizeof ev);
    ev.events = EPOLLIN | EPOLLOUT;
    ev.data.u64 = 0x1122334455667788ull;
    CALL(ep, "ADD tx", ops->epoll_ctl(ep, EPOLL_CTL_ADD, p.tx, &ev));
    struct epoll_event out[2];
    memset(out, 0, sizeof out);
    int n = ops->epoll_wait(ep, out, 2, 0);
    obs_on(o, ep, "wait=%d data kept: %s", n,
           n == 1 && out[0].data.u64 == ev.data.u64 ? "yes" : "no");
    /* Closing the only descriptor of a watched socket removes it. */
    obs_close(o, p.tx);
    ep_wait(ops, o, ep, 0);
    ep_add(ops, o, ep, p.rx, EPOLLIN | EPOLLRDHUP);
    SETTLE();
    ep_wait(ops, o, ep, 0);
}

SC(epoll_listener_and_hup)
{
    int ls = listener(ops, o, HOST_B, 4, 0, "ls");
    int ep = ep_new(ops, o);
    ep_add(ops, o, ep, ls, EPOLLIN | EPOLLET);
    ep_wait(ops, o, ep, 0);
    int c = tcp_sock(ops, o, HOST_A, "c");
    connect_to(ops, o, c, ls);
    SETTLE();
    ep_wait(ops, o, ep, 0);
    ep_wait(ops, o, ep, 0);
    int a = ops->accept(ls, NULL, NULL);
    obs_name(o, a, "a");
    ep_add(ops, o, ep, a, EPOLLIN | EPOLLOUT | EPOLLRDHUP);
    ep_wait(ops, o, ep, 0);
    sc_abort(ops, o, c);
    SETTLE();
    ep_wait(ops, o, ep, 0);
}

/* ================================================================
 * UDP.
 * ================================================================ */

static int udp_on(const struct sockops *ops, struct obs *o, int h, const char *name)
{
    return sc_udp(ops, o, h, ops->family(), 0, name);
}

SC(udp_send_recv)
{
    int u1 = udp_on(ops, o, HOST_A, "u1");
    int u2 = udp_on(ops, o, HOST_B, "u2");
    struct sockaddr_storage to;
    socklen_t tl;
    sc_sockname(ops, o, u2, &to, &tl);
    obs_sendto(o, u1, "one", 3, 0, (struct sockaddr *)&to, tl);
    obs_sendto(o, u1, "two!", 4, 0, (struct sockaddr *)&to, tl);
    SETTLE();
    READY(u2);
    IOCTL(u2, FIONREAD);
    /* Datagram boundaries are kept. */
    obs_recvfrom(o, u2, 100, 0);
    obs_recvfrom(o, u2, 100, 0);
    obs_recvfrom(o, u2, 100, 0);
    READY(u2);
    /* The reply goes to where recvfrom said it came from. */
    struct sockaddr_storage from;
    socklen_t fl = sizeof from;
    char buf[8];
    obs_sendto(o, u1, "ping", 4, 0, (struct sockaddr *)&to, tl);
    SETTLE();
    ops->recvfrom(u2, buf, sizeof buf, 0, (struct sockaddr *)&from, &fl);
    char d[128];
    describe_name(ops, d, sizeof d, &from, HOST_A);
    obs_on(o, u2, "from: %s", d);
    obs_sendto(o, u2, "pong", 4, 0, (struct sockaddr *)&from, fl);
    SETTLE();
    obs_recvfrom(o, u1, 100, 0);
}

SC(udp_unconnected_errors)
{
    int u = udp_on(ops, o, HOST_B, "u");
    CALL(u, "send (no destination)", ops->send(u, "x", 1, 0));
    CALL(u, "write (no destination)", ops->write(u, "x", 1));
    obs_name_call(ops, o, u, 1, HOST_A);
    RECV(u, 4, 0);
    CALL(u, "shutdown(RD)", ops->shutdown(u, SHUT_RD));
    /* An unbound socket gets a port on its first send. */
    int v = mksock(ops, o, HOST_A, ops->family(), SOCK_DGRAM, "unbound");
    obs_name_call(ops, o, v, 0, HOST_A);
    struct sockaddr_storage to;
    socklen_t tl;
    sc_sockname(ops, o, u, &to, &tl);
    obs_sendto(o, v, "hi", 2, 0, (struct sockaddr *)&to, tl);
    obs_name_call(ops, o, v, 0, HOST_A);
    SETTLE();
    obs_recvfrom(o, u, 10, 0);
    /* Port 0 is no destination. */
    ss_setport(&to, 0);
    obs_sendto(o, v, "x", 1, 0, (struct sockaddr *)&to, tl);
}

SC(udp_connect_send_recv)
{
    int u1 = udp_on(ops, o, HOST_A, "u1");
    int u2 = udp_on(ops, o, HOST_B, "u2");
    int u3 = udp_on(ops, o, HOST_B, "u3");
    struct sockaddr_storage to, a1, a3;
    socklen_t tl, l1, l3;
    sc_sockname(ops, o, u2, &to, &tl);
    sc_sockname(ops, o, u1, &a1, &l1);
    sc_sockname(ops, o, u3, &a3, &l3);
    CALL(u1, "connect(u2)", ops->connect(u1, (struct sockaddr *)&to, tl));
    obs_name_call(ops, o, u1, 1, HOST_B);
    SEND(u1, "via send", 0);
    obs_recvfrom(o, u2, 100, 0);
    /* A connected socket only hears from its peer. */
    obs_sendto(o, u3, "stranger", 8, 0, (struct sockaddr *)&a1, l1);
    CALL(u2, "connect(u1)", ops->connect(u2, (struct sockaddr *)&a1, l1));
    SEND(u2, "reply", 0);
    SETTLE();
    RECV(u1, 100, 0);
    RECV(u1, 100, 0);
    /* sendto with an address on a connected socket overrides it. */
    obs_sendto(o, u1, "detour", 6, 0, (struct sockaddr *)&a3, l3);
    SETTLE();
    RECV(u3, 100, 0);
    obs_sendto(o, u1, "null", 4, 0, NULL, 0);
    SETTLE();
    RECV(u2, 100, 0);
    /* Connecting again to another peer, then AF_UNSPEC dissolves it. */
    CALL(u1, "connect(u3)", ops->connect(u1, (struct sockaddr *)&a3, l3));
    SEND(u1, "to u3", 0);
    RECV(u3, 100, 0);
    struct sockaddr_storage un;
    memset(&un, 0, sizeof un);
    un.ss_family = AF_UNSPEC;
    CALL(u1, "connect(AF_UNSPEC)", ops->connect(u1, (struct sockaddr *)&un, sizeof un));
    obs_name_call(ops, o, u1, 1, HOST_B);
    obs_name_call(ops, o, u1, 0, HOST_A);
    CALL(u1, "send", ops->send(u1, "x", 1, 0));
}

SC(udp_msg_trunc)
{
    int u1 = udp_on(ops, o, HOST_A, "u1");
    int u2 = udp_on(ops, o, HOST_B, "u2");
    struct sockaddr_storage to;
    socklen_t tl;
    sc_sockname(ops, o, u2, &to, &tl);
    for (int i = 0; i < 4; i++)
        obs_sendto(o, u1, "abcdefgh", 8, 0, (struct sockaddr *)&to, tl);
    SETTLE();
    /* The rest of a datagram is lost; MSG_TRUNC returns its real size. */
    RECV(u2, 3, 0);
    RECV(u2, 3, MSG_TRUNC);
    size_t l[] = {3};
    obs_recvmsg(o, u2, l, 1, 0);
    obs_recvmsg(o, u2, l, 1, MSG_TRUNC | MSG_PEEK);
    obs_recvmsg(o, u2, l, 1, MSG_TRUNC);
    RECV(u2, 3, 0);
}

SC(udp_zero_length)
{
    int u1 = udp_on(ops, o, HOST_A, "u1");
    int u2 = udp_on(ops, o, HOST_B, "u2");
    struct sockaddr_storage to;
    socklen_t tl;
    sc_sockname(ops, o, u2, &to, &tl);
    obs_sendto(o, u1, "", 0, 0, (struct sockaddr *)&to, tl);
    obs_sendto(o, u1, "z", 1, 0, (struct sockaddr *)&to, tl);
    SETTLE();
    READY(u2);
    IOCTL(u2, FIONREAD);
    obs_recvfrom(o, u2, 10, 0);
    IOCTL(u2, FIONREAD);
    obs_recvfrom(o, u2, 10, 0);
    obs_recvfrom(o, u2, 10, 0);
}

SC(udp_peek_and_fionread)
{
    int u1 = udp_on(ops, o, HOST_A, "u1");
    int u2 = udp_on(ops, o, HOST_B, "u2");
    struct sockaddr_storage to;
    socklen_t tl;
    sc_sockname(ops, o, u2, &to, &tl);
    obs_sendto(o, u1, "first", 5, 0, (struct sockaddr *)&to, tl);
    obs_sendto(o, u1, "second!", 7, 0, (struct sockaddr *)&to, tl);
    SETTLE();
    IOCTL(u2, FIONREAD);
    IOCTL(u2, SIOCOUTQ);
    IOCTL(u1, SIOCOUTQ);
    RECV(u2, 100, MSG_PEEK);
    RECV(u2, 2, MSG_PEEK);
    RECV(u2, 100, 0);
    IOCTL(u2, FIONREAD);
    RECV(u2, 100, MSG_WAITALL);
    IOCTL(u2, FIONREAD);
}

SC(udp_econnrefused)
{
    struct sockaddr_storage dead;
    socklen_t dl;
    dead_port(ops, o, HOST_B, SOCK_DGRAM, &dead, &dl);
    int u = udp_on(ops, o, HOST_A, "u");
    CALL(u, "connect(dead port)", ops->connect(u, (struct sockaddr *)&dead, dl));
    /* One datagram only: ICMP errors are rate limited, loopback is not. */
    SEND(u, "anyone?", 0);
    READY(u);
    so_error(ops, o, u);
    READY(u);
    RECV(u, 10, 0);
}

SC(udp_econnrefused_recv)
{
    struct sockaddr_storage dead;
    socklen_t dl;
    dead_port(ops, o, HOST_B, SOCK_DGRAM, &dead, &dl);
    int u = udp_on(ops, o, HOST_A, "u");
    CALL(u, "connect(dead port)", ops->connect(u, (struct sockaddr *)&dead, dl));
    SEND(u, "anyone?", 0);
    RECV(u, 10, 0);
    RECV(u, 10, 0);
    READY(u);
    CALL(u, "send", ops->send(u, "x", 1, 0));
}

SC(udp_unconnected_no_error)
{
    struct sockaddr_storage dead;
    socklen_t dl;
    dead_port(ops, o, HOST_B, SOCK_DGRAM, &dead, &dl);
    int u = udp_on(ops, o, HOST_A, "u");
    /* Not connected: an ICMP error is not reported to the socket. */
    obs_sendto(o, u, "anyone?", 7, 0, (struct sockaddr *)&dead, dl);
    SETTLE();
    READY(u);
    so_error(ops, o, u);
    RECV(u, 10, 0);
}

SC(udp_oob_flags)
{
    int u1 = udp_on(ops, o, HOST_A, "u1");
    int u2 = udp_on(ops, o, HOST_B, "u2");
    struct sockaddr_storage to;
    socklen_t tl;
    sc_sockname(ops, o, u2, &to, &tl);
    obs_sendto(o, u1, "x", 1, MSG_OOB, (struct sockaddr *)&to, tl);
    CALL(u1, "connect(u2)", ops->connect(u1, (struct sockaddr *)&to, tl));
    CALL(u1, "send(OOB)", ops->send(u1, "y", 1, MSG_OOB));
    SEND(u1, "data", 0);
    /* recv ignores MSG_OOB on UDP. */
    RECV(u2, 10, MSG_OOB);
    SEND(u1, "more", 0);
    size_t l[] = {10};
    obs_recvmsg(o, u2, l, 1, MSG_OOB);
}

SC(udp_connect_errors)
{
    int fam = ops->family();
    int u = udp_on(ops, o, HOST_A, "u");
    struct sockaddr_storage ss;
    socklen_t len;
    foreign_addr(fam, &ss, &len);
    ss_setport(&ss, 9);
    /* No route to the documentation prefix. */
    CALL(u, "connect(foreign)", ops->connect(u, (struct sockaddr *)&ss, len));
    obs_sendto(o, u, "x", 1, 0, (struct sockaddr *)&ss, len);
    host_addr(ops, o, HOST_B, fam, &ss, &len);
    ss.ss_family = 1000;
    CALL(u, "connect(family 1000)", ops->connect(u, (struct sockaddr *)&ss, len));
    obs_sendto(o, u, "x", 1, 0, (struct sockaddr *)&ss, len);
    /* Port 0 on connect. */
    host_addr(ops, o, HOST_B, fam, &ss, &len);
    CALL(u, "connect(port 0)", ops->connect(u, (struct sockaddr *)&ss, len));
    CALL(u, "send", ops->send(u, "x", 1, 0));
}

SC(udp_shutdown)
{
    int u1 = udp_on(ops, o, HOST_A, "u1");
    int u2 = udp_on(ops, o, HOST_B, "u2");
    struct sockaddr_storage to;
    socklen_t tl;
    sc_sockname(ops, o, u2, &to, &tl);
    CALL(u1, "connect(u2)", ops->connect(u1, (struct sockaddr *)&to, tl));
    obs_shutdown(o, u2, SHUT_RD);
    READY(u2);
    RECV(u2, 10, 0);
    SEND(u1, "after", 0);
    RECV(u2, 10, 0);
    obs_shutdown(o, u1, SHUT_WR);
    READY(u1);
    CALL(u1, "send", ops->send(u1, "x", 1, 0));
    SIGPIPE_N();
}

SC(udp_large_datagram)
{
    int u1 = udp_on(ops, o, HOST_A, "u1");
    int u2 = udp_on(ops, o, HOST_B, "u2");
    struct sockaddr_storage to;
    socklen_t tl;
    sc_sockname(ops, o, u2, &to, &tl);
    /* Bigger than one link MTU: fragmented on the way, whole on arrival. */
    static char big[8000];
    for (size_t i = 0; i < sizeof big; i++)
        big[i] = (char)('A' + i % 23);
    CALL(u1, "sendto(8000)", ops->sendto(u1, big, sizeof big, 0, (struct sockaddr *)&to, tl));
    static char toolarge[65536];
    CALL(u1, "sendto(65536)",
         ops->sendto(u1, toolarge, sizeof toolarge, 0, (struct sockaddr *)&to, tl));
    SETTLE();
    IOCTL(u2, FIONREAD);
    static char in[9000];
    ssize_t r = ops->recv(u2, in, sizeof in, 0);
    obs_on(o, u2, "recv=%zd intact: %s", r,
           r == (ssize_t)sizeof big && memcmp(in, big, sizeof big) == 0 ? "yes" : "no");
}

/* ================================================================
 * A host talking to itself: its own address reaches its own sockets.
 * ================================================================ */

SC(tcp_to_own_address)
{
    int ls = listener(ops, o, HOST_A, 4, 0, "ls");
    int c = tcp_sock(ops, o, HOST_A, "c");
    timeo(ops, o, c, SO_SNDTIMEO, 2000); /* bounds the connect */
    if (connect_to(ops, o, c, ls) < 0)
        return;
    SETTLE();
    nonblock(ops, o, ls, 1);
    int a = ops->accept(ls, NULL, NULL);
    rc_line_fd(o, ls, "accept", a, errno);
    if (a < 0)
        return;
    obs_name(o, a, "a");
    nonblock(ops, o, a, 1);
    obs_name_call(ops, o, a, 1, HOST_A);
    SEND(c, "self", 0);
    RECV(a, 10, 0);
    SEND(a, "echo", 0);
    RECV(c, 10, MSG_DONTWAIT);
}

SC(udp_to_own_address)
{
    int u1 = udp_on(ops, o, HOST_A, "u1");
    int u2 = udp_on(ops, o, HOST_A, "u2");
    struct sockaddr_storage to;
    socklen_t tl;
    sc_sockname(ops, o, u2, &to, &tl);
    obs_sendto(o, u1, "self", 4, 0, (struct sockaddr *)&to, tl);
    SETTLE();
    obs_recvfrom(o, u2, 10, 0);
}

/* ================================================================
 * The registry.
 * ================================================================ */

#define E(n, topic)                                                                                \
    {                                                                                              \
#n, topic, n, 0, 0                                                                         \
    }

static const struct scenario list[] = {
    E(socket_errors, "err"),
    E(socket_type_flags, "err fcntl"),
    E(ebadf_calls, "err"),
    E(efault_null_pointers, "err"),
    E(short_address_lengths, "err"),
    E(accept_address_lengths, "err name"),
    E(bind_twice_einval, "err"),
    E(bind_wrong_family, "err"),
    E(bind_nonlocal_eaddrnotavail, "err"),
    E(bind_inuse_eaddrinuse, "err"),
    E(bind_reuseaddr_rules, "opt err"),
    E(so_reuseport_two_listeners, "opt"),
    E(listen_errors, "err"),
    E(accept_nonblocking_empty, "err"),
    E(accept4_flags, "err fcntl"),
    E(accept_after_peer_reset, "life"),
    E(accept_after_peer_close, "life"),
    E(connect_refused_blocking, "err life"),
    E(connect_refused_nonblocking, "err ready"),
    E(connect_refused_nonblocking_reconnect, "err"),
    E(connect_nonblocking_success, "err ready"),
    E(connect_blocking_eisconn, "err"),
    E(connect_wrong_family, "err"),
    E(connect_ealready, "err"),
    E(listen_backlog_full, "life ready"),
    E(connect_unspec_disconnect, "life"),
    E(unconnected_enotconn, "err"),
    E(epipe_after_shut_wr, "err"),
    E(epipe_sigpipe_blocked, "err"),
    E(epipe_after_peer_close, "err life"),
    E(econnreset_recv, "err life"),
    E(econnreset_send_first, "err life"),
    E(so_error_after_rst, "opt err"),
    E(close_unread_data_rst, "life"),
    E(msg_peek, "flag"),
    E(msg_waitall, "flag"),
    E(msg_waitall_peek, "flag"),
    E(msg_dontwait, "flag"),
    E(msg_trunc_tcp, "flag"),
    E(zero_length_io, "flag"),
    E(readv_writev_sendmsg, "flag"),
    E(recvmsg_fields, "flag"),
    E(sockopt_identity, "opt"),
    E(so_acceptconn, "opt"),
    E(bool_options, "opt"),
    E(options_inherited_by_accept, "opt"),
    E(so_keepalive_tcp_keepopts, "opt"),
    E(so_linger_options, "opt"),
    E(so_linger_zero_abort, "opt life"),
    E(so_linger_zero_after_fin, "opt life"),
    E(so_linger_timeout_close, "opt life"),
    E(so_bufsizes, "opt"),
    E(so_rcvlowat, "opt ready"),
    E(so_timeo_options, "opt"),
    E(so_rcvtimeo_recv, "opt"),
    E(so_sndtimeo_send, "opt"),
    E(so_error_clean, "opt"),
    E(tcp_nodelay, "opt"),
    E(tcp_maxseg, "opt"),
    E(tcp_maxseg_default_path, "opt"),
    E(tcp_misc_int_options, "opt"),
    E(tcp_congestion, "opt"),
    E(tcp_info_states, "opt life"),
    E(tcp_info_after_rst, "opt life"),
    E(sockopt_errors, "opt err"),
    E(ip_level_options, "opt"),
    E(ioctl_fionread_siocoutq, "ioctl"),
    E(ioctl_siocoutq_full, "ioctl"),
    E(ioctl_fionbio, "ioctl"),
    E(ioctl_unknown, "ioctl err"),
    E(fcntl_flags, "fcntl"),
    E(fcntl_owner, "fcntl"),
    E(names_unbound_and_bound, "name"),
    E(names_connected, "name"),
    E(names_truncated, "name"),
    E(names_after_shutdown_and_close, "name"),
    E(close_orderly, "life"),
    E(half_close_client_wr, "life ready"),
    E(half_close_server_wr, "life ready"),
    E(shutdown_rd_then_data, "life"),
    E(shutdown_errors, "life err"),
    E(rst_lifecycle, "life"),
    E(write_after_peer_close_rst, "life"),
    E(time_wait_client_bind, "life opt"),
    E(time_wait_client_bind_both_reuse, "life opt"),
    E(time_wait_server_bind, "life opt"),
    E(time_wait_server_bind_both_reuse, "life opt"),
    E(listener_close_pending, "life"),
    E(listener_shutdown, "life"),
    E(data_both_ways_large, "life"),
    E(ready_unconnected, "ready"),
    E(ready_connecting, "ready"),
    E(ready_established, "ready"),
    E(ready_peer_fin, "ready"),
    E(ready_peer_rst, "ready"),
    E(ready_listener_pending, "ready"),
    E(ready_after_shutdown, "ready"),
    E(ready_send_buffer_full, "ready"),
    E(ready_closed_fd, "ready err"),
    E(poll_select_timeouts, "ready"),
    E(poll_waits_for_data, "ready"),
    E(epoll_level_triggered, "epoll"),
    E(epoll_edge_triggered, "epoll"),
    E(epoll_et_out, "epoll"),
    E(epoll_et_after_full, "epoll"),
    E(epoll_oneshot, "epoll"),
    E(epoll_ctl_errors, "epoll err"),
    E(epoll_data_and_close, "epoll"),
    E(epoll_listener_and_hup, "epoll"),
    E(udp_send_recv, "udp"),
    E(udp_unconnected_errors, "udp err"),
    E(udp_connect_send_recv, "udp"),
    E(udp_msg_trunc, "udp flag"),
    E(udp_zero_length, "udp"),
    E(udp_peek_and_fionread, "udp flag ioctl"),
    E(udp_econnrefused, "udp err"),
    E(udp_econnrefused_recv, "udp err"),
    E(udp_unconnected_no_error, "udp"),
    E(udp_oob_flags, "udp err flag"),
    E(udp_connect_errors, "udp err"),
    E(udp_shutdown, "udp"),
    E(udp_large_datagram, "udp"),
    E(tcp_to_own_address, "life"),
    E(udp_to_own_address, "udp"),
};

const struct suite suite_api = {"api", list, sizeof list / sizeof list[0]};

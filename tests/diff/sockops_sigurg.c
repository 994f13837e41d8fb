/* The sigurg backend: the same table filled with the sg_* POSIX mirror,
 * over a deterministic world (sim.h) of two stacks joined by a memlink.
 *
 * Host A is 10.0.0.1 and host B 10.0.0.2 on one /24. The link mirrors the
 * kernel backend's loopback where that shows through the API: bare IP (no
 * ARP) and an MTU of 65535 (lo has 65536, which no IPv4 packet can use
 * anyway), so the MSS a connection settles on is bounded the same way. AF_INET6: sigurg routes
 * no IPv6 yet, so a host's "IPv6 address" is its IPv4 address v4-mapped
 * (::ffff:10.0.0.x), which dual-stack AF_INET6 sockets reach; the inet6
 * golden files hold ::1 answers, so that family is a preview only.
 *
 * Blocking calls step the world themselves (virtual time). A scenario may
 * time a call with the wall clock ("returned at once" / "waited" for its
 * SO_RCVTIMEO), so every call that can block is paced: it returns after
 * as much wall time as it took virtual time. settle() steps the world
 * while the next event is due within max_ms of virtual time: the kernel
 * backend's "until quiescent" in a world where quiescence is "no event
 * soon"; it is not paced (the kernel's settle takes microseconds).
 *
 * Threads: a world belongs to the thread that made it (sim.h), so a call
 * from any other thread (a scenario's helper thread) fails with EPERM
 * instead of racing with it. Such scenarios need a threaded backend. Signals (SIGURG, SIGPIPE,
 * SIGIO) are sent by the runtime with kill()/pthread_kill() to this single-threaded process, so
 * they have been handled when the call that raised them returns.
 */
#include "sockops.h"

#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <netinet/in.h>
#include <string.h>
#include <time.h>

#include "sigurg/sigurg.h"
#include "sigurg/sim.h"

/* tcp_stdurg at run time: there is no public knob for it yet, so the
 * backend sets the stack's configuration copy, which the TCP engine reads
 * on every segment (tcp/urg.c). */
#include "net/stack.h"
#include "rt/rt.h"

#define SIGURG_WORLD_SEED 0x5167757267ull /* any fixed seed: runs must repeat */
#define SIGURG_LINK_MTU 65535
#define SIGURG_MAX_FDS 64

static sg_world *world;
static pthread_t world_thread;
static sg_stack *stacks[2];
static int run_family = AF_INET;
static const char *const host_ip[2] = {"10.0.0.1", "10.0.0.2"};

/* Descriptors this backend handed out, closed at teardown (a world's
 * sockets must be closed before the world is freed). */
static int tracked[SIGURG_MAX_FDS];
static int ntracked;

static void track(int fd)
{
    if (fd < 0)
        return;
    for (int i = 0; i < ntracked; i++)
        if (tracked[i] == fd)
            return;
    if (ntracked < SIGURG_MAX_FDS)
        tracked[ntracked++] = fd;
}

static void untrack(int fd)
{
    for (int i = 0; i < ntracked; i++) {
        if (tracked[i] == fd) {
            tracked[i] = tracked[--ntracked];
            return;
        }
    }
}

/* Sleep as long as the world's clock moved since t0 (see the top). */
static void pace(sg_time t0)
{
    sg_time dt = sg_world_now(world) - t0;
    if (dt < 1000000u)
        return;
    if (dt > 10 * 1000000000ull)
        dt = 10 * 1000000000ull; /* the runner's scenario timeout is 30 s */
    struct timespec ts = {(time_t)(dt / 1000000000u), (long)(dt % 1000000000u)};
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR) {
    }
}

/* Wrap a call that may block: run it, pace, keep its errno. Only the
 * world's thread may call (see the top). */
#define PACED(T, call)                                                                             \
    do {                                                                                           \
        if (!pthread_equal(pthread_self(), world_thread)) {                                        \
            errno = EPERM;                                                                         \
            return -1;                                                                             \
        }                                                                                          \
        sg_time t0_ = sg_world_now(world);                                                         \
        T r_ = (call);                                                                             \
        int e_ = errno;                                                                            \
        pace(t0_);                                                                                 \
        errno = e_;                                                                                \
        return r_;                                                                                 \
    } while (0)

static int s_set_stdurg(int on)
{
    for (int i = 0; i < 2; i++)
        stacks[i]->core->cfg.tcp_stdurg = on ? 1 : 0;
    return 0;
}

static int s_setup(const struct env_opts *opts)
{
    world = sg_world_new(SIGURG_WORLD_SEED);
    if (!world)
        return -1;
    world_thread = pthread_self();
    for (int i = 0; i < 2; i++) {
        struct sg_config cfg;
        memset(&cfg, 0, sizeof cfg);
        cfg.name = i == 0 ? "hostA" : "hostB";
        cfg.tcp_stdurg = opts->stdurg;
        stacks[i] = sg_world_add_stack(world, &cfg);
        if (!stacks[i])
            return -1;
    }
    struct sg_link_config lc;
    memset(&lc, 0, sizeof lc);
    /* Bare IP like loopback: no ARP resolution in front of the first
     * datagrams (which would queue or drop them where lo does not). */
    lc.kind = SG_LINK_RAW_IP;
    lc.mtu = SIGURG_LINK_MTU;
    if (sg_world_connect(world, stacks[0], "10.0.0.1/24", stacks[1], "10.0.0.2/24", &lc) < 0)
        return -1;
    run_family = opts->family;
    ntracked = 0;
    sg_set_default_stack(stacks[0]);
    return 0;
}

static void s_teardown(void)
{
    while (ntracked > 0)
        sg_close(tracked[--ntracked]);
    sg_set_default_stack(NULL);
    sg_world_free(world);
    world = NULL;
}

static void s_settle(int max_ms)
{
    sg_time limit = sg_world_now(world) + (sg_time)max_ms * 1000000u;
    for (;;) {
        sg_time next = sg_world_next_event(world);
        if (next == SG_TIME_NEVER || next > limit)
            break;
        if (!sg_world_step(world))
            break;
    }
}

static int s_family(void)
{
    return run_family;
}

static void s_host(int h)
{
    sg_set_default_stack(stacks[h == HOST_B ? 1 : 0]);
}

static int s_addr(int h, int fam, int v4mapped, struct sockaddr_storage *ss, socklen_t *len)
{
    struct in_addr a;
    if (inet_pton(AF_INET, host_ip[h == HOST_B ? 1 : 0], &a) != 1) {
        errno = EINVAL;
        return -1;
    }
    memset(ss, 0, sizeof *ss);
    if (fam == AF_INET) {
        struct sockaddr_in *sin = (struct sockaddr_in *)ss;
        sin->sin_family = AF_INET;
        sin->sin_addr = a;
        *len = sizeof *sin;
        return 0;
    }
    if (fam == AF_INET6) {
        /* v4-mapped whether asked or not: see the comment at the top. */
        (void)v4mapped;
        struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;
        sin6->sin6_family = AF_INET6;
        sin6->sin6_addr.s6_addr[10] = 0xff;
        sin6->sin6_addr.s6_addr[11] = 0xff;
        memcpy(&sin6->sin6_addr.s6_addr[12], &a, 4);
        *len = sizeof *sin6;
        return 0;
    }
    errno = EAFNOSUPPORT;
    return -1;
}

static int s_socket(int domain, int type, int protocol)
{
    int fd = sg_socket(domain, type, protocol);
    track(fd);
    return fd;
}

static int s_accept4(int fd, struct sockaddr *addr, socklen_t *len, int flags)
{
    sg_time t0 = sg_world_now(world);
    int c = sg_accept4(fd, addr, len, flags);
    int e = errno;
    track(c);
    pace(t0);
    errno = e;
    return c;
}

static int s_accept(int fd, struct sockaddr *addr, socklen_t *len)
{
    return s_accept4(fd, addr, len, 0);
}

static int s_close(int fd)
{
    untrack(fd);
    PACED(int, sg_close(fd)); /* SO_LINGER may wait */
}

static int s_connect(int fd, const struct sockaddr *a, socklen_t l)
{
    PACED(int, sg_connect(fd, a, l));
}

static ssize_t s_send(int fd, const void *b, size_t n, int fl)
{
    PACED(ssize_t, sg_send(fd, b, n, fl));
}

static ssize_t s_sendto(int fd, const void *b, size_t n, int fl, const struct sockaddr *a,
                        socklen_t l)
{
    PACED(ssize_t, sg_sendto(fd, b, n, fl, a, l));
}

static ssize_t s_sendmsg(int fd, const struct msghdr *m, int fl)
{
    PACED(ssize_t, sg_sendmsg(fd, m, fl));
}

static ssize_t s_recv(int fd, void *b, size_t n, int fl)
{
    PACED(ssize_t, sg_recv(fd, b, n, fl));
}

static ssize_t s_recvfrom(int fd, void *b, size_t n, int fl, struct sockaddr *a, socklen_t *l)
{
    PACED(ssize_t, sg_recvfrom(fd, b, n, fl, a, l));
}

static ssize_t s_recvmsg(int fd, struct msghdr *m, int fl)
{
    PACED(ssize_t, sg_recvmsg(fd, m, fl));
}

static ssize_t s_read(int fd, void *b, size_t n)
{
    PACED(ssize_t, sg_read(fd, b, n));
}

static ssize_t s_write(int fd, const void *b, size_t n)
{
    PACED(ssize_t, sg_write(fd, b, n));
}

static ssize_t s_readv(int fd, const struct iovec *iov, int n)
{
    PACED(ssize_t, sg_readv(fd, iov, n));
}

static ssize_t s_writev(int fd, const struct iovec *iov, int n)
{
    PACED(ssize_t, sg_writev(fd, iov, n));
}

static int s_poll(struct pollfd *fds, nfds_t n, int ms)
{
    PACED(int, sg_poll(fds, n, ms));
}

static int s_select(int n, fd_set *r, fd_set *w, fd_set *x, struct timeval *tv)
{
    PACED(int, sg_select(n, r, w, x, tv));
}

static int s_epoll_wait(int ep, struct epoll_event *evs, int max, int ms)
{
    PACED(int, sg_epoll_wait(ep, evs, max, ms));
}

static int s_ioctl(int fd, unsigned long req, void *arg)
{
    return sg_ioctl(fd, req, arg);
}

static int s_fcntl(int fd, int cmd, long arg)
{
    return sg_fcntl(fd, cmd, arg);
}

static int s_epoll_create1(int flags)
{
    int ep = sg_epoll_create1(flags);
    track(ep);
    return ep;
}

const struct sockops sockops_sigurg = {
    .name = "sigurg",
    .caps = 0,
    .setup = s_setup,
    .teardown = s_teardown,
    .settle = s_settle,
    .family = s_family,
    .host = s_host,
    .addr = s_addr,
    .set_stdurg = s_set_stdurg,
    .socket = s_socket,
    .bind = sg_bind,
    .listen = sg_listen,
    .accept = s_accept,
    .accept4 = s_accept4,
    .connect = s_connect,
    .send = s_send,
    .sendto = s_sendto,
    .sendmsg = s_sendmsg,
    .recv = s_recv,
    .recvfrom = s_recvfrom,
    .recvmsg = s_recvmsg,
    .read = s_read,
    .write = s_write,
    .readv = s_readv,
    .writev = s_writev,
    .shutdown = sg_shutdown,
    .close = s_close,
    .getsockname = sg_getsockname,
    .getpeername = sg_getpeername,
    .setsockopt = sg_setsockopt,
    .getsockopt = sg_getsockopt,
    .ioctl = s_ioctl,
    .fcntl = s_fcntl,
    .sockatmark = sg_sockatmark,
    .poll = s_poll,
    .select = s_select,
    .epoll_create1 = s_epoll_create1,
    .epoll_ctl = sg_epoll_ctl,
    .epoll_wait = s_epoll_wait,
};

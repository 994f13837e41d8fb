/* The kernel backend: each scenario gets a fresh network namespace (so ports,
 * TIME_WAIT sockets and sysctls never leak between scenarios) with lo up, and
 * both hosts are the loopback address of that namespace. Creating it needs
 * root, or a user namespace where the system allows unprivileged ones.
 *
 * settle() is where determinism comes from. Loopback delivers a segment in
 * softirq context, normally before the sending syscall returns, but an ACK
 * may be delayed (delack timer) and a peer may have closed its window. So
 * settle() polls every TCP socket this backend created until nothing is
 * left unsent or unacknowledged, except data held back by a zero window,
 * which stays queued until the receiver reads and so counts as quiescent.
 */
#include "sockops.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/sockios.h>
#include <linux/tcp.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

/* tcpi_state values (include/net/tcp_states.h); linux/tcp.h lacks them and
 * netinet/tcp.h clashes with it. */
enum { K_TCP_SYN_SENT = 2, K_TCP_SYN_RECV = 3, K_TCP_CLOSE = 7, K_TCP_LISTEN = 10 };

/* Descriptors this backend handed out, for settle(). A scenario uses a few. */
#define KERNEL_MAX_FDS 64
static int tracked[KERNEL_MAX_FDS];
static int ntracked;
static int run_family = AF_INET;

static void track(int fd)
{
    if (fd < 0)
        return;
    for (int i = 0; i < ntracked; i++)
        if (tracked[i] == fd)
            return;
    if (ntracked < KERNEL_MAX_FDS)
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

static int write_sysctl(const char *path, const char *val)
{
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    ssize_t n = write(fd, val, strlen(val));
    int e = errno;
    close(fd);
    if (n != (ssize_t)strlen(val)) {
        errno = n < 0 ? e : EIO;
        return -1;
    }
    return 0;
}

static int k_set_stdurg(int on)
{
    /* /proc/sys/net resolves to the opener's network namespace, which is the
     * scenario's own after setup(). */
    return write_sysctl("/proc/sys/net/ipv4/tcp_stdurg", on ? "1\n" : "0\n");
}

static int lo_up(void)
{
    int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (s < 0)
        return -1;
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "lo");
    int rc = ioctl(s, SIOCGIFFLAGS, &ifr);
    if (rc == 0) {
        ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
        rc = ioctl(s, SIOCSIFFLAGS, &ifr);
    }
    int e = errno;
    close(s);
    errno = e;
    return rc;
}

/* Without root, a user namespace in which this process is root can still
 * own a network namespace (where the system allows it). */
static int unshare_as_user(void)
{
    char map[64];
    uid_t uid = getuid();
    gid_t gid = getgid();
    if (unshare(CLONE_NEWUSER | CLONE_NEWNET) < 0)
        return -1;
    if (write_sysctl("/proc/self/setgroups", "deny") < 0)
        return -1;
    snprintf(map, sizeof map, "0 %u 1", (unsigned)uid);
    if (write_sysctl("/proc/self/uid_map", map) < 0)
        return -1;
    snprintf(map, sizeof map, "0 %u 1", (unsigned)gid);
    return write_sysctl("/proc/self/gid_map", map);
}

static int k_setup(const struct env_opts *opts)
{
    if (unshare(CLONE_NEWNET) < 0) {
        if (errno != EPERM || unshare_as_user() < 0) {
            errno = EPERM;
            return -1;
        }
    }
    if (lo_up() < 0)
        return -1;
    run_family = opts->family;
    ntracked = 0;
    if (opts->stdurg && k_set_stdurg(1) < 0)
        return -1;
    /* Let every group open ICMP ping sockets (the namespace default is
     * none); scenarios compare them with TCP's MSG_OOB handling. */
    if (write_sysctl("/proc/sys/net/ipv4/ping_group_range", "0 2147483647\n") < 0 &&
        write_sysctl("/proc/sys/net/ipv4/ping_group_range", "0 0\n") < 0)
        return -1; /* in a user namespace only mapped groups are valid */
    return 0;
}

static void k_teardown(void)
{
    /* The namespace goes away with the scenario's process; closing what is
     * left makes the order of RSTs explicit anyway. */
    while (ntracked > 0) {
        int fd = tracked[--ntracked];
        close(fd);
    }
}

static long long now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* 1 if fd is a connected TCP socket with nothing in flight. A socket whose
 * unsent data waits for the peer's window to open is also quiet: only the
 * peer reading will move it on. */
static int tcp_quiet(int fd)
{
    int type = 0, proto = 0;
    socklen_t len = sizeof type;
    if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) < 0 || type != SOCK_STREAM)
        return 1;
    len = sizeof proto;
    if (getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &proto, &len) < 0 || proto != IPPROTO_TCP)
        return 1;
    struct tcp_info ti;
    memset(&ti, 0, sizeof ti);
    len = sizeof ti;
    if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len) < 0)
        return 1;
    switch (ti.tcpi_state) {
    case K_TCP_LISTEN:
    case K_TCP_CLOSE:
        return 1;
    case K_TCP_SYN_SENT:
    case K_TCP_SYN_RECV:
        return 0;
    default:
        break;
    }
    int outq = 0, nsd = 0;
    if (ioctl(fd, SIOCOUTQ, &outq) < 0 || ioctl(fd, SIOCOUTQNSD, &nsd) < 0)
        return 1;
    if (outq == 0)
        return 1;
    if (nsd == outq && ti.tcpi_snd_wnd == 0)
        return 1; /* everything sent is acked; the rest waits for the window */
    return 0;
}

static void k_settle(int max_ms)
{
    long long deadline = now_us() + (long long)max_ms * 1000;
    /* Give softirq processing queued on another CPU a chance first. */
    sched_yield();
    for (;;) {
        int quiet = 1;
        for (int i = 0; i < ntracked && quiet; i++)
            quiet = tcp_quiet(tracked[i]);
        if (quiet || now_us() >= deadline)
            break;
        usleep(200);
    }
    /* One more short pause for anything a just-acked segment triggered
     * (window updates, FIN processing); it also lets pending signals in. */
    usleep(100);
}

static int k_family(void)
{
    return run_family;
}

static void k_host(int h)
{
    (void)h; /* one namespace holds both hosts */
}

static int k_addr(int h, int fam, int v4mapped, struct sockaddr_storage *ss, socklen_t *len)
{
    (void)h;
    memset(ss, 0, sizeof *ss);
    if (fam == AF_INET) {
        struct sockaddr_in *sin = (struct sockaddr_in *)ss;
        sin->sin_family = AF_INET;
        sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        *len = sizeof *sin;
        return 0;
    }
    if (fam == AF_INET6) {
        struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;
        sin6->sin6_family = AF_INET6;
        if (v4mapped) {
            sin6->sin6_addr.s6_addr[10] = 0xff;
            sin6->sin6_addr.s6_addr[11] = 0xff;
            sin6->sin6_addr.s6_addr[12] = 127;
            sin6->sin6_addr.s6_addr[15] = 1;
        } else {
            sin6->sin6_addr = in6addr_loopback;
        }
        *len = sizeof *sin6;
        return 0;
    }
    errno = EAFNOSUPPORT;
    return -1;
}

static int k_socket(int domain, int type, int protocol)
{
    int fd = socket(domain, type, protocol);
    track(fd);
    return fd;
}

static int k_accept(int fd, struct sockaddr *addr, socklen_t *len)
{
    int c = accept(fd, addr, len);
    track(c);
    return c;
}

static int k_accept4(int fd, struct sockaddr *addr, socklen_t *len, int flags)
{
    int c = accept4(fd, addr, len, flags);
    track(c);
    return c;
}

static int k_close(int fd)
{
    untrack(fd);
    return close(fd);
}

static int k_ioctl(int fd, unsigned long req, void *arg)
{
    return ioctl(fd, req, arg);
}

static int k_fcntl(int fd, int cmd, long arg)
{
    return fcntl(fd, cmd, arg);
}

const struct sockops sockops_kernel = {
    .name = "kernel",
    .caps = SOCKOPS_CAP_MPTCP | SOCKOPS_CAP_RAW | SOCKOPS_CAP_THREADS | SOCKOPS_CAP_INET6,
    .setup = k_setup,
    .teardown = k_teardown,
    .settle = k_settle,
    .family = k_family,
    .host = k_host,
    .addr = k_addr,
    .set_stdurg = k_set_stdurg,
    .socket = k_socket,
    .bind = bind,
    .listen = listen,
    .accept = k_accept,
    .accept4 = k_accept4,
    .connect = connect,
    .send = send,
    .sendto = sendto,
    .sendmsg = sendmsg,
    .recv = recv,
    .recvfrom = recvfrom,
    .recvmsg = recvmsg,
    .read = read,
    .write = write,
    .readv = readv,
    .writev = writev,
    .shutdown = shutdown,
    .close = k_close,
    .getsockname = getsockname,
    .getpeername = getpeername,
    .setsockopt = setsockopt,
    .getsockopt = getsockopt,
    .ioctl = k_ioctl,
    .fcntl = k_fcntl,
    .sockatmark = sockatmark,
    .poll = poll,
    .select = select,
    .epoll_create1 = epoll_create1,
    .epoll_ctl = epoll_ctl,
    .epoll_wait = epoll_wait,
};

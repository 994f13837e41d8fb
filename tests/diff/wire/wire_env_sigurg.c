/* sigurg as the local host of a wire scenario: one stack in a
 * deterministic world, with 10.77.0.1/24 on a test link of kind raw IP
 * (sigurg/testlink.h), whose far end is the script -- the same bare IPv4
 * packets a TUN device carries for the kernel environment.
 *
 * Sockets: the sg_* mirror, straight into the sockops table (the same
 * calls as ../sockops_sigurg.c, whose wrappers are tied to that backend's
 * own two-stack world and its wall-clock pacing, neither of which a wire
 * scenario wants). Time is the world's virtual clock: a capture that
 * waits steps the world (sg_testlink_wait), so timers (RTO, persist,
 * delayed ACK) fire inside the same waits as on the kernel; nothing is
 * paced to the wall clock.
 *
 * Injection is processed at once: after handing a packet to the link the
 * world is run for zero time, so the stack has received it (and raised
 * any SIGURG) by the time inject() returns -- as the kernel has when the
 * write() to the TUN device returns.
 */
#include "wire_env.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "sigurg/sigurg.h"
#include "sigurg/sim.h"
#include "sigurg/testlink.h"

#define WS_SEED 0x77697265ull /* "wire": any fixed seed, runs must repeat */
#define NS_PER_MS 1000000ull
#define WS_MAX_FDS 64

static sg_world *world;
static sg_stack *stack;
static sg_testlink *tl;

/* Descriptors handed out, closed at teardown: a world's sockets must be
 * closed before the world is freed. */
static int tracked[WS_MAX_FDS];
static int ntracked;

static void track(int fd)
{
    if (fd >= 0 && ntracked < WS_MAX_FDS)
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

static void ws_settle(int max_ms)
{
    sg_time limit = sg_world_now(world) + (sg_time)max_ms * NS_PER_MS;
    for (;;) {
        sg_time next = sg_world_next_event(world);
        if (next == SG_TIME_NEVER || next > limit || !sg_world_step(world))
            break;
    }
}

static int ws_family(void)
{
    return AF_INET;
}

static void ws_host(int h)
{
    (void)h; /* one local host */
}

static int ws_addr(int h, int fam, int v4mapped, struct sockaddr_storage *ss, socklen_t *len)
{
    (void)h;
    (void)v4mapped;
    if (fam != AF_INET) {
        errno = EAFNOSUPPORT;
        return -1;
    }
    memset(ss, 0, sizeof *ss);
    struct sockaddr_in *sin = (struct sockaddr_in *)ss;
    sin->sin_family = AF_INET;
    inet_pton(AF_INET, WIRE_LOCAL_IP, &sin->sin_addr);
    *len = sizeof *sin;
    return 0;
}

static int ws_set_stdurg(int on)
{
    (void)on; /* chosen when the world is built (env_opts.stdurg) */
    errno = ENOSYS;
    return -1;
}

static int ws_setup(const struct env_opts *opts)
{
    world = sg_world_new(WS_SEED);
    if (!world)
        return -1;
    struct sg_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.name = "local";
    cfg.tcp_stdurg = opts->stdurg;
    stack = sg_world_add_stack(world, &cfg);
    if (!stack)
        return -1;
    char cidr[32];
    snprintf(cidr, sizeof cidr, "%s/%d", WIRE_LOCAL_IP, WIRE_PREFIX);
    struct sg_link_config lc;
    memset(&lc, 0, sizeof lc);
    lc.kind = SG_LINK_RAW_IP;
    lc.mtu = WIRE_MTU;
    tl = sg_testlink_attach(stack, cidr, &lc);
    if (!tl)
        return -1;
    ntracked = 0;
    sg_set_default_stack(stack);
    return 0;
}

static void ws_teardown(void)
{
    while (ntracked > 0)
        sg_close(tracked[--ntracked]);
    sg_set_default_stack(NULL);
    sg_world_free(world);
    world = NULL;
    stack = NULL;
    tl = NULL;
}

static int ws_inject(const void *pkt, size_t len)
{
    if (sg_testlink_inject(tl, pkt, len) < 0)
        return -1;
    sg_world_run_for(world, 0);
    return 0;
}

static ssize_t ws_capture(void *buf, size_t cap, int wait_ms)
{
    if (sg_testlink_pending(tl) == 0 && sg_testlink_wait(tl, (uint64_t)wait_ms * NS_PER_MS) != 1)
        return 0;
    return sg_testlink_capture(tl, buf, cap);
}

static long long ws_now_ms(void)
{
    return (long long)(sg_world_now(world) / NS_PER_MS);
}

static int ws_socket(int domain, int type, int protocol)
{
    int fd = sg_socket(domain, type, protocol);
    track(fd);
    return fd;
}

static int ws_accept4(int fd, struct sockaddr *addr, socklen_t *len, int flags)
{
    int c = sg_accept4(fd, addr, len, flags);
    track(c);
    return c;
}

static int ws_accept(int fd, struct sockaddr *addr, socklen_t *len)
{
    return ws_accept4(fd, addr, len, 0);
}

static int ws_close(int fd)
{
    untrack(fd);
    return sg_close(fd);
}

static int ws_ioctl(int fd, unsigned long req, void *arg)
{
    return sg_ioctl(fd, req, arg);
}

static int ws_fcntl(int fd, int cmd, long arg)
{
    return sg_fcntl(fd, cmd, arg);
}

static int ws_epoll_create1(int flags)
{
    int ep = sg_epoll_create1(flags);
    track(ep);
    return ep;
}

static const struct sockops ws_ops = {
    .name = "sigurg",
    .caps = 0,
    .setup = ws_setup,
    .teardown = ws_teardown,
    .settle = ws_settle,
    .family = ws_family,
    .host = ws_host,
    .addr = ws_addr,
    .set_stdurg = ws_set_stdurg,
    .socket = ws_socket,
    .bind = sg_bind,
    .listen = sg_listen,
    .accept = ws_accept,
    .accept4 = ws_accept4,
    .connect = sg_connect,
    .send = sg_send,
    .sendto = sg_sendto,
    .sendmsg = sg_sendmsg,
    .recv = sg_recv,
    .recvfrom = sg_recvfrom,
    .recvmsg = sg_recvmsg,
    .read = sg_read,
    .write = sg_write,
    .readv = sg_readv,
    .writev = sg_writev,
    .shutdown = sg_shutdown,
    .close = ws_close,
    .getsockname = sg_getsockname,
    .getpeername = sg_getpeername,
    .setsockopt = sg_setsockopt,
    .getsockopt = sg_getsockopt,
    .ioctl = ws_ioctl,
    .fcntl = ws_fcntl,
    .sockatmark = sg_sockatmark,
    .poll = sg_poll,
    .select = sg_select,
    .epoll_create1 = ws_epoll_create1,
    .epoll_ctl = sg_epoll_ctl,
    .epoll_wait = sg_epoll_wait,
};

const struct wire_env wire_env_sigurg = {
    .name = "sigurg",
    .ops = &ws_ops,
    .setup = ws_setup,
    .teardown = ws_teardown,
    .inject = ws_inject,
    .capture = ws_capture,
    .now_ms = ws_now_ms,
};

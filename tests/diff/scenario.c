/* Helpers shared by scenario files: connection setup and small wrappers
 * that keep each scenario a readable list of actions and observations. */
#include "scenario.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

void sc_settle(const struct sockops *ops)
{
    ops->settle(SETTLE_MS);
}

static void setint_or_fail(const struct sockops *ops, struct obs *o, int fd, int level, int opt,
                           int val, const char *what)
{
    if (ops->setsockopt(fd, level, opt, &val, sizeof val) < 0)
        obs_fail(o, "setup: setsockopt(%s): %s", what, obs_errname(errno));
}

static void timeouts(const struct sockops *ops, struct obs *o, int fd)
{
    struct timeval tv = {3, 0};
    if (ops->setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) < 0 ||
        ops->setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv) < 0)
        obs_fail(o, "setup: timeouts: %s", obs_errname(errno));
}

void sc_nonblock(const struct sockops *ops, struct obs *o, int fd, int on)
{
    int fl = ops->fcntl(fd, F_GETFL, 0);
    if (fl < 0 || ops->fcntl(fd, F_SETFL, on ? (fl | O_NONBLOCK) : (fl & ~O_NONBLOCK)) < 0)
        obs_fail(o, "setup: O_NONBLOCK: %s", obs_errname(errno));
}

void sc_setown(const struct sockops *ops, struct obs *o, int fd, long pid)
{
    int r = ops->fcntl(fd, F_SETOWN, pid);
    int e = errno;
    const char *who = pid == 0 ? "0" : pid > 0 ? "self" : "-pgrp";
    if (r < 0)
        obs_on(o, fd, "F_SETOWN(%s)=-1 %s", who, obs_errname(e));
    else
        obs_on(o, fd, "F_SETOWN(%s)=%d", who, r);
}

void sc_rcvtimeo(const struct sockops *ops, struct obs *o, int fd, int ms)
{
    struct timeval tv = {ms / 1000, (ms % 1000) * 1000};
    if (ops->setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) < 0)
        obs_fail(o, "setup: SO_RCVTIMEO: %s", obs_errname(errno));
}

void sc_abort(const struct sockops *ops, struct obs *o, int fd)
{
    struct linger lg = {1, 0};
    if (ops->setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg) < 0)
        obs_fail(o, "setup: SO_LINGER: %s", obs_errname(errno));
    obs_on(o, fd, "close(linger=0)=%d", ops->close(fd));
}

void sc_sockname(const struct sockops *ops, struct obs *o, int fd, struct sockaddr_storage *ss,
                 socklen_t *len)
{
    *len = sizeof *ss;
    if (ops->getsockname(fd, (struct sockaddr *)ss, len) < 0)
        obs_fail(o, "setup: getsockname: %s", obs_errname(errno));
}

static int new_socket(const struct sockops *ops, struct obs *o, int host, int family, int type,
                      int proto)
{
    ops->host(host);
    int fd = ops->socket(family, type, proto);
    if (fd < 0)
        obs_fail(o, "setup: socket(%d,%d,%d): %s", family, type, proto, obs_errname(errno));
    return fd;
}

int sc_udp(const struct sockops *ops, struct obs *o, int host, int family, int v4mapped,
           const char *name)
{
    struct sockaddr_storage ss;
    socklen_t len;
    if (ops->addr(host, family, v4mapped, &ss, &len) < 0)
        obs_fail(o, "setup: addr: %s", obs_errname(errno));
    int fd = new_socket(ops, o, host, family, SOCK_DGRAM, 0);
    if (ops->bind(fd, (struct sockaddr *)&ss, len) < 0)
        obs_fail(o, "setup: bind udp: %s", obs_errname(errno));
    sc_nonblock(ops, o, fd, 1);
    obs_name(o, fd, name);
    return fd;
}

static void set_bufs(const struct sockops *ops, struct obs *o, int fd, int rcv, int snd, int mss)
{
    if (rcv)
        setint_or_fail(ops, o, fd, SOL_SOCKET, SO_RCVBUF, rcv, "SO_RCVBUF");
    if (snd)
        setint_or_fail(ops, o, fd, SOL_SOCKET, SO_SNDBUF, snd, "SO_SNDBUF");
    if (mss)
        setint_or_fail(ops, o, fd, IPPROTO_TCP, TCP_MAXSEG, mss, "TCP_MAXSEG");
}

void pair_open(const struct sockops *ops, struct obs *o, const struct pair_opts *po, struct pair *p)
{
    int family = po->family ? po->family : ops->family();
    struct sockaddr_storage ss;
    socklen_t len;

    if (ops->addr(HOST_B, family, po->v4mapped, &ss, &len) < 0)
        obs_fail(o, "setup: addr: %s", obs_errname(errno));
    p->ls = new_socket(ops, o, HOST_B, family, SOCK_STREAM, po->protocol);
    obs_name(o, p->ls, "ls");
    set_bufs(ops, o, p->ls, po->rx_rcvbuf, po->rx_sndbuf, po->maxseg);
    if (po->ls_oobinline)
        setint_or_fail(ops, o, p->ls, SOL_SOCKET, SO_OOBINLINE, 1, "SO_OOBINLINE");
    if (ops->bind(p->ls, (struct sockaddr *)&ss, len) < 0)
        obs_fail(o, "setup: bind: %s", obs_errname(errno));
    if (ops->listen(p->ls, 8) < 0)
        obs_fail(o, "setup: listen: %s", obs_errname(errno));
    sc_sockname(ops, o, p->ls, &ss, &len);

    p->tx = new_socket(ops, o, HOST_A, family, SOCK_STREAM, po->protocol);
    obs_name(o, p->tx, "tx");
    set_bufs(ops, o, p->tx, po->tx_rcvbuf, po->tx_sndbuf, po->maxseg);
    if (ops->connect(p->tx, (struct sockaddr *)&ss, len) < 0)
        obs_fail(o, "setup: connect: %s", obs_errname(errno));
    ops->settle(SETTLE_MS);

    p->rx = ops->accept(p->ls, NULL, NULL);
    if (p->rx < 0)
        obs_fail(o, "setup: accept: %s", obs_errname(errno));
    obs_name(o, p->rx, "rx");
    if (!po->keep_listener) {
        ops->close(p->ls);
        p->ls = -1;
    }

    if (po->rx_blocking)
        timeouts(ops, o, p->rx);
    else
        sc_nonblock(ops, o, p->rx, 1);
    if (po->tx_nonblocking)
        sc_nonblock(ops, o, p->tx, 1);
    else
        timeouts(ops, o, p->tx);
    if (!po->no_owner && ops->fcntl(p->rx, F_SETOWN, (long)getpid()) < 0)
        obs_fail(o, "setup: F_SETOWN: %s", obs_errname(errno));
    ops->settle(SETTLE_MS);
}

void pair_default(const struct sockops *ops, struct obs *o, struct pair *p)
{
    struct pair_opts po;
    memset(&po, 0, sizeof po);
    pair_open(ops, o, &po, p);
}

ssize_t sc_send(const struct sockops *ops, struct obs *o, int fd, const char *s, int flags)
{
    ssize_t r = obs_send(o, fd, s, strlen(s), flags);
    ops->settle(SETTLE_MS);
    obs_sigurg(o);
    return r;
}

ssize_t sc_recv(struct obs *o, int fd, size_t len, int flags, int peek)
{
    if (peek)
        obs_recv(o, fd, len, flags | MSG_PEEK);
    return obs_recv(o, fd, len, flags);
}

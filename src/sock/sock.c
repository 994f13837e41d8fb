/* Socket objects (sock/sock.h): creation, connection set-up, data, shutdown
 * and queries, dispatched to TCP (tcp/tcp.h) or UDP (udp/udp_sock.h).
 * Options are in sockopt.c, addresses in sockaddr.c.
 *
 * The connection state machine is Linux's inet_stream_connect, line for
 * line, because its quirks are visible: a second connect() after a
 * non-blocking one completed returns 0 (and only the third EISCONN); after
 * a refused one it returns the error, then starts over; ECONNABORTED when
 * SO_ERROR already took the error.
 */
#include <errno.h>
#include <linux/sockios.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include "net/stack.h"
#include "sock/sock.h"
#include "udp/udp_sock.h"

static bool sock_is_stream(const struct sock *sk)
{
    return sk->type == SOCK_STREAM;
}

static void sock_tcp_event(void *owner, unsigned ev)
{
    sock_notify(owner, ev);
}

/* Default SOL_SOCKET values of a new socket (Linux sock_init_data). */
static void sock_opts_init(struct sock *sk)
{
    struct sock_opts *o = &sk->o;
    memset(o, 0, sizeof(*o));
    o->rcvlowat = 1;
    o->rcvtimeo = SG_TIME_NEVER;
    o->sndtimeo = SG_TIME_NEVER;
    o->sndbuf = SOCK_UDP_WMEM_DEFAULT;
    o->rcvbuf = SOCK_UDP_RMEM_DEFAULT;
    o->ttl = -1;
    o->hops = -1;
}

int sock_create(struct stack *s, int domain, int type, int protocol, struct sock **out)
{
    /* __sock_create: the family range, then the type range. */
    if (domain < 0 || domain >= AF_MAX)
        return -EAFNOSUPPORT;
    if (type < 0 || type >= SOCK_PACKET + 1)
        return -EINVAL;
    if (domain != AF_INET && domain != AF_INET6)
        return -EAFNOSUPPORT;
    /* inet_create / inet6_create */
    if (protocol < 0 || protocol >= IPPROTO_MAX)
        return -EINVAL;
    switch (type) {
    case SOCK_STREAM:
        if (protocol == IPPROTO_IP)
            protocol = IPPROTO_TCP;
        if (protocol != IPPROTO_TCP)
            return -EPROTONOSUPPORT; /* incl. IPPROTO_MPTCP: a kernel without it */
        break;
    case SOCK_DGRAM:
        if (protocol == IPPROTO_IP)
            protocol = IPPROTO_UDP;
        if (protocol == IPPROTO_ICMP || protocol == IPPROTO_ICMPV6)
            return -EACCES; /* ping sockets: as outside net.ipv4.ping_group_range */
        if (protocol != IPPROTO_UDP)
            return -EPROTONOSUPPORT;
        break;
    case SOCK_RAW:
        return -EPROTONOSUPPORT; /* raw sockets are not implemented */
    default:
        return -ESOCKTNOSUPPORT; /* SEQPACKET, RDM, DCCP, PACKET: no inet entry */
    }
    struct sock *sk = calloc(1, sizeof(*sk));
    if (!sk)
        return -ENOBUFS;
    sk->s = s;
    sk->domain = domain;
    sk->type = type;
    sk->protocol = protocol;
    sk->ss = SOCK_SS_UNCONNECTED;
    sock_opts_init(sk);
    if (type == SOCK_STREAM) {
        /* TCP is attached by stack_new (net/stack.c). */
        sk->tcb = tcp_new(s, sk, sock_tcp_event);
        if (!sk->tcb) {
            free(sk);
            return -ENOBUFS;
        }
    } else {
        int err = udp_sock_attach(sk);
        if (err < 0) {
            free(sk);
            return err;
        }
    }
    *out = sk;
    return 0;
}

void sock_set_owner(struct sock *sk, sock_event_fn fn, void *ctx)
{
    sk->on_event = fn;
    sk->ctx = ctx;
}

void sock_close(struct sock *sk, sg_time now)
{
    sk->on_event = NULL;
    sk->ctx = NULL;
    if (sock_is_stream(sk))
        tcp_close(sk->tcb, now);
    else
        udp_sock_free(sk);
}

bool sock_linger_pending(const struct sock *sk)
{
    return sock_is_stream(sk) && sk->o.linger_on && sk->o.linger_sec != 0 &&
           !tcp_linger_done(sk->tcb);
}

void sock_free(struct sock *sk, sg_time now)
{
    if (!sk)
        return;
    if (sock_is_stream(sk)) {
        tcp_set_owner(sk->tcb, NULL, NULL);
        tcp_release(sk->tcb, now);
    } else {
        udp_sock_free(sk);
    }
    free(sk);
}

/* ---- connection set-up ------------------------------------------------- */

int sock_bind(struct sock *sk, const struct sockaddr *sa, socklen_t len)
{
    if (!sa && len > 0)
        return -EFAULT;
    struct ipaddr a;
    uint16_t port;
    int err = sock_addr_in(sk->domain, sa, len, SOCK_ADDR_BIND, &a, &port);
    if (err < 0)
        return err;
    if (sk->domain == AF_INET6 && sk->o.v6only && ipaddr_is_v4(&a) && !ipaddr_is_any(&a))
        return -EINVAL; /* inet6_bind: a v4-mapped address on a v6-only socket */
    if (sock_is_stream(sk))
        return tcp_bind(sk->tcb, &a, port);
    return udp_sock_bind(sk, &a, port);
}

bool sock_connecting(const struct sock *sk)
{
    if (!sock_is_stream(sk))
        return false;
    int st = tcp_state(sk->tcb);
    return st == TCP_SYN_SENT || st == TCP_SYN_RECV;
}

int sock_connect_finish(struct sock *sk, sg_time now)
{
    /* "Connection was closed by RST, timeout, ICMP error or another
     * process disconnected us." */
    if (tcp_state(sk->tcb) == TCP_CLOSE) {
        int err = tcp_sock_error(sk->tcb);
        sk->ss = SOCK_SS_UNCONNECTED;
        tcp_abort(sk->tcb, now); /* sk_prot->disconnect */
        return err ? -err : -ECONNABORTED;
    }
    sk->ss = SOCK_SS_CONNECTED;
    return 0;
}

static int sock_stream_connect(struct sock *sk, const struct sockaddr *sa, socklen_t len,
                               sg_time now)
{
    int err;
    switch (sk->ss) {
    case SOCK_SS_CONNECTED:
        return -EISCONN;
    case SOCK_SS_CONNECTING:
        err = -EALREADY;
        break;
    case SOCK_SS_UNCONNECTED: {
        if (tcp_state(sk->tcb) != TCP_CLOSE)
            return -EISCONN;
        struct ipaddr a;
        uint16_t port;
        err = sock_addr_in(sk->domain, sa, len, SOCK_ADDR_STREAM_CONNECT, &a, &port);
        if (err < 0)
            return err;
        if (sk->domain == AF_INET6 && sk->o.v6only && ipaddr_is_v4(&a))
            return -ENETUNREACH; /* tcp_v6_connect: mapped on a v6-only socket */
        err = tcp_connect(sk->tcb, &a, port, now);
        if (err < 0)
            return err;
        sk->ss = SOCK_SS_CONNECTING;
        err = -EINPROGRESS;
        break;
    }
    default:
        return -EINVAL;
    }
    if (sock_connecting(sk))
        return err; /* the runtime waits (blocking) or returns it */
    return sock_connect_finish(sk, now);
}

int sock_connect(struct sock *sk, const struct sockaddr *sa, socklen_t len, sg_time now)
{
    if (!sa && len > 0)
        return -EFAULT;
    if (len < (socklen_t)sizeof(sa_family_t))
        return -EINVAL;
    sa_family_t fam;
    memcpy(&fam, sa, sizeof(fam));
    if (!sock_is_stream(sk))
        return udp_sock_connect(sk, sa, len);
    if (fam == AF_UNSPEC) {
        /* Disconnect (tcp_disconnect): always "succeeds". */
        tcp_abort(sk->tcb, now);
        sk->ss = SOCK_SS_UNCONNECTED;
        sk->listening = false;
        sock_notify(sk, SOCK_EV_STATE);
        return 0;
    }
    return sock_stream_connect(sk, sa, len, now);
}

int sock_listen(struct sock *sk, int backlog)
{
    if (!sock_is_stream(sk))
        return -EOPNOTSUPP;
    if (sk->ss != SOCK_SS_UNCONNECTED)
        return -EINVAL;
    int st = tcp_state(sk->tcb);
    if (st != TCP_CLOSE && st != TCP_LISTEN)
        return -EINVAL;
    int err = tcp_listen(sk->tcb, backlog);
    if (err == 0)
        sk->listening = true;
    return err;
}

int sock_accept(struct sock *sk, struct sock **child)
{
    if (!sock_is_stream(sk))
        return -EOPNOTSUPP;
    struct tcb *t;
    int err = tcp_accept(sk->tcb, &t);
    if (err < 0)
        return err;
    struct sock *c = calloc(1, sizeof(*c));
    if (!c) {
        tcp_release(t, sk->s->now);
        return -ENOBUFS;
    }
    /* sk_clone_lock copies the listener's sock, options and all. */
    c->s = sk->s;
    c->domain = sk->domain;
    c->type = sk->type;
    c->protocol = sk->protocol;
    c->ss = SOCK_SS_CONNECTED;
    c->o = sk->o;
    c->tcb = t;
    tcp_set_owner(t, c, sock_tcp_event);
    *child = c;
    return 0;
}

/* ---- data ---------------------------------------------------------------- */

/* SOL_SOCKET cmsgs (SO_MARK, SCM_TXTIME, ...) are not implemented: Linux
 * sock_cmsg_send gives -EINVAL for those it does not know. */
static int sock_check_cmsgs(const struct msghdr *msg)
{
    if (msg->msg_controllen < sizeof(struct cmsghdr) || !msg->msg_control)
        return 0;
    for (struct cmsghdr *c = CMSG_FIRSTHDR((struct msghdr *)msg); c;
         c = CMSG_NXTHDR((struct msghdr *)msg, c))
        if (c->cmsg_level == SOL_SOCKET)
            return -EINVAL;
    return 0;
}

ssize_t sock_sendmsg(struct sock *sk, const struct msghdr *msg, int flags, sg_time now)
{
    int err = sock_check_cmsgs(msg);
    if (err < 0)
        return err;
    if (!sock_is_stream(sk))
        return udp_sock_sendmsg(sk, msg, flags, now);
    if (sock_iov_faulty(msg->msg_iov, (int)msg->msg_iovlen)) {
        /* Linux faults only when it copies: after the connection checks
         * and the wait for space. An empty send makes those checks. */
        ssize_t r = tcp_send(sk->tcb, NULL, 0, flags & ~MSG_OOB, now);
        return r < 0 ? r : -EFAULT;
    }
    return tcp_send(sk->tcb, msg->msg_iov, (int)msg->msg_iovlen, flags & (MSG_OOB | MSG_MORE), now);
}

ssize_t sock_recvmsg(struct sock *sk, struct msghdr *msg, int flags, sg_time now)
{
    if (!sock_is_stream(sk))
        return udp_sock_recvmsg(sk, msg, flags);
    msg->msg_flags = 0;
    msg->msg_controllen = 0;
    msg->msg_namelen = 0; /* TCP reports no source address */
    int tflags = flags & (MSG_PEEK | MSG_TRUNC | MSG_OOB);
    if (!(flags & MSG_TRUNC) && sock_iov_faulty(msg->msg_iov, (int)msg->msg_iovlen)) {
        /* Fault only if there is something to copy (Linux copies, then
         * faults); otherwise the same answer as a valid buffer. MSG_TRUNC
         * copies nothing: recv(fd, NULL, n, MSG_TRUNC) discards n bytes. */
        struct iovec probe = {NULL, sock_iov_len(msg->msg_iov, (int)msg->msg_iovlen)};
        ssize_t r = tcp_recv(sk->tcb, &probe, 1, tflags | MSG_PEEK | MSG_TRUNC, NULL, now);
        return r > 0 ? -EFAULT : r;
    }
    if (!(flags & MSG_OOB) && sock_iov_len(msg->msg_iov, (int)msg->msg_iovlen) == 0) {
        /* tcp_recvmsg with len 0 still wants one byte there (its target
         * is at least 1): 0 if data waits, else EAGAIN / EOF / error. */
        struct iovec probe = {NULL, 1};
        ssize_t r = tcp_recv(sk->tcb, &probe, 1, MSG_PEEK | MSG_TRUNC, NULL, now);
        return r > 0 ? 0 : r;
    }
    int mf = 0;
    ssize_t r = tcp_recv(sk->tcb, msg->msg_iov, (int)msg->msg_iovlen, tflags, &mf, now);
    msg->msg_flags = mf;
    return r;
}

int sock_shutdown(struct sock *sk, int how, sg_time now)
{
    /* inet_shutdown: how + 1 must be 1..3 */
    if (how < SHUT_RD || how > SHUT_RDWR)
        return -EINVAL;
    unsigned bits = (unsigned)how + 1;
    int err;
    if (sock_is_stream(sk)) {
        int st = tcp_state(sk->tcb);
        if (sk->ss == SOCK_SS_CONNECTING)
            sk->ss = (st == TCP_SYN_SENT || st == TCP_SYN_RECV || st == TCP_CLOSE)
                         ? SOCK_SS_DISCONNECTING
                         : SOCK_SS_CONNECTED;
        err = tcp_shutdown(sk->tcb, how, now);
        if (st == TCP_SYN_SENT || (st == TCP_LISTEN && (bits & SOCK_RCV_SHUTDOWN))) {
            /* The engine disconnected (abandoned connect, stopped listener). */
            sk->ss = SOCK_SS_UNCONNECTED;
            sk->listening = false;
        } else {
            sk->shut |= bits;
        }
    } else {
        err = udp_sock_shutdown(sk, how);
        sk->shut |= bits; /* set even when not connected, as Linux */
    }
    /* sk_state_change: wake everyone (blocked readers see EOF, pollers
     * POLLRDHUP / POLLHUP). */
    sock_notify(sk, SOCK_EV_SHUTDOWN | SOCK_EV_READABLE | SOCK_EV_WRITABLE | SOCK_EV_HUP |
                        SOCK_EV_STATE);
    return err;
}

/* ---- queries ------------------------------------------------------------ */

unsigned sock_poll(const struct sock *sk)
{
    if (!sock_is_stream(sk))
        return udp_sock_poll(sk);
    unsigned mask = tcp_poll_mask(sk->tcb);
    /* tcp_poll's "readable" uses sock_rcvlowat: fewer bytes than
     * SO_RCVLOWAT are not POLLIN unless the stream has ended. */
    if (sk->o.rcvlowat > 1 && !sk->listening && (mask & POLLIN) &&
        !(mask & (POLLRDHUP | POLLHUP | POLLERR)) && tcp_inq(sk->tcb) < sk->o.rcvlowat)
        mask &= ~(unsigned)(POLLIN | POLLRDNORM);
    return mask;
}

int sock_readable_bytes(const struct sock *sk)
{
    if (!sock_is_stream(sk))
        return udp_sock_first_len(sk);
    return sk->listening ? -1 : tcp_inq(sk->tcb);
}

int sock_error(struct sock *sk)
{
    return sock_is_stream(sk) ? tcp_sock_error(sk->tcb) : udp_sock_error(sk);
}

bool sock_atmark(const struct sock *sk)
{
    return sock_is_stream(sk) && tcp_atmark(sk->tcb) == 1;
}

int sock_getname(const struct sock *sk, struct sockaddr_storage *ss, bool peer)
{
    struct ipaddr a;
    uint16_t port;
    if (sock_is_stream(sk)) {
        if (peer) {
            int err = tcp_remote(sk->tcb, &a, &port);
            if (err < 0)
                return err;
        } else {
            tcp_local(sk->tcb, &a, &port);
        }
    } else {
        int err = udp_sock_getname(sk, &a, &port, peer);
        if (err < 0)
            return err;
    }
    return (int)sock_addr_out(sk->domain, &a, port, ss);
}

int sock_ioctl(struct sock *sk, unsigned long req, int *val)
{
    if (!sock_is_stream(sk))
        return udp_sock_ioctl(sk, req, val);
    int r;
    switch (req) {
    case SIOCINQ: /* == FIONREAD */
        r = tcp_inq(sk->tcb);
        break;
    case SIOCOUTQ:
        r = tcp_outq(sk->tcb);
        break;
    case SIOCOUTQNSD:
        r = tcp_outq_nsd(sk->tcb);
        break;
    case SIOCATMARK:
        r = tcp_atmark(sk->tcb);
        break;
    default:
        return -ENOTTY;
    }
    if (r < 0)
        return r;
    *val = r;
    return 0;
}

/* Socket objects: the core's socket layer, between the sg_* API (src/rt)
 * and the transports (tcp/tcp.h, udp/udp_sock.h).
 *
 * A `struct sock` is one socket as Linux's `struct socket` + `struct sock`
 * see it: its family, type and protocol, the SOL_SOCKET options, the
 * socket-level connection state (SS_UNCONNECTED / SS_CONNECTING /
 * SS_CONNECTED, which is *not* the TCP state: Linux's inet_stream_connect
 * keys EALREADY / EISCONN / ECONNABORTED on it), and the transport object
 * underneath (a TCP control block or a UDP pcb).
 *
 * Sans-I/O like the rest of the core: every call is non-blocking, takes
 * `now` where it may transmit, and returns a count, 0 or -errno (the errno
 * Linux gives in the same situation, checks in Linux's order). Blocking,
 * MSG_WAITALL, SO_RCVTIMEO / SO_SNDTIMEO, O_NONBLOCK, signals and
 * descriptors are the runtime's (src/rt): it loops on these calls and
 * waits for the socket's events between tries.
 *
 * Events: the transport reports "something may have changed" through the
 * owner callback set by sock_set_owner(), with a set of SOCK_EV_* bits
 * (the TCP_EV_* values, tcp/tcp.h, for both transports). The callback runs
 * inside core entry points (frame input, timers, the socket calls
 * themselves) and must not call back into the socket layer except for
 * sock_poll() and the other read-only queries.
 *
 * Addresses: a socket of family AF_INET takes and gives `struct
 * sockaddr_in`, one of AF_INET6 `struct sockaddr_in6`; inside, addresses
 * are `struct ipaddr` (IPv4 as ::ffff:a.b.c.d, net/addr.h). IPv6 itself is
 * not routed yet (ip_output fails with EAFNOSUPPORT): an AF_INET6 socket
 * reaches IPv4 peers through v4-mapped addresses, as a dual-stack Linux
 * socket does.
 *
 * Ownership: sock_create()/sock_accept() hand the caller a socket it owns
 * until sock_free(). Threads: none here; the runtime serialises all calls
 * on one stack with that stack's lock.
 */
#ifndef SG_SOCK_SOCK_H
#define SG_SOCK_SOCK_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/uio.h>
#include "base/time.h"
#include "net/addr.h"
#include "tcp/tcp.h"

struct stack;
struct tcb;
struct udp_pcb;
struct sock;

/* Event bits: the engine's (tcp/tcp.h); UDP raises the same ones. */
enum {
    SOCK_EV_READABLE = TCP_EV_READABLE,
    SOCK_EV_WRITABLE = TCP_EV_WRITABLE,
    SOCK_EV_URGENT = TCP_EV_URGENT,
    SOCK_EV_ERROR = TCP_EV_ERROR,
    SOCK_EV_HUP = TCP_EV_HUP,
    SOCK_EV_CONNECTED = TCP_EV_CONNECTED,
    SOCK_EV_ACCEPT = TCP_EV_ACCEPT,
    SOCK_EV_SIGURG = TCP_EV_SIGURG,
    SOCK_EV_STATE = TCP_EV_STATE,
    /* Raised by the socket layer itself: a shutdown() changed what poll
     * reports (Linux's sk_state_change after inet_shutdown). */
    SOCK_EV_SHUTDOWN = 1u << 12,
};

typedef void (*sock_event_fn)(void *ctx, struct sock *sk, unsigned ev);

/* Linux's socket-level state (include/uapi/linux/net.h socket_state). */
enum sock_ss {
    SOCK_SS_UNCONNECTED = 1,
    SOCK_SS_CONNECTING = 2,
    SOCK_SS_CONNECTED = 3,
    SOCK_SS_DISCONNECTING = 4,
};

/* Linux constants the socket layer needs. */
#define SOCK_MIN_RCVBUF 2304u         /* 2048 + sizeof(struct sk_buff) rounded, Linux 6.x */
#define SOCK_MIN_SNDBUF 4608u         /* 2 * SOCK_MIN_RCVBUF */
#define SOCK_UDP_RMEM_DEFAULT 212992u /* net.core.rmem_default */
#define SOCK_UDP_WMEM_DEFAULT 212992u /* net.core.wmem_default */

/* SO_* options kept here, for every socket type. The transport is told of
 * those that change its behaviour. */
struct sock_opts {
    bool reuseaddr, reuseport, keepalive, oobinline, broadcast, dontroute;
    bool linger_on;
    bool v6only;                       /* IPV6_V6ONLY on AF_INET6 sockets */
    bool sndbuf_locked, rcvbuf_locked; /* set explicitly (SOCK_*BUF_LOCK) */
    int linger_sec;                    /* l_linger as set (>= 0) */
    int rcvlowat;                      /* >= 1 */
    sg_time rcvtimeo;                  /* 0: wait for ever (as Linux's MAX_SCHEDULE_TIMEOUT) */
    sg_time sndtimeo;
    int priority;            /* SO_PRIORITY, stored and reported */
    int mark;                /* SO_MARK, stored and reported */
    uint32_t sndbuf, rcvbuf; /* UDP: the effective limits; TCP asks the engine */
    int ttl;                 /* IP_TTL: -1 = the stack's default */
    int hops;                /* IPV6_UNICAST_HOPS: -1 = the default */
    int tos;                 /* IP_TOS */
};

struct sock {
    struct stack *s;
    int domain;   /* AF_INET or AF_INET6 */
    int type;     /* SOCK_STREAM or SOCK_DGRAM (flags stripped) */
    int protocol; /* IPPROTO_TCP or IPPROTO_UDP */
    enum sock_ss ss;
    unsigned shut; /* SHUT_RD + 1 / SHUT_WR + 1 bits as Linux's sk_shutdown:
                      SOCK_RCV_SHUTDOWN | SOCK_SEND_SHUTDOWN */
    bool listening;
    struct sock_opts o;
    sock_event_fn on_event;
    void *ctx;
    union {
        struct tcb *tcb;     /* SOCK_STREAM */
        struct udp_pcb *udp; /* SOCK_DGRAM */
    };
};

enum { SOCK_RCV_SHUTDOWN = 1, SOCK_SEND_SHUTDOWN = 2 };

/* ---- life cycle --------------------------------------------------------- */

/* socket(domain, type, protocol) with the SOCK_NONBLOCK / SOCK_CLOEXEC bits
 * already removed from `type` by the caller. Checks as Linux's
 * __sock_create + inet_create:
 *   -EAFNOSUPPORT    domain is not AF_INET / AF_INET6
 *   -EINVAL          type out of range (not 0..SOCK_MAX-1), protocol < 0
 *                    or >= IPPROTO_MAX
 *   -ESOCKTNOSUPPORT a type Linux's inet has no entry for (SOCK_SEQPACKET,
 *                    SOCK_RDM, SOCK_DCCP, SOCK_PACKET on AF_INET6)
 *   -EPROTONOSUPPORT a protocol not matching the type (STREAM + UDP), or
 *                    one we lack (SOCK_RAW, IPPROTO_SCTP, MPTCP...)
 *   -EACCES          SOCK_DGRAM + IPPROTO_ICMP (ping sockets, not yet;
 *                    Linux gives EACCES outside ping_group_range)
 *   -ENOBUFS         allocation failure
 * On success *out is a new unbound socket owned by the caller. */
int sock_create(struct stack *s, int domain, int type, int protocol, struct sock **out);
/* Set (or clear, fn NULL) the event callback. */
void sock_set_owner(struct sock *sk, sock_event_fn fn, void *ctx);
/* close(): TCP starts the close handshake (or resets, R25) and keeps the
 * handle so a lingering close can wait for sock_linger_done(); UDP
 * unhashes. Events stop. Follow with sock_free(). */
void sock_close(struct sock *sk, sg_time now);
/* SO_LINGER with a non-zero timeout set and the close still sending? */
bool sock_linger_pending(const struct sock *sk);
/* Free the socket (after sock_close; gives the tcb back to the engine,
 * which finishes the close on its own). */
void sock_free(struct sock *sk, sg_time now);

/* ---- connection set-up ------------------------------------------------- */

/* bind(2): inet_bind's checks (-EINVAL short address or already bound,
 * -EAFNOSUPPORT wrong family, -EFAULT NULL address with a non-zero
 * length, -EADDRNOTAVAIL not a local address), then the transport's
 * (-EADDRINUSE). */
int sock_bind(struct sock *sk, const struct sockaddr *sa, socklen_t len);
/* connect(2), first half (inet_stream_connect / inet_dgram_connect).
 * Returns 0 (done: UDP, or a TCP connect already complete), a final
 * -errno, or -EINPROGRESS / -EALREADY when a TCP handshake is under way:
 * a non-blocking caller returns that; a blocking one waits until
 * sock_connecting() is false (or its SO_SNDTIMEO passes: then it returns
 * that error too) and then calls sock_connect_finish(). AF_UNSPEC
 * disconnects. */
int sock_connect(struct sock *sk, const struct sockaddr *sa, socklen_t len, sg_time now);
/* True while the TCP handshake of a connect is in progress (SYN_SENT /
 * SYN_RECV). */
bool sock_connecting(const struct sock *sk);
/* connect(2), second half, after the wait: 0 and SS_CONNECTED, or the
 * pending error (-ECONNREFUSED, -ETIMEDOUT, ...; -ECONNABORTED if it was
 * already fetched with SO_ERROR) and SS_UNCONNECTED. */
int sock_connect_finish(struct sock *sk, sg_time now);
/* listen(2): -EINVAL not a stream socket in SS_UNCONNECTED or not
 * CLOSE/LISTEN, -EOPNOTSUPP for datagram sockets, -EADDRINUSE. */
int sock_listen(struct sock *sk, int backlog);
/* accept(2) without the wait: -EAGAIN empty queue, -EINVAL not listening,
 * -EOPNOTSUPP datagram socket. *child is new, owned by the caller, with
 * the listener's SOL_SOCKET options (Linux clones the listener's sock). */
int sock_accept(struct sock *sk, struct sock **child);

/* ---- data ---------------------------------------------------------------- */

/* sendmsg(2) without the wait: bytes accepted (maybe fewer than asked for a
 * stream socket), or -errno; -EAGAIN when the runtime should wait (or
 * return EAGAIN). msg->msg_name is used by datagram sockets and ignored
 * by stream sockets (as Linux's tcp_sendmsg). msg_control: cmsgs at
 * SOL_SOCKET level are not supported (-EINVAL, as Linux for unknown
 * ones); TCP ignores other levels (as Linux). The caller has checked the
 * iovec (EFAULT / EINVAL). -EPIPE: the runtime raises SIGPIPE for stream
 * sockets unless MSG_NOSIGNAL. */
ssize_t sock_sendmsg(struct sock *sk, const struct msghdr *msg, int flags, sg_time now);
/* recvmsg(2) without the wait: bytes, 0 (EOF), or -errno (-EAGAIN: wait or
 * return it). Fills msg_name / msg_namelen (truncating as Linux's
 * move_addr_to_user; 0 for TCP), msg_flags (MSG_TRUNC, MSG_OOB), and sets
 * msg_controllen to 0. A NULL iov_base with a non-zero length gives
 * -EFAULT only when there is data to copy, as Linux. */
ssize_t sock_recvmsg(struct sock *sk, struct msghdr *msg, int flags, sg_time now);
/* shutdown(2): -EINVAL bad how, -ENOTCONN not connected (flags still set,
 * as Linux's inet_shutdown). Raises SOCK_EV_SHUTDOWN. */
int sock_shutdown(struct sock *sk, int how, sg_time now);

/* ---- queries ------------------------------------------------------------ */

/* poll mask (POLLIN ... POLLRDHUP) as Linux's tcp_poll / udp_poll, with
 * SO_RCVLOWAT applied to POLLIN of a connected stream socket. */
unsigned sock_poll(const struct sock *sk);
/* The number of bytes a stream read could return now (tcp_inq), or -1. */
int sock_readable_bytes(const struct sock *sk);
/* SO_ERROR (positive errno or 0), cleared. */
int sock_error(struct sock *sk);
/* True at the urgent mark (TCP; R21). */
bool sock_atmark(const struct sock *sk);
/* getsockname(2) / getpeername(2) into a kernel-side buffer: returns the
 * address length (sizeof sockaddr_in or sockaddr_in6) or -ENOTCONN.
 * `ss` is big enough for either. */
int sock_getname(const struct sock *sk, struct sockaddr_storage *ss, bool peer);
/* ioctl(2): SIOCINQ/FIONREAD, SIOCOUTQ, SIOCOUTQNSD, SIOCATMARK. `*val`
 * gets the value. -ENOTTY unknown request (or SIOCATMARK / SIOCOUTQNSD on
 * UDP, R21), -EINVAL on a listener for the queue sizes. */
int sock_ioctl(struct sock *sk, unsigned long req, int *val);

/* ---- options ------------------------------------------------------------ */

/* setsockopt(2) / getsockopt(2) for SOL_SOCKET, IPPROTO_TCP (to the
 * engine), IPPROTO_IP and IPPROTO_IPV6 (the few we keep). NULL optval
 * with a non-zero length -EFAULT; short optlen -EINVAL; unknown option
 * -ENOPROTOOPT; an unknown level -ENOPROTOOPT on set and -EOPNOTSUPP on
 * get (Linux's asymmetry); TCP options on a UDP socket likewise.
 * getsockopt truncates to *optlen and writes the length it used, as
 * Linux does (int options: min(*optlen, 4)). Negative *optlen -EINVAL. */
int sock_setsockopt(struct sock *sk, int level, int name, const void *val, socklen_t len,
                    sg_time now);
int sock_getsockopt(struct sock *sk, int level, int name, void *val, socklen_t *len, sg_time now);

/* ---- addresses (sockaddr.c) -------------------------------------------- */

/* Which call an address comes from: the checks differ (Linux's inet_bind,
 * tcp_v4_connect / tcp_v6_connect, ip4/ip6_datagram_connect, udp_sendmsg /
 * udpv6_sendmsg). */
enum sock_addr_use {
    SOCK_ADDR_BIND,
    SOCK_ADDR_STREAM_CONNECT,
    SOCK_ADDR_DGRAM_CONNECT,
    SOCK_ADDR_SENDTO,
};

/* A user address for a socket of family `domain` -> (addr, port), checks
 * in Linux's order:
 *   -EINVAL       len shorter than sockaddr_in (16), or for an IPv6
 *                 address than the RFC 2133 sockaddr_in6 (24)
 *   -EAFNOSUPPORT the family does not fit. Accepted besides `domain`'s own:
 *                 AF_UNSPEC with INADDR_ANY for an AF_INET bind, AF_UNSPEC
 *                 (read as AF_INET) for an AF_INET sendto, AF_INET for an
 *                 AF_INET6 datagram connect or sendto (v4-mapped).
 * A v4 address is returned mapped (net/addr.h); a native IPv6 one as is
 * (the network layer refuses it for now). */
int sock_addr_in(int domain, const struct sockaddr *sa, socklen_t len, enum sock_addr_use use,
                 struct ipaddr *addr, uint16_t *port);
/* (addr, port) -> sockaddr of `domain` in *ss; returns its length. */
socklen_t sock_addr_out(int domain, const struct ipaddr *addr, uint16_t port,
                        struct sockaddr_storage *ss);
/* Copy a kernel-side address of length klen to the user's (sa, *len) as
 * Linux's move_addr_to_user: -EFAULT NULL len (or NULL sa with *len > 0
 * and klen > 0), -EINVAL negative *len; copies min(*len, klen) bytes and
 * sets *len = klen. */
int sock_addr_copyout(const struct sockaddr_storage *ss, socklen_t klen, struct sockaddr *sa,
                      socklen_t *len);

/* ---- iovecs (iov.c) -------------------------------------------------- */

/* Sum of the lengths (the caller has checked them, see the runtime). */
size_t sock_iov_len(const struct iovec *iov, int iovcnt);
/* Does some element have a NULL base and a non-zero length? (Linux only
 * notices when it copies: the callers decide when that would be.) */
bool sock_iov_faulty(const struct iovec *iov, int iovcnt);
/* Gather up to len bytes of iov into dst / scatter src into iov; return
 * the bytes copied. */
size_t sock_iov_gather(void *dst, const struct iovec *iov, int iovcnt, size_t len);
size_t sock_iov_scatter(const struct iovec *iov, int iovcnt, const void *src, size_t len);

/* Notify the owner (used by the transports' callbacks). */
static inline void sock_notify(struct sock *sk, unsigned ev)
{
    if (sk->on_event)
        sk->on_event(sk->ctx, sk, ev);
}
#endif

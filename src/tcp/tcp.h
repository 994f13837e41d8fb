/* TCP engine: the interface the socket layer (src/sock) builds on.
 *
 * Everything here is sans-I/O and non-blocking: calls return at once with a
 * byte count, 0, or -errno (exactly the errno Linux's tcp_* code gives for
 * the same situation), and every call that may transmit or arm a timer
 * takes `now` (ns, monotonic, the caller's clock). Blocking, MSG_WAITALL,
 * SO_RCVTIMEO/SO_SNDTIMEO, signals (SIGPIPE, SIGURG delivery) and the
 * sockaddr <-> struct ipaddr conversion are the socket layer's and the
 * runtime's business; the engine tells them when to wake up through the
 * owner's event callback.
 *
 * Connection handles
 * ------------------
 * `struct tcb` is opaque here (defined in tcp/tcb.h for the engine only).
 * A handle is created by tcp_new() or handed out by tcp_accept(); either way
 * the socket layer then *owns the handle* until it calls tcp_release().
 * While owned, the engine never frees the tcb (not on RST, not on timeout:
 * it moves to TCP_CLOSE and keeps the error and any unread data, as Linux
 * keeps a socket). After tcp_release() the engine owns it: an orphan goes on
 * closing (FIN_WAIT*, LAST_ACK, TIME_WAIT) and frees itself at the end. The
 * handle must not be used after tcp_release().
 *
 * Events
 * ------
 * The owner's callback `on_event(owner, ev)` is called from inside engine
 * entry points (segment input, timers, and sometimes the caller's own
 * tcp_* call), with `ev` a set of TCP_EV_* bits saying what *may* have
 * changed; the owner re-reads tcp_poll_mask() (spurious events are
 * allowed, missed ones are not). The callback must not call back into the
 * engine except for the read-only queries (tcp_poll_mask, tcp_state,
 * tcp_inq, tcp_outq, tcp_atmark, tcp_linger_done); it typically signals a
 * condition variable or records a wake-up.
 *
 * Addresses are struct ipaddr (IPv4 as ::ffff:a.b.c.d, net/addr.h); ports
 * are host order.
 *
 * Sequence space: nothing in this interface exposes sequence numbers except
 * struct tcp_info, which holds Linux's 32-bit values.
 *
 * Include order: this header includes <netinet/tcp.h>; a file that also
 * includes the wire layer's "wire/tcp.h" must include that one first
 * (glibc's TCPOPT_* macros would otherwise clash with its enumerators).
 */
#ifndef SG_TCP_TCP_H
#define SG_TCP_TCP_H
#include <netinet/tcp.h> /* struct tcp_info, TCP_NODELAY..., TCP_ESTABLISHED... */
#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h> /* MSG_*, SHUT_* */
#include <sys/types.h>
#include <sys/uio.h> /* struct iovec */
#include "base/time.h"
#include "net/addr.h"

struct stack;
struct tcb;
struct tcp_stack; /* per-stack TCP state: s->l4[IPPROTO_TCP].state */

/* ---- per stack ---------------------------------------------------------- */

/* Register TCP in s->l4[IPPROTO_TCP] (input, ICMP error handler, state).
 * Idempotent. Allocation failure leaves TCP unregistered (segments are then
 * counted as unknown protocol by IP). */
void tcp_attach(struct stack *s);
/* Unregister and free every tcb, owned or not, without sending anything.
 * Handles held by the socket layer become invalid: close sockets first. */
void tcp_detach(struct stack *s);

/* ---- events ----------------------------------------------------------- */

enum {
    TCP_EV_READABLE = 1u << 0,  /* POLLIN / EOF / readable byte count may have changed */
    TCP_EV_WRITABLE = 1u << 1,  /* POLLOUT may have changed (send space freed) */
    TCP_EV_URGENT = 1u << 2,    /* POLLPRI / SIOCATMARK may have changed (R23, R21) */
    TCP_EV_ERROR = 1u << 3,     /* a pending error (SO_ERROR) was set */
    TCP_EV_HUP = 1u << 4,       /* peer FIN (POLLRDHUP) or reset/close (POLLHUP) */
    TCP_EV_CONNECTED = 1u << 5, /* handshake completed (SYN_SENT/SYN_RECV -> ESTABLISHED) */
    TCP_EV_ACCEPT = 1u << 6,    /* listener: the accept queue became non-empty */
    TCP_EV_SIGURG = 1u << 7,    /* one urgent pointer accepted: send one SIGURG to the
                                   F_SETOWN owner (oob.md R22; one event per pointer) */
    TCP_EV_STATE = 1u << 8,     /* the TCP state changed (linger waiters, tcp_linger_done) */
};

typedef void (*tcp_event_fn)(void *owner, unsigned ev);

/* ---- handles ------------------------------------------------------------ */

/* A new unbound tcb in TCP_CLOSE with the stack's default buffer sizes
 * (cfg.tcp_wmem / tcp_rmem) and options. NULL on allocation failure (the
 * socket layer returns ENOBUFS/ENOMEM) or if TCP is not attached. */
struct tcb *tcp_new(struct stack *s, void *owner, tcp_event_fn on_event);
/* Set the owner and callback (after tcp_accept, or to redirect). */
void tcp_set_owner(struct tcb *t, void *owner, tcp_event_fn on_event);
/* Give the handle back to the engine (see "Connection handles"). Does not
 * itself close: call tcp_close() first (tcp_release of a still-open
 * connection behaves as tcp_close + release). */
void tcp_release(struct tcb *t, sg_time now);

/* ---- connection set-up ------------------------------------------------ */

/* Bind to (addr, port). addr may be any (:: / 0.0.0.0 mapped); port 0 picks
 * an ephemeral port (Linux's range 32768..60999, randomised start).
 * Errors: -EINVAL already bound or not CLOSE; -EADDRNOTAVAIL addr is not
 * local and not any; -EADDRINUSE (addr, port) overlaps another bound tcb,
 * unless both set SO_REUSEADDR and neither listens, or both set
 * SO_REUSEPORT (a TIME_WAIT entry keeps its socket's SO_REUSEADDR). */
int tcp_bind(struct tcb *t, const struct ipaddr *addr, uint16_t port);
/* Start an active open (RFC 9293 §3.10.1): choose the source address by
 * route (ip_route_lookup) if unbound or bound to any, pick an ephemeral
 * port if none (unique 4-tuple), choose the ISN (RFC 6528) and send the SYN.
 * Returns 0 once the SYN is sent or queued: completion is signalled by
 * TCP_EV_CONNECTED, failure by TCP_EV_ERROR with tcp_sock_error() giving
 * ECONNREFUSED (RST), ETIMEDOUT (syn_retries exhausted), EHOSTUNREACH/
 * ENETUNREACH (ICMP). The -EINPROGRESS/-EALREADY/-EISCONN bookkeeping of
 * the socket state (SS_CONNECTING) stays in the socket layer, but the
 * engine also refuses by TCP state:
 *   -EALREADY   state is SYN_SENT or SYN_RECV
 *   -EISCONN    any other state but CLOSE (incl. LISTEN, as Linux)
 *   -ENETUNREACH no route; -EADDRNOTAVAIL no free ephemeral port / 4-tuple
 *   (a bound 4-tuple already in use also gives -EADDRNOTAVAIL, as Linux's
 *   __inet_check_established) */
int tcp_connect(struct tcb *t, const struct ipaddr *remote, uint16_t rport, sg_time now);
/* Become a listener (or change the backlog of one). backlog is clamped to
 * [0, cfg.somaxconn] like Linux; the accept queue holds up to backlog+1
 * established children (Linux's sk_acceptq_is_full: `>` test), the SYN
 * queue (SYN_RECV children) as many again. Unbound: bind an ephemeral
 * port first. Errors: -EINVAL state is neither CLOSE nor LISTEN;
 * -EADDRINUSE another listener holds the port. */
int tcp_listen(struct tcb *t, int backlog);
/* Take one established connection from the accept queue. The returned
 * handle is owned by the caller with no owner set (call tcp_set_owner).
 * A child reset while it waited is still returned, in TCP_CLOSE with its
 * pending error (as Linux: accept succeeds, the first read gives
 * ECONNRESET). Errors: -EINVAL not a listener; -EAGAIN queue empty (the
 * socket layer blocks or returns EAGAIN). */
int tcp_accept(struct tcb *listener, struct tcb **child);

/* ---- data -------------------------------------------------------------- */

/* Queue bytes for sending (RFC 9293 §3.10.2) and transmit what the windows
 * allow. flags: MSG_OOB (oob.md R1-R3: the last byte accepted by *this*
 * call becomes the urgent byte; a 0-byte MSG_OOB send returns 0 and marks
 * nothing), MSG_MORE (cork: hold a partial segment), others ignored
 * (MSG_DONTWAIT/MSG_NOSIGNAL are the socket layer's). Returns bytes
 * accepted (maybe fewer than asked: partial send), or
 *   -EAGAIN    no send-buffer space at all, or the handshake is in progress
 *              (SYN_SENT/SYN_RECV; a blocking socket waits for
 *              TCP_EV_CONNECTED/WRITABLE)
 *   -EPIPE     not connected (CLOSE, LISTEN; also MSG_OOB, R9) or after
 *              SHUT_WR / FIN sent. The socket layer raises SIGPIPE unless
 *              MSG_NOSIGNAL.
 *   -ECONNRESET, -ETIMEDOUT, ... a pending error: returned once and
 *              cleared (Linux sock_error()), no SIGPIPE.
 *   -ENOBUFS   the send ring could not allocate memory. */
ssize_t tcp_send(struct tcb *t, const struct iovec *iov, int iovcnt, int flags, sg_time now);

/* Receive (RFC 9293 §3.10.3) into iov. flags:
 *   MSG_PEEK  copy without consuming (state unchanged, R18)
 *   MSG_TRUNC discard the bytes instead of copying (Linux: returns count)
 *   MSG_OOB   fetch the urgent byte (oob.md R19; never blocks)
 * Normal reads stop at the urgent mark and skip the urgent byte when they
 * start at it (R16, R17). MSG_WAITALL is the runtime's loop: it must stop
 * waiting and return once a short read ends at the mark (tcp_atmark() is
 * then 1), R16.
 * *msg_flags (may be NULL) gets MSG_OOB [| MSG_TRUNC] for urgent reads.
 * Returns bytes, 0 at EOF (FIN received or SHUT_RD and nothing left), or
 *   -EAGAIN    nothing to read yet
 *   -ENOTCONN  LISTEN, or CLOSE without ever connecting
 *   -ECONNRESET/-ETIMEDOUT/... pending error (once, cleared), after the
 *              queued bytes were read
 *   MSG_OOB: -EINVAL, -EAGAIN, -ENOTCONN, 0 as the R19 table. */
ssize_t tcp_recv(struct tcb *t, const struct iovec *iov, int iovcnt, int flags, int *msg_flags,
                 sg_time now);

/* shutdown(2), how = SHUT_RD/SHUT_WR/SHUT_RDWR (inet_shutdown + tcp_shutdown):
 * SHUT_WR sends FIN after the queued data. Returns 0, -EINVAL bad how,
 * -ENOTCONN in CLOSE (the shutdown flags are still set, as Linux does).
 * SHUT_RD on a listener, or any how in SYN_SENT, disconnects (listener
 * stops listening / the connect is abandoned). */
int tcp_shutdown(struct tcb *t, int how, sg_time now);
/* close(2) on the connection (Linux __tcp_close): a listener stops and its
 * queued children are reset; unread received data (the urgent byte
 * counts, R25) -> RST (TCP_ABORT_ON_CLOSE) and CLOSE; SO_LINGER with
 * timeout 0 -> RST (TCP_ABORT_ON_LINGER); otherwise FIN after the queued
 * data. The handle stays valid until tcp_release() so a lingering close can
 * wait for tcp_linger_done(). */
void tcp_close(struct tcb *t, sg_time now);
/* Abort now (Linux tcp_disconnect: connect(AF_UNSPEC), SO_LINGER 0): RST
 * if synchronised, state CLOSE, both queues purged, urgent state reset,
 * shutdown flags cleared; the pending error becomes ECONNRESET if the
 * connection was synchronised or connecting. The tcb may connect or
 * listen again. */
void tcp_abort(struct tcb *t, sg_time now);
/* For SO_LINGER with a timeout: true once the close has no more data in
 * flight (state is not FIN_WAIT1, CLOSING or LAST_ACK). */
bool tcp_linger_done(const struct tcb *t);

/* ---- queries ------------------------------------------------------------ */

/* POLLIN|POLLRDNORM, POLLOUT|POLLWRNORM, POLLPRI, POLLERR, POLLHUP, POLLRDHUP
 * exactly as Linux's tcp_poll computes them (listener: POLLIN iff the
 * accept queue is non-empty; urgent byte discounted from POLLIN at the
 * mark, R23). */
unsigned tcp_poll_mask(const struct tcb *t);
/* TCP_ESTABLISHED ... TCP_CLOSING (<netinet/tcp.h> numbering, Linux's), as
 * the socket sees it: a connection in TIME_WAIT reports TCP_CLOSE (Linux
 * hands TIME_WAIT to a separate object and the socket is closed). */
int tcp_state(const struct tcb *t);
/* SIOCINQ/FIONREAD (R24; -EINVAL on a listener, as Linux). */
int tcp_inq(const struct tcb *t);
/* SIOCOUTQ: bytes not yet acknowledged; SIOCOUTQNSD: not yet sent.
 * -EINVAL on a listener. */
int tcp_outq(const struct tcb *t);
int tcp_outq_nsd(const struct tcb *t);
/* SIOCATMARK (R21): 1 or 0 (0 on listeners and unconnected tcbs). */
int tcp_atmark(const struct tcb *t);
/* SO_ERROR: the pending error as a positive errno (0 if none), cleared. */
int tcp_sock_error(struct tcb *t);
/* getsockname / getpeername. -ENOTCONN for the peer when not connected
 * (LISTEN, CLOSE before connecting). Unbound: any address, port 0. */
void tcp_local(const struct tcb *t, struct ipaddr *addr, uint16_t *port);
int tcp_remote(const struct tcb *t, struct ipaddr *addr, uint16_t *port);
/* TCP_INFO: fills the fields the engine tracks (state, ca_state,
 * retransmits, probes, backoff, options, snd/rcv_wscale, rto, ato,
 * snd_mss, rcv_mss, unacked, sacked, lost, retrans, last_data_sent/recv,
 * last_ack_recv, pmtu, rcv_ssthresh, rtt, rttvar, snd_ssthresh, snd_cwnd,
 * advmss, reordering, rcv_space, total_retrans); the rest is zero. Times
 * in microseconds / milliseconds as Linux. */
void tcp_get_info(const struct tcb *t, struct tcp_info *info, sg_time now);

/* ---- options ------------------------------------------------------------ */

/* IPPROTO_TCP options: TCP_NODELAY, TCP_MAXSEG, TCP_CORK, TCP_KEEPIDLE,
 * TCP_KEEPINTVL, TCP_KEEPCNT, TCP_SYNCNT, TCP_LINGER2, TCP_QUICKACK,
 * TCP_CONGESTION (by name: "cubic", "reno"/"newreno"), TCP_USER_TIMEOUT,
 * TCP_WINDOW_CLAMP, TCP_INFO (get only). Errors as Linux do_tcp_setsockopt:
 * -EINVAL short optlen or value out of range, -ENOENT unknown congestion
 * control, -ENOPROTOOPT unknown option. tcp_getsockopt copies at most
 * *optlen bytes and stores the full length in *optlen (as Linux, which
 * truncates TCP_INFO to the caller's length). */
int tcp_setsockopt(struct tcb *t, int optname, const void *optval, socklen_t optlen, sg_time now);
int tcp_getsockopt(struct tcb *t, int optname, void *optval, socklen_t *optlen, sg_time now);

/* SOL_SOCKET options that change TCP behaviour; the socket layer stores
 * and reports them and tells the engine. Sizes are the effective byte
 * values (Linux's doubling of SO_SNDBUF/SO_RCVBUF is applied by the socket
 * layer before calling). Setting a buffer disables autotuning for it
 * (SOCK_SNDBUF_LOCK / SOCK_RCVBUF_LOCK). */
void tcp_set_sndbuf(struct tcb *t, uint32_t bytes);
void tcp_set_rcvbuf(struct tcb *t, uint32_t bytes);
uint32_t tcp_get_sndbuf(const struct tcb *t);
uint32_t tcp_get_rcvbuf(const struct tcb *t);
void tcp_set_keepalive(struct tcb *t, bool on, sg_time now);   /* SO_KEEPALIVE */
void tcp_set_linger(struct tcb *t, bool on, uint32_t seconds); /* SO_LINGER */
void tcp_set_oobinline(struct tcb *t, bool on);                /* SO_OOBINLINE (R20) */
void tcp_set_reuseaddr(struct tcb *t, bool on);                /* SO_REUSEADDR */
/* SO_REUSEPORT: listeners (and bound sockets) that all set it share a
 * port; each new connection goes to one listener chosen by a hash of the
 * remote address and port. */
void tcp_set_reuseport(struct tcb *t, bool on);

#endif

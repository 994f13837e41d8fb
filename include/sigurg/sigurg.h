/* sigurg: a userspace TCP/IP stack with faithful TCP urgent data.
 *
 * This header is the public API: stacks and their configuration, links,
 * counters, and (as it lands) the POSIX mirror sg_socket, sg_send, ...
 * which takes the system's own constants and reports errors as -1 and
 * errno, exactly like the calls it mirrors. See docs/api.md.
 */
#ifndef SIGURG_SIGURG_H
#define SIGURG_SIGURG_H
#include <stddef.h>
#include <stdint.h>
#include "sigurg/counters.h"

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define SG_API __attribute__((visibility("default")))
#else
#define SG_API
#endif

/* Congestion control algorithms. */
enum sg_cc {
    SG_CC_CUBIC = 0, /* default, as Linux */
    SG_CC_NEWRENO = 1,
};

/* A stack's configuration. Zero means "the default" for every field, so
 * `struct sg_config cfg = {0};` gives a stack that behaves like a default
 * Linux host. Defaults are listed with each field. */
struct sg_config {
    const char *name;        /* for logs and pcap names; default "sg" */
    uint64_t seed;           /* PRNG seed; 0: the runtime picks one from the
                                OS (a world always derives one from its seed) */
    uint32_t tcp_rmem;       /* default receive buffer, bytes; default 131072
                                (Linux tcp_rmem[1]) */
    uint32_t tcp_wmem;       /* default send buffer, bytes; default 16384
                                (Linux tcp_wmem[1]) */
    uint32_t tcp_rmem_max;   /* largest SO_RCVBUF/autotuned; default 6291456 */
    uint32_t tcp_wmem_max;   /* largest SO_SNDBUF/autotuned; default 4194304 */
    uint32_t msl_ms;         /* TIME_WAIT lasts 2*MSL; default 30000 (Linux's 60 s) */
    enum sg_cc cc;           /* default SG_CC_CUBIC */
    uint32_t initial_cwnd;   /* segments; default 10 (RFC 6928) */
    uint32_t rto_min_ms;     /* default 200 (Linux) */
    uint32_t rto_max_ms;     /* default 120000 (Linux) */
    uint32_t rto_initial_ms; /* default 1000 (RFC 6298) */
    uint32_t syn_retries;    /* default 6 (Linux tcp_syn_retries) */
    uint32_t retries2;       /* default 15 (Linux tcp_retries2) */
    uint32_t delack_min_ms;  /* delayed-ACK timer; default 40 (Linux) */
    uint32_t somaxconn;      /* listen backlog cap; default 4096 (Linux) */
    int tcp_stdurg;          /* 1: read received urgent pointers as RFC 1122
                                "last byte" (Linux net.ipv4.tcp_stdurg);
                                default 0, the BSD reading. shared/spec/oob.md R10 */
    int no_timestamps;       /* 1: don't offer RFC 7323 timestamps; default 0 */
    int no_sack;             /* 1: don't offer SACK; default 0 */
    int no_wscale;           /* 1: don't offer window scaling; default 0 */
    uint32_t ip_default_ttl; /* default 64 */
    uint32_t icmp_msgs_per_sec; /* ICMP error token bucket rate; default 1000
                                   (Linux icmp_msgs_per_sec), burst 50 */
    uint32_t ip_reasm_timeout_ms; /* default 30000 (Linux ipfrag_time) */
    uint32_t ip_reasm_max_bytes;  /* memory for reassembly; default 4 MiB (ipfrag_high_thresh) */
};

/* Fill every zero field of *cfg with its default. */
SG_API void sg_config_defaults(struct sg_config *cfg);

/* Name and description of a counter (sigurg/counters.h), NULL if out of range. */
SG_API const char *sg_counter_name(enum sg_counter c);
SG_API const char *sg_counter_desc(enum sg_counter c);

/* A network stack (opaque). Created by sg_world_add_stack() (sim.h) for
 * now. Copies its counters (indexed by enum sg_counter) into out[0..n):
 * min(n, SG_C__COUNT) values. Returns SG_C__COUNT, the number of counters
 * there are; n may be 0 to ask just that. */
typedef struct sg_stack sg_stack;
SG_API int sg_stack_counters(const sg_stack *s, uint64_t *out, size_t n);

/* ==== Runtime: stacks of your own, and the POSIX mirror (sg_*) ===========
 *
 * Stacks come in three kinds, one per way of driving them:
 *   - simulated: sg_world_add_stack() (sim.h). No threads; virtual time.
 *   - threaded: sg_stack_new() + sg_stack_start(): a service thread per
 *     stack runs it on the monotonic clock.
 *   - caller-driven: sg_stack_new() without sg_stack_start(): your event
 *     loop waits on sg_stack_wait_fd() and the deadline sg_stack_process()
 *     returns, and calls sg_stack_process() when either comes.
 * One mutex per stack serialises everything done to it; no call ever holds
 * two stacks' locks, so stacks in one process may talk to each other
 * (sg_link_pair) from any threads.
 *
 * Descriptors. sg_socket() returns a process-wide descriptor that is a
 * real host descriptor: an eventfd whose number is the descriptor, so it
 * never collides with the kernel's and can sit in a foreign poll / epoll /
 * libuv loop. It is readable while the socket is (POLLIN, POLLPRI,
 * POLLERR, POLLHUP or POLLRDHUP) and writable while the socket is
 * writable, except that a socket neither readable nor writable shows
 * writable; read the real state with sg_poll() / the call itself. Never
 * read or write the eventfd yourself. sg_* calls on a descriptor that is
 * not sigurg's fail with EBADF (ENOTSOCK for a sigurg epoll descriptor).
 *
 * Calls mirror POSIX/Linux: same signatures and constants, -1 and errno.
 * Blocking calls block on threaded stacks; on a caller-driven stack they
 * drive the stack themselves until they can complete; on a simulated
 * stack they step its world (sg_world_step) until they can complete, the
 * clock moving to any SO_RCVTIMEO / SO_SNDTIMEO / poll deadline when
 * nothing happens before it, and fail with EDEADLK when the world has
 * nothing left to do and no deadline bounds the wait (it would block for
 * ever). Non-blocking calls never step the world. Blocked calls are not
 * interrupted by signals (no EINTR).
 *
 * Close: sg_close() frees the descriptor number at once; a call blocked on
 * the socket in another thread keeps it alive and goes on waiting (as
 * Linux: close() does not wake a blocked recv(); shutdown(SHUT_RD) does,
 * which then returns 0). SO_LINGER with a timeout makes the last close
 * wait, also for non-blocking sockets (as Linux). Close every socket of a
 * stack before freeing it (sg_stack_free closes what is left; a world's
 * sockets must be closed before sg_world_free).
 *
 * Signals: SIGPIPE is raised in the calling thread (pthread_kill), as the
 * kernel does, unless MSG_NOSIGNAL. SIGURG goes to the F_SETOWN owner
 * (process or, negative, process group) once per urgent pointer accepted
 * (shared/spec/oob.md R22), with kill(); with O_ASYNC the owner also gets
 * SIGIO, or the F_SETSIG signal queued with si_code POLL_IN / POLL_OUT /
 * POLL_PRI / POLL_ERR / POLL_HUP, si_band and si_fd (rt_sigqueueinfo when
 * the owner is this process; kill() otherwise, which carries no si_band).
 * Signals are sent after the stack's lock is dropped.
 */
#include <poll.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/uio.h>

struct sg_link_config; /* sim.h */

/* A new stack (NULL cfg: defaults; cfg->seed 0: seeded from the OS) with
 * no interfaces, not running: caller-driven until sg_stack_start(). NULL
 * and errno ENOMEM on failure. */
SG_API sg_stack *sg_stack_new(const struct sg_config *cfg);
/* Start the stack's service thread. 0, or -1 and errno: EINVAL (a world's
 * stack), EALREADY (running), EAGAIN (no thread). */
SG_API int sg_stack_start(sg_stack *s);
/* Stop the service thread, close the stack's remaining descriptors,
 * detach its links (a peer then sees a cable with nobody at the end) and
 * free it. NULL allowed; a world's stack is left alone (sg_world_free). */
SG_API void sg_stack_free(sg_stack *s);
/* Join two stacks made by sg_stack_new with an in-memory link: an
 * interface on each ("eth0", "eth1", ... per stack) with the addresses
 * a_cidr / b_cidr ("10.0.0.1/24", connected route included). cfg as
 * sg_world_connect (sim.h): kind, MTU, impairments on a's side (seeded
 * from a's seed and the link's index), pcap capture of a's interface
 * (timestamps from the monotonic clock). NULL cfg: a perfect Ethernet
 * link, MTU 1500. 0, or -1 and errno: EINVAL (bad address, a == b, a
 * world's stack), ENOMEM, or the capture file's errno. */
SG_API int sg_link_pair(sg_stack *a, const char *a_cidr, sg_stack *b, const char *b_cidr,
                        const struct sg_link_config *cfg);
/* Add a route: destination cidr ("0.0.0.0/0") via gateway gw (an address
 * on one of the stack's connected prefixes; NULL: on-link through the
 * first interface whose prefix holds the destination). 0, or -1 and
 * errno: EINVAL, ENETUNREACH (gateway on no interface), EEXIST, ENOMEM. */
SG_API int sg_stack_add_route(sg_stack *s, const char *cidr, const char *gw);

/* Caller-driven mode. The wait descriptor is readable when frames wait on
 * the stack's links (or a call needs the stack processed). Process the
 * stack when it is readable or when the deadline passes:
 * sg_stack_process() runs input and due timers at now_ns (CLOCK_MONOTONIC
 * nanoseconds: sg_now_ns()) and returns the next deadline in the same
 * clock (UINT64_MAX: none). Calling it on a running or simulated stack is
 * harmless (threaded: it does the service thread's work; simulated:
 * returns the world's next event without doing anything). */
SG_API int sg_stack_wait_fd(sg_stack *s);
SG_API uint64_t sg_stack_process(sg_stack *s, uint64_t now_ns);
/* CLOCK_MONOTONIC in nanoseconds: the clock of threaded and caller-driven
 * stacks. */
SG_API uint64_t sg_now_ns(void);

/* The stack sg_socket() uses. One per process (not per thread: a socket's
 * stack is fixed at creation, and a process-wide default lets a program
 * ported by renaming calls keep its threads). NULL unsets it; sg_socket
 * then fails with ENETDOWN. sg_default_stack() returns it. */
SG_API void sg_set_default_stack(sg_stack *s);
SG_API sg_stack *sg_default_stack(void);
/* socket(2) on a given stack. */
SG_API int sg_socket_on(sg_stack *s, int domain, int type, int protocol);

/* The POSIX mirror. */
SG_API int sg_socket(int domain, int type, int protocol);
SG_API int sg_bind(int fd, const struct sockaddr *addr, socklen_t len);
SG_API int sg_listen(int fd, int backlog);
SG_API int sg_accept(int fd, struct sockaddr *addr, socklen_t *len);
SG_API int sg_accept4(int fd, struct sockaddr *addr, socklen_t *len, int flags);
SG_API int sg_connect(int fd, const struct sockaddr *addr, socklen_t len);
SG_API ssize_t sg_send(int fd, const void *buf, size_t len, int flags);
SG_API ssize_t sg_sendto(int fd, const void *buf, size_t len, int flags, const struct sockaddr *to,
                         socklen_t tolen);
SG_API ssize_t sg_sendmsg(int fd, const struct msghdr *msg, int flags);
SG_API ssize_t sg_recv(int fd, void *buf, size_t len, int flags);
SG_API ssize_t sg_recvfrom(int fd, void *buf, size_t len, int flags, struct sockaddr *from,
                           socklen_t *fromlen);
SG_API ssize_t sg_recvmsg(int fd, struct msghdr *msg, int flags);
SG_API ssize_t sg_read(int fd, void *buf, size_t len);
SG_API ssize_t sg_write(int fd, const void *buf, size_t len);
SG_API ssize_t sg_readv(int fd, const struct iovec *iov, int iovcnt);
SG_API ssize_t sg_writev(int fd, const struct iovec *iov, int iovcnt);
SG_API int sg_shutdown(int fd, int how);
SG_API int sg_close(int fd);
SG_API int sg_getsockname(int fd, struct sockaddr *addr, socklen_t *len);
SG_API int sg_getpeername(int fd, struct sockaddr *addr, socklen_t *len);
SG_API int sg_setsockopt(int fd, int level, int name, const void *val, socklen_t len);
SG_API int sg_getsockopt(int fd, int level, int name, void *val, socklen_t *len);
/* FIONREAD/SIOCINQ, SIOCOUTQ, SIOCOUTQNSD, SIOCATMARK, FIONBIO, FIOASYNC,
 * FIOSETOWN/SIOCSPGRP, FIOGETOWN/SIOCGPGRP (int * argument). */
SG_API int sg_ioctl(int fd, unsigned long req, ...);
/* F_GETFL/F_SETFL (O_NONBLOCK, O_ASYNC, O_APPEND), F_GETFD/F_SETFD,
 * F_GETOWN/F_SETOWN, F_GETSIG/F_SETSIG. Others: EINVAL. */
SG_API int sg_fcntl(int fd, int cmd, ...);
SG_API int sg_sockatmark(int fd);
/* poll / select take sigurg descriptors and host descriptors mixed. */
SG_API int sg_poll(struct pollfd *fds, nfds_t n, int timeout_ms);
SG_API int sg_select(int nfds, fd_set *r, fd_set *w, fd_set *x, struct timeval *tv);
/* epoll over sigurg sockets: level- and edge-triggered, EPOLLONESHOT,
 * EPOLLRDHUP, EPOLLPRI (R23); EPOLLEXCLUSIVE is accepted on ADD as a
 * wake-up hint (every waiter wakes). Host descriptors cannot be added
 * (EPERM), nor sigurg epoll descriptors (EINVAL: no nesting yet). The
 * epoll descriptor is itself an eventfd, readable while events may be
 * pending. Close an epoll descriptor before freeing the stacks of the
 * sockets in it. */
SG_API int sg_epoll_create1(int flags);
SG_API int sg_epoll_ctl(int epfd, int op, int fd, struct epoll_event *ev);
SG_API int sg_epoll_wait(int epfd, struct epoll_event *evs, int max, int timeout_ms);

#ifdef __cplusplus
}
#endif
#endif

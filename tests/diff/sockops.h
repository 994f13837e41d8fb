/* The socket API as a table of function pointers, so one scenario drives
 * the kernel's sockets and sigurg's sg_* mirror alike.
 *
 * Every socket member has exactly the POSIX/Linux signature and takes the
 * system's own constants; errors are -1 and errno. A backend is one file that
 * fills this table (sockops_kernel.c today, sockops_sigurg.c later) plus the
 * environment members below, which say what "two hosts joined by a network"
 * means for that backend.
 *
 * Two hosts. Scenarios never hard-code addresses: they pick the host that
 * creates the next sockets with host(), and ask addr() for a host's address.
 * The kernel backend has one network namespace with loopback, so both hosts
 * are 127.0.0.1 / ::1 there; the sigurg backend has two stacks on a memlink.
 */
#ifndef SIGURG_TESTS_DIFF_SOCKOPS_H
#define SIGURG_TESTS_DIFF_SOCKOPS_H

#include <poll.h>
#include <stddef.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/uio.h>

/* What a run asks of the environment. */
struct env_opts {
    int family; /* AF_INET or AF_INET6: the family scenarios use by default */
    int stdurg; /* initial net.ipv4.tcp_stdurg for both hosts (spec R10) */
};

/* Optional features a scenario may need; a backend lists the ones it has in
 * sockops.caps and the runner skips (not fails) scenarios needing others. */
enum sockops_cap {
    SOCKOPS_CAP_MPTCP = 1u << 0, /* socket(..., IPPROTO_MPTCP) is meaningful */
    SOCKOPS_CAP_RAW = 1u << 1,   /* SOCK_RAW and ICMP ping (SOCK_DGRAM, IPPROTO_ICMP) sockets */
    /* Socket calls from a second thread while the first is blocked (the
     * single-threaded world behind the sigurg backend refuses them). */
    SOCKOPS_CAP_THREADS = 1u << 2,
    SOCKOPS_CAP_INET6 = 1u << 3, /* AF_INET6 sockets, whatever the run's family */
};

/* The two hosts of a scenario. A stream "pair" connects from HOST_A to a
 * listener on HOST_B; data-direction is up to the scenario. */
enum { HOST_A = 0, HOST_B = 1 };

struct sockops {
    const char *name; /* "kernel", "sigurg" */
    unsigned caps;    /* enum sockops_cap bits */

    /* Environment. setup() builds a fresh world (kernel: a new network
     * namespace with lo up) and returns 0, or -1 and errno (EPERM when the
     * process may not create one). teardown() releases it. Both run in the
     * scenario's own process, once per scenario. */
    int (*setup)(const struct env_opts *opts);
    void (*teardown)(void);
    /* Let in-flight segments be delivered and processed: return once the
     * world is quiescent (nothing queued that could still be sent), or after
     * at most max_ms milliseconds. Signals raised by deliveries have been
     * handled when it returns. */
    void (*settle)(int max_ms);
    /* The run's default family (env_opts.family). */
    int (*family)(void);
    /* Select the host that creates subsequent sockets (HOST_A/HOST_B). */
    void (*host)(int h);
    /* Address of host h in family fam, port 0. Returns 0, or -1 and errno
     * (EAFNOSUPPORT). For AF_INET6 with v4mapped set, the host's IPv4
     * address as ::ffff:a.b.c.d. */
    int (*addr)(int h, int fam, int v4mapped, struct sockaddr_storage *ss, socklen_t *len);
    /* net.ipv4.tcp_stdurg for both hosts; 0 or -1 and errno. */
    int (*set_stdurg)(int on);

    /* Sockets. */
    int (*socket)(int domain, int type, int protocol);
    int (*bind)(int fd, const struct sockaddr *addr, socklen_t len);
    int (*listen)(int fd, int backlog);
    int (*accept)(int fd, struct sockaddr *addr, socklen_t *len);
    int (*accept4)(int fd, struct sockaddr *addr, socklen_t *len, int flags);
    int (*connect)(int fd, const struct sockaddr *addr, socklen_t len);
    ssize_t (*send)(int fd, const void *buf, size_t len, int flags);
    ssize_t (*sendto)(int fd, const void *buf, size_t len, int flags, const struct sockaddr *to,
                      socklen_t tolen);
    ssize_t (*sendmsg)(int fd, const struct msghdr *msg, int flags);
    ssize_t (*recv)(int fd, void *buf, size_t len, int flags);
    ssize_t (*recvfrom)(int fd, void *buf, size_t len, int flags, struct sockaddr *from,
                        socklen_t *fromlen);
    ssize_t (*recvmsg)(int fd, struct msghdr *msg, int flags);
    ssize_t (*read)(int fd, void *buf, size_t len);
    ssize_t (*write)(int fd, const void *buf, size_t len);
    ssize_t (*readv)(int fd, const struct iovec *iov, int iovcnt);
    ssize_t (*writev)(int fd, const struct iovec *iov, int iovcnt);
    int (*shutdown)(int fd, int how);
    int (*close)(int fd);
    int (*getsockname)(int fd, struct sockaddr *addr, socklen_t *len);
    int (*getpeername)(int fd, struct sockaddr *addr, socklen_t *len);
    int (*setsockopt)(int fd, int level, int name, const void *val, socklen_t len);
    int (*getsockopt)(int fd, int level, int name, void *val, socklen_t *len);
    int (*ioctl)(int fd, unsigned long req, void *arg);
    int (*fcntl)(int fd, int cmd, long arg);
    int (*sockatmark)(int fd);
    int (*poll)(struct pollfd *fds, nfds_t n, int timeout_ms);
    int (*select)(int nfds, fd_set *r, fd_set *w, fd_set *x, struct timeval *tv);
    int (*epoll_create1)(int flags);
    int (*epoll_ctl)(int epfd, int op, int fd, struct epoll_event *ev);
    int (*epoll_wait)(int epfd, struct epoll_event *evs, int max, int timeout_ms);
};

/* Backends. */
extern const struct sockops sockops_kernel;

#endif

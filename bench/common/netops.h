/* One table of POSIX-shaped socket calls, so a benchmark's client and
 * server are written once and run unchanged on the kernel (libc's calls
 * over loopback) and on sigurg (the sg_* mirror over two threaded stacks
 * joined by a memlink): the same code paths, the same blocking calls, the
 * only difference the stack underneath.
 */
#ifndef SG_BENCH_NETOPS_H
#define SG_BENCH_NETOPS_H
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

struct bench_net {
    const char *name; /* "kernel", "sigurg" */
    /* socket(2) on host `host`: 0 the client's side, 1 the server's side
     * (the kernel has one host; sigurg two stacks). */
    int (*socket)(struct bench_net *n, int host, int domain, int type, int protocol);
    int (*bind)(int fd, const struct sockaddr *sa, socklen_t len);
    int (*listen)(int fd, int backlog);
    int (*accept)(int fd, struct sockaddr *sa, socklen_t *len);
    int (*connect)(int fd, const struct sockaddr *sa, socklen_t len);
    ssize_t (*send)(int fd, const void *buf, size_t len, int flags);
    ssize_t (*recv)(int fd, void *buf, size_t len, int flags);
    int (*close)(int fd);
    int (*setsockopt)(int fd, int level, int name, const void *val, socklen_t len);
    int (*poll)(struct pollfd *fds, nfds_t n, int timeout_ms);
    /* fcntl(fd, F_SETOWN, pid) and fcntl(fd, F_SETFL, flags): the only
     * fcntl uses the benchmarks have (kept apart: fcntl is variadic). */
    int (*setown)(int fd, pid_t pid);
    int (*setfl)(int fd, int flags);
    /* Where the server listens (the port is each benchmark's). */
    struct sockaddr_in server;
    void (*teardown)(struct bench_net *n);
    void *priv;
};

/* The kernel's sockets over loopback (127.0.0.1). Call after entering a
 * private network namespace (bench_netns_enter). Always 0. */
int bench_net_kernel(struct bench_net *n);

/* sigurg in threaded mode: two stacks, each with its service thread,
 * joined by a memlink of the given MTU (0: 1500); host 0 is 10.0.0.1, the
 * server (host 1) 10.0.0.2. 0, or -1 with errno (ENOSYS when this build's
 * sigurg has no threaded runtime yet: the reason is printed once). */
int bench_net_sigurg(struct bench_net *n, uint32_t mtu);

/* Why bench_net_sigurg() is unavailable in this build, or NULL if it is. */
const char *bench_net_sigurg_missing(void);

/* A connected pair (client fd, server fd) on n, both with TCP_NODELAY,
 * through a listener on `port` that is closed again. 0 or -1. */
int bench_net_pair(struct bench_net *n, uint16_t port, int *cfd, int *sfd);

#endif

/* The kernel's and sigurg's socket tables (netops.h). */
#include "netops.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "sgnet.h"

/* ---- the kernel --------------------------------------------------------- */

static int k_socket(struct bench_net *n, int host, int domain, int type, int protocol)
{
    return socket(domain, type, protocol);
}

static int k_setown(int fd, pid_t pid)
{
    return fcntl(fd, F_SETOWN, pid);
}

static int k_setfl(int fd, int flags)
{
    return fcntl(fd, F_SETFL, flags);
}

static void k_teardown(struct bench_net *n) {}

int bench_net_kernel(struct bench_net *n)
{
    memset(n, 0, sizeof *n);
    n->name = "kernel";
    n->socket = k_socket;
    n->bind = bind;
    n->listen = listen;
    n->accept = accept;
    n->connect = connect;
    n->send = send;
    n->recv = recv;
    n->close = close;
    n->setsockopt = setsockopt;
    n->poll = poll;
    n->setown = k_setown;
    n->setfl = k_setfl;
    n->teardown = k_teardown;
    n->server.sin_family = AF_INET;
    n->server.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return 0;
}

/* ---- sigurg --------------------------------------------------------------- */

int bench_net_sigurg(struct bench_net *n, uint32_t mtu)
{
    memset(n, 0, sizeof *n);
    const char *why = sgnet_missing();
    if (why) {
        static int told;
        if (!told++)
            fprintf(stderr, "bench: sigurg side unavailable: %s\n", why);
        errno = ENOSYS;
        return -1;
    }
    return sgnet_threaded_pair(n, mtu ? mtu : 1500);
}

const char *bench_net_sigurg_missing(void)
{
    return sgnet_missing();
}

/* ---- helpers -------------------------------------------------------------- */

int bench_net_pair(struct bench_net *n, uint16_t port, int *cfd, int *sfd)
{
    int one = 1;
    struct sockaddr_in sa = n->server;
    sa.sin_port = htons(port);
    int l = n->socket(n, 1, AF_INET, SOCK_STREAM, 0);
    if (l < 0)
        return -1;
    n->setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (n->bind(l, (struct sockaddr *)&sa, sizeof sa) < 0 || n->listen(l, 16) < 0) {
        perror("bench: listen");
        n->close(l);
        return -1;
    }
    int c = n->socket(n, 0, AF_INET, SOCK_STREAM, 0);
    if (c < 0 || n->connect(c, (struct sockaddr *)&sa, sizeof sa) < 0) {
        perror("bench: connect");
        if (c >= 0)
            n->close(c);
        n->close(l);
        return -1;
    }
    int s = n->accept(l, NULL, NULL);
    n->close(l);
    if (s < 0) {
        perror("bench: accept");
        n->close(c);
        return -1;
    }
    n->setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    n->setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    *cfd = c;
    *sfd = s;
    return 0;
}

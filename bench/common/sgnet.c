/* sigurg's runtime set-up for the benchmarks (sgnet.h). */
#include "sgnet.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include "netops.h"

#ifdef BENCH_HAVE_SG_API
#include "sigurg/sigurg.h"
#include "sigurg/sim.h"

struct sgnet {
    sg_stack *st[2];
};

const char *sgnet_missing(void)
{
    return NULL;
}

static int s_socket(struct bench_net *n, int host, int domain, int type, int protocol)
{
    struct sgnet *p = n->priv;
    return sg_socket_on(p->st[host ? 1 : 0], domain, type, protocol);
}

static int s_setown(int fd, pid_t pid)
{
    return sg_fcntl(fd, F_SETOWN, pid);
}

static int s_setfl(int fd, int flags)
{
    return sg_fcntl(fd, F_SETFL, flags);
}

static void s_teardown(struct bench_net *n)
{
    struct sgnet *p = n->priv;
    if (!p)
        return;
    sg_stack_free(p->st[0]);
    sg_stack_free(p->st[1]);
    free(p);
    n->priv = NULL;
}

int sgnet_threaded_pair(struct bench_net *n, uint32_t mtu)
{
    struct sgnet *p = calloc(1, sizeof *p);
    if (!p)
        return -1;
    for (int i = 0; i < 2; i++) {
        struct sg_config cfg;
        memset(&cfg, 0, sizeof cfg);
        cfg.name = i ? "server" : "client";
        if (!(p->st[i] = sg_stack_new(&cfg)))
            goto fail;
    }
    /* Bare IP like loopback (lo never resolves addresses either). */
    struct sg_link_config lc;
    memset(&lc, 0, sizeof lc);
    lc.kind = SG_LINK_RAW_IP;
    lc.mtu = mtu;
    if (sg_link_pair(p->st[0], "10.0.0.1/24", p->st[1], "10.0.0.2/24", &lc) < 0 ||
        sg_stack_start(p->st[0]) < 0 || sg_stack_start(p->st[1]) < 0)
        goto fail;
    n->name = "sigurg";
    n->priv = p;
    n->socket = s_socket;
    n->bind = sg_bind;
    n->listen = sg_listen;
    n->accept = sg_accept;
    n->connect = sg_connect;
    n->send = sg_send;
    n->recv = sg_recv;
    n->close = sg_close;
    n->setsockopt = sg_setsockopt;
    n->poll = sg_poll;
    n->setown = s_setown;
    n->setfl = s_setfl;
    n->teardown = s_teardown;
    n->server.sin_family = AF_INET;
    inet_pton(AF_INET, "10.0.0.2", &n->server.sin_addr);
    return 0;
fail:;
    int e = errno;
    sg_stack_free(p->st[0]);
    sg_stack_free(p->st[1]);
    free(p);
    errno = e;
    return -1;
}

#else /* the public header has no sg_* runtime yet */

const char *sgnet_missing(void)
{
    return "include/sigurg/sigurg.h has no threaded runtime yet (needs sg_socket_on & co., "
           "sg_stack_new/sg_stack_start and sg_link_pair)";
}

int sgnet_threaded_pair(struct bench_net *n, uint32_t mtu)
{
    (void)n;
    (void)mtu;
    errno = ENOSYS;
    return -1;
}
#endif

/* sigurg half of bench/bulk (sgbulk.h): two stacks in one sg_world, one
 * thread, a perfect bare-IP memlink of the given MTU between them, one
 * connection through non-blocking sg_* sockets.
 *
 * The loop: the sender sends until EAGAIN (or all is queued), the receiver
 * reads until EAGAIN, then the world takes one step (sg_world_step: the
 * frames sent meanwhile are delivered, ACKs produced, due timers run).
 * Virtual time only moves when nothing is due at once (a delayed-ACK
 * timer, say), and costs no wall time: what is measured is the CPU the two
 * stacks and the two applications' copies take.
 */
#include "sgbulk.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#ifdef BENCH_HAVE_SG_API
#include <poll.h>
#include <sys/socket.h>

#include "sigurg/sigurg.h"
#include "sigurg/sim.h"

#define PORT 5201

struct sgbulk {
    sg_world *w;
    uint64_t steps;
    int c, s; /* sender's and receiver's sockets */
    uint64_t bytes;
    size_t chunk;
    char *src, *dst;
    uint64_t t0, t_end;
};

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

const char *sgbulk_missing(void)
{
    return NULL;
}

__attribute__((noinline)) int sgbulk_transfer(struct sgbulk *b)
{
    uint64_t sent = 0, got = 0;
    size_t off = 0; /* where the application's next write starts in src */
    b->t0 = now_ns();
    while (got < b->bytes) {
        int progress = 0;
        while (sent < b->bytes) {
            size_t want = b->chunk - off;
            if (want > b->bytes - sent)
                want = (size_t)(b->bytes - sent);
            ssize_t n = sg_send(b->c, b->src + off, want, 0);
            if (n < 0) {
                if (errno == EAGAIN)
                    break;
                perror("bulk: sigurg send");
                return -1;
            }
            sent += (uint64_t)n;
            off = (off + (size_t)n) % b->chunk;
            progress = 1;
        }
        for (;;) {
            ssize_t n = sg_recv(b->s, b->dst, b->chunk, 0);
            if (n < 0) {
                if (errno == EAGAIN)
                    break;
                perror("bulk: sigurg recv");
                return -1;
            }
            if (n == 0) {
                fprintf(stderr, "bulk: sigurg receiver saw EOF after %llu bytes\n",
                        (unsigned long long)got);
                return -1;
            }
            got += (uint64_t)n;
            progress = 1;
        }
        if (got >= b->bytes)
            break;
        b->steps++;
        if (!sg_world_step(b->w) && !progress) {
            fprintf(stderr, "bulk: sigurg world idle with %llu of %llu bytes received\n",
                    (unsigned long long)got, (unsigned long long)b->bytes);
            return -1;
        }
    }
    b->t_end = now_ns();
    return 0;
}

/* Step the world until fd polls for `events` (or 10 s of virtual time). */
static int wait_for(sg_world *w, int fd, short events)
{
    sg_time limit = sg_world_now(w) + 10000000000ull;
    for (;;) {
        struct pollfd p = {.fd = fd, .events = events};
        if (sg_poll(&p, 1, 0) == 1 && (p.revents & events))
            return 0;
        if (p.revents & (POLLERR | POLLHUP | POLLNVAL))
            return -1;
        if (sg_world_now(w) > limit || !sg_world_step(w))
            return -1;
    }
}

int sgbulk_run(uint64_t bytes, uint32_t mtu, size_t chunk, struct sgbulk_result *res)
{
    struct sgbulk b = {.bytes = bytes, .chunk = chunk, .c = -1, .s = -1};
    int l = -1, rc = -1;
    b.src = malloc(chunk);
    b.dst = malloc(chunk);
    b.w = sg_world_new(1);
    if (!b.src || !b.dst || !b.w)
        goto out;
    memset(b.src, 0xa5, chunk);
    memset(b.dst, 0, chunk);
    struct sg_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.name = "sender";
    sg_stack *a = sg_world_add_stack(b.w, &cfg);
    cfg.name = "receiver";
    sg_stack *r = sg_world_add_stack(b.w, &cfg);
    struct sg_link_config lc;
    memset(&lc, 0, sizeof lc);
    lc.kind = SG_LINK_RAW_IP; /* bare IP, as loopback */
    lc.mtu = mtu;
    if (!a || !r || sg_world_connect(b.w, a, "10.0.0.1/24", r, "10.0.0.2/24", &lc) < 0) {
        perror("bulk: sigurg world");
        goto out;
    }
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(PORT)};
    inet_pton(AF_INET, "10.0.0.2", &sa.sin_addr);
    l = sg_socket_on(r, AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    b.c = sg_socket_on(a, AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    if (l < 0 || b.c < 0 || sg_bind(l, (struct sockaddr *)&sa, sizeof sa) < 0 ||
        sg_listen(l, 1) < 0) {
        perror("bulk: sigurg listen");
        goto out;
    }
    if (sg_connect(b.c, (struct sockaddr *)&sa, sizeof sa) < 0 && errno != EINPROGRESS) {
        perror("bulk: sigurg connect");
        goto out;
    }
    if (wait_for(b.w, l, POLLIN) < 0 || (b.s = sg_accept4(l, NULL, NULL, SOCK_NONBLOCK)) < 0 ||
        wait_for(b.w, b.c, POLLOUT) < 0) {
        fprintf(stderr, "bulk: sigurg handshake did not complete: %s\n", strerror(errno));
        goto out;
    }
    uint64_t ca[SG_C__COUNT], cb[SG_C__COUNT], ra[SG_C__COUNT], rb[SG_C__COUNT];
    sg_stack_counters(a, ca, SG_C__COUNT);
    sg_stack_counters(r, ra, SG_C__COUNT);
    sg_time v0 = sg_world_now(b.w);
    if (sgbulk_transfer(&b) < 0)
        goto out;
    sg_stack_counters(a, cb, SG_C__COUNT);
    sg_stack_counters(r, rb, SG_C__COUNT);
    res->ns = b.t_end - b.t0;
    res->data_segs = cb[SG_C_TCP_OUT_SEGS] - ca[SG_C_TCP_OUT_SEGS];
    res->retrans = cb[SG_C_TCP_RETRANS_SEGS] - ca[SG_C_TCP_RETRANS_SEGS];
    res->acks = rb[SG_C_TCP_OUT_SEGS] - ra[SG_C_TCP_OUT_SEGS];
    res->steps = b.steps;
    res->virtual_ns = sg_world_now(b.w) - v0;
    rc = 0;
out:
    if (b.c >= 0)
        sg_close(b.c);
    if (b.s >= 0)
        sg_close(b.s);
    if (l >= 0)
        sg_close(l);
    sg_world_free(b.w);
    free(b.src);
    free(b.dst);
    return rc;
}

#else /* the public headers have no sg_* runtime yet */

struct sgbulk {
    int unused;
};

const char *sgbulk_missing(void)
{
    return "include/sigurg has no sg_* runtime yet (sg_socket_on & co. on sg_world stacks)";
}

__attribute__((noinline)) int sgbulk_transfer(struct sgbulk *b)
{
    (void)b;
    errno = ENOSYS;
    return -1;
}

int sgbulk_run(uint64_t bytes, uint32_t mtu, size_t chunk, struct sgbulk_result *res)
{
    (void)bytes;
    (void)mtu;
    (void)chunk;
    (void)res;
    errno = ENOSYS;
    return -1;
}
#endif

/* memlink: two link endpoints joined in memory (link.h, link_mem_pair).
 *
 * xmit on one endpoint pushes the buf itself (no copy) onto the *peer's*
 * inbound queue; recv on the peer pops it. The two endpoints may be driven
 * by two threads (two stacks, each with its service thread), so each
 * inbound queue has its own small mutex. The peer's on_rx is called after
 * that mutex is released: the callback typically takes the peer stack's
 * lock, and ARCHITECTURE.md forbids holding one lock while taking another
 * stack's.
 *
 * Both endpoints share one `struct memlink_pair` that outlives the first
 * destroyed endpoint: a frame sent towards a destroyed endpoint is dropped
 * (as on a cable with nobody at the other end), and the pair is freed with
 * the second endpoint.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include "link/link.h"

#define MEMLINK_DEFAULT_QLEN 1000 /* Linux's default txqueuelen */

struct memlink_pair;

struct memlink {
    struct link link; /* first: a struct link * is a struct memlink * */
    struct memlink_pair *pair;
    int side; /* 0 or 1: index in pair->ep and pair->inq */
};

struct memlink_inq {
    pthread_mutex_t lock;
    struct bufq q;
    int alive; /* 0 once this side's endpoint is destroyed */
};

struct memlink_pair {
    struct memlink ep[2];
    struct memlink_inq inq[2]; /* inq[i]: frames waiting for ep[i].recv */
    uint32_t qlen;
    int refs; /* endpoints not yet destroyed; under inq[0].lock */
};

static struct memlink *memlink_of(struct link *l)
{
    return (struct memlink *)l;
}

static const struct memlink *memlink_of_const(const struct link *l)
{
    return (const struct memlink *)l;
}

/* Bytes of the IP packet in a frame: what the MTU limits. */
static uint32_t memlink_ip_len(const struct link *l, const struct buf *f)
{
    if (l->kind == LINK_ETHERNET)
        return f->len > 14 ? f->len - 14 : 0;
    return f->len;
}

static int memlink_xmit(struct link *l, struct buf *f, sg_time now)
{
    struct memlink *m = memlink_of(l);
    struct memlink_pair *p = m->pair;
    int peer = 1 - m->side;
    struct memlink_inq *inq = &p->inq[peer];

    if (memlink_ip_len(l, f) > l->mtu) {
        buf_free(f);
        return -EMSGSIZE;
    }
    pthread_mutex_lock(&inq->lock);
    if (!inq->alive) {
        pthread_mutex_unlock(&inq->lock);
        buf_free(f); /* nobody at the other end: lost on the wire */
        return 0;
    }
    if (inq->q.count >= p->qlen) {
        pthread_mutex_unlock(&inq->lock);
        buf_free(f);
        return -ENOBUFS;
    }
    f->when = now;
    bufq_push(&inq->q, f);
    pthread_mutex_unlock(&inq->lock);

    /* Without the lock (see the top of the file). The peer endpoint is
     * alive here unless its owner destroys it concurrently, which the
     * runtime rules out by stopping both stacks before freeing links. */
    struct link *pl = &p->ep[peer].link;
    if (pl->on_rx)
        pl->on_rx(pl->on_rx_ctx);
    return 0;
}

static struct buf *memlink_recv(struct link *l, sg_time now)
{
    struct memlink *m = memlink_of(l);
    struct memlink_inq *inq = &m->pair->inq[m->side];

    pthread_mutex_lock(&inq->lock);
    struct buf *f = bufq_pop(&inq->q);
    pthread_mutex_unlock(&inq->lock);
    if (f)
        f->next = NULL;
    return f;
}

static sg_time memlink_next_event(const struct link *l)
{
    const struct memlink *m = memlink_of_const(l);
    struct memlink_inq *inq = &m->pair->inq[m->side];

    pthread_mutex_lock(&inq->lock);
    uint32_t n = inq->q.count;
    pthread_mutex_unlock(&inq->lock);
    /* Frames in the queue are ready at once: report the earliest time. */
    return n ? 0 : SG_TIME_NEVER;
}

static int memlink_wait_fd(const struct link *l)
{
    return -1;
}

static void memlink_destroy(struct link *l)
{
    struct memlink *m = memlink_of(l);
    struct memlink_pair *p = m->pair;
    struct memlink_inq *inq = &p->inq[m->side];

    pthread_mutex_lock(&inq->lock);
    inq->alive = 0;
    bufq_purge(&inq->q);
    pthread_mutex_unlock(&inq->lock);

    pthread_mutex_lock(&p->inq[0].lock);
    int left = --p->refs;
    pthread_mutex_unlock(&p->inq[0].lock);
    if (left == 0) {
        pthread_mutex_destroy(&p->inq[0].lock);
        pthread_mutex_destroy(&p->inq[1].lock);
        free(p);
    }
}

static const struct link_ops memlink_ops = {
    .xmit = memlink_xmit,
    .recv = memlink_recv,
    .poll = NULL,
    .next_event = memlink_next_event,
    .wait_fd = memlink_wait_fd,
    .destroy = memlink_destroy,
};

int link_mem_pair(enum link_kind kind, uint32_t mtu, uint32_t qlen, uint32_t id, struct link **a,
                  struct link **b)
{
    struct memlink_pair *p = calloc(1, sizeof(*p));
    if (!p)
        return -ENOMEM;
    p->qlen = qlen ? qlen : MEMLINK_DEFAULT_QLEN;
    p->refs = 2;
    for (int i = 0; i < 2; i++) {
        struct memlink *m = &p->ep[i];
        struct link *l = &m->link;
        m->pair = p;
        m->side = i;
        l->ops = &memlink_ops;
        l->kind = kind;
        l->mtu = mtu;
        l->caps = LINK_CAP_CSUM_OFFLOAD;
        /* 02:xx:xx:xx:xx:0s -- locally administered, unicast (IEEE 802
         * U/L bit set, I/G bit clear); id in the middle, side at the end,
         * so every endpoint of every pair in a world differs. */
        l->mac[0] = 0x02;
        l->mac[1] = (uint8_t)(id >> 24);
        l->mac[2] = (uint8_t)(id >> 16);
        l->mac[3] = (uint8_t)(id >> 8);
        l->mac[4] = (uint8_t)id;
        l->mac[5] = (uint8_t)(i + 1);
        snprintf(l->name, sizeof(l->name), "mem%u%c", (unsigned)(id % 100000u), 'a' + i);
        pthread_mutex_init(&p->inq[i].lock, NULL);
        bufq_init(&p->inq[i].q);
        p->inq[i].alive = 1;
    }
    *a = &p->ep[0].link;
    *b = &p->ep[1].link;
    return 0;
}

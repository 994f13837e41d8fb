/* testlink: a link whose far end is the program (testlink.h).
 *
 * One `struct tl_pair` holds both endpoints and their inbound queues:
 * inq[NEAR] holds injected frames for the stack, inq[FAR] the frames the
 * stack sent, for the program to capture. A queue has its own mutex
 * because the two ends may be driven by two threads (the stack's service
 * thread and the program's). The pair is freed with its second endpoint.
 */
#include "link/testlink.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#define TL_DEFAULT_QLEN 1000 /* Linux's default txqueuelen */

enum { TL_NEAR = 0, TL_FAR = 1 };

struct tl_pair;

struct tl_end {
    struct link link; /* first: a struct link * is a struct tl_end * */
    struct tl_pair *pair;
    int side; /* TL_NEAR or TL_FAR */
};

struct tl_inq {
    pthread_mutex_t lock;
    struct bufq q;
    int alive; /* 0 once this side's endpoint is destroyed */
};

struct tl_pair {
    struct tl_end ep[2];
    struct tl_inq inq[2]; /* inq[i]: frames waiting for ep[i]'s recv */
    uint32_t qlen;
    int refs; /* endpoints not yet destroyed; under inq[TL_NEAR].lock */
    void (*on_far_destroy)(void *ctx);
    void *on_far_destroy_ctx;
};

static const struct link_ops tl_near_ops;
static const struct link_ops tl_far_ops;

static struct tl_end *tl_of(struct link *l)
{
    return (struct tl_end *)l;
}

static const struct tl_end *tl_of_const(const struct link *l)
{
    return (const struct tl_end *)l;
}

/* Bytes of the IP packet in a frame: what the MTU limits. */
static uint32_t tl_ip_len(const struct link *l, const struct buf *f)
{
    if (l->kind == LINK_ETHERNET)
        return f->len > 14 ? f->len - 14 : 0;
    return f->len;
}

static int tl_xmit(struct link *l, struct buf *f, sg_time now)
{
    struct tl_end *e = tl_of(l);
    struct tl_pair *p = e->pair;
    int peer = 1 - e->side;
    struct tl_inq *inq = &p->inq[peer];

    if (tl_ip_len(l, f) > l->mtu) {
        buf_free(f);
        return -EMSGSIZE;
    }
    /* The stack's frames leave the process here: a checksum left to the
     * link must be real before anyone outside sees the bytes. */
    if (e->side == TL_NEAR && (f->flags & BUF_CSUM_PARTIAL)) {
        if (buf_writable(f) < 0) {
            buf_free(f);
            return -ENOBUFS;
        }
        link_csum_complete(f, l->kind);
    }
    pthread_mutex_lock(&inq->lock);
    if (!inq->alive) {
        pthread_mutex_unlock(&inq->lock);
        buf_free(f); /* nobody at the other end */
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

    /* Without the lock: the callback may take a stack's lock (near) or
     * the program's (far). */
    struct link *pl = &p->ep[peer].link;
    if (pl->on_rx)
        pl->on_rx(pl->on_rx_ctx);
    return 0;
}

static struct buf *tl_recv(struct link *l, sg_time now)
{
    struct tl_end *e = tl_of(l);
    struct tl_inq *inq = &e->pair->inq[e->side];

    pthread_mutex_lock(&inq->lock);
    struct buf *f = bufq_pop(&inq->q);
    pthread_mutex_unlock(&inq->lock);
    if (f)
        f->next = NULL;
    return f;
}

static sg_time tl_near_next_event(const struct link *l)
{
    const struct tl_end *e = tl_of_const(l);
    struct tl_inq *inq = &e->pair->inq[TL_NEAR];

    pthread_mutex_lock(&inq->lock);
    uint32_t n = inq->q.count;
    pthread_mutex_unlock(&inq->lock);
    /* Injected frames are ready at once. */
    return n ? 0 : SG_TIME_NEVER;
}

static sg_time tl_far_next_event(const struct link *l)
{
    /* Captured frames wait for the program, not for a clock: nothing a
     * world or a service thread could do about them. */
    return SG_TIME_NEVER;
}

static int tl_wait_fd(const struct link *l)
{
    return -1;
}

static void tl_destroy(struct link *l)
{
    struct tl_end *e = tl_of(l);
    struct tl_pair *p = e->pair;
    struct tl_inq *inq = &p->inq[e->side];

    pthread_mutex_lock(&inq->lock);
    inq->alive = 0;
    bufq_purge(&inq->q);
    pthread_mutex_unlock(&inq->lock);
    if (e->side == TL_FAR && p->on_far_destroy)
        p->on_far_destroy(p->on_far_destroy_ctx);

    pthread_mutex_lock(&p->inq[TL_NEAR].lock);
    int left = --p->refs;
    pthread_mutex_unlock(&p->inq[TL_NEAR].lock);
    if (left == 0) {
        pthread_mutex_destroy(&p->inq[TL_NEAR].lock);
        pthread_mutex_destroy(&p->inq[TL_FAR].lock);
        free(p);
    }
}

static const struct link_ops tl_near_ops = {
    .xmit = tl_xmit,
    .recv = tl_recv,
    .poll = NULL,
    .next_event = tl_near_next_event,
    .wait_fd = tl_wait_fd,
    .destroy = tl_destroy,
};

static const struct link_ops tl_far_ops = {
    .xmit = tl_xmit,
    .recv = tl_recv,
    .poll = NULL,
    .next_event = tl_far_next_event,
    .wait_fd = tl_wait_fd,
    .destroy = tl_destroy,
};

int link_testlink_pair(enum link_kind kind, uint32_t mtu, uint32_t qlen, uint32_t id,
                       struct link **near, struct link **far)
{
    struct tl_pair *p = calloc(1, sizeof(*p));
    if (!p)
        return -ENOMEM;
    p->qlen = qlen ? qlen : TL_DEFAULT_QLEN;
    p->refs = 2;
    for (int i = 0; i < 2; i++) {
        struct tl_end *e = &p->ep[i];
        struct link *l = &e->link;
        e->pair = p;
        e->side = i;
        l->ops = i == TL_NEAR ? &tl_near_ops : &tl_far_ops;
        l->kind = kind;
        l->mtu = mtu;
        l->caps = 0; /* frames leave the process: real checksums */
        /* Locally administered unicast (U/L set, I/G clear), "TL". */
        l->mac[0] = 0x02;
        l->mac[1] = 0x54;
        l->mac[2] = 0x4c;
        l->mac[3] = (uint8_t)(id >> 8);
        l->mac[4] = (uint8_t)id;
        l->mac[5] = (uint8_t)(i + 1);
        snprintf(l->name, sizeof(l->name), "test%u%s", (unsigned)(id % 100000u),
                 i == TL_NEAR ? "" : "f");
        pthread_mutex_init(&p->inq[i].lock, NULL);
        bufq_init(&p->inq[i].q);
        p->inq[i].alive = 1;
    }
    *near = &p->ep[TL_NEAR].link;
    *far = &p->ep[TL_FAR].link;
    return 0;
}

static struct tl_inq *tl_far_inq(const struct link *far)
{
    if (!far || far->ops != &tl_far_ops)
        return NULL;
    const struct tl_end *e = tl_of_const(far);
    return &e->pair->inq[TL_FAR];
}

uint32_t link_testlink_pending(const struct link *far)
{
    struct tl_inq *inq = tl_far_inq(far);
    if (!inq)
        return 0;
    pthread_mutex_lock(&inq->lock);
    uint32_t n = inq->q.count;
    pthread_mutex_unlock(&inq->lock);
    return n;
}

uint32_t link_testlink_peek_len(const struct link *far)
{
    struct tl_inq *inq = tl_far_inq(far);
    if (!inq)
        return 0;
    pthread_mutex_lock(&inq->lock);
    uint32_t n = inq->q.head ? inq->q.head->len : 0;
    pthread_mutex_unlock(&inq->lock);
    return n;
}

void link_testlink_on_destroy(struct link *far, void (*fn)(void *ctx), void *ctx)
{
    if (!far || far->ops != &tl_far_ops)
        return;
    struct tl_pair *p = tl_of(far)->pair;
    p->on_far_destroy = fn;
    p->on_far_destroy_ctx = ctx;
}

/* Impairment wrapper (link.h, link_impair_wrap): loss, duplication,
 * reordering, delay and jitter, corruption, rate limit and MTU black hole,
 * in both directions of any link, seeded and deterministic.
 *
 * Each direction has a min-heap of scheduled frames ordered by (due time,
 * sequence number): the sequence number breaks ties in scheduling order,
 * so equal due times never depend on heap layout or addresses. Frames
 * held back for reordering wait in a small FIFO beside the heap.
 *
 * Path of a sent frame:     xmit -> impair_enter -> heap -> (xmit|poll) -> inner xmit
 * Path of a received frame: recv -> inner recv -> impair_enter -> heap -> recv returns it
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "base/prng.h"
#include "link/link.h"

#define IMPAIR_DEFAULT_DEPTH 3
#define IMPAIR_DEFAULT_HOLD SG_MS(10)
#define IMPAIR_DEFAULT_QLIMIT 10000

enum { IMPAIR_TX = 0, IMPAIR_RX = 1 };

struct impair_item {
    sg_time due;
    uint64_t seq;
    struct buf *b;
};

struct impair_held {
    struct buf *b;
    sg_time due;   /* when it would have left without reordering */
    sg_time until; /* released at this time at the latest */
    uint32_t left; /* later frames still to let pass */
};

struct impair_dir {
    struct prng prng;
    struct impair_item *heap; /* min-heap on (due, seq) */
    uint32_t n, cap;
    struct impair_held *held; /* FIFO, oldest first */
    uint32_t nheld, capheld;
    sg_time free_at; /* rate limit: when the previous frame is serialised */
    uint64_t seq;
    struct link_impair_stats st;
};

struct impair {
    struct link link; /* first: a struct link * is a struct impair * */
    struct link *inner;
    struct link_impair cfg; /* defaults filled in */
    struct impair_dir dir[2];
    /* Nothing configured: frames are only counted, never drawn for or
     * queued (a perfect link costs nothing on the per-frame path). */
    bool passthrough;
};

static const struct link_ops impair_ops;

/* ---- heap ---------------------------------------------------------------- */

static int impair_before(const struct impair_item *a, const struct impair_item *b)
{
    return a->due < b->due || (a->due == b->due && a->seq < b->seq);
}

static int impair_heap_push(struct impair_dir *d, struct buf *b, sg_time due)
{
    if (d->n == d->cap) {
        uint32_t cap = d->cap ? d->cap * 2 : 64;
        struct impair_item *v = realloc(d->heap, cap * sizeof(*v));
        if (!v)
            return -ENOMEM;
        d->heap = v;
        d->cap = cap;
    }
    struct impair_item it = {due, d->seq++, b};
    uint32_t i = d->n++;
    while (i > 0) {
        uint32_t parent = (i - 1) / 2;
        if (!impair_before(&it, &d->heap[parent]))
            break;
        d->heap[i] = d->heap[parent];
        i = parent;
    }
    d->heap[i] = it;
    return 0;
}

static struct buf *impair_heap_pop(struct impair_dir *d, sg_time *due)
{
    if (d->n == 0)
        return NULL;
    struct impair_item top = d->heap[0];
    struct impair_item last = d->heap[--d->n];
    uint32_t i = 0;
    for (;;) {
        uint32_t c = 2 * i + 1;
        if (c >= d->n)
            break;
        if (c + 1 < d->n && impair_before(&d->heap[c + 1], &d->heap[c]))
            c++;
        if (!impair_before(&d->heap[c], &last))
            break;
        d->heap[i] = d->heap[c];
        i = c;
    }
    if (d->n > 0)
        d->heap[i] = last;
    *due = top.due;
    return top.b;
}

/* ---- scheduling ---------------------------------------------------------- */

static uint32_t impair_ip_len(const struct impair *im, const struct buf *b)
{
    if (im->link.kind == LINK_ETHERNET)
        return b->len > 14 ? b->len - 14 : 0;
    return b->len;
}

/* Into the heap; on allocation failure the frame is lost and counted as
 * a queue drop, which is what it looks like to both ends. */
static void impair_put(struct impair_dir *d, struct buf *b, sg_time due)
{
    if (impair_heap_push(d, b, due) < 0) {
        d->st.queue_dropped++;
        buf_free(b);
    }
}

/* A later frame was scheduled with `due` (into the heap or held itself):
 * held frames count it, and those that have let enough frames pass leave
 * right after it. Counting held frames too keeps the promise that at most
 * reorder_depth later frames overtake a held one (without jitter). */
static void impair_release_counted(struct impair_dir *d, sg_time due)
{
    uint32_t keep = 0;
    for (uint32_t i = 0; i < d->nheld; i++) {
        struct impair_held h = d->held[i];
        if (--h.left == 0)
            impair_put(d, h.b, h.due > due ? h.due : due);
        else
            d->held[keep++] = h;
    }
    d->nheld = keep;
}

/* Held frames whose hold time is over leave now (in FIFO order). */
static void impair_release_timed(struct impair_dir *d, sg_time now)
{
    uint32_t keep = 0;
    for (uint32_t i = 0; i < d->nheld; i++) {
        struct impair_held h = d->held[i];
        if (h.until <= now)
            impair_put(d, h.b, h.due > h.until ? h.due : h.until);
        else
            d->held[keep++] = h;
    }
    d->nheld = keep;
}

static int impair_hold(struct impair_dir *d, struct impair_held h)
{
    if (d->nheld == d->capheld) {
        uint32_t cap = d->capheld ? d->capheld * 2 : 8;
        struct impair_held *v = realloc(d->held, cap * sizeof(*v));
        if (!v)
            return -ENOMEM;
        d->held = v;
        d->capheld = cap;
    }
    d->held[d->nheld++] = h;
    return 0;
}

/* Serialisation time of len bytes at rate_bps, rounded up. */
static sg_time impair_ser_time(uint64_t rate_bps, uint32_t len)
{
    return ((uint64_t)len * 8u * 1000000000u + rate_bps - 1) / rate_bps;
}

/* The random draws for one copy of a frame. */
struct impair_copy_draws {
    double jitter, reorder;
    uint32_t depth;
};

/* Every draw a frame may need, made up front in a fixed order whatever the
 * configuration and whatever happens to the frame, so each impairment's
 * pattern for a seed depends only on the frame's position in its
 * direction (link.h). */
struct impair_draws {
    double loss, corrupt, dup;
    uint64_t bit;
    struct impair_copy_draws copy[2]; /* the frame, its duplicate */
};

static void impair_draw(struct impair_dir *d, uint32_t depth, struct impair_draws *r)
{
    r->loss = prng_unit(&d->prng);
    r->corrupt = prng_unit(&d->prng);
    r->dup = prng_unit(&d->prng);
    r->bit = prng_next(&d->prng);
    for (int i = 0; i < 2; i++) {
        r->copy[i].jitter = prng_unit(&d->prng);
        r->copy[i].reorder = prng_unit(&d->prng);
        r->copy[i].depth = 1 + prng_below(&d->prng, depth);
    }
}

/* Schedule one copy of a frame: queue limit, rate, delay, jitter, reorder. */
static void impair_schedule(struct impair *im, struct impair_dir *d, struct buf *b, sg_time now,
                            const struct impair_copy_draws *r)
{
    const struct link_impair *c = &im->cfg;

    if (d->n + d->nheld >= c->queue_limit) {
        d->st.queue_dropped++;
        buf_free(b);
        return;
    }
    sg_time depart = now;
    if (c->rate_bps) {
        sg_time start = d->free_at > now ? d->free_at : now;
        d->free_at = start + impair_ser_time(c->rate_bps, b->len);
        depart = d->free_at;
    }
    sg_time jit = (sg_time)(r->jitter * ((double)c->jitter + 1.0));
    if (jit > c->jitter)
        jit = c->jitter;
    sg_time due = depart + c->delay + jit;

    if (r->reorder < c->reorder) {
        /* Count this frame for those held before it, then hold it. */
        impair_release_counted(d, due);
        struct impair_held h = {b, due, now + c->reorder_hold, r->depth};
        if (impair_hold(d, h) == 0) {
            d->st.reordered++;
            return;
        }
        impair_put(d, b, due); /* no memory to hold it: in order then */
        return;
    }
    impair_put(d, b, due);
    impair_release_counted(d, due);
}

/* Flip one bit of the IP packet (see link.h for why only IP). */
static int impair_corrupt(struct impair *im, struct buf *b, uint64_t r)
{
    uint32_t hdr = 0;
    if (im->link.kind == LINK_ETHERNET) {
        hdr = 14;
        if (b->len <= hdr)
            return -1;
        uint16_t type = (uint16_t)(b->data[12] << 8 | b->data[13]);
        if (type != 0x0800 && type != 0x86dd)
            return -1;
    }
    if (b->len <= hdr || buf_writable(b) < 0)
        return -1;
    if (b->flags & BUF_CSUM_PARTIAL)
        link_csum_complete(b, im->link.kind);
    uint32_t bit = (uint32_t)(r % ((uint64_t)(b->len - hdr) * 8u));
    b->data[hdr + bit / 8] ^= (uint8_t)(1u << (bit % 8));
    b->flags &= ~(uint32_t)(BUF_CSUM_VERIFIED | BUF_CSUM_PARTIAL);
    return 0;
}

/* A frame enters direction d at `now`. Takes b. */
static void impair_enter(struct impair *im, struct impair_dir *d, struct buf *b, sg_time now)
{
    const struct link_impair *c = &im->cfg;
    b->next = NULL;
    d->st.frames++;
    struct impair_draws r;
    impair_draw(d, c->reorder_depth, &r);

    if (c->mtu && impair_ip_len(im, b) > c->mtu) {
        d->st.mtu_dropped++;
        buf_free(b);
        return;
    }
    if (r.loss < c->loss) {
        d->st.dropped++;
        buf_free(b);
        return;
    }
    if (r.corrupt < c->corrupt && impair_corrupt(im, b, r.bit) == 0)
        d->st.corrupted++;
    struct buf *dup = NULL;
    if (r.dup < c->duplicate) {
        dup = buf_clone(b);
        if (dup)
            d->st.duplicated++;
    }
    impair_schedule(im, d, b, now, &r.copy[0]);
    if (dup)
        impair_schedule(im, d, dup, now, &r.copy[1]);
}

/* ---- link ops ------------------------------------------------------------ */

static void impair_flush_tx(struct impair *im, sg_time now)
{
    struct impair_dir *d = &im->dir[IMPAIR_TX];
    impair_release_timed(d, now);
    while (d->n && d->heap[0].due <= now) {
        sg_time due;
        struct buf *b = impair_heap_pop(d, &due);
        /* The inner link's own errors (full queue) are its to count: to
         * the sender the frame is simply lost in transit. */
        link_xmit(im->inner, b, due);
    }
}

static int impair_xmit(struct link *l, struct buf *b, sg_time now)
{
    struct impair *im = (struct impair *)l;
    if (im->passthrough) {
        im->dir[IMPAIR_TX].st.frames++;
        b->next = NULL;
        link_xmit(im->inner, b, now); /* its errors are losses in transit */
        return 0;
    }
    impair_enter(im, &im->dir[IMPAIR_TX], b, now);
    impair_flush_tx(im, now); /* no delay configured: out at once */
    return 0;
}

static struct buf *impair_recv(struct link *l, sg_time now)
{
    struct impair *im = (struct impair *)l;
    struct impair_dir *d = &im->dir[IMPAIR_RX];
    struct buf *b;
    if (im->passthrough) {
        if ((b = link_recv(im->inner, now)) != NULL) {
            d->st.frames++;
            b->next = NULL;
        }
        return b;
    }
    while ((b = link_recv(im->inner, now)) != NULL)
        impair_enter(im, d, b, now);
    impair_release_timed(d, now);
    if (d->n == 0 || d->heap[0].due > now)
        return NULL;
    sg_time due;
    b = impair_heap_pop(d, &due);
    b->next = NULL;
    return b;
}

static void impair_poll(struct link *l, sg_time now)
{
    struct impair *im = (struct impair *)l;
    link_poll(im->inner, now);
    impair_flush_tx(im, now);
    impair_release_timed(&im->dir[IMPAIR_RX], now);
}

static sg_time impair_dir_next(const struct impair_dir *d)
{
    sg_time t = d->n ? d->heap[0].due : SG_TIME_NEVER;
    for (uint32_t i = 0; i < d->nheld; i++)
        t = time_min(t, d->held[i].until);
    return t;
}

static sg_time impair_next_event(const struct link *l)
{
    const struct impair *im = (const struct impair *)l;
    sg_time t = link_next_event(im->inner);
    t = time_min(t, impair_dir_next(&im->dir[IMPAIR_TX]));
    return time_min(t, impair_dir_next(&im->dir[IMPAIR_RX]));
}

static int impair_wait_fd(const struct link *l)
{
    const struct impair *im = (const struct impair *)l;
    return im->inner->ops->wait_fd ? im->inner->ops->wait_fd(im->inner) : -1;
}

static void impair_destroy(struct link *l)
{
    struct impair *im = (struct impair *)l;
    for (int i = 0; i < 2; i++) {
        struct impair_dir *d = &im->dir[i];
        for (uint32_t k = 0; k < d->n; k++)
            buf_free(d->heap[k].b);
        for (uint32_t k = 0; k < d->nheld; k++)
            buf_free(d->held[k].b);
        free(d->heap);
        free(d->held);
    }
    link_destroy(im->inner);
    free(im);
}

static const struct link_ops impair_ops = {
    .xmit = impair_xmit,
    .recv = impair_recv,
    .poll = impair_poll,
    .next_event = impair_next_event,
    .wait_fd = impair_wait_fd,
    .destroy = impair_destroy,
};

/* The inner link's wake-up is ours: forward it to whoever watches us. */
static void impair_inner_rx(void *ctx)
{
    struct impair *im = ctx;
    if (im->link.on_rx)
        im->link.on_rx(im->link.on_rx_ctx);
}

struct link *link_impair_wrap(struct link *inner, const struct link_impair *cfg, uint64_t seed)
{
    struct impair *im = calloc(1, sizeof(*im));
    if (!im)
        return NULL;
    im->inner = inner;
    im->cfg = *cfg;
    if (!im->cfg.reorder_depth)
        im->cfg.reorder_depth = IMPAIR_DEFAULT_DEPTH;
    if (!im->cfg.reorder_hold)
        im->cfg.reorder_hold = IMPAIR_DEFAULT_HOLD;
    if (!im->cfg.queue_limit)
        im->cfg.queue_limit = IMPAIR_DEFAULT_QLIMIT;
    im->passthrough = cfg->loss <= 0 && cfg->duplicate <= 0 && cfg->reorder <= 0 &&
                      cfg->delay == 0 && cfg->jitter == 0 && cfg->corrupt <= 0 &&
                      cfg->rate_bps == 0 && cfg->mtu == 0;
    struct prng root;
    prng_seed(&root, seed);
    prng_fork(&root, &im->dir[IMPAIR_TX].prng);
    prng_fork(&root, &im->dir[IMPAIR_RX].prng);

    struct link *l = &im->link;
    l->ops = &impair_ops;
    l->kind = inner->kind;
    l->mtu = inner->mtu;
    l->caps = inner->caps;
    if (im->cfg.corrupt > 0)
        l->caps &= ~(uint32_t)LINK_CAP_CSUM_OFFLOAD;
    memcpy(l->mac, inner->mac, sizeof(l->mac));
    snprintf(l->name, sizeof(l->name), "%s", inner->name);
    inner->on_rx = impair_inner_rx;
    inner->on_rx_ctx = im;
    return l;
}

void link_impair_stats(const struct link *l, struct link_impair_stats *out)
{
    memset(out, 0, sizeof(*out));
    if (!l || l->ops != &impair_ops)
        return;
    const struct impair *im = (const struct impair *)l;
    for (int i = 0; i < 2; i++) {
        const struct link_impair_stats *s = &im->dir[i].st;
        out->frames += s->frames;
        out->dropped += s->dropped;
        out->duplicated += s->duplicated;
        out->reordered += s->reordered;
        out->corrupted += s->corrupted;
        out->mtu_dropped += s->mtu_dropped;
        out->queue_dropped += s->queue_dropped;
    }
}

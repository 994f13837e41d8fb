/* The deterministic world (sigurg/sim.h): stacks, the links between them,
 * and a virtual clock advanced from event to event.
 *
 * One step:
 *   now = max(now, min(each stack's deadline, each link end's next_event))
 *   for each stack, in creation order:
 *       for each of its interfaces, in creation order:
 *           link_poll(link, now)                  release due frames (tx too)
 *           while (f = link_recv(link, now))      every frame due by now
 *               stack_input(core, ifp, f, now)
 *       deadline = stack_poll(core, now)          timers; next deadline
 * Everything is in arrays walked by index: no ordering by address or hash.
 *
 * Seeds: the world seed is never used directly; each stack and each link
 * gets its own, derived from (world seed, kind of object, index) through
 * splitmix64, so creating one more object changes no other's seed.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "link/link.h"
#include "net/iface.h"
#include "net/stack.h"
#include "base/prng.h"
#include "rt/rt.h"
#include "rt/rt_sock.h"
#include "sigurg/sim.h"

#define WORLD_DEFAULT_MTU 1500
#define WORLD_MEMLINK_QLEN 1000

enum { WORLD_SEED_STACK = 1, WORLD_SEED_LINK = 2 };

struct world_link {
    struct link *end[2]; /* outermost endpoint on a's side, on b's side */
    struct link *impair; /* the impairment wrapper inside end[0] */
};

struct sg_world {
    uint64_t seed;
    sg_time now;
    sg_stack **stacks;
    uint32_t nstacks, stacks_cap;
    struct world_link *links;
    uint32_t nlinks, links_cap;
};

static uint64_t world_derive_seed(uint64_t seed, uint64_t kind, uint64_t index)
{
    uint64_t s = prng_mix64(seed ^ prng_mix64(kind << 32 | index));
    return s ? s : 1; /* 0 means "pick one from the OS" to a stack */
}

/* Grow *arr (of *cap elements of size sz) to hold n + 1. 0 or -1. */
static int world_reserve(void **arr, uint32_t *cap, uint32_t n, size_t sz)
{
    if (n < *cap)
        return 0;
    uint32_t c = *cap ? *cap * 2 : 4;
    void *p = realloc(*arr, c * sz);
    if (!p)
        return -1;
    *arr = p;
    *cap = c;
    return 0;
}

sg_world *sg_world_new(uint64_t seed)
{
    sg_world *w = calloc(1, sizeof(*w));
    if (!w) {
        errno = ENOMEM;
        return NULL;
    }
    w->seed = seed;
    return w;
}

void sg_world_free(sg_world *w)
{
    if (!w)
        return;
    /* Sockets still open lose their stack (their numbers close, so none
     * is left pointing at freed memory), which releases the runtime part
     * of each stack; all of it while the links still exist, as closing
     * may transmit. */
    for (uint32_t i = 0; i < w->nstacks; i++) {
        sg_stack *st = w->stacks[i];
        while (st->rt && st->rt->files)
            rt_sock_orphan(st->rt->files);
        rt_stack_maybe_release(st);
    }
    /* Stacks first: their interfaces point at the links. */
    for (uint32_t i = 0; i < w->nstacks; i++) {
        stack_free(w->stacks[i]->core);
        free(w->stacks[i]->ifaces);
        free(w->stacks[i]);
    }
    for (uint32_t i = 0; i < w->nlinks; i++) {
        link_destroy(w->links[i].end[0]);
        link_destroy(w->links[i].end[1]);
    }
    free(w->stacks);
    free(w->links);
    free(w);
}

sg_stack *sg_world_add_stack(sg_world *w, const struct sg_config *cfg)
{
    struct sg_config c = {0};
    if (cfg)
        c = *cfg;
    if (!c.seed)
        c.seed = world_derive_seed(w->seed, WORLD_SEED_STACK, w->nstacks);
    if (world_reserve((void **)&w->stacks, &w->stacks_cap, w->nstacks, sizeof(*w->stacks)) < 0)
        goto nomem;
    sg_stack *st = calloc(1, sizeof(*st));
    if (!st)
        goto nomem;
    st->core = stack_new(&c);
    if (!st->core) {
        free(st);
        goto nomem;
    }
    st->world = w;
    st->index = w->nstacks;
    rt_stack_touched(st);
    w->stacks[w->nstacks++] = st;
    return st;
nomem:
    errno = ENOMEM;
    return NULL;
}

static int world_iface_xmit(void *ctx, struct buf *frame, sg_time now)
{
    return link_xmit(ctx, frame, now);
}

/* Give stack st an interface on link endpoint l with address a/plen. */
static int world_attach(sg_stack *st, struct link *l, const struct ipaddr *a, int plen)
{
    if (world_reserve((void **)&st->ifaces, &st->ifaces_cap, st->nifaces, sizeof(*st->ifaces)) < 0)
        return -ENOMEM;
    char name[16];
    snprintf(name, sizeof(name), "eth%u", (unsigned)st->nifaces);
    struct iface *ifp =
        stack_add_iface(st->core, name, (int)l->kind, l->mtu, l->mac, world_iface_xmit, l);
    if (!ifp)
        return -ENOMEM;
    st->ifaces[st->nifaces++] = (struct rt_iface){ifp, l};
    rt_stack_touched(st);
    return iface_add_addr(ifp, a, plen);
}

static int world_owns(const sg_world *w, const sg_stack *st)
{
    return st && st->world == w && st->index < w->nstacks && w->stacks[st->index] == st;
}

int sg_world_connect(sg_world *w, sg_stack *a, const char *a_cidr, sg_stack *b, const char *b_cidr,
                     const struct sg_link_config *cfg)
{
    static const struct sg_link_config defaults = {0};
    if (!cfg)
        cfg = &defaults;
    struct ipaddr aa, ba;
    int ap, bp;
    enum link_kind kind = cfg->kind == SG_LINK_RAW_IP ? LINK_RAW_IP : LINK_ETHERNET;
    if (!world_owns(w, a) || !world_owns(w, b) || a == b ||
        (cfg->kind != 0 && cfg->kind != SG_LINK_ETHERNET && cfg->kind != SG_LINK_RAW_IP) ||
        rt_parse_cidr4(a_cidr, &aa, &ap) < 0 || rt_parse_cidr4(b_cidr, &ba, &bp) < 0) {
        errno = EINVAL;
        return -1;
    }
    if (world_reserve((void **)&w->links, &w->links_cap, w->nlinks, sizeof(*w->links)) < 0) {
        errno = ENOMEM;
        return -1;
    }

    uint32_t idx = w->nlinks;
    uint32_t mtu = cfg->mtu ? cfg->mtu : WORLD_DEFAULT_MTU;
    struct link *la, *lb;
    int err = link_mem_pair(kind, mtu, WORLD_MEMLINK_QLEN, idx + 1, &la, &lb);
    if (err < 0) {
        errno = -err;
        return -1;
    }
    struct link *li;
    struct link *outer =
        rt_wrap_link(la, cfg, world_derive_seed(w->seed, WORLD_SEED_LINK, idx), &li);
    if (!outer) {
        int e = errno;
        link_destroy(lb);
        errno = e;
        return -1;
    }
    /* The world owns the links from here on, whatever happens next. */
    w->links[w->nlinks++] = (struct world_link){{outer, lb}, li};

    if ((err = world_attach(a, outer, &aa, ap)) < 0 || (err = world_attach(b, lb, &ba, bp)) < 0) {
        errno = -err;
        return -1;
    }
    return (int)idx;
}

int sg_world_impair_stats(const sg_world *w, int link, struct sg_impair_stats *out)
{
    if (link < 0 || (uint32_t)link >= w->nlinks) {
        errno = EINVAL;
        return -1;
    }
    struct link_impair_stats s;
    link_impair_stats(w->links[link].impair, &s);
    *out = (struct sg_impair_stats){s.frames,    s.dropped,     s.duplicated,   s.reordered,
                                    s.corrupted, s.mtu_dropped, s.queue_dropped};
    return 0;
}

sg_time sg_world_now(const sg_world *w)
{
    return w->now;
}

sg_time sg_world_next_event(const sg_world *w)
{
    sg_time t = SG_TIME_NEVER;
    for (uint32_t i = 0; i < w->nstacks; i++)
        t = time_min(t, w->stacks[i]->deadline);
    for (uint32_t i = 0; i < w->nlinks; i++) {
        t = time_min(t, link_next_event(w->links[i].end[0]));
        t = time_min(t, link_next_event(w->links[i].end[1]));
    }
    return t;
}

static void world_service(sg_stack *st, sg_time now)
{
    for (uint32_t i = 0; i < st->nifaces; i++) {
        struct rt_iface *ri = &st->ifaces[i];
        link_poll(ri->link, now);
        struct buf *f;
        while ((f = link_recv(ri->link, now)) != NULL)
            stack_input(st->core, ri->ifp, f, now);
    }
    st->deadline = stack_poll(st->core, now);
}

int sg_world_step(sg_world *w)
{
    sg_time t = sg_world_next_event(w);
    if (t == SG_TIME_NEVER)
        return 0;
    if (t > w->now)
        w->now = t;
    for (uint32_t i = 0; i < w->nstacks; i++)
        world_service(w->stacks[i], w->now);
    return 1;
}

void sg_world_run_for(sg_world *w, uint64_t ns)
{
    sg_time end = ns > SG_TIME_NEVER - 1 - w->now ? SG_TIME_NEVER - 1 : w->now + ns;
    for (;;) {
        sg_time t = sg_world_next_event(w);
        if (t == SG_TIME_NEVER || t > end)
            break;
        sg_world_step(w);
    }
    if (w->now < end)
        w->now = end;
}

int sg_world_run_until(sg_world *w, int (*cond)(void *ctx), void *ctx, uint64_t timeout_ns)
{
    sg_time end = timeout_ns > SG_TIME_NEVER - 1 - w->now ? SG_TIME_NEVER - 1 : w->now + timeout_ns;
    for (;;) {
        if (cond(ctx))
            return 0;
        sg_time t = sg_world_next_event(w);
        if (t == SG_TIME_NEVER || t > end)
            break;
        sg_world_step(w);
    }
    if (w->now < end)
        w->now = end;
    errno = ETIMEDOUT;
    return -1;
}

int sg_stack_counters(const sg_stack *s, uint64_t *out, size_t n)
{
    size_t k = n < SG_C__COUNT ? n : SG_C__COUNT;
    /* A running stack's thread updates the counters under its lock; a
     * world's stack is only touched by whoever steps the world. */
    struct rt_stack *rs = s->world ? NULL : s->rt;
    if (rs)
        pthread_mutex_lock(&rs->lock);
    if (k)
        memcpy(out, s->core->counters, k * sizeof(*out));
    if (rs)
        pthread_mutex_unlock(&rs->lock);
    return SG_C__COUNT;
}

sg_time rt_stack_now(const sg_stack *st)
{
    return st->world ? st->world->now : 0;
}

/* ---- appended: links built elsewhere (rt/testlink_api.c) ---------------- */

int rt_world_add_link(sg_stack *st, const char *cidr, struct link *near, struct link *far,
                      const struct sg_link_config *cfg)
{
    static const struct sg_link_config defaults = {0};
    sg_world *w = st ? st->world : NULL;
    struct ipaddr a;
    int plen, err;
    if (!cfg)
        cfg = &defaults;
    if (!w || !world_owns(w, st) || rt_parse_cidr4(cidr, &a, &plen) < 0) {
        err = EINVAL;
        goto fail;
    }
    if (world_reserve((void **)&w->links, &w->links_cap, w->nlinks, sizeof(*w->links)) < 0) {
        err = ENOMEM;
        goto fail;
    }
    /* Wrapped and seeded exactly as sg_world_connect wraps its links. */
    uint32_t idx = w->nlinks;
    struct link *li;
    struct link *outer =
        rt_wrap_link(near, cfg, world_derive_seed(w->seed, WORLD_SEED_LINK, idx), &li);
    if (!outer) {
        err = errno;
        link_destroy(far); /* near went with the failed wrap */
        errno = err;
        return -1;
    }
    /* The far end is serviced by no stack: the world only asks its
     * next_event (never) and destroys it with the rest. */
    w->links[w->nlinks++] = (struct world_link){{outer, far}, li};
    if ((err = world_attach(st, outer, &a, plen)) < 0) {
        errno = -err;
        return -1;
    }
    return (int)idx;
fail:
    link_destroy(near);
    link_destroy(far);
    errno = err;
    return -1;
}

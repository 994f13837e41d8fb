/* The public test link (sigurg/testlink.h): a testlink pair
 * (link/testlink.h) whose near end becomes a stack's interface and whose
 * far end the handle keeps for the program.
 *
 * Attaching, by kind of stack:
 *   world     rt_world_add_link (world.c): the pair becomes one of the
 *             world's links, wrapped and seeded like sg_world_connect's,
 *             and the world destroys both ends with itself.
 *   threaded  the near end (wrapped) joins the stack's interfaces and
 *   driven    links under the stack lock, its on_rx writing the stack's
 *             wake eventfd, as sg_link_pair does for a memlink end; the
 *             far end is recorded as one more link the stack owns, so
 *             sg_stack_free destroys it.
 * Either way the handle is freed when the far end is destroyed.
 *
 * Waiting for a capture: the far end's on_rx (called from the stack's
 * xmit, stack lock held) broadcasts the handle's condition variable; a
 * threaded stack's waiter sleeps on it. World and caller-driven stacks
 * are run by the waiter itself instead.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "link/link.h"
#include "link/testlink.h"
#include "net/iface.h"
#include "net/stack.h"
#include "base/prng.h"
#include "rt/rt.h"
#include "rt/rt_sock.h"
#include "sigurg/sim.h"
#include "sigurg/testlink.h"

#define TL_MTU_DEFAULT 1500
#define TL_QLEN 1000
#define TL_ETH_HDR 14
/* Seed kind for a runtime stack's impaired test links (sg_link_pair uses
 * 2 for its memlinks). */
#define TL_SEED_KIND 3ull

struct sg_testlink {
    sg_stack *st;
    struct link *far;
    enum link_kind kind;
    uint32_t mtu;
    uint8_t mac[6]; /* the near end's: the stack's */
    pthread_mutex_t lock;
    pthread_cond_t cond; /* CLOCK_MONOTONIC; a frame was captured */
};

static void tl_free(void *ctx)
{
    sg_testlink *t = ctx;
    pthread_cond_destroy(&t->cond);
    pthread_mutex_destroy(&t->lock);
    free(t);
}

/* The far end's on_rx: the stack sent a frame. */
static void tl_captured(void *ctx)
{
    sg_testlink *t = ctx;
    pthread_mutex_lock(&t->lock);
    pthread_cond_broadcast(&t->cond);
    pthread_mutex_unlock(&t->lock);
}

/* The near end's on_rx on a runtime stack: a frame was injected. */
static void tl_wake_stack(void *ctx)
{
    struct rt_stack *rs = ctx;
    uint64_t one = 1;
    if (rs->wake_efd >= 0 && write(rs->wake_efd, &one, sizeof(one)) < 0) {
        /* EAGAIN: the counter is full, so it is readable anyway */
    }
}

static sg_time tl_now(const sg_testlink *t)
{
    return t->st->world ? sg_world_now(t->st->world) : sg_now_ns();
}

/* ---- attaching ---------------------------------------------------------- */

static int tl_grow(void **arr, uint32_t *cap, uint32_t n, size_t sz)
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

static int tl_iface_xmit(void *ctx, struct buf *frame, sg_time now)
{
    return link_xmit(ctx, frame, now);
}

/* A threaded or caller-driven stack: the stack takes both ends. 0, or -1
 * and errno (both ends destroyed unless the stack already owns them). */
static int tl_attach_rt(sg_stack *st, struct link *near, struct link *far, const struct ipaddr *a,
                        int plen, const struct sg_link_config *cfg, uint64_t seed)
{
    struct rt_stack *rs = st->rt;
    struct link *outer = rt_wrap_link(near, cfg, seed, NULL);
    if (!outer) {
        int e = errno;
        link_destroy(far);
        errno = e;
        return -1;
    }
    rt_lock(rs);
    if (tl_grow((void **)&st->ifaces, &st->ifaces_cap, st->nifaces, sizeof(*st->ifaces)) < 0 ||
        tl_grow((void **)&rs->links, &rs->links_cap, rs->nlinks + 1, sizeof(*rs->links)) < 0) {
        rt_unlock(rs);
        link_destroy(outer);
        link_destroy(far);
        errno = ENOMEM;
        return -1;
    }
    char name[16];
    snprintf(name, sizeof(name), "eth%u", (unsigned)st->nifaces);
    struct iface *ifp = stack_add_iface(st->core, name, (int)outer->kind, outer->mtu, outer->mac,
                                        tl_iface_xmit, outer);
    if (!ifp) {
        rt_unlock(rs);
        link_destroy(outer);
        link_destroy(far);
        errno = ENOMEM;
        return -1;
    }
    st->ifaces[st->nifaces++] = (struct rt_iface){ifp, outer};
    /* Both ends are the stack's from here on: sg_stack_free destroys
     * them (no pair: nobody else transmits into either). */
    rs->links[rs->nlinks++] = (struct rt_link){outer, NULL, 0};
    rs->links[rs->nlinks++] = (struct rt_link){far, NULL, 0};
    outer->on_rx = tl_wake_stack;
    outer->on_rx_ctx = rs;
    int err = iface_add_addr(ifp, a, plen);
    rt_unlock(rs); /* wakes the runner: the interface's gratuitous ARP is due */
    tl_wake_stack(rs);
    if (err < 0) {
        errno = -err;
        return -1;
    }
    return 0;
}

sg_testlink *sg_testlink_attach(sg_stack *s, const char *cidr, const struct sg_link_config *cfg)
{
    static const struct sg_link_config defaults = {0};
    if (!cfg)
        cfg = &defaults;
    struct ipaddr a;
    int plen;
    if (!s || (!s->world && !s->rt) ||
        (cfg->kind != 0 && cfg->kind != SG_LINK_ETHERNET && cfg->kind != SG_LINK_RAW_IP) ||
        rt_parse_cidr4(cidr, &a, &plen) < 0) {
        errno = EINVAL;
        return NULL;
    }
    enum link_kind kind = cfg->kind == SG_LINK_RAW_IP ? LINK_RAW_IP : LINK_ETHERNET;
    uint32_t mtu = cfg->mtu ? cfg->mtu : TL_MTU_DEFAULT;

    sg_testlink *t = calloc(1, sizeof(*t));
    if (!t) {
        errno = ENOMEM;
        return NULL;
    }
    t->st = s;
    t->kind = kind;
    t->mtu = mtu;
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_mutex_init(&t->lock, NULL);
    pthread_cond_init(&t->cond, &ca);
    pthread_condattr_destroy(&ca);

    /* An id for the MAC and, on runtime stacks, the impairment seed: the
     * world link index to come, or the stack's count of links made. */
    uint32_t id;
    uint64_t seed = 0;
    if (s->world) {
        id = (uint32_t)s->index << 8 | s->nifaces;
    } else {
        pthread_mutex_lock(&s->rt->lock);
        uint32_t idx = s->rt->nlink_pairs++;
        pthread_mutex_unlock(&s->rt->lock);
        seed = prng_mix64(s->core->cfg.seed ^ prng_mix64(TL_SEED_KIND << 32 | idx));
        id = (uint32_t)seed;
    }
    struct link *near, *far;
    int err = link_testlink_pair(kind, mtu, TL_QLEN, id, &near, &far);
    if (err < 0) {
        tl_free(t);
        errno = -err;
        return NULL;
    }
    memcpy(t->mac, near->mac, sizeof(t->mac));
    t->far = far;
    far->on_rx = tl_captured;
    far->on_rx_ctx = t;
    /* From here the handle lives and dies with the far end. */
    link_testlink_on_destroy(far, tl_free, t);

    int rc = s->world ? rt_world_add_link(s, cidr, near, far, cfg)
                      : tl_attach_rt(s, near, far, &a, plen, cfg, seed);
    if (rc < 0)
        return NULL; /* errno set; t is gone with the far end, or owned
                        by the stack with it (a failed address) */
    return t;
}

/* ---- using ------------------------------------------------------------ */

void sg_testlink_mac(const sg_testlink *t, uint8_t mac[6])
{
    memcpy(mac, t->mac, 6);
}

int sg_testlink_inject(sg_testlink *t, const void *frame, size_t len)
{
    size_t hdr = t && t->kind == LINK_ETHERNET ? TL_ETH_HDR : 0;
    if (!t || !frame || len == 0 || len < hdr || len > UINT32_MAX) {
        errno = EINVAL;
        return -1;
    }
    if (len - hdr > t->mtu) {
        errno = EMSGSIZE;
        return -1;
    }
    struct buf *b = buf_from(SG_HEADROOM, frame, len);
    if (!b) {
        errno = ENOMEM;
        return -1;
    }
    int err = link_xmit(t->far, b, tl_now(t));
    if (err < 0) {
        errno = -err;
        return -1;
    }
    return 0;
}

ssize_t sg_testlink_capture(sg_testlink *t, void *buf, size_t cap)
{
    if (!t) {
        errno = EINVAL;
        return -1;
    }
    uint32_t n = link_testlink_peek_len(t->far);
    if (n == 0) {
        errno = EAGAIN;
        return -1;
    }
    if (n > cap) {
        errno = EMSGSIZE;
        return -1;
    }
    struct buf *f = link_recv(t->far, tl_now(t));
    if (!f) { /* another thread took it: one capturer at a time */
        errno = EAGAIN;
        return -1;
    }
    size_t len = f->len <= cap ? f->len : cap;
    memcpy(buf, f->data, len);
    buf_free(f);
    return (ssize_t)len;
}

size_t sg_testlink_pending(const sg_testlink *t)
{
    return t ? link_testlink_pending(t->far) : 0;
}

static int tl_has_frame(void *ctx)
{
    return link_testlink_pending(((sg_testlink *)ctx)->far) > 0;
}

/* A caller-driven stack: process it in this thread until a frame is
 * captured or the deadline (monotonic) passes. */
static int tl_wait_driven(sg_testlink *t, sg_time deadline)
{
    int wfd = sg_stack_wait_fd(t->st);
    for (;;) {
        sg_time now = sg_now_ns();
        sg_time next = sg_stack_process(t->st, now);
        if (tl_has_frame(t))
            return 1;
        if (now >= deadline)
            return 0;
        sg_time until = time_min(next, deadline);
        int ms = until <= now ? 0 : (int)((until - now + 999999) / 1000000);
        struct pollfd p = {.fd = wfd, .events = POLLIN};
        if (wfd >= 0)
            poll(&p, 1, ms);
        else if (ms > 0)
            usleep((useconds_t)ms * 1000);
    }
}

static int tl_wait_threaded(sg_testlink *t, sg_time deadline)
{
    pthread_mutex_lock(&t->lock);
    while (!tl_has_frame(t)) {
        if (sg_now_ns() >= deadline)
            break;
        struct timespec ts = {(time_t)(deadline / 1000000000ull), (long)(deadline % 1000000000ull)};
        pthread_cond_timedwait(&t->cond, &t->lock, &ts);
    }
    int got = tl_has_frame(t);
    pthread_mutex_unlock(&t->lock);
    return got;
}

int sg_testlink_wait(sg_testlink *t, uint64_t timeout_ns)
{
    if (!t) {
        errno = EINVAL;
        return -1;
    }
    if (tl_has_frame(t))
        return 1;
    int e = errno;
    if (t->st->world) {
        int rc = sg_world_run_until(t->st->world, tl_has_frame, t, timeout_ns);
        errno = e;
        return rc == 0;
    }
    sg_time now = sg_now_ns();
    sg_time deadline = timeout_ns > SG_TIME_NEVER - 1 - now ? SG_TIME_NEVER - 1 : now + timeout_ns;
    struct rt_stack *rs = t->st->rt;
    pthread_mutex_lock(&rs->lock);
    bool threaded = rs->running;
    pthread_mutex_unlock(&rs->lock);
    int got = threaded ? tl_wait_threaded(t, deadline) : tl_wait_driven(t, deadline);
    errno = e;
    return got;
}

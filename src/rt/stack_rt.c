/* Running stacks: the per-stack lock, blocking, the service thread, the
 * caller-driven mode, and stacks joined by memlinks (sigurg.h).
 *
 * Service loop (threaded; sg_stack_process does one turn of it):
 *   lock
 *   drain the wake eventfd
 *   for each interface: link_poll, then stack_input every frame due
 *   next = min(stack_poll(now), each link's next event)
 *   unlock, send the signals events queued
 *   wait on the wait descriptor (wake eventfd + link descriptors) until next
 * A memlink peer's xmit wakes us through on_rx (our wake eventfd). An API
 * call that armed a timer earlier than the loop's planned wake-up writes
 * the wake eventfd when it unlocks (rt_unlock), so the loop never sleeps
 * past a deadline.
 *
 * Blocking (rt_block), by mode:
 *   threaded  wait on the stack's condition variable (broadcast on every
 *             socket event) until the deadline.
 *   driven    run the stack in the caller's thread: process, and if that
 *             raised no event, wait on the wait descriptor until the
 *             stack's next deadline or the caller's, then process again.
 *   sim       step the world: one sg_world_step, or move the clock to the
 *             deadline if nothing happens before it, or -EDEADLK if
 *             nothing is pending at all and there is no deadline.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>
#include "link/link.h"
#include "net/iface.h"
#include "net/stack.h"
#include "rt/rt_sock.h"
#include "sigurg/sim.h"

#define RT_MEMLINK_QLEN 1000
#define RT_DEFAULT_MTU 1500

uint64_t sg_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

sg_time rt_now(sg_stack *st)
{
    return st->world ? sg_world_now(st->world) : sg_now_ns();
}

sg_time rt_deadline(sg_stack *st, sg_time timeout)
{
    if (timeout == SG_TIME_NEVER)
        return SG_TIME_NEVER;
    sg_time now = rt_now(st);
    return timeout > SG_TIME_NEVER - 1 - now ? SG_TIME_NEVER - 1 : now + timeout;
}

static void rt_wake(struct rt_stack *rs)
{
    uint64_t one = 1;
    if (rs->wake_efd >= 0 && write(rs->wake_efd, &one, sizeof(one)) < 0) {
        /* EAGAIN: the counter is full, so it is readable anyway */
    }
}

/* ---- direct processing -------------------------------------------------------
 *
 * A frame a threaded stack transmits over a memlink would otherwise wake
 * the peer's service thread (eventfd write, ppoll return, then the peer's
 * application woken by it: two thread hand-offs per frame). Instead, while
 * a thread holds a threaded stack's lock, the peer is queued here, and
 * once that lock is dropped the same thread processes the peer's input
 * itself (never two stack locks at once). The peer's service thread then
 * sleeps on; it is woken only if the processing left it an earlier timer.
 */
#define RT_DEFER_MAX 8
#define RT_DEFER_BUDGET 64 /* stacks processed per drain before handing off */

static _Thread_local struct {
    struct rt_stack *q[RT_DEFER_MAX];
    uint32_t n;
    bool on;       /* this thread holds a threaded stack's lock */
    bool draining; /* rt_defer_drain is running (no recursion) */
} tl_defer;

/* A frame reached rs's link: queue rs for this thread, or wake its runner. */
static void rt_defer_or_wake(struct rt_stack *rs)
{
    if (tl_defer.on && rs->mode == RT_MODE_THREADED) {
        for (uint32_t i = 0; i < tl_defer.n; i++)
            if (tl_defer.q[i] == rs)
                return;
        if (tl_defer.n < RT_DEFER_MAX) {
            atomic_fetch_add(&rs->direct_refs, 1);
            tl_defer.q[tl_defer.n++] = rs;
            return;
        }
    }
    rt_wake(rs);
}

static void rt_unlock_flush(struct rt_stack *rs);
static sg_time rt_process_frames(struct rt_stack *rs, sg_time now);
static bool rt_runner_late(struct rt_stack *rs, sg_time now);

/* Process the queued stacks (no lock held). Their processing may queue
 * more (replies to us); a budget bounds the ping-pong, after which the
 * rest go to their service threads. */
static void rt_defer_drain(void)
{
    tl_defer.draining = true;
    uint32_t budget = RT_DEFER_BUDGET;
    while (tl_defer.n) {
        struct rt_stack *rs = tl_defer.q[0];
        tl_defer.q[0] = tl_defer.q[--tl_defer.n];
        pthread_mutex_lock(&rs->lock);
        if (budget == 0 || rs->stop || rs->mode != RT_MODE_THREADED) {
            rt_wake(rs);
            pthread_mutex_unlock(&rs->lock);
        } else {
            budget--;
            rs->locked = true;
            rs->in_api = false; /* the peer's doing, as in the service loop */
            tl_defer.on = true;
            sg_time now = sg_now_ns();
            rt_process_frames(rs, now);
            if (rt_runner_late(rs, now))
                rt_wake(rs);
            rt_unlock_flush(rs);
        }
        atomic_fetch_sub(&rs->direct_refs, 1);
    }
    tl_defer.draining = false;
}

void rt_unlocked(void)
{
    tl_defer.on = false;
    if (tl_defer.n && !tl_defer.draining)
        rt_defer_drain();
}

/* ---- creation ----------------------------------------------------------- */

static void rt_stack_destroy(struct rt_stack *rs)
{
    if (rs->wait_fd >= 0)
        close(rs->wait_fd);
    if (rs->wake_efd >= 0)
        close(rs->wake_efd);
    pthread_cond_destroy(&rs->cond);
    pthread_mutex_destroy(&rs->lock);
    free(rs->sigs);
    free(rs->links);
    free(rs);
}

static struct rt_stack *rt_stack_create(sg_stack *st, enum rt_mode mode)
{
    struct rt_stack *rs = calloc(1, sizeof(*rs));
    if (!rs)
        return NULL;
    rs->st = st;
    rs->mode = mode;
    rs->wake_efd = -1;
    rs->wait_fd = -1;
    rs->sleep_until = SG_TIME_NEVER;
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_mutex_init(&rs->lock, NULL);
    pthread_cond_init(&rs->cond, &ca);
    pthread_condattr_destroy(&ca);
    if (mode != RT_MODE_SIM) {
        rs->wake_efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
        rs->wait_fd = epoll_create1(EPOLL_CLOEXEC);
        struct epoll_event ev = {.events = EPOLLIN};
        if (rs->wake_efd < 0 || rs->wait_fd < 0 ||
            epoll_ctl(rs->wait_fd, EPOLL_CTL_ADD, rs->wake_efd, &ev) < 0) {
            rt_stack_destroy(rs);
            return NULL;
        }
    }
    return rs;
}

struct rt_stack *rt_stack_of(sg_stack *st)
{
    if (!st->rt && st->world)
        st->rt = rt_stack_create(st, RT_MODE_SIM); /* a world is single-threaded */
    if (!st->rt)
        errno = ENOMEM;
    return st->rt;
}

void rt_stack_maybe_release(sg_stack *st)
{
    struct rt_stack *rs = st->rt;
    if (rs && rs->mode == RT_MODE_SIM && rs->nfiles == 0 && !rs->locked) {
        st->rt = NULL;
        rt_stack_destroy(rs);
    }
}

/* ---- locking -------------------------------------------------------------- */

void rt_lock(struct rt_stack *rs)
{
    pthread_mutex_lock(&rs->lock);
    rs->locked = true;
    rs->in_api = true;
    tl_defer.on = rs->mode == RT_MODE_THREADED;
}

/* The earliest thing the runner must do: a timer or a link event. */
static sg_time rt_next_event_locked(struct rt_stack *rs, sg_time now)
{
    sg_stack *st = rs->st;
    /* Timers fire here as they would in the runner: what they raise is
     * not the caller's doing (SIGIO, epoll wake-ups go out). */
    bool api = rs->in_api;
    rs->in_api = false;
    sg_time next = stack_poll(st->core, now);
    rs->in_api = api;
    for (uint32_t i = 0; i < st->nifaces; i++)
        next = time_min(next, link_next_event(st->ifaces[i].link));
    return next;
}

/* Does the runner need waking to keep its plan (sleep_until)? Timers the
 * call armed, and link events still to come (an impaired link's delayed
 * frame), count; frames already queued on a link do not: their arrival
 * called on_rx, which woke the runner or queued the stack for direct
 * processing -- waking the service thread for them too would have it
 * race the thread about to take them. */
static bool rt_runner_late(struct rt_stack *rs, sg_time now)
{
    sg_stack *st = rs->st;
    bool api = rs->in_api;
    rs->in_api = false; /* timers firing here are not the caller's doing */
    sg_time next = stack_poll(st->core, now);
    rs->in_api = api;
    for (uint32_t i = 0; i < st->nifaces; i++) {
        sg_time t = link_next_event(st->ifaces[i].link);
        if (t > now)
            next = time_min(next, t);
    }
    return next < rs->sleep_until;
}

/* Drop the lock and send what the events queued. */
static void rt_unlock_flush(struct rt_stack *rs)
{
    struct rt_sig *sigs = rs->sigs;
    uint32_t n = rs->nsigs;
    rs->sigs = NULL;
    rs->nsigs = rs->sigs_cap = 0;
    bool bcast = rs->bcast;
    rs->bcast = false;
    rs->locked = false;
    rs->in_api = false;
    pthread_mutex_unlock(&rs->lock);
    /* After the unlock: a waiter woken while we still held the lock
     * would only go back to sleep on it (two futex calls more). */
    if (bcast)
        pthread_cond_broadcast(&rs->cond);
    if (n)
        rt_sig_send(sigs, n);
    free(sigs);
    rt_unlocked();
}

void rt_unlock(struct rt_stack *rs)
{
    sg_stack *st = rs->st;
    if (rs->mode == RT_MODE_SIM) {
        /* The call may have armed a timer: tell the world when this
         * stack next needs it (polling now runs nothing the world would
         * not run at this same virtual time). */
        rs->in_api = false;
        st->deadline = stack_poll(st->core, sg_world_now(st->world));
    } else if (rt_runner_late(rs, sg_now_ns())) {
        rt_wake(rs);
    }
    rt_unlock_flush(rs);
}

/* ---- processing ----------------------------------------------------------- */

sg_time rt_process_locked(struct rt_stack *rs, sg_time now)
{
    uint64_t v;
    if (rs->wake_efd >= 0 && read(rs->wake_efd, &v, sizeof(v)) < 0) {
        /* EAGAIN: nobody woke us */
    }
    return rt_process_frames(rs, now);
}

/* rt_process_locked without draining the wake eventfd: for a thread
 * processing a peer directly (its wake-ups are the service thread's). */
static sg_time rt_process_frames(struct rt_stack *rs, sg_time now)
{
    sg_stack *st = rs->st;
    for (uint32_t i = 0; i < st->nifaces; i++) {
        struct rt_iface *ri = &st->ifaces[i];
        link_poll(ri->link, now);
        struct buf *f;
        while ((f = link_recv(ri->link, now)) != NULL)
            stack_input(st->core, ri->ifp, f, now);
    }
    return rt_next_event_locked(rs, now);
}

/* Wait on the stack's wait descriptor until `until` (monotonic ns). */
static void rt_wait_fd(struct rt_stack *rs, sg_time until)
{
    struct pollfd pfd = {.fd = rs->wait_fd, .events = POLLIN};
    sg_time now = sg_now_ns();
    if (until <= now)
        return;
    struct timespec ts, *tsp = NULL;
    if (until != SG_TIME_NEVER) {
        sg_time d = until - now;
        ts.tv_sec = (time_t)(d / 1000000000ull);
        ts.tv_nsec = (long)(d % 1000000000ull);
        tsp = &ts;
    }
    ppoll(&pfd, 1, tsp, NULL);
}

static void *rt_service(void *arg)
{
    struct rt_stack *rs = arg;
    pthread_mutex_lock(&rs->lock);
    rs->locked = true;
    tl_defer.on = true;
    while (!rs->stop) {
        sg_time now = sg_now_ns();
        sg_time next = rt_process_locked(rs, now);
        rs->sleep_until = next;
        rt_unlock_flush(rs);
        rt_wait_fd(rs, next);
        pthread_mutex_lock(&rs->lock);
        rs->locked = true;
        tl_defer.on = true;
    }
    tl_defer.on = false;
    rs->locked = false;
    pthread_mutex_unlock(&rs->lock);
    return NULL;
}

void rt_drive_due(sg_stack *st)
{
    struct rt_stack *rs = st->rt;
    if (!rs || rs->mode != RT_MODE_DRIVEN)
        return;
    pthread_mutex_lock(&rs->lock);
    rs->locked = true;
    rs->sleep_until = rt_process_locked(rs, sg_now_ns());
    rt_unlock_flush(rs);
}

/* ---- blocking ----------------------------------------------------------- */

int rt_world_wait(sg_world *w, sg_time deadline)
{
    sg_time now = sg_world_now(w);
    if (now >= deadline)
        return -ETIMEDOUT;
    sg_time next = sg_world_next_event(w);
    if (next == SG_TIME_NEVER && deadline == SG_TIME_NEVER)
        return -EDEADLK;
    if (next > deadline) {
        sg_world_run_for(w, deadline - now);
        return -ETIMEDOUT;
    }
    sg_world_step(w);
    return 0;
}

static int rt_block_sim(struct rt_stack *rs, sg_time deadline)
{
    rs->in_api = false;
    rs->st->deadline = stack_poll(rs->st->core, sg_world_now(rs->st->world));
    /* Step with the lock free: events then send their signals at once,
     * as they do when the application steps the world itself. */
    rs->locked = false;
    rs->in_api = false;
    pthread_mutex_unlock(&rs->lock);
    int r = rt_world_wait(rs->st->world, deadline);
    pthread_mutex_lock(&rs->lock);
    rs->locked = true;
    rs->in_api = true;
    return r;
}

void rt_waitset_add(struct rt_waitset *ws, sg_stack *st)
{
    if (st->world) {
        if (!ws->world)
            ws->world = st->world;
        return;
    }
    if (!st->rt || st->rt->mode != RT_MODE_DRIVEN)
        return;
    for (uint32_t i = 0; i < ws->ndriven; i++)
        if (ws->driven[i] == st)
            return;
    if (ws->ndriven < RT_WAITSET_MAX)
        ws->driven[ws->ndriven++] = st;
}

sg_time rt_waitset_now(const struct rt_waitset *ws)
{
    return ws->world ? sg_world_now(ws->world) : sg_now_ns();
}

int rt_waitset_wait(struct rt_waitset *ws, int efd, sg_time deadline)
{
    if (ws->world)
        return rt_world_wait(ws->world, deadline);
    struct pollfd pfd[1 + RT_WAITSET_MAX];
    nfds_t n = 0;
    sg_time now = sg_now_ns();
    if (now >= deadline)
        return -ETIMEDOUT;
    sg_time until = deadline;
    if (efd >= 0)
        pfd[n++] = (struct pollfd){.fd = efd, .events = POLLIN};
    for (uint32_t i = 0; i < ws->ndriven; i++) {
        struct rt_stack *rs = ws->driven[i]->rt;
        pfd[n++] = (struct pollfd){.fd = rs->wait_fd, .events = POLLIN};
        pthread_mutex_lock(&rs->lock);
        until = time_min(until, rs->sleep_until);
        pthread_mutex_unlock(&rs->lock);
    }
    struct timespec ts, *tsp = NULL;
    if (until != SG_TIME_NEVER) {
        sg_time d = until > now ? until - now : 0;
        ts.tv_sec = (time_t)(d / 1000000000ull);
        ts.tv_nsec = (long)(d % 1000000000ull);
        tsp = &ts;
    }
    ppoll(pfd, n, tsp, NULL);
    now = sg_now_ns();
    for (uint32_t i = 0; i < ws->ndriven; i++) {
        struct rt_stack *rs = ws->driven[i]->rt;
        pthread_mutex_lock(&rs->lock);
        bool due = rs->sleep_until <= now;
        pthread_mutex_unlock(&rs->lock);
        if (pfd[(efd >= 0) + i].revents || due)
            rt_drive_due(ws->driven[i]);
    }
    return now >= deadline ? -ETIMEDOUT : 0;
}

static int rt_block_threaded(struct rt_stack *rs, sg_time deadline)
{
    sg_time now = sg_now_ns();
    if (now >= deadline)
        return -ETIMEDOUT;
    /* The call may have armed a timer (a SYN's, a send's retransmission)
     * before blocking: the service thread must not sleep past it. (Timers
     * due now fire here, so this goes before the check below.) */
    if (rt_runner_late(rs, now))
        rt_wake(rs);
    if (rs->nsigs || tl_defer.n) {
        /* Signals and queued peers first: never sleep holding them. */
        rt_unlock_flush(rs);
        rt_lock(rs);
        return 0;
    }
    if (rs->bcast) {
        /* Our own events (data consumed, space freed) for other waiters. */
        rs->bcast = false;
        pthread_cond_broadcast(&rs->cond);
    }
    rs->locked = false;
    rs->in_api = false;
    if (deadline == SG_TIME_NEVER) {
        pthread_cond_wait(&rs->cond, &rs->lock);
    } else {
        struct timespec ts = {(time_t)(deadline / 1000000000ull), (long)(deadline % 1000000000ull)};
        pthread_cond_timedwait(&rs->cond, &rs->lock, &ts);
    }
    rs->locked = true;
    rs->in_api = true;
    return 0;
}

static int rt_block_driven(struct rt_stack *rs, sg_time deadline)
{
    sg_time now = sg_now_ns();
    if (now >= deadline)
        return -ETIMEDOUT;
    /* Run the stack here; wait only if that changed nothing. The wake
     * eventfd is written by events while someone is blocked (api.c), so
     * another thread processing the stack wakes us too. */
    uint64_t gen = atomic_load_explicit(&rs->evgen, memory_order_relaxed);
    rs->in_api = false; /* input processed here is the peer's doing */
    sg_time next = rt_process_locked(rs, now);
    rs->in_api = true;
    rs->sleep_until = time_min(rs->sleep_until, next);
    if (atomic_load_explicit(&rs->evgen, memory_order_relaxed) != gen)
        return 0; /* something happened: let the caller try again */
    if (rs->nsigs) {
        rt_unlock_flush(rs);
        rt_lock(rs);
        return 0;
    }
    rs->nblocked++;
    rs->locked = false;
    rs->in_api = false;
    pthread_mutex_unlock(&rs->lock);
    rt_wait_fd(rs, time_min(next, deadline));
    pthread_mutex_lock(&rs->lock);
    rs->locked = true;
    rs->in_api = true;
    rs->nblocked--;
    rs->in_api = false;
    rt_process_locked(rs, sg_now_ns());
    rs->in_api = true;
    return 0;
}

int rt_block(struct rt_stack *rs, sg_time deadline)
{
    switch (rs->mode) {
    case RT_MODE_SIM:
        return rt_block_sim(rs, deadline);
    case RT_MODE_THREADED:
        return rt_block_threaded(rs, deadline);
    default:
        return rt_block_driven(rs, deadline);
    }
}

/* ---- public: stacks ------------------------------------------------------ */

sg_stack *sg_stack_new(const struct sg_config *cfg)
{
    struct sg_config c = {0};
    if (cfg)
        c = *cfg;
    while (!c.seed && getrandom(&c.seed, sizeof(c.seed), 0) != (ssize_t)sizeof(c.seed)) {
        /* EINTR: try again */
    }
    sg_stack *st = calloc(1, sizeof(*st));
    if (!st)
        goto nomem;
    st->core = stack_new(&c);
    if (!st->core)
        goto nomem;
    tcp_attach(st->core);
    st->deadline = SG_TIME_NEVER;
    st->rt = rt_stack_create(st, RT_MODE_DRIVEN);
    if (!st->rt)
        goto nomem;
    return st;
nomem:
    if (st) {
        stack_free(st->core);
        free(st);
    }
    errno = ENOMEM;
    return NULL;
}

int sg_stack_start(sg_stack *st)
{
    if (!st || st->world || !st->rt) {
        errno = EINVAL;
        return -1;
    }
    struct rt_stack *rs = st->rt;
    pthread_mutex_lock(&rs->lock);
    if (rs->running) {
        pthread_mutex_unlock(&rs->lock);
        errno = EALREADY;
        return -1;
    }
    rs->mode = RT_MODE_THREADED;
    rs->running = true;
    rs->stop = false;
    int err = pthread_create(&rs->thread, NULL, rt_service, rs);
    if (err) {
        rs->mode = RT_MODE_DRIVEN;
        rs->running = false;
    }
    pthread_mutex_unlock(&rs->lock);
    if (err) {
        errno = EAGAIN;
        return -1;
    }
    return 0;
}

int sg_stack_wait_fd(sg_stack *st)
{
    if (!st || !st->rt || st->world) {
        errno = EINVAL;
        return -1;
    }
    return st->rt->wait_fd;
}

uint64_t sg_stack_process(sg_stack *st, uint64_t now_ns)
{
    if (!st)
        return SG_TIME_NEVER;
    if (st->world)
        return sg_world_next_event(st->world);
    struct rt_stack *rs = st->rt;
    pthread_mutex_lock(&rs->lock);
    rs->locked = true;
    sg_time next = rt_process_locked(rs, now_ns);
    if (rs->mode == RT_MODE_DRIVEN)
        rs->sleep_until = next;
    rt_unlock_flush(rs);
    return next;
}

/* Detach and destroy one of a stack's links. The peer stack's thread may
 * be transmitting into our end (its xmit then calls our on_rx): holding
 * the peer's lock, under which it does all its transmitting, rules that
 * out. */
static void rt_link_destroy(sg_stack *st, struct rt_link *rl)
{
    struct rt_pair *p = rl->pair;
    if (!p) {
        link_destroy(rl->link);
        return;
    }
    pthread_mutex_lock(&p->lock);
    sg_stack *peer = p->side[1 - rl->side];
    if (peer)
        pthread_mutex_lock(&peer->rt->lock);
    rl->link->on_rx = NULL;
    link_destroy(rl->link);
    if (peer)
        pthread_mutex_unlock(&peer->rt->lock);
    p->side[rl->side] = NULL;
    int left = --p->refs;
    pthread_mutex_unlock(&p->lock);
    if (left == 0) {
        pthread_mutex_destroy(&p->lock);
        free(p);
    }
    (void)st;
}

void sg_stack_free(sg_stack *st)
{
    if (!st || st->world)
        return;
    struct rt_stack *rs = st->rt;
    pthread_mutex_lock(&rs->lock);
    bool running = rs->running;
    rs->stop = true;
    pthread_mutex_unlock(&rs->lock);
    if (running) {
        rt_wake(rs);
        pthread_join(rs->thread, NULL);
        rs->running = false;
    }
    /* Sockets still open lose their stack. */
    while (rs->files)
        rt_sock_orphan(rs->files);
    for (uint32_t i = 0; i < rs->nlinks; i++)
        rt_link_destroy(st, &rs->links[i]);
    /* No peer can queue us any more (our links are detached); wait for
     * threads that did to see `stop` and let go. */
    while (atomic_load(&rs->direct_refs) != 0)
        sched_yield();
    stack_free(st->core);
    free(st->ifaces);
    rt_stack_destroy(rs);
    free(st);
}

/* ---- links ---------------------------------------------------------------- */

static void rt_link_on_rx(void *ctx)
{
    rt_defer_or_wake(ctx);
}

static int rt_iface_xmit(void *ctx, struct buf *frame, sg_time now)
{
    return link_xmit(ctx, frame, now);
}

/* Give stack st an interface on link l with address a/plen; the link
 * becomes st's. Lock held. 0 or -errno. */
static int rt_stack_attach_link(sg_stack *st, struct link *l, const struct ipaddr *a, int plen,
                                struct rt_pair *pair, int side)
{
    struct rt_stack *rs = st->rt;
    if (st->nifaces == st->ifaces_cap) {
        uint32_t cap = st->ifaces_cap ? st->ifaces_cap * 2 : 4;
        struct rt_iface *n = realloc(st->ifaces, cap * sizeof(*n));
        if (!n)
            return -ENOMEM;
        st->ifaces = n;
        st->ifaces_cap = cap;
    }
    if (rs->nlinks == rs->links_cap) {
        uint32_t cap = rs->links_cap ? rs->links_cap * 2 : 4;
        struct rt_link *n = realloc(rs->links, cap * sizeof(*n));
        if (!n)
            return -ENOMEM;
        rs->links = n;
        rs->links_cap = cap;
    }
    char name[16];
    snprintf(name, sizeof(name), "eth%u", (unsigned)st->nifaces);
    struct iface *ifp =
        stack_add_iface(st->core, name, (int)l->kind, l->mtu, l->mac, rt_iface_xmit, l);
    if (!ifp)
        return -ENOMEM;
    st->ifaces[st->nifaces++] = (struct rt_iface){ifp, l};
    rs->links[rs->nlinks++] = (struct rt_link){l, pair, side};
    l->on_rx = rt_link_on_rx;
    l->on_rx_ctx = rs;
    int fd = l->ops->wait_fd ? l->ops->wait_fd(l) : -1;
    if (fd >= 0) {
        struct epoll_event ev = {.events = EPOLLIN};
        epoll_ctl(rs->wait_fd, EPOLL_CTL_ADD, fd, &ev);
    }
    int err = iface_add_addr(ifp, a, plen);
    rt_wake(rs);
    return err;
}

int rt_stack_add_link(sg_stack *st, struct link *l, const char *cidr)
{
    struct ipaddr a;
    int plen;
    if (!st || st->world || !st->rt || rt_parse_cidr4(cidr, &a, &plen) < 0)
        return -EINVAL;
    pthread_mutex_lock(&st->rt->lock);
    int err = rt_stack_attach_link(st, l, &a, plen, NULL, 0);
    pthread_mutex_unlock(&st->rt->lock);
    return err;
}

int sg_link_pair(sg_stack *a, const char *a_cidr, sg_stack *b, const char *b_cidr,
                 const struct sg_link_config *cfg)
{
    static const struct sg_link_config defaults = {0};
    if (!cfg)
        cfg = &defaults;
    struct ipaddr aa, ba;
    int ap, bp;
    if (!a || !b || a == b || a->world || b->world || !a->rt || !b->rt ||
        (cfg->kind != 0 && cfg->kind != SG_LINK_ETHERNET && cfg->kind != SG_LINK_RAW_IP) ||
        rt_parse_cidr4(a_cidr, &aa, &ap) < 0 || rt_parse_cidr4(b_cidr, &ba, &bp) < 0) {
        errno = EINVAL;
        return -1;
    }
    enum link_kind kind = cfg->kind == SG_LINK_RAW_IP ? LINK_RAW_IP : LINK_ETHERNET;
    uint32_t mtu = cfg->mtu ? cfg->mtu : RT_DEFAULT_MTU;
    /* Link ids from a's count and a's seed: distinct MACs per pair. */
    pthread_mutex_lock(&a->rt->lock);
    uint32_t idx = a->rt->nlink_pairs++;
    uint64_t seed = prng_mix64(a->core->cfg.seed ^ prng_mix64(2ull << 32 | idx));
    pthread_mutex_unlock(&a->rt->lock);
    uint32_t id = (uint32_t)prng_mix64(seed) | 1u;
    struct link *la, *lb;
    int err = link_mem_pair(kind, mtu, RT_MEMLINK_QLEN, id, &la, &lb);
    if (err < 0) {
        errno = -err;
        return -1;
    }
    struct link *outer = rt_wrap_link(la, cfg, seed, NULL);
    if (!outer) {
        int e = errno;
        link_destroy(lb);
        errno = e;
        return -1;
    }
    struct rt_pair *p = calloc(1, sizeof(*p));
    if (!p) {
        link_destroy(outer);
        link_destroy(lb);
        errno = ENOMEM;
        return -1;
    }
    pthread_mutex_init(&p->lock, NULL);
    p->side[0] = a;
    p->side[1] = b;
    p->refs = 2;
    /* One stack at a time: never two stack locks at once. */
    pthread_mutex_lock(&a->rt->lock);
    int ea = rt_stack_attach_link(a, outer, &aa, ap, p, 0);
    pthread_mutex_unlock(&a->rt->lock);
    pthread_mutex_lock(&b->rt->lock);
    int eb = rt_stack_attach_link(b, lb, &ba, bp, p, 1);
    pthread_mutex_unlock(&b->rt->lock);
    if (ea < 0 || eb < 0) {
        errno = ea < 0 ? -ea : -eb;
        return -1;
    }
    return 0;
}

int sg_stack_add_route(sg_stack *st, const char *cidr, const char *gw)
{
    struct ipaddr dst, via = ipaddr_v4(0);
    int plen;
    uint32_t gbe = 0;
    if (!st || rt_parse_cidr4(cidr, &dst, &plen) < 0 || (gw && inet_pton(AF_INET, gw, &gbe) != 1)) {
        errno = EINVAL;
        return -1;
    }
    via = ipaddr_v4(gbe);
    struct rt_stack *rs = rt_stack_of(st);
    if (!rs)
        return -1;
    rt_lock(rs);
    /* The interface: the one whose prefix holds the gateway (or, on-link,
     * the destination). */
    uint32_t key = gw ? gbe : ipaddr_v4_be(&dst);
    struct iface *ifp = NULL;
    for (struct iface *i = st->core->ifaces; i && !ifp; i = i->next)
        for (uint32_t k = 0; k < i->naddrs; k++)
            if ((i->addrs[k].addr & i->addrs[k].mask) == (key & i->addrs[k].mask))
                ifp = i;
    int err = ifp ? route_add(st->core, &dst, plen, &via, ifp) : -ENETUNREACH;
    rt_unlock(rs);
    if (err < 0) {
        errno = -err;
        return -1;
    }
    return 0;
}

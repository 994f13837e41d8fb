/* sg_epoll_*: epoll over sigurg sockets, as Linux's fs/eventpoll.c.
 *
 * An item is a watcher (rt_watch) on its socket's file. A socket event
 * (under the socket's stack lock) queues the item on the ready list when
 * the event's wake-up key meets the item's events, as ep_poll_callback
 * does with the key sk_data_ready / sk_write_space / sk_state_change pass:
 *   readable, accept, urgent   EPOLLIN | EPOLLPRI | EPOLLRDNORM | EPOLLRDBAND
 *   writable                   EPOLLOUT | EPOLLWRNORM | EPOLLWRBAND
 *   error                      EPOLLERR
 *   state change, hang-up, connected, shutdown: every bit (key 0)
 * epoll_wait takes the ready list and re-polls each item's socket for the
 * events to report (ep_send_events): nothing now -> dropped; level-
 * triggered -> back on the list; EPOLLET -> off until the next wake-up;
 * EPOLLONESHOT -> disabled until EPOLL_CTL_MOD.
 *
 * Locks: `ctl` guards the item set and is held across a scan (so items do
 * not vanish under it), taking stack locks inside it; `rdy` guards the
 * ready list and is taken inside stack locks by the watchers. A socket
 * closed while in a set drops out of it (Linux's eventpoll_release): its
 * items are marked dead under its stack lock and freed by the next
 * scan / ctl / close of the epoll under `ctl`.
 *
 * The epoll descriptor is an eventfd, readable while the ready list is
 * non-empty, so it can sit in a foreign loop or in sg_poll.
 *
 * Not supported: host descriptors in a set (EPERM, as Linux for files
 * that cannot be polled), nested sigurg epolls (EINVAL). EPOLLEXCLUSIVE is
 * accepted on ADD (a wake-up hint; every waiter wakes here), EPOLLWAKEUP
 * ignored (as Linux without CAP_BLOCK_SUSPEND).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>
#include "rt/rt_sock.h"
#include "sigurg/sigurg.h"

#define EP_KEY_ALL 0xffffffffu
#define EP_IN_KEY (EPOLLIN | EPOLLPRI | EPOLLRDNORM | EPOLLRDBAND)
#define EP_OUT_KEY (EPOLLOUT | EPOLLWRNORM | EPOLLWRBAND)
#define EP_EXCLUSIVE_OK                                                                            \
    (EPOLLIN | EPOLLOUT | EPOLLRDNORM | EPOLLRDBAND | EPOLLWRNORM | EPOLLWRBAND | EPOLLERR |       \
     EPOLLHUP | EPOLLWAKEUP | EPOLLET | EPOLLEXCLUSIVE)

struct ep_item {
    struct rt_watch w; /* first: a watcher is an item */
    struct rt_epoll *ep;
    struct rt_file *target; /* NULL once the socket is gone (dead) */
    sg_stack *st;
    int fd;
    uint32_t events; /* as given (EPOLLET, EPOLLONESHOT included) */
    epoll_data_t data;
    bool ready;            /* on the ready list (rdy) */
    bool disabled;         /* EPOLLONESHOT fired (rdy) */
    struct ep_item *next;  /* items (ctl) */
    struct ep_item *rnext; /* ready list (rdy) */
};

struct rt_epoll {
    struct rt_file *f;
    pthread_mutex_t ctl, rdy;
    struct ep_item *items;
    struct ep_item *rhead, *rtail;
    bool dirty; /* some item may be dead (rdy) */
};

/* ---- ready list (rdy held) ----------------------------------------------- */

static void ep_ready_push(struct rt_epoll *ep, struct ep_item *it)
{
    it->rnext = NULL;
    if (ep->rtail)
        ep->rtail->rnext = it;
    else
        ep->rhead = it;
    ep->rtail = it;
    it->ready = true;
}

static void ep_ready_remove(struct rt_epoll *ep, struct ep_item *it)
{
    if (!it->ready)
        return;
    struct ep_item *prev = NULL;
    for (struct ep_item *p = ep->rhead; p; prev = p, p = p->rnext) {
        if (p == it) {
            if (prev)
                prev->rnext = p->rnext;
            else
                ep->rhead = p->rnext;
            if (ep->rtail == p)
                ep->rtail = prev;
            break;
        }
    }
    it->ready = false;
}

static void ep_show(struct rt_epoll *ep)
{
    if (ep->f)
        rt_file_show_readable(ep->f, ep->rhead != NULL);
}

/* ---- the watcher --------------------------------------------------------- */

static uint32_t ep_key(unsigned ev)
{
    uint32_t key = 0;
    if (ev & (SOCK_EV_STATE | SOCK_EV_HUP | SOCK_EV_CONNECTED | SOCK_EV_SHUTDOWN))
        return EP_KEY_ALL;
    if (ev & (SOCK_EV_READABLE | SOCK_EV_ACCEPT | SOCK_EV_URGENT))
        key |= EP_IN_KEY;
    if (ev & SOCK_EV_WRITABLE)
        key |= EP_OUT_KEY;
    if (ev & SOCK_EV_ERROR)
        key |= EPOLLERR;
    return key;
}

/* The events an item asks for, as poll bits (EPOLLERR and EPOLLHUP are
 * always reported). */
static uint32_t ep_want(const struct ep_item *it)
{
    return (it->events & ~(uint32_t)(EPOLLET | EPOLLONESHOT | EPOLLEXCLUSIVE | EPOLLWAKEUP)) |
           EPOLLERR | EPOLLHUP;
}

static void ep_watch(struct rt_watch *w, struct rt_file *f, unsigned ev, unsigned mask)
{
    struct ep_item *it = (struct ep_item *)w;
    uint32_t key = ep_key(ev);
    struct rt_epoll *ep = it->ep;
    pthread_mutex_lock(&ep->rdy);
    uint32_t want = ep_want(it);
    if ((key & want) && (mask & want) && !it->disabled && !it->ready) {
        ep_ready_push(ep, it);
        ep_show(ep);
    }
    pthread_mutex_unlock(&ep->rdy);
}

/* Unhook an item from its socket (its stack lock taken here). */
static void ep_unwatch(struct ep_item *it)
{
    if (!it->target)
        return;
    struct rt_stack *rs = it->st->rt;
    pthread_mutex_lock(&rs->lock);
    struct rt_file *f = it->target;
    if (f) {
        for (struct rt_watch **pp = &f->watches; *pp; pp = &(*pp)->next) {
            if (*pp == &it->w) {
                *pp = it->w.next;
                break;
            }
        }
        it->target = NULL;
    }
    pthread_mutex_unlock(&rs->lock);
}

void rt_epoll_forget(struct rt_file *target)
{
    /* Stack lock held. Every watcher left on a file being destroyed is an
     * epoll item (poll waiters hold a reference while they watch). */
    for (struct rt_watch *w = target->watches; w; w = w->next) {
        if (w->fn != ep_watch)
            continue;
        struct ep_item *it = (struct ep_item *)w;
        it->target = NULL;
        pthread_mutex_lock(&it->ep->rdy);
        it->ep->dirty = true;
        pthread_mutex_unlock(&it->ep->rdy);
    }
    target->watches = NULL;
}

/* Free dead items. ctl held. */
static void ep_reap(struct rt_epoll *ep)
{
    pthread_mutex_lock(&ep->rdy);
    bool dirty = ep->dirty;
    ep->dirty = false;
    pthread_mutex_unlock(&ep->rdy);
    if (!dirty)
        return;
    for (struct ep_item **pp = &ep->items; *pp;) {
        struct ep_item *it = *pp;
        bool dead;
        if (!it->st->rt) {
            dead = true; /* a world stack whose last socket went */
        } else {
            pthread_mutex_lock(&it->st->rt->lock);
            dead = it->target == NULL;
            pthread_mutex_unlock(&it->st->rt->lock);
        }
        if (!dead) {
            pp = &it->next;
            continue;
        }
        *pp = it->next;
        pthread_mutex_lock(&ep->rdy);
        ep_ready_remove(ep, it);
        ep_show(ep);
        pthread_mutex_unlock(&ep->rdy);
        free(it);
    }
}

/* ---- descriptors ---------------------------------------------------------- */

void rt_epoll_close_fd(struct rt_file *f)
{
    struct rt_epoll *ep = f->ep;
    pthread_mutex_lock(&ep->rdy);
    rt_file_close_fd(f);
    ep->f = NULL;
    pthread_mutex_unlock(&ep->rdy);
}

void rt_epoll_destroy(struct rt_file *f)
{
    struct rt_epoll *ep = f->ep;
    pthread_mutex_lock(&ep->ctl);
    for (struct ep_item *it = ep->items, *next; it; it = next) {
        next = it->next;
        if (it->st->rt)
            ep_unwatch(it);
        free(it);
    }
    pthread_mutex_unlock(&ep->ctl);
    pthread_mutex_destroy(&ep->ctl);
    pthread_mutex_destroy(&ep->rdy);
    free(ep);
    rt_file_close_fd(f);
    free(f);
}

int sg_epoll_create1(int flags)
{
    if (flags & ~EPOLL_CLOEXEC) {
        errno = EINVAL;
        return -1;
    }
    struct rt_epoll *ep = calloc(1, sizeof(*ep));
    if (!ep) {
        errno = ENOMEM;
        return -1;
    }
    struct rt_file *f = rt_file_new(RT_FILE_EPOLL, flags & EPOLL_CLOEXEC);
    if (!f) {
        int e = errno;
        free(ep);
        errno = e;
        return -1;
    }
    pthread_mutex_init(&ep->ctl, NULL);
    pthread_mutex_init(&ep->rdy, NULL);
    ep->f = f;
    f->ep = ep;
    if (rt_file_install(f) < 0) {
        rt_epoll_destroy(f);
        errno = ENOMEM;
        return -1;
    }
    return f->num;
}

static struct ep_item *ep_find(struct rt_epoll *ep, int fd, struct rt_file *target)
{
    for (struct ep_item *it = ep->items; it; it = it->next)
        if (it->fd == fd && it->target == target && target)
            return it;
    return NULL;
}

/* Queue `it` now if its socket is ready for it (ep_insert / ep_modify
 * poll the file once). ctl held. */
static void ep_check_now(struct ep_item *it)
{
    struct rt_stack *rs = it->st->rt;
    pthread_mutex_lock(&rs->lock);
    unsigned mask = it->target && it->target->sk ? sock_poll(it->target->sk) : 0;
    pthread_mutex_unlock(&rs->lock);
    struct rt_epoll *ep = it->ep;
    pthread_mutex_lock(&ep->rdy);
    if ((mask & ep_want(it)) && !it->ready && !it->disabled) {
        ep_ready_push(ep, it);
        ep_show(ep);
    }
    pthread_mutex_unlock(&ep->rdy);
}

static int ep_ctl(struct rt_epoll *ep, int op, int fd, struct rt_file *t, struct epoll_event *ev)
{
    struct ep_item *it = ep_find(ep, fd, t);
    switch (op) {
    case EPOLL_CTL_ADD: {
        if (it)
            return -EEXIST;
        it = calloc(1, sizeof(*it));
        if (!it)
            return -ENOMEM;
        it->w.fn = ep_watch;
        it->ep = ep;
        it->st = t->st;
        it->fd = fd;
        it->events = ev->events;
        it->data = ev->data;
        struct rt_stack *rs = t->st->rt;
        pthread_mutex_lock(&rs->lock);
        it->target = t;
        it->w.next = t->watches;
        t->watches = &it->w;
        pthread_mutex_unlock(&rs->lock);
        it->next = ep->items;
        ep->items = it;
        ep_check_now(it);
        return 0;
    }
    case EPOLL_CTL_MOD:
        if (!it)
            return -ENOENT;
        if (ev->events & EPOLLEXCLUSIVE)
            return -EINVAL;
        pthread_mutex_lock(&ep->rdy);
        it->events = ev->events;
        it->data = ev->data;
        it->disabled = false;
        pthread_mutex_unlock(&ep->rdy);
        ep_check_now(it);
        return 0;
    case EPOLL_CTL_DEL:
        if (!it)
            return -ENOENT;
        ep_unwatch(it);
        pthread_mutex_lock(&ep->rdy);
        ep_ready_remove(ep, it);
        ep_show(ep);
        pthread_mutex_unlock(&ep->rdy);
        for (struct ep_item **pp = &ep->items; *pp; pp = &(*pp)->next) {
            if (*pp == it) {
                *pp = it->next;
                break;
            }
        }
        free(it);
        return 0;
    default:
        return -EINVAL;
    }
}

int sg_epoll_ctl(int epfd, int op, int fd, struct epoll_event *ev)
{
    struct rt_file *ef = rt_file_get(epfd);
    if (!ef) {
        errno = EBADF;
        return -1;
    }
    struct rt_file *t = rt_file_get(fd);
    int r = 0;
    bool has_ev = op == EPOLL_CTL_ADD || op == EPOLL_CTL_MOD;
    struct epoll_event e = {0};
    if (!t) {
        /* A host descriptor cannot be watched; a closed one is EBADF. */
        r = fcntl(fd, F_GETFD) >= 0 ? -EPERM : -EBADF;
    } else if (has_ev && !ev) {
        r = -EFAULT;
    } else if (ef == t || ef->kind != RT_FILE_EPOLL) {
        r = -EINVAL;
    } else if (t->kind != RT_FILE_SOCK || !t->st) {
        r = -EINVAL; /* nested epoll: not supported */
    } else {
        if (has_ev)
            e = *ev;
        if (has_ev && (e.events & EPOLLEXCLUSIVE) && op == EPOLL_CTL_ADD &&
            (e.events & ~(uint32_t)EP_EXCLUSIVE_OK))
            r = -EINVAL;
    }
    if (r == 0) {
        struct rt_epoll *ep = ef->ep;
        pthread_mutex_lock(&ep->ctl);
        ep_reap(ep);
        r = ep_ctl(ep, op, fd, t, &e);
        pthread_mutex_unlock(&ep->ctl);
    }
    rt_file_put(t);
    rt_file_put(ef);
    if (r < 0) {
        errno = -r;
        return -1;
    }
    return 0;
}

/* One scan of the ready list (ep_send_events). ctl held. */
static int ep_scan(struct rt_epoll *ep, struct epoll_event *evs, int max)
{
    pthread_mutex_lock(&ep->rdy);
    struct ep_item *list = ep->rhead;
    ep->rhead = ep->rtail = NULL;
    for (struct ep_item *p = list; p; p = p->rnext)
        p->ready = false;
    pthread_mutex_unlock(&ep->rdy);

    int n = 0;
    struct ep_item *keep = NULL, **ktail = &keep;   /* not reached (max) */
    struct ep_item *again = NULL, **atail = &again; /* level-triggered */
    for (struct ep_item *it = list, *next; it; it = next) {
        next = it->rnext;
        it->rnext = NULL;
        if (n == max) {
            *ktail = it;
            ktail = &it->rnext;
            continue;
        }
        struct rt_stack *rs = it->st->rt;
        unsigned mask = 0;
        if (rs) {
            pthread_mutex_lock(&rs->lock);
            if (it->target && it->target->sk)
                mask = sock_poll(it->target->sk);
            pthread_mutex_unlock(&rs->lock);
        }
        pthread_mutex_lock(&ep->rdy);
        uint32_t rev = it->disabled ? 0 : mask & ep_want(it);
        if (rev) {
            evs[n].events = rev;
            evs[n].data = it->data;
            n++;
            if (it->events & EPOLLONESHOT) {
                it->disabled = true;
            } else if (!(it->events & EPOLLET)) {
                *atail = it;
                atail = &it->rnext;
            }
        }
        pthread_mutex_unlock(&ep->rdy);
    }
    /* Back on the list: the ones not reached, then whatever became ready
     * during the scan, then the level-triggered ones just reported. */
    pthread_mutex_lock(&ep->rdy);
    struct ep_item *mid = ep->rhead;
    ep->rhead = ep->rtail = NULL;
    for (struct ep_item *p = keep, *nx; p; p = nx) {
        nx = p->rnext;
        if (!p->ready)
            ep_ready_push(ep, p);
    }
    for (struct ep_item *p = mid, *nx; p; p = nx) {
        nx = p->rnext;
        p->ready = false;
        ep_ready_push(ep, p);
    }
    for (struct ep_item *p = again, *nx; p; p = nx) {
        nx = p->rnext;
        if (!p->ready)
            ep_ready_push(ep, p);
    }
    ep_show(ep);
    pthread_mutex_unlock(&ep->rdy);
    return n;
}

int sg_epoll_wait(int epfd, struct epoll_event *evs, int max, int timeout_ms)
{
    struct rt_file *ef = rt_file_get(epfd);
    if (!ef) {
        errno = EBADF;
        return -1;
    }
    int r;
    if (max <= 0) {
        r = -EINVAL;
    } else if (!evs) {
        r = -EFAULT;
    } else if (ef->kind != RT_FILE_EPOLL) {
        r = -EINVAL;
    } else {
        struct rt_epoll *ep = ef->ep;
        struct rt_waitset ws = {0};
        pthread_mutex_lock(&ep->ctl);
        for (struct ep_item *it = ep->items; it; it = it->next)
            if (it->st->rt)
                rt_waitset_add(&ws, it->st);
        pthread_mutex_unlock(&ep->ctl);
        sg_time deadline = SG_TIME_NEVER;
        if (timeout_ms >= 0) {
            sg_time now = rt_waitset_now(&ws);
            deadline = now + SG_MS(timeout_ms);
        }
        for (;;) {
            pthread_mutex_lock(&ep->ctl);
            ep_reap(ep);
            r = ep_scan(ep, evs, max);
            pthread_mutex_unlock(&ep->ctl);
            if (r > 0 || timeout_ms == 0)
                break;
            pthread_mutex_lock(&ep->rdy);
            int efd = ep->f ? ep->f->fd : -1;
            pthread_mutex_unlock(&ep->rdy);
            int b = rt_waitset_wait(&ws, efd, deadline);
            if (b == -ETIMEDOUT) {
                pthread_mutex_lock(&ep->ctl);
                r = ep_scan(ep, evs, max);
                pthread_mutex_unlock(&ep->ctl);
                break;
            }
            if (b == -EDEADLK) {
                r = b;
                break;
            }
        }
    }
    rt_file_put(ef);
    if (r < 0) {
        errno = -r;
        return -1;
    }
    return r;
}

/* sg_poll and sg_select over sigurg sockets and host descriptors mixed.
 *
 * One pass computes every entry's revents: a sigurg socket from
 * sock_poll() under its stack's lock (the exact Linux mask, R23), a sigurg
 * epoll descriptor or a host descriptor with the kernel's poll() at
 * timeout 0. If nothing is ready and the caller will wait, the same pass
 * registers a watcher on each socket (in the same critical section as its
 * mask, so no event is lost), and the wait is one kernel ppoll() on a
 * private eventfd the watchers write, the host descriptors, and the wait
 * descriptors of caller-driven stacks (rt_waitset) -- or, with simulated
 * sockets in the set, steps of their world. Then the watchers go and the
 * pass runs again.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <unistd.h>
#include "rt/rt_sock.h"
#include "sigurg/sigurg.h"

struct poll_entry {
    struct rt_watch w; /* on f->watches while waiting */
    struct rt_file *f; /* sigurg socket or epoll; NULL for a host descriptor */
    bool watching;
    int efd;
};

static void poll_wake(struct rt_watch *w, struct rt_file *f, unsigned ev, unsigned mask)
{
    struct poll_entry *e = (struct poll_entry *)w;
    uint64_t one = 1;
    if (write(e->efd, &one, sizeof(one)) < 0) {
        /* counter full: readable anyway */
    }
}

static void poll_unwatch(struct poll_entry *e)
{
    if (!e->watching)
        return;
    struct rt_stack *rs = e->f->st->rt;
    pthread_mutex_lock(&rs->lock);
    for (struct rt_watch **pp = &e->f->watches; *pp; pp = &(*pp)->next) {
        if (*pp == &e->w) {
            *pp = e->w.next;
            break;
        }
    }
    pthread_mutex_unlock(&rs->lock);
    e->watching = false;
}

/* One pass; returns the number of entries with revents. `efd` >= 0:
 * register watchers on sockets that are not ready. */
static int poll_pass(struct pollfd *fds, nfds_t n, struct poll_entry *ents, int efd)
{
    int count = 0;
    for (nfds_t i = 0; i < n; i++) {
        struct pollfd *p = &fds[i];
        struct poll_entry *e = &ents[i];
        p->revents = 0;
        if (p->fd < 0)
            continue;
        if (e->f && e->f->kind == RT_FILE_SOCK && e->f->st) {
            struct rt_stack *rs = e->f->st->rt;
            rt_lock(rs);
            unsigned mask = e->f->sk ? sock_poll(e->f->sk) : POLLNVAL;
            p->revents = (short)(mask & ((unsigned)(unsigned short)p->events | POLLERR | POLLHUP |
                                         POLLNVAL));
            if (!p->revents && efd >= 0 && !e->watching) {
                e->efd = efd;
                e->w.fn = poll_wake;
                e->w.next = e->f->watches;
                e->f->watches = &e->w;
                e->watching = true;
            }
            rt_unlock(rs);
        } else {
            /* A host descriptor, or an sg epoll (its eventfd is readable
             * while events may be pending). */
            struct pollfd k = {.fd = e->f ? e->f->fd : p->fd, .events = p->events};
            if (e->f && k.fd < 0) {
                p->revents = POLLNVAL;
            } else if (poll(&k, 1, 0) > 0) {
                p->revents = k.revents;
            }
        }
        if (p->revents)
            count++;
    }
    return count;
}

/* The poll core, timeout in ns (SG_TIME_NEVER: none) of the sockets'
 * clock. Returns the count or -errno. */
static int poll_core(struct pollfd *fds, nfds_t n, sg_time timeout)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && n > rl.rlim_cur)
        return -EINVAL;
    if (n && !fds)
        return -EFAULT;
    struct poll_entry *ents = calloc(n ? n : 1, sizeof(*ents));
    if (!ents)
        return -ENOMEM;
    struct rt_waitset ws = {0};
    size_t nhost = 0;
    for (nfds_t i = 0; i < n; i++) {
        ents[i].f = fds[i].fd >= 0 ? rt_file_get(fds[i].fd) : NULL;
        if (ents[i].f && ents[i].f->kind == RT_FILE_SOCK && ents[i].f->st)
            rt_waitset_add(&ws, ents[i].f->st);
        else if (fds[i].fd >= 0)
            nhost++;
    }
    sg_time deadline = SG_TIME_NEVER;
    if (timeout != SG_TIME_NEVER) {
        sg_time now = rt_waitset_now(&ws);
        deadline = timeout > SG_TIME_NEVER - 1 - now ? SG_TIME_NEVER - 1 : now + timeout;
    }
    int efd = -1, count;
    for (;;) {
        count = poll_pass(fds, n, ents, efd);
        if (count || timeout == 0)
            break;
        if (efd < 0 && !ws.world) {
            efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
            if (efd < 0) {
                count = -errno;
                break;
            }
            continue; /* register the watchers */
        }
        int r;
        if (ws.world) {
            r = rt_waitset_wait(&ws, -1, deadline);
            if (r == 0 && nhost)
                continue; /* host descriptors are polled at each step */
        } else if (nhost) {
            /* Host descriptors join the kernel wait alongside our eventfd. */
            struct pollfd *k = calloc(nhost + 1 + RT_WAITSET_MAX, sizeof(*k));
            if (!k) {
                count = -ENOMEM;
                break;
            }
            size_t m = 0;
            k[m++] = (struct pollfd){.fd = efd, .events = POLLIN};
            for (nfds_t i = 0; i < n; i++)
                if (fds[i].fd >= 0 && !(ents[i].f && ents[i].f->kind == RT_FILE_SOCK))
                    k[m++] = (struct pollfd){.fd = ents[i].f ? ents[i].f->fd : fds[i].fd,
                                             .events = fds[i].events};
            for (uint32_t i = 0; i < ws.ndriven; i++)
                k[m++] = (struct pollfd){.fd = ws.driven[i]->rt->wait_fd, .events = POLLIN};
            sg_time now = rt_waitset_now(&ws), until = deadline;
            for (uint32_t i = 0; i < ws.ndriven; i++)
                until = time_min(until, ws.driven[i]->rt->sleep_until);
            int ms = until == SG_TIME_NEVER ? -1
                     : until <= now         ? 0
                                            : (int)((until - now + 999999) / 1000000);
            poll(k, m, ms);
            free(k);
            for (uint32_t i = 0; i < ws.ndriven; i++)
                rt_drive_due(ws.driven[i]);
            r = rt_waitset_now(&ws) >= deadline ? -ETIMEDOUT : 0;
        } else {
            r = rt_waitset_wait(&ws, efd, deadline);
        }
        if (efd >= 0) {
            uint64_t v;
            if (read(efd, &v, sizeof(v)) < 0) {
                /* EAGAIN: woken by something else */
            }
        }
        if (r == -ETIMEDOUT) {
            count = poll_pass(fds, n, ents, -1);
            break;
        }
        if (r == -EDEADLK) {
            count = -EDEADLK;
            break;
        }
    }
    for (nfds_t i = 0; i < n; i++) {
        if (ents[i].f) {
            poll_unwatch(&ents[i]);
            rt_file_put(ents[i].f);
        }
    }
    if (efd >= 0)
        close(efd);
    free(ents);
    return count;
}

int sg_poll(struct pollfd *fds, nfds_t n, int timeout_ms)
{
    sg_time t = timeout_ms < 0 ? SG_TIME_NEVER : SG_MS(timeout_ms);
    int r = poll_core(fds, n, t);
    if (r < 0) {
        errno = -r;
        return -1;
    }
    return r;
}

/* Linux's select bit sets (fs/select.c). */
#define SEL_IN (POLLRDNORM | POLLRDBAND | POLLIN | POLLHUP | POLLERR)
#define SEL_OUT (POLLWRBAND | POLLWRNORM | POLLOUT | POLLERR)
#define SEL_EX (POLLPRI)

int sg_select(int nfds, fd_set *r, fd_set *w, fd_set *x, struct timeval *tv)
{
    if (nfds < 0) {
        errno = EINVAL;
        return -1;
    }
    if (nfds > FD_SETSIZE)
        nfds = FD_SETSIZE;
    sg_time t = SG_TIME_NEVER;
    if (tv) {
        if (tv->tv_sec < 0 || tv->tv_usec < 0) {
            errno = EINVAL;
            return -1;
        }
        t = SG_SEC(tv->tv_sec) + SG_US(tv->tv_usec);
    }
    struct pollfd *p = calloc(nfds ? (size_t)nfds : 1, sizeof(*p));
    int *map = calloc(nfds ? (size_t)nfds : 1, sizeof(*map));
    if (!p || !map) {
        free(p);
        free(map);
        errno = ENOMEM;
        return -1;
    }
    nfds_t n = 0;
    for (int fd = 0; fd < nfds; fd++) {
        short ev = 0;
        if (r && FD_ISSET(fd, r))
            ev |= POLLIN;
        if (w && FD_ISSET(fd, w))
            ev |= POLLOUT;
        if (x && FD_ISSET(fd, x))
            ev |= POLLPRI;
        if (!ev)
            continue;
        p[n].fd = fd;
        p[n].events = ev;
        map[n++] = fd;
    }
    struct rt_waitset ws = {0};
    sg_time start = rt_waitset_now(&ws);
    int res = poll_core(p, n, t);
    int count = 0;
    if (res >= 0) {
        for (nfds_t i = 0; i < n; i++) {
            if (p[i].revents & POLLNVAL) {
                res = -EBADF; /* select: a closed descriptor in a set */
                break;
            }
        }
    }
    if (res >= 0) {
        if (r)
            FD_ZERO(r);
        if (w)
            FD_ZERO(w);
        if (x)
            FD_ZERO(x);
        for (nfds_t i = 0; i < n; i++) {
            short ev = p[i].events, rv = p[i].revents;
            if ((ev & POLLIN) && (rv & SEL_IN)) {
                FD_SET(map[i], r);
                count++;
            }
            if ((ev & POLLOUT) && (rv & SEL_OUT)) {
                FD_SET(map[i], w);
                count++;
            }
            if ((ev & POLLPRI) && (rv & SEL_EX)) {
                FD_SET(map[i], x);
                count++;
            }
        }
        if (tv) {
            /* Linux writes back the time left. */
            sg_time spent = rt_waitset_now(&ws) - start;
            sg_time left = spent < t ? t - spent : 0;
            tv->tv_sec = (time_t)(left / 1000000000ull);
            tv->tv_usec = (suseconds_t)((left % 1000000000ull) / 1000ull);
        }
    }
    free(p);
    free(map);
    if (res < 0) {
        errno = -res;
        return -1;
    }
    return count;
}

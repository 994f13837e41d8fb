/* The descriptor table: sigurg descriptor -> rt_file (rt/rt_sock.h).
 *
 * A sigurg descriptor is a real host descriptor: an eventfd, so numbers
 * are unique in the process (across stacks, and against the kernel's own
 * descriptors) and a foreign poll/epoll loop can wait on it. The table is
 * the runtime's only global mutable state: one mutex, one array indexed by
 * descriptor number, grown on demand.
 *
 * The eventfd shows the socket's readiness through its counter: > 0 makes
 * it readable, 0xfffffffffffffffe (the largest value) makes it not
 * writable. So counter 1 = readable and writable, 0 = writable only,
 * max = readable only. (Neither cannot be shown: that reads as writable.)
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>
#include "rt/rt_sock.h"

#define RT_EFD_MAX 0xfffffffffffffffeull

static pthread_mutex_t fdt_lock = PTHREAD_MUTEX_INITIALIZER;
static struct rt_file **fdt;
static size_t fdt_cap;
static uint64_t fdt_lookups; /* under fdt_lock */

struct rt_file *rt_file_new(enum rt_kind kind, bool cloexec)
{
    struct rt_file *f = calloc(1, sizeof(*f));
    if (!f) {
        errno = ENOMEM;
        return NULL;
    }
    int fd = eventfd(0, EFD_NONBLOCK | (cloexec ? EFD_CLOEXEC : 0));
    if (fd < 0) {
        int e = errno;
        free(f);
        errno = e;
        return NULL;
    }
    atomic_init(&f->refs, 1);
    atomic_init(&f->fl, O_RDWR);
    f->kind = kind;
    f->fd = fd;
    f->num = fd;
    return f;
}

void rt_file_discard(struct rt_file *f)
{
    if (!f)
        return;
    rt_file_close_fd(f);
    free(f);
}

int rt_file_install(struct rt_file *f)
{
    int fd = f->num;
    pthread_mutex_lock(&fdt_lock);
    if ((size_t)fd >= fdt_cap) {
        size_t cap = fdt_cap ? fdt_cap : 64;
        while (cap <= (size_t)fd)
            cap *= 2;
        struct rt_file **n = realloc(fdt, cap * sizeof(*n));
        if (!n) {
            pthread_mutex_unlock(&fdt_lock);
            return -ENOMEM;
        }
        memset(n + fdt_cap, 0, (cap - fdt_cap) * sizeof(*n));
        fdt = n;
        fdt_cap = cap;
    }
    fdt[fd] = f;
    pthread_mutex_unlock(&fdt_lock);
    return 0;
}

struct rt_file *rt_file_get(int fd)
{
    struct rt_file *f = NULL;
    if (fd < 0)
        return NULL;
    pthread_mutex_lock(&fdt_lock);
    fdt_lookups++;
    if ((size_t)fd < fdt_cap && fdt[fd]) {
        f = fdt[fd];
        atomic_fetch_add(&f->refs, 1);
    }
    pthread_mutex_unlock(&fdt_lock);
    return f;
}

struct rt_file *rt_file_remove(int fd)
{
    struct rt_file *f = NULL;
    if (fd < 0)
        return NULL;
    pthread_mutex_lock(&fdt_lock);
    if ((size_t)fd < fdt_cap && fdt[fd]) {
        f = fdt[fd];
        fdt[fd] = NULL;
    }
    pthread_mutex_unlock(&fdt_lock);
    return f;
}

bool rt_file_remove_if(struct rt_file *f)
{
    bool hit = false;
    pthread_mutex_lock(&fdt_lock);
    if ((size_t)f->num < fdt_cap && fdt[f->num] == f) {
        fdt[f->num] = NULL;
        hit = true;
    }
    pthread_mutex_unlock(&fdt_lock);
    return hit;
}

uint64_t rt_api_epoch(void)
{
    pthread_mutex_lock(&fdt_lock);
    uint64_t n = fdt_lookups;
    pthread_mutex_unlock(&fdt_lock);
    return n;
}

void rt_file_put(struct rt_file *f)
{
    if (!f || atomic_fetch_sub(&f->refs, 1) != 1)
        return;
    if (f->kind == RT_FILE_SOCK)
        rt_sock_destroy(f);
    else
        rt_epoll_destroy(f);
}

void rt_file_close_fd(struct rt_file *f)
{
    if (f->fd >= 0) {
        close(f->fd);
        f->fd = -1;
    }
}

static void rt_file_set_counter(struct rt_file *f, uint64_t val)
{
    if (f->fd < 0 || val == f->efd_val)
        return;
    /* Only we read or write the counter, so efd_val is what it holds: a
     * rise is one write of the difference, a fall a drain to 0 and then
     * a write -- one system call per change on the common paths. */
    uint64_t v, add = val;
    if (val > f->efd_val) {
        add = val - f->efd_val;
    } else if (read(f->fd, &v, sizeof(v)) < 0 && errno != EAGAIN) {
        return;
    } else {
        f->efd_val = 0;
    }
    if (add && write(f->fd, &add, sizeof(add)) != (ssize_t)sizeof(add))
        return;
    f->efd_val = val;
}

void rt_file_show(struct rt_file *f, unsigned mask)
{
    bool r = mask & (POLLIN | POLLPRI | POLLERR | POLLHUP | POLLRDHUP);
    bool w = mask & POLLOUT;
    rt_file_set_counter(f, r ? (w ? 1 : RT_EFD_MAX) : 0);
}

void rt_file_show_readable(struct rt_file *f, bool readable)
{
    rt_file_set_counter(f, readable ? 1 : 0);
}

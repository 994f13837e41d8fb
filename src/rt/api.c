/* The sg_* socket calls (sigurg.h): descriptors in, the core socket layer
 * (sock/sock.h) under the stack's lock, blocking between tries, errno out.
 *
 * Every call: look the descriptor up (a reference), lock its stack, loop
 * { try the non-blocking core call; if it would block and the socket
 * blocks, rt_block() until an event or the deadline }, unlock (which
 * sends queued signals and tells the runner about new timers), drop the
 * reference, set errno last.
 *
 * Linux behaviour kept here rather than in the core: argument checks
 * done by net/socket.c before the protocol sees anything (address
 * lengths, iovec counts, accept4 flags), SIGPIPE, O_NONBLOCK /
 * MSG_DONTWAIT, SO_RCVTIMEO / SO_SNDTIMEO, MSG_WAITALL and SO_RCVLOWAT
 * (stopping at the urgent mark, oob.md R16; recv(MSG_OOB) never blocks,
 * R19), the blocking connect, the lingering close.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/sockios.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include "net/stack.h"
#include "rt/rt_sock.h"
#include "sigurg/sigurg.h"

#define API_UIO_MAXIOV 1024                          /* Linux UIO_MAXIOV */
#define API_MAX_RW_COUNT ((size_t)INT_MAX & ~4095ul) /* Linux MAX_RW_COUNT */
#define API_SETFL_MASK (O_APPEND | O_ASYNC | O_NONBLOCK)
#define API_IOV_STACK 8

/* The stack sg_socket() uses: process-wide (sigurg.h). */
static _Atomic(sg_stack *) api_default_stack;

static int api_fail(int err)
{
    errno = err;
    return -1;
}

/* The socket file behind fd, with a reference: EBADF for anything that
 * is not a sigurg descriptor, ENOTSOCK for a sigurg epoll descriptor. */
static struct rt_file *api_sock(int fd, int *err)
{
    struct rt_file *f = rt_file_get(fd);
    if (!f) {
        *err = EBADF;
        return NULL;
    }
    if (f->kind != RT_FILE_SOCK || !f->st) {
        *err = f->kind != RT_FILE_SOCK ? ENOTSOCK : EBADF;
        rt_file_put(f);
        return NULL;
    }
    return f;
}

static bool api_nonblock(const struct rt_file *f, int flags)
{
    return (atomic_load(&f->fl) & O_NONBLOCK) || (flags & MSG_DONTWAIT);
}

/* move_addr_to_kernel's checks. */
static int api_addr_check(const void *addr, socklen_t len)
{
    if ((int)len < 0 || len > sizeof(struct sockaddr_storage))
        return -EINVAL;
    if (len && !addr)
        return -EFAULT;
    return 0;
}

/* ---- events ---------------------------------------------------------------- */

void rt_sock_event(void *ctx, struct sock *sk, unsigned ev)
{
    struct rt_file *f = ctx;
    struct rt_stack *rs = f->st->rt;
    /* Written under the lock only; atomic for rt_block's lock-free spin. */
    atomic_store_explicit(&rs->evgen, atomic_load_explicit(&rs->evgen, memory_order_relaxed) + 1,
                          memory_order_release);
    if (rs->mode != RT_MODE_SIM)
        rs->bcast = true; /* broadcast by whoever drops the lock (stack_rt.c) */
    unsigned mask = sock_poll(sk);
    if (f->fd >= 0)
        rt_file_show(f, mask);
    /* The caller's own data calls (recv consuming, recv(MSG_OOB), send)
     * wake nobody in Linux; only state changes (shutdown, connect, close:
     * sk_state_change) do. */
    unsigned wev =
        rs->in_api ? ev & (SOCK_EV_STATE | SOCK_EV_SHUTDOWN | SOCK_EV_HUP | SOCK_EV_CONNECTED) : ev;
    for (struct rt_watch *w = f->watches, *next; wev && w; w = next) {
        next = w->next;
        w->fn(w, f, wev, mask);
    }
    rt_sig_event(rs, f, ev, mask);
    if (rs->mode == RT_MODE_DRIVEN && rs->nblocked) {
        uint64_t one = 1;
        if (write(rs->wake_efd, &one, sizeof(one)) < 0) {
            /* full: readable anyway */
        }
    }
}

/* Wire a new socket to a new file and put it on its stack. Lock held. */
static void api_attach(struct rt_stack *rs, struct rt_file *f, struct sock *sk)
{
    f->st = rs->st;
    f->sk = sk;
    sock_set_owner(sk, rt_sock_event, f);
    f->snext = rs->files;
    f->sprev = NULL;
    if (rs->files)
        rs->files->sprev = f;
    rs->files = f;
    rs->nfiles++;
    rt_file_show(f, sock_poll(sk));
}

static void api_detach(struct rt_stack *rs, struct rt_file *f)
{
    if (f->sprev)
        f->sprev->snext = f->snext;
    else
        rs->files = f->snext;
    if (f->snext)
        f->snext->sprev = f->sprev;
    f->snext = f->sprev = NULL;
    rs->nfiles--;
}

/* Show the socket's readiness on its eventfd after a call: consuming
 * data or queueing it changes readiness without any event. Lock held. */
static void api_show(struct rt_file *f)
{
    if (f->fd >= 0 && f->sk)
        rt_file_show(f, sock_poll(f->sk));
}

void rt_sock_destroy(struct rt_file *f)
{
    sg_stack *st = f->st;
    if (!st) {
        rt_file_discard(f);
        return;
    }
    struct rt_stack *rs = st->rt;
    rt_lock(rs);
    rt_epoll_forget(f);
    struct sock *sk = f->sk;
    sg_time now = rt_now(st);
    sock_close(sk, now);
    if (sock_linger_pending(sk)) {
        /* SO_LINGER: wait for the close to finish sending, or the time. */
        sg_time deadline =
            sk->o.linger_sec < 0 ? SG_TIME_NEVER : rt_deadline(st, SG_SEC(sk->o.linger_sec));
        while (sock_linger_pending(sk) && rt_block(rs, deadline) == 0) {
        }
    }
    sock_free(sk, rt_now(st));
    f->sk = NULL;
    api_detach(rs, f);
    rt_file_close_fd(f);
    rt_unlock(rs);
    rt_stack_maybe_release(st);
    free(f);
}

void rt_sock_orphan(struct rt_file *f)
{
    struct rt_stack *rs = f->st->rt;
    rt_lock(rs);
    rt_epoll_forget(f);
    sock_close(f->sk, rt_now(f->st));
    sock_free(f->sk, rt_now(f->st));
    f->sk = NULL;
    api_detach(rs, f);
    f->st = NULL;
    rt_file_close_fd(f);
    rs->locked = false;
    rs->bcast = false;
    pthread_mutex_unlock(&rs->lock);
    pthread_cond_broadcast(&rs->cond); /* for the events closing raised */
    rt_unlocked();
    if (rt_file_remove_if(f))
        rt_file_put(f);
}

/* ---- sockets ------------------------------------------------------------ */

void sg_set_default_stack(sg_stack *s)
{
    atomic_store(&api_default_stack, s);
}

sg_stack *sg_default_stack(void)
{
    return atomic_load(&api_default_stack);
}

/* A file for socket sk (new, owned by the caller) on rs: installs it.
 * Lock held. Returns the descriptor or -errno (sk then freed). */
static int api_new_file(struct rt_stack *rs, struct rt_file *f, struct sock *sk, int flags)
{
    if (flags & SOCK_NONBLOCK)
        atomic_fetch_or(&f->fl, O_NONBLOCK);
    api_attach(rs, f, sk);
    int err = rt_file_install(f);
    if (err < 0) {
        api_detach(rs, f);
        sock_close(sk, rt_now(rs->st));
        sock_free(sk, rt_now(rs->st));
        rt_file_discard(f);
        return err;
    }
    return f->num;
}

int sg_socket_on(sg_stack *st, int domain, int type, int protocol)
{
    /* __sys_socket: flag bits first, then the family and type. */
    int flags = type & ~0xf;
    type &= 0xf;
    if (flags & ~(SOCK_NONBLOCK | SOCK_CLOEXEC))
        return api_fail(EINVAL);
    if (!st)
        return api_fail(ENETDOWN);
    struct rt_stack *rs = rt_stack_of(st);
    if (!rs)
        return api_fail(ENOMEM);
    struct rt_file *f = rt_file_new(RT_FILE_SOCK, flags & SOCK_CLOEXEC);
    if (!f) {
        int e = errno;
        rt_stack_maybe_release(st);
        return api_fail(e);
    }
    rt_lock(rs);
    struct sock *sk;
    int r = sock_create(st->core, domain, type, protocol, &sk);
    if (r == 0)
        r = api_new_file(rs, f, sk, flags);
    else
        rt_file_discard(f);
    rt_unlock(rs);
    if (r < 0) {
        rt_stack_maybe_release(st);
        return api_fail(-r);
    }
    return r;
}

int sg_socket(int domain, int type, int protocol)
{
    return sg_socket_on(sg_default_stack(), domain, type, protocol);
}

int sg_bind(int fd, const struct sockaddr *addr, socklen_t len)
{
    int err;
    struct rt_file *f = api_sock(fd, &err);
    if (!f)
        return api_fail(err);
    int r = api_addr_check(addr, len);
    if (r == 0) {
        struct rt_stack *rs = f->st->rt;
        rt_lock(rs);
        r = sock_bind(f->sk, addr, len);
        api_show(f);
        rt_unlock(rs);
    }
    rt_file_put(f);
    return r < 0 ? api_fail(-r) : 0;
}

int sg_listen(int fd, int backlog)
{
    int err;
    struct rt_file *f = api_sock(fd, &err);
    if (!f)
        return api_fail(err);
    struct rt_stack *rs = f->st->rt;
    rt_lock(rs);
    /* __sys_listen: (unsigned)backlog > somaxconn -> somaxconn, so a
     * negative backlog means "the most". */
    uint32_t max = f->st->core->cfg.somaxconn;
    if ((unsigned)backlog > max)
        backlog = (int)max;
    int r = sock_listen(f->sk, backlog);
    api_show(f);
    rt_unlock(rs);
    rt_file_put(f);
    return r < 0 ? api_fail(-r) : 0;
}

int sg_accept4(int fd, struct sockaddr *addr, socklen_t *len, int flags)
{
    if (flags & ~(SOCK_CLOEXEC | SOCK_NONBLOCK))
        return api_fail(EINVAL);
    int err;
    struct rt_file *f = api_sock(fd, &err);
    if (!f)
        return api_fail(err);
    struct rt_file *cf = rt_file_new(RT_FILE_SOCK, flags & SOCK_CLOEXEC);
    if (!cf) {
        err = errno;
        rt_file_put(f);
        return api_fail(err);
    }
    sg_stack *st = f->st;
    struct rt_stack *rs = st->rt;
    rt_lock(rs);
    sg_time deadline = api_nonblock(f, 0) ? 0 : rt_deadline(st, f->sk->o.rcvtimeo);
    struct sock *child = NULL;
    int r;
    for (;;) {
        r = sock_accept(f->sk, &child);
        if (r != -EAGAIN)
            break;
        int b = rt_block(rs, deadline);
        if (b < 0) {
            r = b == -EDEADLK ? b : -EAGAIN;
            break;
        }
    }
    struct sockaddr_storage ss;
    int klen = 0;
    if (r == 0) {
        klen = addr ? sock_getname(child, &ss, true) : 0;
        r = api_new_file(rs, cf, child, flags);
        cf = NULL;
    }
    api_show(f);
    rt_unlock(rs);
    rt_file_discard(cf);
    rt_file_put(f);
    if (r < 0)
        return api_fail(-r);
    int nfd = r;
    if (addr) {
        /* Linux copies the address after taking the connection: a bad
         * length loses it (the new socket is closed). */
        int e = klen < 0 ? -ECONNABORTED : sock_addr_copyout(&ss, (socklen_t)klen, addr, len);
        if (e < 0) {
            sg_close(nfd);
            return api_fail(-e);
        }
    }
    return nfd;
}

int sg_accept(int fd, struct sockaddr *addr, socklen_t *len)
{
    return sg_accept4(fd, addr, len, 0);
}

int sg_connect(int fd, const struct sockaddr *addr, socklen_t len)
{
    int err;
    struct rt_file *f = api_sock(fd, &err);
    if (!f)
        return api_fail(err);
    int r = api_addr_check(addr, len);
    if (r == 0) {
        sg_stack *st = f->st;
        struct rt_stack *rs = st->rt;
        rt_lock(rs);
        r = sock_connect(f->sk, addr, len, rt_now(st));
        if ((r == -EINPROGRESS || r == -EALREADY) && !api_nonblock(f, 0)) {
            /* inet_wait_for_connect, bounded by SO_SNDTIMEO; on timeout
             * the EINPROGRESS / EALREADY stands. */
            sg_time deadline = rt_deadline(st, f->sk->o.sndtimeo);
            int b = 0;
            while (sock_connecting(f->sk) && (b = rt_block(rs, deadline)) == 0) {
            }
            if (b == -EDEADLK)
                r = b;
            else if (!sock_connecting(f->sk))
                r = sock_connect_finish(f->sk, rt_now(st));
        }
        api_show(f);
        rt_unlock(rs);
    }
    rt_file_put(f);
    return r < 0 ? api_fail(-r) : 0;
}

/* ---- data ------------------------------------------------------------------ */

/* The iovec `in` with its first `skip` bytes removed, into out[0..n). */
static int api_iov_advance(const struct iovec *in, int n, size_t skip, struct iovec *out)
{
    int k = 0;
    for (int i = 0; i < n; i++) {
        if (skip >= in[i].iov_len) {
            skip -= in[i].iov_len;
            continue;
        }
        out[k].iov_base = in[i].iov_base ? (char *)in[i].iov_base + skip : NULL;
        out[k].iov_len = in[i].iov_len - skip;
        skip = 0;
        k++;
    }
    return k;
}

/* import_iovec's checks and Linux's MAX_RW_COUNT truncation. -errno or 0;
 * *total gets the byte count. `toomany` is the errno for more than
 * UIO_MAXIOV elements (EMSGSIZE for sendmsg/recvmsg, EINVAL for
 * readv/writev). */
static int api_iov_check(const struct iovec *iov, size_t n, int toomany, size_t *total)
{
    if (n > API_UIO_MAXIOV)
        return -toomany;
    if (n && !iov)
        return -EFAULT;
    size_t sum = 0;
    for (size_t i = 0; i < n; i++) {
        if ((ssize_t)iov[i].iov_len < 0)
            return -EINVAL;
        sum += iov[i].iov_len;
        if (sum > API_MAX_RW_COUNT)
            sum = API_MAX_RW_COUNT;
    }
    *total = sum;
    return 0;
}

/* The send loop: a stream socket blocks until everything is queued (or
 * an error, the timeout, a signal-free partial result); a datagram is one
 * call. Lock held. */
static ssize_t api_send_locked(struct rt_file *f, const struct msghdr *msg, size_t total, int flags)
{
    sg_stack *st = f->st;
    struct rt_stack *rs = st->rt;
    struct sock *sk = f->sk;
    bool stream = sk->type == SOCK_STREAM;
    sg_time deadline = api_nonblock(f, flags) ? 0 : rt_deadline(st, sk->o.sndtimeo);
    struct iovec small[API_IOV_STACK], *iov = small;
    int n = (int)msg->msg_iovlen;
    if (n > API_IOV_STACK) {
        iov = malloc((size_t)n * sizeof(*iov));
        if (!iov)
            return -ENOBUFS;
    }
    struct msghdr m = *msg;
    m.msg_iov = iov;
    size_t sent = 0;
    ssize_t r;
    for (;;) {
        m.msg_iovlen = (size_t)api_iov_advance(msg->msg_iov, n, sent, iov);
        r = sock_sendmsg(sk, &m, flags, rt_now(st));
        if (r > 0) {
            sent += (size_t)r;
            if (!stream || sent >= total)
                break;
            /* More to send: stop on a pending error or shutdown, which
             * the next call would consume (Linux returns the count and
             * leaves the error for later). */
            if (sock_poll(sk) & (POLLERR | POLLHUP))
                break;
            continue;
        }
        if (r != -EAGAIN)
            break;
        f->nospace = true;
        int b = rt_block(rs, deadline);
        if (b < 0) {
            r = b == -EDEADLK ? b : -EAGAIN;
            break;
        }
    }
    if (iov != small)
        free(iov);
    if (sent > 0)
        return (ssize_t)sent;
    return r;
}

static ssize_t api_sendmsg(int fd, const struct msghdr *msg, int flags, int toomany)
{
    int err;
    struct rt_file *f = rt_file_get(fd);
    if (!f)
        return api_fail(EBADF);
    if (f->kind != RT_FILE_SOCK || !f->st) {
        err = f->kind != RT_FILE_SOCK ? (toomany == EINVAL ? EINVAL : ENOTSOCK) : EBADF;
        rt_file_put(f);
        return api_fail(err);
    }
    size_t total = 0;
    ssize_t r = api_iov_check(msg->msg_iov, msg->msg_iovlen, toomany, &total);
    if (r == 0 && msg->msg_name)
        r = api_addr_check(msg->msg_name, msg->msg_namelen);
    if (r == 0) {
        struct rt_stack *rs = f->st->rt;
        rt_lock(rs);
        r = api_send_locked(f, msg, total, flags);
        bool stream = f->sk->type == SOCK_STREAM;
        api_show(f);
        rt_unlock(rs);
        if (r == -EPIPE && stream && !(flags & MSG_NOSIGNAL))
            rt_sig_pipe();
    }
    rt_file_put(f);
    return r < 0 ? api_fail((int)-r) : r;
}

ssize_t sg_sendmsg(int fd, const struct msghdr *msg, int flags)
{
    if (!msg) {
        struct rt_file *f = rt_file_get(fd);
        if (!f)
            return api_fail(EBADF);
        rt_file_put(f);
        return api_fail(EFAULT);
    }
    return api_sendmsg(fd, msg, flags, EMSGSIZE);
}

ssize_t sg_sendto(int fd, const void *buf, size_t len, int flags, const struct sockaddr *to,
                  socklen_t tolen)
{
    if (len > INT_MAX)
        len = INT_MAX;
    struct iovec iov = {(void *)buf, len};
    struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1};
    if (to) {
        m.msg_name = (void *)to;
        m.msg_namelen = tolen;
    }
    return api_sendmsg(fd, &m, flags, EMSGSIZE);
}

ssize_t sg_send(int fd, const void *buf, size_t len, int flags)
{
    return sg_sendto(fd, buf, len, flags, NULL, 0);
}

ssize_t sg_write(int fd, const void *buf, size_t len)
{
    struct iovec iov = {(void *)buf, len > INT_MAX ? INT_MAX : len};
    struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1};
    return api_sendmsg(fd, &m, 0, EINVAL);
}

ssize_t sg_writev(int fd, const struct iovec *iov, int iovcnt)
{
    if (iovcnt < 0)
        return api_fail(EINVAL);
    struct msghdr m = {.msg_iov = (struct iovec *)iov, .msg_iovlen = (size_t)iovcnt};
    return api_sendmsg(fd, &m, 0, EINVAL);
}

/* The receive loop. Lock held. Returns bytes or -errno. m is the kernel
 * side msghdr (its name is a sockaddr_storage of ours). */
static ssize_t api_recv_locked(struct rt_file *f, struct msghdr *m, size_t total, int flags)
{
    sg_stack *st = f->st;
    struct rt_stack *rs = st->rt;
    struct sock *sk = f->sk;
    bool stream = sk->type == SOCK_STREAM;
    bool oob = stream && (flags & MSG_OOB);
    sg_time deadline =
        (api_nonblock(f, flags) || oob) ? 0 : rt_deadline(st, sk->o.rcvtimeo); /* R19 */
    /* tcp_recvmsg's target: MSG_WAITALL wants everything, else SO_RCVLOWAT
     * (at least 1, at most the buffer). */
    size_t target = 1;
    if (stream && !oob) {
        target = (flags & MSG_WAITALL) ? total : (size_t)sk->o.rcvlowat;
        if (target > total)
            target = total;
        if (target == 0)
            target = 1;
    }
    bool peek = flags & MSG_PEEK;
    struct iovec small[API_IOV_STACK], *iov = small;
    int n = (int)m->msg_iovlen;
    const struct iovec *uiov = m->msg_iov;
    if (n > API_IOV_STACK) {
        iov = malloc((size_t)n * sizeof(*iov));
        if (!iov)
            return -ENOBUFS;
    }
    socklen_t namecap = m->msg_namelen;
    size_t got = 0;
    int mflags = 0;
    ssize_t r;
    for (;;) {
        m->msg_iov = iov;
        m->msg_iovlen = (size_t)api_iov_advance(uiov, n, peek ? 0 : got, iov);
        m->msg_namelen = namecap;
        r = sock_recvmsg(sk, m, flags, rt_now(st));
        mflags |= m->msg_flags;
        if (r > 0) {
            if (!stream || oob || total == 0) {
                got = (size_t)r;
                break;
            }
            got = peek ? (size_t)r : got + (size_t)r;
            if (got >= target)
                break;
            /* A short read that ends at the urgent mark returns (R16), as
             * does one with an error or EOF ahead (the next call would
             * consume the error, which Linux leaves for later). */
            unsigned mask = sock_poll(sk);
            if (!peek && sock_atmark(sk))
                break;
            if (peek && (mask & POLLPRI) && (int)got == sock_readable_bytes(sk))
                break; /* peeked up to the mark */
            if (mask & (POLLERR | POLLRDHUP | POLLHUP))
                break;
            if (!peek)
                continue;
            /* peeking: nothing new will show without an event */
        } else if (r == 0 || r != -EAGAIN) {
            break;
        }
        if (!stream && deadline != 0 && (sk->shut & SOCK_RCV_SHUTDOWN)) {
            r = 0; /* a datagram socket shut for reading: a wait ends at once */
            break;
        }
        int b = rt_block(rs, deadline);
        if (b < 0) {
            r = b == -EDEADLK ? b : -EAGAIN;
            break;
        }
    }
    m->msg_iov = (struct iovec *)uiov;
    m->msg_iovlen = (size_t)n;
    m->msg_flags = mflags;
    if (iov != small)
        free(iov);
    if (got > 0)
        return (ssize_t)got;
    return r;
}

/* recvmsg with a user msghdr `um`; `uname`/`ulen` are where the source
 * address goes (recvfrom) or NULL to use um's own (recvmsg). */
static ssize_t api_recvmsg(int fd, struct msghdr *um, int flags, int toomany, struct sockaddr *from,
                           socklen_t *fromlen, bool is_read)
{
    struct rt_file *f = rt_file_get(fd);
    if (!f)
        return api_fail(EBADF);
    if (f->kind != RT_FILE_SOCK || !f->st) {
        int err = f->kind != RT_FILE_SOCK ? (is_read ? EINVAL : ENOTSOCK) : EBADF;
        rt_file_put(f);
        return api_fail(err);
    }
    size_t total = 0;
    ssize_t r = api_iov_check(um->msg_iov, um->msg_iovlen, toomany, &total);
    if (r == 0 && (int)um->msg_namelen < 0 && um->msg_name)
        r = -EINVAL;
    struct sockaddr_storage ss;
    struct msghdr m = *um;
    m.msg_name = &ss;
    m.msg_namelen = sizeof(ss);
    if (r == 0) {
        struct rt_stack *rs = f->st->rt;
        rt_lock(rs);
        r = api_recv_locked(f, &m, total, flags);
        api_show(f);
        rt_unlock(rs);
    }
    rt_file_put(f);
    if (r < 0)
        return api_fail((int)-r);
    um->msg_flags = m.msg_flags;
    um->msg_controllen = 0;
    if (from) {
        int e = sock_addr_copyout(&ss, m.msg_namelen, from, fromlen);
        if (e < 0)
            return api_fail(-e);
    } else if (um->msg_name) {
        socklen_t ulen = um->msg_namelen;
        memcpy(um->msg_name, &ss, ulen < m.msg_namelen ? ulen : m.msg_namelen);
        um->msg_namelen = m.msg_namelen;
    } else {
        um->msg_namelen = 0;
    }
    return r;
}

ssize_t sg_recvmsg(int fd, struct msghdr *msg, int flags)
{
    if (!msg) {
        struct rt_file *f = rt_file_get(fd);
        if (!f)
            return api_fail(EBADF);
        rt_file_put(f);
        return api_fail(EFAULT);
    }
    return api_recvmsg(fd, msg, flags, EMSGSIZE, NULL, NULL, false);
}

ssize_t sg_recvfrom(int fd, void *buf, size_t len, int flags, struct sockaddr *from,
                    socklen_t *fromlen)
{
    struct iovec iov = {buf, len > INT_MAX ? INT_MAX : len};
    struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1};
    return api_recvmsg(fd, &m, flags, EMSGSIZE, from, fromlen, false);
}

ssize_t sg_recv(int fd, void *buf, size_t len, int flags)
{
    return sg_recvfrom(fd, buf, len, flags, NULL, NULL);
}

ssize_t sg_read(int fd, void *buf, size_t len)
{
    struct iovec iov = {buf, len > INT_MAX ? INT_MAX : len};
    struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1};
    return api_recvmsg(fd, &m, 0, EINVAL, NULL, NULL, true);
}

ssize_t sg_readv(int fd, const struct iovec *iov, int iovcnt)
{
    if (iovcnt < 0)
        return api_fail(EINVAL);
    struct msghdr m = {.msg_iov = (struct iovec *)iov, .msg_iovlen = (size_t)iovcnt};
    return api_recvmsg(fd, &m, 0, EINVAL, NULL, NULL, true);
}

/* ---- the rest --------------------------------------------------------------- */

int sg_shutdown(int fd, int how)
{
    int err;
    struct rt_file *f = api_sock(fd, &err);
    if (!f)
        return api_fail(err);
    struct rt_stack *rs = f->st->rt;
    rt_lock(rs);
    int r = sock_shutdown(f->sk, how, rt_now(f->st));
    api_show(f);
    rt_unlock(rs);
    rt_file_put(f);
    return r < 0 ? api_fail(-r) : 0;
}

int sg_close(int fd)
{
    struct rt_file *f = rt_file_remove(fd);
    if (!f)
        return api_fail(EBADF);
    if (f->kind == RT_FILE_SOCK && f->st) {
        /* Under the stack lock: events stop touching the eventfd before
         * its number can be reused. */
        struct rt_stack *rs = f->st->rt;
        rt_lock(rs);
        rt_file_close_fd(f);
        rt_unlock(rs);
    } else if (f->kind == RT_FILE_SOCK) {
        rt_file_close_fd(f);
    } else {
        rt_epoll_close_fd(f);
    }
    rt_file_put(f);
    return 0;
}

static int api_getname(int fd, struct sockaddr *addr, socklen_t *len, bool peer)
{
    int err;
    struct rt_file *f = api_sock(fd, &err);
    if (!f)
        return api_fail(err);
    struct rt_stack *rs = f->st->rt;
    struct sockaddr_storage ss;
    rt_lock(rs);
    int r = sock_getname(f->sk, &ss, peer);
    rt_unlock(rs);
    rt_file_put(f);
    if (r >= 0)
        r = sock_addr_copyout(&ss, (socklen_t)r, addr, len);
    return r < 0 ? api_fail(-r) : 0;
}

int sg_getsockname(int fd, struct sockaddr *addr, socklen_t *len)
{
    return api_getname(fd, addr, len, false);
}

int sg_getpeername(int fd, struct sockaddr *addr, socklen_t *len)
{
    return api_getname(fd, addr, len, true);
}

int sg_setsockopt(int fd, int level, int name, const void *val, socklen_t len)
{
    int err;
    struct rt_file *f = api_sock(fd, &err);
    if (!f)
        return api_fail(err);
    struct rt_stack *rs = f->st->rt;
    rt_lock(rs);
    int r = sock_setsockopt(f->sk, level, name, val, len, rt_now(f->st));
    api_show(f);
    rt_unlock(rs);
    rt_file_put(f);
    return r < 0 ? api_fail(-r) : 0;
}

int sg_getsockopt(int fd, int level, int name, void *val, socklen_t *len)
{
    int err;
    struct rt_file *f = api_sock(fd, &err);
    if (!f)
        return api_fail(err);
    struct rt_stack *rs = f->st->rt;
    rt_lock(rs);
    int r = sock_getsockopt(f->sk, level, name, val, len, rt_now(f->st));
    api_show(f);
    rt_unlock(rs);
    rt_file_put(f);
    return r < 0 ? api_fail(-r) : 0;
}

/* F_SETOWN / FIOSETOWN: validated, then stored under the lock. */
static int api_set_owner(struct rt_file *f, pid_t owner)
{
    int r = rt_sig_check_owner(owner);
    if (r < 0)
        return r;
    struct rt_stack *rs = f->st->rt;
    rt_lock(rs);
    f->owner = owner;
    rt_unlock(rs);
    return 0;
}

static pid_t api_get_owner(struct rt_file *f)
{
    struct rt_stack *rs = f->st->rt;
    rt_lock(rs);
    pid_t o = f->owner;
    rt_unlock(rs);
    return o;
}

int sg_ioctl(int fd, unsigned long req, ...)
{
    va_list ap;
    va_start(ap, req);
    int *arg = va_arg(ap, int *);
    va_end(ap);
    struct rt_file *f = rt_file_get(fd);
    if (!f)
        return api_fail(EBADF);
    int r = 0;
    /* Generic file ioctls (fs/ioctl.c) first, for any descriptor. */
    switch (req) {
    case FIONBIO:
    case FIOASYNC: {
        int flag = req == FIONBIO ? O_NONBLOCK : O_ASYNC;
        if (!arg)
            r = -EFAULT;
        else if (*arg)
            atomic_fetch_or(&f->fl, flag);
        else
            atomic_fetch_and(&f->fl, ~flag);
        rt_file_put(f);
        return r < 0 ? api_fail(-r) : 0;
    }
    case FIOCLEX:
    case FIONCLEX:
        r = fcntl(f->num, F_SETFD, req == FIOCLEX ? FD_CLOEXEC : 0) < 0 ? -errno : 0;
        rt_file_put(f);
        return r < 0 ? api_fail(-r) : 0;
    default:
        break;
    }
    if (f->kind != RT_FILE_SOCK || !f->st) {
        int e = f->kind != RT_FILE_SOCK ? ENOTTY : EBADF;
        rt_file_put(f);
        return api_fail(e);
    }
    switch (req) {
    case FIOSETOWN:
    case SIOCSPGRP:
        r = arg ? api_set_owner(f, *arg) : -EFAULT;
        break;
    case FIOGETOWN:
    case SIOCGPGRP:
        if (!arg)
            r = -EFAULT;
        else
            *arg = api_get_owner(f);
        break;
    default: {
        struct rt_stack *rs = f->st->rt;
        int val = 0;
        rt_lock(rs);
        r = sock_ioctl(f->sk, req, &val);
        rt_unlock(rs);
        if (r == 0 && !arg)
            r = -EFAULT; /* computed first, then put_user, as Linux */
        else if (r == 0)
            *arg = val;
    }
    }
    rt_file_put(f);
    return r < 0 ? api_fail(-r) : 0;
}

int sg_sockatmark(int fd)
{
    int v;
    if (sg_ioctl(fd, SIOCATMARK, &v) < 0)
        return -1;
    return v;
}

int sg_fcntl(int fd, int cmd, ...)
{
    va_list ap;
    va_start(ap, cmd);
    long arg = va_arg(ap, long);
    va_end(ap);
    struct rt_file *f = rt_file_get(fd);
    if (!f)
        return api_fail(EBADF);
    int r = 0;
    bool sock = f->kind == RT_FILE_SOCK && f->st;
    switch (cmd) {
    case F_GETFL:
        r = atomic_load(&f->fl);
        break;
    case F_SETFL: {
        int keep = atomic_load(&f->fl) & ~API_SETFL_MASK;
        atomic_store(&f->fl, keep | ((int)arg & API_SETFL_MASK));
        break;
    }
    case F_GETFD:
    case F_SETFD:
        /* The eventfd is the descriptor: its own close-on-exec flag. */
        r = fcntl(f->num, cmd, (int)arg);
        if (r < 0)
            r = -errno;
        break;
    case F_GETOWN:
        /* A process group owner reads back negative: not an error. */
        r = sock ? api_get_owner(f) : 0;
        rt_file_put(f);
        return r;
    case F_SETOWN:
        r = sock ? api_set_owner(f, (pid_t)arg) : -EINVAL;
        break;
    case F_GETSIG:
    case F_SETSIG:
        /* valid_signal(): 0 (SIGIO) .. _NSIG */
        if (cmd == F_SETSIG && (unsigned long)arg > 64) {
            r = -EINVAL;
            break;
        }
        if (sock)
            rt_lock(f->st->rt);
        if (cmd == F_SETSIG)
            f->sigio = (int)arg;
        else
            r = f->sigio;
        if (sock)
            rt_unlock(f->st->rt);
        break;
    default:
        r = -EINVAL; /* F_DUPFD, locks, F_SETOWN_EX...: not sigurg's */
        break;
    }
    rt_file_put(f);
    return r < 0 ? api_fail(-r) : r;
}

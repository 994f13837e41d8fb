/* The observation recorder (see obs.h for the line format). */
#include "obs.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/sockios.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#define OBS_LINE_MAX 1024
/* Data longer than this is shown as a head, a length and a hash. */
#define OBS_QUOTE_MAX 48

void obs_init(struct obs *o, const struct sockops *ops, int out_fd)
{
    memset(o, 0, sizeof *o);
    o->ops = ops;
    o->out_fd = out_fd;
}

void obs_name(struct obs *o, int fd, const char *name)
{
    for (int i = 0; i < o->nnames; i++) {
        if (o->names[i].fd == fd) {
            snprintf(o->names[i].name, sizeof o->names[i].name, "%s", name);
            return;
        }
    }
    if (o->nnames < OBS_MAX_NAMES) {
        o->names[o->nnames].fd = fd;
        snprintf(o->names[o->nnames].name, sizeof o->names[o->nnames].name, "%s", name);
        o->nnames++;
    }
}

const char *obs_fdname(const struct obs *o, int fd)
{
    for (int i = 0; i < o->nnames; i++)
        if (o->names[i].fd == fd)
            return o->names[i].name;
    return "?";
}

static void emit(struct obs *o, const char *text)
{
    char line[OBS_LINE_MAX + 2];
    size_t n = strnlen(text, OBS_LINE_MAX);
    memcpy(line, text, n);
    line[n++] = '\n';
    /* One write per line: the runner reads a pipe, and a scenario may die
     * right after this call. */
    size_t off = 0;
    while (off < n) {
        ssize_t w = write(o->out_fd, line + off, n - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return;
        off += (size_t)w;
    }
}

void obs_line(struct obs *o, const char *fmt, ...)
{
    char buf[OBS_LINE_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    emit(o, buf);
}

void obs_on(struct obs *o, int fd, const char *fmt, ...)
{
    char body[OBS_LINE_MAX - 16];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(body, sizeof body, fmt, ap);
    va_end(ap);
    char buf[OBS_LINE_MAX];
    snprintf(buf, sizeof buf, "%s: %s", obs_fdname(o, fd), body);
    emit(o, buf);
}

_Noreturn void obs_fail(struct obs *o, const char *fmt, ...)
{
    char body[OBS_LINE_MAX - 8];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(body, sizeof body, fmt, ap);
    va_end(ap);
    char buf[OBS_LINE_MAX];
    snprintf(buf, sizeof buf, "!! %s", body);
    emit(o, buf);
    _exit(3);
}

/* errno names: the numbers differ between systems, the names do not. */
static const struct {
    int e;
    const char *name;
} errnames[] = {
    {EPERM, "EPERM"},
    {ENOENT, "ENOENT"},
    {EINTR, "EINTR"},
    {EIO, "EIO"},
    {ENXIO, "ENXIO"},
    {EBADF, "EBADF"},
    {EAGAIN, "EAGAIN"},
    {ENOMEM, "ENOMEM"},
    {EACCES, "EACCES"},
    {EFAULT, "EFAULT"},
    {EBUSY, "EBUSY"},
    {EEXIST, "EEXIST"},
    {ENODEV, "ENODEV"},
    {EINVAL, "EINVAL"},
    {ENFILE, "ENFILE"},
    {EMFILE, "EMFILE"},
    {ENOTTY, "ENOTTY"},
    {ENOSPC, "ENOSPC"},
    {EPIPE, "EPIPE"},
    {ERANGE, "ERANGE"},
    {ENOSYS, "ENOSYS"},
    {ENOTSOCK, "ENOTSOCK"},
    {EDESTADDRREQ, "EDESTADDRREQ"},
    {EMSGSIZE, "EMSGSIZE"},
    {EPROTOTYPE, "EPROTOTYPE"},
    {ENOPROTOOPT, "ENOPROTOOPT"},
    {EPROTONOSUPPORT, "EPROTONOSUPPORT"},
    {ESOCKTNOSUPPORT, "ESOCKTNOSUPPORT"},
    {EOPNOTSUPP, "EOPNOTSUPP"},
    {EPFNOSUPPORT, "EPFNOSUPPORT"},
    {EAFNOSUPPORT, "EAFNOSUPPORT"},
    {EADDRINUSE, "EADDRINUSE"},
    {EADDRNOTAVAIL, "EADDRNOTAVAIL"},
    {ENETDOWN, "ENETDOWN"},
    {ENETUNREACH, "ENETUNREACH"},
    {ENETRESET, "ENETRESET"},
    {ECONNABORTED, "ECONNABORTED"},
    {ECONNRESET, "ECONNRESET"},
    {ENOBUFS, "ENOBUFS"},
    {EISCONN, "EISCONN"},
    {ENOTCONN, "ENOTCONN"},
    {ESHUTDOWN, "ESHUTDOWN"},
    {ETIMEDOUT, "ETIMEDOUT"},
    {ECONNREFUSED, "ECONNREFUSED"},
    {EHOSTDOWN, "EHOSTDOWN"},
    {EHOSTUNREACH, "EHOSTUNREACH"},
    {EALREADY, "EALREADY"},
    {EINPROGRESS, "EINPROGRESS"},
};

const char *obs_errname(int e)
{
    static char unknown[24];
    for (size_t i = 0; i < sizeof errnames / sizeof errnames[0]; i++)
        if (errnames[i].e == e)
            return errnames[i].name;
    snprintf(unknown, sizeof unknown, "E#%d", e);
    return unknown;
}

static uint32_t fnv1a(const unsigned char *p, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= 16777619u;
    }
    return h;
}

static size_t quote_into(char *dst, size_t cap, const unsigned char *p, size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < n && k + 5 < cap; i++) {
        unsigned char c = p[i];
        if (c == '\'' || c == '\\') {
            dst[k++] = '\\';
            dst[k++] = (char)c;
        } else if (c >= 0x20 && c < 0x7f) {
            dst[k++] = (char)c;
        } else {
            k += (size_t)snprintf(dst + k, cap - k, "\\x%02x", c);
        }
    }
    dst[k] = '\0';
    return k;
}

void obs_quote(char *dst, size_t cap, const void *p, size_t n)
{
    const unsigned char *b = p;
    char body[OBS_QUOTE_MAX * 4 + 1];
    if (n <= OBS_QUOTE_MAX) {
        quote_into(body, sizeof body, b, n);
        snprintf(dst, cap, "'%s'", body);
    } else {
        quote_into(body, sizeof body, b, 16);
        snprintf(dst, cap, "'%s'...<%zu bytes fnv=%08x>", body, n, fnv1a(b, n));
    }
}

static void join_bits(char *dst, size_t cap, unsigned bits, const unsigned *vals,
                      const char *const *names, size_t nnames)
{
    size_t k = 0;
    dst[0] = '\0';
    for (size_t i = 0; i < nnames; i++) {
        if (bits & vals[i]) {
            k += (size_t)snprintf(dst + k, k < cap ? cap - k : 0, "%s%s", k ? "|" : "", names[i]);
            bits &= ~vals[i];
        }
    }
    if (bits)
        k += (size_t)snprintf(dst + k, k < cap ? cap - k : 0, "%s0x%x", k ? "|" : "", bits);
    if (k == 0)
        snprintf(dst, cap, "0");
}

void obs_msgflags(char *dst, size_t cap, int flags)
{
    static const unsigned vals[] = {MSG_OOB,      MSG_PEEK,     MSG_DONTROUTE, MSG_CTRUNC,
                                    MSG_TRUNC,    MSG_DONTWAIT, MSG_EOR,       MSG_WAITALL,
                                    MSG_NOSIGNAL, MSG_MORE,     MSG_ERRQUEUE};
    static const char *const names[] = {"OOB",      "PEEK",     "DONTROUTE", "CTRUNC",
                                        "TRUNC",    "DONTWAIT", "EOR",       "WAITALL",
                                        "NOSIGNAL", "MORE",     "ERRQUEUE"};
    join_bits(dst, cap, (unsigned)flags, vals, names, sizeof vals / sizeof vals[0]);
}

void obs_pollbits(char *dst, size_t cap, unsigned bits)
{
    /* POLL* and EPOLL* share values on Linux, so one table serves both. */
    static const unsigned vals[] = {POLLIN,     POLLPRI,    POLLOUT,    POLLERR,
                                    POLLHUP,    POLLNVAL,   POLLRDHUP,  POLLRDNORM,
                                    POLLRDBAND, POLLWRNORM, POLLWRBAND, POLLMSG};
    static const char *const names[] = {"IN",    "PRI",    "OUT",    "ERR",    "HUP",    "NVAL",
                                        "RDHUP", "RDNORM", "RDBAND", "WRNORM", "WRBAND", "MSG"};
    join_bits(dst, cap, bits, vals, names, sizeof vals / sizeof vals[0]);
}

/* ---- signals ---- */

#define OBS_SIGIO_MAX 256
static volatile sig_atomic_t n_sigurg;
static volatile sig_atomic_t n_sigpipe;
static volatile sig_atomic_t n_sigio;
static volatile sig_atomic_t sigio_codes[OBS_SIGIO_MAX];

static void on_sigurg(int sig)
{
    (void)sig;
    n_sigurg++;
}

static void on_sigpipe(int sig)
{
    (void)sig;
    n_sigpipe++;
}

static void on_sigio(int sig, siginfo_t *si, void *uc)
{
    (void)sig;
    (void)uc;
    if (n_sigio < OBS_SIGIO_MAX)
        sigio_codes[n_sigio] = si->si_code;
    n_sigio++;
}

int obs_sigio_signo(void)
{
    /* A realtime signal queues one instance per event, so the sequence of
     * bands (spec R22) is kept; a plain SIGIO would merge them. */
    return SIGRTMIN + 2;
}

void obs_signals_install(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    sa.sa_handler = on_sigurg;
    sigaction(SIGURG, &sa, NULL);
    sa.sa_handler = on_sigpipe;
    sigaction(SIGPIPE, &sa, NULL);
    sa.sa_handler = NULL;
    sa.sa_sigaction = on_sigio;
    sa.sa_flags = SA_RESTART | SA_SIGINFO;
    sigaction(obs_sigio_signo(), &sa, NULL);
    /* A plain SIGIO (O_ASYNC without F_SETSIG) is counted as band 0. */
    sigaction(SIGIO, &sa, NULL);
}

static void block_all(sigset_t *old)
{
    sigset_t all;
    sigfillset(&all);
    sigprocmask(SIG_BLOCK, &all, old);
}

int obs_sigurg_peek(void)
{
    return (int)n_sigurg;
}

int obs_sigurg(struct obs *o)
{
    sigset_t old;
    block_all(&old);
    int n = (int)n_sigurg;
    n_sigurg = 0;
    sigprocmask(SIG_SETMASK, &old, NULL);
    obs_line(o, "sigurg=%d", n);
    return n;
}

int obs_sigpipe(struct obs *o)
{
    sigset_t old;
    block_all(&old);
    int n = (int)n_sigpipe;
    n_sigpipe = 0;
    sigprocmask(SIG_SETMASK, &old, NULL);
    obs_line(o, "sigpipe=%d", n);
    return n;
}

static const char *band_name(int code)
{
    static char other[16];
    switch (code) {
    case POLL_IN:
        return "POLL_IN";
    case POLL_OUT:
        return "POLL_OUT";
    case POLL_MSG:
        return "POLL_MSG";
    case POLL_ERR:
        return "POLL_ERR";
    case POLL_PRI:
        return "POLL_PRI";
    case POLL_HUP:
        return "POLL_HUP";
    case SI_KERNEL:
        return "SI_KERNEL"; /* plain SIGIO: no band */
    default:
        snprintf(other, sizeof other, "code%d", code);
        return other;
    }
}

int obs_sigio_take(int *codes, int max)
{
    sigset_t old;
    block_all(&old);
    int n = (int)n_sigio;
    for (int i = 0; i < n && i < OBS_SIGIO_MAX && i < max; i++)
        codes[i] = (int)sigio_codes[i];
    n_sigio = 0;
    sigprocmask(SIG_SETMASK, &old, NULL);
    return n;
}

int obs_sigio(struct obs *o)
{
    int codes[OBS_SIGIO_MAX];
    int n = obs_sigio_take(codes, OBS_SIGIO_MAX);
    char buf[OBS_LINE_MAX];
    size_t k = (size_t)snprintf(buf, sizeof buf, "sigio=[");
    for (int i = 0; i < n && i < OBS_SIGIO_MAX; i++)
        k += (size_t)snprintf(buf + k, sizeof buf - k, "%s%s", i ? "," : "", band_name(codes[i]));
    if (n > OBS_SIGIO_MAX)
        k += (size_t)snprintf(buf + k, sizeof buf - k, ",...%d", n);
    snprintf(buf + k, sizeof buf - k, "]");
    obs_line(o, "%s", buf);
    return n;
}

/* ---- do-and-record ---- */

/* "=N" or "=-1 ENAME" for a call's result. */
static void result(char *dst, size_t cap, ssize_t r, int e)
{
    if (r < 0)
        snprintf(dst, cap, "=-1 %s", obs_errname(e));
    else
        snprintf(dst, cap, "=%zd", r);
}

ssize_t obs_send(struct obs *o, int fd, const void *buf, size_t len, int flags)
{
    ssize_t r = o->ops->send(fd, buf, len, flags);
    int e = errno;
    char res[64], fl[128], q[256];
    result(res, sizeof res, r, e);
    obs_msgflags(fl, sizeof fl, flags);
    obs_quote(q, sizeof q, buf, len);
    obs_on(o, fd, "send(%s,%s)%s", q, fl, res);
    errno = e;
    return r;
}

ssize_t obs_sendto(struct obs *o, int fd, const void *buf, size_t len, int flags,
                   const struct sockaddr *to, socklen_t tolen)
{
    ssize_t r = o->ops->sendto(fd, buf, len, flags, to, tolen);
    int e = errno;
    char res[64], fl[128], q[256];
    result(res, sizeof res, r, e);
    obs_msgflags(fl, sizeof fl, flags);
    obs_quote(q, sizeof q, buf, len);
    obs_on(o, fd, "sendto(%s,%s,%s)%s", q, fl, to ? "addr" : "NULL", res);
    errno = e;
    return r;
}

ssize_t obs_sendmsg(struct obs *o, int fd, const char *const *parts, int flags)
{
    struct iovec iov[8];
    int n = 0;
    char desc[512];
    size_t k = 0;
    desc[0] = '\0';
    for (; parts[n] && n < 8; n++) {
        iov[n].iov_base = (void *)parts[n];
        iov[n].iov_len = strlen(parts[n]);
        char q[256];
        obs_quote(q, sizeof q, parts[n], iov[n].iov_len);
        k += (size_t)snprintf(desc + k, sizeof desc - k, "%s%s", n ? "," : "", q);
    }
    struct msghdr mh;
    memset(&mh, 0, sizeof mh);
    mh.msg_iov = iov;
    mh.msg_iovlen = (size_t)n;
    ssize_t r = o->ops->sendmsg(fd, &mh, flags);
    int e = errno;
    char res[64], fl[128];
    result(res, sizeof res, r, e);
    obs_msgflags(fl, sizeof fl, flags);
    obs_on(o, fd, "sendmsg([%s],%s)%s", desc, fl, res);
    errno = e;
    return r;
}

ssize_t obs_send_pattern(struct obs *o, int fd, size_t len, int last, int flags)
{
    unsigned char *buf = malloc(len ? len : 1);
    if (!buf)
        obs_fail(o, "out of memory");
    for (size_t i = 0; i < len; i++)
        buf[i] = (unsigned char)('a' + i % 26);
    if (last >= 0 && len > 0)
        buf[len - 1] = (unsigned char)last;
    ssize_t r = o->ops->send(fd, buf, len, flags);
    int e = errno;
    free(buf);
    char res[64], fl[128];
    result(res, sizeof res, r, e);
    obs_msgflags(fl, sizeof fl, flags);
    if (last >= 0)
        obs_on(o, fd, "send(<%zu bytes ending '%c'>,%s)%s", len, last, fl, res);
    else
        obs_on(o, fd, "send(<%zu bytes>,%s)%s", len, fl, res);
    errno = e;
    return r;
}

static void record_read(struct obs *o, int fd, const char *call, const void *buf, ssize_t r, int e)
{
    char res[64], q[256] = "";
    result(res, sizeof res, r, e);
    if (r > 0 && buf)
        obs_quote(q, sizeof q, buf, (size_t)r);
    obs_on(o, fd, "%s%s%s%s", call, res, q[0] ? " " : "", q);
}

ssize_t obs_recv(struct obs *o, int fd, size_t len, int flags)
{
    unsigned char *buf = malloc(len ? len : 1);
    if (!buf)
        obs_fail(o, "out of memory");
    /* '#' shows bytes a call counted but did not copy (MSG_TRUNC). */
    memset(buf, '#', len ? len : 1);
    ssize_t r = o->ops->recv(fd, buf, len, flags);
    int e = errno;
    char call[160], fl[128];
    obs_msgflags(fl, sizeof fl, flags);
    snprintf(call, sizeof call, "recv(%zu,%s)", len, fl);
    /* With MSG_TRUNC the return value may exceed what was copied. */
    ssize_t shown = r > (ssize_t)len ? (ssize_t)len : r;
    char res[64], q[256] = "";
    result(res, sizeof res, r, e);
    if (shown > 0)
        obs_quote(q, sizeof q, buf, (size_t)shown);
    obs_on(o, fd, "%s%s%s%s", call, res, q[0] ? " " : "", q);
    free(buf);
    errno = e;
    return r;
}

ssize_t obs_recv_nullbuf(struct obs *o, int fd, int flags)
{
    ssize_t r = o->ops->recv(fd, NULL, 0, flags);
    int e = errno;
    char call[160], fl[128];
    obs_msgflags(fl, sizeof fl, flags);
    snprintf(call, sizeof call, "recv(NULL,0,%s)", fl);
    record_read(o, fd, call, NULL, r, e);
    errno = e;
    return r;
}

ssize_t obs_recvfrom(struct obs *o, int fd, size_t len, int flags)
{
    unsigned char buf[256];
    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof ss);
    socklen_t sl = sizeof ss;
    if (len > sizeof buf)
        len = sizeof buf;
    ssize_t r = o->ops->recvfrom(fd, buf, len, flags, (struct sockaddr *)&ss, &sl);
    int e = errno;
    char call[160], fl[128];
    obs_msgflags(fl, sizeof fl, flags);
    snprintf(call, sizeof call, "recvfrom(%zu,%s)", len, fl);
    char res[64], q[256] = "";
    result(res, sizeof res, r, e);
    if (r > 0)
        obs_quote(q, sizeof q, buf, (size_t)r < len ? (size_t)r : len);
    /* Only whether an address came back is behaviour; its value is not. */
    obs_on(o, fd, "%s%s%s%s addrlen=%s", call, res, q[0] ? " " : "", q,
           sl == 0 ? "0" : (sl == sizeof ss ? "unchanged" : "set"));
    errno = e;
    return r;
}

static void iov_desc(char *dst, size_t cap, const size_t *lens, int n)
{
    size_t k = (size_t)snprintf(dst, cap, "[");
    for (int i = 0; i < n; i++)
        k += (size_t)snprintf(dst + k, cap - k, "%s%zu", i ? "," : "", lens[i]);
    snprintf(dst + k, cap - k, "]");
}

ssize_t obs_recvmsg(struct obs *o, int fd, const size_t *iovlens, int niov, int flags)
{
    struct iovec iov[8];
    unsigned char store[8][128];
    memset(iov, 0, sizeof iov);
    if (niov > 8)
        niov = 8;
    size_t total = 0;
    memset(store, '#', sizeof store);
    for (int i = 0; i < niov && i < 8; i++) {
        iov[i].iov_base = store[i];
        iov[i].iov_len = iovlens[i] < sizeof store[i] ? iovlens[i] : sizeof store[i];
        total += iov[i].iov_len;
    }
    struct msghdr mh;
    memset(&mh, 0, sizeof mh);
    mh.msg_iov = niov ? iov : NULL;
    mh.msg_iovlen = (size_t)niov;
    ssize_t r = o->ops->recvmsg(fd, &mh, flags);
    int e = errno;
    unsigned char flat[1024];
    size_t got = 0;
    size_t copied = r > 0 ? ((size_t)r < total ? (size_t)r : total) : 0;
    for (int i = 0; i < niov && got < copied; i++) {
        size_t take = iov[i].iov_len < copied - got ? iov[i].iov_len : copied - got;
        memcpy(flat + got, store[i], take);
        got += take;
    }
    char call[256], fl[128], iv[64], mf[128];
    obs_msgflags(fl, sizeof fl, flags);
    iov_desc(iv, sizeof iv, iovlens, niov);
    snprintf(call, sizeof call, "recvmsg(%s,%s)", iv, fl);
    char res[64], q[256] = "";
    result(res, sizeof res, r, e);
    if (got > 0)
        obs_quote(q, sizeof q, flat, got);
    if (r >= 0) {
        obs_msgflags(mf, sizeof mf, mh.msg_flags);
        obs_on(o, fd, "%s%s%s%s msg_flags=%s", call, res, q[0] ? " " : "", q, mf);
    } else {
        obs_on(o, fd, "%s%s", call, res);
    }
    errno = e;
    return r;
}

ssize_t obs_read(struct obs *o, int fd, size_t len)
{
    unsigned char buf[512];
    if (len > sizeof buf)
        len = sizeof buf;
    ssize_t r = o->ops->read(fd, buf, len);
    int e = errno;
    char call[64];
    snprintf(call, sizeof call, "read(%zu)", len);
    record_read(o, fd, call, buf, r, e);
    errno = e;
    return r;
}

ssize_t obs_readv(struct obs *o, int fd, const size_t *iovlens, int niov)
{
    struct iovec iov[8];
    unsigned char store[8][128];
    memset(iov, 0, sizeof iov);
    if (niov > 8)
        niov = 8;
    size_t total = 0;
    for (int i = 0; i < niov && i < 8; i++) {
        iov[i].iov_base = store[i];
        iov[i].iov_len = iovlens[i] < sizeof store[i] ? iovlens[i] : sizeof store[i];
        total += iov[i].iov_len;
    }
    ssize_t r = o->ops->readv(fd, iov, niov);
    int e = errno;
    unsigned char flat[1024];
    size_t got = 0, copied = r > 0 ? (size_t)r : 0;
    for (int i = 0; i < niov && got < copied; i++) {
        size_t take = iov[i].iov_len < copied - got ? iov[i].iov_len : copied - got;
        memcpy(flat + got, store[i], take);
        got += take;
    }
    (void)total;
    char call[100], iv[64];
    iov_desc(iv, sizeof iv, iovlens, niov);
    snprintf(call, sizeof call, "readv(%s)", iv);
    record_read(o, fd, call, flat, r, e);
    errno = e;
    return r;
}

ssize_t obs_recv_total(struct obs *o, int fd, size_t total, int flags, int stop_at_mark)
{
    unsigned char *buf = malloc(total ? total : 1);
    if (!buf)
        obs_fail(o, "out of memory");
    size_t got = 0;
    const char *why = "total";
    int err = 0, idle = 0;
    while (got < total) {
        ssize_t r = o->ops->recv(fd, buf + got, total - got, flags);
        if (r > 0) {
            got += (size_t)r;
            idle = 0;
            if (stop_at_mark && o->ops->sockatmark(fd) == 1) {
                why = "mark";
                break;
            }
            continue;
        }
        if (r == 0) {
            why = "eof";
            break;
        }
        if (errno == EAGAIN && idle == 0) {
            idle = 1;
            o->ops->settle(500);
            continue;
        }
        err = errno;
        why = NULL;
        break;
    }
    char fl[128], q[256];
    obs_msgflags(fl, sizeof fl, flags);
    obs_quote(q, sizeof q, buf, got);
    if (why)
        obs_on(o, fd, "recv*(%zu,%s)=%zu %s at=%s", total, fl, got, q, why);
    else
        obs_on(o, fd, "recv*(%zu,%s)=%zu %s at=%s", total, fl, got, q, obs_errname(err));
    free(buf);
    return (ssize_t)got;
}

static int record_int_call(struct obs *o, int fd, const char *what, int rc, int val, int e)
{
    if (rc < 0)
        obs_on(o, fd, "%s=-1 %s", what, obs_errname(e));
    else
        obs_on(o, fd, "%s=%d", what, val);
    errno = e;
    return rc < 0 ? -1 : val;
}

int obs_mark(struct obs *o, int fd)
{
    int r = o->ops->sockatmark(fd);
    int e = errno;
    return record_int_call(o, fd, "mark", r, r, e);
}

int obs_siocatmark(struct obs *o, int fd)
{
    int v = -7;
    int r = o->ops->ioctl(fd, SIOCATMARK, &v);
    int e = errno;
    return record_int_call(o, fd, "siocatmark", r, v, e);
}

int obs_inq(struct obs *o, int fd)
{
    int v = -7;
    int r = o->ops->ioctl(fd, SIOCINQ, &v);
    int e = errno;
    return record_int_call(o, fd, "inq", r, v, e);
}

int obs_fionread(struct obs *o, int fd)
{
    int v = -7;
    int r = o->ops->ioctl(fd, FIONREAD, &v);
    int e = errno;
    return record_int_call(o, fd, "fionread", r, v, e);
}

static int poll_bits(struct obs *o, int fd, short events, unsigned *out)
{
    struct pollfd p = {.fd = fd, .events = events, .revents = 0};
    int r = o->ops->poll(&p, 1, 0);
    *out = (unsigned)(unsigned short)p.revents;
    return r;
}

int obs_poll(struct obs *o, int fd)
{
    unsigned bits = 0;
    int r = poll_bits(o, fd, POLLIN | POLLPRI | POLLOUT | POLLRDHUP, &bits);
    int e = errno;
    char b[128];
    obs_pollbits(b, sizeof b, bits);
    if (r < 0)
        obs_on(o, fd, "poll=-1 %s", obs_errname(e));
    else
        obs_on(o, fd, "poll=%s", b);
    return r < 0 ? -1 : (int)bits;
}

int obs_poll_all(struct obs *o, int fd)
{
    unsigned bits = 0;
    int r = poll_bits(o, fd,
                      POLLIN | POLLPRI | POLLOUT | POLLRDHUP | POLLRDNORM | POLLRDBAND |
                          POLLWRNORM | POLLWRBAND | POLLMSG,
                      &bits);
    int e = errno;
    char b[128];
    obs_pollbits(b, sizeof b, bits);
    if (r < 0)
        obs_on(o, fd, "poll(all)=-1 %s", obs_errname(e));
    else
        obs_on(o, fd, "poll(all)=%s", b);
    return r < 0 ? -1 : (int)bits;
}

static int select_bits(struct obs *o, int fd, char out[4])
{
    fd_set r, w, x;
    FD_ZERO(&r);
    FD_ZERO(&w);
    FD_ZERO(&x);
    FD_SET(fd, &r);
    FD_SET(fd, &w);
    FD_SET(fd, &x);
    struct timeval tv = {0, 0};
    int n = o->ops->select(fd + 1, &r, &w, &x, &tv);
    out[0] = n > 0 && FD_ISSET(fd, &r) ? 'r' : '-';
    out[1] = n > 0 && FD_ISSET(fd, &w) ? 'w' : '-';
    out[2] = n > 0 && FD_ISSET(fd, &x) ? 'x' : '-';
    out[3] = '\0';
    return n;
}

int obs_select(struct obs *o, int fd)
{
    char s[4];
    int n = select_bits(o, fd, s);
    int e = errno;
    if (n < 0)
        obs_on(o, fd, "select=-1 %s", obs_errname(e));
    else
        obs_on(o, fd, "select=%s", s);
    return n;
}

static int epoll_bits(struct obs *o, int fd, unsigned *out)
{
    *out = 0;
    int ep = o->ops->epoll_create1(EPOLL_CLOEXEC);
    if (ep < 0)
        return -1;
    struct epoll_event ev;
    memset(&ev, 0, sizeof ev);
    ev.events = EPOLLIN | EPOLLPRI | EPOLLOUT | EPOLLRDHUP;
    ev.data.fd = fd;
    int r = o->ops->epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
    if (r == 0) {
        struct epoll_event got;
        memset(&got, 0, sizeof got);
        r = o->ops->epoll_wait(ep, &got, 1, 0);
        if (r > 0)
            *out = got.events;
    }
    int e = errno;
    o->ops->close(ep);
    errno = e;
    return r;
}

int obs_epoll(struct obs *o, int fd)
{
    unsigned bits;
    int r = epoll_bits(o, fd, &bits);
    int e = errno;
    char b[128];
    obs_pollbits(b, sizeof b, bits);
    if (r < 0)
        obs_on(o, fd, "epoll=-1 %s", obs_errname(e));
    else
        obs_on(o, fd, "epoll=%s", b);
    return r < 0 ? -1 : (int)bits;
}

void obs_ready(struct obs *o, int fd)
{
    unsigned pb = 0, eb = 0;
    char s[4], pt[128], et[128];
    int pr = poll_bits(o, fd, POLLIN | POLLPRI | POLLOUT | POLLRDHUP, &pb);
    int sr = select_bits(o, fd, s);
    int er = epoll_bits(o, fd, &eb);
    obs_pollbits(pt, sizeof pt, pb);
    obs_pollbits(et, sizeof et, eb);
    obs_on(o, fd, "poll=%s select=%s epoll=%s", pr < 0 ? "ERR" : pt, sr < 0 ? "ERR" : s,
           er < 0 ? "ERR" : et);
}

int obs_setint(struct obs *o, int fd, int level, int opt, const char *optname, int val)
{
    int r = o->ops->setsockopt(fd, level, opt, &val, sizeof val);
    int e = errno;
    char what[96];
    snprintf(what, sizeof what, "setsockopt(%s,%d)", optname, val);
    return record_int_call(o, fd, what, r, r, e);
}

int obs_getint(struct obs *o, int fd, int level, int opt, const char *optname)
{
    int v = -7;
    socklen_t len = sizeof v;
    int r = o->ops->getsockopt(fd, level, opt, &v, &len);
    int e = errno;
    char what[96];
    snprintf(what, sizeof what, "getsockopt(%s)", optname);
    return record_int_call(o, fd, what, r, v, e);
}

int obs_shutdown(struct obs *o, int fd, int how)
{
    int r = o->ops->shutdown(fd, how);
    int e = errno;
    const char *h = how == SHUT_RD ? "RD" : how == SHUT_WR ? "WR" : "RDWR";
    char what[32];
    snprintf(what, sizeof what, "shutdown(%s)", h);
    return record_int_call(o, fd, what, r, r, e);
}

int obs_close(struct obs *o, int fd)
{
    int r = o->ops->close(fd);
    int e = errno;
    return record_int_call(o, fd, "close", r, r, e);
}

/* setsockopt / getsockopt (sock/sock.h): SOL_SOCKET as Linux's
 * sk_setsockopt / sk_getsockopt, IPPROTO_TCP handed to the engine, and the
 * few IPPROTO_IP / IPPROTO_IPV6 options kept here.
 *
 * The one list of what is supported. Everything else fails with the errno
 * Linux gives for an option it does not know: -ENOPROTOOPT on set, and on
 * get -ENOPROTOOPT for SOL_SOCKET / IPPROTO_TCP but, for a level the
 * protocol does not handle, -EOPNOTSUPP on AF_INET (ip_getsockopt) and
 * -ENOPROTOOPT on AF_INET6 (ipv6_getsockopt). Options Linux
 * accepts but that would have no effect here (SO_PRIORITY, SO_MARK,
 * SO_DONTROUTE, SO_TIMESTAMP*, SO_BINDTODEVICE, SO_PEEK_OFF, ...) are
 * refused on set rather than silently accepted; their get reports the
 * default.
 *
 *   SOL_SOCKET  set+get: SO_REUSEADDR SO_REUSEPORT SO_KEEPALIVE
 *                 SO_LINGER SO_SNDBUF SO_RCVBUF SO_RCVLOWAT SO_RCVTIMEO
 *                 SO_SNDTIMEO SO_OOBINLINE SO_BROADCAST SO_BSDCOMPAT
 *               get only: SO_TYPE SO_PROTOCOL SO_DOMAIN SO_ERROR
 *                 SO_ACCEPTCONN SO_SNDLOWAT SO_PEERNAME SO_PEEK_OFF
 *                 SO_PRIORITY SO_MARK SO_DONTROUTE
 *   IPPROTO_TCP everything tcp_setsockopt / tcp_getsockopt know
 *   IPPROTO_IP  IP_TTL, IP_TOS (set: UDP only; TCP's IP header is the
 *                 engine's)
 *   IPPROTO_IPV6 IPV6_V6ONLY (AF_INET6 sockets, before bind),
 *                 IPV6_UNICAST_HOPS (kept for native IPv6, not routed yet)
 */
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/time.h>
#include "net/stack.h"
#include "sock/sock.h"

/* getsockopt(SO_LINGER) after l_linger < 0: Linux stores
 * MAX_SCHEDULE_TIMEOUT and reports it divided by HZ, truncated to int.
 * This is the value for HZ=250 (Debian's kernels), as observed. */
#define SOCK_LINGER_FOREVER_READBACK (-1752346657)

static bool sock_is_stream(const struct sock *sk)
{
    return sk->type == SOCK_STREAM;
}

/* The effective buffer size Linux gives SO_SNDBUF / SO_RCVBUF: clamp to
 * the maximum, double (for the sk_buff overhead), floor at the minimum.
 * Linux clamps to net.core.[rw]mem_max before doubling; sigurg's
 * cfg.tcp_[rw]mem_max is "the largest SO_*BUF", so clamp to half of it. */
static uint32_t sock_buf_size(int val, uint32_t max, uint32_t min)
{
    uint32_t v = (uint32_t)val; /* negative values become huge, as in Linux's min_t(u32) */
    if (v > max / 2)
        v = max / 2;
    uint64_t d = (uint64_t)v * 2;
    return d < min ? min : (uint32_t)d;
}

/* sock_set_timeout */
static int sock_set_timeout(sg_time *out, const void *val, socklen_t len)
{
    struct timeval tv;
    if (len < (socklen_t)sizeof(tv))
        return -EINVAL;
    if (!val)
        return -EFAULT;
    memcpy(&tv, val, sizeof(tv));
    if (tv.tv_usec < 0 || tv.tv_usec >= 1000000)
        return -EDOM;
    if (tv.tv_sec < 0) {
        *out = 0; /* Linux: a timeout of 0 jiffies, i.e. never wait */
        return 0;
    }
    if (tv.tv_sec == 0 && tv.tv_usec == 0) {
        *out = SG_TIME_NEVER;
        return 0;
    }
    uint64_t ns = (uint64_t)tv.tv_sec * 1000000000ull + (uint64_t)tv.tv_usec * 1000ull;
    *out = ns / 1000000000ull == (uint64_t)tv.tv_sec ? ns : SG_TIME_NEVER;
    return 0;
}

static void sock_get_timeout(sg_time t, struct timeval *tv)
{
    memset(tv, 0, sizeof(*tv));
    if (t == SG_TIME_NEVER || t == 0)
        return;
    tv->tv_sec = (time_t)(t / 1000000000ull);
    tv->tv_usec = (suseconds_t)((t % 1000000000ull) / 1000ull);
}

static int sock_set_sol_socket(struct sock *sk, int name, const void *val, socklen_t len,
                               sg_time now)
{
    struct sock_opts *o = &sk->o;
    switch (name) {
    case SO_RCVTIMEO:
        return sock_set_timeout(&o->rcvtimeo, val, len);
    case SO_SNDTIMEO:
        return sock_set_timeout(&o->sndtimeo, val, len);
    default:
        break;
    }
    int v;
    if (len < (socklen_t)sizeof(int))
        return -EINVAL;
    if (!val)
        return -EFAULT;
    memcpy(&v, val, sizeof(v));
    bool on = v != 0;
    const struct sg_config *cfg = &sk->s->cfg;
    switch (name) {
    case SO_REUSEADDR:
        o->reuseaddr = on;
        if (sock_is_stream(sk))
            tcp_set_reuseaddr(sk->tcb, on);
        return 0;
    case SO_REUSEPORT:
        o->reuseport = on;
        if (sock_is_stream(sk))
            tcp_set_reuseport(sk->tcb, on);
        return 0;
    case SO_KEEPALIVE:
        o->keepalive = on;
        if (sock_is_stream(sk))
            tcp_set_keepalive(sk->tcb, on, now);
        return 0;
    case SO_OOBINLINE: /* R20: any non-zero value reads back as 1 */
        o->oobinline = on;
        if (sock_is_stream(sk))
            tcp_set_oobinline(sk->tcb, on);
        return 0;
    case SO_BROADCAST:
        o->broadcast = on;
        return 0;
    case SO_BSDCOMPAT:
        return 0; /* a no-op in Linux too */
    case SO_SNDBUF: {
        uint32_t b = sock_buf_size(v, cfg->tcp_wmem_max, SOCK_MIN_SNDBUF);
        o->sndbuf = b;
        o->sndbuf_locked = true;
        if (sock_is_stream(sk))
            tcp_set_sndbuf(sk->tcb, b);
        sock_notify(sk, SOCK_EV_WRITABLE); /* sk_write_space */
        return 0;
    }
    case SO_RCVBUF: {
        uint32_t b = sock_buf_size(v, cfg->tcp_rmem_max, SOCK_MIN_RCVBUF);
        o->rcvbuf = b;
        o->rcvbuf_locked = true;
        if (sock_is_stream(sk))
            tcp_set_rcvbuf(sk->tcb, b);
        return 0;
    }
    case SO_RCVLOWAT:
        if (v < 0)
            v = INT_MAX;
        if (sock_is_stream(sk)) {
            /* tcp_set_rcvlowat: at most half the (possible) buffer */
            uint32_t cap = (o->rcvbuf_locked ? tcp_get_rcvbuf(sk->tcb) : cfg->tcp_rmem_max) / 2;
            if ((uint32_t)v > cap)
                v = (int)cap;
        }
        o->rcvlowat = v ? v : 1;
        sock_notify(sk, SOCK_EV_READABLE);
        return 0;
    case SO_LINGER: {
        struct linger lg;
        if (len < (socklen_t)sizeof(lg))
            return -EINVAL;
        memcpy(&lg, val, sizeof(lg));
        o->linger_on = lg.l_onoff != 0;
        if (lg.l_onoff) {
            o->linger_sec = lg.l_linger < 0 ? -1 : lg.l_linger;
            if (sock_is_stream(sk))
                tcp_set_linger(sk->tcb, true, lg.l_linger < 0 ? UINT32_MAX : (uint32_t)lg.l_linger);
        } else if (sock_is_stream(sk)) {
            tcp_set_linger(sk->tcb, false, 0);
        }
        return 0;
    }
    default:
        return -ENOPROTOOPT;
    }
}

static int sock_get_sol_socket(struct sock *sk, int name, void *out, socklen_t *lv)
{
    struct sock_opts *o = &sk->o;
    int v = 0;
    switch (name) {
    case SO_RCVTIMEO:
    case SO_SNDTIMEO: {
        struct timeval tv;
        sock_get_timeout(name == SO_RCVTIMEO ? o->rcvtimeo : o->sndtimeo, &tv);
        memcpy(out, &tv, sizeof(tv));
        *lv = sizeof(tv);
        return 0;
    }
    case SO_LINGER: {
        struct linger lg = {o->linger_on, 0};
        if (o->linger_on)
            lg.l_linger = o->linger_sec < 0 ? SOCK_LINGER_FOREVER_READBACK : o->linger_sec;
        memcpy(out, &lg, sizeof(lg));
        *lv = sizeof(lg);
        return 0;
    }
    case SO_PEERNAME: {
        struct sockaddr_storage ss;
        int n = sock_getname(sk, &ss, true);
        if (n < 0)
            return -ENOTCONN;
        memcpy(out, &ss, (size_t)n);
        *lv = (socklen_t)n;
        return 1; /* caller: the SO_PEERNAME length rule */
    }
    case SO_REUSEADDR:
        v = o->reuseaddr;
        break;
    case SO_REUSEPORT:
        v = o->reuseport;
        break;
    case SO_KEEPALIVE:
        v = o->keepalive;
        break;
    case SO_OOBINLINE:
        v = o->oobinline;
        break;
    case SO_BROADCAST:
        v = o->broadcast;
        break;
    /* A size set by the user reads back as set (Linux reports sk_sndbuf /
     * sk_rcvbuf, even where TCP uses more internally); otherwise TCP's
     * current (default or autotuned) size. */
    case SO_SNDBUF:
        v = (int)(sock_is_stream(sk) && !o->sndbuf_locked ? tcp_get_sndbuf(sk->tcb) : o->sndbuf);
        break;
    case SO_RCVBUF:
        v = (int)(sock_is_stream(sk) && !o->rcvbuf_locked ? tcp_get_rcvbuf(sk->tcb) : o->rcvbuf);
        break;
    case SO_RCVLOWAT:
        v = o->rcvlowat;
        break;
    case SO_SNDLOWAT:
        v = 1;
        break;
    case SO_TYPE:
        v = sk->type;
        break;
    case SO_PROTOCOL:
        v = sk->protocol;
        break;
    case SO_DOMAIN:
        v = sk->domain;
        break;
    case SO_ERROR:
        v = sock_error(sk);
        break;
    case SO_ACCEPTCONN:
        v = sock_is_stream(sk) && tcp_state(sk->tcb) == TCP_LISTEN;
        break;
    case SO_PEEK_OFF:
        v = -1; /* never enabled (set is refused) */
        break;
    case SO_BSDCOMPAT:
    case SO_PRIORITY:
    case SO_MARK:
    case SO_DONTROUTE:
        v = 0;
        break;
    default:
        return -ENOPROTOOPT;
    }
    memcpy(out, &v, sizeof(v));
    *lv = sizeof(v);
    return 0;
}

static int sock_set_ip(struct sock *sk, int level, int name, const void *val, socklen_t len)
{
    if (level == IPPROTO_IPV6) {
        if (sk->domain != AF_INET6 || (name != IPV6_V6ONLY && name != IPV6_UNICAST_HOPS))
            return -ENOPROTOOPT;
        int v;
        if (len < (socklen_t)sizeof(int))
            return -EINVAL;
        if (!val)
            return -EFAULT;
        memcpy(&v, val, sizeof(v));
        if (name == IPV6_UNICAST_HOPS) {
            /* For native IPv6 traffic, which is not routed yet; v4-mapped
             * peers are reached with IPv4 and IP_TTL, as in Linux. */
            if (v > 255 || v < -1)
                return -EINVAL;
            sk->o.hops = v;
            return 0;
        }
        /* Only before the socket is bound or connected. */
        struct sockaddr_storage ss;
        bool bound = sock_getname(sk, &ss, false) > 0 && ((struct sockaddr_in6 *)&ss)->sin6_port;
        if (bound || sk->ss != SOCK_SS_UNCONNECTED)
            return -EINVAL;
        sk->o.v6only = v != 0;
        return 0;
    }
    if (name != IP_TTL && name != IP_TOS)
        return -ENOPROTOOPT;
    int v;
    if (len < (socklen_t)sizeof(int)) {
        if (len < 1)
            return -EINVAL;
        uint8_t c; /* ip_setsockopt takes a single byte too */
        if (!val)
            return -EFAULT;
        memcpy(&c, val, 1);
        v = c;
    } else {
        if (!val)
            return -EFAULT;
        memcpy(&v, val, sizeof(v));
    }
    if (name == IP_TTL && v != -1 && (v < 1 || v > 255))
        return -EINVAL; /* -1 means the default again */
    /* TCP builds its IP headers in the engine, which has no per-socket TTL
     * or TOS: refuse rather than ignore (after Linux's value checks). */
    if (sock_is_stream(sk))
        return -ENOPROTOOPT;
    if (name == IP_TTL)
        sk->o.ttl = v;
    else
        sk->o.tos = v & 0xff;
    return 0;
}

static int sock_get_ip(struct sock *sk, int level, int name, void *out, socklen_t *lv)
{
    int v;
    if (level == IPPROTO_IPV6) {
        if (sk->domain != AF_INET6)
            return -ENOPROTOOPT;
        if (name == IPV6_V6ONLY)
            v = sk->o.v6only;
        else if (name == IPV6_UNICAST_HOPS)
            v = sk->o.hops >= 0 ? sk->o.hops : (int)sk->s->cfg.ip_default_ttl;
        else
            return -ENOPROTOOPT;
    } else if (name == IP_TTL) {
        v = sk->o.ttl > 0 ? sk->o.ttl : (int)sk->s->cfg.ip_default_ttl;
    } else if (name == IP_TOS) {
        v = sk->o.tos;
    } else {
        return -ENOPROTOOPT;
    }
    memcpy(out, &v, sizeof(v));
    *lv = sizeof(v);
    return 0;
}

int sock_setsockopt(struct sock *sk, int level, int name, const void *val, socklen_t len,
                    sg_time now)
{
    if ((int)len < 0)
        return -EINVAL;
    switch (level) {
    case SOL_SOCKET:
        return sock_set_sol_socket(sk, name, val, len, now);
    case IPPROTO_TCP:
        if (!sock_is_stream(sk))
            return -ENOPROTOOPT;
        if (!val && len > 0)
            return (len < (socklen_t)sizeof(int) && name != TCP_CONGESTION) ? -EINVAL : -EFAULT;
        return tcp_setsockopt(sk->tcb, name, val, len, now);
    case IPPROTO_IP:
    case IPPROTO_IPV6:
        if (level == IPPROTO_IPV6 && sk->domain != AF_INET6)
            return -ENOPROTOOPT;
        return sock_set_ip(sk, level, name, val, len);
    default:
        return -ENOPROTOOPT;
    }
}

int sock_getsockopt(struct sock *sk, int level, int name, void *val, socklen_t *len, sg_time now)
{
    if (!len)
        return -EFAULT;
    int ulen = (int)*len;
    if (ulen < 0)
        return -EINVAL;
    /* A level the protocol does not handle: ip_getsockopt says
     * EOPNOTSUPP, ipv6_getsockopt ENOPROTOOPT. */
    int nolevel = sk->domain == AF_INET6 ? -ENOPROTOOPT : -EOPNOTSUPP;
    if (level == IPPROTO_TCP) {
        if (!sock_is_stream(sk))
            return nolevel;
        if (!val && ulen > 0)
            return -EFAULT;
        return tcp_getsockopt(sk->tcb, name, val, len, now);
    }
    union {
        int i;
        struct linger lg;
        struct timeval tv;
        struct sockaddr_storage ss;
    } buf;
    memset(&buf, 0, sizeof(buf));
    socklen_t lv = 0;
    int r;
    if (level == SOL_SOCKET)
        r = sock_get_sol_socket(sk, name, &buf, &lv);
    else if (level == IPPROTO_IP || (level == IPPROTO_IPV6 && sk->domain == AF_INET6))
        r = sock_get_ip(sk, level, name, &buf, &lv);
    else
        return nolevel;
    if (r < 0)
        return r;
    if (r == 1) {
        /* SO_PEERNAME (sk_getsockopt): a buffer longer than the address
         * is -EINVAL; a shorter one gets a truncated copy. */
        if ((socklen_t)ulen > lv)
            return -EINVAL;
    } else if ((socklen_t)ulen > lv) {
        ulen = (int)lv;
    }
    if (ulen > 0 && !val)
        return -EFAULT;
    if (ulen > 0)
        memcpy(val, &buf, (size_t)ulen);
    *len = (socklen_t)ulen;
    return 0;
}

/* UDP sockets (udp/udp_sock.h): pcb table, demultiplexing, the receive
 * queue, output, ICMP errors.
 *
 * Input path: udp_input (udp.c) -> s->udp_deliver = udp_sock_deliver
 *   -> udp_lookup (or every match, for a broadcast) -> udp_enqueue
 *   -> SOCK_EV_READABLE to the socket's owner.
 * Output path: udp_sock_sendmsg -> header + checksum -> ip_output.
 * ICMP: icmp4_input -> s->l4[17].error = udp_sock_icmp_error.
 */
#include <errno.h>
#include <linux/sockios.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include "base/siphash.h"
#include "net/iface.h"
#include "net/stack.h"
#include "sock/sock.h"
#include "udp/udp_sock.h"
#include "wire/csum.h"
#include "wire/icmp4.h"
#include "wire/udp.h"

#define UDP_EPHEMERAL_LO 32768u /* Linux ip_local_port_range */
#define UDP_EPHEMERAL_HI 60999u
#define UDP_MAX_PAYLOAD 65507u /* 65535 - 20 (IPv4) - 8 (UDP) */

struct udp_table {
    struct stack *s;
    struct udp_pcb *head; /* in order of binding (earliest first) */
};

struct udp_pcb {
    struct sock *sk;
    struct udp_table *tab;
    struct udp_pcb *next;
    struct ipaddr laddr, raddr;
    uint16_t lport, rport;
    bool hashed;      /* in tab->head (has a port) */
    bool connected;   /* Linux's TCP_ESTABLISHED for a datagram socket */
    bool addr_locked; /* bound to an address by the user (SOCK_BINDADDR_LOCK) */
    bool port_locked; /* bound to a port by the user (SOCK_BINDPORT_LOCK) */
    struct bufq rq;   /* datagrams, each led by a struct udp_meta */
    uint32_t rmem;    /* truesize charged for rq */
    int err;          /* pending error, positive errno (sk_err) */
};

/* What the receive queue keeps in front of each datagram's payload. */
struct udp_meta {
    struct ipaddr src;
    uint16_t sport;
    uint32_t truesize;
};

/* The memory Linux charges a loopback skb of a `len`-byte datagram:
 * data rounded up to its kmalloc size plus the sk_buff and shared-info
 * overhead. Fitted on 6.18: 832 for a 1-byte datagram, ~1300 for 256,
 * ~2300 for 1024 (so a minimal SO_RCVBUF of 2304 holds two small
 * datagrams, or one large one). A model, not a measurement of our own
 * memory: what matters is that SO_RCVBUF holds as many as on Linux. */
static uint32_t udp_truesize(uint32_t len)
{
    uint32_t need = len + 426, sz = 512;
    while (sz < need)
        sz <<= 1;
    return sz + 320;
}

/* ---- the table ---------------------------------------------------------- */

static void udp_sock_icmp_error(struct stack *s, const struct ip_info *quoted, int type, int code,
                                uint32_t info, const uint8_t *inner, uint32_t inner_len,
                                sg_time now);
static int udp_sock_deliver(struct stack *s, const struct ip_info *ip, uint16_t sport,
                            uint16_t dport, struct buf *b, sg_time now);

static void udp_table_destroy(struct stack *s)
{
    struct udp_table *tab = s->l4[IPPROTO_UDP].state;
    /* Sockets still open lose their table: the runtime closes sockets
     * before freeing a stack (sigurg.h). Unlink what is left. */
    for (struct udp_pcb *p = tab->head; p; p = p->next)
        p->tab = NULL;
    free(tab);
    s->l4[IPPROTO_UDP].state = NULL;
    s->l4[IPPROTO_UDP].destroy = NULL;
    s->l4[IPPROTO_UDP].error = NULL;
    s->udp_deliver = NULL;
}

static struct udp_table *udp_table_get(struct stack *s)
{
    struct udp_table *tab = s->l4[IPPROTO_UDP].state;
    if (tab)
        return tab;
    tab = calloc(1, sizeof(*tab));
    if (!tab)
        return NULL;
    tab->s = s;
    s->l4[IPPROTO_UDP].state = tab;
    s->l4[IPPROTO_UDP].destroy = udp_table_destroy;
    s->l4[IPPROTO_UDP].error = udp_sock_icmp_error;
    s->udp_deliver = udp_sock_deliver;
    return tab;
}

static void udp_hash(struct udp_pcb *p)
{
    struct udp_pcb **pp = &p->tab->head;
    while (*pp)
        pp = &(*pp)->next;
    *pp = p;
    p->next = NULL;
    p->hashed = true;
}

static void udp_unhash(struct udp_pcb *p)
{
    if (!p->hashed || !p->tab)
        return;
    for (struct udp_pcb **pp = &p->tab->head; *pp; pp = &(*pp)->next) {
        if (*pp == p) {
            *pp = p->next;
            break;
        }
    }
    p->hashed = false;
    p->next = NULL;
}

static bool udp_addr_overlap(const struct ipaddr *a, const struct ipaddr *b)
{
    return ipaddr_is_any(a) || ipaddr_is_any(b) || ipaddr_eq(a, b);
}

/* Linux udp_lib_lport_inuse: sharing a port needs SO_REUSEADDR on both
 * sockets, or SO_REUSEPORT on both. */
static bool udp_port_conflict(const struct udp_pcb *me, const struct ipaddr *addr, uint16_t port)
{
    for (const struct udp_pcb *o = me->tab->head; o; o = o->next) {
        if (o == me || o->lport != port || !udp_addr_overlap(&o->laddr, addr))
            continue;
        const struct sock_opts *a = &me->sk->o, *b = &o->sk->o;
        if (a->reuseaddr && b->reuseaddr)
            continue;
        if (a->reuseport && b->reuseport)
            continue;
        return true;
    }
    return false;
}

/* An ephemeral port from a random start (Linux udp_lib_get_port), or 0. */
static uint16_t udp_pick_port(struct udp_pcb *p, const struct ipaddr *addr)
{
    uint32_t range = UDP_EPHEMERAL_HI - UDP_EPHEMERAL_LO + 1;
    uint32_t off = prng_below(&p->tab->s->prng, range);
    for (uint32_t i = 0; i < range; i++) {
        uint16_t port = (uint16_t)(UDP_EPHEMERAL_LO + (off + i) % range);
        if (!udp_port_conflict(p, addr, port))
            return port;
    }
    return 0;
}

/* Give an unbound socket a port (inet_autobind). 0 or -EAGAIN. */
static int udp_autobind(struct udp_pcb *p)
{
    if (p->lport)
        return 0;
    uint16_t port = udp_pick_port(p, &p->laddr);
    if (!port)
        return -EAGAIN;
    p->lport = port;
    udp_hash(p);
    return 0;
}

/* How well p matches a datagram (dst, dport) from (src, sport): -1 no
 * match, else higher is more specific (Linux compute_score). */
static int udp_score(const struct udp_pcb *p, const struct ipaddr *src, uint16_t sport,
                     const struct ipaddr *dst, uint16_t dport)
{
    if (p->lport != dport)
        return -1;
    int score = 0;
    if (!ipaddr_is_any(&p->laddr)) {
        if (!ipaddr_eq(&p->laddr, dst))
            return -1;
        score += 4;
    }
    if (p->connected) {
        if (!ipaddr_eq(&p->raddr, src) || p->rport != sport)
            return -1;
        score += 8;
    }
    return score;
}

static struct udp_pcb *udp_lookup(struct udp_table *tab, const struct ipaddr *src, uint16_t sport,
                                  const struct ipaddr *dst, uint16_t dport)
{
    struct udp_pcb *best = NULL;
    int best_score = -1;
    uint32_t nreuse = 0;
    for (struct udp_pcb *p = tab->head; p; p = p->next) {
        int sc = udp_score(p, src, sport, dst, dport);
        if (sc > best_score) {
            best = p;
            best_score = sc;
            nreuse = 1;
        } else if (sc == best_score && sc >= 0 && best->sk->o.reuseport && p->sk->o.reuseport) {
            nreuse++;
        }
    }
    if (nreuse > 1) {
        /* SO_REUSEPORT group: the flow's hash picks the member, so one
         * flow always reaches the same socket (Linux reuseport_select). */
        struct {
            uint8_t s[16], d[16];
            uint16_t sp, dp;
        } k;
        memcpy(k.s, src->b, 16);
        memcpy(k.d, dst->b, 16);
        k.sp = sport;
        k.dp = dport;
        uint32_t pick = (uint32_t)(siphash24(&tab->s->hash_key, &k, sizeof(k)) % nreuse);
        for (struct udp_pcb *p = tab->head; p; p = p->next) {
            if (udp_score(p, src, sport, dst, dport) == best_score && p->sk->o.reuseport &&
                pick-- == 0)
                return p;
        }
    }
    return best;
}

/* ---- input -------------------------------------------------------------- */

/* Queue b (the payload) on p; takes b. 0 or -ENOBUFS (b freed). */
static int udp_enqueue(struct udp_pcb *p, const struct ipaddr *src, uint16_t sport, struct buf *b)
{
    uint32_t ts = udp_truesize(b->len);
    /* Linux __udp_enqueue_schedule_skb: drop when the charge would pass
     * SO_RCVBUF, but always take one into an empty queue. */
    if (p->rmem && (uint64_t)p->rmem + ts > p->sk->o.rcvbuf) {
        buf_free(b);
        return -ENOBUFS;
    }
    struct udp_meta m = {.src = *src, .sport = sport, .truesize = ts};
    uint8_t *h = buf_push(b, sizeof(m));
    if (!h) {
        buf_free(b);
        return -ENOBUFS;
    }
    memcpy(h, &m, sizeof(m));
    p->rmem += ts;
    bufq_push(&p->rq, b);
    sock_notify(p->sk, SOCK_EV_READABLE);
    return 0;
}

static int udp_sock_deliver(struct stack *s, const struct ip_info *ip, uint16_t sport,
                            uint16_t dport, struct buf *b, sg_time now)
{
    struct udp_table *tab = s->l4[IPPROTO_UDP].state;
    if (!tab)
        return -ENOENT;
    if (!(ip->flags & (IPI_BCAST | IPI_LINK_BCAST))) {
        struct udp_pcb *p = udp_lookup(tab, &ip->src, sport, &ip->dst, dport);
        if (!p)
            return -ENOENT;
        return udp_enqueue(p, &ip->src, sport, b);
    }
    /* Broadcast: a copy to every match; dropped only if nobody took it. */
    int delivered = 0, matched = 0;
    for (struct udp_pcb *p = tab->head; p; p = p->next) {
        if (udp_score(p, &ip->src, sport, &ip->dst, dport) < 0)
            continue;
        matched = 1;
        struct buf *c = buf_copy(b, SG_HEADROOM);
        if (c && udp_enqueue(p, &ip->src, sport, c) == 0)
            delivered = 1;
    }
    if (!matched)
        return -ENOENT;
    buf_free(b);
    return delivered ? 0 : -ENOBUFS;
}

/* Linux icmp_err_convert[] for destination unreachable: errno and whether
 * it is a "hard" error (one that aborts a connected socket). */
static int udp_unreach_errno(int code, bool *hard)
{
    static const struct {
        int err;
        bool hard;
    } tab[] = {
        {ENETUNREACH, false},  /* 0 net unreachable */
        {EHOSTUNREACH, false}, /* 1 host unreachable */
        {ENOPROTOOPT, true},   /* 2 protocol unreachable */
        {ECONNREFUSED, true},  /* 3 port unreachable */
        {EMSGSIZE, false},     /* 4 fragmentation needed (we never set DF on UDP) */
        {EOPNOTSUPP, false},   /* 5 source route failed */
        {ENETUNREACH, true},   /* 6 */
        {EHOSTDOWN, true},     /* 7 */
        {ENONET, true},        /* 8 */
        {ENETUNREACH, true},   /* 9 */
        {EHOSTUNREACH, true},  /* 10 */
        {ENETUNREACH, false},  /* 11 */
        {EHOSTUNREACH, false}, /* 12 */
        {EHOSTUNREACH, true},  /* 13 administratively prohibited */
        {EHOSTUNREACH, true},  /* 14 */
        {EHOSTUNREACH, true},  /* 15 */
    };
    if (code < 0 || code >= (int)(sizeof(tab) / sizeof(tab[0]))) {
        *hard = false;
        return EHOSTUNREACH;
    }
    *hard = tab[code].hard;
    return tab[code].err;
}

/* Linux __udp4_lib_err without IP_RECVERR: only hard errors, only for a
 * connected socket, become the pending error. */
static void udp_sock_icmp_error(struct stack *s, const struct ip_info *quoted, int type, int code,
                                uint32_t info, const uint8_t *inner, uint32_t inner_len,
                                sg_time now)
{
    struct udp_table *tab = s->l4[IPPROTO_UDP].state;
    if (!tab || inner_len < UDP_HDR_LEN)
        return;
    uint16_t sport = (uint16_t)(inner[0] << 8 | inner[1]);
    uint16_t dport = (uint16_t)(inner[2] << 8 | inner[3]);
    /* The quoted datagram went from us (src) to the peer (dst): look the
     * socket up as if the peer had sent to us. */
    struct udp_pcb *p = udp_lookup(tab, &quoted->dst, dport, &quoted->src, sport);
    if (!p)
        return;
    bool hard;
    int err;
    switch (type) {
    case ICMP4_DEST_UNREACH:
        err = udp_unreach_errno(code, &hard);
        break;
    case ICMP4_PARAM_PROBLEM:
        err = EPROTO;
        hard = true;
        break;
    default: /* time exceeded: soft */
        return;
    }
    if (!hard || !p->connected)
        return;
    p->err = err;
    sock_notify(p->sk, SOCK_EV_ERROR);
}

/* ---- socket calls ------------------------------------------------------- */

int udp_sock_attach(struct sock *sk)
{
    struct udp_table *tab = udp_table_get(sk->s);
    struct udp_pcb *p = tab ? calloc(1, sizeof(*p)) : NULL;
    if (!p)
        return -ENOBUFS;
    p->sk = sk;
    p->tab = tab;
    bufq_init(&p->rq);
    sk->udp = p;
    return 0;
}

void udp_sock_free(struct sock *sk)
{
    struct udp_pcb *p = sk->udp;
    if (!p)
        return;
    udp_unhash(p);
    bufq_purge(&p->rq);
    free(p);
    sk->udp = NULL;
}

int udp_sock_bind(struct sock *sk, const struct ipaddr *addr, uint16_t port)
{
    struct udp_pcb *p = sk->udp;
    if (!p->tab)
        return -ENETDOWN;
    if (!ipaddr_is_any(addr) && !ip_is_local(sk->s, addr))
        return -EADDRNOTAVAIL;
    if (p->lport || p->connected)
        return -EINVAL;
    if (port == 0) {
        port = udp_pick_port(p, addr);
        if (!port)
            return -EADDRINUSE;
    } else if (udp_port_conflict(p, addr, port)) {
        return -EADDRINUSE;
    } else {
        p->port_locked = true;
    }
    p->laddr = *addr;
    p->addr_locked = !ipaddr_is_any(addr);
    p->lport = port;
    udp_hash(p);
    return 0;
}

/* Is dst a broadcast address for this stack (limited, or the directed
 * broadcast of one of its prefixes)? */
static bool udp_is_bcast(struct stack *s, const struct ipaddr *dst)
{
    if (!ipaddr_is_v4(dst))
        return false;
    uint32_t d = ipaddr_v4_be(dst);
    if (ip4_is_limited_bcast(d))
        return true;
    for (const struct iface *ifp = s->ifaces; ifp; ifp = ifp->next)
        if (iface_is_bcast4(ifp, d))
            return true;
    return false;
}

static void udp_disconnect(struct udp_pcb *p)
{
    p->connected = false;
    memset(&p->raddr, 0, sizeof(p->raddr));
    p->rport = 0;
    if (!p->addr_locked)
        p->laddr = ipaddr_v4(0);
    if (!p->port_locked) {
        udp_unhash(p);
        p->lport = 0;
    }
}

int udp_sock_connect(struct sock *sk, const struct sockaddr *sa, socklen_t len)
{
    struct udp_pcb *p = sk->udp;
    if (!p->tab)
        return -ENETDOWN;
    sa_family_t fam;
    memcpy(&fam, sa, sizeof(fam));
    if (fam == AF_UNSPEC) {
        udp_disconnect(p);
        return 0;
    }
    if (udp_autobind(p) < 0)
        return -EAGAIN;
    struct ipaddr dst, src;
    uint16_t dport;
    int err = sock_addr_in(sk->domain, sa, len, SOCK_ADDR_DGRAM_CONNECT, &dst, &dport);
    if (err < 0)
        return err;
    if (sk->domain == AF_INET6 && sk->o.v6only && ipaddr_is_v4(&dst))
        return -EAFNOSUPPORT;
    if (ip_route_lookup(sk->s, &dst, &src, NULL) < 0)
        return -ENETUNREACH;
    if (udp_is_bcast(sk->s, &dst) && !sk->o.broadcast)
        return -EACCES;
    if (ipaddr_is_any(&p->laddr))
        p->laddr = src;
    p->raddr = dst;
    p->rport = dport;
    p->connected = true;
    return 0;
}

ssize_t udp_sock_sendmsg(struct sock *sk, const struct msghdr *msg, int flags, sg_time now)
{
    struct udp_pcb *p = sk->udp;
    size_t len = sock_iov_len(msg->msg_iov, (int)msg->msg_iovlen);
    /* Linux udp_sendmsg's order: size, MSG_OOB (R29), destination. */
    if (len > 0xffff)
        return -EMSGSIZE;
    if (flags & MSG_OOB)
        return -EOPNOTSUPP;
    if (flags & MSG_MORE)
        return -EOPNOTSUPP; /* corking is not implemented: never drop the flag silently */
    if (!p->tab)
        return -ENETDOWN;
    struct ipaddr dst;
    uint16_t dport;
    if (msg->msg_name) {
        int err = sock_addr_in(sk->domain, msg->msg_name, msg->msg_namelen, SOCK_ADDR_SENDTO, &dst,
                               &dport);
        if (err < 0)
            return err;
        if (dport == 0)
            return -EINVAL;
    } else {
        if (!p->connected)
            return -EDESTADDRREQ;
        dst = p->raddr;
        dport = p->rport;
    }
    if (msg->msg_controllen >= sizeof(struct cmsghdr))
        return -EINVAL; /* IP_PKTINFO, IP_TTL, ... cmsgs: not implemented */
    if (udp_autobind(p) < 0)
        return -EAGAIN;
    struct ipaddr src;
    if (ip_route_lookup(sk->s, &dst, &src, NULL) < 0)
        return -ENETUNREACH;
    if (!ipaddr_is_any(&p->laddr))
        src = p->laddr;
    if (udp_is_bcast(sk->s, &dst) && !sk->o.broadcast)
        return -EACCES;
    /* sock_alloc_send_skb: the pending error, then SEND_SHUTDOWN. */
    if (p->err) {
        int e = p->err;
        p->err = 0;
        return -e;
    }
    if (sk->shut & SOCK_SEND_SHUTDOWN)
        return -EPIPE;
    if (len > UDP_MAX_PAYLOAD)
        return -EMSGSIZE;
    if (sock_iov_faulty(msg->msg_iov, (int)msg->msg_iovlen))
        return -EFAULT;

    struct buf *b = buf_alloc(SG_HEADROOM, UDP_HDR_LEN + len);
    if (!b)
        return -ENOBUFS;
    sock_iov_gather(b->data + UDP_HDR_LEN, msg->msg_iov, (int)msg->msg_iovlen, len);
    struct udp_repr u = {
        .sport = p->lport,
        .dport = dport,
        .len = (uint16_t)(UDP_HDR_LEN + len),
    };
    udp_emit(&u, b->data);
    udp_csum_fill(b->data, u.len, csum_pseudo(src.b, dst.b, IPPROTO_UDP, u.len));
    int ttl = sk->o.ttl > 0 ? sk->o.ttl : 0;
    int err = ip_output(sk->s, &src, &dst, IPPROTO_UDP, (uint8_t)ttl, (uint8_t)sk->o.tos, b, now);
    if (err < 0)
        return err;
    STAT_INC(sk->s, UDP_OUT_DATAGRAMS);
    return (ssize_t)len;
}

ssize_t udp_sock_recvmsg(struct sock *sk, struct msghdr *msg, int flags)
{
    struct udp_pcb *p = sk->udp;
    msg->msg_flags = 0;
    msg->msg_controllen = 0;
    if (flags & MSG_ERRQUEUE)
        return -EAGAIN; /* no IP_RECVERR: the error queue is always empty */
    /* __skb_recv_udp: the pending error comes before any datagram. */
    if (p->err) {
        int e = p->err;
        p->err = 0;
        return -e;
    }
    struct buf *b = p->rq.head;
    if (!b)
        return -EAGAIN; /* after SHUT_RD too: only a wait ends with 0 (runtime) */
    struct udp_meta m;
    memcpy(&m, b->data, sizeof(m));
    const uint8_t *payload = b->data + sizeof(m);
    size_t plen = b->len - sizeof(m);
    size_t want = sock_iov_len(msg->msg_iov, (int)msg->msg_iovlen);
    size_t n = plen < want ? plen : want;
    bool peek = flags & MSG_PEEK;
    if (n && sock_iov_faulty(msg->msg_iov, (int)msg->msg_iovlen)) {
        /* Linux drops the datagram it could not copy (unless peeking). */
        if (!peek) {
            p->rmem -= m.truesize;
            buf_free(bufq_pop(&p->rq));
        }
        return -EFAULT;
    }
    sock_iov_scatter(msg->msg_iov, (int)msg->msg_iovlen, payload, n);
    if (plen > n)
        msg->msg_flags |= MSG_TRUNC;
    if (msg->msg_name) {
        struct sockaddr_storage ss;
        socklen_t klen = sock_addr_out(sk->domain, &m.src, m.sport, &ss);
        socklen_t ulen = msg->msg_namelen;
        memcpy(msg->msg_name, &ss, ulen < klen ? ulen : klen);
        msg->msg_namelen = klen;
    } else {
        msg->msg_namelen = 0;
    }
    if (!peek) {
        p->rmem -= m.truesize;
        buf_free(bufq_pop(&p->rq));
    }
    return (ssize_t)((flags & MSG_TRUNC) ? plen : n);
}

int udp_sock_shutdown(struct sock *sk, int how)
{
    (void)how;
    return sk->udp->connected ? 0 : -ENOTCONN;
}

unsigned udp_sock_poll(const struct sock *sk)
{
    const struct udp_pcb *p = sk->udp;
    unsigned mask = 0;
    /* datagram_poll + udp_poll */
    if (p->err)
        mask |= POLLERR;
    if (sk->shut & SOCK_RCV_SHUTDOWN)
        mask |= POLLRDHUP | POLLIN | POLLRDNORM;
    if (sk->shut == (SOCK_RCV_SHUTDOWN | SOCK_SEND_SHUTDOWN))
        mask |= POLLHUP;
    if (p->rq.head)
        mask |= POLLIN | POLLRDNORM;
    /* Datagrams leave at once, so the send buffer is never full. */
    mask |= POLLOUT | POLLWRNORM | POLLWRBAND;
    return mask;
}

int udp_sock_error(struct sock *sk)
{
    int e = sk->udp->err;
    sk->udp->err = 0;
    return e;
}

int udp_sock_getname(const struct sock *sk, struct ipaddr *addr, uint16_t *port, bool peer)
{
    const struct udp_pcb *p = sk->udp;
    if (peer) {
        if (!p->connected)
            return -ENOTCONN;
        *addr = p->raddr;
        *port = p->rport;
        return 0;
    }
    *addr = p->laddr;
    *port = p->lport;
    return 0;
}

int udp_sock_first_len(const struct sock *sk)
{
    const struct buf *b = sk->udp->rq.head;
    return b ? (int)(b->len - sizeof(struct udp_meta)) : -1;
}

int udp_sock_ioctl(struct sock *sk, unsigned long req, int *val)
{
    switch (req) {
    case SIOCINQ: { /* == FIONREAD */
        int n = udp_sock_first_len(sk);
        *val = n < 0 ? 0 : n;
        return 0;
    }
    case SIOCOUTQ:
        *val = 0;
        return 0;
    default:
        return -ENOTTY; /* SIOCATMARK (R21), SIOCOUTQNSD, ... */
    }
}

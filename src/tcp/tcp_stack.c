/* Per-stack TCP state: registration with IP, the connection table (4-tuple
 * hashed with SipHash keyed by the stack's secret, so a remote host cannot
 * aim at one bucket), the bind table and the listener table (both by local
 * port), ephemeral ports, tcb life cycle, state changes and owner events.
 */
#include "tcp/tcb.h"
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include "base/siphash.h"

struct tcp_stack *tcp_stack_of(struct stack *s)
{
    return (struct tcp_stack *)s->l4[IPPROTO_TCP].state;
}

/* ---- hashing ---- */

struct tuple_key {
    uint8_t laddr[16], raddr[16];
    uint16_t lport, rport;
};

static uint64_t tcp_tuple_hash(const struct stack *s, const struct ipaddr *laddr, uint16_t lport,
                               const struct ipaddr *raddr, uint16_t rport)
{
    struct tuple_key k;
    memcpy(k.laddr, laddr->b, 16);
    memcpy(k.raddr, raddr->b, 16);
    k.lport = lport;
    k.rport = rport;
    return siphash24(&s->hash_key, &k, sizeof k);
}

static uint64_t tcp_port_hash(const struct stack *s, uint16_t port)
{
    return siphash24(&s->hash_key, &port, sizeof port);
}

/* ---- attach / detach ---- */

void tcp_attach(struct stack *s)
{
    if (s->l4[IPPROTO_TCP].state)
        return;
    struct tcp_stack *ts = calloc(1, sizeof *ts);
    if (!ts)
        return;
    ts->s = s;
    if (hmap_init(&ts->conns, 256) || hmap_init(&ts->listeners, 16) || hmap_init(&ts->binds, 64)) {
        hmap_free(&ts->conns);
        hmap_free(&ts->listeners);
        hmap_free(&ts->binds);
        free(ts);
        return;
    }
    ts->port_hint = (uint32_t)prng_next(&s->prng);
    s->l4[IPPROTO_TCP].input = tcp_input;
    s->l4[IPPROTO_TCP].error = tcp_icmp_error;
    s->l4[IPPROTO_TCP].destroy = tcp_detach;
    s->l4[IPPROTO_TCP].state = ts;
}

void tcp_detach(struct stack *s)
{
    struct tcp_stack *ts = tcp_stack_of(s);
    if (!ts)
        return;
    tcp_reap(ts);
    while (ts->all) {
        struct tcb *t = ts->all;
        tcp_timers_stop(t);
        if (t->in_conns)
            tcp_unhash_conn(t);
        if (t->in_listen)
            tcp_listen_unhash(t);
        if (t->in_binds)
            tcp_unbind(t);
        tcb_free(t);
    }
    hmap_free(&ts->conns);
    hmap_free(&ts->listeners);
    hmap_free(&ts->binds);
    free(ts);
    memset(&s->l4[IPPROTO_TCP], 0, sizeof s->l4[IPPROTO_TCP]);
}

/* ---- tcb life cycle ---- */

struct tcb *tcb_alloc(struct stack *s)
{
    struct tcp_stack *ts = tcp_stack_of(s);
    if (!ts)
        return NULL;
    struct tcb *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->s = s;
    t->ts = ts;
    t->state = TCP_CLOSE;
    t->ttl = (uint8_t)(s->cfg.ip_default_ttl ? s->cfg.ip_default_ttl : 64);
    ring_init(&t->sndbuf, s->cfg.tcp_wmem ? s->cfg.tcp_wmem : 16384);
    ring_init(&t->rcvbuf, s->cfg.tcp_rmem ? s->cfg.tcp_rmem : 131072);
    reass_init(&t->reass, TCP_REASS_MAX_HOLES);
    sack_init(&t->sb, TCP_MSS_DEFAULT_V4, TCP_SACK_MAX_RANGES);
    rtt_init(&t->rtt, SG_MS(s->cfg.rto_min_ms), SG_MS(s->cfg.rto_max_ms),
             SG_MS(s->cfg.rto_initial_ms), 0);
    t->cc_ops = s->cfg.cc == SG_CC_NEWRENO ? &cc_newreno_ops : &cc_cubic_ops;
    t->keep_idle = TCP_KEEPIDLE_DEF;
    t->keep_intvl = TCP_KEEPINTVL_DEF;
    t->keep_cnt = TCP_KEEPCNT_DEF;
    tcp_timers_init(t);
    tcp_init_options(t);
    t->all_next = ts->all;
    if (ts->all)
        ts->all->all_prev = t;
    ts->all = t;
    return t;
}

void tcb_free(struct tcb *t)
{
    struct tcp_stack *ts = t->ts;
    tcp_timers_stop(t);
    if (ts->last == t)
        ts->last = NULL;
    if (t->all_prev)
        t->all_prev->all_next = t->all_next;
    else
        ts->all = t->all_next;
    if (t->all_next)
        t->all_next->all_prev = t->all_prev;
    ring_free(&t->sndbuf);
    ring_free(&t->rcvbuf);
    reass_free(&t->reass);
    sack_free(&t->sb);
    free(t);
}

void tcp_kill(struct tcb *t)
{
    if (t->dead)
        return;
    tcp_timers_stop(t);
    if (t->parent)
        tcp_child_unlink(t);
    if (t->in_conns)
        tcp_unhash_conn(t);
    if (t->in_listen)
        tcp_listen_unhash(t);
    if (t->in_binds)
        tcp_unbind(t);
    t->dead = true;
    t->owner = NULL;
    t->on_event = NULL;
    t->dead_next = t->ts->dead;
    t->ts->dead = t;
}

void tcp_reap(struct tcp_stack *ts)
{
    while (ts->dead) {
        struct tcb *t = ts->dead;
        ts->dead = t->dead_next;
        tcb_free(t);
    }
}

void tcp_notify(struct tcb *t, unsigned ev)
{
    if (t->on_event && !t->released)
        t->on_event(t->owner, ev);
}

void tcp_set_state(struct tcb *t, int state)
{
    int old = t->state;
    if (old == state)
        return;
    struct stack *s = t->s;
    if (state == TCP_CLOSE) {
        /* Linux tcp_set_state: EstabResets / AttemptFails by old state. */
        if (old == TCP_ESTABLISHED || old == TCP_CLOSE_WAIT)
            STAT_INC(s, TCP_ESTAB_RESETS);
        if (old == TCP_SYN_SENT || old == TCP_SYN_RECV)
            STAT_INC(s, TCP_ATTEMPT_FAILS);
    }
    if (state == TCP_ESTABLISHED || state == TCP_CLOSE_WAIT || state == TCP_FIN_WAIT1 ||
        state == TCP_FIN_WAIT2 || state == TCP_CLOSING || state == TCP_LAST_ACK ||
        state == TCP_TIME_WAIT)
        t->was_synced = true;
    t->state = (uint8_t)state;
    tcp_notify(t, TCP_EV_STATE);
}

/* ---- connection table ---- */

int tcp_hash_conn(struct tcb *t)
{
    struct tcp_stack *ts = t->ts;
    if (t->in_conns)
        return 0;
    if (tcp_lookup(ts, &t->laddr, t->lport, &t->raddr, t->rport))
        return -EADDRINUSE;
    uint64_t h = tcp_tuple_hash(t->s, &t->laddr, t->lport, &t->raddr, t->rport);
    hmap_insert(&ts->conns, &t->chash, h);
    t->in_conns = true;
    return 0;
}

void tcp_unhash_conn(struct tcb *t)
{
    if (!t->in_conns)
        return;
    hmap_remove(&t->ts->conns, &t->chash);
    t->in_conns = false;
    if (t->ts->last == t)
        t->ts->last = NULL;
}

struct tcb *tcp_lookup(struct tcp_stack *ts, const struct ipaddr *laddr, uint16_t lport,
                       const struct ipaddr *raddr, uint16_t rport)
{
    struct tcb *c = ts->last;
    if (c && c->lport == lport && c->rport == rport && ipaddr_eq(&c->raddr, raddr) &&
        ipaddr_eq(&c->laddr, laddr))
        return c;
    uint64_t h = tcp_tuple_hash(ts->s, laddr, lport, raddr, rport);
    for (struct hnode *n = hmap_first(&ts->conns, h); n; n = hmap_next(n, h)) {
        struct tcb *t = container_of(n, struct tcb, chash);
        if (t->lport == lport && t->rport == rport && ipaddr_eq(&t->raddr, raddr) &&
            ipaddr_eq(&t->laddr, laddr)) {
            ts->last = t;
            return t;
        }
    }
    return NULL;
}

/* ---- listeners ---- */

int tcp_listen_hash(struct tcb *t)
{
    if (t->in_listen)
        return 0;
    uint64_t h = tcp_port_hash(t->s, t->lport);
    hmap_insert(&t->ts->listeners, &t->lhash, h);
    t->in_listen = true;
    return 0;
}

void tcp_listen_unhash(struct tcb *t)
{
    if (!t->in_listen)
        return;
    hmap_remove(&t->ts->listeners, &t->lhash);
    t->in_listen = false;
}

/* An exact local-address listener wins over a wildcard one (Linux's
 * scoring, reduced to what a host with IPv4 needs). Among several
 * SO_REUSEPORT listeners of the same rank one is chosen by a hash of the
 * remote end, so a connection always lands on the same one (Linux
 * reuseport_select_sock). */
struct tcb *tcp_lookup_listener(struct tcp_stack *ts, const struct ipaddr *laddr, uint16_t lport,
                                const struct ipaddr *raddr, uint16_t rport)
{
    uint64_t h = tcp_port_hash(ts->s, lport);
    struct tcb *best = NULL;
    int best_rank = 0;
    uint32_t n = 0;
    uint64_t pick = 0;
    for (struct hnode *nd = hmap_first(&ts->listeners, h); nd; nd = hmap_next(nd, h)) {
        struct tcb *t = container_of(nd, struct tcb, lhash);
        if (t->lport != lport || t->state != TCP_LISTEN)
            continue;
        int rank = ipaddr_eq(&t->laddr, laddr) ? 2 : ipaddr_is_any(&t->laddr) ? 1 : 0;
        if (!rank || rank < best_rank)
            continue;
        if (rank > best_rank) {
            best = t;
            best_rank = rank;
            n = 1;
            if (raddr)
                pick = tcp_tuple_hash(ts->s, laddr, lport, raddr, rport);
            continue;
        }
        /* same rank: only SO_REUSEPORT listeners share a port */
        n++;
        if (pick % n == 0)
            best = t;
        pick /= n;
    }
    return best;
}

/* Another listener on t's port with an overlapping address, unless both
 * set SO_REUSEPORT. */
bool tcp_listen_conflict(const struct tcb *t)
{
    uint64_t h = tcp_port_hash(t->s, t->lport);
    for (struct hnode *nd = hmap_first(&t->ts->listeners, h); nd; nd = hmap_next(nd, h)) {
        const struct tcb *o = container_of(nd, struct tcb, lhash);
        if (o == t || o->lport != t->lport || o->state != TCP_LISTEN)
            continue;
        if (!ipaddr_eq(&o->laddr, &t->laddr) && !ipaddr_is_any(&o->laddr) &&
            !ipaddr_is_any(&t->laddr))
            continue;
        if (t->reuseport && o->reuseport)
            continue;
        return true;
    }
    return false;
}

/* ---- bind table ---- */

static bool tcp_addr_overlap(const struct ipaddr *a, const struct ipaddr *b)
{
    return ipaddr_is_any(a) || ipaddr_is_any(b) || ipaddr_eq(a, b);
}

/* Linux inet_csk_bind_conflict, reduced: two sockets on one port conflict
 * if their addresses overlap, unless both set SO_REUSEADDR and neither is
 * listening (a TIME_WAIT entry keeps the flag of the socket it was). */
static bool tcp_bind_conflict(const struct tcb *t, const struct ipaddr *addr, uint16_t port,
                              bool listening)
{
    uint64_t h = tcp_port_hash(t->s, port);
    for (struct hnode *n = hmap_first(&t->ts->binds, h); n; n = hmap_next(n, h)) {
        const struct tcb *o = container_of(n, struct tcb, bhash);
        if (o == t || o->lport != port || o->dead)
            continue;
        if (!tcp_addr_overlap(&o->laddr, addr))
            continue;
        bool o_listen = o->state == TCP_LISTEN;
        if (t->reuseaddr && o->reuseaddr && !o_listen && !listening)
            continue; /* TIME_WAIT included: it keeps its socket's SO_REUSEADDR */
        if (t->reuseport && o->reuseport)
            continue; /* SO_REUSEPORT: both asked to share the port */
        if (listening && !o_listen && !o->user_bound)
            continue; /* connections sharing a listener's port (children) */
        return true;
    }
    return false;
}

int tcp_bind_insert(struct tcb *t, const struct ipaddr *addr, uint16_t port, int mode)
{
    if (mode == TCP_BIND_USER && tcp_bind_conflict(t, addr, port, false))
        return -EADDRINUSE;
    t->laddr = *addr;
    t->lport = port;
    uint64_t h = tcp_port_hash(t->s, port);
    hmap_insert(&t->ts->binds, &t->bhash, h);
    t->in_binds = true;
    return 0;
}

void tcp_unbind(struct tcb *t)
{
    if (!t->in_binds)
        return;
    hmap_remove(&t->ts->binds, &t->bhash);
    t->in_binds = false;
}

static bool tcp_port_has_binds(struct tcp_stack *ts, uint16_t port, bool explicit_only)
{
    uint64_t h = tcp_port_hash(ts->s, port);
    for (struct hnode *n = hmap_first(&ts->binds, h); n; n = hmap_next(n, h)) {
        const struct tcb *o = container_of(n, struct tcb, bhash);
        if (o->lport == port && !o->dead &&
            (!explicit_only || o->user_bound || o->state == TCP_LISTEN))
            return true;
    }
    return false;
}

/* RFC 6056 algorithm 3 (Linux __inet_hash_connect): the search starts at
 * an offset keyed by the destination, so connections to one host use
 * ports in sequence and to different hosts unpredictably. A port is usable
 * if no socket bound it explicitly and the 4-tuple is free. */
int tcp_autobind_connect(struct tcb *t)
{
    struct tcp_stack *ts = t->ts;
    uint32_t range = TCP_EPHEMERAL_HI - TCP_EPHEMERAL_LO + 1;
    struct {
        uint8_t l[16], r[16];
        uint16_t rport;
    } k;
    memcpy(k.l, t->laddr.b, 16);
    memcpy(k.r, t->raddr.b, 16);
    k.rport = t->rport;
    uint32_t off = (uint32_t)siphash24(&t->s->hash_key, &k, sizeof k) + ts->port_hint;
    for (uint32_t i = 0; i < range; i++) {
        uint16_t port = (uint16_t)(TCP_EPHEMERAL_LO + (off + i) % range);
        if (tcp_port_has_binds(ts, port, true))
            continue;
        if (tcp_lookup(ts, &t->laddr, port, &t->raddr, t->rport))
            continue;
        ts->port_hint += i + 1;
        t->lport = port;
        uint64_t h = tcp_port_hash(t->s, port);
        hmap_insert(&ts->binds, &t->bhash, h);
        t->in_binds = true;
        return 0;
    }
    return -EADDRNOTAVAIL;
}

int tcp_autobind(struct tcb *t)
{
    struct tcp_stack *ts = t->ts;
    uint32_t range = TCP_EPHEMERAL_HI - TCP_EPHEMERAL_LO + 1;
    uint32_t off = (uint32_t)prng_next(&t->s->prng);
    for (uint32_t i = 0; i < range; i++) {
        uint16_t port = (uint16_t)(TCP_EPHEMERAL_LO + (off + i) % range);
        if (tcp_port_has_binds(ts, port, false))
            continue;
        return tcp_bind_insert(t, &t->laddr, port, TCP_BIND_USER);
    }
    return -EADDRINUSE;
}

/* RFC 5961 §7 / Linux tcp_challenge_ack_limit: at most 1000 challenge
 * ACKs per second per stack. (Linux randomises the limit per second to
 * hide it from a side channel, CVE-2016-5696; sigurg keeps it fixed and
 * deterministic, the simulation relies on that.) */
bool tcp_challenge_ack_allowed(struct tcp_stack *ts, sg_time now)
{
    if (now - ts->chack_second >= SG_SEC(1) || now < ts->chack_second) {
        ts->chack_second = now;
        ts->chack_count = 0;
    }
    if (ts->chack_count >= TCP_CHALLENGE_ACK_LIMIT) {
        STAT_INC(ts->s, TCP_CHALLENGE_ACK_LIMITED);
        return false;
    }
    ts->chack_count++;
    return true;
}

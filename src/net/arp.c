/* ARP neighbour cache (RFC 826); states and rules in net/arp.h.
 *
 * Input path: eth_input -> arp_input -> arp_learn (merge / create)
 *   -> reply to requests for our addresses.
 * Output path: ip4_xmit_hop -> arp_output -> eth_output, or queue in an
 *   INCOMPLETE entry until arp_learn flushes it or arp_timer gives up. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "net/iface.h"
#include "wire/arp.h"

struct arp_entry {
    struct hnode node;
    struct stack *s;
    struct iface *ifp;
    uint32_t ip;  /* network order */
    uint32_t src; /* our address used in requests for it */
    struct eth_addr mac;
    enum arp_state state;
    uint8_t probes;  /* requests sent since the last confirmation */
    sg_time updated; /* last confirmation or MAC change */
    sg_time used;    /* last datagram sent through it */
    struct bufq queue;
    struct timer timer;
};

static const struct eth_addr arp_bcast = {{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}};

static uint64_t arp_hash(const struct stack *s, const struct iface *ifp, uint32_t ip)
{
    uint32_t key[2] = {ifp->index, ip};
    return siphash24(&s->hash_key, key, sizeof(key));
}

static struct arp_entry *arp_find(struct stack *s, const struct iface *ifp, uint32_t ip)
{
    uint64_t h = arp_hash(s, ifp, ip);
    for (struct hnode *n = hmap_first(&s->net->arp.map, h); n; n = hmap_next(n, h)) {
        struct arp_entry *e = container_of(n, struct arp_entry, node);
        if (e->ifp == ifp && e->ip == ip)
            return e;
    }
    return NULL;
}

static void arp_delete(struct stack *s, struct arp_entry *e)
{
    tw_cancel(&s->timers, &e->timer);
    hmap_remove(&s->net->arp.map, &e->node);
    s->net->arp.count--;
    bufq_purge(&e->queue);
    free(e);
}

static void arp_send(struct stack *s, struct iface *ifp, uint16_t op, uint32_t spa,
                     const struct eth_addr *tha, uint32_t tpa, const struct eth_addr *to,
                     sg_time now)
{
    struct buf *b = buf_alloc(SG_HEADROOM, ARP_LEN);
    if (!b) {
        STAT_INC(s, LINK_TX_DROP_NOBUF);
        return;
    }
    struct arp_repr a = {.op = op, .sha = ifp->mac, .spa = spa, .tha = *tha, .tpa = tpa};
    arp_emit(&a, b->data);
    STAT_INC(s, ARP_OUT);
    eth_output(s, ifp, b, to, ETH_TYPE_ARP, now);
}

/* A request for e->ip: broadcast while resolving, unicast to the known
 * address when refreshing a STALE entry (as Linux's PROBE state). The
 * target hardware address is left zero (RFC 5227 §2.1.1 says so for
 * probes; Linux does it for every request). */
static void arp_solicit(struct stack *s, struct arp_entry *e, sg_time now)
{
    static const struct eth_addr zero;
    const struct eth_addr *to = e->state == ARP_INCOMPLETE ? &arp_bcast : &e->mac;
    e->probes++;
    arp_send(s, e->ifp, ARP_REQUEST, e->src, &zero, e->ip, to, now);
}

static void arp_timer(struct timer *t, sg_time now)
{
    struct arp_entry *e = container_of(t, struct arp_entry, timer);
    struct stack *s = e->s;
    switch (e->state) {
    case ARP_INCOMPLETE:
    case ARP_STALE:
        if (e->probes > 0 && e->probes < ARP_MAX_PROBES) {
            arp_solicit(s, e, now);
            tw_arm(&s->timers, &e->timer, now + ARP_RETRANS_TIME);
            return;
        }
        if (e->probes >= ARP_MAX_PROBES) {
            /* No answer to ARP_MAX_PROBES requests: the neighbour is gone.
             * Everything waiting for it is lost. */
            STAT_ADD(s, ARP_RESOLVE_FAIL, e->queue.count);
            arp_delete(s, e);
            return;
        }
        /* STALE, not probing: collect it once unused for ARP_GC_STALE_TIME. */
        sg_time idle_since = e->used > e->updated ? e->used : e->updated;
        if (now >= idle_since + ARP_GC_STALE_TIME) {
            arp_delete(s, e);
            return;
        }
        tw_arm(&s->timers, &e->timer, idle_since + ARP_GC_STALE_TIME);
        return;
    case ARP_REACHABLE:
        e->state = ARP_STALE;
        e->probes = 0;
        tw_arm(&s->timers, &e->timer, now + ARP_GC_STALE_TIME);
        return;
    case ARP_NONE:
        return;
    }
}

/* Evict the least recently used STALE entry not being probed; false if
 * there is none (the cache is full of live entries). */
static bool arp_evict(struct stack *s)
{
    struct arp_entry *victim = NULL;
    for (struct hnode *n = hmap_iter(&s->net->arp.map, NULL); n;
         n = hmap_iter(&s->net->arp.map, n)) {
        struct arp_entry *e = container_of(n, struct arp_entry, node);
        if (e->state == ARP_STALE && e->probes == 0 && (!victim || e->used < victim->used))
            victim = e;
    }
    if (!victim)
        return false;
    arp_delete(s, victim);
    return true;
}

static struct arp_entry *arp_create(struct stack *s, struct iface *ifp, uint32_t ip,
                                    enum arp_state state, sg_time now)
{
    struct arp_cache *c = &s->net->arp;
    if (c->count >= ARP_MAX_ENTRIES && !arp_evict(s))
        return NULL;
    struct arp_entry *e = calloc(1, sizeof(*e));
    if (!e)
        return NULL;
    e->s = s;
    e->ifp = ifp;
    e->ip = ip;
    e->src = iface_src_for4(ifp, ip);
    e->state = state;
    e->updated = e->used = now;
    bufq_init(&e->queue);
    timer_init(&e->timer, arp_timer);
    hmap_insert(&c->map, &e->node, arp_hash(s, ifp, ip));
    c->count++;
    return e;
}

/* Record that `ip` is at `mac`. confirm: the packet proves two-way
 * reachability (a reply, or a request unicast to us), as Linux chooses
 * between NUD_REACHABLE and NUD_STALE. */
static void arp_update(struct stack *s, struct arp_entry *e, const struct eth_addr *mac,
                       bool confirm, sg_time now)
{
    bool changed = e->state == ARP_INCOMPLETE || !eth_addr_eq(&e->mac, mac);
    e->mac = *mac;
    if (confirm) {
        e->state = ARP_REACHABLE;
        e->probes = 0;
        e->updated = now;
        tw_arm(&s->timers, &e->timer, now + ARP_REACHABLE_TIME);
    } else if (changed) {
        /* New address, not yet confirmed (Linux: a broadcast request gives
         * NUD_STALE; an unchanged address keeps its state). */
        e->state = ARP_STALE;
        e->probes = 0;
        e->updated = now;
        tw_arm(&s->timers, &e->timer, now + ARP_GC_STALE_TIME);
    }
    struct buf *b;
    while ((b = bufq_pop(&e->queue)) != NULL) {
        e->used = now;
        eth_output(s, e->ifp, b, &e->mac, ETH_TYPE_IP4, now);
    }
}

void arp_input(struct stack *s, struct iface *ifp, struct buf *b, int link_bcast, sg_time now)
{
    STAT_INC(s, ARP_IN);
    struct arp_repr a;
    if (arp_parse(b->data, b->len, &a) < 0 || eth_addr_is_multicast(&a.sha) ||
        ip4_is_multicast(a.spa) || ip4_is_limited_bcast(a.spa) || ip4_is_multicast(a.tpa) ||
        stack_has_addr4(s, a.spa)) {
        /* Malformed, a group address as sender (RFC 1812 §3.3.2), or our
         * own address claimed by someone else (or our own packet looped). */
        STAT_INC(s, ARP_DROP_BAD);
        buf_free(b);
        return;
    }
    buf_free(b);
    bool for_us = stack_has_addr4(s, a.tpa);
    if (a.spa == 0) {
        /* An address probe (RFC 5227 §2.1.1): answer it if it asks for
         * one of ours so the prober sees the conflict, as Linux does; never
         * learn 0.0.0.0. */
        if (a.op == ARP_REQUEST && for_us)
            arp_send(s, ifp, ARP_REPLY, a.tpa, &a.sha, 0, &a.sha, now);
        else
            STAT_INC(s, ARP_DROP_BAD);
        return;
    }
    bool confirm = a.op == ARP_REPLY || !link_bcast;
    struct arp_entry *e = arp_find(s, ifp, a.spa);
    bool merged = e != NULL;
    if (e)
        arp_update(s, e, &a.sha, confirm, now); /* RFC 826: merge */
    if (for_us && a.op == ARP_REQUEST) {
        /* RFC 826: not merged and we are the target: add the sender. Only
         * for requests: an unsolicited reply creates nothing (Linux
         * arp_accept=0). */
        if (!merged && (e = arp_create(s, ifp, a.spa, ARP_STALE, now)) != NULL)
            arp_update(s, e, &a.sha, false, now);
        arp_send(s, ifp, ARP_REPLY, a.tpa, &a.sha, a.spa, &a.sha, now);
    } else if (!merged) {
        /* About no one we know, and not a request for us: nothing to do. */
        STAT_INC(s, ARP_DROP_BAD);
    }
}

static bool arp_map_group(const struct iface *ifp, uint32_t ip, struct eth_addr *mac)
{
    if (iface_is_bcast4(ifp, ip)) {
        *mac = arp_bcast;
        return true;
    }
    if (ip4_is_multicast(ip)) {
        /* RFC 1112 §6.4: 01:00:5e + the low 23 bits of the group. */
        const uint8_t *g = (const uint8_t *)&ip;
        *mac = (struct eth_addr){{0x01, 0x00, 0x5e, (uint8_t)(g[1] & 0x7f), g[2], g[3]}};
        return true;
    }
    return false;
}

int arp_output(struct stack *s, struct iface *ifp, uint32_t nexthop, struct buf *b, sg_time now)
{
    struct eth_addr mac;
    if (arp_map_group(ifp, nexthop, &mac))
        return eth_output(s, ifp, b, &mac, ETH_TYPE_IP4, now);
    struct arp_entry *e = arp_find(s, ifp, nexthop);
    if (!e) {
        e = arp_create(s, ifp, nexthop, ARP_INCOMPLETE, now);
        if (!e) {
            STAT_INC(s, ARP_RESOLVE_FAIL);
            buf_free(b);
            return -ENOBUFS;
        }
        /* Ask from the datagram's own source if it is ours here (Linux
         * arp_announce=0). */
        if (b->len >= 20 && iface_has_addr4(ifp, wire_get_raw32(b->data + 12)))
            e->src = wire_get_raw32(b->data + 12);
        bufq_push(&e->queue, b);
        arp_solicit(s, e, now);
        tw_arm(&s->timers, &e->timer, now + ARP_RETRANS_TIME);
        return 0;
    }
    if (e->state == ARP_INCOMPLETE) {
        if (e->queue.count >= ARP_QUEUE_LEN) {
            /* The oldest waiting datagram makes room (Linux unres_qlen). */
            STAT_INC(s, ARP_RESOLVE_FAIL);
            buf_free(bufq_pop(&e->queue));
        }
        bufq_push(&e->queue, b);
        return 0;
    }
    e->used = now;
    if (e->state == ARP_STALE && e->probes == 0) {
        /* Used while stale: check the neighbour is still there. */
        arp_solicit(s, e, now);
        tw_arm(&s->timers, &e->timer, now + ARP_RETRANS_TIME);
    }
    return eth_output(s, ifp, b, &e->mac, ETH_TYPE_IP4, now);
}

void arp_announce(struct stack *s, struct iface *ifp, uint32_t addr, sg_time now)
{
    static const struct eth_addr zero;
    arp_send(s, ifp, ARP_REQUEST, addr, &zero, addr, &arp_bcast, now);
}

enum arp_state arp_lookup(struct stack *s, const struct iface *ifp, uint32_t ip,
                          struct eth_addr *mac_out)
{
    struct arp_entry *e = arp_find(s, ifp, ip);
    if (!e)
        return ARP_NONE;
    if (mac_out && e->state != ARP_INCOMPLETE)
        *mac_out = e->mac;
    return e->state;
}

int arp_init(struct stack *s)
{
    s->net->arp.count = 0;
    return hmap_init(&s->net->arp.map, 16);
}

void arp_free(struct stack *s)
{
    struct hmap *m = &s->net->arp.map;
    struct hnode *n;
    while ((n = hmap_iter(m, NULL)) != NULL)
        arp_delete(s, container_of(n, struct arp_entry, node));
    hmap_free(m);
}

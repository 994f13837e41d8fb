/* Test harness for the network layer's unit tests (test_net_*.c,
 * test_udp_*.c): a stack with one Ethernet and one raw-IP interface whose
 * transmit callbacks capture frames, builders for hand-made frames (using
 * the wire emitters), and a check that exactly the expected counters moved.
 *
 * Topology of h_setup():
 *   eth0: Ethernet, MTU 1500, MAC 02:00:00:00:00:01, 10.0.0.1/24,
 *         default route via 10.0.0.254. Peer: 10.0.0.2 at 02:00:00:00:00:02.
 *   tun0: raw IP, MTU 1500, 10.1.0.1/24. Peer: 10.1.0.2.
 * Everything here is static inline so each test file takes what it uses. */
#ifndef SG_TEST_NET_HARNESS_H
#define SG_TEST_NET_HARNESS_H
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "net/iface.h"
#include "net/stack.h"
#include "wire/arp.h"
#include "wire/csum.h"
#include "wire/eth.h"
#include "wire/icmp4.h"
#include "wire/ip4.h"
#include "wire/udp.h"

#define CAP_MAX 512

struct cap {
    struct buf *f[CAP_MAX];
    unsigned head, n; /* frames f[head .. n) not yet taken */
    int refuse;       /* >0: refuse (-ENOBUFS) that many frames */
};

struct h {
    struct stack *s;
    struct iface *eth, *raw;
    struct cap ecap, rcap;
    uint64_t snap[SG_C__COUNT];
};

static inline uint32_t A4(unsigned a, unsigned b, unsigned c, unsigned d)
{
    uint8_t x[4] = {(uint8_t)a, (uint8_t)b, (uint8_t)c, (uint8_t)d};
    uint32_t v;
    memcpy(&v, x, 4);
    return v;
}

#define OUR_ETH_IP A4(10, 0, 0, 1)
#define PEER_ETH_IP A4(10, 0, 0, 2)
#define GW_IP A4(10, 0, 0, 254)
#define OUR_RAW_IP A4(10, 1, 0, 1)
#define PEER_RAW_IP A4(10, 1, 0, 2)

static const struct eth_addr OUR_MAC = {{0x02, 0, 0, 0, 0, 0x01}};
static const struct eth_addr PEER_MAC = {{0x02, 0, 0, 0, 0, 0x02}};
static const struct eth_addr BCAST_MAC = {{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}};

static inline int cap_xmit(void *ctx, struct buf *f, sg_time now)
{
    (void)now;
    struct cap *c = ctx;
    if (c->refuse > 0) {
        c->refuse--;
        buf_free(f);
        return -ENOBUFS;
    }
    if (c->n == CAP_MAX) {
        buf_free(f);
        return 0;
    }
    c->f[c->n++] = f;
    return 0;
}

/* The next captured frame (caller frees), or NULL. */
static inline struct buf *cap_take(struct cap *c)
{
    return c->head < c->n ? c->f[c->head++] : NULL;
}
static inline unsigned cap_pending(const struct cap *c)
{
    return c->n - c->head;
}
static inline void cap_clear(struct cap *c)
{
    struct buf *b;
    while ((b = cap_take(c)) != NULL)
        buf_free(b);
    c->head = c->n = 0;
}

static inline void h_snap(struct h *h)
{
    memcpy(h->snap, h->s->counters, sizeof(h->snap));
}

/* Since the last h_snap(): each counter in the -1-terminated list moved by
 * exactly `by`, every other counter not at all. */
static inline void h_expect_moved_by(struct h *h, uint64_t by, ...)
{
    uint64_t want[SG_C__COUNT] = {0};
    va_list ap;
    va_start(ap, by);
    for (int c = va_arg(ap, int); c >= 0; c = va_arg(ap, int))
        want[c] = by;
    va_end(ap);
    for (int c = 0; c < SG_C__COUNT; c++) {
        uint64_t d = h->s->counters[c] - h->snap[c];
        if (d != want[c])
            fail_msg("counter %s moved by %llu, expected %llu", sg_counter_name((enum sg_counter)c),
                     (unsigned long long)d, (unsigned long long)want[c]);
    }
}
#define h_expect_moved(h, ...) h_expect_moved_by((h), 1, __VA_ARGS__, -1)
#define C(x) SG_C_##x

static inline struct h *h_new(const struct sg_config *cfg)
{
    struct h *h = calloc(1, sizeof(*h));
    assert_non_null(h);
    struct sg_config c = {.seed = 42};
    if (cfg)
        c = *cfg;
    h->s = stack_new(&c);
    assert_non_null(h->s);
    h->eth = stack_add_iface(h->s, "eth0", IFACE_ETHERNET, 1500, OUR_MAC.b, cap_xmit, &h->ecap);
    h->raw = stack_add_iface(h->s, "tun0", IFACE_RAW_IP, 1500, NULL, cap_xmit, &h->rcap);
    assert_non_null(h->eth);
    assert_non_null(h->raw);
    struct ipaddr a = ipaddr_v4(OUR_ETH_IP), r = ipaddr_v4(OUR_RAW_IP);
    assert_int_equal(iface_add_addr(h->eth, &a, 24), 0);
    assert_int_equal(iface_add_addr(h->raw, &r, 24), 0);
    struct ipaddr any = ipaddr_v4(0), gw = ipaddr_v4(GW_IP);
    assert_int_equal(route_add(h->s, &any, 0, &gw, h->eth), 0);
    cap_clear(&h->ecap); /* the gratuitous ARP of the address */
    cap_clear(&h->rcap);
    h_snap(h);
    return h;
}

static inline void h_free(struct h *h)
{
    cap_clear(&h->ecap);
    cap_clear(&h->rcap);
    stack_free(h->s);
    free(h);
}

static inline int h_setup(void **state)
{
    *state = h_new(NULL);
    return 0;
}
static inline int h_teardown(void **state)
{
    h_free(*state);
    return 0;
}

/* ---- frame builders ---- */

struct ip_spec {
    uint32_t src, dst;
    uint8_t proto, ttl, tos;
    uint16_t id, frag_off; /* frag_off in bytes */
    bool mf, df;
};

/* An IPv4 datagram with the given header and payload (IP header at data). */
static inline struct buf *mk_ip(const struct ip_spec *sp, const void *payload, size_t len)
{
    struct ip4_repr r = {
        .tos = sp->tos,
        .total_len = (uint16_t)(IP4_HDR_MIN + len),
        .id = sp->id,
        .df = sp->df,
        .mf = sp->mf,
        .frag_off = sp->frag_off,
        .ttl = sp->ttl ? sp->ttl : 64,
        .proto = sp->proto,
        .src = sp->src,
        .dst = sp->dst,
    };
    struct buf *b = buf_alloc(SG_HEADROOM, IP4_HDR_MIN + len);
    assert_non_null(b);
    ip4_emit(&r, b->data);
    if (len)
        memcpy(b->data + IP4_HDR_MIN, payload, len);
    return b;
}

/* An ICMP message of `type` (echo: id/seq) with data. */
static inline size_t mk_icmp_bytes(uint8_t *out, uint8_t type, uint8_t code, uint16_t id,
                                   uint16_t seq, const void *data, size_t len)
{
    struct icmp4_repr r = {.type = type,
                           .code = code,
                           .id = id,
                           .seq = seq,
                           .data = len ? data : (const void *)"",
                           .data_len = len};
    return icmp4_emit(&r, out);
}

static inline struct buf *mk_echo(uint32_t src, uint32_t dst, uint8_t type, uint16_t id,
                                  uint16_t seq, const void *data, size_t len)
{
    uint8_t *p = malloc(ICMP4_HDR_LEN + len);
    assert_non_null(p);
    size_t n = mk_icmp_bytes(p, type, 0, id, seq, data, len);
    struct ip_spec sp = {.src = src, .dst = dst, .proto = IP4_PROTO_ICMP, .id = 7};
    struct buf *b = mk_ip(&sp, p, n);
    free(p);
    return b;
}

/* A UDP datagram; csum: compute the checksum (else 0 = none). */
static inline struct buf *mk_udp(uint32_t src, uint32_t dst, uint16_t sport, uint16_t dport,
                                 const void *data, size_t len, bool csum)
{
    uint8_t *p = malloc(UDP_HDR_LEN + len);
    assert_non_null(p);
    struct udp_repr u = {.sport = sport, .dport = dport, .len = (uint16_t)(UDP_HDR_LEN + len)};
    udp_emit(&u, p);
    if (len)
        memcpy(p + UDP_HDR_LEN, data, len);
    if (csum)
        udp_csum_fill(p, UDP_HDR_LEN + len,
                      csum_pseudo4(src, dst, IP4_PROTO_UDP, (uint16_t)(UDP_HDR_LEN + len)));
    struct ip_spec sp = {.src = src, .dst = dst, .proto = IP4_PROTO_UDP, .id = 9};
    struct buf *b = mk_ip(&sp, p, UDP_HDR_LEN + len);
    free(p);
    return b;
}

/* Put an Ethernet header in front of b. */
static inline struct buf *eth_wrap(struct buf *b, const struct eth_addr *dst,
                                   const struct eth_addr *src, uint16_t type)
{
    uint8_t *p = buf_push(b, ETH_HDR_LEN);
    assert_non_null(p);
    struct eth_repr e = {.dst = *dst, .src = *src, .type = type};
    eth_emit(&e, p);
    return b;
}

static inline struct buf *mk_arp(uint16_t op, const struct eth_addr *sha, uint32_t spa,
                                 const struct eth_addr *tha, uint32_t tpa)
{
    struct buf *b = buf_alloc(SG_HEADROOM, ARP_LEN);
    assert_non_null(b);
    struct arp_repr a = {.op = op, .sha = *sha, .spa = spa, .tha = *tha, .tpa = tpa};
    arp_emit(&a, b->data);
    return b;
}

/* Feed an IP datagram on the raw interface / in an Ethernet frame to us
 * from the peer. */
static inline void h_in_raw(struct h *h, struct buf *ipb, sg_time now)
{
    stack_input(h->s, h->raw, ipb, now);
}
static inline void h_in_eth(struct h *h, struct buf *ipb, sg_time now)
{
    stack_input(h->s, h->eth, eth_wrap(ipb, &OUR_MAC, &PEER_MAC, ETH_TYPE_IP4), now);
}

/* Parse a captured raw-IP frame: IPv4 header valid (checksum included),
 * returns the header, b->data left at the IP header. */
static inline struct ip4_repr cap_ip(const struct buf *b)
{
    struct ip4_repr r;
    int n = ip4_parse(b->data, b->len, &r);
    assert_true(n > 0);
    assert_int_equal(n, b->len);
    return r;
}
/* Same for a captured Ethernet frame carrying IPv4: checks the Ethernet
 * header (our source MAC, `dst`) and pulls it. */
static inline struct ip4_repr cap_eth_ip(struct buf *b, const struct eth_addr *dst)
{
    struct eth_repr e;
    assert_int_equal(eth_parse(b->data, b->len, &e), WIRE_OK);
    assert_int_equal(e.type, ETH_TYPE_IP4);
    assert_memory_equal(e.src.b, OUR_MAC.b, 6);
    assert_memory_equal(e.dst.b, dst->b, 6);
    buf_pull(b, ETH_HDR_LEN);
    return cap_ip(b);
}
/* A captured Ethernet frame carrying ARP: checks and parses it. */
static inline struct arp_repr cap_arp(const struct buf *b, const struct eth_addr *dst)
{
    struct eth_repr e;
    assert_int_equal(eth_parse(b->data, b->len, &e), WIRE_OK);
    assert_int_equal(e.type, ETH_TYPE_ARP);
    assert_memory_equal(e.src.b, OUR_MAC.b, 6);
    assert_memory_equal(e.dst.b, dst->b, 6);
    struct arp_repr a;
    assert_int_equal(arp_parse(b->data + ETH_HDR_LEN, b->len - ETH_HDR_LEN, &a), WIRE_OK);
    return a;
}

/* Make the peer 10.0.0.2 known (REACHABLE) on eth0: it asks for us by a
 * unicast request twice (create, then confirm), and we answer both. */
static inline void h_learn_peer(struct h *h, sg_time now)
{
    for (int i = 0; i < 2; i++) {
        struct buf *b = mk_arp(ARP_REQUEST, &PEER_MAC, PEER_ETH_IP, &OUR_MAC, OUR_ETH_IP);
        stack_input(h->s, h->eth, eth_wrap(b, &OUR_MAC, &PEER_MAC, ETH_TYPE_ARP), now);
    }
    assert_int_equal(arp_lookup(h->s, h->eth, PEER_ETH_IP, NULL), ARP_REACHABLE);
    cap_clear(&h->ecap);
}
#endif

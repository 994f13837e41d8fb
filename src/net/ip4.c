/* IPv4 input and output for a host; the paths are described in net/ip4.h.
 * ip_output's contract is in net/stack.h. */
#include <errno.h>
#include <string.h>
#include <sys/socket.h> /* AF_INET */

#include "net/iface.h"
#include "wire/csum.h"
#include "wire/icmp4.h"
#include "wire/ip4.h"
#include "wire/udp.h"

void ip4_init(struct stack *s)
{
    prng_fill(&s->prng, s->net->ip4.ids, sizeof(s->net->ip4.ids));
    prng_fill(&s->prng, &s->net->ip4.atomic_id, sizeof(s->net->ip4.atomic_id));
}

uint16_t ip4_next_id(struct stack *s, uint32_t src, uint32_t dst, uint8_t proto, bool df)
{
    /* An atomic datagram (DF set, never fragmented) has no use for its ID
     * (RFC 6864 4.1), so it takes a plain counter, as Linux's per-socket
     * inet_id: no keyed hash on TCP's per-segment path. */
    if (df)
        return s->net->ip4.atomic_id++;
    uint32_t key[3] = {src, dst, proto};
    uint64_t h = siphash24(&s->hash_key, key, sizeof(key));
    return s->net->ip4.ids[h % IP4_ID_BUCKETS]++;
}

/* Count a header the parser refused under the counter RFC 4293 and Linux
 * use for that reason. */
static void ip4_count_parse_error(struct stack *s, const struct buf *b, int err)
{
    switch (err) {
    case WIRE_ECSUM:
        STAT_INC(s, IP_IN_CSUM_ERRORS);
        return;
    case WIRE_ESHORT:
        /* ip4_parse says ESHORT both for a header cut short (Linux:
         * InHdrErrors) and for a total length beyond the frame (Linux:
         * InTruncatedPkts); the header's own length tells which. */
        if (b->len >= IP4_HDR_MIN && b->len >= (uint32_t)(b->data[0] & 0x0f) * 4) {
            STAT_INC(s, IP_IN_TRUNCATED);
            return;
        }
        STAT_INC(s, IP_IN_HDR_ERRORS);
        return;
    default: /* EVERSION, EBADLEN */
        STAT_INC(s, IP_IN_HDR_ERRORS);
        return;
    }
}

/* Is this datagram for us, and how? false: not ours (we do not forward).
 * Sets IPI_BCAST in *flags for a broadcast destination. */
static bool ip4_accept_addrs(struct stack *s, struct iface *ifp, const struct ip4_repr *r,
                             unsigned *flags)
{
    /* RFC 1122 §3.2.1.3: a source that is not one host -- broadcast or
     * multicast -- is discarded; loopback addresses never arrive on a
     * real interface (Linux: martian source/destination). */
    if (ip4_is_multicast(r->src) || iface_is_bcast4(ifp, r->src) || ip4_is_loopback(r->src) ||
        ip4_is_loopback(r->dst))
        return false;
    if (stack_has_addr4(s, r->dst)) /* weak host model, RFC 1122 §3.3.4.2 */
        return true;
    if (iface_is_bcast4(ifp, r->dst)) {
        *flags |= IPI_BCAST;
        return true;
    }
    return false; /* includes multicast: no group is joined yet */
}

void ip4_input(struct stack *s, struct iface *ifp, struct buf *b, unsigned link_flags, sg_time now)
{
    STAT_INC(s, IP_IN_RECEIVES);
    struct ip4_repr r;
    int n = ip4_parse(b->data, b->len, &r);
    if (n < 0) {
        ip4_count_parse_error(s, b, n);
        buf_free(b);
        return;
    }
    buf_trim(b, (size_t)n); /* link-layer padding (Ethernet pads to 60) */
    unsigned flags = link_flags;
    if (!ip4_accept_addrs(s, ifp, &r, &flags)) {
        STAT_INC(s, IP_IN_ADDR_ERRORS);
        buf_free(b);
        return;
    }
    if (r.mf || r.frag_off) {
        b = ip4_reass_add(s, ifp, b, &r, flags, now);
        if (!b)
            return;
        /* The reassembled header is well formed by construction. */
        n = ip4_parse(b->data, b->len, &r);
        if (n < 0) {
            STAT_INC(s, IP_IN_HDR_ERRORS);
            buf_free(b);
            return;
        }
    }
    struct ip_info ip = {
        .src = ipaddr_v4(r.src),
        .dst = ipaddr_v4(r.dst),
        .proto = r.proto,
        .ttl = r.ttl,
        .tos = r.tos,
        .family = AF_INET,
        .flags = (uint8_t)flags,
        .ifp = ifp,
        .hdr = b->data,
        .hdr_len = r.hdr_len,
    };
    buf_pull(b, r.hdr_len);
    const struct l4_proto *l4 = &s->l4[r.proto];
    if (!l4->input) {
        STAT_INC(s, IP_IN_UNKNOWN_PROTOS);
        icmp4_send_error(s, &ip, b->data, b->len, ICMP4_DEST_UNREACH, ICMP4_PROTO_UNREACH, 0, now);
        buf_free(b);
        return;
    }
    STAT_INC(s, IP_IN_DELIVERS);
    l4->input(s, &ip, b, now);
}

int ip4_xmit_hop(struct stack *s, const struct route_hop *hop, struct buf *b, sg_time now)
{
    if (hop->ifp->kind == IFACE_ETHERNET)
        return arp_output(s, hop->ifp, hop->nexthop, b, now);
    return iface_xmit(hop->ifp, b, now);
}

/* A datagram about to be fragmented must carry its real transport
 * checksum: fragments are never completed downstream (link/offload.c
 * refuses them), and the sum spans the whole datagram. The field is
 * recomputed from scratch, so what the transport left in it does not
 * matter. Only UDP can get here (TCP sets DF; ICMP is always complete). */
static void ip4_csum_complete(struct buf *b, uint32_t src, uint32_t dst, uint8_t proto)
{
    if (!(b->flags & BUF_CSUM_PARTIAL))
        return;
    b->flags &= ~(uint32_t)BUF_CSUM_PARTIAL;
    if (proto == IP4_PROTO_UDP && b->len >= UDP_HDR_LEN)
        udp_csum_fill(b->data, b->len, csum_pseudo4(src, dst, proto, (uint16_t)b->len));
}

/* Send the transport payload of b (at b->data) as fragments of at most
 * hop->ifp->mtu bytes (RFC 791 §3.2 "Fragmentation"); takes b. */
static int ip4_fragment(struct stack *s, const struct route_hop *hop, struct ip4_repr *r,
                        struct buf *b, sg_time now)
{
    uint32_t hl = IP4_HDR_MIN;
    uint32_t chunk = (hop->ifp->mtu - hl) & ~7u; /* >= 48: MTU >= 68 */
    int err = 0;
    ip4_csum_complete(b, r->src, r->dst, r->proto);
    for (uint32_t off = 0; off < b->len; off += chunk) {
        uint32_t n = b->len - off < chunk ? b->len - off : chunk;
        struct buf *f = buf_alloc(SG_HEADROOM, hl + n);
        if (!f) {
            STAT_INC(s, IP_OUT_DISCARDS);
            err = -ENOBUFS;
            break;
        }
        r->frag_off = (uint16_t)off;
        r->mf = off + n < b->len;
        r->total_len = (uint16_t)(hl + n);
        ip4_emit(r, f->data);
        memcpy(f->data + hl, b->data + off, n);
        STAT_INC(s, IP_FRAG_CREATES);
        int e = ip4_xmit_hop(s, hop, f, now);
        if (e < 0 && !err)
            err = e;
    }
    buf_free(b);
    return err;
}

/* The interface holding local address a (network order), NULL if none. */
static struct iface *ip4_iface_of(struct stack *s, uint32_t a)
{
    for (struct iface *ifp = s->ifaces; ifp; ifp = ifp->next)
        if (iface_has_addr4(ifp, a))
            return ifp;
    return NULL;
}

/* ip_output to one of our own addresses (net/ip4.h): Linux routes it
 * through lo, which hands it back to IP input from the backlog softirq,
 * after the sender's call returns. The queue plays that backlog. */
static int ip4_loop_output(struct stack *s, const struct ipaddr *src, uint32_t d, uint8_t proto,
                           uint8_t ttl, uint8_t tos, struct buf *b)
{
    struct ip4_state *st = &s->net->ip4;
    uint32_t total = IP4_HDR_MIN + b->len;
    if (total > 65535) {
        STAT_INC(s, IP_OUT_DISCARDS);
        buf_free(b);
        return -EMSGSIZE;
    }
    struct ip4_repr r = {
        .tos = tos,
        .total_len = (uint16_t)total,
        .df = proto == IP4_PROTO_TCP,
        .ttl = ttl ? ttl : (uint8_t)s->cfg.ip_default_ttl,
        .proto = proto,
        /* Linux's local route has the address itself as preferred source. */
        .src = src && !ipaddr_is_any(src) ? ipaddr_v4_be(src) : d,
        .dst = d,
    };
    r.id = ip4_next_id(s, r.src, r.dst, proto, r.df);
    STAT_INC(s, IP_OUT_REQUESTS);
    uint8_t *h = st->loop_len < IP4_LOOP_MAX ? buf_push(b, IP4_HDR_MIN) : NULL;
    if (!h) {
        STAT_INC(s, IP_OUT_DISCARDS);
        buf_free(b);
        return -ENOBUFS;
    }
    ip4_emit(&r, h);
    /* Nothing leaves the process, so the bytes cannot change: the
     * receiver need not verify (or complete) the transport checksum. */
    b->flags = (b->flags & ~(uint32_t)BUF_CSUM_PARTIAL) | BUF_CSUM_VERIFIED;
    b->next = NULL;
    if (st->loop_tail)
        st->loop_tail->next = b;
    else
        st->loop_head = b;
    st->loop_tail = b;
    st->loop_len++;
    return 0;
}

void ip4_loop_run(struct stack *s, sg_time now)
{
    struct ip4_state *st = &s->net->ip4;
    struct buf *b = st->loop_head;
    st->loop_head = st->loop_tail = NULL;
    st->loop_len = 0;
    while (b) {
        struct buf *next = b->next;
        b->next = NULL;
        uint32_t dst;
        memcpy(&dst, b->data + 16, 4); /* we wrote the header: it is there */
        struct iface *ifp = ip4_iface_of(s, dst);
        if (ifp) {
            ip4_input(s, ifp, b, 0, now);
        } else {
            buf_free(b); /* cannot happen: addresses are never removed */
        }
        b = next;
    }
}

bool ip4_loop_pending(const struct stack *s)
{
    return s->net->ip4.loop_head != NULL;
}

void ip4_loop_free(struct stack *s)
{
    buf_free_chain(s->net->ip4.loop_head);
    s->net->ip4.loop_head = s->net->ip4.loop_tail = NULL;
    s->net->ip4.loop_len = 0;
}

int ip_output(struct stack *s, const struct ipaddr *src, const struct ipaddr *dst, uint8_t proto,
              uint8_t ttl, uint8_t tos, struct buf *b, sg_time now)
{
    s->now = now;
    if (!ipaddr_is_v4(dst) || (src && !ipaddr_is_any(src) && !ipaddr_is_v4(src))) {
        STAT_INC(s, IP_OUT_DISCARDS);
        buf_free(b);
        return -EAFNOSUPPORT; /* IPv6 is not implemented yet */
    }
    uint32_t d = ipaddr_v4_be(dst);
    if (stack_has_addr4(s, d))
        return ip4_loop_output(s, src, d, proto, ttl, tos, b);
    struct route_hop hop;
    if (route_lookup4(s, d, &hop) < 0) {
        STAT_INC(s, IP_OUT_NO_ROUTES);
        buf_free(b);
        return -ENETUNREACH;
    }
    if (ip4_is_limited_bcast(d) || ip4_is_multicast(d))
        hop.nexthop = d; /* on the link of the chosen interface, never via a gateway */
    uint32_t total = IP4_HDR_MIN + b->len;
    if (total > 65535) {
        STAT_INC(s, IP_OUT_DISCARDS);
        buf_free(b);
        return -EMSGSIZE;
    }
    /* DF: set for TCP, which runs RFC 1191 path MTU discovery through its
     * l4 error handler (as Linux, ip_no_pmtu_disc=0). Clear for the others:
     * there is no per-destination PMTU cache for datagrams yet, so DF on
     * UDP would black-hole it behind a smaller MTU (Linux sets DF on UDP
     * that fits only because it keeps such a cache); ICMP is sent without
     * DF as Linux's icmp socket does (IP_PMTUDISC_DONT). */
    struct ip4_repr r = {
        .tos = tos,
        .total_len = (uint16_t)total,
        .df = proto == IP4_PROTO_TCP,
        .ttl = ttl ? ttl : (uint8_t)s->cfg.ip_default_ttl,
        .proto = proto,
        .src = src && !ipaddr_is_any(src) ? ipaddr_v4_be(src) : hop.src,
        .dst = d,
    };
    r.id = ip4_next_id(s, r.src, r.dst, proto, r.df);
    STAT_INC(s, IP_OUT_REQUESTS);
    if (total > hop.ifp->mtu) {
        if (r.df) {
            STAT_INC(s, IP_OUT_DISCARDS);
            buf_free(b);
            return -EMSGSIZE;
        }
        return ip4_fragment(s, &hop, &r, b, now);
    }
    uint8_t *h = buf_push(b, IP4_HDR_MIN);
    if (!h) {
        STAT_INC(s, IP_OUT_DISCARDS);
        buf_free(b);
        return -ENOBUFS;
    }
    ip4_emit(&r, h);
    return ip4_xmit_hop(s, &hop, b, now);
}

/* IPv4 input and output for a host (RFC 791, RFC 1122 §3.2.1, §3.3).
 *
 * Input path (this file):
 *   stack_input / eth_input -> ip4_input: validate the header (ip4_parse,
 *     checks in Linux's ip_rcv_core order), trim link padding, check the
 *     addresses (ours or a broadcast we accept; we never forward)
 *     -> ip4_reass_add (net/ip4_reass.h) when a fragment
 *     -> s->l4[proto].input, or ICMP protocol unreachable.
 *   Every datagram counts IP_IN_RECEIVES; every drop counts exactly one of
 *   IP_IN_HDR_ERRORS, IP_IN_CSUM_ERRORS, IP_IN_TRUNCATED, IP_IN_ADDR_ERRORS,
 *   IP_IN_UNKNOWN_PROTOS or a reassembly counter; every delivery
 *   IP_IN_DELIVERS.
 *
 * Output path: ip_output (net/stack.h) -> route_lookup4 -> header ->
 *   fragmentation if needed and allowed -> ip4_xmit_hop: arp_output on
 *   Ethernet, iface_xmit on raw IP.
 *
 * Not implemented (yet): IP options are accepted on input but not acted
 * upon (no source routing, record route or timestamps: RFC 7126 §4 lets a
 * host ignore them) and never emitted; multicast reception (no groups are
 * joined, so multicast datagrams count IP_IN_ADDR_ERRORS); loopback
 * delivery of datagrams a stack sends to its own address (ip_output
 * returns -EHOSTUNREACH).
 */
#ifndef SG_NET_IP4_H
#define SG_NET_IP4_H
#include <stdint.h>
#include "base/buf.h"
#include "base/time.h"

struct stack;
struct iface;
struct route_hop;

/* IP identification (RFC 6864): one counter per bucket of
 * hash(src, dst, proto) with a per-stack key, starting at random values,
 * so the IDs a peer sees neither repeat quickly nor reveal our traffic
 * to others (as Linux's ip_idents). */
#define IP4_ID_BUCKETS 256

struct ip4_state {
    uint16_t ids[IP4_ID_BUCKETS];
};

void ip4_init(struct stack *s);

/* A received IPv4 datagram at b->data (link header pulled); takes b.
 * link_flags: IPI_LINK_BCAST if it came as a link-layer broadcast. */
void ip4_input(struct stack *s, struct iface *ifp, struct buf *b, unsigned link_flags, sg_time now);

/* Hand a complete datagram (IP header at b->data) to the link of `hop`.
 * Takes b. 0 or -errno. */
int ip4_xmit_hop(struct stack *s, const struct route_hop *hop, struct buf *b, sg_time now);

/* The next IP identification for a datagram (src, dst, proto). */
uint16_t ip4_next_id(struct stack *s, uint32_t src, uint32_t dst, uint8_t proto);
#endif

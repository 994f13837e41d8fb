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
 *   A datagram to one of our own addresses takes Linux's loopback route
 *   instead: source = destination unless one was given, MTU 65535 (so
 *   never fragmented), queued on the stack's loopback queue and handed to
 *   ip4_input by the next stack_poll (never recursively from ip_output, so
 *   a transport is never re-entered from its own output). It counts
 *   IP_OUT_REQUESTS going out and IP_IN_RECEIVES/IP_IN_DELIVERS coming in,
 *   as Linux counts traffic over lo; no link counters move.
 *
 * Not implemented (yet): IP options are accepted on input but not acted
 * upon (no source routing, record route or timestamps: RFC 7126 §4 lets a
 * host ignore them) and never emitted; multicast reception (no groups are
 * joined, so multicast datagrams count IP_IN_ADDR_ERRORS); broadcasts
 * are not looped back to the sender's own sockets.
 */
#ifndef SG_NET_IP4_H
#define SG_NET_IP4_H
#include <stdbool.h>
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

/* Linux's netdev_max_backlog: datagrams beyond this many waiting on the
 * loopback queue are dropped (-ENOBUFS, IP_OUT_DISCARDS). */
#define IP4_LOOP_MAX 1000

struct ip4_state {
    uint16_t ids[IP4_ID_BUCKETS];
    uint16_t atomic_id; /* IDs of atomic datagrams (DF set), see ip4_next_id */
    /* Datagrams to our own addresses, IP header at data, waiting for the
     * next stack_poll (FIFO through buf->next). */
    struct buf *loop_head, *loop_tail;
    uint32_t loop_len;
};

void ip4_init(struct stack *s);

/* A received IPv4 datagram at b->data (link header pulled); takes b.
 * link_flags: IPI_LINK_BCAST if it came as a link-layer broadcast. */
void ip4_input(struct stack *s, struct iface *ifp, struct buf *b, unsigned link_flags, sg_time now);

/* Hand a complete datagram (IP header at b->data) to the link of `hop`.
 * Takes b. 0 or -errno. */
int ip4_xmit_hop(struct stack *s, const struct route_hop *hop, struct buf *b, sg_time now);

/* Deliver the datagrams queued on the loopback queue when the call
 * starts (those they cause wait for the next call, so a conversation
 * with oneself cannot livelock one call). */
void ip4_loop_run(struct stack *s, sg_time now);
/* Is anything waiting on the loopback queue? */
bool ip4_loop_pending(const struct stack *s);
/* Free the loopback queue (stack_free). */
void ip4_loop_free(struct stack *s);

/* The next IP identification for a datagram (src, dst, proto): a per-stack
 * counter for atomic datagrams (df), else the hashed bucket counter. */
uint16_t ip4_next_id(struct stack *s, uint32_t src, uint32_t dst, uint8_t proto, bool df);
#endif

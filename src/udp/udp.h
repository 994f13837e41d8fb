/* UDP (RFC 768) input for the core, minimal for now: validation, counters,
 * and delivery through the socket layer's hook s->udp_deliver (net/stack.h),
 * or ICMP port unreachable (RFC 1122 §4.1.3.1) when no socket takes the
 * datagram.
 *
 * Input path: ip4_input -> s->l4[17].input = udp_input
 *   -> udp_parse (length) -> checksum -> s->udp_deliver | port unreachable.
 * Drops count exactly one of UDP_IN_ERRORS (bad length or checksum),
 * UDP_NO_PORTS, UDP_RCVBUF_ERRORS; deliveries UDP_IN_DATAGRAMS.
 *
 * Checksum: a zero field means none was computed (RFC 768, IPv4 only) and
 * is accepted; a frame marked BUF_CSUM_VERIFIED or BUF_CSUM_PARTIAL
 * (crossed only in-memory links, link/link.h) is trusted as Linux trusts
 * loopback; otherwise it is verified (RFC 1122 §4.1.3.4).
 */
#ifndef SG_UDP_UDP_H
#define SG_UDP_UDP_H
#include "base/buf.h"
#include "base/time.h"

struct stack;
struct ip_info;

/* Register UDP's input in s->l4[17]. */
void udp_init(struct stack *s);
/* The l4 input handler (b->data: UDP header). Takes b. */
void udp_input(struct stack *s, const struct ip_info *ip, struct buf *b, sg_time now);
#endif

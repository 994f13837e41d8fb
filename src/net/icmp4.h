/* ICMPv4 for a host (RFC 792, RFC 1122 §3.2.2).
 *
 * Input (icmp4_input, registered as s->l4[1].input):
 *   echo request -> echo reply (same id, seq, data; from the address the
 *     request was sent to). Echo requests to a broadcast or multicast
 *     address are ignored (Linux icmp_echo_ignore_broadcasts=1).
 *   echo reply -> s->on_echo_reply(s->echo_ctx, ...) if set.
 *   destination unreachable, time exceeded, parameter problem -> the
 *     quoted datagram's transport: s->l4[quoted proto].error(...), with
 *     `info` = the next-hop MTU for "fragmentation needed" (RFC 1191 §4),
 *     the pointer for parameter problem, else 0.
 *   anything else is ignored (RFC 1122 §3.2.2: unknown types MUST be
 *     silently discarded), counted ICMP_DROP_IGNORED, as are errors sent
 *     to a broadcast address (RFC 1122 §3.2.2) and messages nobody takes.
 *   Short or corrupt messages count ICMP_IN_ERRORS.
 *
 * Errors sent (icmp4_send_error): never about an ICMP error message, a
 * datagram sent to a broadcast or multicast address or as a link-layer
 * broadcast, a fragment other than the first, or a datagram whose source
 * does not name one host (RFC 1122 §3.2.2, RFC 1812 §4.3.2.7). They quote
 * the original IP header and the first 8 bytes of its payload (RFC 792).
 * A token bucket limits them to cfg.icmp_msgs_per_sec with a burst of
 * ICMP4_BURST, as Linux's icmp_msgs_per_sec/icmp_msgs_burst; errors over
 * the limit are counted ICMP_OUT_RATELIMITED and not sent. Echo replies
 * are not limited (Linux's icmp_ratemask excludes them).
 */
#ifndef SG_NET_ICMP4_H
#define SG_NET_ICMP4_H
#include <stddef.h>
#include <stdint.h>
#include "base/buf.h"
#include "base/time.h"
#include "net/addr.h"

struct stack;
struct ip_info;

#define ICMP4_BURST 50

struct icmp4_state {
    uint32_t tokens; /* errors that may be sent now, <= ICMP4_BURST */
    sg_time last;    /* time up to which tokens have been credited */
};

/* Register ICMP in s->l4[1] and fill the token bucket. */
void icmp4_init(struct stack *s);

/* The l4 input handler (b->data: ICMP header). Takes b. */
void icmp4_input(struct stack *s, const struct ip_info *ip, struct buf *b, sg_time now);

/* Send an ICMP error (type, code; `info`: the next-hop MTU for
 * fragmentation needed, the pointer for parameter problem, else 0) about
 * the received datagram described by `ip` (ip->hdr: its IP header), whose
 * transport header and payload are l4[0..l4_len). Subject to the rules and
 * the rate limit above; counts ICMP_OUT_* when sent. */
void icmp4_send_error(struct stack *s, const struct ip_info *ip, const uint8_t *l4, size_t l4_len,
                      int type, int code, uint32_t info, sg_time now);

/* Send an echo request to `dst` (IPv4) with identifier `id`, sequence
 * `seq` and `len` bytes of payload (copied). Replies arrive through
 * s->on_echo_reply. Returns 0 (sent, or queued for ARP) or ip_output's
 * -errno (-ENETUNREACH, -EHOSTUNREACH, -ENOBUFS, -EAFNOSUPPORT for IPv6,
 * -EMSGSIZE above 65507 bytes). */
int icmp4_echo_send(struct stack *s, const struct ipaddr *dst, uint16_t id, uint16_t seq,
                    const void *payload, size_t len, sg_time now);
#endif

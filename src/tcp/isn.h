/* Initial sequence numbers (RFC 6528; RFC 9293 §3.4.1):
 *   ISN = M + F(localip, localport, remoteip, remoteport, secretkey)
 * M is a 4-microsecond timer (RFC 9293 §3.4.1: the clock ticks every
 * 4 us), derived from `now`; F is SipHash-2-4 keyed with the stack's
 * secret (struct stack.hash_key, drawn from its PRNG at creation) over
 * the 4-tuple, truncated to 32 bits. Deterministic for fixed inputs, so
 * a seeded simulation reproduces; unpredictable to an off-path attacker
 * who does not know the key (RFC 6528 §3).
 *
 * Addresses are the core's 16-byte form (net/addr.h); ports in host
 * order. The result is a wire (32-bit) sequence number.
 */
#ifndef SG_TCP_ISN_H
#define SG_TCP_ISN_H
#include <stdint.h>
#include "base/siphash.h"
#include "base/time.h"
#include "net/addr.h"

#define ISN_TICK SG_US(4) /* M advances by one every 4 us */

uint32_t isn_generate(const struct siphash_key *key, const struct ipaddr *laddr, uint16_t lport,
                      const struct ipaddr *raddr, uint16_t rport, sg_time now);
/* The per-connection timestamp offset (RFC 7323 §5.4 / Linux
 * secure_tcp_ts_off): a keyed hash of the address pair only, so TSval
 * does not reveal the host's clock while staying monotonic across
 * connections between the same pair. Domain-separated from the ISN hash. */
uint32_t isn_ts_offset(const struct siphash_key *key, const struct ipaddr *laddr,
                       const struct ipaddr *raddr);
#endif

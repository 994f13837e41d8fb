/* IPv4 reassembly (RFC 791 §3.2 "Reassembly", RFC 815), with the limits
 * and the strictness of Linux since 2018 (CVE-2018-5391):
 *
 *  - A datagram is identified by (src, dst, protocol, id) (RFC 791).
 *  - A fragment that overlaps one already held only partly, or that
 *    contradicts a known end of the datagram, abandons the whole datagram
 *    (RFC 5722 made this the rule for IPv6; Linux applies it to IPv4):
 *    counted once, IP_REASM_OVERLAPS. A fragment entirely inside one
 *    already held (a duplicate) is dropped alone: IP_REASM_FAILS.
 *  - Memory: the bytes of held fragments (IP header + payload, plus
 *    IP4_REASS_FRAG_OVERHEAD each for bookkeeping, as Linux counts an
 *    skb's truesize) never exceed cfg.ip_reasm_max_bytes; a fragment that
 *    would pass it is dropped (IP_REASM_FAILS), as Linux drops fragments
 *    above ipfrag_high_thresh. A fragment in a buffer much larger than
 *    itself is copied into a compact one, so the count is honest.
 *  - At most IP4_REASS_MAX_QUEUES datagrams are in reassembly at once and
 *    at most IP4_REASS_MAX_FRAGS fragments are held for one; a fragment
 *    beyond these is dropped (IP_REASM_FAILS).
 *  - A datagram not complete cfg.ip_reasm_timeout_ms after its first
 *    fragment arrived is abandoned (IP_REASM_TIMEOUT); if its first
 *    fragment (offset 0) had arrived, an ICMP time exceeded (fragment
 *    reassembly time exceeded) is sent, as RFC 1122 §3.3.2 says SHOULD.
 *  - A datagram longer than 65535 bytes, or a fragment with no payload,
 *    or a non-final fragment whose payload is not a multiple of 8, is
 *    dropped (IP_REASM_FAILS; the datagram too if it breaks the end).
 *
 * Each counter above counts one event; a fragment that completes a
 * datagram counts IP_REASM_OKS. Every fragment counts IP_REASM_REQDS.
 */
#ifndef SG_NET_IP4_REASS_H
#define SG_NET_IP4_REASS_H
#include <stdint.h>
#include "base/buf.h"
#include "base/time.h"

struct stack;
struct iface;
struct ip4_repr;
struct ip4_fragq;

#define IP4_REASS_MAX_QUEUES 64
#define IP4_REASS_MAX_FRAGS 128     /* enough for 64 KiB in 576-byte fragments */
#define IP4_REASS_FRAG_OVERHEAD 128 /* bytes counted per fragment held, besides its length */

struct ip4_reass {
    struct ip4_fragq *head; /* datagrams in reassembly, newest first */
    uint32_t nqueues;
    uint64_t bytes; /* held (with overhead), counted against cfg.ip_reasm_max_bytes */
};

void ip4_reass_init(struct stack *s);
/* Drop every datagram in reassembly (not counted). */
void ip4_reass_free(struct stack *s);

/* Add the fragment b (whole datagram at b->data, already validated and
 * trimmed; `r` its parsed header; `flags` its IPI_* flags). Takes b.
 * Returns the reassembled datagram when this fragment completes one --
 * a new buf with the first fragment's header (options included) at
 * b->data, total length set, MF and offset cleared, checksum valid --
 * or NULL. */
struct buf *ip4_reass_add(struct stack *s, struct iface *ifp, struct buf *b,
                          const struct ip4_repr *r, unsigned flags, sg_time now);
#endif

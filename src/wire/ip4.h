/* IPv4 header (RFC 791 §3.1): parse and emit.
 *
 * Options are not interpreted (the stack neither sends nor honours source
 * routes, record-route or timestamps, as RFC 7126 recommends for hosts);
 * they lie inside IHL and are exposed as bytes so a caller can look. The
 * reserved flag bit is ignored on input and sent as zero (RFC 791), as
 * Linux does. Reassembly is net/'s job: a fragment parses like any datagram,
 * with mf/frag_off telling what it is. */
#ifndef SG_WIRE_IP4_H
#define SG_WIRE_IP4_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wire/wire.h"

#define IP4_HDR_MIN 20
#define IP4_HDR_MAX 60

enum {
    IP4_PROTO_ICMP = 1,
    IP4_PROTO_TCP = 6,
    IP4_PROTO_UDP = 17,
};

struct ip4_repr {
    uint8_t hdr_len;    /* bytes, 20..60 (IHL * 4) */
    uint8_t tos;        /* DSCP << 2 | ECN (RFC 2474, RFC 3168) */
    uint16_t total_len; /* bytes, header + payload */
    uint16_t id;
    bool df, mf;       /* don't fragment, more fragments */
    uint16_t frag_off; /* bytes (the 13-bit field * 8) */
    uint8_t ttl, proto;
    uint32_t src, dst;   /* network order, as wire.h keeps IPv4 addresses */
    const uint8_t *opts; /* options bytes (parse: into p; emit: copied) */
    uint8_t opts_len;    /* bytes; 0..40 */
};

/* Parse the datagram at p[0..len), where len may exceed the datagram (a
 * link layer pads short frames: Ethernet to 60 bytes).
 * Returns total_len (> 0) on success -- the caller trims to it, and the
 * payload is p[hdr_len .. total_len) -- or, checked in Linux's order:
 *   WIRE_ESHORT    len < 20, or len < IHL * 4 (truncated header)
 *   WIRE_EVERSION  version is not 4
 *   WIRE_EBADLEN   IHL < 5
 *   WIRE_ECSUM     header checksum wrong
 *   WIRE_ESHORT    total_len > len (datagram truncated)
 *   WIRE_EBADLEN   total_len < IHL * 4 (impossible length field) */
int ip4_parse(const uint8_t *p, size_t len, struct ip4_repr *out);

/* Parse the header of a datagram quoted in an ICMP error (RFC 792; RFC 1812
 * §4.3.2.3): only the header and the first bytes of the payload are present,
 * so total_len may exceed len, and the checksum is not verified (routers are
 * not obliged to quote it intact). Still checks version, IHL >= 5,
 * len >= IHL * 4 and total_len >= IHL * 4. Returns hdr_len (> 0) -- the
 * quoted payload is p[hdr_len .. len) -- or WIRE_ESHORT, WIRE_EVERSION,
 * WIRE_EBADLEN. */
int ip4_parse_quoted(const uint8_t *p, size_t len, struct ip4_repr *out);

/* Bytes of header ip4_emit() writes for r: 20 + opts_len rounded up to 4. */
size_t ip4_hdr_len(const struct ip4_repr *r);

/* Write the header for r at out, with the header checksum. Writes
 * r->opts_len bytes of options from r->opts, padded with zero (End of
 * Option List) bytes to a multiple of 4; opts_len must be <= 40. total_len
 * is written as given (the caller's header + payload), frag_off must be a
 * multiple of 8. r->hdr_len is ignored. Returns ip4_hdr_len(r). */
size_t ip4_emit(const struct ip4_repr *r, uint8_t *out);

/* Pseudo-header sum (csum.h) for the payload of the datagram r describes:
 * csum_pseudo4(src, dst, proto, total_len - ip4_hdr_len(r)). Works on a
 * parsed repr (whose opts_len is hdr_len - 20) and on one built to emit. */
uint64_t ip4_pseudo(const struct ip4_repr *r);
#endif

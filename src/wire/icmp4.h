/* ICMPv4 messages (RFC 792, RFC 1191 §4, RFC 1122 §3.2.2): parse and emit.
 *
 * Understood types: echo request/reply (id, seq, payload), and the errors
 * that concern a host's transport -- destination unreachable (with the
 * next-hop MTU of "fragmentation needed", RFC 1191), time exceeded and
 * parameter problem -- each with the quoted original datagram. Any other
 * type (timestamp, redirect, router advertisement, the deprecated source
 * quench and information/address-mask messages, ...) is WIRE_EPROTO: the
 * stack ignores them, as RFC 1122 §3.2.2 lets a host ignore unknown types
 * and as Linux does for everything it does not answer. Codes are not
 * checked; they are reported for the caller to act on. */
#ifndef SG_WIRE_ICMP4_H
#define SG_WIRE_ICMP4_H
#include <stddef.h>
#include <stdint.h>

#include "wire/wire.h"

#define ICMP4_HDR_LEN 8
#define ICMP4_QUOTE_MIN 28 /* an IPv4 header and 64 bits of its data (RFC 792) */

enum {
    ICMP4_ECHO_REPLY = 0,
    ICMP4_DEST_UNREACH = 3,
    ICMP4_ECHO_REQUEST = 8,
    ICMP4_TIME_EXCEEDED = 11,
    ICMP4_PARAM_PROBLEM = 12,
};

/* Destination unreachable codes (RFC 792, RFC 1122 §3.2.2.1, RFC 1812). */
enum {
    ICMP4_NET_UNREACH = 0,
    ICMP4_HOST_UNREACH = 1,
    ICMP4_PROTO_UNREACH = 2,
    ICMP4_PORT_UNREACH = 3,
    ICMP4_FRAG_NEEDED = 4, /* carries the next-hop MTU (RFC 1191 §4) */
    ICMP4_SR_FAILED = 5,
    ICMP4_ADMIN_PROHIBITED = 13,
};

struct icmp4_repr {
    uint8_t type, code;
    uint16_t id, seq; /* echo request/reply; 0 otherwise */
    uint16_t mtu;     /* DEST_UNREACH/FRAG_NEEDED: next-hop MTU, 0 if the
                         router predates RFC 1191; 0 otherwise */
    uint8_t pointer;  /* PARAM_PROBLEM: offset of the bad octet; 0 otherwise */
    /* Echo: the payload. Errors: the quoted datagram (its IPv4 header, then
     * at least 8 bytes of its payload; see ip4_parse_quoted). */
    const uint8_t *data;
    size_t data_len;
};

/* Parse the ICMP message p[0..len) (len: the IP payload length, after
 * trimming to total_len). Verifies the checksum over all len bytes.
 * Returns WIRE_OK, or
 *   WIRE_ESHORT  len < 8, or an error message quotes < ICMP4_QUOTE_MIN bytes
 *   WIRE_ECSUM   checksum wrong
 *   WIRE_EPROTO  a type not listed above */
int icmp4_parse(const uint8_t *p, size_t len, struct icmp4_repr *out);

/* Bytes icmp4_emit() writes: ICMP4_HDR_LEN + data_len. */
size_t icmp4_len(const struct icmp4_repr *r);

/* Write the message for r at out: the 8-byte header (fields not used by
 * r->type written as zero), then r->data (r->data may already be at
 * out + 8, or overlap it), and the checksum. Returns icmp4_len(r). */
size_t icmp4_emit(const struct icmp4_repr *r, uint8_t *out);
#endif

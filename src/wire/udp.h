/* UDP header (RFC 768): parse, emit and checksum.
 *
 * The checksum needs the IP pseudo-header, so it is a separate step, as for
 * TCP: udp_csum_ok() / udp_csum_fill() take the pseudo-header sum from
 * csum_pseudo4()/csum_pseudo6()/ip4_pseudo() (csum.h, ip4.h). */
#ifndef SG_WIRE_UDP_H
#define SG_WIRE_UDP_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wire/wire.h"

#define UDP_HDR_LEN 8

struct udp_repr {
    uint16_t sport, dport; /* host order */
    uint16_t len;          /* bytes, header + payload: the UDP length field */
    uint16_t csum;         /* the checksum field as received; 0 = none (IPv4) */
};

/* Parse the datagram at p[0..len), len being the IP payload length. The
 * UDP length field rules: the payload is p[8 .. r.len). Bytes after it are
 * ignored, as Linux does (it trims to the UDP length). Returns WIRE_OK, or
 *   WIRE_ESHORT   len < 8, or the length field exceeds len (truncated)
 *   WIRE_EBADLEN  the length field is < 8
 * The checksum is not verified here (see udp_csum_ok). */
int udp_parse(const uint8_t *p, size_t len, struct udp_repr *out);

/* Verify the checksum of the datagram p[0..len) (len = its UDP length),
 * given the pseudo-header sum. A zero checksum field means "not computed"
 * (RFC 768) and is only allowed over IPv4: the IPv4 caller accepts
 * r.csum == 0 without calling this; over IPv6 it is an error (RFC 8200
 * §8.1). So this function only checks the sum, and a zero field fails
 * unless the data happen to sum to it. */
bool udp_csum_ok(const uint8_t *p, size_t len, uint64_t pseudo);

/* Write the 8-byte header for r at out with checksum field 0 (which means
 * "none" over IPv4; call udp_csum_fill() to compute it). Returns 8. */
size_t udp_emit(const struct udp_repr *r, uint8_t *out);

/* Compute and store the checksum of the datagram at p (header written, the
 * checksum field's value does not matter). `acc` is the pseudo-header sum,
 * plus, optionally, the sum of payload bytes not at p: then len counts
 * only the bytes at p, which must be even unless they are all of it (see
 * csum.h "Pieces and parity"). This lets the payload be checksummed while
 * it is copied in (csum_copy) and the header added last. A computed 0 is
 * sent as 0xffff, since 0 means "none" (RFC 768). */
void udp_csum_fill(uint8_t *p, size_t len, uint64_t acc);
#endif

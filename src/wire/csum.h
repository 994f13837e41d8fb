/* The Internet checksum (RFC 1071), its incremental update (RFC 1624) and
 * the transport pseudo-headers (RFC 9293 §3.1, RFC 768, RFC 8200 §8.1).
 *
 * Accumulators. A checksum is built in a `uint64_t` accumulator ("acc"): a
 * ones'-complement sum of the data, not yet folded to 16 bits nor
 * complemented. Start from 0 (or from a pseudo-header sum), feed pieces with
 * csum_partial()/csum_copy()/csum_add16()/csum_add32(), and finish with
 * csum_fold(). Internally the sum is kept in the machine's byte order (RFC
 * 1071 §2(B): the sum is byte-order independent up to one final swap); only
 * csum_fold() and the csum_add* helpers know the byte order, so callers never
 * do. An accumulator returned by this module is always <= 2^32, so a caller
 * may also add two of them with plain `+` a few times; csum_add() is the
 * always-safe way.
 *
 * Pieces and parity. Each piece is summed as if it began at an even byte
 * offset of the checksummed whole. So when feeding a whole in several pieces,
 * every piece but the last must have even length -- or sum the piece on its
 * own (acc 0) and merge it with csum_combine(), which takes its offset.
 * Alignment of the pointers does not matter: any address, any length.
 *
 * Values. csum_fold() returns the checksum as a host-order number: store it
 * with wire_put16() into the header field. Verifying a received header or
 * segment is "csum_fold(sum over all of it, checksum field included) == 0".
 */
#ifndef SG_WIRE_CSUM_H
#define SG_WIRE_CSUM_H
#include <stddef.h>
#include <stdint.h>

/* Add n bytes at p to acc. Any alignment; n may be odd (the last byte is
 * padded with a zero byte, RFC 1071 §4.1), see "Pieces and parity". */
uint64_t csum_partial(const void *p, size_t n, uint64_t acc);

/* Copy n bytes from src to dst (must not overlap) and add them to acc, in one
 * pass over the data: the hot path of TCP bulk transfer (sending from the
 * socket buffer into a frame, receiving from a frame into the user buffer).
 * Same rules as csum_partial(). */
uint64_t csum_copy(void *restrict dst, const void *restrict src, size_t n, uint64_t acc);

/* Finish: fold acc to 16 bits with end-around carry and complement it.
 * Returns the checksum in host order (store with wire_put16). For a sum that
 * covers a received checksum field, 0 means "verified". */
uint16_t csum_fold(uint64_t acc);

/* Checksum of one buffer: csum_fold(csum_partial(p, n, 0)). */
uint16_t csum_buf(const void *p, size_t n);

/* a + b with end-around carry: merge two accumulators. */
uint64_t csum_add(uint64_t a, uint64_t b);

/* Add a 16- or 32-bit host-order value as if its big-endian bytes were in the
 * data at an even offset (pseudo-header lengths, protocol numbers). */
uint64_t csum_add16(uint64_t acc, uint16_t v);
uint64_t csum_add32(uint64_t acc, uint32_t v);

/* Merge `piece`, the accumulator of a piece summed on its own from acc 0,
 * into acc, where the piece starts at byte `offset` of the whole. An odd
 * offset swaps the bytes of the piece's sum (RFC 1071 §2(B)); an even one is
 * plain csum_add(). */
uint64_t csum_combine(uint64_t acc, uint64_t piece, size_t offset);

/* RFC 1624 incremental update, eqn. 3: HC' = ~(~HC + ~m + m'). hc is the old
 * checksum field, m the old value of a 16-bit (or 32-bit, two words) field at
 * an even offset of the checksummed data, m2 its new value; all host order.
 * Returns the new checksum field. Eqn. 3 (not eqn. 2) is used because it
 * gives exactly what a full recomputation gives, never a stray 0x0000 for
 * 0xffff (RFC 1624 §3-4), whenever the new data are not all zero. */
uint16_t csum_update16(uint16_t hc, uint16_t m, uint16_t m2);
uint16_t csum_update32(uint16_t hc, uint32_t m, uint32_t m2);

/* Pseudo-header sums, to be the starting acc of a TCP/UDP/ICMPv6 checksum.
 * `len` is the transport length (header + payload) in bytes.
 *
 * csum_pseudo4: RFC 9293 §3.1 / RFC 768. src and dst are IPv4 addresses in
 *   network order as wire.h keeps them (the uint32_t that ip4_repr holds, or
 *   net/addr.h's ipaddr_v4_be()). len must fit in 16 bits.
 * csum_pseudo6: RFC 8200 §8.1. src and dst are the 16 address bytes, as in
 *   net/addr.h's `struct ipaddr`.b. `nh` is the upper-layer protocol number.
 * csum_pseudo: for the 16-byte form net/addr.h uses for both families: if
 *   both addresses are IPv4-mapped (::ffff:a.b.c.d, RFC 4291 §2.5.5.2) this
 *   is csum_pseudo4 of their last 4 bytes, else csum_pseudo6. */
uint64_t csum_pseudo4(uint32_t src, uint32_t dst, uint8_t proto, uint16_t len);
uint64_t csum_pseudo6(const uint8_t src[16], const uint8_t dst[16], uint8_t nh, uint32_t len);
uint64_t csum_pseudo(const uint8_t src[16], const uint8_t dst[16], uint8_t proto, uint32_t len);
#endif

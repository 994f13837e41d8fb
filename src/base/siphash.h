/* SipHash-2-4 (Aumasson & Bernstein): a keyed hash for hash-table seeding
 * against flooding and for RFC 6528 initial sequence numbers. */
#ifndef SG_BASE_SIPHASH_H
#define SG_BASE_SIPHASH_H
#include <stddef.h>
#include <stdint.h>

/* The 128-bit key as two 64-bit words: k0 is key bytes 0..7 read
 * little-endian, k1 bytes 8..15 (the paper's key 00 01 .. 0f is
 * k0 = 0x0706050403020100, k1 = 0x0f0e0d0c0b0a0908). */
struct siphash_key {
    uint64_t k0, k1;
};
/* The 64-bit SipHash-2-4 of len bytes at data (NULL allowed if len == 0).
 * Same value on every host (input read byte by byte, little-endian). */
uint64_t siphash24(const struct siphash_key *key, const void *data, size_t len);
#endif

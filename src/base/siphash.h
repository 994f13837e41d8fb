/* SipHash-2-4 (Aumasson & Bernstein): a keyed hash for hash-table seeding
 * against flooding and for RFC 6528 initial sequence numbers. */
#ifndef SG_BASE_SIPHASH_H
#define SG_BASE_SIPHASH_H
#include <stddef.h>
#include <stdint.h>

struct siphash_key {
    uint64_t k0, k1;
};
uint64_t siphash24(const struct siphash_key *key, const void *data, size_t len);
#endif

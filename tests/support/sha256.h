/* SHA-256 (FIPS 180-4) for tests: simulation transfers are verified by
 * the digest of the bytes received against the digest of those sent. */
#ifndef SG_TEST_SHA256_H
#define SG_TEST_SHA256_H
#include <stddef.h>
#include <stdint.h>

struct sha256 {
    uint32_t h[8];
    uint64_t len; /* bytes hashed */
    uint8_t buf[64];
    uint32_t nbuf;
};

void sha256_init(struct sha256 *c);
void sha256_update(struct sha256 *c, const void *data, size_t n);
void sha256_final(struct sha256 *c, uint8_t out[32]);
/* One-shot convenience. */
void sha256(const void *data, size_t n, uint8_t out[32]);
#endif

/* Seeded PRNG. Every random choice in the core and in simulations comes
 * from one of these, so a seed reproduces a run bit for bit. Not for
 * secrets by itself: keys for SipHash (ISNs, hash seeds) are drawn from it
 * once, and a real deployment seeds it from the OS (the runtime does). */
#ifndef SG_BASE_PRNG_H
#define SG_BASE_PRNG_H
#include <stdint.h>

struct prng {
    uint64_t s[4]; /* xoshiro256** state */
};

void prng_seed(struct prng *p, uint64_t seed);   /* expands seed with splitmix64 */
uint64_t prng_next(struct prng *p);              /* uniform 64 bits */
uint32_t prng_below(struct prng *p, uint32_t n); /* uniform in [0, n), unbiased; 0 if n == 0 */
double prng_unit(struct prng *p);                /* uniform in [0, 1) */
/* 1 with probability p01 (0 for p01 <= 0, 1 for p01 >= 1). Always draws
 * one value, so changing a probability never shifts the rest of the stream. */
int prng_chance(struct prng *p, double p01);
/* len random bytes, little-endian words: the same on every host. */
void prng_fill(struct prng *p, void *dst, uint32_t len);
/* The splitmix64 finaliser as a pure function: a well-mixed 64-bit value
 * from any input (deriving seeds from a seed and an index). */
uint64_t prng_mix64(uint64_t x);
/* A child generator with an independent stream (for per-link PRNGs).
 * Deterministic: advances the parent by four draws. */
void prng_fork(struct prng *p, struct prng *child);
#endif

/* Seeded PRNG (prng.h): xoshiro256** 1.0 (Blackman & Vigna), state
 * expanded from a 64-bit seed with splitmix64 as its authors recommend.
 * Output does not depend on the host's byte order (prng_fill writes
 * little-endian), so a seed reproduces a run on any machine.
 */
#include "base/prng.h"

static uint64_t prng_rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

/* splitmix64 step: advances *x and returns the mixed value. */
static uint64_t prng_splitmix(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

uint64_t prng_mix64(uint64_t x)
{
    return prng_splitmix(&x);
}

void prng_seed(struct prng *p, uint64_t seed)
{
    /* splitmix64 never yields four zero words in a row, so the state is
     * never the all-zero fixed point of xoshiro. */
    for (int i = 0; i < 4; i++)
        p->s[i] = prng_splitmix(&seed);
}

uint64_t prng_next(struct prng *p)
{
    uint64_t *s = p->s;
    uint64_t r = prng_rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = prng_rotl(s[3], 45);
    return r;
}

uint32_t prng_below(struct prng *p, uint32_t n)
{
    if (n == 0)
        return 0;
    /* Lemire, "Fast Random Integer Generation in an Interval" (2019): the
     * high half of x * n is uniform once the few low halves that would
     * over-represent some results (those below 2^32 mod n) are rejected. */
    uint64_t m = (prng_next(p) >> 32) * (uint64_t)n;
    uint32_t lo = (uint32_t)m;
    if (lo < n) {
        uint32_t t = (uint32_t)-n % n;
        while (lo < t) {
            m = (prng_next(p) >> 32) * (uint64_t)n;
            lo = (uint32_t)m;
        }
    }
    return (uint32_t)(m >> 32);
}

double prng_unit(struct prng *p)
{
    /* 53 random bits: every double in [0, 1) on the 2^-53 grid. */
    return (double)(prng_next(p) >> 11) * 0x1.0p-53;
}

int prng_chance(struct prng *p, double p01)
{
    /* Always draw, even for p01 <= 0 or >= 1, so that changing a
     * probability does not shift every later value of the stream. */
    double u = prng_unit(p);
    return u < p01;
}

void prng_fill(struct prng *p, void *dst, uint32_t len)
{
    uint8_t *d = dst;
    while (len) {
        uint64_t v = prng_next(p);
        for (int i = 0; i < 8 && len; i++, len--) {
            *d++ = (uint8_t)v;
            v >>= 8;
        }
    }
}

void prng_fork(struct prng *p, struct prng *child)
{
    /* Four parent outputs, each decorrelated through splitmix64, give an
     * unrelated point of the 2^256 cycle. Unlike a jump() this stays
     * non-overlapping (with overwhelming probability) for forks of forks. */
    for (int i = 0; i < 4; i++) {
        uint64_t x = prng_next(p);
        child->s[i] = prng_splitmix(&x);
    }
    if (!(child->s[0] | child->s[1] | child->s[2] | child->s[3]))
        child->s[0] = 1; /* the one state xoshiro cannot leave */
}

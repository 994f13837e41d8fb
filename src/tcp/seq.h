/* TCP sequence-number arithmetic.
 *
 * Two spaces are used in sigurg:
 *  - the wire space: uint32_t, compared modulo 2^32 (RFC 9293 §3.4,
 *    RFC 1982 serial-number style) through seq_lt/leq/gt/geq, never raw <;
 *  - the unwrapped space: uint64_t, in which the engine keeps snd_una,
 *    snd_nxt, rcv_nxt, reassembly and SACK ranges, so that trees can be
 *    ordered with plain integer comparison. A wire number is brought into
 *    it with seq_unwrap() next to a 64-bit reference that is known to be
 *    within 2^31 of it (the window is at most 2^30, RFC 7323 §2.3).
 *
 * Comparison contract: seq_lt(a, b) is true iff (int32_t)(a - b) < 0, i.e.
 * b lies in the 2^31 - 1 numbers after a. For numbers exactly 2^31 apart
 * both seq_lt(a, b) and seq_lt(b, a) are true (a - b == INT32_MIN); TCP
 * never compares numbers that far apart (windows are below 2^30).
 *
 * Unwrapped-space rule for the engine: start the unwrapped space at
 * SEQ_UNWRAP_BASE + iss (not at iss), so that numbers a little below the
 * initial sequence number (old duplicates, D-SACK blocks) do not wrap
 * below zero in 64 bits.
 */
#ifndef SG_TCP_SEQ_H
#define SG_TCP_SEQ_H
#include <stdbool.h>
#include <stdint.h>

#define SEQ_UNWRAP_BASE (UINT64_C(1) << 32)

static inline int32_t seq_diff(uint32_t a, uint32_t b) /* a - b, signed */
{
    return (int32_t)(a - b);
}
static inline bool seq_lt(uint32_t a, uint32_t b)
{
    return seq_diff(a, b) < 0;
}
static inline bool seq_leq(uint32_t a, uint32_t b)
{
    return seq_diff(a, b) <= 0;
}
static inline bool seq_gt(uint32_t a, uint32_t b)
{
    return seq_diff(a, b) > 0;
}
static inline bool seq_geq(uint32_t a, uint32_t b)
{
    return seq_diff(a, b) >= 0;
}
/* lo <= x <= hi (both ends inclusive), in wire space. */
static inline bool seq_between(uint32_t x, uint32_t lo, uint32_t hi)
{
    return seq_leq(lo, x) && seq_leq(x, hi);
}
/* lo <= x < hi (half open), in wire space: "x is in [lo, hi)". */
static inline bool seq_in(uint32_t x, uint32_t lo, uint32_t hi)
{
    return seq_leq(lo, x) && seq_lt(x, hi);
}
static inline uint32_t seq_max(uint32_t a, uint32_t b)
{
    return seq_gt(a, b) ? a : b;
}
static inline uint32_t seq_min(uint32_t a, uint32_t b)
{
    return seq_lt(a, b) ? a : b;
}

/* The 64-bit number whose low 32 bits are `s` and which is nearest to
 * `ref` (within [ref - 2^31, ref + 2^31)). Arithmetic is modulo 2^64;
 * with the SEQ_UNWRAP_BASE rule above the result never wraps. */
static inline uint64_t seq_unwrap(uint64_t ref, uint32_t s)
{
    return ref + (uint64_t)(int64_t)seq_diff(s, (uint32_t)ref);
}
/* The wire form of an unwrapped number. */
static inline uint32_t seq_wrap(uint64_t s)
{
    return (uint32_t)s;
}
#endif

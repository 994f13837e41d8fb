/* The Internet checksum, RFC 1071, and its incremental update, RFC 1624.
 *
 * How the sum is computed. RFC 1071 §2 lets us (A) add in any order and
 * group, (B) add in the machine's byte order and swap once at the end, and
 * (C) add in wider words and fold the carries back later (since 2^16 == 1
 * modulo 0xffff, so is 2^32 and 2^64). So the data are read as native 64-bit
 * words at any alignment (memcpy; one unaligned load on the machines we run
 * on), each word is split into its 32-bit halves, and the halves are added
 * into 64-bit lanes that cannot overflow for 2^31 words: no carry handling in
 * the loop at all, which keeps it free of the add-with-carry chain a scalar
 * loop is limited by and lets it run in SIMD lanes. With GCC or clang the
 * lanes are GNU vector types (SSE2/NEON registers, or plain scalars where the
 * target has none; on x86-64 an AVX2 loop is picked at run time for long
 * buffers); elsewhere the same loop runs on scalars. csum_copy() is the same
 * loop with a store after each load: one pass over the data.
 *
 * Odd lengths: the last bytes are taken in 8-4-2-1 steps and an odd final
 * byte is summed as the high byte of a big-endian word, RFC 1071's "pad with
 * a zero byte". Odd start addresses need nothing: word boundaries are
 * counted from the start of the data, not from an alignment boundary, and
 * loads are unaligned. */
#include "wire/csum.h"

#include <stdint.h>
#include <string.h>

#include "wire/wire.h"

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define CSUM_BIG_ENDIAN 1
#else
#define CSUM_BIG_ENDIAN 0
#endif

/* Most bytes summed into one set of lanes before they are reduced: 2^32
 * bytes is 2^29 words, each adding < 2^33 to some lane, so all lanes of all
 * accumulators together hold < 2^62 and can be added up without overflow.
 * Chunks are even, so parity is kept across them. */
#define CSUM_CHUNK ((size_t)1 << (SIZE_MAX > 0xffffffffu ? 32 : 31)) /* 31: 32-bit size_t */

/* Fold a 64-bit sum to at most 2^32 + small, keeping it congruent mod 0xffff. */
static uint64_t csum_reduce(uint64_t s)
{
    s = (s & 0xffffffffu) + (s >> 32);
    s = (s & 0xffffffffu) + (s >> 32);
    return s;
}

uint64_t csum_add(uint64_t a, uint64_t b)
{
    uint64_t s = a + b;
    s += (s < a); /* end-around carry: 2^64 == 1 (mod 0xffff) */
    return csum_reduce(s);
}

static uint16_t csum_fold16(uint64_t s)
{
    s = csum_reduce(s);
    s = (s & 0xffff) + (s >> 16);
    s = (s & 0xffff) + (s >> 16);
    s = (s & 0xffff) + (s >> 16);
    return (uint16_t)s;
}

static uint16_t csum_bswap16(uint16_t v)
{
    return (uint16_t)(v << 8 | v >> 8);
}

/* A host-order 16-bit value as the native-order word its big-endian bytes
 * would be read as. */
static uint16_t csum_native16(uint16_t v)
{
    return CSUM_BIG_ENDIAN ? v : csum_bswap16(v);
}

uint16_t csum_fold(uint64_t acc)
{
    return (uint16_t)~csum_native16(csum_fold16(acc));
}

uint64_t csum_add16(uint64_t acc, uint16_t v)
{
    return csum_add(acc, csum_native16(v));
}

uint64_t csum_add32(uint64_t acc, uint32_t v)
{
    return csum_add(acc, (uint64_t)csum_native16((uint16_t)(v >> 16)) + csum_native16((uint16_t)v));
}

uint64_t csum_combine(uint64_t acc, uint64_t piece, size_t offset)
{
    if (offset & 1)
        piece = csum_bswap16(csum_fold16(piece));
    return csum_add(acc, piece);
}

#define CSUM_VBYTES 16 /* the tail code below assumes 16 */
#define CSUM_LANES (CSUM_VBYTES / 8)
#if defined(__GNUC__) || defined(__clang__)
/* CSUM_LANES 64-bit lanes. GCC and clang lower this to SSE2 on x86-64, NEON
 * on aarch64, and to scalars where there is no SIMD. */
typedef uint64_t csum_v __attribute__((vector_size(CSUM_VBYTES)));
static inline csum_v csum_v_acc(csum_v acc, csum_v w)
{
    return acc + (w & 0xffffffffu) + (w >> 32);
}
static inline csum_v csum_v_add(csum_v a, csum_v b)
{
    return a + b;
}
#define CSUM_LANE(v, i) ((v)[i])
#else
typedef struct {
    uint64_t l[CSUM_LANES];
} csum_v;
static inline csum_v csum_v_acc(csum_v acc, csum_v w)
{
    for (int i = 0; i < CSUM_LANES; i++)
        acc.l[i] += (w.l[i] & 0xffffffffu) + (w.l[i] >> 32);
    return acc;
}
static inline csum_v csum_v_add(csum_v a, csum_v b)
{
    for (int i = 0; i < CSUM_LANES; i++)
        a.l[i] += b.l[i];
    return a;
}
#define CSUM_LANE(v, i) ((v).l[i])
#endif

static inline csum_v csum_load(const uint8_t *p)
{
    csum_v v;
    memcpy(&v, p, sizeof v);
    return v;
}

/* Sum (and, if dst, copy) at most CSUM_CHUNK bytes. The main loop takes four
 * vectors a turn into four independent accumulators so loads, masks and
 * adds overlap; single vectors and 8-4-2-1 steps finish the tail. */
static inline uint64_t csum_run(uint8_t *restrict dst, const uint8_t *restrict src, size_t n,
                                uint64_t acc)
{
    enum { V = sizeof(csum_v) };
    csum_v a0, a1, a2, a3;
    memset(&a0, 0, sizeof a0);
    a1 = a2 = a3 = a0;
    while (n >= 4 * V) {
        csum_v w0 = csum_load(src), w1 = csum_load(src + V);
        csum_v w2 = csum_load(src + 2 * V), w3 = csum_load(src + 3 * V);
        if (dst) {
            memcpy(dst, &w0, V);
            memcpy(dst + V, &w1, V);
            memcpy(dst + 2 * V, &w2, V);
            memcpy(dst + 3 * V, &w3, V);
            dst += 4 * V;
        }
        a0 = csum_v_acc(a0, w0);
        a1 = csum_v_acc(a1, w1);
        a2 = csum_v_acc(a2, w2);
        a3 = csum_v_acc(a3, w3);
        src += 4 * V;
        n -= 4 * V;
    }
    while (n >= V) {
        csum_v w = csum_load(src);
        if (dst) {
            memcpy(dst, &w, V);
            dst += V;
        }
        a0 = csum_v_acc(a0, w);
        src += V;
        n -= V;
    }
    /* All lanes together are < 2^62 (see CSUM_CHUNK): no overflow here. */
    a0 = csum_v_add(csum_v_add(a0, a1), csum_v_add(a2, a3));
    for (int i = 0; i < CSUM_LANES; i++)
        acc = csum_add(acc, CSUM_LANE(a0, i));
    /* The last 0..15 bytes, in 8-4-2-1 steps from the front so every step
     * but the last starts at an even offset. */
    uint64_t t = 0;
    if (n & 8) {
        uint64_t w;
        memcpy(&w, src, 8);
        if (dst) {
            memcpy(dst, &w, 8);
            dst += 8;
        }
        t += (w & 0xffffffffu) + (w >> 32);
        src += 8;
    }
    if (n & 4) {
        uint32_t w;
        memcpy(&w, src, 4);
        if (dst) {
            memcpy(dst, &w, 4);
            dst += 4;
        }
        t += w;
        src += 4;
    }
    if (n & 2) {
        uint16_t w;
        memcpy(&w, src, 2);
        if (dst) {
            memcpy(dst, &w, 2);
            dst += 2;
        }
        t += w;
        src += 2;
    }
    if (n & 1) {
        /* RFC 1071 §4.1: an odd last byte is summed as if followed by a
         * zero byte, i.e. as the high-order byte of a big-endian word. */
        if (dst)
            *dst = *src;
        t += CSUM_BIG_ENDIAN ? (uint64_t)*src << 8 : *src;
    }
    return csum_add(acc, t);
}

#if (defined(__GNUC__) || defined(__clang__)) && defined(__x86_64__)
/* x86-64 with AVX2: the same loop on 256-bit registers, about twice the
 * bytes per cycle of the SSE2 baseline on data in cache (the common case:
 * a socket buffer just written, a frame just received). Chosen at run time
 * so one binary runs on any x86-64. The caller passes a multiple of 128
 * bytes, at most CSUM_CHUNK. Written without helpers so no 32-byte vector
 * crosses a function boundary compiled for the baseline ABI. */
#define CSUM_HAVE_AVX2 1
#define CSUM_AVX2_MIN 512 /* below this the SSE2 loop wins: no setup */
typedef uint64_t csum_v4 __attribute__((vector_size(32)));
__attribute__((target("avx2"))) static uint64_t
csum_bulk_avx2(uint8_t *restrict dst, const uint8_t *restrict src, size_t n)
{
    csum_v4 a0 = {0}, a1 = {0}, a2 = {0}, a3 = {0};
    for (; n; n -= 128, src += 128) {
        csum_v4 w0, w1, w2, w3;
        memcpy(&w0, src, 32);
        memcpy(&w1, src + 32, 32);
        memcpy(&w2, src + 64, 32);
        memcpy(&w3, src + 96, 32);
        if (dst) {
            memcpy(dst, &w0, 32);
            memcpy(dst + 32, &w1, 32);
            memcpy(dst + 64, &w2, 32);
            memcpy(dst + 96, &w3, 32);
            dst += 128;
        }
        a0 += (w0 & 0xffffffffu) + (w0 >> 32);
        a1 += (w1 & 0xffffffffu) + (w1 >> 32);
        a2 += (w2 & 0xffffffffu) + (w2 >> 32);
        a3 += (w3 & 0xffffffffu) + (w3 >> 32);
    }
    a0 += a1 + a2 + a3; /* no overflow, see CSUM_CHUNK */
    return csum_add(csum_add(a0[0], a0[1]), csum_add(a0[2], a0[3]));
}
static int csum_avx2_ok(void)
{
    return __builtin_cpu_supports("avx2");
}
#else
#define CSUM_HAVE_AVX2 0
#endif

/* Sum (and copy, if dst) at most CSUM_CHUNK bytes, on the widest loop the
 * machine has. */
static inline uint64_t csum_chunk(uint8_t *restrict dst, const uint8_t *restrict src, size_t n,
                                  uint64_t acc)
{
#if CSUM_HAVE_AVX2
    if (n >= CSUM_AVX2_MIN && csum_avx2_ok()) {
        size_t m = n & ~(size_t)127; /* even, so the rest keeps its parity */
        acc = csum_add(acc, csum_bulk_avx2(dst, src, m));
        src += m;
        n -= m;
        if (dst)
            dst += m;
    }
#endif
    return csum_run(dst, src, n, acc);
}

uint64_t csum_partial(const void *p, size_t n, uint64_t acc)
{
    const uint8_t *s = p;
    while (n > CSUM_CHUNK) {
        acc = csum_chunk(NULL, s, CSUM_CHUNK, acc);
        s += CSUM_CHUNK;
        n -= CSUM_CHUNK;
    }
    return csum_chunk(NULL, s, n, acc);
}

uint64_t csum_copy(void *restrict dst, const void *restrict src, size_t n, uint64_t acc)
{
    uint8_t *d = dst;
    const uint8_t *s = src;
    while (n > CSUM_CHUNK) {
        acc = csum_chunk(d, s, CSUM_CHUNK, acc);
        d += CSUM_CHUNK;
        s += CSUM_CHUNK;
        n -= CSUM_CHUNK;
    }
    return csum_chunk(d, s, n, acc);
}

uint16_t csum_buf(const void *p, size_t n)
{
    return csum_fold(csum_partial(p, n, 0));
}

uint16_t csum_update16(uint16_t hc, uint16_t m, uint16_t m2)
{
    /* RFC 1624 eqn. 3, in ones'-complement arithmetic: the order of the
     * three operands' bytes only has to agree, and host order does. */
    uint32_t s = (uint32_t)(uint16_t)~hc + (uint16_t)~m + m2;
    s = (s & 0xffff) + (s >> 16);
    s = (s & 0xffff) + (s >> 16);
    return (uint16_t)~s;
}

uint16_t csum_update32(uint16_t hc, uint32_t m, uint32_t m2)
{
    uint32_t s =
        (uint32_t)(uint16_t)~hc + (uint16_t) ~(m >> 16) + (uint16_t)~m + (m2 >> 16) + (m2 & 0xffff);
    s = (s & 0xffff) + (s >> 16);
    s = (s & 0xffff) + (s >> 16);
    return (uint16_t)~s;
}

uint64_t csum_pseudo4(uint32_t src, uint32_t dst, uint8_t proto, uint16_t len)
{
    /* src and dst are the address bytes in memory order, so their native
     * value is already the native-order sum of their two words (mod 0xffff). */
    uint64_t acc = (uint64_t)src + dst;
    acc = csum_add16(acc, proto); /* zero byte, protocol byte */
    return csum_add16(acc, len);
}

uint64_t csum_pseudo6(const uint8_t src[16], const uint8_t dst[16], uint8_t nh, uint32_t len)
{
    /* RFC 8200 §8.1: src, dst, 32-bit upper-layer length, 3 zero bytes, next
     * header. */
    uint64_t acc = csum_partial(src, 16, 0);
    acc = csum_partial(dst, 16, acc);
    acc = csum_add32(acc, len);
    return csum_add16(acc, nh);
}

uint64_t csum_pseudo(const uint8_t src[16], const uint8_t dst[16], uint8_t proto, uint32_t len)
{
    static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (memcmp(src, mapped, 12) == 0 && memcmp(dst, mapped, 12) == 0)
        return csum_pseudo4(wire_get_raw32(src + 12), wire_get_raw32(dst + 12), proto,
                            (uint16_t)len);
    return csum_pseudo6(src, dst, proto, len);
}

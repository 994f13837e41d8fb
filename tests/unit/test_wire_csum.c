/* Internet checksum (RFC 1071), incremental update (RFC 1624) and
 * pseudo-headers: against the RFCs' examples and a byte-by-byte reference. */
#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "wire/csum.h"
#include "wire/wire.h"

/* The textbook algorithm, RFC 1071 §4.1, on big-endian byte pairs: the
 * reference everything else is checked against. */
static uint16_t ref_csum(const uint8_t *p, size_t n)
{
    uint64_t s = 0;
    for (size_t i = 0; i + 1 < n; i += 2)
        s += (uint32_t)p[i] << 8 | p[i + 1];
    if (n & 1)
        s += (uint32_t)p[n - 1] << 8;
    while (s >> 16)
        s = (s & 0xffff) + (s >> 16);
    return (uint16_t)~s;
}

/* Small deterministic PRNG (xorshift64*), so failures reproduce. */
static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static uint64_t rng(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545f4914f6cdd1dull;
}
static void fill_random(uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)rng();
}

static void test_csum_rfc1071_example(void **state)
{
    /* RFC 1071 §3: the bytes 00 01 f2 03 f4 f5 f6 f7 sum to ddf2 (after
     * end-around carries); the checksum is its complement, 220d. */
    static const uint8_t b[] = {0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7};
    assert_int_equal(csum_buf(b, sizeof b), 0x220d);
    assert_int_equal(ref_csum(b, sizeof b), 0x220d);
    /* Byte-order independence (RFC 1071 §2(B)): swapped bytes, swapped sum. */
    static const uint8_t sw[] = {0x01, 0x00, 0x03, 0xf2, 0xf5, 0xf4, 0xf7, 0xf6};
    assert_int_equal(csum_buf(sw, sizeof sw), 0x0d22);
}

static void test_csum_empty_and_edges(void **state)
{
    uint8_t ff[64], z[64];
    memset(ff, 0xff, sizeof ff);
    memset(z, 0, sizeof z);
    assert_int_equal(csum_buf(z, 0), 0xffff);
    assert_int_equal(csum_buf(z, sizeof z), 0xffff);
    /* All ones: the sum is -0 (ffff), the checksum +0. */
    assert_int_equal(csum_buf(ff, sizeof ff), 0x0000);
    assert_int_equal(csum_buf(ff, 1), 0x00ff);
    static const uint8_t one[] = {0xab};
    assert_int_equal(csum_buf(one, 1), (uint16_t)~0xab00);
    /* A buffer with its checksum stored in it verifies to 0. */
    uint8_t b[31];
    fill_random(b, sizeof b);
    b[10] = b[11] = 0;
    wire_put16(b + 10, csum_buf(b, sizeof b));
    assert_int_equal(csum_buf(b, sizeof b), 0);
}

/* Every length 0..1100 (past the AVX2 threshold) at every start alignment
 * 0..15, plus some long odd lengths: csum_partial, csum_buf and csum_copy
 * against the reference; csum_copy copies exactly n bytes. */
static void test_csum_random_lengths_alignments(void **state)
{
    enum { MAXN = 1100, SLACK = 32 };
    uint8_t *src = malloc(MAXN + SLACK), *dst = malloc(MAXN + SLACK);
    assert_non_null(src);
    assert_non_null(dst);
    for (size_t n = 0; n <= MAXN; n++) {
        for (size_t al = 0; al < 16; al++) {
            size_t dal = (al * 7 + n) % 16;
            fill_random(src, MAXN + SLACK);
            memset(dst, 0xa5, MAXN + SLACK);
            uint16_t want = ref_csum(src + al, n);
            assert_int_equal(csum_buf(src + al, n), want);
            assert_int_equal(csum_fold(csum_partial(src + al, n, 0)), want);
            assert_int_equal(csum_fold(csum_copy(dst + dal, src + al, n, 0)), want);
            assert_memory_equal(dst + dal, src + al, n);
            for (size_t i = 0; i < dal; i++)
                assert_int_equal(dst[i], 0xa5);
            for (size_t i = dal + n; i < MAXN + SLACK; i++)
                assert_int_equal(dst[i], 0xa5);
        }
    }
    free(src);
    free(dst);
}

static void test_csum_long_buffers(void **state)
{
    static const size_t lens[] = {4095, 4096, 4097, 65535, 65536, 65537, (1u << 20) + 3};
    size_t max = (1u << 20) + 3 + 16;
    uint8_t *src = malloc(max), *dst = malloc(max);
    assert_non_null(src);
    assert_non_null(dst);
    fill_random(src, max);
    for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++) {
        for (size_t al = 0; al < 3; al++) {
            size_t n = lens[i];
            uint16_t want = ref_csum(src + al, n);
            assert_int_equal(csum_buf(src + al, n), want);
            memset(dst, 0, max);
            assert_int_equal(csum_fold(csum_copy(dst + 2 - al, src + al, n, 0)), want);
            assert_memory_equal(dst + 2 - al, src + al, n);
        }
    }
    /* All ones stresses the lanes' carries hardest. */
    memset(src, 0xff, max);
    assert_int_equal(csum_buf(src + 1, (1u << 20) + 1), ref_csum(src + 1, (1u << 20) + 1));
    free(src);
    free(dst);
}

/* A whole summed in pieces: even pieces chain through acc; a piece at an odd
 * offset is summed alone and merged with csum_combine(). */
static void test_csum_pieces(void **state)
{
    uint8_t b[1500];
    for (int round = 0; round < 2000; round++) {
        size_t n = rng() % sizeof b;
        fill_random(b, n);
        uint16_t want = ref_csum(b, n);
        /* even cuts, chained */
        size_t c1 = n ? (rng() % (n + 1)) & ~(size_t)1 : 0;
        size_t c2 = c1 + ((rng() % (n - c1 + 1)) & ~(size_t)1);
        uint64_t acc = csum_partial(b, c1, 0);
        acc = csum_partial(b + c1, 0, acc); /* empty pieces are no-ops */
        acc = csum_partial(b + c1, c2 - c1, acc);
        acc = csum_partial(b + c2, n - c2, acc);
        assert_int_equal(csum_fold(acc), want);
        /* any cuts, combined by offset */
        size_t k1 = n ? rng() % (n + 1) : 0;
        size_t k2 = k1 + (n - k1 ? rng() % (n - k1 + 1) : 0);
        uint64_t a = csum_partial(b, k1, 0);
        a = csum_combine(a, csum_partial(b + k1, k2 - k1, 0), k1);
        a = csum_combine(a, csum_partial(b + k2, n - k2, 0), k2);
        assert_int_equal(csum_fold(a), want);
    }
}

static void test_csum_add_helpers(void **state)
{
    for (int i = 0; i < 1000; i++) {
        uint8_t b[6];
        fill_random(b, sizeof b);
        uint64_t base = csum_partial(b, 0, rng() & 0xffffffffffull);
        uint64_t via_bytes = csum_partial(b, 6, base);
        uint64_t via_vals = csum_add32(csum_add16(base, wire_get16(b)), wire_get32(b + 2));
        assert_int_equal(csum_fold(via_bytes), csum_fold(via_vals));
    }
    /* csum_add never loses a carry, even at the top of the range. */
    assert_int_equal(csum_fold(csum_add(UINT64_MAX, 1)), csum_fold(1));
    assert_int_equal(csum_fold(csum_add(0xffffffffffffffffull, 0xffffffffffffffffull)),
                     csum_fold(0xffff));
}

static void test_csum_rfc1624_example(void **state)
{
    /* RFC 1624 §4: sum of the other octets cd7a, m = 5555 -> m' = 3285.
     * HC = ~(cd7a + 5555) = dd2f; recomputing gives ~(cd7a + 3285) = 0000,
     * which eqn. 3 reproduces (eqn. 2 would give ffff). */
    assert_int_equal(csum_update16(0xdd2f, 0x5555, 0x3285), 0x0000);
    /* No change, no change. */
    assert_int_equal(csum_update16(0x1234, 0xabcd, 0xabcd), 0x1234);
}

/* RFC 1624: updating a 16- or 32-bit field at an even offset gives exactly
 * the checksum a recomputation gives. */
static void test_csum_incremental_matches_recompute(void **state)
{
    uint8_t b[64];
    for (int i = 0; i < 20000; i++) {
        size_t n = 8 + rng() % (sizeof b - 8);
        fill_random(b, n);
        if (i % 7 == 0)
            memset(b, 0, n); /* sums near zero */
        if (i % 11 == 0)
            memset(b, 0xff, n); /* sums near -0 */
        size_t off = (rng() % (n / 2 - 1)) * 2;
        uint16_t hc = ref_csum(b, n);
        if (i & 1) {
            uint16_t m = wire_get16(b + off), m2 = (uint16_t)rng();
            if (i % 5 == 0)
                m2 = 0;
            wire_put16(b + off, m2);
            uint16_t want = ref_csum(b, n);
            bool all_zero = true;
            for (size_t j = 0; j < n; j++)
                all_zero &= b[j] == 0;
            uint16_t got = csum_update16(hc, m, m2);
            if (!all_zero) {
                assert_int_equal(got, want);
            } else { /* +0 vs -0: both verify (RFC 1624 §3) */
                uint16_t alt = (uint16_t)(want ^ 0xffff);
                assert_true(got == want || got == alt);
            }
        } else {
            if (off + 4 > n)
                off -= 2;
            uint32_t m = wire_get32(b + off), m2 = (uint32_t)rng();
            wire_put32(b + off, m2);
            assert_int_equal(csum_update32(hc, m, m2), ref_csum(b, n));
        }
    }
}

static void test_csum_pseudo4(void **state)
{
    /* RFC 9293 §3.1: src, dst, zero, PTCL, TCP length. */
    for (int i = 0; i < 1000; i++) {
        uint8_t ph[12];
        fill_random(ph, 8);
        ph[8] = 0;
        ph[9] = (uint8_t)rng();
        uint16_t len = (uint16_t)rng();
        wire_put16(ph + 10, len);
        uint64_t acc = csum_pseudo4(wire_get_raw32(ph), wire_get_raw32(ph + 4), ph[9], len);
        assert_int_equal(csum_fold(acc), ref_csum(ph, sizeof ph));
    }
}

static void test_csum_pseudo6_and_mapped(void **state)
{
    for (int i = 0; i < 1000; i++) {
        /* RFC 8200 §8.1: src, dst, 32-bit length, 3 zero bytes, next header */
        uint8_t ph[40] = {0};
        fill_random(ph, 32);
        uint32_t len = (uint32_t)rng();
        wire_put32(ph + 32, len);
        ph[39] = (uint8_t)rng();
        uint64_t acc = csum_pseudo6(ph, ph + 16, ph[39], len);
        assert_int_equal(csum_fold(acc), ref_csum(ph, sizeof ph));
        /* not both IPv4-mapped: csum_pseudo is csum_pseudo6 */
        assert_int_equal(csum_fold(csum_pseudo(ph, ph + 16, ph[39], len)), ref_csum(ph, sizeof ph));
        /* both mapped: csum_pseudo is csum_pseudo4 of the last 4 bytes */
        uint8_t s[16] = {[10] = 0xff, [11] = 0xff}, d[16] = {[10] = 0xff, [11] = 0xff};
        memcpy(s + 12, ph, 4);
        memcpy(d + 12, ph + 4, 4);
        uint16_t l16 = (uint16_t)len;
        assert_int_equal(
            csum_fold(csum_pseudo(s, d, 6, l16)),
            csum_fold(csum_pseudo4(wire_get_raw32(ph), wire_get_raw32(ph + 4), 6, l16)));
        /* only one mapped: the IPv6 pseudo-header */
        assert_int_equal(csum_fold(csum_pseudo(s, ph + 16, 17, l16)),
                         csum_fold(csum_pseudo6(s, ph + 16, 17, l16)));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_csum_rfc1071_example),
        cmocka_unit_test(test_csum_empty_and_edges),
        cmocka_unit_test(test_csum_random_lengths_alignments),
        cmocka_unit_test(test_csum_long_buffers),
        cmocka_unit_test(test_csum_pieces),
        cmocka_unit_test(test_csum_add_helpers),
        cmocka_unit_test(test_csum_rfc1624_example),
        cmocka_unit_test(test_csum_incremental_matches_recompute),
        cmocka_unit_test(test_csum_pseudo4),
        cmocka_unit_test(test_csum_pseudo6_and_mapped),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

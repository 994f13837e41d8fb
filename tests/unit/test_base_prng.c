/* Seeded PRNG: pinned sequences (computed with an independent Python
 * implementation of splitmix64 + xoshiro256** from the authors' papers),
 * unbiasedness of prng_below, determinism of fill/fork/chance. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/prng.h"

static void test_prng_seed_expands_with_splitmix64(void **state)
{
    struct prng p;
    prng_seed(&p, 0);
    /* splitmix64 from 0: the first outputs published with the generator. */
    assert_int_equal(p.s[0], 0xe220a8397b1dcdafull);
    assert_int_equal(p.s[1], 0x6e789e6aa1b965f4ull);
    assert_int_equal(p.s[2], 0x06c45d188009454full);
    assert_int_equal(p.s[3], 0xf88bb8a8724c81ecull);
}

static void test_prng_seed_gives_pinned_sequence(void **state)
{
    static const uint64_t want0[] = {0x99ec5f36cb75f2b4ull, 0xbf6e1f784956452aull,
                                     0x1a5f849d4933e6e0ull, 0x6aa594f1262d2d2cull,
                                     0xbba5ad4a1f842e59ull, 0xffef8375d9ebcacaull};
    static const uint64_t want42[] = {0x15780b2e0c2ec716ull, 0x6104d9866d113a7eull,
                                      0xae17533239e499a1ull, 0xecb8ad4703b360a1ull,
                                      0xfde6dc7fe2ec5e64ull, 0xc50da53101795238ull};
    static const uint64_t wantbeef[] = {0xc5555444a74d7e83ull, 0x65c30d37b4b16e38ull,
                                        0x54f773200a4efa23ull, 0x429aed75fb958af7ull,
                                        0xfb0e1dd69c255b2eull, 0x9d6d02ec58814a27ull};
    struct prng p;
    prng_seed(&p, 0);
    for (int i = 0; i < 6; i++)
        assert_int_equal(prng_next(&p), want0[i]);
    prng_seed(&p, 42);
    for (int i = 0; i < 6; i++)
        assert_int_equal(prng_next(&p), want42[i]);
    prng_seed(&p, 0xdeadbeef);
    for (int i = 0; i < 6; i++)
        assert_int_equal(prng_next(&p), wantbeef[i]);
}

static void test_prng_below_pinned_and_in_range(void **state)
{
    /* Lemire's method on the high 32 bits of each output; pinned values
     * from the reference implementation. */
    static const uint32_t n[] = {1, 2, 3, 10, 1000, 0x80000001u, 0xffffffffu, 6, 6, 6};
    static const uint32_t want[] = {0, 0, 2, 9, 990, 224274149u, 1733906325u, 0, 3, 4};
    struct prng p;
    prng_seed(&p, 7);
    for (int i = 0; i < 10; i++)
        assert_int_equal(prng_below(&p, n[i]), want[i]);

    assert_int_equal(prng_below(&p, 0), 0);
    for (int i = 0; i < 100000; i++) {
        uint32_t m = (uint32_t)prng_next(&p) | 1;
        assert_true(prng_below(&p, m) < m);
        assert_int_equal(prng_below(&p, 1), 0);
    }
}

static void test_prng_below_unbiased_for_large_n(void **state)
{
    /* n = 3 * 2^30, so 2^32 / n = 4/3 and a biased method gives some
     * results two chances and the others one, i.e. a third of the results
     * appear twice as often: with a plain modulo those below 2^30, with a
     * multiply-shift lacking Lemire's rejection step those divisible by 3
     * (x -> 3x/4). Unbiased, each class is 1/3 of the draws; biased, 1/2.
     * 200k draws: sd of a fraction ~0.001. */
    struct prng p;
    prng_seed(&p, 1);
    const uint32_t n = 0xc0000000u;
    uint32_t low = 0, div3 = 0, draws = 200000;
    for (uint32_t i = 0; i < draws; i++) {
        uint32_t r = prng_below(&p, n);
        assert_true(r < n);
        low += r < (1u << 30);
        div3 += r % 3 == 0;
    }
    double f = (double)low / draws, g = (double)div3 / draws;
    assert_true(f > 0.3283 && f < 0.3383);
    assert_true(g > 0.3283 && g < 0.3383);
}

static void test_prng_below_small_n_uniform(void **state)
{
    /* Chi-square over 10 buckets, 100k draws: 9 degrees of freedom, the
     * 99.99th percentile is ~33.7. */
    struct prng p;
    prng_seed(&p, 99);
    uint32_t cnt[10] = {0};
    for (int i = 0; i < 100000; i++)
        cnt[prng_below(&p, 10)]++;
    double chi = 0;
    for (int i = 0; i < 10; i++) {
        double d = (double)cnt[i] - 10000.0;
        chi += d * d / 10000.0;
    }
    assert_true(chi < 33.7);
}

static void test_prng_unit_in_half_open_interval(void **state)
{
    struct prng p;
    prng_seed(&p, 3);
    double sum = 0;
    for (int i = 0; i < 100000; i++) {
        double u = prng_unit(&p);
        assert_true(u >= 0.0 && u < 1.0);
        sum += u;
    }
    assert_true(sum / 100000 > 0.49 && sum / 100000 < 0.51);
    /* The top 53 bits, scaled: the first value of seed 0. */
    prng_seed(&p, 0);
    assert_true(prng_unit(&p) == (double)(0x99ec5f36cb75f2b4ull >> 11) * 0x1.0p-53);
}

static void test_prng_chance_extremes_and_rate(void **state)
{
    struct prng p, q;
    prng_seed(&p, 5);
    uint32_t hits = 0;
    for (int i = 0; i < 10000; i++) {
        assert_int_equal(prng_chance(&p, 0.0), 0);
        assert_int_equal(prng_chance(&p, -1.0), 0);
        assert_int_equal(prng_chance(&p, 1.0), 1);
        assert_int_equal(prng_chance(&p, 2.0), 1);
    }
    for (int i = 0; i < 100000; i++)
        hits += (uint32_t)prng_chance(&p, 0.25);
    assert_true(hits > 24300 && hits < 25700);

    /* Every call draws exactly one value, whatever the probability. */
    prng_seed(&p, 11);
    prng_seed(&q, 11);
    prng_chance(&p, 0.0);
    prng_chance(&p, 1.0);
    prng_chance(&p, 0.5);
    prng_next(&q);
    prng_next(&q);
    prng_next(&q);
    assert_int_equal(prng_next(&p), prng_next(&q));
}

static void test_prng_fill_is_little_endian_words(void **state)
{
    struct prng p;
    uint8_t b[19];
    prng_seed(&p, 0);
    memset(b, 0xee, sizeof(b));
    prng_fill(&p, b, 13);
    const uint64_t w0 = 0x99ec5f36cb75f2b4ull, w1 = 0xbf6e1f784956452aull;
    for (int i = 0; i < 8; i++)
        assert_int_equal(b[i], (uint8_t)(w0 >> (8 * i)));
    for (int i = 0; i < 5; i++)
        assert_int_equal(b[8 + i], (uint8_t)(w1 >> (8 * i)));
    for (int i = 13; i < 19; i++)
        assert_int_equal(b[i], 0xee); /* nothing past len */
    /* A partial word consumes the whole draw. */
    assert_int_equal(prng_next(&p), 0x1a5f849d4933e6e0ull);
    prng_fill(&p, b, 0);
    assert_int_equal(prng_next(&p), 0x6aa594f1262d2d2cull);
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static void test_prng_fork_is_deterministic_and_independent(void **state)
{
    struct prng p, q, c1, c2, d1;
    prng_seed(&p, 0);
    prng_seed(&q, 0);
    prng_fork(&p, &c1);
    prng_fork(&q, &d1);
    /* Pinned: splitmix64 of the parent's first four outputs. */
    assert_int_equal(c1.s[0], 0xb098a805da015649ull);
    assert_int_equal(c1.s[3], 0x2adb46810049def6ull);
    assert_int_equal(prng_next(&c1), 0x435f7dd8f46e48fcull);
    assert_int_equal(prng_next(&d1), 0x435f7dd8f46e48fcull);
    /* The parent moved on by exactly four draws. */
    assert_int_equal(prng_next(&p), 0xbba5ad4a1f842e59ull);

    /* A second fork and a fork of the fork: no value shared among the
     * first 20k outputs of the four streams. */
    prng_seed(&p, 123);
    prng_fork(&p, &c1);
    prng_fork(&p, &c2);
    prng_fork(&c1, &d1);
    enum { N = 20000 };
    uint64_t *all = malloc(sizeof(uint64_t) * 4 * N);
    assert_non_null(all);
    for (int i = 0; i < N; i++) {
        all[i] = prng_next(&p);
        all[N + i] = prng_next(&c1);
        all[2 * N + i] = prng_next(&c2);
        all[3 * N + i] = prng_next(&d1);
    }
    qsort(all, 4 * N, sizeof(uint64_t), cmp_u64);
    for (int i = 1; i < 4 * N; i++)
        assert_true(all[i] != all[i - 1]);
    free(all);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_prng_seed_expands_with_splitmix64),
        cmocka_unit_test(test_prng_seed_gives_pinned_sequence),
        cmocka_unit_test(test_prng_below_pinned_and_in_range),
        cmocka_unit_test(test_prng_below_unbiased_for_large_n),
        cmocka_unit_test(test_prng_below_small_n_uniform),
        cmocka_unit_test(test_prng_unit_in_half_open_interval),
        cmocka_unit_test(test_prng_chance_extremes_and_rate),
        cmocka_unit_test(test_prng_fill_is_little_endian_words),
        cmocka_unit_test(test_prng_fork_is_deterministic_and_independent),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

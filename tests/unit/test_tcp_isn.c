/* RFC 6528 ISNs: keyed by the 4-tuple and the secret, advancing with a
 * 4-microsecond clock, deterministic for fixed inputs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "tcp/isn.h"

static const struct siphash_key K1 = {0x0706050403020100ull, 0x0f0e0d0c0b0a0908ull};
static const struct siphash_key K2 = {0x0706050403020100ull, 0x0f0e0d0c0b0a0909ull};

static struct ipaddr v4(uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
    uint32_t be;
    uint8_t *p = (uint8_t *)&be;
    p[0] = a, p[1] = b, p[2] = c, p[3] = d;
    return ipaddr_v4(be);
}

static void test_isn_deterministic_for_fixed_inputs(void **state)
{
    (void)state;
    struct ipaddr l = v4(10, 0, 0, 1), r = v4(10, 0, 0, 2);
    uint32_t a = isn_generate(&K1, &l, 40000, &r, 80, SG_SEC(5));
    uint32_t b = isn_generate(&K1, &l, 40000, &r, 80, SG_SEC(5));
    assert_int_equal(a, b);
}

static void test_isn_changes_with_each_tuple_field_and_key(void **state)
{
    (void)state;
    struct ipaddr l = v4(10, 0, 0, 1), r = v4(10, 0, 0, 2), o = v4(10, 0, 0, 3);
    sg_time t = SG_SEC(5);
    uint32_t base = isn_generate(&K1, &l, 40000, &r, 80, t);
    assert_int_not_equal(base, isn_generate(&K1, &o, 40000, &r, 80, t));
    assert_int_not_equal(base, isn_generate(&K1, &l, 40001, &r, 80, t));
    assert_int_not_equal(base, isn_generate(&K1, &l, 40000, &o, 80, t));
    assert_int_not_equal(base, isn_generate(&K1, &l, 40000, &r, 81, t));
    /* swapping the ends is a different connection */
    assert_int_not_equal(base, isn_generate(&K1, &r, 80, &l, 40000, t));
    assert_int_not_equal(base, isn_generate(&K2, &l, 40000, &r, 80, t));
    /* F differs by more than a few ticks: not a counter */
    uint32_t d = isn_generate(&K1, &l, 40001, &r, 80, t) - base;
    assert_true(d > 1000 && d < 0xffffffffu - 1000);
}

static void test_isn_advances_every_4_microseconds(void **state)
{
    (void)state;
    struct ipaddr l = v4(192, 168, 1, 1), r = v4(192, 168, 1, 2);
    uint32_t t0 = isn_generate(&K1, &l, 1234, &r, 5678, SG_SEC(100));
    assert_int_equal(isn_generate(&K1, &l, 1234, &r, 5678, SG_SEC(100) + SG_US(3)), t0);
    assert_int_equal(isn_generate(&K1, &l, 1234, &r, 5678, SG_SEC(100) + SG_US(4)), t0 + 1);
    assert_int_equal(isn_generate(&K1, &l, 1234, &r, 5678, SG_SEC(101)), t0 + 250000);
    /* M wraps modulo 2^32 (every ~4.77 hours) */
    sg_time wrap = (sg_time)(UINT64_C(1) << 32) * SG_US(4);
    assert_int_equal(isn_generate(&K1, &l, 1234, &r, 5678, SG_SEC(100) + wrap), t0);
}

static void test_isn_ts_offset_keyed_by_address_pair(void **state)
{
    (void)state;
    struct ipaddr l = v4(10, 0, 0, 1), r = v4(10, 0, 0, 2), o = v4(10, 0, 0, 3);
    uint32_t a = isn_ts_offset(&K1, &l, &r);
    assert_int_equal(a, isn_ts_offset(&K1, &l, &r));
    assert_int_not_equal(a, isn_ts_offset(&K1, &l, &o));
    assert_int_not_equal(a, isn_ts_offset(&K2, &l, &r));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_isn_deterministic_for_fixed_inputs),
        cmocka_unit_test(test_isn_changes_with_each_tuple_field_and_key),
        cmocka_unit_test(test_isn_advances_every_4_microseconds),
        cmocka_unit_test(test_isn_ts_offset_keyed_by_address_pair),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* Sequence-number helpers at the 2^32 wrap and unwrapping to 64 bits. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "tcp/seq.h"

static void test_seq_compare_across_wrap(void **state)
{
    (void)state;
    uint32_t isn = 0xfffffff0u;  /* ISN near 2^32 */
    uint32_t after = isn + 0x20; /* wrapped: 0x10 */
    assert_int_equal(after, 0x10);
    assert_true(seq_lt(isn, after));
    assert_true(seq_leq(isn, after));
    assert_true(seq_gt(after, isn));
    assert_true(seq_geq(after, isn));
    assert_false(seq_lt(after, isn));
    assert_false(seq_gt(isn, after));
    assert_true(seq_leq(isn, isn));
    assert_true(seq_geq(isn, isn));
    assert_false(seq_lt(isn, isn));
    assert_int_equal(seq_max(isn, after), after);
    assert_int_equal(seq_min(isn, after), isn);
    assert_int_equal(seq_diff(after, isn), 0x20);
    assert_int_equal(seq_diff(isn, after), -0x20);
    /* raw < would say the opposite: the helpers exist for this */
    assert_true(after < isn);
}

static void test_seq_between_and_in_at_wrap(void **state)
{
    (void)state;
    uint32_t lo = 0xffffff00u, hi = 0x100u;
    assert_true(seq_between(0xffffffffu, lo, hi));
    assert_true(seq_between(0, lo, hi));
    assert_true(seq_between(lo, lo, hi));
    assert_true(seq_between(hi, lo, hi));
    assert_false(seq_between(hi + 1, lo, hi));
    assert_false(seq_between(lo - 1, lo, hi));
    assert_true(seq_in(lo, lo, hi));
    assert_false(seq_in(hi, lo, hi));
    assert_true(seq_in(hi - 1, lo, hi));
    assert_false(seq_in(0x80000000u, lo, hi));
}

static void test_seq_half_space_limit(void **state)
{
    (void)state;
    /* 2^31 - 1 ahead is still "after"; 2^31 + 1 ahead is "before". */
    assert_true(seq_lt(0, 0x7fffffffu));
    assert_true(seq_gt(0, 0x80000001u));
}

static void test_seq_unwrap_near_reference(void **state)
{
    (void)state;
    uint64_t base = SEQ_UNWRAP_BASE + 0xfffffff0u; /* unwrapped ISN */
    /* forward across the 32-bit wrap */
    assert_int_equal(seq_unwrap(base, 0x10), base + 0x20);
    /* backward (old duplicate), no 64-bit underflow thanks to the base */
    assert_int_equal(seq_unwrap(base, 0xffffff00u), base - 0xf0);
    /* identity and round trip */
    assert_int_equal(seq_unwrap(base, seq_wrap(base)), base);
    for (uint64_t d = 0; d < 0x7fffffffull; d += 0x1234567) {
        assert_int_equal(seq_unwrap(base, seq_wrap(base + d)), base + d);
        assert_int_equal(seq_unwrap(base, seq_wrap(base - d)), base - d);
    }
    /* many wraps later the reference carries the epoch */
    uint64_t far = base + 5 * (UINT64_C(1) << 32) + 7;
    assert_int_equal(seq_unwrap(far, seq_wrap(far) + 100), far + 100);
    assert_int_equal(seq_unwrap(far, seq_wrap(far) - 100), far - 100);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_seq_compare_across_wrap),
        cmocka_unit_test(test_seq_between_and_in_at_wrap),
        cmocka_unit_test(test_seq_half_space_limit),
        cmocka_unit_test(test_seq_unwrap_near_reference),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

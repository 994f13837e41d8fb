/* RFC 6298 estimator: the formulas on a worked sequence of samples,
 * granularity, clamps, backoff, Karn's rule and the Linux floor. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "tcp/rtt.h"

static void assert_near_ns(sg_time got, double want)
{
    double d = (double)got - want;
    if (d < -10.0 || d > 10.0) /* integer ns arithmetic truncates */
        fail_msg("got %llu ns, want %.1f ns", (unsigned long long)got, want);
}

static void test_rtt_initial_rto_is_one_second(void **state)
{
    (void)state;
    struct rtt r;
    rtt_init(&r, 0, 0, 0, 0);
    assert_int_equal(rtt_rto(&r), SG_SEC(1));
    assert_int_equal(r.rto_min, SG_MS(200));
    assert_int_equal(r.rto_max, SG_SEC(120));
    assert_false(r.has_sample);
}

static void test_rtt_rfc6298_worked_sequence(void **state)
{
    (void)state;
    struct rtt r;
    rtt_init(&r, SG_MS(200), SG_SEC(120), SG_SEC(1), 0);
    /* Reference computed in floating point from RFC 6298 §2.2/2.3. */
    const double samples_ms[] = {100, 200, 50, 120, 120, 300, 90, 1000, 80, 80};
    double srtt = 0, var = 0;
    for (unsigned i = 0; i < sizeof samples_ms / sizeof samples_ms[0]; i++) {
        double R = samples_ms[i] * 1e6;
        if (i == 0) {
            srtt = R;
            var = R / 2;
        } else {
            double err = srtt > R ? srtt - R : R - srtt;
            var = 0.75 * var + 0.25 * err;
            srtt = 0.875 * srtt + 0.125 * R;
        }
        double rto = srtt + (4 * var > 1e6 ? 4 * var : 1e6);
        if (rto < 200e6)
            rto = 200e6;
        assert_true(rtt_sample(&r, (sg_time)R, 0));
        assert_near_ns(r.srtt, srtt);
        assert_near_ns(r.rttvar, var);
        assert_near_ns(rtt_rto(&r), rto);
    }
    /* The hand-computed first three steps, to pin the reference too. */
    struct rtt h;
    rtt_init(&h, SG_MS(200), 0, 0, 0);
    rtt_sample(&h, SG_MS(100), 0);
    assert_int_equal(h.srtt, SG_MS(100));
    assert_int_equal(h.rttvar, SG_MS(50));
    assert_int_equal(rtt_rto(&h), SG_MS(300));
    rtt_sample(&h, SG_MS(200), 0);
    assert_int_equal(h.rttvar, SG_US(62500));
    assert_int_equal(h.srtt, SG_US(112500));
    assert_int_equal(rtt_rto(&h), SG_US(362500));
    rtt_sample(&h, SG_MS(50), 0);
    assert_int_equal(h.rttvar, SG_US(62500));
    assert_int_equal(h.srtt, SG_NS(104687500));
    assert_int_equal(rtt_rto(&h), SG_NS(354687500));
}

static void test_rtt_granularity_floor_on_variance(void **state)
{
    (void)state;
    struct rtt r;
    rtt_init(&r, SG_US(1), SG_SEC(60), 0, 0);
    for (int i = 0; i < 200; i++)
        rtt_sample(&r, SG_MS(100), 0);
    /* RTTVAR has decayed to ~0: RTO = SRTT + G. */
    assert_true(r.rttvar < SG_US(1));
    assert_near_ns(rtt_rto(&r), 100e6 + 1e6);
}

static void test_rtt_min_clamp(void **state)
{
    (void)state;
    struct rtt r;
    rtt_init(&r, SG_MS(200), 0, 0, 0);
    for (int i = 0; i < 50; i++)
        rtt_sample(&r, SG_MS(1), 0);
    assert_int_equal(rtt_rto(&r), SG_MS(200));
}

static void test_rtt_linux_floor_adds_rto_min_to_srtt(void **state)
{
    (void)state;
    struct rtt r;
    rtt_init(&r, SG_MS(200), 0, 0, RTT_LINUX_FLOOR);
    for (int i = 0; i < 50; i++)
        rtt_sample(&r, SG_MS(50), 0);
    /* RFC: max(50 + ~0, 200) = 200; Linux: 50 + max(4*var, 200) = 250 */
    assert_near_ns(rtt_rto(&r), r.srtt + 200e6);
    assert_true(rtt_rto(&r) > SG_MS(249));
}

static void test_rtt_backoff_doubles_and_caps(void **state)
{
    (void)state;
    struct rtt r;
    rtt_init(&r, SG_MS(200), SG_SEC(120), SG_SEC(1), 0);
    const sg_time want[] = {SG_SEC(2),  SG_SEC(4),   SG_SEC(8),   SG_SEC(16),  SG_SEC(32),
                            SG_SEC(64), SG_SEC(120), SG_SEC(120), SG_SEC(120), SG_SEC(120)};
    for (unsigned i = 0; i < sizeof want / sizeof want[0]; i++)
        assert_int_equal(rtt_backoff(&r), want[i]);
    for (int i = 0; i < 100; i++) /* no overflow however long it goes on */
        assert_int_equal(rtt_backoff(&r), SG_SEC(120));
    rtt_reset_backoff(&r);
    assert_int_equal(rtt_rto(&r), SG_SEC(1));
}

static void test_rtt_karn_ignores_retransmitted_unless_timestamp(void **state)
{
    (void)state;
    struct rtt r;
    rtt_init(&r, SG_MS(200), 0, 0, 0);
    rtt_backoff(&r);
    assert_int_equal(rtt_rto(&r), SG_SEC(2));
    /* Ambiguous sample: rejected, backed-off RTO kept (Karn). */
    assert_false(rtt_sample(&r, SG_MS(300), RTT_SAMPLE_RETRANSMITTED));
    assert_false(r.has_sample);
    assert_int_equal(rtt_rto(&r), SG_SEC(2));
    /* With an echoed timestamp it identifies the transmission: used. */
    assert_true(rtt_sample(&r, SG_MS(300), RTT_SAMPLE_RETRANSMITTED | RTT_SAMPLE_TIMESTAMP));
    assert_int_equal(r.srtt, SG_MS(300));
    assert_int_equal(rtt_rto(&r), SG_MS(900)); /* 300 + 4 * 150, backoff cleared */
}

static void test_rtt_rto_max_caps_computed_rto(void **state)
{
    (void)state;
    struct rtt r;
    rtt_init(&r, SG_MS(200), SG_SEC(2), SG_SEC(3), 0);
    assert_int_equal(rtt_rto(&r), SG_SEC(2)); /* initial also capped */
    rtt_sample(&r, SG_SEC(1), 0);             /* 1 + 4 * 0.5 = 3 s */
    assert_int_equal(rtt_rto(&r), SG_SEC(2));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rtt_initial_rto_is_one_second),
        cmocka_unit_test(test_rtt_rfc6298_worked_sequence),
        cmocka_unit_test(test_rtt_granularity_floor_on_variance),
        cmocka_unit_test(test_rtt_min_clamp),
        cmocka_unit_test(test_rtt_linux_floor_adds_rto_min_to_srtt),
        cmocka_unit_test(test_rtt_backoff_doubles_and_caps),
        cmocka_unit_test(test_rtt_karn_ignores_retransmitted_unless_timestamp),
        cmocka_unit_test(test_rtt_rto_max_caps_computed_rto),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

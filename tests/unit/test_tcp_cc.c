/* Congestion control: NewReno (RFC 5681/3465/6582) and CUBIC (RFC 9438).
 * A tiny fluid model drives them: each round trip acknowledges one
 * window's worth of segments, one ACK per segment, evenly spaced. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "tcp/cc.h"

#define MSS 1000u

/* Acknowledge one cwnd of data over one RTT, `per_ack` bytes per ACK. */
static void one_rtt(struct cc_state *st, sg_time rtt, sg_time *now, uint32_t per_ack)
{
    uint32_t win = st->cwnd;
    uint32_t n = win / per_ack ? win / per_ack : 1;
    for (uint32_t i = 0; i < n; i++) {
        *now += rtt / n;
        struct cc_ack a = {.acked = per_ack, .flight = win, .srtt = rtt, .rtt = rtt};
        cc_on_ack(st, &a, *now);
    }
}

static void test_cc_initial_window_is_ten_segments(void **state)
{
    (void)state;
    struct cc_state st;
    cc_init(&st, &cc_newreno_ops, MSS, 0);
    assert_int_equal(st.cwnd, 10 * MSS);
    assert_int_equal(st.ssthresh, UINT32_MAX);
    cc_init(&st, &cc_cubic_ops, 1460, 0);
    assert_int_equal(st.cwnd, 14600);
}

static void test_cc_by_name_linux_names(void **state)
{
    (void)state;
    assert_ptr_equal(cc_by_name("cubic"), &cc_cubic_ops);
    assert_ptr_equal(cc_by_name("reno"), &cc_newreno_ops);
    assert_null(cc_by_name("newreno")); /* not a Linux name: ENOENT there */
    assert_null(cc_by_name("bbr"));
    assert_null(cc_by_name(""));
    assert_null(cc_by_name(NULL));
    assert_string_equal(cc_cubic_ops.name, "cubic");
    assert_string_equal(cc_newreno_ops.name, "reno");
}

static void slow_start_doubles(const struct cc_ops *ops)
{
    struct cc_state st;
    sg_time now = SG_SEC(1);
    cc_init(&st, ops, MSS, now);
    for (int r = 1; r <= 5; r++) {
        one_rtt(&st, SG_MS(50), &now, MSS);
        assert_int_equal(st.cwnd, (10u * MSS) << r);
    }
    /* Delayed ACKs (2 segments each) still double: L = 2 (RFC 3465). */
    cc_init(&st, ops, MSS, now);
    one_rtt(&st, SG_MS(50), &now, 2 * MSS);
    assert_int_equal(st.cwnd, 20 * MSS);
}

static void test_cc_reno_slow_start_doubles_per_rtt(void **state)
{
    (void)state;
    slow_start_doubles(&cc_newreno_ops);
}

static void test_cc_cubic_slow_start_doubles_per_rtt(void **state)
{
    (void)state;
    slow_start_doubles(&cc_cubic_ops);
}

static void test_cc_slow_start_stretch_ack_capped_at_l_smss(void **state)
{
    (void)state;
    struct cc_state st;
    cc_init(&st, &cc_newreno_ops, MSS, 0);
    struct cc_ack a = {.acked = 8 * MSS, .flight = 10 * MSS};
    cc_on_ack(&st, &a, 1);
    assert_int_equal(st.cwnd, 12 * MSS); /* + min(8, 2) segments */
}

static void test_cc_reno_avoidance_one_mss_per_rtt(void **state)
{
    (void)state;
    struct cc_state st;
    sg_time now = SG_SEC(1);
    cc_init(&st, &cc_newreno_ops, MSS, now);
    st.cwnd = st.ssthresh = 20 * MSS;
    for (int r = 1; r <= 10; r++) {
        one_rtt(&st, SG_MS(50), &now, MSS);
        assert_int_equal(st.cwnd, (20u + (uint32_t)r) * MSS);
    }
}

static void test_cc_slow_start_stops_at_ssthresh(void **state)
{
    (void)state;
    struct cc_state st;
    cc_init(&st, &cc_newreno_ops, MSS, 0);
    st.ssthresh = 15 * MSS;
    sg_time now = 0;
    one_rtt(&st, SG_MS(10), &now, MSS);
    /* 10 -> 15 by slow start, then avoidance: far below doubling */
    assert_true(st.cwnd >= 15 * MSS && st.cwnd <= 16 * MSS);
}

static void test_cc_reno_loss_halves_flight(void **state)
{
    (void)state;
    struct cc_state st;
    cc_init(&st, &cc_newreno_ops, MSS, 0);
    st.cwnd = 40 * MSS;
    cc_enter_recovery(&st, 40 * MSS, 1);
    assert_int_equal(st.ssthresh, 20 * MSS);
    assert_int_equal(st.cwnd, 20 * MSS);
    assert_true(st.in_recovery);
    /* no growth while in recovery */
    struct cc_ack a = {.acked = MSS, .flight = 20 * MSS};
    cc_on_ack(&st, &a, 2);
    assert_int_equal(st.cwnd, 20 * MSS);
    /* floor of 2 SMSS */
    cc_init(&st, &cc_newreno_ops, MSS, 0);
    cc_enter_recovery(&st, 3 * MSS, 1);
    assert_int_equal(st.ssthresh, 2 * MSS);
}

static void test_cc_cubic_loss_multiplies_by_0_7(void **state)
{
    (void)state;
    struct cc_state st;
    cc_init(&st, &cc_cubic_ops, MSS, 0);
    st.cwnd = 100 * MSS;
    cc_enter_recovery(&st, 100 * MSS, SG_SEC(1));
    assert_int_equal(st.ssthresh, 70 * MSS);
    assert_int_equal(st.cwnd, 70 * MSS);
    assert_true(st.u.cubic.w_max > 99.99 && st.u.cubic.w_max < 100.01);
}

static void test_cc_newreno_recovery_inflate_deflate_exit(void **state)
{
    (void)state;
    struct cc_state st;
    cc_init(&st, &cc_newreno_ops, MSS, 0);
    st.cwnd = 20 * MSS;
    cc_enter_recovery(&st, 20 * MSS, 1);
    for (int i = 0; i < 3; i++) /* RFC 6582 step 2: ssthresh + 3 SMSS */
        cc_recovery_inflate(&st);
    assert_int_equal(st.cwnd, 13 * MSS);
    cc_recovery_inflate(&st); /* step 4: another dupack */
    assert_int_equal(st.cwnd, 14 * MSS);
    cc_recovery_partial_ack(&st, 5 * MSS); /* step 5: -5 + 1 */
    assert_int_equal(st.cwnd, 10 * MSS);
    cc_recovery_partial_ack(&st, MSS / 2); /* less than SMSS: no add-back */
    assert_int_equal(st.cwnd, 10 * MSS - MSS / 2);
    cc_exit_recovery(&st, 4 * MSS, 2); /* step 6 (1): min(10, 4 + 1) */
    assert_int_equal(st.cwnd, 5 * MSS);
    assert_false(st.in_recovery);
    /* and with plenty in flight, exactly ssthresh */
    st.cwnd = 20 * MSS;
    cc_enter_recovery(&st, 20 * MSS, 3);
    cc_exit_recovery(&st, 30 * MSS, 4);
    assert_int_equal(st.cwnd, st.ssthresh);
}

static void rto_resets_to_one_mss(const struct cc_ops *ops, uint32_t want_ssthresh)
{
    struct cc_state st;
    cc_init(&st, ops, MSS, 0);
    st.cwnd = 40 * MSS;
    cc_enter_recovery(&st, 40 * MSS, SG_SEC(1));
    cc_on_rto(&st, 40 * MSS, SG_SEC(2));
    assert_int_equal(st.cwnd, MSS); /* RFC 5681 LW */
    assert_int_equal(st.ssthresh, want_ssthresh);
    assert_false(st.in_recovery);
    /* slow start again from one segment */
    sg_time now = SG_SEC(3);
    one_rtt(&st, SG_MS(50), &now, MSS);
    assert_int_equal(st.cwnd, 2 * MSS);
}

static void test_cc_reno_rto_cwnd_one_mss(void **state)
{
    (void)state;
    rto_resets_to_one_mss(&cc_newreno_ops, 20 * MSS);
}

static void test_cc_cubic_rto_cwnd_one_mss(void **state)
{
    (void)state;
    rto_resets_to_one_mss(&cc_cubic_ops, 28 * MSS);
}

static void test_cc_app_limited_does_not_grow(void **state)
{
    (void)state;
    struct cc_state st;
    cc_init(&st, &cc_cubic_ops, MSS, 0);
    struct cc_ack a = {.acked = MSS, .flight = 2 * MSS, .app_limited = true};
    for (int i = 0; i < 100; i++)
        cc_on_ack(&st, &a, (sg_time)i);
    assert_int_equal(st.cwnd, 10 * MSS);
}

static double w_cubic(double t, double k, double wmax)
{
    double d = t - k;
    return 0.4 * d * d * d + wmax;
}

static void test_cc_cubic_window_follows_w_cubic(void **state)
{
    (void)state;
    /* Long RTT (200 ms): the Reno-friendly estimate stays below W_cubic,
     * so the window must follow the cubic curve through its plateau at
     * W_max = 100 (t = K) into the convex region. */
    struct cc_state st;
    const sg_time rtt = SG_MS(200);
    sg_time now = SG_SEC(10);
    cc_init(&st, &cc_cubic_ops, MSS, now);
    st.cwnd = 100 * MSS;
    cc_enter_recovery(&st, 100 * MSS, now);
    cc_exit_recovery(&st, 200 * MSS, now);
    assert_int_equal(st.cwnd, 70 * MSS);
    const double k = 4.2171633265; /* cbrt((100 - 70) / 0.4) */
    sg_time epoch = 0;
    const double checks[] = {1.0, 2.0, 3.0, k, 5.0, 6.0, 7.0, 8.0};
    unsigned ci = 0;
    while (ci < sizeof checks / sizeof checks[0]) {
        one_rtt(&st, rtt, &now, MSS);
        if (!epoch)
            epoch = st.u.cubic.epoch_start;
        double t = (double)(now - epoch) / 1e9;
        if (t < checks[ci])
            continue;
        double cw = (double)st.cwnd / MSS;
        double lo = w_cubic(t - 0.2, k, 100.0), hi = w_cubic(t + 0.2, k, 100.0);
        if (cw < lo - 1.0 || cw > hi + 1.0)
            fail_msg("t=%.3f cwnd=%.2f segments, W_cubic in [%.2f, %.2f]", t, cw, lo, hi);
        ci++;
    }
    assert_true(st.u.cubic.k > k - 1e-6 && st.u.cubic.k < k + 1e-6);
    /* and it really went convex: well above W_max by t = 8 s */
    assert_true(st.cwnd > 115 * MSS);
}

static void test_cc_cubic_reno_friendly_region_at_short_rtt(void **state)
{
    (void)state;
    /* Short RTT (10 ms): W_est grows by alpha = 3(1-0.7)/(1+0.7) segments
     * per RTT up to cwnd_prior = 100, then by 1 per RTT, faster than
     * W_cubic; cwnd must follow W_est (RFC 9438 §4.3). */
    struct cc_state st;
    const sg_time rtt = SG_MS(10);
    sg_time now = SG_SEC(10);
    cc_init(&st, &cc_cubic_ops, MSS, now);
    st.cwnd = 100 * MSS;
    cc_enter_recovery(&st, 100 * MSS, now);
    cc_exit_recovery(&st, 200 * MSS, now);
    const double alpha = 3.0 * 0.3 / 1.7;
    for (int r = 1; r <= 30; r++)
        one_rtt(&st, rtt, &now, MSS);
    double cw = (double)st.cwnd / MSS;
    double want = 70.0 + 30 * alpha;
    if (cw < want - 1.5 || cw > want + 1.5)
        fail_msg("after 30 RTTs cwnd=%.2f, want ~%.2f (Reno-friendly)", cw, want);
    assert_true(cw > w_cubic(0.3, 4.2171633265, 100.0) + 5);
    double rtts_to_prior = 30.0 / alpha; /* ~56.7 */
    for (int r = 31; r <= 100; r++)
        one_rtt(&st, rtt, &now, MSS);
    cw = (double)st.cwnd / MSS;
    want = 100.0 + (100.0 - rtts_to_prior);
    if (cw < want - 2.5 || cw > want + 2.5)
        fail_msg("after 100 RTTs cwnd=%.2f, want ~%.2f (alpha 1 past cwnd_prior)", cw, want);
}

static void test_cc_cubic_fast_convergence(void **state)
{
    (void)state;
    struct cc_state st;
    cc_init(&st, &cc_cubic_ops, MSS, 0);
    st.cwnd = 100 * MSS;
    cc_enter_recovery(&st, 100 * MSS, SG_SEC(1));
    cc_exit_recovery(&st, 100 * MSS, SG_SEC(1));
    st.cwnd = 90 * MSS; /* second loss below the previous W_max */
    cc_enter_recovery(&st, 90 * MSS, SG_SEC(2));
    double want = 90.0 * 1.7 / 2.0; /* 76.5 */
    assert_true(st.u.cubic.w_max > want - 1e-9 && st.u.cubic.w_max < want + 1e-9);
    assert_int_equal(st.cwnd, 63 * MSS);
}

static void test_cc_set_mss_keeps_segments(void **state)
{
    (void)state;
    struct cc_state st;
    cc_init(&st, &cc_newreno_ops, 1460, 0);
    cc_set_mss(&st, 1000);
    assert_int_equal(st.cwnd, 10000);
    assert_int_equal(st.mss, 1000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cc_initial_window_is_ten_segments),
        cmocka_unit_test(test_cc_by_name_linux_names),
        cmocka_unit_test(test_cc_reno_slow_start_doubles_per_rtt),
        cmocka_unit_test(test_cc_cubic_slow_start_doubles_per_rtt),
        cmocka_unit_test(test_cc_slow_start_stretch_ack_capped_at_l_smss),
        cmocka_unit_test(test_cc_reno_avoidance_one_mss_per_rtt),
        cmocka_unit_test(test_cc_slow_start_stops_at_ssthresh),
        cmocka_unit_test(test_cc_reno_loss_halves_flight),
        cmocka_unit_test(test_cc_cubic_loss_multiplies_by_0_7),
        cmocka_unit_test(test_cc_newreno_recovery_inflate_deflate_exit),
        cmocka_unit_test(test_cc_reno_rto_cwnd_one_mss),
        cmocka_unit_test(test_cc_cubic_rto_cwnd_one_mss),
        cmocka_unit_test(test_cc_app_limited_does_not_grow),
        cmocka_unit_test(test_cc_cubic_window_follows_w_cubic),
        cmocka_unit_test(test_cc_cubic_reno_friendly_region_at_short_rtt),
        cmocka_unit_test(test_cc_cubic_fast_convergence),
        cmocka_unit_test(test_cc_set_mss_keeps_segments),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* Timer wheel against a reference model, in lockstep: every firing is
 * checked, as it happens, against the model's choice of the next timer
 * (overdue timers in arm order, then by (tick, arm order) up to the
 * advance's target), and the callbacks themselves arm, re-arm and cancel
 * timers (including themselves) on both. 100,000 random operations per
 * tick size, deadlines from the past to beyond the wheel's 2^36-tick
 * range, many timers sharing a tick at different levels, jumps of `now`
 * from 0 to 2^37 ticks. Plus targeted tests of each rule in the header.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/timerwheel.h"

#ifndef container_of
#define container_of(ptr, type, member) ((type *)((char *)(ptr)-offsetof(type, member)))
#endif

static uint64_t t_rand(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* ---- simple recording timers for the targeted tests ---- */

struct rec {
    int log[64];
    sg_time when[64];
    int n;
};

struct rtimer {
    struct timer t;
    int id;
    struct rec *rec;
    /* optional actions in the callback */
    struct timerwheel *w;
    struct rtimer *cancel;
    sg_time rearm_at; /* 0: none */
    int rearm_times;
};

static void rt_fire(struct timer *t, sg_time now)
{
    struct rtimer *r = container_of(t, struct rtimer, t);
    assert_false(timer_armed(t)); /* disarmed before its fn runs */
    r->rec->log[r->rec->n] = r->id;
    r->rec->when[r->rec->n] = now;
    r->rec->n++;
    if (r->cancel)
        tw_cancel(r->w, &r->cancel->t);
    if (r->rearm_times > 0) {
        r->rearm_times--;
        tw_arm(r->w, t, r->rearm_at);
    }
}

static void rt_init(struct rtimer *r, int id, struct rec *rec, struct timerwheel *w)
{
    memset(r, 0, sizeof(*r));
    timer_init(&r->t, rt_fire);
    r->id = id;
    r->rec = rec;
    r->w = w;
}

static void test_tw_rounds_up_never_early(void **state)
{
    struct timerwheel *w = malloc(sizeof(*w));
    struct rec rec = {0};
    struct rtimer a, b, c;
    tw_init(w, 0, 1000);
    rt_init(&a, 1, &rec, w);
    rt_init(&b, 2, &rec, w);
    rt_init(&c, 3, &rec, w);
    tw_arm(w, &a.t, 1500); /* rounds up to 2000 */
    tw_arm(w, &b.t, 2000); /* on a tick */
    tw_arm(w, &c.t, 2001); /* rounds up to 3000 */
    assert_int_equal(w->count, 3);
    assert_int_equal(tw_next_deadline(w), 2000);
    assert_int_equal(tw_advance(w, 1500), 0); /* deadline reached, tick not */
    assert_int_equal(tw_advance(w, 1999), 0);
    assert_int_equal(tw_advance(w, 2000), 2);
    assert_int_equal(rec.log[0], 1);
    assert_int_equal(rec.log[1], 2);
    assert_int_equal(tw_next_deadline(w), 3000);
    assert_int_equal(tw_advance(w, 2999), 0);
    assert_int_equal(tw_advance(w, 5000), 1);
    assert_int_equal(rec.when[2], 5000);
    assert_int_equal(w->count, 0);
    assert_int_equal(tw_next_deadline(w), SG_TIME_NEVER);
    free(w);
}

static void test_tw_overdue_fires_at_next_advance(void **state)
{
    struct timerwheel *w = malloc(sizeof(*w));
    struct rec rec = {0};
    struct rtimer a, b;
    tw_init(w, 10500, 1000); /* current tick 10 (10000) */
    rt_init(&a, 1, &rec, w);
    rt_init(&b, 2, &rec, w);
    tw_arm(w, &a.t, 3);     /* long past */
    tw_arm(w, &b.t, 10000); /* the current tick */
    assert_true(timer_armed(&a.t));
    assert_true(tw_next_deadline(w) <= 1000);
    /* Fires even with a now that is not later (or even earlier). */
    assert_int_equal(tw_advance(w, 10400), 2);
    assert_int_equal(rec.log[0], 1);
    assert_int_equal(rec.log[1], 2);
    /* A deadline inside the current tick but after the tick's start is
     * not overdue: it fires when the next tick is reached. */
    tw_arm(w, &a.t, 10001);
    assert_int_equal(tw_advance(w, 10999), 0);
    assert_int_equal(tw_advance(w, 11000), 1);
    free(w);
}

static void check_same_tick_order(sg_time D, const sg_time arm_at[8])
{
    /* Timers for one deadline D, armed from ever closer (so they sit at
     * levels 5, 4, ... 0 and cascade into each other), plus one re-armed
     * (which moves it to the back). */
    struct timerwheel *w = malloc(sizeof(*w));
    struct rec rec = {0};
    struct rtimer t[8];
    tw_init(w, 0, 1);
    for (int i = 0; i < 8; i++)
        rt_init(&t[i], i, &rec, w);
    for (int i = 0; i < 7; i++) {
        assert_int_equal(tw_advance(w, arm_at[i]), 0);
        tw_arm(w, &t[i].t, D);
    }
    tw_arm(w, &t[1].t, D); /* re-arm: now after 6 */
    assert_int_equal(tw_advance(w, arm_at[7]), 0);
    tw_arm(w, &t[7].t, D);
    assert_int_equal(tw_advance(w, D - 1), 0);
    assert_int_equal(tw_advance(w, D), 8);
    static const int want[] = {0, 2, 3, 4, 5, 6, 1, 7};
    for (int i = 0; i < 8; i++)
        assert_int_equal(rec.log[i], want[i]);
    free(w);
}

static void test_tw_same_tick_fires_in_arm_order_across_levels(void **state)
{
    /* Tick 1 ns. D's level-1..4 cascades happen at different ticks. */
    const sg_time D = 5000000000ull + 17;
    const sg_time at[8] = {0, 1000, D - 3000000, D - 200000, D - 5000, D - 100, D - 10, D - 1};
    check_same_tick_order(D, at);
}

static void test_tw_same_tick_order_when_all_levels_cascade_at_once(void **state)
{
    /* D = 5 * 2^30 + 17: its slots on levels 1..5 all cascade at the same
     * tick 5 * 2^30, where the lowest level must go first so that the
     * higher levels' (earlier armed) timers end up in front. */
    const sg_time D = (5ull << 30) + 17;
    const sg_time at[8] = {0,
                           (1ull << 24) + 3,
                           D - (1ull << 24) - 5,
                           D - (1ull << 18) - 5,
                           D - 5000,
                           D - 100,
                           D - 10,
                           D - 1};
    check_same_tick_order(D, at);
    /* And from overflow: armed beyond 2^36 ticks, D on a 2^36 boundary. */
    const sg_time E = (3ull << 36) + 5;
    const sg_time at2[8] = {
        0, 1, E - (1ull << 30) - 9, E - (1ull << 24) - 9, E - 4097, E - 64, E - 63, E - 1};
    check_same_tick_order(E, at2);
}

static void test_tw_callback_rearming_self_for_now_does_not_loop(void **state)
{
    struct timerwheel *w = malloc(sizeof(*w));
    struct rec rec = {0};
    struct rtimer a;
    tw_init(w, 0, 1000);
    rt_init(&a, 1, &rec, w);
    a.rearm_at = 0; /* always overdue */
    a.rearm_times = 1000;
    tw_arm(w, &a.t, 5000);
    assert_int_equal(tw_advance(w, 5000), 1); /* once, then overdue */
    assert_true(timer_armed(&a.t));
    assert_int_equal(tw_advance(w, 5000), 1); /* at the next advance */
    assert_int_equal(tw_advance(w, 5000), 1);
    assert_int_equal(rec.n, 3);
    tw_cancel(w, &a.t);
    assert_false(timer_armed(&a.t));
    assert_int_equal(w->count, 0);
    assert_int_equal(tw_advance(w, 6000), 0);
    free(w);
}

static void test_tw_callback_cancels_and_arms_others(void **state)
{
    struct timerwheel *w = malloc(sizeof(*w));
    struct rec rec = {0};
    struct rtimer a, b, c;
    tw_init(w, 0, 1);
    rt_init(&a, 1, &rec, w);
    rt_init(&b, 2, &rec, w);
    rt_init(&c, 3, &rec, w);
    tw_arm(w, &a.t, 100);
    tw_arm(w, &b.t, 100); /* same tick, after a */
    a.cancel = &b;        /* a's callback cancels b before it runs */
    c.rearm_at = 150;     /* c re-arms itself later within the same advance */
    c.rearm_times = 1;
    tw_arm(w, &c.t, 120);
    assert_int_equal(tw_advance(w, 200), 3); /* a, c, c again */
    assert_int_equal(rec.n, 3);
    assert_int_equal(rec.log[0], 1);
    assert_int_equal(rec.log[1], 3);
    assert_int_equal(rec.log[2], 3);
    assert_false(timer_armed(&b.t));
    assert_int_equal(w->count, 0);
    free(w);
}

static void test_tw_cancel_rearm_and_count(void **state)
{
    struct timerwheel *w = malloc(sizeof(*w));
    struct rec rec = {0};
    struct rtimer a, b;
    tw_init(w, 0, 1);
    rt_init(&a, 1, &rec, w);
    rt_init(&b, 2, &rec, w);
    tw_cancel(w, &a.t); /* not armed: no-op */
    assert_int_equal(w->count, 0);
    tw_arm(w, &a.t, 10);
    tw_arm(w, &a.t, 1u << 20); /* re-arm: still one timer */
    assert_int_equal(w->count, 1);
    tw_arm(w, &b.t, 5);
    assert_int_equal(w->count, 2);
    tw_cancel(w, &a.t);
    tw_cancel(w, &a.t);
    assert_int_equal(w->count, 1);
    assert_int_equal(tw_advance(w, 1u << 21), 1);
    assert_int_equal(rec.log[0], 2);
    /* A timer with no fn just expires. */
    struct timer bare;
    timer_init(&bare, NULL);
    tw_arm(w, &bare, (1u << 21) + 5);
    assert_int_equal(tw_advance(w, (1u << 21) + 5), 1);
    assert_false(timer_armed(&bare));
    free(w);
}

static void test_tw_next_deadline_exact_near_and_bounded_far(void **state)
{
    struct timerwheel *w = malloc(sizeof(*w));
    struct rec rec = {0};
    struct rtimer a, b;
    tw_init(w, SG_MS(7), SG_MS(1));
    rt_init(&a, 1, &rec, w);
    rt_init(&b, 2, &rec, w);
    tw_arm(w, &a.t, SG_MS(40) + 1); /* level 0: exact, rounded up */
    assert_int_equal(tw_next_deadline(w), SG_MS(41));
    tw_cancel(w, &a.t);
    /* One hour ahead: a few early wake-ups (cascades), each strictly
     * later than the last, then the exact tick. */
    const sg_time d = SG_MS(7) + SG_SEC(3600) + 123;
    tw_arm(w, &b.t, d);
    sg_time prev = SG_MS(7), nd;
    int wakes = 0;
    while ((nd = tw_next_deadline(w)) != SG_TIME_NEVER) {
        assert_true(nd > prev);
        assert_true(nd <= SG_MS(7) + SG_SEC(3600) + SG_MS(1));
        wakes++;
        prev = nd;
        uint32_t f = tw_advance(w, nd);
        if (f) {
            assert_int_equal(nd, SG_MS(7) + SG_SEC(3600) + SG_MS(1));
            break;
        }
    }
    assert_int_equal(rec.n, 1);
    assert_true(wakes <= TW_LEVELS + 1);
    free(w);
}

static void test_tw_huge_jumps_are_not_stepped(void **state)
{
    /* 1 ns ticks: stepping tick by tick through these jumps would take
     * years. Timers at 1 s, 1 day, 1 year and beyond the 2^36-tick range
     * (69 s) fire exactly at their ticks when advanced to in big leaps. */
    struct timerwheel *w = malloc(sizeof(*w));
    struct rec rec = {0};
    struct rtimer t[5];
    tw_init(w, 0, 1);
    static const sg_time d[5] = {SG_SEC(1), SG_SEC(86400), SG_SEC(86400ull * 365),
                                 SG_SEC(86400ull * 365 * 100) + 1, SG_TIME_NEVER};
    for (int i = 0; i < 5; i++) {
        rt_init(&t[i], i, &rec, w);
        tw_arm(w, &t[i].t, d[i]);
    }
    assert_int_equal(tw_advance(w, SG_SEC(86400) - 1), 1);
    assert_int_equal(tw_advance(w, SG_SEC(86400)), 1);
    assert_int_equal(tw_advance(w, SG_SEC(86400ull * 365 * 100)), 1);
    assert_int_equal(tw_advance(w, SG_SEC(86400ull * 365 * 100) + 1), 1);
    assert_int_equal(rec.n, 4);
    for (int i = 0; i < 4; i++)
        assert_int_equal(rec.log[i], i);
    assert_int_equal(rec.when[3], d[3]);
    /* SG_TIME_NEVER stays armed until the very end of time. */
    assert_int_equal(tw_advance(w, UINT64_MAX - 1), 0);
    assert_int_equal(w->count, 1);
    assert_int_equal(tw_next_deadline(w), SG_TIME_NEVER);
    assert_int_equal(tw_advance(w, UINT64_MAX), 1);
    assert_int_equal(rec.log[4], 4);

    /* The same, walking by next_deadline as a runtime would: a few
     * wake-ups per timer (one per level it cascades through), however
     * far beyond the wheel's 2^36-tick range it is. */
    tw_init(w, 0, 1);
    rec.n = 0;
    for (int i = 0; i < 4; i++)
        tw_arm(w, &t[i].t, d[i]);
    int wakes = 0;
    sg_time nd;
    while (rec.n < 4 && (nd = tw_next_deadline(w)) != SG_TIME_NEVER) {
        tw_advance(w, nd);
        wakes++;
    }
    assert_int_equal(rec.n, 4);
    for (int i = 0; i < 4; i++)
        assert_int_equal(rec.when[i], d[i]); /* 1 ns ticks: exactly on time */
    assert_true(wakes <= 4 * (TW_LEVELS + 1));
    free(w);
}

static void test_tw_time_going_backwards_only_runs_overdue(void **state)
{
    struct timerwheel *w = malloc(sizeof(*w));
    struct rec rec = {0};
    struct rtimer a, b;
    tw_init(w, 1000000, 1000);
    rt_init(&a, 1, &rec, w);
    rt_init(&b, 2, &rec, w);
    tw_arm(w, &a.t, 1005000);
    tw_arm(w, &b.t, 10);
    assert_int_equal(tw_advance(w, 5), 1); /* b: overdue */
    assert_int_equal(w->cur, 1000);
    assert_int_equal(tw_advance(w, 1005000), 1);
    free(w);
}

/* ---- the lockstep model ---- */

enum { NT = 160 };

struct mtimer {
    struct timer t;
    int id;
    struct world *wd;
};

struct world {
    struct timerwheel w;
    struct mtimer tm[NT];
    /* model */
    sg_time tick;
    uint64_t cur; /* model's current tick */
    int armed[NT], due[NT], batch[NT];
    uint64_t exp[NT], seq[NT], seqctr;
    sg_time popular[8];
    /* the advance in progress */
    int in_adv;
    sg_time now;
    uint64_t target;
    uint32_t fired;
    uint64_t rs;
    uint64_t total_fired, total_overdue;
};

static uint64_t w_tick_of(const struct world *wd, sg_time d)
{
    return d / wd->tick + (d % wd->tick != 0);
}

static sg_time sat_add(sg_time a, sg_time b)
{
    return a > SG_TIME_NEVER - b ? SG_TIME_NEVER : a + b;
}

static void m_arm(struct world *wd, int i, sg_time d)
{
    tw_arm(&wd->w, &wd->tm[i].t, d);
    uint64_t e = w_tick_of(wd, d);
    wd->armed[i] = 1;
    wd->batch[i] = 0;
    wd->due[i] = e <= wd->cur;
    wd->exp[i] = e;
    wd->seq[i] = ++wd->seqctr;
}

static void m_cancel(struct world *wd, int i)
{
    tw_cancel(&wd->w, &wd->tm[i].t);
    wd->armed[i] = wd->due[i] = wd->batch[i] = 0;
}

static sg_time pick_deadline(struct world *wd, sg_time now)
{
    uint64_t r = t_rand(&wd->rs) % 100;
    sg_time k = wd->tick;
    if (r < 25)
        return sat_add(now, t_rand(&wd->rs) % (100 * k));
    if (r < 40)
        return sat_add(now, t_rand(&wd->rs) % (5000 * k));
    if (r < 50)
        return sat_add(now, t_rand(&wd->rs) % ((1ull << 20) * k));
    if (r < 57)
        return sat_add(now, t_rand(&wd->rs) % ((1ull << 40) * k)); /* beyond 2^36 */
    if (r < 67)
        return now - t_rand(&wd->rs) % (now + 1); /* past (or now) */
    if (r < 68)
        return SG_TIME_NEVER;
    /* Shared deadlines: many timers on one tick, armed from different
     * distances, so they meet through cascades. */
    return wd->popular[t_rand(&wd->rs) % 8];
}

/* A shared deadline: half of them just after a multiple of 64^k ticks,
 * where several levels cascade in the same tick. */
static sg_time pick_popular(struct world *wd, sg_time now)
{
    sg_time d = pick_deadline(wd, now);
    if (t_rand(&wd->rs) % 2 || d == SG_TIME_NEVER)
        return d;
    unsigned k = 1 + (unsigned)(t_rand(&wd->rs) % 6);
    uint64_t unit = wd->tick << (6 * k);
    if (unit / wd->tick != 1ull << (6 * k))
        return d;
    sg_time a = d / unit * unit;
    return sat_add(a, (t_rand(&wd->rs) % 64) * wd->tick);
}

/* The next timer the model expects to fire in the advance in progress. */
static int m_expect(struct world *wd)
{
    int best = -1;
    for (int i = 0; i < NT; i++)
        if (wd->armed[i] && wd->batch[i] && (best < 0 || wd->seq[i] < wd->seq[best]))
            best = i;
    if (best >= 0)
        return best;
    for (int i = 0; i < NT; i++) {
        if (!wd->armed[i] || wd->due[i] || wd->exp[i] > wd->target)
            continue;
        if (best < 0 || wd->exp[i] < wd->exp[best] ||
            (wd->exp[i] == wd->exp[best] && wd->seq[i] < wd->seq[best]))
            best = i;
    }
    if (best >= 0)
        wd->cur = wd->exp[best]; /* the wheel is processing this tick */
    return best;
}

static void m_fire(struct timer *t, sg_time now)
{
    struct mtimer *mt = container_of(t, struct mtimer, t);
    struct world *wd = mt->wd;
    assert_true(wd->in_adv);
    assert_int_equal(now, wd->now);
    int e = m_expect(wd);
    if (e != mt->id)
        fail_msg("fired timer %d, model expected %d (now %llu, tick %llu)", mt->id, e,
                 (unsigned long long)now, (unsigned long long)wd->tick);
    assert_true(now >= t->deadline); /* never early */
    assert_false(timer_armed(t));
    if (wd->batch[e])
        wd->total_overdue++;
    wd->armed[e] = wd->due[e] = wd->batch[e] = 0;
    wd->fired++;

    /* Act like a protocol timer: re-arm self, arm or cancel others. */
    uint64_t r = t_rand(&wd->rs) % 100;
    if (r < 30)
        m_arm(wd, e, pick_deadline(wd, now));
    else if (r < 35)
        m_arm(wd, e, now); /* overdue from inside the callback */
    r = t_rand(&wd->rs) % 100;
    int o = (int)(t_rand(&wd->rs) % NT);
    if (r < 15)
        m_cancel(wd, o);
    else if (r < 30)
        m_arm(wd, o, pick_deadline(wd, now));
}

static void m_check_next_deadline(struct world *wd)
{
    sg_time nd = tw_next_deadline(&wd->w);
    uint64_t min = UINT64_MAX;
    uint32_t any = 0;
    int overdue = 0;
    for (int i = 0; i < NT; i++)
        if (wd->armed[i]) {
            any++;
            overdue |= wd->due[i];
            if (wd->exp[i] < min)
                min = wd->exp[i];
            assert_true(timer_armed(&wd->tm[i].t));
        } else {
            assert_false(timer_armed(&wd->tm[i].t));
        }
    assert_int_equal(wd->w.count, any);
    if (!any) {
        assert_int_equal(nd, SG_TIME_NEVER);
        return;
    }
    sg_time tmin = min > SG_TIME_NEVER / wd->tick ? SG_TIME_NEVER : min * wd->tick;
    assert_true(nd <= tmin); /* never later than the earliest rounded deadline */
    if (!overdue)
        assert_true(nd > wd->cur * wd->tick); /* a caller never spins */
}

static void m_advance(struct world *wd, sg_time now)
{
    wd->in_adv = 1;
    wd->now = now;
    wd->target = now / wd->tick;
    wd->fired = 0;
    for (int i = 0; i < NT; i++)
        if (wd->armed[i] && wd->due[i]) {
            wd->due[i] = 0;
            wd->batch[i] = 1;
        }
    uint32_t f = tw_advance(&wd->w, now);
    wd->in_adv = 0;
    assert_int_equal(f, wd->fired);
    /* Nothing left that should have fired. */
    for (int i = 0; i < NT; i++) {
        assert_false(wd->armed[i] && wd->batch[i]);
        assert_false(wd->armed[i] && !wd->due[i] && wd->exp[i] <= wd->target);
    }
    if (wd->target > wd->cur)
        wd->cur = wd->target;
    wd->total_fired += f;
}

static void run_model(sg_time tick, uint64_t seed, int ops)
{
    struct world *wd = calloc(1, sizeof(*wd));
    assert_non_null(wd);
    wd->rs = seed;
    wd->tick = tick;
    sg_time now = (t_rand(&wd->rs) % 1000) * tick + t_rand(&wd->rs) % tick;
    tw_init(&wd->w, now, tick);
    wd->cur = now / tick;
    for (int i = 0; i < NT; i++) {
        timer_init(&wd->tm[i].t, m_fire);
        wd->tm[i].id = i;
        wd->tm[i].wd = wd;
    }
    for (int i = 0; i < 8; i++)
        wd->popular[i] = pick_popular(wd, now);
    const sg_time now_cap = 1ull << 62;

    for (int op = 0; op < ops; op++) {
        uint64_t r = t_rand(&wd->rs) % 100;
        int i = (int)(t_rand(&wd->rs) % NT);
        if (r < 40) {
            m_arm(wd, i, pick_deadline(wd, now));
        } else if (r < 50) {
            m_cancel(wd, i);
        } else if (r < 52) {
            /* New shared deadlines, near and far. */
            wd->popular[t_rand(&wd->rs) % 8] = pick_popular(wd, now);
        } else {
            uint64_t a = t_rand(&wd->rs) % 100;
            sg_time step;
            if (a < 40)
                step = t_rand(&wd->rs) % (3 * tick);
            else if (a < 65)
                step = t_rand(&wd->rs) % (100 * tick);
            else if (a < 80)
                step = t_rand(&wd->rs) % ((1ull << 16) * tick);
            else if (a < 86)
                step = t_rand(&wd->rs) % ((1ull << 37) * tick);
            else if (a < 96) {
                /* Exactly to the next deadline, as a runtime would. */
                sg_time nd = tw_next_deadline(&wd->w);
                step = nd > now && nd != SG_TIME_NEVER ? nd - now : 0;
            } else
                step = 0;
            if (now + step > now_cap)
                step = t_rand(&wd->rs) % (3 * tick);
            now += step;
            m_advance(wd, now);
        }
        m_check_next_deadline(wd);
    }
    /* Enough happened to mean something. */
    assert_true(wd->total_fired > (uint64_t)ops / 10);
    assert_true(wd->total_overdue > 0);
    free(wd);
}

static void test_tw_model_100k_ops_tick_1ns(void **state)
{
    run_model(1, 11, 100000);
}

static void test_tw_model_100k_ops_tick_7ns(void **state)
{
    run_model(7, 12, 100000);
}

static void test_tw_model_100k_ops_tick_1ms(void **state)
{
    run_model(SG_MS(1), 13, 100000);
}

static void test_tw_model_many_seeds_short(void **state)
{
    for (uint64_t s = 0; s < 40; s++)
        run_model(s % 2 ? 1000 : 1, 100 + s, 5000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tw_rounds_up_never_early),
        cmocka_unit_test(test_tw_overdue_fires_at_next_advance),
        cmocka_unit_test(test_tw_same_tick_fires_in_arm_order_across_levels),
        cmocka_unit_test(test_tw_same_tick_order_when_all_levels_cascade_at_once),
        cmocka_unit_test(test_tw_callback_rearming_self_for_now_does_not_loop),
        cmocka_unit_test(test_tw_callback_cancels_and_arms_others),
        cmocka_unit_test(test_tw_cancel_rearm_and_count),
        cmocka_unit_test(test_tw_next_deadline_exact_near_and_bounded_far),
        cmocka_unit_test(test_tw_huge_jumps_are_not_stepped),
        cmocka_unit_test(test_tw_time_going_backwards_only_runs_overdue),
        cmocka_unit_test(test_tw_model_100k_ops_tick_1ns),
        cmocka_unit_test(test_tw_model_100k_ops_tick_7ns),
        cmocka_unit_test(test_tw_model_100k_ops_tick_1ms),
        cmocka_unit_test(test_tw_model_many_seeds_short),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

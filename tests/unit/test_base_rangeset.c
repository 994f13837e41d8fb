/* Rangeset against a reference model: a bitmap over a small universe.
 * Random overlapping adds, removes and advances; after every operation the
 * tree's ranges, counts, byte totals and every query are compared with
 * what the bitmap says. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "base/rangeset.h"

/* The test's own generator (splitmix64), so it does not depend on prng.c. */
static uint64_t t_rand(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}
static uint32_t t_below(uint64_t *s, uint32_t n)
{
    return (uint32_t)(t_rand(s) % n);
}

#define U 1024u    /* universe for the model: [BASE, BASE + U) */
#define BASE 1000u /* offset so that 0 and small numbers are exercised too */

struct model {
    uint8_t bit[U + 2];
    struct rs_range r[U];
    uint32_t n;
    uint64_t bytes;
};

static void model_ranges(struct model *m)
{
    m->n = 0;
    m->bytes = 0;
    for (uint32_t i = 0; i < U;) {
        if (!m->bit[i]) {
            i++;
            continue;
        }
        uint32_t j = i;
        while (j < U && m->bit[j])
            j++;
        m->r[m->n++] = (struct rs_range){BASE + i, BASE + j};
        m->bytes += j - i;
        i = j;
    }
}

static uint64_t model_set(struct model *m, uint64_t s, uint64_t e, uint8_t v)
{
    uint64_t changed = 0;
    for (uint64_t x = s; x < e; x++) {
        if (x < BASE || x >= BASE + U)
            continue;
        changed += m->bit[x - BASE] != v;
        m->bit[x - BASE] = v;
    }
    return changed;
}

static int collect(void *ctx, const struct rs_range *r)
{
    struct model *out = ctx;
    out->r[out->n++] = *r;
    return 0;
}

/* Compare every observable of the set with the model. */
static void compare(const struct rangeset *rs, struct model *m, uint64_t *seed)
{
    model_ranges(m);
    assert_int_equal(rangeset_check(rs), 0);
    assert_int_equal(rangeset_count(rs), m->n);
    assert_int_equal(rangeset_bytes(rs), m->bytes);
    assert_int_equal(rangeset_empty(rs), m->n == 0);

    static struct model walk;
    walk.n = 0;
    assert_int_equal(rangeset_foreach(rs, collect, &walk), 0);
    assert_int_equal(walk.n, m->n);
    for (uint32_t i = 0; i < m->n; i++) {
        assert_int_equal(walk.r[i].start, m->r[i].start);
        assert_int_equal(walk.r[i].end, m->r[i].end);
    }

    struct rs_range r;
    assert_int_equal(rangeset_first(rs, &r), m->n > 0);
    if (m->n)
        assert_int_equal(r.start, m->r[0].start);
    assert_int_equal(rangeset_last(rs, &r), m->n > 0);
    if (m->n)
        assert_int_equal(r.end, m->r[m->n - 1].end);

    /* Point queries at a few random positions (including just outside
     * the universe). */
    for (int q = 0; q < 4; q++) {
        uint64_t x = BASE - 2 + t_below(seed, U + 4);
        int in = -1, ge = -1, endgt = -1, lt = -1;
        uint32_t cnt_from = 0;
        for (uint32_t i = 0; i < m->n; i++) {
            if (m->r[i].start <= x && x < m->r[i].end)
                in = (int)i;
            if (ge < 0 && m->r[i].start >= x)
                ge = (int)i;
            if (endgt < 0 && m->r[i].end > x)
                endgt = (int)i;
            if (m->r[i].start < x)
                lt = (int)i;
            cnt_from += m->r[i].start >= x;
        }
        assert_int_equal(rangeset_find(rs, x, &r), in >= 0);
        if (in >= 0)
            assert_int_equal(r.start, m->r[in].start);
        assert_int_equal(rangeset_first_from(rs, x, &r), ge >= 0);
        if (ge >= 0)
            assert_int_equal(r.start, m->r[ge].start);
        assert_int_equal(rangeset_first_ending_after(rs, x, &r), endgt >= 0);
        if (endgt >= 0)
            assert_int_equal(r.start, m->r[endgt].start);
        assert_int_equal(rangeset_last_before(rs, x, &r), lt >= 0);
        if (lt >= 0)
            assert_int_equal(r.start, m->r[lt].start);
        assert_int_equal(rangeset_count_from(rs, x), cnt_from);

        uint64_t y = x + t_below(seed, 200);
        uint64_t cov = 0;
        for (uint64_t z = x; z < y; z++)
            cov += z >= BASE && z < BASE + U && m->bit[z - BASE];
        assert_int_equal(rangeset_bytes_in(rs, x, y), cov);
    }

    if (m->n) {
        uint32_t i = t_below(seed, m->n);
        assert_true(rangeset_nth(rs, i, &r));
        assert_int_equal(r.start, m->r[i].start);
        assert_int_equal(r.end, m->r[i].end);
    }
    assert_false(rangeset_nth(rs, m->n, &r));

    /* Suffix search: the highest range from which the ranges above hold
     * >= c ranges or > b bytes. */
    uint32_t c = t_below(seed, 5);
    uint64_t b = t_below(seed, 3) == 0 ? UINT64_MAX : t_below(seed, 300);
    int want = -1;
    uint32_t sc = 0;
    uint64_t sb = 0;
    for (int i = (int)m->n - 1; i >= 0; i--) {
        sc++;
        sb += m->r[i].end - m->r[i].start;
        if ((c && sc >= c) || sb > b) {
            want = i;
            break;
        }
    }
    assert_int_equal(rangeset_suffix_reach(rs, c, b, &r), want >= 0);
    if (want >= 0)
        assert_int_equal(r.start, m->r[want].start);
}

static void run_random(uint64_t seed, uint32_t ops, uint32_t max_len, uint32_t max_ranges)
{
    static struct model m;
    memset(&m, 0, sizeof m);
    struct rangeset rs;
    rangeset_init(&rs, max_ranges);
    uint64_t nomem = 0;

    for (uint32_t op = 0; op < ops; op++) {
        uint32_t kind = t_below(&seed, 100);
        uint64_t s = BASE + t_below(&seed, U);
        uint64_t len = t_below(&seed, max_len + 1);
        uint64_t e = s + len > BASE + U ? BASE + U : s + len;
        if (kind < 75) {
            struct rs_range mg;
            uint64_t added = 12345;
            int rc = rangeset_add(&rs, s, e, &mg, &added);
            if (rc == -ENOMEM) {
                /* Allowed only when capped, and the set is unchanged. */
                assert_true(max_ranges > 0);
                assert_int_equal(rangeset_count(&rs), max_ranges);
                assert_int_equal(added, 12345);
                nomem++; /* model untouched: compare() checks the set is too */
            } else {
                assert_int_equal(rc, 0);
                uint64_t want = model_set(&m, s, e, 1);
                assert_int_equal(added, want);
                if (s < e) {
                    /* merged: the maximal run of set bits around [s, e) */
                    uint64_t a = s, b = e;
                    while (a > BASE && m.bit[a - 1 - BASE])
                        a--;
                    while (b < BASE + U && m.bit[b - BASE])
                        b++;
                    assert_int_equal(mg.start, a);
                    assert_int_equal(mg.end, b);
                }
            }
        } else if (kind < 90) {
            uint64_t removed = 0;
            int rc = rangeset_remove(&rs, s, e, &removed);
            if (rc == -ENOMEM) {
                assert_true(max_ranges > 0);
                nomem++;
            } else {
                assert_int_equal(rc, 0);
                assert_int_equal(removed, model_set(&m, s, e, 0));
            }
        } else {
            /* advance to a random point, biased to the low end so the set
             * does not stay empty */
            uint64_t x = BASE + t_below(&seed, U / 4);
            uint64_t gone = rangeset_advance(&rs, x);
            assert_int_equal(gone, model_set(&m, 0, x, 0));
        }
        compare(&rs, &m, &seed);
    }
    if (max_ranges)
        assert_true(nomem > 0); /* the cap was really exercised */
    rangeset_free(&rs);
    assert_true(rangeset_empty(&rs));
}

static void test_rangeset_random_100k_vs_bitmap(void **state)
{
    (void)state;
    run_random(1, 100000, 40, 0);
}

static void test_rangeset_random_long_ranges(void **state)
{
    (void)state;
    run_random(2, 20000, 300, 0);
}

static void test_rangeset_cap_enomem_leaves_set_unchanged(void **state)
{
    (void)state;
    run_random(3, 20000, 8, 12);
}

static void test_rangeset_add_reports_merge_and_new_bytes(void **state)
{
    (void)state;
    struct rangeset rs;
    rangeset_init(&rs, 0);
    struct rs_range m;
    uint64_t added;
    assert_int_equal(rangeset_add(&rs, 10, 20, &m, &added), 0);
    assert_int_equal(added, 10);
    assert_int_equal(rangeset_add(&rs, 30, 40, &m, &added), 0);
    assert_int_equal(rangeset_add(&rs, 50, 60, &m, &added), 0);
    assert_int_equal(rangeset_count(&rs), 3);
    /* touching on both sides: [20,30) joins [10,20) and [30,40) */
    assert_int_equal(rangeset_add(&rs, 20, 30, &m, &added), 0);
    assert_int_equal(added, 10);
    assert_int_equal(m.start, 10);
    assert_int_equal(m.end, 40);
    assert_int_equal(rangeset_count(&rs), 2);
    /* spanning everything, overlapping 40 of its 100 bytes */
    assert_int_equal(rangeset_add(&rs, 0, 100, &m, &added), 0);
    assert_int_equal(added, 60);
    assert_int_equal(m.start, 0);
    assert_int_equal(m.end, 100);
    assert_int_equal(rangeset_count(&rs), 1);
    /* fully duplicate */
    assert_int_equal(rangeset_add(&rs, 5, 7, &m, &added), 0);
    assert_int_equal(added, 0);
    assert_int_equal(rangeset_add(&rs, 7, 5, &m, &added), -EINVAL);
    assert_int_equal(rangeset_bytes(&rs), 100);
    rangeset_free(&rs);
}

static void test_rangeset_remove_splits_and_cap_blocks_split(void **state)
{
    (void)state;
    struct rangeset rs;
    rangeset_init(&rs, 1);
    uint64_t removed;
    assert_int_equal(rangeset_add(&rs, 0, 100, NULL, NULL), 0);
    assert_int_equal(rangeset_add(&rs, 200, 300, NULL, NULL), -ENOMEM);
    /* A split would need a second node: refused, set unchanged. */
    assert_int_equal(rangeset_remove(&rs, 40, 60, &removed), -ENOMEM);
    assert_int_equal(rangeset_bytes(&rs), 100);
    /* Cutting an end needs no node. */
    assert_int_equal(rangeset_remove(&rs, 90, 200, &removed), 0);
    assert_int_equal(removed, 10);
    rs.max_ranges = 0;
    assert_int_equal(rangeset_remove(&rs, 40, 60, &removed), 0);
    assert_int_equal(removed, 20);
    assert_int_equal(rangeset_count(&rs), 2);
    assert_int_equal(rangeset_bytes(&rs), 70);
    assert_int_equal(rangeset_check(&rs), 0);
    rangeset_free(&rs);
}

static void test_rangeset_advance_cuts_and_drops(void **state)
{
    (void)state;
    struct rangeset rs;
    rangeset_init(&rs, 0);
    for (uint64_t i = 0; i < 1000; i++)
        assert_int_equal(rangeset_add(&rs, i * 10, i * 10 + 5, NULL, NULL), 0);
    assert_int_equal(rangeset_count(&rs), 1000);
    assert_int_equal(rangeset_advance(&rs, 5003), 500 * 5 + 3);
    struct rs_range r;
    assert_true(rangeset_first(&rs, &r));
    assert_int_equal(r.start, 5003);
    assert_int_equal(r.end, 5005);
    assert_int_equal(rangeset_count(&rs), 500);
    assert_int_equal(rangeset_check(&rs), 0);
    /* in-order iteration idiom from the header */
    uint32_t n = 0;
    for (bool ok = rangeset_first(&rs, &r); ok; ok = rangeset_first_from(&rs, r.end, &r))
        n++;
    assert_int_equal(n, 500);
    rangeset_free(&rs);
}

static void test_rangeset_large_values_near_2_64(void **state)
{
    (void)state;
    struct rangeset rs;
    rangeset_init(&rs, 0);
    uint64_t top = UINT64_MAX - 100;
    assert_int_equal(rangeset_add(&rs, top, UINT64_MAX, NULL, NULL), 0);
    assert_int_equal(rangeset_add(&rs, 0, 10, NULL, NULL), 0);
    assert_int_equal(rangeset_bytes(&rs), 110);
    assert_int_equal(rangeset_bytes_in(&rs, 5, UINT64_MAX), 105);
    struct rs_range r;
    assert_true(rangeset_find(&rs, UINT64_MAX - 1, &r));
    assert_int_equal(r.start, top);
    rangeset_free(&rs);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rangeset_add_reports_merge_and_new_bytes),
        cmocka_unit_test(test_rangeset_remove_splits_and_cap_blocks_split),
        cmocka_unit_test(test_rangeset_advance_cuts_and_drops),
        cmocka_unit_test(test_rangeset_large_values_near_2_64),
        cmocka_unit_test(test_rangeset_random_100k_vs_bitmap),
        cmocka_unit_test(test_rangeset_random_long_ranges),
        cmocka_unit_test(test_rangeset_cap_enomem_leaves_set_unchanged),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

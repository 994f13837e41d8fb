/* Intrusive hash map against a reference model (a flag and an insertion
 * stamp per node): random inserts and removes under three hash shapes
 * (realistic, many equal hashes, everything in one bucket), checking
 * every lookup (set and order: most recent first), full iteration, the
 * load factor, iteration while removing, and growth failure. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/hmap.h"
#include "base/siphash.h"

#include "oom.h"

static uint64_t t_rand(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

struct item {
    struct hnode hn;
    uint32_t key;
    int in;        /* model: in the map */
    uint64_t when; /* model: insertion stamp */
    uint64_t h;    /* its hash under the current shape */
    int seen;
};

enum { SHAPE_SIPHASH, SHAPE_FEW_HASHES, SHAPE_ONE_BUCKET };

static uint64_t item_hash(int shape, uint32_t key)
{
    static const struct siphash_key k = {1, 2};
    switch (shape) {
    case SHAPE_SIPHASH:
        return siphash24(&k, &key, sizeof(key));
    case SHAPE_FEW_HASHES:
        return (uint64_t)(key % 37) * 0x9e3779b97f4a7c15ull; /* many equal hashes */
    default:
        return (uint64_t)(key % 53) << 40; /* distinct hashes, all in bucket 0 */
    }
}

static void check_lookup(struct hmap *m, struct item *it, uint32_t n, uint64_t h)
{
    /* Model: items in the map with hash h, newest first. */
    struct item *want[512];
    uint32_t nw = 0;
    for (uint32_t i = 0; i < n; i++)
        if (it[i].in && it[i].h == h)
            want[nw++] = &it[i];
    for (uint32_t a = 1; a < nw; a++) /* insertion sort by stamp, descending */
        for (uint32_t b = a; b > 0 && want[b]->when > want[b - 1]->when; b--) {
            struct item *t = want[b];
            want[b] = want[b - 1];
            want[b - 1] = t;
        }
    uint32_t k = 0;
    for (struct hnode *x = hmap_first(m, h); x; x = hmap_next(x, h)) {
        assert_true(k < nw);
        assert_ptr_equal(container_of(x, struct item, hn), want[k]);
        assert_int_equal(x->hash, h);
        k++;
    }
    assert_int_equal(k, nw);
}

static void check_iter(struct hmap *m, struct item *it, uint32_t n)
{
    uint32_t want = 0, got = 0;
    for (uint32_t i = 0; i < n; i++) {
        it[i].seen = 0;
        want += (uint32_t)it[i].in;
    }
    for (struct hnode *x = hmap_iter(m, NULL); x; x = hmap_iter(m, x)) {
        struct item *i = container_of(x, struct item, hn);
        assert_true(i->in);
        assert_int_equal(i->seen, 0);
        i->seen = 1;
        got++;
    }
    assert_int_equal(got, want);
    assert_int_equal(m->count, want);
}

static void run_random(int shape, uint64_t seed)
{
    enum { N = 400 };
    struct item *it = calloc(N, sizeof(*it));
    assert_non_null(it);
    struct hmap m;
    assert_int_equal(hmap_init(&m, 2), 0);
    uint64_t rs = seed, stamp = 0;
    for (uint32_t i = 0; i < N; i++) {
        it[i].key = (uint32_t)t_rand(&rs);
        it[i].h = item_hash(shape, it[i].key);
    }

    for (int op = 0; op < 100000; op++) {
        struct item *x = &it[t_rand(&rs) % N];
        if (!x->in) {
            hmap_insert(&m, &x->hn, x->h);
            x->in = 1;
            x->when = ++stamp;
            /* Doubling keeps the load at most 1. */
            assert_true(m.count <= m.mask + 1);
        } else if (t_rand(&rs) % 3) {
            hmap_remove(&m, &x->hn);
            x->in = 0;
        }
        check_lookup(&m, it, N, x->h);
        check_lookup(&m, it, N, it[t_rand(&rs) % N].h);
        if (op % 97 == 0)
            check_iter(&m, it, N);
    }
    check_iter(&m, it, N);
    /* Empty it completely, then the map is as new. */
    for (uint32_t i = 0; i < N; i++)
        if (it[i].in) {
            hmap_remove(&m, &it[i].hn);
            it[i].in = 0;
        }
    assert_int_equal(m.count, 0);
    assert_null(hmap_iter(&m, NULL));
    hmap_free(&m);
    assert_null(m.buckets);
    free(it);
}

static void test_hmap_random_vs_model_siphash(void **state)
{
    run_random(SHAPE_SIPHASH, 1);
}

static void test_hmap_random_vs_model_equal_hashes(void **state)
{
    run_random(SHAPE_FEW_HASHES, 2);
}

static void test_hmap_random_vs_model_one_bucket(void **state)
{
    run_random(SHAPE_ONE_BUCKET, 3);
}

static void test_hmap_init_rounds_to_power_of_two(void **state)
{
    static const uint32_t in[] = {0, 1, 2, 3, 5, 64, 65, 1000};
    static const uint32_t want[] = {1, 1, 2, 4, 8, 64, 128, 1024};
    for (size_t i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
        struct hmap m;
        assert_int_equal(hmap_init(&m, in[i]), 0);
        assert_int_equal(m.mask + 1, want[i]);
        assert_int_equal(m.count, 0);
        assert_null(hmap_first(&m, 12345));
        assert_null(hmap_iter(&m, NULL));
        hmap_free(&m);
    }
}

static void test_hmap_grows_when_load_passes_one(void **state)
{
    struct item it[9];
    struct hmap m;
    assert_int_equal(hmap_init(&m, 8), 0);
    for (uint32_t i = 0; i < 8; i++)
        hmap_insert(&m, &it[i].hn, i);
    assert_int_equal(m.mask, 7); /* load exactly 1: no growth yet */
    hmap_insert(&m, &it[8].hn, 8);
    assert_int_equal(m.mask, 15);
    for (uint32_t i = 0; i < 9; i++)
        assert_ptr_equal(hmap_first(&m, i), &it[i].hn);
    hmap_free(&m);
}

static void test_hmap_duplicates_newest_first_across_growth(void **state)
{
    struct item it[100];
    struct hmap m;
    assert_int_equal(hmap_init(&m, 1), 0);
    /* Keys 0..99; even ones share hash 42, odd ones have their own. */
    for (uint32_t i = 0; i < 100; i++)
        hmap_insert(&m, &it[i].hn, i % 2 ? 1000 + i : 42);
    assert_true(m.mask + 1 >= 100);
    uint32_t k = 98;
    for (struct hnode *x = hmap_first(&m, 42); x; x = hmap_next(x, 42), k -= 2)
        assert_ptr_equal(x, &it[k].hn);
    assert_int_equal(k, (uint32_t)-2);
    hmap_free(&m);
}

static void test_hmap_iter_survives_removing_returned_node(void **state)
{
    enum { N = 300 };
    struct item it[N];
    struct hmap m;
    assert_int_equal(hmap_init(&m, 16), 0);
    for (uint32_t i = 0; i < N; i++) {
        it[i].key = i;
        it[i].seen = 0;
        hmap_insert(&m, &it[i].hn, i % 7 == 0 ? 5 : i * 0x9e3779b97f4a7c15ull);
    }
    uint32_t visited = 0;
    for (struct hnode *x = hmap_iter(&m, NULL); x; x = hmap_iter(&m, x)) {
        struct item *i = container_of(x, struct item, hn);
        assert_int_equal(i->seen, 0);
        i->seen = 1;
        visited++;
        if (i->key % 2 == 0)
            hmap_remove(&m, x);
    }
    assert_int_equal(visited, N);
    assert_int_equal(m.count, N / 2);
    for (uint32_t i = 0; i < N; i++) {
        int found = 0;
        uint64_t h = i % 7 == 0 ? 5 : i * 0x9e3779b97f4a7c15ull;
        for (struct hnode *x = hmap_first(&m, h); x; x = hmap_next(x, h))
            found |= x == &it[i].hn;
        assert_int_equal(found, i % 2);
    }
    hmap_free(&m);
}

static void test_hmap_init_enomem(void **state)
{
    struct hmap m;
    oom_begin();
    int r = hmap_init(&m, 1u << 20); /* 8 MiB of buckets */
    oom_end();
    assert_int_equal(r, -ENOMEM);
    assert_null(m.buckets);
}

static void test_hmap_growth_failure_keeps_map_correct(void **state)
{
    /* 2^17 buckets (1 MiB) fill up; doubling needs 2 MiB and fails. */
    enum { N = 1 << 17, EXTRA = 300 };
    struct hmap m;
    assert_int_equal(hmap_init(&m, N), 0);
    struct item *chunk[8];
    for (int c = 0; c < 8; c++) {
        chunk[c] = calloc((N + EXTRA) / 8 + 1, sizeof(struct item)); /* < 1 MiB each */
        assert_non_null(chunk[c]);
    }
#define ITEM(i) (&chunk[(i) % 8][(i) / 8])
    for (uint32_t i = 0; i < N; i++)
        hmap_insert(&m, &ITEM(i)->hn, i * 0x9e3779b97f4a7c15ull);
    assert_int_equal(m.mask + 1, N);
    oom_begin();
    for (uint32_t i = N; i < N + EXTRA; i++)
        hmap_insert(&m, &ITEM(i)->hn, i * 0x9e3779b97f4a7c15ull);
    oom_end();
    assert_int_equal(m.mask + 1, N); /* could not grow */
    assert_int_equal(m.count, N + EXTRA);
    for (uint32_t i = 0; i < N + EXTRA; i += 7)
        assert_ptr_equal(hmap_first(&m, i * 0x9e3779b97f4a7c15ull), &ITEM(i)->hn);
#ifndef OOM_ASAN /* ASan's cap cannot be lifted again */
    /* With memory back, the next insert grows the map. */
    struct item extra;
    hmap_insert(&m, &extra.hn, 7);
    assert_int_equal(m.mask + 1, 2 * N);
#endif
    for (uint32_t i = 0; i < N + EXTRA; i += 7)
        assert_ptr_equal(hmap_first(&m, i * 0x9e3779b97f4a7c15ull), &ITEM(i)->hn);
#undef ITEM
    hmap_free(&m);
    for (int c = 0; c < 8; c++)
        free(chunk[c]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hmap_init_rounds_to_power_of_two),
        cmocka_unit_test(test_hmap_grows_when_load_passes_one),
        cmocka_unit_test(test_hmap_duplicates_newest_first_across_growth),
        cmocka_unit_test(test_hmap_iter_survives_removing_returned_node),
        cmocka_unit_test(test_hmap_random_vs_model_siphash),
        cmocka_unit_test(test_hmap_random_vs_model_equal_hashes),
        cmocka_unit_test(test_hmap_random_vs_model_one_bucket),
        cmocka_unit_test(test_hmap_init_enomem),
        cmocka_unit_test(test_hmap_growth_failure_keeps_map_correct),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

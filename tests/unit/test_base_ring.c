/* Byte ring: exhaustive wraparound over small limits (every head
 * position, fill level and length), out-of-order write_at + commit,
 * peek_at, spans, lazy growth that must keep wrapped and uncommitted
 * bytes, shrink/limit rules and allocation failure; plus a random test
 * against a model (a flat array indexed by offset from head). */
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

#include "base/ring.h"

#include "oom.h"

static uint64_t t_rand(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static uint8_t pat(uint32_t i)
{
    return (uint8_t)(i * 131 + 7);
}

/* A ring of `limit` whose head sits at index h of its storage, holding
 * `len` bytes pat(base + 0 .. len - 1). */
static void ring_at(struct ring *r, uint32_t limit, uint32_t h, uint32_t len, uint32_t base)
{
    uint8_t tmp[64];
    ring_init(r, limit);
    /* Allocate, then walk the head round to h one byte at a time. */
    struct ring_span sp[2];
    assert_true(ring_spans(r, 0, 1, sp) >= 1);
    assert_int_equal(r->cap & (r->cap - 1), 0);
    assert_true(r->cap >= limit);
    for (uint32_t i = 0; i < h; i++) {
        assert_int_equal(ring_write(r, "x", 1), 1);
        assert_int_equal(ring_read(r, NULL, 1), 1);
    }
    assert_int_equal(r->head, h % r->cap);
    for (uint32_t i = 0; i < len; i++)
        tmp[i] = pat(base + i);
    assert_int_equal(ring_write(r, tmp, len), len);
}

static void test_ring_wraparound_exhaustive_small_limits(void **state)
{
    uint8_t in[64], out[64];
    for (uint32_t limit = 1; limit <= 9; limit++) {
        struct ring probe;
        ring_at(&probe, limit, 0, 0, 0);
        uint32_t cap = probe.cap;
        ring_free(&probe);
        for (uint32_t h = 0; h < cap; h++)
            for (uint32_t len = 0; len <= limit; len++)
                for (uint32_t n = 0; n <= limit + 1; n++) {
                    struct ring r;
                    ring_at(&r, limit, h, len, 0);
                    /* Append n: only the space is taken. */
                    for (uint32_t i = 0; i < n; i++)
                        in[i] = pat(len + i);
                    uint32_t want = n < limit - len ? n : limit - len;
                    assert_int_equal(ring_write(&r, in, n), want);
                    assert_int_equal(ring_len(&r), len + want);
                    assert_int_equal(ring_space(&r), limit - len - want);
                    uint32_t total = len + want;
                    /* Every peek window sees the right bytes. */
                    for (uint32_t off = 0; off <= total + 1; off++)
                        for (uint32_t k = 0; k <= total + 1; k++) {
                            memset(out, 0, sizeof(out));
                            uint32_t got = ring_peek_at(&r, off, out, k);
                            uint32_t exp = off >= total ? 0 : (k < total - off ? k : total - off);
                            assert_int_equal(got, exp);
                            for (uint32_t i = 0; i < got; i++)
                                assert_int_equal(out[i], pat(off + i));
                        }
                    /* Spans cover exactly [off, off + k) clamped to limit. */
                    for (uint32_t off = 0; off <= limit; off++)
                        for (uint32_t k = 0; k <= limit + 1; k++) {
                            struct ring_span sp[2];
                            int ns = ring_spans(&r, off, k, sp);
                            uint32_t exp = off >= limit ? 0 : (k < limit - off ? k : limit - off);
                            uint32_t got = 0;
                            for (int s = 0; s < ns; s++) {
                                assert_true(sp[s].n > 0);
                                for (uint32_t i = 0; i < sp[s].n; i++, got++)
                                    if (off + got < total)
                                        assert_int_equal(sp[s].p[i], pat(off + got));
                            }
                            assert_int_equal(got, exp);
                            assert_int_equal(ns, exp == 0                             ? 0
                                                 : ((r.head + off) % cap) + exp > cap ? 2
                                                                                      : 1);
                        }
                    /* Read in two pieces. */
                    uint32_t first = n % (total + 1);
                    assert_int_equal(ring_read(&r, out, first), first);
                    assert_int_equal(ring_read(&r, out + first, 64), total - first);
                    for (uint32_t i = 0; i < total; i++)
                        assert_int_equal(out[i], pat(i));
                    assert_int_equal(ring_len(&r), 0);
                    assert_int_equal(ring_read(&r, out, 1), 0);
                    ring_free(&r);
                }
    }
}

static void test_ring_write_at_then_commit_exhaustive(void **state)
{
    /* Out-of-order bytes at [off, off + k) beyond len, then the hole
     * [len, off) filled, then one commit makes all readable. */
    uint8_t in[64], out[64];
    for (uint32_t limit = 1; limit <= 9; limit++) {
        for (uint32_t h = 0; h < 16; h++)
            for (uint32_t len = 0; len <= limit; len++)
                for (uint32_t off = len; off <= limit; off++)
                    for (uint32_t k = 0; k <= limit - off + 1; k++) {
                        struct ring r;
                        ring_at(&r, limit, h, len, 0);
                        for (uint32_t i = 0; i < k; i++)
                            in[i] = pat(off + i);
                        uint32_t stored = ring_write_at(&r, off, in, k);
                        assert_int_equal(stored, k < limit - off ? k : limit - off);
                        assert_int_equal(ring_len(&r), len); /* not readable yet */
                        assert_int_equal(ring_peek_at(&r, off, out, 1), off < len ? 1 : 0);
                        for (uint32_t i = len; i < off; i++)
                            in[i - len] = pat(i);
                        assert_int_equal(ring_write_at(&r, len, in, off - len), off - len);
                        ring_commit(&r, off - len + stored);
                        uint32_t total = off + stored;
                        assert_int_equal(ring_len(&r), total);
                        assert_int_equal(ring_peek_at(&r, 0, out, 64), total);
                        for (uint32_t i = 0; i < total; i++)
                            assert_int_equal(out[i], pat(i));
                        ring_free(&r);
                    }
    }
}

static void test_ring_commit_and_skip_are_clamped(void **state)
{
    struct ring r;
    ring_init(&r, 10);
    ring_commit(&r, 5); /* nothing stored, no storage: nothing to commit */
    assert_int_equal(ring_len(&r), 0);
    assert_int_equal(ring_write_at(&r, 0, "abcdefghijkl", 12), 10);
    ring_commit(&r, 100);
    assert_int_equal(ring_len(&r), 10);
    ring_skip(&r, 3);
    assert_int_equal(ring_len(&r), 7);
    char out[8] = {0};
    assert_int_equal(ring_peek_at(&r, 0, out, 7), 7);
    assert_memory_equal(out, "defghij", 7);
    ring_skip(&r, 100);
    assert_int_equal(ring_len(&r), 0);
    assert_int_equal(ring_write_at(&r, 10, "z", 1), 0); /* at limit */
    assert_int_equal(ring_write_at(&r, 11, "z", 1), 0);
    ring_free(&r);
}

static void test_ring_lazy_growth_keeps_wrapped_and_held_bytes(void **state)
{
    struct ring r;
    ring_init(&r, 100000);
    assert_null(r.mem);
    assert_int_equal(ring_len(&r), 0);
    /* First use allocates the minimum, not the limit. */
    static uint8_t buf[8000];
    for (uint32_t i = 0; i < sizeof(buf); i++)
        buf[i] = pat(i);
    assert_int_equal(ring_write(&r, buf, 1500), 1500);
    assert_non_null(r.mem);
    assert_int_equal(r.cap, 2048);
    /* Move the head near the end and wrap: the held bytes buf[1400..2500)
     * straddle the end of the storage. Offset o holds buf[1400 + o]. */
    assert_int_equal(ring_read(&r, NULL, 1400), 1400);
    assert_int_equal(ring_write(&r, buf + 1500, 1000), 1000);
    assert_int_equal(ring_len(&r), 1100);
    assert_int_equal(r.cap, 2048);
    assert_true(r.head + ring_len(&r) > r.cap);
    /* Out-of-order bytes after a hole (also wrapped), then some far
     * beyond the storage, which makes it grow. */
    assert_int_equal(ring_write_at(&r, 1200, buf + 2600, 500), 500);
    assert_int_equal(ring_write_at(&r, 5000, buf + 6400, 100), 100);
    assert_int_equal(r.cap, 8192);
    assert_int_equal(ring_len(&r), 1100);
    /* Fill the holes and commit through to the far bytes. */
    assert_int_equal(ring_write_at(&r, 1100, buf + 2500, 100), 100);
    assert_int_equal(ring_write_at(&r, 1700, buf + 3100, 3300), 3300);
    ring_commit(&r, 5100 - 1100);
    assert_int_equal(ring_len(&r), 5100);
    static uint8_t out[6000];
    assert_int_equal(ring_read(&r, out, sizeof(out)), 5100);
    assert_memory_equal(out, buf + 1400, 5100);
    /* Growth stops at the limit's power of two. */
    assert_int_equal(ring_write_at(&r, 99999, "q", 1), 1);
    assert_int_equal(r.cap, 131072);
    ring_free(&r);
    assert_null(r.mem);
}

static void test_ring_spans_allocate_and_clamp(void **state)
{
    struct ring r;
    struct ring_span sp[2];
    ring_init(&r, 3000);
    assert_int_equal(ring_spans(&r, 0, 0, sp), 0);
    assert_null(r.mem);
    assert_int_equal(ring_spans(&r, 3000, 10, sp), 0);
    assert_int_equal(ring_spans(&r, 2990, 100, sp), 1); /* clamped to limit */
    assert_non_null(r.mem);
    assert_int_equal(r.cap, 4096);
    assert_int_equal(sp[0].n, 10);
    assert_ptr_equal(sp[0].p, r.mem + 2990);
    /* Copy in through spans, commit, read back. */
    assert_int_equal(ring_spans(&r, 0, 26, sp), 1);
    memcpy(sp[0].p, "abcdefghijklmnopqrstuvwxyz", 26);
    ring_commit(&r, 26);
    char out[27] = {0};
    assert_int_equal(ring_read(&r, out, 26), 26);
    assert_string_equal(out, "abcdefghijklmnopqrstuvwxyz");
    ring_free(&r);
}

static void test_ring_shrink_only_when_empty(void **state)
{
    struct ring r;
    ring_init(&r, 64);
    ring_shrink(&r); /* nothing allocated: fine */
    assert_int_equal(ring_write(&r, "hello", 5), 5);
    ring_shrink(&r);
    assert_non_null(r.mem); /* not empty: kept */
    char out[5];
    assert_int_equal(ring_read(&r, out, 5), 5);
    ring_shrink(&r);
    assert_null(r.mem);
    assert_int_equal(r.cap, 0);
    assert_int_equal(r.limit, 64);
    /* Usable again. */
    assert_int_equal(ring_write(&r, "again", 5), 5);
    assert_int_equal(ring_read(&r, out, 5), 5);
    assert_memory_equal(out, "again", 5);
    ring_free(&r);
}

static void test_ring_set_limit_rules(void **state)
{
    struct ring r;
    ring_init(&r, 10);
    assert_int_equal(ring_write(&r, "0123456789abc", 13), 10);
    assert_int_equal(ring_set_limit(&r, 9), -1);
    assert_int_equal(r.limit, 10);
    assert_int_equal(ring_set_limit(&r, 10), 0);
    assert_int_equal(ring_set_limit(&r, 100), 0);
    assert_int_equal(ring_space(&r), 90);
    assert_int_equal(ring_write(&r, "abcdefghijklmnopqrst", 20), 20); /* grows past 16 */
    char out[30];
    assert_int_equal(ring_read(&r, out, 30), 30);
    assert_memory_equal(out, "0123456789abcdefghijklmnopqrst", 30);
    assert_int_equal(ring_set_limit(&r, 0), 0);
    assert_int_equal(ring_write(&r, "x", 1), 0);
    assert_int_equal(ring_set_limit(&r, RING_MAX_LIMIT + 1u), -1);
    assert_int_equal(ring_set_limit(&r, RING_MAX_LIMIT), 0);
    ring_free(&r);
    ring_init(&r, UINT32_MAX);
    assert_int_equal(r.limit, RING_MAX_LIMIT);
    ring_free(&r);
}

static void test_ring_oom_is_partial_or_zero(void **state)
{
    struct ring r;
    struct ring_span sp[2];
    static uint8_t big[3u << 20];
    ring_init(&r, 4u << 20);
    oom_begin();
    uint32_t w0 = ring_write(&r, big, sizeof(big)); /* needs 4 MiB */
    oom_end();
    assert_int_equal(w0, 0);
    assert_null(r.mem);
    assert_int_equal(ring_len(&r), 0);

    assert_int_equal(ring_write(&r, big, 1000), 1000);
    assert_int_equal(r.cap, 2048);
    oom_begin();
    uint32_t w1 = ring_write(&r, big, sizeof(big));
    uint32_t w2 = ring_write_at(&r, 2u << 20, big, 10);
    int ns = ring_spans(&r, 2u << 20, 10, sp);
    oom_end();
    assert_int_equal(w1, 1048); /* what the current storage holds */
    assert_int_equal(w2, 0);
    assert_int_equal(ns, 0);
    assert_int_equal(ring_len(&r), 2048);
    ring_free(&r);
}

/* Random operations against a model: m[i] is the byte at offset i from
 * head, valid[i] whether it was stored. */
static void run_random(uint32_t limit, uint64_t seed, int ops)
{
    uint8_t *m = calloc(limit + 1, 1), *valid = calloc(limit + 1, 1);
    uint8_t *tmp = malloc(limit + 1), *out = malloc(limit + 1);
    assert_true(m && valid && tmp && out);
    uint32_t len = 0;
    uint64_t rs = seed;
    struct ring r;
    ring_init(&r, limit);
    for (int op = 0; op < ops; op++) {
        uint32_t kind = (uint32_t)(t_rand(&rs) % 100);
        uint32_t n = (uint32_t)(t_rand(&rs) % (limit + 2));
        uint32_t off = (uint32_t)(t_rand(&rs) % (limit + 2));
        for (uint32_t i = 0; i < n; i++)
            tmp[i] = (uint8_t)t_rand(&rs);
        if (kind < 25) {
            uint32_t w = ring_write(&r, tmp, n);
            assert_int_equal(w, n < limit - len ? n : limit - len);
            memcpy(m + len, tmp, w);
            memset(valid + len, 1, w);
            len += w;
        } else if (kind < 45) {
            uint32_t k = ring_read(&r, out, n);
            assert_int_equal(k, n < len ? n : len);
            assert_memory_equal(out, m, k);
            memmove(m, m + k, limit - k);
            memmove(valid, valid + k, limit - k);
            memset(valid + limit - k, 0, k);
            len -= k;
        } else if (kind < 60) {
            uint32_t w = ring_write_at(&r, off, tmp, n);
            uint32_t exp = off >= limit ? 0 : (n < limit - off ? n : limit - off);
            assert_int_equal(w, exp);
            memcpy(m + off, tmp, w);
            memset(valid + off, 1, w);
        } else if (kind < 70) {
            /* Commit only bytes that were stored (the contract). */
            uint32_t k = 0;
            while (len + k < limit && valid[len + k] && k < n)
                k++;
            ring_commit(&r, k);
            len += k;
        } else if (kind < 80) {
            uint32_t k = ring_peek_at(&r, off, out, n);
            assert_int_equal(k, off >= len ? 0 : (n < len - off ? n : len - off));
            assert_memory_equal(out, m + off, k);
        } else if (kind < 90) {
            struct ring_span sp[2];
            int ns = ring_spans(&r, off, n, sp);
            uint32_t exp = off >= limit ? 0 : (n < limit - off ? n : limit - off);
            uint32_t got = 0;
            for (int s = 0; s < ns; s++)
                for (uint32_t i = 0; i < sp[s].n; i++, got++)
                    if (valid[off + got])
                        assert_int_equal(sp[s].p[i], m[off + got]);
            assert_int_equal(got, exp);
        } else if (kind < 95) {
            uint32_t k = n < len ? n : len;
            ring_skip(&r, n);
            memmove(m, m + k, limit - k);
            memmove(valid, valid + k, limit - k);
            memset(valid + limit - k, 0, k);
            len -= k;
        } else {
            ring_shrink(&r);
            if (len == 0) {
                assert_null(r.mem);
                memset(valid, 0, limit); /* held bytes go with the storage */
            }
        }
        assert_int_equal(ring_len(&r), len);
        if (r.mem)
            assert_true(r.cap >= 1 && (r.cap & (r.cap - 1)) == 0 && r.head < r.cap);
    }
    assert_int_equal(ring_peek_at(&r, 0, out, limit), len);
    assert_memory_equal(out, m, len);
    ring_free(&r);
    free(m);
    free(valid);
    free(tmp);
    free(out);
}

static void test_ring_random_vs_model(void **state)
{
    static const uint32_t limits[] = {1, 2, 3, 5, 8, 13, 64, 100, 2047, 2048, 2049, 5000};
    for (size_t i = 0; i < sizeof(limits) / sizeof(limits[0]); i++)
        run_random(limits[i], 1000 + i, 20000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ring_wraparound_exhaustive_small_limits),
        cmocka_unit_test(test_ring_write_at_then_commit_exhaustive),
        cmocka_unit_test(test_ring_commit_and_skip_are_clamped),
        cmocka_unit_test(test_ring_lazy_growth_keeps_wrapped_and_held_bytes),
        cmocka_unit_test(test_ring_spans_allocate_and_clamp),
        cmocka_unit_test(test_ring_shrink_only_when_empty),
        cmocka_unit_test(test_ring_set_limit_rules),
        cmocka_unit_test(test_ring_oom_is_partial_or_zero),
        cmocka_unit_test(test_ring_random_vs_model),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

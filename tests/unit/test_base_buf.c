/* Packet buffers: views, shared storage, copy-on-write, headroom, queue.
 * A random test keeps a model of every view's bytes and checks that no
 * write through one view is ever seen through another (the COW rule),
 * while views are cloned, pushed, pulled, trimmed and freed in random
 * order (ASan checks that storage lives exactly as long as its views). */
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

#include "base/buf.h"

#include "oom.h"

static uint64_t t_rand(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static void fill(uint8_t *p, size_t n, uint8_t seed)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)(seed + i * 7);
}

static void test_buf_alloc_geometry(void **state)
{
    struct buf *b = buf_alloc(128, 1000);
    assert_non_null(b);
    assert_int_equal(b->len, 1000);
    assert_int_equal(buf_headroom(b), 128);
    assert_int_equal(buf_tailroom(b), 0);
    assert_int_equal(b->flags, 0);
    assert_null(b->next);
    assert_false(buf_shared(b));
    memset(b->data, 0xab, b->len); /* all of it is ours (ASan) */
    buf_free(b);

    b = buf_alloc(0, 0);
    assert_non_null(b);
    assert_int_equal(b->len, 0);
    assert_int_equal(buf_headroom(b), 0);
    buf_free(b);
    buf_free(NULL);
}

static void test_buf_from_copies_bytes(void **state)
{
    uint8_t src[300];
    fill(src, sizeof(src), 1);
    struct buf *b = buf_from(64, src, sizeof(src));
    assert_non_null(b);
    assert_memory_equal(b->data, src, sizeof(src));
    src[0] ^= 0xff;
    assert_int_not_equal(b->data[0], src[0]);
    assert_int_equal(buf_headroom(b), 64);
    buf_free(b);
    b = buf_from(8, NULL, 0);
    assert_non_null(b);
    assert_int_equal(b->len, 0);
    buf_free(b);
}

static void test_buf_too_large_is_null(void **state)
{
    assert_null(buf_alloc(0, (size_t)UINT32_MAX + 1));
    assert_null(buf_alloc((size_t)UINT32_MAX + 1, 0));
    assert_null(buf_alloc(UINT32_MAX, UINT32_MAX)); /* sum beyond a view's reach */
}

static void test_buf_clone_shares_storage_not_view(void **state)
{
    struct buf *a = buf_alloc(64, 100);
    fill(a->data, 100, 3);
    a->flags = BUF_CSUM_VERIFIED;
    a->when = 777;
    a->csum_off = 16;
    a->csum_start = 2;
    struct buf *b = buf_clone(a);
    assert_non_null(b);
    assert_ptr_equal(b->data, a->data); /* zero copy */
    assert_int_equal(b->len, 100);
    assert_int_equal(b->flags, BUF_CSUM_VERIFIED);
    assert_int_equal(b->when, 777);
    assert_int_equal(b->csum_off, 16);
    assert_int_equal(b->csum_start, 2);
    assert_null(b->next);
    assert_true(buf_shared(a));
    assert_true(buf_shared(b));

    /* Views move independently. */
    assert_ptr_equal(buf_pull(b, 10), a->data + 10);
    assert_int_equal(b->len, 90);
    assert_int_equal(a->len, 100);
    assert_int_equal(buf_trim(b, 50), 0);
    assert_int_equal(a->len, 100);

    /* The storage outlives the first view. */
    buf_free(a);
    assert_false(buf_shared(b));
    uint8_t want[100];
    fill(want, 100, 3);
    assert_memory_equal(b->data, want + 10, 50);
    buf_free(b);
}

static void test_buf_view_slots_lifetimes(void **state)
{
    /* Embedded view freed first, then clones of clones reusing its slot;
     * ASan reports any leak or use after free. */
    struct buf *a = buf_alloc(16, 32);
    fill(a->data, 32, 9);
    struct buf *b = buf_clone(a);
    struct buf *c = buf_clone(b);
    buf_free(a);
    struct buf *d = buf_clone(c); /* takes the freed embedded slot */
    struct buf *e = buf_clone(d);
    assert_int_equal(memcmp(d->data, e->data, 32), 0);
    buf_free(c);
    buf_free(e);
    buf_free(b);
    assert_false(buf_shared(d));
    uint8_t want[32];
    fill(want, 32, 9);
    assert_memory_equal(d->data, want, 32);
    buf_free(d);
}

static void test_buf_push_in_place_when_private(void **state)
{
    struct buf *b = buf_alloc(54, 100);
    fill(b->data, 100, 5);
    uint8_t *old = b->data;
    uint8_t *h = buf_push(b, 14);
    assert_ptr_equal(h, old - 14);
    assert_ptr_equal(b->data, h);
    assert_int_equal(b->len, 114);
    assert_int_equal(buf_headroom(b), 40);
    h = buf_push(b, 40); /* exactly the headroom */
    assert_ptr_equal(h, old - 54);
    assert_int_equal(buf_headroom(b), 0);
    assert_int_equal(b->len, 154);
    uint8_t want[100];
    fill(want, 100, 5);
    assert_memory_equal(b->data + 54, want, 100);
    buf_free(b);
}

static void test_buf_push_short_headroom_moves_with_64_left(void **state)
{
    struct buf *b = buf_alloc(10, 200);
    fill(b->data, 200, 11);
    b->flags = BUF_CSUM_PARTIAL;
    uint8_t *h = buf_push(b, 20);
    assert_non_null(h);
    assert_ptr_equal(h, b->data);
    assert_int_equal(b->len, 220);
    assert_true(buf_headroom(b) >= 64);
    assert_int_equal(b->flags, BUF_CSUM_PARTIAL);
    uint8_t want[200];
    fill(want, 200, 11);
    assert_memory_equal(b->data + 20, want, 200);
    memset(b->data, 0xee, 20); /* the new header bytes are ours */
    /* Later pushes fit in place. */
    uint8_t *d = b->data;
    assert_ptr_equal(buf_push(b, 64), d - 64);
    buf_free(b);
}

static void test_buf_push_on_shared_copies_first(void **state)
{
    struct buf *a = buf_alloc(100, 50);
    fill(a->data, 50, 21);
    struct buf *b = buf_clone(a);
    uint8_t *shared = a->data;
    /* Enough headroom, but shared: the bytes in front may be another
     * view's, so b gets private storage. */
    uint8_t *h = buf_push(b, 8);
    assert_non_null(h);
    assert_ptr_not_equal(b->data + 8, shared);
    assert_false(buf_shared(a));
    assert_false(buf_shared(b));
    assert_true(buf_headroom(b) >= 64);
    memset(h, 0x55, 8);
    b->data[8] ^= 0xff; /* private now: a must not see it */
    uint8_t want[50];
    fill(want, 50, 21);
    assert_memory_equal(a->data, want, 50);
    assert_ptr_equal(a->data, shared);
    assert_memory_equal(b->data + 9, want + 1, 49);
    /* The embedded view (a) moved away from its home block; free in both
     * orders across two pairs. */
    buf_free(a);
    buf_free(b);

    a = buf_alloc(100, 50);
    b = buf_clone(a);
    assert_non_null(buf_push(a, 4)); /* the embedded view moves */
    buf_free(b);                     /* old block: only a's slot keeps it */
    struct buf *c = buf_clone(a);    /* new block's free slot */
    buf_free(a);
    buf_free(c);
}

static void test_buf_push_pull_trim_limits(void **state)
{
    struct buf *b = buf_alloc(8, 10);
    uint8_t *d = b->data;
    assert_null(buf_pull(b, 11));
    assert_ptr_equal(b->data, d);
    assert_int_equal(b->len, 10);
    assert_ptr_equal(buf_pull(b, 10), d + 10);
    assert_int_equal(b->len, 0);
    assert_int_equal(buf_headroom(b), 18);
    assert_int_equal(buf_trim(b, 1), -1);
    assert_int_equal(buf_trim(b, 0), 0);
    assert_ptr_equal(buf_push(b, 18), d - 8);
    assert_int_equal(buf_trim(b, 5), 0);
    assert_int_equal(b->len, 5);
    assert_int_equal(buf_tailroom(b), 13);
    /* A push that would overflow the 32-bit length fails cleanly. */
    assert_null(buf_push(b, (size_t)UINT32_MAX));
    assert_int_equal(b->len, 5);
    assert_ptr_equal(b->data, d - 8);
    buf_free(b);
}

static void test_buf_writable_copies_only_when_shared(void **state)
{
    struct buf *a = buf_alloc(32, 40);
    fill(a->data, 40, 31);
    uint8_t *d = a->data;
    assert_int_equal(buf_writable(a), 0);
    assert_ptr_equal(a->data, d); /* private: untouched */

    struct buf *b = buf_clone(a);
    assert_int_equal(buf_pull(b, 4) != NULL, 1);
    assert_int_equal(buf_writable(b), 0);
    assert_false(buf_shared(a));
    assert_false(buf_shared(b));
    assert_int_equal(buf_headroom(b), 36); /* geometry kept */
    assert_int_equal(buf_tailroom(b), 0);
    memset(b->data, 0, b->len);
    uint8_t want[40];
    fill(want, 40, 31);
    assert_memory_equal(a->data, want, 40);
    buf_free(b);
    buf_free(a);
}

static void test_buf_copy_is_private_with_metadata(void **state)
{
    struct buf *a = buf_alloc(10, 60);
    fill(a->data, 60, 41);
    a->flags = BUF_CSUM_PARTIAL | BUF_CSUM_VERIFIED;
    a->csum_off = 36;
    a->csum_start = 20;
    a->when = 5;
    buf_pull(a, 20);
    struct buf *c = buf_copy(a, 100);
    assert_non_null(c);
    assert_false(buf_shared(a));
    assert_false(buf_shared(c));
    assert_int_equal(c->len, 40);
    assert_int_equal(buf_headroom(c), 100);
    assert_memory_equal(c->data, a->data, 40);
    assert_int_equal(c->flags, a->flags);
    assert_int_equal(c->csum_off, 36);
    assert_int_equal(c->csum_start, 20);
    assert_int_equal(c->when, 5);
    buf_free(a);
    buf_free(c);
}

static void test_bufq_fifo_counts_bytes(void **state)
{
    struct bufq q;
    bufq_init(&q);
    assert_null(bufq_pop(&q));
    struct buf *b[5];
    for (int i = 0; i < 5; i++) {
        b[i] = buf_alloc(0, (size_t)(10 * (i + 1)));
        b[i]->next = b[0]; /* stale link: push must reset it */
        bufq_push(&q, b[i]);
    }
    assert_int_equal(q.count, 5);
    assert_int_equal(q.bytes, 150);
    for (int i = 0; i < 3; i++) {
        struct buf *x = bufq_pop(&q);
        assert_ptr_equal(x, b[i]);
        assert_null(x->next);
        buf_free(x);
    }
    assert_int_equal(q.count, 2);
    assert_int_equal(q.bytes, 90);
    bufq_push(&q, buf_alloc(0, 1));
    assert_int_equal(q.count, 3);
    bufq_purge(&q); /* frees all three (ASan: no leak) */
    assert_int_equal(q.count, 0);
    assert_int_equal(q.bytes, 0);
    assert_null(q.head);
    assert_null(q.tail);
    assert_null(bufq_pop(&q));

    /* Pop to empty then push again: tail must be reset. */
    bufq_push(&q, buf_alloc(0, 3));
    buf_free(bufq_pop(&q));
    struct buf *y = buf_alloc(0, 4);
    bufq_push(&q, y);
    assert_ptr_equal(q.head, y);
    assert_ptr_equal(q.tail, y);
    bufq_purge(&q);
}

static void test_buf_free_chain_frees_all(void **state)
{
    struct buf *h = NULL;
    for (int i = 0; i < 10; i++) {
        struct buf *b = buf_alloc(4, 4);
        b->next = h;
        h = b;
        if (i % 3 == 0) {
            struct buf *c = buf_clone(b);
            c->next = h;
            h = c;
        }
    }
    buf_free_chain(h); /* ASan: no leak, no double free */
    buf_free_chain(NULL);
}

/* Random views over a few storages; the model holds each view's bytes. */
static void test_buf_random_views_never_see_each_others_writes(void **state)
{
    enum { V = 24, MAXLEN = 600 };
    struct buf *v[V] = {0};
    uint8_t *model[V];
    for (int i = 0; i < V; i++) {
        model[i] = malloc(MAXLEN + 4096);
        assert_non_null(model[i]);
    }
    uint64_t rs = 77;
    for (int op = 0; op < 60000; op++) {
        int i = (int)(t_rand(&rs) % V);
        int j = (int)(t_rand(&rs) % V);
        uint32_t r = (uint32_t)(t_rand(&rs) % 100);
        if (!v[i]) {
            size_t head = t_rand(&rs) % 80, len = t_rand(&rs) % MAXLEN;
            if (r < 50 && v[j]) {
                v[i] = r < 35 ? buf_clone(v[j]) : buf_copy(v[j], head);
                assert_non_null(v[i]);
                memcpy(model[i], model[j], v[j]->len);
            } else {
                v[i] = buf_alloc(head, len);
                assert_non_null(v[i]);
                fill(v[i]->data, len, (uint8_t)op);
                memcpy(model[i], v[i]->data, len);
            }
        } else if (r < 15) {
            buf_free(v[i]);
            v[i] = NULL;
        } else if (r < 35) {
            size_t n = t_rand(&rs) % 100;
            uint8_t *h = buf_push(v[i], n);
            assert_non_null(h);
            assert_false(buf_shared(v[i]));
            fill(h, n, (uint8_t)(op * 3));
            memmove(model[i] + n, model[i], v[i]->len - n);
            memcpy(model[i], h, n);
        } else if (r < 50) {
            size_t n = t_rand(&rs) % (v[i]->len + 1);
            assert_non_null(buf_pull(v[i], n));
            memmove(model[i], model[i] + n, v[i]->len);
        } else if (r < 60) {
            assert_int_equal(buf_trim(v[i], t_rand(&rs) % (v[i]->len + 1)), 0);
        } else if (r < 80) {
            /* Write through a view after making it writable. */
            assert_int_equal(buf_writable(v[i]), 0);
            assert_false(buf_shared(v[i]));
            if (v[i]->len) {
                size_t k = t_rand(&rs) % v[i]->len;
                v[i]->data[k] ^= 0x5a;
                model[i][k] ^= 0x5a;
            }
        } else {
            struct buf *c = buf_clone(v[i]);
            buf_free(v[i]);
            v[i] = c;
        }
        /* Every view still shows exactly its model bytes. */
        for (int k = 0; k < V; k++)
            if (v[k])
                assert_memory_equal(v[k]->data, model[k], v[k]->len);
    }
    for (int i = 0; i < V; i++) {
        buf_free(v[i]);
        free(model[i]);
    }
}

static void test_buf_oom_returns_null_and_leaves_buffer(void **state)
{
    oom_begin();
    struct buf *big = buf_alloc(0, 4u << 20);
    oom_end();
    assert_null(big);

    struct buf *a = buf_alloc(64, 600u << 10);
    assert_non_null(a);
    fill(a->data, a->len, 1);
    struct buf *b = buf_clone(a);
    uint8_t *d = a->data;
    oom_begin();
    uint8_t *h = buf_push(a, 500u << 10); /* needs a new 1.1 MiB store */
    oom_end();
    assert_null(h);
    assert_ptr_equal(a->data, d);
    assert_int_equal(a->len, 600u << 10);
    assert_true(buf_shared(a));
    assert_true(buf_shared(b));
    /* A 600 KiB copy may or may not fit under the cap; either way the
     * result is consistent. */
    oom_begin();
    int w = buf_writable(b);
    oom_end();
    if (w == 0) {
        assert_false(buf_shared(b));
        assert_ptr_not_equal(b->data, d);
    } else {
        assert_int_equal(w, -1);
        assert_true(buf_shared(b));
        assert_ptr_equal(b->data, d);
    }
    assert_memory_equal(a->data, b->data, a->len);
    buf_free(a);
    buf_free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_buf_alloc_geometry),
        cmocka_unit_test(test_buf_from_copies_bytes),
        cmocka_unit_test(test_buf_too_large_is_null),
        cmocka_unit_test(test_buf_clone_shares_storage_not_view),
        cmocka_unit_test(test_buf_view_slots_lifetimes),
        cmocka_unit_test(test_buf_push_in_place_when_private),
        cmocka_unit_test(test_buf_push_short_headroom_moves_with_64_left),
        cmocka_unit_test(test_buf_push_on_shared_copies_first),
        cmocka_unit_test(test_buf_push_pull_trim_limits),
        cmocka_unit_test(test_buf_writable_copies_only_when_shared),
        cmocka_unit_test(test_buf_copy_is_private_with_metadata),
        cmocka_unit_test(test_bufq_fifo_counts_bytes),
        cmocka_unit_test(test_buf_free_chain_frees_all),
        cmocka_unit_test(test_buf_random_views_never_see_each_others_writes),
        cmocka_unit_test(test_buf_oom_returns_null_and_leaves_buffer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

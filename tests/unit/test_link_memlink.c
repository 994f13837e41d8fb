/* memlink: zero-copy hand-over, bounded queue, MTU, MACs, on_rx outside
 * the lock, a destroyed peer, and two threads driving the two ends. */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include "link/link.h"

static struct buf *frame_n(uint32_t n, size_t len)
{
    struct buf *b = buf_alloc(64, len);
    assert_non_null(b);
    memset(b->data, 0, len);
    memcpy(b->data, &n, sizeof(n));
    return b;
}

static uint32_t frame_id(const struct buf *b)
{
    uint32_t n;
    memcpy(&n, b->data, sizeof(n));
    return n;
}

static void test_memlink_hands_over_the_same_buf(void **state)
{
    struct link *a, *b;
    assert_int_equal(link_mem_pair(LINK_RAW_IP, 1500, 8, 1, &a, &b), 0);
    assert_int_equal(link_next_event(b), SG_TIME_NEVER);

    struct buf *f = frame_n(7, 100);
    f->flags = BUF_CSUM_PARTIAL;
    uint8_t *data = f->data;
    assert_int_equal(link_xmit(a, f, SG_MS(5)), 0);
    assert_true(link_next_event(b) <= SG_MS(5));
    assert_null(link_recv(a, SG_MS(5))); /* nothing comes back to the sender */

    struct buf *g = link_recv(b, SG_MS(5));
    assert_ptr_equal(g, f);          /* the buf itself ... */
    assert_ptr_equal(g->data, data); /* ... and its bytes: no copy */
    assert_int_equal(g->len, 100);
    assert_int_equal(g->flags, BUF_CSUM_PARTIAL); /* flags travel along */
    assert_null(g->next);
    assert_null(link_recv(b, SG_MS(5)));
    assert_int_equal(link_next_event(b), SG_TIME_NEVER);
    buf_free(g);

    /* and the other way, in order */
    for (uint32_t i = 0; i < 3; i++)
        assert_int_equal(link_xmit(b, frame_n(i, 60), 0), 0);
    for (uint32_t i = 0; i < 3; i++) {
        struct buf *h = link_recv(a, 0);
        assert_non_null(h);
        assert_int_equal(frame_id(h), i);
        buf_free(h);
    }
    link_destroy(a);
    link_destroy(b);
}

static void test_memlink_queue_full_is_enobufs(void **state)
{
    struct link *a, *b;
    assert_int_equal(link_mem_pair(LINK_RAW_IP, 1500, 4, 1, &a, &b), 0);
    for (uint32_t i = 0; i < 4; i++)
        assert_int_equal(link_xmit(a, frame_n(i, 60), 0), 0);
    assert_int_equal(link_xmit(a, frame_n(4, 60), 0), -ENOBUFS);
    /* the other direction has its own queue */
    assert_int_equal(link_xmit(b, frame_n(9, 60), 0), 0);
    struct buf *h = link_recv(b, 0);
    assert_int_equal(frame_id(h), 0);
    buf_free(h);
    assert_int_equal(link_xmit(a, frame_n(5, 60), 0), 0); /* room again */
    assert_int_equal(link_xmit(a, frame_n(6, 60), 0), -ENOBUFS);
    uint32_t want[] = {1, 2, 3, 5};
    for (size_t i = 0; i < 4; i++) {
        h = link_recv(b, 0);
        assert_non_null(h);
        assert_int_equal(frame_id(h), want[i]);
        buf_free(h);
    }
    assert_null(link_recv(b, 0));
    /* frames still queued are freed by destroy (ASan checks) */
    link_destroy(a);
    link_destroy(b);
}

static void test_memlink_mtu_is_emsgsize(void **state)
{
    struct link *a, *b;
    assert_int_equal(link_mem_pair(LINK_ETHERNET, 1000, 0, 1, &a, &b), 0);
    assert_int_equal(link_xmit(a, frame_n(1, 14 + 1000), 0), 0);
    assert_int_equal(link_xmit(a, frame_n(2, 14 + 1001), 0), -EMSGSIZE);
    struct buf *h = link_recv(b, 0);
    assert_int_equal(frame_id(h), 1);
    buf_free(h);
    assert_null(link_recv(b, 0));
    link_destroy(a);
    link_destroy(b);

    assert_int_equal(link_mem_pair(LINK_RAW_IP, 1000, 0, 1, &a, &b), 0);
    assert_int_equal(link_xmit(a, frame_n(1, 1000), 0), 0);
    assert_int_equal(link_xmit(a, frame_n(2, 1001), 0), -EMSGSIZE);
    link_destroy(a);
    link_destroy(b);
}

static void test_memlink_macs_distinct_local_and_caps(void **state)
{
    struct link *a, *b, *c, *d;
    assert_int_equal(link_mem_pair(LINK_ETHERNET, 1500, 0, 1, &a, &b), 0);
    assert_int_equal(link_mem_pair(LINK_ETHERNET, 1500, 0, 2, &c, &d), 0);
    struct link *all[] = {a, b, c, d};
    for (int i = 0; i < 4; i++) {
        assert_int_equal(all[i]->mac[0] & 0x03, 0x02); /* locally administered unicast */
        assert_true(all[i]->caps & LINK_CAP_CSUM_OFFLOAD);
        assert_int_equal(all[i]->kind, LINK_ETHERNET);
        assert_int_equal(all[i]->mtu, 1500);
        for (int j = 0; j < i; j++)
            assert_memory_not_equal(all[i]->mac, all[j]->mac, 6);
    }
    for (int i = 0; i < 4; i++)
        link_destroy(all[i]);
}

struct rx_probe {
    struct link *l;
    int calls;
    struct buf *got;
};

/* Calls recv from inside on_rx: it takes the inbound queue's lock, which
 * would deadlock (the alarm below fails the test) if on_rx ran under it. */
static void rx_probe_cb(void *ctx)
{
    struct rx_probe *p = ctx;
    p->calls++;
    p->got = link_recv(p->l, 0);
}

static void test_memlink_on_rx_runs_after_unlock(void **state)
{
    struct link *a, *b;
    assert_int_equal(link_mem_pair(LINK_RAW_IP, 1500, 0, 1, &a, &b), 0);
    struct rx_probe p = {b, 0, NULL};
    b->on_rx = rx_probe_cb;
    b->on_rx_ctx = &p;
    alarm(10);
    struct buf *f = frame_n(3, 60);
    assert_int_equal(link_xmit(a, f, 0), 0);
    alarm(0);
    assert_int_equal(p.calls, 1);
    assert_ptr_equal(p.got, f);
    buf_free(p.got);
    link_destroy(a);
    link_destroy(b);
}

static void test_memlink_destroyed_peer_drops(void **state)
{
    struct link *a, *b;
    assert_int_equal(link_mem_pair(LINK_RAW_IP, 1500, 0, 1, &a, &b), 0);
    assert_int_equal(link_xmit(a, frame_n(1, 60), 0), 0); /* queued at b */
    link_destroy(b);                                      /* frees it */
    assert_int_equal(link_xmit(a, frame_n(2, 60), 0), 0); /* lost, not an error */
    assert_null(link_recv(a, 0));
    link_destroy(a); /* last end: the pair goes (ASan checks) */
}

#define THREAD_FRAMES 20000

struct producer {
    struct link *l;
    uint32_t sent_ok;
};

static void *producer_main(void *arg)
{
    struct producer *p = arg;
    /* No cmocka asserts here: they may only run on the test's thread. */
    while (p->sent_ok < THREAD_FRAMES) {
        struct buf *b = buf_alloc(64, 60);
        if (!b)
            continue;
        memcpy(b->data, &p->sent_ok, sizeof(p->sent_ok));
        /* retry on -ENOBUFS: the consumer drains meanwhile */
        if (link_xmit(p->l, b, 0) == 0)
            p->sent_ok++;
    }
    return NULL;
}

static void test_memlink_two_threads_keep_order(void **state)
{
    struct link *a, *b;
    assert_int_equal(link_mem_pair(LINK_RAW_IP, 1500, 16, 1, &a, &b), 0);
    struct producer p = {a, 0};
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, producer_main, &p), 0);
    uint32_t next = 0;
    while (next < THREAD_FRAMES) {
        struct buf *h = link_recv(b, 0);
        if (!h)
            continue;
        assert_int_equal(frame_id(h), next);
        next++;
        buf_free(h);
    }
    pthread_join(t, NULL);
    assert_null(link_recv(b, 0));
    link_destroy(a);
    link_destroy(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_memlink_hands_over_the_same_buf),
        cmocka_unit_test(test_memlink_queue_full_is_enobufs),
        cmocka_unit_test(test_memlink_mtu_is_emsgsize),
        cmocka_unit_test(test_memlink_macs_distinct_local_and_caps),
        cmocka_unit_test(test_memlink_on_rx_runs_after_unlock),
        cmocka_unit_test(test_memlink_destroyed_peer_drops),
        cmocka_unit_test(test_memlink_two_threads_keep_order),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* testlink: the stack's end and the program's end -- injected frames reach
 * the stack, sent frames wait for capture (zero copy), the far end never
 * asks to be scheduled, checksums are completed on the way out, MTU and
 * queue limits, on_rx on both ends, destroying either end first, and two
 * threads driving the two ends. */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "link/link.h"
#include "link/testlink.h"
#include "wire/csum.h"
#include "wire/ip4.h"
#include "wire/tcp.h"

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

static void test_testlink_stack_sends_program_captures(void **state)
{
    struct link *near, *far;
    assert_int_equal(link_testlink_pair(LINK_RAW_IP, 1500, 8, 7, &near, &far), 0);
    assert_int_equal(link_testlink_pending(far), 0);
    assert_int_equal(link_testlink_peek_len(far), 0);

    struct buf *f = frame_n(1, 100);
    uint8_t *bytes = f->data;
    assert_int_equal(link_xmit(near, f, SG_MS(3)), 0);
    assert_int_equal(link_testlink_pending(far), 1);
    assert_int_equal(link_testlink_peek_len(far), 100);
    /* Captured frames wait for the program, never for a clock: a world
     * must not step for them. */
    assert_int_equal(link_next_event(far), SG_TIME_NEVER);
    /* ... and they are not the stack's to receive. */
    assert_int_equal(link_next_event(near), SG_TIME_NEVER);
    assert_null(link_recv(near, SG_MS(3)));

    struct buf *g = link_recv(far, SG_MS(3));
    assert_ptr_equal(g, f);           /* the buf itself ... */
    assert_ptr_equal(g->data, bytes); /* ... and its bytes: no copy */
    assert_int_equal(g->when, SG_MS(3));
    assert_null(g->next);
    assert_int_equal(link_testlink_pending(far), 0);
    assert_null(link_recv(far, SG_MS(3)));
    buf_free(g);

    /* In order. */
    for (uint32_t i = 0; i < 3; i++)
        assert_int_equal(link_xmit(near, frame_n(i, 60), 0), 0);
    for (uint32_t i = 0; i < 3; i++) {
        struct buf *h = link_recv(far, 0);
        assert_non_null(h);
        assert_int_equal(frame_id(h), i);
        buf_free(h);
    }
    link_destroy(near);
    link_destroy(far);
}

static void test_testlink_program_injects_stack_receives(void **state)
{
    struct link *near, *far;
    assert_int_equal(link_testlink_pair(LINK_RAW_IP, 1500, 8, 7, &near, &far), 0);
    assert_int_equal(link_next_event(near), SG_TIME_NEVER);
    struct buf *f = frame_n(9, 40);
    f->flags = BUF_CSUM_VERIFIED; /* whatever the program says travels */
    assert_int_equal(link_xmit(far, f, SG_MS(1)), 0);
    assert_int_equal(link_next_event(near), 0); /* ready at once */
    assert_int_equal(link_testlink_pending(far), 0);
    struct buf *g = link_recv(near, SG_MS(1));
    assert_ptr_equal(g, f);
    assert_int_equal(g->flags, BUF_CSUM_VERIFIED);
    assert_int_equal(link_next_event(near), SG_TIME_NEVER);
    buf_free(g);
    link_destroy(far);
    link_destroy(near);
}

static void test_testlink_identity(void **state)
{
    struct link *n1, *f1, *n2, *f2;
    assert_int_equal(link_testlink_pair(LINK_ETHERNET, 9000, 0, 1, &n1, &f1), 0);
    assert_int_equal(link_testlink_pair(LINK_ETHERNET, 1500, 0, 2, &n2, &f2), 0);
    assert_int_equal(n1->kind, LINK_ETHERNET);
    assert_int_equal(n1->mtu, 9000);
    /* Frames leave the process at the far end: no checksum offload. */
    assert_int_equal(n1->caps & LINK_CAP_CSUM_OFFLOAD, 0);
    /* Locally administered unicast, distinct per end and per id. */
    assert_int_equal(n1->mac[0] & 3, 2);
    assert_memory_not_equal(n1->mac, f1->mac, 6);
    assert_memory_not_equal(n1->mac, n2->mac, 6);
    assert_int_equal(n1->ops->wait_fd(n1), -1);
    assert_int_equal(f1->ops->wait_fd(f1), -1);
    link_destroy(n1);
    link_destroy(f1);
    link_destroy(n2);
    link_destroy(f2);
}

/* A raw IPv4/TCP frame from 10.0.0.1 to 10.0.0.2 with 4 bytes of payload,
 * its checksum left to the link (BUF_CSUM_PARTIAL, field garbage). */
static struct buf *partial_tcp_frame(void)
{
    struct tcp_repr t;
    memset(&t, 0, sizeof(t));
    t.sport = 1000;
    t.dport = 2000;
    t.seq = 77;
    t.ack = 88;
    t.flags = TCP_ACK | TCP_PSH | TCP_URG;
    t.win = 512;
    t.urp = 4;
    size_t hl = tcp_hdr_len(&t);
    struct ip4_repr ip = {.total_len = (uint16_t)(20 + hl + 4),
                          .id = 1,
                          .df = true,
                          .ttl = 64,
                          .proto = IP4_PROTO_TCP,
                          .src = 0x0100000a,
                          .dst = 0x0200000a};
    struct buf *b = buf_alloc(64, 20 + hl + 4);
    assert_non_null(b);
    size_t ihl = ip4_emit(&ip, b->data);
    tcp_emit(&t, b->data + ihl);
    memcpy(b->data + ihl + hl, "oob!", 4);
    b->data[ihl + 16] = 0xde; /* checksum field: garbage */
    b->data[ihl + 17] = 0xad;
    b->flags = BUF_CSUM_PARTIAL;
    b->csum_start = (uint32_t)ihl;
    b->csum_off = (uint32_t)ihl + 16;
    return b;
}

static void test_testlink_completes_checksums_on_the_way_out(void **state)
{
    struct link *near, *far;
    assert_int_equal(link_testlink_pair(LINK_RAW_IP, 1500, 0, 3, &near, &far), 0);
    struct buf *f = partial_tcp_frame();
    struct buf *keep = buf_clone(f); /* shared storage: must not be written */
    assert_non_null(keep);
    uint8_t before = keep->data[20 + 16];
    assert_int_equal(link_xmit(near, f, 0), 0);
    struct buf *g = link_recv(far, 0);
    assert_non_null(g);
    assert_int_equal(g->flags & BUF_CSUM_PARTIAL, 0);
    struct ip4_repr ip;
    assert_true(ip4_parse(g->data, g->len, &ip) > 0);
    assert_true(tcp_csum_ok(g->data + ip.hdr_len, g->len - ip.hdr_len, ip4_pseudo(&ip)));
    assert_int_equal(keep->data[20 + 16], before); /* copy-on-write */
    buf_free(g);
    buf_free(keep);

    /* Injected frames are left as the program made them. */
    struct buf *h = partial_tcp_frame();
    assert_int_equal(link_xmit(far, h, 0), 0);
    struct buf *k = link_recv(near, 0);
    assert_int_equal(k->flags, BUF_CSUM_PARTIAL);
    assert_int_equal(k->data[20 + 16], 0xde);
    buf_free(k);
    link_destroy(near);
    link_destroy(far);
}

static void test_testlink_mtu_and_queue_limits(void **state)
{
    struct link *near, *far;
    assert_int_equal(link_testlink_pair(LINK_ETHERNET, 100, 2, 4, &near, &far), 0);
    /* The MTU counts the IP packet, not the Ethernet header. */
    assert_int_equal(link_xmit(near, frame_n(0, 114), 0), 0);
    assert_int_equal(link_xmit(near, frame_n(1, 115), 0), -EMSGSIZE);
    assert_int_equal(link_xmit(far, frame_n(2, 115), 0), -EMSGSIZE);
    assert_int_equal(link_xmit(near, frame_n(3, 60), 0), 0);
    assert_int_equal(link_xmit(near, frame_n(4, 60), 0), -ENOBUFS); /* qlen 2 */
    assert_int_equal(link_testlink_pending(far), 2);
    for (int i = 0; i < 2; i++)
        assert_int_equal(link_xmit(far, frame_n(5, 60), 0), 0);
    assert_int_equal(link_xmit(far, frame_n(6, 60), 0), -ENOBUFS);
    /* Destroying with frames queued frees them (ASan checks). */
    link_destroy(near);
    link_destroy(far);
}

struct counter {
    int n;
};

static void count_rx(void *ctx)
{
    ((struct counter *)ctx)->n++;
}

static void test_testlink_on_rx_both_ways(void **state)
{
    struct link *near, *far;
    struct counter cn = {0}, cf = {0};
    assert_int_equal(link_testlink_pair(LINK_RAW_IP, 1500, 0, 5, &near, &far), 0);
    near->on_rx = count_rx;
    near->on_rx_ctx = &cn;
    far->on_rx = count_rx;
    far->on_rx_ctx = &cf;
    assert_int_equal(link_xmit(far, frame_n(0, 60), 0), 0); /* inject: wake the stack */
    assert_int_equal(cn.n, 1);
    assert_int_equal(cf.n, 0);
    assert_int_equal(link_xmit(near, frame_n(1, 60), 0), 0); /* capture: wake the program */
    assert_int_equal(cf.n, 1);
    assert_int_equal(link_xmit(near, frame_n(2, 6000), 0), -EMSGSIZE);
    assert_int_equal(cf.n, 1); /* refused frames wake nobody */
    link_destroy(near);
    link_destroy(far);
}

static void on_far_gone(void *ctx)
{
    ((struct counter *)ctx)->n++;
}

static void test_testlink_destroy_either_end_first(void **state)
{
    struct counter gone = {0};
    struct link *near, *far;
    assert_int_equal(link_testlink_pair(LINK_RAW_IP, 1500, 0, 6, &near, &far), 0);
    link_testlink_on_destroy(far, on_far_gone, &gone);
    link_destroy(far);
    assert_int_equal(gone.n, 1);
    /* The stack's frames now go nowhere, without an error. */
    assert_int_equal(link_xmit(near, frame_n(0, 60), 0), 0);
    assert_null(link_recv(near, 0));
    link_destroy(near);
    assert_int_equal(gone.n, 1);

    assert_int_equal(link_testlink_pair(LINK_RAW_IP, 1500, 0, 6, &near, &far), 0);
    link_testlink_on_destroy(far, on_far_gone, &gone);
    assert_int_equal(link_xmit(near, frame_n(1, 60), 0), 0);
    link_destroy(near);
    assert_int_equal(link_xmit(far, frame_n(2, 60), 0), 0); /* dropped */
    /* What the stack sent before going is still there to capture. */
    struct buf *g = link_recv(far, 0);
    assert_non_null(g);
    assert_int_equal(frame_id(g), 1);
    buf_free(g);
    link_destroy(far);
    assert_int_equal(gone.n, 2);

    /* Not a testlink far end: harmless answers. */
    assert_int_equal(link_testlink_pending(NULL), 0);
    assert_int_equal(link_testlink_peek_len(NULL), 0);
}

/* Two threads: the "stack" echoes every injected frame back; the program
 * injects and captures from its own thread. */
#define ECHO_FRAMES 5000

struct echo {
    struct link *near;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    int wakeups;
    int stop;
};

static void echo_wake(void *ctx)
{
    struct echo *e = ctx;
    pthread_mutex_lock(&e->lock);
    e->wakeups++;
    pthread_cond_signal(&e->cond);
    pthread_mutex_unlock(&e->lock);
}

static void *echo_stack(void *arg)
{
    struct echo *e = arg;
    int done = 0;
    while (done < ECHO_FRAMES) {
        struct buf *f = link_recv(e->near, 0);
        if (!f) {
            pthread_mutex_lock(&e->lock);
            while (e->wakeups == 0)
                pthread_cond_wait(&e->cond, &e->lock);
            e->wakeups = 0;
            pthread_mutex_unlock(&e->lock);
            continue;
        }
        /* The queue is deep enough for every frame: a refusal is a bug
         * (and cmocka cannot fail from this thread). */
        if (link_xmit(e->near, f, 0) != 0)
            abort();
        done++;
    }
    return NULL;
}

static void test_testlink_two_threads(void **state)
{
    struct echo e = {0};
    struct link *far;
    assert_int_equal(link_testlink_pair(LINK_RAW_IP, 1500, 100000, 8, &e.near, &far), 0);
    pthread_mutex_init(&e.lock, NULL);
    pthread_cond_init(&e.cond, NULL);
    e.near->on_rx = echo_wake;
    e.near->on_rx_ctx = &e;
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, echo_stack, &e), 0);
    uint32_t next = 0;
    for (uint32_t i = 0; i < ECHO_FRAMES; i++) {
        assert_int_equal(link_xmit(far, frame_n(i, 64), 0), 0);
        struct buf *g;
        while ((g = link_recv(far, 0)) != NULL) {
            assert_int_equal(frame_id(g), next++);
            buf_free(g);
        }
    }
    pthread_join(th, NULL);
    struct buf *g;
    while ((g = link_recv(far, 0)) != NULL) {
        assert_int_equal(frame_id(g), next++);
        buf_free(g);
    }
    assert_int_equal(next, ECHO_FRAMES);
    link_destroy(e.near);
    link_destroy(far);
    pthread_cond_destroy(&e.cond);
    pthread_mutex_destroy(&e.lock);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_testlink_stack_sends_program_captures),
        cmocka_unit_test(test_testlink_program_injects_stack_receives),
        cmocka_unit_test(test_testlink_identity),
        cmocka_unit_test(test_testlink_completes_checksums_on_the_way_out),
        cmocka_unit_test(test_testlink_mtu_and_queue_limits),
        cmocka_unit_test(test_testlink_on_rx_both_ways),
        cmocka_unit_test(test_testlink_destroy_either_end_first),
        cmocka_unit_test(test_testlink_two_threads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

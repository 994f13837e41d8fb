/* Out-of-order queue: scenarios, then 100,000 random overlapping segments
 * against a reference model (a bitmap of held bytes over the stream),
 * checking every result field, the SACK blocks, and that the bytes the
 * reader gets out of the ring are exactly the stream that was sent. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/ring.h"
#include "tcp/reass.h"
#include "tcp/seq.h"

/* Stream offset 0 sits just below a 32-bit wrap on the wire. */
#define BASE (SEQ_UNWRAP_BASE + 0xffffc000u)

static uint8_t stream_byte(uint64_t off)
{
    uint64_t z = off * 0x9e3779b97f4a7c15ull;
    return (uint8_t)(z >> 56);
}

static void fill(uint8_t *p, uint64_t off, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        p[i] = stream_byte(off + i);
}

struct rx {
    struct reass q;
    struct ring ring;
    uint64_t rcv_nxt;
    uint64_t read; /* stream bytes read by the user so far */
};

static void rx_init(struct rx *x, uint32_t limit, uint32_t max_holes)
{
    reass_init(&x->q, max_holes);
    ring_init(&x->ring, limit);
    x->rcv_nxt = BASE;
    x->read = 0;
}

static void rx_free(struct rx *x)
{
    reass_free(&x->q);
    ring_free(&x->ring);
}

/* Send stream bytes [off, off + n) as one segment. */
static int rx_seg(struct rx *x, uint64_t off, uint32_t n, struct reass_result *res)
{
    uint8_t buf[4096];
    assert_true(n <= sizeof buf);
    fill(buf, off, n);
    int rc = reass_insert(&x->q, &x->ring, x->rcv_nxt, BASE + off, buf, n, res);
    x->rcv_nxt += res->delivered;
    return rc;
}

/* Read everything readable and check it is the stream. */
static void rx_drain(struct rx *x, uint32_t max)
{
    uint8_t buf[4096];
    while (max) {
        uint32_t n = ring_read(&x->ring, buf, max < sizeof buf ? max : sizeof buf);
        if (!n)
            break;
        for (uint32_t i = 0; i < n; i++)
            if (buf[i] != stream_byte(x->read + i))
                fail_msg("byte %llu: got %u want %u", (unsigned long long)(x->read + i), buf[i],
                         stream_byte(x->read + i));
        x->read += n;
        max -= n;
    }
}

static void test_reass_in_order_needs_no_tree(void **state)
{
    (void)state;
    struct rx x;
    rx_init(&x, 65536, 0);
    struct reass_result r;
    assert_int_equal(rx_seg(&x, 0, 1000, &r), 0);
    assert_int_equal(r.delivered, 1000);
    assert_int_equal(r.new_bytes, 1000);
    assert_false(r.out_of_order);
    assert_false(r.filled_hole);
    assert_false(r.duplicate);
    assert_true(reass_empty(&x.q));
    assert_int_equal(ring_len(&x.ring), 1000);
    rx_drain(&x, UINT32_MAX);
    assert_int_equal(x.read, 1000);
    rx_free(&x);
}

static void test_reass_hole_filled_delivers_everything(void **state)
{
    (void)state;
    struct rx x;
    rx_init(&x, 65536, 0);
    struct reass_result r;
    rx_seg(&x, 2000, 1000, &r); /* [2000, 3000) */
    assert_true(r.out_of_order);
    assert_int_equal(r.delivered, 0);
    assert_int_equal(r.new_bytes, 1000);
    rx_seg(&x, 1000, 1000, &r); /* [1000, 2000) joins it */
    assert_int_equal(reass_ranges(&x.q), 1);
    assert_int_equal(reass_bytes(&x.q), 2000);
    assert_int_equal(ring_len(&x.ring), 0); /* nothing readable yet */
    rx_seg(&x, 0, 500, &r);                 /* partial fill: still a hole */
    assert_int_equal(r.delivered, 500);
    assert_true(r.filled_hole);
    rx_seg(&x, 500, 500, &r);
    assert_int_equal(r.delivered, 2500);
    assert_true(r.filled_hole);
    assert_true(reass_empty(&x.q));
    assert_int_equal(x.rcv_nxt, BASE + 3000);
    rx_drain(&x, UINT32_MAX);
    assert_int_equal(x.read, 3000);
    rx_free(&x);
}

static void test_reass_duplicates_reported_for_dsack(void **state)
{
    (void)state;
    struct rx x;
    rx_init(&x, 65536, 0);
    struct reass_result r;
    rx_seg(&x, 0, 1000, &r);
    /* entirely old */
    rx_seg(&x, 200, 300, &r);
    assert_true(r.duplicate);
    assert_int_equal(r.dup_start, BASE + 200);
    assert_int_equal(r.dup_end, BASE + 500);
    assert_int_equal(r.new_bytes, 0);
    assert_int_equal(r.delivered, 0);
    /* straddling rcv_nxt: the old part is the duplicate */
    rx_seg(&x, 900, 200, &r);
    assert_true(r.duplicate);
    assert_int_equal(r.dup_start, BASE + 900);
    assert_int_equal(r.dup_end, BASE + 1000);
    assert_int_equal(r.delivered, 100);
    /* overlapping held out-of-order data */
    rx_seg(&x, 3000, 1000, &r);
    assert_false(r.duplicate);
    rx_seg(&x, 3500, 1000, &r);
    assert_true(r.duplicate);
    assert_int_equal(r.dup_start, BASE + 3500);
    assert_int_equal(r.dup_end, BASE + 4000);
    assert_int_equal(r.new_bytes, 500);
    /* D-SACK first in the SACK option, then the block holding it */
    struct rs_range d = {r.dup_start, r.dup_end};
    struct tcp_sack_block b[4];
    assert_int_equal(reass_sack_blocks(&x.q, x.rcv_nxt, &d, b, 4), 2);
    assert_int_equal(b[0].left, seq_wrap(BASE + 3500));
    assert_int_equal(b[0].right, seq_wrap(BASE + 4000));
    assert_int_equal(b[1].left, seq_wrap(BASE + 3000));
    assert_int_equal(b[1].right, seq_wrap(BASE + 4500));
    rx_free(&x);
}

static void test_reass_first_copy_wins(void **state)
{
    (void)state;
    struct rx x;
    rx_init(&x, 65536, 0);
    struct reass_result r;
    rx_seg(&x, 1000, 1000, &r);
    /* a conflicting retransmission of [1500, 2500): only [2000, 2500)
     * may be written */
    uint8_t evil[1000];
    memset(evil, 0xee, sizeof evil);
    fill(evil + 500, 2000, 500);
    assert_int_equal(reass_insert(&x.q, &x.ring, x.rcv_nxt, BASE + 1500, evil, 1000, &r), 0);
    assert_int_equal(r.new_bytes, 500);
    rx_seg(&x, 0, 1000, &r);
    assert_int_equal(r.delivered, 2500);
    rx_drain(&x, UINT32_MAX); /* checks every byte against the stream */
    assert_int_equal(x.read, 2500);
    rx_free(&x);
}

static void test_reass_beyond_buffer_dropped(void **state)
{
    (void)state;
    struct rx x;
    rx_init(&x, 4096, 0);
    struct reass_result r;
    rx_seg(&x, 0, 1000, &r); /* 1000 readable, unread */
    rx_seg(&x, 3000, 1000, &r);
    /* room: 4096 - 1000 = 3096 bytes from rcv_nxt, i.e. up to offset 4096 */
    assert_int_equal(r.dropped, 0);
    rx_seg(&x, 3500, 1000, &r);
    assert_int_equal(r.dropped, 4500 - 4096);
    assert_int_equal(r.new_bytes, 4096 - 4000);
    rx_seg(&x, 5000, 100, &r);
    assert_int_equal(r.dropped, 100);
    assert_int_equal(r.new_bytes, 0);
    assert_false(r.out_of_order);
    rx_free(&x);
}

static void test_reass_max_holes_enomem_keeps_in_order(void **state)
{
    (void)state;
    struct rx x;
    rx_init(&x, 65536, 2);
    struct reass_result r;
    assert_int_equal(rx_seg(&x, 1000, 100, &r), 0);
    assert_int_equal(rx_seg(&x, 2000, 100, &r), 0);
    assert_int_equal(rx_seg(&x, 3000, 100, &r), -ENOMEM);
    assert_int_equal(r.dropped, 100);
    assert_int_equal(reass_ranges(&x.q), 2);
    /* growing an existing hole's range needs no node */
    assert_int_equal(rx_seg(&x, 2100, 100, &r), 0);
    /* in-order data is always accepted */
    assert_int_equal(rx_seg(&x, 0, 1000, &r), 0);
    assert_int_equal(r.delivered, 1100);
    assert_int_equal(reass_ranges(&x.q), 1);
    assert_int_equal(rx_seg(&x, 3000, 100, &r), 0); /* room again */
    rx_free(&x);
}

static void test_reass_sack_blocks_most_recent_first(void **state)
{
    (void)state;
    struct rx x;
    rx_init(&x, 65536, 0);
    struct reass_result r;
    struct tcp_sack_block b[4];
    rx_seg(&x, 3000, 1000, &r);
    rx_seg(&x, 5000, 1000, &r);
    rx_seg(&x, 7000, 1000, &r);
    assert_int_equal(reass_sack_blocks(&x.q, x.rcv_nxt, NULL, b, 4), 3);
    assert_int_equal(b[0].left, seq_wrap(BASE + 7000));
    assert_int_equal(b[1].left, seq_wrap(BASE + 5000));
    assert_int_equal(b[2].left, seq_wrap(BASE + 3000));
    /* segment 4000 joins 3000 and 5000: its block comes first, once */
    rx_seg(&x, 4000, 1000, &r);
    assert_int_equal(reass_sack_blocks(&x.q, x.rcv_nxt, NULL, b, 4), 2);
    assert_int_equal(b[0].left, seq_wrap(BASE + 3000));
    assert_int_equal(b[0].right, seq_wrap(BASE + 6000));
    assert_int_equal(b[1].left, seq_wrap(BASE + 7000));
    /* with timestamps only 3 fit; older ranges beyond the recent list
     * still get reported, lowest first */
    for (uint64_t o = 9000; o < 20000; o += 2000)
        rx_seg(&x, o, 1000, &r);
    assert_int_equal(reass_sack_blocks(&x.q, x.rcv_nxt, NULL, b, 3), 3);
    assert_int_equal(b[0].left, seq_wrap(BASE + 19000));
    assert_int_equal(b[1].left, seq_wrap(BASE + 17000));
    assert_int_equal(b[2].left, seq_wrap(BASE + 15000));
    /* delivered ranges are never reported */
    rx_seg(&x, 0, 3000, &r);
    assert_int_equal(r.delivered, 6000);
    uint32_t n = reass_sack_blocks(&x.q, x.rcv_nxt, NULL, b, 4);
    for (uint32_t i = 0; i < n; i++)
        assert_true(seq_gt(b[i].left, seq_wrap(x.rcv_nxt)));
    rx_free(&x);
}

/* ---- random vs model --------------------------------------------------- */

static uint64_t t_rand(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

#define STREAM (64u << 20)

static void run_random(uint64_t seed, uint32_t nseg, uint32_t limit)
{
    uint8_t *held = calloc(STREAM, 1); /* model: byte offset held OOO */
    assert_non_null(held);
    struct rx x;
    rx_init(&x, limit, 0);
    uint64_t nxt = 0; /* model rcv_nxt (stream offset) */
    uint64_t held_bytes = 0;
    uint64_t delivered_total = 0, dup_segs = 0, ooo_segs = 0, drops = 0;

    uint32_t i;
    for (i = 0; i < nseg && nxt + limit + 8192 < STREAM; i++) {
        uint64_t k = t_rand(&seed);
        uint64_t off;
        if (k % 5 == 0)
            off = nxt; /* in order / hole filling */
        else
            off = nxt + (k >> 8) % (limit + 3000) - 1500;
        if ((int64_t)off < 0)
            off = 0;
        uint32_t len = 1 + (uint32_t)((k >> 40) % 1460);

        /* what the model expects */
        uint64_t end = off + len;
        uint64_t room_end = nxt + (limit - ring_len(&x.ring));
        uint64_t cut = end > room_end ? (off > room_end ? off : room_end) : end;
        uint32_t want_drop = (uint32_t)(end - cut);
        bool want_dup = false;
        uint64_t ds = 0, de = 0;
        if (off < nxt) {
            want_dup = true;
            ds = off;
            de = end < nxt ? end : nxt;
        }
        uint64_t s_eff = off > nxt ? off : nxt;
        uint32_t want_new = 0;
        for (uint64_t b = s_eff; b < cut; b++) {
            if (held[b]) {
                if (!want_dup) {
                    want_dup = true;
                    ds = b;
                    de = b;
                    while (de < cut && held[de])
                        de++;
                }
            } else {
                want_new++;
            }
        }
        bool had = held_bytes > 0;
        for (uint64_t b = s_eff; b < cut; b++)
            if (!held[b]) {
                held[b] = 1;
                held_bytes++;
            }
        uint64_t old = nxt;
        while (held[nxt]) {
            held[nxt] = 0;
            held_bytes--;
            nxt++;
        }

        struct reass_result r;
        assert_int_equal(rx_seg(&x, off, len, &r), 0);
        assert_int_equal(r.dropped, want_drop);
        assert_int_equal(r.new_bytes, want_new);
        assert_int_equal(r.delivered, nxt - old);
        assert_int_equal(x.rcv_nxt, BASE + nxt);
        assert_int_equal(r.duplicate, want_dup);
        if (want_dup) {
            assert_int_equal(r.dup_start, BASE + ds);
            assert_int_equal(r.dup_end, BASE + de);
        }
        assert_int_equal(r.out_of_order, s_eff < cut && s_eff > old);
        assert_int_equal(r.filled_hole, s_eff < cut && s_eff == old && had);
        assert_int_equal(reass_bytes(&x.q), held_bytes);
        delivered_total += r.delivered;
        dup_segs += r.duplicate;
        ooo_segs += r.out_of_order;
        drops += r.dropped > 0;

        /* SACK blocks: maximal held runs above rcv_nxt, no repeats, the
         * first one holding this segment if it went out of order. */
        struct tcp_sack_block b[4];
        uint32_t n = reass_sack_blocks(&x.q, x.rcv_nxt, NULL, b, 4);
        uint32_t ranges = reass_ranges(&x.q);
        assert_int_equal(n, ranges < 4 ? ranges : 4);
        for (uint32_t j = 0; j < n; j++) {
            uint64_t s = seq_unwrap(x.rcv_nxt, b[j].left) - BASE;
            uint64_t e = seq_unwrap(x.rcv_nxt, b[j].right) - BASE;
            assert_true(s > nxt && s < e);
            assert_true(held[s] && !held[s - 1] && held[e - 1] && !held[e]);
            for (uint32_t m = 0; m < j; m++)
                assert_false(b[m].left == b[j].left);
        }
        if (r.out_of_order) {
            uint64_t s = seq_unwrap(x.rcv_nxt, b[0].left) - BASE;
            uint64_t e = seq_unwrap(x.rcv_nxt, b[0].right) - BASE;
            assert_true(s <= s_eff && s_eff < e);
        }

        /* the user reads now and then */
        if (t_rand(&seed) % 3 == 0)
            rx_drain(&x, (uint32_t)(t_rand(&seed) % 20000));
    }
    assert_int_equal(i, nseg); /* the stream was long enough */
    /* finish: send the rest of the window in order, read everything */
    while (!reass_empty(&x.q)) {
        struct reass_result r;
        rx_drain(&x, UINT32_MAX);
        uint64_t o = x.rcv_nxt - BASE;
        assert_int_equal(rx_seg(&x, o, 1000, &r), 0);
        assert_true(r.delivered > 0);
    }
    rx_drain(&x, UINT32_MAX);
    assert_int_equal(x.read, x.rcv_nxt - BASE);
    assert_true(x.read > 100000);
    /* the mix really exercised every path */
    assert_true(dup_segs > nseg / 20);
    assert_true(ooo_segs > nseg / 4);
    assert_true(drops > 0);
    (void)delivered_total;
    rx_free(&x);
    free(held);
}

static void test_reass_random_100k_segments_vs_model(void **state)
{
    (void)state;
    run_random(7, 100000, 32768);
}

static void test_reass_random_small_buffer(void **state)
{
    (void)state;
    run_random(8, 30000, 4096);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reass_in_order_needs_no_tree),
        cmocka_unit_test(test_reass_hole_filled_delivers_everything),
        cmocka_unit_test(test_reass_duplicates_reported_for_dsack),
        cmocka_unit_test(test_reass_first_copy_wins),
        cmocka_unit_test(test_reass_beyond_buffer_dropped),
        cmocka_unit_test(test_reass_max_holes_enomem_keeps_in_order),
        cmocka_unit_test(test_reass_sack_blocks_most_recent_first),
        cmocka_unit_test(test_reass_random_100k_segments_vs_model),
        cmocka_unit_test(test_reass_random_small_buffer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* Impairment wrapper: each impairment alone with statistical bounds at
 * fixed seeds, exact determinism, and the release guarantees. The wrapper
 * sits on end `a` of a memlink pair; frames are numbered and either sent
 * through it (TX: a -> b) or received through it (RX: b -> a). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "link/link.h"

enum dir { TX, RX };

struct rec {
    uint32_t id;
    sg_time t;
    uint32_t len;
    uint32_t flags;
    uint64_t hash; /* FNV-1a of the bytes */
    uint8_t bytes[160];
};

struct run {
    struct rec *r;
    size_t n, cap;
    struct link_impair_stats st;
    uint32_t caps, mtu;
};

static uint64_t fnv(const uint8_t *p, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 0x100000001b3ull;
    return h;
}

#define HDR_OFF(kind) ((kind) == LINK_ETHERNET ? 14u : 0u)

/* Frame `id`: for Ethernet, a 14-byte header (IPv4 EtherType); then the
 * id and a pattern. */
static struct buf *mkframe(enum link_kind kind, uint32_t id, uint32_t len)
{
    struct buf *b = buf_alloc(64, len);
    assert_non_null(b);
    for (uint32_t i = 0; i < len; i++)
        b->data[i] = (uint8_t)(i * 7 + id);
    if (kind == LINK_ETHERNET)
        b->data[12] = 0x08, b->data[13] = 0x00;
    memcpy(b->data + HDR_OFF(kind), &id, 4);
    b->flags = BUF_CSUM_VERIFIED;
    return b;
}

static void record(struct run *run, struct buf *b, sg_time now, enum link_kind kind)
{
    if (run->n == run->cap) {
        run->cap = run->cap ? run->cap * 2 : 1024;
        run->r = realloc(run->r, run->cap * sizeof(*run->r));
        assert_non_null(run->r);
    }
    struct rec *r = &run->r[run->n++];
    memset(r, 0, sizeof(*r));
    memcpy(&r->id, b->data + HDR_OFF(kind), 4);
    r->t = now;
    r->len = b->len;
    r->flags = b->flags;
    r->hash = fnv(b->data, b->len);
    memcpy(r->bytes, b->data, b->len < sizeof(r->bytes) ? b->len : sizeof(r->bytes));
    buf_free(b);
}

/* Send n frames of `len` bytes, frame i at i * spacing, through an
 * impairment with cfg/seed in direction d; record what comes out. */
static struct run run_frames(const struct link_impair *cfg, uint64_t seed, enum dir d,
                             enum link_kind kind, uint32_t n, sg_time spacing, uint32_t len)
{
    struct run run = {0};
    struct link *a, *b;
    assert_int_equal(link_mem_pair(kind, 9000, 100000, 1, &a, &b), 0);
    struct link *w = link_impair_wrap(a, cfg, seed);
    assert_non_null(w);
    struct link *src = d == TX ? w : b, *dst = d == TX ? b : w;
    sg_time now = 0;
    uint32_t i = 0;
    for (;;) {
        sg_time t = i < n ? i * spacing : SG_TIME_NEVER;
        t = time_min(t, link_next_event(w));
        t = time_min(t, link_next_event(b));
        if (t == SG_TIME_NEVER)
            break;
        if (t > now)
            now = t;
        for (; i < n && i * spacing <= now; i++)
            assert_int_equal(link_xmit(src, mkframe(kind, i, len), now), 0);
        link_poll(w, now);
        struct buf *f;
        while ((f = link_recv(dst, now)) != NULL)
            record(&run, f, now, kind);
    }
    link_impair_stats(w, &run.st);
    run.caps = w->caps;
    run.mtu = w->mtu;
    link_destroy(w);
    link_destroy(b);
    return run;
}

/* How many times each id arrived; ids < n. */
static uint32_t *arrivals(const struct run *run, uint32_t n)
{
    uint32_t *c = calloc(n, sizeof(*c));
    assert_non_null(c);
    for (size_t k = 0; k < run->n; k++) {
        assert_true(run->r[k].id < n);
        c[run->r[k].id]++;
    }
    return c;
}

#define N 10000

static void check_loss(enum dir d)
{
    struct link_impair cfg = {.loss = 0.1};
    struct run run = run_frames(&cfg, 1, d, LINK_RAW_IP, N, SG_US(10), 100);
    assert_int_equal(run.st.frames, N);
    assert_in_range(run.st.dropped, 900, 1100);
    assert_int_equal(run.n, N - run.st.dropped);
    uint32_t prev = 0;
    for (size_t k = 0; k < run.n; k++) {
        /* nothing else happens: in order, on time, untouched */
        assert_true(k == 0 || run.r[k].id > prev);
        prev = run.r[k].id;
        assert_int_equal(run.r[k].t, run.r[k].id * SG_US(10));
        assert_int_equal(run.r[k].flags, BUF_CSUM_VERIFIED);
    }
    assert_int_equal(run.st.duplicated + run.st.reordered + run.st.corrupted + run.st.mtu_dropped +
                         run.st.queue_dropped,
                     0);
    free(run.r);
}

static void test_impair_loss_tx(void **state)
{
    check_loss(TX);
}

static void test_impair_loss_rx(void **state)
{
    check_loss(RX);
}

static void test_impair_duplicate(void **state)
{
    struct link_impair cfg = {.duplicate = 0.1};
    struct run run = run_frames(&cfg, 2, TX, LINK_RAW_IP, N, SG_US(10), 100);
    assert_in_range(run.st.duplicated, 900, 1100);
    assert_int_equal(run.n, N + run.st.duplicated);
    uint32_t *c = arrivals(&run, N);
    uint32_t twice = 0;
    for (uint32_t i = 0; i < N; i++) {
        assert_in_range(c[i], 1, 2);
        twice += c[i] == 2;
    }
    assert_int_equal(twice, run.st.duplicated);
    free(c);
    free(run.r);
}

static void test_impair_reorder_bounded_and_complete(void **state)
{
    struct link_impair cfg = {.reorder = 0.1, .reorder_depth = 3};
    struct run run = run_frames(&cfg, 3, TX, LINK_RAW_IP, N, SG_US(10), 100);
    assert_in_range(run.st.reordered, 900, 1100);
    assert_int_equal(run.n, N); /* nothing lost, nothing twice */
    uint32_t *c = arrivals(&run, N);
    for (uint32_t i = 0; i < N; i++)
        assert_int_equal(c[i], 1);
    free(c);
    /* Only held frames arrive late, and each behind at most 3 later ones.
     * (A held frame let go by a later frame that is itself held leaves
     * before it: then it is not late at all.) */
    uint32_t late = 0, maxid = 0;
    for (size_t k = 0; k < run.n; k++) {
        uint32_t id = run.r[k].id;
        if (k > 0 && id < maxid) {
            late++;
            uint32_t overtaken = 0;
            for (size_t j = 0; j < k; j++)
                overtaken += run.r[j].id > id;
            assert_in_range(overtaken, 1, 3);
        }
        if (id > maxid)
            maxid = id;
    }
    assert_true(late <= run.st.reordered);
    assert_true(late >= run.st.reordered * 8 / 10);
    free(run.r);
}

static void test_impair_reorder_releases_without_later_frames(void **state)
{
    /* A held frame with no later frame to let it go: the hold time does
     * (10 ms by default). */
    struct link_impair cfg = {.reorder = 1.0};
    struct run run = run_frames(&cfg, 4, TX, LINK_RAW_IP, 1, 0, 100);
    assert_int_equal(run.n, 1);
    assert_int_equal(run.r[0].t, SG_MS(10));
    free(run.r);

    /* Every frame held: the earlier ones are let go by later ones, the
     * last by its hold time; all arrive. */
    run = run_frames(&cfg, 4, TX, LINK_RAW_IP, 5, SG_MS(1), 100);
    assert_int_equal(run.n, 5);
    assert_int_equal(run.st.reordered, 5);
    uint32_t *c = arrivals(&run, 5);
    for (uint32_t i = 0; i < 5; i++)
        assert_int_equal(c[i], 1);
    free(c);
    assert_int_equal(run.r[4].id, 4);
    assert_int_equal(run.r[4].t, SG_MS(4) + SG_MS(10));
    free(run.r);

    cfg.reorder_hold = SG_MS(3);
    run = run_frames(&cfg, 4, RX, LINK_RAW_IP, 1, 0, 100);
    assert_int_equal(run.n, 1);
    assert_int_equal(run.r[0].t, SG_MS(3));
    free(run.r);
}

static void test_impair_delay_and_jitter(void **state)
{
    struct link_impair cfg = {.delay = SG_MS(10), .jitter = SG_MS(2)};
    struct run run = run_frames(&cfg, 5, RX, LINK_RAW_IP, N, SG_US(100), 100);
    assert_int_equal(run.n, N);
    sg_time lo = SG_TIME_NEVER, hi = 0;
    double sum = 0;
    for (size_t k = 0; k < run.n; k++) {
        sg_time d = run.r[k].t - run.r[k].id * SG_US(100);
        assert_in_range(d, SG_MS(10), SG_MS(12));
        lo = time_min(lo, d);
        hi = d > hi ? d : hi;
        sum += (double)d;
    }
    assert_true(lo < SG_MS(10) + SG_US(20)); /* the whole range is used */
    assert_true(hi > SG_MS(12) - SG_US(20));
    double mean = sum / (double)run.n;
    assert_true(mean > 10.95e6 && mean < 11.05e6);
    free(run.r);

    /* no jitter: exactly the delay, in order */
    cfg.jitter = 0;
    run = run_frames(&cfg, 5, TX, LINK_RAW_IP, 100, SG_US(100), 100);
    assert_int_equal(run.n, 100);
    for (size_t k = 0; k < run.n; k++) {
        assert_int_equal(run.r[k].id, k);
        assert_int_equal(run.r[k].t, k * SG_US(100) + SG_MS(10));
    }
    free(run.r);
}

static unsigned bits_differing(const uint8_t *x, const uint8_t *y, size_t n)
{
    unsigned d = 0;
    for (size_t i = 0; i < n; i++)
        d += (unsigned)__builtin_popcount((unsigned)(x[i] ^ y[i]));
    return d;
}

static void test_impair_corrupt_flips_exactly_one_bit(void **state)
{
    struct link_impair cfg = {.corrupt = 1.0};
    struct run run = run_frames(&cfg, 6, TX, LINK_ETHERNET, 2000, SG_US(10), 120);
    assert_int_equal(run.n, 2000);
    assert_int_equal(run.st.corrupted, 2000);
    assert_false(run.caps & LINK_CAP_CSUM_OFFLOAD); /* receivers must verify */
    unsigned in_hdr = 0;
    for (size_t k = 0; k < run.n; k++) {
        /* the k-th frame out is the k-th in: nothing delays or drops */
        struct buf *orig = mkframe(LINK_ETHERNET, (uint32_t)k, 120);
        assert_int_equal(bits_differing(orig->data, run.r[k].bytes, 120), 1);
        in_hdr += bits_differing(orig->data, run.r[k].bytes, 14);
        buf_free(orig);
        assert_int_equal(run.r[k].flags & (BUF_CSUM_VERIFIED | BUF_CSUM_PARTIAL), 0);
    }
    assert_int_equal(in_hdr, 0); /* never the Ethernet header */
    free(run.r);

    /* ARP (no checksum to catch it) is never corrupted */
    struct link *a, *b;
    assert_int_equal(link_mem_pair(LINK_ETHERNET, 1500, 0, 1, &a, &b), 0);
    struct link *w = link_impair_wrap(a, &cfg, 6);
    for (uint32_t i = 0; i < 100; i++) {
        struct buf *f = mkframe(LINK_ETHERNET, i, 42);
        f->data[13] = 0x06; /* ARP */
        uint8_t copy[42];
        memcpy(copy, f->data, 42);
        assert_int_equal(link_xmit(w, f, 0), 0);
        struct buf *g = link_recv(b, 0);
        assert_non_null(g);
        assert_memory_equal(g->data, copy, 42);
        buf_free(g);
    }
    struct link_impair_stats st;
    link_impair_stats(w, &st);
    assert_int_equal(st.corrupted, 0);
    link_destroy(w);
    link_destroy(b);

    struct link_impair none = {0};
    run = run_frames(&none, 6, TX, LINK_ETHERNET, 1, 0, 120);
    assert_true(run.caps & LINK_CAP_CSUM_OFFLOAD); /* kept when nothing alters bytes */
    free(run.r);
}

static void test_impair_corrupt_rate(void **state)
{
    struct link_impair cfg = {.corrupt = 0.05};
    struct run run = run_frames(&cfg, 7, RX, LINK_RAW_IP, N, SG_US(10), 100);
    assert_int_equal(run.n, N);
    assert_in_range(run.st.corrupted, 400, 600);
    uint32_t changed = 0;
    for (size_t k = 0; k < run.n; k++) {
        struct buf *orig = mkframe(LINK_RAW_IP, (uint32_t)k, 100);
        unsigned d = bits_differing(orig->data, run.r[k].bytes, 100);
        buf_free(orig);
        assert_in_range(d, 0, 1);
        changed += d;
        /* untouched frames keep their flags */
        assert_int_equal(run.r[k].flags, d ? 0 : BUF_CSUM_VERIFIED);
    }
    assert_int_equal(changed, run.st.corrupted);
    free(run.r);
}

/* Ones'-complement sum, written here independently of wire/csum.c. */
static uint16_t ocsum(const uint8_t *p, size_t n, uint32_t acc)
{
    for (size_t i = 0; i + 1 < n; i += 2)
        acc += (uint32_t)p[i] << 8 | p[i + 1];
    if (n & 1)
        acc += (uint32_t)p[n - 1] << 8;
    while (acc >> 16)
        acc = (acc & 0xffff) + (acc >> 16);
    return (uint16_t)~acc;
}

/* IPv4/UDP datagram, raw IP, with a PARTIAL (unfilled) UDP checksum. */
static struct buf *mk_udp_partial(void)
{
    struct buf *b = buf_alloc(64, 20 + 8 + 32);
    assert_non_null(b);
    uint8_t *p = b->data;
    memset(p, 0, b->len);
    p[0] = 0x45;
    p[3] = (uint8_t)b->len;
    p[8] = 64;
    p[9] = 17;
    uint8_t src[4] = {10, 0, 0, 1}, dst[4] = {10, 0, 0, 2};
    memcpy(p + 12, src, 4);
    memcpy(p + 16, dst, 4);
    uint16_t ipc = ocsum(p, 20, 0);
    p[10] = (uint8_t)(ipc >> 8);
    p[11] = (uint8_t)ipc;
    p[20] = 0x30, p[21] = 0x39; /* 12345 */
    p[22] = 0x00, p[23] = 0x35; /* 53 */
    p[25] = 40;
    for (int i = 0; i < 32; i++)
        p[28 + i] = (uint8_t)(i * 13 + 1);
    b->flags = BUF_CSUM_PARTIAL;
    return b;
}

/* Fill the UDP checksum of mk_udp_partial()'s datagram, independently. */
static void udp_fill(uint8_t *p)
{
    uint32_t acc = 0;
    for (int i = 12; i < 20; i += 2)
        acc += (uint32_t)p[i] << 8 | p[i + 1];
    acc += 17 + 40;
    p[26] = p[27] = 0;
    uint16_t c = ocsum(p + 20, 40, acc);
    p[26] = (uint8_t)(c >> 8);
    p[27] = (uint8_t)c;
}

static void test_impair_corrupt_completes_partial_checksum_first(void **state)
{
    struct link_impair cfg = {.corrupt = 1.0};
    for (uint64_t seed = 1; seed <= 50; seed++) {
        struct link *a, *b;
        assert_int_equal(link_mem_pair(LINK_RAW_IP, 1500, 0, 1, &a, &b), 0);
        struct link *w = link_impair_wrap(a, &cfg, seed);
        assert_non_null(w);
        struct buf *sent = mk_udp_partial();
        struct buf *keep = buf_clone(sent); /* shared: corruption must copy first */
        uint8_t want[60];
        memcpy(want, sent->data, 60);
        udp_fill(want);
        assert_int_equal(link_xmit(w, sent, 0), 0);
        struct buf *got = link_recv(b, 0);
        assert_non_null(got);
        assert_int_equal(got->len, 60);
        assert_int_equal(got->flags & (BUF_CSUM_PARTIAL | BUF_CSUM_VERIFIED), 0);
        /* completed, then one bit flipped (possibly in the checksum itself) */
        assert_int_equal(bits_differing(got->data, want, 60), 1);
        /* the sender's view is untouched */
        assert_int_equal(keep->flags, BUF_CSUM_PARTIAL);
        assert_int_equal(keep->data[26] | keep->data[27], 0);
        buf_free(got);
        buf_free(keep);
        link_destroy(w);
        link_destroy(b);
    }
}

static void test_impair_rate_spacing(void **state)
{
    /* 1250 bytes at 1 Mbit/s: 10 ms each, back to back from t = 0 */
    struct link_impair cfg = {.rate_bps = 1000000};
    struct run run = run_frames(&cfg, 8, TX, LINK_RAW_IP, 10, 0, 1250);
    assert_int_equal(run.n, 10);
    for (size_t k = 0; k < run.n; k++) {
        assert_int_equal(run.r[k].id, k);
        assert_int_equal(run.r[k].t, (k + 1) * SG_MS(10));
    }
    free(run.r);
    /* spaced wider than the serialisation time: each takes just 10 ms */
    run = run_frames(&cfg, 8, RX, LINK_RAW_IP, 5, SG_MS(25), 1250);
    assert_int_equal(run.n, 5);
    for (size_t k = 0; k < run.n; k++)
        assert_int_equal(run.r[k].t, k * SG_MS(25) + SG_MS(10));
    free(run.r);
}

static void test_impair_queue_limit(void **state)
{
    struct link_impair cfg = {.rate_bps = 1000000, .queue_limit = 5};
    struct run run = run_frames(&cfg, 9, TX, LINK_RAW_IP, 10, 0, 1250);
    assert_int_equal(run.n, 5);
    assert_int_equal(run.st.queue_dropped, 5);
    for (size_t k = 0; k < run.n; k++)
        assert_int_equal(run.r[k].id, k);
    free(run.r);
}

static void test_impair_mtu_drop(void **state)
{
    struct link_impair cfg = {.mtu = 1000};
    uint32_t lens[] = {999, 1000, 1001, 1500};
    for (enum link_kind kind = LINK_ETHERNET; kind <= LINK_RAW_IP; kind++) {
        uint32_t got = 0, mtu_dropped = 0;
        for (size_t i = 0; i < 4; i++) {
            struct run run = run_frames(&cfg, 10, TX, kind, 1, 0, lens[i] + HDR_OFF(kind));
            got += (uint32_t)run.n;
            mtu_dropped += (uint32_t)run.st.mtu_dropped;
            assert_int_equal(run.n, lens[i] <= 1000);
            assert_int_equal(run.mtu, 9000); /* a black hole: the MTU is not told */
            free(run.r);
        }
        assert_int_equal(got, 2);
        assert_int_equal(mtu_dropped, 2);
    }
}

static const struct link_impair mixed = {
    .loss = 0.05,
    .duplicate = 0.05,
    .reorder = 0.05,
    .delay = SG_MS(1),
    .jitter = SG_MS(1),
    .corrupt = 0.05,
    .rate_bps = 100000000,
};

static int same_runs(const struct run *x, const struct run *y)
{
    if (x->n != y->n)
        return 0;
    for (size_t k = 0; k < x->n; k++)
        if (x->r[k].id != y->r[k].id || x->r[k].t != y->r[k].t || x->r[k].len != y->r[k].len ||
            x->r[k].hash != y->r[k].hash || x->r[k].flags != y->r[k].flags)
            return 0;
    return 1;
}

static void test_impair_same_seed_same_frames(void **state)
{
    for (enum dir d = TX; d <= RX; d++) {
        struct run x = run_frames(&mixed, 42, d, LINK_ETHERNET, 3000, SG_US(50), 150);
        struct run y = run_frames(&mixed, 42, d, LINK_ETHERNET, 3000, SG_US(50), 150);
        struct run z = run_frames(&mixed, 43, d, LINK_ETHERNET, 3000, SG_US(50), 150);
        assert_true(x.n > 2500);
        assert_true(same_runs(&x, &y));
        assert_memory_equal(&x.st, &y.st, sizeof(x.st));
        assert_false(same_runs(&x, &z));
        free(x.r);
        free(y.r);
        free(z.r);
    }
}

static void test_impair_loss_pattern_ignores_other_impairments(void **state)
{
    struct link_impair lossy = {.loss = 0.1};
    struct link_impair more = {.loss = 0.1, .jitter = SG_MS(1), .duplicate = 0.1, .reorder = 0.1};
    struct run x = run_frames(&lossy, 11, TX, LINK_RAW_IP, 2000, SG_US(10), 100);
    struct run y = run_frames(&more, 11, TX, LINK_RAW_IP, 2000, SG_US(10), 100);
    assert_true(y.st.duplicated > 0 && y.st.reordered > 0);
    uint32_t *cx = arrivals(&x, 2000), *cy = arrivals(&y, 2000);
    for (uint32_t i = 0; i < 2000; i++)
        assert_int_equal(cx[i] == 0, cy[i] == 0); /* the same frames lost */
    assert_int_equal(x.st.dropped, y.st.dropped);
    free(cx);
    free(cy);
    free(y.r);

    /* With corruption (ids may be hit: compare in order, nothing moves). */
    struct link_impair bad = {.loss = 0.1, .corrupt = 0.3};
    y = run_frames(&bad, 11, TX, LINK_RAW_IP, 2000, SG_US(10), 100);
    assert_true(y.st.corrupted > 0);
    assert_int_equal(x.n, y.n);
    for (size_t k = 0; k < x.n; k++)
        assert_in_range(bits_differing((const uint8_t *)&x.r[k].id, (const uint8_t *)&y.r[k].id, 4),
                        0, 1);
    free(x.r);
    free(y.r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_impair_loss_tx),
        cmocka_unit_test(test_impair_loss_rx),
        cmocka_unit_test(test_impair_duplicate),
        cmocka_unit_test(test_impair_reorder_bounded_and_complete),
        cmocka_unit_test(test_impair_reorder_releases_without_later_frames),
        cmocka_unit_test(test_impair_delay_and_jitter),
        cmocka_unit_test(test_impair_corrupt_flips_exactly_one_bit),
        cmocka_unit_test(test_impair_corrupt_rate),
        cmocka_unit_test(test_impair_corrupt_completes_partial_checksum_first),
        cmocka_unit_test(test_impair_rate_spacing),
        cmocka_unit_test(test_impair_queue_limit),
        cmocka_unit_test(test_impair_mtu_drop),
        cmocka_unit_test(test_impair_same_seed_same_frames),
        cmocka_unit_test(test_impair_loss_pattern_ignores_other_impairments),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* IPv4 reassembly: orders, duplicates, overlaps, timeout (with ICMP time
 * exceeded), memory and queue limits. Fragments are delivered to a test
 * protocol (253) that records what it receives. */
#include "net_harness.h"

#define TEST_PROTO 253
#define DGRAM 4000

static struct {
    int calls;
    uint8_t data[DGRAM + 100];
    size_t len;
    struct ip_info ip;
} g_got;

static void rec_input(struct stack *s, const struct ip_info *ip, struct buf *b, sg_time now)
{
    g_got.calls++;
    g_got.ip = *ip;
    g_got.len = b->len;
    if (b->len <= sizeof(g_got.data))
        memcpy(g_got.data, b->data, b->len);
    buf_free(b);
}

static uint8_t g_payload[DGRAM];

static int setup(void **state)
{
    h_setup(state);
    struct h *h = *state;
    h->s->l4[TEST_PROTO].input = rec_input;
    memset(&g_got, 0, sizeof(g_got));
    for (size_t i = 0; i < DGRAM; i++)
        g_payload[i] = (uint8_t)(i * 31 + 7);
    return 0;
}

/* The fragment [off, off+len) of the DGRAM-byte payload of datagram `id`. */
static struct buf *frag(uint16_t id, uint32_t off, uint32_t len, bool mf)
{
    struct ip_spec sp = {.src = PEER_RAW_IP,
                         .dst = OUR_RAW_IP,
                         .proto = TEST_PROTO,
                         .id = id,
                         .frag_off = (uint16_t)off,
                         .mf = mf};
    return mk_ip(&sp, g_payload + off, len);
}

#define NFRAG 8
#define PIECE 496 /* a multiple of 8 (RFC 791); the last piece takes the rest */

static void piece(uint32_t i, uint32_t *off, uint32_t *len, bool *mf)
{
    *off = i * PIECE;
    *len = i == NFRAG - 1 ? DGRAM - i * PIECE : PIECE;
    *mf = i != NFRAG - 1;
}

static void send_order(struct h *h, uint16_t id, const uint32_t *order, sg_time now)
{
    for (int k = 0; k < NFRAG; k++) {
        uint32_t off, len;
        bool mf;
        piece(order[k], &off, &len, &mf);
        h_in_raw(h, frag(id, off, len, mf), now);
    }
}

static void expect_whole(struct h *h)
{
    assert_int_equal(g_got.calls, 1);
    assert_int_equal(g_got.len, DGRAM);
    assert_memory_equal(g_got.data, g_payload, DGRAM);
    assert_int_equal(g_got.ip.proto, TEST_PROTO);
    assert_int_equal(h->s->counters[C(IP_REASM_OKS)], 1);
    assert_int_equal(h->s->counters[C(IP_REASM_REQDS)], NFRAG);
    assert_int_equal(h->s->counters[C(IP_IN_DELIVERS)], 1);
    assert_int_equal(h->s->net->reass.nqueues, 0);
    assert_int_equal(h->s->net->reass.bytes, 0);
}

static void test_reass_in_order(void **state)
{
    struct h *h = *state;
    const uint32_t order[NFRAG] = {0, 1, 2, 3, 4, 5, 6, 7};
    send_order(h, 1, order, SG_SEC(1));
    expect_whole(h);
}

static void test_reass_reverse_order(void **state)
{
    struct h *h = *state;
    const uint32_t order[NFRAG] = {7, 6, 5, 4, 3, 2, 1, 0};
    send_order(h, 2, order, SG_SEC(1));
    expect_whole(h);
}

static void test_reass_random_orders(void **state)
{
    struct h *h = *state;
    struct prng p;
    prng_seed(&p, 12345);
    for (int round = 0; round < 20; round++) {
        uint32_t order[NFRAG];
        for (uint32_t i = 0; i < NFRAG; i++)
            order[i] = i;
        for (uint32_t i = NFRAG - 1; i > 0; i--) {
            uint32_t j = prng_below(&p, i + 1), t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        memset(&g_got, 0, sizeof(g_got));
        send_order(h, (uint16_t)(100 + round), order, SG_SEC(1));
        if (g_got.calls != 1 || memcmp(g_got.data, g_payload, DGRAM) != 0)
            fail_msg("round %d: not reassembled", round);
    }
    assert_int_equal(h->s->counters[C(IP_REASM_OKS)], 20);
    assert_int_equal(h->s->net->reass.nqueues, 0);
}

static void test_reass_duplicate_dropped_alone(void **state)
{
    struct h *h = *state;
    h_in_raw(h, frag(3, 0, 1000, true), SG_SEC(1));
    h_in_raw(h, frag(3, 0, 1000, true), SG_SEC(1));  /* exact duplicate */
    h_in_raw(h, frag(3, 496, 496, true), SG_SEC(1)); /* inside the first */
    assert_int_equal(h->s->counters[C(IP_REASM_FAILS)], 2);
    h_in_raw(h, frag(3, 1000, DGRAM - 1000, false), SG_SEC(1));
    assert_int_equal(g_got.calls, 1);
    assert_int_equal(g_got.len, DGRAM);
    assert_memory_equal(g_got.data, g_payload, DGRAM);
    assert_int_equal(h->s->counters[C(IP_REASM_OKS)], 1);
    assert_int_equal(h->s->net->reass.bytes, 0);
}

static void test_reass_overlap_drops_whole_datagram(void **state)
{
    struct h *h = *state;
    h_in_raw(h, frag(4, 0, 1000, true), SG_SEC(1));
    h_snap(h);
    h_in_raw(h, frag(4, 992, 1008, true), SG_SEC(1)); /* overlaps 8 bytes */
    h_expect_moved(h, C(LINK_RX_FRAMES), C(IP_IN_RECEIVES), C(IP_REASM_REQDS),
                   C(IP_REASM_OVERLAPS));
    assert_int_equal(h->s->net->reass.nqueues, 0);
    assert_int_equal(h->s->net->reass.bytes, 0);
    /* The rest starts a new datagram that never completes. */
    h_in_raw(h, frag(4, 2000, DGRAM - 2000, false), SG_SEC(1));
    assert_int_equal(g_got.calls, 0);
    assert_int_equal(h->s->net->reass.nqueues, 1);
}

static void test_reass_end_contradiction_drops_datagram(void **state)
{
    struct h *h = *state;
    h_in_raw(h, frag(5, 1000, 1000, false), SG_SEC(1)); /* ends at 2000 */
    h_snap(h);
    h_in_raw(h, frag(5, 2000, 8, true), SG_SEC(1)); /* beyond the end */
    h_expect_moved(h, C(LINK_RX_FRAMES), C(IP_IN_RECEIVES), C(IP_REASM_REQDS), C(IP_REASM_FAILS));
    assert_int_equal(h->s->net->reass.nqueues, 0);
}

static void test_reass_timeout_sends_time_exceeded(void **state)
{
    struct h *h = *state;
    sg_time t = SG_SEC(100);
    h_in_raw(h, frag(6, 0, 1000, true), t);
    h_in_raw(h, frag(7, 1000, 1000, true), t); /* no first fragment */
    assert_int_equal(h->s->net->reass.nqueues, 2);
    stack_poll(h->s, t + SG_SEC(29));
    assert_int_equal(h->s->counters[C(IP_REASM_TIMEOUT)], 0);
    stack_poll(h->s, t + SG_SEC(30) + SG_MS(1));
    assert_int_equal(h->s->counters[C(IP_REASM_TIMEOUT)], 2);
    /* Only the datagram whose first fragment came is reported. */
    assert_int_equal(h->s->counters[C(ICMP_OUT_TIME_EXCDS)], 1);
    assert_int_equal(cap_pending(&h->rcap), 1);
    struct buf *b = cap_take(&h->rcap);
    struct ip4_repr r = cap_ip(b);
    assert_int_equal(r.dst, PEER_RAW_IP);
    struct icmp4_repr ic;
    assert_int_equal(icmp4_parse(b->data + 20, r.total_len - 20, &ic), WIRE_OK);
    assert_int_equal(ic.type, ICMP4_TIME_EXCEEDED);
    assert_int_equal(ic.code, 1);
    assert_int_equal(ic.data_len, 28);
    assert_int_equal(wire_get16(ic.data + 4), 6); /* the quoted datagram's id */
    buf_free(b);
    assert_int_equal(h->s->net->reass.nqueues, 0);
    assert_int_equal(h->s->net->reass.bytes, 0);
}

static void test_reass_memory_limit(void **state)
{
    (void)state;
    struct sg_config cfg = {.seed = 3, .ip_reasm_max_bytes = 2500};
    struct h *h = h_new(&cfg);
    h->s->l4[TEST_PROTO].input = rec_input;
    const uint64_t each = 1020 + IP4_REASS_FRAG_OVERHEAD;
    h_in_raw(h, frag(8, 0, 1000, true), SG_SEC(1));
    h_in_raw(h, frag(8, 1000, 1000, true), SG_SEC(1));
    assert_int_equal(h->s->net->reass.bytes, 2 * each);
    h_snap(h);
    h_in_raw(h, frag(8, 2000, 1000, true), SG_SEC(1)); /* 3 * each > 2500 */
    h_expect_moved(h, C(LINK_RX_FRAMES), C(IP_IN_RECEIVES), C(IP_REASM_REQDS), C(IP_REASM_FAILS));
    assert_int_equal(h->s->net->reass.bytes, 2 * each);
    /* The rest still fits once the datagram is whole: nothing else is held. */
    h_in_raw(h, frag(8, 2000, DGRAM - 2000, false), SG_SEC(1));
    assert_int_equal(h->s->counters[C(IP_REASM_FAILS)], 2);
    assert_int_equal(g_got.calls, 0);
    h_free(h);
}

static void test_reass_queue_limit(void **state)
{
    struct h *h = *state;
    for (int i = 0; i < IP4_REASS_MAX_QUEUES; i++)
        h_in_raw(h, frag((uint16_t)(1000 + i), 0, 8, true), SG_SEC(1));
    assert_int_equal(h->s->net->reass.nqueues, IP4_REASS_MAX_QUEUES);
    assert_int_equal(h->s->counters[C(IP_REASM_FAILS)], 0);
    h_in_raw(h, frag(999, 0, 8, true), SG_SEC(1));
    assert_int_equal(h->s->counters[C(IP_REASM_FAILS)], 1);
    assert_int_equal(h->s->net->reass.nqueues, IP4_REASS_MAX_QUEUES);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, h_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_reass_in_order),
        T(test_reass_reverse_order),
        T(test_reass_random_orders),
        T(test_reass_duplicate_dropped_alone),
        T(test_reass_overlap_drops_whole_datagram),
        T(test_reass_end_contradiction_drops_datagram),
        T(test_reass_timeout_sends_time_exceeded),
        cmocka_unit_test(test_reass_memory_limit),
        T(test_reass_queue_limit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

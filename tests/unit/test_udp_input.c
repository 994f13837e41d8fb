/* UDP input (minimal): validation, counters, the socket layer's delivery
 * hook, and ICMP port unreachable when nobody takes a datagram. */
#include "net_harness.h"
#include "udp/udp.h"

static struct {
    int calls, ret;
    uint16_t sport, dport;
    uint8_t data[64];
    size_t len;
} g_hook;

static int hook(struct stack *s, const struct ip_info *ip, uint16_t sport, uint16_t dport,
                struct buf *b, sg_time now)
{
    g_hook.calls++;
    if (g_hook.ret == -ENOENT)
        return -ENOENT; /* b not taken */
    g_hook.sport = sport;
    g_hook.dport = dport;
    g_hook.len = b->len < sizeof(g_hook.data) ? b->len : sizeof(g_hook.data);
    memcpy(g_hook.data, b->data, g_hook.len);
    buf_free(b);
    return g_hook.ret;
}

static int setup(void **state)
{
    memset(&g_hook, 0, sizeof(g_hook));
    return h_setup(state);
}

static void test_udp_closed_port_gets_port_unreachable(void **state)
{
    struct h *h = *state;
    struct buf *in = mk_udp(PEER_RAW_IP, OUR_RAW_IP, 5555, 7, "hello world", 11, true);
    uint8_t orig[28];
    memcpy(orig, in->data, 28);
    h_in_raw(h, in, SG_SEC(1));
    h_expect_moved(h, C(LINK_RX_FRAMES), C(IP_IN_RECEIVES), C(IP_IN_DELIVERS), C(UDP_NO_PORTS),
                   C(ICMP_OUT_MSGS), C(ICMP_OUT_DEST_UNREACHS), C(IP_OUT_REQUESTS),
                   C(LINK_TX_FRAMES));
    struct buf *b = cap_take(&h->rcap);
    assert_non_null(b);
    struct ip4_repr r = cap_ip(b);
    assert_int_equal(r.src, OUR_RAW_IP);
    assert_int_equal(r.dst, PEER_RAW_IP);
    struct icmp4_repr ic;
    assert_int_equal(icmp4_parse(b->data + 20, r.total_len - 20, &ic), WIRE_OK);
    assert_int_equal(ic.type, ICMP4_DEST_UNREACH);
    assert_int_equal(ic.code, ICMP4_PORT_UNREACH);
    assert_int_equal(ic.data_len, 28);
    assert_memory_equal(ic.data, orig, 28); /* IP header + the UDP header */
    buf_free(b);
}

static void test_udp_zero_checksum_accepted(void **state)
{
    struct h *h = *state;
    g_hook.ret = 0;
    h->s->udp_deliver = hook;
    h_in_raw(h, mk_udp(PEER_RAW_IP, OUR_RAW_IP, 5555, 7, "abc", 3, false), SG_SEC(1));
    assert_int_equal(g_hook.calls, 1);
    assert_int_equal(h->s->counters[C(UDP_IN_DATAGRAMS)], 1);
}

static void test_udp_bad_checksum_dropped_silently(void **state)
{
    struct h *h = *state;
    struct buf *b = mk_udp(PEER_RAW_IP, OUR_RAW_IP, 5555, 7, "hello", 5, true);
    b->data[20 + 8] ^= 0x20;
    h_in_raw(h, b, SG_SEC(1));
    h_expect_moved(h, C(LINK_RX_FRAMES), C(IP_IN_RECEIVES), C(IP_IN_DELIVERS), C(UDP_IN_ERRORS));
    assert_int_equal(cap_pending(&h->rcap), 0);
}

static void test_udp_bad_lengths_dropped(void **state)
{
    struct h *h = *state;
    struct buf *b = mk_udp(PEER_RAW_IP, OUR_RAW_IP, 5555, 7, "hello", 5, false);
    wire_put16(b->data + 20 + 4, 14); /* beyond the IP payload (13) */
    h_in_raw(h, b, SG_SEC(1));
    h_expect_moved(h, C(LINK_RX_FRAMES), C(IP_IN_RECEIVES), C(IP_IN_DELIVERS), C(UDP_IN_ERRORS));
    h_snap(h);
    b = mk_udp(PEER_RAW_IP, OUR_RAW_IP, 5555, 7, "hello", 5, false);
    wire_put16(b->data + 20 + 4, 7); /* below the header */
    h_in_raw(h, b, SG_SEC(1));
    h_expect_moved(h, C(LINK_RX_FRAMES), C(IP_IN_RECEIVES), C(IP_IN_DELIVERS), C(UDP_IN_ERRORS));
    h_snap(h);
    struct ip_spec sp = {.src = PEER_RAW_IP, .dst = OUR_RAW_IP, .proto = IP4_PROTO_UDP};
    h_in_raw(h, mk_ip(&sp, "1234567", 7), SG_SEC(1)); /* shorter than a UDP header */
    h_expect_moved(h, C(LINK_RX_FRAMES), C(IP_IN_RECEIVES), C(IP_IN_DELIVERS), C(UDP_IN_ERRORS));
    assert_int_equal(cap_pending(&h->rcap), 0);
}

static void test_udp_hook_delivers_payload_trimmed_to_udp_length(void **state)
{
    struct h *h = *state;
    g_hook.ret = 0;
    h->s->udp_deliver = hook;
    struct buf *b = mk_udp(PEER_RAW_IP, OUR_RAW_IP, 5555, 7, "hello!", 6, false);
    wire_put16(b->data + 20 + 4, 8 + 5); /* the UDP length says 5 bytes of data */
    h_in_raw(h, b, SG_SEC(1));
    assert_int_equal(g_hook.calls, 1);
    assert_int_equal(g_hook.sport, 5555);
    assert_int_equal(g_hook.dport, 7);
    assert_int_equal(g_hook.len, 5);
    assert_memory_equal(g_hook.data, "hello", 5);
    assert_int_equal(h->s->counters[C(UDP_IN_DATAGRAMS)], 1);
}

static void test_udp_hook_results_counted(void **state)
{
    struct h *h = *state;
    h->s->udp_deliver = hook;
    g_hook.ret = -ENOBUFS;
    h_in_raw(h, mk_udp(PEER_RAW_IP, OUR_RAW_IP, 1, 2, "x", 1, true), SG_SEC(1));
    h_expect_moved(h, C(LINK_RX_FRAMES), C(IP_IN_RECEIVES), C(IP_IN_DELIVERS),
                   C(UDP_RCVBUF_ERRORS));
    g_hook.ret = -ENOENT;
    h_snap(h);
    h_in_raw(h, mk_udp(PEER_RAW_IP, OUR_RAW_IP, 1, 2, "x", 1, true), SG_SEC(1));
    assert_int_equal(h->s->counters[C(UDP_NO_PORTS)] - h->snap[C(UDP_NO_PORTS)], 1);
    assert_int_equal(cap_pending(&h->rcap), 1);
}

static void test_udp_broadcast_to_closed_port_no_icmp(void **state)
{
    struct h *h = *state;
    struct buf *b = mk_udp(PEER_ETH_IP, A4(255, 255, 255, 255), 68, 67, "dhcp", 4, true);
    stack_input(h->s, h->eth, eth_wrap(b, &BCAST_MAC, &PEER_MAC, ETH_TYPE_IP4), SG_SEC(1));
    h_expect_moved(h, C(LINK_RX_FRAMES), C(IP_IN_RECEIVES), C(IP_IN_DELIVERS), C(UDP_NO_PORTS));
    assert_int_equal(cap_pending(&h->ecap), 0);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, h_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_udp_closed_port_gets_port_unreachable),
        T(test_udp_zero_checksum_accepted),
        T(test_udp_bad_checksum_dropped_silently),
        T(test_udp_bad_lengths_dropped),
        T(test_udp_hook_delivers_payload_trimmed_to_udp_length),
        T(test_udp_hook_results_counted),
        T(test_udp_broadcast_to_closed_port_no_icmp),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

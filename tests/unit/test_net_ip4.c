/* IPv4 input validation (each malformed class moves exactly its counter),
 * Ethernet input filtering, routing, and IPv4 output (header, DF,
 * fragmentation, errors). */
#include "net_harness.h"

/* A valid echo request to us on tun0, as bytes to corrupt. */
static struct buf *good(void)
{
    return mk_echo(PEER_RAW_IP, OUR_RAW_IP, ICMP4_ECHO_REQUEST, 1, 1, "0123456789abcdef", 16);
}

static void refresh_ip_csum(struct buf *b)
{
    size_t hl = (size_t)(b->data[0] & 0x0f) * 4;
    wire_put16(b->data + 10, 0);
    wire_put16(b->data + 10, csum_buf(b->data, hl));
}

static void drop_one(struct h *h, struct buf *b, int counter)
{
    h_snap(h);
    h_in_raw(h, b, SG_SEC(1));
    h_expect_moved(h, C(LINK_RX_FRAMES), C(IP_IN_RECEIVES), counter);
    assert_int_equal(cap_pending(&h->rcap), 0);
}

static void test_ip4_short_header_is_hdr_error(void **state)
{
    struct h *h = *state;
    struct buf *b = good();
    buf_trim(b, 19);
    drop_one(h, b, C(IP_IN_HDR_ERRORS));
}

static void test_ip4_bad_version_is_hdr_error(void **state)
{
    struct h *h = *state;
    struct buf *b = good();
    b->data[0] = 0x65;
    refresh_ip_csum(b);
    drop_one(h, b, C(IP_IN_HDR_ERRORS));
}

static void test_ip4_ihl_below_5_is_hdr_error(void **state)
{
    struct h *h = *state;
    struct buf *b = good();
    b->data[0] = 0x44;
    drop_one(h, b, C(IP_IN_HDR_ERRORS));
}

static void test_ip4_ihl_beyond_frame_is_hdr_error(void **state)
{
    struct h *h = *state;
    struct buf *b = good();
    b->data[0] = 0x4f; /* 60-byte header */
    buf_trim(b, 40);
    drop_one(h, b, C(IP_IN_HDR_ERRORS));
}

static void test_ip4_bad_header_checksum_is_csum_error(void **state)
{
    struct h *h = *state;
    struct buf *b = good();
    b->data[10] ^= 0x01;
    drop_one(h, b, C(IP_IN_CSUM_ERRORS));
}

static void test_ip4_total_length_beyond_frame_is_truncated(void **state)
{
    struct h *h = *state;
    struct buf *b = good();
    wire_put16(b->data + 2, (uint16_t)(b->len + 1));
    refresh_ip_csum(b);
    drop_one(h, b, C(IP_IN_TRUNCATED));
}

static void test_ip4_total_length_below_header_is_hdr_error(void **state)
{
    struct h *h = *state;
    struct buf *b = good();
    wire_put16(b->data + 2, 19);
    refresh_ip_csum(b);
    drop_one(h, b, C(IP_IN_HDR_ERRORS));
}

static void test_ip4_not_our_address_is_addr_error(void **state)
{
    struct h *h = *state;
    drop_one(h, mk_echo(PEER_RAW_IP, A4(10, 1, 0, 3), ICMP4_ECHO_REQUEST, 1, 1, "x", 1),
             C(IP_IN_ADDR_ERRORS));
    drop_one(h, mk_echo(PEER_RAW_IP, A4(224, 0, 0, 1), ICMP4_ECHO_REQUEST, 1, 1, "x", 1),
             C(IP_IN_ADDR_ERRORS)); /* no multicast group joined */
    drop_one(h, mk_echo(A4(127, 0, 0, 1), OUR_RAW_IP, ICMP4_ECHO_REQUEST, 1, 1, "x", 1),
             C(IP_IN_ADDR_ERRORS)); /* martian source */
}

static void test_ip4_broadcast_or_multicast_source_is_addr_error(void **state)
{
    struct h *h = *state;
    drop_one(h, mk_echo(A4(255, 255, 255, 255), OUR_RAW_IP, ICMP4_ECHO_REQUEST, 1, 1, "x", 1),
             C(IP_IN_ADDR_ERRORS));
    drop_one(h, mk_echo(A4(10, 1, 0, 255), OUR_RAW_IP, ICMP4_ECHO_REQUEST, 1, 1, "x", 1),
             C(IP_IN_ADDR_ERRORS));
    drop_one(h, mk_echo(A4(239, 1, 2, 3), OUR_RAW_IP, ICMP4_ECHO_REQUEST, 1, 1, "x", 1),
             C(IP_IN_ADDR_ERRORS));
}

/* Weak host model: the eth0 address answers on tun0 too. */
static void test_ip4_any_local_address_accepted_on_any_iface(void **state)
{
    struct h *h = *state;
    h_in_raw(h, mk_echo(PEER_RAW_IP, OUR_ETH_IP, ICMP4_ECHO_REQUEST, 1, 1, "x", 1), SG_SEC(1));
    assert_int_equal(h->s->counters[C(ICMP_OUT_ECHO_REPS)], 1);
    cap_clear(&h->rcap);
}

static void test_eth_input_filters(void **state)
{
    struct h *h = *state;
    struct buf *b = buf_alloc(SG_HEADROOM, 13);
    memset(b->data, 0, 13);
    h_snap(h);
    stack_input(h->s, h->eth, b, SG_SEC(1));
    h_expect_moved(h, C(LINK_RX_FRAMES), C(ETH_DROP_SHORT));

    static const struct eth_addr other = {{0x02, 0, 0, 0, 0, 0x99}};
    h_snap(h);
    stack_input(h->s, h->eth, eth_wrap(good(), &other, &PEER_MAC, ETH_TYPE_IP4), SG_SEC(1));
    h_expect_moved(h, C(LINK_RX_FRAMES), C(ETH_DROP_NOT_US));

    h_snap(h);
    stack_input(h->s, h->eth, eth_wrap(good(), &OUR_MAC, &PEER_MAC, ETH_TYPE_IP6), SG_SEC(1));
    h_expect_moved(h, C(LINK_RX_FRAMES), C(ETH_DROP_PROTO));

    h_snap(h);
    stack_input(h->s, h->eth, eth_wrap(good(), &OUR_MAC, &PEER_MAC, ETH_TYPE_VLAN), SG_SEC(1));
    h_expect_moved(h, C(LINK_RX_FRAMES), C(ETH_DROP_PROTO));
    assert_int_equal(cap_pending(&h->ecap), 0);
}

static void test_route_longest_prefix_wins(void **state)
{
    struct h *h = *state;
    struct ipaddr src, d;
    uint32_t mtu = 0;
    d = ipaddr_v4(A4(8, 8, 8, 8));
    assert_int_equal(ip_route_lookup(h->s, &d, &src, &mtu), 0); /* default via eth0 */
    assert_int_equal(ipaddr_v4_be(&src), OUR_ETH_IP);
    assert_int_equal(mtu, 1500);
    struct ipaddr net = ipaddr_v4(A4(8, 8, 0, 0)), none = ipaddr_v4(0);
    assert_int_equal(route_add(h->s, &net, 16, &none, h->raw), 0);
    assert_int_equal(route_add(h->s, &net, 16, &none, h->raw), -EEXIST);
    assert_int_equal(ip_route_lookup(h->s, &d, &src, &mtu), 0);
    assert_int_equal(ipaddr_v4_be(&src), OUR_RAW_IP);
    d = ipaddr_v4(A4(8, 9, 0, 1));
    assert_int_equal(ip_route_lookup(h->s, &d, &src, NULL), 0);
    assert_int_equal(ipaddr_v4_be(&src), OUR_ETH_IP);
}

static void test_ip_output_no_route(void **state)
{
    (void)state;
    struct stack *s = stack_new(NULL);
    struct cap c = {0};
    struct iface *ifp = stack_add_iface(s, "tun0", IFACE_RAW_IP, 1500, NULL, cap_xmit, &c);
    struct ipaddr a = ipaddr_v4(OUR_RAW_IP), d = ipaddr_v4(A4(8, 8, 8, 8));
    assert_int_equal(iface_add_addr(ifp, &a, 24), 0);
    struct buf *b = buf_alloc(SG_HEADROOM, 8);
    memset(b->data, 0, 8);
    assert_int_equal(ip_output(s, NULL, &d, 99, 0, 0, b, 1), -ENETUNREACH);
    assert_int_equal(s->counters[C(IP_OUT_NO_ROUTES)], 1);
    assert_int_equal(cap_pending(&c), 0);
    stack_free(s);
}

static void test_ip_output_header_fields_and_ids(void **state)
{
    struct h *h = *state;
    struct ipaddr d = ipaddr_v4(PEER_RAW_IP);
    uint16_t ids[2];
    for (int i = 0; i < 2; i++) {
        struct buf *b = buf_alloc(SG_HEADROOM, 100);
        memset(b->data, i, 100);
        assert_int_equal(ip_output(h->s, NULL, &d, 99, 0, 0x10, b, SG_SEC(1)), 0);
        struct buf *o = cap_take(&h->rcap);
        assert_non_null(o);
        struct ip4_repr r = cap_ip(o);
        assert_int_equal(r.total_len, 120);
        assert_int_equal(r.src, OUR_RAW_IP);
        assert_int_equal(r.dst, PEER_RAW_IP);
        assert_int_equal(r.proto, 99);
        assert_int_equal(r.ttl, 64);
        assert_int_equal(r.tos, 0x10);
        assert_false(r.df);
        assert_false(r.mf);
        ids[i] = r.id;
        buf_free(o);
    }
    assert_int_equal((uint16_t)(ids[0] + 1), ids[1]);
    /* TCP sets DF (RFC 1191 PMTU discovery). */
    struct buf *b = buf_alloc(SG_HEADROOM, 20);
    memset(b->data, 0, 20);
    assert_int_equal(ip_output(h->s, NULL, &d, IP4_PROTO_TCP, 0, 0, b, SG_SEC(1)), 0);
    struct buf *o = cap_take(&h->rcap);
    assert_true(cap_ip(o).df);
    buf_free(o);
}

static void test_ip_output_fragments_when_df_clear(void **state)
{
    struct h *h = *state;
    struct ipaddr d = ipaddr_v4(PEER_RAW_IP);
    uint8_t data[3000];
    for (size_t i = 0; i < sizeof(data); i++)
        data[i] = (uint8_t)(i * 7);
    struct buf *b = buf_from(SG_HEADROOM, data, sizeof(data));
    assert_int_equal(ip_output(h->s, NULL, &d, 99, 0, 0, b, SG_SEC(1)), 0);
    assert_int_equal(h->s->counters[C(IP_FRAG_CREATES)], 3);
    assert_int_equal(h->s->counters[C(IP_OUT_REQUESTS)], 1);
    static const uint16_t off[3] = {0, 1480, 2960};
    static const uint16_t len[3] = {1480, 1480, 40};
    uint16_t id = 0;
    for (int i = 0; i < 3; i++) {
        struct buf *o = cap_take(&h->rcap);
        assert_non_null(o);
        struct ip4_repr r = cap_ip(o);
        assert_int_equal(r.frag_off, off[i]);
        assert_int_equal(r.total_len, 20 + len[i]);
        assert_int_equal(r.mf, i < 2);
        if (i == 0)
            id = r.id;
        assert_int_equal(r.id, id);
        assert_memory_equal(o->data + 20, data + off[i], len[i]);
        buf_free(o);
    }
    assert_null(cap_take(&h->rcap));
}

/* A UDP datagram whose checksum was left to the link (BUF_CSUM_PARTIAL)
 * gets its real checksum before it is cut into fragments. */
static void test_ip_output_completes_partial_checksum_before_fragmenting(void **state)
{
    struct h *h = *state;
    struct ipaddr d = ipaddr_v4(PEER_RAW_IP);
    uint8_t data[2008];
    struct udp_repr u = {.sport = 1, .dport = 2, .len = sizeof(data)};
    udp_emit(&u, data);
    for (size_t i = 8; i < sizeof(data); i++)
        data[i] = (uint8_t)(i ^ 0x5a);
    struct buf *b = buf_from(SG_HEADROOM, data, sizeof(data));
    b->flags |= BUF_CSUM_PARTIAL;
    assert_int_equal(ip_output(h->s, NULL, &d, IP4_PROTO_UDP, 0, 0, b, SG_SEC(1)), 0);
    uint8_t joined[sizeof(data)];
    size_t n = 0;
    struct buf *o;
    while ((o = cap_take(&h->rcap)) != NULL) {
        struct ip4_repr r = cap_ip(o);
        assert_int_equal(r.frag_off, n);
        memcpy(joined + n, o->data + 20, r.total_len - 20u);
        n += r.total_len - 20u;
        assert_false(o->flags & BUF_CSUM_PARTIAL);
        buf_free(o);
    }
    assert_int_equal(n, sizeof(data));
    assert_int_not_equal(wire_get16(joined + 6), 0);
    assert_true(udp_csum_ok(joined, n, csum_pseudo4(OUR_RAW_IP, PEER_RAW_IP, 17, (uint16_t)n)));
}

static void test_ip_output_too_big_with_df_is_emsgsize(void **state)
{
    struct h *h = *state;
    struct ipaddr d = ipaddr_v4(PEER_RAW_IP);
    struct buf *b = buf_alloc(SG_HEADROOM, 1481);
    memset(b->data, 0, 1481);
    h_snap(h);
    assert_int_equal(ip_output(h->s, NULL, &d, IP4_PROTO_TCP, 0, 0, b, SG_SEC(1)), -EMSGSIZE);
    h_expect_moved(h, C(IP_OUT_REQUESTS), C(IP_OUT_DISCARDS));
    assert_int_equal(cap_pending(&h->rcap), 0);
}

static void test_ip_output_driver_refusal_counted(void **state)
{
    struct h *h = *state;
    struct ipaddr d = ipaddr_v4(PEER_RAW_IP);
    struct buf *b = buf_alloc(SG_HEADROOM, 10);
    memset(b->data, 0, 10);
    h->rcap.refuse = 1;
    h_snap(h);
    assert_int_equal(ip_output(h->s, NULL, &d, 99, 0, 0, b, SG_SEC(1)), -ENOBUFS);
    h_expect_moved(h, C(IP_OUT_REQUESTS), C(LINK_TX_FRAMES), C(LINK_TX_DROP_NOBUF));
}

static void test_ip_output_to_own_address_stays_off_the_link(void **state)
{
    struct h *h = *state;
    struct ipaddr d = ipaddr_v4(OUR_ETH_IP);
    struct buf *b = buf_alloc(SG_HEADROOM, 10);
    memset(b->data, 0, 10);
    /* Looped back (test_net_stack.c), never sent on eth0. */
    assert_int_equal(ip_output(h->s, NULL, &d, 99, 0, 0, b, SG_SEC(1)), 0);
    assert_int_equal(cap_pending(&h->ecap), 0);
}

static void test_config_defaults_and_counter_names(void **state)
{
    (void)state;
    struct sg_config c = {.tcp_rmem = 1000};
    sg_config_defaults(&c);
    assert_int_equal(c.tcp_rmem, 1000);
    assert_int_equal(c.tcp_wmem, 16384);
    assert_int_equal(c.ip_default_ttl, 64);
    assert_int_equal(c.icmp_msgs_per_sec, 1000);
    assert_int_equal(c.ip_reasm_timeout_ms, 30000);
    assert_int_equal(c.ip_reasm_max_bytes, 4u << 20);
    assert_string_equal(c.name, "sg");
    assert_string_equal(sg_counter_name(SG_C_IP_IN_RECEIVES), "ip.in_receives");
    assert_non_null(sg_counter_desc(SG_C_IP_IN_RECEIVES));
    assert_null(sg_counter_name(SG_C__COUNT));
    assert_null(sg_counter_desc((enum sg_counter) - 1));
}

#define T(f) cmocka_unit_test_setup_teardown(f, h_setup, h_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_ip4_short_header_is_hdr_error),
        T(test_ip4_bad_version_is_hdr_error),
        T(test_ip4_ihl_below_5_is_hdr_error),
        T(test_ip4_ihl_beyond_frame_is_hdr_error),
        T(test_ip4_bad_header_checksum_is_csum_error),
        T(test_ip4_total_length_beyond_frame_is_truncated),
        T(test_ip4_total_length_below_header_is_hdr_error),
        T(test_ip4_not_our_address_is_addr_error),
        T(test_ip4_broadcast_or_multicast_source_is_addr_error),
        T(test_ip4_any_local_address_accepted_on_any_iface),
        T(test_eth_input_filters),
        T(test_route_longest_prefix_wins),
        cmocka_unit_test(test_ip_output_no_route),
        T(test_ip_output_header_fields_and_ids),
        T(test_ip_output_fragments_when_df_clear),
        T(test_ip_output_completes_partial_checksum_before_fragmenting),
        T(test_ip_output_too_big_with_df_is_emsgsize),
        T(test_ip_output_driver_refusal_counted),
        T(test_ip_output_to_own_address_stays_off_the_link),
        cmocka_unit_test(test_config_defaults_and_counter_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

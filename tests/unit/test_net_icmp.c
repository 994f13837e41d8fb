/* ICMPv4: echo, errors sent (rules, quoting, rate limit), errors received
 * and dispatched to transports. */
#include "net_harness.h"

static const uint8_t PING_DATA[] = "abcdefghijklmnopqrstuvwabcdefghi";

static void test_icmp_echo_request_on_raw_iface_gets_reply(void **state)
{
    struct h *h = *state;
    h_in_raw(h, mk_echo(PEER_RAW_IP, OUR_RAW_IP, ICMP4_ECHO_REQUEST, 0x1234, 7, PING_DATA, 32),
             SG_SEC(1));
    h_expect_moved(h, C(LINK_RX_FRAMES), C(IP_IN_RECEIVES), C(IP_IN_DELIVERS), C(ICMP_IN_MSGS),
                   C(ICMP_IN_ECHOS), C(ICMP_OUT_MSGS), C(ICMP_OUT_ECHO_REPS), C(IP_OUT_REQUESTS),
                   C(LINK_TX_FRAMES));
    assert_int_equal(cap_pending(&h->rcap), 1);
    struct buf *b = cap_take(&h->rcap);
    struct ip4_repr r = cap_ip(b);
    assert_int_equal(r.src, OUR_RAW_IP);
    assert_int_equal(r.dst, PEER_RAW_IP);
    assert_int_equal(r.proto, IP4_PROTO_ICMP);
    assert_int_equal(r.ttl, 64);
    assert_false(r.df);
    struct icmp4_repr ic;
    /* icmp4_parse verifies the ICMP checksum. */
    assert_int_equal(icmp4_parse(b->data + r.hdr_len, r.total_len - r.hdr_len, &ic), WIRE_OK);
    assert_int_equal(ic.type, ICMP4_ECHO_REPLY);
    assert_int_equal(ic.code, 0);
    assert_int_equal(ic.id, 0x1234);
    assert_int_equal(ic.seq, 7);
    assert_int_equal(ic.data_len, 32);
    assert_memory_equal(ic.data, PING_DATA, 32);
    buf_free(b);
}

static void test_icmp_echo_on_ethernet_with_padding_replies_to_peer_mac(void **state)
{
    struct h *h = *state;
    h_learn_peer(h, SG_SEC(1));
    /* 4 bytes of payload: 14 + 20 + 12 = 46 bytes, padded to 60 by the
     * sender's NIC with garbage the reply must not echo. */
    struct buf *b = mk_echo(PEER_ETH_IP, OUR_ETH_IP, ICMP4_ECHO_REQUEST, 1, 2, "ping", 4);
    struct buf *f = buf_alloc(SG_HEADROOM, b->len + 14);
    memcpy(f->data, b->data, b->len);
    memset(f->data + b->len, 0xee, 14);
    buf_free(b);
    h_snap(h);
    h_in_eth(h, f, SG_SEC(2));
    assert_int_equal(h->s->counters[C(ICMP_OUT_ECHO_REPS)] - h->snap[C(ICMP_OUT_ECHO_REPS)], 1);
    struct buf *out = cap_take(&h->ecap);
    assert_non_null(out);
    struct ip4_repr r = cap_eth_ip(out, &PEER_MAC);
    assert_int_equal(r.total_len, 20 + 8 + 4);
    struct icmp4_repr ic;
    assert_int_equal(icmp4_parse(out->data + 20, 12, &ic), WIRE_OK);
    assert_int_equal(ic.type, ICMP4_ECHO_REPLY);
    assert_memory_equal(ic.data, "ping", 4);
    buf_free(out);
    assert_null(cap_take(&h->ecap));
}

static void test_icmp_echo_to_broadcast_is_ignored(void **state)
{
    struct h *h = *state;
    struct buf *b = mk_echo(PEER_ETH_IP, A4(10, 0, 0, 255), ICMP4_ECHO_REQUEST, 1, 1, PING_DATA, 8);
    stack_input(h->s, h->eth, eth_wrap(b, &BCAST_MAC, &PEER_MAC, ETH_TYPE_IP4), SG_SEC(1));
    h_expect_moved(h, C(LINK_RX_FRAMES), C(IP_IN_RECEIVES), C(IP_IN_DELIVERS), C(ICMP_IN_MSGS),
                   C(ICMP_IN_ECHOS), C(ICMP_DROP_IGNORED));
    assert_int_equal(cap_pending(&h->ecap), 0);
}

struct echo_seen {
    int calls;
    struct ipaddr from;
    uint16_t id, seq;
    uint8_t data[64];
    size_t len;
    uint8_t ttl;
};

static void on_reply(void *ctx, const struct ipaddr *from, uint16_t id, uint16_t seq,
                     const uint8_t *data, size_t len, uint8_t ttl, sg_time now)
{
    struct echo_seen *e = ctx;
    e->calls++;
    e->from = *from;
    e->id = id;
    e->seq = seq;
    e->len = len < sizeof(e->data) ? len : sizeof(e->data);
    memcpy(e->data, data, e->len);
    e->ttl = ttl;
}

static void test_icmp_echo_send_and_reply_hook(void **state)
{
    struct h *h = *state;
    struct echo_seen seen = {0};
    h->s->on_echo_reply = on_reply;
    h->s->echo_ctx = &seen;
    struct ipaddr dst = ipaddr_v4(PEER_RAW_IP);
    assert_int_equal(icmp4_echo_send(h->s, &dst, 77, 3, PING_DATA, 16, SG_SEC(1)), 0);
    assert_int_equal(h->s->counters[C(ICMP_OUT_ECHOS)], 1);
    struct buf *b = cap_take(&h->rcap);
    assert_non_null(b);
    struct ip4_repr r = cap_ip(b);
    assert_int_equal(r.src, OUR_RAW_IP);
    struct icmp4_repr ic;
    assert_int_equal(icmp4_parse(b->data + 20, r.total_len - 20, &ic), WIRE_OK);
    assert_int_equal(ic.type, ICMP4_ECHO_REQUEST);
    assert_int_equal(ic.id, 77);
    assert_int_equal(ic.seq, 3);
    buf_free(b);

    struct buf *rep = mk_echo(PEER_RAW_IP, OUR_RAW_IP, ICMP4_ECHO_REPLY, 77, 3, PING_DATA, 16);
    rep->data[8] = 55; /* TTL, then fix the header checksum */
    wire_put16(rep->data + 10, 0);
    wire_put16(rep->data + 10, csum_buf(rep->data, 20));
    h_in_raw(h, rep, SG_SEC(2));
    assert_int_equal(seen.calls, 1);
    assert_true(ipaddr_eq(&seen.from, &dst));
    assert_int_equal(seen.id, 77);
    assert_int_equal(seen.seq, 3);
    assert_int_equal(seen.len, 16);
    assert_memory_equal(seen.data, PING_DATA, 16);
    assert_int_equal(seen.ttl, 55);
    assert_int_equal(h->s->counters[C(ICMP_IN_ECHO_REPS)], 1);
}

static void test_icmp_unknown_protocol_gets_protocol_unreachable(void **state)
{
    struct h *h = *state;
    uint8_t payload[40];
    for (int i = 0; i < 40; i++)
        payload[i] = (uint8_t)i;
    struct ip_spec sp = {.src = PEER_RAW_IP, .dst = OUR_RAW_IP, .proto = 99, .id = 0x4242};
    struct buf *in = mk_ip(&sp, payload, sizeof(payload));
    uint8_t orig[28];
    memcpy(orig, in->data, 28);
    h_in_raw(h, in, SG_SEC(1));
    h_expect_moved(h, C(LINK_RX_FRAMES), C(IP_IN_RECEIVES), C(IP_IN_UNKNOWN_PROTOS),
                   C(ICMP_OUT_MSGS), C(ICMP_OUT_DEST_UNREACHS), C(IP_OUT_REQUESTS),
                   C(LINK_TX_FRAMES));
    struct buf *b = cap_take(&h->rcap);
    assert_non_null(b);
    struct ip4_repr r = cap_ip(b);
    assert_int_equal(r.dst, PEER_RAW_IP);
    assert_int_equal(r.src, OUR_RAW_IP);
    assert_int_equal(r.tos & 0xe0, 0xc0); /* internetwork control */
    struct icmp4_repr ic;
    assert_int_equal(icmp4_parse(b->data + 20, r.total_len - 20, &ic), WIRE_OK);
    assert_int_equal(ic.type, ICMP4_DEST_UNREACH);
    assert_int_equal(ic.code, ICMP4_PROTO_UNREACH);
    /* RFC 792: the original header and the first 8 bytes of its data. */
    assert_int_equal(ic.data_len, 28);
    assert_memory_equal(ic.data, orig, 28);
    buf_free(b);
}

struct err_seen {
    int calls, type, code;
    uint32_t info;
    struct ip_info q;
    uint8_t inner[8];
};
static struct err_seen g_err;

static void fake_l4_error(struct stack *s, const struct ip_info *quoted, int type, int code,
                          uint32_t info, const uint8_t *inner, uint32_t inner_len, sg_time now)
{
    g_err.calls++;
    g_err.type = type;
    g_err.code = code;
    g_err.info = info;
    g_err.q = *quoted;
    assert_true(inner_len >= 8);
    memcpy(g_err.inner, inner, 8);
}

/* An ICMP error from a router about a datagram we sent to `far`. */
static struct buf *mk_icmp_error(uint32_t from, uint8_t type, uint8_t code, uint16_t mtu,
                                 uint8_t quoted_proto)
{
    uint8_t inner[8] = {0x12, 0x34, 0x00, 0x50, 1, 2, 3, 4};
    struct ip_spec q = {.src = OUR_RAW_IP, .dst = A4(192, 0, 2, 9), .proto = quoted_proto};
    struct buf *qb = mk_ip(&q, inner, 8);
    uint8_t msg[8 + 28];
    struct icmp4_repr r = {
        .type = type, .code = code, .mtu = mtu, .data = qb->data, .data_len = 28};
    size_t n = icmp4_emit(&r, msg);
    buf_free(qb);
    struct ip_spec sp = {.src = from, .dst = OUR_RAW_IP, .proto = IP4_PROTO_ICMP};
    return mk_ip(&sp, msg, n);
}

static void test_icmp_frag_needed_dispatched_to_quoted_transport(void **state)
{
    struct h *h = *state;
    memset(&g_err, 0, sizeof(g_err));
    h->s->l4[200].error = fake_l4_error;
    h_in_raw(h, mk_icmp_error(PEER_RAW_IP, ICMP4_DEST_UNREACH, ICMP4_FRAG_NEEDED, 1280, 200),
             SG_SEC(1));
    assert_int_equal(g_err.calls, 1);
    assert_int_equal(g_err.type, ICMP4_DEST_UNREACH);
    assert_int_equal(g_err.code, ICMP4_FRAG_NEEDED);
    assert_int_equal(g_err.info, 1280);
    assert_int_equal(g_err.q.proto, 200);
    struct ipaddr src = ipaddr_v4(OUR_RAW_IP), dst = ipaddr_v4(A4(192, 0, 2, 9));
    assert_true(ipaddr_eq(&g_err.q.src, &src));
    assert_true(ipaddr_eq(&g_err.q.dst, &dst));
    assert_int_equal(g_err.inner[3], 0x50);
    assert_int_equal(h->s->counters[C(ICMP_IN_DEST_UNREACHS)], 1);

    /* Time exceeded too; no taker for another protocol: ignored. */
    h_in_raw(h, mk_icmp_error(PEER_RAW_IP, ICMP4_TIME_EXCEEDED, 0, 0, 200), SG_SEC(1));
    assert_int_equal(g_err.calls, 2);
    assert_int_equal(g_err.type, ICMP4_TIME_EXCEEDED);
    h_snap(h);
    h_in_raw(h, mk_icmp_error(PEER_RAW_IP, ICMP4_DEST_UNREACH, 1, 0, 201), SG_SEC(1));
    h_expect_moved(h, C(LINK_RX_FRAMES), C(IP_IN_RECEIVES), C(IP_IN_DELIVERS), C(ICMP_IN_MSGS),
                   C(ICMP_IN_DEST_UNREACHS), C(ICMP_DROP_IGNORED));
    assert_int_equal(cap_pending(&h->rcap), 0); /* never an error about an error */
}

static void test_icmp_bad_checksum_and_unknown_type_counted(void **state)
{
    struct h *h = *state;
    struct buf *b = mk_echo(PEER_RAW_IP, OUR_RAW_IP, ICMP4_ECHO_REQUEST, 1, 1, PING_DATA, 8);
    b->data[20 + 9] ^= 0xff; /* a payload byte: ICMP checksum now wrong */
    h_in_raw(h, b, SG_SEC(1));
    h_expect_moved(h, C(LINK_RX_FRAMES), C(IP_IN_RECEIVES), C(IP_IN_DELIVERS), C(ICMP_IN_MSGS),
                   C(ICMP_IN_ERRORS));
    h_snap(h);
    h_in_raw(h, mk_echo(PEER_RAW_IP, OUR_RAW_IP, 13 /* timestamp */, 1, 1, PING_DATA, 12),
             SG_SEC(1));
    h_expect_moved(h, C(LINK_RX_FRAMES), C(IP_IN_RECEIVES), C(IP_IN_DELIVERS), C(ICMP_IN_MSGS),
                   C(ICMP_DROP_IGNORED));
    assert_int_equal(cap_pending(&h->rcap), 0);
}

/* The RFC 1122 §3.2.2 exclusions, through the error API itself. */
static void test_icmp_errors_never_about_errors_fragments_or_broadcasts(void **state)
{
    struct h *h = *state;
    uint8_t l4[8] = {ICMP4_DEST_UNREACH, 3, 0, 0, 0, 0, 0, 0};
    struct ip_spec sp = {.src = PEER_RAW_IP, .dst = OUR_RAW_IP, .proto = IP4_PROTO_ICMP};
    struct buf *ib = mk_ip(&sp, l4, 8);
    struct ip_info ip = {.src = ipaddr_v4(PEER_RAW_IP),
                         .dst = ipaddr_v4(OUR_RAW_IP),
                         .proto = IP4_PROTO_ICMP,
                         .ifp = h->raw,
                         .hdr = ib->data,
                         .hdr_len = 20};
    icmp4_send_error(h->s, &ip, l4, 8, ICMP4_DEST_UNREACH, 3, 0, SG_SEC(1));
    assert_int_equal(cap_pending(&h->rcap), 0); /* about an ICMP error */
    l4[0] = ICMP4_ECHO_REQUEST;
    icmp4_send_error(h->s, &ip, l4, 8, ICMP4_DEST_UNREACH, 3, 0, SG_SEC(1));
    assert_int_equal(cap_pending(&h->rcap), 1); /* about a query: allowed */
    cap_clear(&h->rcap);
    ip.flags = IPI_BCAST;
    icmp4_send_error(h->s, &ip, l4, 8, ICMP4_DEST_UNREACH, 3, 0, SG_SEC(1));
    ip.flags = IPI_LINK_BCAST;
    icmp4_send_error(h->s, &ip, l4, 8, ICMP4_DEST_UNREACH, 3, 0, SG_SEC(1));
    ip.flags = 0;
    ib->data[7] = 1; /* fragment offset 8: not the first fragment */
    icmp4_send_error(h->s, &ip, l4, 8, ICMP4_DEST_UNREACH, 3, 0, SG_SEC(1));
    ib->data[7] = 0;
    ip.src = ipaddr_v4(A4(224, 0, 0, 5)); /* source not one host */
    icmp4_send_error(h->s, &ip, l4, 8, ICMP4_DEST_UNREACH, 3, 0, SG_SEC(1));
    assert_int_equal(cap_pending(&h->rcap), 0);
    buf_free(ib);
}

static void test_icmp_errors_rate_limited_by_token_bucket(void **state)
{
    struct sg_config cfg = {.seed = 1, .icmp_msgs_per_sec = 10};
    struct h *h = h_new(&cfg);
    /* 60 datagrams to a closed UDP port in the same instant: the burst
     * (50) is answered, 10 are rate limited. */
    for (int i = 0; i < 60; i++)
        h_in_raw(h, mk_udp(PEER_RAW_IP, OUR_RAW_IP, 1000, 9, "x", 1, true), SG_SEC(5));
    assert_int_equal(h->s->counters[C(UDP_NO_PORTS)], 60);
    assert_int_equal(h->s->counters[C(ICMP_OUT_DEST_UNREACHS)], 50);
    assert_int_equal(h->s->counters[C(ICMP_OUT_RATELIMITED)], 10);
    assert_int_equal(cap_pending(&h->rcap), 50);
    /* 0.5 s later 5 tokens have come back (10/s). */
    for (int i = 0; i < 8; i++)
        h_in_raw(h, mk_udp(PEER_RAW_IP, OUR_RAW_IP, 1000, 9, "x", 1, true), SG_SEC(5) + SG_MS(500));
    assert_int_equal(h->s->counters[C(ICMP_OUT_DEST_UNREACHS)], 55);
    assert_int_equal(h->s->counters[C(ICMP_OUT_RATELIMITED)], 13);
    h_free(h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_icmp_echo_request_on_raw_iface_gets_reply, h_setup,
                                        h_teardown),
        cmocka_unit_test_setup_teardown(test_icmp_echo_on_ethernet_with_padding_replies_to_peer_mac,
                                        h_setup, h_teardown),
        cmocka_unit_test_setup_teardown(test_icmp_echo_to_broadcast_is_ignored, h_setup,
                                        h_teardown),
        cmocka_unit_test_setup_teardown(test_icmp_echo_send_and_reply_hook, h_setup, h_teardown),
        cmocka_unit_test_setup_teardown(test_icmp_unknown_protocol_gets_protocol_unreachable,
                                        h_setup, h_teardown),
        cmocka_unit_test_setup_teardown(test_icmp_frag_needed_dispatched_to_quoted_transport,
                                        h_setup, h_teardown),
        cmocka_unit_test_setup_teardown(test_icmp_bad_checksum_and_unknown_type_counted, h_setup,
                                        h_teardown),
        cmocka_unit_test_setup_teardown(test_icmp_errors_never_about_errors_fragments_or_broadcasts,
                                        h_setup, h_teardown),
        cmocka_unit_test(test_icmp_errors_rate_limited_by_token_bucket),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

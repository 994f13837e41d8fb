/* ARP (RFC 826): resolution with queued datagrams, failure after three
 * requests driven by stack_poll, replies, learning, ageing. */
#include "net_harness.h"

static const struct eth_addr ZERO_MAC;

static struct buf *udp_payload(uint8_t tag)
{
    struct buf *b = buf_alloc(SG_HEADROOM, 16);
    memset(b->data, tag, 16);
    return b;
}

static int send_to(struct h *h, uint32_t dst, uint8_t tag, sg_time now)
{
    struct ipaddr d = ipaddr_v4(dst);
    return ip_output(h->s, NULL, &d, 99, 0, 0, udp_payload(tag), now);
}

static void in_arp(struct h *h, uint16_t op, const struct eth_addr *sha, uint32_t spa,
                   const struct eth_addr *tha, uint32_t tpa, const struct eth_addr *to, sg_time now)
{
    struct buf *b = mk_arp(op, sha, spa, tha, tpa);
    stack_input(h->s, h->eth, eth_wrap(b, to, sha, ETH_TYPE_ARP), now);
}

static void test_arp_gratuitous_on_address_add(void **state)
{
    (void)state;
    struct stack *s = stack_new(NULL);
    struct cap c = {0};
    struct iface *ifp = stack_add_iface(s, "eth0", IFACE_ETHERNET, 1500, OUR_MAC.b, cap_xmit, &c);
    struct ipaddr a = ipaddr_v4(OUR_ETH_IP);
    assert_int_equal(iface_add_addr(ifp, &a, 24), 0);
    struct buf *b = cap_take(&c);
    assert_non_null(b);
    struct arp_repr r = cap_arp(b, &BCAST_MAC);
    assert_int_equal(r.op, ARP_REQUEST);
    assert_int_equal(r.spa, OUR_ETH_IP);
    assert_int_equal(r.tpa, OUR_ETH_IP);
    assert_memory_equal(r.sha.b, OUR_MAC.b, 6);
    buf_free(b);
    assert_int_equal(s->counters[C(ARP_OUT)], 1);
    cap_clear(&c);
    stack_free(s);
}

static void test_arp_resolution_queues_then_flushes_in_order(void **state)
{
    struct h *h = *state;
    sg_time t = SG_SEC(10);
    for (uint8_t i = 1; i <= 4; i++)
        assert_int_equal(send_to(h, A4(10, 0, 0, 7), i, t), 0);
    /* One broadcast request; 3 datagrams wait, the oldest made room. */
    assert_int_equal(cap_pending(&h->ecap), 1);
    struct buf *b = cap_take(&h->ecap);
    struct arp_repr r = cap_arp(b, &BCAST_MAC);
    buf_free(b);
    assert_int_equal(r.op, ARP_REQUEST);
    assert_int_equal(r.spa, OUR_ETH_IP);
    assert_int_equal(r.tpa, A4(10, 0, 0, 7));
    assert_memory_equal(r.tha.b, ZERO_MAC.b, 6);
    assert_int_equal(h->s->counters[C(ARP_RESOLVE_FAIL)], 1);
    assert_int_equal(arp_lookup(h->s, h->eth, A4(10, 0, 0, 7), NULL), ARP_INCOMPLETE);

    static const struct eth_addr mac7 = {{0x02, 0, 0, 0, 0, 0x07}};
    in_arp(h, ARP_REPLY, &mac7, A4(10, 0, 0, 7), &OUR_MAC, OUR_ETH_IP, &OUR_MAC, t + SG_MS(3));
    assert_int_equal(cap_pending(&h->ecap), 3);
    for (uint8_t i = 2; i <= 4; i++) {
        b = cap_take(&h->ecap);
        struct ip4_repr ip = cap_eth_ip(b, &mac7);
        assert_int_equal(ip.dst, A4(10, 0, 0, 7));
        assert_int_equal(b->data[20], i);
        buf_free(b);
    }
    struct eth_addr got;
    assert_int_equal(arp_lookup(h->s, h->eth, A4(10, 0, 0, 7), &got), ARP_REACHABLE);
    assert_memory_equal(got.b, mac7.b, 6);
    /* Now sent at once. */
    assert_int_equal(send_to(h, A4(10, 0, 0, 7), 9, t + SG_MS(4)), 0);
    b = cap_take(&h->ecap);
    cap_eth_ip(b, &mac7);
    buf_free(b);
}

static void test_arp_failure_after_three_requests_drops_queue(void **state)
{
    struct h *h = *state;
    sg_time t = SG_SEC(10);
    assert_int_equal(send_to(h, A4(10, 0, 0, 8), 1, t), 0);
    assert_int_equal(send_to(h, A4(10, 0, 0, 8), 2, t), 0);
    assert_int_equal(cap_pending(&h->ecap), 1);
    sg_time next = stack_poll(h->s, t + SG_MS(500));
    assert_true(next > t + SG_MS(500) && next <= t + SG_SEC(1) + SG_MS(1));
    assert_int_equal(cap_pending(&h->ecap), 1);
    stack_poll(h->s, t + SG_SEC(1) + SG_MS(1));
    assert_int_equal(cap_pending(&h->ecap), 2);
    stack_poll(h->s, t + SG_SEC(2) + SG_MS(2));
    assert_int_equal(cap_pending(&h->ecap), 3);
    for (int i = 0; i < 3; i++) {
        struct buf *b = cap_take(&h->ecap);
        struct arp_repr r = cap_arp(b, &BCAST_MAC);
        assert_int_equal(r.tpa, A4(10, 0, 0, 8));
        buf_free(b);
    }
    assert_int_equal(h->s->counters[C(ARP_RESOLVE_FAIL)], 0);
    stack_poll(h->s, t + SG_SEC(3) + SG_MS(3));
    assert_int_equal(h->s->counters[C(ARP_RESOLVE_FAIL)], 2);
    assert_int_equal(h->s->counters[C(ARP_OUT)] - h->snap[C(ARP_OUT)], 3);
    assert_int_equal(cap_pending(&h->ecap), 0);
    assert_int_equal(arp_lookup(h->s, h->eth, A4(10, 0, 0, 8), NULL), ARP_NONE);
    assert_int_equal(stack_poll(h->s, t + SG_SEC(4)), SG_TIME_NEVER);
}

static void test_arp_request_for_us_is_answered_and_learnt(void **state)
{
    struct h *h = *state;
    in_arp(h, ARP_REQUEST, &PEER_MAC, PEER_ETH_IP, &ZERO_MAC, OUR_ETH_IP, &BCAST_MAC, SG_SEC(1));
    h_expect_moved(h, C(LINK_RX_FRAMES), C(ARP_IN), C(ARP_OUT), C(LINK_TX_FRAMES));
    struct buf *b = cap_take(&h->ecap);
    assert_non_null(b);
    struct arp_repr r = cap_arp(b, &PEER_MAC);
    buf_free(b);
    assert_int_equal(r.op, ARP_REPLY);
    assert_memory_equal(r.sha.b, OUR_MAC.b, 6);
    assert_int_equal(r.spa, OUR_ETH_IP);
    assert_memory_equal(r.tha.b, PEER_MAC.b, 6);
    assert_int_equal(r.tpa, PEER_ETH_IP);
    /* Learnt, but a broadcast request proves nothing: STALE (as Linux). */
    assert_int_equal(arp_lookup(h->s, h->eth, PEER_ETH_IP, NULL), ARP_STALE);
}

static void test_arp_not_for_us_or_bad_is_dropped(void **state)
{
    struct h *h = *state;
    in_arp(h, ARP_REQUEST, &PEER_MAC, PEER_ETH_IP, &ZERO_MAC, A4(10, 0, 0, 99), &BCAST_MAC,
           SG_SEC(1));
    h_expect_moved(h, C(LINK_RX_FRAMES), C(ARP_IN), C(ARP_DROP_BAD));
    /* Someone claiming our address. */
    h_snap(h);
    in_arp(h, ARP_REPLY, &PEER_MAC, OUR_ETH_IP, &OUR_MAC, OUR_ETH_IP, &OUR_MAC, SG_SEC(1));
    h_expect_moved(h, C(LINK_RX_FRAMES), C(ARP_IN), C(ARP_DROP_BAD));
    /* Truncated. */
    h_snap(h);
    struct buf *b = mk_arp(ARP_REQUEST, &PEER_MAC, PEER_ETH_IP, &ZERO_MAC, OUR_ETH_IP);
    buf_trim(b, 27);
    stack_input(h->s, h->eth, eth_wrap(b, &BCAST_MAC, &PEER_MAC, ETH_TYPE_ARP), SG_SEC(1));
    h_expect_moved(h, C(LINK_RX_FRAMES), C(ARP_IN), C(ARP_DROP_BAD));
    /* An unsolicited reply creates nothing (Linux arp_accept=0). */
    h_snap(h);
    in_arp(h, ARP_REPLY, &PEER_MAC, PEER_ETH_IP, &OUR_MAC, OUR_ETH_IP, &OUR_MAC, SG_SEC(1));
    h_expect_moved(h, C(LINK_RX_FRAMES), C(ARP_IN), C(ARP_DROP_BAD));
    assert_int_equal(arp_lookup(h->s, h->eth, PEER_ETH_IP, NULL), ARP_NONE);
    assert_int_equal(cap_pending(&h->ecap), 0);
}

static void test_arp_address_probe_is_answered(void **state)
{
    struct h *h = *state;
    /* RFC 5227 probe: sender 0.0.0.0 asks for our address. */
    in_arp(h, ARP_REQUEST, &PEER_MAC, 0, &ZERO_MAC, OUR_ETH_IP, &BCAST_MAC, SG_SEC(1));
    struct buf *b = cap_take(&h->ecap);
    assert_non_null(b);
    struct arp_repr r = cap_arp(b, &PEER_MAC);
    buf_free(b);
    assert_int_equal(r.op, ARP_REPLY);
    assert_int_equal(r.spa, OUR_ETH_IP);
    assert_int_equal(r.tpa, 0);
    assert_int_equal(arp_lookup(h->s, h->eth, 0, NULL), ARP_NONE);
}

static void test_arp_stale_entry_refreshed_by_unicast_then_expires(void **state)
{
    struct h *h = *state;
    sg_time t = SG_SEC(1);
    h_learn_peer(h, t);
    stack_poll(h->s, t + SG_SEC(31)); /* REACHABLE for 30 s */
    assert_int_equal(arp_lookup(h->s, h->eth, PEER_ETH_IP, NULL), ARP_STALE);
    /* A datagram still goes out at once, with a unicast probe. */
    assert_int_equal(send_to(h, PEER_ETH_IP, 1, t + SG_SEC(32)), 0);
    assert_int_equal(cap_pending(&h->ecap), 2);
    struct buf *b = cap_take(&h->ecap);
    struct arp_repr r = cap_arp(b, &PEER_MAC);
    assert_int_equal(r.op, ARP_REQUEST);
    assert_int_equal(r.tpa, PEER_ETH_IP);
    buf_free(b);
    b = cap_take(&h->ecap);
    cap_eth_ip(b, &PEER_MAC);
    buf_free(b);
    /* Two more probes a second apart, then the entry is gone. */
    for (int i = 1; i <= 3; i++)
        stack_poll(h->s, t + SG_SEC(32 + i) + SG_MS(i));
    assert_int_equal(cap_pending(&h->ecap), 2);
    assert_int_equal(arp_lookup(h->s, h->eth, PEER_ETH_IP, NULL), ARP_NONE);
}

static void test_arp_stale_entry_confirmed_by_reply(void **state)
{
    struct h *h = *state;
    sg_time t = SG_SEC(1);
    h_learn_peer(h, t);
    stack_poll(h->s, t + SG_SEC(31));
    assert_int_equal(send_to(h, PEER_ETH_IP, 1, t + SG_SEC(32)), 0);
    cap_clear(&h->ecap);
    in_arp(h, ARP_REPLY, &PEER_MAC, PEER_ETH_IP, &OUR_MAC, OUR_ETH_IP, &OUR_MAC,
           t + SG_SEC(32) + SG_MS(1));
    assert_int_equal(arp_lookup(h->s, h->eth, PEER_ETH_IP, NULL), ARP_REACHABLE);
    stack_poll(h->s, t + SG_SEC(40));
    assert_int_equal(arp_lookup(h->s, h->eth, PEER_ETH_IP, NULL), ARP_REACHABLE);
    assert_int_equal(cap_pending(&h->ecap), 0);
}

static void test_arp_via_gateway_and_broadcast(void **state)
{
    struct h *h = *state;
    assert_int_equal(send_to(h, A4(8, 8, 8, 8), 1, SG_SEC(1)), 0);
    struct buf *b = cap_take(&h->ecap);
    struct arp_repr r = cap_arp(b, &BCAST_MAC);
    assert_int_equal(r.tpa, GW_IP);
    buf_free(b);
    /* Directed and limited broadcast need no ARP. */
    assert_int_equal(send_to(h, A4(10, 0, 0, 255), 1, SG_SEC(1)), 0);
    b = cap_take(&h->ecap);
    assert_int_equal(cap_eth_ip(b, &BCAST_MAC).dst, A4(10, 0, 0, 255));
    buf_free(b);
    assert_null(cap_take(&h->ecap));
}

#define T(f) cmocka_unit_test_setup_teardown(f, h_setup, h_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_arp_gratuitous_on_address_add),
        T(test_arp_resolution_queues_then_flushes_in_order),
        T(test_arp_failure_after_three_requests_drops_queue),
        T(test_arp_request_for_us_is_answered_and_learnt),
        T(test_arp_not_for_us_or_bad_is_dropped),
        T(test_arp_address_probe_is_answered),
        T(test_arp_stale_entry_refreshed_by_unicast_then_expires),
        T(test_arp_stale_entry_confirmed_by_reply),
        T(test_arp_via_gateway_and_broadcast),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

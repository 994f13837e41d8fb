/* The stack root: every stack speaks TCP from stack_new on, and datagrams
 * to our own addresses go round the loopback queue (net/ip4.h). */
#include <netinet/in.h>

#include "net_harness.h"

#define D(c) (h->s->counters[C(c)] - h->snap[C(c)])

static void test_stack_new_attaches_tcp(void **state)
{
    struct h *h = *state;
    assert_non_null(h->s->l4[IPPROTO_TCP].input);
    assert_non_null(h->s->l4[IPPROTO_TCP].state);
    /* A TCP segment to a stack without TCP sockets reaches TCP (which
     * drops this malformed one) instead of drawing ICMP protocol
     * unreachable. */
    uint8_t junk[20] = {0};
    struct ip_spec sp = {.src = PEER_RAW_IP, .dst = OUR_RAW_IP, .proto = IPPROTO_TCP, .id = 1};
    h_snap(h);
    h_in_raw(h, mk_ip(&sp, junk, sizeof(junk)), SG_SEC(1));
    assert_int_equal(D(IP_IN_UNKNOWN_PROTOS), 0);
    assert_int_equal(D(ICMP_OUT_DEST_UNREACHS), 0);
    assert_int_equal(D(IP_IN_DELIVERS), 1);
}

static void test_ip_output_to_own_address_loops_back_on_next_poll(void **state)
{
    struct h *h = *state;
    uint8_t icmp[ICMP4_HDR_LEN + 4];
    size_t n = mk_icmp_bytes(icmp, ICMP4_ECHO_REQUEST, 0, 0x77, 1, "self", 4);
    struct buf *b = buf_from(SG_HEADROOM, icmp, n);
    struct ipaddr d = ipaddr_v4(OUR_ETH_IP);
    h_snap(h);
    assert_int_equal(ip_output(h->s, NULL, &d, IP4_PROTO_ICMP, 0, 0, b, SG_SEC(1)), 0);
    /* Queued, not delivered from inside ip_output, and nothing on a link. */
    assert_int_equal(D(IP_OUT_REQUESTS), 1);
    assert_int_equal(D(IP_IN_RECEIVES), 0);
    assert_int_equal(cap_pending(&h->ecap) + cap_pending(&h->rcap), 0);
    /* The poll delivers the request; the reply it makes is due at once. */
    assert_int_equal(stack_poll(h->s, SG_SEC(1)), SG_SEC(1));
    assert_int_equal(D(IP_IN_RECEIVES), 1);
    assert_int_equal(D(ICMP_IN_ECHOS), 1);
    assert_int_equal(D(ICMP_OUT_ECHO_REPS), 1);
    assert_int_equal(D(ICMP_IN_ECHO_REPS), 0);
    /* The next one delivers the reply; then the queue is empty. */
    assert_true(stack_poll(h->s, SG_SEC(1)) > SG_SEC(1));
    assert_int_equal(D(IP_IN_RECEIVES), 2);
    assert_int_equal(D(IP_IN_DELIVERS), 2);
    assert_int_equal(D(ICMP_IN_ECHO_REPS), 1);
    assert_int_equal(D(IP_OUT_REQUESTS), 2);
    assert_int_equal(cap_pending(&h->ecap) + cap_pending(&h->rcap), 0);
}

static void test_loopback_route_lookup_and_queue_freed_with_stack(void **state)
{
    struct h *h = *state;
    struct ipaddr d = ipaddr_v4(OUR_RAW_IP), src;
    uint32_t mtu = 0;
    assert_int_equal(ip_route_lookup(h->s, &d, &src, &mtu), 0);
    assert_true(ipaddr_eq(&src, &d)); /* the address itself, as Linux's local route */
    assert_int_equal(mtu, 65535);
    /* Left on the queue: stack_free (teardown) frees it (ASan checks). */
    struct buf *b = buf_alloc(SG_HEADROOM, 8);
    memset(b->data, 0, 8);
    assert_int_equal(ip_output(h->s, NULL, &d, 99, 0, 0, b, SG_SEC(1)), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_stack_new_attaches_tcp, h_setup, h_teardown),
        cmocka_unit_test_setup_teardown(test_ip_output_to_own_address_loops_back_on_next_poll,
                                        h_setup, h_teardown),
        cmocka_unit_test_setup_teardown(test_loopback_route_lookup_and_queue_freed_with_stack,
                                        h_setup, h_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* Ethernet II header: captured frames parsed and re-emitted; short frames
 * rejected; VLAN and 802.3 length frames reported, not interpreted. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "wire/eth.h"

#include "vectors/arp.h"
#include "vectors/tcp.h"

static uint8_t *dup_exact(const uint8_t *p, size_t n)
{
    uint8_t *d = malloc(n ? n : 1);
    assert_non_null(d);
    memcpy(d, p, n);
    return d;
}

static int parse_exact(const uint8_t *p, size_t n, struct eth_repr *r)
{
    uint8_t *d = dup_exact(p, n);
    int rc = eth_parse(d, n, r);
    free(d);
    return rc;
}

static const struct eth_addr mac1 = {{0x02, 0x00, 0x5e, 0x00, 0x00, 0x01}};
static const struct eth_addr mac2 = {{0x02, 0x00, 0x5e, 0x00, 0x00, 0x02}};
static const struct eth_addr bcast = {{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}};

static void test_eth_fields_from_captures(void **state)
{
    struct eth_repr r;
    assert_int_equal(parse_exact(vec_arp_request, sizeof vec_arp_request, &r), WIRE_OK);
    assert_true(eth_addr_eq(&r.dst, &bcast));
    assert_true(eth_addr_eq(&r.src, &mac1));
    assert_int_equal(r.type, ETH_TYPE_ARP);
    assert_true(eth_addr_is_broadcast(&r.dst));
    assert_true(eth_addr_is_multicast(&r.dst));
    assert_false(eth_addr_is_broadcast(&r.src));
    assert_false(eth_addr_is_multicast(&r.src));

    assert_int_equal(parse_exact(vec_tcp_syn, sizeof vec_tcp_syn, &r), WIRE_OK);
    assert_true(eth_addr_eq(&r.dst, &mac1));
    assert_true(eth_addr_eq(&r.src, &mac2));
    assert_int_equal(r.type, ETH_TYPE_IP4);
}

static void test_eth_reemit_matches_captures(void **state)
{
    const uint8_t *vs[] = {vec_arp_request, vec_arp_reply, vec_tcp_syn, vec_tcp_synack};
    for (size_t v = 0; v < 4; v++) {
        struct eth_repr r;
        assert_int_equal(eth_parse(vs[v], ETH_HDR_LEN, &r), WIRE_OK);
        uint8_t out[ETH_HDR_LEN + 1];
        out[ETH_HDR_LEN] = 0xee;
        assert_int_equal(eth_emit(&r, out), ETH_HDR_LEN);
        assert_memory_equal(out, vs[v], ETH_HDR_LEN);
        assert_int_equal(out[ETH_HDR_LEN], 0xee);
    }
}

static void test_eth_every_truncation_fails(void **state)
{
    struct eth_repr r;
    for (size_t n = 0; n < ETH_HDR_LEN; n++)
        assert_int_equal(parse_exact(vec_arp_reply, n, &r), WIRE_ESHORT);
    assert_int_equal(parse_exact(vec_arp_reply, ETH_HDR_LEN, &r), WIRE_OK);
}

static void test_eth_vlan_and_8023_reported_not_interpreted(void **state)
{
    /* An 802.1Q tag: type 8100, the tag is the payload's business (the
     * stack drops it as an unknown type). */
    uint8_t f[ETH_HDR_LEN + 4];
    memcpy(f, vec_tcp_syn, ETH_HDR_LEN);
    static const uint8_t tag[] = {0x81, 0x00, 0x00, 0x05, 0x08, 0x00};
    memcpy(f + 12, tag, sizeof tag);
    struct eth_repr r;
    assert_int_equal(parse_exact(f, sizeof f, &r), WIRE_OK);
    assert_int_equal(r.type, ETH_TYPE_VLAN);
    /* An 802.3 length (< 0x0600) is reported as is */
    wire_put16(f + 12, 46);
    assert_int_equal(parse_exact(f, sizeof f, &r), WIRE_OK);
    assert_int_equal(r.type, 46);
    assert_true(r.type < ETH_TYPE_MIN);
}

static void test_eth_multicast_bit(void **state)
{
    const struct eth_addr m4 = {{0x01, 0x00, 0x5e, 0x00, 0x00, 0x16}}; /* 224.0.0.22 */
    const struct eth_addr m6 = {{0x33, 0x33, 0x00, 0x00, 0x00, 0x01}};
    assert_true(eth_addr_is_multicast(&m4));
    assert_true(eth_addr_is_multicast(&m6));
    assert_false(eth_addr_is_broadcast(&m4));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_eth_fields_from_captures),
        cmocka_unit_test(test_eth_reemit_matches_captures),
        cmocka_unit_test(test_eth_every_truncation_fails),
        cmocka_unit_test(test_eth_vlan_and_8023_reported_not_interpreted),
        cmocka_unit_test(test_eth_multicast_bit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

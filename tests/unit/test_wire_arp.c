/* ARP: Linux's request and reply parsed field by field and re-emitted byte
 * for byte; other hardware/protocol types and operations rejected. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "wire/arp.h"
#include "wire/eth.h"

#include "vectors/arp.h"

static uint8_t *dup_exact(const uint8_t *p, size_t n)
{
    uint8_t *d = malloc(n ? n : 1);
    assert_non_null(d);
    memcpy(d, p, n);
    return d;
}

static int parse_exact(const uint8_t *p, size_t n, struct arp_repr *r)
{
    uint8_t *d = dup_exact(p, n);
    int rc = arp_parse(d, n, r);
    free(d);
    return rc;
}

static uint32_t addr(uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
    const uint8_t x[4] = {a, b, c, d};
    return wire_get_raw32(x);
}

static const struct eth_addr mac1 = {{0x02, 0x00, 0x5e, 0x00, 0x00, 0x01}};
static const struct eth_addr mac2 = {{0x02, 0x00, 0x5e, 0x00, 0x00, 0x02}};
static const struct eth_addr zero;

#define ARP(v) ((v) + ETH_HDR_LEN)

static void test_arp_linux_request_fields(void **state)
{
    struct arp_repr r;
    assert_int_equal(parse_exact(ARP(vec_arp_request), ARP_LEN, &r), WIRE_OK);
    assert_int_equal(r.op, ARP_REQUEST);
    assert_true(eth_addr_eq(&r.sha, &mac1));
    assert_int_equal(r.spa, addr(10, 9, 0, 1));
    assert_true(eth_addr_eq(&r.tha, &zero)); /* Linux leaves it zero */
    assert_int_equal(r.tpa, addr(10, 9, 0, 2));
}

static void test_arp_linux_reply_fields(void **state)
{
    struct arp_repr r;
    assert_int_equal(parse_exact(ARP(vec_arp_reply), ARP_LEN, &r), WIRE_OK);
    assert_int_equal(r.op, ARP_REPLY);
    assert_true(eth_addr_eq(&r.sha, &mac2));
    assert_int_equal(r.spa, addr(10, 9, 0, 2));
    assert_true(eth_addr_eq(&r.tha, &mac1));
    assert_int_equal(r.tpa, addr(10, 9, 0, 1));
}

static void test_arp_reemit_matches_linux(void **state)
{
    const uint8_t *vs[] = {vec_arp_request, vec_arp_reply};
    for (int v = 0; v < 2; v++) {
        struct arp_repr r;
        assert_int_equal(arp_parse(ARP(vs[v]), ARP_LEN, &r), WIRE_OK);
        uint8_t out[ARP_LEN + 1];
        out[ARP_LEN] = 0xee;
        assert_int_equal(arp_emit(&r, out), ARP_LEN);
        assert_memory_equal(out, ARP(vs[v]), ARP_LEN);
        assert_int_equal(out[ARP_LEN], 0xee);
    }
    /* answering Linux's request as Linux answered it gives its reply */
    struct arp_repr q, a;
    assert_int_equal(arp_parse(ARP(vec_arp_request), ARP_LEN, &q), WIRE_OK);
    a = (struct arp_repr){.op = ARP_REPLY, .sha = mac2, .spa = q.tpa, .tha = q.sha, .tpa = q.spa};
    uint8_t out[ARP_LEN];
    arp_emit(&a, out);
    assert_memory_equal(out, ARP(vec_arp_reply), ARP_LEN);
}

static void test_arp_every_truncation_fails(void **state)
{
    struct arp_repr r;
    for (size_t n = 0; n < ARP_LEN; n++)
        assert_int_equal(parse_exact(ARP(vec_arp_request), n, &r), WIRE_ESHORT);
}

static void test_arp_padding_ignored(void **state)
{
    /* in a minimum-size (60-byte) Ethernet frame, 18 bytes of padding */
    uint8_t p[60 - ETH_HDR_LEN];
    memset(p, 0xa5, sizeof p);
    memcpy(p, ARP(vec_arp_reply), ARP_LEN);
    struct arp_repr r;
    assert_int_equal(parse_exact(p, sizeof p, &r), WIRE_OK);
    assert_int_equal(r.op, ARP_REPLY);
    assert_int_equal(r.tpa, addr(10, 9, 0, 1));
}

static void test_arp_rejects_other_types(void **state)
{
    uint8_t p[ARP_LEN];
    struct arp_repr r;
    /* byte offset, value: hardware type 6 (IEEE 802), protocol IPv6,
     * hardware length 8, protocol length 16 */
    static const struct {
        size_t off;
        uint16_t val;
        bool wide;
    } bad[] = {{0, 6, true},  {0, 0, true},  {2, 0x86dd, true}, {2, 0x0806, true},
               {4, 8, false}, {4, 0, false}, {5, 16, false},    {5, 0, false}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        memcpy(p, ARP(vec_arp_request), ARP_LEN);
        if (bad[i].wide)
            wire_put16(p + bad[i].off, bad[i].val);
        else
            p[bad[i].off] = (uint8_t)bad[i].val;
        assert_int_equal(parse_exact(p, sizeof p, &r), WIRE_EPROTO);
    }
    /* operations other than request and reply: RARP 3/4, InARP 8/9, 0 */
    static const uint16_t ops[] = {0, 3, 4, 8, 9, 0x0100, 0xffff};
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
        memcpy(p, ARP(vec_arp_request), ARP_LEN);
        wire_put16(p + 6, ops[i]);
        assert_int_equal(parse_exact(p, sizeof p, &r), WIRE_EPROTO);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_arp_linux_request_fields),
        cmocka_unit_test(test_arp_linux_reply_fields),
        cmocka_unit_test(test_arp_reemit_matches_linux),
        cmocka_unit_test(test_arp_every_truncation_fails),
        cmocka_unit_test(test_arp_padding_ignored),
        cmocka_unit_test(test_arp_rejects_other_types),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

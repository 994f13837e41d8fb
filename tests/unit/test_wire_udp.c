/* UDP: a Linux-captured datagram parsed, re-emitted byte for byte, its
 * checksum verified; bad lengths, truncations and the zero checksum. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "wire/csum.h"
#include "wire/eth.h"
#include "wire/ip4.h"
#include "wire/udp.h"

#include "vectors/udp.h"

#define DGRAM (vec_udp + 34)
#define DGRAMLEN (sizeof vec_udp - 34)

static uint8_t *dup_exact(const uint8_t *p, size_t n)
{
    uint8_t *d = malloc(n ? n : 1);
    assert_non_null(d);
    memcpy(d, p, n);
    return d;
}

static int parse_exact(const uint8_t *p, size_t n, struct udp_repr *r)
{
    uint8_t *d = dup_exact(p, n);
    int rc = udp_parse(d, n, r);
    free(d);
    return rc;
}

static uint64_t vec_pseudo(uint16_t len)
{
    return csum_pseudo4(wire_get_raw32(vec_udp + 26), wire_get_raw32(vec_udp + 30), IP4_PROTO_UDP,
                        len);
}

static int parse_frame(const uint8_t *f, size_t n, struct udp_repr *r)
{
    struct eth_repr e;
    struct ip4_repr ip;
    int rc = eth_parse(f, n, &e);
    if (rc < 0)
        return rc;
    rc = ip4_parse(f + ETH_HDR_LEN, n - ETH_HDR_LEN, &ip);
    if (rc < 0)
        return rc;
    const uint8_t *u = f + ETH_HDR_LEN + ip.hdr_len;
    rc = udp_parse(u, (size_t)rc - ip.hdr_len, r);
    if (rc < 0)
        return rc;
    if (r->csum == 0) /* RFC 768: none, IPv4 only */
        return WIRE_OK;
    /* the pseudo-header carries the UDP length (RFC 768) */
    uint64_t ph = csum_pseudo4(ip.src, ip.dst, IP4_PROTO_UDP, r->len);
    return udp_csum_ok(u, r->len, ph) ? WIRE_OK : WIRE_ECSUM;
}

static void test_udp_fields_from_capture(void **state)
{
    struct udp_repr r;
    assert_int_equal(parse_frame(vec_udp, sizeof vec_udp, &r), WIRE_OK);
    assert_int_equal(r.sport, 40000);
    assert_int_equal(r.dport, 7777);
    assert_int_equal(r.len, 26);
    assert_int_equal(r.csum, 0xf284);
    assert_memory_equal(DGRAM + UDP_HDR_LEN, "sigurg udp vector\n", 18);
    assert_true(udp_csum_ok(DGRAM, DGRAMLEN, vec_pseudo(26)));
}

static void test_udp_reemit_matches_capture(void **state)
{
    struct udp_repr r;
    assert_int_equal(parse_exact(DGRAM, DGRAMLEN, &r), WIRE_OK);
    uint8_t out[64];
    memset(out, 0xee, sizeof out);
    assert_int_equal(udp_emit(&r, out), UDP_HDR_LEN);
    assert_int_equal(wire_get16(out + 6), 0); /* "no checksum" until filled */
    /* the payload checksummed while copied, the header added last */
    uint64_t acc = csum_copy(out + 8, DGRAM + 8, 18, vec_pseudo(26));
    udp_csum_fill(out, UDP_HDR_LEN, acc);
    assert_memory_equal(out, DGRAM, DGRAMLEN);
    assert_int_equal(out[DGRAMLEN], 0xee);
    /* the whole datagram at once */
    udp_csum_fill(out, DGRAMLEN, vec_pseudo(26));
    assert_memory_equal(out, DGRAM, DGRAMLEN);
}

static void test_udp_checksum_every_bit(void **state)
{
    uint8_t *f = dup_exact(vec_udp, sizeof vec_udp);
    struct udp_repr r;
    for (size_t i = 34; i < sizeof vec_udp; i++) {
        for (int b = 0; b < 8; b++) {
            f[i] ^= (uint8_t)(1 << b);
            assert_true(parse_frame(f, sizeof vec_udp, &r) < 0);
            f[i] ^= (uint8_t)(1 << b);
        }
    }
    free(f);
}

static void test_udp_every_truncation_fails(void **state)
{
    struct udp_repr r;
    for (size_t n = 0; n < sizeof vec_udp; n++) {
        uint8_t *f = dup_exact(vec_udp, n);
        assert_true(parse_frame(f, n, &r) < 0);
        free(f);
    }
    /* the datagram alone: the length field says 26 */
    for (size_t n = 0; n < DGRAMLEN; n++)
        assert_int_equal(parse_exact(DGRAM, n, &r), WIRE_ESHORT);
}

static void test_udp_length_field(void **state)
{
    uint8_t d[40];
    memset(d, 0x5a, sizeof d);
    memcpy(d, DGRAM, DGRAMLEN);
    struct udp_repr r;
    for (uint16_t l = 0; l < UDP_HDR_LEN; l++) {
        wire_put16(d + 4, l);
        assert_int_equal(parse_exact(d, DGRAMLEN, &r), WIRE_EBADLEN);
    }
    /* longer than the IP payload: truncated */
    wire_put16(d + 4, DGRAMLEN + 1);
    assert_int_equal(parse_exact(d, DGRAMLEN, &r), WIRE_ESHORT);
    wire_put16(d + 4, 0xffff);
    assert_int_equal(parse_exact(d, DGRAMLEN, &r), WIRE_ESHORT);
    /* shorter than the IP payload: the rest is ignored (Linux trims) */
    wire_put16(d + 4, 26);
    assert_int_equal(parse_exact(d, sizeof d, &r), WIRE_OK);
    assert_int_equal(r.len, 26);
    assert_true(udp_csum_ok(d, r.len, vec_pseudo(26)));
    /* exactly a header: empty payload */
    wire_put16(d + 4, 8);
    assert_int_equal(parse_exact(d, 8, &r), WIRE_OK);
    assert_int_equal(r.len, 8);
}

static void test_udp_zero_checksum(void **state)
{
    /* 0 on the wire means "none" (RFC 768): the IPv4 receiver accepts it
     * without checking; udp_csum_ok itself is strict (IPv6 must be). */
    uint8_t d[26];
    memcpy(d, DGRAM, sizeof d);
    wire_put16(d + 6, 0);
    struct udp_repr r;
    assert_int_equal(parse_exact(d, sizeof d, &r), WIRE_OK);
    assert_int_equal(r.csum, 0);
    assert_false(udp_csum_ok(d, sizeof d, vec_pseudo(26)));
    uint8_t *f = dup_exact(vec_udp, sizeof vec_udp);
    wire_put16(f + 34 + 6, 0);
    assert_int_equal(parse_frame(f, sizeof vec_udp, &r), WIRE_OK);
    free(f);
}

static void test_udp_computed_zero_sent_as_ffff(void **state)
{
    /* Find a 2-byte payload whose checksum computes to 0: it must go out
     * as ffff (RFC 768), which still verifies. */
    struct udp_repr r = {.sport = 1, .dport = 2, .len = 10};
    uint8_t d[10];
    udp_emit(&r, d);
    d[8] = d[9] = 0;
    uint64_t ph = vec_pseudo(10);
    uint16_t c0 = csum_fold(csum_partial(d, sizeof d, ph)); /* ~sum with w = 0 */
    /* sum + w == ffff  <=>  w == ~sum == c0 */
    wire_put16(d + 8, c0);
    assert_int_equal(csum_fold(csum_partial(d, sizeof d, ph)), 0);
    udp_csum_fill(d, sizeof d, ph);
    assert_int_equal(wire_get16(d + 6), 0xffff);
    assert_true(udp_csum_ok(d, sizeof d, ph));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_udp_fields_from_capture),
        cmocka_unit_test(test_udp_reemit_matches_capture),
        cmocka_unit_test(test_udp_checksum_every_bit),
        cmocka_unit_test(test_udp_every_truncation_fails),
        cmocka_unit_test(test_udp_length_field),
        cmocka_unit_test(test_udp_zero_checksum),
        cmocka_unit_test(test_udp_computed_zero_sent_as_ffff),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

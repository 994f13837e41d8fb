/* IPv4 header: Linux-captured datagrams parsed and re-emitted byte for
 * byte; every truncation, bad version, IHL, length and checksum rejected,
 * each with its own error; options, fragments, padding, quoted headers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "wire/csum.h"
#include "wire/ip4.h"

#include "vectors/icmp4.h"
#include "vectors/tcp.h"
#include "vectors/udp.h"

#define IP(v) ((v) + 14)
#define IPLEN(v) (sizeof(v) - 14)

static uint8_t *dup_exact(const uint8_t *p, size_t n)
{
    uint8_t *d = malloc(n ? n : 1);
    assert_non_null(d);
    memcpy(d, p, n);
    return d;
}

static int parse_exact(const uint8_t *p, size_t n, struct ip4_repr *r)
{
    uint8_t *d = dup_exact(p, n);
    int rc = ip4_parse(d, n, r);
    free(d);
    return rc;
}

static uint32_t addr(uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
    const uint8_t x[4] = {a, b, c, d};
    return wire_get_raw32(x);
}

static void fix_csum(uint8_t *h)
{
    size_t hl = (size_t)(h[0] & 15) * 4;
    wire_put16(h + 10, 0);
    wire_put16(h + 10, csum_buf(h, hl));
}

static void test_ip4_fields_from_captures(void **state)
{
    struct ip4_repr r;
    assert_int_equal(parse_exact(IP(vec_udp), IPLEN(vec_udp), &r), 46);
    assert_int_equal(r.hdr_len, 20);
    assert_int_equal(r.tos, 0);
    assert_int_equal(r.total_len, 46);
    assert_int_equal(r.id, 0x1683);
    assert_true(r.df);
    assert_false(r.mf);
    assert_int_equal(r.frag_off, 0);
    assert_int_equal(r.ttl, 64);
    assert_int_equal(r.proto, IP4_PROTO_UDP);
    assert_int_equal(r.src, addr(10, 9, 0, 2));
    assert_int_equal(r.dst, addr(10, 9, 0, 1));
    assert_null(r.opts);
    assert_int_equal(r.opts_len, 0);

    assert_int_equal(parse_exact(IP(vec_icmp_echo_reply), IPLEN(vec_icmp_echo_reply), &r), 84);
    assert_int_equal(r.id, 0x9a63);
    assert_false(r.df); /* Linux's echo replies do not set DF */
    assert_int_equal(r.proto, IP4_PROTO_ICMP);
    assert_int_equal(r.src, addr(10, 9, 0, 1));
    assert_int_equal(r.dst, addr(10, 9, 0, 2));

    assert_int_equal(parse_exact(IP(vec_icmp_frag_needed), IPLEN(vec_icmp_frag_needed), &r), 576);
    assert_int_equal(r.id, 0x9acb);
    assert_int_equal(r.ttl, 64);

    assert_int_equal(parse_exact(IP(vec_tcp_sack3), IPLEN(vec_tcp_sack3), &r), 80);
    assert_int_equal(r.id, 0x0534);
    assert_int_equal(r.proto, IP4_PROTO_TCP);
    /* the pseudo-header of the payload: TCP length 60 */
    assert_int_equal(csum_fold(ip4_pseudo(&r)),
                     csum_fold(csum_pseudo4(addr(10, 9, 0, 1), addr(10, 9, 0, 3), 6, 60)));
}

static const uint8_t *const all_vecs[] = {
    vec_udp,
    vec_icmp_echo_request,
    vec_icmp_echo_reply,
    vec_icmp_port_unreach,
    vec_icmp_time_exceeded,
    vec_icmp_frag_needed,
    vec_tcp_syn,
    vec_tcp_synack,
    vec_tcp_ack,
    vec_tcp_data,
    vec_tcp_data_odd,
    vec_tcp_fin,
    vec_tcp_sack1,
    vec_tcp_sack2,
    vec_tcp_sack3,
    vec_tcp_handmade_syn,
    vec_tcp_handmade_rst,
};
static const size_t all_lens[] = {
    sizeof vec_udp,
    sizeof vec_icmp_echo_request,
    sizeof vec_icmp_echo_reply,
    sizeof vec_icmp_port_unreach,
    sizeof vec_icmp_time_exceeded,
    sizeof vec_icmp_frag_needed,
    sizeof vec_tcp_syn,
    sizeof vec_tcp_synack,
    sizeof vec_tcp_ack,
    sizeof vec_tcp_data,
    sizeof vec_tcp_data_odd,
    sizeof vec_tcp_fin,
    sizeof vec_tcp_sack1,
    sizeof vec_tcp_sack2,
    sizeof vec_tcp_sack3,
    sizeof vec_tcp_handmade_syn,
    sizeof vec_tcp_handmade_rst,
};
#define NVECS (sizeof all_vecs / sizeof all_vecs[0])

static void test_ip4_reemit_matches_captures(void **state)
{
    for (size_t v = 0; v < NVECS; v++) {
        struct ip4_repr r;
        const uint8_t *ip = all_vecs[v] + 14;
        assert_int_equal(parse_exact(ip, all_lens[v] - 14, &r), (int)(all_lens[v] - 14));
        uint8_t out[IP4_HDR_MAX];
        memset(out, 0xee, sizeof out);
        r.hdr_len = 0; /* ignored by emit */
        assert_int_equal(ip4_hdr_len(&r), 20);
        assert_int_equal(ip4_emit(&r, out), 20);
        assert_memory_equal(out, ip, 20);
        assert_int_equal(out[20], 0xee);
    }
}

static void test_ip4_every_truncation_fails(void **state)
{
    for (size_t v = 0; v < NVECS; v++) {
        const uint8_t *ip = all_vecs[v] + 14;
        size_t tot = all_lens[v] - 14;
        for (size_t n = 0; n < tot; n++) {
            struct ip4_repr r;
            /* below 20 the header, above it the datagram, is cut short */
            assert_int_equal(parse_exact(ip, n, &r), WIRE_ESHORT);
        }
    }
}

static void test_ip4_ethernet_padding_trimmed(void **state)
{
    /* A 40-byte datagram in a 60-byte Ethernet frame: 6 bytes of padding
     * follow it; parse returns total_len so the caller trims. */
    uint8_t buf[46];
    memset(buf, 0, sizeof buf);
    memcpy(buf, IP(vec_tcp_handmade_rst), IPLEN(vec_tcp_handmade_rst));
    struct ip4_repr r;
    assert_int_equal(IPLEN(vec_tcp_handmade_rst), 40);
    assert_int_equal(parse_exact(buf, sizeof buf, &r), 40);
    assert_int_equal(r.total_len, 40);
    memset(buf + 40, 0xab, 6); /* whatever the padding holds */
    assert_int_equal(parse_exact(buf, sizeof buf, &r), 40);
}

static void test_ip4_bad_version(void **state)
{
    uint8_t h[IP4_HDR_MIN + 26];
    memcpy(h, IP(vec_udp), sizeof h);
    struct ip4_repr r;
    for (unsigned v = 0; v < 16; v++) {
        if (v == 4)
            continue;
        h[0] = (uint8_t)(v << 4 | 5);
        fix_csum(h);
        assert_int_equal(parse_exact(h, sizeof h, &r), WIRE_EVERSION);
        assert_int_equal(ip4_parse_quoted(h, sizeof h, &r), WIRE_EVERSION);
    }
}

static void test_ip4_ihl_below_five(void **state)
{
    uint8_t h[IP4_HDR_MIN + 26];
    memcpy(h, IP(vec_udp), sizeof h);
    struct ip4_repr r;
    for (unsigned ihl = 0; ihl < 5; ihl++) {
        h[0] = (uint8_t)(0x40 | ihl);
        assert_int_equal(parse_exact(h, sizeof h, &r), WIRE_EBADLEN);
        assert_int_equal(ip4_parse_quoted(h, sizeof h, &r), WIRE_EBADLEN);
    }
}

static void test_ip4_ihl_past_buffer(void **state)
{
    /* IHL 15 (60 bytes) in a 46-byte datagram: the header is truncated. */
    uint8_t h[IP4_HDR_MIN + 26];
    memcpy(h, IP(vec_udp), sizeof h);
    h[0] = 0x4f;
    struct ip4_repr r;
    assert_int_equal(parse_exact(h, sizeof h, &r), WIRE_ESHORT);
    assert_int_equal(ip4_parse_quoted(h, sizeof h, &r), WIRE_ESHORT);
}

static void test_ip4_total_len_below_header(void **state)
{
    uint8_t h[IP4_HDR_MIN + 26];
    memcpy(h, IP(vec_udp), sizeof h);
    struct ip4_repr r;
    for (uint16_t tl = 0; tl < 20; tl++) {
        wire_put16(h + 2, tl);
        fix_csum(h);
        assert_int_equal(parse_exact(h, sizeof h, &r), WIRE_EBADLEN);
        assert_int_equal(ip4_parse_quoted(h, sizeof h, &r), WIRE_EBADLEN);
    }
    /* exactly the header: an empty payload is fine */
    wire_put16(h + 2, 20);
    fix_csum(h);
    assert_int_equal(parse_exact(h, sizeof h, &r), 20);
}

static void test_ip4_total_len_beyond_buffer(void **state)
{
    /* distinct from a bad length: the datagram was truncated */
    uint8_t h[IP4_HDR_MIN + 26];
    memcpy(h, IP(vec_udp), sizeof h);
    struct ip4_repr r;
    wire_put16(h + 2, sizeof h + 1);
    fix_csum(h);
    assert_int_equal(parse_exact(h, sizeof h, &r), WIRE_ESHORT);
    wire_put16(h + 2, 0xffff);
    fix_csum(h);
    assert_int_equal(parse_exact(h, sizeof h, &r), WIRE_ESHORT);
    /* a quoted header may claim more than is there */
    assert_int_equal(ip4_parse_quoted(h, sizeof h, &r), 20);
    assert_int_equal(r.total_len, 0xffff);
}

static void test_ip4_checksum_every_bit(void **state)
{
    uint8_t h[IP4_HDR_MIN + 26];
    memcpy(h, IP(vec_udp), sizeof h);
    struct ip4_repr r;
    for (size_t i = 0; i < IP4_HDR_MIN; i++) {
        for (int b = 0; b < 8; b++) {
            h[i] ^= (uint8_t)(1 << b);
            int rc = parse_exact(h, sizeof h, &r);
            if (i == 0) /* version/IHL: their own errors, or the sum */
                assert_true(rc < 0);
            else
                assert_int_equal(rc, WIRE_ECSUM);
            h[i] ^= (uint8_t)(1 << b);
        }
    }
    /* and a zeroed checksum field is not "no checksum" in IPv4 */
    wire_put16(h + 10, 0);
    assert_int_equal(parse_exact(h, sizeof h, &r), WIRE_ECSUM);
}

static void test_ip4_options_exposed_and_emitted(void **state)
{
    /* Router Alert (RFC 2113): 94 04 00 00 */
    static const uint8_t ra[] = {0x94, 0x04, 0x00, 0x00};
    struct ip4_repr r = {
        .tos = 0xb8, /* EF, not-ECT */
        .total_len = 24 + 8,
        .id = 0x4242,
        .ttl = 1,
        .proto = 2,
        .src = addr(192, 0, 2, 1),
        .dst = addr(224, 0, 0, 22),
        .opts = ra,
        .opts_len = 4,
    };
    uint8_t buf[32] = {0};
    assert_int_equal(ip4_hdr_len(&r), 24);
    assert_int_equal(ip4_emit(&r, buf), 24);
    assert_int_equal(buf[0], 0x46);
    assert_memory_equal(buf + 20, ra, 4);
    assert_int_equal(csum_buf(buf, 24), 0);
    struct ip4_repr p;
    uint8_t *d = dup_exact(buf, sizeof buf);
    assert_int_equal(ip4_parse(d, sizeof buf, &p), 32);
    assert_int_equal(p.hdr_len, 24);
    assert_int_equal(p.opts_len, 4);
    assert_ptr_equal(p.opts, d + 20);
    assert_memory_equal(p.opts, ra, 4);
    assert_int_equal(p.tos, 0xb8);
    assert_int_equal(p.ttl, 1);
    assert_int_equal(p.proto, 2);
    assert_int_equal(p.src, r.src);
    assert_int_equal(p.dst, r.dst);
    /* the pseudo-header counts only the payload, not the options */
    assert_int_equal(csum_fold(ip4_pseudo(&p)), csum_fold(csum_pseudo4(r.src, r.dst, 2, 8)));
    free(d);

    /* 3 bytes of options are padded with EOL to 4 */
    static const uint8_t three[] = {0x01, 0x01, 0x01};
    r.opts = three;
    r.opts_len = 3;
    memset(buf, 0xee, sizeof buf);
    assert_int_equal(ip4_emit(&r, buf), 24);
    static const uint8_t padded[] = {0x01, 0x01, 0x01, 0x00};
    assert_memory_equal(buf + 20, padded, 4);
    assert_int_equal(buf[24], 0xee);
    assert_int_equal(csum_buf(buf, 24), 0);

    /* 40 bytes: IHL 15 */
    uint8_t forty[40];
    memset(forty, 1, sizeof forty);
    r.opts = forty;
    r.opts_len = 40;
    r.total_len = 60;
    uint8_t big[60];
    assert_int_equal(ip4_emit(&r, big), 60);
    assert_int_equal(big[0], 0x4f);
    assert_int_equal(parse_exact(big, sizeof big, &p), 60);
    assert_int_equal(p.opts_len, 40);
}

static void test_ip4_fragment_fields(void **state)
{
    struct ip4_repr r = {
        .total_len = 20,
        .id = 7,
        .mf = true,
        .frag_off = 1480,
        .ttl = 64,
        .proto = IP4_PROTO_UDP,
        .src = addr(10, 0, 0, 1),
        .dst = addr(10, 0, 0, 2),
    };
    uint8_t h[20];
    ip4_emit(&r, h);
    assert_int_equal(wire_get16(h + 6), 0x2000 | 185);
    struct ip4_repr p;
    assert_int_equal(parse_exact(h, sizeof h, &p), 20);
    assert_true(p.mf);
    assert_false(p.df);
    assert_int_equal(p.frag_off, 1480);
    /* the largest offset: 8191 * 8 */
    r.mf = false;
    r.df = true;
    r.frag_off = 65528;
    ip4_emit(&r, h);
    assert_int_equal(parse_exact(h, sizeof h, &p), 20);
    assert_int_equal(p.frag_off, 65528);
    assert_true(p.df);
    assert_false(p.mf);
    /* the reserved flag is ignored on input (RFC 791 says "must be zero";
     * Linux does not check it) */
    h[6] |= 0x80;
    fix_csum(h);
    assert_int_equal(parse_exact(h, sizeof h, &p), 20);
    assert_int_equal(p.frag_off, 65528);
}

static void test_ip4_quoted_header_in_icmp(void **state)
{
    /* frag needed: the quoted datagram is 1400 bytes long, 548 are quoted */
    const uint8_t *q = vec_icmp_frag_needed + 14 + 20 + 8;
    size_t qlen = sizeof vec_icmp_frag_needed - 14 - 20 - 8;
    assert_int_equal(qlen, 548);
    struct ip4_repr r;
    uint8_t *d = dup_exact(q, qlen);
    assert_int_equal(ip4_parse_quoted(d, qlen, &r), 20);
    assert_int_equal(r.total_len, 1400);
    assert_true(r.df);
    assert_int_equal(r.proto, IP4_PROTO_UDP);
    assert_int_equal(r.src, addr(10, 9, 0, 2));
    assert_int_equal(r.dst, addr(10, 9, 1, 2));
    /* a full parse refuses it: truncated */
    assert_int_equal(ip4_parse(d, qlen, &r), WIRE_ESHORT);
    /* and the quoted checksum is not checked */
    d[10] ^= 0xff;
    assert_int_equal(ip4_parse_quoted(d, qlen, &r), 20);
    for (size_t n = 0; n < 20; n++)
        assert_int_equal(ip4_parse_quoted(d, n, &r), WIRE_ESHORT);
    free(d);

    /* time exceeded: the quote shows the TTL that ran out */
    q = vec_icmp_time_exceeded + 14 + 20 + 8;
    qlen = sizeof vec_icmp_time_exceeded - 14 - 20 - 8;
    d = dup_exact(q, qlen);
    assert_int_equal(ip4_parse_quoted(d, qlen, &r), 20);
    assert_int_equal(r.ttl, 1);
    assert_int_equal(r.total_len, 36);
    free(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ip4_fields_from_captures),
        cmocka_unit_test(test_ip4_reemit_matches_captures),
        cmocka_unit_test(test_ip4_every_truncation_fails),
        cmocka_unit_test(test_ip4_ethernet_padding_trimmed),
        cmocka_unit_test(test_ip4_bad_version),
        cmocka_unit_test(test_ip4_ihl_below_five),
        cmocka_unit_test(test_ip4_ihl_past_buffer),
        cmocka_unit_test(test_ip4_total_len_below_header),
        cmocka_unit_test(test_ip4_total_len_beyond_buffer),
        cmocka_unit_test(test_ip4_checksum_every_bit),
        cmocka_unit_test(test_ip4_options_exposed_and_emitted),
        cmocka_unit_test(test_ip4_fragment_fields),
        cmocka_unit_test(test_ip4_quoted_header_in_icmp),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

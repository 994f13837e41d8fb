/* ICMPv4: Linux-captured echo and error messages parsed field by field and
 * re-emitted byte for byte; checksums, truncations, short quotes and
 * unsupported types rejected. */
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
#include "wire/icmp4.h"
#include "wire/ip4.h"
#include "wire/udp.h"

#include "vectors/icmp4.h"

#define MSG(v) ((v) + 34) /* Ethernet + 20-byte IPv4 header */
#define MSGLEN(v) (sizeof(v) - 34)

static uint8_t *dup_exact(const uint8_t *p, size_t n)
{
    uint8_t *d = malloc(n ? n : 1);
    assert_non_null(d);
    memcpy(d, p, n);
    return d;
}

static int parse_exact(const uint8_t *p, size_t n, struct icmp4_repr *r)
{
    uint8_t *d = dup_exact(p, n);
    int rc = icmp4_parse(d, n, r);
    if (rc == WIRE_OK) /* data must point into the buffer parsed */
        assert_ptr_equal(r->data, d + ICMP4_HDR_LEN);
    free(d);
    r->data = rc == WIRE_OK ? p + ICMP4_HDR_LEN : NULL;
    return rc;
}

static int parse_frame(const uint8_t *f, size_t n, struct icmp4_repr *r)
{
    struct eth_repr e;
    struct ip4_repr ip;
    int rc = eth_parse(f, n, &e);
    if (rc < 0)
        return rc;
    rc = ip4_parse(f + ETH_HDR_LEN, n - ETH_HDR_LEN, &ip);
    if (rc < 0)
        return rc;
    return icmp4_parse(f + ETH_HDR_LEN + ip.hdr_len, (size_t)rc - ip.hdr_len, r);
}

static void fix_csum(uint8_t *m, size_t n)
{
    wire_put16(m + 2, 0);
    wire_put16(m + 2, csum_buf(m, n));
}

static void test_icmp4_echo_fields(void **state)
{
    uint8_t payload[56];
    for (int i = 0; i < 56; i++)
        payload[i] = (uint8_t)(0x10 + i);
    struct icmp4_repr r;
    assert_int_equal(parse_exact(MSG(vec_icmp_echo_request), MSGLEN(vec_icmp_echo_request), &r),
                     WIRE_OK);
    assert_int_equal(r.type, ICMP4_ECHO_REQUEST);
    assert_int_equal(r.code, 0);
    assert_int_equal(r.id, 0xb9a2);
    assert_int_equal(r.seq, 1);
    assert_int_equal(r.mtu, 0);
    assert_int_equal(r.data_len, 56);
    assert_memory_equal(r.data, payload, 56);

    assert_int_equal(parse_exact(MSG(vec_icmp_echo_reply), MSGLEN(vec_icmp_echo_reply), &r),
                     WIRE_OK);
    assert_int_equal(r.type, ICMP4_ECHO_REPLY);
    assert_int_equal(r.id, 0xb9a2);
    assert_int_equal(r.seq, 1);
    assert_int_equal(r.data_len, 56);
    assert_memory_equal(r.data, payload, 56);
}

static void test_icmp4_answer_echo_like_linux(void **state)
{
    /* Turn Linux's request into a reply and compare with Linux's reply. */
    struct icmp4_repr r;
    assert_int_equal(parse_exact(MSG(vec_icmp_echo_request), MSGLEN(vec_icmp_echo_request), &r),
                     WIRE_OK);
    r.type = ICMP4_ECHO_REPLY;
    uint8_t out[128];
    assert_int_equal(icmp4_len(&r), MSGLEN(vec_icmp_echo_reply));
    assert_int_equal(icmp4_emit(&r, out), MSGLEN(vec_icmp_echo_reply));
    assert_memory_equal(out, MSG(vec_icmp_echo_reply), MSGLEN(vec_icmp_echo_reply));

    /* in place: the payload already sits after the header */
    uint8_t buf[64];
    memcpy(buf, MSG(vec_icmp_echo_request), sizeof buf);
    r.data = buf + ICMP4_HDR_LEN;
    assert_int_equal(icmp4_emit(&r, buf), 64);
    assert_memory_equal(buf, MSG(vec_icmp_echo_reply), 64);
}

static void test_icmp4_errors_fields(void **state)
{
    struct icmp4_repr r;
    struct ip4_repr q;
    struct udp_repr u;

    assert_int_equal(parse_exact(MSG(vec_icmp_port_unreach), MSGLEN(vec_icmp_port_unreach), &r),
                     WIRE_OK);
    assert_int_equal(r.type, ICMP4_DEST_UNREACH);
    assert_int_equal(r.code, ICMP4_PORT_UNREACH);
    assert_int_equal(r.mtu, 0);
    assert_int_equal(r.data_len, 48); /* the whole 48-byte datagram */
    assert_int_equal(ip4_parse_quoted(r.data, r.data_len, &q), 20);
    assert_int_equal(q.proto, IP4_PROTO_UDP);
    assert_int_equal(udp_parse(r.data + 20, r.data_len - 20, &u), WIRE_OK);
    assert_int_equal(u.sport, 40000);
    assert_int_equal(u.dport, 7778);
    assert_memory_equal(r.data + 28, "nobody listens here\n", 20);

    assert_int_equal(parse_exact(MSG(vec_icmp_time_exceeded), MSGLEN(vec_icmp_time_exceeded), &r),
                     WIRE_OK);
    assert_int_equal(r.type, ICMP4_TIME_EXCEEDED);
    assert_int_equal(r.code, 0); /* TTL exceeded in transit */
    assert_int_equal(r.data_len, 36);
    assert_int_equal(ip4_parse_quoted(r.data, r.data_len, &q), 20);
    assert_int_equal(q.ttl, 1);
    assert_int_equal(wire_get16(r.data + 22), 33434);

    assert_int_equal(parse_exact(MSG(vec_icmp_frag_needed), MSGLEN(vec_icmp_frag_needed), &r),
                     WIRE_OK);
    assert_int_equal(r.type, ICMP4_DEST_UNREACH);
    assert_int_equal(r.code, ICMP4_FRAG_NEEDED);
    assert_int_equal(r.mtu, 1280);
    assert_int_equal(r.data_len, 548); /* 576 - 20 - 8: RFC 1812 §4.3.2.3 */
    assert_int_equal(ip4_parse_quoted(r.data, r.data_len, &q), 20);
    assert_int_equal(q.total_len, 1400);
    assert_true(q.df);
}

static void test_icmp4_reemit_matches_captures(void **state)
{
    const uint8_t *vs[] = {vec_icmp_echo_request, vec_icmp_echo_reply, vec_icmp_port_unreach,
                           vec_icmp_time_exceeded, vec_icmp_frag_needed};
    size_t ns[] = {sizeof vec_icmp_echo_request, sizeof vec_icmp_echo_reply,
                   sizeof vec_icmp_port_unreach, sizeof vec_icmp_time_exceeded,
                   sizeof vec_icmp_frag_needed};
    static uint8_t out[600];
    for (size_t v = 0; v < 5; v++) {
        struct icmp4_repr r;
        size_t n = ns[v] - 34;
        assert_int_equal(parse_exact(vs[v] + 34, n, &r), WIRE_OK);
        memset(out, 0xee, sizeof out);
        assert_int_equal(icmp4_emit(&r, out), n);
        assert_memory_equal(out, vs[v] + 34, n);
        assert_int_equal(out[n], 0xee);
    }
}

static void test_icmp4_checksum_every_bit(void **state)
{
    uint8_t *m = dup_exact(MSG(vec_icmp_port_unreach), MSGLEN(vec_icmp_port_unreach));
    size_t n = MSGLEN(vec_icmp_port_unreach);
    struct icmp4_repr r;
    for (size_t i = 0; i < n; i++) {
        for (int b = 0; b < 8; b++) {
            m[i] ^= (uint8_t)(1 << b);
            assert_int_equal(icmp4_parse(m, n, &r), WIRE_ECSUM);
            m[i] ^= (uint8_t)(1 << b);
        }
    }
    assert_int_equal(icmp4_parse(m, n, &r), WIRE_OK);
    free(m);
}

static void test_icmp4_every_truncation(void **state)
{
    const uint8_t *vs[] = {vec_icmp_echo_request, vec_icmp_echo_reply, vec_icmp_port_unreach,
                           vec_icmp_time_exceeded, vec_icmp_frag_needed};
    size_t ns[] = {sizeof vec_icmp_echo_request, sizeof vec_icmp_echo_reply,
                   sizeof vec_icmp_port_unreach, sizeof vec_icmp_time_exceeded,
                   sizeof vec_icmp_frag_needed};
    for (size_t v = 0; v < 5; v++) {
        struct icmp4_repr r;
        /* whole frame: the IP total length always notices */
        for (size_t n = 0; n < ns[v]; n++) {
            uint8_t *f = dup_exact(vs[v], n);
            assert_true(parse_frame(f, n, &r) < 0);
            free(f);
        }
        /* the message alone: short of the header is ESHORT; after that the
         * checksum catches the cut unless only zero bytes were cut (they
         * add nothing to a ones'-complement sum: the frag-needed quote
         * ends in the zeros of its UDP payload), and then the IP length
         * is what catches it, above. */
        const uint8_t *m = vs[v] + 34;
        size_t len = ns[v] - 34;
        for (size_t n = 0; n < len; n++) {
            int rc = parse_exact(m, n, &r);
            bool cut_zeros = true;
            for (size_t i = n; i < len; i++)
                cut_zeros &= m[i] == 0;
            if (n < ICMP4_HDR_LEN)
                assert_int_equal(rc, WIRE_ESHORT);
            else if (!cut_zeros)
                assert_true(rc == WIRE_ECSUM || rc == WIRE_ESHORT);
            else if (rc == WIRE_OK)
                assert_int_equal(r.data_len, n - ICMP4_HDR_LEN);
            else
                assert_int_equal(rc, WIRE_ESHORT); /* quote < 28 bytes */
        }
    }
}

static void test_icmp4_short_quote(void **state)
{
    /* A destination unreachable quoting fewer than 28 bytes (an IPv4
     * header and 64 bits, RFC 792) is too short to act on. */
    uint8_t m[8 + 28];
    memcpy(m, MSG(vec_icmp_port_unreach), sizeof m);
    struct icmp4_repr r;
    for (size_t q = 0; q < 28; q++) {
        fix_csum(m, 8 + q);
        assert_int_equal(parse_exact(m, 8 + q, &r), WIRE_ESHORT);
    }
    fix_csum(m, sizeof m);
    assert_int_equal(parse_exact(m, sizeof m, &r), WIRE_OK);
    assert_int_equal(r.data_len, 28);
    /* echo has no minimum payload */
    uint8_t e[8] = {ICMP4_ECHO_REQUEST, 0, 0, 0, 0x12, 0x34, 0, 9};
    fix_csum(e, sizeof e);
    assert_int_equal(parse_exact(e, sizeof e, &r), WIRE_OK);
    assert_int_equal(r.id, 0x1234);
    assert_int_equal(r.seq, 9);
    assert_int_equal(r.data_len, 0);
}

static void test_icmp4_unsupported_types(void **state)
{
    /* timestamp (13), redirect (5), source quench (4), router advert (9),
     * address mask (17), and unassigned 42 and 255: WIRE_EPROTO. */
    static const uint8_t types[] = {4, 5, 9, 10, 13, 14, 15, 16, 17, 18, 42, 255};
    uint8_t m[8 + 28];
    memcpy(m, MSG(vec_icmp_port_unreach), sizeof m);
    struct icmp4_repr r;
    for (size_t i = 0; i < sizeof types; i++) {
        m[0] = types[i];
        fix_csum(m, sizeof m);
        assert_int_equal(parse_exact(m, sizeof m, &r), WIRE_EPROTO);
    }
}

static void test_icmp4_unused_fields_ignored(void **state)
{
    /* mtu is only read for code 4; other unreachable codes report 0 */
    uint8_t m[8 + 28];
    memcpy(m, MSG(vec_icmp_port_unreach), sizeof m);
    wire_put16(m + 6, 1500);
    fix_csum(m, sizeof m);
    struct icmp4_repr r;
    assert_int_equal(parse_exact(m, sizeof m, &r), WIRE_OK);
    assert_int_equal(r.code, ICMP4_PORT_UNREACH);
    assert_int_equal(r.mtu, 0);
    /* RFC 1191 §4: an old router leaves the MTU field 0 */
    m[1] = ICMP4_FRAG_NEEDED;
    wire_put16(m + 6, 0);
    fix_csum(m, sizeof m);
    assert_int_equal(parse_exact(m, sizeof m, &r), WIRE_OK);
    assert_int_equal(r.mtu, 0);
}

static void test_icmp4_param_problem_roundtrip(void **state)
{
    const uint8_t *quote = MSG(vec_icmp_time_exceeded) + 8;
    struct icmp4_repr r = {
        .type = ICMP4_PARAM_PROBLEM,
        .code = 0,
        .pointer = 9,
        .id = 0xffff,  /* not an echo: not written */
        .mtu = 0xffff, /* not frag needed: not written */
        .data = quote,
        .data_len = 36,
    };
    uint8_t out[44];
    assert_int_equal(icmp4_emit(&r, out), 44);
    assert_int_equal(out[4], 9);
    assert_int_equal(out[5], 0);
    assert_int_equal(wire_get16(out + 6), 0);
    assert_int_equal(csum_buf(out, 44), 0);
    struct icmp4_repr p;
    assert_int_equal(parse_exact(out, sizeof out, &p), WIRE_OK);
    assert_int_equal(p.type, ICMP4_PARAM_PROBLEM);
    assert_int_equal(p.pointer, 9);
    assert_int_equal(p.id, 0);
    assert_int_equal(p.data_len, 36);
    assert_memory_equal(out + 8, quote, 36);

    /* frag needed from a repr */
    r = (struct icmp4_repr){.type = ICMP4_DEST_UNREACH,
                            .code = ICMP4_FRAG_NEEDED,
                            .mtu = 1280,
                            .data = quote,
                            .data_len = 36};
    icmp4_emit(&r, out);
    assert_int_equal(parse_exact(out, sizeof out, &p), WIRE_OK);
    assert_int_equal(p.mtu, 1280);
    assert_int_equal(wire_get16(out + 4), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_icmp4_echo_fields),
        cmocka_unit_test(test_icmp4_answer_echo_like_linux),
        cmocka_unit_test(test_icmp4_errors_fields),
        cmocka_unit_test(test_icmp4_reemit_matches_captures),
        cmocka_unit_test(test_icmp4_checksum_every_bit),
        cmocka_unit_test(test_icmp4_every_truncation),
        cmocka_unit_test(test_icmp4_short_quote),
        cmocka_unit_test(test_icmp4_unsupported_types),
        cmocka_unit_test(test_icmp4_unused_fields_ignored),
        cmocka_unit_test(test_icmp4_param_problem_roundtrip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

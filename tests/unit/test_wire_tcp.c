/* TCP header and options: Linux-captured segments parsed field by field,
 * re-emitted byte for byte, checksums verified; malformed options and
 * every truncation rejected without reading out of bounds (run under ASan). */
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
#include "wire/tcp.h"

#include "vectors/tcp.h"

#define ETH_IP 34 /* Ethernet + option-less IPv4 header in every vector */

/* Whole-frame pipeline: Ethernet, IPv4 (trimmed to total_len), TCP header,
 * TCP checksum. Returns the first error or WIRE_OK. */
static int parse_frame(const uint8_t *f, size_t n, struct tcp_repr *out)
{
    struct eth_repr e;
    struct ip4_repr ip;
    int rc = eth_parse(f, n, &e);
    if (rc < 0)
        return rc;
    if (e.type != ETH_TYPE_IP4)
        return WIRE_EPROTO;
    rc = ip4_parse(f + ETH_HDR_LEN, n - ETH_HDR_LEN, &ip);
    if (rc < 0)
        return rc;
    if (ip.proto != IP4_PROTO_TCP)
        return WIRE_EPROTO;
    const uint8_t *seg = f + ETH_HDR_LEN + ip.hdr_len;
    size_t seglen = (size_t)rc - ip.hdr_len;
    rc = tcp_parse(seg, seglen, out);
    if (rc < 0)
        return rc;
    return tcp_csum_ok(seg, seglen, ip4_pseudo(&ip)) ? WIRE_OK : WIRE_ECSUM;
}

/* A heap copy of exactly n bytes, so ASan flags any read past it. */
static uint8_t *dup_exact(const uint8_t *p, size_t n)
{
    uint8_t *d = malloc(n ? n : 1);
    assert_non_null(d);
    memcpy(d, p, n);
    return d;
}

static void parse_ok(const uint8_t *f, size_t n, struct tcp_repr *r)
{
    uint8_t *d = dup_exact(f, n);
    assert_int_equal(parse_frame(d, n, r), WIRE_OK);
    free(d);
}

#define SEG(v) ((v) + ETH_IP)
#define SEGLEN(v) (sizeof(v) - ETH_IP)

static void test_tcp_linux_syn_fields(void **state)
{
    struct tcp_repr r;
    parse_ok(vec_tcp_syn, sizeof vec_tcp_syn, &r);
    assert_int_equal(r.sport, 40004);
    assert_int_equal(r.dport, 5000);
    assert_int_equal(r.seq, 4210508440u);
    assert_int_equal(r.ack, 0);
    assert_int_equal(r.flags, TCP_SYN);
    assert_int_equal(r.hdr_len, 40);
    assert_int_equal(r.win, 64240);
    assert_int_equal(r.urp, 0);
    assert_true(r.has_mss);
    assert_int_equal(r.mss, 1460);
    assert_true(r.sack_perm);
    assert_true(r.has_ts);
    assert_int_equal(r.ts_val, 3143599702u);
    assert_int_equal(r.ts_ecr, 0);
    assert_true(r.has_wscale);
    assert_int_equal(r.wscale, 10);
    assert_int_equal(r.nsack, 0);
}

static void test_tcp_linux_synack_fields(void **state)
{
    struct tcp_repr r;
    parse_ok(vec_tcp_synack, sizeof vec_tcp_synack, &r);
    assert_int_equal(r.sport, 5000);
    assert_int_equal(r.dport, 40004);
    assert_int_equal(r.seq, 2420754852u);
    assert_int_equal(r.ack, 4210508441u);
    assert_int_equal(r.flags, TCP_SYN | TCP_ACK);
    assert_int_equal(r.hdr_len, 40);
    assert_int_equal(r.win, 65160);
    assert_true(r.has_mss && r.sack_perm && r.has_ts && r.has_wscale);
    assert_int_equal(r.mss, 1460);
    assert_int_equal(r.wscale, 10);
    assert_int_equal(r.ts_val, 3903902966u);
    assert_int_equal(r.ts_ecr, 3143599702u);
}

static void test_tcp_linux_data_fields(void **state)
{
    struct tcp_repr r;
    parse_ok(vec_tcp_data, sizeof vec_tcp_data, &r);
    assert_int_equal(r.sport, 40004);
    assert_int_equal(r.seq, 4210508441u);
    assert_int_equal(r.ack, 2420754853u);
    assert_int_equal(r.flags, TCP_PSH | TCP_ACK);
    assert_int_equal(r.hdr_len, 32);
    assert_int_equal(r.win, 63);
    assert_false(r.has_mss || r.sack_perm || r.has_wscale);
    assert_true(r.has_ts);
    assert_int_equal(r.ts_val, 3143599802u);
    assert_int_equal(r.ts_ecr, 3903902966u);
    assert_int_equal(r.nsack, 0);
    assert_int_equal(SEGLEN(vec_tcp_data) - r.hdr_len, 26);
    assert_memory_equal(SEG(vec_tcp_data) + r.hdr_len, "hello from sigurg vectors\n", 26);

    parse_ok(vec_tcp_data_odd, sizeof vec_tcp_data_odd, &r);
    assert_int_equal(r.sport, 5000);
    assert_int_equal(r.seq, 2420754853u);
    assert_int_equal(r.ack, 4210508467u);
    assert_int_equal(r.win, 64);
    assert_int_equal(r.ts_val, 3903903067u);
    assert_int_equal(r.ts_ecr, 3143599802u);
    assert_memory_equal(SEG(vec_tcp_data_odd) + r.hdr_len, "hello back from the kernel\n", 27);

    parse_ok(vec_tcp_ack, sizeof vec_tcp_ack, &r);
    assert_int_equal(r.flags, TCP_ACK);
    assert_int_equal(r.ts_val, 3143599702u);
    assert_int_equal(r.ts_ecr, 3903902966u);

    parse_ok(vec_tcp_fin, sizeof vec_tcp_fin, &r);
    assert_int_equal(r.flags, TCP_FIN | TCP_ACK);
    assert_int_equal(r.seq, 4210508467u);
    assert_int_equal(r.ack, 2420754880u);
    assert_int_equal(r.ts_val, 3143600003u);

    parse_ok(vec_tcp_handmade_rst, sizeof vec_tcp_handmade_rst, &r);
    assert_int_equal(r.flags, TCP_RST);
    assert_int_equal(r.hdr_len, 20);
    assert_int_equal(r.seq, 1000601);
    assert_false(r.has_ts || r.has_mss);
}

static void test_tcp_linux_sack_blocks(void **state)
{
    /* Linux's duplicate ACKs: NOP NOP TS, NOP NOP SACK, newest block first
     * (RFC 2018 §4). Blocks are raw sequence numbers: ISS 1000000, the
     * segments sent were [1000101,1000201), [1000301,...), [1000501,...). */
    struct tcp_repr r;
    parse_ok(vec_tcp_sack1, sizeof vec_tcp_sack1, &r);
    assert_int_equal(r.hdr_len, 44);
    assert_int_equal(r.ack, 1000001);
    assert_true(r.has_ts);
    assert_int_equal(r.ts_val, 1328224014u);
    assert_int_equal(r.ts_ecr, 101);
    assert_int_equal(r.nsack, 1);
    assert_int_equal(r.sack[0].left, 1000101);
    assert_int_equal(r.sack[0].right, 1000201);

    parse_ok(vec_tcp_sack2, sizeof vec_tcp_sack2, &r);
    assert_int_equal(r.hdr_len, 52);
    assert_int_equal(r.nsack, 2);
    assert_int_equal(r.sack[0].left, 1000301);
    assert_int_equal(r.sack[0].right, 1000401);
    assert_int_equal(r.sack[1].left, 1000101);
    assert_int_equal(r.sack[1].right, 1000201);

    parse_ok(vec_tcp_sack3, sizeof vec_tcp_sack3, &r);
    assert_int_equal(r.hdr_len, 60);
    assert_int_equal(r.nsack, 3);
    assert_int_equal(r.ts_val, 1328224215u);
    assert_int_equal(r.sack[0].left, 1000501);
    assert_int_equal(r.sack[0].right, 1000601);
    assert_int_equal(r.sack[1].left, 1000301);
    assert_int_equal(r.sack[2].left, 1000101);
    assert_int_equal(r.sack[2].right, 1000201);
}

/* Parse a captured segment, emit it back with its payload and checksum, and
 * compare every byte: our option layout is Linux's. */
static void check_reemit(const uint8_t *frame, size_t n)
{
    const uint8_t *ipb = frame + ETH_HDR_LEN;
    struct ip4_repr ip;
    struct tcp_repr r;
    assert_true(ip4_parse(ipb, n - ETH_HDR_LEN, &ip) > 0);
    const uint8_t *seg = ipb + ip.hdr_len;
    size_t seglen = ip.total_len - ip.hdr_len;
    assert_int_equal(tcp_parse(seg, seglen, &r), WIRE_OK);
    assert_int_equal(tcp_hdr_len(&r), r.hdr_len);

    uint8_t out[TCP_HDR_MAX + 64];
    memset(out, 0xee, sizeof out);
    size_t hl = tcp_emit(&r, out);
    assert_int_equal(hl, r.hdr_len);
    assert_int_equal(wire_get16(out + 16), 0); /* checksum left for the caller */
    /* The checksum-while-copying pair tcp.h documents. */
    uint64_t acc = csum_copy(out + hl, seg + hl, seglen - hl, ip4_pseudo(&ip));
    tcp_csum_fill(out, hl, acc);
    assert_memory_equal(out, seg, seglen);
    /* and the plain way: the whole segment at once */
    memset(out + 16, 0x55, 2);
    tcp_csum_fill(out, seglen, ip4_pseudo(&ip));
    assert_memory_equal(out, seg, seglen);
    assert_true(tcp_csum_ok(out, seglen, ip4_pseudo(&ip)));
}

static void test_tcp_reemit_matches_linux_bytes(void **state)
{
    check_reemit(vec_tcp_syn, sizeof vec_tcp_syn);
    check_reemit(vec_tcp_synack, sizeof vec_tcp_synack);
    check_reemit(vec_tcp_ack, sizeof vec_tcp_ack);
    check_reemit(vec_tcp_data, sizeof vec_tcp_data);
    check_reemit(vec_tcp_data_odd, sizeof vec_tcp_data_odd);
    check_reemit(vec_tcp_fin, sizeof vec_tcp_fin);
    check_reemit(vec_tcp_handmade_syn, sizeof vec_tcp_handmade_syn);
    check_reemit(vec_tcp_sack1, sizeof vec_tcp_sack1);
    check_reemit(vec_tcp_sack2, sizeof vec_tcp_sack2);
    check_reemit(vec_tcp_sack3, sizeof vec_tcp_sack3);
    check_reemit(vec_tcp_handmade_rst, sizeof vec_tcp_handmade_rst);
}

static void test_tcp_checksum_detects_corruption(void **state)
{
    /* Flip each bit of each captured data segment: the checksum (or, for the
     * data offset nibble, the parse) must reject every one. */
    const uint8_t *vs[] = {vec_tcp_data, vec_tcp_data_odd, vec_tcp_sack3};
    size_t ns[] = {sizeof vec_tcp_data, sizeof vec_tcp_data_odd, sizeof vec_tcp_sack3};
    for (size_t v = 0; v < 3; v++) {
        uint8_t *f = dup_exact(vs[v], ns[v]);
        struct tcp_repr r;
        for (size_t i = ETH_IP; i < ns[v]; i++) {
            for (int b = 0; b < 8; b++) {
                f[i] ^= (uint8_t)(1 << b);
                assert_true(parse_frame(f, ns[v], &r) < 0);
                f[i] ^= (uint8_t)(1 << b);
            }
        }
        assert_int_equal(parse_frame(f, ns[v], &r), WIRE_OK);
        free(f);
    }
}

static void test_tcp_every_truncation_fails(void **state)
{
    const uint8_t *vs[] = {vec_tcp_syn,          vec_tcp_synack,      vec_tcp_ack,
                           vec_tcp_data,         vec_tcp_data_odd,    vec_tcp_fin,
                           vec_tcp_sack1,        vec_tcp_sack2,       vec_tcp_sack3,
                           vec_tcp_handmade_syn, vec_tcp_handmade_rst};
    size_t ns[] = {sizeof vec_tcp_syn,          sizeof vec_tcp_synack,      sizeof vec_tcp_ack,
                   sizeof vec_tcp_data,         sizeof vec_tcp_data_odd,    sizeof vec_tcp_fin,
                   sizeof vec_tcp_sack1,        sizeof vec_tcp_sack2,       sizeof vec_tcp_sack3,
                   sizeof vec_tcp_handmade_syn, sizeof vec_tcp_handmade_rst};
    for (size_t v = 0; v < sizeof vs / sizeof vs[0]; v++) {
        struct tcp_repr r;
        for (size_t n = 0; n < ns[v]; n++) {
            /* the whole frame cut at n: some layer must notice */
            uint8_t *f = dup_exact(vs[v], n);
            assert_true(parse_frame(f, n, &r) < 0);
            free(f);
        }
        /* the TCP segment alone cut at n: short of the header is ESHORT;
         * past it the header parses but the checksum cannot match */
        const uint8_t *seg = vs[v] + ETH_IP;
        size_t seglen = ns[v] - ETH_IP;
        size_t hl = (size_t)(seg[12] >> 4) * 4;
        uint32_t src = wire_get_raw32(vs[v] + 26), dst = wire_get_raw32(vs[v] + 30);
        for (size_t n = 0; n < seglen; n++) {
            uint8_t *s = dup_exact(seg, n);
            int rc = tcp_parse(s, n, &r);
            if (n < hl) {
                assert_int_equal(rc, WIRE_ESHORT);
            } else {
                assert_int_equal(rc, WIRE_OK);
                assert_false(tcp_csum_ok(s, n, csum_pseudo4(src, dst, 6, (uint16_t)n)));
            }
            free(s);
        }
    }
}

/* A 20-byte header with `opts` appended (data offset from olen, which must be
 * a multiple of 4), in a heap buffer of exactly the header's size. */
static uint8_t *mkhdr(const uint8_t *opts, size_t olen)
{
    uint8_t *h = malloc(TCP_HDR_MIN + olen);
    assert_non_null(h);
    memcpy(h, SEG(vec_tcp_ack), TCP_HDR_MIN);
    h[12] = (uint8_t)((TCP_HDR_MIN + olen) / 4 << 4);
    memcpy(h + TCP_HDR_MIN, opts, olen);
    return h;
}

static int parse_opts(const uint8_t *opts, size_t olen, struct tcp_repr *r)
{
    uint8_t *h = mkhdr(opts, olen);
    int rc = tcp_parse(h, TCP_HDR_MIN + olen, r);
    free(h);
    return rc;
}

static void test_tcp_bad_data_offset(void **state)
{
    uint8_t h[TCP_HDR_MAX];
    struct tcp_repr r;
    memcpy(h, SEG(vec_tcp_ack), TCP_HDR_MIN);
    for (int doff = 0; doff < 5; doff++) {
        h[12] = (uint8_t)(doff << 4);
        assert_int_equal(tcp_parse(h, TCP_HDR_MIN, &r), WIRE_EBADLEN);
    }
    /* data offset 15 (60 bytes) with 59 bytes present */
    memset(h + TCP_HDR_MIN, TCPOPT_NOP, TCP_HDR_MAX - TCP_HDR_MIN);
    h[12] = 15 << 4;
    assert_int_equal(tcp_parse(h, TCP_HDR_MAX - 1, &r), WIRE_ESHORT);
    assert_int_equal(tcp_parse(h, TCP_HDR_MAX, &r), WIRE_OK);
    assert_int_equal(r.hdr_len, 60);
    /* the low nibble of byte 12 (reserved, AE) does not change the length */
    h[12] = 15 << 4 | 0x0f;
    assert_int_equal(tcp_parse(h, TCP_HDR_MAX, &r), WIRE_OK);
    assert_int_equal(r.hdr_len, 60);
}

static void test_tcp_option_length_zero_or_one(void **state)
{
    struct tcp_repr r;
    /* MSS first, then an option claiming length 0 or 1: EBADOPT, and what
     * came before is kept (Linux keeps it and stops, tcp.h). */
    for (uint8_t bad = 0; bad < 2; bad++) {
        const uint8_t o[] = {2, 4, 0x05, 0xb4, 30, bad, 0, 0};
        assert_int_equal(parse_opts(o, sizeof o, &r), WIRE_EBADOPT);
        assert_true(r.has_mss);
        assert_int_equal(r.mss, 1460);
        assert_int_equal(r.sport, 40004);
        assert_int_equal(r.hdr_len, 28);
    }
    /* a known kind with length 0 or 1 is just as bad */
    const uint8_t o2[] = {8, 1, 0, 0};
    assert_int_equal(parse_opts(o2, sizeof o2, &r), WIRE_EBADOPT);
    assert_false(r.has_ts);
    const uint8_t o3[] = {2, 0, 0, 0};
    assert_int_equal(parse_opts(o3, sizeof o3, &r), WIRE_EBADOPT);
}

static void test_tcp_option_past_header(void **state)
{
    struct tcp_repr r;
    /* the length byte itself is past the header: kind in the last byte */
    const uint8_t o1[] = {1, 1, 1, 8};
    assert_int_equal(parse_opts(o1, sizeof o1, &r), WIRE_EBADOPT);
    /* length runs one byte past the header */
    const uint8_t o2[] = {1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0};
    uint8_t o2p[12];
    memcpy(o2p, o2, sizeof o2);
    o2p[11] = 0; /* header ends after byte 11: TS at offset 2 needs 2..11, fits */
    assert_int_equal(parse_opts(o2p, sizeof o2p, &r), WIRE_OK);
    assert_true(r.has_ts);
    const uint8_t o3[] = {1, 1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0}; /* TS needs 3..12 */
    assert_int_equal(parse_opts(o3, sizeof o3, &r), WIRE_EBADOPT);
    assert_false(r.has_ts);
    /* an unknown option claiming 255 bytes */
    const uint8_t o4[] = {253, 255, 0, 0};
    assert_int_equal(parse_opts(o4, sizeof o4, &r), WIRE_EBADOPT);
    /* SACK claiming 4 blocks in a 20-byte option space */
    uint8_t o5[20] = {1, 1, 5, 34};
    assert_int_equal(parse_opts(o5, sizeof o5, &r), WIRE_EBADOPT);
    assert_int_equal(r.nsack, 0);
}

static void test_tcp_known_option_wrong_length_ignored(void **state)
{
    struct tcp_repr r;
    /* Linux's tcp_parse_options() skips a known option whose length is
     * wrong; so do we, and the options after it still count. */
    const uint8_t o[] = {2, 5,  0x05, 0xb4, 0x00,                   /* MSS, length 5 */
                         3, 4,  7,    0,                            /* WS, length 4 */
                         4, 3,  0,                                  /* SACK-perm, length 3 */
                         5, 2,                                      /* SACK, no blocks */
                         5, 11, 0,    0,    0,    1, 0, 0, 0, 2, 0, /* SACK, 11 */
                         8, 10, 0,    0,    0,    7, 0, 0, 0, 9,    /* TS, fine */
                         0, 0,  0,    0,    0};
    assert_int_equal(sizeof o % 4, 0);
    assert_int_equal(parse_opts(o, sizeof o, &r), WIRE_OK);
    assert_false(r.has_mss);
    assert_false(r.has_wscale);
    assert_false(r.sack_perm);
    assert_int_equal(r.nsack, 0);
    assert_true(r.has_ts);
    assert_int_equal(r.ts_val, 7);
    assert_int_equal(r.ts_ecr, 9);
    /* TS of length 9 and 11 */
    const uint8_t o2[] = {8, 9, 0, 0, 0, 1, 0, 0, 0, 1, 1, 1};
    assert_int_equal(parse_opts(o2, sizeof o2, &r), WIRE_OK);
    assert_false(r.has_ts);
}

static void test_tcp_unknown_options_skipped(void **state)
{
    struct tcp_repr r;
    /* TFO cookie (34), MD5 (19, 18 bytes), experimental (254): skipped. */
    uint8_t o[40] = {34, 6, 1, 2, 3, 4, 19, 18};
    size_t i = 6 + 18;
    const uint8_t tail[] = {254, 4, 0xf9, 0x89, 2, 4, 0x02, 0x18, 3, 3, 14, 0};
    memcpy(o + i, tail, sizeof tail);
    assert_int_equal(parse_opts(o, 36, &r), WIRE_OK);
    assert_true(r.has_mss);
    assert_int_equal(r.mss, 536);
    assert_true(r.has_wscale);
    assert_int_equal(r.wscale, 14);
    assert_false(r.has_ts || r.sack_perm);
}

static void test_tcp_eol_ends_options(void **state)
{
    struct tcp_repr r;
    /* after EOL nothing is parsed, not even garbage that would be EBADOPT */
    const uint8_t o[] = {2, 4, 0x05, 0xb4, 0, 8, 0, 1};
    assert_int_equal(parse_opts(o, sizeof o, &r), WIRE_OK);
    assert_true(r.has_mss);
    assert_false(r.has_ts);
}

static void test_tcp_sack_block_counts(void **state)
{
    struct tcp_repr r;
    for (uint8_t n = 1; n <= 4; n++) {
        uint8_t o[36] = {1, 1, 5, (uint8_t)(2 + 8 * n)};
        for (uint8_t i = 0; i < n; i++) {
            wire_put32(o + 4 + 8 * i, 1000u * i + 1);
            wire_put32(o + 8 + 8 * i, 1000u * i + 500);
        }
        assert_int_equal(parse_opts(o, 4 + 8 * (size_t)n, &r), WIRE_OK);
        assert_int_equal(r.nsack, n);
        for (uint8_t i = 0; i < n; i++) {
            assert_int_equal(r.sack[i].left, 1000u * i + 1);
            assert_int_equal(r.sack[i].right, 1000u * i + 500);
        }
    }
}

static void test_tcp_duplicate_option_last_wins(void **state)
{
    struct tcp_repr r;
    const uint8_t o[] = {2, 4, 0x05, 0xb4, 2, 4, 0x02, 0x18};
    assert_int_equal(parse_opts(o, sizeof o, &r), WIRE_OK);
    assert_int_equal(r.mss, 536);
}

/* Random option bytes and lengths: never out of bounds (ASan), always one of
 * the documented results, and the repr always sane. */
static void test_tcp_random_options_fuzz(void **state)
{
    uint64_t x = 88172645463325252ull;
    for (int it = 0; it < 200000; it++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        size_t olen = (x % 11) * 4;
        uint8_t o[40];
        uint64_t y = x;
        for (size_t i = 0; i < olen; i++) {
            y = y * 6364136223846793005ull + 1442695040888963407ull;
            uint8_t b = (uint8_t)(y >> 56);
            /* bias towards the kinds and lengths that matter */
            o[i] = (y >> 40) % 3 == 0 ? (uint8_t)(b % 11) : b;
        }
        uint8_t *h = mkhdr(o, olen);
        size_t len = TCP_HDR_MIN + olen - (x >> 60 == 0 ? 1 : 0); /* sometimes cut */
        struct tcp_repr r;
        int rc = tcp_parse(h, len, &r);
        assert_true(rc == WIRE_OK || rc == WIRE_EBADOPT || rc == WIRE_ESHORT);
        if (rc != WIRE_ESHORT) {
            assert_int_equal(r.hdr_len, TCP_HDR_MIN + olen);
            assert_true(r.nsack <= TCP_MAX_SACK);
        }
        free(h);
    }
}

/* Every combination of options: tcp_hdr_len == tcp_emit's length <= 60,
 * and parse(emit(r)) gives r back (less the SACK blocks that did not fit). */
static void test_tcp_emit_parse_roundtrip(void **state)
{
    for (unsigned m = 0; m < 16; m++) {
        for (uint8_t ns = 0; ns <= 4; ns++) {
            struct tcp_repr r = {
                .sport = 1234,
                .dport = 80,
                .seq = 0xdeadbeef,
                .ack = 0x01020304,
                .flags = TCP_ACK | TCP_URG | TCP_ECE | TCP_CWR,
                .win = 0xabcd,
                .urp = 7,
                .has_mss = m & 1,
                .mss = 8960,
                .has_wscale = m & 2,
                .wscale = 9,
                .sack_perm = m & 4,
                .has_ts = m & 8,
                .ts_val = 0x11223344,
                .ts_ecr = 0x55667788,
                .nsack = ns,
                .hdr_len = 99, /* ignored by emit */
            };
            for (int i = 0; i < 4; i++)
                r.sack[i] = (struct tcp_sack_block){100u * i, 100u * i + 50};
            uint8_t out[TCP_HDR_MAX + 1];
            memset(out, 0xcc, sizeof out);
            size_t hl = tcp_emit(&r, out);
            assert_int_equal(hl, tcp_hdr_len(&r));
            assert_true(hl <= TCP_HDR_MAX && hl % 4 == 0);
            assert_int_equal(out[TCP_HDR_MAX], 0xcc);
            struct tcp_repr p;
            uint8_t *h = dup_exact(out, hl);
            assert_int_equal(tcp_parse(h, hl, &p), WIRE_OK);
            free(h);
            assert_int_equal(p.hdr_len, hl);
            assert_int_equal(p.sport, r.sport);
            assert_int_equal(p.dport, r.dport);
            assert_int_equal(p.seq, r.seq);
            assert_int_equal(p.ack, r.ack);
            assert_int_equal(p.flags, r.flags);
            assert_int_equal(p.win, r.win);
            assert_int_equal(p.urp, r.urp);
            assert_int_equal(p.has_mss, r.has_mss);
            assert_int_equal(p.has_wscale, r.has_wscale);
            assert_int_equal(p.sack_perm, r.sack_perm);
            assert_int_equal(p.has_ts, r.has_ts);
            if (r.has_mss)
                assert_int_equal(p.mss, r.mss);
            if (r.has_wscale)
                assert_int_equal(p.wscale, r.wscale);
            if (r.has_ts) {
                assert_int_equal(p.ts_val, r.ts_val);
                assert_int_equal(p.ts_ecr, r.ts_ecr);
            }
            /* as many blocks as fit, in order: Linux sends 3 with TS */
            size_t fixed = (r.has_mss ? 4 : 0) +
                           (r.has_ts      ? 12
                            : r.sack_perm ? 4
                                          : 0) +
                           (r.has_wscale ? 4 : 0);
            size_t fit = (40 - fixed) >= 12 ? (40 - fixed - 4) / 8 : 0;
            assert_int_equal(p.nsack, ns < fit ? ns : fit);
            for (int i = 0; i < p.nsack; i++) {
                assert_int_equal(p.sack[i].left, r.sack[i].left);
                assert_int_equal(p.sack[i].right, r.sack[i].right);
            }
        }
    }
}

static void test_tcp_emit_layouts(void **state)
{
    uint8_t out[TCP_HDR_MAX];
    /* SACK-perm alone: NOP NOP 04 02 */
    struct tcp_repr r = {.sack_perm = true};
    assert_int_equal(tcp_emit(&r, out), 24);
    static const uint8_t sp[] = {1, 1, 4, 2};
    assert_memory_equal(out + 20, sp, 4);
    /* WS alone: NOP 03 03 ws */
    r = (struct tcp_repr){.has_wscale = true, .wscale = 7};
    assert_int_equal(tcp_emit(&r, out), 24);
    static const uint8_t ws[] = {1, 3, 3, 7};
    assert_memory_equal(out + 20, ws, 4);
    /* SACK with 4 blocks and nothing else: NOP NOP 05 34 + 32 bytes (56) */
    r = (struct tcp_repr){.nsack = 4};
    assert_int_equal(tcp_emit(&r, out), 56);
    assert_int_equal(out[12], 14 << 4);
    static const uint8_t sk[] = {1, 1, 5, 34};
    assert_memory_equal(out + 20, sk, 4);
    /* no options: data offset 5, flags byte as given */
    r = (struct tcp_repr){.flags = TCP_SYN | TCP_FIN};
    assert_int_equal(tcp_emit(&r, out), 20);
    assert_int_equal(out[12], 0x50);
    assert_int_equal(out[13], 0x03);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tcp_linux_syn_fields),
        cmocka_unit_test(test_tcp_linux_synack_fields),
        cmocka_unit_test(test_tcp_linux_data_fields),
        cmocka_unit_test(test_tcp_linux_sack_blocks),
        cmocka_unit_test(test_tcp_reemit_matches_linux_bytes),
        cmocka_unit_test(test_tcp_checksum_detects_corruption),
        cmocka_unit_test(test_tcp_every_truncation_fails),
        cmocka_unit_test(test_tcp_bad_data_offset),
        cmocka_unit_test(test_tcp_option_length_zero_or_one),
        cmocka_unit_test(test_tcp_option_past_header),
        cmocka_unit_test(test_tcp_known_option_wrong_length_ignored),
        cmocka_unit_test(test_tcp_unknown_options_skipped),
        cmocka_unit_test(test_tcp_eol_ends_options),
        cmocka_unit_test(test_tcp_sack_block_counts),
        cmocka_unit_test(test_tcp_duplicate_option_last_wins),
        cmocka_unit_test(test_tcp_random_options_fuzz),
        cmocka_unit_test(test_tcp_emit_parse_roundtrip),
        cmocka_unit_test(test_tcp_emit_layouts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

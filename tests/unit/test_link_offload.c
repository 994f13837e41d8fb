/* link_csum_complete: TCP/UDP checksums over IPv4/IPv6, Ethernet or raw,
 * checked against a ones'-complement sum written independently here. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>
#include "link/link.h"

static uint32_t osum(const uint8_t *p, size_t n, uint32_t acc)
{
    for (size_t i = 0; i + 1 < n; i += 2)
        acc += (uint32_t)p[i] << 8 | p[i + 1];
    if (n & 1)
        acc += (uint32_t)p[n - 1] << 8;
    while (acc >> 16)
        acc = (acc & 0xffff) + (acc >> 16);
    return acc;
}

/* An IPv4 (or IPv6) packet with a proto segment of seg_len bytes, after
 * `l2` bytes of Ethernet header if l2. Checksum field holds junk. */
static struct buf *mkpkt(int v6, int l2, uint8_t proto, uint32_t seg_len)
{
    uint32_t iphl = v6 ? 40 : 20, off = l2 ? 14 : 0;
    struct buf *b = buf_alloc(64, off + iphl + seg_len);
    assert_non_null(b);
    uint8_t *p = b->data;
    memset(p, 0, b->len);
    if (l2) {
        p[12] = v6 ? 0x86 : 0x08;
        p[13] = v6 ? 0xdd : 0x00;
    }
    uint8_t *ip = p + off;
    if (v6) {
        ip[0] = 0x60;
        ip[4] = (uint8_t)(seg_len >> 8), ip[5] = (uint8_t)seg_len;
        ip[6] = proto;
        ip[7] = 64;
        for (int i = 0; i < 16; i++)
            ip[8 + i] = (uint8_t)(0x20 + i), ip[24 + i] = (uint8_t)(0x90 - i);
    } else {
        ip[0] = 0x45;
        ip[2] = (uint8_t)((20 + seg_len) >> 8), ip[3] = (uint8_t)(20 + seg_len);
        ip[6] = 0x40; /* DF */
        ip[8] = 64;
        ip[9] = proto;
        uint8_t src[4] = {192, 168, 1, 7}, dst[4] = {10, 9, 8, 7};
        memcpy(ip + 12, src, 4);
        memcpy(ip + 16, dst, 4);
    }
    uint8_t *seg = ip + iphl;
    for (uint32_t i = 0; i < seg_len; i++)
        seg[i] = (uint8_t)(i * 31 + 5);
    if (proto == 6)
        seg[12] = 0x50;
    if (proto == 17)
        seg[4] = (uint8_t)(seg_len >> 8), seg[5] = (uint8_t)seg_len;
    b->flags = BUF_CSUM_PARTIAL | BUF_CSUM_VERIFIED;
    return b;
}

/* Does the segment's checksum verify (sum over pseudo-header and segment,
 * field included, is all ones)? */
static int verifies(const struct buf *b, int v6, int l2, uint8_t proto, uint32_t seg_len)
{
    const uint8_t *ip = b->data + (l2 ? 14 : 0);
    uint32_t acc = proto + seg_len;
    if (v6)
        acc = osum(ip + 8, 32, acc);
    else
        acc = osum(ip + 12, 8, acc);
    return osum(ip + (v6 ? 40 : 20), seg_len, acc) == 0xffff;
}

static void test_offload_fills_tcp_udp_v4_v6(void **state)
{
    for (int v6 = 0; v6 <= 1; v6++)
        for (int l2 = 0; l2 <= 1; l2++)
            for (int tcp = 0; tcp <= 1; tcp++)
                for (uint32_t len = 20; len < 27; len++) { /* odd lengths too */
                    uint8_t proto = tcp ? 6 : 17;
                    struct buf *b = mkpkt(v6, l2, proto, len);
                    assert_false(verifies(b, v6, l2, proto, len));
                    assert_int_equal(link_csum_complete(b, l2 ? LINK_ETHERNET : LINK_RAW_IP), 0);
                    assert_true(verifies(b, v6, l2, proto, len));
                    assert_int_equal(b->flags, BUF_CSUM_VERIFIED); /* PARTIAL cleared */
                    buf_free(b);
                }
}

static void test_offload_udp_zero_sent_as_ffff(void **state)
{
    struct buf *b = mkpkt(0, 0, 17, 12);
    uint8_t *seg = b->data + 20;
    /* choose the last word so that the computed checksum is 0 */
    seg[6] = seg[7] = seg[10] = seg[11] = 0;
    uint32_t s = osum(seg, 12, 17 + 12);
    s = osum(b->data + 12, 8, s);
    uint16_t x = (uint16_t)~s;
    seg[10] = (uint8_t)(x >> 8), seg[11] = (uint8_t)x;
    assert_int_equal(link_csum_complete(b, LINK_RAW_IP), 0);
    assert_int_equal(seg[6], 0xff);
    assert_int_equal(seg[7], 0xff);
    assert_true(verifies(b, 0, 0, 17, 12));
    buf_free(b);
}

static void test_offload_refuses_what_it_cannot_fill(void **state)
{
    struct buf *b = mkpkt(0, 0, 6, 40);
    b->data[6] = 0x20; /* MF: a fragment */
    uint8_t before[60];
    memcpy(before, b->data, 60);
    assert_int_equal(link_csum_complete(b, LINK_RAW_IP), -EINVAL);
    assert_memory_equal(before, b->data, 60);
    assert_true(b->flags & BUF_CSUM_PARTIAL);
    buf_free(b);

    b = mkpkt(0, 1, 1, 20); /* ICMP: not ours to fill */
    assert_int_equal(link_csum_complete(b, LINK_ETHERNET), -EINVAL);
    buf_free(b);

    b = mkpkt(0, 1, 6, 20);
    b->data[12] = 0x08, b->data[13] = 0x06; /* ARP */
    assert_int_equal(link_csum_complete(b, LINK_ETHERNET), -EINVAL);
    buf_free(b);

    b = mkpkt(0, 0, 6, 40);
    b->data[3] = 200; /* total length beyond the frame */
    assert_int_equal(link_csum_complete(b, LINK_RAW_IP), -EINVAL);
    buf_free(b);

    b = mkpkt(0, 0, 6, 19); /* shorter than a TCP header */
    assert_int_equal(link_csum_complete(b, LINK_RAW_IP), -EINVAL);
    buf_free(b);

    b = buf_alloc(0, 0);
    assert_int_equal(link_csum_complete(b, LINK_RAW_IP), -EINVAL);
    assert_int_equal(link_csum_complete(b, LINK_ETHERNET), -EINVAL);
    buf_free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_offload_fills_tcp_udp_v4_v6),
        cmocka_unit_test(test_offload_udp_zero_sent_as_ffff),
        cmocka_unit_test(test_offload_refuses_what_it_cannot_fill),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* pcap wrapper: write a capture, then parse the file here and check the
 * file header, each record's timestamp and lengths and bytes, both
 * directions, DLT by link kind, checksum completion in the copy only,
 * and the error on open. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include "link/link.h"

struct cap {
    uint8_t *p;
    size_t n;
};

static struct cap slurp(const char *path)
{
    struct cap c = {0};
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    c.p = malloc(1 << 20);
    assert_non_null(c.p);
    c.n = fread(c.p, 1, 1 << 20, f);
    fclose(f);
    return c;
}

static uint32_t u32(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

static uint16_t u16(const uint8_t *p)
{
    uint16_t v;
    memcpy(&v, p, 2);
    return v;
}

static char *tmp_path(void)
{
    static char path[64];
    snprintf(path, sizeof(path), "/tmp/test_link_pcap.XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    return path;
}

static struct buf *mkframe(uint32_t len, uint8_t seed)
{
    struct buf *b = buf_alloc(64, len);
    assert_non_null(b);
    for (uint32_t i = 0; i < len; i++)
        b->data[i] = (uint8_t)(seed + i);
    return b;
}

static void check_file_header(const struct cap *c, uint32_t dlt)
{
    assert_true(c->n >= 24);
    assert_int_equal(u32(c->p), 0xa1b23c4d); /* nanosecond timestamps */
    assert_int_equal(u16(c->p + 4), 2);
    assert_int_equal(u16(c->p + 6), 4);
    assert_int_equal(u32(c->p + 8), 0);
    assert_int_equal(u32(c->p + 12), 0);
    assert_int_equal(u32(c->p + 16), 262144);
    assert_int_equal(u32(c->p + 20), dlt);
}

/* The record at *off: check it and move on. */
static void check_record(const struct cap *c, size_t *off, sg_time t, uint32_t len, uint8_t seed)
{
    assert_true(*off + 16 <= c->n);
    const uint8_t *r = c->p + *off;
    assert_int_equal(u32(r), t / 1000000000u);
    assert_int_equal(u32(r + 4), t % 1000000000u);
    assert_int_equal(u32(r + 8), len);
    assert_int_equal(u32(r + 12), len);
    assert_true(*off + 16 + len <= c->n);
    for (uint32_t i = 0; i < len; i++)
        assert_int_equal(r[16 + i], (uint8_t)(seed + i));
    *off += 16 + len;
}

static void test_pcap_round_trip_both_directions(void **state)
{
    char *path = tmp_path();
    struct link *a, *b;
    assert_int_equal(link_mem_pair(LINK_ETHERNET, 1500, 0, 1, &a, &b), 0);
    struct link *p = link_pcap_wrap(a, path);
    assert_non_null(p);
    assert_memory_equal(p->mac, a->mac, 6);
    assert_int_equal(p->kind, LINK_ETHERNET);
    assert_int_equal(p->mtu, 1500);
    assert_int_equal(p->caps, a->caps);

    sg_time t1 = SG_SEC(3) + 123456789, t2 = SG_SEC(4) + 5, t3 = SG_SEC(7);
    assert_int_equal(link_xmit(p, mkframe(60, 1), t1), 0);   /* sent */
    assert_int_equal(link_xmit(b, mkframe(1514, 2), t1), 0); /* towards p */
    assert_int_equal(link_next_event(p), 0);                 /* passes through */
    struct buf *g = link_recv(p, t2);                        /* received */
    assert_non_null(g);
    assert_int_equal(g->len, 1514);
    buf_free(g);
    assert_null(link_recv(p, t2));
    assert_int_equal(link_xmit(p, mkframe(98, 3), t3), 0);
    g = link_recv(b, t3);
    assert_int_equal(g->len, 60); /* what was captured also went on */
    buf_free(g);
    g = link_recv(b, t3);
    buf_free(g);
    assert_int_equal(link_pcap_error(p), 0);
    link_destroy(p); /* flushes */
    link_destroy(b);

    struct cap c = slurp(path);
    check_file_header(&c, 1);
    size_t off = 24;
    check_record(&c, &off, t1, 60, 1);
    check_record(&c, &off, t2, 1514, 2);
    check_record(&c, &off, t3, 98, 3);
    assert_int_equal(off, c.n); /* nothing else */
    free(c.p);
    unlink(path);
}

static void test_pcap_raw_ip_is_dlt_raw(void **state)
{
    char *path = tmp_path();
    struct link *a, *b;
    assert_int_equal(link_mem_pair(LINK_RAW_IP, 1500, 0, 1, &a, &b), 0);
    struct link *p = link_pcap_wrap(a, path);
    assert_non_null(p);
    assert_int_equal(link_xmit(p, mkframe(40, 9), 1), 0);
    link_destroy(p);
    link_destroy(b);
    struct cap c = slurp(path);
    check_file_header(&c, 101);
    size_t off = 24;
    check_record(&c, &off, 1, 40, 9);
    assert_int_equal(off, c.n);
    free(c.p);
    unlink(path);
}

static uint16_t ocsum(const uint8_t *p, size_t n, uint32_t acc)
{
    for (size_t i = 0; i + 1 < n; i += 2)
        acc += (uint32_t)p[i] << 8 | p[i + 1];
    if (n & 1)
        acc += (uint32_t)p[n - 1] << 8;
    while (acc >> 16)
        acc = (acc & 0xffff) + (acc >> 16);
    return (uint16_t)~acc;
}

/* Ethernet + IPv4 + TCP (20-byte header) + 11 bytes payload, checksum
 * left to "offload": field holds junk, flag PARTIAL. */
static struct buf *mk_tcp_partial(void)
{
    uint32_t tcp_len = 20 + 11;
    struct buf *b = buf_alloc(64, 14 + 20 + tcp_len);
    uint8_t *p = b->data;
    memset(p, 0, b->len);
    p[12] = 0x08; /* IPv4 */
    uint8_t *ip = p + 14;
    ip[0] = 0x45;
    ip[3] = (uint8_t)(20 + tcp_len);
    ip[8] = 64;
    ip[9] = 6;
    uint8_t src[4] = {10, 0, 0, 1}, dst[4] = {10, 0, 0, 2};
    memcpy(ip + 12, src, 4);
    memcpy(ip + 16, dst, 4);
    uint8_t *tcp = ip + 20;
    tcp[0] = 0x04, tcp[1] = 0xd2; /* 1234 */
    tcp[2] = 0x00, tcp[3] = 0x50; /* 80 */
    tcp[12] = 0x50;
    tcp[13] = 0x18; /* PSH ACK */
    tcp[16] = 0xde, tcp[17] = 0xad;
    memcpy(tcp + 20, "hello world", 11);
    b->flags = BUF_CSUM_PARTIAL;
    return b;
}

static void test_pcap_completes_partial_checksum_in_copy(void **state)
{
    char *path = tmp_path();
    struct link *a, *b;
    assert_int_equal(link_mem_pair(LINK_ETHERNET, 1500, 0, 1, &a, &b), 0);
    struct link *p = link_pcap_wrap(a, path);
    assert_non_null(p);
    struct buf *f = mk_tcp_partial();
    uint32_t len = f->len;
    assert_int_equal(link_xmit(p, f, 0), 0);
    struct buf *g = link_recv(b, 0);
    /* the frame itself is unchanged: still PARTIAL, field untouched */
    assert_int_equal(g->flags, BUF_CSUM_PARTIAL);
    assert_int_equal(g->data[14 + 20 + 16], 0xde);
    assert_int_equal(g->data[14 + 20 + 17], 0xad);
    link_destroy(p);
    link_destroy(b);

    struct cap c = slurp(path);
    assert_int_equal(c.n, 24 + 16 + len);
    const uint8_t *ip = c.p + 24 + 16 + 14;
    /* the captured TCP checksum verifies: pseudo-header + segment sum to 0 */
    uint32_t acc = 6 + 31;
    for (int i = 12; i < 20; i += 2)
        acc += (uint32_t)ip[i] << 8 | ip[i + 1];
    assert_int_equal(ocsum(ip + 20, 31, acc), 0);
    /* and everything else is byte for byte the frame */
    assert_memory_equal(c.p + 24 + 16, g->data, 14 + 20 + 16);
    assert_memory_equal(ip + 20 + 18, g->data + 14 + 20 + 18, 31 - 18);
    buf_free(g);
    free(c.p);
    unlink(path);
}

static void test_pcap_open_error_reported(void **state)
{
    struct link *a, *b;
    assert_int_equal(link_mem_pair(LINK_ETHERNET, 1500, 0, 1, &a, &b), 0);
    errno = 0;
    assert_null(link_pcap_wrap(a, "/nonexistent-dir/x.pcap"));
    assert_int_equal(errno, ENOENT);
    /* a is still ours and works */
    assert_int_equal(link_xmit(a, mkframe(60, 0), 0), 0);
    link_destroy(a);
    link_destroy(b);
}

static void test_pcap_snaplen_truncates_incl_len(void **state)
{
    char *path = tmp_path();
    struct link *a, *b;
    assert_int_equal(link_mem_pair(LINK_RAW_IP, 300000, 0, 1, &a, &b), 0);
    struct link *p = link_pcap_wrap(a, path);
    assert_int_equal(link_xmit(p, mkframe(270000, 0), 0), 0);
    link_destroy(p);
    link_destroy(b);
    struct cap c = slurp(path);
    assert_int_equal(u32(c.p + 24 + 8), 262144);
    assert_int_equal(u32(c.p + 24 + 12), 270000);
    assert_int_equal(c.n, 24 + 16 + 262144);
    free(c.p);
    unlink(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pcap_round_trip_both_directions),
        cmocka_unit_test(test_pcap_raw_ip_is_dlt_raw),
        cmocka_unit_test(test_pcap_completes_partial_checksum_in_copy),
        cmocka_unit_test(test_pcap_open_error_reported),
        cmocka_unit_test(test_pcap_snaplen_truncates_incl_len),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

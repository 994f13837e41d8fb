/* The test link (sigurg/testlink.h): a program plays the peer of a stack
 * by hand. A hand-built ICMP echo request goes in, the echo reply comes
 * out -- on raw IP and on Ethernet (with ARP answered by hand), in a
 * world, on a threaded stack and on a caller-driven one; the stack's own
 * ping is answered by hand; bad frames, impairment, determinism, and the
 * argument checks. Failures print the seed. */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include "sigurg/sigurg.h"
#include "sigurg/sim.h"
#include "sigurg/testlink.h"
#include "wire/arp.h"
#include "wire/eth.h"
#include "wire/icmp4.h"
#include "wire/ip4.h"

#define SEC 1000000000ull
#define STACK_IP htonl(0x0a090001u) /* 10.9.0.1, network order as wire.h keeps it */
#define PEER_IP htonl(0x0a090002u)  /* 10.9.0.2 */

static const uint8_t peer_mac[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x99};

static uint64_t counter(sg_stack *s, enum sg_counter c)
{
    uint64_t v[SG_C__COUNT];
    assert_int_equal(sg_stack_counters(s, v, SG_C__COUNT), SG_C__COUNT);
    return v[c];
}

/* An IPv4 packet src -> dst carrying an ICMP echo (type) with id, seq and
 * n bytes of payload (byte i = i ^ seq); its length. */
static size_t build_echo(uint8_t *out, uint32_t src, uint32_t dst, uint8_t type, uint16_t id,
                         uint16_t seq, size_t n)
{
    uint8_t payload[1400];
    assert_true(n <= sizeof(payload));
    for (size_t i = 0; i < n; i++)
        payload[i] = (uint8_t)(i ^ seq);
    struct icmp4_repr ic = {.type = type, .id = id, .seq = seq, .data = payload, .data_len = n};
    struct ip4_repr ip = {.total_len = (uint16_t)(IP4_HDR_MIN + icmp4_len(&ic)),
                          .id = seq,
                          .ttl = 64,
                          .proto = IP4_PROTO_ICMP,
                          .src = src,
                          .dst = dst};
    size_t hl = ip4_emit(&ip, out);
    return hl + icmp4_emit(&ic, out + hl);
}

/* Check that pkt[0..len) is an echo reply from the stack to the peer
 * answering build_echo(..., id, seq, n). */
static void check_reply(const uint8_t *pkt, size_t len, uint16_t id, uint16_t seq, size_t n)
{
    struct ip4_repr ip;
    int tl = ip4_parse(pkt, len, &ip); /* verifies the header checksum */
    assert_true(tl > 0);
    assert_int_equal(ip.proto, IP4_PROTO_ICMP);
    assert_int_equal(ip.src, STACK_IP);
    assert_int_equal(ip.dst, PEER_IP);
    assert_int_equal(ip.ttl, 64);
    struct icmp4_repr ic;
    assert_int_equal(icmp4_parse(pkt + ip.hdr_len, (size_t)tl - ip.hdr_len, &ic), WIRE_OK);
    assert_int_equal(ic.type, ICMP4_ECHO_REPLY);
    assert_int_equal(ic.id, id);
    assert_int_equal(ic.seq, seq);
    assert_int_equal(ic.data_len, n);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(ic.data[i], (uint8_t)(i ^ seq));
}

static sg_testlink *world_raw(sg_world **w, sg_stack **s, uint64_t seed,
                              const struct sg_link_config *lc)
{
    *w = sg_world_new(seed);
    assert_non_null(*w);
    *s = sg_world_add_stack(*w, NULL);
    assert_non_null(*s);
    struct sg_link_config raw = {.kind = SG_LINK_RAW_IP};
    sg_testlink *t = sg_testlink_attach(*s, "10.9.0.1/24", lc ? lc : &raw);
    if (!t)
        fail_msg("seed %llu: attach: %s", (unsigned long long)seed, strerror(errno));
    return t;
}

static void test_testlink_world_raw_ip_echo(void **state)
{
    sg_world *w;
    sg_stack *s;
    sg_testlink *t = world_raw(&w, &s, 1, NULL);
    uint8_t pkt[1500], got[1500];
    assert_int_equal(sg_testlink_pending(t), 0);
    for (uint16_t seq = 1; seq <= 3; seq++) {
        size_t n = build_echo(pkt, PEER_IP, STACK_IP, ICMP4_ECHO_REQUEST, 0x1234, seq, 56);
        assert_int_equal(sg_testlink_inject(t, pkt, n), 0);
        assert_int_equal(sg_testlink_wait(t, SEC), 1);
        assert_int_equal(sg_testlink_pending(t), 1);
        ssize_t r = sg_testlink_capture(t, got, sizeof(got));
        assert_int_equal(r, (ssize_t)n);
        check_reply(got, (size_t)r, 0x1234, seq, 56);
    }
    /* Nothing else came, and without delay nothing took virtual time. */
    assert_int_equal(sg_testlink_capture(t, got, sizeof(got)), -1);
    assert_int_equal(errno, EAGAIN);
    assert_int_equal(sg_world_now(w), 0);
    assert_int_equal(counter(s, SG_C_ICMP_IN_ECHOS), 3);
    assert_int_equal(counter(s, SG_C_ICMP_OUT_ECHO_REPS), 3);
    /* Waiting for nothing runs the clock to the deadline. */
    assert_int_equal(sg_testlink_wait(t, 250000000ull), 0);
    assert_int_equal(sg_world_now(w), 250000000ull);
    sg_world_free(w);
}

static void test_testlink_world_drops_bad_checksum(void **state)
{
    sg_world *w;
    sg_stack *s;
    sg_testlink *t = world_raw(&w, &s, 2, NULL);
    uint8_t pkt[1500];
    size_t n = build_echo(pkt, PEER_IP, STACK_IP, ICMP4_ECHO_REQUEST, 1, 1, 8);
    pkt[IP4_HDR_MIN + 2] ^= 0x01; /* ICMP checksum */
    assert_int_equal(sg_testlink_inject(t, pkt, n), 0);
    assert_int_equal(sg_testlink_wait(t, SEC / 10), 0);
    assert_int_equal(counter(s, SG_C_ICMP_IN_ERRORS), 1);
    assert_int_equal(counter(s, SG_C_ICMP_OUT_ECHO_REPS), 0);
    /* Not for us: dropped too. */
    n = build_echo(pkt, PEER_IP, htonl(0x0a090003u), ICMP4_ECHO_REQUEST, 1, 2, 8);
    assert_int_equal(sg_testlink_inject(t, pkt, n), 0);
    assert_int_equal(sg_testlink_wait(t, SEC / 10), 0);
    assert_int_equal(counter(s, SG_C_IP_IN_ADDR_ERRORS), 1);
    sg_world_free(w);
}

/* Capture the next frame within a second of virtual time. */
static size_t next_frame(sg_testlink *t, uint8_t *buf, size_t cap)
{
    assert_int_equal(sg_testlink_wait(t, SEC), 1);
    ssize_t r = sg_testlink_capture(t, buf, cap);
    assert_true(r > 0);
    return (size_t)r;
}

static size_t eth_frame(uint8_t *out, const uint8_t dst[6], uint16_t type, const uint8_t *p,
                        size_t n)
{
    struct eth_repr e = {.type = type};
    memcpy(e.dst.b, dst, 6);
    memcpy(e.src.b, peer_mac, 6);
    size_t hl = eth_emit(&e, out);
    memcpy(out + hl, p, n);
    return hl + n;
}

/* Ethernet: the gratuitous ARP of the new address, an echo request from a
 * neighbour the stack does not know yet (it asks with ARP, we answer),
 * then the reply, sent to our MAC. Returns the frames captured, for the
 * determinism check. */
static size_t ethernet_echo(uint64_t seed, uint8_t frames[][1514], size_t *lens)
{
    sg_world *w = sg_world_new(seed);
    sg_stack *s = sg_world_add_stack(w, NULL);
    struct sg_link_config lc = {.kind = SG_LINK_ETHERNET};
    sg_testlink *t = sg_testlink_attach(s, "10.9.0.1/24", &lc);
    assert_non_null(t);
    uint8_t mac[6];
    sg_testlink_mac(t, mac);
    assert_int_equal(mac[0] & 3, 2);
    size_t nf = 0;

    /* The address is announced: a gratuitous ARP, broadcast. */
    lens[nf] = next_frame(t, frames[nf], sizeof(frames[nf]));
    struct eth_repr e;
    struct arp_repr a;
    assert_int_equal(eth_parse(frames[nf], lens[nf], &e), WIRE_OK);
    assert_true(eth_addr_is_broadcast(&e.dst));
    assert_memory_equal(e.src.b, mac, 6);
    assert_int_equal(e.type, ETH_TYPE_ARP);
    assert_int_equal(arp_parse(frames[nf] + ETH_HDR_LEN, lens[nf] - ETH_HDR_LEN, &a), WIRE_OK);
    assert_int_equal(a.spa, STACK_IP);
    assert_int_equal(a.tpa, STACK_IP);
    nf++;

    uint8_t ip[1500], fr[1514];
    size_t n = build_echo(ip, PEER_IP, STACK_IP, ICMP4_ECHO_REQUEST, 77, 5, 100);
    assert_int_equal(sg_testlink_inject(t, fr, eth_frame(fr, mac, ETH_TYPE_IP4, ip, n)), 0);
    int replied = 0;
    while (!replied) {
        lens[nf] = next_frame(t, frames[nf], sizeof(frames[nf]));
        const uint8_t *f = frames[nf];
        size_t len = lens[nf++];
        assert_int_equal(eth_parse(f, len, &e), WIRE_OK);
        assert_memory_equal(e.src.b, mac, 6);
        if (e.type == ETH_TYPE_ARP) {
            assert_int_equal(arp_parse(f + ETH_HDR_LEN, len - ETH_HDR_LEN, &a), WIRE_OK);
            assert_int_equal(a.op, ARP_REQUEST);
            assert_int_equal(a.tpa, PEER_IP);
            struct arp_repr r = {.op = ARP_REPLY, .spa = PEER_IP, .tpa = STACK_IP};
            memcpy(r.sha.b, peer_mac, 6);
            memcpy(r.tha.b, mac, 6);
            uint8_t ap[ETH_MIN_FRAME];
            memset(ap, 0, sizeof(ap));
            arp_emit(&r, ap);
            assert_int_equal(
                sg_testlink_inject(
                    t, fr, eth_frame(fr, mac, ETH_TYPE_ARP, ap, ETH_MIN_FRAME - ETH_HDR_LEN)),
                0);
            continue;
        }
        assert_int_equal(e.type, ETH_TYPE_IP4);
        assert_memory_equal(e.dst.b, peer_mac, 6);
        check_reply(f + ETH_HDR_LEN, len - ETH_HDR_LEN, 77, 5, 100);
        replied = 1;
    }
    assert_int_equal(sg_testlink_pending(t), 0);
    sg_world_free(w);
    return nf;
}

static void test_testlink_world_ethernet_echo_with_arp(void **state)
{
    static uint8_t a[8][1514], b[8][1514];
    size_t la[8], lb[8];
    size_t na = ethernet_echo(3, a, la);
    assert_true(na >= 2);
    /* Same seed, same calls: the same frames, byte for byte. */
    size_t nb = ethernet_echo(3, b, lb);
    assert_int_equal(na, nb);
    for (size_t i = 0; i < na; i++) {
        assert_int_equal(la[i], lb[i]);
        assert_memory_equal(a[i], b[i], la[i]);
    }
}

struct replies {
    int n;
    uint16_t seq;
    size_t len;
    char from[32];
};

static void on_reply(void *ctx, const char *from, uint16_t id, uint16_t seq, size_t len,
                     uint8_t ttl, uint64_t now_ns)
{
    struct replies *r = ctx;
    r->n++;
    r->seq = seq;
    r->len = len;
    snprintf(r->from, sizeof(r->from), "%s", from);
}

static int have_reply(void *ctx)
{
    return ((struct replies *)ctx)->n > 0;
}

/* The other way round: the stack pings, the program answers by hand. */
static void test_testlink_world_answer_the_stacks_ping(void **state)
{
    sg_world *w;
    sg_stack *s;
    sg_testlink *t = world_raw(&w, &s, 4, NULL);
    struct replies rep = {0};
    sg_ping_set_handler(s, on_reply, &rep);
    assert_int_equal(sg_ping_send(s, "10.9.0.2", 42, 9, 32), 0);
    uint8_t got[1500];
    size_t n = next_frame(t, got, sizeof(got));
    struct ip4_repr ip;
    int tl = ip4_parse(got, n, &ip);
    assert_true(tl > 0);
    assert_int_equal(ip.src, STACK_IP);
    assert_int_equal(ip.dst, PEER_IP);
    struct icmp4_repr ic;
    assert_int_equal(icmp4_parse(got + ip.hdr_len, (size_t)tl - ip.hdr_len, &ic), WIRE_OK);
    assert_int_equal(ic.type, ICMP4_ECHO_REQUEST);
    assert_int_equal(ic.id, 42);
    assert_int_equal(ic.seq, 9);
    /* Echo it back, payload and all. */
    uint8_t pkt[1500];
    struct icmp4_repr rp = ic;
    rp.type = ICMP4_ECHO_REPLY;
    struct ip4_repr ri = {.total_len = (uint16_t)(IP4_HDR_MIN + icmp4_len(&rp)),
                          .ttl = 61,
                          .proto = IP4_PROTO_ICMP,
                          .src = PEER_IP,
                          .dst = STACK_IP};
    size_t hl = ip4_emit(&ri, pkt);
    size_t len = hl + icmp4_emit(&rp, pkt + hl);
    assert_int_equal(sg_testlink_inject(t, pkt, len), 0);
    assert_int_equal(sg_world_run_until(w, have_reply, &rep, SEC), 0);
    assert_int_equal(rep.n, 1);
    assert_int_equal(rep.seq, 9);
    assert_int_equal(rep.len, 32);
    assert_string_equal(rep.from, "10.9.0.2");
    sg_world_free(w);
}

static void test_testlink_world_impairment_and_stats(void **state)
{
    sg_world *w;
    sg_stack *s;
    struct sg_link_config lc = {.kind = SG_LINK_RAW_IP, .impair = {.loss = 1.0}};
    sg_testlink *t = world_raw(&w, &s, 5, &lc);
    uint8_t pkt[1500];
    size_t n = build_echo(pkt, PEER_IP, STACK_IP, ICMP4_ECHO_REQUEST, 1, 1, 8);
    assert_int_equal(sg_testlink_inject(t, pkt, n), 0);
    assert_int_equal(sg_testlink_wait(t, SEC / 10), 0);
    /* The test link is the world's link 0: its impairment counts. */
    struct sg_impair_stats st;
    assert_int_equal(sg_world_impair_stats(w, 0, &st), 0);
    assert_int_equal(st.frames, 1);
    assert_int_equal(st.dropped, 1);
    assert_int_equal(counter(s, SG_C_ICMP_IN_ECHOS), 0);
    sg_world_free(w);

    /* A delay moves the reply in virtual time, by exactly the delay twice. */
    struct sg_link_config dl = {.kind = SG_LINK_RAW_IP, .impair = {.delay_ns = 7000000}};
    t = world_raw(&w, &s, 5, &dl);
    assert_int_equal(sg_testlink_inject(t, pkt, n), 0);
    assert_int_equal(sg_testlink_wait(t, SEC), 1);
    assert_int_equal(sg_world_now(w), 14000000);
    sg_world_free(w);
}

static void test_testlink_arguments(void **state)
{
    sg_world *w;
    sg_stack *s;
    sg_testlink *t = world_raw(&w, &s, 6, NULL);
    struct sg_link_config bad = {.kind = 7};
    errno = 0;
    assert_null(sg_testlink_attach(NULL, "10.9.1.1/24", NULL));
    assert_int_equal(errno, EINVAL);
    assert_null(sg_testlink_attach(s, "10.9.1.1", NULL));
    assert_int_equal(errno, EINVAL);
    assert_null(sg_testlink_attach(s, "10.9.1.1/24", &bad));
    assert_int_equal(errno, EINVAL);

    uint8_t pkt[2000];
    memset(pkt, 0, sizeof(pkt));
    assert_int_equal(sg_testlink_inject(t, pkt, 0), -1);
    assert_int_equal(errno, EINVAL);
    assert_int_equal(sg_testlink_inject(t, pkt, 1501), -1);
    assert_int_equal(errno, EMSGSIZE);
    assert_int_equal(sg_testlink_wait(NULL, 0), -1);
    assert_int_equal(errno, EINVAL);

    /* A buffer too small leaves the frame for the next try. */
    size_t n = build_echo(pkt, PEER_IP, STACK_IP, ICMP4_ECHO_REQUEST, 3, 3, 64);
    assert_int_equal(sg_testlink_inject(t, pkt, n), 0);
    assert_int_equal(sg_testlink_wait(t, SEC), 1);
    uint8_t small[40];
    assert_int_equal(sg_testlink_capture(t, small, sizeof(small)), -1);
    assert_int_equal(errno, EMSGSIZE);
    assert_int_equal(sg_testlink_pending(t), 1);
    ssize_t r = sg_testlink_capture(t, pkt, sizeof(pkt));
    assert_int_equal(r, (ssize_t)n);
    check_reply(pkt, (size_t)r, 3, 3, 64);

    /* A second test link on the same stack. */
    assert_non_null(sg_testlink_attach(s, "10.9.1.1/24", NULL));
    sg_world_free(w);
}

/* Runtime stacks: the same exchange with a service thread, and with the
 * caller driving the stack through sg_testlink_wait. */
static void echo_on_runtime_stack(int threaded)
{
    struct sg_config cfg = {.seed = 7};
    sg_stack *s = sg_stack_new(&cfg);
    assert_non_null(s);
    if (threaded)
        assert_int_equal(sg_stack_start(s), 0);
    struct sg_link_config raw = {.kind = SG_LINK_RAW_IP};
    sg_testlink *t = sg_testlink_attach(s, "10.9.0.1/24", &raw);
    assert_non_null(t);
    uint8_t pkt[1500], got[1500];
    for (uint16_t seq = 1; seq <= 20; seq++) {
        size_t n = build_echo(pkt, PEER_IP, STACK_IP, ICMP4_ECHO_REQUEST, 9, seq, 200);
        assert_int_equal(sg_testlink_inject(t, pkt, n), 0);
        assert_int_equal(sg_testlink_wait(t, 5 * SEC), 1);
        ssize_t r = sg_testlink_capture(t, got, sizeof(got));
        assert_int_equal(r, (ssize_t)n);
        check_reply(got, (size_t)r, 9, seq, 200);
    }
    assert_int_equal(sg_testlink_wait(t, 20000000ull), 0); /* 20 ms: nothing more */
    assert_int_equal(counter(s, SG_C_ICMP_OUT_ECHO_REPS), 20);
    sg_stack_free(s); /* frees the link and the handle */
}

static void test_testlink_threaded_stack(void **state)
{
    echo_on_runtime_stack(1);
}

static void test_testlink_caller_driven_stack(void **state)
{
    echo_on_runtime_stack(0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_testlink_world_raw_ip_echo),
        cmocka_unit_test(test_testlink_world_drops_bad_checksum),
        cmocka_unit_test(test_testlink_world_ethernet_echo_with_arp),
        cmocka_unit_test(test_testlink_world_answer_the_stacks_ping),
        cmocka_unit_test(test_testlink_world_impairment_and_stats),
        cmocka_unit_test(test_testlink_arguments),
        cmocka_unit_test(test_testlink_threaded_stack),
        cmocka_unit_test(test_testlink_caller_driven_stack),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* The world: two stacks ping each other over memlinks (perfect, delayed,
 * raw IP, lossy, corrupting), the clock and the stepping rules, argument
 * checks. Failures print the seed that reproduces them. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "sigurg/sigurg.h"
#include "sigurg/sim.h"

#define MAX_REPLIES 4096

struct reply {
    char from[64];
    uint16_t id, seq;
    size_t len;
    uint8_t ttl;
    uint64_t t;
};

struct log {
    struct reply r[MAX_REPLIES];
    size_t n;
};

static void on_reply(void *ctx, const char *from, uint16_t id, uint16_t seq, size_t len,
                     uint8_t ttl, uint64_t now_ns)
{
    struct log *lg = ctx;
    assert_true(lg->n < MAX_REPLIES);
    struct reply *r = &lg->r[lg->n++];
    snprintf(r->from, sizeof(r->from), "%s", from);
    r->id = id;
    r->seq = seq;
    r->len = len;
    r->ttl = ttl;
    r->t = now_ns;
}

struct want {
    struct log *lg;
    size_t n;
};

static int have_replies(void *ctx)
{
    struct want *w = ctx;
    return w->lg->n >= w->n;
}

static uint64_t counter(sg_stack *s, enum sg_counter c)
{
    uint64_t v[SG_C__COUNT];
    assert_int_equal(sg_stack_counters(s, v, SG_C__COUNT), SG_C__COUNT);
    return v[c];
}

struct pair {
    sg_world *w;
    sg_stack *a, *b;
    struct log la, lb; /* replies received by a, by b */
    int link;
};

static struct pair *pair_new(uint64_t seed, const struct sg_link_config *lc)
{
    struct pair *p = calloc(1, sizeof(*p));
    assert_non_null(p);
    p->w = sg_world_new(seed);
    assert_non_null(p->w);
    p->a = sg_world_add_stack(p->w, NULL);
    p->b = sg_world_add_stack(p->w, NULL);
    assert_non_null(p->a);
    assert_non_null(p->b);
    p->link = sg_world_connect(p->w, p->a, "10.0.0.1/24", p->b, "10.0.0.2/24", lc);
    assert_int_equal(p->link, 0);
    sg_ping_set_handler(p->a, on_reply, &p->la);
    sg_ping_set_handler(p->b, on_reply, &p->lb);
    return p;
}

static void pair_free(struct pair *p)
{
    sg_world_free(p->w);
    free(p);
}

static void test_world_two_stacks_ping_each_other(void **state)
{
    struct pair *p = pair_new(1, NULL);
    assert_int_equal(sg_world_now(p->w), 0);
    for (uint16_t seq = 1; seq <= 3; seq++) {
        assert_int_equal(sg_ping_send(p->a, "10.0.0.2", 77, seq, 56), 0);
        assert_int_equal(sg_ping_send(p->b, "10.0.0.1", 99, seq, 100), 0);
        struct want wa = {&p->la, seq}, wb = {&p->lb, seq};
        assert_int_equal(sg_world_run_until(p->w, have_replies, &wa, 1000000000ull), 0);
        assert_int_equal(sg_world_run_until(p->w, have_replies, &wb, 1000000000ull), 0);
    }
    for (size_t i = 0; i < 3; i++) {
        assert_string_equal(p->la.r[i].from, "10.0.0.2");
        assert_int_equal(p->la.r[i].id, 77);
        assert_int_equal(p->la.r[i].seq, i + 1);
        assert_int_equal(p->la.r[i].len, 56);
        assert_int_equal(p->la.r[i].ttl, 64);
        assert_string_equal(p->lb.r[i].from, "10.0.0.1");
        assert_int_equal(p->lb.r[i].id, 99);
        assert_int_equal(p->lb.r[i].seq, i + 1);
        assert_int_equal(p->lb.r[i].len, 100);
    }
    /* a perfect link without delay: everything at time 0 */
    assert_int_equal(sg_world_now(p->w), 0);
    assert_int_equal(counter(p->b, SG_C_ICMP_IN_ECHOS), 3);
    assert_int_equal(counter(p->a, SG_C_ICMP_IN_ECHOS), 3);
    assert_int_equal(counter(p->a, SG_C_ICMP_IN_ECHO_REPS), 3);
    assert_int_equal(counter(p->b, SG_C_ICMP_OUT_ECHO_REPS), 3);
    assert_true(counter(p->a, SG_C_ARP_IN) >= 1);
    /* the network falls quiet (ARP timers may remain, but not forever) */
    sg_world_run_for(p->w, 3600ull * 1000000000ull);
    assert_int_equal(p->la.n, 3);
    assert_int_equal(p->lb.n, 3);
    pair_free(p);
}

static void test_world_delay_is_the_round_trip(void **state)
{
    struct sg_link_config lc = {.impair = {.delay_ns = 5000000}}; /* 5 ms each way */
    struct pair *p = pair_new(2, &lc);
    /* Let the gratuitous ARPs of the new addresses (RFC 5227) pass: an
     * announcement arriving while a resolves would shorten the first ping. */
    sg_world_run_for(p->w, 1000000000ull);
    /* first ping resolves ARP: request + reply, then echo + reply */
    assert_int_equal(sg_ping_send(p->a, "10.0.0.2", 1, 1, 56), 0);
    struct want w1 = {&p->la, 1};
    assert_int_equal(sg_world_run_until(p->w, have_replies, &w1, 1000000000ull), 0);
    assert_int_equal(p->la.r[0].t, 1020000000);
    /* later ones: just the round trip */
    sg_world_run_for(p->w, 1000000000ull);
    uint64_t t0 = sg_world_now(p->w);
    assert_int_equal(t0, 2020000000);
    assert_int_equal(sg_ping_send(p->a, "10.0.0.2", 1, 2, 56), 0);
    struct want w2 = {&p->la, 2};
    assert_int_equal(sg_world_run_until(p->w, have_replies, &w2, 1000000000ull), 0);
    assert_int_equal(p->la.r[1].t - t0, 10000000);
    assert_int_equal(sg_world_now(p->w), p->la.r[1].t);
    pair_free(p);
}

static void test_world_raw_ip_link(void **state)
{
    struct sg_link_config lc = {.kind = SG_LINK_RAW_IP, .mtu = 9000};
    struct pair *p = pair_new(3, &lc);
    assert_int_equal(sg_ping_send(p->a, "10.0.0.2", 5, 1, 8000), 0);
    struct want w = {&p->la, 1};
    assert_int_equal(sg_world_run_until(p->w, have_replies, &w, 1000000000ull), 0);
    assert_int_equal(p->la.r[0].len, 8000);
    assert_int_equal(counter(p->a, SG_C_ARP_OUT), 0); /* no ARP on raw IP */
    assert_int_equal(counter(p->a, SG_C_IP_FRAG_CREATES), 0);
    pair_free(p);
}

static void test_world_lossy_link_loses_about_its_share(void **state)
{
    struct sg_link_config lc = {.impair = {.loss = 0.2, .delay_ns = 1000000}};
    struct pair *p = pair_new(4, &lc);
    /* warm the ARP cache on a perfect start is not possible: just ping */
    for (uint16_t seq = 0; seq < 400; seq++) {
        assert_int_equal(sg_ping_send(p->a, "10.0.0.2", 9, seq, 56), 0);
        sg_world_run_for(p->w, 1000000000ull);
    }
    /* each round trip survives with 0.8 * 0.8 = 0.64 */
    if (p->la.n < 220 || p->la.n > 290)
        fail_msg("seed 4: %zu replies of 400", p->la.n);
    struct sg_impair_stats st;
    assert_int_equal(sg_world_impair_stats(p->w, p->link, &st), 0);
    assert_true(st.dropped > 0);
    assert_true(st.frames >= 400 + p->la.n);
    assert_int_equal(st.corrupted + st.duplicated + st.reordered, 0);
    for (size_t i = 1; i < p->la.n; i++)
        assert_true(p->la.r[i].seq > p->la.r[i - 1].seq);
    assert_int_equal(sg_world_impair_stats(p->w, 1, &st), -1);
    assert_int_equal(errno, EINVAL);
    pair_free(p);
}

static void test_world_corruption_is_caught_by_checksums(void **state)
{
    struct sg_link_config lc = {.kind = SG_LINK_RAW_IP, .impair = {.corrupt = 0.5}};
    struct pair *p = pair_new(5, &lc);
    for (uint16_t seq = 0; seq < 300; seq++) {
        assert_int_equal(sg_ping_send(p->a, "10.0.0.2", 3, seq, 200), 0);
        sg_world_run_for(p->w, 10000000ull);
    }
    struct sg_impair_stats st;
    assert_int_equal(sg_world_impair_stats(p->w, p->link, &st), 0);
    assert_true(st.corrupted > 100);
    uint64_t caught = 0;
    sg_stack *both[] = {p->a, p->b};
    for (int i = 0; i < 2; i++)
        caught +=
            counter(both[i], SG_C_IP_IN_CSUM_ERRORS) + counter(both[i], SG_C_ICMP_IN_ERRORS) +
            counter(both[i], SG_C_IP_IN_HDR_ERRORS) + counter(both[i], SG_C_IP_IN_ADDR_ERRORS) +
            counter(both[i], SG_C_IP_IN_TRUNCATED) + counter(both[i], SG_C_IP_IN_UNKNOWN_PROTOS);
    /* Every corrupted packet is dropped somewhere (a flipped bit in a
     * length or protocol field may be caught before the checksum). */
    assert_int_equal(caught, st.corrupted);
    assert_int_equal(p->la.n, 300 - st.corrupted);
    for (size_t i = 0; i < p->la.n; i++) {
        assert_int_equal(p->la.r[i].id, 3);
        assert_int_equal(p->la.r[i].len, 200);
    }
    pair_free(p);
}

static int never(void *ctx)
{
    return 0;
}

static void test_world_clock_and_stepping(void **state)
{
    sg_world *w = sg_world_new(6);
    assert_int_equal(sg_world_step(w), 0); /* nothing at all */
    assert_int_equal(sg_world_next_event(w), SG_TIME_NEVER);
    sg_world_run_for(w, 1500);
    assert_int_equal(sg_world_now(w), 1500);
    errno = 0;
    assert_int_equal(sg_world_run_until(w, never, NULL, 500), -1);
    assert_int_equal(errno, ETIMEDOUT);
    assert_int_equal(sg_world_now(w), 2000);

    sg_stack *a = sg_world_add_stack(w, NULL);
    sg_stack *b = sg_world_add_stack(w, NULL);
    assert_int_equal(sg_world_connect(w, a, "10.1.0.1/16", b, "10.1.0.2/16", NULL), 0);
    /* a new stack is polled at the next step, at the current time */
    assert_true(sg_world_next_event(w) <= 2000);
    assert_int_equal(sg_world_step(w), 1);
    assert_int_equal(sg_world_now(w), 2000);
    /* steps never move the clock backwards */
    uint64_t last = 2000;
    assert_int_equal(sg_ping_send(a, "10.1.0.2", 1, 1, 1), 0);
    while (sg_world_step(w)) {
        assert_true(sg_world_now(w) >= last);
        last = sg_world_now(w);
        if (last > 2000 + 3600ull * 1000000000ull)
            fail_msg("the world never falls quiet");
    }
    sg_world_free(w);
}

static void test_world_connect_rejects_bad_arguments(void **state)
{
    sg_world *w = sg_world_new(7), *other = sg_world_new(8);
    sg_stack *a = sg_world_add_stack(w, NULL);
    sg_stack *b = sg_world_add_stack(w, NULL);
    sg_stack *c = sg_world_add_stack(other, NULL);
    const char *bad[] = {"10.0.0.1",     "10.0.0.1/33", "10.0.0.300/24", "10.0.0.1/", "x/24",
                         "10.0.0.1/24x", NULL};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        errno = 0;
        assert_int_equal(sg_world_connect(w, a, bad[i], b, "10.0.0.2/24", NULL), -1);
        assert_int_equal(errno, EINVAL);
    }
    errno = 0;
    assert_int_equal(sg_world_connect(w, a, "10.0.0.1/24", a, "10.0.0.2/24", NULL), -1);
    assert_int_equal(errno, EINVAL);
    assert_int_equal(sg_world_connect(w, a, "10.0.0.1/24", c, "10.0.0.2/24", NULL), -1);
    assert_int_equal(errno, EINVAL);
    struct sg_link_config lc = {.kind = 7};
    assert_int_equal(sg_world_connect(w, a, "10.0.0.1/24", b, "10.0.0.2/24", &lc), -1);
    assert_int_equal(errno, EINVAL);
    struct sg_link_config nocap = {.pcap_path = "/nonexistent-dir/x.pcap"};
    assert_int_equal(sg_world_connect(w, a, "10.0.0.1/24", b, "10.0.0.2/24", &nocap), -1);
    assert_int_equal(errno, ENOENT);
    /* nothing half-made: the first good link is still index 0 */
    assert_int_equal(sg_world_connect(w, a, "10.0.0.1/24", b, "10.0.0.2/24", NULL), 0);
    assert_int_equal(sg_ping_send(a, "not-an-address", 1, 1, 1), -1);
    assert_int_equal(errno, EINVAL);
    assert_int_equal(sg_ping_send(a, "10.0.0.2", 1, 1, 70000), -1);
    assert_int_equal(errno, EMSGSIZE);
    assert_int_equal(sg_ping_send(a, "192.168.0.1", 1, 1, 1), -1);
    assert_int_equal(errno, ENETUNREACH);
    assert_int_equal(sg_stack_counters(a, NULL, 0), SG_C__COUNT);
    sg_world_free(w);
    sg_world_free(other);
}

/* Many seeds through every impairment at once: invariants only. The
 * number of seeds is SIGURG_SIM_SEEDS (dev.sh sim-long), default 20. */
static void test_world_ping_many_seeds_invariants(void **state)
{
    const char *env = getenv("SIGURG_SIM_SEEDS");
    uint64_t seeds = env ? strtoull(env, NULL, 10) : 20;
    if (seeds > 2000)
        seeds = 2000; /* a ping scenario says little after that */
    struct sg_link_config lc = {.impair = {.loss = 0.1,
                                           .duplicate = 0.05,
                                           .reorder = 0.1,
                                           .delay_ns = 2000000,
                                           .jitter_ns = 3000000,
                                           .corrupt = 0.05,
                                           .rate_bps = 10000000}};
    for (uint64_t seed = 1; seed <= seeds; seed++) {
        struct pair *p = pair_new(seed, &lc);
        for (uint16_t seq = 0; seq < 30; seq++) {
            sg_ping_send(p->a, "10.0.0.2", 1, seq, 56);
            sg_ping_send(p->b, "10.0.0.1", 2, seq, 56);
            sg_world_run_for(p->w, 50000000ull);
        }
        sg_world_run_for(p->w, 5000000000ull);
        struct log *logs[] = {&p->la, &p->lb};
        for (int i = 0; i < 2; i++)
            for (size_t k = 0; k < logs[i]->n; k++) {
                struct reply *r = &logs[i]->r[k];
                if (r->id != i + 1 || r->seq >= 30 || r->len != 56 ||
                    strcmp(r->from, i ? "10.0.0.1" : "10.0.0.2") != 0)
                    fail_msg("seed %llu: stack %d got a reply it never asked for (id %u seq "
                             "%u len %zu from %s)",
                             (unsigned long long)seed, i, r->id, r->seq, r->len, r->from);
            }
        if (p->la.n == 0 || p->lb.n == 0 || p->la.n > 120 || p->lb.n > 120)
            fail_msg("seed %llu: %zu and %zu replies", (unsigned long long)seed, p->la.n, p->lb.n);
        pair_free(p);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_world_two_stacks_ping_each_other),
        cmocka_unit_test(test_world_delay_is_the_round_trip),
        cmocka_unit_test(test_world_raw_ip_link),
        cmocka_unit_test(test_world_lossy_link_loses_about_its_share),
        cmocka_unit_test(test_world_corruption_is_caught_by_checksums),
        cmocka_unit_test(test_world_clock_and_stepping),
        cmocka_unit_test(test_world_connect_rejects_bad_arguments),
        cmocka_unit_test(test_world_ping_many_seeds_invariants),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* TCP transfers between two stacks in a deterministic world, over a matrix
 * of link impairments (loss, duplication, reordering, delay and jitter,
 * corruption, rate limits, MTU), each verified by SHA-256 of the bytes
 * received in both directions and by both ends closing correctly (the
 * active closer in TIME_WAIT or CLOSED, the passive one CLOSED).
 *
 * Seeds: every parameter of a run is derived from its seed. The default
 * run does SIM_DEFAULT_SEEDS seeds (mostly small transfers, a few large);
 * SIGURG_SIM_SEEDS=N runs N; SIGURG_SIM_SEED=S runs only seed S. A failure
 * prints a one-line repro with the seed and the parameters.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "rt/rt.h"
#include "sha256.h"
#include "sigurg/sim.h"
#include "tcp/tcb.h"

#define SIM_DEFAULT_SEEDS 2000

static uint64_t mix64(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

/* The byte stream of one direction: byte i is a function of (key, i). */
static void gen_bytes(uint64_t key, uint64_t off, uint8_t *p, size_t n)
{
    while (n) {
        uint64_t blk = off / 8;
        uint64_t v = mix64(key ^ mix64(blk));
        unsigned k = (unsigned)(off % 8);
        while (k < 8 && n) {
            *p++ = (uint8_t)(v >> (8 * k));
            k++;
            off++;
            n--;
        }
    }
}

struct params {
    uint64_t seed;
    uint64_t size_c2s, size_s2c;
    struct sg_impair imp;
    uint32_t mtu;
    int cc; /* 0 cubic, 1 newreno */
    int no_sack, no_ts, no_ws;
    uint32_t rcvbuf; /* 0: default */
    int urg;         /* client sends some chunks with MSG_OOB; server OOBINLINE */
};

static void params_print(const struct params *p, FILE *f)
{
    fprintf(f,
            "REPRO: SIGURG_SIM_SEED=%" PRIu64 " size_c2s=%" PRIu64 " size_s2c=%" PRIu64
            " loss=%.3f dup=%.3f reorder=%.3f depth=%u delay_ms=%.1f jitter_ms=%.1f "
            "corrupt=%.3f rate_bps=%" PRIu64 " mtu=%u cc=%s sack=%d ts=%d ws=%d rcvbuf=%u urg=%d\n",
            p->seed, p->size_c2s, p->size_s2c, p->imp.loss, p->imp.duplicate, p->imp.reorder,
            p->imp.reorder_depth, p->imp.delay_ns / 1e6, p->imp.jitter_ns / 1e6, p->imp.corrupt,
            p->imp.rate_bps, p->mtu, p->cc ? "reno" : "cubic", !p->no_sack, !p->no_ts, !p->no_ws,
            p->rcvbuf, p->urg);
}

static uint64_t pick(uint64_t *r, uint64_t n)
{
    *r = mix64(*r);
    return *r % n;
}

static void params_from_seed(uint64_t seed, struct params *p)
{
    memset(p, 0, sizeof *p);
    p->seed = seed;
    uint64_t r = seed * 0x2545f4914f6cdd1dull + 17;
    /* Sizes: mostly small (1 B .. 64 KiB), some up to 1 MiB. */
    uint64_t k = pick(&r, 100);
    if (k < 10)
        p->size_c2s = 1 + pick(&r, 100);
    else if (k < 85)
        p->size_c2s = 1 + pick(&r, 65536);
    else
        p->size_c2s = 65536 + pick(&r, 1 << 20);
    p->size_s2c = pick(&r, 4) == 0 ? pick(&r, 20000) : pick(&r, 300);
    static const double losses[] = {0, 0, 0, 0.01, 0.02, 0.05, 0.1, 0.2, 0.3};
    p->imp.loss = losses[pick(&r, 9)];
    static const double dups[] = {0, 0, 0, 0.01, 0.05};
    p->imp.duplicate = dups[pick(&r, 5)];
    static const double reorders[] = {0, 0, 0.02, 0.1, 0.3};
    p->imp.reorder = reorders[pick(&r, 5)];
    static const uint32_t depths[] = {3, 10, 30, 100};
    p->imp.reorder_depth = depths[pick(&r, 4)];
    static const uint64_t delays_ms[] = {0, 0, 1, 5, 20, 50, 100, 200};
    p->imp.delay_ns = delays_ms[pick(&r, 8)] * 1000000ull;
    if (pick(&r, 3) == 0)
        p->imp.jitter_ns = p->imp.delay_ns / 2 + pick(&r, 2) * 1000000ull;
    p->imp.corrupt = pick(&r, 5) == 0 ? 0.01 : 0;
    static const uint64_t rates[] = {0, 0, 0, 1000000, 10000000, 100000000};
    p->imp.rate_bps = rates[pick(&r, 6)];
    static const uint32_t mtus[] = {576, 1280, 1500, 1500, 1500, 9000};
    p->mtu = mtus[pick(&r, 6)];
    p->cc = (int)pick(&r, 2);
    p->no_sack = pick(&r, 4) == 0;
    p->no_ts = pick(&r, 4) == 0;
    p->no_ws = pick(&r, 6) == 0;
    static const uint32_t bufs[] = {0, 0, 0, 4096, 16384, 262144};
    p->rcvbuf = bufs[pick(&r, 6)];
    p->urg = pick(&r, 5) == 0;
    /* Slow links make big transfers slow in virtual time only; keep the
     * queue at the rate limiter from eating a lossy run's patience. */
    if (p->imp.rate_bps && p->imp.rate_bps < 10000000 && p->size_c2s > 200000)
        p->size_c2s = 200000;
}

/* One end's application. */
struct app {
    sg_stack *st;
    struct tcb *t;
    uint64_t key_out; /* stream we send */
    bool urg;         /* send some chunks with MSG_OOB */
    uint64_t urg_sends;
    uint64_t to_send, sent;
    uint64_t key_in; /* stream we expect */
    uint64_t expect, got;
    struct sha256 h_in;
    bool eof, closed, write_done, half_close, shut;
    int err;
};

static void touch(struct app *a)
{
    rt_stack_touched(a->st);
}

static void app_pump(struct app *a, sg_time now)
{
    static uint8_t buf[65536];
    if (!a->t)
        return;
    int st = tcp_state(a->t);
    bool can_io = st == TCP_ESTABLISHED || st == TCP_CLOSE_WAIT || st == TCP_FIN_WAIT1 ||
                  st == TCP_FIN_WAIT2 || st == TCP_CLOSE || st == TCP_LAST_ACK || st == TCP_CLOSING;
    if (!can_io)
        return;
    /* write */
    while (a->sent < a->to_send && (st == TCP_ESTABLISHED || st == TCP_CLOSE_WAIT)) {
        uint64_t n = a->to_send - a->sent;
        if (n > sizeof buf)
            n = sizeof buf;
        int flags = 0;
        if (a->urg && (mix64(a->key_out ^ a->sent) & 3) == 0) {
            flags = MSG_OOB;
            n = 1 + mix64(a->sent) % (n < 3000 ? n : 3000);
        }
        gen_bytes(a->key_out, a->sent, buf, (size_t)n);
        struct iovec iov = {buf, (size_t)n};
        ssize_t k = tcp_send(a->t, &iov, 1, flags, now);
        if (k > 0 && flags)
            a->urg_sends++;
        if (k <= 0) {
            if (k != -EAGAIN)
                a->err = (int)-k;
            break;
        }
        a->sent += (uint64_t)k;
        touch(a);
    }
    /* read */
    for (;;) {
        struct iovec iov = {buf, sizeof buf};
        ssize_t k = tcp_recv(a->t, &iov, 1, 0, NULL, now);
        if (k > 0) {
            touch(a);
            static uint8_t ref[65536];
            gen_bytes(a->key_in, a->got, ref, (size_t)k);
            if (memcmp(ref, buf, (size_t)k) != 0 && !a->err)
                a->err = -1000; /* corrupted stream */
            sha256_update(&a->h_in, buf, (size_t)k);
            a->got += (uint64_t)k;
            continue;
        }
        if (k == 0)
            a->eof = true;
        else if (k != -EAGAIN)
            a->err = a->err ? a->err : (int)-k;
        break;
    }
    /* The client half-closes once everything is written, and closes after
     * the server's EOF; the server closes once it has read the client's
     * EOF and written everything. Closing with unread data would reset
     * (R25), so nobody does. */
    if (!a->shut && a->half_close && a->sent == a->to_send) {
        tcp_shutdown(a->t, SHUT_WR, now);
        touch(a);
        a->shut = true;
    }
    if (!a->closed && a->sent == a->to_send && a->eof && a->write_done) {
        tcp_close(a->t, now);
        touch(a);
        a->closed = true;
    }
}

struct run {
    struct params p;
    sg_world *w;
    sg_stack *sa, *sb;
    struct tcb *listener;
    struct app cli, srv;
    char fail[256];
};

static struct stack *core(sg_stack *st)
{
    return st->core;
}

static int run_transfer(struct run *R, const char *pcap)
{
    const struct params *p = &R->p;
    R->w = sg_world_new(p->seed);
    struct sg_config cfg = {0};
    cfg.cc = p->cc ? SG_CC_NEWRENO : SG_CC_CUBIC;
    cfg.no_sack = p->no_sack;
    cfg.no_timestamps = p->no_ts;
    cfg.no_wscale = p->no_ws;
    /* Patience for the harshest links: a 30% loss each way must not
     * exhaust the retry budgets (that is tested elsewhere). */
    cfg.syn_retries = 40;
    cfg.retries2 = 40;
    cfg.rto_max_ms = 10000;
    R->sa = sg_world_add_stack(R->w, &cfg);
    R->sb = sg_world_add_stack(R->w, &cfg);
    tcp_attach(core(R->sa));
    tcp_attach(core(R->sb));
    struct sg_link_config lc = {0};
    lc.kind = SG_LINK_ETHERNET;
    lc.mtu = p->mtu;
    lc.impair = p->imp;
    lc.pcap_path = pcap;
    if (sg_world_connect(R->w, R->sa, "10.0.0.1/24", R->sb, "10.0.0.2/24", &lc) < 0) {
        snprintf(R->fail, sizeof R->fail, "sg_world_connect: %s", strerror(errno));
        return -1;
    }
    sg_time now = sg_world_now(R->w);
    struct ipaddr any = {{0}};
    R->listener = tcp_new(core(R->sb), NULL, NULL);
    if (p->urg)
        tcp_set_oobinline(R->listener, true); /* inherited by the child */
    tcp_bind(R->listener, &any, 5001);
    tcp_listen(R->listener, 16);
    rt_stack_touched(R->sb);

    memset(&R->cli, 0, sizeof R->cli);
    memset(&R->srv, 0, sizeof R->srv);
    R->cli.st = R->sa;
    R->srv.st = R->sb;
    R->cli.key_out = R->srv.key_in = mix64(p->seed ^ 0xc2);
    R->srv.key_out = R->cli.key_in = mix64(p->seed ^ 0x2c);
    R->cli.urg = p->urg;
    R->cli.to_send = R->srv.expect = p->size_c2s;
    R->srv.to_send = R->cli.expect = p->size_s2c;
    sha256_init(&R->cli.h_in);
    sha256_init(&R->srv.h_in);
    R->cli.t = tcp_new(core(R->sa), NULL, NULL);
    if (p->rcvbuf)
        tcp_set_rcvbuf(R->cli.t, p->rcvbuf);
    struct ipaddr dst = ipaddr_v4(htonl(0x0a000002));
    int rc = tcp_connect(R->cli.t, &dst, 5001, now);
    rt_stack_touched(R->sa);
    if (rc) {
        snprintf(R->fail, sizeof R->fail, "connect: %d", rc);
        return -1;
    }
    sg_time limit = 4ull * 3600 * SG_SEC(1);
    for (uint64_t steps = 0;; steps++) {
        now = sg_world_now(R->w);
        if (!R->srv.t) {
            struct tcb *c;
            if (tcp_accept(R->listener, &c) == 0) {
                R->srv.t = c;
                if (p->rcvbuf)
                    tcp_set_rcvbuf(c, p->rcvbuf);
            }
        }
        /* The client closes after writing; the server after the client's
         * EOF and its own writing. */
        R->cli.write_done = true;
        R->cli.half_close = true;
        R->srv.write_done = true;
        app_pump(&R->cli, now);
        app_pump(&R->srv, now);
        if (R->cli.err || R->srv.err) {
            snprintf(R->fail, sizeof R->fail,
                     "error cli=%d srv=%d (sent %" PRIu64 "/%" PRIu64 " got %" PRIu64 "/%" PRIu64
                     ")",
                     R->cli.err, R->srv.err, R->cli.sent, p->size_c2s, R->srv.got, p->size_c2s);
            return -1;
        }
        bool finished = R->srv.t && R->srv.closed && R->cli.closed && R->cli.eof &&
                        R->srv.t->state == TCP_CLOSE &&
                        (R->cli.t->state == TCP_TIME_WAIT || R->cli.t->state == TCP_CLOSE);
        if (finished)
            break;
        if (now > limit) {
            snprintf(R->fail, sizeof R->fail,
                     "timeout: cli state %d srv state %d sent %" PRIu64 " got %" PRIu64
                     " s2c got %" PRIu64,
                     R->cli.t->state, R->srv.t ? R->srv.t->state : -1, R->cli.sent, R->srv.got,
                     R->cli.got);
            return -1;
        }
        if (getenv("SIGURG_SIM_DEBUG") && steps % 100000 == 0)
            fprintf(stderr,
                    "step %" PRIu64 " t=%.3f cli st=%d sent=%" PRIu64 " got=%" PRIu64
                    " srv st=%d sent=%" PRIu64 " got=%" PRIu64 "\n",
                    steps, now / 1e9, R->cli.t->state, R->cli.sent, R->cli.got,
                    R->srv.t ? R->srv.t->state : -1, R->srv.sent, R->srv.got);
        if (!sg_world_step(R->w)) {
            snprintf(R->fail, sizeof R->fail,
                     "stuck: nothing pending; cli state %d srv state %d sent %" PRIu64
                     " got %" PRIu64 " s2c %" PRIu64 "/%" PRIu64,
                     R->cli.t->state, R->srv.t ? R->srv.t->state : -1, R->cli.sent, R->srv.got,
                     R->cli.got, p->size_s2c);
            return -1;
        }
    }
    /* Urgent data: with SO_OOBINLINE the stream is intact (checked
     * below), and at least one pointer was accepted (R11/R22). */
    if (R->cli.urg_sends && (core(R->sb)->counters[SG_C_TCP_URG_ACCEPTED] == 0 ||
                             core(R->sa)->counters[SG_C_TCP_URG_OUT] == 0)) {
        snprintf(R->fail, sizeof R->fail, "urgent: %" PRIu64 " MSG_OOB sends, no pointer accepted",
                 R->cli.urg_sends);
        return -1;
    }
    /* Verify both directions byte for byte by digest. */
    uint8_t d_got[32], d_want[32];
    struct sha256 h;
    static uint8_t buf[65536];
    for (int dir = 0; dir < 2; dir++) {
        struct app *rx = dir ? &R->cli : &R->srv;
        uint64_t n = rx->expect;
        if (rx->got != n) {
            snprintf(R->fail, sizeof R->fail, "dir %d: got %" PRIu64 " of %" PRIu64, dir, rx->got,
                     n);
            return -1;
        }
        sha256_init(&h);
        for (uint64_t off = 0; off < n;) {
            size_t k = n - off < sizeof buf ? (size_t)(n - off) : sizeof buf;
            gen_bytes(rx->key_in, off, buf, k);
            sha256_update(&h, buf, k);
            off += k;
        }
        sha256_final(&h, d_want);
        sha256_final(&rx->h_in, d_got);
        if (memcmp(d_got, d_want, 32) != 0) {
            snprintf(R->fail, sizeof R->fail, "dir %d: SHA-256 mismatch", dir);
            return -1;
        }
    }
    return 0;
}

static void run_free(struct run *R)
{
    if (R->cli.t)
        tcp_release(R->cli.t, sg_world_now(R->w));
    if (R->srv.t)
        tcp_release(R->srv.t, sg_world_now(R->w));
    if (R->listener)
        tcp_release(R->listener, sg_world_now(R->w));
    sg_world_free(R->w);
}

static int run_seed_params(const struct params *p, const char *pcap, bool print_fail)
{
    struct run *R = calloc(1, sizeof *R);
    R->p = *p;
    int rc = run_transfer(R, pcap);
    if (rc && print_fail) {
        fprintf(stderr, "FAIL: %s\n", R->fail);
        params_print(p, stderr);
    }
    run_free(R);
    free(R);
    return rc;
}

static uint64_t env_u64(const char *name, uint64_t dflt)
{
    const char *v = getenv(name);
    return v && *v ? strtoull(v, NULL, 0) : dflt;
}

static void test_transfer_matrix(void **st)
{
    (void)st;
    const char *one = getenv("SIGURG_SIM_SEED");
    uint64_t first = one && *one ? strtoull(one, NULL, 0) : 1;
    uint64_t n = one && *one ? 1 : env_u64("SIGURG_SIM_SEEDS", SIM_DEFAULT_SEEDS);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int fails = 0;
    for (uint64_t s = first; s < first + n; s++) {
        struct params p;
        params_from_seed(s, &p);
        if (run_seed_params(&p, getenv("SIGURG_SIM_PCAP"), true))
            fails++;
        if (fails >= 5)
            break;
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double secs = (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
    printf("transfer matrix: %" PRIu64 " seeds from %" PRIu64 ", %d failed, %.1f s\n", n, first,
           fails, secs);
    assert_int_equal(fails, 0);
}

/* A few large transfers (64 MiB) over impaired links. */
static void test_transfer_large(void **st)
{
    (void)st;
    uint64_t size = env_u64("SIGURG_SIM_LARGE", 64ull << 20);
    struct params p;
    params_from_seed(424242, &p);
    memset(&p.imp, 0, sizeof p.imp);
    p.size_c2s = size;
    p.size_s2c = 1000;
    p.mtu = 1500;
    p.rcvbuf = 0;
    p.no_sack = p.no_ts = p.no_ws = 0;
    p.imp.loss = 0.01;
    p.imp.reorder = 0.01;
    p.imp.reorder_depth = 10;
    p.imp.delay_ns = SG_MS(5);
    assert_int_equal(run_seed_params(&p, NULL, true), 0);
    /* 1 MiB over a 30%-loss, reordering, duplicating, 50 ms link */
    memset(&p.imp, 0, sizeof p.imp);
    p.seed = 777;
    p.size_c2s = 1 << 20;
    p.imp.loss = 0.3;
    p.imp.duplicate = 0.05;
    p.imp.reorder = 0.1;
    p.imp.reorder_depth = 100;
    p.imp.delay_ns = SG_MS(50);
    p.imp.jitter_ns = SG_MS(20);
    p.imp.corrupt = 0.01;
    assert_int_equal(run_seed_params(&p, NULL, true), 0);
}

/* A lossy transfer captured to pcap: tshark's expert info and tcpdump must
 * find no checksum errors. */
static void test_transfer_pcap_checksums_clean(void **st)
{
    (void)st;
    char path[] = "/tmp/sigurg_tcp_XXXXXX.pcap";
    int fd = mkstemps(path, 5);
    assert_true(fd >= 0);
    close(fd);
    struct params p;
    params_from_seed(99, &p);
    memset(&p.imp, 0, sizeof p.imp);
    p.size_c2s = 300000;
    p.size_s2c = 5000;
    p.mtu = 1500;
    p.rcvbuf = 0;
    p.imp.loss = 0.05;
    p.imp.reorder = 0.05;
    p.imp.delay_ns = SG_MS(10);
    assert_int_equal(run_seed_params(&p, path, true), 0);
    char cmd[512];
    if (system("command -v tcpdump >/dev/null 2>&1") == 0) {
        snprintf(cmd, sizeof cmd,
                 "tcpdump -vv -n -r %s 2>/dev/null | grep -ci 'incorrect\\|bad cksum' ", path);
        FILE *f = popen(cmd, "r");
        int n = -1;
        if (f) {
            if (fscanf(f, "%d", &n) != 1)
                n = -1;
            pclose(f);
        }
        printf("tcpdump: %d checksum complaints\n", n);
        assert_int_equal(n, 0);
        snprintf(cmd, sizeof cmd, "tcpdump -n -r %s 2>/dev/null | wc -l", path);
        f = popen(cmd, "r");
        n = 0;
        if (f) {
            if (fscanf(f, "%d", &n) != 1)
                n = 0;
            pclose(f);
        }
        assert_true(n > 200);
    }
    if (system("command -v tshark >/dev/null 2>&1") == 0) {
        snprintf(cmd, sizeof cmd,
                 "tshark -o tcp.check_checksum:TRUE -o ip.check_checksum:TRUE -r %s -q -z expert "
                 "2>/dev/null | grep -ci 'checksum'",
                 path);
        FILE *f = popen(cmd, "r");
        int n = -1;
        if (f) {
            if (fscanf(f, "%d", &n) != 1)
                n = -1;
            pclose(f);
        }
        printf("tshark expert: %d checksum lines\n", n);
        assert_int_equal(n, 0);
    }
    unlink(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_transfer_pcap_checksums_clean),
        cmocka_unit_test(test_transfer_matrix),
        cmocka_unit_test(test_transfer_large),
    };
    /* SIGURG_SIM_TEST=substring runs only the matching tests. */
    const char *only = getenv("SIGURG_SIM_TEST");
    struct CMUnitTest sel[sizeof tests / sizeof tests[0]];
    size_t n = 0;
    for (size_t i = 0; i < sizeof tests / sizeof tests[0]; i++)
        if (!only || strstr(tests[i].name, only))
            sel[n++] = tests[i];
    return _cmocka_run_group_tests("tcp_transfer", sel, n, NULL, NULL);
}

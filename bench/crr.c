/* crr: TCP connections opened, used once and closed, per second
 * (netperf's TCP_CRR with 1-byte messages).
 *
 * One transaction, WITH a 1-byte exchange:
 *   client: socket, connect, send 1 byte, recv 1 byte, close
 *   server: accept, recv 1 byte, send 1 byte, recv -> 0 (the client's
 *           FIN), close
 * so the client closes first and its side goes to TIME_WAIT, as with
 * netperf. TCP_NODELAY is not set (no write is ever held back here).
 *
 * The same code (common/netops.h) runs on
 *   kernel  loopback (127.0.0.1) in a private network namespace with
 *           ip_local_port_range 1024-65535 and the default tcp_tw_reuse=2
 *           (reuse of TIME_WAIT ports for loopback); a run is a fresh
 *           namespace, so TIME_WAIT sockets never carry over;
 *   sigurg  two stacks in threaded mode, each with its service thread,
 *           joined by a memlink (MTU 1500); a run is two fresh stacks.
 * Client (this thread) and server (one thread) use blocking calls; not
 * pinned unless --cpu N.
 *
 * Each run: 200 warm-up transactions, then as many as fit in --seconds
 * (default 1). --runs (default 5), interleaved; medians.
 *
 * Last line:  crr ratio=R   (sigurg transactions/s / kernel's; higher is better)
 */
#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/bench.h"
#include "common/netops.h"

#define PORT 5401
#define WARMUP 200

struct crr_opts {
    int runs;
    double seconds;
    int cpu;
    int sigurg;
};

struct server {
    struct bench_net *n;
    int lfd;
    int err;
};

static void *serve(void *arg)
{
    struct server *s = arg;
    for (;;) {
        int fd = s->n->accept(s->lfd, NULL, NULL);
        if (fd < 0) {
            s->err = errno;
            return NULL;
        }
        char c = 0, d;
        ssize_t r = s->n->recv(fd, &c, 1, 0);
        if (r != 1 || s->n->send(fd, &c, 1, 0) != 1 || s->n->recv(fd, &d, 1, 0) != 0) {
            s->err = r < 0 ? errno : EPROTO;
            s->n->close(fd);
            return NULL;
        }
        s->n->close(fd);
        if (c == 'q')
            return NULL;
    }
}

static int transaction(struct bench_net *n, const struct sockaddr_in *sa, char c)
{
    int fd = n->socket(n, 0, AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return -1;
    int ok = n->connect(fd, (const struct sockaddr *)sa, sizeof *sa) == 0 &&
             n->send(fd, &c, 1, 0) == 1 && n->recv(fd, &c, 1, 0) == 1;
    int e = errno;
    n->close(fd);
    errno = e;
    return ok ? 0 : -1;
}

static double crr_measure(struct bench_net *n, double seconds)
{
    struct sockaddr_in sa = n->server;
    sa.sin_port = htons(PORT);
    int one = 1;
    int l = n->socket(n, 1, AF_INET, SOCK_STREAM, 0);
    if (l < 0)
        return NAN;
    n->setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (n->bind(l, (struct sockaddr *)&sa, sizeof sa) < 0 || n->listen(l, 128) < 0) {
        perror("crr: listen");
        return NAN;
    }
    struct server s = {.n = n, .lfd = l};
    pthread_t th;
    if (pthread_create(&th, NULL, serve, &s) != 0)
        return NAN;
    uint64_t done = 0, t0 = 0, t1 = 0, deadline = 0;
    int ok = 1;
    for (uint64_t i = 0;; i++) {
        if (i == WARMUP) {
            t0 = bench_now_ns();
            deadline = t0 + (uint64_t)(seconds * 1e9);
        }
        if (transaction(n, &sa, 'x') < 0) {
            fprintf(stderr, "crr: transaction %llu: %s\n", (unsigned long long)i, strerror(errno));
            ok = 0;
            break;
        }
        if (i >= WARMUP) {
            done++;
            if ((done & 15) == 0 && (t1 = bench_now_ns()) >= deadline)
                break;
        }
    }
    /* on failure the server may be stuck in accept(): leave it, the
     * measuring process exits anyway */
    if (!ok || transaction(n, &sa, 'q') < 0)
        return NAN;
    pthread_join(th, NULL);
    n->close(l);
    if (s.err) {
        if (s.err)
            fprintf(stderr, "crr: server: %s\n", strerror(s.err));
        return NAN;
    }
    return (double)done * 1e9 / (double)(t1 - t0);
}

static int kernel_child(void *arg, double *out, size_t nout)
{
    const struct crr_opts *o = arg;
    if (bench_netns_enter(0, 0) < 0)
        return 1;
    if (bench_sysctl_write("net/ipv4/ip_local_port_range", "1024 65535") < 0)
        fprintf(stderr, "crr: could not widen ip_local_port_range\n");
    if (o->cpu >= 0 && bench_pin_self(o->cpu) < 0)
        return 1;
    struct bench_net n;
    bench_net_kernel(&n);
    out[0] = crr_measure(&n, o->seconds);
    return isnan(out[0]);
}

static int sigurg_child(void *arg, double *out, size_t nout)
{
    const struct crr_opts *o = arg;
    if (o->cpu >= 0 && bench_pin_self(o->cpu) < 0)
        return 1;
    struct bench_net n;
    if (bench_net_sigurg(&n, 1500) < 0)
        return 1;
    out[0] = crr_measure(&n, o->seconds);
    n.teardown(&n);
    return isnan(out[0]);
}

static void print_row(const char *name, double *v, int runs, double *median)
{
    int ok = 0;
    printf("%-28s", name);
    for (int r = 0; r < runs; r++) {
        printf(" %8.0f", v[r]);
        ok += !isnan(v[r]);
    }
    *median = ok == runs ? bench_median(v, (size_t)runs) : NAN;
    printf("   median %8.0f\n", *median);
}

int main(int argc, char **argv)
{
    struct crr_opts o = {.runs = 5, .seconds = 1.0, .cpu = -1, .sigurg = 1};
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--runs") && i + 1 < argc)
            o.runs = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--seconds") && i + 1 < argc)
            o.seconds = atof(argv[++i]);
        else if (!strcmp(argv[i], "--cpu") && i + 1 < argc)
            o.cpu = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--kernel-only"))
            o.sigurg = 0;
        else {
            fprintf(stderr, "usage: crr [--runs N] [--seconds S] [--cpu N] [--kernel-only]\n");
            return 2;
        }
    }
    if (o.runs < 1 || o.seconds <= 0)
        return 2;
    if (o.sigurg && bench_net_sigurg_missing()) {
        printf("note: sigurg side unavailable: %s\n", bench_net_sigurg_missing());
        o.sigurg = 0;
    }
    printf("crr: connect + 1-byte request/response + close (client closes first), "
           "%.1f s per run, %s\n",
           o.seconds, o.cpu >= 0 ? "pinned to one core" : "not pinned");
    double *k = calloc((size_t)o.runs, sizeof *k), *s = calloc((size_t)o.runs, sizeof *s);
    if (!k || !s)
        return 1;
    for (int r = 0; r < o.runs; r++) {
        double v;
        k[r] = bench_in_child(kernel_child, &o, &v, 1) == 0 ? v : NAN;
        s[r] = o.sigurg && bench_in_child(sigurg_child, &o, &v, 1) == 0 ? v : NAN;
    }
    double km, sm;
    printf("transactions (connections) per second:\n");
    print_row("kernel loopback", k, o.runs, &km);
    print_row("sigurg threaded, memlink", s, o.runs, &sm);
    char ratio[16];
    bench_ratio_str(sm, km, ratio, sizeof ratio);
    printf("crr ratio=%s\n", ratio);
    free(k);
    free(s);
    return 0;
}

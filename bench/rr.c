/* rr: one-byte request/response round trips per second over one TCP
 * connection (netperf's TCP_RR with 1-byte messages).
 *
 * The same client and server code (common/netops.h) runs on
 *   kernel  loopback (127.0.0.1) in a private network namespace;
 *   sigurg  two stacks in threaded mode, each with its service thread,
 *           joined by a memlink (MTU 1500); 10.0.0.1 -> 10.0.0.2.
 * Client (this thread) and server (one more thread) make blocking calls:
 * send 1 byte, recv 1 byte; TCP_NODELAY on both ends. Nothing is pinned
 * (the kernel's two threads and sigurg's four share the machine's cores
 * as the scheduler likes; --cpu N pins everything of a run to core N).
 *
 * Each run: 2000 warm-up round trips, then as many as fit in --seconds
 * (default 1). --runs (default 5) runs per side, interleaved; medians.
 *
 * Last line:  rr ratio=R   (sigurg round trips/s / kernel round trips/s;
 *                           higher is better, "na" if a side failed)
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

#define PORT 5301
#define WARMUP 2000

struct rr_opts {
    int runs;
    double seconds;
    int cpu; /* -1: not pinned */
    int sigurg;
};

struct server {
    struct bench_net *n;
    int fd;
    uint64_t served;
    int err;
};

static void *serve(void *arg)
{
    struct server *s = arg;
    char c;
    for (;;) {
        ssize_t r = s->n->recv(s->fd, &c, 1, 0);
        if (r == 0)
            break;
        if (r < 0) {
            s->err = errno;
            break;
        }
        if (s->n->send(s->fd, &c, 1, 0) != 1) {
            s->err = errno;
            break;
        }
        s->served++;
    }
    return NULL;
}

/* Round trips per second over n; NAN on failure. */
static double rr_measure(struct bench_net *n, double seconds)
{
    int cfd, sfd;
    if (bench_net_pair(n, PORT, &cfd, &sfd) < 0)
        return NAN;
    struct server s = {.n = n, .fd = sfd};
    pthread_t th;
    if (pthread_create(&th, NULL, serve, &s) != 0)
        return NAN;
    char c = 'x';
    uint64_t done = 0, t0 = 0, t1 = 0, deadline = 0;
    int ok = 1;
    for (uint64_t i = 0;; i++) {
        if (i == WARMUP) {
            t0 = bench_now_ns();
            deadline = t0 + (uint64_t)(seconds * 1e9);
        }
        if (n->send(cfd, &c, 1, 0) != 1 || n->recv(cfd, &c, 1, 0) != 1) {
            perror("rr: client");
            ok = 0;
            break;
        }
        if (i >= WARMUP) {
            done++;
            if ((done & 63) == 0 && (t1 = bench_now_ns()) >= deadline)
                break;
        }
    }
    n->close(cfd);
    pthread_join(th, NULL);
    n->close(sfd);
    if (!ok || s.err) {
        if (s.err)
            fprintf(stderr, "rr: server: %s\n", strerror(s.err));
        return NAN;
    }
    return (double)done * 1e9 / (double)(t1 - t0);
}

static int kernel_child(void *arg, double *out, size_t nout)
{
    const struct rr_opts *o = arg;
    if (bench_netns_enter(0, 0) < 0)
        return 1;
    if (o->cpu >= 0 && bench_pin_self(o->cpu) < 0)
        return 1;
    struct bench_net n;
    bench_net_kernel(&n);
    out[0] = rr_measure(&n, o->seconds);
    return isnan(out[0]);
}

static int sigurg_child(void *arg, double *out, size_t nout)
{
    const struct rr_opts *o = arg;
    if (o->cpu >= 0 && bench_pin_self(o->cpu) < 0)
        return 1;
    struct bench_net n;
    if (bench_net_sigurg(&n, 1500) < 0)
        return 1;
    out[0] = rr_measure(&n, o->seconds);
    n.teardown(&n);
    return isnan(out[0]);
}

static void print_row(const char *name, double *v, int runs, double *median)
{
    int ok = 0;
    printf("%-28s", name);
    for (int r = 0; r < runs; r++) {
        printf(" %9.0f", v[r]);
        ok += !isnan(v[r]);
    }
    *median = ok == runs ? bench_median(v, (size_t)runs) : NAN;
    printf("   median %9.0f\n", *median);
}

int main(int argc, char **argv)
{
    struct rr_opts o = {.runs = 5, .seconds = 1.0, .cpu = -1, .sigurg = 1};
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
            fprintf(stderr, "usage: rr [--runs N] [--seconds S] [--cpu N] [--kernel-only]\n");
            return 2;
        }
    }
    if (o.runs < 1 || o.seconds <= 0)
        return 2;
    if (o.sigurg && bench_net_sigurg_missing()) {
        printf("note: sigurg side unavailable: %s\n", bench_net_sigurg_missing());
        o.sigurg = 0;
    }
    printf("rr: 1-byte request/response, one connection, blocking calls, TCP_NODELAY, "
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
    printf("round trips per second:\n");
    print_row("kernel loopback", k, o.runs, &km);
    print_row("sigurg threaded, memlink", s, o.runs, &sm);
    char ratio[16];
    bench_ratio_str(sm, km, ratio, sizeof ratio);
    printf("rr ratio=%s\n", ratio);
    free(k);
    free(s);
    return 0;
}

/* oob_latency: how long urgent data takes to reach the receiving
 * application, from the sender's send(MSG_OOB) to
 *   sig   the receiver's SIGURG handler running (F_SETOWN = this process;
 *         every thread but the receiver blocks SIGURG, so the receiver is
 *         the one woken);
 *   poll  the receiver's poll(POLLPRI) returning (no SIGURG owner);
 *   recv  the receiver's first successful recv(MSG_OOB) after that poll.
 * Each latency is (time seen by the receiver - time just before the
 * sender's send), CLOCK_MONOTONIC on both sides.
 *
 * One iteration: the sender sends 1 byte with MSG_OOB (out of line), the
 * receiver notices it (handler, or poll), takes the byte with
 * recv(MSG_OOB) and answers with 1 normal byte, for which the sender waits
 * (recv) before the next iteration. TCP_NODELAY on both ends.
 *
 * The same code (common/netops.h) runs on
 *   kernel  loopback (127.0.0.1) in a private network namespace;
 *   sigurg  two stacks in threaded mode (each with its service thread)
 *           joined by a memlink, MTU 1500; SIGURG is raised by the
 *           runtime (kill() of the F_SETOWN owner).
 * Not pinned unless --cpu N.
 *
 * --runs (5) runs per side, interleaved, of --iters (2000) iterations
 * per phase after 200 warm-up iterations; all samples of a side pooled,
 * medians quoted (and per-run medians, p10, p90 shown).
 *
 * Last line (each sigurg median / kernel median; lower is better):
 *   oob-latency ratio sigurg=R1 poll=R2 recv=R3
 * ("sigurg=" is the SIGURG handler latency.)
 */
#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/bench.h"
#include "common/netops.h"

#define PORT 5501
#define WARMUP 200

enum { LAT_SIG, LAT_POLL, LAT_RECV, NLAT };
static const char *const lat_name[NLAT] = {"SIGURG handler", "poll POLLPRI", "recv MSG_OOB"};

struct oob_opts {
    int runs, iters, cpu, sigurg;
};

/* shared between sender, receiver and the handler */
static _Atomic uint64_t t_send;
static _Atomic uint64_t t_sig;
static _Atomic int sig_seen;

static void on_sigurg(int sig)
{
    (void)sig;
    atomic_store(&t_sig, bench_now_ns());
    atomic_store(&sig_seen, 1);
}

struct receiver {
    struct bench_net *n;
    int fd;
    int iters; /* per phase, warm-up included */
    double *lat[NLAT];
    int err;
};

/* Take the urgent byte: recv(MSG_OOB) until it succeeds (it may not have
 * arrived yet when the signal did: EAGAIN, or EINVAL before the pointer). */
static int take_oob(struct bench_net *n, int fd)
{
    for (;;) {
        char c;
        ssize_t r = n->recv(fd, &c, 1, MSG_OOB);
        if (r == 1)
            return 0;
        if (r < 0 && errno != EAGAIN && errno != EINVAL && errno != EINTR)
            return -1;
        struct pollfd p = {.fd = fd, .events = POLLPRI};
        n->poll(&p, 1, 10);
    }
}

static void *receive(void *arg)
{
    struct receiver *r = arg;
    struct bench_net *n = r->n;
    sigset_t urg;
    sigemptyset(&urg);
    sigaddset(&urg, SIGURG);
    pthread_sigmask(SIG_UNBLOCK, &urg, NULL); /* the one thread SIGURG may hit */
    char ack = 'a';
    /* phase 1: SIGURG (the owner was set before the thread started) */
    for (int i = 0; i < r->iters; i++) {
        while (!atomic_load(&sig_seen))
            poll(NULL, 0, 1); /* the handler interrupts this sleep */
        atomic_store(&sig_seen, 0);
        uint64_t ts = atomic_load(&t_sig);
        if (take_oob(n, r->fd) < 0)
            goto fail;
        if (i >= WARMUP)
            r->lat[LAT_SIG][i - WARMUP] = (double)(ts - atomic_load(&t_send));
        if (n->send(r->fd, &ack, 1, 0) != 1)
            goto fail;
    }
    /* phase 2: poll(POLLPRI), then recv(MSG_OOB) (the sender cleared the owner) */
    for (int i = 0; i < r->iters; i++) {
        struct pollfd p = {.fd = r->fd, .events = POLLPRI};
        int pr;
        while ((pr = n->poll(&p, 1, -1)) < 0 && errno == EINTR)
            ;
        uint64_t tp = bench_now_ns();
        if (pr != 1 || !(p.revents & POLLPRI) || take_oob(n, r->fd) < 0)
            goto fail;
        uint64_t tr = bench_now_ns(), t0 = atomic_load(&t_send);
        if (i >= WARMUP) {
            r->lat[LAT_POLL][i - WARMUP] = (double)(tp - t0);
            r->lat[LAT_RECV][i - WARMUP] = (double)(tr - t0);
        }
        if (n->send(r->fd, &ack, 1, 0) != 1)
            goto fail;
    }
    return NULL;
fail:
    r->err = errno ? errno : EPROTO;
    fprintf(stderr, "oob_latency: receiver: %s\n", strerror(r->err));
    return NULL;
}

static int send_oob_and_wait(struct bench_net *n, int fd)
{
    char c = '!';
    atomic_store(&t_send, bench_now_ns());
    if (n->send(fd, &c, 1, MSG_OOB) != 1)
        return -1;
    return n->recv(fd, &c, 1, 0) == 1 ? 0 : -1;
}

/* One run on n: out[k] = median of latency k in ns; the samples are
 * written to the pipe as well, for pooling (see measure_child). */
static int oob_measure(struct bench_net *n, int iters, double *samples[NLAT])
{
    int cfd, sfd;
    if (bench_net_pair(n, PORT, &cfd, &sfd) < 0)
        return -1;
    atomic_store(&sig_seen, 0);
    if (n->setown(sfd, getpid()) < 0) {
        perror("oob_latency: F_SETOWN");
        return -1;
    }
    struct receiver r = {.n = n, .fd = sfd, .iters = iters + WARMUP};
    for (int k = 0; k < NLAT; k++)
        r.lat[k] = samples[k];
    pthread_t th;
    if (pthread_create(&th, NULL, receive, &r) != 0)
        return -1;
    int ok = 1;
    for (int i = 0; ok && i < iters + WARMUP; i++)
        ok = send_oob_and_wait(n, cfd) == 0;
    /* no more signals: phase 2 is poll only. The receiver is waiting for
     * the next urgent byte, not touching the owner. */
    if (ok && n->setown(sfd, 0) < 0)
        ok = 0;
    for (int i = 0; ok && i < iters + WARMUP; i++)
        ok = send_oob_and_wait(n, cfd) == 0;
    if (!ok) {
        perror("oob_latency: sender");
        return -1; /* the measuring process exits, the receiver with it */
    }
    pthread_join(th, NULL);
    n->close(cfd);
    n->close(sfd);
    return r.err ? -1 : 0;
}

/* The child writes its raw samples to a temporary file named by the
 * parent (bench_in_child returns only a few numbers). */
struct job {
    const struct oob_opts *o;
    int sigurg;
    const char *path;
};

static int measure_child(void *arg, double *out, size_t nout)
{
    const struct job *j = arg;
    sigset_t urg;
    sigemptyset(&urg);
    sigaddset(&urg, SIGURG);
    /* blocked in this thread and so in every thread created from now on
     * (the stack's service threads included); the receiver unblocks it */
    pthread_sigmask(SIG_BLOCK, &urg, NULL);
    struct sigaction sa = {.sa_handler = on_sigurg};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGURG, &sa, NULL);
    struct bench_net n;
    if (j->sigurg) {
        if (bench_net_sigurg(&n, 1500) < 0)
            return 1;
    } else {
        if (bench_netns_enter(0, 0) < 0)
            return 1;
        bench_net_kernel(&n);
    }
    if (j->o->cpu >= 0 && bench_pin_self(j->o->cpu) < 0)
        return 1;
    size_t m = (size_t)j->o->iters;
    double *samples[NLAT];
    for (int k = 0; k < NLAT; k++)
        if (!(samples[k] = calloc(m, sizeof(double))))
            return 1;
    if (oob_measure(&n, j->o->iters, samples) < 0)
        return 1;
    FILE *f = fopen(j->path, "wb");
    if (!f)
        return 1;
    for (int k = 0; k < NLAT; k++)
        fwrite(samples[k], sizeof(double), m, f);
    fclose(f);
    for (int k = 0; k < NLAT; k++) {
        out[k] = bench_median(samples[k], m);
        free(samples[k]);
    }
    if (j->sigurg)
        n.teardown(&n);
    return 0;
}

struct side {
    const char *name;
    double *pool[NLAT];
    size_t npool;
    double *run_median[NLAT];
    int failed;
};

static void run_side(const struct oob_opts *o, struct side *s, int sigurg, int r)
{
    char path[64];
    snprintf(path, sizeof path, "/tmp/sigurg-oob-latency.%d", (int)getpid());
    struct job j = {o, sigurg, path};
    double med[NLAT];
    if (bench_in_child(measure_child, &j, med, NLAT) != 0) {
        s->failed = 1;
        unlink(path);
        return;
    }
    FILE *f = fopen(path, "rb");
    size_t m = (size_t)o->iters;
    for (int k = 0; k < NLAT; k++) {
        s->run_median[k][r] = med[k];
        if (!f || fread(s->pool[k] + s->npool, sizeof(double), m, f) != m)
            s->failed = 1;
    }
    if (f)
        fclose(f);
    unlink(path);
    s->npool += m;
}

static void report(const struct oob_opts *o, struct side *s, double med[NLAT])
{
    printf("%s:\n", s->name);
    for (int k = 0; k < NLAT; k++) {
        if (s->failed) {
            med[k] = NAN;
            printf("  %-15s  unavailable\n", lat_name[k]);
            continue;
        }
        med[k] = bench_median(s->pool[k], s->npool) / 1e3;
        double p10 = bench_percentile(s->pool[k], s->npool, 10) / 1e3;
        double p90 = bench_percentile(s->pool[k], s->npool, 90) / 1e3;
        printf("  %-15s median %7.2f us  (p10 %6.2f, p90 %7.2f; run medians", lat_name[k], med[k],
               p10, p90);
        for (int r = 0; r < o->runs; r++)
            printf(" %.2f", s->run_median[k][r] / 1e3);
        printf(")\n");
    }
}

int main(int argc, char **argv)
{
    struct oob_opts o = {.runs = 5, .iters = 2000, .cpu = -1, .sigurg = 1};
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--runs") && i + 1 < argc)
            o.runs = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--iters") && i + 1 < argc)
            o.iters = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--cpu") && i + 1 < argc)
            o.cpu = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--kernel-only"))
            o.sigurg = 0;
        else {
            fprintf(stderr,
                    "usage: oob_latency [--runs N] [--iters N] [--cpu N] [--kernel-only]\n");
            return 2;
        }
    }
    if (o.runs < 1 || o.iters < 1)
        return 2;
    if (o.sigurg && bench_net_sigurg_missing()) {
        printf("note: sigurg side unavailable: %s\n", bench_net_sigurg_missing());
        o.sigurg = 0;
    }
    printf("oob_latency: send(MSG_OOB) -> receiver, %d runs x %d iterations per phase, %s\n",
           o.runs, o.iters, o.cpu >= 0 ? "pinned to one core" : "not pinned");
    struct side sides[2] = {{.name = "kernel loopback"}, {.name = "sigurg threaded, memlink"}};
    for (int s = 0; s < 2; s++) {
        for (int k = 0; k < NLAT; k++) {
            sides[s].pool[k] = calloc((size_t)o.runs * (size_t)o.iters, sizeof(double));
            sides[s].run_median[k] = calloc((size_t)o.runs, sizeof(double));
            if (!sides[s].pool[k] || !sides[s].run_median[k])
                return 1;
        }
    }
    sides[1].failed = !o.sigurg;
    for (int r = 0; r < o.runs; r++) {
        run_side(&o, &sides[0], 0, r);
        if (o.sigurg)
            run_side(&o, &sides[1], 1, r);
    }
    double km[NLAT], sm[NLAT];
    report(&o, &sides[0], km);
    report(&o, &sides[1], sm);
    char r[NLAT][16];
    for (int k = 0; k < NLAT; k++)
        bench_ratio_str(sm[k], km[k], r[k], sizeof r[k]);
    printf("oob-latency ratio sigurg=%s poll=%s recv=%s\n", r[LAT_SIG], r[LAT_POLL], r[LAT_RECV]);
    for (int sd = 0; sd < 2; sd++)
        for (int k = 0; k < NLAT; k++) {
            free(sides[sd].pool[k]);
            free(sides[sd].run_median[k]);
        }
    return 0;
}

/* bulk: one-way bulk transfer throughput on ONE core.
 *
 * What is compared, each measured in the same run, --runs times (default
 * 5), interleaved so that a noisy stretch of the machine hits every
 * configuration alike; the median is quoted:
 *
 *   sigurg  two stacks in one sg_world, one thread, joined by a perfect
 *           in-memory link (memlink) at MTU 1500 and MTU 65535; the
 *           sender writes and the receiver reads --chunk bytes at a time
 *           through non-blocking sockets while the thread steps the world.
 *   kernel  TCP over `lo` in a private network namespace with lo's MTU set
 *           to the same value; sender and receiver are two threads pinned
 *           to the same single core. At MTU 1500 with offloads off
 *           (ethtool -K lo tso off gso off gro off) -- the comparable
 *           figure, every segment really is 1500 bytes -- and with them on
 *           (the default; printed for honesty). At MTU 65535 with lo's
 *           default offloads. Note that lo never computes checksums
 *           (rx-checksumming is fixed on; tx checksums are left partial).
 *   lwIP    (if bench/lwip_bulk was built against liblwip-dev) the raw
 *           API of Debian's liblwip 2.1.3, one thread, two netifs joined
 *           in memory; see bench/lwip/lwip_bulk.c for what that package
 *           allows and what it does not.
 *
 * Every configuration moves --bytes (default 1 GiB) through user buffers
 * of --chunk bytes (default 128 KiB) on both sides; throughput is
 * bytes*8 / (time the receiver got the last byte - time of the first send).
 *
 * --callgrind: instead, run a --bytes (default 64 MiB) sigurg-only
 * transfer at both MTUs under `valgrind --tool=callgrind`, counting only
 * the transfer itself (--toggle-collect=sgbulk_transfer), and print
 * instructions per byte; lwip_bulk is run the same way for reference
 * (the kernel cannot be counted so). Unlike wall time, this does not
 * depend on how busy the machine is.
 *
 * Last line (machine-readable; "na" where a side could not be measured):
 *   bulk ratio mtu1500=R1 mtu65535=R2        (sigurg Gbit/s / kernel Gbit/s)
 * In --callgrind mode:
 *   bulk-callgrind ipb mtu1500=I1 mtu65535=I2
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/bench.h"
#include "common/sgbulk.h"

#define PORT 5201

struct opts {
    int runs;
    uint64_t bytes;
    size_t chunk;
    int cpu;
    int want_kernel, want_lwip, want_sigurg;
    int callgrind;
    int sigurg_only; /* internal: one sigurg transfer at --mtu (for callgrind) */
    uint32_t mtu;
};

/* ---- the kernel ------------------------------------------------------------ */

struct kjob {
    const struct opts *o;
    uint32_t mtu;
    int offloads_off;
};

struct krecv {
    int lfd;
    uint64_t bytes;
    size_t chunk;
    uint64_t t_end;
    int err;
};

static void *kernel_receiver(void *arg)
{
    struct krecv *r = arg;
    char *buf = malloc(r->chunk);
    int fd = accept(r->lfd, NULL, NULL);
    if (fd < 0 || !buf) {
        r->err = errno ? errno : ENOMEM;
        free(buf);
        return NULL;
    }
    uint64_t got = 0;
    while (got < r->bytes) {
        ssize_t n = recv(fd, buf, r->chunk, 0);
        if (n <= 0) {
            r->err = n < 0 ? errno : EPIPE;
            break;
        }
        got += (uint64_t)n;
    }
    r->t_end = bench_now_ns();
    close(fd);
    free(buf);
    return NULL;
}

static int kernel_bulk_child(void *arg, double *out, size_t nout)
{
    const struct kjob *j = arg;
    if (bench_netns_enter(j->mtu, j->offloads_off) < 0)
        return 1;
    /* pinned before the receiver thread exists: both run on this core */
    if (bench_pin_self(j->o->cpu) < 0) {
        perror("bulk: sched_setaffinity");
        return 1;
    }
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(PORT)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int lfd = socket(AF_INET, SOCK_STREAM, 0);
    if (lfd < 0 || bind(lfd, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(lfd, 1) < 0) {
        perror("bulk: kernel listen");
        return 1;
    }
    struct krecv r = {.lfd = lfd, .bytes = j->o->bytes, .chunk = j->o->chunk};
    pthread_t th;
    if (pthread_create(&th, NULL, kernel_receiver, &r) != 0)
        return 1;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
        perror("bulk: kernel connect");
        return 1;
    }
    char *buf = malloc(j->o->chunk);
    if (!buf)
        return 1;
    memset(buf, 0xa5, j->o->chunk);
    uint64_t t0 = bench_now_ns(), sent = 0;
    while (sent < j->o->bytes) {
        size_t want = j->o->chunk;
        if (j->o->bytes - sent < want)
            want = (size_t)(j->o->bytes - sent);
        ssize_t n = send(fd, buf, want, 0);
        if (n < 0) {
            perror("bulk: kernel send");
            return 1;
        }
        sent += (uint64_t)n;
    }
    pthread_join(th, NULL);
    close(fd);
    close(lfd);
    free(buf);
    if (r.err) {
        fprintf(stderr, "bulk: kernel receiver: %s\n", strerror(r.err));
        return 1;
    }
    out[0] = (double)j->o->bytes * 8 / (double)(r.t_end - t0); /* bits/ns = Gbit/s */
    return 0;
}

static double kernel_bulk(const struct opts *o, uint32_t mtu, int offloads_off)
{
    struct kjob j = {o, mtu, offloads_off};
    double g;
    return bench_in_child(kernel_bulk_child, &j, &g, 1) == 0 ? g : NAN;
}

/* ---- lwIP (a separate program: its symbols tcp_new, tcp_input ... clash
 * with sigurg's own, so the two never share an executable) ----------------- */

static double lwip_bulk(const struct opts *o, uint32_t mtu)
{
    char path[4096];
    if (!bench_sibling("lwip_bulk", path, sizeof path))
        return NAN;
    char bytes[32], smtu[16], cpu[16], chunk[32];
    snprintf(bytes, sizeof bytes, "%" PRIu64, o->bytes);
    snprintf(smtu, sizeof smtu, "%u", mtu);
    snprintf(cpu, sizeof cpu, "%d", o->cpu);
    snprintf(chunk, sizeof chunk, "%zu", o->chunk);
    int p[2];
    if (pipe(p) < 0)
        return NAN;
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0)
        return NAN;
    if (pid == 0) {
        dup2(p[1], 1);
        close(p[0]);
        close(p[1]);
        execl(path, path, "--bytes", bytes, "--mtu", smtu, "--cpu", cpu, "--chunk", chunk,
              (char *)NULL);
        _exit(127);
    }
    close(p[1]);
    char buf[512];
    size_t got = 0;
    ssize_t n;
    while (got < sizeof buf - 1 && (n = read(p[0], buf + got, sizeof buf - 1 - got)) > 0)
        got += (size_t)n;
    buf[got] = 0;
    close(p[0]);
    int st;
    waitpid(pid, &st, 0);
    const char *g = strstr(buf, "gbps=");
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0 || !g)
        return NAN;
    return strtod(g + 5, NULL);
}

/* ---- sigurg ------------------------------------------------------------------- */

static int sigurg_bulk_child(void *arg, double *out, size_t nout)
{
    const struct kjob *j = arg;
    if (bench_pin_self(j->o->cpu) < 0)
        return 1;
    struct sgbulk_result res;
    if (sgbulk_run(j->o->bytes, j->mtu, j->o->chunk, &res) < 0)
        return 1;
    out[0] = (double)j->o->bytes * 8 / (double)res.ns;
    out[1] = (double)res.data_segs;
    out[2] = (double)res.retrans;
    out[3] = (double)res.acks;
    out[4] = (double)res.steps;
    out[5] = (double)res.virtual_ns;
    return 0;
}

/* What the last sigurg run at each MTU did, shown under the table. */
static double sigurg_diag[2][6];

static double sigurg_bulk(const struct opts *o, uint32_t mtu)
{
    if (sgbulk_missing())
        return NAN;
    struct kjob j = {o, mtu, 0};
    double *d = sigurg_diag[mtu > 1500];
    return bench_in_child(sigurg_bulk_child, &j, d, 6) == 0 ? d[0] : NAN;
}

/* ---- callgrind ------------------------------------------------------------------ */

/* Run ourselves (or, lwip, the lwip_bulk program) under callgrind for one
 * transfer; returns the instructions counted inside sgbulk_transfer() (the
 * transfer, not the set-up; for lwIP the whole program, whose set-up is
 * negligible), or NAN. */
static double callgrind_ir(const struct opts *o, uint32_t mtu, int lwip)
{
    char self[4096], out[64], bytes[32], smtu[16], chunk[32];
    if (lwip) {
        if (!bench_sibling("lwip_bulk", self, sizeof self))
            return NAN;
    } else {
        ssize_t len = readlink("/proc/self/exe", self, sizeof self - 1);
        if (len <= 0)
            return NAN;
        self[len] = 0;
    }
    snprintf(out, sizeof out, "/tmp/sigurg-bulk-callgrind.%d.out", (int)getpid());
    char outarg[96];
    snprintf(outarg, sizeof outarg, "--callgrind-out-file=%s", out);
    snprintf(bytes, sizeof bytes, "%" PRIu64, o->bytes);
    snprintf(smtu, sizeof smtu, "%u", mtu);
    snprintf(chunk, sizeof chunk, "%zu", o->chunk);
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0)
        return NAN;
    if (pid == 0) {
        int devnull = open("/dev/null", O_WRONLY);
        if (devnull >= 0)
            dup2(devnull, 1); /* the program's own figure means nothing under valgrind */
        if (lwip)
            execlp("valgrind", "valgrind", "--tool=callgrind", "-q", outarg, self, "--bytes", bytes,
                   "--mtu", smtu, "--chunk", chunk, (char *)NULL);
        else
            execlp("valgrind", "valgrind", "--tool=callgrind", "-q", outarg,
                   "--toggle-collect=sgbulk_transfer", self, "--sigurg-only", "--bytes", bytes,
                   "--mtu", smtu, "--chunk", chunk, (char *)NULL);
        perror("bulk: valgrind (apt-get install valgrind)");
        _exit(127);
    }
    int st;
    waitpid(pid, &st, 0);
    double ir = NAN;
    FILE *f = fopen(out, "r");
    if (f) {
        char line[512];
        while (fgets(line, sizeof line, f))
            if (!strncmp(line, "summary:", 8) || !strncmp(line, "totals:", 7))
                ir = strtod(strchr(line, ':') + 1, NULL);
        fclose(f);
        unlink(out);
    }
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
        return NAN;
    return ir;
}

static int run_callgrind(struct opts *o)
{
    if (sgbulk_missing()) {
        printf("bulk --callgrind: sigurg side unavailable: %s\n", sgbulk_missing());
        printf("bulk-callgrind ipb mtu1500=na mtu65535=na\n");
        return 0;
    }
    const uint32_t mtus[2] = {1500, 65535};
    double ipb[2];
    char path[4096];
    int lwip = bench_sibling("lwip_bulk", path, sizeof path) != NULL;
    printf("bulk --callgrind: %" PRIu64 " MiB one way, one thread, instructions (Ir) per byte "
           "moved, both ends' stacks and copies included\n",
           o->bytes >> 20);
    for (int i = 0; i < 2; i++) {
        double ir = callgrind_ir(o, mtus[i], 0);
        ipb[i] = ir / (double)o->bytes;
        printf("  sigurg mtu %5u: %12.0f instructions, %6.2f per byte (the transfer only)\n",
               mtus[i], ir, ipb[i]);
        if (lwip) {
            double lir = callgrind_ir(o, mtus[i], 1);
            printf("  lwIP   mtu %5u: %12.0f instructions, %6.2f per byte (whole program; "
                   "for reference)\n",
                   mtus[i], lir, lir / (double)o->bytes);
        }
    }
    char a[32], b[32];
    snprintf(a, sizeof a, isnan(ipb[0]) ? "na" : "%.3f", ipb[0]);
    snprintf(b, sizeof b, isnan(ipb[1]) ? "na" : "%.3f", ipb[1]);
    printf("bulk-callgrind ipb mtu1500=%s mtu65535=%s\n", a, b);
    return 0;
}

/* ---- main ------------------------------------------------------------------------- */

enum { K1500_OFF, K1500_ON, K65535, L1500, L65535, S1500, S65535, NCONF };

static const char *const conf_name[NCONF] = {
    "kernel lo mtu 1500, offloads off",
    "kernel lo mtu 1500, offloads on",
    "kernel lo mtu 65535 (offloads on)",
    "lwIP raw API mtu 1500",
    "lwIP raw API mtu 65535",
    "sigurg world mtu 1500",
    "sigurg world mtu 65535",
};

static double measure(const struct opts *o, int c)
{
    switch (c) {
    case K1500_OFF:
        return o->want_kernel ? kernel_bulk(o, 1500, 1) : NAN;
    case K1500_ON:
        return o->want_kernel ? kernel_bulk(o, 1500, 0) : NAN;
    case K65535:
        return o->want_kernel ? kernel_bulk(o, 65535, 0) : NAN;
    case L1500:
        return o->want_lwip ? lwip_bulk(o, 1500) : NAN;
    case L65535:
        return o->want_lwip ? lwip_bulk(o, 65535) : NAN;
    case S1500:
        return o->want_sigurg ? sigurg_bulk(o, 1500) : NAN;
    case S65535:
        return o->want_sigurg ? sigurg_bulk(o, 65535) : NAN;
    }
    return NAN;
}

static void usage(void)
{
    fprintf(stderr, "usage: bulk [--runs N] [--bytes SIZE] [--chunk SIZE] [--cpu N]\n"
                    "            [--only kernel,lwip,sigurg] [--callgrind]\n");
    exit(2);
}

int main(int argc, char **argv)
{
    struct opts o = {.runs = 5,
                     .bytes = 1ull << 30,
                     .chunk = 128 << 10,
                     .cpu = bench_default_cpu(),
                     .want_kernel = 1,
                     .want_lwip = 1,
                     .want_sigurg = 1,
                     .mtu = 1500};
    int bytes_set = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--callgrind")) {
            o.callgrind = 1;
            continue;
        }
        if (!strcmp(a, "--sigurg-only")) {
            o.sigurg_only = 1;
            continue;
        }
        if (!v)
            usage();
        i++;
        if (!strcmp(a, "--runs"))
            o.runs = atoi(v);
        else if (!strcmp(a, "--bytes"))
            o.bytes = bench_parse_size(v), bytes_set = 1;
        else if (!strcmp(a, "--chunk"))
            o.chunk = (size_t)bench_parse_size(v);
        else if (!strcmp(a, "--cpu"))
            o.cpu = atoi(v);
        else if (!strcmp(a, "--mtu"))
            o.mtu = (uint32_t)atoi(v);
        else if (!strcmp(a, "--only")) {
            o.want_kernel = strstr(v, "kernel") != NULL;
            o.want_lwip = strstr(v, "lwip") != NULL;
            o.want_sigurg = strstr(v, "sigurg") != NULL;
        } else
            usage();
    }
    if (o.runs < 1 || o.bytes == 0 || o.chunk == 0)
        usage();

    if (o.sigurg_only) { /* the process callgrind watches */
        struct sgbulk_result res;
        if (sgbulk_run(o.bytes, o.mtu, o.chunk, &res) < 0)
            return 1;
        printf("gbps=%.3f\n", (double)o.bytes * 8 / (double)res.ns);
        return 0;
    }
    if (o.callgrind) {
        if (!bytes_set)
            o.bytes = 64ull << 20;
        return run_callgrind(&o);
    }

    char path[4096];
    if (o.want_lwip && !bench_sibling("lwip_bulk", path, sizeof path)) {
        printf("note: lwip_bulk was not built (liblwip-dev missing): lwIP is skipped\n");
        o.want_lwip = 0;
    }
    if (o.want_sigurg && sgbulk_missing()) {
        printf("note: sigurg side unavailable: %s\n", sgbulk_missing());
        o.want_sigurg = 0;
    }
    printf("bulk: %" PRIu64 " MiB one way, %zu KiB reads/writes, one core (cpu %d), "
           "median of %d runs\n",
           o.bytes >> 20, o.chunk >> 10, o.cpu, o.runs);

    double *v[NCONF];
    for (int c = 0; c < NCONF; c++) {
        v[c] = calloc((size_t)o.runs, sizeof(double));
        if (!v[c])
            return 1;
    }
    for (int r = 0; r < o.runs; r++)
        for (int c = 0; c < NCONF; c++)
            v[c][r] = measure(&o, c);

    double med[NCONF];
    printf("%-36s %8s   %s\n", "configuration", "Gbit/s", "runs");
    for (int c = 0; c < NCONF; c++) {
        char runs[256] = "";
        size_t off = 0, ok = 0;
        for (int r = 0; r < o.runs; r++) {
            off += (size_t)snprintf(runs + off, sizeof runs - off, "%s%.2f", r ? " " : "", v[c][r]);
            if (off >= sizeof runs)
                off = sizeof runs - 1;
            ok += !isnan(v[c][r]);
        }
        /* a configuration is quoted only if every run of it succeeded */
        med[c] = ok == (size_t)o.runs ? bench_median(v[c], (size_t)o.runs) : NAN;
        if (isnan(med[c]))
            printf("%-36s %8s   %s\n", conf_name[c], "-", runs);
        else
            printf("%-36s %8.2f   %s\n", conf_name[c], med[c], runs);
    }
    for (int m = 0; m < 2 && o.want_sigurg; m++) {
        const double *d = sigurg_diag[m];
        if (isnan(d[0]))
            continue;
        printf("  sigurg mtu %5s, last run: %.0f data segments (%.0f bytes each), %.0f "
               "retransmitted, %.0f ACKs, %.0f world steps, %.1f ms virtual time\n",
               m ? "65535" : "1500", d[1], (double)o.bytes / d[1], d[2], d[3], d[4], d[5] / 1e6);
    }
    char r1[16], r2[16], a[16], b[16];
    printf("ratios (median/median):\n");
    printf("  sigurg/kernel  mtu 1500 (offloads off): %s   (vs offloads on: %s)\n",
           bench_ratio_str(med[S1500], med[K1500_OFF], r1, sizeof r1),
           bench_ratio_str(med[S1500], med[K1500_ON], a, sizeof a));
    printf("  sigurg/kernel  mtu 65535:               %s\n",
           bench_ratio_str(med[S65535], med[K65535], r2, sizeof r2));
    printf("  sigurg/lwIP    mtu 1500: %s   mtu 65535: %s\n",
           bench_ratio_str(med[S1500], med[L1500], a, sizeof a),
           bench_ratio_str(med[S65535], med[L65535], b, sizeof b));
    printf("  lwIP/kernel    mtu 1500 (offloads off): %s   mtu 65535: %s\n",
           bench_ratio_str(med[L1500], med[K1500_OFF], a, sizeof a),
           bench_ratio_str(med[L65535], med[K65535], b, sizeof b));
    printf("bulk ratio mtu1500=%s mtu65535=%s\n", r1, r2);
    for (int c = 0; c < NCONF; c++)
        free(v[c]);
    return 0;
}

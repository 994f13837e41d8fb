/* conn_mem: memory per idle established TCP socket.
 *
 * --conns (default 10,000) connections are opened and left idle (no byte
 * ever sent); both ends are sockets of the measured system, so a run holds
 * 2 x conns sockets (plus one listener) and the figure is bytes per socket:
 * growth / (2 x conns).
 *
 *   kernel  loopback in a private network namespace; the client ends in
 *           one process, the accepted ends in another (RLIMIT_NOFILE's hard
 *           limit may not be raisable: no CAP_SYS_RESOURCE in a container).
 *   sigurg  two threaded stacks joined by a memlink; both hold `conns`
 *           ends. A sigurg descriptor is a kernel eventfd, so one process
 *           holds 2 x conns of them: when the hard RLIMIT_NOFILE is too low
 *           for that, fewer connections are opened (said so; the figure is
 *           per socket either way).
 *
 * What is counted, on both sides, between just before the first connect
 * and just after the last accept (plus 100 ms):
 *   heap    mallinfo2(): uordblks + hblkhd (heap and mmap bytes in use, all
 *           arenas) -- sigurg's sockets, tcbs, buffers, descriptor table.
 *   slab    for each cache below, /sys/kernel/slab/<cache>/objects x
 *           slab_size (objects in use x bytes per object, padding and
 *           metadata included):
 *             TCP               struct tcp_sock (both ends)
 *             request_sock_TCP  SYN_RECV mini-sockets (0 once accepted)
 *             tw_sock_TCP       TIME_WAIT (0: nothing is closed)
 *             sock_inode_cache  struct socket_alloc: the socket's inode
 *             lsm_inode_cache   the LSM blob of that inode
 *             dentry            the descriptor's file's dentry
 *             filp              its struct file
 *             lsm_file_cache    the LSM blob of that file
 *             tcp_bind_bucket, tcp_bind2_bucket  one each per local port
 *                               (client ends); merged on this kernel into
 *                               a shared 128-byte cache, counted once
 *             kmalloc-64        sigurg's eventfd_ctx (one per descriptor);
 *                               generic, so it carries some noise
 *           A sigurg socket costs the kernel an eventfd (dentry, filp,
 *           lsm_file_cache, eventfd_ctx): counted, it is memory the socket
 *           takes. The growth of every slab cache (/proc/slabinfo,
 *           active_objs x objsize) is printed too, for context only.
 *   Socket buffers: none (idle). Before each snapshot the socket caches
 *   are left to settle (a previous run's namespace is freed lazily).
 *
 * --runs (default 3), interleaved; medians.
 * Last line:  conn-mem ratio=R   (sigurg (heap + slab) per socket / kernel
 *                                 slab per socket; target <= 0.5)
 */
#include <arpa/inet.h>
#include <errno.h>
#include <malloc.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/bench.h"
#include "common/netops.h"

#define PORT 5601

static const char *const caches[] = {
    "TCP",  "request_sock_TCP", "tw_sock_TCP",     "sock_inode_cache", "lsm_inode_cache", "dentry",
    "filp", "lsm_file_cache",   "tcp_bind_bucket", "tcp_bind2_bucket", "kmalloc-64",
};
#define NCACHE (sizeof caches / sizeof caches[0])

struct cm_opts {
    int runs, conns, sigurg;
};

/* ---- slab accounting ---------------------------------------------------------- */

static long long read_first_number(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    long long v = -1;
    if (fscanf(f, "%lld", &v) != 1)
        v = -1;
    fclose(f);
    return v;
}

struct slab_snap {
    long long bytes[NCACHE]; /* -1: cache absent */
    char real[NCACHE][128];  /* the cache it is merged into */
    long long all;           /* every cache in /proc/slabinfo */
};

static void slab_snapshot(struct slab_snap *s)
{
    for (size_t i = 0; i < NCACHE; i++) {
        char p[256], link[128];
        snprintf(p, sizeof p, "/sys/kernel/slab/%s", caches[i]);
        ssize_t n = readlink(p, link, sizeof link - 1);
        snprintf(s->real[i], sizeof s->real[i], "%s", n > 0 ? (link[n] = 0, link) : caches[i]);
        snprintf(p, sizeof p, "/sys/kernel/slab/%s/objects", caches[i]);
        long long objs = read_first_number(p);
        snprintf(p, sizeof p, "/sys/kernel/slab/%s/slab_size", caches[i]);
        long long size = read_first_number(p);
        s->bytes[i] = objs < 0 || size < 0 ? -1 : objs * size;
    }
    s->all = 0;
    FILE *f = fopen("/proc/slabinfo", "r");
    if (!f)
        return;
    char line[512];
    while (fgets(line, sizeof line, f)) {
        char name[128];
        long long active, num, size;
        if (sscanf(line, "%127s %lld %lld %lld", name, &active, &num, &size) == 4)
            s->all += active * size;
    }
    fclose(f);
}

/* Wait (at most 10 s) until the socket caches stop shrinking: a previous
 * run's namespace is torn down asynchronously, and its sockets being
 * freed during a measurement would count as negative growth. */
static void slab_settle(void)
{
    long long last = -1;
    for (int i = 0; i < 200; i++) {
        long long now = 0;
        static const char *const sock_caches[] = {"TCP", "tw_sock_TCP", "sock_inode_cache"};
        for (size_t k = 0; k < 3; k++) {
            char p[256];
            snprintf(p, sizeof p, "/sys/kernel/slab/%s/objects", sock_caches[k]);
            now += read_first_number(p);
        }
        if (now == last)
            return;
        last = now;
        usleep(50000);
    }
}

/* ---- the two sides --------------------------------------------------------------- */

/* What a child reports (bench_in_child doubles). */
enum {
    OUT_SOCKETS, /* sockets opened (2 x connections) */
    OUT_HEAP,    /* heap growth, bytes */
    OUT_ALL,     /* growth of every slab cache, bytes */
    OUT_CACHE,   /* OUT_CACHE + i: growth of caches[i], bytes (0 if merged into an earlier one) */
    OUT_N = OUT_CACHE + NCACHE,
};

static void slab_delta(const struct slab_snap *a, const struct slab_snap *b, double *out)
{
    for (size_t i = 0; i < NCACHE; i++) {
        int dup = 0;
        for (size_t j = 0; j < i; j++)
            dup |= !strcmp(a->real[i], a->real[j]);
        out[OUT_CACHE + i] = a->bytes[i] < 0 || b->bytes[i] < 0 ? NAN
                             : dup                              ? 0
                                   : (double)(b->bytes[i] - a->bytes[i]);
    }
    out[OUT_ALL] = (double)(b->all - a->all);
}

static long long heap_in_use(void)
{
    struct mallinfo2 m = mallinfo2();
    return (long long)(m.uordblks + m.hblkhd);
}

/* The largest descriptor count one process may have. */
static int nofile_max(void)
{
    bench_raise_nofile(1u << 20); /* as far as the hard limit allows */
    struct rlimit rl;
    getrlimit(RLIMIT_NOFILE, &rl);
    return rl.rlim_cur > (1u << 20) ? 1 << 20 : (int)rl.rlim_cur;
}

/* The kernel's ends, in two processes: the accepted sockets in a forked
 * child, the clients' here, so neither needs more than `conns`
 * descriptors. Both are in the same namespace. */
static int kernel_child(void *arg, double *out, size_t nout)
{
    const struct cm_opts *o = arg;
    if (nofile_max() < o->conns + 16) {
        fprintf(stderr, "conn_mem: RLIMIT_NOFILE too low for %d connections\n", o->conns);
        return 1;
    }
    if (bench_netns_enter(0, 0) < 0)
        return 1;
    bench_sysctl_write("net/ipv4/ip_local_port_range", "1024 65535");
    int *fds = calloc((size_t)o->conns, sizeof *fds);
    if (!fds)
        return 1;
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(PORT)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int l = socket(AF_INET, SOCK_STREAM, 0);
    if (l < 0 || bind(l, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(l, 4096) < 0) {
        perror("conn_mem: listen");
        return 1;
    }
    int up[2], down[2]; /* server -> us, us -> server */
    if (pipe(up) < 0 || pipe(down) < 0)
        return 1;
    pid_t pid = fork();
    if (pid < 0)
        return 1;
    if (pid == 0) { /* the accepted ends */
        char c = 'r';
        if (write(up[1], &c, 1) != 1)
            _exit(1);
        for (int i = 0; i < o->conns; i++) {
            if ((fds[i] = accept(l, NULL, NULL)) < 0) {
                perror("conn_mem: accept");
                _exit(1);
            }
        }
        c = 'a';
        if (write(up[1], &c, 1) != 1 || read(down[0], &c, 1) != 1)
            _exit(1);
        _exit(0); /* closes them all */
    }
    close(l);
    char c;
    if (read(up[0], &c, 1) != 1)
        return 1;
    struct slab_snap a, b;
    slab_settle();
    slab_snapshot(&a);
    long long h0 = heap_in_use();
    for (int i = 0; i < o->conns; i++) {
        if ((fds[i] = socket(AF_INET, SOCK_STREAM, 0)) < 0 ||
            connect(fds[i], (struct sockaddr *)&sa, sizeof sa) < 0) {
            fprintf(stderr, "conn_mem: connection %d: %s\n", i, strerror(errno));
            return 1;
        }
    }
    if (read(up[0], &c, 1) != 1 || c != 'a')
        return 1;
    usleep(100000); /* let deferred frees (request socks) happen */
    slab_snapshot(&b);
    slab_delta(&a, &b, out);
    out[OUT_HEAP] = (double)(heap_in_use() - h0); /* ours only: ~0 */
    out[OUT_SOCKETS] = 2.0 * o->conns;
    c = 'x';
    if (write(down[1], &c, 1) != 1)
        return 1;
    waitpid(pid, NULL, 0);
    for (int i = 0; i < o->conns; i++)
        close(fds[i]);
    free(fds);
    return 0;
}

static int sigurg_child(void *arg, double *out, size_t nout)
{
    const struct cm_opts *o = arg;
    int conns = o->conns, room = (nofile_max() - 64) / 2;
    if (conns > room)
        conns = room;
    int *fds = calloc((size_t)conns * 2, sizeof *fds);
    if (!fds)
        return 1;
    struct bench_net n;
    if (bench_net_sigurg(&n, 1500) < 0)
        return 1;
    struct sockaddr_in sa = n.server;
    sa.sin_port = htons(PORT);
    int l = n.socket(&n, 1, AF_INET, SOCK_STREAM, 0);
    if (l < 0 || n.bind(l, (struct sockaddr *)&sa, sizeof sa) < 0 || n.listen(l, 4096) < 0) {
        perror("conn_mem: sigurg listen");
        return 1;
    }
    struct slab_snap a, b;
    slab_settle();
    slab_snapshot(&a);
    long long h0 = heap_in_use();
    for (int i = 0; i < conns; i++) {
        int c = n.socket(&n, 0, AF_INET, SOCK_STREAM, 0);
        if (c < 0 || n.connect(c, (struct sockaddr *)&sa, sizeof sa) < 0) {
            fprintf(stderr, "conn_mem: sigurg connection %d: %s\n", i, strerror(errno));
            return 1;
        }
        int s = n.accept(l, NULL, NULL);
        if (s < 0) {
            fprintf(stderr, "conn_mem: sigurg accept %d: %s\n", i, strerror(errno));
            return 1;
        }
        fds[2 * i] = c;
        fds[2 * i + 1] = s;
    }
    usleep(100000); /* let the stacks settle (final ACKs, timers) */
    long long h1 = heap_in_use();
    slab_snapshot(&b);
    slab_delta(&a, &b, out);
    out[OUT_HEAP] = (double)(h1 - h0);
    out[OUT_SOCKETS] = 2.0 * conns;
    for (int i = 0; i < 2 * conns; i++)
        n.close(fds[i]);
    n.close(l);
    n.teardown(&n);
    free(fds);
    return 0;
}

struct side {
    double sockets;
    double per[OUT_N][64]; /* per socket, by run */
    double total[64];      /* heap + listed caches, per socket, by run */
    double med[OUT_N], med_total;
    int ok;
};

static void side_run(struct side *sd, bench_child_fn fn, const struct cm_opts *o, int r)
{
    double v[OUT_N];
    if (bench_in_child(fn, (void *)o, v, OUT_N) != 0 || !(v[OUT_SOCKETS] > 0)) {
        sd->ok = 0;
        return;
    }
    sd->sockets = v[OUT_SOCKETS];
    double t = v[OUT_HEAP];
    for (size_t i = 0; i < NCACHE; i++)
        t += isnan(v[OUT_CACHE + i]) ? 0 : v[OUT_CACHE + i];
    for (int k = 0; k < OUT_N; k++)
        sd->per[k][r] = v[k] / v[OUT_SOCKETS];
    sd->total[r] = t / v[OUT_SOCKETS];
}

static void side_medians(struct side *sd, int runs)
{
    for (int k = 0; k < OUT_N; k++)
        sd->med[k] = sd->ok ? bench_median(sd->per[k], (size_t)runs) : NAN;
    sd->med_total = sd->ok ? bench_median(sd->total, (size_t)runs) : NAN;
}

static const char *merged_note(size_t i, char *buf, size_t len)
{
    char p[256], link[128];
    buf[0] = 0;
    snprintf(p, sizeof p, "/sys/kernel/slab/%s", caches[i]);
    ssize_t n = readlink(p, link, sizeof link - 1);
    if (n <= 0)
        return buf;
    link[n] = 0;
    snprintf(buf, len, "merged into %s", link);
    for (size_t j = 0; j < i; j++) {
        char q[256], l2[128];
        snprintf(q, sizeof q, "/sys/kernel/slab/%s", caches[j]);
        ssize_t m = readlink(q, l2, sizeof l2 - 1);
        if (m > 0 && (l2[m] = 0, !strcmp(l2, link)))
            snprintf(buf, len, "merged into %s, counted with %s", link, caches[j]);
    }
    return buf;
}

int main(int argc, char **argv)
{
    struct cm_opts o = {.runs = 3, .conns = 10000, .sigurg = 1};
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--runs") && i + 1 < argc)
            o.runs = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--conns") && i + 1 < argc)
            o.conns = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--kernel-only"))
            o.sigurg = 0;
        else {
            fprintf(stderr, "usage: conn_mem [--runs N] [--conns N] [--kernel-only]\n");
            return 2;
        }
    }
    if (o.runs < 1 || o.runs > 64 || o.conns < 1)
        return 2;
    if (o.sigurg && bench_net_sigurg_missing()) {
        printf("note: sigurg side unavailable: %s\n", bench_net_sigurg_missing());
        o.sigurg = 0;
    }
    printf("conn_mem: %d idle established connections (%d sockets) per run, %d runs\n", o.conns,
           2 * o.conns, o.runs);
    static struct side k = {.ok = 1}, s = {.ok = 1};
    s.ok = o.sigurg;
    for (int r = 0; r < o.runs; r++) {
        side_run(&k, kernel_child, &o, r);
        if (o.sigurg)
            side_run(&s, sigurg_child, &o, r);
    }
    side_medians(&k, o.runs);
    side_medians(&s, o.runs);
    if (s.ok && s.sockets < 2.0 * o.conns)
        printf("note: sigurg ran %.0f connections: each sigurg socket is a kernel eventfd and "
               "the hard RLIMIT_NOFILE allows no more in one process\n",
               s.sockets / 2);
    printf("bytes per socket (median of runs)       kernel     sigurg\n");
    printf("  %-34s %8.1f   %8.1f\n", "heap (mallinfo2)", k.med[OUT_HEAP], s.med[OUT_HEAP]);
    for (size_t i = 0; i < NCACHE; i++) {
        char note[300];
        merged_note(i, note, sizeof note);
        printf("  slab %-29s %8.1f   %8.1f%s%s\n", caches[i], k.med[OUT_CACHE + i],
               s.med[OUT_CACHE + i], note[0] ? "   " : "", note);
    }
    printf("  %-34s %8.1f   %8.1f   <- compared\n", "total: heap + the caches above", k.med_total,
           s.med_total);
    printf("  %-34s %8.1f   %8.1f   (context only)\n", "every slab cache", k.med[OUT_ALL],
           s.med[OUT_ALL]);
    char ratio[16];
    bench_ratio_str(s.med_total, k.med_total, ratio, sizeof ratio);
    printf("conn-mem ratio=%s\n", ratio);
    return 0;
}

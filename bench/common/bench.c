/* Shared benchmark helpers (bench.h). */
#include "bench.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

uint64_t bench_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

double bench_median(double *v, size_t n)
{
    if (n == 0)
        return NAN;
    qsort(v, n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

double bench_percentile(double *v, size_t n, double p)
{
    if (n == 0)
        return NAN;
    qsort(v, n, sizeof *v, cmp_double);
    size_t rank = (size_t)ceil(p / 100.0 * (double)n);
    if (rank < 1)
        rank = 1;
    if (rank > n)
        rank = n;
    return v[rank - 1];
}

int bench_pin_self(int cpu)
{
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    return sched_setaffinity(0, sizeof set, &set);
}

int bench_default_cpu(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 1 ? (int)n - 1 : 0;
}

static int run_quiet(char *const argv[])
{
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        int devnull = open("/dev/null", O_WRONLY);
        if (devnull >= 0) {
            dup2(devnull, 1);
            close(devnull);
        }
        execvp(argv[0], argv);
        _exit(127);
    }
    int st;
    if (waitpid(pid, &st, 0) < 0)
        return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

int bench_netns_enter(uint32_t lo_mtu, int offloads_off)
{
    if (unshare(CLONE_NEWNET) < 0) {
        fprintf(stderr, "bench: unshare(CLONE_NEWNET): %s (needs root)\n", strerror(errno));
        return -1;
    }
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    if (fd < 0)
        return -1;
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    strcpy(ifr.ifr_name, "lo");
    if (lo_mtu) {
        ifr.ifr_mtu = (int)lo_mtu;
        if (ioctl(fd, SIOCSIFMTU, &ifr) < 0) {
            fprintf(stderr, "bench: lo mtu %u: %s\n", lo_mtu, strerror(errno));
            close(fd);
            return -1;
        }
    }
    if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0 ||
        (ifr.ifr_flags |= IFF_UP, ioctl(fd, SIOCSIFFLAGS, &ifr) < 0)) {
        fprintf(stderr, "bench: lo up: %s\n", strerror(errno));
        close(fd);
        return -1;
    }
    close(fd);
    if (offloads_off) {
        char *argv[] = {"ethtool", "-K", "lo", "tso", "off", "gso", "off", "gro", "off", NULL};
        if (run_quiet(argv) != 0) {
            fprintf(stderr, "bench: `ethtool -K lo tso off gso off gro off` failed "
                            "(apt-get install ethtool)\n");
            return -1;
        }
    }
    return 0;
}

int bench_sysctl_write(const char *path, const char *value)
{
    char full[256];
    snprintf(full, sizeof full, "/proc/sys/%s", path);
    FILE *f = fopen(full, "w");
    if (!f)
        return -1;
    int ok = fputs(value, f) >= 0;
    return (fclose(f) == 0 && ok) ? 0 : -1;
}

int bench_in_child(bench_child_fn fn, void *arg, double *out, size_t nout)
{
    double buf[64];
    if (nout > 64)
        nout = 64;
    int p[2];
    if (pipe(p) < 0)
        return -1;
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0) {
        close(p[0]);
        close(p[1]);
        return -1;
    }
    if (pid == 0) {
        close(p[0]);
        for (size_t i = 0; i < nout; i++)
            buf[i] = NAN;
        int rc = fn(arg, buf, nout);
        ssize_t w = write(p[1], buf, nout * sizeof *buf);
        (void)w;
        fflush(stdout);
        fflush(stderr);
        _exit(rc & 0xff);
    }
    close(p[1]);
    size_t got = 0;
    while (got < nout * sizeof *buf) {
        ssize_t r = read(p[0], (char *)buf + got, nout * sizeof *buf - got);
        if (r <= 0)
            break;
        got += (size_t)r;
    }
    close(p[0]);
    int st;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
        ;
    for (size_t i = 0; i < nout; i++)
        out[i] = (i * sizeof *buf < got) ? buf[i] : NAN;
    if (WIFSIGNALED(st)) {
        fprintf(stderr, "bench: measuring child died of signal %d (%s)\n", WTERMSIG(st),
                strsignal(WTERMSIG(st)));
        return -1;
    }
    return WEXITSTATUS(st);
}

int bench_raise_nofile(uint64_t n)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
        return -1;
    if (rl.rlim_cur >= n)
        return 0;
    if (rl.rlim_max < n)
        rl.rlim_max = n;
    rl.rlim_cur = n;
    return setrlimit(RLIMIT_NOFILE, &rl);
}

uint64_t bench_parse_size(const char *s)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s)
        return 0;
    switch (*end) {
    case 'k':
    case 'K':
        v <<= 10;
        end++;
        break;
    case 'm':
    case 'M':
        v <<= 20;
        end++;
        break;
    case 'g':
    case 'G':
        v <<= 30;
        end++;
        break;
    default:
        break;
    }
    if (*end == 'i' || *end == 'B')
        end++;
    if (*end == 'B')
        end++;
    return *end ? 0 : (uint64_t)v;
}

const char *bench_sibling(const char *name, char *buf, size_t len)
{
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0)
        return NULL;
    self[n] = 0;
    char *slash = strrchr(self, '/');
    if (!slash)
        return NULL;
    *slash = 0;
    snprintf(buf, len, "%s/%s", self, name);
    return access(buf, X_OK) == 0 ? buf : NULL;
}

const char *bench_ratio_str(double a, double b, char *buf, size_t len)
{
    if (isnan(a) || isnan(b) || b == 0)
        snprintf(buf, len, "na");
    else
        snprintf(buf, len, "%.3f", a / b);
    return buf;
}

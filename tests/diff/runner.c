/* diff_runner: run scenarios on a backend, print their observations, and
 * compare them with a golden file.
 *
 *   diff_runner [--backend kernel|sigurg] [--family inet|inet6]
 *               [--suite oob|api] [--only PATTERN]
 *               [--write-golden FILE] [--check-golden FILE]
 *               [--compare] [--results] [--list] [--quiet]
 *
 * --compare runs each scenario on the kernel and on --backend (default
 * sigurg) and diffs the two live; --results prints PASS/FAIL/BROKEN per
 * scenario; without --suite, --check-golden runs the suites its file has
 * blocks for.
 *
 * Each scenario runs in a child process of its own: the backend builds a
 * fresh world there (kernel: a new network namespace), signal counts start
 * at zero, and a scenario that hangs or crashes is reported, not fatal. The
 * child writes its observation lines to a pipe; the parent adds the block
 * header "== name rules" and, on an abnormal end, a "!! ..." line.
 *
 * Exit status: 0 all good, 1 a difference from the golden file (or a
 * scenario that failed its setup), 2 usage, 77 the backend cannot run here
 * (the kernel backend needs root, or user namespaces, for network namespaces).
 */
#include "golden.h"
#include "scenario.h"

#include <errno.h>
#include <fnmatch.h>
#include <poll.h>
#include <stdarg.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* A scenario that takes longer than this is killed and reported. */
#define SCENARIO_TIMEOUT_MS 30000

extern const struct sockops sockops_sigurg; /* sockops_sigurg.c */

static const struct {
    const char *name;
    const struct sockops *ops;
} backends[] = {
    {"kernel", &sockops_kernel},
    {"sigurg", &sockops_sigurg},
};

extern const struct suite suite_api; /* scenarios_api.c */

static const struct suite *const suites[] = {&suite_oob, &suite_api};
#define NSUITES (sizeof suites / sizeof suites[0])

static _Noreturn void child_main(const struct sockops *ops, const struct env_opts *env,
                                 const struct scenario *sc, int out_fd)
{
    /* Own process group: scenarios send SIGURG to "the process group" (spec
     * R22), which must not reach the runner or whatever started it. */
    setpgid(0, 0);
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    obs_signals_install();
    struct obs o;
    obs_init(&o, ops, out_fd);
    struct env_opts e = *env;
    if (sc && sc->stdurg)
        e.stdurg = 1;
    if (ops->setup(&e) < 0) {
        int err = errno;
        if (!sc)
            _exit(err == EPERM || err == EACCES ? 77 : 1);
        obs_fail(&o, "setup: %s", obs_errname(err));
    }
    if (sc)
        sc->run(ops, &o);
    ops->teardown();
    _exit(0);
}

/* Run sc (or, with sc NULL, only probe that the backend can set up) in a
 * child; append its block to out. Returns the child's exit status, -1 if it
 * was killed. */
static int run_child(const struct sockops *ops, const struct env_opts *env,
                     const struct scenario *sc, struct text *out)
{
    int pfd[2];
    if (pipe(pfd) < 0) {
        perror("pipe");
        exit(2);
    }
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0) {
        perror("fork");
        exit(2);
    }
    if (pid == 0) {
        close(pfd[0]);
        child_main(ops, env, sc, pfd[1]);
    }
    close(pfd[1]);
    long long deadline = now_ms() + SCENARIO_TIMEOUT_MS;
    int timed_out = 0;
    for (;;) {
        long long left = deadline - now_ms();
        if (left <= 0) {
            timed_out = 1;
            kill(pid, SIGKILL);
            break;
        }
        struct pollfd p = {.fd = pfd[0], .events = POLLIN};
        int n = poll(&p, 1, (int)left);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            continue;
        char buf[4096];
        ssize_t r = read(pfd[0], buf, sizeof buf);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        if (out)
            text_add(out, buf, (size_t)r);
    }
    close(pfd[0]);
    int st = 0;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
        ;
    if (!out)
        return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    if (out->len && out->p[out->len - 1] != '\n')
        text_add(out, "\n", 1);
    if (timed_out) {
        text_printf(out, "!! timeout after %d ms\n", SCENARIO_TIMEOUT_MS);
        return -1;
    }
    if (WIFSIGNALED(st)) {
        text_printf(out, "!! killed by signal %d\n", WTERMSIG(st));
        return -1;
    }
    int code = WEXITSTATUS(st);
    if (code != 0 && code != 3)
        text_printf(out, "!! exit status %d\n", code);
    return code;
}

/* ---- golden files ---- */

/* Parse "== name rules" blocks; '#' lines and blank lines are comments. */
static char *read_file(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return NULL;
    struct text t = {0};
    char buf[8192];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        text_add(&t, buf, n);
    fclose(f);
    if (!t.p)
        text_add(&t, "", 0);
    return t.p;
}

/* Compare one scenario's output with its golden block; print the first
 * differing lines. Returns 1 when they differ. */
static int compare_block_as(const char *name, const struct block *want, const char *got_text,
                            const char *wl, const char *gl, const char *source)
{
    struct golden got;
    struct text t = {0};
    text_printf(&t, "== %s\n", name);
    text_add(&t, got_text, strlen(got_text));
    parse_blocks(t.p, &got);
    free(t.p);
    const struct block *g = got.n ? &got.b[0] : NULL;
    size_t gn = g ? g->n : 0;
    int differ = 0;
    if (!want) {
        printf("DIFF %s: not in %s\n", name, source);
        differ = 1;
    } else {
        size_t i = 0;
        while (i < want->n && i < gn && strcmp(want->lines[i], g->lines[i]) == 0)
            i++;
        if (i < want->n || i < gn) {
            differ = 1;
            printf("DIFF %s: line %zu\n", name, i + 1);
            for (size_t k = i; k < i + 3 && (k < want->n || k < gn); k++) {
                printf("  %-7s %s\n", wl, k < want->n ? want->lines[k] : "<end>");
                printf("  %-7s %s\n", gl, k < gn ? g->lines[k] : "<end>");
            }
        }
    }
    free_golden(&got);
    return differ;
}

static int compare_block(const char *name, const struct block *want, const char *got_text)
{
    return compare_block_as(name, want, got_text, "want:", "got:", "the golden file");
}

static void usage(FILE *f)
{
    fprintf(f, "usage: diff_runner [--backend kernel|sigurg] [--family inet|inet6]\n"
               "                   [--suite oob|api] [--only PATTERN]\n"
               "                   [--write-golden FILE] [--check-golden FILE]\n"
               "                   [--compare] [--results] [--list] [--quiet]\n");
}

static const struct sockops *find_backend(const char *name)
{
    for (size_t i = 0; i < sizeof backends / sizeof backends[0]; i++)
        if (strcmp(backends[i].name, name) == 0)
            return backends[i].ops;
    return NULL;
}

/* Probe that a backend can build its world: 0 yes, 77 not here, else
 * broken (a message is printed). */
static int probe_backend(const struct sockops *ops, const struct env_opts *env)
{
    int probe = run_child(ops, env, NULL, NULL);
    if (probe == 77) {
        printf("diff_runner: the %s backend cannot build its world here: creating a network "
               "namespace needs root (CAP_SYS_ADMIN) or unprivileged user namespaces; "
               "skipping\n",
               ops->name);
        return 77;
    }
    if (probe != 0) {
        fprintf(stderr, "diff_runner: %s backend setup failed (status %d)\n", ops->name, probe);
        return 1;
    }
    return 0;
}

/* Run one scenario on ops; returns its observations (caller frees) and
 * sets *rc to the child's status. */
static char *run_scenario(const struct sockops *ops, const struct env_opts *env,
                          const struct scenario *sc, int *rc)
{
    struct text body = {0};
    text_add(&body, "", 0);
    *rc = run_child(ops, env, sc, &body);
    return body.p;
}

int main(int argc, char **argv)
{
    const char *backend = NULL, *only = NULL, *write_golden = NULL, *check_golden = NULL;
    const char *suite = NULL;
    int family = AF_INET, list = 0, quiet = 0, compare = 0, results = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--list") == 0) {
            list = 1;
        } else if (strcmp(a, "--quiet") == 0) {
            quiet = 1;
        } else if (strcmp(a, "--compare") == 0) {
            compare = 1;
        } else if (strcmp(a, "--results") == 0) {
            results = 1;
        } else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            return 0;
        } else if (v && strcmp(a, "--backend") == 0) {
            backend = v, i++;
        } else if (v && strcmp(a, "--suite") == 0) {
            suite = v, i++;
        } else if (v && strcmp(a, "--family") == 0) {
            if (strcmp(v, "inet") == 0)
                family = AF_INET;
            else if (strcmp(v, "inet6") == 0)
                family = AF_INET6;
            else {
                usage(stderr);
                return 2;
            }
            i++;
        } else if (v && strcmp(a, "--only") == 0) {
            only = v, i++;
        } else if (v && strcmp(a, "--write-golden") == 0) {
            write_golden = v, i++;
        } else if (v && strcmp(a, "--check-golden") == 0) {
            check_golden = v, i++;
        } else {
            usage(stderr);
            return 2;
        }
    }
    if (!backend)
        backend = compare ? "sigurg" : "kernel";
    if (compare && (check_golden || write_golden || strcmp(backend, "kernel") == 0)) {
        fprintf(stderr, "diff_runner: --compare runs the kernel and --backend (not kernel) "
                        "side by side; it takes no golden file\n");
        return 2;
    }

    const struct sockops *ops = find_backend(backend);
    if (!ops) {
        fprintf(stderr, "diff_runner: unknown backend '%s'\n", backend);
        return 2;
    }
    const struct sockops *ref = compare ? &sockops_kernel : NULL;

    struct golden want = {0};
    if (check_golden) {
        char *g = read_file(check_golden);
        if (!g) {
            fprintf(stderr, "diff_runner: %s: %s\n", check_golden, strerror(errno));
            return 2;
        }
        parse_blocks(g, &want);
        free(g);
    }

    /* Which suites run: the one asked for; else, when checking a golden
     * file, those it has blocks for (so oob_ipv4.txt checks the urgent-data
     * suite only); else all. */
    int on[NSUITES];
    int any_on = 0;
    for (size_t s = 0; s < NSUITES; s++) {
        if (suite) {
            on[s] = strcmp(suites[s]->name, suite) == 0;
        } else if (check_golden) {
            on[s] = 0;
            for (size_t k = 0; k < suites[s]->count && !on[s]; k++)
                on[s] = find_block(&want, suites[s]->list[k].name) != NULL;
        } else {
            on[s] = 1;
        }
        any_on |= on[s];
    }
    if (suite && !any_on) {
        fprintf(stderr, "diff_runner: unknown suite '%s'\n", suite);
        return 2;
    }
    if (!any_on)
        for (size_t s = 0; s < NSUITES; s++)
            on[s] = 1;

    if (list) {
        for (size_t s = 0; s < NSUITES; s++)
            if (on[s])
                for (size_t i = 0; i < suites[s]->count; i++)
                    printf("%s %s\n", suites[s]->list[i].name, suites[s]->list[i].rules);
        free_golden(&want);
        return 0;
    }

    struct env_opts env = {.family = family, .stdurg = 0};
    int pr = probe_backend(ops, &env);
    if (pr == 0 && ref)
        pr = probe_backend(ref, &env);
    if (pr != 0) {
        free_golden(&want);
        return pr;
    }

    struct text all = {0};
    struct utsname un;
    uname(&un);
    text_printf(&all, "# diff_runner golden: backend %s, family %s (observed on %s %s)\n",
                ops->name, family == AF_INET ? "inet" : "inet6", un.sysname, un.release);
    text_printf(&all, "# each block: '== name rules-it-pins', then its observations\n\n");

    size_t ran = 0, differ = 0, skipped = 0, broken = 0;
    long long t0 = now_ms();
    for (size_t s = 0; s < NSUITES; s++) {
        if (!on[s])
            continue;
        for (size_t i = 0; i < suites[s]->count; i++) {
            const struct scenario *sc = &suites[s]->list[i];
            if (only && fnmatch(only, sc->name, 0) != 0)
                continue;
            if ((sc->needs & ~ops->caps) || (ref && (sc->needs & ~ref->caps))) {
                skipped++;
                if (!quiet)
                    printf("-- %s: skipped (backend %s lacks a feature it needs)\n", sc->name,
                           ops->name);
                continue;
            }
            int rc = 0;
            char *body = run_scenario(ops, &env, sc, &rc);
            ran++;
            if (rc != 0)
                broken++;
            struct text block = {0};
            text_printf(&block, "== %s %s\n", sc->name, sc->rules);
            text_add(&block, body, strlen(body));
            text_add(&block, "\n", 1);
            if (!quiet)
                fputs(block.p, stdout);
            text_add(&all, block.p, block.len);
            int d = 0;
            if (check_golden) {
                d = compare_block(sc->name, find_block(&want, sc->name), body);
            } else if (ref) {
                /* Live: the kernel's block is what the golden file would say. */
                int rrc = 0;
                char *kb = run_scenario(ref, &env, sc, &rrc);
                struct golden kg;
                struct text t = {0};
                text_printf(&t, "== %s\n", sc->name);
                text_add(&t, kb, strlen(kb));
                parse_blocks(t.p, &kg);
                d = compare_block_as(sc->name, kg.n ? &kg.b[0] : NULL, body,
                                     "kernel:", "sigurg:", "the kernel's output");
                free_golden(&kg);
                free(t.p);
                free(kb);
            }
            differ += (size_t)d;
            if (results && (check_golden || ref))
                printf("%s %s\n", d ? "FAIL" : (rc != 0 ? "BROKEN" : "PASS"), sc->name);
            free(block.p);
            free(body);
        }
    }
    if (check_golden && !only) {
        for (size_t i = 0; i < want.n; i++) {
            int found = 0;
            for (size_t s = 0; s < NSUITES && !found; s++)
                for (size_t k = 0; k < suites[s]->count && !found; k++)
                    found = on[s] && strcmp(suites[s]->list[k].name, want.b[i].name) == 0;
            if (!found) {
                printf("DIFF %s: in the golden file but no such scenario\n", want.b[i].name);
                differ++;
            }
        }
    }

    if (write_golden) {
        FILE *f = fopen(write_golden, "w");
        if (!f || fwrite(all.p, 1, all.len, f) != all.len || fclose(f) != 0) {
            fprintf(stderr, "diff_runner: %s: %s\n", write_golden, strerror(errno));
            return 2;
        }
    }
    fprintf(stderr,
            "diff_runner: %s/%s: %zu scenarios in %lld ms, %zu skipped, %zu ended abnormally",
            ops->name, family == AF_INET ? "inet" : "inet6", ran, now_ms() - t0, skipped, broken);
    if (check_golden)
        fprintf(stderr, ", %zu differ from %s", differ, check_golden);
    else if (ref)
        fprintf(stderr, ", %zu differ from the kernel", differ);
    fprintf(stderr, "\n");
    free(all.p);
    free_golden(&want);
    if (ran == 0 && !list) {
        /* A check that ran nothing must not pass (see README: the ASan
         * build has been seen to select no scenario). */
        fprintf(stderr, "diff_runner: no scenario ran\n");
        return 1;
    }
    return (differ || broken) ? 1 : 0;
}

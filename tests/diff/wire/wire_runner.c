/* wire_runner: run the wire-level scenarios on an environment, print their
 * observations, compare them with a golden file.
 *
 *   wire_runner [--backend kernel|sigurg] [--only PATTERN] [--repeat N]
 *               [--write-golden FILE] [--check-golden FILE] [--list] [--quiet]
 *
 * As ../runner.c does for the socket-level suite: one child process per
 * scenario (its own network namespace or world, signal counts from zero,
 * a hang or crash reported, not fatal), lines streamed through a pipe,
 * "== name rules" block headers, golden blocks compared line by line.
 * --repeat N runs the selection N times and fails if any run's text
 * differs from the first (the determinism check).
 *
 * Exit status: 0 all good, 1 a difference (golden, or between repeats) or
 * a scenario that broke, 2 usage, 77 the environment cannot be built here
 * (the kernel one needs root, or user namespaces, and /dev/net/tun).
 */
#include "../golden.h"
#include "wire_scenarios.h"

#include <errno.h>
#include <fnmatch.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define SCENARIO_TIMEOUT_MS 30000

static const struct wire_env *const envs[] = {
    &wire_env_kernel,
    &wire_env_sigurg,
};

static _Noreturn void child_main(const struct wire_env *env, const struct wire_scenario *sc,
                                 int out_fd)
{
    setpgid(0, 0);
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    obs_signals_install();
    struct obs o;
    obs_init(&o, env->ops, out_fd);
    struct env_opts e = {.family = AF_INET, .stdurg = sc && sc->stdurg};
    if (env->setup(&e) < 0) {
        int err = errno;
        if (!sc)
            _exit(err == EPERM || err == EACCES || err == ENOENT ? 77 : 1);
        obs_fail(&o, "setup: %s", obs_errname(err));
    }
    if (sc) {
        struct wire w;
        wire_init(&w, env, &o);
        sc->run(&w);
    }
    env->teardown();
    _exit(0);
}

/* Run sc (NULL: only probe the environment) in a child; append its lines
 * to out. The child's exit status, or -1 if it was killed. */
static int run_child(const struct wire_env *env, const struct wire_scenario *sc, struct text *out)
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
        child_main(env, sc, pfd[1]);
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

/* ---- golden files: "== name rules" blocks; '#' and blank lines ignored ---- */

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return NULL;
    struct text t = {0};
    text_add(&t, "", 0);
    char buf[8192];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        text_add(&t, buf, n);
    fclose(f);
    return t.p;
}

/* 1 when the scenario's lines differ from its golden block (printed). */
static int compare_block(const char *name, const struct block *want, const char *got_text)
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
        printf("DIFF %s: not in the golden file\n", name);
        differ = 1;
    } else {
        size_t i = 0;
        while (i < want->n && i < gn && strcmp(want->lines[i], g->lines[i]) == 0)
            i++;
        if (i < want->n || i < gn) {
            differ = 1;
            printf("DIFF %s: line %zu\n", name, i + 1);
            for (size_t k = i; k < i + 3 && (k < want->n || k < gn); k++) {
                printf("  want: %s\n", k < want->n ? want->lines[k] : "<end>");
                printf("  got:  %s\n", k < gn ? g->lines[k] : "<end>");
            }
        }
    }
    free_golden(&got);
    return differ;
}

static void usage(FILE *f)
{
    fprintf(f, "usage: wire_runner [--backend kernel|sigurg] [--only PATTERN] [--repeat N]\n"
               "                   [--write-golden FILE] [--check-golden FILE] [--list] "
               "[--quiet]\n");
}

int main(int argc, char **argv)
{
    const char *backend = "kernel", *only = NULL, *write_golden = NULL, *check_golden = NULL;
    int list = 0, quiet = 0, repeat = 1;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--list") == 0) {
            list = 1;
        } else if (strcmp(a, "--quiet") == 0) {
            quiet = 1;
        } else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            return 0;
        } else if (v && strcmp(a, "--backend") == 0) {
            backend = v, i++;
        } else if (v && strcmp(a, "--only") == 0) {
            only = v, i++;
        } else if (v && strcmp(a, "--repeat") == 0) {
            repeat = atoi(v), i++;
            if (repeat < 1) {
                usage(stderr);
                return 2;
            }
        } else if (v && strcmp(a, "--write-golden") == 0) {
            write_golden = v, i++;
        } else if (v && strcmp(a, "--check-golden") == 0) {
            check_golden = v, i++;
        } else {
            usage(stderr);
            return 2;
        }
    }
    const struct wire_env *env = NULL;
    for (size_t i = 0; i < sizeof envs / sizeof envs[0]; i++)
        if (strcmp(envs[i]->name, backend) == 0)
            env = envs[i];
    if (!env) {
        fprintf(stderr, "wire_runner: unknown backend '%s'\n", backend);
        return 2;
    }
    if (list) {
        for (size_t i = 0; i < wire_nscenarios; i++)
            printf("%s %s\n", wire_scenarios[i].name, wire_scenarios[i].rules);
        return 0;
    }

    int probe = run_child(env, NULL, NULL);
    if (probe == 77) {
        printf("wire_runner: the %s environment cannot be built here: it needs root (a network "
               "namespace and /dev/net/tun) or unprivileged user namespaces; skipping\n",
               env->name);
        return 77;
    }
    if (probe != 0) {
        fprintf(stderr, "wire_runner: %s environment setup failed (status %d)\n", env->name, probe);
        return 1;
    }

    struct golden want = {0};
    if (check_golden) {
        char *g = slurp(check_golden);
        if (!g) {
            fprintf(stderr, "wire_runner: %s: %s\n", check_golden, strerror(errno));
            return 2;
        }
        parse_blocks(g, &want);
        free(g);
    }

    struct utsname un;
    uname(&un);
    size_t ran = 0, differ = 0, broken = 0, unstable = 0;
    long long t0 = now_ms();
    struct text first = {0};
    for (int rep = 0; rep < repeat; rep++) {
        struct text all = {0};
        text_printf(&all, "# wire_runner golden: backend %s, family inet (observed on %s %s)\n",
                    env->name, un.sysname, un.release);
        text_printf(&all, "# each block: '== name rules-it-pins', then its observations\n\n");
        for (size_t i = 0; i < wire_nscenarios; i++) {
            const struct wire_scenario *sc = &wire_scenarios[i];
            if (only && fnmatch(only, sc->name, 0) != 0)
                continue;
            struct text body = {0};
            text_add(&body, "", 0);
            int rc = run_child(env, sc, &body);
            ran++;
            if (rc != 0)
                broken++;
            struct text block = {0};
            text_printf(&block, "== %s %s\n", sc->name, sc->rules);
            text_add(&block, body.p, body.len);
            text_add(&block, "\n", 1);
            if (!quiet && rep == 0)
                fputs(block.p, stdout);
            text_add(&all, block.p, block.len);
            if (check_golden && rep == 0)
                differ += (size_t)compare_block(sc->name, find_block(&want, sc->name), body.p);
            free(block.p);
            free(body.p);
        }
        if (rep == 0) {
            first = all;
            continue;
        }
        if (strcmp(first.p, all.p) != 0) {
            unstable++;
            printf("UNSTABLE: run %d differs from run 1\n", rep + 1);
            struct golden a, b;
            parse_blocks(first.p, &a);
            parse_blocks(all.p, &b);
            for (size_t k = 0; k < a.n && k < b.n; k++) {
                struct text bt = {0};
                text_add(&bt, "", 0);
                for (size_t l = 0; l < b.b[k].n; l++)
                    text_printf(&bt, "%s\n", b.b[k].lines[l]);
                compare_block(a.b[k].name, &a.b[k], bt.p);
                free(bt.p);
            }
            free_golden(&a);
            free_golden(&b);
        }
        free(all.p);
    }
    if (check_golden && !only) {
        for (size_t i = 0; i < want.n; i++) {
            int found = 0;
            for (size_t k = 0; k < wire_nscenarios && !found; k++)
                found = strcmp(wire_scenarios[k].name, want.b[i].name) == 0;
            if (!found) {
                printf("DIFF %s: in the golden file but no such scenario\n", want.b[i].name);
                differ++;
            }
        }
    }
    if (write_golden) {
        FILE *f = fopen(write_golden, "w");
        if (!f || fwrite(first.p, 1, first.len, f) != first.len || fclose(f) != 0) {
            fprintf(stderr, "wire_runner: %s: %s\n", write_golden, strerror(errno));
            return 2;
        }
    }
    fprintf(stderr, "wire_runner: %s: %zu scenario runs in %lld ms, %zu ended abnormally",
            env->name, ran, now_ms() - t0, broken);
    if (repeat > 1)
        fprintf(stderr, ", %zu of %d repeats differ", unstable, repeat - 1);
    if (check_golden)
        fprintf(stderr, ", %zu differ from %s", differ, check_golden);
    fprintf(stderr, "\n");
    free(first.p);
    free_golden(&want);
    return (differ || broken || unstable) ? 1 : 0;
}

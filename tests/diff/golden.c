/* Growable text and golden files for the differential runners (runner.c,
 * wire/wire_runner.c): one implementation for both. */
#include "golden.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void text_add(struct text *t, const char *s, size_t n)
{
    if (t->len + n + 1 > t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 4096;
        while (cap < t->len + n + 1)
            cap *= 2;
        char *p = realloc(t->p, cap);
        if (!p) {
            perror("realloc");
            exit(2);
        }
        t->p = p;
        t->cap = cap;
    }
    memcpy(t->p + t->len, s, n);
    t->len += n;
    t->p[t->len] = '\0';
}

void text_printf(struct text *t, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n > 0)
        text_add(t, buf, (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1);
}

long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void *xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n);
    if (!q) {
        perror("realloc");
        exit(2);
    }
    return q;
}

char *xstrndup(const char *s, size_t n)
{
    char *p = malloc(n + 1);
    if (!p) {
        perror("malloc");
        exit(2);
    }
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

void parse_blocks(const char *text, struct golden *g)
{
    memset(g, 0, sizeof *g);
    const char *s = text;
    while (*s) {
        const char *e = strchr(s, '\n');
        size_t n = e ? (size_t)(e - s) : strlen(s);
        if (n >= 3 && strncmp(s, "== ", 3) == 0) {
            g->b = xrealloc(g->b, (g->n + 1) * sizeof *g->b);
            struct block *b = &g->b[g->n++];
            memset(b, 0, sizeof *b);
            const char *nm = s + 3;
            size_t k = 0;
            while (k < n - 3 && nm[k] != ' ')
                k++;
            b->name = xstrndup(nm, k);
        } else if (n > 0 && s[0] != '#' && g->n > 0) {
            struct block *b = &g->b[g->n - 1];
            b->lines = xrealloc(b->lines, (b->n + 1) * sizeof *b->lines);
            b->lines[b->n++] = xstrndup(s, n);
        }
        s += n + (e ? 1 : 0);
    }
}

const struct block *find_block(const struct golden *g, const char *name)
{
    for (size_t i = 0; i < g->n; i++)
        if (strcmp(g->b[i].name, name) == 0)
            return &g->b[i];
    return NULL;
}

void free_golden(struct golden *g)
{
    for (size_t i = 0; i < g->n; i++) {
        for (size_t k = 0; k < g->b[i].n; k++)
            free(g->b[i].lines[k]);
        free(g->b[i].lines);
        free(g->b[i].name);
    }
    free(g->b);
    memset(g, 0, sizeof *g);
}

/* Growable text and golden files, shared by the differential runners.
 *
 * A golden file is a list of blocks: a line "== name [rules...]" followed
 * by the observation lines of that scenario; '#' lines are comments. */
#ifndef DIFF_GOLDEN_H
#define DIFF_GOLDEN_H
#include <stddef.h>

struct text {
    char *p;
    size_t len, cap;
};

struct block {
    char *name;
    char **lines;
    size_t n;
};

struct golden {
    struct block *b;
    size_t n;
};

/* Append n bytes (kept NUL-terminated); exits(2) on allocation failure. */
void text_add(struct text *t, const char *s, size_t n);
void text_printf(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
long long now_ms(void);            /* CLOCK_MONOTONIC, milliseconds */
void *xrealloc(void *p, size_t n); /* exits(2) on failure */
char *xstrndup(const char *s, size_t n);
/* Parse text into blocks (copies everything it keeps). */
void parse_blocks(const char *text, struct golden *g);
const struct block *find_block(const struct golden *g, const char *name);
void free_golden(struct golden *g);
#endif

/* Byte ring (ring.h).
 *
 * Storage is a power-of-two array so every position is (head + off) & mask
 * and every copy is at most two memcpy()s. It is allocated lazily and
 * grows by doubling up to the smallest power of two >= limit: a connection
 * with a 4 MB receive buffer that only ever holds a few segments keeps a
 * few kilobytes. Growing copies the old array in logical order (head to
 * head + cap) so that bytes stored beyond len by ring_write_at() keep their
 * offsets; every stored byte lies below the old cap, so none is lost.
 */
#include "base/ring.h"

#include <stdlib.h>
#include <string.h>

/* Smallest allocation, unless the limit itself is smaller: below this the
 * doubling steps cost more than the memory they save. */
#define RING_MIN_CAP 2048u

/* Smallest power of two >= x, for 1 <= x <= RING_MAX_LIMIT. */
static uint32_t ring_pow2(uint32_t x)
{
    x--;
    x |= x >> 1;
    x |= x >> 2;
    x |= x >> 4;
    x |= x >> 8;
    x |= x >> 16;
    return x + 1;
}

static uint32_t ring_min32(uint32_t a, uint32_t b)
{
    return a < b ? a : b;
}

/* Make storage cover offsets [0, need) from head; need <= limit.
 * 0, or -1 on OOM (the ring is unchanged then). */
static int ring_reserve(struct ring *r, uint32_t need)
{
    if (r->mem && need <= r->cap)
        return 0;
    uint32_t full = ring_pow2(r->limit);
    uint32_t cap = ring_pow2(need);
    if (cap < ring_min32(full, RING_MIN_CAP))
        cap = ring_min32(full, RING_MIN_CAP);
    uint8_t *m = malloc(cap);
    if (!m)
        return -1;
    if (r->mem) {
        uint32_t first = r->cap - r->head;
        memcpy(m, r->mem + r->head, first);
        memcpy(m + first, r->mem, r->head);
        free(r->mem);
    }
    r->mem = m;
    r->cap = cap;
    r->head = 0;
    return 0;
}

/* Copy n bytes in at offset off from head; storage covers off + n. */
static void ring_copy_in(struct ring *r, uint32_t off, const uint8_t *src, uint32_t n)
{
    uint32_t pos = (r->head + off) & (r->cap - 1);
    uint32_t first = ring_min32(n, r->cap - pos);
    memcpy(r->mem + pos, src, first);
    memcpy(r->mem, src + first, n - first);
}

static void ring_copy_out(const struct ring *r, uint32_t off, uint8_t *dst, uint32_t n)
{
    uint32_t pos = (r->head + off) & (r->cap - 1);
    uint32_t first = ring_min32(n, r->cap - pos);
    memcpy(dst, r->mem + pos, first);
    memcpy(dst + first, r->mem, n - first);
}

void ring_init(struct ring *r, uint32_t limit)
{
    r->mem = NULL;
    r->cap = 0;
    r->limit = ring_min32(limit, RING_MAX_LIMIT);
    r->head = 0;
    r->len = 0;
}

void ring_free(struct ring *r)
{
    free(r->mem);
    r->mem = NULL;
    r->cap = 0;
    r->head = 0;
    r->len = 0;
}

int ring_set_limit(struct ring *r, uint32_t limit)
{
    if (limit < r->len || limit > RING_MAX_LIMIT)
        return -1;
    /* Storage already allocated stays (it may exceed the new limit's
     * power of two); it is released by ring_shrink() once empty. */
    r->limit = limit;
    return 0;
}

void ring_shrink(struct ring *r)
{
    if (r->len == 0)
        ring_free(r);
}

uint32_t ring_write(struct ring *r, const void *src, uint32_t n)
{
    n = ring_min32(n, ring_space(r));
    if (n == 0)
        return 0;
    if (ring_reserve(r, r->len + n) < 0) {
        /* Out of memory for growth: fill what the current storage holds. */
        if (!r->mem)
            return 0;
        n = ring_min32(n, r->cap - r->len);
        if (n == 0)
            return 0;
    }
    ring_copy_in(r, r->len, src, n);
    r->len += n;
    return n;
}

uint32_t ring_read(struct ring *r, void *dst, uint32_t n)
{
    n = ring_min32(n, r->len);
    if (n == 0)
        return 0;
    if (dst)
        ring_copy_out(r, 0, dst, n);
    ring_skip(r, n);
    return n;
}

uint32_t ring_peek_at(const struct ring *r, uint32_t off, void *dst, uint32_t n)
{
    if (off >= r->len)
        return 0;
    n = ring_min32(n, r->len - off);
    ring_copy_out(r, off, dst, n);
    return n;
}

uint32_t ring_write_at(struct ring *r, uint32_t off, const void *src, uint32_t n)
{
    if (off >= r->limit)
        return 0;
    n = ring_min32(n, r->limit - off);
    if (n == 0 || ring_reserve(r, off + n) < 0)
        return 0;
    ring_copy_in(r, off, src, n);
    return n;
}

void ring_commit(struct ring *r, uint32_t n)
{
    /* Only bytes that can have been stored: within limit and storage. */
    uint32_t max = r->mem ? ring_min32(r->limit, r->cap) : 0;
    r->len += ring_min32(n, max - ring_min32(max, r->len));
}

void ring_skip(struct ring *r, uint32_t n)
{
    n = ring_min32(n, r->len);
    if (n == 0)
        return;
    r->head = (r->head + n) & (r->cap - 1);
    r->len -= n;
}

int ring_spans(struct ring *r, uint32_t off, uint32_t n, struct ring_span sp[2])
{
    if (off >= r->limit)
        return 0;
    n = ring_min32(n, r->limit - off);
    if (n == 0 || ring_reserve(r, off + n) < 0)
        return 0;
    uint32_t pos = (r->head + off) & (r->cap - 1);
    uint32_t first = ring_min32(n, r->cap - pos);
    sp[0].p = r->mem + pos;
    sp[0].n = first;
    if (first == n)
        return 1;
    sp[1].p = r->mem;
    sp[1].n = n - first;
    return 2;
}

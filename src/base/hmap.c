/* Intrusive chained hash map (hmap.h).
 *
 * Chains are singly linked; a node goes in at the head of its chain (most
 * recent first). Doubling splits chain i into chains i and i + old size by
 * the next hash bit, appending in order, so nodes keep their relative
 * order (duplicates stay most-recent-first after any number of growths).
 */
#include "base/hmap.h"

#include <errno.h>
#include <stdlib.h>

#define HMAP_MAX_BUCKETS (1u << 31)

int hmap_init(struct hmap *m, uint32_t initial_buckets)
{
    uint32_t n = 1;
    while (n < initial_buckets && n < HMAP_MAX_BUCKETS)
        n <<= 1;
    m->buckets = calloc(n, sizeof(*m->buckets));
    m->mask = 0;
    m->count = 0;
    if (!m->buckets)
        return -ENOMEM;
    m->mask = n - 1;
    return 0;
}

void hmap_free(struct hmap *m)
{
    free(m->buckets);
    m->buckets = NULL;
    m->mask = 0;
    m->count = 0;
}

/* Double the bucket array; on failure keep the old one (still correct). */
static void hmap_grow(struct hmap *m)
{
    uint32_t old = m->mask + 1;
    if (old >= HMAP_MAX_BUCKETS)
        return;
    struct hnode **nb = calloc((size_t)old * 2, sizeof(*nb));
    if (!nb)
        return;
    for (uint32_t i = 0; i < old; i++) {
        /* Chain i splits into chains i (bit clear) and i + old (bit set). */
        struct hnode **tail[2] = {&nb[i], &nb[i + old]};
        for (struct hnode *n = m->buckets[i], *next; n; n = next) {
            next = n->next;
            int hi = (n->hash & old) != 0;
            *tail[hi] = n;
            tail[hi] = &n->next;
        }
        *tail[0] = NULL;
        *tail[1] = NULL;
    }
    free(m->buckets);
    m->buckets = nb;
    m->mask = old * 2 - 1;
}

void hmap_insert(struct hmap *m, struct hnode *n, uint64_t h)
{
    struct hnode **b = &m->buckets[h & m->mask];
    n->hash = h;
    n->next = *b;
    *b = n;
    m->count++;
    if (m->count > m->mask + 1)
        hmap_grow(m);
}

void hmap_remove(struct hmap *m, struct hnode *n)
{
    struct hnode **pp = &m->buckets[n->hash & m->mask];
    while (*pp && *pp != n)
        pp = &(*pp)->next;
    if (!*pp)
        return; /* not in m: a caller bug, but never corrupt the map */
    /* n->next is left as it was: hmap_iter() may continue from n. */
    *pp = n->next;
    m->count--;
}

struct hnode *hmap_first(const struct hmap *m, uint64_t h)
{
    struct hnode *n = m->buckets[h & m->mask];
    while (n && n->hash != h)
        n = n->next;
    return n;
}

struct hnode *hmap_next(const struct hnode *n, uint64_t h)
{
    struct hnode *x = n->next;
    while (x && x->hash != h)
        x = x->next;
    return x;
}

struct hnode *hmap_iter(const struct hmap *m, const struct hnode *prev)
{
    uint64_t i = 0;
    if (prev) {
        if (prev->next)
            return prev->next;
        i = (prev->hash & m->mask) + 1;
    }
    for (; i <= m->mask; i++)
        if (m->buckets[i])
            return m->buckets[i];
    return NULL;
}

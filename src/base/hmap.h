/* Intrusive chained hash map with power-of-two buckets that doubles when
 * the load passes 1 (and never rehashes on lookup). Callers compute the
 * hash (siphash24 with a per-stack key against flooding) and compare keys
 * themselves while walking a bucket:
 *
 *   for (struct hnode *n = hmap_first(m, h); n; n = hmap_next(n, h))
 *       if (key_eq(container_of(n, ...), key)) ...
 */
#ifndef SG_BASE_HMAP_H
#define SG_BASE_HMAP_H
#include <stddef.h>
#include <stdint.h>

struct hnode {
    struct hnode *next;
    uint64_t hash;
};

struct hmap {
    struct hnode **buckets;
    uint32_t mask; /* buckets - 1 */
    uint32_t count;
};

/* initial_buckets is rounded up to a power of two (at least 1, at most
 * 2^31). 0 or -ENOMEM; every other call needs a successfully initialised
 * map. */
int hmap_init(struct hmap *m, uint32_t initial_buckets);
void hmap_free(struct hmap *m); /* frees the bucket array, not the nodes */
/* Insert n with hash h (duplicates allowed: among nodes with equal hashes
 * the most recently inserted comes first). Growth failure is not fatal:
 * the map stays correct, only longer chains. O(1) amortised. */
void hmap_insert(struct hmap *m, struct hnode *n, uint64_t h);
/* n must be in m. O(chain length). Leaves n->next intact, so hmap_iter()
 * may continue from a node just removed. */
void hmap_remove(struct hmap *m, struct hnode *n);
struct hnode *hmap_first(const struct hmap *m, uint64_t h); /* first node with hash h */
struct hnode *hmap_next(const struct hnode *n, uint64_t h); /* next node with hash h */
/* Iterate all nodes: pass NULL to start; NULL at the end. Not stable
 * across inserts/removes other than removing the node just returned. */
struct hnode *hmap_iter(const struct hmap *m, const struct hnode *prev);

#ifndef container_of
#define container_of(ptr, type, member) ((type *)((char *)(ptr)-offsetof(type, member)))
#endif
#endif

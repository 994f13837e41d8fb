/* Rangeset: a set of disjoint, coalesced half-open ranges [start, end) over
 * uint64_t, kept in a balanced binary search tree (AVL) ordered by start.
 *
 * Used for TCP's out-of-order queue (tcp/reass.c, receive sequence space)
 * and the SACK scoreboard (tcp/sack.c, send sequence space), both in the
 * 64-bit unwrapped sequence space of tcp/seq.h, so plain < is correct here.
 *
 * Invariants (checked by rangeset_check() in tests):
 *  - every range is non-empty (start < end);
 *  - ranges never overlap and never touch: for consecutive ranges A < B,
 *    A.end < B.start (touching ranges are merged on insert);
 *  - each node carries the count and byte total of its subtree, so counts
 *    and byte sums over any prefix/suffix are O(log n).
 *
 * Costs: every operation is O(log n) (foreach, check and free: O(n)),
 * except that an add/remove/advance that swallows k existing ranges costs
 * O((k + 1) log n); each range is created once and deleted once, so the
 * amortised cost stays O(log n).
 *
 * Memory: one heap node (48 bytes) per range, nothing else. A node is
 * allocated only when a range is created (add of a range touching no
 * existing one, or remove splitting a range in two); merging, advancing
 * and shrinking never allocate. `max_ranges` (0 = unlimited) bounds the
 * number of nodes: an operation that would exceed it, or whose malloc
 * fails, returns -ENOMEM and leaves the set exactly as it was.
 *
 * The set owns its nodes; rangeset_free() releases them. Not thread-safe
 * (the caller's stack lock covers it). No global state.
 */
#ifndef SG_BASE_RANGESET_H
#define SG_BASE_RANGESET_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct rs_range {
    uint64_t start, end; /* [start, end) */
};

struct rs_node; /* private to rangeset.c */

struct rangeset {
    struct rs_node *root;
    uint32_t max_ranges; /* 0 = unlimited */
};

/* An empty set; allocates nothing. */
void rangeset_init(struct rangeset *rs, uint32_t max_ranges);
/* Free every node; the set is empty and usable again afterwards. */
void rangeset_free(struct rangeset *rs);
/* Same as rangeset_free (named for the use: drop everything). */
void rangeset_clear(struct rangeset *rs);

uint32_t rangeset_count(const struct rangeset *rs); /* number of ranges, O(1) */
uint64_t rangeset_bytes(const struct rangeset *rs); /* sum of range lengths, O(1) */
static inline bool rangeset_empty(const struct rangeset *rs)
{
    return rs->root == NULL;
}

/* Add [start, end), merging with every range it overlaps or touches.
 * On success returns 0, stores in *merged (if not NULL) the resulting
 * range that now contains [start, end), and in *added (if not NULL) the
 * number of bytes of [start, end) that were not covered before.
 * start == end is a no-op (0 returned, *added = 0, *merged = {start,start}).
 * Errors: -EINVAL if start > end; -ENOMEM if a node was needed and could
 * not be had (allocation failure or max_ranges reached). On error the set
 * is unchanged and *merged / *added are not written. */
int rangeset_add(struct rangeset *rs, uint64_t start, uint64_t end, struct rs_range *merged,
                 uint64_t *added);

/* Remove [start, end) from the set (the parts of ranges inside it).
 * Returns 0 and stores the number of bytes removed in *removed (if not
 * NULL). Errors: -EINVAL if start > end; -ENOMEM if a range had to be
 * split in two and no node could be had (set unchanged). */
int rangeset_remove(struct rangeset *rs, uint64_t start, uint64_t end, uint64_t *removed);

/* Remove everything below x (ranges ending at or before x go, a range
 * containing x is cut to start at x). Never allocates. Returns the number
 * of bytes removed. */
uint64_t rangeset_advance(struct rangeset *rs, uint64_t x);

/* Queries: each returns true and fills *out, or returns false (and leaves
 * *out untouched) when there is no such range. All O(log n). */
bool rangeset_find(const struct rangeset *rs, uint64_t x, struct rs_range *out); /* contains x */
bool rangeset_first(const struct rangeset *rs, struct rs_range *out);            /* lowest */
bool rangeset_last(const struct rangeset *rs, struct rs_range *out);             /* highest */
/* First range with start >= x. Iterate in order with
 *   for (ok = rangeset_first(rs, &r); ok; ok = rangeset_first_from(rs, r.end, &r))
 * (ranges never touch, so the next one starts strictly after r.end). */
bool rangeset_first_from(const struct rangeset *rs, uint64_t x, struct rs_range *out);
/* First range with end > x: the range containing x if any, else the
 * first range above x. */
bool rangeset_first_ending_after(const struct rangeset *rs, uint64_t x, struct rs_range *out);
/* Last range with start < x: the range containing x - 1 if any, else
 * the last range below x. */
bool rangeset_last_before(const struct rangeset *rs, uint64_t x, struct rs_range *out);
/* The i-th range in ascending order (0-based), i < rangeset_count(). */
bool rangeset_nth(const struct rangeset *rs, uint32_t i, struct rs_range *out);

/* Bytes of [a, b) covered by the set (0 if a >= b). O(log n). */
uint64_t rangeset_bytes_in(const struct rangeset *rs, uint64_t a, uint64_t b);
/* Number of ranges with start >= x. O(log n). */
uint32_t rangeset_count_from(const struct rangeset *rs, uint64_t x);

/* Suffix search (for RFC 6675 IsLost): the highest range R such that the
 * ranges from R upwards (R included) number at least `min_count` or
 * cover more than `min_bytes` bytes. min_count == 0 disables the count
 * test; min_bytes == UINT64_MAX disables the byte test. O(log n). */
bool rangeset_suffix_reach(const struct rangeset *rs, uint32_t min_count, uint64_t min_bytes,
                           struct rs_range *out);

/* Call fn for each range in ascending order; stop early (and return that
 * value) when fn returns non-zero. fn must not modify the set. O(n). */
typedef int (*rangeset_fn)(void *ctx, const struct rs_range *r);
int rangeset_foreach(const struct rangeset *rs, rangeset_fn fn, void *ctx);

/* Verify the invariants (ordering, disjoint-and-not-touching, AVL
 * balance, subtree aggregates). Returns 0, or -1 on the first violation.
 * O(n): for tests. */
int rangeset_check(const struct rangeset *rs);
#endif

/* Rangeset: disjoint coalesced ranges in an AVL tree with subtree
 * aggregates. See rangeset.h for the contract.
 *
 * Implementation notes:
 *  - Nodes are ordered by start. Because ranges are disjoint and never
 *    touch, ordering by start is also ordering by end, so "the range
 *    containing x" is the node with the greatest start <= x.
 *  - Each node stores the height, node count and byte sum of its subtree;
 *    rs_update() recomputes them from the children. Every structural
 *    change goes through rs_balance(), which calls rs_update().
 *  - Merging rewrites one surviving node's start/end in place. That keeps
 *    the search order valid: the new bounds only grow into space that no
 *    other range occupies (those ranges were deleted first). Afterwards
 *    rs_fix_path() refreshes the byte sums on the path to that node.
 *  - Deletion relinks nodes instead of copying keys between them, so a
 *    pointer to a surviving node stays valid across deletions of others.
 *  - Recursion depth is the tree height, at most 1.44 log2(n + 2): below
 *    64 for any n that fits in memory.
 */
#include "base/rangeset.h"

#include <errno.h>
#include <stdlib.h>

struct rs_node {
    uint64_t start, end;
    struct rs_node *l, *r;
    uint64_t sum; /* bytes in this subtree */
    uint32_t cnt; /* nodes in this subtree */
    int32_t h;    /* height: leaf = 1 */
};

static inline int32_t rs_h(const struct rs_node *n)
{
    return n ? n->h : 0;
}
static inline uint32_t rs_cnt(const struct rs_node *n)
{
    return n ? n->cnt : 0;
}
static inline uint64_t rs_sum(const struct rs_node *n)
{
    return n ? n->sum : 0;
}
static inline uint64_t rs_len(const struct rs_node *n)
{
    return n->end - n->start;
}

static void rs_update(struct rs_node *n)
{
    int32_t hl = rs_h(n->l), hr = rs_h(n->r);
    n->h = 1 + (hl > hr ? hl : hr);
    n->cnt = 1 + rs_cnt(n->l) + rs_cnt(n->r);
    n->sum = rs_len(n) + rs_sum(n->l) + rs_sum(n->r);
}

static struct rs_node *rs_rot_right(struct rs_node *n)
{
    struct rs_node *l = n->l;
    n->l = l->r;
    l->r = n;
    rs_update(n);
    rs_update(l);
    return l;
}

static struct rs_node *rs_rot_left(struct rs_node *n)
{
    struct rs_node *r = n->r;
    n->r = r->l;
    r->l = n;
    rs_update(n);
    rs_update(r);
    return r;
}

/* Restore the AVL property at n (children already balanced, heights
 * differing by at most 2) and refresh its aggregates. */
static struct rs_node *rs_balance(struct rs_node *n)
{
    rs_update(n);
    int32_t bf = rs_h(n->l) - rs_h(n->r);
    if (bf > 1) {
        if (rs_h(n->l->l) < rs_h(n->l->r))
            n->l = rs_rot_left(n->l);
        return rs_rot_right(n);
    }
    if (bf < -1) {
        if (rs_h(n->r->r) < rs_h(n->r->l))
            n->r = rs_rot_right(n->r);
        return rs_rot_left(n);
    }
    return n;
}

static struct rs_node *rs_insert(struct rs_node *n, struct rs_node *x)
{
    if (!n)
        return x;
    if (x->start < n->start)
        n->l = rs_insert(n->l, x);
    else
        n->r = rs_insert(n->r, x);
    return rs_balance(n);
}

/* Detach the minimum of subtree n into *min; returns the new subtree. */
static struct rs_node *rs_detach_min(struct rs_node *n, struct rs_node **min)
{
    if (!n->l) {
        *min = n;
        return n->r;
    }
    n->l = rs_detach_min(n->l, min);
    return rs_balance(n);
}

/* Unlink the node whose start is `key` (it must exist) and store it in
 * *out (not freed). Returns the new subtree root. */
static struct rs_node *rs_delete(struct rs_node *n, uint64_t key, struct rs_node **out)
{
    if (key < n->start) {
        n->l = rs_delete(n->l, key, out);
    } else if (key > n->start) {
        n->r = rs_delete(n->r, key, out);
    } else {
        *out = n;
        if (!n->l)
            return n->r;
        if (!n->r)
            return n->l;
        struct rs_node *m;
        struct rs_node *r = rs_detach_min(n->r, &m);
        m->l = n->l;
        m->r = r;
        return rs_balance(m);
    }
    return rs_balance(n);
}

static void rs_delete_free(struct rangeset *rs, uint64_t key)
{
    struct rs_node *gone = NULL;
    rs->root = rs_delete(rs->root, key, &gone);
    free(gone);
}

/* Refresh aggregates on the path from the root to node x (found by its
 * start), after x's bounds changed in place. */
static void rs_fix_path(struct rs_node *n, const struct rs_node *x)
{
    if (n != x)
        rs_fix_path(x->start < n->start ? n->l : n->r, x);
    rs_update(n);
}

/* Node with the greatest start <= x, or NULL. */
static struct rs_node *rs_floor(struct rs_node *n, uint64_t x)
{
    struct rs_node *best = NULL;
    while (n) {
        if (n->start <= x) {
            best = n;
            n = n->r;
        } else {
            n = n->l;
        }
    }
    return best;
}

/* Node with the smallest start >= x, or NULL. */
static struct rs_node *rs_ceil(struct rs_node *n, uint64_t x)
{
    struct rs_node *best = NULL;
    while (n) {
        if (n->start >= x) {
            best = n;
            n = n->l;
        } else {
            n = n->r;
        }
    }
    return best;
}

/* Node with the greatest start < x, or NULL. */
static struct rs_node *rs_lower(struct rs_node *n, uint64_t x)
{
    struct rs_node *best = NULL;
    while (n) {
        if (n->start < x) {
            best = n;
            n = n->r;
        } else {
            n = n->l;
        }
    }
    return best;
}

/* One descent: *fl = node with the greatest start <= x, *ce = node with
 * the smallest start > x (either may be NULL). */
static void rs_around(struct rs_node *n, uint64_t x, struct rs_node **fl, struct rs_node **ce)
{
    struct rs_node *f = NULL, *c = NULL;
    while (n) {
        if (n->start <= x) {
            f = n;
            n = n->r;
        } else {
            c = n;
            n = n->l;
        }
    }
    *fl = f;
    *ce = c;
}

/* First node with end >= x (touching or containing x, or above it). */
static struct rs_node *rs_first_end_geq(struct rs_node *root, uint64_t x)
{
    struct rs_node *f, *c;
    rs_around(root, x, &f, &c);
    return f && f->end >= x ? f : c;
}

/* First node with end > x. */
static struct rs_node *rs_first_end_gt(struct rs_node *root, uint64_t x)
{
    struct rs_node *f, *c;
    rs_around(root, x, &f, &c);
    return f && f->end > x ? f : c;
}

static struct rs_node *rs_leftmost(struct rs_node *n)
{
    if (n)
        while (n->l)
            n = n->l;
    return n;
}

static bool rs_out(const struct rs_node *n, struct rs_range *out)
{
    if (!n)
        return false;
    out->start = n->start;
    out->end = n->end;
    return true;
}

static struct rs_node *rs_new(struct rangeset *rs, uint64_t start, uint64_t end)
{
    if (rs->max_ranges && rangeset_count(rs) >= rs->max_ranges)
        return NULL;
    struct rs_node *n = malloc(sizeof *n);
    if (!n)
        return NULL;
    n->start = start;
    n->end = end;
    n->l = n->r = NULL;
    n->h = 1;
    n->cnt = 1;
    n->sum = end - start;
    return n;
}

static void rs_free_tree(struct rs_node *n)
{
    while (n) {
        /* Iterative on the right spine, recursive on the left: depth is
         * bounded by the height. */
        rs_free_tree(n->l);
        struct rs_node *r = n->r;
        free(n);
        n = r;
    }
}

void rangeset_init(struct rangeset *rs, uint32_t max_ranges)
{
    rs->root = NULL;
    rs->max_ranges = max_ranges;
}

void rangeset_free(struct rangeset *rs)
{
    rs_free_tree(rs->root);
    rs->root = NULL;
}

void rangeset_clear(struct rangeset *rs)
{
    rangeset_free(rs);
}

uint32_t rangeset_count(const struct rangeset *rs)
{
    return rs_cnt(rs->root);
}

uint64_t rangeset_bytes(const struct rangeset *rs)
{
    return rs_sum(rs->root);
}

static uint64_t rs_overlap(const struct rs_node *n, uint64_t s, uint64_t e)
{
    uint64_t a = n->start > s ? n->start : s;
    uint64_t b = n->end < e ? n->end : e;
    return b > a ? b - a : 0;
}

int rangeset_add(struct rangeset *rs, uint64_t start, uint64_t end, struct rs_range *merged,
                 uint64_t *added)
{
    if (start > end)
        return -EINVAL;
    if (start == end) {
        if (merged)
            *merged = (struct rs_range){start, start};
        if (added)
            *added = 0;
        return 0;
    }
    struct rs_node *f = rs_first_end_geq(rs->root, start);
    if (!f || f->start > end) {
        /* Touches nothing: the only case that needs a node. */
        struct rs_node *n = rs_new(rs, start, end);
        if (!n)
            return -ENOMEM;
        rs->root = rs_insert(rs->root, n);
        if (merged)
            *merged = (struct rs_range){start, end};
        if (added)
            *added = end - start;
        return 0;
    }
    /* f is the lowest range touching [start, end]; swallow the following
     * ones that also touch it, then widen f in place. */
    uint64_t covered = rs_overlap(f, start, end);
    uint64_t ns = f->start < start ? f->start : start;
    uint64_t ne = f->end > end ? f->end : end;
    for (;;) {
        struct rs_node *nx = rs_ceil(rs->root, f->end);
        if (!nx || nx->start > end)
            break;
        covered += rs_overlap(nx, start, end);
        if (nx->end > ne)
            ne = nx->end;
        rs_delete_free(rs, nx->start);
    }
    f->start = ns;
    f->end = ne;
    rs_fix_path(rs->root, f);
    if (merged)
        *merged = (struct rs_range){ns, ne};
    if (added)
        *added = (end - start) - covered;
    return 0;
}

int rangeset_remove(struct rangeset *rs, uint64_t start, uint64_t end, uint64_t *removed)
{
    if (start > end)
        return -EINVAL;
    uint64_t gone = 0;
    struct rs_node *f = start < end ? rs_first_end_gt(rs->root, start) : NULL;
    if (f && f->start < start && f->end > end) {
        /* Strictly inside one range: split it, which needs a node. */
        struct rs_node *n = rs_new(rs, end, f->end);
        if (!n)
            return -ENOMEM;
        gone = end - start;
        f->end = start;
        rs_fix_path(rs->root, f);
        rs->root = rs_insert(rs->root, n);
        f = NULL;
    }
    while (f && f->start < end) {
        uint64_t next_key = f->end;
        gone += rs_overlap(f, start, end);
        if (f->start < start) {
            f->end = start; /* keep the part below */
            rs_fix_path(rs->root, f);
        } else if (f->end > end) {
            f->start = end; /* keep the part above; order is preserved */
            rs_fix_path(rs->root, f);
            break;
        } else {
            rs_delete_free(rs, f->start);
        }
        f = rs_ceil(rs->root, next_key);
    }
    if (removed)
        *removed = gone;
    return 0;
}

uint64_t rangeset_advance(struct rangeset *rs, uint64_t x)
{
    uint64_t gone = 0;
    for (;;) {
        struct rs_node *f = rs_leftmost(rs->root);
        if (!f || f->start >= x)
            break;
        if (f->end <= x) {
            gone += rs_len(f);
            rs_delete_free(rs, f->start);
            continue;
        }
        gone += x - f->start;
        f->start = x; /* still the lowest: order preserved */
        rs_fix_path(rs->root, f);
        break;
    }
    return gone;
}

bool rangeset_find(const struct rangeset *rs, uint64_t x, struct rs_range *out)
{
    struct rs_node *f = rs_floor(rs->root, x);
    return f && f->end > x ? rs_out(f, out) : false;
}

bool rangeset_first(const struct rangeset *rs, struct rs_range *out)
{
    return rs_out(rs_leftmost(rs->root), out);
}

bool rangeset_last(const struct rangeset *rs, struct rs_range *out)
{
    struct rs_node *n = rs->root;
    if (n)
        while (n->r)
            n = n->r;
    return rs_out(n, out);
}

bool rangeset_first_from(const struct rangeset *rs, uint64_t x, struct rs_range *out)
{
    return rs_out(rs_ceil(rs->root, x), out);
}

bool rangeset_first_ending_after(const struct rangeset *rs, uint64_t x, struct rs_range *out)
{
    return rs_out(rs_first_end_gt(rs->root, x), out);
}

bool rangeset_last_before(const struct rangeset *rs, uint64_t x, struct rs_range *out)
{
    return rs_out(rs_lower(rs->root, x), out);
}

bool rangeset_nth(const struct rangeset *rs, uint32_t i, struct rs_range *out)
{
    struct rs_node *n = rs->root;
    while (n) {
        uint32_t lc = rs_cnt(n->l);
        if (i < lc) {
            n = n->l;
        } else if (i == lc) {
            return rs_out(n, out);
        } else {
            i -= lc + 1;
            n = n->r;
        }
    }
    return false;
}

/* Count and byte sum of the ranges with start < x. */
static void rs_prefix(const struct rs_node *n, uint64_t x, uint32_t *cnt, uint64_t *sum)
{
    uint32_t c = 0;
    uint64_t s = 0;
    while (n) {
        if (n->start < x) {
            c += rs_cnt(n->l) + 1;
            s += rs_sum(n->l) + rs_len(n);
            n = n->r;
        } else {
            n = n->l;
        }
    }
    *cnt = c;
    *sum = s;
}

/* Bytes covered in [0, x). */
static uint64_t rs_covered_below(const struct rangeset *rs, uint64_t x)
{
    uint32_t c;
    uint64_t s;
    rs_prefix(rs->root, x, &c, &s);
    const struct rs_node *l = rs_lower(rs->root, x);
    if (l && l->end > x)
        s -= l->end - x; /* the range straddling x counts only below x */
    return s;
}

uint64_t rangeset_bytes_in(const struct rangeset *rs, uint64_t a, uint64_t b)
{
    if (a >= b)
        return 0;
    return rs_covered_below(rs, b) - rs_covered_below(rs, a);
}

uint32_t rangeset_count_from(const struct rangeset *rs, uint64_t x)
{
    uint32_t c;
    uint64_t s;
    rs_prefix(rs->root, x, &c, &s);
    return rangeset_count(rs) - c;
}

bool rangeset_suffix_reach(const struct rangeset *rs, uint32_t min_count, uint64_t min_bytes,
                           struct rs_range *out)
{
    /* The suffix starting at a range grows as the range gets lower, so
     * the ranges that qualify form a prefix of the order; find its last
     * element. acc_* = the ranges to the right of the current subtree. */
    const struct rs_node *n = rs->root, *best = NULL;
    uint32_t acc_c = 0;
    uint64_t acc_b = 0;
    while (n) {
        uint32_t c = acc_c + rs_cnt(n->r) + 1;
        uint64_t b = acc_b + rs_sum(n->r) + rs_len(n);
        if ((min_count && c >= min_count) || b > min_bytes) {
            best = n;
            n = n->r;
        } else {
            acc_c = c;
            acc_b = b;
            n = n->l;
        }
    }
    return rs_out(best, out);
}

static int rs_walk(const struct rs_node *n, rangeset_fn fn, void *ctx)
{
    while (n) {
        int rc = rs_walk(n->l, fn, ctx);
        if (rc)
            return rc;
        struct rs_range r = {n->start, n->end};
        rc = fn(ctx, &r);
        if (rc)
            return rc;
        n = n->r;
    }
    return 0;
}

int rangeset_foreach(const struct rangeset *rs, rangeset_fn fn, void *ctx)
{
    return rs_walk(rs->root, fn, ctx);
}

/* Check subtree n in order: each start > the previous range's end
 * (strict: touching ranges must have been merged), AVL balance, and the
 * aggregates. */
static int rs_check_node(const struct rs_node *n, bool *have_prev, uint64_t *prev_end)
{
    if (!n)
        return 0;
    if (rs_check_node(n->l, have_prev, prev_end))
        return -1;
    if (n->start >= n->end)
        return -1;
    if (*have_prev && n->start <= *prev_end)
        return -1;
    *have_prev = true;
    *prev_end = n->end;
    if (rs_check_node(n->r, have_prev, prev_end))
        return -1;
    int32_t hl = rs_h(n->l), hr = rs_h(n->r);
    if (n->h != 1 + (hl > hr ? hl : hr) || hl - hr > 1 || hr - hl > 1)
        return -1;
    if (n->cnt != 1 + rs_cnt(n->l) + rs_cnt(n->r))
        return -1;
    if (n->sum != rs_len(n) + rs_sum(n->l) + rs_sum(n->r))
        return -1;
    return 0;
}

int rangeset_check(const struct rangeset *rs)
{
    bool have_prev = false;
    uint64_t prev_end = 0;
    if (rs_check_node(rs->root, &have_prev, &prev_end))
        return -1;
    if (rs->max_ranges && rangeset_count(rs) > rs->max_ranges)
        return -1;
    return 0;
}

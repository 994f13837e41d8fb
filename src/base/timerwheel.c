/* Hierarchical timer wheel (timerwheel.h), after Varghese & Lauck (1987)
 * and the classic BSD/Linux cascading wheels.
 *
 * Ticks. A timer's expiry tick is e = ceil(deadline / tick). `cur` is the
 * last tick processed: every timer with e <= cur has fired or is on the
 * `due` list (overdue, fired first by the next advance).
 *
 * Placement of a timer with e > cur, delta = e - cur:
 *   delta < 64            level 0, slot e & 63 (fires at tick e)
 *   64^L <= delta < 64^(L+1), L = 1..5
 *                         level L, slot (e >> 6L) & 63
 *   delta >= 64^6         `far` list (a virtual level 6)
 * A level-L slot is cascaded (its timers re-placed against the new cur)
 * at the tick f_L(e) = e with its low 6L bits cleared: the first tick > cur
 * whose level-L digit is the slot and whose lower digits are all zero.
 * The far list is cascaded at the multiples of 64^6 ticks, so a far timer
 * leaves it at f_6(e); multiples before the earliest far timer's are
 * skipped. f_L(e) depends only on e and L, which is what keeps the
 * same-tick order (below).
 *
 * Same-tick order = arm order. Among timers with the same e, one armed
 * earlier is never at a lower level than one armed later (its delta was
 * larger), and timers reach a slot either by arming (appended: after
 * everything already there) or by cascading from a higher level (put in
 * front, keeping their own order). At a tick where several levels cascade,
 * the lowest goes first, so the higher level's timers (armed earlier) end
 * up in front of the lower level's. tests/unit/test_base_timerwheel.c
 * checks this against a sorted model under random operations.
 *
 * Jumps. tw_advance() does not step tick by tick: a 64-bit occupancy
 * bitmap per level gives the next tick at which any non-empty slot fires
 * or cascades (a rotate and a count-trailing-zeros per level), and the
 * wheel jumps straight there. Empty stretches of any length cost O(1).
 *
 * Lists are circular and doubly linked through struct timer, with the
 * slot heads (and due/far) as sentinels, so cancel is an O(1) unlink; the
 * slot's occupancy bit is cleared when the unlink empties a slot.
 */
#include "base/timerwheel.h"

#include <stddef.h>

#define TW_BITS 6
#define TW_SLOT_MASK (TW_SLOTS - 1)
#define TW_FAR_BITS (TW_BITS * TW_LEVELS) /* deltas >= 2^36 ticks go far */

_Static_assert(TW_SLOTS == 1 << TW_BITS, "a slot index is one 6-bit digit");
_Static_assert(TW_SLOTS == 64, "occupancy bitmaps are uint64_t");

static void tw_list_init(struct timer *h)
{
    h->next = h->prev = h;
}

static bool tw_list_empty(const struct timer *h)
{
    return h->next == h;
}

static void tw_append(struct timer *h, struct timer *t)
{
    t->prev = h->prev;
    t->next = h;
    h->prev->next = t;
    h->prev = t;
}

static void tw_prepend(struct timer *h, struct timer *t)
{
    t->next = h->next;
    t->prev = h;
    h->next->prev = t;
    h->next = t;
}

/* Move every timer of list h onto the (empty, local) list to. */
static void tw_splice(struct timer *h, struct timer *to)
{
    to->next = h->next;
    to->prev = h->prev;
    to->next->prev = to;
    to->prev->next = to;
    tw_list_init(h);
}

static uint64_t tw_rotr(uint64_t x, unsigned k)
{
    k &= 63;
    return k ? (x >> k) | (x << (64 - k)) : x;
}

static uint64_t tw_tick_of(const struct timerwheel *w, sg_time deadline)
{
    return deadline / w->tick + (deadline % w->tick != 0);
}

/* Saturating tick -> ns. */
static sg_time tw_time_of(const struct timerwheel *w, uint64_t tick)
{
    return tick > SG_TIME_NEVER / w->tick ? SG_TIME_NEVER : tick * w->tick;
}

/* h has just become empty: if it is a slot head, clear its bit. (Other
 * list heads, due/far and the local lists of tw_fire/tw_cascade, have
 * none.) */
static void tw_emptied(struct timerwheel *w, const struct timer *h)
{
    uintptr_t off = (uintptr_t)h - (uintptr_t)&w->slots[0][0];
    if (off < sizeof(w->slots)) {
        size_t i = off / sizeof(struct timer);
        w->occupied[i / TW_SLOTS] &= ~(1ull << (i % TW_SLOTS));
    }
}

/* Unlink an armed timer; clear its slot's bit if that emptied the slot. */
static void tw_unlink(struct timerwheel *w, struct timer *t)
{
    struct timer *n = t->next, *p = t->prev;
    p->next = n;
    n->prev = p;
    t->next = t->prev = NULL;
    if (n->next == n) /* only a list head can point to itself: list empty */
        tw_emptied(w, n);
}

/* Move every timer of the non-empty list h onto the local list `to`. */
static void tw_take(struct timerwheel *w, struct timer *h, struct timer *to)
{
    tw_splice(h, to);
    tw_emptied(w, h);
}

/* Put t, expiring at tick e >= cur, where it belongs (see the top). At the
 * front of its list when cascading, at the back when arming. */
static void tw_place(struct timerwheel *w, struct timer *t, uint64_t e, bool front)
{
    uint64_t delta = e - w->cur;
    struct timer *h;
    if (delta >= 1ull << TW_FAR_BITS) {
        h = &w->far;
        if (e < w->far_min)
            w->far_min = e;
    } else {
        unsigned level = delta < TW_SLOTS ? 0 : (unsigned)(63 - __builtin_clzll(delta)) / TW_BITS;
        unsigned slot = (unsigned)(e >> (TW_BITS * level)) & TW_SLOT_MASK;
        h = &w->slots[level][slot];
        w->occupied[level] |= 1ull << slot;
    }
    if (front)
        tw_prepend(h, t);
    else
        tw_append(h, t);
}

/* Re-place every timer of list h against the current tick. Walking the
 * detached list backwards and putting each in front of its new list keeps
 * the batch's order and puts it before timers armed later (see the top). */
static void tw_cascade(struct timerwheel *w, struct timer *h)
{
    struct timer local;
    if (tw_list_empty(h))
        return;
    tw_take(w, h, &local);
    for (struct timer *t = local.prev, *prev; t != &local; t = prev) {
        prev = t->prev;
        tw_place(w, t, tw_tick_of(w, t->deadline), true);
    }
}

/* Fire every timer on list h (detached first, so timers armed meanwhile
 * are not run by this call). */
static uint32_t tw_fire(struct timerwheel *w, struct timer *h, sg_time now)
{
    struct timer local;
    uint32_t n = 0;
    if (tw_list_empty(h))
        return 0;
    tw_take(w, h, &local);
    while (!tw_list_empty(&local)) {
        struct timer *t = local.next;
        tw_unlink(w, t); /* local is not a slot head: no bitmap change */
        w->count--;
        n++;
        if (t->fn)
            t->fn(t, now);
    }
    return n;
}

/* The first tick > cur at which a non-empty slot fires or cascades, or the
 * far list cascades; UINT64_MAX if none. */
static uint64_t tw_next_event(const struct timerwheel *w)
{
    uint64_t best = UINT64_MAX;
    for (unsigned l = 0; l < TW_LEVELS; l++) {
        uint64_t bits = w->occupied[l];
        if (!bits)
            continue;
        /* Slot s of level l is next due at the digit value c' > c (c = cur's
         * digits from level l up) with c' & 63 == s, at tick c' << 6l. */
        uint64_t c = w->cur >> (TW_BITS * l);
        uint64_t k = (uint64_t)__builtin_ctzll(tw_rotr(bits, (unsigned)(c + 1)));
        uint64_t c2 = c + 1 + k;
        if (c2 > UINT64_MAX >> (TW_BITS * l))
            continue; /* beyond the end of time */
        uint64_t t = c2 << (TW_BITS * l);
        if (t < best)
            best = t;
    }
    if (!tw_list_empty(&w->far)) {
        /* The far list is cascaded at multiples of 64^6 ticks, but only
         * those from which some timer would leave it matter: none leaves
         * before far_min's own multiple. (Skipped cascades would have put
         * every timer back where it was.) */
        uint64_t c2 = (w->cur >> TW_FAR_BITS) + 1;
        uint64_t c3 = w->far_min >> TW_FAR_BITS;
        if (c3 > c2)
            c2 = c3;
        if (c2 <= UINT64_MAX >> TW_FAR_BITS && (c2 << TW_FAR_BITS) < best)
            best = c2 << TW_FAR_BITS;
    }
    return best;
}

void tw_init(struct timerwheel *w, sg_time now, sg_time tick)
{
    w->tick = tick ? tick : 1;
    w->cur = now / w->tick;
    w->count = 0;
    for (unsigned l = 0; l < TW_LEVELS; l++) {
        for (unsigned s = 0; s < TW_SLOTS; s++)
            tw_list_init(&w->slots[l][s]);
        w->occupied[l] = 0;
    }
    tw_list_init(&w->due);
    tw_list_init(&w->far);
    w->far_min = UINT64_MAX;
}

void timer_init(struct timer *t, timer_fn fn)
{
    t->next = t->prev = NULL;
    t->deadline = 0;
    t->fn = fn;
}

void tw_arm(struct timerwheel *w, struct timer *t, sg_time deadline)
{
    if (timer_armed(t))
        tw_unlink(w, t);
    else
        w->count++;
    t->deadline = deadline;
    uint64_t e = tw_tick_of(w, deadline);
    if (e <= w->cur)
        tw_append(&w->due, t);
    else
        tw_place(w, t, e, false);
}

void tw_cancel(struct timerwheel *w, struct timer *t)
{
    if (!timer_armed(t))
        return;
    tw_unlink(w, t);
    w->count--;
}

uint32_t tw_advance(struct timerwheel *w, sg_time now)
{
    uint64_t target = now / w->tick;
    uint32_t fired = tw_fire(w, &w->due, now);

    while (w->cur < target) {
        uint64_t t = tw_next_event(w);
        if (t > target) {
            w->cur = target;
            break;
        }
        w->cur = t;
        /* Cascades due at this tick, lowest level first (see the top). */
        unsigned l = 1;
        for (; l < TW_LEVELS && !(t & ((1ull << (TW_BITS * l)) - 1)); l++)
            tw_cascade(w, &w->slots[l][(t >> (TW_BITS * l)) & TW_SLOT_MASK]);
        if (l == TW_LEVELS && !(t & ((1ull << TW_FAR_BITS) - 1))) {
            /* Cancelled timers may have left far_min too low: recompute it
             * from those that stay. */
            w->far_min = UINT64_MAX;
            tw_cascade(w, &w->far);
        }
        fired += tw_fire(w, &w->slots[0][t & TW_SLOT_MASK], now);
    }
    return fired;
}

sg_time tw_next_deadline(const struct timerwheel *w)
{
    if (w->count == 0)
        return SG_TIME_NEVER;
    if (!tw_list_empty(&w->due)) {
        uint64_t e = UINT64_MAX;
        for (const struct timer *t = w->due.next; t != &w->due; t = t->next) {
            uint64_t te = tw_tick_of(w, t->deadline);
            if (te < e)
                e = te;
        }
        return tw_time_of(w, e);
    }
    uint64_t t = tw_next_event(w);
    return t == UINT64_MAX ? SG_TIME_NEVER : tw_time_of(w, t);
}

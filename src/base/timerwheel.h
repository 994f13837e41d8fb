/* Hierarchical timer wheel (Varghese & Lauck): O(1) arm and cancel.
 *
 * Timers are intrusive (embed a `struct timer`); the wheel never allocates
 * per timer. Resolution is the tick given at init (e.g. 1 ms): a timer
 * fires at the first tw_advance() whose `now` is >= its deadline rounded
 * up to the tick, never earlier than its deadline. Deadlines any distance
 * ahead are supported (overflow levels cascade). Expiry order among timers
 * due in the same tick is the order they were armed (determinism).
 *
 * Precisely, with T(d) = d rounded up to a multiple of the tick:
 *  - a timer armed for d > the wheel's current tick time fires in the
 *    first tw_advance() whose now >= T(d), never earlier;
 *  - a timer armed for a tick already reached (d <= the current tick's
 *    time, including from a callback during tw_advance for the tick being
 *    run) is overdue: it fires at the start of the *next* tw_advance(),
 *    whatever its now, so a callback re-arming itself for `now` cannot
 *    loop forever inside one advance;
 *  - one tw_advance() runs the overdue timers first (in arm order), then
 *    tick by tick the timers of each tick (in arm order). A callback that
 *    arms a timer for a later tick within the same advance's range sees
 *    it fire in that same advance.
 * Ticks with nothing due are skipped in O(1) each run of them, so a jump
 * of hours or days in `now` costs no more than the timers it fires (plus
 * at most one cascade per level per timer).
 *
 * The wheel is self-referential (list heads point to themselves): do not
 * copy or move it after tw_init(). Callbacks must not call tw_advance().
 */
#ifndef SG_BASE_TIMERWHEEL_H
#define SG_BASE_TIMERWHEEL_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "base/time.h"

struct timer;
typedef void (*timer_fn)(struct timer *t, sg_time now);

struct timer {
    struct timer *next, *prev; /* wheel slot list; NULL when not armed */
    sg_time deadline;
    timer_fn fn;
};

#define TW_LEVELS 6
#define TW_SLOTS 64

struct timerwheel {
    sg_time tick;                            /* ns per tick */
    uint64_t cur;                            /* current tick */
    uint32_t count;                          /* armed timers */
    struct timer slots[TW_LEVELS][TW_SLOTS]; /* list heads */
    /* Private to timerwheel.c (added after the fields above): */
    struct timer due;             /* overdue timers: run first by the next advance */
    struct timer far;             /* deadlines >= 64^TW_LEVELS ticks ahead */
    uint64_t far_min;             /* <= the earliest expiry tick on `far` */
    uint64_t occupied[TW_LEVELS]; /* bit s set iff slots[l][s] is non-empty */
};

/* An empty wheel whose current tick is now / tick. tick is in ns (0 is
 * taken as 1). */
void tw_init(struct timerwheel *w, sg_time now, sg_time tick);
/* A disarmed timer calling fn (fn may be NULL: the timer just expires). */
void timer_init(struct timer *t, timer_fn fn);
/* Arm (or re-arm) t for `deadline` (ns). O(1). Re-arming counts as a new
 * arm for the same-tick order. */
void tw_arm(struct timerwheel *w, struct timer *t, sg_time deadline);
void tw_cancel(struct timerwheel *w, struct timer *t); /* no-op if not armed; O(1) */
static inline bool timer_armed(const struct timer *t)
{
    return t->next != NULL;
}
/* Run every timer due at `now`, calling its fn (which may re-arm or cancel
 * any timer, including itself). A timer is disarmed before its fn runs.
 * fn receives this `now`. Returns the number fired. A `now` earlier than
 * the current tick only runs overdue timers. */
uint32_t tw_advance(struct timerwheel *w, sg_time now);
/* When to call tw_advance() next: a time <= T(d) for the earliest armed
 * deadline d, i.e. no tw_advance() before it would fire anything. Exact
 * when the next thing the wheel does is firing a timer; earlier when it is
 * a cascade of far timers (the caller then just wakes, advances and asks
 * again; each such wake-up is strictly later than the last). Overdue
 * timers give a time <= the current tick's time. SG_TIME_NEVER when
 * nothing is armed.
 * (It bounds the deadline rounded up to the tick, not the raw deadline:
 * waking at the raw deadline would find nothing to run until the tick
 * ends, and a caller that asks again would spin.) */
sg_time tw_next_deadline(const struct timerwheel *w);
#endif

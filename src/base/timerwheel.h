/* Hierarchical timer wheel (Varghese & Lauck): O(1) arm and cancel.
 *
 * Timers are intrusive (embed a `struct timer`); the wheel never allocates
 * per timer. Resolution is the tick given at init (e.g. 1 ms): a timer
 * fires at the first tw_advance() whose `now` is >= its deadline rounded
 * up to the tick, never earlier than its deadline. Deadlines any distance
 * ahead are supported (overflow levels cascade). Expiry order among timers
 * due in the same tick is the order they were armed (determinism).
 */
#ifndef SG_BASE_TIMERWHEEL_H
#define SG_BASE_TIMERWHEEL_H
#include <stdbool.h>
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
    sg_time tick;        /* ns per tick */
    uint64_t cur;        /* current tick */
    uint32_t count;      /* armed timers */
    struct timer slots[TW_LEVELS][TW_SLOTS]; /* list heads */
};

void tw_init(struct timerwheel *w, sg_time now, sg_time tick);
void timer_init(struct timer *t, timer_fn fn);
/* Arm (or re-arm) t for `deadline`. */
void tw_arm(struct timerwheel *w, struct timer *t, sg_time deadline);
void tw_cancel(struct timerwheel *w, struct timer *t); /* no-op if not armed */
static inline bool timer_armed(const struct timer *t)
{
    return t->next != NULL;
}
/* Run every timer due at `now`, calling its fn (which may re-arm or cancel
 * any timer, including itself). Returns the number fired. */
uint32_t tw_advance(struct timerwheel *w, sg_time now);
/* A time <= the earliest armed deadline (exact to the tick for level-0
 * timers, may be earlier for far timers: the caller then just wakes and
 * calls tw_advance again); SG_TIME_NEVER when nothing is armed. */
sg_time tw_next_deadline(const struct timerwheel *w);
#endif

/* Time in the core: a uint64_t count of nanoseconds on a monotonic clock,
 * always passed in by the caller (the runtime's clock or a world's virtual
 * clock). Nothing in src/ below rt/ reads a clock. */
#ifndef SG_BASE_TIME_H
#define SG_BASE_TIME_H
#include <stdint.h>

typedef uint64_t sg_time; /* nanoseconds */
#define SG_TIME_NEVER UINT64_MAX
#define SG_NS(x) ((sg_time)(x))
#define SG_US(x) ((sg_time)(x) * 1000ull)
#define SG_MS(x) ((sg_time)(x) * 1000000ull)
#define SG_SEC(x) ((sg_time)(x) * 1000000000ull)

static inline sg_time time_min(sg_time a, sg_time b)
{
    return a < b ? a : b;
}
#endif

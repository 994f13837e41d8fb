/* reass_scaling: cost of one out-of-order segment as the number of holes
 * in the reassembly queue grows (ARCHITECTURE.md: "O(log n) per segment,
 * 10k holes").
 *
 * For N = 100, 1000, 10000: N segments of 100 bytes are inserted in a
 * random order at every other 100-byte slot beyond rcv_nxt, so each one
 * creates a new hole; the mean ns per reass_insert() over the N inserts is
 * the "create" cost. Then, with the N holes held, random duplicate
 * segments of held data are inserted (lookup + duplicate detection, the
 * queue does not change): the "held" cost. Each is repeated until about
 * a million inserts were timed, and the best of 3 runs is kept.
 *
 * A tree costs about log2(N): 10000 vs 100 holes should cost ~2x (plus
 * cache misses as the tree outgrows the caches); a list would cost ~100x.
 * The last line is machine-readable:
 *   reass-scaling ns100=.. ns1000=.. ns10000=..
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/ring.h"
#include "tcp/reass.h"
#include "tcp/seq.h"

#define SEG 100u
#define TARGET_INSERTS 1000000u

static uint64_t bench_rand(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static double bench_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

struct cost {
    double create_ns, held_ns;
};

static struct cost bench_one(uint32_t n, uint64_t *seed)
{
    static uint8_t payload[SEG];
    memset(payload, 0x5a, sizeof payload);
    uint32_t *order = malloc(n * sizeof *order);
    if (!order) {
        fprintf(stderr, "out of memory\n");
        exit(1);
    }
    const uint64_t rcv_nxt = SEQ_UNWRAP_BASE + 0xfff00000u; /* wraps on the wire */
    uint32_t rounds = TARGET_INSERTS / n;
    double create = 0, held = 0;
    uint64_t created = 0, dups = 0;
    for (uint32_t round = 0; round < rounds; round++) {
        struct reass q;
        struct ring ring;
        reass_init(&q, 0);
        ring_init(&ring, (2 * n + 2) * SEG);
        /* allocate the ring's storage outside the timed region */
        ring_write_at(&ring, ring.limit - 1, payload, 1);
        for (uint32_t i = 0; i < n; i++)
            order[i] = i;
        for (uint32_t i = n - 1; i > 0; i--) {
            uint32_t j = (uint32_t)(bench_rand(seed) % (i + 1));
            uint32_t t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        struct reass_result res;
        double t0 = bench_now_ns();
        for (uint32_t i = 0; i < n; i++) {
            uint64_t seq = rcv_nxt + (2 * (uint64_t)order[i] + 1) * SEG;
            reass_insert(&q, &ring, rcv_nxt, seq, payload, SEG, &res);
        }
        double t1 = bench_now_ns();
        if (reass_ranges(&q) != n) {
            fprintf(stderr, "expected %u holes, have %u\n", n, reass_ranges(&q));
            exit(1);
        }
        create += t1 - t0;
        created += n;
        /* the queue holds n holes: duplicates of random held segments */
        for (uint32_t i = 0; i < n; i++)
            order[i] = (uint32_t)(bench_rand(seed) % n);
        t0 = bench_now_ns();
        for (uint32_t i = 0; i < n; i++) {
            uint64_t seq = rcv_nxt + (2 * (uint64_t)order[i] + 1) * SEG;
            reass_insert(&q, &ring, rcv_nxt, seq, payload, SEG, &res);
        }
        t1 = bench_now_ns();
        held += t1 - t0;
        dups += n;
        reass_free(&q);
        ring_free(&ring);
    }
    free(order);
    return (struct cost){create / (double)created, held / (double)dups};
}

int main(void)
{
    const uint32_t ns[3] = {100, 1000, 10000};
    struct cost best[3];
    uint64_t seed = 12345;
    for (int k = 0; k < 3; k++) {
        best[k] = (struct cost){1e30, 1e30};
        for (int run = 0; run < 3; run++) {
            struct cost c = bench_one(ns[k], &seed);
            if (c.create_ns < best[k].create_ns)
                best[k].create_ns = c.create_ns;
            if (c.held_ns < best[k].held_ns)
                best[k].held_ns = c.held_ns;
        }
    }
    printf("reass_scaling: ns per out-of-order segment vs holes in the queue\n");
    printf("%8s %14s %14s\n", "holes", "create ns/seg", "held ns/seg");
    for (int k = 0; k < 3; k++)
        printf("%8u %14.1f %14.1f\n", ns[k], best[k].create_ns, best[k].held_ns);
    double ratio = best[2].create_ns / best[0].create_ns;
    double ratio_held = best[2].held_ns / best[0].held_ns;
    printf("cost(10000)/cost(100): create %.2fx, held %.2fx\n", ratio, ratio_held);
    printf("  log growth would be   %.2fx (log2 10000 / log2 100)\n", 2.0);
    printf("  linear growth would be %.0fx (%.0f ns/seg at 10000 holes)\n", 100.0,
           best[0].create_ns * 100.0);
    printf("reass-scaling ns100=%.1f ns1000=%.1f ns10000=%.1f\n", best[0].create_ns,
           best[1].create_ns, best[2].create_ns);
    return 0;
}

/* The sigurg half of bench/bulk: two stacks in one sg_world, one thread,
 * joined by a perfect memlink, one connection, bytes pushed from one to
 * the other through non-blocking sockets while the thread steps the world.
 */
#ifndef SG_BENCH_SGBULK_H
#define SG_BENCH_SGBULK_H
#include <stddef.h>
#include <stdint.h>

struct sgbulk_result {
    uint64_t ns;         /* wall time from the first send to the last byte read */
    uint64_t data_segs;  /* segments the sender sent (tcp.out_segs), retransmissions excluded */
    uint64_t retrans;    /* segments the sender retransmitted */
    uint64_t acks;       /* segments the receiver sent */
    uint64_t steps;      /* world steps taken during the transfer */
    uint64_t virtual_ns; /* virtual time the transfer took */
};

/* NULL if this build can run the sigurg side, else why not. */
const char *sgbulk_missing(void);
/* Set up, transfer `bytes` at link MTU `mtu` with `chunk`-byte reads and
 * writes, verify the byte count, tear down. 0 or -1 (reason on stderr). */
int sgbulk_run(uint64_t bytes, uint32_t mtu, size_t chunk, struct sgbulk_result *res);

/* The transfer loop itself (what `bulk --callgrind` counts); called by
 * sgbulk_run, never inlined so callgrind can find it by name. */
struct sgbulk;
int sgbulk_transfer(struct sgbulk *b);

#endif

/* The receive side's out-of-order queue (RFC 9293 §3.10.7.4 "seventh,
 * process the segment text"; RFC 2018 SACK generation; RFC 2883 D-SACK).
 *
 * Bytes live in the connection's receive ring (base/ring.h), never in
 * per-segment buffers: the ring's readable bytes are the in-order data not
 * yet read by the user, and rcv_nxt corresponds to ring offset
 * ring_len(ring). A byte with (unwrapped) sequence number s >= rcv_nxt is
 * stored at offset ring_len(ring) + (s - rcv_nxt) with ring_write_at();
 * reass records which bytes beyond rcv_nxt are held in a rangeset
 * (base/rangeset.h) and ring_commit()s them as soon as they become
 * contiguous with rcv_nxt. Total memory for out-of-order data is therefore
 * bounded by the ring's limit (the receive buffer), plus one 48-byte tree
 * node per hole.
 *
 * Sequence space: every sequence number here is in the engine's 64-bit
 * unwrapped receive space (tcp/seq.h: seq_unwrap next to rcv_nxt). All
 * ranges are half open [start, end). SYN and FIN occupy no bytes here: the
 * engine passes only payload, remembers the FIN's sequence number itself,
 * and processes the FIN when rcv_nxt reaches it.
 *
 * Costs: reass_insert is O(log n) in the number of held ranges (amortised:
 * a segment that swallows k ranges costs O((k + 1) log n), each range dies
 * once). reass_sack_blocks is O(REASS_RECENT log n).
 *
 * Ownership: struct reass is embedded in the TCB; reass_free() releases
 * its nodes. The ring is owned by the caller; reass writes into it and
 * commits to it but never reads, consumes, resizes or frees it. Between
 * calls the engine may consume readable bytes (ring_read) freely, but
 * while reass is not empty it must not lower the ring's limit below
 * ring_len + (reass_high - rcv_nxt), must not call ring_shrink() (it
 * frees storage when ring_len is 0, and held bytes live past the tail),
 * and must not write past the readable tail itself.
 */
#ifndef SG_TCP_REASS_H
#define SG_TCP_REASS_H
#include <stdbool.h>
#include <stdint.h>
#include "base/rangeset.h"
#include "base/ring.h"
#include "wire/tcp.h"

/* How many recently received out-of-order blocks are remembered for SACK
 * generation (RFC 2018 §4 asks for the most recent ones first). */
#define REASS_RECENT 4

struct reass {
    struct rangeset held;          /* ranges > rcv_nxt stored in the ring */
    uint64_t recent[REASS_RECENT]; /* seq of recent OOO arrivals, newest first */
    uint8_t nrecent;
};

struct reass_result {
    /* Bytes made readable (committed to the ring) by this segment: the
     * caller advances rcv_nxt by exactly this much. Includes this
     * segment's in-order bytes and any held bytes it made contiguous. */
    uint32_t delivered;
    /* Bytes of the segment that were not held or delivered before (stored
     * now, in order or out of order). */
    uint32_t new_bytes;
    /* Bytes of the segment dropped: beyond the ring's limit (the peer
     * overran the receive buffer), or not recordable (-ENOMEM). The engine
     * counts them (tcp.rcvbuf_drops / tcp.ofo_drops); not in new_bytes. */
    uint32_t dropped;
    /* The segment's accepted part starts beyond rcv_nxt: it is (or
     * duplicates) out-of-order data. RFC 5681 §4.2: ACK at once, with
     * SACK blocks. */
    bool out_of_order;
    /* The segment delivered in-order bytes while out-of-order data was
     * held: it filled all or part of the hole at rcv_nxt (RFC 5681 §4.2:
     * ACK immediately). */
    bool filled_hole;
    /* Some bytes of the segment were already received (below rcv_nxt or
     * already held). dup_start/dup_end give the first such contiguous
     * run, for the D-SACK block (RFC 2883 §4). */
    bool duplicate;
    uint64_t dup_start, dup_end;
};

/* An empty queue. max_holes bounds the number of disjoint held ranges
 * (tree nodes); 0 means unlimited (then the ring limit bounds it at
 * limit/2). Allocates nothing. */
void reass_init(struct reass *r, uint32_t max_holes);
/* Free all nodes; the queue is empty and usable again (e.g. after RST).
 * The ring is not touched. */
void reass_free(struct reass *r);

/* Process the payload [seq, seq + len) of an acceptable segment.
 *   rcv_nxt: the engine's current RCV.NXT (unwrapped);
 *   data: the payload bytes (len of them; may be NULL if len == 0).
 * The part below rcv_nxt is a duplicate (reported, not stored). The part
 * beyond ring->limit - ring_len(ring) + rcv_nxt is dropped (reported).
 * The rest is written to the ring (only bytes not already held are
 * written: the first copy received wins), recorded, and committed when
 * contiguous with rcv_nxt. *out is always fully written.
 * Returns 0, or -ENOMEM when the segment's new bytes had to be dropped
 * because a new hole could not be recorded (allocation failure or
 * max_holes: out-of-order data only, in-order data never needs a node) or
 * the ring could not allocate storage. With -ENOMEM nothing was delivered
 * (out->delivered == 0), the new bytes are counted in out->dropped, and
 * duplicate/dropped-beyond-buffer fields are still valid. Always apply
 * out->delivered to rcv_nxt, whatever the return value. The queue and the
 * ring's readable bytes are consistent in every case. */
int reass_insert(struct reass *r, struct ring *ring, uint64_t rcv_nxt, uint64_t seq,
                 const uint8_t *data, uint32_t len, struct reass_result *out);

/* SACK blocks to send in an ACK (RFC 2018 §4), in wire form, at most max
 * (4 without timestamps, 3 with; capped at TCP_MAX_SACK). If dsack is not
 * NULL it is put first (RFC 2883 §4: a D-SACK block is the first block),
 * then, in order: the held range containing the most recently received
 * out-of-order segment, then the ranges of the other recent arrivals
 * (newest first), then the lowest remaining held ranges. No range is
 * repeated; ranges at or below rcv_nxt are never reported (apart from
 * dsack). Returns the number of blocks written to out. */
uint32_t reass_sack_blocks(const struct reass *r, uint64_t rcv_nxt, const struct rs_range *dsack,
                           struct tcp_sack_block *out, uint32_t max);

static inline bool reass_empty(const struct reass *r)
{
    return rangeset_empty(&r->held);
}
/* Bytes held out of order (not readable yet). */
static inline uint64_t reass_bytes(const struct reass *r)
{
    return rangeset_bytes(&r->held);
}
/* Number of disjoint held ranges. */
static inline uint32_t reass_ranges(const struct reass *r)
{
    return rangeset_count(&r->held);
}
/* End (exclusive) of the highest held byte, or rcv_nxt if none. */
uint64_t reass_high(const struct reass *r, uint64_t rcv_nxt);
#endif

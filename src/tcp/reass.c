/* The out-of-order queue: which bytes beyond rcv_nxt are held in the
 * receive ring, and the SACK blocks that describe them. See reass.h.
 *
 * Data path of one segment (reass_insert):
 *   1. cut off the part below rcv_nxt (a duplicate: D-SACK material);
 *   2. cut off the part beyond the ring's limit (dropped, counted);
 *   3. write only the gaps between already-held ranges into the ring, so
 *      the first copy of a byte wins and no byte is copied twice;
 *   4. record the range: in order (starts at rcv_nxt) it is committed at
 *      once, together with the held range it now touches; out of order it
 *      is added to the rangeset (the only step that may allocate).
 */
#include "tcp/reass.h"
#include "tcp/seq.h"

#include <errno.h>
#include <string.h>

void reass_init(struct reass *r, uint32_t max_holes)
{
    rangeset_init(&r->held, max_holes);
    r->nrecent = 0;
}

void reass_free(struct reass *r)
{
    rangeset_free(&r->held);
    r->nrecent = 0;
}

uint64_t reass_high(const struct reass *r, uint64_t rcv_nxt)
{
    struct rs_range last;
    return rangeset_last(&r->held, &last) ? last.end : rcv_nxt;
}

/* Remember that a segment starting at seq arrived out of order and now
 * lies in held range m (RFC 2018 §4: SACK blocks list the most recent
 * arrivals first). Older entries inside m are dropped (m is reported once)
 * and so are entries already delivered. */
static void reass_note_recent(struct reass *r, uint64_t rcv_nxt, uint64_t seq,
                              const struct rs_range *m)
{
    uint64_t keep[REASS_RECENT];
    uint8_t n = 0;
    keep[n++] = seq;
    for (uint8_t i = 0; i < r->nrecent && n < REASS_RECENT; i++) {
        uint64_t e = r->recent[i];
        if (e < rcv_nxt || (e >= m->start && e < m->end))
            continue;
        keep[n++] = e;
    }
    memcpy(r->recent, keep, n * sizeof keep[0]);
    r->nrecent = n;
}

/* Write [seq, end) of the segment into the ring where no held range
 * covers it yet. Returns 0, or -ENOMEM if the ring could not store. Also
 * reports the first held range the segment overlaps (duplicate bytes). */
static int reass_write_gaps(const struct reass *r, struct ring *ring, uint64_t rcv_nxt,
                            uint64_t seq, uint64_t end, const uint8_t *data, uint64_t data_seq,
                            struct reass_result *out)
{
    uint32_t base = ring_len(ring); /* ring offset of rcv_nxt */
    uint64_t pos = seq;
    struct rs_range h;
    bool ok = rangeset_first_ending_after(&r->held, seq, &h);
    for (;;) {
        uint64_t gap_end = ok && h.start < end ? h.start : end;
        if (gap_end > pos) {
            uint32_t n = (uint32_t)(gap_end - pos);
            uint32_t off = base + (uint32_t)(pos - rcv_nxt);
            if (ring_write_at(ring, off, data + (pos - data_seq), n) != n)
                return -ENOMEM;
        }
        if (!ok || h.start >= end)
            break;
        if (!out->duplicate) {
            out->duplicate = true;
            out->dup_start = h.start > seq ? h.start : seq;
            out->dup_end = h.end < end ? h.end : end;
        }
        pos = h.end;
        if (pos >= end)
            break;
        ok = rangeset_first_from(&r->held, h.end, &h);
    }
    return 0;
}

int reass_insert(struct reass *r, struct ring *ring, uint64_t rcv_nxt, uint64_t seq,
                 const uint8_t *data, uint32_t len, struct reass_result *out)
{
    memset(out, 0, sizeof *out);
    if (len == 0)
        return 0;
    const uint64_t data_seq = seq;
    uint64_t end = seq + len;

    /* 1. Below rcv_nxt: already delivered (RFC 2883 §4: D-SACK it). */
    if (seq < rcv_nxt) {
        out->duplicate = true;
        out->dup_start = seq;
        out->dup_end = end < rcv_nxt ? end : rcv_nxt;
        if (end <= rcv_nxt)
            return 0;
        seq = rcv_nxt;
    }

    /* 2. Beyond the receive buffer: the peer overran our window. */
    uint64_t room_end = rcv_nxt + (ring->limit - ring_len(ring));
    if (end > room_end) {
        uint64_t cut = seq > room_end ? seq : room_end;
        out->dropped = (uint32_t)(end - cut);
        end = cut;
        if (seq >= end)
            return 0;
    }

    /* Fast path: entirely inside one held range (a retransmission of
     * out-of-order data). Nothing to write or record. */
    struct rs_range h;
    if (seq > rcv_nxt && rangeset_find(&r->held, seq, &h) && h.end >= end) {
        out->duplicate = true;
        out->dup_start = seq;
        out->dup_end = end;
        out->out_of_order = true;
        reass_note_recent(r, rcv_nxt, seq, &h);
        return 0;
    }

    /* 3. Store the bytes not held yet. */
    bool had_ooo = !rangeset_empty(&r->held);
    if (reass_write_gaps(r, ring, rcv_nxt, seq, end, data, data_seq, out) < 0) {
        out->dropped += (uint32_t)((end - seq) - rangeset_bytes_in(&r->held, seq, end));
        return -ENOMEM;
    }

    /* 4. Record. */
    if (seq == rcv_nxt) {
        struct rs_range first;
        if (!rangeset_first(&r->held, &first) || first.start > end) {
            /* Plain in-order data: no tree work at all. */
            out->delivered = (uint32_t)(end - seq);
            out->new_bytes = (uint32_t)(end - seq);
            out->filled_hole = had_ooo;
        } else {
            /* Reaches the first held range: merging needs no node. */
            struct rs_range m;
            uint64_t added;
            int rc = rangeset_add(&r->held, seq, end, &m, &added);
            (void)rc; /* cannot fail: the range touches an existing one */
            out->delivered = (uint32_t)(m.end - rcv_nxt);
            out->new_bytes = (uint32_t)added;
            out->filled_hole = true;
            rangeset_advance(&r->held, m.end);
        }
        ring_commit(ring, out->delivered);
        return 0;
    }

    struct rs_range m;
    uint64_t added;
    if (rangeset_add(&r->held, seq, end, &m, &added) < 0) {
        /* A new hole could not be recorded (max_holes or no memory): the
         * range touched no held one (merging needs no node), so all of it
         * is dropped. The bytes written past the tail stay invisible:
         * nothing refers to them, so the ring is consistent. */
        out->dropped += (uint32_t)(end - seq);
        return -ENOMEM;
    }
    out->out_of_order = true;
    out->new_bytes = (uint32_t)added;
    reass_note_recent(r, rcv_nxt, seq, &m);
    return 0;
}

static bool reass_listed(const struct tcp_sack_block *out, uint32_t from, uint32_t n,
                         const struct rs_range *h)
{
    for (uint32_t i = from; i < n; i++)
        if (out[i].left == seq_wrap(h->start) && out[i].right == seq_wrap(h->end))
            return true;
    return false;
}

uint32_t reass_sack_blocks(const struct reass *r, uint64_t rcv_nxt, const struct rs_range *dsack,
                           struct tcp_sack_block *out, uint32_t max)
{
    if (max > TCP_MAX_SACK)
        max = TCP_MAX_SACK;
    uint32_t n = 0;
    if (dsack && n < max)
        out[n++] = (struct tcp_sack_block){seq_wrap(dsack->start), seq_wrap(dsack->end)};
    const uint32_t first = n; /* held ranges are listed from here */
    struct rs_range h;
    /* RFC 2018 §4: the block holding the most recent arrival first, then
     * the other recent ones, newest first. */
    for (uint8_t i = 0; i < r->nrecent && n < max; i++) {
        if (r->recent[i] < rcv_nxt || !rangeset_find(&r->held, r->recent[i], &h))
            continue;
        if (h.start < rcv_nxt || reass_listed(out, first, n, &h))
            continue;
        out[n++] = (struct tcp_sack_block){seq_wrap(h.start), seq_wrap(h.end)};
    }
    /* Room left: the lowest held ranges, the ones the sender needs to
     * know about soonest. */
    for (bool ok = rangeset_first_ending_after(&r->held, rcv_nxt, &h); ok && n < max;
         ok = rangeset_first_from(&r->held, h.end, &h)) {
        if (h.start < rcv_nxt || reass_listed(out, first, n, &h))
            continue;
        out[n++] = (struct tcp_sack_block){seq_wrap(h.start), seq_wrap(h.end)};
    }
    return n;
}

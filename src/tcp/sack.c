/* The sender's SACK scoreboard and RFC 6675 loss recovery helpers. See
 * sack.h for the contract and the inclusive/exclusive conventions.
 *
 * Everything the RFC defines octet by octet is computed from the rangeset
 * in O(log n):
 *  - IsLost is monotone in the sequence number (a lower unSACKed byte has
 *    at least as many SACKed ranges and bytes above it), so one boundary
 *    answers it: the start of the highest SACKed range R such that the
 *    ranges from R upwards number >= DupThresh or hold more than
 *    (DupThresh - 1) * SMSS bytes (rangeset_suffix_reach);
 *  - SetPipe counts unSACKed bytes in two intervals, each an interval
 *    length minus rangeset_bytes_in();
 *  - NextSeg needs the first unSACKed byte at or after a point, and the
 *    next SACKed range above it.
 */
#include "tcp/sack.h"

#include <string.h>

#include "tcp/seq.h"

void sack_init(struct sack_board *sb, uint32_t smss, uint32_t max_ranges)
{
    memset(sb, 0, sizeof *sb);
    rangeset_init(&sb->sacked, max_ranges);
    sb->smss = smss ? smss : 1;
}

void sack_free(struct sack_board *sb)
{
    rangeset_free(&sb->sacked);
}

void sack_set_smss(struct sack_board *sb, uint32_t smss)
{
    sb->smss = smss ? smss : 1;
}

void sack_advance(struct sack_board *sb, uint64_t snd_una)
{
    rangeset_advance(&sb->sacked, snd_una);
}

void sack_on_ack(struct sack_board *sb, uint64_t snd_una, uint64_t snd_nxt,
                 const struct tcp_sack_block *blocks, uint32_t nblocks, struct sack_update *out)
{
    struct sack_update tmp;
    if (!out)
        out = &tmp;
    memset(out, 0, sizeof *out);
    sack_advance(sb, snd_una);
    if (nblocks > TCP_MAX_SACK)
        nblocks = TCP_MAX_SACK;
    for (uint32_t i = 0; i < nblocks; i++) {
        uint64_t s = seq_unwrap(snd_una, blocks[i].left);
        uint64_t e = seq_unwrap(snd_una, blocks[i].right);
        if (i == 0) {
            /* RFC 2883 §4: a first block below the cumulative ACK, or
             * contained in the second block, reports a duplicate. */
            bool dsack = s < snd_una;
            if (!dsack && nblocks > 1) {
                uint64_t s2 = seq_unwrap(snd_una, blocks[1].left);
                uint64_t e2 = seq_unwrap(snd_una, blocks[1].right);
                dsack = s < e && s2 <= s && e <= e2;
            }
            if (dsack && s < e) {
                out->dsack = true;
                out->dsack_start = s;
                out->dsack_end = e;
                continue;
            }
        }
        /* RFC 2018 §4 / RFC 6675 §2: only blocks inside what we sent and
         * above the cumulative ACK can be believed. */
        if (s >= e || e > snd_nxt || e <= snd_una) {
            out->ninvalid++;
            continue;
        }
        if (s < snd_una)
            s = snd_una;
        uint64_t added;
        if (rangeset_add(&sb->sacked, s, e, NULL, &added) < 0) {
            out->ignored_nomem++;
            continue;
        }
        out->nvalid++;
        out->newly_sacked += added;
    }
}

uint64_t sack_high_sacked(const struct sack_board *sb, uint64_t snd_una)
{
    struct rs_range r;
    return rangeset_last(&sb->sacked, &r) && r.end > snd_una ? r.end : snd_una;
}

bool sack_is_sacked(const struct sack_board *sb, uint64_t seq)
{
    struct rs_range r;
    return rangeset_find(&sb->sacked, seq, &r);
}

uint64_t sack_lost_bound(const struct sack_board *sb, uint64_t snd_una)
{
    struct rs_range r;
    uint64_t bytes = (uint64_t)(SACK_DUPTHRESH - 1) * sb->smss;
    if (!rangeset_suffix_reach(&sb->sacked, SACK_DUPTHRESH, bytes, &r))
        return snd_una;
    return r.start > snd_una ? r.start : snd_una;
}

bool sack_is_lost(const struct sack_board *sb, uint64_t seq)
{
    if (sack_is_sacked(sb, seq))
        return false;
    /* For an unSACKed byte below the boundary range R, R and every range
     * above it lie above seq; for one above R.start (hence above R.end)
     * they do not all. */
    return seq < sack_lost_bound(sb, 0);
}

/* UnSACKed bytes in [a, b). */
static uint64_t sack_unsacked(const struct sack_board *sb, uint64_t a, uint64_t b)
{
    if (a >= b)
        return 0;
    return (b - a) - rangeset_bytes_in(&sb->sacked, a, b);
}

uint64_t sack_pipe(const struct sack_board *sb, uint64_t snd_una, uint64_t snd_nxt)
{
    /* RFC 6675 §4 SetPipe, for each unSACKed octet in [HighACK+1,
     * HighData]: (a) +1 if not IsLost, (b) +1 if <= HighRxt. */
    uint64_t lost = sack_lost_bound(sb, snd_una);
    uint64_t pipe = sack_unsacked(sb, lost, snd_nxt);
    uint64_t rxt_end = sb->high_rxt < snd_nxt ? sb->high_rxt : snd_nxt;
    pipe += sack_unsacked(sb, snd_una, rxt_end);
    return pipe;
}

/* First unSACKed byte at or after p. */
static uint64_t sack_first_hole(const struct sack_board *sb, uint64_t p)
{
    struct rs_range r;
    return rangeset_find(&sb->sacked, p, &r) ? r.end : p;
}

/* A retransmission starting at the unSACKed byte s: up to SMSS, ending
 * before the next SACKed byte and at snd_nxt. */
static uint32_t sack_seg_len(const struct sack_board *sb, uint64_t s, uint64_t snd_nxt)
{
    struct rs_range r;
    uint64_t lim = snd_nxt;
    if (rangeset_first_from(&sb->sacked, s, &r) && r.start < lim)
        lim = r.start;
    uint64_t n = lim > s ? lim - s : 0;
    return n < sb->smss ? (uint32_t)n : sb->smss;
}

void sack_next_seg(const struct sack_board *sb, uint64_t snd_una, uint64_t snd_nxt,
                   bool new_data_ok, struct sack_seg *out)
{
    memset(out, 0, sizeof *out);
    uint64_t high_sacked = sack_high_sacked(sb, snd_una);
    /* Rules 1 and 3 look at the smallest unSACKed S > HighRxt (1.a) that
     * lies below the highest SACKed octet (1.b). */
    uint64_t s2 = sack_first_hole(sb, snd_una > sb->high_rxt ? snd_una : sb->high_rxt);
    bool cand = s2 < high_sacked && s2 < snd_nxt;
    if (cand && s2 < sack_lost_bound(sb, snd_una)) {
        /* Rule 1: (1.c) IsLost(S2). */
        *out = (struct sack_seg){SACK_SEG_LOST, s2, sack_seg_len(sb, s2, snd_nxt)};
        return;
    }
    if (new_data_ok) {
        /* Rule 2: new data, if the window and the application allow. */
        *out = (struct sack_seg){SACK_SEG_NEW, snd_nxt, sb->smss};
        return;
    }
    if (cand) {
        /* Rule 3: same as rule 1 without (1.c). */
        *out = (struct sack_seg){SACK_SEG_RETX, s2, sack_seg_len(sb, s2, snd_nxt)};
        return;
    }
    /* Rule 4: one rescue retransmission per recovery, of a segment that
     * includes the highest outstanding unSACKed byte, if HighACK >
     * RescueRxt (or RescueRxt undefined). */
    if (!sb->in_recovery || (sb->rescue_valid && !(snd_una > sb->rescue_rxt)))
        return;
    struct rs_range top, below;
    uint64_t hi_end = snd_nxt; /* the highest unSACKed byte is hi_end - 1 */
    if (rangeset_last(&sb->sacked, &top) && top.end >= snd_nxt)
        hi_end = top.start;
    if (hi_end <= snd_una)
        return; /* nothing unSACKed outstanding */
    uint64_t start = hi_end - snd_una > sb->smss ? hi_end - sb->smss : snd_una;
    if (rangeset_last_before(&sb->sacked, hi_end, &below) && below.end > start)
        start = below.end;
    *out = (struct sack_seg){SACK_SEG_RESCUE, start, (uint32_t)(hi_end - start)};
}

void sack_sent(struct sack_board *sb, const struct sack_seg *seg)
{
    switch (seg->kind) {
    case SACK_SEG_LOST:
    case SACK_SEG_RETX:
        if (seg->seq + seg->len > sb->high_rxt)
            sb->high_rxt = seg->seq + seg->len;
        break;
    case SACK_SEG_RESCUE:
        /* Rule 4: RescueRxt = RecoveryPoint; HighRxt MUST NOT move. */
        sb->rescue_rxt = sb->recovery_point;
        sb->rescue_valid = true;
        break;
    case SACK_SEG_NONE:
    case SACK_SEG_NEW:
        break;
    }
}

void sack_enter_recovery(struct sack_board *sb, uint64_t snd_una, uint64_t snd_nxt,
                         struct sack_seg *first)
{
    /* RFC 6675 §5 (4.1): RecoveryPoint = HighData. */
    sb->in_recovery = true;
    sb->rto_guard = false;
    sb->recovery_point = snd_nxt;
    sb->high_rxt = snd_una;
    sb->rescue_valid = false;
    memset(first, 0, sizeof *first);
    uint64_t s = sack_first_hole(sb, snd_una);
    if (s >= snd_nxt)
        return;
    /* (4.3) retransmit the first segment presumed lost (HighACK + 1), and
     * set HighRxt and RescueRxt to its end. */
    *first = (struct sack_seg){SACK_SEG_LOST, s, sack_seg_len(sb, s, snd_nxt)};
    sb->high_rxt = s + first->len;
    sb->rescue_rxt = sb->high_rxt;
    sb->rescue_valid = true;
}

void sack_exit_recovery(struct sack_board *sb, uint64_t snd_una)
{
    sb->in_recovery = false;
    sb->high_rxt = snd_una;
    sb->rescue_valid = false;
}

void sack_on_rto(struct sack_board *sb, uint64_t snd_una, uint64_t snd_nxt)
{
    rangeset_clear(&sb->sacked);
    sb->in_recovery = false;
    sb->rto_guard = true;
    sb->recovery_point = snd_nxt;
    sb->high_rxt = snd_una;
    sb->rescue_valid = false;
}

bool sack_may_enter_recovery(const struct sack_board *sb, uint64_t snd_una)
{
    if (sb->in_recovery)
        return false;
    return !sb->rto_guard || snd_una >= sb->recovery_point;
}

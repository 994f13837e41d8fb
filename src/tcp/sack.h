/* The sender's SACK scoreboard and the loss-recovery helpers of RFC 6675
 * ("A Conservative Loss Recovery Algorithm Based on SACK for TCP"), with
 * D-SACK detection per RFC 2883 §4.
 *
 * Sequence space: everything is in the engine's 64-bit unwrapped send
 * space (tcp/seq.h). Ranges are half open. RFC 6675 speaks of inclusive
 * "highest octet" numbers; here:
 *   snd_una  = HighACK + 1   (first unacknowledged byte)
 *   snd_nxt  = HighData + 1  (first byte never sent)
 *   high_rxt = HighRxt + 1   (first byte not yet retransmitted in this
 *                             recovery; == snd_una means "nothing")
 *   rescue_rxt = RescueRxt + 1, recovery_point = RecoveryPoint + 1.
 *
 * The scoreboard holds the SACKed ranges inside [snd_una, snd_nxt) in a
 * rangeset with subtree sums, so IsLost, SetPipe and NextSeg are O(log n)
 * and an ACK with b blocks costs O(b log n) (amortised over merges).
 *
 * Loss model (RFC 6675 §4 IsLost): an unSACKed byte s is lost when at
 * least DupThresh (3) discontiguous SACKed ranges lie above it, or more
 * than (DupThresh - 1) * SMSS SACKed bytes lie above it. This is monotone
 * in s, so it reduces to one boundary: every unSACKed byte below
 * sack_lost_bound() is lost, none above it is.
 *
 * What the engine does with it (RFC 6675 §5):
 *   on every ACK:        sack_on_ack(...)
 *   enter recovery when: sack_may_enter_recovery(sb, snd_una) and
 *                        (DupAcks >= DupThresh or sack_is_lost(sb, snd_una))
 *                        -> cc_enter_recovery(), sack_enter_recovery()
 *                        -> retransmit the returned first segment
 *   while in recovery:   while cwnd - sack_pipe() >= SMSS:
 *                            sack_next_seg(); send it; sack_sent()
 *   leave recovery when: snd_una >= sb->recovery_point -> sack_exit_recovery()
 *   on RTO:              sack_on_rto()
 *
 * Memory: at most max_ranges SACKed ranges are kept (0 = unlimited); a
 * block that would need more is ignored (counted in ignored_nomem), which
 * is safe: unrecorded SACK information only makes the sender retransmit
 * more conservatively.
 */
#ifndef SG_TCP_SACK_H
#define SG_TCP_SACK_H
#include <stdbool.h>
#include <stdint.h>
#include "base/rangeset.h"
#include "wire/tcp.h"

#define SACK_DUPTHRESH 3 /* RFC 6675 §2 DupThresh */

struct sack_board {
    struct rangeset sacked; /* SACKed ranges within [snd_una, snd_nxt) */
    uint32_t smss;          /* SMSS, bytes */
    bool in_recovery;
    bool rescue_valid;       /* RescueRxt defined */
    bool rto_guard;          /* after an RTO: no recovery before recovery_point */
    uint64_t high_rxt;       /* HighRxt + 1 (see above) */
    uint64_t rescue_rxt;     /* RescueRxt + 1 when rescue_valid */
    uint64_t recovery_point; /* RecoveryPoint + 1 */
};

/* What one ACK's SACK option said. */
struct sack_update {
    uint64_t newly_sacked; /* bytes newly covered by SACK in this ACK */
    uint8_t nvalid;        /* blocks recorded (excluding a D-SACK block) */
    uint8_t ninvalid;      /* blocks ignored: outside [snd_una, snd_nxt] or empty */
    uint8_t ignored_nomem; /* valid blocks not recorded: max_ranges/ENOMEM */
    /* RFC 2883 §4: the first block was a D-SACK (it lies below the
     * cumulative ACK, or inside the second block). dsack_start/end is
     * its range (unwrapped near snd_una). */
    bool dsack;
    uint64_t dsack_start, dsack_end;
};

/* Segment chosen by NextSeg (RFC 6675 §4). */
enum sack_seg_kind {
    SACK_SEG_NONE = 0,   /* nothing may be sent */
    SACK_SEG_LOST = 1,   /* rule 1: retransmit [seq, seq+len), IsLost */
    SACK_SEG_NEW = 2,    /* rule 2: send new data from snd_nxt (len = smss:
                            the engine caps it by window and buffer) */
    SACK_SEG_RETX = 3,   /* rule 3: retransmit [seq, seq+len), not yet lost */
    SACK_SEG_RESCUE = 4, /* rule 4: rescue retransmission [seq, seq+len) */
};
struct sack_seg {
    enum sack_seg_kind kind;
    uint64_t seq;
    uint32_t len; /* bytes, 1..smss; 0 for NONE */
};

/* An empty scoreboard, not in recovery. smss in bytes (> 0). */
void sack_init(struct sack_board *sb, uint32_t smss, uint32_t max_ranges);
void sack_free(struct sack_board *sb); /* frees nodes; reusable (empty) after */
/* Change SMSS (PMTU changes). */
void sack_set_smss(struct sack_board *sb, uint32_t smss);

/* Process one ACK: first drop everything below snd_una (the new
 * cumulative ACK, already applied by the engine), then record the SACK
 * blocks (wire form, as parsed). Blocks are unwrapped next to snd_una.
 * The first block is a D-SACK if it starts below snd_una or lies inside
 * the second block (RFC 2883 §4); a D-SACK block is reported, not
 * recorded. Other blocks are recorded if they end in (snd_una, snd_nxt]
 * and are non-empty (a part below snd_una is cut off); the rest are
 * ignored (RFC 2018 §8 / RFC 5961 style validation). *out (if not NULL)
 * is fully written. */
void sack_on_ack(struct sack_board *sb, uint64_t snd_una, uint64_t snd_nxt,
                 const struct tcp_sack_block *blocks, uint32_t nblocks, struct sack_update *out);
/* Just advance the cumulative ACK (an ACK without SACK option). */
void sack_advance(struct sack_board *sb, uint64_t snd_una);

/* Total SACKed bytes above snd_una; number of SACKed ranges. */
static inline uint64_t sack_sacked_bytes(const struct sack_board *sb)
{
    return rangeset_bytes(&sb->sacked);
}
static inline uint32_t sack_ranges(const struct sack_board *sb)
{
    return rangeset_count(&sb->sacked);
}
/* End (exclusive) of the highest SACKed byte, or snd_una if none
 * ("highest octet covered by any received SACK" + 1). */
uint64_t sack_high_sacked(const struct sack_board *sb, uint64_t snd_una);
/* Is byte `seq` SACKed? */
bool sack_is_sacked(const struct sack_board *sb, uint64_t seq);

/* RFC 6675 IsLost(seq) for an unSACKed byte seq (false if seq is SACKed). */
bool sack_is_lost(const struct sack_board *sb, uint64_t seq);
/* The loss boundary: every unSACKed byte in [snd_una, bound) is lost, no
 * byte at or above bound is. Returns snd_una when nothing is lost. */
uint64_t sack_lost_bound(const struct sack_board *sb, uint64_t snd_una);

/* RFC 6675 SetPipe(): bytes estimated in flight, in bytes. For each
 * unSACKed byte in [snd_una, snd_nxt): +1 if not lost, +1 more if it was
 * retransmitted in this recovery (below high_rxt). Outside recovery it is
 * the unSACKed bytes not deemed lost. */
uint64_t sack_pipe(const struct sack_board *sb, uint64_t snd_una, uint64_t snd_nxt);

/* RFC 6675 NextSeg(): what to send next during recovery. new_data_ok:
 * the engine has unsent data and the receiver's window admits at least
 * one more segment beyond snd_nxt (rule 2). Pure: it changes nothing;
 * after actually sending, the engine calls sack_sent(). Retransmissions
 * never cover SACKed bytes and never pass snd_nxt. */
void sack_next_seg(const struct sack_board *sb, uint64_t snd_una, uint64_t snd_nxt,
                   bool new_data_ok, struct sack_seg *out);
/* Record that seg (from sack_next_seg or sack_enter_recovery) was sent:
 * LOST/RETX raise HighRxt to its end; RESCUE sets RescueRxt =
 * RecoveryPoint and leaves HighRxt alone (rule 4); NEW/NONE do nothing. */
void sack_sent(struct sack_board *sb, const struct sack_seg *seg);

/* Enter loss recovery (RFC 6675 §5 steps 4.1 and 4.3): RecoveryPoint =
 * snd_nxt, and *first = the first segment to retransmit, starting at
 * snd_una (kind SACK_SEG_LOST, up to SMSS, stopping at the first SACKed
 * byte and at snd_nxt). HighRxt and RescueRxt are set to its end as if it
 * had been sent (step 4.3); the engine must retransmit it. If nothing is
 * outstanding, first->kind is SACK_SEG_NONE. */
void sack_enter_recovery(struct sack_board *sb, uint64_t snd_una, uint64_t snd_nxt,
                         struct sack_seg *first);
/* Leave recovery (snd_una >= recovery_point): HighRxt/RescueRxt reset. */
void sack_exit_recovery(struct sack_board *sb, uint64_t snd_una);
/* Retransmission timeout (RFC 6675 §5.1): recovery ends, RecoveryPoint =
 * snd_nxt, and no new recovery may start before snd_una reaches it. The
 * SACKed bits are cleared (RFC 2018 §8: the receiver may have reneged), so
 * the engine retransmits everything from snd_una in slow start. */
void sack_on_rto(struct sack_board *sb, uint64_t snd_una, uint64_t snd_nxt);
/* May a new recovery phase start now? False while in recovery, and after
 * an RTO until snd_una >= recovery_point (RFC 6675 §5.1). */
bool sack_may_enter_recovery(const struct sack_board *sb, uint64_t snd_una);
#endif

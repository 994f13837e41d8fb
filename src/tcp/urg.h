/* TCP urgent data: the one place that decides urgent-pointer rules, as
 * Linux 6.18 does them (shared/spec/oob.md, rules cited as R1..R28).
 *
 * State (oob.md §0), kept per connection in struct tcp_urg:
 *   sender   snd_up: the send urgent pointer, an unwrapped send-space
 *            sequence number. It starts equal to snd_una and follows it
 *            whenever snd_una passes it; the connection is in urgent mode
 *            while snd_up > snd_una (Linux tcp_urg_mode()).
 *   receiver state NONE / NOTYET / VALID(c) / READ, urg_seq (unwrapped
 *            receive-space sequence number of the urgent byte) and the
 *            one-byte slot c. The urgent byte is never removed from the
 *            byte stream (the receive ring): normal reads stop before it
 *            and skip it (R16, R17).
 *
 * Who calls what:
 *   user.c (tcp_send)   urg_mark_send           R1-R3
 *   output.c            urg_fill / urg_probe_count / urg_mode   R4-R8
 *   ack.c               urg_on_snd_una          (snd_up follows snd_una)
 *   input.c             urg_on_segment          R10-R13 (before queueing)
 *   user.c (tcp_recv)   urg_read_limit, urg_at_mark_skip, urg_after_consume
 *                       R16-R18; urg_recv_oob R19
 *   user.c (queries)    urg_poll_pri, urg_pollin_extra, urg_inq, urg_atmark
 *                       R21, R23, R24
 *   close.c             urg_reset (tcp_disconnect, R27 last sentence)
 * Nothing here transmits or arms timers; functions that change state
 * raise TCP_EV_* events through tcp_notify().
 */
#ifndef SG_TCP_URG_H
#define SG_TCP_URG_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "base/time.h"
#include "wire/tcp.h"

struct tcb;
struct tcp_seg;

enum urg_rstate {
    URG_NONE = 0,   /* no mark pending */
    URG_NOTYET = 1, /* pointer accepted, byte not arrived */
    URG_VALID = 2,  /* byte arrived, in the slot, not fetched with MSG_OOB */
    URG_READ = 3,   /* byte fetched with MSG_OOB; the mark still exists */
};

struct tcp_urg {
    uint64_t snd_up; /* sender: send urgent pointer (unwrapped send space) */
    uint64_t seq;    /* receiver: urg_seq (unwrapped receive space) */
    uint8_t state;   /* receiver: enum urg_rstate */
    uint8_t byte;    /* receiver: the slot (valid in VALID and READ) */
};

/* ---- sender (R1-R8) ---- */

/* Start: snd_up = snd_una (no urgent mode). */
void urg_init_send(struct tcb *t);
/* R1/R3: a MSG_OOB send queued `accepted` > 0 bytes ending at write_seq:
 * snd_up = write_seq. R2: accepted == 0 changes nothing. */
void urg_mark_send(struct tcb *t, uint32_t accepted);
/* snd_una advanced: snd_up follows it once passed (Linux
 * tcp_clean_rtx_queue), ending urgent mode. */
void urg_on_snd_una(struct tcb *t);
/* Urgent mode: snd_up > snd_una (R8 Nagle exemption, R7 probes). */
bool urg_mode(const struct tcb *t);
/* R4-R6: set TCP_URG and urp in `r` for a segment starting at `seq`
 * (unwrapped send space), built while the connection's snd_nxt is
 * `snd_nxt`. Every segment the engine builds goes through here: new data,
 * retransmissions, pure ACKs, probes (not RST, not SYN). Returns true if
 * URG was set. */
bool urg_fill(const struct tcb *t, uint64_t seq, uint64_t snd_nxt, struct tcp_repr *r);
/* R7: a zero-window probe also sends an extra probe at snd_una when
 * snd_up is in (snd_una, snd_una + 0xffff] (Linux tcp_write_wakeup). */
bool urg_probe_extra(const struct tcb *t);

/* ---- receiver (R10-R27) ---- */

/* R10-R13 for one segment (untrimmed: its whole payload, the sequence
 * number of its first payload byte in unwrapped receive space), called
 * after ACK processing and before the text is queued, in every
 * synchronised state that processes text or a FIN (R12: including
 * CLOSE_WAIT), never on the fast path (R12). Accepts a new pointer
 * (SIGURG event, R22), applies R14 (may delete the old byte from the
 * receive ring), and captures the byte into the slot when the payload
 * covers urg_seq (R13). */
void urg_on_segment(struct tcb *t, const struct tcp_repr *h, uint64_t data_seq, const uint8_t *data,
                    uint32_t len);
/* R16: how many bytes a normal read starting at `pos` (unwrapped receive
 * sequence number, >= copied_seq) may take before the mark; UINT32_MAX if
 * no mark lies ahead. 0 means "at the mark". */
uint32_t urg_read_limit(const struct tcb *t, uint64_t pos);
/* R17/R18: a read starting exactly at the mark at `pos` with nothing
 * copied yet: true if the urgent byte must be skipped (SO_OOBINLINE off). */
bool urg_skip_at_mark(const struct tcb *t, uint64_t pos);
/* After a non-peek read consumed up to copied_seq: once copied_seq has
 * passed urg_seq the state becomes NONE (R17). */
void urg_after_consume(struct tcb *t);
/* R19: recv(MSG_OOB). Returns 1 (byte in *c unless trunc), 0, or -EINVAL,
 * -EAGAIN, -ENOTCONN as the table; *msg_flags gets MSG_OOB [|MSG_TRUNC].
 * buflen is the caller's total buffer length. */
int urg_recv_oob(struct tcb *t, uint8_t *c, size_t buflen, int flags, int *msg_flags);
/* R23: POLLPRI iff VALID. */
bool urg_poll_pri(const struct tcb *t);
/* R23: extra bytes POLLIN requires (1 at the mark with OOBINLINE off). */
uint32_t urg_pollin_extra(const struct tcb *t);
/* R24: SIOCINQ value, given the plain in-order count `all`. */
uint32_t urg_inq(const struct tcb *t, uint32_t all);
/* R21: SIOCATMARK. */
bool urg_atmark(const struct tcb *t);
/* Forget all receive-side urgent state (tcp_disconnect). */
void urg_reset(struct tcb *t);
#endif

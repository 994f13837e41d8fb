/* TCP urgent data, as Linux 6.18 does it: shared/spec/oob.md. Every rule
 * is cited by its number there (R1..R28). The state is described in urg.h.
 *
 * The urgent byte is never taken out of the byte stream: the receive ring
 * keeps it, normal reads stop before it (R16) and step over it (R17), and
 * a copy sits in the one-byte slot for recv(MSG_OOB) (R13, R19).
 */
#include "tcp/tcb.h"
#include <errno.h>
#include <sys/socket.h>

/* ---- sender ---- */

void urg_init_send(struct tcb *t)
{
    t->urg.snd_up = t->snd_una;
}

/* R1: "sets snd_up to the send sequence just past the last byte queued by
 * that call"; R3: that is the last byte actually accepted; R2: a call that
 * queued nothing marks nothing (Linux runs tcp_push only if copied > 0). */
void urg_mark_send(struct tcb *t, uint32_t accepted)
{
    if (accepted)
        t->urg.snd_up = tcp_write_seq(t);
}

/* Linux tcp_clean_rtx_queue: if snd_up lies in [prior snd_una, snd_una]
 * it becomes snd_una, which ends urgent mode. */
void urg_on_snd_una(struct tcb *t)
{
    if (t->urg.snd_up < t->snd_una)
        t->urg.snd_up = t->snd_una;
}

bool urg_mode(const struct tcb *t)
{
    return t->urg.snd_up > t->snd_una;
}

/* R4: URG only in urgent mode and for seg.seq < snd_up, with
 * urp = snd_up - seg.seq (one past the urgent byte, BSD convention).
 * R5: no URG at or after snd_up, even with the urgent byte unacked.
 * R6: an offset of 65536 or more is sent as 65535 only while
 * seg.seq + 65535 is beyond snd_nxt; otherwise no URG at all
 * (__tcp_transmit_skb). */
bool urg_fill(const struct tcb *t, uint64_t seq, uint64_t snd_nxt, struct tcp_repr *r)
{
    if (!urg_mode(t) || seq >= t->urg.snd_up)
        return false;
    uint64_t off = t->urg.snd_up - seq;
    if (off < 0x10000u) {
        r->urp = (uint16_t)off;
    } else if (seq + 0xffffu > snd_nxt) {
        r->urp = 0xffffu;
    } else {
        return false;
    }
    r->flags |= TCP_URG;
    return true;
}

/* R7: tcp_write_wakeup sends a probe at snd_una (urgent) before the usual
 * one at snd_una - 1 when snd_up is in [snd_una + 1, snd_una + 0xffff]. */
bool urg_probe_extra(const struct tcb *t)
{
    return t->urg.snd_up > t->snd_una && t->urg.snd_up - t->snd_una <= 0xffffu;
}

/* ---- receiver ---- */

/* R10-R11, Linux tcp_check_urg. */
static void urg_check(struct tcb *t, const struct tcp_repr *h)
{
    struct stack *s = t->s;
    /* R10: with tcp_stdurg=0 the urgent byte is seg.seq + urp - 1, or
     * seg.seq when urp == 0; with tcp_stdurg=1 it is seg.seq + urp. The
     * sequence number is the header's (a SYN counts, as in Linux). */
    uint32_t up = h->urp;
    if (up && !s->cfg.tcp_stdurg)
        up--;
    uint64_t ptr = seq_unwrap(t->rcv_nxt, h->seq + up);

    /* R11 (a): already read past; (b): already received (also when the
     * byte arrived without URG and is unread); (c): a pointer is pending
     * and this one is not newer (duplicate or older). */
    if (ptr < t->copied_seq || ptr < t->rcv_nxt ||
        (t->urg.state != URG_NONE && ptr <= t->urg.seq)) {
        STAT_INC(s, TCP_URG_IGNORED);
        return;
    }
    /* Accepted: one SIGURG per accepted pointer (R22). */
    STAT_INC(s, TCP_URG_ACCEPTED);
    tcp_notify(t, TCP_EV_SIGURG);

    /* R14: the reader sits exactly on the old mark, the old byte has
     * arrived, and SO_OOBINLINE is off: the old byte is deleted (the
     * reader steps over it), whether VALID or READ. */
    if (t->urg.state != URG_NONE && t->urg.seq == t->copied_seq && !t->oobinline &&
        ring_len(&t->rcvbuf) > 0) {
        ring_skip(&t->rcvbuf, 1);
        t->copied_seq++;
        STAT_INC(s, TCP_URG_BYTE_DROPPED);
    }
    /* R15: otherwise the old byte simply stops being special. */
    bool was_valid = t->urg.state == URG_VALID;
    t->urg.state = URG_NOTYET;
    t->urg.seq = ptr;
    if (was_valid)
        tcp_notify(t, TCP_EV_URGENT); /* POLLPRI goes away (R23) */
}

/* R12/R13, Linux tcp_urg. */
void urg_on_segment(struct tcb *t, const struct tcp_repr *h, uint64_t data_seq, const uint8_t *data,
                    uint32_t len)
{
    if (h->flags & TCP_URG) {
        STAT_INC(t->s, TCP_URG_IN);
        urg_check(t, h);
    }
    /* R13: whenever NOTYET and this segment's payload covers urg_seq, the
     * byte goes to the slot, in order or out of order, URG or not. */
    if (t->urg.state == URG_NOTYET && len && t->urg.seq >= data_seq &&
        t->urg.seq - data_seq < len) {
        t->urg.byte = data[t->urg.seq - data_seq];
        t->urg.state = URG_VALID;
        tcp_notify(t, TCP_EV_URGENT | TCP_EV_READABLE);
    }
}

/* R16: stop before the mark (NOTYET, VALID and READ alike, and with
 * SO_OOBINLINE). */
uint32_t urg_read_limit(const struct tcb *t, uint64_t pos)
{
    if (t->urg.state != URG_NONE && t->urg.seq > pos) {
        uint64_t d = t->urg.seq - pos;
        return d > UINT32_MAX ? UINT32_MAX : (uint32_t)d;
    }
    return UINT32_MAX;
}

/* R17/R18: a read that starts at the mark skips the urgent byte unless
 * SO_OOBINLINE is on (then the byte is ordinary data). */
bool urg_skip_at_mark(const struct tcb *t, uint64_t pos)
{
    return t->urg.state != URG_NONE && t->urg.seq == pos && !t->oobinline;
}

/* R17: once copied_seq has passed urg_seq the mark, POLLPRI and any unread
 * urgent byte are gone. */
void urg_after_consume(struct tcb *t)
{
    if (t->urg.state != URG_NONE && t->copied_seq > t->urg.seq) {
        bool was_valid = t->urg.state == URG_VALID;
        t->urg.state = URG_NONE;
        if (was_valid)
            tcp_notify(t, TCP_EV_URGENT);
    }
}

/* R19, Linux tcp_recv_urg, checks in the table's order. */
int urg_recv_oob(struct tcb *t, uint8_t *c, size_t buflen, int flags, int *msg_flags)
{
    int st = tcp_state(t);
    if (st == TCP_LISTEN)
        return -ENOTCONN;
    if (t->oobinline || t->urg.state == URG_NONE || t->urg.state == URG_READ)
        return -EINVAL;
    if (st == TCP_CLOSE && !t->done)
        return -ENOTCONN; /* after an RST, no FIN seen */
    if (t->urg.state == URG_VALID) {
        if (!(flags & MSG_PEEK)) {
            t->urg.state = URG_READ;
            tcp_notify(t, TCP_EV_URGENT);
        }
        if (msg_flags)
            *msg_flags |= MSG_OOB;
        if (buflen > 0) {
            if (!(flags & MSG_TRUNC))
                *c = t->urg.byte;
            return 1;
        }
        /* A zero-length buffer consumes the byte too (oob_zero_len_buffer). */
        if (msg_flags)
            *msg_flags |= MSG_TRUNC;
        return 0;
    }
    /* NOTYET */
    if (st == TCP_CLOSE || (t->shutdown & TCP_SHUT_RCV))
        return 0;
    return -EAGAIN; /* never blocks, even on a blocking socket */
}

bool urg_poll_pri(const struct tcb *t)
{
    return t->urg.state == URG_VALID;
}

uint32_t urg_pollin_extra(const struct tcb *t)
{
    return (t->urg.state != URG_NONE && t->urg.seq == t->copied_seq && !t->oobinline) ? 1u : 0u;
}

/* R24, Linux tcp_inq: only the bytes before the mark while a mark is
 * pending at or ahead of the reader and its byte has arrived
 * (urg_seq < rcv_nxt), SO_OOBINLINE off. */
uint32_t urg_inq(const struct tcb *t, uint32_t all)
{
    if (t->oobinline || t->urg.state == URG_NONE || t->urg.seq < t->copied_seq ||
        t->urg.seq >= t->rcv_nxt)
        return all;
    uint64_t d = t->urg.seq - t->copied_seq;
    return d < all ? (uint32_t)d : all;
}

/* R21 */
bool urg_atmark(const struct tcb *t)
{
    return t->urg.state != URG_NONE && t->urg.seq == t->copied_seq;
}

void urg_reset(struct tcb *t)
{
    t->urg.state = URG_NONE;
    t->urg.seq = 0;
    t->urg.byte = 0;
}

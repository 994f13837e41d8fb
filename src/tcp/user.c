/* The user side of a connection (RFC 9293 §3.10.2-3.10.3 SEND/RECEIVE):
 * copying into the send ring and out of the receive ring, readiness as
 * Linux's tcp_poll computes it, queries and socket options.
 */
#include "tcp/tcb.h"
#include <errno.h>
#include <string.h>

int tcp_state(const struct tcb *t)
{
    /* The socket's view: Linux turns a connection entering TIME_WAIT into
     * a separate time-wait object and the socket itself is CLOSE. */
    return t->state == TCP_TIME_WAIT ? TCP_CLOSE : t->state;
}

/* ---- send ---- */

ssize_t tcp_send(struct tcb *t, const struct iovec *iov, int iovcnt, int flags, sg_time now)
{
    /* Linux tcp_sendmsg_locked: wait for the connection (sk_stream_wait_
     * connect: pending error, -EPIPE unless connecting, -EAGAIN), then the
     * -EPIPE / pending-error check. */
    int st = tcp_state(t);
    if (st != TCP_ESTABLISHED && st != TCP_CLOSE_WAIT) {
        if (t->err)
            return -tcp_sock_error(t);
        if (st != TCP_SYN_SENT && st != TCP_SYN_RECV)
            return -EPIPE;
        return -EAGAIN;
    }
    if (t->err)
        return -tcp_sock_error(t);
    if (t->shutdown & TCP_SHUT_SEND)
        return -EPIPE;
    size_t total = 0;
    for (int i = 0; i < iovcnt; i++)
        total += iov[i].iov_len;
    if (total == 0)
        return 0; /* R2: a 0-byte MSG_OOB send marks nothing */
    if (ring_space(&t->sndbuf) == 0) {
        t->write_blocked = true;
        return -EAGAIN;
    }
    uint32_t accepted = 0;
    for (int i = 0; i < iovcnt; i++) {
        if (!iov[i].iov_len)
            continue;
        uint32_t want = iov[i].iov_len > UINT32_MAX ? UINT32_MAX : (uint32_t)iov[i].iov_len;
        uint32_t n = ring_write(&t->sndbuf, iov[i].iov_base, want);
        accepted += n;
        if (n < want)
            break;
    }
    if (accepted == 0) {
        t->write_blocked = true;
        return -ENOBUFS;
    }
    if (accepted < total)
        t->write_blocked = true;
    if (flags & MSG_OOB)
        urg_mark_send(t, accepted); /* R1, R3 */
    t->more = (flags & MSG_MORE) != 0;
    tcp_output(t, now);
    return (ssize_t)accepted;
}

/* ---- receive ---- */

/* Linux tcp_cleanup_rbuf: after the user read, tell the peer about the
 * space if that doubles the advertised window, or if a delayed ACK is owed
 * for more than one segment. */
static void tcp_cleanup_rbuf(struct tcb *t, sg_time now)
{
    if (t->state != TCP_ESTABLISHED && t->state != TCP_FIN_WAIT1 && t->state != TCP_FIN_WAIT2)
        return;
    if (t->ack_pending && t->rcv_nxt - t->rcv_wup > t->rcv_mss) {
        tcp_send_ack(t, now);
        return;
    }
    if (t->shutdown & TCP_SHUT_RCV)
        return;
    uint64_t cur = t->rcv_adv > t->rcv_nxt ? t->rcv_adv - t->rcv_nxt : 0;
    if (2 * cur <= t->rcvbuf.limit) {
        uint32_t w = tcp_select_window(t);
        if (w && w >= 2 * cur)
            tcp_send_ack(t, now);
    }
}

/* Dynamic right-sizing (Linux tcp_rcv_space_adjust): once per RTT, if
 * the application read more than in any earlier RTT, let the receive
 * buffer (and so the window) grow to twice that, plus room for 16
 * segments, up to tcp_rmem_max, unless SO_RCVBUF fixed it. The window
 * then keeps up with what the reader drains, whatever the path's BDP. */
static void tcp_rcv_space_adjust(struct tcb *t, uint32_t copied, sg_time now)
{
    t->rcvq_copied += copied;
    sg_time rtt = t->rtt.srtt > SG_MS(1) ? t->rtt.srtt : SG_MS(1);
    if (!t->rcvq_time) {
        t->rcvq_time = now;
        return;
    }
    if (now - t->rcvq_time < rtt)
        return;
    if (t->rcvq_copied > t->rcvq_space) {
        t->rcvq_space = t->rcvq_copied;
        if (!t->rcvbuf_locked) {
            uint64_t max = t->s->cfg.tcp_rmem_max ? t->s->cfg.tcp_rmem_max : 6291456u;
            uint64_t want = 2 * t->rcvq_space + 16ull * t->advmss;
            if (want > max)
                want = max;
            if (want > t->rcvbuf.limit)
                ring_set_limit(&t->rcvbuf, (uint32_t)want);
        }
    }
    t->rcvq_copied = 0;
    t->rcvq_time = now;
}

static void tcp_copy_out(const struct tcb *t, uint32_t off, const struct iovec *iov, int iovcnt,
                         size_t at, uint32_t n)
{
    for (int i = 0; i < iovcnt && n; i++) {
        if (at >= iov[i].iov_len) {
            at -= iov[i].iov_len;
            continue;
        }
        size_t room = iov[i].iov_len - at;
        uint32_t k = room < n ? (uint32_t)room : n;
        ring_peek_at(&t->rcvbuf, off, (uint8_t *)iov[i].iov_base + at, k);
        off += k;
        n -= k;
        at = 0;
    }
}

ssize_t tcp_recv(struct tcb *t, const struct iovec *iov, int iovcnt, int flags, int *msg_flags,
                 sg_time now)
{
    if (msg_flags)
        *msg_flags = 0;
    int st = tcp_state(t);
    if (st == TCP_LISTEN)
        return -ENOTCONN;
    size_t want = 0;
    for (int i = 0; i < iovcnt; i++)
        want += iov[i].iov_len;
    if (flags & MSG_OOB) {
        uint8_t c = 0;
        int rc = urg_recv_oob(t, &c, want, flags, msg_flags);
        if (rc == 1 && !(flags & MSG_TRUNC)) {
            for (int i = 0; i < iovcnt; i++)
                if (iov[i].iov_len) {
                    *(uint8_t *)iov[i].iov_base = c;
                    break;
                }
        }
        return rc;
    }
    if (want == 0)
        return 0;
    bool peek = flags & MSG_PEEK, trunc = flags & MSG_TRUNC;
    uint64_t pos = t->copied_seq;
    size_t copied = 0;
    bool skipped = false;
    for (;;) {
        uint64_t data_end = t->copied_seq + ring_len(&t->rcvbuf);
        if (t->urg.state != URG_NONE && t->urg.seq == pos) {
            /* R16: a read never crosses the mark. */
            if (copied)
                break;
            if (pos >= data_end)
                break;
            if (urg_skip_at_mark(t, pos)) { /* R17, R18 */
                pos++;
                if (!peek) {
                    ring_skip(&t->rcvbuf, 1);
                    t->copied_seq++;
                    urg_after_consume(t);
                    skipped = true;
                }
                continue;
            }
        }
        if (pos >= data_end || copied >= want)
            break;
        uint64_t n64 = data_end - pos;
        if (n64 > want - copied)
            n64 = want - copied;
        uint32_t n = (uint32_t)n64;
        uint32_t lim = urg_read_limit(t, pos);
        if (lim < n)
            n = lim;
        if (!trunc)
            tcp_copy_out(t, (uint32_t)(pos - t->copied_seq), iov, iovcnt, copied, n);
        pos += n;
        copied += n;
        if (!peek) {
            ring_skip(&t->rcvbuf, n);
            t->copied_seq += n;
            urg_after_consume(t);
        }
    }
    /* The FIN occupies a sequence number that reads step over, as Linux's
     * tcp_recvmsg does (found_fin_ok): a read that empties the queue
     * consumes it, except one that copied bytes and stopped at a mark
     * lying at the FIN, unless the FIN came in the same buffer as those
     * bytes. copied_seq then counts it (SIOCATMARK, R11 (a)). */
    if (!peek && t->fin_rcvd && !t->fin_consumed && ring_len(&t->rcvbuf) == 0) {
        bool mark_stop = copied && t->urg.state != URG_NONE && t->urg.seq == t->copied_seq;
        if (!mark_stop || t->fin_coalesced) {
            t->copied_seq++;
            t->fin_consumed = true;
        }
    }
    if (!peek && (copied || skipped)) {
        tcp_rcv_space_adjust(t, (uint32_t)copied, now);
        tcp_cleanup_rbuf(t, now);
    }
    if (copied)
        return (ssize_t)copied;
    /* Nothing copied: Linux's order of checks. */
    if (t->done)
        return 0;
    if (t->err)
        return -tcp_sock_error(t);
    if (t->shutdown & TCP_SHUT_RCV)
        return 0;
    if (st == TCP_CLOSE)
        return -ENOTCONN;
    return -EAGAIN;
}

/* ---- readiness and queries ---- */

static bool tcp_writable(const struct tcb *t)
{
    /* Linux __sk_stream_is_writeable: free space >= half of what is queued. */
    return ring_space(&t->sndbuf) >= ring_len(&t->sndbuf) / 2 && ring_space(&t->sndbuf) > 0;
}

unsigned tcp_poll_mask(const struct tcb *t)
{
    int st = tcp_state(t);
    if (st == TCP_LISTEN)
        return t->accq_len ? (POLLIN | POLLRDNORM) : 0;
    unsigned mask = 0;
    if (t->shutdown == TCP_SHUT_BOTH || st == TCP_CLOSE)
        mask |= POLLHUP;
    if (t->shutdown & TCP_SHUT_RCV)
        mask |= POLLIN | POLLRDNORM | POLLRDHUP;
    if (st != TCP_SYN_SENT && st != TCP_SYN_RECV) {
        /* R23: at the mark the urgent byte does not count for POLLIN. */
        uint32_t target = 1 + urg_pollin_extra(t);
        uint32_t avail = ring_len(&t->rcvbuf) + (t->fin_rcvd && !t->fin_consumed ? 1u : 0u);
        if (avail && avail >= target)
            mask |= POLLIN | POLLRDNORM;
        if (!(t->shutdown & TCP_SHUT_SEND)) {
            if (tcp_writable(t))
                mask |= POLLOUT | POLLWRNORM;
        } else {
            mask |= POLLOUT | POLLWRNORM;
        }
        if (urg_poll_pri(t))
            mask |= POLLPRI;
    }
    if (t->err)
        mask |= POLLERR;
    return mask;
}

int tcp_inq(const struct tcb *t)
{
    int st = tcp_state(t);
    if (st == TCP_LISTEN)
        return -EINVAL;
    if (st == TCP_SYN_SENT || st == TCP_SYN_RECV)
        return 0;
    return (int)urg_inq(t, ring_len(&t->rcvbuf)); /* R24 */
}

int tcp_outq(const struct tcb *t)
{
    int st = tcp_state(t);
    if (st == TCP_LISTEN)
        return -EINVAL;
    if (st == TCP_SYN_SENT || st == TCP_SYN_RECV || st == TCP_CLOSE)
        return 0;
    uint64_t end = tcp_write_seq(t) + (t->fin_queued ? 1 : 0);
    return end > t->snd_una ? (int)(end - t->snd_una) : 0;
}

int tcp_outq_nsd(const struct tcb *t)
{
    int st = tcp_state(t);
    if (st == TCP_LISTEN)
        return -EINVAL;
    if (st == TCP_SYN_SENT || st == TCP_SYN_RECV || st == TCP_CLOSE)
        return 0;
    uint64_t end = tcp_write_seq(t) + (t->fin_queued ? 1 : 0);
    return end > t->snd_nxt ? (int)(end - t->snd_nxt) : 0;
}

int tcp_atmark(const struct tcb *t)
{
    int st = tcp_state(t);
    if (st == TCP_LISTEN)
        return 0;
    return urg_atmark(t) ? 1 : 0; /* R21 */
}

int tcp_sock_error(struct tcb *t)
{
    int e = t->err;
    t->err = 0;
    return e;
}

void tcp_local(const struct tcb *t, struct ipaddr *addr, uint16_t *port)
{
    *addr = t->laddr;
    *port = t->lport;
}

int tcp_remote(const struct tcb *t, struct ipaddr *addr, uint16_t *port)
{
    int st = tcp_state(t);
    if (!t->rport || st == TCP_CLOSE || st == TCP_SYN_SENT || st == TCP_LISTEN)
        return -ENOTCONN;
    *addr = t->raddr;
    *port = t->rport;
    return 0;
}

static uint32_t tcp_us(sg_time ns)
{
    uint64_t us = ns / 1000;
    return us > UINT32_MAX ? UINT32_MAX : (uint32_t)us;
}

static uint32_t tcp_ms_since(sg_time then, sg_time now)
{
    if (!then || now < then)
        return 0;
    uint64_t ms = (now - then) / 1000000;
    return ms > UINT32_MAX ? UINT32_MAX : (uint32_t)ms;
}

void tcp_get_info(const struct tcb *t, struct tcp_info *i, sg_time now)
{
    memset(i, 0, sizeof *i);
    i->tcpi_state = (uint8_t)tcp_state(t);
    i->tcpi_ca_state = t->ca_state;
    i->tcpi_retransmits = (uint8_t)t->retransmits;
    i->tcpi_probes = (uint8_t)t->probes;
    i->tcpi_backoff = t->rtt.backoff;
    if (t->ts_ok)
        i->tcpi_options |= 1; /* TCPI_OPT_TIMESTAMPS */
    if (t->sack_ok)
        i->tcpi_options |= 2; /* TCPI_OPT_SACK */
    if (t->ws_ok) {
        i->tcpi_options |= 4; /* TCPI_OPT_WSCALE */
        i->tcpi_snd_wscale = t->snd_wscale;
        i->tcpi_rcv_wscale = t->rcv_wscale;
    }
    i->tcpi_rto = tcp_us(rtt_rto(&t->rtt));
    i->tcpi_ato = tcp_us(SG_MS(t->s->cfg.delack_min_ms ? t->s->cfg.delack_min_ms : 40));
    i->tcpi_snd_mss = t->mss;
    i->tcpi_rcv_mss = t->rcv_mss;
    uint32_t mss = t->mss ? t->mss : 1;
    if (tcp_synced(t)) {
        i->tcpi_unacked = (uint32_t)((t->snd_nxt - t->snd_una + mss - 1) / mss);
        i->tcpi_sacked = (uint32_t)((sack_sacked_bytes(&t->sb) + mss - 1) / mss);
    }
    i->tcpi_last_data_sent = tcp_ms_since(t->last_data_snd, now);
    i->tcpi_last_data_recv = tcp_ms_since(t->last_data_rcv, now);
    i->tcpi_last_ack_recv = tcp_ms_since(t->last_ack_rcv, now);
    i->tcpi_pmtu = t->pmtu;
    i->tcpi_rcv_ssthresh = t->rcvbuf.limit;
    i->tcpi_rtt = tcp_us(t->rtt.srtt);
    i->tcpi_rttvar = tcp_us(t->rtt.rttvar);
    i->tcpi_snd_ssthresh =
        t->cc.ssthresh == UINT32_MAX ? 0x7fffffffu : t->cc.ssthresh / mss; /* Linux: infinite */
    i->tcpi_snd_cwnd = t->cc.cwnd / mss;
    i->tcpi_advmss = t->advmss;
    i->tcpi_reordering = 3;
    i->tcpi_rcv_space = t->rcvbuf.limit;
    i->tcpi_total_retrans = t->total_retrans;
}

/* ---- socket options ---- */

static int tcp_opt_int(const void *optval, socklen_t optlen, int *v)
{
    if (optlen < (socklen_t)sizeof(int))
        return -EINVAL;
    memcpy(v, optval, sizeof(int));
    return 0;
}

int tcp_setsockopt(struct tcb *t, int optname, const void *optval, socklen_t optlen, sg_time now)
{
    if (optname == TCP_CONGESTION) {
        char name[16];
        if (optlen < 1)
            return -EINVAL;
        size_t n = optlen < sizeof name - 1 ? (size_t)optlen : sizeof name - 1;
        memcpy(name, optval, n);
        name[n] = 0;
        const struct cc_ops *ops = cc_by_name(name);
        if (!ops)
            return -ENOENT;
        t->cc_ops = ops;
        if (t->cc.ops)
            cc_set_ops(&t->cc, ops, now);
        return 0;
    }
    int v;
    int rc = tcp_opt_int(optval, optlen, &v);
    if (rc)
        return rc;
    switch (optname) {
    case TCP_NODELAY:
        t->nodelay = v != 0;
        if (t->nodelay) {
            t->force_push = true;
            tcp_output(t, now);
            t->force_push = false;
        }
        return 0;
    case TCP_CORK:
        t->cork = v != 0;
        if (!t->cork) {
            t->force_push = true;
            tcp_output(t, now);
            t->force_push = false;
        }
        return 0;
    case TCP_MAXSEG:
        /* Linux: 0 or TCP_MIN_MSS..MAX_TCP_WINDOW (32767). */
        if (v && (v < (int)TCP_MIN_MSS || v > 32767))
            return -EINVAL;
        t->user_mss = (uint16_t)v;
        return 0;
    case TCP_KEEPIDLE:
        if (v < 1 || v > 32767)
            return -EINVAL;
        t->keep_idle = SG_SEC(v);
        if (t->keepalive && t->keep_kind == TCP_KT_KEEPALIVE)
            tcp_arm_keepalive(t, now);
        return 0;
    case TCP_KEEPINTVL:
        if (v < 1 || v > 32767)
            return -EINVAL;
        t->keep_intvl = SG_SEC(v);
        return 0;
    case TCP_KEEPCNT:
        if (v < 1 || v > 127)
            return -EINVAL;
        t->keep_cnt = (uint32_t)v;
        return 0;
    case TCP_SYNCNT:
        if (v < 1 || v > 127)
            return -EINVAL;
        t->syn_retries = v;
        return 0;
    case TCP_LINGER2:
        t->linger2 = v < 0 ? -1 : (v > 120 ? 120 : v);
        return 0;
    case TCP_QUICKACK:
        if (v) {
            t->quickack = TCP_MAX_QUICKACKS;
            if (t->ack_pending && tcp_synced(t))
                tcp_send_ack(t, now);
        } else {
            t->quickack = 0;
        }
        return 0;
    case TCP_USER_TIMEOUT:
        if (v < 0)
            return -EINVAL;
        t->user_timeout = SG_MS(v);
        return 0;
    case TCP_WINDOW_CLAMP:
        if (v == 0) {
            if (t->state != TCP_CLOSE)
                return -EINVAL;
            t->window_clamp = 0;
        } else {
            t->window_clamp = v < 1152 ? 1152u : (uint32_t)v; /* SOCK_MIN_RCVBUF / 2 */
        }
        return 0;
    default:
        return -ENOPROTOOPT;
    }
}

int tcp_getsockopt(struct tcb *t, int optname, void *optval, socklen_t *optlen, sg_time now)
{
    if (*optlen > 0x7fffffff)
        return -EINVAL;
    if (optname == TCP_INFO) {
        struct tcp_info info;
        tcp_get_info(t, &info, now);
        socklen_t n = *optlen < sizeof info ? *optlen : (socklen_t)sizeof info;
        memcpy(optval, &info, n);
        *optlen = n;
        return 0;
    }
    if (optname == TCP_CONGESTION) {
        char name[16] = {0};
        const char *nm = t->cc_ops ? t->cc_ops->name : "cubic";
        strncpy(name, nm, sizeof name - 1);
        socklen_t n = *optlen < sizeof name ? *optlen : (socklen_t)sizeof name;
        memcpy(optval, name, n);
        *optlen = n;
        return 0;
    }
    int v;
    switch (optname) {
    case TCP_NODELAY:
        v = t->nodelay;
        break;
    case TCP_CORK:
        v = t->cork;
        break;
    case TCP_MAXSEG:
        v = (int)t->mss;
        if (t->user_mss && (t->state == TCP_CLOSE || t->state == TCP_LISTEN))
            v = t->user_mss;
        else if (!tcp_synced(t) && t->state != TCP_SYN_SENT)
            v = TCP_MSS_DEFAULT_V4;
        break;
    case TCP_KEEPIDLE:
        v = (int)(t->keep_idle / SG_SEC(1));
        break;
    case TCP_KEEPINTVL:
        v = (int)(t->keep_intvl / SG_SEC(1));
        break;
    case TCP_KEEPCNT:
        v = (int)t->keep_cnt;
        break;
    case TCP_SYNCNT:
        v = t->syn_retries ? t->syn_retries : (int)t->s->cfg.syn_retries;
        break;
    case TCP_LINGER2:
        v = t->linger2 ? t->linger2 : 60;
        break;
    case TCP_QUICKACK:
        v = t->quickack ? 1 : 0;
        break;
    case TCP_USER_TIMEOUT:
        v = (int)(t->user_timeout / SG_MS(1));
        break;
    case TCP_WINDOW_CLAMP:
        v = (int)(t->window_clamp ? t->window_clamp : t->rcvbuf.limit);
        break;
    default:
        return -ENOPROTOOPT;
    }
    socklen_t n = *optlen < sizeof v ? *optlen : (socklen_t)sizeof v;
    memcpy(optval, &v, n);
    *optlen = n;
    return 0;
}

void tcp_set_sndbuf(struct tcb *t, uint32_t bytes)
{
    if (bytes < TCP_SND_MIN_SPACE)
        bytes = TCP_SND_MIN_SPACE;
    if (bytes < ring_len(&t->sndbuf))
        bytes = ring_len(&t->sndbuf);
    ring_set_limit(&t->sndbuf, bytes);
    t->sndbuf_locked = true;
    tcp_notify(t, TCP_EV_WRITABLE);
}

void tcp_set_rcvbuf(struct tcb *t, uint32_t bytes)
{
    if (bytes < TCP_RCV_MIN_SPACE)
        bytes = TCP_RCV_MIN_SPACE;
    /* Never below what is held, in order or out of order. */
    uint64_t held = ring_len(&t->rcvbuf);
    if (!reass_empty(&t->reass))
        held = reass_high(&t->reass, t->rcv_nxt) - t->rcv_nxt + ring_len(&t->rcvbuf);
    if (bytes < held)
        bytes = (uint32_t)held;
    ring_set_limit(&t->rcvbuf, bytes);
    t->rcvbuf_locked = true;
}

uint32_t tcp_get_sndbuf(const struct tcb *t)
{
    return t->sndbuf.limit;
}

uint32_t tcp_get_rcvbuf(const struct tcb *t)
{
    return t->rcvbuf.limit;
}

void tcp_set_keepalive(struct tcb *t, bool on, sg_time now)
{
    t->keepalive = on;
    if (on) {
        tcp_arm_keepalive(t, now);
    } else if (t->keep_kind == TCP_KT_KEEPALIVE) {
        tw_cancel(&t->s->timers, &t->t_keep);
        t->keep_kind = TCP_KT_NONE;
    }
}

void tcp_set_linger(struct tcb *t, bool on, uint32_t seconds)
{
    t->linger = on;
    t->linger_sec = seconds;
}

void tcp_set_oobinline(struct tcb *t, bool on)
{
    t->oobinline = on;
    tcp_notify(t, TCP_EV_READABLE | TCP_EV_URGENT);
}

void tcp_set_reuseaddr(struct tcb *t, bool on)
{
    t->reuseaddr = on;
}

void tcp_set_reuseport(struct tcb *t, bool on)
{
    t->reuseport = on;
}

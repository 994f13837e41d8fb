/* The transmission control block and the engine's internal interfaces.
 * Private to src/tcp/: the socket layer sees only tcp/tcp.h.
 *
 * Files (one concern each):
 *   tcp_stack.c  per-stack state, connection/bind/listener tables, ports,
 *                tcb life cycle, state changes, events
 *   input.c      segment arrival (RFC 9293 §3.10.7), fast path
 *   ack.c        ACK processing, RTT, congestion and loss recovery
 *   output.c     segment building and sending (Nagle, SWS, windows)
 *   timer.c      RTO, persist, delayed ACK, keepalive, FIN_WAIT_2, TIME_WAIT
 *   open.c       connect, listen, accept, SYN/accept queues
 *   close.c      shutdown, close, abort, reset, release
 *   options.c    MSS / window scale / SACK-permitted / timestamps, PAWS
 *   urg.c        urgent data (shared/spec/oob.md)
 *   user.c       send, recv, poll, queries, socket options
 *
 * Sequence numbers: every sequence number kept here is in a 64-bit
 * unwrapped space (tcp/seq.h), send space from SEQ_UNWRAP_BASE + ISS and
 * receive space from SEQ_UNWRAP_BASE + IRS. Wire numbers are unwrapped on
 * input next to snd_una (acks) and rcv_nxt (seqs), and wrapped on output.
 * So plain integer comparisons are correct on these fields; wire numbers
 * are compared only with seq_lt & co.
 *
 * Include order: wire/tcp.h must precede <netinet/tcp.h> (which tcp.h
 * includes), because glibc defines TCPOPT_* macros that clash with the
 * wire layer's enumerators; this header does it in the right order.
 */
#ifndef SG_TCP_TCB_H
#define SG_TCP_TCB_H
#include "wire/tcp.h" /* before tcp.h: see above */
#include <stdbool.h>
#include <stdint.h>
#include "base/buf.h"
#include "base/hmap.h"
#include "base/ring.h"
#include "base/timerwheel.h"
#include "net/stack.h"
#include "tcp/cc.h"
#include "tcp/reass.h"
#include "tcp/rtt.h"
#include "tcp/sack.h"
#include "tcp/seq.h"
#include "tcp/tcp.h"
#include "tcp/urg.h"

/* Linux-compatible constants. */
#define TCP_MSS_DEFAULT_V4 536u /* RFC 9293 §3.7.1 default send MSS */
#define TCP_MIN_MSS 88u         /* Linux TCP_MIN_MSS: smallest TCP_MAXSEG */
#define TCP_MAX_WSCALE 14u      /* RFC 7323 §2.3 */
#define TCP_EPHEMERAL_LO 32768u /* Linux ip_local_port_range */
#define TCP_EPHEMERAL_HI 60999u
#define TCP_SYNACK_RETRIES 5u      /* Linux tcp_synack_retries */
#define TCP_FIN_TIMEOUT SG_SEC(60) /* Linux tcp_fin_timeout (orphan FIN_WAIT_2) */
#define TCP_KEEPIDLE_DEF SG_SEC(7200)
#define TCP_KEEPINTVL_DEF SG_SEC(75)
#define TCP_KEEPCNT_DEF 9u
#define TCP_MAX_QUICKACKS 16u                     /* Linux TCP_MAX_QUICKACKS */
#define TCP_CHALLENGE_ACK_LIMIT 1000u             /* per second per stack (Linux) */
#define TCP_PAWS_24DAYS SG_SEC(24ull * 24 * 3600) /* RFC 7323 §5.5 */
#define TCP_TS_HZ 1000u                           /* TSval clock: 1 ms, as Linux */
#define TCP_SND_MIN_SPACE 4096u                   /* smallest send buffer honoured */
#define TCP_RCV_MIN_SPACE 4096u
#define TCP_REASS_MAX_HOLES 4096u /* bound on out-of-order ranges */
#define TCP_SACK_MAX_RANGES 4096u /* bound on scoreboard ranges */

/* shutdown bits (Linux RCV_SHUTDOWN / SEND_SHUTDOWN) */
enum { TCP_SHUT_RCV = 1, TCP_SHUT_SEND = 2, TCP_SHUT_BOTH = 3 };

/* Congestion-avoidance state (Linux's names, reported in tcpi_ca_state). */
enum { TCP_CAS_OPEN = 0, TCP_CAS_DISORDER = 1, TCP_CAS_RECOVERY = 3, TCP_CAS_LOSS = 4 };

/* What the retransmission timer is timing. */
enum { TCP_RTX_NONE = 0, TCP_RTX_RTO, TCP_RTX_PROBE };
/* What the keepalive timer is timing. */
enum { TCP_KT_NONE = 0, TCP_KT_KEEPALIVE, TCP_KT_FIN_WAIT2, TCP_KT_TIME_WAIT };

struct tcp_stack {
    struct stack *s;
    struct hmap conns;     /* 4-tuple -> tcb (synchronised, connecting, TIME_WAIT) */
    struct hmap listeners; /* lport -> listening tcb */
    struct hmap binds;     /* lport -> every bound tcb */
    struct tcb *all;       /* every tcb (doubly linked via all_next/all_prev) */
    struct tcb *last;      /* one-entry lookup cache (fast path) */
    struct tcb *dead;      /* killed, freed by tcp_reap at the end of an entry point */
    uint32_t port_hint;    /* ephemeral search perturbation (RFC 6056 alg. 3) */
    sg_time chack_second;  /* challenge ACK rate limit window start */
    uint32_t chack_count;
};

struct tcb {
    struct stack *s;
    struct tcp_stack *ts;
    struct hnode chash, bhash, lhash; /* conns / binds / listeners membership */
    struct tcb *all_next, *all_prev;
    struct tcb *dead_next;

    /* identity */
    struct ipaddr laddr, raddr;
    uint16_t lport, rport;
    uint8_t ttl, tos;

    uint8_t state;     /* TCP_ESTABLISHED ... TCP_CLOSING; TCP_CLOSE initially */
    uint8_t shutdown;  /* TCP_SHUT_* */
    uint8_t ca_state;  /* TCP_CAS_* */
    uint8_t rtx_kind;  /* TCP_RTX_* */
    uint8_t keep_kind; /* TCP_KT_* */
    bool in_conns, in_binds, in_listen;
    bool released;   /* the socket layer gave the handle back (orphan) */
    bool dead;       /* freed at the end of the current entry point */
    bool user_bound; /* bound by tcp_bind (not auto-bound) */
    bool reuseaddr, reuseport, nodelay, cork, more, keepalive, linger, oobinline;
    bool force_push;            /* push a partial segment once (TCP_CORK cleared) */
    bool done;                  /* Linux SOCK_DONE: FIN received or connection closed */
    bool was_synced;            /* reached a synchronised state once */
    bool passive;               /* child of a listener (SYN_RECV -> LISTEN on RST) */
    bool fin_queued;            /* the user closed the send side: FIN at write_seq */
    bool fin_rcvd;              /* peer's FIN processed (rcv_nxt counts it) */
    bool fin_seen;              /* peer's FIN seen (maybe out of order) at rcv_fin_seq */
    bool fin_coalesced;         /* the FIN arrived while data was unread (Linux: same skb) */
    bool fin_consumed;          /* a read stepped over the FIN: copied_seq counts it */
    bool ts_ok, sack_ok, ws_ok; /* negotiated options */
    bool ts_recent_valid;
    bool ack_now;     /* send an ACK at the end of this input */
    bool ack_pending; /* a delayed ACK is owed */
    bool dsack_pending;
    bool write_blocked; /* a send found no space: fire TCP_EV_WRITABLE */
    bool sndbuf_locked, rcvbuf_locked;
    bool rtt_timing;        /* a segment is being timed (Karn) */
    bool rtt_timing_rtx;    /* ...and it was retransmitted since */
    bool reno_partial_seen; /* RFC 6582 step 5: first partial ACK done */

    int err;      /* pending error (SO_ERROR), positive errno */
    int soft_err; /* Linux sk_err_soft: reported on timeout */

    void *owner;
    tcp_event_fn on_event;

    /* listener / child */
    struct tcb *parent;          /* child: its listener until accepted */
    struct tcb *q_next, *q_prev; /* child: in the listener's syn or accept queue */
    bool q_accept;               /* child: in the accept queue (else syn queue) */
    struct tcb *synq_head, *accq_head, *accq_tail; /* listener */
    uint32_t synq_len, accq_len;
    uint32_t backlog;

    /* send side (unwrapped send space) */
    uint64_t iss, snd_una, snd_nxt, snd_wl1, snd_wl2;
    uint64_t snd_buf_seq; /* sequence number of the send ring's first byte */
    uint64_t recover;     /* RFC 6582 recover / RFC 6675 RecoveryPoint */
    uint64_t rtx_nxt;     /* LOSS state: next byte to retransmit (go-back-N) */
    uint64_t snd_sml;     /* end of the last small segment sent (Minshall) */
    uint64_t rtt_seq;     /* timed segment ends here */
    sg_time rtt_time;     /* ...and was sent then */
    uint32_t snd_wnd;     /* peer's window, bytes (scaled) */
    uint32_t max_snd_wnd; /* largest peer window seen (SWS, RFC 5961 §5) */
    struct ring sndbuf;
    uint32_t dupacks;
    uint32_t retransmits;   /* consecutive RTOs (or SYN retries) */
    uint32_t probes;        /* zero-window probes without reply */
    uint32_t probe_backoff; /* persist interval doublings (reset when data goes out) */
    uint32_t keep_probes;   /* keepalive probes without reply */
    uint32_t total_retrans;
    sg_time rto_first;                   /* time of the first RTO of the current series */
    uint32_t prior_cwnd, prior_ssthresh; /* undo after a spurious RTO */
    uint32_t rto_tsval;                  /* TSval of the first RTO retransmission */
    bool rto_undo_ok;

    /* receive side (unwrapped receive space) */
    uint64_t irs, rcv_nxt, copied_seq;
    uint64_t rcv_wup;     /* rcv_nxt when the last window was advertised */
    uint64_t rcv_adv;     /* right edge advertised: rcv_wup + window */
    uint64_t rcv_fin_seq; /* with fin_seen */
    struct ring rcvbuf;
    struct reass reass;
    struct rs_range dsack; /* with dsack_pending */
    uint32_t rcv_mss;      /* estimate of the peer's segment size */
    uint32_t quickack;     /* ACKs still to send at once (quick-ACK mode) */
    /* receive-buffer autotuning (Linux tcp_rcv_space_adjust, DRS) */
    sg_time rcvq_time;
    uint64_t rcvq_copied;
    uint64_t rcvq_space;

    /* options */
    uint16_t user_mss;  /* TCP_MAXSEG (0: none) */
    uint16_t advmss;    /* MSS we advertise */
    uint16_t peer_mss;  /* MSS option received (or default) */
    uint16_t pmtu;      /* path MTU */
    uint32_t mss;       /* send MSS: payload bytes of a segment with our usual options */
    uint8_t snd_wscale; /* peer's shift (applied to windows it sends) */
    uint8_t rcv_wscale; /* our shift */
    uint32_t ts_recent;
    sg_time ts_recent_time;
    uint32_t ts_offset;

    /* timers */
    struct timer t_rtx, t_delack, t_keep;
    sg_time keep_idle, keep_intvl;
    uint32_t keep_cnt;
    sg_time user_timeout; /* TCP_USER_TIMEOUT (0: off) */
    int syn_retries;      /* TCP_SYNCNT (0: cfg) */
    int linger2;          /* TCP_LINGER2 seconds (0: TCP_FIN_TIMEOUT, <0: reset) */
    uint32_t linger_sec;
    uint32_t window_clamp;
    sg_time last_rcv; /* last segment received (keepalive idle) */
    sg_time last_data_rcv, last_data_snd, last_ack_rcv;

    struct rtt rtt;
    struct cc_state cc;
    const struct cc_ops *cc_ops;
    struct sack_board sb;
    struct tcp_urg urg;
};

/* A received segment as the state machine sees it. */
struct tcp_seg {
    struct tcp_repr h;
    const uint8_t *data; /* payload */
    uint32_t len;        /* payload bytes */
    uint64_t seq;        /* unwrapped seq (receive space; 0 when no tcb) */
    uint64_t ack;        /* unwrapped ack (send space) */
    uint32_t seg_len;    /* len + SYN + FIN (RFC 9293 SEG.LEN) */
    struct ipaddr src, dst;
};

/* ---- tcp_stack.c ---- */
struct tcp_stack *tcp_stack_of(struct stack *s);
struct tcb *tcb_alloc(struct stack *s);
/* Free at once (not hashed any more). Use tcp_done/tcp_kill otherwise. */
void tcb_free(struct tcb *t);
/* Mark an orphan for freeing: unhash now, free at the end of the entry
 * point (tcp_reap) so callers up the stack may still read it. */
void tcp_kill(struct tcb *t);
void tcp_reap(struct tcp_stack *ts);
void tcp_set_state(struct tcb *t, int state);
void tcp_notify(struct tcb *t, unsigned ev);
int tcp_hash_conn(struct tcb *t); /* 0 or -EADDRINUSE (4-tuple taken) */
void tcp_unhash_conn(struct tcb *t);
struct tcb *tcp_lookup(struct tcp_stack *ts, const struct ipaddr *laddr, uint16_t lport,
                       const struct ipaddr *raddr, uint16_t rport);
/* raddr may be NULL (any listener on the port, for conflict checks). */
struct tcb *tcp_lookup_listener(struct tcp_stack *ts, const struct ipaddr *laddr, uint16_t lport,
                                const struct ipaddr *raddr, uint16_t rport);
enum { TCP_BIND_USER = 0, TCP_BIND_FORCE = 1 };
/* Bind (addr, port): TCP_BIND_USER checks conflicts (-EADDRINUSE);
 * TCP_BIND_FORCE inserts a passive child on its listener's port. */
int tcp_bind_insert(struct tcb *t, const struct ipaddr *addr, uint16_t port, int mode);
void tcp_unbind(struct tcb *t);
bool tcp_listen_conflict(const struct tcb *t);
int tcp_listen_hash(struct tcb *t);
void tcp_listen_unhash(struct tcb *t);
/* Choose a local port for connect so the 4-tuple is unique; binds it. */
int tcp_autobind_connect(struct tcb *t);
/* Bind any free ephemeral port (listen without bind). */
int tcp_autobind(struct tcb *t);
bool tcp_challenge_ack_allowed(struct tcp_stack *ts, sg_time now);

/* ---- options.c ---- */
void tcp_init_options(struct tcb *t);                                  /* defaults from cfg */
void tcp_syn_options(struct tcb *t, struct tcp_repr *r, sg_time now);  /* SYN / SYN-ACK */
void tcp_data_options(struct tcb *t, struct tcp_repr *r, sg_time now); /* TS on others */
/* SYN (passive: the peer's SYN; active: the SYN-ACK): negotiate. */
void tcp_negotiate(struct tcb *t, const struct tcp_repr *h, sg_time now);
/* Effective send MSS and advertised MSS from route / peer / user. */
void tcp_update_mss(struct tcb *t);
uint32_t tcp_ts_now(const struct tcb *t, sg_time now);
/* RFC 7323 §5.3 R1: true if the segment must be rejected by PAWS. */
bool tcp_paws_reject(const struct tcb *t, const struct tcp_seg *seg, sg_time now);
/* RFC 7323 §4.3 (3): remember TSval if the segment covers last_ack_sent. */
void tcp_ts_update(struct tcb *t, const struct tcp_seg *seg, sg_time now);
uint8_t tcp_pick_wscale(const struct stack *s);

/* ---- output.c ---- */
/* Send what the windows and Nagle allow; then an ACK if one is owed now. */
void tcp_output(struct tcb *t, sg_time now);
void tcp_send_ack(struct tcb *t, sg_time now);
void tcp_send_challenge_ack(struct tcb *t, sg_time now);
void tcp_send_syn(struct tcb *t, sg_time now); /* SYN or SYN-ACK by state */
/* RST from a tcb (Linux tcp_send_active_reset): <SEQ=SND.NXT><ACK=RCV.NXT>. */
void tcp_send_active_reset(struct tcb *t, sg_time now);
/* RST in reply to `seg` with no (usable) tcb, RFC 9293 §3.10.7.1. */
void tcp_send_reset_reply(struct stack *s, const struct tcp_seg *seg, sg_time now);
/* (Re)transmit [seq, end) of the send sequence space (may cover SYN/FIN).
 * Returns 0 or -errno from ip_output / allocation. */
int tcp_xmit_range(struct tcb *t, uint64_t seq, uint64_t end, bool rtx, sg_time now);
/* Persist timer: window probe(s) or a window-sized segment. */
void tcp_send_probe(struct tcb *t, sg_time now);
void tcp_send_keepalive(struct tcb *t, sg_time now);
/* Window to advertise now (bytes, unscaled), receiver SWS avoidance. */
uint32_t tcp_select_window(struct tcb *t);
/* Payload bytes a data segment may carry with the options it would get now. */
uint32_t tcp_cur_mss(const struct tcb *t);
/* Bytes in flight (RFC 6675 pipe in SACK recovery). */
uint32_t tcp_flight(const struct tcb *t);

/* ---- ack.c ---- */
enum { TCP_ACK_OK = 0, TCP_ACK_UNSENT = -1, TCP_ACK_TOO_OLD = -2 };
/* Process the ACK field of an acceptable segment (RFC 9293 §3.10.7.4
 * fifth step, ESTABLISHED-like states): window update, snd_una, RTT, cc,
 * SACK, loss recovery. Returns TCP_ACK_*. */
int tcp_ack(struct tcb *t, const struct tcp_seg *seg, sg_time now);
/* The retransmission timer fired in a synchronised state with data or FIN
 * outstanding: RFC 6298 §5.4-5.7 + RFC 5681 / 6675 §5.1. */
void tcp_on_rto(struct tcb *t, sg_time now);

/* ---- timer.c ---- */
void tcp_timers_init(struct tcb *t);
void tcp_timers_stop(struct tcb *t);
void tcp_arm_rto(struct tcb *t, sg_time now);         /* (re)start RTO */
void tcp_arm_rto_if_idle(struct tcb *t, sg_time now); /* start if not running */
void tcp_stop_rto(struct tcb *t);
void tcp_arm_persist(struct tcb *t, sg_time now);
void tcp_arm_delack(struct tcb *t, sg_time now);
void tcp_stop_delack(struct tcb *t);
void tcp_arm_keepalive(struct tcb *t, sg_time now);
void tcp_enter_time_wait(struct tcb *t, sg_time now);
void tcp_arm_fin_wait2(struct tcb *t, sg_time now);

/* ---- open.c ---- */
/* A segment for a listener (no connection matched). Takes nothing. */
void tcp_listen_input(struct tcb *l, struct tcp_seg *seg, uint32_t isn, sg_time now);
/* A passive child reached ESTABLISHED: move it to the accept queue. Returns
 * false if the accept queue is full (the ACK must be dropped). */
bool tcp_child_established(struct tcb *c);
/* Remove a child from its listener's queues (reset, timeout, accept). */
void tcp_child_unlink(struct tcb *c);
/* Listener stops: reset and free every queued child. */
void tcp_listener_stop(struct tcb *l, sg_time now);
/* SYN_SENT and a SYN arrived: receive space and options from it. */
void tcp_active_init(struct tcb *t, const struct tcp_seg *seg, sg_time now);

/* ---- close.c ---- */
/* Connection is over (Linux tcp_done): CLOSE, timers off, send queue
 * purged; an orphan is freed. */
void tcp_done(struct tcb *t);
/* A valid RST was received (RFC 9293 §3.10.7.4 second step). */
void tcp_reset_received(struct tcb *t);
/* Fail with a pending error `err` (ETIMEDOUT, ECONNREFUSED, ...). */
void tcp_fail(struct tcb *t, int err);
/* Queue FIN after the data and move the state on (close/shutdown). */
void tcp_send_fin(struct tcb *t, sg_time now);

/* ---- input.c ---- */
void tcp_input(struct stack *s, const struct ip_info *ip, struct buf *b, sg_time now);
void tcp_icmp_error(struct stack *s, const struct ip_info *quoted, int type, int code,
                    uint32_t info, const uint8_t *inner, uint32_t inner_len, sg_time now);

/* ---- inline helpers ---- */
static inline uint64_t tcp_write_seq(const struct tcb *t) /* end of queued data */
{
    return t->snd_buf_seq + ring_len(&t->sndbuf);
}
static inline uint64_t tcp_fin_seq(const struct tcb *t) /* with fin_queued */
{
    return tcp_write_seq(t);
}
static inline bool tcp_fin_sent(const struct tcb *t)
{
    return t->fin_queued && t->snd_nxt > tcp_fin_seq(t);
}
static inline bool tcp_synced(const struct tcb *t)
{
    return t->state != TCP_CLOSE && t->state != TCP_LISTEN && t->state != TCP_SYN_SENT;
}
/* Receive-side data readable (the FIN is not a byte). */
static inline uint32_t tcp_rcv_avail(const struct tcb *t)
{
    return ring_len(&t->rcvbuf);
}
static inline struct stack *tcp_s(const struct tcb *t)
{
    return t->s;
}
#endif

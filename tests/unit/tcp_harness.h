/* A harness for driving one TCP engine with hand-built segments.
 *
 * One core stack with a raw-IP interface 10.0.0.1/24 whose transmit
 * callback captures every segment the engine sends; the test plays the
 * peer at 10.0.0.2 by injecting segments built with tcp_repr/tcp_emit.
 * Header-only (static inline) so each test file stands alone.
 */
#ifndef TCP_HARNESS_H
#define TCP_HARNESS_H
#include "wire/tcp.h" /* before netinet/tcp.h (see tcp/tcb.h) */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include "net/iface.h"
#include "net/stack.h"
#include "tcp/tcb.h"
#include "wire/csum.h"
#include "wire/ip4.h"

#define TH_MAX_OUT 4096
#define TH_MAX_DATA 9000

struct th_seg {
    struct tcp_repr h;
    uint32_t len;
    uint8_t data[TH_MAX_DATA];
    sg_time when;
};

struct th_ev {
    unsigned ev;
    int count;
};

struct th {
    struct stack *s;
    struct iface *ifp;
    struct th_seg *out;
    uint32_t nout, head;
    sg_time now;
    struct ipaddr local, remote;
    unsigned events; /* OR of TCP_EV_* seen */
    int sigurg;      /* TCP_EV_SIGURG count */
    bool drop_out;   /* discard captured output */
};

static inline int th_xmit(void *ctx, struct buf *frame, sg_time now)
{
    struct th *th = ctx;
    struct ip4_repr ip;
    int tl = ip4_parse(frame->data, frame->len, &ip);
    if (tl > 0 && ip.proto == IPPROTO_TCP && !th->drop_out && th->nout < TH_MAX_OUT) {
        struct th_seg *sg = &th->out[th->nout];
        const uint8_t *p = frame->data + ip.hdr_len;
        size_t len = (size_t)tl - ip.hdr_len;
        if (tcp_parse(p, len, &sg->h) >= 0) {
            sg->len = (uint32_t)(len - sg->h.hdr_len);
            if (sg->len > TH_MAX_DATA)
                sg->len = TH_MAX_DATA;
            memcpy(sg->data, p + sg->h.hdr_len, sg->len);
            sg->when = now;
            th->nout++;
        }
    }
    buf_free(frame);
    return 0;
}

static inline void th_on_event(void *owner, unsigned ev)
{
    struct th *th = owner;
    th->events |= ev;
    if (ev & TCP_EV_SIGURG)
        th->sigurg++;
}

static inline void th_init_cfg(struct th *th, const struct sg_config *cfg)
{
    memset(th, 0, sizeof *th);
    struct sg_config c = {0};
    if (cfg)
        c = *cfg;
    if (!c.seed)
        c.seed = 1;
    th->s = stack_new(&c);
    tcp_attach(th->s);
    th->out = calloc(TH_MAX_OUT, sizeof *th->out);
    th->ifp = stack_add_iface(th->s, "t0", 2 /* raw IP */, 1500, NULL, th_xmit, th);
    th->local = ipaddr_v4(htonl(0x0a000001));
    th->remote = ipaddr_v4(htonl(0x0a000002));
    iface_add_addr(th->ifp, &th->local, 24);
    th->now = SG_SEC(1000);
    stack_poll(th->s, th->now);
}

static inline void th_init(struct th *th)
{
    th_init_cfg(th, NULL);
}

static inline void th_free(struct th *th)
{
    stack_free(th->s);
    free(th->out);
}

/* Advance the clock and run timers. */
static inline void th_advance(struct th *th, sg_time d)
{
    th->now += d;
    stack_poll(th->s, th->now);
}

/* Inject a segment from the peer (remote -> local). `bad_csum` flips the
 * checksum. */
static inline void th_inject_x(struct th *th, const struct tcp_repr *r, const void *data,
                               uint32_t len, bool bad_csum)
{
    size_t hl = tcp_hdr_len(r);
    struct buf *b = buf_alloc(SG_HEADROOM, IP4_HDR_MIN + hl + len);
    struct ip4_repr ip = {
        .total_len = (uint16_t)(IP4_HDR_MIN + hl + len),
        .ttl = 64,
        .proto = IPPROTO_TCP,
        .src = ipaddr_v4_be(&th->remote),
        .dst = ipaddr_v4_be(&th->local),
    };
    ip4_emit(&ip, b->data);
    uint8_t *tp = b->data + IP4_HDR_MIN;
    tcp_emit(r, tp);
    if (len)
        memcpy(tp + hl, data, len);
    uint64_t acc = csum_pseudo(th->remote.b, th->local.b, IPPROTO_TCP, (uint32_t)(hl + len));
    tcp_csum_fill(tp, hl + len, acc);
    if (bad_csum)
        tp[16] ^= 0x55;
    stack_input(th->s, th->ifp, b, th->now);
}

static inline void th_inject(struct th *th, const struct tcp_repr *r, const void *data,
                             uint32_t len)
{
    th_inject_x(th, r, data, len, false);
}

/* Number of captured segments not yet popped. */
static inline uint32_t th_pending(const struct th *th)
{
    return th->nout - th->head;
}

static inline struct th_seg *th_pop(struct th *th)
{
    if (th->head >= th->nout)
        return NULL;
    return &th->out[th->head++];
}

static inline struct th_seg *th_last(struct th *th)
{
    if (th->nout == 0)
        return NULL;
    th->head = th->nout;
    return &th->out[th->nout - 1];
}

static inline void th_clear(struct th *th)
{
    th->head = th->nout = 0;
}

static inline uint64_t th_stat(const struct th *th, enum sg_counter c)
{
    return th->s->counters[c];
}

/* A peer segment template: ports and flags. */
static inline struct tcp_repr th_seg(uint16_t sport, uint16_t dport, uint32_t seq, uint32_t ack,
                                     uint8_t flags, uint16_t win)
{
    struct tcp_repr r;
    memset(&r, 0, sizeof r);
    r.sport = sport;
    r.dport = dport;
    r.seq = seq;
    r.ack = ack;
    r.flags = flags;
    r.win = win;
    return r;
}

/* ---- a connection established with hand-built segments ---- */

struct th_conn {
    struct tcb *t;     /* our end */
    uint16_t lport;    /* our port */
    uint16_t rport;    /* the peer's port */
    uint32_t iss;      /* our ISS (wire) */
    uint32_t peer_seq; /* peer's next sequence number (wire) */
    uint32_t peer_ack; /* what the peer acknowledges of ours (wire) */
    uint16_t peer_win;
    bool ts; /* timestamps in use */
    uint32_t peer_tsval;
};

/* Active open from us to the peer, completing the handshake with a
 * SYN-ACK built from `synack_opts` (mss/ws/sack/ts fields used), and our
 * ACK consumed. */
static inline void th_connect_t(struct th *th, struct th_conn *c, struct tcb *t, uint32_t peer_isn,
                                const struct tcp_repr *synack_opts)
{
    memset(c, 0, sizeof *c);
    c->rport = 80;
    c->t = t ? t : tcp_new(th->s, th, th_on_event);
    tcp_connect(c->t, &th->remote, c->rport, th->now);
    struct th_seg *syn = th_pop(th);
    c->lport = syn->h.sport;
    c->iss = syn->h.seq;
    struct tcp_repr r = synack_opts ? *synack_opts : th_seg(0, 0, 0, 0, 0, 0);
    r.sport = c->rport;
    r.dport = c->lport;
    r.seq = peer_isn;
    r.ack = c->iss + 1;
    r.flags = TCP_SYN | TCP_ACK;
    if (!r.win)
        r.win = 65535;
    if (r.has_ts)
        r.ts_ecr = syn->h.ts_val;
    c->ts = r.has_ts && syn->h.has_ts;
    c->peer_tsval = r.ts_val;
    th_inject(th, &r, NULL, 0);
    c->peer_seq = peer_isn + 1;
    c->peer_ack = c->iss + 1;
    c->peer_win = r.win;
}

static inline void th_connect(struct th *th, struct th_conn *c, uint32_t peer_isn,
                              const struct tcp_repr *synack_opts)
{
    th_connect_t(th, c, NULL, peer_isn, synack_opts);
}

/* A data/ACK segment from the peer on connection c. */
static inline void th_peer_send(struct th *th, struct th_conn *c, uint8_t flags, const void *data,
                                uint32_t len)
{
    struct tcp_repr r = th_seg(c->rport, c->lport, c->peer_seq, c->peer_ack, flags, c->peer_win);
    if (c->ts) {
        r.has_ts = true;
        r.ts_val = ++c->peer_tsval;
    }
    th_inject(th, &r, data, len);
    c->peer_seq += len + ((flags & TCP_FIN) ? 1 : 0) + ((flags & TCP_SYN) ? 1 : 0);
}
#endif

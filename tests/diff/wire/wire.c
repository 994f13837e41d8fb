/* The wire script language (wire.h): segments built and parsed only
 * through src/wire (ip4_emit/ip4_parse, tcp_emit/tcp_parse, checksums),
 * relative sequence numbers, the two handshakes. */
#include "wire.h"

#include "wire/csum.h"
#include "wire/ip4.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#define WIRE_TTL 64
/* How long a handshake step may take: the local host answers at once. */
#define WIRE_HS_MS 1000

void wire_init(struct wire *w, const struct wire_env *env, struct obs *o)
{
    memset(w, 0, sizeof *w);
    w->env = env;
    w->ops = env->ops;
    w->o = o;
    w->fd = -1;
    w->ls = -1;
    w->peer_isn = WIRE_PEER_ISN;
    inet_pton(AF_INET, WIRE_PEER_IP, &w->peer_ip);
    inet_pton(AF_INET, WIRE_LOCAL_IP, &w->local_ip);
    w->peer_port = WIRE_PEER_PORT;
    w->ip_id = 1;
    w->win = 65535;
}

/* ---- formatting ---- */

static void flag_letters(char *dst, size_t cap, unsigned f)
{
    static const struct {
        unsigned bit;
        char c;
    } names[] = {{TCP_SYN, 'S'}, {TCP_FIN, 'F'}, {TCP_RST, 'R'}, {TCP_URG, 'U'},
                 {TCP_PSH, 'P'}, {TCP_ECE, 'E'}, {TCP_CWR, 'W'}};
    size_t n = 0;
    for (size_t i = 0; i < sizeof names / sizeof names[0] && n + 1 < cap; i++)
        if (f & names[i].bit)
            dst[n++] = names[i].c;
    if (n == 0 && cap > 1)
        dst[n++] = '.';
    dst[n] = '\0';
}

void wire_format(char *dst, size_t cap, const char *dir, int32_t seq, uint32_t len,
                 const struct tcp_repr *t, int32_t ack, const uint8_t *data)
{
    char fl[12];
    flag_letters(fl, sizeof fl, t->flags);
    int n = snprintf(dst, cap, "%s(+%d,len=%u,%s,urp=%u)", dir, seq, len, fl, t->urp);
    if (n < 0 || (size_t)n >= cap)
        return;
    if (t->flags & TCP_ACK)
        n += snprintf(dst + n, cap - (size_t)n, " ack=+%d", ack);
    if (t->win == 0 && (size_t)n < cap)
        n += snprintf(dst + n, cap - (size_t)n, " win=0");
    if ((t->flags & TCP_SYN) && (size_t)n < cap) {
        n += snprintf(dst + n, cap - (size_t)n, " opts=");
        const char *sep = "";
        if (t->has_mss && (size_t)n < cap) {
            n += snprintf(dst + n, cap - (size_t)n, "mss%u", t->mss);
            sep = ",";
        }
        if (t->sack_perm && (size_t)n < cap) {
            n += snprintf(dst + n, cap - (size_t)n, "%ssackok", sep);
            sep = ",";
        }
        if (t->has_ts && (size_t)n < cap) {
            n += snprintf(dst + n, cap - (size_t)n, "%sts", sep);
            sep = ",";
        }
        if (t->has_wscale && (size_t)n < cap) {
            n += snprintf(dst + n, cap - (size_t)n, "%sws", sep);
            sep = ",";
        }
        if (!*sep && (size_t)n < cap)
            n += snprintf(dst + n, cap - (size_t)n, "none");
    }
    if (len > 0 && len <= 32 && data && (size_t)n + 4 < cap) {
        dst[n++] = ' ';
        obs_quote(dst + n, cap - (size_t)n, data, len);
    }
}

/* ---- output: the peer's segments ---- */

static void peer_emit(struct wire *w, uint32_t seq, uint32_t ack, unsigned flags, uint16_t urp,
                      uint16_t winfield, const struct tcp_repr *opts, const void *data, size_t n,
                      int record)
{
    struct tcp_repr t;
    if (opts)
        t = *opts;
    else
        memset(&t, 0, sizeof t);
    t.sport = w->peer_port;
    t.dport = w->local_port;
    t.seq = seq;
    t.ack = (flags & TCP_ACK) ? ack : 0;
    t.flags = (uint8_t)flags;
    t.win = winfield;
    t.urp = urp;

    uint8_t pkt[IP4_HDR_MIN + TCP_HDR_MAX + WIRE_MTU];
    size_t hl = tcp_hdr_len(&t);
    if (IP4_HDR_MIN + hl + n > sizeof pkt)
        obs_fail(w->o, "peer: segment of %zu bytes does not fit", n);
    struct ip4_repr ip = {
        .tos = 0,
        .total_len = (uint16_t)(IP4_HDR_MIN + hl + n),
        .id = w->ip_id++,
        .df = true,
        .ttl = WIRE_TTL,
        .proto = IP4_PROTO_TCP,
        .src = w->peer_ip,
        .dst = w->local_ip,
    };
    size_t ihl = ip4_emit(&ip, pkt);
    uint8_t *seg = pkt + ihl;
    tcp_emit(&t, seg);
    uint64_t acc = csum_copy(seg + hl, data, n, ip4_pseudo(&ip));
    tcp_csum_fill(seg, hl, acc);

    if (record) {
        char line[256];
        int32_t rel = (int32_t)(seq - (w->peer_isn + 1));
        int32_t rack = (int32_t)(ack - (w->local_isn + 1));
        wire_format(line, sizeof line, "in", rel, (uint32_t)n, &t, rack, data);
        obs_line(w->o, "%s", line);
    }
    if (w->env->inject(pkt, ihl + hl + n) < 0)
        obs_fail(w->o, "peer: inject: %s", obs_errname(errno));
}

static uint16_t win_field(const struct wire *w)
{
    uint32_t v = w->win >> w->peer_ws;
    return (uint16_t)(v > 0xffff ? 0xffff : v);
}

void peer_send_n(struct wire *w, int32_t rel, const void *p, size_t n, unsigned flags, uint16_t urp)
{
    unsigned f = flags & 0xff;
    if (!(flags & WIRE_NOACK))
        f |= TCP_ACK;
    uint32_t seq = w->peer_isn + 1 + (uint32_t)rel;
    uint32_t ack = w->local_isn + 1 + (uint32_t)w->ack;
    peer_emit(w, seq, ack, f, urp, win_field(w), NULL, p, n, 1);
    int32_t end = rel + (int32_t)n + ((f & TCP_FIN) ? 1 : 0);
    if (end - w->nxt > 0)
        w->nxt = end;
}

void peer_send(struct wire *w, int32_t rel, const char *data, unsigned flags, uint16_t urp)
{
    peer_send_n(w, rel, data ? data : "", data ? strlen(data) : 0, flags, urp);
}

static void ack_at(struct wire *w, int32_t rel, int record)
{
    w->ack = rel;
    uint32_t seq = w->peer_isn + 1 + (uint32_t)w->nxt;
    uint32_t ack = w->local_isn + 1 + (uint32_t)rel;
    peer_emit(w, seq, ack, TCP_ACK, 0, win_field(w), NULL, "", 0, record);
}

void peer_ack(struct wire *w, int32_t rel)
{
    ack_at(w, rel, 1);
}

void peer_ack_quiet(struct wire *w, int32_t rel)
{
    ack_at(w, rel, 0);
}

void peer_window(struct wire *w, uint32_t win)
{
    w->win = win;
}

/* ---- input: the local host's segments ---- */

/* Parse pkt as a segment of this connection into s. 1 if it is one. */
static int parse_seg(struct wire *w, const uint8_t *pkt, size_t len, struct wseg *s)
{
    struct ip4_repr ip;
    int tl = ip4_parse(pkt, len, &ip);
    if (tl < 0 || ip.proto != IP4_PROTO_TCP || ip.src != w->local_ip || ip.dst != w->peer_ip ||
        ip.mf || ip.frag_off)
        return 0;
    const uint8_t *seg = pkt + ip.hdr_len;
    size_t sl = (size_t)tl - ip.hdr_len;
    struct tcp_repr t;
    if (tcp_parse(seg, sl, &t) != WIRE_OK || t.dport != w->peer_port)
        return 0;
    if (w->have_local && t.sport != w->local_port)
        return 0;
    memset(s, 0, offsetof(struct wseg, data));
    s->t = t;
    s->len = (uint32_t)(sl - t.hdr_len);
    if (s->len > sizeof s->data)
        return 0;
    memcpy(s->data, seg + t.hdr_len, s->len);
    s->csum_ok = tcp_csum_ok(seg, sl, ip4_pseudo(&ip));
    if (!w->have_local && (t.flags & TCP_SYN)) {
        w->have_local = 1;
        w->local_isn = t.seq;
        w->local_port = t.sport;
    }
    s->seq = (int32_t)(t.seq - (w->local_isn + 1));
    s->ack = (int32_t)(t.ack - (w->peer_isn + 1));
    int32_t end = s->seq + (int32_t)s->len;
    if (end - w->hi > 0)
        w->hi = end;
    return 1;
}

int wire_next(struct wire *w, struct wseg *s, int ms)
{
    uint8_t pkt[WIRE_MTU + 64];
    for (;;) {
        ssize_t n = w->env->capture(pkt, sizeof pkt, ms);
        if (n < 0)
            obs_fail(w->o, "capture: %s", obs_errname(errno));
        if (n == 0)
            return 0;
        if (parse_seg(w, pkt, (size_t)n, s))
            return 1;
        /* Not ours (another protocol or connection): keep waiting, the
         * full window again -- such packets are rare and never late. */
    }
}

void wire_print(struct wire *w, const struct wseg *s, const char *tag)
{
    char line[256];
    wire_format(line, sizeof line, "out", s->seq, s->len, &s->t, s->ack, s->data);
    obs_line(w->o, "%s%s%s", tag ? tag : "", line, s->csum_ok ? "" : " BAD-CHECKSUM");
}

int wire_expect_tag(struct wire *w, int n, int ms, const char *tag)
{
    struct wseg s;
    for (int i = 0; i < n; i++) {
        if (!wire_next(w, &s, ms)) {
            obs_line(w->o, "%sout: none within %d ms", tag ? tag : "", ms);
            return i;
        }
        wire_print(w, &s, tag);
    }
    return n;
}

int wire_expect(struct wire *w, int n, int ms)
{
    return wire_expect_tag(w, n, ms, NULL);
}

int wire_quiet(struct wire *w, int ms)
{
    /* One window for all: a burst must not stretch it. */
    long long end = w->env->now_ms() + ms;
    int count = 0;
    struct wseg s;
    long long left = ms;
    while (left > 0 && wire_next(w, &s, (int)left)) {
        wire_print(w, &s, NULL);
        count++;
        left = end - w->env->now_ms();
    }
    return count;
}

/* ---- opening ---- */

static void setint(struct wire *w, int fd, int level, int opt, int val, const char *what)
{
    if (w->ops->setsockopt(fd, level, opt, &val, sizeof val) < 0)
        obs_fail(w->o, "setup: setsockopt(%s): %s", what, obs_errname(errno));
}

static void set_nonblock(struct wire *w, int fd, int on)
{
    int fl = w->ops->fcntl(fd, F_GETFL, 0);
    if (fl < 0 || w->ops->fcntl(fd, F_SETFL, on ? (fl | O_NONBLOCK) : (fl & ~O_NONBLOCK)) < 0)
        obs_fail(w->o, "setup: O_NONBLOCK: %s", obs_errname(errno));
}

static void local_opts(struct wire *w, int fd, const struct wire_open *wo)
{
    if (wo->sndbuf)
        setint(w, fd, SOL_SOCKET, SO_SNDBUF, wo->sndbuf, "SO_SNDBUF");
    if (wo->rcvbuf)
        setint(w, fd, SOL_SOCKET, SO_RCVBUF, wo->rcvbuf, "SO_RCVBUF");
}

static void finish_socket(struct wire *w, const struct wire_open *wo)
{
    if (wo->blocking) {
        set_nonblock(w, w->fd, 0);
        struct timeval tv = {3, 0};
        if (w->ops->setsockopt(w->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) < 0 ||
            w->ops->setsockopt(w->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv) < 0)
            obs_fail(w->o, "setup: timeouts: %s", obs_errname(errno));
    } else {
        set_nonblock(w, w->fd, 1);
    }
}

/* The peer's SYN or SYN-ACK options. */
static void syn_opts(const struct wire_open *wo, struct tcp_repr *t)
{
    memset(t, 0, sizeof *t);
    t->has_mss = true;
    t->mss = wo->mss ? wo->mss : 1460;
    if (wo->wscale) {
        t->has_wscale = true;
        t->wscale = (uint8_t)(wo->wscale - 1);
    }
}

static void expect_handshake(struct wire *w, struct wseg *s, unsigned want, const char *what)
{
    if (!wire_next(w, s, WIRE_HS_MS))
        obs_fail(w->o, "setup: no %s within %d ms", what, WIRE_HS_MS);
    wire_print(w, s, NULL);
    if ((s->t.flags & (TCP_SYN | TCP_ACK | TCP_RST | TCP_FIN)) != want)
        obs_fail(w->o, "setup: expected a %s", what);
}

static void open_active(struct wire *w, const struct wire_open *wo, struct tcp_repr *opts)
{
    w->ops->host(HOST_A);
    w->fd = w->ops->socket(AF_INET, SOCK_STREAM, 0);
    if (w->fd < 0)
        obs_fail(w->o, "setup: socket: %s", obs_errname(errno));
    obs_name(w->o, w->fd, "sk");
    local_opts(w, w->fd, wo);
    if (!wo->no_owner && w->ops->fcntl(w->fd, F_SETOWN, (long)getpid()) < 0)
        obs_fail(w->o, "setup: F_SETOWN: %s", obs_errname(errno));
    set_nonblock(w, w->fd, 1);
    struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons(w->peer_port)};
    sin.sin_addr.s_addr = w->peer_ip;
    if (w->ops->connect(w->fd, (struct sockaddr *)&sin, sizeof sin) == 0 || errno != EINPROGRESS)
        obs_fail(w->o, "setup: connect: %s", obs_errname(errno));

    struct wseg s;
    expect_handshake(w, &s, TCP_SYN, "SYN");
    w->peer_ws = (wo->wscale && s.t.has_wscale) ? wo->wscale - 1 : 0;
    /* The SYN-ACK's window is never scaled (RFC 7323 §2.2). */
    uint32_t win = w->win > 0xffff ? 0xffff : w->win;
    uint16_t field = wo->zero_window ? 0 : (uint16_t)win;
    peer_emit(w, w->peer_isn, w->local_isn + 1, TCP_SYN | TCP_ACK | (wo->syn_flags & 0xff),
              wo->syn_urp, field, opts, "", 0, 1);
    w->nxt = 0;
    expect_handshake(w, &s, TCP_ACK, "handshake ACK");
}

static void open_passive(struct wire *w, const struct wire_open *wo, struct tcp_repr *opts)
{
    w->ops->host(HOST_B);
    w->ls = w->ops->socket(AF_INET, SOCK_STREAM, 0);
    if (w->ls < 0)
        obs_fail(w->o, "setup: socket: %s", obs_errname(errno));
    obs_name(w->o, w->ls, "ls");
    local_opts(w, w->ls, wo);
    struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons(WIRE_LOCAL_PORT)};
    sin.sin_addr.s_addr = w->local_ip;
    if (w->ops->bind(w->ls, (struct sockaddr *)&sin, sizeof sin) < 0 ||
        w->ops->listen(w->ls, 8) < 0)
        obs_fail(w->o, "setup: bind/listen: %s", obs_errname(errno));
    set_nonblock(w, w->ls, 1);
    if (wo->ls_owner && w->ops->fcntl(w->ls, F_SETOWN, (long)getpid()) < 0)
        obs_fail(w->o, "setup: F_SETOWN: %s", obs_errname(errno));
    w->local_port = WIRE_LOCAL_PORT;

    uint32_t win = w->win > 0xffff ? 0xffff : w->win;
    peer_emit(w, w->peer_isn, 0, TCP_SYN | (wo->syn_flags & 0xff), wo->syn_urp,
              wo->zero_window ? 0 : (uint16_t)win, opts, "", 0, 1);
    struct wseg s;
    expect_handshake(w, &s, TCP_SYN | TCP_ACK, "SYN-ACK");
    if (s.ack != 0)
        obs_fail(w->o, "setup: SYN-ACK acknowledges +%d", s.ack);
    w->peer_ws = (wo->wscale && s.t.has_wscale) ? wo->wscale - 1 : 0;
    w->nxt = 0;
    w->ack = 0;
    if (wo->zero_window)
        w->win = 0;
    peer_send(w, 0, wo->ack_data, wo->ack_flags, wo->ack_urp);

    w->fd = w->ops->accept(w->ls, NULL, NULL);
    if (w->fd < 0)
        obs_fail(w->o, "setup: accept: %s", obs_errname(errno));
    obs_name(w->o, w->fd, "sk");
    if (!wo->no_owner && w->ops->fcntl(w->fd, F_SETOWN, (long)getpid()) < 0)
        obs_fail(w->o, "setup: F_SETOWN: %s", obs_errname(errno));
}

void wire_open(struct wire *w, const struct wire_open *wo)
{
    struct tcp_repr opts;
    syn_opts(wo, &opts);
    if (wo->win)
        w->win = wo->win;
    if (wo->passive) {
        open_passive(w, wo, &opts);
    } else {
        open_active(w, wo, &opts);
        if (wo->zero_window)
            w->win = 0;
    }
    finish_socket(w, wo);
}

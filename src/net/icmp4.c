/* ICMPv4 for a host; behaviour and rules in net/icmp4.h.
 *
 * Input path: ip4_input -> s->l4[1].input = icmp4_input
 *   -> echo reply in place | s->on_echo_reply | s->l4[quoted].error. */
#include <errno.h>
#include <string.h>
#include <sys/socket.h> /* AF_INET */

#include "net/iface.h"
#include "wire/csum.h"
#include "wire/icmp4.h"
#include "wire/ip4.h"

/* RFC 792 query messages (echo, timestamp, information, address mask and
 * their replies): an error about one of these is allowed, about anything
 * else (an error, or a type we do not know) it is not (RFC 1122 §3.2.2,
 * Linux treats unknown types as errors too). */
static bool icmp4_is_query(uint8_t type)
{
    switch (type) {
    case 0:
    case 8:
    case 13:
    case 14:
    case 15:
    case 16:
    case 17:
    case 18:
        return true;
    default:
        return false;
    }
}

/* Token bucket: cfg.icmp_msgs_per_sec tokens a second, at most
 * ICMP4_BURST held. Credit is kept exact: `last` advances by whole
 * tokens only, so no fraction is lost between calls. */
static bool icmp4_allow(struct stack *s, sg_time now)
{
    struct icmp4_state *st = &s->net->icmp;
    sg_time per = SG_SEC(1) / s->cfg.icmp_msgs_per_sec;
    if (now > st->last) {
        uint64_t n = per ? (now - st->last) / per : UINT64_MAX;
        if (n >= ICMP4_BURST - st->tokens) {
            st->tokens = ICMP4_BURST;
            st->last = now;
        } else {
            st->tokens += (uint32_t)n;
            st->last += n * per;
        }
    }
    if (st->tokens == 0)
        return false;
    st->tokens--;
    return true;
}

void icmp4_send_error(struct stack *s, const struct ip_info *ip, const uint8_t *l4, size_t l4_len,
                      int type, int code, uint32_t info, sg_time now)
{
    if (!ip->hdr || ip->hdr_len < IP4_HDR_MIN || !ipaddr_is_v4(&ip->src))
        return;
    /* RFC 1122 §3.2.2: never about a broadcast/multicast datagram (IP or
     * link layer), a non-first fragment, a source that is not one host,
     * or an ICMP error. */
    if (ip->flags & (IPI_BCAST | IPI_LINK_BCAST))
        return;
    uint32_t src = ipaddr_v4_be(&ip->src);
    if (src == 0 || ip4_is_multicast(src) || ip4_is_limited_bcast(src) || ip4_is_loopback(src) ||
        (ip->ifp && iface_is_bcast4(ip->ifp, src)))
        return;
    if (wire_get16(ip->hdr + 6) & 0x1fff)
        return;
    if (ip->proto == IP4_PROTO_ICMP && (l4_len < 1 || !icmp4_is_query(l4[0])))
        return;
    if (!icmp4_allow(s, now)) {
        STAT_INC(s, ICMP_OUT_RATELIMITED);
        return;
    }
    /* RFC 792: the internet header plus the first 64 bits of data. */
    size_t data = l4_len < 8 ? l4_len : 8;
    size_t quote = ip->hdr_len + data;
    struct buf *b = buf_alloc(SG_HEADROOM, ICMP4_HDR_LEN + quote);
    if (!b) {
        STAT_INC(s, IP_OUT_DISCARDS);
        return;
    }
    memcpy(b->data + ICMP4_HDR_LEN, ip->hdr, ip->hdr_len);
    memcpy(b->data + ICMP4_HDR_LEN + ip->hdr_len, l4, data);
    struct icmp4_repr r = {
        .type = (uint8_t)type,
        .code = (uint8_t)code,
        .data = b->data + ICMP4_HDR_LEN,
        .data_len = quote,
    };
    if (type == ICMP4_DEST_UNREACH && code == ICMP4_FRAG_NEEDED)
        r.mtu = (uint16_t)info;
    else if (type == ICMP4_PARAM_PROBLEM)
        r.pointer = (uint8_t)info;
    icmp4_emit(&r, b->data);
    /* From the address the datagram was sent to when it is ours (it is,
     * unless it was a broadcast, which never gets here); precedence
     * "internetwork control" as Linux (RFC 1812 §4.3.2.5). */
    struct ipaddr from = stack_has_addr4(s, ipaddr_v4_be(&ip->dst)) ? ip->dst : ipaddr_v4(0);
    uint8_t tos = (uint8_t)((ip->tos & 0x1e) | 0xc0);
    if (ip_output(s, &from, &ip->src, IP4_PROTO_ICMP, 0, tos, b, now) < 0)
        return;
    STAT_INC(s, ICMP_OUT_MSGS);
    if (type == ICMP4_DEST_UNREACH)
        STAT_INC(s, ICMP_OUT_DEST_UNREACHS);
    else if (type == ICMP4_TIME_EXCEEDED)
        STAT_INC(s, ICMP_OUT_TIME_EXCDS);
}

/* Answer an echo request in place: the same bytes with the type changed
 * and the checksum updated (RFC 1624), sent back from where they came. */
static void icmp4_echo_reply(struct stack *s, const struct ip_info *ip, struct buf *b, sg_time now)
{
    if (buf_writable(b) < 0) {
        STAT_INC(s, IP_OUT_DISCARDS);
        buf_free(b);
        return;
    }
    uint16_t old = wire_get16(b->data); /* type, code */
    uint16_t new = (uint16_t)(ICMP4_ECHO_REPLY << 8 | b->data[1]);
    b->data[0] = ICMP4_ECHO_REPLY;
    wire_put16(b->data + 2, csum_update16(wire_get16(b->data + 2), old, new));
    b->flags = 0;
    struct ipaddr src = ip->dst, dst = ip->src;
    if (ip_output(s, &src, &dst, IP4_PROTO_ICMP, 0, ip->tos, b, now) < 0)
        return;
    STAT_INC(s, ICMP_OUT_MSGS);
    STAT_INC(s, ICMP_OUT_ECHO_REPS);
}

/* An error about a datagram we sent: hand it to that datagram's
 * transport. */
static void icmp4_dispatch_error(struct stack *s, const struct ip_info *ip,
                                 const struct icmp4_repr *r, sg_time now)
{
    if (ip->flags & IPI_BCAST) {
        STAT_INC(s, ICMP_DROP_IGNORED); /* errors are never broadcast (RFC 1122 §3.2.2) */
        return;
    }
    struct ip4_repr q;
    int hl = ip4_parse_quoted(r->data, r->data_len, &q);
    if (hl < 0 || r->data_len - (size_t)hl < 8) {
        STAT_INC(s, ICMP_IN_ERRORS); /* transports need 8 bytes of their header */
        return;
    }
    const struct l4_proto *l4 = &s->l4[q.proto];
    if (!l4->error) {
        STAT_INC(s, ICMP_DROP_IGNORED);
        return;
    }
    uint32_t info = 0;
    if (r->type == ICMP4_DEST_UNREACH && r->code == ICMP4_FRAG_NEEDED)
        info = r->mtu;
    else if (r->type == ICMP4_PARAM_PROBLEM)
        info = r->pointer;
    struct ip_info quoted = {
        .src = ipaddr_v4(q.src),
        .dst = ipaddr_v4(q.dst),
        .proto = q.proto,
        .ttl = q.ttl,
        .tos = q.tos,
        .family = AF_INET,
        .ifp = ip->ifp,
        .hdr = r->data,
        .hdr_len = (uint16_t)hl,
    };
    l4->error(s, &quoted, r->type, r->code, info, r->data + hl,
              (uint32_t)(r->data_len - (size_t)hl), now);
}

void icmp4_input(struct stack *s, const struct ip_info *ip, struct buf *b, sg_time now)
{
    STAT_INC(s, ICMP_IN_MSGS);
    struct icmp4_repr r;
    int err = icmp4_parse(b->data, b->len, &r);
    if (err < 0) {
        if (err == WIRE_EPROTO)
            STAT_INC(s, ICMP_DROP_IGNORED); /* a type we do not handle */
        else
            STAT_INC(s, ICMP_IN_ERRORS);
        buf_free(b);
        return;
    }
    switch (r.type) {
    case ICMP4_ECHO_REQUEST:
        STAT_INC(s, ICMP_IN_ECHOS);
        if (ip->flags & IPI_BCAST) {
            STAT_INC(s, ICMP_DROP_IGNORED); /* Linux icmp_echo_ignore_broadcasts=1 */
            break;
        }
        icmp4_echo_reply(s, ip, b, now);
        return;
    case ICMP4_ECHO_REPLY:
        STAT_INC(s, ICMP_IN_ECHO_REPS);
        if (!s->on_echo_reply) {
            STAT_INC(s, ICMP_DROP_IGNORED);
            break;
        }
        s->on_echo_reply(s->echo_ctx, &ip->src, r.id, r.seq, r.data, r.data_len, ip->ttl, now);
        break;
    case ICMP4_DEST_UNREACH:
        STAT_INC(s, ICMP_IN_DEST_UNREACHS);
        icmp4_dispatch_error(s, ip, &r, now);
        break;
    case ICMP4_TIME_EXCEEDED:
        STAT_INC(s, ICMP_IN_TIME_EXCDS);
        icmp4_dispatch_error(s, ip, &r, now);
        break;
    default: /* ICMP4_PARAM_PROBLEM */
        icmp4_dispatch_error(s, ip, &r, now);
        break;
    }
    buf_free(b);
}

int icmp4_echo_send(struct stack *s, const struct ipaddr *dst, uint16_t id, uint16_t seq,
                    const void *payload, size_t len, sg_time now)
{
    if (len > 65535 - IP4_HDR_MIN - ICMP4_HDR_LEN)
        return -EMSGSIZE;
    if (!ipaddr_is_v4(dst))
        return -EAFNOSUPPORT;
    struct buf *b = buf_alloc(SG_HEADROOM, ICMP4_HDR_LEN + len);
    if (!b)
        return -ENOBUFS;
    struct icmp4_repr r = {
        .type = ICMP4_ECHO_REQUEST,
        .id = id,
        .seq = seq,
        .data = len ? payload : (const void *)"",
        .data_len = len,
    };
    icmp4_emit(&r, b->data);
    int err = ip_output(s, NULL, dst, IP4_PROTO_ICMP, 0, 0, b, now);
    if (err < 0)
        return err;
    STAT_INC(s, ICMP_OUT_MSGS);
    STAT_INC(s, ICMP_OUT_ECHOS);
    return 0;
}

void icmp4_init(struct stack *s)
{
    s->l4[IP4_PROTO_ICMP] = (struct l4_proto){.input = icmp4_input};
    s->net->icmp.tokens = ICMP4_BURST;
    s->net->icmp.last = 0;
}

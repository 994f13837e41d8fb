/* UDP input, minimal (udp/udp.h). */
#include <errno.h>

#include "net/icmp4.h"
#include "net/stack.h"
#include "udp/udp.h"
#include "wire/csum.h"
#include "wire/icmp4.h"
#include "wire/udp.h"

void udp_init(struct stack *s)
{
    s->l4[17].input = udp_input;
}

void udp_input(struct stack *s, const struct ip_info *ip, struct buf *b, sg_time now)
{
    struct udp_repr u;
    const uint8_t *l4 = b->data;
    size_t l4_len = b->len;
    if (udp_parse(b->data, b->len, &u) < 0) {
        STAT_INC(s, UDP_IN_ERRORS);
        buf_free(b);
        return;
    }
    buf_trim(b, u.len); /* bytes past the UDP length are ignored, as Linux */
    bool trusted = b->flags & (BUF_CSUM_VERIFIED | BUF_CSUM_PARTIAL);
    if (u.csum != 0 && !trusted &&
        !udp_csum_ok(b->data, b->len, csum_pseudo(ip->src.b, ip->dst.b, 17, u.len))) {
        STAT_INC(s, UDP_IN_ERRORS);
        buf_free(b);
        return;
    }
    buf_pull(b, UDP_HDR_LEN);
    int err = s->udp_deliver ? s->udp_deliver(s, ip, u.sport, u.dport, b, now) : -ENOENT;
    if (err == 0) {
        STAT_INC(s, UDP_IN_DATAGRAMS);
    } else if (err == -ENOENT) {
        STAT_INC(s, UDP_NO_PORTS);
        /* RFC 1122 §4.1.3.1: SHOULD send port unreachable. icmp4 skips it
         * for broadcasts, and rate-limits it. */
        if (ipaddr_is_v4(&ip->src))
            icmp4_send_error(s, ip, l4, l4_len, ICMP4_DEST_UNREACH, ICMP4_PORT_UNREACH, 0, now);
        buf_free(b);
    } else {
        STAT_INC(s, UDP_RCVBUF_ERRORS); /* the hook took and freed b */
    }
}

/* ICMPv4 parse/emit, RFC 792 message formats. */
#include "wire/icmp4.h"

#include <string.h>

#include "wire/csum.h"

int icmp4_parse(const uint8_t *p, size_t len, struct icmp4_repr *out)
{
    if (len < ICMP4_HDR_LEN)
        return WIRE_ESHORT;
    /* Checksum before type, as Linux's icmp_rcv does: a corrupted message
     * counts as a checksum error whatever its type byte says. */
    if (csum_buf(p, len) != 0)
        return WIRE_ECSUM;
    struct icmp4_repr r = {.type = p[0], .code = p[1]};
    switch (r.type) {
    case ICMP4_ECHO_REQUEST:
    case ICMP4_ECHO_REPLY:
        r.id = wire_get16(p + 4);
        r.seq = wire_get16(p + 6);
        break;
    case ICMP4_DEST_UNREACH:
    case ICMP4_TIME_EXCEEDED:
    case ICMP4_PARAM_PROBLEM:
        /* RFC 792: the internet header plus the first 64 bits of the
         * original datagram's data; the transport needs its ports. */
        if (len - ICMP4_HDR_LEN < ICMP4_QUOTE_MIN)
            return WIRE_ESHORT;
        if (r.type == ICMP4_DEST_UNREACH && r.code == ICMP4_FRAG_NEEDED)
            r.mtu = wire_get16(p + 6); /* RFC 1191 §4 */
        if (r.type == ICMP4_PARAM_PROBLEM)
            r.pointer = p[4];
        break;
    default:
        return WIRE_EPROTO;
    }
    r.data = p + ICMP4_HDR_LEN;
    r.data_len = len - ICMP4_HDR_LEN;
    *out = r;
    return WIRE_OK;
}

size_t icmp4_len(const struct icmp4_repr *r)
{
    return ICMP4_HDR_LEN + r->data_len;
}

size_t icmp4_emit(const struct icmp4_repr *r, uint8_t *out)
{
    size_t n = icmp4_len(r);
    if (r->data_len && r->data != out + ICMP4_HDR_LEN)
        memmove(out + ICMP4_HDR_LEN, r->data, r->data_len);
    out[0] = r->type;
    out[1] = r->code;
    memset(out + 2, 0, 6);
    switch (r->type) {
    case ICMP4_ECHO_REQUEST:
    case ICMP4_ECHO_REPLY:
        wire_put16(out + 4, r->id);
        wire_put16(out + 6, r->seq);
        break;
    case ICMP4_DEST_UNREACH:
        if (r->code == ICMP4_FRAG_NEEDED)
            wire_put16(out + 6, r->mtu);
        break;
    case ICMP4_PARAM_PROBLEM:
        out[4] = r->pointer;
        break;
    default:
        break;
    }
    wire_put16(out + 2, csum_buf(out, n));
    return n;
}

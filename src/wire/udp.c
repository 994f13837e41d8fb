/* UDP header parse/emit/checksum, RFC 768. */
#include "wire/udp.h"

#include "wire/csum.h"

int udp_parse(const uint8_t *p, size_t len, struct udp_repr *out)
{
    if (len < UDP_HDR_LEN)
        return WIRE_ESHORT;
    uint16_t ulen = wire_get16(p + 4);
    /* Same checks as Linux's __udp4_lib_rcv: "ulen > skb->len" is a short
     * packet, "ulen < sizeof(*uh)" a bad one. */
    if (ulen > len)
        return WIRE_ESHORT;
    if (ulen < UDP_HDR_LEN)
        return WIRE_EBADLEN;
    out->sport = wire_get16(p);
    out->dport = wire_get16(p + 2);
    out->len = ulen;
    out->csum = wire_get16(p + 6);
    return WIRE_OK;
}

bool udp_csum_ok(const uint8_t *p, size_t len, uint64_t pseudo)
{
    return csum_fold(csum_partial(p, len, pseudo)) == 0;
}

size_t udp_emit(const struct udp_repr *r, uint8_t *out)
{
    wire_put16(out, r->sport);
    wire_put16(out + 2, r->dport);
    wire_put16(out + 4, r->len);
    wire_put16(out + 6, 0);
    return UDP_HDR_LEN;
}

void udp_csum_fill(uint8_t *p, size_t len, uint64_t acc)
{
    wire_put16(p + 6, 0);
    uint16_t c = csum_fold(csum_partial(p, len, acc));
    wire_put16(p + 6, c ? c : 0xffff);
}

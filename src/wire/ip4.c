/* IPv4 header parse/emit, RFC 791 §3.1; input checks in the order of
 * Linux's ip_rcv_core(), so drop reasons match the kernel's. */
#include "wire/ip4.h"

#include <string.h>

#include "wire/csum.h"

#define IP4_FLAG_DF 0x4000
#define IP4_FLAG_MF 0x2000
#define IP4_OFF_MASK 0x1fff

/* The fields common to ip4_parse and ip4_parse_quoted; p has >= 20 bytes. */
static void ip4_fields(const uint8_t *p, struct ip4_repr *out)
{
    uint16_t fo = wire_get16(p + 6);
    out->hdr_len = (uint8_t)((p[0] & 0x0f) * 4);
    out->tos = p[1];
    out->total_len = wire_get16(p + 2);
    out->id = wire_get16(p + 4);
    out->df = fo & IP4_FLAG_DF;
    out->mf = fo & IP4_FLAG_MF;
    out->frag_off = (uint16_t)((fo & IP4_OFF_MASK) * 8);
    out->ttl = p[8];
    out->proto = p[9];
    out->src = wire_get_raw32(p + 12);
    out->dst = wire_get_raw32(p + 16);
    out->opts_len = (uint8_t)(out->hdr_len - IP4_HDR_MIN);
    out->opts = out->opts_len ? p + IP4_HDR_MIN : NULL;
}

/* Version and IHL checks shared by both parsers. Returns IHL * 4 or < 0. */
static int ip4_check_hdr(const uint8_t *p, size_t len)
{
    if (len < IP4_HDR_MIN)
        return WIRE_ESHORT;
    if (p[0] >> 4 != 4)
        return WIRE_EVERSION;
    size_t hl = (size_t)(p[0] & 0x0f) * 4;
    if (hl < IP4_HDR_MIN)
        return WIRE_EBADLEN;
    if (len < hl)
        return WIRE_ESHORT;
    return (int)hl;
}

int ip4_parse(const uint8_t *p, size_t len, struct ip4_repr *out)
{
    int hl = ip4_check_hdr(p, len);
    if (hl < 0)
        return hl;
    /* RFC 1122 §3.2.1.2: a host MUST verify the header checksum. */
    if (csum_buf(p, (size_t)hl) != 0)
        return WIRE_ECSUM;
    size_t tot = wire_get16(p + 2);
    if (tot > len)
        return WIRE_ESHORT;
    if (tot < (size_t)hl)
        return WIRE_EBADLEN;
    ip4_fields(p, out);
    return (int)tot;
}

int ip4_parse_quoted(const uint8_t *p, size_t len, struct ip4_repr *out)
{
    int hl = ip4_check_hdr(p, len);
    if (hl < 0)
        return hl;
    if (wire_get16(p + 2) < (size_t)hl)
        return WIRE_EBADLEN;
    ip4_fields(p, out);
    return hl;
}

size_t ip4_hdr_len(const struct ip4_repr *r)
{
    return IP4_HDR_MIN + (((size_t)r->opts_len + 3) & ~(size_t)3);
}

size_t ip4_emit(const struct ip4_repr *r, uint8_t *out)
{
    size_t hl = ip4_hdr_len(r);
    out[0] = (uint8_t)(0x40 | hl / 4);
    out[1] = r->tos;
    wire_put16(out + 2, r->total_len);
    wire_put16(out + 4, r->id);
    wire_put16(out + 6, (uint16_t)((r->df ? IP4_FLAG_DF : 0) | (r->mf ? IP4_FLAG_MF : 0) |
                                   ((r->frag_off / 8) & IP4_OFF_MASK)));
    out[8] = r->ttl;
    out[9] = r->proto;
    wire_put16(out + 10, 0);
    wire_put_raw32(out + 12, r->src);
    wire_put_raw32(out + 16, r->dst);
    if (r->opts_len) {
        memcpy(out + IP4_HDR_MIN, r->opts, r->opts_len);
        memset(out + IP4_HDR_MIN + r->opts_len, 0, hl - IP4_HDR_MIN - r->opts_len);
    }
    wire_put16(out + 10, csum_buf(out, hl));
    return hl;
}

uint64_t ip4_pseudo(const struct ip4_repr *r)
{
    return csum_pseudo4(r->src, r->dst, r->proto, (uint16_t)(r->total_len - ip4_hdr_len(r)));
}

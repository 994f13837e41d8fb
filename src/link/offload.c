/* Checksum completion for frames marked BUF_CSUM_PARTIAL (link.h).
 *
 * Links that let bytes leave the process (pcap) or alter them (impairment
 * corruption) need a real transport checksum in the frame. The frame is
 * parsed here rather than trusting buf->csum_start/csum_off, and the sum
 * is computed from scratch with the field zeroed: the result is right
 * whatever the sender left in the field (nothing, or a pseudo-header seed
 * as Linux's CHECKSUM_PARTIAL does).
 */
#include <errno.h>
#include "link/link.h"
#include "wire/csum.h"
#include "wire/wire.h"

#define OFFLOAD_ETH_HLEN 14
#define OFFLOAD_ETHERTYPE_IP4 0x0800
#define OFFLOAD_ETHERTYPE_IP6 0x86dd
#define OFFLOAD_PROTO_TCP 6
#define OFFLOAD_PROTO_UDP 17

/* Fill the checksum field at l4 + field_off of an l4_len-byte segment
 * whose pseudo-header sum is `pseudo`. */
static void offload_fill(uint8_t *l4, uint32_t l4_len, uint8_t proto, uint64_t pseudo)
{
    uint32_t field_off = proto == OFFLOAD_PROTO_TCP ? 16 : 6;
    wire_put16(l4 + field_off, 0);
    uint16_t c = csum_fold(csum_partial(l4, l4_len, pseudo));
    if (proto == OFFLOAD_PROTO_UDP && c == 0)
        c = 0xffff; /* RFC 768: a computed 0 is sent as all ones */
    wire_put16(l4 + field_off, c);
}

static int offload_min_l4(uint8_t proto, uint32_t l4_len)
{
    if (proto == OFFLOAD_PROTO_TCP)
        return l4_len >= 20;
    if (proto == OFFLOAD_PROTO_UDP)
        return l4_len >= 8;
    return 0;
}

int link_csum_complete(struct buf *f, enum link_kind kind)
{
    uint8_t *p = f->data;
    uint32_t len = f->len;
    uint32_t version;

    if (kind == LINK_ETHERNET) {
        if (len < OFFLOAD_ETH_HLEN)
            return -EINVAL;
        uint16_t type = wire_get16(p + 12);
        p += OFFLOAD_ETH_HLEN;
        len -= OFFLOAD_ETH_HLEN;
        if (type == OFFLOAD_ETHERTYPE_IP4)
            version = 4;
        else if (type == OFFLOAD_ETHERTYPE_IP6)
            version = 6;
        else
            return -EINVAL;
    } else {
        if (len < 1)
            return -EINVAL;
        version = p[0] >> 4;
    }

    if (version == 4) {
        if (len < 20 || p[0] >> 4 != 4)
            return -EINVAL;
        uint32_t ihl = (uint32_t)(p[0] & 0x0f) * 4;
        uint32_t tot = wire_get16(p + 2);
        uint16_t frag = wire_get16(p + 6);
        uint8_t proto = p[9];
        if (ihl < 20 || tot < ihl || tot > len || (frag & 0x3fff) != 0)
            return -EINVAL; /* fragments: the sum spans the whole datagram */
        uint32_t l4_len = tot - ihl;
        if (!offload_min_l4(proto, l4_len))
            return -EINVAL;
        uint64_t pseudo =
            csum_pseudo4(wire_get_raw32(p + 12), wire_get_raw32(p + 16), proto, (uint16_t)l4_len);
        offload_fill(p + ihl, l4_len, proto, pseudo);
    } else if (version == 6) {
        if (len < 40 || p[0] >> 4 != 6)
            return -EINVAL;
        uint32_t l4_len = wire_get16(p + 4);
        uint8_t proto = p[6];
        if (40 + l4_len > len || !offload_min_l4(proto, l4_len))
            return -EINVAL; /* extension headers are not walked */
        uint64_t pseudo = csum_pseudo6(p + 8, p + 24, proto, l4_len);
        offload_fill(p + 40, l4_len, proto, pseudo);
    } else {
        return -EINVAL;
    }
    f->flags &= ~(uint32_t)BUF_CSUM_PARTIAL;
    return 0;
}

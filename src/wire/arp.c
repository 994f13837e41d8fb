/* ARP packet parse/emit, RFC 826 "Packet format". */
#include "wire/arp.h"

#include <string.h>

#define ARP_HTYPE_ETHER 1

int arp_parse(const uint8_t *p, size_t len, struct arp_repr *out)
{
    if (len < ARP_LEN)
        return WIRE_ESHORT;
    if (wire_get16(p) != ARP_HTYPE_ETHER || wire_get16(p + 2) != ETH_TYPE_IP4 ||
        p[4] != ETH_ADDR_LEN || p[5] != 4)
        return WIRE_EPROTO;
    uint16_t op = wire_get16(p + 6);
    if (op != ARP_REQUEST && op != ARP_REPLY)
        return WIRE_EPROTO;
    out->op = op;
    memcpy(out->sha.b, p + 8, ETH_ADDR_LEN);
    out->spa = wire_get_raw32(p + 14);
    memcpy(out->tha.b, p + 18, ETH_ADDR_LEN);
    out->tpa = wire_get_raw32(p + 24);
    return WIRE_OK;
}

size_t arp_emit(const struct arp_repr *r, uint8_t *out)
{
    wire_put16(out, ARP_HTYPE_ETHER);
    wire_put16(out + 2, ETH_TYPE_IP4);
    out[4] = ETH_ADDR_LEN;
    out[5] = 4;
    wire_put16(out + 6, r->op);
    memcpy(out + 8, r->sha.b, ETH_ADDR_LEN);
    wire_put_raw32(out + 14, r->spa);
    memcpy(out + 18, r->tha.b, ETH_ADDR_LEN);
    wire_put_raw32(out + 24, r->tpa);
    return ARP_LEN;
}

/* Ethernet II header parse/emit; see eth.h for what is not handled. */
#include "wire/eth.h"

#include <string.h>

int eth_parse(const uint8_t *p, size_t len, struct eth_repr *out)
{
    if (len < ETH_HDR_LEN)
        return WIRE_ESHORT;
    memcpy(out->dst.b, p, ETH_ADDR_LEN);
    memcpy(out->src.b, p + 6, ETH_ADDR_LEN);
    out->type = wire_get16(p + 12);
    return WIRE_OK;
}

size_t eth_emit(const struct eth_repr *r, uint8_t *out)
{
    memcpy(out, r->dst.b, ETH_ADDR_LEN);
    memcpy(out + 6, r->src.b, ETH_ADDR_LEN);
    wire_put16(out + 12, r->type);
    return ETH_HDR_LEN;
}

/* Ethernet II header (IEEE 802.3 clause 3.2.6 with an EtherType; RFC 894
 * for IPv4 over Ethernet): parse and emit.
 *
 * 802.1Q VLAN tags are not stripped or understood: a tagged frame parses
 * with type ETH_TYPE_VLAN, and a frame whose type field is below 0x0600 is
 * an IEEE 802.3 length frame (LLC), not Ethernet II. The stack drops both
 * as unknown EtherTypes; that decision is the caller's, the parse succeeds.
 * The 4-byte FCS is not part of what a link driver hands us. */
#ifndef SG_WIRE_ETH_H
#define SG_WIRE_ETH_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wire/wire.h"

#define ETH_ADDR_LEN 6
#define ETH_HDR_LEN 14
#define ETH_MIN_FRAME 60 /* without FCS: shorter frames are padded by the sender */

enum {
    ETH_TYPE_IP4 = 0x0800,
    ETH_TYPE_ARP = 0x0806,
    ETH_TYPE_VLAN = 0x8100,
    ETH_TYPE_IP6 = 0x86dd,
    ETH_TYPE_MIN = 0x0600, /* smaller values are 802.3 lengths, not types */
};

struct eth_addr {
    uint8_t b[ETH_ADDR_LEN];
};

struct eth_repr {
    struct eth_addr dst, src;
    uint16_t type; /* EtherType, host order */
};

/* Parse the header at p[0..len). The payload is p + ETH_HDR_LEN.
 * Returns WIRE_OK, or WIRE_ESHORT if len < ETH_HDR_LEN. */
int eth_parse(const uint8_t *p, size_t len, struct eth_repr *out);
/* Write the ETH_HDR_LEN-byte header for r at out. Padding a short frame to
 * ETH_MIN_FRAME is the caller's. Returns ETH_HDR_LEN. */
size_t eth_emit(const struct eth_repr *r, uint8_t *out);

static inline bool eth_addr_is_broadcast(const struct eth_addr *a)
{
    static const struct eth_addr bc = {{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}};
    return memcmp(a->b, bc.b, ETH_ADDR_LEN) == 0;
}
/* Group bit: the least significant bit of the first octet (IEEE 802 §8.2). */
static inline bool eth_addr_is_multicast(const struct eth_addr *a)
{
    return a->b[0] & 1;
}
static inline bool eth_addr_eq(const struct eth_addr *a, const struct eth_addr *b)
{
    return memcmp(a->b, b->b, ETH_ADDR_LEN) == 0;
}
#endif

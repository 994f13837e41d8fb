/* ARP for IPv4 over Ethernet (RFC 826): parse and emit.
 *
 * Only hardware type Ethernet (1, hlen 6) with protocol type IPv4 (0x0800,
 * plen 4) and the operations request (1) and reply (2) are accepted; any
 * other hardware/protocol type, address length or operation (RARP's 3/4,
 * InARP's 8/9, ...) is WIRE_EPROTO, as Linux's arp_process drops them too.
 * A frame may carry Ethernet padding after the 28 bytes; it is ignored. */
#ifndef SG_WIRE_ARP_H
#define SG_WIRE_ARP_H
#include <stddef.h>
#include <stdint.h>

#include "wire/eth.h"
#include "wire/wire.h"

#define ARP_LEN 28 /* Ethernet/IPv4 ARP packet */

enum {
    ARP_REQUEST = 1,
    ARP_REPLY = 2,
};

struct arp_repr {
    uint16_t op;              /* ARP_REQUEST or ARP_REPLY */
    struct eth_addr sha, tha; /* sender / target hardware address */
    uint32_t spa, tpa;        /* sender / target IPv4 address, network order */
};

/* Parse p[0..len). Returns WIRE_OK, WIRE_ESHORT (len < ARP_LEN) or
 * WIRE_EPROTO (not Ethernet/IPv4, or not a request or reply). */
int arp_parse(const uint8_t *p, size_t len, struct arp_repr *out);
/* Write the ARP_LEN bytes for r at out (htype 1, ptype 0x0800, hlen 6,
 * plen 4). Returns ARP_LEN. */
size_t arp_emit(const struct arp_repr *r, uint8_t *out);
#endif

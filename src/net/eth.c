/* Ethernet II framing (RFC 894) of the network layer (net/iface.h).
 *
 * Input: stack_input -> eth_input -> arp_input | ip4_input.
 * We accept frames for our MAC address and for the broadcast address. No
 * multicast group is joined yet, so multicast frames count
 * ETH_DROP_NOT_US, as a NIC's filter would drop them. VLAN-tagged and
 * 802.3/LLC frames count ETH_DROP_PROTO (wire/eth.h).
 *
 * Output does not pad frames to ETH_MIN_FRAME: that is the physical
 * layer's (a NIC pads in hardware; Linux's tap and veth deliver short
 * frames as they are), and padding would cost a copy per pure ACK. */
#include <errno.h>

#include "net/iface.h"

void eth_input(struct stack *s, struct iface *ifp, struct buf *frame, sg_time now)
{
    struct eth_repr e;
    if (eth_parse(frame->data, frame->len, &e) < 0) {
        STAT_INC(s, ETH_DROP_SHORT);
        buf_free(frame);
        return;
    }
    bool bcast = eth_addr_is_broadcast(&e.dst);
    if (!bcast && !eth_addr_eq(&e.dst, &ifp->mac)) {
        STAT_INC(s, ETH_DROP_NOT_US);
        buf_free(frame);
        return;
    }
    buf_pull(frame, ETH_HDR_LEN);
    switch (e.type) {
    case ETH_TYPE_IP4:
        ip4_input(s, ifp, frame, bcast ? IPI_LINK_BCAST : 0, now);
        return;
    case ETH_TYPE_ARP:
        arp_input(s, ifp, frame, bcast, now);
        return;
    default:
        STAT_INC(s, ETH_DROP_PROTO);
        buf_free(frame);
        return;
    }
}

int eth_output(struct stack *s, struct iface *ifp, struct buf *b, const struct eth_addr *dst,
               uint16_t type, sg_time now)
{
    uint8_t *h = buf_push(b, ETH_HDR_LEN);
    if (!h) {
        STAT_INC(s, LINK_TX_DROP_NOBUF);
        buf_free(b);
        return -ENOBUFS;
    }
    struct eth_repr e = {.dst = *dst, .src = ifp->mac, .type = type};
    eth_emit(&e, h);
    return iface_xmit(ifp, b, now);
}

/* Interfaces and their IPv4 addresses (net/iface.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "net/iface.h"

uint32_t ip4_prefix_mask(int prefix_len)
{
    uint32_t host = prefix_len <= 0    ? 0
                    : prefix_len >= 32 ? 0xffffffffu
                                       : ~(0xffffffffu >> prefix_len);
    uint8_t b[4] = {(uint8_t)(host >> 24), (uint8_t)(host >> 16), (uint8_t)(host >> 8),
                    (uint8_t)host};
    uint32_t be;
    memcpy(&be, b, 4);
    return be;
}

struct iface *stack_add_iface(struct stack *s, const char *name, int kind, uint32_t mtu,
                              const uint8_t mac[6], iface_xmit_fn xmit, void *xmit_ctx)
{
    /* An IPv4 datagram of 68 bytes must pass any link (RFC 791 §3.2). */
    if ((kind != IFACE_ETHERNET && kind != IFACE_RAW_IP) || mtu < 68 || mtu > 65535 || !xmit)
        return NULL;
    if (kind == IFACE_ETHERNET && !mac)
        return NULL;
    struct iface *ifp = calloc(1, sizeof(*ifp));
    if (!ifp)
        return NULL;
    ifp->s = s;
    ifp->index = ++s->net->nifaces;
    ifp->kind = kind;
    ifp->mtu = mtu;
    if (mac)
        memcpy(ifp->mac.b, mac, ETH_ADDR_LEN);
    ifp->xmit = xmit;
    ifp->xmit_ctx = xmit_ctx;
    if (name)
        strncpy(ifp->name, name, IFACE_NAME_LEN - 1);
    struct iface **pp = &s->ifaces;
    while (*pp)
        pp = &(*pp)->next;
    *pp = ifp;
    return ifp;
}

int iface_add_addr(struct iface *ifp, const struct ipaddr *a, int prefix_len)
{
    if (!ipaddr_is_v4(a))
        return -EAFNOSUPPORT; /* IPv6 is not implemented yet */
    uint32_t v4 = ipaddr_v4_be(a);
    if (prefix_len < 0 || prefix_len > 32 || v4 == 0 || ip4_is_multicast(v4) ||
        ip4_is_limited_bcast(v4))
        return -EINVAL;
    if (iface_has_addr4(ifp, v4))
        return -EEXIST;
    if (ifp->naddrs == IFACE_MAX_ADDRS)
        return -ENOSPC;
    struct iface_addr *ia = &ifp->addrs[ifp->naddrs];
    ia->addr = v4;
    ia->prefix_len = (uint8_t)prefix_len;
    ia->mask = ip4_prefix_mask(prefix_len);
    /* The connected route of the prefix, as Linux adds one (proto kernel
     * scope link). A prefix shared with an earlier address is there. */
    int err = route_add4(ifp->s, v4 & ia->mask, prefix_len, 0, ifp);
    if (err < 0 && err != -EEXIST)
        return err;
    ifp->naddrs++;
    if (ifp->kind == IFACE_ETHERNET)
        arp_announce(ifp->s, ifp, v4, ifp->s->now);
    return 0;
}

int iface_xmit(struct iface *ifp, struct buf *frame, sg_time now)
{
    struct stack *s = ifp->s;
    STAT_INC(s, LINK_TX_FRAMES);
    int err = ifp->xmit(ifp->xmit_ctx, frame, now);
    if (err < 0)
        STAT_INC(s, LINK_TX_DROP_NOBUF);
    return err;
}

bool iface_has_addr4(const struct iface *ifp, uint32_t a)
{
    for (uint32_t i = 0; i < ifp->naddrs; i++)
        if (ifp->addrs[i].addr == a)
            return true;
    return false;
}

bool iface_is_bcast4(const struct iface *ifp, uint32_t a)
{
    if (ip4_is_limited_bcast(a))
        return true;
    for (uint32_t i = 0; i < ifp->naddrs; i++) {
        const struct iface_addr *ia = &ifp->addrs[i];
        /* /31 and /32 have no broadcast address (RFC 3021). */
        if (ia->prefix_len < 31 && a == (ia->addr | ~ia->mask))
            return true;
    }
    return false;
}

uint32_t iface_src_for4(const struct iface *ifp, uint32_t dst)
{
    for (uint32_t i = 0; i < ifp->naddrs; i++) {
        const struct iface_addr *ia = &ifp->addrs[i];
        if ((dst & ia->mask) == (ia->addr & ia->mask))
            return ia->addr;
    }
    return ifp->naddrs ? ifp->addrs[0].addr : 0;
}

bool stack_has_addr4(const struct stack *s, uint32_t a)
{
    for (const struct iface *ifp = s->ifaces; ifp; ifp = ifp->next)
        if (iface_has_addr4(ifp, a))
            return true;
    return false;
}

int ip_is_local(struct stack *s, const struct ipaddr *a)
{
    if (!ipaddr_is_v4(a))
        return 0;
    uint32_t v4 = ipaddr_v4_be(a);
    if (ip4_is_limited_bcast(v4))
        return 1;
    for (const struct iface *ifp = s->ifaces; ifp; ifp = ifp->next)
        if (iface_has_addr4(ifp, v4) || iface_is_bcast4(ifp, v4))
            return 1;
    return 0;
}

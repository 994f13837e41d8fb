/* Interfaces, their addresses, the routing table, and the link layer
 * (Ethernet framing) of the network layer. Private to the core.
 *
 * An interface is one attachment of the stack to a link driver: it has a
 * kind (Ethernet, which needs ARP, or raw IP), an MTU (largest IP datagram,
 * link header not counted, as link/link.h), a MAC address for Ethernet,
 * up to IFACE_MAX_ADDRS IPv4 addresses with their prefixes, and the
 * driver's transmit callback.
 *
 * We are a host (RFC 1122), not a router: the "weak host model" of Linux
 * applies (RFC 1122 §3.3.4.2): a datagram for any of our addresses is
 * accepted on any interface, and nothing is ever forwarded.
 *
 * Routing is longest-prefix match over a small table. iface_add_addr()
 * adds the connected route of the address's prefix; route_add() adds
 * others (a default route is 0.0.0.0/0 via a gateway). Among routes with the
 * same prefix length the one added first wins.
 */
#ifndef SG_NET_IFACE_H
#define SG_NET_IFACE_H
#include <stdbool.h>
#include <stdint.h>
#include "base/buf.h"
#include "base/time.h"
#include "net/addr.h"
#include "net/arp.h"
#include "net/icmp4.h"
#include "net/ip4.h"
#include "net/ip4_reass.h"
#include "net/stack.h"
#include "wire/eth.h"

/* Interface kinds: the same values as link/link.h's enum link_kind (the
 * core does not include link headers: arrows point down only). */
enum {
    IFACE_ETHERNET = 1, /* == LINK_ETHERNET */
    IFACE_RAW_IP = 2,   /* == LINK_RAW_IP */
};

#define IFACE_MAX_ADDRS 8
#define IFACE_NAME_LEN 16

struct iface_addr {
    uint32_t addr;      /* IPv4, network order */
    uint32_t mask;      /* network order */
    uint8_t prefix_len; /* 0..32 */
};

struct iface {
    struct iface *next; /* s->ifaces list, in order of creation */
    struct stack *s;
    char name[IFACE_NAME_LEN];
    uint32_t index; /* 1, 2, ... in order of creation */
    int kind;       /* IFACE_ETHERNET or IFACE_RAW_IP */
    uint32_t mtu;   /* bytes of IP datagram, link header not counted */
    struct eth_addr mac;
    iface_xmit_fn xmit;
    void *xmit_ctx;
    uint32_t naddrs;
    struct iface_addr addrs[IFACE_MAX_ADDRS];
};

/* One route. gw == 0 means on-link: the next hop is the destination. */
struct route {
    uint32_t dst;  /* network order, already masked */
    uint32_t mask; /* network order */
    uint8_t prefix_len;
    uint32_t gw; /* network order; 0 = on-link */
    struct iface *ifp;
};

/* What route_lookup4() found for a destination. */
struct route_hop {
    struct iface *ifp;
    uint32_t nexthop; /* the gateway, or the destination itself if on-link */
    uint32_t src;     /* preferred source: an address of ifp, or 0 if it has none */
};

/* The network layer's share of struct stack (s->net). */
struct net_state {
    char name[32]; /* copy of cfg.name, which then points here */
    struct route *routes;
    uint32_t nroutes, routes_cap;
    uint32_t nifaces;
    struct arp_cache arp;
    struct ip4_state ip4;
    struct ip4_reass reass;
    struct icmp4_state icmp;
};

/* ---- interfaces (iface.c) ---- */

/* Hand a complete link frame to the interface's driver; takes `frame`.
 * Counts LINK_TX_FRAMES, or LINK_TX_DROP_NOBUF if the driver refuses it.
 * Returns the driver's result (0 or -errno). */
int iface_xmit(struct iface *ifp, struct buf *frame, sg_time now);
/* Is `a` (network order) one of ifp's addresses? */
bool iface_has_addr4(const struct iface *ifp, uint32_t a);
/* Is `a` a broadcast address on ifp: 255.255.255.255 or the directed
 * broadcast of one of its prefixes (prefixes shorter than /31 only,
 * RFC 3021)? */
bool iface_is_bcast4(const struct iface *ifp, uint32_t a);
/* ifp's address best suited as a source towards `dst`: the first one
 * whose prefix contains dst, else the first one; 0 if it has none. */
uint32_t iface_src_for4(const struct iface *ifp, uint32_t dst);
/* Is `a` an address of any interface of s? */
bool stack_has_addr4(const struct stack *s, uint32_t a);
/* Does `a` (network order) belong to the multicast range 224/4? */
static inline bool ip4_is_multicast(uint32_t a)
{
    return (((const uint8_t *)&a)[0] & 0xf0) == 0xe0;
}
static inline bool ip4_is_limited_bcast(uint32_t a)
{
    return a == 0xffffffffu;
}
static inline bool ip4_is_loopback(uint32_t a)
{
    return ((const uint8_t *)&a)[0] == 127;
}
/* Netmask for a prefix length 0..32, network order. */
uint32_t ip4_prefix_mask(int prefix_len);

/* ---- routes (route.c) ---- */

/* Longest-prefix match for dst (network order). 0 and *out filled, or
 * -ENETUNREACH. */
int route_lookup4(struct stack *s, uint32_t dst, struct route_hop *out);
/* Add a route (0 or -errno: -EINVAL bad prefix, -EEXIST same dst/prefix
 * and interface already present, -ENOMEM). */
int route_add4(struct stack *s, uint32_t dst, int prefix_len, uint32_t gw, struct iface *ifp);
void route_free_all(struct stack *s);

/* ---- Ethernet framing (eth.c) ---- */

/* A received Ethernet frame (takes it): checks the destination MAC and
 * dispatches by EtherType to arp_input or ip4_input. */
void eth_input(struct stack *s, struct iface *ifp, struct buf *frame, sg_time now);
/* Prepend an Ethernet header (src = ifp's MAC) to `b`, pad the frame to
 * ETH_MIN_FRAME, and transmit it; takes b. 0 or -errno. */
int eth_output(struct stack *s, struct iface *ifp, struct buf *b, const struct eth_addr *dst,
               uint16_t type, sg_time now);
#endif

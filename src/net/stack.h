/* The core's root object: one network stack (interfaces, routes, protocol
 * tables, timers, counters). Sans-I/O: every entry point takes `now`; output
 * leaves through each interface's xmit callback; nothing here blocks,
 * locks, sleeps or reads a clock.
 *
 * Entry points (the whole face of the core towards drivers and runtime):
 *   stack_new / stack_free
 *   stack_add_iface, iface_add_addr, route_add
 *   stack_input(stack, iface, frame, now)   one received frame
 *   stack_poll(stack, now) -> next deadline run due timers
 * Socket operations (src/sock, later) are further entry points of the same
 * kind.
 *
 * Input path (documented where it lives):
 *   stack_input -> eth_input (arp_input) -> ip4_input -> ip4_reass
 *     -> l4 handler by protocol: icmp4_input | udp_input | tcp_input
 */
#ifndef SG_NET_STACK_H
#define SG_NET_STACK_H
#include <stddef.h>
#include <stdint.h>
#include "base/buf.h"
#include "base/prng.h"
#include "base/siphash.h"
#include "base/time.h"
#include "base/timerwheel.h"
#include "net/addr.h"
#include "sigurg/counters.h"
#include "sigurg/sigurg.h"

/* Headroom every transport reserves in front of its header: Ethernet 14 +
 * IPv6 40 + room for IPv4 options/alignment. */
#define SG_HEADROOM 128

#define STAT_INC(s, c) ((s)->counters[SG_C_##c]++)
#define STAT_ADD(s, c, n) ((s)->counters[SG_C_##c] += (n))

struct stack;
struct iface;

/* What IP input tells a transport about the datagram it delivers. */
struct ip_info {
    struct ipaddr src, dst;
    uint8_t proto;
    uint8_t ttl;    /* hop limit for IPv6 */
    uint8_t tos;    /* traffic class for IPv6 */
    uint8_t family; /* AF_INET or AF_INET6 */
    uint8_t flags;  /* IPI_* */
    struct iface *ifp;
    /* The IP header as received, for quoting in ICMP errors: it lies in
     * the storage of the buf handed along (just before the transport
     * header), valid as long as that buf is. For the `quoted` argument of
     * an l4_error_fn: the quoted header inside the ICMP message. */
    const uint8_t *hdr;
    uint16_t hdr_len;
};

enum {
    IPI_BCAST = 1u << 0,      /* destination was an IP broadcast or multicast address */
    IPI_LINK_BCAST = 1u << 1, /* received as a link-layer broadcast/multicast */
};

/* A transport's input: `b` holds the transport header and payload at
 * b->data (IP header already pulled). Takes ownership of b. */
typedef void (*l4_input_fn)(struct stack *s, const struct ip_info *ip, struct buf *b, sg_time now);
/* An ICMP error about a datagram this stack sent: `inner` points at the
 * quoted transport header (at least 8 bytes). Used for ECONNREFUSED, PMTU. */
typedef void (*l4_error_fn)(struct stack *s, const struct ip_info *quoted, int type, int code,
                            uint32_t info, const uint8_t *inner, uint32_t inner_len, sg_time now);

struct l4_proto {
    l4_input_fn input;
    l4_error_fn error;
    void *state; /* the protocol's per-stack state (struct tcp_stack *, ...) */
    /* Called by stack_free (if set) to free `state`, before the network
     * layer is torn down. */
    void (*destroy)(struct stack *s);
};

/* An echo reply arrived (icmp4.h): `data`/`len` is the echo payload, `ttl`
 * the reply's IP TTL. Called from inside stack_input. */
typedef void (*echo_reply_fn)(void *ctx, const struct ipaddr *from, uint16_t id, uint16_t seq,
                              const uint8_t *data, size_t len, uint8_t ttl, sg_time now);

/* The socket layer's UDP demultiplexer (udp/udp.h). `b` holds the UDP
 * payload at b->data (header pulled, trimmed to the UDP length, checksum
 * verified). Returns
 *   0        delivered: b taken (counted UDP_IN_DATAGRAMS by udp.c)
 *   -ENOENT  no socket for (dst, dport): b NOT taken (udp.c answers with
 *            ICMP port unreachable and counts UDP_NO_PORTS)
 *   -ENOBUFS receive buffer full: b taken and freed (UDP_RCVBUF_ERRORS) */
typedef int (*udp_deliver_fn)(struct stack *s, const struct ip_info *ip, uint16_t sport,
                              uint16_t dport, struct buf *b, sg_time now);

struct stack {
    struct sg_config cfg;           /* copy, defaults filled in */
    struct prng prng;               /* every random choice of this stack */
    struct siphash_key hash_key;    /* from prng: table hashing, RFC 6528 ISNs */
    struct timerwheel timers;       /* all protocol timers */
    sg_time now;                    /* time of the current entry point call */
    uint64_t counters[SG_C__COUNT]; /* see sigurg/counters.h */
    struct l4_proto l4[256];        /* by IP protocol number */
    /* Interfaces, routes, neighbour cache, reassembly: owned by src/net,
     * see net/iface.h. */
    struct iface *ifaces;
    struct net_state *net;
    /* Hooks filled by upper layers; NULL until then. */
    echo_reply_fn on_echo_reply; /* ICMP echo replies (demo, tests) */
    void *echo_ctx;
    udp_deliver_fn udp_deliver; /* set by the socket layer */
};

struct stack *stack_new(const struct sg_config *cfg); /* NULL on OOM */
void stack_free(struct stack *s);

/* Interfaces. The xmit callback takes ownership of the frame (a driver's
 * link_xmit) and returns 0 or -errno. `kind` is LINK_ETHERNET or
 * LINK_RAW_IP (link/link.h values; IFACE_ETHERNET/IFACE_RAW_IP in
 * net/iface.h). `mtu`: the largest IP datagram, 68..65535. `mac` is
 * required for Ethernet, ignored (may be NULL) for raw IP. The interface
 * lives until stack_free. NULL on bad arguments or OOM. */
typedef int (*iface_xmit_fn)(void *ctx, struct buf *frame, sg_time now);
struct iface *stack_add_iface(struct stack *s, const char *name, int kind, uint32_t mtu,
                              const uint8_t mac[6], iface_xmit_fn xmit, void *xmit_ctx);
/* Add an IPv4 address with its prefix (0..32) and the connected route of
 * the prefix; on Ethernet, announce it with a gratuitous ARP (sent with the
 * time of the stack's last entry point call, s->now). 0, or -EAFNOSUPPORT
 * (IPv6, not yet), -EINVAL (0.0.0.0, broadcast, multicast, bad prefix),
 * -EEXIST, -ENOSPC (IFACE_MAX_ADDRS reached), -ENOMEM. */
int iface_add_addr(struct iface *ifp, const struct ipaddr *a, int prefix_len);
/* Route dst/prefix via gw (NULL or any = on-link) out of ifp. 0, or
 * -EAFNOSUPPORT, -EINVAL, -EEXIST (the same route is there), -ENOMEM. */
int route_add(struct stack *s, const struct ipaddr *dst, int prefix_len, const struct ipaddr *gw,
              struct iface *ifp);

/* One received frame (takes it); frames that fail validation are counted
 * and freed. */
void stack_input(struct stack *s, struct iface *ifp, struct buf *frame, sg_time now);
/* Deliver what waits on the loopback queue, run due timers; returns the
 * next deadline: `now` while loopback datagrams wait, else the next timer
 * (SG_TIME_NEVER if none). */
sg_time stack_poll(struct stack *s, sg_time now);

/* IP output for transports: `b` holds the transport header + payload at
 * b->data with at least SG_HEADROOM bytes of headroom. Chooses the route
 * (and the source if `src` is NULL or any), adds IP (and link) headers,
 * fragments if needed and allowed, and transmits (on Ethernet through ARP:
 * a datagram waiting for resolution counts as sent). Takes b in every case.
 *   ttl 0: cfg.ip_default_ttl.
 *   DF is set for TCP (RFC 1191 path MTU discovery; a TCP datagram above
 *   the MTU is -EMSGSIZE) and clear for everything else, which is
 *   fragmented to the interface MTU (see net/ip4.c for why).
 *   BUF_CSUM_PARTIAL: left for the link, except when the datagram is
 *   fragmented: then the UDP checksum is completed here first.
 * A datagram to one of our own addresses is queued and delivered to our
 * own input by the next stack_poll (Linux's loopback route, net/ip4.h).
 * Returns 0 or -errno: -ENETUNREACH no route; -EMSGSIZE too big;
 * -ENOBUFS no memory, ARP cache full or the driver refused;
 * -EAFNOSUPPORT IPv6 (not yet). */
int ip_output(struct stack *s, const struct ipaddr *src, const struct ipaddr *dst, uint8_t proto,
              uint8_t ttl, uint8_t tos, struct buf *b, sg_time now);
/* The source address and MTU a datagram to dst would use (route lookup
 * only; for one of our own addresses: that address and 65535). 0 or
 * -ENETUNREACH. */
int ip_route_lookup(struct stack *s, const struct ipaddr *dst, struct ipaddr *src_out,
                    uint32_t *mtu_out);
/* Is `a` one of this stack's addresses (or a broadcast it accepts)? */
int ip_is_local(struct stack *s, const struct ipaddr *a);
#endif

/* ARP (RFC 826): the IPv4 neighbour cache of Ethernet interfaces.
 *
 * Entries are keyed by (interface, IPv4 address) and go through three
 * states, a simplification of Linux's NUD machine:
 *
 *   INCOMPLETE  resolving: a broadcast request was sent; datagrams to the
 *               neighbour wait in the entry (at most ARP_QUEUE_LEN, the
 *               oldest dropped first, as Linux's unres_qlen). A request is
 *               re-sent every ARP_RETRANS_TIME; after ARP_MAX_PROBES requests
 *               without an answer the queued datagrams are dropped (each
 *               counted ARP_RESOLVE_FAIL) and the entry deleted.
 *   REACHABLE   the MAC address was confirmed less than ARP_REACHABLE_TIME ago;
 *               used as is. Then it becomes STALE.
 *   STALE       the address is still used, but a use sends a unicast
 *               request to refresh it (at most one per ARP_RETRANS_TIME); after
 *               ARP_MAX_PROBES refreshes without answer the entry is deleted
 *               (the next datagram resolves afresh by broadcast), like
 *               Linux's DELAY/PROBE/FAILED. A STALE entry unused for
 *               ARP_GC_STALE_TIME is deleted.
 *
 * Learning follows RFC 826's "Packet Reception": an entry for the sender
 * is updated if present (merge); if the request or reply is for one of our
 * addresses and nothing was merged, an entry is created (STALE, as Linux
 * does: a request is no proof of two-way reachability); requests for our
 * addresses are answered. Replies and unicast requests confirm (REACHABLE);
 * broadcast requests that change nothing leave the state alone.
 *
 * Timers run on s->timers (one per entry). The cache holds at most
 * ARP_MAX_ENTRIES; a new entry then replaces the least recently used STALE
 * one, or fails.
 */
#ifndef SG_NET_ARP_H
#define SG_NET_ARP_H
#include <stdint.h>
#include "base/buf.h"
#include "base/hmap.h"
#include "base/time.h"

struct stack;
struct iface;
struct eth_addr;

#define ARP_QUEUE_LEN 3               /* datagrams held per unresolved neighbour */
#define ARP_MAX_PROBES 3              /* requests before giving up */
#define ARP_RETRANS_TIME SG_SEC(1)    /* between requests (Linux retrans_time) */
#define ARP_REACHABLE_TIME SG_SEC(30) /* Linux base_reachable_time */
#define ARP_GC_STALE_TIME SG_SEC(60)  /* Linux gc_stale_time */
#define ARP_MAX_ENTRIES 512

enum arp_state {
    ARP_NONE = 0, /* no entry (arp_lookup only) */
    ARP_INCOMPLETE,
    ARP_REACHABLE,
    ARP_STALE,
};

struct arp_cache {
    struct hmap map; /* struct arp_entry by hash of (ifindex, ip) */
    uint32_t count;
};

int arp_init(struct stack *s); /* 0 or -ENOMEM */
/* Free every entry and the datagrams queued in them (not counted). */
void arp_free(struct stack *s);

/* A received ARP packet at b->data (Ethernet header pulled); takes b. */
void arp_input(struct stack *s, struct iface *ifp, struct buf *b, int link_bcast, sg_time now);

/* Send the IPv4 datagram `b` (IP header at b->data) to `nexthop` (network
 * order) on Ethernet interface ifp: at once if the neighbour is known
 * (broadcast and multicast destinations map to their MAC without ARP),
 * else queued while resolving. Takes b. Returns 0 if sent or queued,
 * -ENOBUFS if the cache is full, or the driver's -errno. */
int arp_output(struct stack *s, struct iface *ifp, uint32_t nexthop, struct buf *b, sg_time now);

/* Broadcast a gratuitous ARP request for `addr` (sender = target = addr),
 * announcing it and updating neighbours' caches (RFC 5227 §3). */
void arp_announce(struct stack *s, struct iface *ifp, uint32_t addr, sg_time now);

/* The state of the entry for (ifp, ip), and its MAC if mac_out is not NULL
 * and the state is REACHABLE or STALE. For tests and diagnostics. */
enum arp_state arp_lookup(struct stack *s, const struct iface *ifp, uint32_t ip,
                          struct eth_addr *mac_out);
#endif

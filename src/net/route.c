/* The routing table: longest-prefix match over a short array (net/iface.h).
 * A host has a handful of routes (connected prefixes and a default), so a
 * linear scan beats any tree here; the array keeps insertion order, which
 * breaks ties between equal prefixes (first added wins). */
#include <errno.h>
#include <stdlib.h>

#include "net/iface.h"

int route_add4(struct stack *s, uint32_t dst, int prefix_len, uint32_t gw, struct iface *ifp)
{
    struct net_state *n = s->net;
    if (prefix_len < 0 || prefix_len > 32 || !ifp)
        return -EINVAL;
    uint32_t mask = ip4_prefix_mask(prefix_len);
    for (uint32_t i = 0; i < n->nroutes; i++) {
        const struct route *r = &n->routes[i];
        if (r->dst == (dst & mask) && r->prefix_len == prefix_len && r->ifp == ifp && r->gw == gw)
            return -EEXIST;
    }
    if (n->nroutes == n->routes_cap) {
        uint32_t cap = n->routes_cap ? 2 * n->routes_cap : 8;
        struct route *v = realloc(n->routes, cap * sizeof(*v));
        if (!v)
            return -ENOMEM;
        n->routes = v;
        n->routes_cap = cap;
    }
    n->routes[n->nroutes++] = (struct route){
        .dst = dst & mask, .mask = mask, .prefix_len = (uint8_t)prefix_len, .gw = gw, .ifp = ifp};
    return 0;
}

int route_add(struct stack *s, const struct ipaddr *dst, int prefix_len, const struct ipaddr *gw,
              struct iface *ifp)
{
    if (!ipaddr_is_v4(dst) || (gw && !ipaddr_is_any(gw) && !ipaddr_is_v4(gw)))
        return -EAFNOSUPPORT;
    uint32_t g = gw && !ipaddr_is_any(gw) ? ipaddr_v4_be(gw) : 0;
    return route_add4(s, ipaddr_v4_be(dst), prefix_len, g, ifp);
}

int route_lookup4(struct stack *s, uint32_t dst, struct route_hop *out)
{
    const struct net_state *n = s->net;
    const struct route *best = NULL;
    for (uint32_t i = 0; i < n->nroutes; i++) {
        const struct route *r = &n->routes[i];
        if ((dst & r->mask) == r->dst && (!best || r->prefix_len > best->prefix_len))
            best = r;
    }
    if (!best)
        return -ENETUNREACH;
    out->ifp = best->ifp;
    out->nexthop = best->gw ? best->gw : dst;
    /* RFC 1122 §3.3.4.3: the source is an address of the outgoing
     * interface; prefer one on the next hop's subnet (Linux picks the
     * primary address of the matching prefix). */
    out->src = iface_src_for4(best->ifp, out->nexthop);
    return 0;
}

int ip_route_lookup(struct stack *s, const struct ipaddr *dst, struct ipaddr *src_out,
                    uint32_t *mtu_out)
{
    struct route_hop hop;
    if (!ipaddr_is_v4(dst))
        return -ENETUNREACH;
    if (stack_has_addr4(s, ipaddr_v4_be(dst))) {
        /* The loopback route (net/ip4.h): the address itself as source,
         * lo's MTU (65536 on Linux, capped by the IPv4 total length). */
        if (src_out)
            *src_out = *dst;
        if (mtu_out)
            *mtu_out = 65535;
        return 0;
    }
    if (route_lookup4(s, ipaddr_v4_be(dst), &hop) < 0)
        return -ENETUNREACH;
    if (src_out)
        *src_out = ipaddr_v4(hop.src);
    if (mtu_out)
        *mtu_out = hop.ifp->mtu;
    return 0;
}

void route_free_all(struct stack *s)
{
    free(s->net->routes);
    s->net->routes = NULL;
    s->net->nroutes = s->net->routes_cap = 0;
}

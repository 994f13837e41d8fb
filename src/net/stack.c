/* The stack root: creation, teardown and the two entry points drivers
 * call (net/stack.h). Input dispatch by interface kind:
 *   stack_input -> eth_input (Ethernet) | ip4_input (raw IP) */
#include <netinet/in.h> /* IPPROTO_TCP */
#include <stdlib.h>
#include <string.h>

#include "net/iface.h"
#include "tcp/tcp.h"
#include "udp/udp.h"

struct stack *stack_new(const struct sg_config *cfg)
{
    struct stack *s = calloc(1, sizeof(*s));
    if (!s)
        return NULL;
    s->net = calloc(1, sizeof(*s->net));
    if (!s->net) {
        free(s);
        return NULL;
    }
    if (cfg)
        s->cfg = *cfg;
    sg_config_defaults(&s->cfg);
    /* The name may live in the caller's memory: keep a copy. */
    strncpy(s->net->name, s->cfg.name, sizeof(s->net->name) - 1);
    s->cfg.name = s->net->name;

    prng_seed(&s->prng, s->cfg.seed);
    s->hash_key.k0 = prng_next(&s->prng);
    s->hash_key.k1 = prng_next(&s->prng);
    tw_init(&s->timers, 0, SG_MS(1));
    if (arp_init(s) < 0) {
        free(s->net);
        free(s);
        return NULL;
    }
    ip4_init(s);
    ip4_reass_init(s);
    icmp4_init(s);
    udp_init(s);
    /* Every stack speaks TCP, sockets or not: a SYN to a closed port must
     * get a RST, not ICMP protocol unreachable. tcp_attach is idempotent,
     * so the later calls (socket layer, runtime) are harmless. */
    tcp_attach(s);
    if (!s->l4[IPPROTO_TCP].state) {
        stack_free(s);
        return NULL;
    }
    return s;
}

void stack_free(struct stack *s)
{
    if (!s)
        return;
    for (int p = 0; p < 256; p++)
        if (s->l4[p].destroy)
            s->l4[p].destroy(s);
    ip4_loop_free(s); /* after the transports, whose teardown may still send */
    ip4_reass_free(s);
    arp_free(s);
    route_free_all(s);
    for (struct iface *ifp = s->ifaces, *next; ifp; ifp = next) {
        next = ifp->next;
        free(ifp);
    }
    free(s->net);
    free(s);
}

void stack_input(struct stack *s, struct iface *ifp, struct buf *frame, sg_time now)
{
    if (!frame)
        return;
    s->now = now;
    STAT_INC(s, LINK_RX_FRAMES);
    if (ifp->kind == IFACE_ETHERNET)
        eth_input(s, ifp, frame, now);
    else
        ip4_input(s, ifp, frame, 0, now); /* IPv6 on raw IP: not yet (IP_IN_HDR_ERRORS) */
}

sg_time stack_poll(struct stack *s, sg_time now)
{
    s->now = now;
    ip4_loop_run(s, now);
    tw_advance(&s->timers, now);
    /* What the loopback delivery queued (a SYN's SYN-ACK...) is due now. */
    if (ip4_loop_pending(s))
        return now;
    return tw_next_deadline(&s->timers);
}

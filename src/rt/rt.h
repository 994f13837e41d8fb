/* The runtime's private view of the public opaque types.
 *
 * `sg_stack` (sigurg.h) is the handle users hold: the core stack plus what
 * the runtime needs to drive it -- its interfaces paired with the link
 * endpoints they transmit on, and the world it lives in. The threaded
 * runtime will add its lock, service thread and descriptor table here.
 */
#ifndef SG_RT_RT_H
#define SG_RT_RT_H
#include <stdint.h>
#include "base/time.h"
#include "link/link.h"
#include "net/stack.h"
#include "sigurg/sigurg.h"
#include "sigurg/sim.h"

/* One interface of a stack and the link endpoint it sends and receives
 * on (the outermost wrapper). The link belongs to the world, not here. */
struct rt_iface {
    struct iface *ifp;
    struct link *link;
};

struct sg_stack {
    struct stack *core;
    struct sg_world *world; /* NULL once the threaded runtime exists */
    uint32_t index;         /* creation order in the world */
    struct rt_iface *ifaces;
    uint32_t nifaces, ifaces_cap;
    /* When stack_poll must next run: its last answer, or 0 ("at the next
     * step") after anything outside a step may have armed a timer. */
    sg_time deadline;
    sg_ping_handler ping_fn;
    void *ping_ctx;
    /* runtime (threads, locks) */
    struct rt_stack *rt; /* rt/rt_sock.h: lock, sockets, service thread;
                            NULL for a world stack until its first socket */
};

/* Something outside a world step touched the stack (an API call): poll it
 * at the next step, whatever its last deadline said. */
static inline void rt_stack_touched(struct sg_stack *st)
{
    st->deadline = 0;
}
/* The clock a stack lives by: its world's virtual time (world.c). */
sg_time rt_stack_now(const struct sg_stack *st);
/* Appended for rt/testlink_api.c (world.c): make a link built elsewhere
 * one of st's world's links. `near` (wrapped in cfg's impairment, seeded
 * like sg_world_connect's, and pcap capture) becomes st's next interface
 * with address cidr; `far`, the other end, is attached to no stack: the
 * world only asks its next_event and destroys it with the world. Returns
 * the link's index, or -1 and errno: EINVAL (st not a world's stack, bad
 * cidr), ENOMEM, the capture file's errno -- both ends destroyed then --
 * or, from adding the address, EEXIST/ENOSPC/ENOMEM with the link
 * already the world's (free the world). cfg NULL: no impairment or
 * capture; cfg->kind and cfg->mtu are not looked at (the ends have them). */
int rt_world_add_link(sg_stack *st, const char *cidr, struct link *near, struct link *far,
                      const struct sg_link_config *cfg);
/* "a.b.c.d/len" -> address and prefix length (rt/cidr.c). 0, or -1 if
 * malformed. */
int rt_parse_cidr4(const char *cidr, struct ipaddr *out, int *plen);

/* Wrap `near` as the public constructors do (rt/linkwrap.c): the
 * impairment layer of cfg->impair (seeded with seed) when any impairment
 * is set or when `impair` is non-NULL (it then receives that layer, for
 * its counters), then pcap capture if cfg->pcap_path. Returns the
 * outermost link, or NULL and errno with `near` destroyed. */
struct link *rt_wrap_link(struct link *near, const struct sg_link_config *cfg, uint64_t seed,
                          struct link **impair);

#endif

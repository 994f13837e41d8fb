/* Wrapping a link the way every public constructor does (sg_world_connect,
 * sg_link_pair, sg_testlink_attach): the impairment layer, then pcap
 * capture, both on the near end. */
#include <errno.h>
#include <string.h>

#include "rt/rt.h"

struct link *rt_wrap_link(struct link *near, const struct sg_link_config *cfg, uint64_t seed,
                          struct link **impair)
{
    static const struct sg_impair none;
    const struct sg_impair *p = &cfg->impair;
    struct link *outer = near;
    if (impair)
        *impair = NULL;
    /* A caller that reports impairment counters gets the layer even on a
     * perfect link, where it only counts (impair.c's pass-through). */
    if (impair || memcmp(p, &none, sizeof(none)) != 0) {
        struct link_impair imp = {
            .loss = p->loss,
            .duplicate = p->duplicate,
            .reorder = p->reorder,
            .reorder_depth = p->reorder_depth,
            .delay = p->delay_ns,
            .jitter = p->jitter_ns,
            .corrupt = p->corrupt,
            .rate_bps = p->rate_bps,
            .mtu = p->mtu,
            .queue_limit = p->queue_limit,
        };
        outer = link_impair_wrap(near, &imp, seed ? seed : 1);
        if (!outer) {
            link_destroy(near);
            errno = ENOMEM;
            return NULL;
        }
        if (impair)
            *impair = outer;
    }
    if (cfg->pcap_path) {
        struct link *lp = link_pcap_wrap(outer, cfg->pcap_path);
        if (!lp) {
            int e = errno;
            link_destroy(outer); /* and near inside it */
            errno = e;
            return NULL;
        }
        outer = lp;
    }
    return outer;
}

/* Stack configuration defaults and counter names (include/sigurg/sigurg.h,
 * include/sigurg/counters.h). Each default is the Linux value the header
 * names beside the field. */
#include "sigurg/counters.h"
#include "sigurg/sigurg.h"

#define CFG_DEFAULT(field, value)                                                                  \
    do {                                                                                           \
        if (!cfg->field)                                                                           \
            cfg->field = (value);                                                                  \
    } while (0)

SG_API void sg_config_defaults(struct sg_config *cfg)
{
    CFG_DEFAULT(name, "sg");
    /* seed: 0 stays 0; choosing one from the OS is the runtime's job. */
    CFG_DEFAULT(tcp_rmem, 131072);
    CFG_DEFAULT(tcp_wmem, 16384);
    CFG_DEFAULT(tcp_rmem_max, 6291456);
    CFG_DEFAULT(tcp_wmem_max, 4194304);
    CFG_DEFAULT(msl_ms, 30000);
    /* cc: SG_CC_CUBIC is 0, the default already. */
    CFG_DEFAULT(initial_cwnd, 10);
    CFG_DEFAULT(rto_min_ms, 200);
    CFG_DEFAULT(rto_max_ms, 120000);
    CFG_DEFAULT(rto_initial_ms, 1000);
    CFG_DEFAULT(syn_retries, 6);
    CFG_DEFAULT(retries2, 15);
    CFG_DEFAULT(delack_min_ms, 40);
    CFG_DEFAULT(somaxconn, 4096);
    CFG_DEFAULT(ip_default_ttl, 64);
    CFG_DEFAULT(icmp_msgs_per_sec, 1000);
    CFG_DEFAULT(ip_reasm_timeout_ms, 30000);
    CFG_DEFAULT(ip_reasm_max_bytes, 4u << 20);
}

static const char *const counter_names[] = {
#define SG_COUNTER_NAME(e, n, d) n,
    SG_COUNTERS(SG_COUNTER_NAME)
#undef SG_COUNTER_NAME
};

static const char *const counter_descs[] = {
#define SG_COUNTER_DESC(e, n, d) d,
    SG_COUNTERS(SG_COUNTER_DESC)
#undef SG_COUNTER_DESC
};

SG_API const char *sg_counter_name(enum sg_counter c)
{
    return (unsigned)c < SG_C__COUNT ? counter_names[c] : NULL;
}

SG_API const char *sg_counter_desc(enum sg_counter c)
{
    return (unsigned)c < SG_C__COUNT ? counter_descs[c] : NULL;
}

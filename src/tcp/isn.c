/* RFC 6528 initial sequence numbers and RFC 7323 timestamp offsets. See
 * isn.h. */
#include "tcp/isn.h"

#include <string.h>

/* Domain separation: the ISN and the timestamp offset hash different
 * inputs under the same key, tagged so one can never equal the other by
 * construction. */
enum { ISN_TAG_SEQ = 1, ISN_TAG_TS = 2 };

uint32_t isn_generate(const struct siphash_key *key, const struct ipaddr *laddr, uint16_t lport,
                      const struct ipaddr *raddr, uint16_t rport, sg_time now)
{
    /* F(localip, localport, remoteip, remoteport, secretkey), RFC 6528 §3. */
    uint8_t msg[1 + 16 + 16 + 2 + 2];
    msg[0] = ISN_TAG_SEQ;
    memcpy(&msg[1], laddr->b, 16);
    memcpy(&msg[17], raddr->b, 16);
    msg[33] = (uint8_t)(lport >> 8);
    msg[34] = (uint8_t)lport;
    msg[35] = (uint8_t)(rport >> 8);
    msg[36] = (uint8_t)rport;
    uint32_t f = (uint32_t)siphash24(key, msg, sizeof msg);
    /* M: a timer ticking every 4 us (RFC 9293 §3.4.1), modulo 2^32. */
    uint32_t m = (uint32_t)(now / ISN_TICK);
    return m + f;
}

uint32_t isn_ts_offset(const struct siphash_key *key, const struct ipaddr *laddr,
                       const struct ipaddr *raddr)
{
    uint8_t msg[1 + 16 + 16];
    msg[0] = ISN_TAG_TS;
    memcpy(&msg[1], laddr->b, 16);
    memcpy(&msg[17], raddr->b, 16);
    return (uint32_t)siphash24(key, msg, sizeof msg);
}

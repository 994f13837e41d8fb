/* The pre-socket ping facility (sigurg/sim.h: sg_ping_send,
 * sg_ping_set_handler): a thin veneer over the core's ICMP echo API
 * (net/icmp4.h) that speaks text addresses and the -1/errno convention.
 * Ping sockets (SOCK_DGRAM, IPPROTO_ICMP) will replace it.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "net/icmp4.h"
#include "net/stack.h"
#include "rt/rt.h"
#include "sigurg/sim.h"

#define PING_MAX_PAYLOAD 65507 /* 65535 - IPv4 20 - ICMP 8 */
#define PING_STAMP_LEN 8

int sg_ping_send(sg_stack *s, const char *dst, uint16_t id, uint16_t seq, size_t payload_len)
{
    uint32_t be;
    if (!dst || inet_pton(AF_INET, dst, &be) != 1) {
        errno = EINVAL;
        return -1;
    }
    if (payload_len > PING_MAX_PAYLOAD) {
        errno = EMSGSIZE;
        return -1;
    }
    uint8_t *payload = malloc(payload_len ? payload_len : 1);
    if (!payload) {
        errno = ENOMEM;
        return -1;
    }
    /* As ping(8): a timestamp first (here the virtual send time, big
     * endian), then bytes counting up from 8 (its default pattern). */
    sg_time now = rt_stack_now(s);
    for (size_t i = 0; i < payload_len; i++)
        payload[i] = i < PING_STAMP_LEN ? (uint8_t)(now >> (56 - 8 * i)) : (uint8_t)i;
    struct ipaddr a = ipaddr_v4(be);
    int err = icmp4_echo_send(s->core, &a, id, seq, payload, payload_len, now);
    free(payload);
    rt_stack_touched(s); /* ARP may have armed a timer */
    if (err < 0) {
        errno = -err;
        return -1;
    }
    return 0;
}

static void ping_on_reply(void *ctx, const struct ipaddr *from, uint16_t id, uint16_t seq,
                          const uint8_t *data, size_t len, uint8_t ttl, sg_time now)
{
    sg_stack *s = ctx;
    char text[INET6_ADDRSTRLEN];
    if (ipaddr_is_v4(from)) {
        uint32_t be = ipaddr_v4_be(from);
        inet_ntop(AF_INET, &be, text, sizeof(text));
    } else {
        inet_ntop(AF_INET6, from->b, text, sizeof(text));
    }
    if (s->ping_fn)
        s->ping_fn(s->ping_ctx, text, id, seq, len, ttl, now);
}

void sg_ping_set_handler(sg_stack *s, sg_ping_handler fn, void *ctx)
{
    s->ping_fn = fn;
    s->ping_ctx = ctx;
    s->core->on_echo_reply = fn ? ping_on_reply : NULL;
    s->core->echo_ctx = fn ? s : NULL;
}

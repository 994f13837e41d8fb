/* IP addresses inside the core: one 16-byte form for both families.
 * IPv4 is kept as the IPv4-mapped IPv6 address ::ffff:a.b.c.d (RFC 4291
 * §2.5.5.2), which makes 4-tuples, hashing and dual-stack sockets one code
 * path. Bytes are in network order. */
#ifndef SG_NET_ADDR_H
#define SG_NET_ADDR_H
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

struct ipaddr {
    uint8_t b[16];
};

static inline struct ipaddr ipaddr_v4(uint32_t be_addr) /* network-order IPv4 */
{
    struct ipaddr a = {{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff}};
    memcpy(&a.b[12], &be_addr, 4);
    return a;
}
static inline bool ipaddr_is_v4(const struct ipaddr *a)
{
    static const uint8_t pfx[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    return memcmp(a->b, pfx, 12) == 0;
}
static inline uint32_t ipaddr_v4_be(const struct ipaddr *a) /* network order */
{
    uint32_t v;
    memcpy(&v, &a->b[12], 4);
    return v;
}
static inline bool ipaddr_eq(const struct ipaddr *a, const struct ipaddr *b)
{
    return memcmp(a->b, b->b, 16) == 0;
}
static inline bool ipaddr_is_any(const struct ipaddr *a) /* :: or 0.0.0.0 (mapped) */
{
    static const uint8_t z[16];
    return memcmp(a->b, z, 16) == 0 || (ipaddr_is_v4(a) && ipaddr_v4_be(a) == 0);
}
#endif

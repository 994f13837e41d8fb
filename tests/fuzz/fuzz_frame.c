/* libFuzzer target: received frames into a stack.
 *
 * The stack has one Ethernet interface (10.0.0.1/24, MAC 02:00:00:00:00:01,
 * default route via 10.0.0.254) and one raw-IP interface (10.1.0.1/24).
 * The input's first byte chooses how the rest is read:
 *   bit 1 clear: the rest is one frame, for the raw-IP interface if bit 0
 *     is set, else for the Ethernet one;
 *   bit 1 set: the rest is a sequence of records [iface:1][len:2 BE][bytes]
 *     (iface bit 0 as above), fed 1 ms apart, so that state built by one
 *     frame (ARP entries, reassembly queues) meets the next.
 * Then stack_poll runs at later times that cross every timer the network
 * layer has (ARP retransmit, reachability, GC; reassembly timeout).
 *
 * Oracle besides the sanitizers: every frame the stack transmits must be
 * well formed (Ethernet header, and for IPv4 a header that ip4_parse
 * accepts with a total length equal to the frame's). A stack that emits
 * garbage traps.
 *
 * The same entry point runs in every build as the fuzz_replay test over
 * tests/fuzz/corpus and tests/fuzz/regressions (fuzz_replay.c). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "net/iface.h"
#include "net/stack.h"
#include "wire/eth.h"
#include "wire/ip4.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fuzz_check_ip(const uint8_t *p, size_t len)
{
    struct ip4_repr r;
    int n = ip4_parse(p, len, &r);
    if (n < 0 || (size_t)n != len)
        __builtin_trap();
}

static int fuzz_xmit(void *ctx, struct buf *f, sg_time now)
{
    (void)now;
    int kind = *(const int *)ctx;
    if (kind == IFACE_ETHERNET) {
        struct eth_repr e;
        if (eth_parse(f->data, f->len, &e) < 0)
            __builtin_trap();
        if (e.type == ETH_TYPE_IP4)
            fuzz_check_ip(f->data + ETH_HDR_LEN, f->len - ETH_HDR_LEN);
    } else {
        fuzz_check_ip(f->data, f->len);
    }
    buf_free(f);
    return 0;
}

static struct ipaddr fuzz_v4(uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
    const uint8_t x[4] = {a, b, c, d};
    uint32_t v;
    memcpy(&v, x, 4);
    return ipaddr_v4(v);
}

static void fuzz_feed(struct stack *s, struct iface *ifp, const uint8_t *p, size_t n, sg_time now)
{
    struct buf *b = buf_from(SG_HEADROOM, p, n);
    if (b)
        stack_input(s, ifp, b, now);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const int eth_kind = IFACE_ETHERNET, raw_kind = IFACE_RAW_IP;
    static const uint8_t mac[6] = {0x02, 0, 0, 0, 0, 0x01};
    if (size < 1)
        return 0;
    struct sg_config cfg = {.seed = 1};
    struct stack *s = stack_new(&cfg);
    if (!s)
        return 0;
    struct iface *eth =
        stack_add_iface(s, "eth0", IFACE_ETHERNET, 1500, mac, fuzz_xmit, (void *)&eth_kind);
    struct iface *raw =
        stack_add_iface(s, "tun0", IFACE_RAW_IP, 1500, NULL, fuzz_xmit, (void *)&raw_kind);
    struct ipaddr a = fuzz_v4(10, 0, 0, 1), r = fuzz_v4(10, 1, 0, 1);
    struct ipaddr any = fuzz_v4(0, 0, 0, 0), gw = fuzz_v4(10, 0, 0, 254);
    iface_add_addr(eth, &a, 24);
    iface_add_addr(raw, &r, 24);
    route_add(s, &any, 0, &gw, eth);

    sg_time now = SG_SEC(1);
    const uint8_t mode = data[0];
    data++;
    size--;
    if (!(mode & 2)) {
        fuzz_feed(s, mode & 1 ? raw : eth, data, size, now);
    } else {
        while (size >= 3) {
            struct iface *ifp = data[0] & 1 ? raw : eth;
            size_t n = (size_t)data[1] << 8 | data[2];
            data += 3;
            size -= 3;
            if (n > size)
                n = size;
            fuzz_feed(s, ifp, data, n, now);
            data += n;
            size -= n;
            now += SG_MS(1);
            stack_poll(s, now);
        }
    }
    static const sg_time later[] = {SG_MS(1),   SG_MS(1001), SG_MS(2002), SG_MS(3003),
                                    SG_SEC(31), SG_SEC(35),  SG_SEC(95),  SG_SEC(200)};
    for (size_t i = 0; i < sizeof(later) / sizeof(later[0]); i++)
        stack_poll(s, now + later[i]);
    stack_free(s);
    return 0;
}

/* Test vectors: ARP request and reply (RFC 826).
 *
 * Real frames, captured with tcpdump (-s 0) on veth0 in a network namespace
 * set up for the purpose and deleted afterwards, on Linux 6.18.44-fc-v769:
 *   netns wt1 [veth1 10.9.0.2, 02:00:5e:00:00:02]
 *     -- netns wt0 [veth0 10.9.0.1, 02:00:5e:00:00:01; forwarding on;
 *                   veth2a 10.9.1.1, MTU 1280]
 *     -- netns wt2 [veth2b 10.9.1.2, MTU 1280]
 * with `ethtool -K <dev> tx off tso off gso off gro off` on every veth, so
 * checksums are complete (no offload leaving partial sums) and segments are
 * as sent. Traffic came from small Python programs using kernel sockets
 * (ping sockets, UDP and TCP sockets), except where a frame says it was
 * built by hand; tshark 4.0.17 verified every IP/TCP/UDP checksum as good.
 * Frames are whole Ethernet frames, without FCS; veth does not pad, so
 * short frames are shorter than 60 bytes.
 *
 * wt0 sent a ping (ping socket) to 10.9.0.2 with an empty neighbour table.
 */
#ifndef SG_TEST_VECTORS_ARP_H
#define SG_TEST_VECTORS_ARP_H
#include <stdint.h>

/* Linux's ARP request from wt0, broadcast.
 *
 * frame 1, as tshark summarises it: Who has 10.9.0.2? Tell 10.9.0.1 */
__attribute__((unused)) static const uint8_t vec_arp_request[42] = {
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0x00, 0x5e, 0x00, 0x00, 0x01, 0x08, 0x06,
    0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x01, 0x02, 0x00, 0x5e, 0x00, 0x00, 0x01,
    0x0a, 0x09, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0a, 0x09, 0x00, 0x02,
};

/* Linux's ARP reply from wt1.
 *
 * frame 2, as tshark summarises it: 10.9.0.2 is at 02:00:5e:00:00:02 */
__attribute__((unused)) static const uint8_t vec_arp_reply[42] = {
    0x02, 0x00, 0x5e, 0x00, 0x00, 0x01, 0x02, 0x00, 0x5e, 0x00, 0x00, 0x02, 0x08, 0x06,
    0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x02, 0x02, 0x00, 0x5e, 0x00, 0x00, 0x02,
    0x0a, 0x09, 0x00, 0x02, 0x02, 0x00, 0x5e, 0x00, 0x00, 0x01, 0x0a, 0x09, 0x00, 0x01,
};
#endif

/* Test vectors: UDP (RFC 768).
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
 * A UDP socket in wt1 bound to 10.9.0.2:40000 sent "sigurg udp vector\n" to
 * a UDP socket listening on 10.9.0.1:7777 in wt0.
 */
#ifndef SG_TEST_VECTORS_UDP_H
#define SG_TEST_VECTORS_UDP_H
#include <stdint.h>

/* UDP datagram built by wt1's kernel, 18-byte payload.
 *
 * frame 7, as tshark summarises it: 40000 -> 7777 Len=18 */
__attribute__((unused)) static const uint8_t vec_udp[60] = {
    0x02, 0x00, 0x5e, 0x00, 0x00, 0x01, 0x02, 0x00, 0x5e, 0x00, 0x00, 0x02, 0x08, 0x00, 0x45,
    0x00, 0x00, 0x2e, 0x16, 0x83, 0x40, 0x00, 0x40, 0x11, 0x10, 0x28, 0x0a, 0x09, 0x00, 0x02,
    0x0a, 0x09, 0x00, 0x01, 0x9c, 0x40, 0x1e, 0x61, 0x00, 0x1a, 0xf2, 0x84, 0x73, 0x69, 0x67,
    0x75, 0x72, 0x67, 0x20, 0x75, 0x64, 0x70, 0x20, 0x76, 0x65, 0x63, 0x74, 0x6f, 0x72, 0x0a,
};
#endif

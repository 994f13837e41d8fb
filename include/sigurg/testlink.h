/* sigurg test link: an interface whose far end is your program.
 *
 * sg_testlink_attach() gives a stack a new interface on a link with
 * nobody else on it: every frame the stack sends there is kept for you to
 * take with sg_testlink_capture(), and every frame you hand to
 * sg_testlink_inject() is received by the stack as if it came off the
 * wire. So a test (or a tool) can play any peer by hand -- a TCP
 * implementation with odd urgent pointers, an ICMP sender, a broken ARP
 * responder -- frame by frame:
 *
 *     sg_world *w = sg_world_new(1);
 *     sg_stack *s = sg_world_add_stack(w, NULL);
 *     struct sg_link_config lc = {.kind = SG_LINK_RAW_IP};
 *     sg_testlink *t = sg_testlink_attach(s, "10.0.0.1/24", &lc);
 *     sg_testlink_inject(t, echo_request, len);      // from 10.0.0.2
 *     sg_testlink_wait(t, 1000000000);               // steps the world
 *     ssize_t n = sg_testlink_capture(t, buf, sizeof buf);  // the reply
 *
 * Frames. For SG_LINK_RAW_IP a frame is a bare IPv4 packet (as a TUN
 * device with IFF_NO_PI gives them); for SG_LINK_ETHERNET it starts with
 * the 14-byte Ethernet header, the stack's MAC is sg_testlink_mac(), and
 * the stack resolves your addresses with ARP like on any Ethernet: answer
 * the requests you capture (or send a gratuitous ARP first). Captured
 * frames carry complete, correct checksums; injected ones are verified by
 * the stack like any received frame (a bad checksum is dropped and
 * counted). A frame's IP packet may be at most the link MTU long.
 *
 * Stacks and time.
 *  - World stacks (sim.h): the link is one of the world's (it gets the
 *    next link index: sg_world_impair_stats works on it); injected frames
 *    are received at the next world step, at the world's current time.
 *    Time advances only through sg_world_* -- or sg_testlink_wait(),
 *    which steps the world for you until the stack has sent something.
 *    Everything stays deterministic: same seed, same calls, same frames.
 *  - Threaded stacks (sg_stack_new + sg_stack_start): inject and capture
 *    may be called from any thread while the service thread runs; an
 *    injected frame wakes it. sg_testlink_wait() blocks (monotonic clock)
 *    until a frame is captured. Use one thread at a time per direction.
 *  - Caller-driven stacks (sg_stack_new, not started): injecting makes
 *    sg_stack_wait_fd() readable; run sg_stack_process() as usual, or let
 *    sg_testlink_wait() drive the stack until a frame is captured.
 * The link lives as long as its stack: sg_world_free() / sg_stack_free()
 * destroy it, and the handle with it. Never use a handle after that.
 *
 * Errors: -1 and errno, as everywhere in sigurg.
 */
#ifndef SIGURG_TESTLINK_H
#define SIGURG_TESTLINK_H
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "sigurg/sigurg.h"
#include "sigurg/sim.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct sg_testlink sg_testlink;

/* Give stack s a new interface ("eth0", "eth1", ... in order) on a test
 * link, with the address cidr ("10.0.0.1/24", connected route included).
 * cfg as for sg_world_connect() (NULL: Ethernet, MTU 1500): its kind and
 * MTU; its impairments, applied on the stack's side to both directions
 * (seeded like any link of the stack's world, or from the stack's seed);
 * its pcap_path, a capture of the stack's interface (what the stack sends
 * before impairment, what it receives after). Returns the handle, or NULL
 * and errno: EINVAL (bad address or kind, NULL stack), ENOMEM, or the
 * capture file's errno. */
SG_API sg_testlink *sg_testlink_attach(sg_stack *s, const char *cidr,
                                       const struct sg_link_config *cfg);

/* The stack's MAC address on the link (Ethernet; on a raw-IP link the
 * bytes are meaningless but stable). */
SG_API void sg_testlink_mac(const sg_testlink *t, uint8_t mac[6]);

/* Hand the frame frame[0..len) to the stack (copied). 0, or -1 and errno:
 * EINVAL (len 0, or an Ethernet frame shorter than its header), EMSGSIZE
 * (IP packet longer than the MTU), ENOBUFS (1000 frames already waiting
 * for the stack), ENOMEM. */
SG_API int sg_testlink_inject(sg_testlink *t, const void *frame, size_t len);

/* Take the next frame the stack sent: copies it into buf and returns its
 * length; -1 and errno EAGAIN if none is waiting, EMSGSIZE if it is
 * longer than cap (it stays queued: retry with a larger buffer; an IP
 * packet never exceeds the MTU, an Ethernet frame the MTU + 14).
 * Never blocks, never moves time. If you do not capture, at most 1000
 * frames wait; the stack's further sends on the link are dropped and
 * counted (SG_C_LINK_TX_DROP_NOBUF) as a full transmit queue. */
SG_API ssize_t sg_testlink_capture(sg_testlink *t, void *buf, size_t cap);

/* Frames waiting to be captured. */
SG_API size_t sg_testlink_pending(const sg_testlink *t);

/* Wait until a frame waits to be captured, at most timeout_ns in the
 * stack's clock: a world stack's world is stepped (virtual time; the
 * clock ends at the deadline when nothing came); a caller-driven stack is
 * processed in the calling thread; a threaded one is waited for. Returns
 * 1 when a frame is waiting, 0 when the time ran out (or, for a world,
 * nothing at all was left to happen before it: the clock is then at the
 * deadline), -1 and errno EINVAL for a NULL handle. */
SG_API int sg_testlink_wait(sg_testlink *t, uint64_t timeout_ns);

#ifdef __cplusplus
}
#endif
#endif

/* testlink: a link whose far end is the program itself (the driver behind
 * the public sigurg/testlink.h).
 *
 * Two endpoints, both `struct link` (link.h), sharing one pair:
 *   near  the stack's interface: xmit puts the frame on the capture queue,
 *         recv returns the next injected frame.
 *   far   the program's side: xmit *injects* a frame (it becomes near's
 *         next recv), recv *captures* the next frame the stack sent.
 * So the far end is an ordinary link endpoint that no stack drives: its
 * next_event is always SG_TIME_NEVER (a world must not step for frames
 * only the program collects), and it never has a wait descriptor.
 *
 * Frames leave the process at the far end, so near's xmit completes a
 * BUF_CSUM_PARTIAL checksum (link_csum_complete) before queueing; near has
 * no LINK_CAP_CSUM_OFFLOAD. Injected frames keep the flags the program
 * gave them (none: the stack verifies every checksum). Hand-over is
 * zero-copy (the buf itself moves), as on a memlink.
 *
 * Limits: each queue holds at most `qlen` frames (0: 1000), beyond which
 * xmit fails with -ENOBUFS; a frame whose IP packet exceeds `mtu` fails
 * with -EMSGSIZE (both ends). Frames sent towards a destroyed end are
 * dropped (xmit returns 0), as on a cable with nobody at the other end.
 *
 * Threads: each queue has its own small lock, so the stack's thread and
 * the program's may use the two ends concurrently; on_rx of the receiving
 * end is called after that lock is dropped (near's: "a frame was
 * injected", to wake a service thread; far's: "a frame was captured", to
 * wake a waiting program). One thread at a time per end.
 *
 * MACs (Ethernet): near 02:54:4c:ii:ii:01 and far 02:54:4c:ii:ii:02 ("TL"),
 * with the low 16 bits of `id` in the middle; the far MAC is only a
 * suggestion for the program's own frames.
 */
#ifndef SG_LINK_TESTLINK_H
#define SG_LINK_TESTLINK_H
#include <stddef.h>
#include <stdint.h>
#include "link/link.h"

/* A new pair. 0, or -ENOMEM (nothing allocated then). */
int link_testlink_pair(enum link_kind kind, uint32_t mtu, uint32_t qlen, uint32_t id,
                       struct link **near, struct link **far);
/* Frames waiting on the far end (captured, not yet taken); 0 for a link
 * that is not a testlink far end. */
uint32_t link_testlink_pending(const struct link *far);
/* Length of the next frame waiting on the far end, 0 if none. */
uint32_t link_testlink_peek_len(const struct link *far);
/* Call fn(ctx) once when the far end is destroyed (after its frames are
 * freed): lets the owner of a handle built around it go too. */
void link_testlink_on_destroy(struct link *far, void (*fn)(void *ctx), void *ctx);
#endif

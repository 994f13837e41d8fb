/* The wire script language: the test plays a TCP peer segment by segment
 * against one local socket (driven through the environment's sockops
 * table) and records what both sides did as text lines (../obs.h).
 *
 * Sequence numbers in scripts and in the record are RELATIVE: the peer's
 * to its ISN + 1, the local host's to its ISN + 1, so byte 0 of either
 * stream is +0 and a SYN is +-1 (as shared/spec/oob.md writes them). The
 * peer's ISN is fixed; the local ISN, the local port and every timestamp
 * are never printed, so a record depends only on behaviour.
 *
 * A segment line (what the local host sent, "out", or what the script
 * injected, "in"):
 *
 *   out(+0,len=5,UP,urp=5) ack=+0 'hello'
 *   out(+-1,len=0,S,urp=0) opts=mss1460,sackok,ts,ws
 *   in(+0,len=3,U,urp=5) ack=+5 'abc'
 *
 * Flags are letters without ACK: S F R U P E W (ECE, CWR), '.' for none;
 * "ack=+N" appears when ACK is set, "win=0" when the window field is 0,
 * payloads of up to 32 bytes are quoted. Options are shown on SYNs only
 * (kinds, and the MSS value). The peer offers neither timestamps nor SACK
 * unless a scenario asks, so the local host uses neither: there are no
 * timing-dependent fields, and no SACK-driven retransmission (RACK, tail
 * loss probes) races the scripted waits.
 *
 * Waiting. wire_expect() waits for segments the script knows must come
 * (an ACK, a retransmission) and so is as fast as the host and as slow
 * as the timeout; wire_quiet() records whatever comes in a fixed window,
 * normally nothing. Keep quiet windows short of the host's timers
 * (delayed ACK 40 ms, RTO 200 ms) unless the timer is what is observed.
 */
#ifndef SIGURG_TESTS_DIFF_WIRE_WIRE_H
#define SIGURG_TESTS_DIFF_WIRE_WIRE_H

#include "../obs.h"
#include "wire_env.h"
#include "wire/tcp.h"

#include <stdint.h>

#define WIRE_PEER_PORT 4000
#define WIRE_LOCAL_PORT 5000
/* The peer's ISN. Chosen so the peer's stream wraps the 32-bit sequence
 * space after 4096 bytes: comparisons in the local host must be modular. */
#define WIRE_PEER_ISN 0xffffefffu

/* Not a TCP flag: peer_send() adds ACK to every segment unless told not to. */
#define WIRE_NOACK 0x100

/* One segment the local host sent. */
struct wseg {
    struct tcp_repr t;
    int32_t seq;  /* relative to the local ISN + 1 */
    int32_t ack;  /* relative to the peer's ISN + 1 (valid with TCP_ACK) */
    uint32_t len; /* payload bytes */
    int csum_ok;  /* TCP checksum verified */
    uint8_t data[WIRE_MTU];
};

/* How a scenario's connection is opened. Zero fields: defaults. */
struct wire_open {
    int passive;        /* the local host listens on WIRE_LOCAL_PORT, the peer
                           connects; default: the local socket connects */
    uint16_t mss;       /* the peer's MSS option; 0: 1460 */
    int wscale;         /* the peer's window-scale shift + 1 (0: no option) */
    uint32_t win;       /* window the peer advertises, bytes; 0: 65535 */
    int zero_window;    /* advertise 0 instead */
    unsigned syn_flags; /* extra flags on the peer's SYN / SYN-ACK (TCP_URG) */
    uint16_t syn_urp;
    int sndbuf, rcvbuf; /* SO_SNDBUF / SO_RCVBUF on the local socket first */
    int blocking;       /* local socket blocking (3 s timeouts); default not */
    int no_owner;       /* no F_SETOWN (default: this process, before connect) */
    int ls_owner;       /* passive: F_SETOWN on the listener too */
    /* Passive: what the handshake's final ACK carries. */
    const char *ack_data;
    unsigned ack_flags;
    uint16_t ack_urp;
};

struct wire {
    const struct wire_env *env;
    const struct sockops *ops;
    struct obs *o;
    int fd; /* the local connected socket ("sk") */
    int ls; /* the local listener ("ls"), passive only */
    uint32_t peer_isn, local_isn;
    uint32_t peer_ip, local_ip; /* network order */
    uint16_t peer_port, local_port;
    uint16_t ip_id;
    int peer_ws;    /* shift applied to the peer's window field */
    uint32_t win;   /* window the peer advertises, bytes */
    int32_t ack;    /* local byte the peer acknowledges by default */
    int32_t nxt;    /* the peer's next sequence (after its data and FIN) */
    int32_t hi;     /* end of the highest local data seen */
    int have_local; /* local ISN and port known */
};

void wire_init(struct wire *w, const struct wire_env *env, struct obs *o);
/* Open the connection (obs_fail when the handshake does not go as it
 * must): records the handshake segments and leaves w->fd connected,
 * named "sk", nonblocking unless wo->blocking. */
void wire_open(struct wire *w, const struct wire_open *wo);

/* Inject a segment from the peer at relative sequence rel with data
 * (NUL-terminated; NULL for none), TCP_* flags (ACK added unless
 * WIRE_NOACK) and urgent pointer field urp; acknowledges w->ack and
 * advertises w->win. Recorded as an "in(...)" line. */
void peer_send(struct wire *w, int32_t rel, const char *data, unsigned flags, uint16_t urp);
/* The same with n bytes of data at p. */
void peer_send_n(struct wire *w, int32_t rel, const void *p, size_t n, unsigned flags,
                 uint16_t urp);
/* A pure ACK of local byte rel (also the new default ack) at the peer's
 * next sequence; recorded. */
void peer_ack(struct wire *w, int32_t rel);
/* The same, not recorded (for bulk transfers summarised otherwise). */
void peer_ack_quiet(struct wire *w, int32_t rel);
/* Advertise win bytes from now on (no segment is sent). */
void peer_window(struct wire *w, uint32_t win);

/* The next segment of the connection the local host sends, waiting at
 * most ms; 1 and *s filled, or 0. Not recorded. Segments of other
 * connections or protocols are skipped. */
int wire_next(struct wire *w, struct wseg *s, int ms);
/* Record s as an "out(...)" line, after `tag` (NULL: none). */
void wire_print(struct wire *w, const struct wseg *s, const char *tag);
/* Wait for n segments (each within ms of the previous) and record them;
 * records "out: none within <ms> ms" when one does not come. Returns how
 * many came. */
int wire_expect(struct wire *w, int n, int ms);
/* The same, each line after `tag`: "(rto) out(...)". */
int wire_expect_tag(struct wire *w, int n, int ms, const char *tag);
/* Record every segment sent within ms; returns how many. */
int wire_quiet(struct wire *w, int ms);

/* Format a segment line (for summaries). */
void wire_format(char *dst, size_t cap, const char *dir, int32_t seq, uint32_t len,
                 const struct tcp_repr *t, int32_t ack, const uint8_t *data);

#endif

/* TCP header and options (RFC 9293 §3.1, 7323, 2018, 2883): parse and emit
 * as pure functions. The header is parsed once, here; the TCP engine only
 * sees `struct tcp_repr`.
 *
 * Options understood: EOL (0), NOP (1), MSS (2, len 4), window scale (3,
 * len 3), SACK-permitted (4, len 2), SACK (5, len 2 + 8n), timestamps (8,
 * len 10). Any other kind (TFO 34, MD5 19, MPTCP 30, AccECN, experimental
 * 253/254, ...) is skipped by its length and not reported.
 *
 * A known option with the wrong length (MSS of length 5, SACK of length 11,
 * ...) is skipped by its length and not reported, like an unknown one: this
 * is what Linux's tcp_parse_options() does, and matching it keeps our view
 * of a peer's options the same as the kernel's. SACK with 5+ blocks cannot
 * fit in the 40 bytes of option space (2 + 8*5 = 42), so n is 1..4.
 *
 * Options are reported whatever the segment's flags: the wire layer is
 * stateless, and "MSS, window scale and SACK-permitted only count on a SYN"
 * (RFC 9293 §3.7.1, RFC 7323 §2.2, RFC 2018 §2) is the engine's rule. A
 * duplicated option: the last one wins, as in Linux. */
#ifndef SG_WIRE_TCP_H
#define SG_WIRE_TCP_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wire/wire.h"

enum {
    TCP_FIN = 0x01,
    TCP_SYN = 0x02,
    TCP_RST = 0x04,
    TCP_PSH = 0x08,
    TCP_ACK = 0x10,
    TCP_URG = 0x20,
    TCP_ECE = 0x40,
    TCP_CWR = 0x80,
};

#define TCP_HDR_MIN 20
#define TCP_HDR_MAX 60
#define TCP_MAX_SACK 4

/* Option kinds and lengths (IANA "TCP Option Kind Numbers"). */
enum {
    TCPOPT_EOL = 0,
    TCPOPT_NOP = 1,
    TCPOPT_MSS = 2,
    TCPOPT_WSCALE = 3,
    TCPOPT_SACK_PERM = 4,
    TCPOPT_SACK = 5,
    TCPOPT_TS = 8,
};
enum {
    TCPOLEN_MSS = 4,
    TCPOLEN_WSCALE = 3,
    TCPOLEN_SACK_PERM = 2,
    TCPOLEN_SACK_BASE = 2,
    TCPOLEN_SACK_BLOCK = 8,
    TCPOLEN_TS = 10,
};

struct tcp_sack_block {
    uint32_t left, right; /* [left, right) in sequence space */
};

struct tcp_repr {
    uint16_t sport, dport; /* host order */
    uint32_t seq, ack;
    uint8_t flags;   /* TCP_* */
    uint8_t hdr_len; /* bytes, 20..60 (data offset * 4) */
    uint16_t win;    /* raw field (not scaled) */
    uint16_t urp;    /* raw urgent pointer field */
    /* options */
    bool has_mss, has_wscale, sack_perm, has_ts;
    uint16_t mss;
    uint8_t wscale; /* as received (clamping to 14 is the engine's job) */
    uint32_t ts_val, ts_ecr;
    uint8_t nsack; /* SACK blocks present, 0..4 */
    struct tcp_sack_block sack[TCP_MAX_SACK];
};

/* Parse the header at p[0..len) (len = whole segment: header + payload).
 * Options are walked with bounds checks; unknown options are skipped by
 * their length; an option with length 0 or 1 or running past the header
 * gives WIRE_EBADOPT. Does not verify the checksum (tcp_csum_ok does, it
 * needs the pseudo-header). Returns WIRE_OK or a negative wire_err:
 *   WIRE_ESHORT   len < 20, or len < data offset * 4
 *   WIRE_EBADLEN  data offset < 5
 *   WIRE_EBADOPT  an option's length byte is 0 or 1, is past the header, or
 *                 makes the option run past the header.
 * On WIRE_EBADOPT *out holds the fixed header and every option before the
 * bad one. Linux's tcp_parse_options() stops at such an option and keeps
 * the segment with what it found before; a caller that wants to do the
 * same can use *out, one that wants the stricter rule drops the segment.
 * On the other errors *out is not written. */
int tcp_parse(const uint8_t *p, size_t len, struct tcp_repr *out);
/* Bytes of header tcp_emit() will write for r (20 + options, padded to 4). */
size_t tcp_hdr_len(const struct tcp_repr *r);
/* Write the header for r at out (tcp_hdr_len(r) bytes), options in the
 * order and layout of Linux's tcp_options_write(), each group 4-byte
 * aligned with NOPs:
 *   MSS                  02 04 mm mm                    (has_mss)
 *   SACK-perm + TS       04 02 08 0a <val> <ecr>        (sack_perm && has_ts)
 *   TS                   01 01 08 0a <val> <ecr>        (has_ts only)
 *   SACK-perm            01 01 04 02                    (sack_perm only)
 *   WS                   01 03 03 ws                    (has_wscale)
 *   SACK                 01 01 05 len <blocks>          (nsack > 0)
 * So a Linux SYN is MSS, SACK-perm+TS, WS and a data segment NOP NOP TS.
 * SACK blocks are emitted in r->sack order, as many as fit in the 40 bytes
 * of option space left by the others (4 alone, 3 with timestamps, as Linux;
 * RFC 2018 §4: the first block is the most recent, so the tail is what to
 * drop). The checksum field is written as 0; the caller fills it
 * (tcp_csum_fill). r->hdr_len is ignored. Returns the header length. */
size_t tcp_emit(const struct tcp_repr *r, uint8_t *out);

/* Verify the checksum of the segment p[0..len) (header + payload), RFC 9293
 * §3.1. `pseudo` is its pseudo-header sum: csum_pseudo4/csum_pseudo6 (csum.h)
 * with len as the length, or ip4_pseudo (ip4.h). */
bool tcp_csum_ok(const uint8_t *p, size_t len, uint64_t pseudo);

/* Compute and store the checksum of the segment at p (header written, the
 * checksum field's value does not matter). `acc` is the pseudo-header sum,
 * plus, optionally, the sum of payload bytes not at p: then len counts only
 * the bytes at p. The usual pair on output is
 *     acc = csum_copy(seg + hl, data, n, csum_pseudo4(src, dst, 6, hl + n));
 *     tcp_csum_fill(seg, hl, acc);
 * which checksums the payload while copying it (hl is a multiple of 4, so
 * parity is right; see csum.h "Pieces and parity"). */
void tcp_csum_fill(uint8_t *p, size_t len, uint64_t acc);
#endif

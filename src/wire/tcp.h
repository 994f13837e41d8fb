/* TCP header and options (RFC 9293 §3.1, 7323, 2018, 2883): parse and emit
 * as pure functions. The header is parsed once, here; the TCP engine only
 * sees `struct tcp_repr`. */
#ifndef SG_WIRE_TCP_H
#define SG_WIRE_TCP_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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

struct tcp_sack_block {
    uint32_t left, right; /* [left, right) in sequence space */
};

struct tcp_repr {
    uint16_t sport, dport; /* host order */
    uint32_t seq, ack;
    uint8_t flags;         /* TCP_* */
    uint8_t hdr_len;       /* bytes, 20..60 (data offset * 4) */
    uint16_t win;          /* raw field (not scaled) */
    uint16_t urp;          /* raw urgent pointer field */
    /* options */
    bool has_mss, has_wscale, sack_perm, has_ts;
    uint16_t mss;
    uint8_t wscale;        /* as received (clamping to 14 is the engine's job) */
    uint32_t ts_val, ts_ecr;
    uint8_t nsack;         /* SACK blocks present, 0..4 */
    struct tcp_sack_block sack[TCP_MAX_SACK];
};

enum wire_err {
    WIRE_OK = 0,
    WIRE_ESHORT = -1,   /* buffer shorter than the header claims or needs */
    WIRE_EBADLEN = -2,  /* a length field is impossible */
    WIRE_ECSUM = -3,    /* checksum mismatch */
    WIRE_EBADOPT = -4,  /* malformed option (length 0/1, past the header) */
    WIRE_EVERSION = -5, /* wrong IP version */
    WIRE_EPROTO = -6,   /* other malformed field */
};

/* Parse the header at p[0..len) (len = whole segment: header + payload).
 * Options are walked with bounds checks; unknown options are skipped by
 * their length; an option with length 0 or 1 or running past the header
 * gives WIRE_EBADOPT. Does not verify the checksum (tcp_csum_ok does, it
 * needs the pseudo-header). Returns WIRE_OK or a negative wire_err. */
int tcp_parse(const uint8_t *p, size_t len, struct tcp_repr *out);
/* Bytes of header tcp_emit() will write for r (20 + options, padded to 4). */
size_t tcp_hdr_len(const struct tcp_repr *r);
/* Write the header for r at out (tcp_hdr_len(r) bytes), options in the
 * order Linux uses (MSS, SACK-perm+TS, TS, NOP NOP SACK, NOP WS). The
 * checksum field is written as 0; the caller fills it (csum.h). Returns
 * the header length. r->hdr_len is ignored. */
size_t tcp_emit(const struct tcp_repr *r, uint8_t *out);
#endif

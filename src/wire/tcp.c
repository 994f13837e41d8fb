/* TCP header and option parse/emit, RFC 9293 §3.1-3.2, RFC 7323 §2.2/§3.2,
 * RFC 2018 §2-3. Option rules and their Linux equivalents are in tcp.h. */
#include "wire/tcp.h"

#include <string.h>

#include "wire/csum.h"

/* Record one option of known kind whose length is already bounded by the
 * header. Wrong lengths are ignored (tcp.h), as in tcp_parse_options(). */
static void tcp_opt(const uint8_t *o, uint8_t kind, uint8_t olen, struct tcp_repr *r)
{
    switch (kind) {
    case TCPOPT_MSS:
        if (olen == TCPOLEN_MSS) {
            r->has_mss = true;
            r->mss = wire_get16(o + 2);
        }
        break;
    case TCPOPT_WSCALE:
        if (olen == TCPOLEN_WSCALE) {
            r->has_wscale = true;
            r->wscale = o[2];
        }
        break;
    case TCPOPT_SACK_PERM:
        if (olen == TCPOLEN_SACK_PERM)
            r->sack_perm = true;
        break;
    case TCPOPT_SACK:
        if (olen >= TCPOLEN_SACK_BASE + TCPOLEN_SACK_BLOCK &&
            (olen - TCPOLEN_SACK_BASE) % TCPOLEN_SACK_BLOCK == 0) {
            /* olen <= 40 (it fits the option space), so n <= 4. */
            uint8_t n = (uint8_t)((olen - TCPOLEN_SACK_BASE) / TCPOLEN_SACK_BLOCK);
            for (uint8_t i = 0; i < n; i++) {
                r->sack[i].left = wire_get32(o + 2 + 8 * i);
                r->sack[i].right = wire_get32(o + 6 + 8 * i);
            }
            r->nsack = n;
        }
        break;
    case TCPOPT_TS:
        if (olen == TCPOLEN_TS) {
            r->has_ts = true;
            r->ts_val = wire_get32(o + 2);
            r->ts_ecr = wire_get32(o + 6);
        }
        break;
    default: /* unknown: skipped by length (RFC 9293 §3.2, MUST-68) */
        break;
    }
}

int tcp_parse(const uint8_t *p, size_t len, struct tcp_repr *out)
{
    if (len < TCP_HDR_MIN)
        return WIRE_ESHORT;
    size_t hl = (size_t)(p[12] >> 4) * 4;
    if (hl < TCP_HDR_MIN)
        return WIRE_EBADLEN;
    if (len < hl)
        return WIRE_ESHORT;

    struct tcp_repr r = {
        .sport = wire_get16(p),
        .dport = wire_get16(p + 2),
        .seq = wire_get32(p + 4),
        .ack = wire_get32(p + 8),
        .hdr_len = (uint8_t)hl,
        .flags = p[13],
        .win = wire_get16(p + 14),
        .urp = wire_get16(p + 18),
    };
    int err = WIRE_OK;
    size_t i = TCP_HDR_MIN;
    while (i < hl) {
        uint8_t kind = p[i];
        if (kind == TCPOPT_EOL) /* RFC 9293 §3.2: end of the option list */
            break;
        if (kind == TCPOPT_NOP) {
            i++;
            continue;
        }
        /* RFC 9293 §3.2 (MUST-7): every other option has a length octet
         * counting kind and length; 0 or 1 would never advance (Linux calls
         * them "silly options"), and an option may not run past the header. */
        if (i + 1 >= hl || p[i + 1] < 2 || p[i + 1] > hl - i) {
            err = WIRE_EBADOPT;
            break;
        }
        tcp_opt(p + i, kind, p[i + 1], &r);
        i += p[i + 1];
    }
    *out = r;
    return err;
}

/* Bytes of options tcp_emit() writes before the SACK blocks. */
static size_t tcp_opts_fixed_len(const struct tcp_repr *r)
{
    size_t n = 0;
    if (r->has_mss)
        n += 4;
    if (r->has_ts)
        n += 12; /* with SACK-perm folded into its padding */
    else if (r->sack_perm)
        n += 4;
    if (r->has_wscale)
        n += 4;
    return n;
}

/* SACK blocks that fit after the other options (RFC 2018 §3 and Linux's
 * tcp_established_options(): 4 alone, 3 with timestamps). */
static size_t tcp_nsack_fit(const struct tcp_repr *r)
{
    size_t room = TCP_HDR_MAX - TCP_HDR_MIN - tcp_opts_fixed_len(r);
    size_t n = r->nsack < TCP_MAX_SACK ? r->nsack : TCP_MAX_SACK;
    if (room < 4 + TCPOLEN_SACK_BLOCK)
        return 0;
    size_t fit = (room - 4) / TCPOLEN_SACK_BLOCK;
    return n < fit ? n : fit;
}

size_t tcp_hdr_len(const struct tcp_repr *r)
{
    size_t ns = tcp_nsack_fit(r);
    return TCP_HDR_MIN + tcp_opts_fixed_len(r) + (ns ? 4 + ns * TCPOLEN_SACK_BLOCK : 0);
}

static uint8_t *tcp_put4(uint8_t *o, uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
    o[0] = a;
    o[1] = b;
    o[2] = c;
    o[3] = d;
    return o + 4;
}

size_t tcp_emit(const struct tcp_repr *r, uint8_t *out)
{
    size_t hl = tcp_hdr_len(r);
    wire_put16(out, r->sport);
    wire_put16(out + 2, r->dport);
    wire_put32(out + 4, r->seq);
    wire_put32(out + 8, r->ack);
    out[12] = (uint8_t)(hl / 4 << 4);
    out[13] = r->flags;
    wire_put16(out + 14, r->win);
    wire_put16(out + 16, 0);
    wire_put16(out + 18, r->urp);

    /* The order and layout of Linux's tcp_options_write(). */
    uint8_t *o = out + TCP_HDR_MIN;
    if (r->has_mss)
        o = tcp_put4(o, TCPOPT_MSS, TCPOLEN_MSS, (uint8_t)(r->mss >> 8), (uint8_t)r->mss);
    if (r->has_ts) {
        if (r->sack_perm)
            o = tcp_put4(o, TCPOPT_SACK_PERM, TCPOLEN_SACK_PERM, TCPOPT_TS, TCPOLEN_TS);
        else
            o = tcp_put4(o, TCPOPT_NOP, TCPOPT_NOP, TCPOPT_TS, TCPOLEN_TS);
        wire_put32(o, r->ts_val);
        wire_put32(o + 4, r->ts_ecr);
        o += 8;
    } else if (r->sack_perm) {
        o = tcp_put4(o, TCPOPT_NOP, TCPOPT_NOP, TCPOPT_SACK_PERM, TCPOLEN_SACK_PERM);
    }
    if (r->has_wscale)
        o = tcp_put4(o, TCPOPT_NOP, TCPOPT_WSCALE, TCPOLEN_WSCALE, r->wscale);
    size_t ns = tcp_nsack_fit(r);
    if (ns) {
        o = tcp_put4(o, TCPOPT_NOP, TCPOPT_NOP, TCPOPT_SACK,
                     (uint8_t)(TCPOLEN_SACK_BASE + ns * TCPOLEN_SACK_BLOCK));
        for (size_t i = 0; i < ns; i++) {
            wire_put32(o, r->sack[i].left);
            wire_put32(o + 4, r->sack[i].right);
            o += 8;
        }
    }
    return hl;
}

bool tcp_csum_ok(const uint8_t *p, size_t len, uint64_t pseudo)
{
    return csum_fold(csum_partial(p, len, pseudo)) == 0;
}

void tcp_csum_fill(uint8_t *p, size_t len, uint64_t acc)
{
    wire_put16(p + 16, 0);
    wire_put16(p + 16, csum_fold(csum_partial(p, len, acc)));
}

/* What every wire module shares: the error codes and big-endian field access.
 *
 * The wire layer is pure: each protocol has a `struct X_repr` (fields in host
 * order unless said otherwise), `X_parse` that fills it from bytes, and
 * `X_emit` that writes bytes from it. No state, no allocation, no I/O.
 *
 * Conventions for every X_parse(p, len, out):
 *   - p[0..len) is all it may read; malformed input of any kind (short buffer,
 *     impossible length, bad checksum, bad option) returns a negative
 *     `enum wire_err` and never reads outside p[0..len).
 *   - success is a non-negative return: WIRE_OK, unless the function's
 *     contract names a length it returns instead (ip4_parse returns the
 *     datagram's total length so the caller can trim link-layer padding).
 *   - pointers placed in a repr (payload, options, quoted datagram) point into
 *     p; they are valid as long as the caller's buffer is.
 * IPv4 addresses are kept as they are on the wire, in a uint32_t holding the
 * four bytes in network order: the form net/addr.h's ipaddr_v4() takes. */
#ifndef SG_WIRE_WIRE_H
#define SG_WIRE_WIRE_H
#include <stdint.h>
#include <string.h>

enum wire_err {
    WIRE_OK = 0,
    WIRE_ESHORT = -1,   /* buffer shorter than the header claims or needs (truncated) */
    WIRE_EBADLEN = -2,  /* a length field is impossible */
    WIRE_ECSUM = -3,    /* checksum mismatch */
    WIRE_EBADOPT = -4,  /* malformed option (length 0/1, past the header) */
    WIRE_EVERSION = -5, /* wrong IP version */
    WIRE_EPROTO = -6,   /* other malformed or unsupported field (type, code, op) */
};

/* Big-endian loads and stores at any alignment. */
static inline uint16_t wire_get16(const uint8_t *p)
{
    return (uint16_t)((unsigned)p[0] << 8 | p[1]);
}
static inline uint32_t wire_get32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}
static inline void wire_put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}
static inline void wire_put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}
/* Four bytes as they are (an IPv4 address in network order), any alignment. */
static inline uint32_t wire_get_raw32(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}
static inline void wire_put_raw32(uint8_t *p, uint32_t v)
{
    memcpy(p, &v, 4);
}

/* Name of a wire_err ("WIRE_ESHORT"), for logs and test messages. */
static inline const char *wire_strerror(int err)
{
    switch (err) {
    case WIRE_OK:
        return "WIRE_OK";
    case WIRE_ESHORT:
        return "WIRE_ESHORT";
    case WIRE_EBADLEN:
        return "WIRE_EBADLEN";
    case WIRE_ECSUM:
        return "WIRE_ECSUM";
    case WIRE_EBADOPT:
        return "WIRE_EBADOPT";
    case WIRE_EVERSION:
        return "WIRE_EVERSION";
    case WIRE_EPROTO:
        return "WIRE_EPROTO";
    default:
        return err >= 0 ? "WIRE_OK(length)" : "WIRE_E?";
    }
}
#endif

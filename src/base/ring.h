/* Byte ring: the in-order receive buffer and the send buffer of a TCP
 * connection. Positions are byte offsets from the ring's head (the oldest
 * byte still held). Storage is allocated on first use and can be released
 * when empty, so idle connections cost no buffer memory.
 *
 * Besides FIFO use (append at tail, consume at head) it supports what TCP
 * needs without extra copies:
 *  - ring_peek_at: read bytes at an offset without consuming (retransmit
 *    from the send buffer);
 *  - ring_write_at: place bytes beyond the tail without making them
 *    readable (out-of-order data lands where it belongs), then
 *    ring_commit() makes them readable once the gap is filled;
 *  - ring_spans: the (at most two) contiguous pieces of a range, for
 *    copy-and-checksum or writev without an intermediate copy.
 *
 * Memory: storage is a power-of-two array grown by doubling on demand (a
 * write, write_at or spans reaching past it), from 2 KiB (or less for a
 * smaller limit) up to the smallest power of two >= limit. Growing moves
 * the bytes, so pointers from ring_spans() are valid only until the next
 * ring_write, ring_write_at, ring_spans, ring_shrink or ring_free.
 * Offsets, lengths and limit are bytes; limit is at most RING_MAX_LIMIT
 * (ring_init clamps to it, ring_set_limit refuses more).
 */
#ifndef SG_BASE_RING_H
#define SG_BASE_RING_H
#include <stddef.h>
#include <stdint.h>

struct ring {
    uint8_t *mem;   /* NULL until first use */
    uint32_t cap;   /* allocated bytes (power of two) when mem != NULL */
    uint32_t limit; /* logical capacity: at most this many bytes held */
    uint32_t head;  /* index of the first held byte (masked) */
    uint32_t len;   /* readable bytes */
};

struct ring_span {
    uint8_t *p;
    uint32_t n;
};

#define RING_MAX_LIMIT (1u << 31)

void ring_init(struct ring *r, uint32_t limit); /* allocates nothing */
/* Release storage and drop all bytes; the ring stays usable (same limit). */
void ring_free(struct ring *r);
/* Change the logical capacity; fails (-1) if it is below ring_len(). */
int ring_set_limit(struct ring *r, uint32_t limit);
/* Release storage if empty (idle connection). Bytes stored past len by
 * ring_write_at() and not committed are discarded with it: do not shrink
 * while out-of-order data is held. */
void ring_shrink(struct ring *r);

static inline uint32_t ring_len(const struct ring *r)
{
    return r->len;
}
static inline uint32_t ring_space(const struct ring *r)
{
    return r->limit - r->len;
}

/* Append up to n bytes; returns bytes appended (less on space or OOM). */
uint32_t ring_write(struct ring *r, const void *src, uint32_t n);
/* Consume up to n bytes into dst (dst may be NULL to discard). */
uint32_t ring_read(struct ring *r, void *dst, uint32_t n);
/* Copy up to n readable bytes starting `off` bytes after head, without
 * consuming; returns bytes copied (0 if off >= len). */
uint32_t ring_peek_at(const struct ring *r, uint32_t off, void *dst, uint32_t n);
/* Store n bytes at `off` from head (off may exceed len: out-of-order);
 * off + n must be <= limit (bytes past limit are not stored: the count
 * returned is clamped). Returns bytes stored (0 on OOM). Bytes past
 * len are not readable until ring_commit() covers them. */
uint32_t ring_write_at(struct ring *r, uint32_t off, const void *src, uint32_t n);
/* Make n more bytes (already stored by ring_write_at) readable. Clamped
 * so that len never exceeds limit or the storage. */
void ring_commit(struct ring *r, uint32_t n);
/* Drop n bytes from the head (at most len). */
void ring_skip(struct ring *r, uint32_t n);
/* Spans covering [off, off+n) (clamped to limit); returns 0, 1 or 2. If
 * storage is not allocated yet it is allocated (0 spans on OOM). */
int ring_spans(struct ring *r, uint32_t off, uint32_t n, struct ring_span sp[2]);
#endif

/* Packet buffers: reference-counted storage with headroom, so lower layers
 * prepend their headers in place without copying the payload.
 *
 * A `struct buf` is a *view* (data pointer + length) onto refcounted
 * *storage*. buf_clone() makes a second view on the same storage (zero
 * copy: pcap capture, duplication in the impairment layer). Storage is
 * freed when its last view is freed.
 *
 * Rules:
 *  - Whoever holds a `struct buf *` owns that view and must buf_free() it
 *    or hand it on (functions that "take" a buf say so in their contract).
 *  - The bytes of shared storage (buf_shared() true) are read-only to every
 *    holder. buf_push() and buf_writable() copy-on-write when shared, so a
 *    holder that needs to write gets private bytes transparently.
 *  - `next` is an intrusive link for whichever single queue holds the view.
 *
 * Sizes are bytes. Allocation failure returns NULL; nothing aborts.
 *
 * Costs: buf_alloc is one malloc (view and storage together); a clone is
 * one small malloc, or none when the storage's built-in view slot is free.
 * A buffer from buf_alloc whose bytes later move (copy-on-write, short
 * headroom) keeps its original block until the view is freed: allocate
 * with enough headroom for every header the frame will get.
 *
 * Threads: the storage refcount is a plain integer (the core has no
 * threads). Handing a view to another thread is fine; calling buf_clone,
 * buf_free, buf_push or buf_writable concurrently on views that share
 * storage is not: hand such views over together, or use buf_copy.
 */
#ifndef SG_BASE_BUF_H
#define SG_BASE_BUF_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "base/time.h"

struct buf_store; /* private to buf.c */

/* Flags carried with a frame between layers and across links. */
enum {
    /* The transport checksum was verified (or the link guarantees it,
     * as loopback does): the receiver may skip verification. A link that
     * alters bytes (corruption) must clear it. */
    BUF_CSUM_VERIFIED = 1u << 0,
    /* The transport checksum field is not filled in yet; a link that
     * leaves the process (TUN, TAP, pcap) must complete it first. */
    BUF_CSUM_PARTIAL = 1u << 1,
};

struct buf {
    uint8_t *data;       /* first valid byte */
    uint32_t len;        /* valid bytes from data */
    uint32_t flags;      /* BUF_* */
    struct buf *next;    /* intrusive queue link */
    sg_time when;        /* scratch time for whoever queues it (links: due time) */
    uint32_t csum_off;   /* with BUF_CSUM_PARTIAL: where the checksum field is */
    uint32_t csum_start; /* with BUF_CSUM_PARTIAL: first byte summed */
    struct buf_store *store;
};

/* New buffer with `headroom` free bytes before data and `len` valid
 * (uninitialised) bytes. NULL on allocation failure. */
struct buf *buf_alloc(size_t headroom, size_t len);
/* New buffer holding a copy of `len` bytes at `src`. */
struct buf *buf_from(size_t headroom, const void *src, size_t len);
/* Drop this view (NULL allowed). */
void buf_free(struct buf *b);
/* Free a whole chain linked through `next`. */
void buf_free_chain(struct buf *b);
/* A new view on the same storage and the same data/len/flags/when/csum
 * fields (next is NULL). NULL on OOM. */
struct buf *buf_clone(const struct buf *b);
/* A private deep copy of the valid bytes with `headroom` in front (and no
 * tailroom); flags, when, csum_off and csum_start are copied too. */
struct buf *buf_copy(const struct buf *b, size_t headroom);

/* Prepend n bytes (e.g. a header) and return a pointer to them. Copies to
 * private storage first if shared or if headroom is short (then the new
 * storage has at least 64 bytes of headroom left in front). NULL on OOM;
 * the buffer is unchanged then. */
uint8_t *buf_push(struct buf *b, size_t n);
/* Remove n bytes from the front and return the new data pointer; NULL
 * (buffer unchanged) if n > len. */
uint8_t *buf_pull(struct buf *b, size_t n);
/* Keep only the first len bytes; -1 if len > b->len. */
int buf_trim(struct buf *b, size_t len);
/* Ensure the bytes are private (copy if shared, keeping the headroom and
 * tailroom). 0, or -1 on OOM (the buffer is unchanged then). */
int buf_writable(struct buf *b);

size_t buf_headroom(const struct buf *b);
size_t buf_tailroom(const struct buf *b);
bool buf_shared(const struct buf *b);

/* A FIFO of buffers through `next`, O(1) push/pop. */
struct bufq {
    struct buf *head, *tail;
    uint32_t count;
    uint64_t bytes;
};
void bufq_init(struct bufq *q);
void bufq_push(struct bufq *q, struct buf *b); /* takes b */
struct buf *bufq_pop(struct bufq *q);          /* gives the head (next = NULL), or NULL */
void bufq_purge(struct bufq *q);               /* frees all */

#endif

/* Packet buffers (buf.h).
 *
 * Layout. A storage block is one malloc: a header (refcount, size), one
 * embedded view slot, then the bytes. buf_alloc() hands out the embedded
 * slot, so a fresh buffer costs one malloc and one free. Further views
 * (buf_clone) reuse the embedded slot when it is free and otherwise get a
 * small malloc of their own.
 *
 * Every view sits in a `struct buf_slot` whose `home` says which block, if
 * any, embeds it. That is needed because a view can outlive its bytes'
 * block being its home: buf_push()/buf_writable() move an embedded view
 * onto new private storage while the view itself must stay where the
 * holder's pointer points. A block is therefore freed only when no view
 * references its bytes (refs == 0) *and* its embedded slot is not in use.
 */
#include "base/buf.h"

#include <stdlib.h>
#include <string.h>

/* Headroom left in front after a copy-on-write push (buf.h promises 64). */
#define BUF_COW_HEADROOM 64

struct buf_slot {
    struct buf_store *home; /* block embedding this slot, NULL if malloc'd alone */
    struct buf view;
};

struct buf_store {
    uint32_t refs;  /* views whose bytes live here */
    bool slot_used; /* `slot` holds a live view (wherever its bytes are) */
    size_t size;    /* bytes in mem[] */
    struct buf_slot slot;
    uint8_t mem[];
};

static struct buf_slot *buf_slot_of(struct buf *b)
{
    return (struct buf_slot *)((char *)b - offsetof(struct buf_slot, view));
}

static void buf_store_put(struct buf_store *s)
{
    if (s->refs == 0 && !s->slot_used)
        free(s);
}

/* A block with `size` bytes and no views yet; NULL on OOM or overflow. */
static struct buf_store *buf_store_new(size_t size)
{
    /* Views carry uint32_t offsets and lengths. */
    if (size > UINT32_MAX)
        return NULL;
    struct buf_store *s = malloc(sizeof(*s) + size);
    if (!s)
        return NULL;
    s->refs = 0;
    s->slot_used = false;
    s->size = size;
    s->slot.home = s;
    return s;
}

/* A view slot for storage s: its embedded slot if free, else a malloc. */
static struct buf *buf_view_new(struct buf_store *s)
{
    struct buf_slot *sl;
    if (!s->slot_used) {
        sl = &s->slot;
        s->slot_used = true;
    } else {
        sl = malloc(sizeof(*sl));
        if (!sl)
            return NULL;
        sl->home = NULL;
    }
    s->refs++;
    return &sl->view;
}

static size_t buf_headroom_of(const struct buf *b)
{
    return (size_t)(b->data - b->store->mem);
}

struct buf *buf_alloc(size_t headroom, size_t len)
{
    if (headroom > UINT32_MAX || len > UINT32_MAX)
        return NULL;
    struct buf_store *s = buf_store_new(headroom + len);
    if (!s)
        return NULL;
    struct buf *b = buf_view_new(s); /* the embedded slot: cannot fail */
    b->data = s->mem + headroom;
    b->len = (uint32_t)len;
    b->flags = 0;
    b->next = NULL;
    b->when = 0;
    b->csum_off = 0;
    b->csum_start = 0;
    b->store = s;
    return b;
}

struct buf *buf_from(size_t headroom, const void *src, size_t len)
{
    struct buf *b = buf_alloc(headroom, len);
    if (b && len)
        memcpy(b->data, src, len);
    return b;
}

void buf_free(struct buf *b)
{
    if (!b)
        return;
    struct buf_store *s = b->store;
    struct buf_slot *sl = buf_slot_of(b);
    struct buf_store *home = sl->home;

    s->refs--;
    if (home) {
        home->slot_used = false;
        if (home != s)
            buf_store_put(home);
    } else {
        free(sl);
    }
    buf_store_put(s);
}

void buf_free_chain(struct buf *b)
{
    while (b) {
        struct buf *n = b->next;
        buf_free(b);
        b = n;
    }
}

struct buf *buf_clone(const struct buf *b)
{
    struct buf *c = buf_view_new(b->store);
    if (!c)
        return NULL;
    *c = *b; /* same store, data, len and metadata */
    c->next = NULL;
    return c;
}

struct buf *buf_copy(const struct buf *b, size_t headroom)
{
    struct buf *c = buf_from(headroom, b->data, b->len);
    if (!c)
        return NULL;
    c->flags = b->flags;
    c->when = b->when;
    c->csum_off = b->csum_off;
    c->csum_start = b->csum_start;
    return c;
}

/* Move b's bytes onto new private storage with `headroom` in front and the
 * same tailroom. Returns 0, or -1 (b unchanged) on OOM. */
static int buf_move(struct buf *b, size_t headroom)
{
    size_t tail = buf_tailroom(b);
    if (headroom > UINT32_MAX || tail > UINT32_MAX)
        return -1;
    struct buf_store *s = buf_store_new(headroom + (size_t)b->len + tail);
    if (!s)
        return -1;
    /* The view stays where it is (the holder's pointer); only its bytes
     * move. The new block's embedded slot stays free for a later clone. */
    memcpy(s->mem + headroom, b->data, b->len);
    s->refs = 1;
    struct buf_store *old = b->store;
    old->refs--;
    b->store = s;
    b->data = s->mem + headroom;
    buf_store_put(old);
    return 0;
}

uint8_t *buf_push(struct buf *b, size_t n)
{
    if (n > UINT32_MAX - b->len)
        return NULL;
    if (buf_shared(b) || buf_headroom_of(b) < n) {
        size_t head = buf_headroom_of(b);
        if (head < n + BUF_COW_HEADROOM)
            head = n + BUF_COW_HEADROOM;
        if (buf_move(b, head) < 0)
            return NULL;
    }
    b->data -= n;
    b->len += (uint32_t)n;
    return b->data;
}

uint8_t *buf_pull(struct buf *b, size_t n)
{
    if (n > b->len)
        return NULL;
    b->data += n;
    b->len -= (uint32_t)n;
    return b->data;
}

int buf_trim(struct buf *b, size_t len)
{
    if (len > b->len)
        return -1;
    b->len = (uint32_t)len;
    return 0;
}

int buf_writable(struct buf *b)
{
    if (!buf_shared(b))
        return 0;
    return buf_move(b, buf_headroom_of(b));
}

size_t buf_headroom(const struct buf *b)
{
    return buf_headroom_of(b);
}

size_t buf_tailroom(const struct buf *b)
{
    const struct buf_store *s = b->store;
    return s->size - (size_t)(b->data - s->mem) - b->len;
}

bool buf_shared(const struct buf *b)
{
    return b->store->refs > 1;
}

void bufq_init(struct bufq *q)
{
    q->head = q->tail = NULL;
    q->count = 0;
    q->bytes = 0;
}

void bufq_push(struct bufq *q, struct buf *b)
{
    b->next = NULL;
    if (q->tail)
        q->tail->next = b;
    else
        q->head = b;
    q->tail = b;
    q->count++;
    q->bytes += b->len;
}

struct buf *bufq_pop(struct bufq *q)
{
    struct buf *b = q->head;
    if (!b)
        return NULL;
    q->head = b->next;
    if (!q->head)
        q->tail = NULL;
    b->next = NULL;
    q->count--;
    /* The length may have changed while queued (a holder pulled or
     * trimmed it); never let the byte count wrap. */
    q->bytes = q->bytes >= b->len ? q->bytes - b->len : 0;
    return b;
}

void bufq_purge(struct bufq *q)
{
    buf_free_chain(q->head);
    bufq_init(q);
}

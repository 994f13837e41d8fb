/* IPv4 reassembly; rules and limits in net/ip4_reass.h.
 *
 * A datagram in reassembly is a queue of fragments sorted by offset, each
 * kept as received (the buf of the frame, IP header included). Overlaps
 * are refused, so the datagram is complete exactly when its last fragment
 * has arrived and the payload bytes held add up to its length. Fragments
 * mostly arrive in order, so insertion looks at the tail first. */
#include <stdlib.h>
#include <string.h>

#include "net/iface.h"
#include "wire/csum.h"
#include "wire/icmp4.h"
#include "wire/ip4.h"

#define IP4_MAX_DATAGRAM 65535

struct ip4_frag {
    struct ip4_frag *next;
    uint32_t off, end; /* payload bytes [off, end) of the datagram */
    uint32_t hl;       /* this fragment's IP header length */
    struct buf *b;     /* the fragment, IP header at b->data */
};

struct ip4_fragq {
    struct ip4_fragq *next;
    struct stack *s;
    uint32_t src, dst; /* network order */
    uint16_t id;
    uint8_t proto;
    bool last_in;  /* the fragment without MF arrived: len is exact */
    uint32_t len;  /* payload length: exact if last_in, else the highest end seen */
    uint32_t meat; /* payload bytes held */
    uint32_t nfrags;
    uint64_t bytes; /* held, in s->net->reass.bytes */
    struct ip4_frag *frags, *tail;
    struct iface *ifp; /* of the first fragment received, for ICMP */
    unsigned flags;    /* IPI_* of the fragment at offset 0 */
    struct timer timer;
};

enum reass_drop {
    REASS_KEEP,         /* fragment queued */
    REASS_DROP_FRAG,    /* this fragment dropped, datagram kept: IP_REASM_FAILS */
    REASS_KILL,         /* datagram abandoned: IP_REASM_FAILS */
    REASS_KILL_OVERLAP, /* datagram abandoned: IP_REASM_OVERLAPS */
};

static void reass_free_queue(struct stack *s, struct ip4_fragq *q)
{
    struct ip4_reass *ra = &s->net->reass;
    for (struct ip4_fragq **pp = &ra->head; *pp; pp = &(*pp)->next) {
        if (*pp == q) {
            *pp = q->next;
            break;
        }
    }
    tw_cancel(&s->timers, &q->timer);
    for (struct ip4_frag *f = q->frags, *next; f; f = next) {
        next = f->next;
        buf_free(f->b);
        free(f);
    }
    ra->bytes -= q->bytes;
    ra->nqueues--;
    free(q);
}

static void reass_timeout(struct timer *t, sg_time now)
{
    struct ip4_fragq *q = container_of(t, struct ip4_fragq, timer);
    struct stack *s = q->s;
    STAT_INC(s, IP_REASM_TIMEOUT);
    struct ip4_frag *first = q->frags;
    if (first && first->off == 0) {
        /* RFC 1122 §3.3.2: with the first fragment in hand, tell the
         * sender (time exceeded, code 1), quoting that fragment. */
        const uint8_t *h = first->b->data;
        struct ip_info ip = {
            .src = ipaddr_v4(q->src),
            .dst = ipaddr_v4(q->dst),
            .proto = q->proto,
            .ttl = h[8],
            .tos = h[1],
            .flags = (uint8_t)q->flags,
            .ifp = q->ifp,
            .hdr = h,
            .hdr_len = (uint16_t)first->hl,
        };
        icmp4_send_error(s, &ip, h + first->hl, first->b->len - first->hl, ICMP4_TIME_EXCEEDED,
                         1 /* fragment reassembly time exceeded */, 0, now);
    }
    reass_free_queue(s, q);
}

static struct ip4_fragq *reass_find(struct stack *s, const struct ip4_repr *r)
{
    for (struct ip4_fragq *q = s->net->reass.head; q; q = q->next)
        if (q->id == r->id && q->src == r->src && q->dst == r->dst && q->proto == r->proto)
            return q;
    return NULL;
}

/* Place f in q (sorted, no overlap). Returns REASS_KEEP or why not. */
static enum reass_drop reass_insert(struct ip4_fragq *q, struct ip4_frag *f)
{
    struct ip4_frag **pp = &q->frags;
    if (q->tail && q->tail->end <= f->off) {
        pp = &q->tail->next; /* in order: the common case */
    } else {
        for (struct ip4_frag *c = q->frags; c; c = c->next) {
            if (f->end <= c->off)
                break;
            if (f->off >= c->end) {
                pp = &c->next;
                continue;
            }
            /* Linux's inet_frag_queue_insert: inside an existing fragment
             * is a harmless duplicate; any other overlap is an attack or
             * a broken sender (RFC 5722 reasoning). */
            if (f->off >= c->off && f->end <= c->end)
                return REASS_DROP_FRAG;
            return REASS_KILL_OVERLAP;
        }
    }
    f->next = *pp;
    *pp = f;
    if (!f->next)
        q->tail = f;
    return REASS_KEEP;
}

/* Check f against what q knows of the datagram's end (Linux ip_frag_queue)
 * and add it. */
static enum reass_drop reass_queue(struct stack *s, struct ip4_fragq *q, struct ip4_frag *f,
                                   bool mf)
{
    if (f->end + f->hl > IP4_MAX_DATAGRAM)
        return REASS_KILL;
    if (!mf) {
        /* The last fragment: the end must not cut off bytes we hold, nor
         * contradict another last fragment. */
        if (f->end < q->len || (q->last_in && f->end != q->len))
            return REASS_KILL;
    } else if (f->end > q->len && q->last_in) {
        return REASS_KILL; /* bytes beyond the end */
    }
    if (f->end == f->off)
        return REASS_DROP_FRAG; /* no payload */
    uint32_t cost = f->b->len + IP4_REASS_FRAG_OVERHEAD;
    if (q->nfrags >= IP4_REASS_MAX_FRAGS || s->net->reass.bytes + cost > s->cfg.ip_reasm_max_bytes)
        return REASS_DROP_FRAG;
    enum reass_drop d = reass_insert(q, f);
    if (d != REASS_KEEP)
        return d;
    if (!mf)
        q->last_in = true;
    if (f->end > q->len)
        q->len = f->end;
    q->meat += f->end - f->off;
    q->nfrags++;
    q->bytes += cost;
    s->net->reass.bytes += cost;
    return REASS_KEEP;
}

/* Build the datagram from a complete q and free q. NULL on OOM. */
static struct buf *reass_join(struct stack *s, struct ip4_fragq *q)
{
    const struct ip4_frag *first = q->frags;
    uint32_t total = first->hl + q->len;
    struct buf *d = total <= IP4_MAX_DATAGRAM ? buf_alloc(SG_HEADROOM, total) : NULL;
    if (d) {
        memcpy(d->data, first->b->data, first->hl);
        for (const struct ip4_frag *f = first; f; f = f->next)
            memcpy(d->data + first->hl + f->off, f->b->data + f->hl, f->end - f->off);
        /* Total length, MF and offset cleared (DF kept), checksum anew. */
        wire_put16(d->data + 2, (uint16_t)total);
        wire_put16(d->data + 6, wire_get16(d->data + 6) & 0x4000);
        wire_put16(d->data + 10, 0);
        wire_put16(d->data + 10, csum_buf(d->data, first->hl));
    }
    reass_free_queue(s, q);
    return d;
}

struct buf *ip4_reass_add(struct stack *s, struct iface *ifp, struct buf *b,
                          const struct ip4_repr *r, unsigned flags, sg_time now)
{
    struct ip4_reass *ra = &s->net->reass;
    STAT_INC(s, IP_REASM_REQDS);
    uint32_t end = r->frag_off + (uint32_t)(r->total_len - r->hdr_len);
    if (r->mf)
        end &= ~7u; /* RFC 791: non-final fragments carry multiples of 8; Linux trims */
    struct ip4_fragq *q = reass_find(s, r);
    if (!q) {
        if (ra->nqueues >= IP4_REASS_MAX_QUEUES || !(q = calloc(1, sizeof(*q)))) {
            STAT_INC(s, IP_REASM_FAILS);
            buf_free(b);
            return NULL;
        }
        q->s = s;
        q->src = r->src;
        q->dst = r->dst;
        q->id = r->id;
        q->proto = r->proto;
        q->ifp = ifp;
        timer_init(&q->timer, reass_timeout);
        tw_arm(&s->timers, &q->timer, now + SG_MS(s->cfg.ip_reasm_timeout_ms));
        q->next = ra->head;
        ra->head = q;
        ra->nqueues++;
    }
    /* A fragment may sit in a frame buffer much larger than itself (a
     * driver's 64 KiB read buffer): keep a compact copy instead, so the
     * memory limit bounds what is really held. */
    if (buf_headroom(b) + buf_tailroom(b) > b->len + IP4_REASS_FRAG_OVERHEAD) {
        struct buf *c = buf_copy(b, 0);
        if (c) {
            buf_free(b);
            b = c;
        }
    }
    struct ip4_frag *f = malloc(sizeof(*f));
    enum reass_drop d = REASS_DROP_FRAG;
    if (f) {
        *f = (struct ip4_frag){.off = r->frag_off, .end = end, .hl = r->hdr_len, .b = b};
        d = reass_queue(s, q, f, r->mf);
    }
    if (d != REASS_KEEP) {
        free(f);
        buf_free(b);
        if (d == REASS_DROP_FRAG) {
            STAT_INC(s, IP_REASM_FAILS);
            if (q->nfrags == 0)
                reass_free_queue(s, q); /* a queue that never held anything */
        } else {
            if (d == REASS_KILL_OVERLAP)
                STAT_INC(s, IP_REASM_OVERLAPS);
            else
                STAT_INC(s, IP_REASM_FAILS);
            reass_free_queue(s, q);
        }
        return NULL;
    }
    if (r->frag_off == 0)
        q->flags = flags;
    if (!q->last_in || q->meat != q->len)
        return NULL;
    struct buf *whole = reass_join(s, q);
    if (whole)
        STAT_INC(s, IP_REASM_OKS);
    else
        STAT_INC(s, IP_REASM_FAILS);
    return whole;
}

void ip4_reass_init(struct stack *s)
{
    memset(&s->net->reass, 0, sizeof(s->net->reass));
}

void ip4_reass_free(struct stack *s)
{
    while (s->net->reass.head)
        reass_free_queue(s, s->net->reass.head);
}

/* pcap capture wrapper (link.h, link_pcap_wrap).
 *
 * Classic libpcap format (pcap-savefile(5)): a 24-byte file header, then
 * per frame a 16-byte record header and the bytes. Written in host byte
 * order, which readers detect from the magic. The nanosecond magic is used
 * so a world's virtual timestamps keep their full resolution.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "link/link.h"

#define PCAP_MAGIC_NSEC 0xa1b23c4du
#define PCAP_VERSION_MAJOR 2
#define PCAP_VERSION_MINOR 4
#define PCAP_SNAPLEN 262144u
#define PCAP_DLT_EN10MB 1u
#define PCAP_DLT_RAW 101u

struct pcap_link {
    struct link link; /* first: a struct link * is a struct pcap_link * */
    struct link *inner;
    FILE *f;
    int err; /* errno of the first failed write, then writes stop */
};

static const struct link_ops pcap_ops;

static void pcap_put(struct pcap_link *pl, const void *p, size_t n)
{
    if (pl->err)
        return;
    if (fwrite(p, 1, n, pl->f) != n)
        pl->err = errno ? errno : EIO;
}

static void pcap_record(struct pcap_link *pl, const struct buf *frame, sg_time now)
{
    if (pl->err)
        return;
    const struct buf *w = frame;
    struct buf *copy = NULL;
    if (frame->flags & BUF_CSUM_PARTIAL) {
        /* The capture must show the checksum the wire would carry; the
         * frame itself goes on unchanged (and possibly shared). */
        copy = buf_copy(frame, 0);
        if (copy) {
            link_csum_complete(copy, pl->link.kind);
            w = copy;
        }
    }
    uint32_t incl = w->len < PCAP_SNAPLEN ? w->len : PCAP_SNAPLEN;
    uint32_t rec[4] = {
        (uint32_t)(now / 1000000000u), /* wraps in 2106, as the format does */
        (uint32_t)(now % 1000000000u),
        incl,
        w->len,
    };
    pcap_put(pl, rec, sizeof(rec));
    pcap_put(pl, w->data, incl);
    buf_free(copy);
}

static int pcap_xmit(struct link *l, struct buf *b, sg_time now)
{
    struct pcap_link *pl = (struct pcap_link *)l;
    pcap_record(pl, b, now);
    return link_xmit(pl->inner, b, now);
}

static struct buf *pcap_recv(struct link *l, sg_time now)
{
    struct pcap_link *pl = (struct pcap_link *)l;
    struct buf *b = link_recv(pl->inner, now);
    if (b)
        pcap_record(pl, b, now);
    return b;
}

static void pcap_poll(struct link *l, sg_time now)
{
    struct pcap_link *pl = (struct pcap_link *)l;
    link_poll(pl->inner, now);
}

static sg_time pcap_next_event(const struct link *l)
{
    const struct pcap_link *pl = (const struct pcap_link *)l;
    return link_next_event(pl->inner);
}

static int pcap_wait_fd(const struct link *l)
{
    const struct pcap_link *pl = (const struct pcap_link *)l;
    return pl->inner->ops->wait_fd ? pl->inner->ops->wait_fd(pl->inner) : -1;
}

static void pcap_destroy(struct link *l)
{
    struct pcap_link *pl = (struct pcap_link *)l;
    if (fflush(pl->f) != 0 && !pl->err)
        pl->err = errno;
    fclose(pl->f);
    link_destroy(pl->inner);
    free(pl);
}

static const struct link_ops pcap_ops = {
    .xmit = pcap_xmit,
    .recv = pcap_recv,
    .poll = pcap_poll,
    .next_event = pcap_next_event,
    .wait_fd = pcap_wait_fd,
    .destroy = pcap_destroy,
};

static void pcap_inner_rx(void *ctx)
{
    struct pcap_link *pl = ctx;
    if (pl->link.on_rx)
        pl->link.on_rx(pl->link.on_rx_ctx);
}

struct link *link_pcap_wrap(struct link *inner, const char *path)
{
    struct pcap_link *pl = calloc(1, sizeof(*pl));
    if (!pl)
        return NULL;
    pl->f = fopen(path, "wb");
    if (!pl->f) {
        int e = errno;
        free(pl);
        errno = e;
        return NULL;
    }
    uint32_t linktype = inner->kind == LINK_RAW_IP ? PCAP_DLT_RAW : PCAP_DLT_EN10MB;
    uint8_t hdr[24];
    uint32_t magic = PCAP_MAGIC_NSEC, zero = 0, snap = PCAP_SNAPLEN;
    uint16_t vmaj = PCAP_VERSION_MAJOR, vmin = PCAP_VERSION_MINOR;
    memcpy(hdr + 0, &magic, 4);
    memcpy(hdr + 4, &vmaj, 2);
    memcpy(hdr + 6, &vmin, 2);
    memcpy(hdr + 8, &zero, 4);  /* thiszone: timestamps are UTC */
    memcpy(hdr + 12, &zero, 4); /* sigfigs */
    memcpy(hdr + 16, &snap, 4);
    memcpy(hdr + 20, &linktype, 4);
    if (fwrite(hdr, 1, sizeof(hdr), pl->f) != sizeof(hdr) || fflush(pl->f) != 0) {
        int e = errno ? errno : EIO;
        fclose(pl->f);
        free(pl);
        errno = e;
        return NULL;
    }

    pl->inner = inner;
    struct link *l = &pl->link;
    l->ops = &pcap_ops;
    l->kind = inner->kind;
    l->mtu = inner->mtu;
    l->caps = inner->caps;
    memcpy(l->mac, inner->mac, sizeof(l->mac));
    snprintf(l->name, sizeof(l->name), "%s", inner->name);
    inner->on_rx = pcap_inner_rx;
    inner->on_rx_ctx = pl;
    return l;
}

int link_pcap_error(const struct link *l)
{
    if (!l || l->ops != &pcap_ops)
        return 0;
    return ((const struct pcap_link *)l)->err;
}

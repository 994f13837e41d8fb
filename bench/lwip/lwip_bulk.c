/* lwip_bulk: the lwIP column of bench/bulk. One-way bulk transfer through
 * Debian's liblwip (2.1.3) raw API, in ONE thread, between two netifs
 * joined in memory.
 *
 * What the package allows (read from /usr/include/lwip/lwipopts.h, the
 * options the shared library was compiled with -- a program must use the
 * same ones, so they cannot be changed here):
 *   - NO_SYS 0 with LWIP_TCPIP_CORE_LOCKING: built for the threaded
 *     sockets/netconn model (the GNU Hurd's pfinet uses it). The raw API
 *     is exported all the same, and as long as tcpip_init() is never
 *     called (no tcpip thread) the core-locking check is inert, so a
 *     NO_SYS-style single-thread use is possible: lwip_init(), raw tcp_*
 *     calls, sys_check_timeouts() for the timers -- what this program does.
 *   - TCP_MSS 1460, TCP_WND 65535 (window scaling on, shift 1),
 *     TCP_SND_BUF 65535, no timestamps, no SACK, software checksums on
 *     both sides (LWIP_CHECKSUM_ON_COPY), MEM_LIBC_MALLOC (malloc pools).
 *   - lwIP has global state: there is one stack per process. Both netifs
 *     and both ends of the connection live in it; each pcb is bound to its
 *     netif (tcp_bind_netif) so every segment leaves through one netif's
 *     output and enters through the other's input, as between two hosts.
 *
 * The in-memory link: a netif's output copies the packet (pbuf_clone; the
 * sender keeps its segment for retransmission, and lwIP's input moves
 * header offsets in the pbuf it is given, so it cannot be shared) onto a
 * FIFO; the loop pops frames and feeds them to the other netif's input.
 *
 * MTU above 1500: TCP_MSS caps the MSS lwIP announces and uses at 1460
 * whatever the MTU, so for --mtu > 1500 the sender's pcb->mss is raised
 * to MTU-40 after the handshake, and its cwnd (set from the 1460-byte
 * MSS, smaller than one new segment) to 2 segments, RFC 5681's initial
 * window for such an MSS. lwIP then limits segments to half the peer's
 * window (~32 KiB at MTU 65535). The output says "mss=..." to show what
 * was used. Unmodified, the MSS stays 1460 at any MTU.
 *
 * The tail: lwIP applies classic Nagle (hold a short segment while
 * anything is unacknowledged) and ACKs an odd last full segment only from
 * its 250 ms fast timer, so the last short segment of a transfer waited
 * ~250 ms for that timer -- a quarter of a second on every run, which is
 * no measure of the stack. Linux sends it at once (Minshall's variant: no
 * short segment is outstanding). So once the application's last byte is
 * written, the sender turns Nagle off, as an application would push its
 * tail. idle_ns in the output is the time the loop spent waiting more
 * than 1 ms for anything to happen (timers, or the scheduler).
 *
 * Output: "lwip_bulk bytes=N mtu=M mss=S ... ns=T gbps=G".
 */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lwip/init.h"
#include "lwip/ip.h"
#include "lwip/ip4_addr.h"
#include "lwip/netif.h"
#include "lwip/pbuf.h"
#include "lwip/tcp.h"
#include "lwip/timeouts.h"

#define PORT 5201
#define QCAP 4096

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* ---- the link ---------------------------------------------------------- */

static struct netif nif_a, nif_b;
static struct {
    struct pbuf *p;
    struct netif *to;
} q[QCAP];
static unsigned q_head, q_tail;
static uint64_t q_drops, frames;

static err_t link_output(struct netif *nif, struct pbuf *p, const ip4_addr_t *dst)
{
    (void)dst;
    if (q_tail - q_head == QCAP) {
        q_drops++;
        return ERR_OK; /* a full queue drops, as a link would */
    }
    struct pbuf *c = pbuf_clone(PBUF_RAW, PBUF_RAM, p);
    if (!c)
        return ERR_MEM;
    q[q_tail % QCAP].p = c;
    q[q_tail % QCAP].to = nif == &nif_a ? &nif_b : &nif_a;
    q_tail++;
    frames++;
    return ERR_OK;
}

static int link_deliver(void)
{
    int n = 0;
    while (q_head != q_tail) {
        struct pbuf *p = q[q_head % QCAP].p;
        struct netif *to = q[q_head % QCAP].to;
        q_head++;
        to->input(p, to);
        n++;
    }
    return n;
}

static uint32_t link_mtu = 1500;

static err_t nif_init(struct netif *nif)
{
    nif->output = link_output;
    nif->mtu = (u16_t)link_mtu;
    nif->flags = NETIF_FLAG_LINK_UP;
    nif->name[0] = 'm';
    nif->name[1] = nif == &nif_a ? 'a' : 'b';
    return ERR_OK;
}

/* ---- the ends ------------------------------------------------------------ */

static struct tcp_pcb *client, *server;
static int connected, failed;
static uint64_t received, want;
static char *sink;
static size_t sink_len, sink_off;
static uint64_t t_end;

static err_t on_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err)
{
    (void)arg;
    (void)err;
    if (!p) {
        tcp_close(pcb);
        return ERR_OK;
    }
    /* copy out to the application's buffer, as recv() would */
    for (struct pbuf *x = p; x; x = x->next) {
        size_t off = 0;
        while (off < x->len) {
            size_t n = x->len - off;
            if (n > sink_len - sink_off)
                n = sink_len - sink_off;
            memcpy(sink + sink_off, (char *)x->payload + off, n);
            off += n;
            sink_off = (sink_off + n) % sink_len;
        }
    }
    received += p->tot_len;
    tcp_recved(pcb, p->tot_len);
    pbuf_free(p);
    if (received >= want && !t_end)
        t_end = now_ns();
    return ERR_OK;
}

static void on_err(void *arg, err_t err)
{
    fprintf(stderr, "lwip_bulk: connection error %d (%s)\n", err, (const char *)arg);
    failed = 1;
}

static err_t on_accept(void *arg, struct tcp_pcb *pcb, err_t err)
{
    (void)arg;
    if (err != ERR_OK || !pcb)
        return ERR_VAL;
    server = pcb;
    tcp_recv(pcb, on_recv);
    tcp_err(pcb, on_err);
    tcp_arg(pcb, "server");
    return ERR_OK;
}

static err_t on_connected(void *arg, struct tcp_pcb *pcb, err_t err)
{
    (void)arg;
    (void)pcb;
    connected = err == ERR_OK;
    return ERR_OK;
}

int main(int argc, char **argv)
{
    uint64_t bytes = 1ull << 30;
    size_t chunk = 128 << 10;
    int cpu = -1;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--bytes"))
            bytes = strtoull(argv[i + 1], NULL, 10);
        else if (!strcmp(argv[i], "--mtu"))
            link_mtu = (uint32_t)atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--cpu"))
            cpu = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--chunk"))
            chunk = strtoull(argv[i + 1], NULL, 10);
    }
    if (link_mtu < 576 || link_mtu > 65535 || !bytes || !chunk) {
        fprintf(stderr, "usage: lwip_bulk --bytes N --mtu 576..65535 [--cpu C] [--chunk N]\n");
        return 2;
    }
    if (cpu >= 0) {
        cpu_set_t set;
        CPU_ZERO(&set);
        CPU_SET(cpu, &set);
        sched_setaffinity(0, sizeof set, &set);
    }
    char *src = malloc(chunk);
    sink = malloc(chunk);
    sink_len = chunk;
    if (!src || !sink)
        return 1;
    memset(src, 0xa5, chunk);
    want = bytes;

    lwip_init(); /* not tcpip_init(): no tcpip thread, everything in this one */
    ip4_addr_t a, b, mask, gw;
    IP4_ADDR(&a, 10, 0, 0, 1);
    IP4_ADDR(&b, 10, 0, 0, 2);
    IP4_ADDR(&mask, 255, 255, 255, 0);
    ip4_addr_set_zero(&gw);
    if (!netif_add(&nif_a, &a, &mask, &gw, NULL, nif_init, ip_input) ||
        !netif_add(&nif_b, &b, &mask, &gw, NULL, nif_init, ip_input)) {
        fprintf(stderr, "lwip_bulk: netif_add failed\n");
        return 1;
    }
    netif_set_up(&nif_a);
    netif_set_up(&nif_b);

    struct tcp_pcb *l = tcp_new();
    tcp_bind_netif(l, &nif_b);
    if (tcp_bind(l, &nif_b.ip_addr, PORT) != ERR_OK)
        return 1;
    l = tcp_listen(l);
    tcp_accept(l, on_accept);

    client = tcp_new();
    tcp_bind_netif(client, &nif_a);
    tcp_arg(client, "client");
    tcp_err(client, on_err);
    if (tcp_bind(client, &nif_a.ip_addr, 0) != ERR_OK ||
        tcp_connect(client, &nif_b.ip_addr, PORT, on_connected) != ERR_OK)
        return 1;
    for (int i = 0; i < 1000 && !(connected && server); i++) {
        link_deliver();
        sys_check_timeouts();
    }
    if (!connected || !server) {
        fprintf(stderr, "lwip_bulk: handshake did not complete\n");
        return 1;
    }
    if (link_mtu > 1500) {
        /* the handshake set cwnd from the 1460-byte MSS (4380 bytes, less
         * than one of the new segments: lwIP would never send one); give
         * it the initial window RFC 5681 gives an MSS above 2190 bytes */
        client->mss = (u16_t)(link_mtu - 40);
        client->cwnd = 2u * client->mss;
    }

    uint64_t sent = 0, t0 = now_ns(), last_timer = t0, last_progress = t0;
    uint64_t idle_ns = 0, idle_max = 0, idle_at = 0; /* stalls waiting for lwIP's timers */
    size_t in_chunk = 0;                             /* offset in the application's current write */
    while (received < want && !failed) {
        int progress = 0;
        while (sent < want) {
            size_t n = chunk - in_chunk;
            if (n > want - sent)
                n = (size_t)(want - sent);
            u32_t room = tcp_sndbuf(client);
            if (n > room)
                n = room;
            if (n > 0xffff)
                n = 0xffff;
            if (n == 0 || tcp_sndqueuelen(client) >= TCP_SND_QUEUELEN - 4)
                break;
            err_t e = tcp_write(client, src + in_chunk, (u16_t)n,
                                TCP_WRITE_FLAG_COPY | (sent + n < want ? TCP_WRITE_FLAG_MORE : 0));
            if (e != ERR_OK)
                break;
            sent += n;
            in_chunk = (in_chunk + n) % chunk;
            progress = 1;
            if (sent == want) /* see "The tail" at the top */
                tcp_nagle_disable(client);
        }
        tcp_output(client);
        progress |= link_deliver();
        uint64_t t = now_ns();
        if (progress) {
            if (t - last_progress > 1000000) { /* waited > 1 ms for a timer */
                idle_ns += t - last_progress;
                if (t - last_progress > idle_max)
                    idle_max = t - last_progress, idle_at = received;
            }
            last_progress = t;
        } else if (t - last_progress > 5000000000ull) { /* a stall is a failure, not a figure */
            fprintf(stderr,
                    "lwip_bulk: stalled 5 s: sent=%llu received=%llu snd_wnd=%u cwnd=%u "
                    "sndbuf=%u\n",
                    (unsigned long long)sent, (unsigned long long)received,
                    (unsigned)client->snd_wnd, (unsigned)client->cwnd,
                    (unsigned)tcp_sndbuf(client));
            return 1;
        }
        if (!progress || t - last_timer > 10000000) {
            sys_check_timeouts();
            last_timer = t;
        }
    }
    if (failed || received < want) {
        fprintf(stderr, "lwip_bulk: transfer failed after %llu bytes\n",
                (unsigned long long)received);
        return 1;
    }
    uint64_t ns = t_end - t0;
    printf("lwip_bulk bytes=%llu mtu=%u mss=%u frames=%llu drops=%llu idle_ns=%llu "
           "idle_max_ns=%llu@%llu ns=%llu gbps=%.3f\n",
           (unsigned long long)bytes, link_mtu, client->mss, (unsigned long long)frames,
           (unsigned long long)q_drops, (unsigned long long)idle_ns, (unsigned long long)idle_max,
           (unsigned long long)idle_at, (unsigned long long)ns, (double)bytes * 8 / (double)ns);
    free(src);
    free(sink);
    return 0;
}

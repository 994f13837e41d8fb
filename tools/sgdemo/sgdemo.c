/* sgdemo: two sigurg stacks in a deterministic world joined by a lossy,
 * jittery in-memory link, captured to a pcap file. Act 1: one pings the
 * other, printed like ping(8). Act 2: the urgent-data demo -- a TCP stream
 * of shell-like output, then an urgent "interrupt" byte sent with
 * send(MSG_OOB); the receiver gets SIGURG, discards up to the mark with
 * sockatmark() as telnet's SYNCH does, reads the urgent byte with
 * recv(MSG_OOB) and what follows normally. Everything runs in virtual
 * time: the output is a function of the options alone, and the run takes
 * no real time at all.
 *
 *   sgdemo [--seed N] [--count N] [--loss P] [--bytes N] [--pcap FILE]
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "sigurg/sigurg.h"
#include "sigurg/sim.h"

#define DEMO_PAYLOAD 56             /* ping(8)'s default: 64 bytes of ICMP */
#define DEMO_INTERVAL 1000000000ull /* 1 s between probes, as ping(8) */
#define DEMO_TIMEOUT 1000000000ull  /* a probe unanswered for 1 s is lost */
#define DEMO_DELAY 4000000ull       /* 4 ms each way ... */
#define DEMO_JITTER 2000000ull      /* ... plus 0..2 ms: RTT 8..12 ms */
#define DEMO_ID 0x5347              /* "SG" */
#define DEMO_MAX_COUNT 65535
#define DEMO_BYTES 300000              /* a few hundred KB of shell output */
#define DEMO_MAX_BYTES 100000000       /* 100 MB: still seconds of real time */
#define DEMO_PORT 23                   /* telnet's, whose SYNCH act 2 imitates */
#define DEMO_URGENT 0xf2               /* telnet's Data Mark (DM), the SYNCH's urgent byte */
#define DEMO_TICK 1000000ull           /* the receiving "terminal" reads once per 1 ms ... */
#define DEMO_READ_PER_TICK 1024        /* ... at most 1 KB: ~1 MB/s, slower than the link */
#define DEMO_TCP_LIMIT 600000000000ull /* 10 min of virtual time: a stuck act fails */

struct demo {
    uint64_t sent_at[DEMO_MAX_COUNT + 1]; /* by seq (virtual time starts at 0) */
    unsigned char sent[DEMO_MAX_COUNT + 1], answered[DEMO_MAX_COUNT + 1];
    unsigned transmitted, received, duplicates;
    double rtt_min, rtt_max, rtt_sum, rtt_sum2; /* ms */
};

static void usage(FILE *f, const char *argv0)
{
    fprintf(f,
            "usage: %s [--seed N] [--count N] [--loss P] [--bytes N] [--pcap FILE]\n"
            "\n"
            "Two sigurg stacks, 10.0.0.1/24 and 10.0.0.2/24, joined by an in-memory\n"
            "Ethernet link with loss P in each direction and 4 ms + 0..2 ms of delay\n"
            "each way, all in virtual time.\n"
            "\n"
            "Act 1: the first pings the second once a second and prints what ping(8)\n"
            "would. Act 2: the first streams N bytes of text lines to the second over\n"
            "TCP, like a remote shell's output, then interrupts with one urgent byte\n"
            "(send MSG_OOB, as telnet's SYNCH); the second gets SIGURG, throws away\n"
            "everything up to the urgent mark, reads the urgent byte with recv MSG_OOB\n"
            "and then what follows normally. Same seed, same output; another seed,\n"
            "another loss pattern.\n"
            "\n"
            "  --seed N    world seed (default 1)\n"
            "  --count N   pings to send, 1..%d (default 4)\n"
            "  --loss P    loss probability per frame and direction, 0..1 (default 0.1)\n"
            "  --bytes N   size of the TCP stream before the interrupt, 1..%d\n"
            "              (default %d)\n"
            "  --pcap FILE capture of 10.0.0.1's interface (default demo.pcap;\n"
            "              read it with tcpdump -vv -r FILE)\n"
            "  --help      this text\n",
            argv0, DEMO_MAX_COUNT, DEMO_MAX_BYTES, DEMO_BYTES);
}

/* ping(8)'s precision: 3 significant decimals below 1 ms, fewer above. */
static void print_ms(double ms)
{
    if (ms >= 100)
        printf("%.0f", ms);
    else if (ms >= 10)
        printf("%.1f", ms);
    else if (ms >= 1)
        printf("%.2f", ms);
    else
        printf("%.3f", ms);
}

static void on_reply(void *ctx, const char *from, uint16_t id, uint16_t seq, size_t len,
                     uint8_t ttl, uint64_t now_ns)
{
    struct demo *d = ctx;
    if (id != DEMO_ID || !d->sent[seq])
        return; /* not one of ours */
    double ms = (double)(now_ns - d->sent_at[seq]) / 1e6;
    printf("%zu bytes from %s: icmp_seq=%u ttl=%u time=", len + 8, from, seq, ttl);
    print_ms(ms);
    if (d->answered[seq]) {
        printf(" ms (DUP!)\n");
        d->duplicates++;
        return;
    }
    printf(" ms\n");
    d->answered[seq] = 1;
    d->received++;
    if (d->received == 1 || ms < d->rtt_min)
        d->rtt_min = ms;
    if (ms > d->rtt_max)
        d->rtt_max = ms;
    d->rtt_sum += ms;
    d->rtt_sum2 += ms * ms;
}

static int parse_u64(const char *s, uint64_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 0);
    if (errno || end == s || *end || *s == '-')
        return -1;
    *out = v;
    return 0;
}

/* Act 1: ping, as before the urgent-data act existed. 0, or -1 after
 * printing why. */
static int ping_act(sg_world *w, sg_stack *a, uint64_t count)
{
    static struct demo d; /* 640 KiB of per-seq state: not on the stack */
    sg_ping_set_handler(a, on_reply, &d);

    printf("== Act 1: ping ==\n\n");
    printf("PING 10.0.0.2 (10.0.0.2) %d(%d) bytes of data.\n", DEMO_PAYLOAD, DEMO_PAYLOAD + 28);
    uint64_t start = sg_world_now(w);
    for (uint64_t seq = 1; seq <= count; seq++) {
        d.sent_at[seq] = sg_world_now(w);
        d.sent[seq] = 1;
        if (sg_ping_send(a, "10.0.0.2", DEMO_ID, (uint16_t)seq, DEMO_PAYLOAD) < 0) {
            perror("sgdemo: ping");
            return -1;
        }
        d.transmitted++;
        /* The probe's timeout and the next probe fall at the same time:
         * report the loss first, as ping -O does when it sends on. */
        sg_world_run_for(w, DEMO_TIMEOUT);
        if (!d.answered[seq])
            printf("no answer yet for icmp_seq=%u\n", (unsigned)seq);
    }
    sg_ping_set_handler(a, NULL, NULL);
    /* first to last probe, as ping */
    uint64_t elapsed = sg_world_now(w) - start - DEMO_TIMEOUT;

    printf("\n--- 10.0.0.2 ping statistics ---\n");
    printf("%u packets transmitted, %u received, ", d.transmitted, d.received);
    if (d.duplicates)
        printf("+%u duplicates, ", d.duplicates);
    printf("%g%% packet loss, time %llums\n",
           (double)(d.transmitted - d.received) * 100.0 / d.transmitted,
           (unsigned long long)(elapsed / 1000000));
    if (d.received) {
        double avg = d.rtt_sum / d.received;
        double var = d.rtt_sum2 / d.received - avg * avg;
        printf("rtt min/avg/max/mdev = %.3f/%.3f/%.3f/%.3f ms\n", d.rtt_min, avg, d.rtt_max,
               sqrt(var > 0 ? var : 0));
    }
    return 0;
}

/* ---- Act 2: urgent data ---- */

/* SIGURG arrives synchronously: a world's stack raises it with kill() to
 * the F_SETOWN owner (this process) in the middle of a world step, so
 * the handler may only count; the act notices the change after the step. */
static volatile sig_atomic_t sigurg_count;

static void on_sigurg(int sig)
{
    (void)sig;
    sigurg_count++;
}

/* What the receiving side waits for between world steps. */
struct urg_wait {
    int fd;            /* the receiver's connection */
    sig_atomic_t seen; /* SIGURGs already reported */
    int want_byte;     /* also stop when the urgent byte has arrived */
};

/* run_until condition: a new SIGURG, or (once asked) the urgent byte is
 * in the receiver's hands. MSG_PEEK leaves it there: recv(MSG_OOB) still
 * gets it later, but we learn the virtual time it arrived. */
static int urg_event(void *ctx)
{
    struct urg_wait *uw = ctx;
    if (sigurg_count != uw->seen)
        return 1;
    char c;
    return uw->want_byte && sg_recv(uw->fd, &c, 1, MSG_OOB | MSG_PEEK) == 1;
}

/* Virtual time as seconds with microseconds, the act's left margin. */
static void stamp(sg_world *w)
{
    uint64_t t = sg_world_now(w);
    printf("[%4" PRIu64 ".%06" PRIu64 " s] ", t / 1000000000u, t % 1000000000u / 1000u);
}

/* Printable view of up to n bytes: newlines as "\n", other control and
 * non-ASCII bytes as \xNN, so the line stays one line. */
static void print_bytes(const unsigned char *p, size_t n)
{
    putchar('"');
    for (size_t i = 0; i < n; i++) {
        if (p[i] == '\n')
            fputs("\\n", stdout);
        else if (p[i] == '\r')
            fputs("\\r", stdout);
        else if (p[i] == '"' || p[i] == '\\')
            printf("\\%c", p[i]);
        else if (p[i] < 0x20 || p[i] > 0x7e)
            printf("\\x%02x", p[i]);
        else
            putchar(p[i]);
    }
    putchar('"');
}

/* The stream: numbered lines like a long command's output, cut at n
 * bytes (the last line may be partial, as output interrupted is). */
static unsigned char *make_stream(size_t n)
{
    unsigned char *buf = malloc(n + 64);
    if (!buf)
        return NULL;
    size_t off = 0;
    for (unsigned line = 1; off < n; line++)
        off +=
            (size_t)sprintf((char *)buf + off,
                            "%06u: -rw-r--r-- 1 user user  4096 Nov 22 file%06u.log\n", line, line);
    return buf;
}

static void print_counter_line(const char *who, const uint64_t *c)
{
    printf("  %s: %" PRIu64 " segments sent, %" PRIu64 " retransmitted, %" PRIu64
           " sent with URG, %" PRIu64 " received with URG, %" PRIu64
           " urgent pointer(s) accepted\n",
           who, c[SG_C_TCP_OUT_SEGS], c[SG_C_TCP_RETRANS_SEGS], c[SG_C_TCP_URG_OUT],
           c[SG_C_TCP_URG_IN], c[SG_C_TCP_URG_ACCEPTED]);
}

static int fail(const char *what)
{
    fprintf(stderr, "sgdemo: %s: %s\n", what, strerror(errno));
    return -1;
}

/* The act's descriptors and byte accounting: every byte sent must end up
 * shown, discarded, urgent or read after the mark. */
struct act {
    int cfd, sfd;                /* client (10.0.0.1) and server (10.0.0.2) ends */
    const unsigned char *stream; /* what the client sends before the interrupt */
    size_t len, sent;            /* its length; how much send() has taken */
    size_t read_before;          /* bytes the server read before SIGURG */
    size_t discarded;            /* bytes thrown away up to the mark */
    size_t after;                /* bytes read after the mark */
    unsigned char first_after[48];
    size_t first_after_len;
};

/* After the interrupt the client sends a last line, the shell's answer
 * to it: what the reader should see right after the mark. */
static const char after_mark[] = "^C\n[interrupted]\nuser@10.0.0.1:~$ ";

/* Send as much of buf as the socket takes now (non-blocking). */
static int send_some(int fd, const unsigned char *buf, size_t len, size_t *done)
{
    while (*done < len) {
        ssize_t r = sg_send(fd, buf + *done, len - *done, MSG_NOSIGNAL);
        if (r < 0)
            return errno == EAGAIN ? 0 : -1;
        *done += (size_t)r;
    }
    return 0;
}

static int urgent_act(sg_world *w, sg_stack *a, sg_stack *b, size_t bytes)
{
    struct act x = {.cfd = -1, .sfd = -1, .len = bytes};
    int lfd = -1, rc = -1;
    unsigned char *stream = make_stream(bytes);
    if (!stream)
        return fail("stream");
    x.stream = stream;

    printf("\n== Act 2: urgent data over TCP ==\n\n");
    printf("10.0.0.1 plays a remote shell whose command prints %zu bytes of lines;\n"
           "10.0.0.2 is the user's terminal, reading them over TCP through the same\n"
           "lossy link, more slowly than they come (%d bytes per ms), so a backlog\n"
           "builds up. Then the user interrupts: the shell sends one urgent byte\n"
           "(0x%02x, telnet's Data Mark) with send(MSG_OOB), and everything before it\n"
           "is output nobody wants to see any more.\n\n",
           bytes, DEMO_READ_PER_TICK, DEMO_URGENT);

    struct sigaction sa = {.sa_handler = on_sigurg};
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGURG, &sa, NULL) < 0)
        return free(stream), fail("sigaction");

    struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons(DEMO_PORT)};
    sin.sin_addr.s_addr = htonl(0x0a000002); /* 10.0.0.2 */
    int one = 1;
    lfd = sg_socket_on(b, AF_INET, SOCK_STREAM, 0);
    if (lfd < 0 || sg_setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0 ||
        sg_bind(lfd, (struct sockaddr *)&sin, sizeof sin) < 0 || sg_listen(lfd, 1) < 0) {
        fail("listen");
        goto out;
    }
    x.cfd = sg_socket_on(a, AF_INET, SOCK_STREAM, 0);
    if (x.cfd < 0) {
        fail("socket");
        goto out;
    }
    stamp(w);
    printf("10.0.0.2 listens on port %d; 10.0.0.1 connects\n", DEMO_PORT);
    /* Blocking calls step the world until they complete: the handshake
     * (its SYN may be lost and resent) runs inside connect(). */
    if (sg_connect(x.cfd, (struct sockaddr *)&sin, sizeof sin) < 0) {
        fail("connect");
        goto out;
    }
    x.sfd = sg_accept(lfd, NULL, NULL);
    if (x.sfd < 0) {
        fail("accept");
        goto out;
    }
    stamp(w);
    printf("connected; the stream starts\n");

    /* The terminal asks for SIGURG, as telnet does: F_SETOWN to this
     * process. Both ends go non-blocking so this loop, not the calls,
     * decides when the world moves on. */
    if (sg_fcntl(x.sfd, F_SETOWN, (int)getpid()) < 0 || sg_fcntl(x.sfd, F_SETFL, O_NONBLOCK) < 0 ||
        sg_fcntl(x.cfd, F_SETFL, O_NONBLOCK) < 0) {
        fail("fcntl");
        goto out;
    }

    struct urg_wait uw = {.fd = x.sfd, .seen = sigurg_count};
    uint64_t deadline = sg_world_now(w) + DEMO_TCP_LIMIT;
    uint64_t t_interrupt = 0, t_sigurg = 0, t_byte = 0, t_mark = 0;
    int oob_sent = 0, shut = 0, at_mark = 0, have_byte = 0, eof = 0;
    size_t after_sent = 0;
    unsigned char urgent = 0;
    static unsigned char buf[65536];

    while (!eof) {
        if (sg_world_now(w) >= deadline) {
            fprintf(stderr, "sgdemo: the TCP act did not finish within 10 min of virtual time\n");
            goto out;
        }
        /* Client: the stream, then the interrupt, then the shell's answer. */
        if (send_some(x.cfd, x.stream, x.len, &x.sent) < 0) {
            fail("send");
            goto out;
        }
        if (x.sent == x.len && !oob_sent) {
            unsigned char dm = DEMO_URGENT;
            ssize_t r = sg_send(x.cfd, &dm, 1, MSG_OOB | MSG_NOSIGNAL);
            if (r == 1) {
                oob_sent = 1;
                t_interrupt = sg_world_now(w);
                stamp(w);
                printf("10.0.0.1 has handed all %zu bytes to TCP; the terminal has shown %zu.\n"
                       "%*sThe user interrupts: send(fd, \"\\x%02x\", 1, MSG_OOB). The urgent "
                       "byte is\n%*sbyte %zu of the stream; the \"mark\" is just before it.\n",
                       x.len, x.read_before, 15, "", DEMO_URGENT, 15, "", x.len + 1);
            } else if (errno != EAGAIN) {
                fail("send(MSG_OOB)");
                goto out;
            }
        }
        if (oob_sent && !shut) {
            if (send_some(x.cfd, (const unsigned char *)after_mark, sizeof after_mark - 1,
                          &after_sent) < 0) {
                fail("send");
                goto out;
            }
            if (after_sent == sizeof after_mark - 1) {
                sg_shutdown(x.cfd, SHUT_WR); /* end of output: the reader sees EOF */
                shut = 1;
            }
        }

        /* Server, before SIGURG: a slow terminal reading its ration. */
        if (!t_sigurg) {
            ssize_t r = sg_recv(x.sfd, buf, DEMO_READ_PER_TICK, 0);
            if (r > 0)
                x.read_before += (size_t)r;
            else if (r == 0 || errno != EAGAIN) {
                fail("recv (stream ended before the interrupt)");
                goto out;
            }
        }
        /* After SIGURG: throw everything away up to the mark, as fast as
         * it comes; sockatmark() says when the next byte is the urgent one. */
        while (t_sigurg && !at_mark) {
            int m = sg_sockatmark(x.sfd);
            if (m < 0) {
                fail("sockatmark");
                goto out;
            }
            if (m) {
                at_mark = 1;
                t_mark = sg_world_now(w);
                stamp(w);
                printf("sockatmark() = 1: 10.0.0.2 discarded %zu byte(s) of backlog to reach\n"
                       "%*sthe mark (the terminal had shown %zu before SIGURG)\n",
                       x.discarded, 15, "", x.read_before);
                break;
            }
            /* A normal read never crosses the mark: it stops just before. */
            ssize_t r = sg_recv(x.sfd, buf, sizeof buf, 0);
            if (r > 0)
                x.discarded += (size_t)r;
            else if (r < 0 && errno == EAGAIN)
                break; /* the rest of the backlog is still on the way */
            else {
                fail("recv (stream ended before the mark)");
                goto out;
            }
        }
        if (at_mark && !have_byte) {
            ssize_t r = sg_recv(x.sfd, &urgent, 1, MSG_OOB);
            if (r == 1) {
                have_byte = 1;
                stamp(w);
                printf("recv(fd, &c, 1, MSG_OOB) = 1: the urgent byte is 0x%02x%s\n", urgent,
                       urgent == DEMO_URGENT ? " (telnet's Data Mark), as sent" : " -- WRONG");
            } else if (errno != EAGAIN) {
                fail("recv(MSG_OOB)");
                goto out;
            }
            /* EAGAIN: the pointer came, the byte it points at not yet. */
        }
        if (have_byte) {
            for (;;) {
                ssize_t r = sg_recv(x.sfd, buf, sizeof buf, 0);
                if (r > 0) {
                    size_t take = sizeof x.first_after - x.first_after_len;
                    if (take > (size_t)r)
                        take = (size_t)r;
                    memcpy(x.first_after + x.first_after_len, buf, take);
                    x.first_after_len += take;
                    x.after += (size_t)r;
                } else if (r == 0) {
                    eof = 1;
                    break;
                } else if (errno == EAGAIN) {
                    break;
                } else {
                    fail("recv (after the mark)");
                    goto out;
                }
            }
            if (eof)
                break;
        }

        /* Let the world run until the next read ration is due, or until
         * something the story must time-stamp exactly happens first. */
        uw.want_byte = t_sigurg && !t_byte;
        if (sg_world_run_until(w, urg_event, &uw, DEMO_TICK) == 0) {
            if (sigurg_count != uw.seen) {
                uw.seen = sigurg_count;
                if (!t_sigurg) {
                    t_sigurg = sg_world_now(w);
                    stamp(w);
                    printf("SIGURG! (handler count %d, %.1f ms after the interrupt). A segment\n"
                           "%*scarrying the urgent pointer arrived: the signal comes with the\n"
                           "%*spointer, and the urgent byte itself may still be on its way.\n",
                           (int)sigurg_count, (double)(t_sigurg - t_interrupt) / 1e6, 15, "", 15,
                           "");
                }
            }
            if (uw.want_byte && !t_byte && t_sigurg && sigurg_count == uw.seen) {
                char c;
                if (sg_recv(x.sfd, &c, 1, MSG_OOB | MSG_PEEK) == 1) {
                    t_byte = sg_world_now(w);
                    stamp(w);
                    if (t_byte == t_sigurg)
                        printf("the urgent byte came in the same segment as the pointer\n");
                    else
                        printf("the urgent byte itself arrives, %.1f ms after SIGURG\n",
                               (double)(t_byte - t_sigurg) / 1e6);
                }
            }
        }
    }
    stamp(w);
    printf("after the mark, read normally: %zu bytes, then end of stream. First bytes:\n%*s",
           x.after, 15, "");
    print_bytes(x.first_after, x.first_after_len);
    printf("\n");
    size_t total = x.read_before + x.discarded + 1 + x.after;
    size_t expect = x.len + 1 + sizeof after_mark - 1;
    printf("%*saccounted for: %zu shown + %zu discarded + 1 urgent + %zu after = %zu of %zu "
           "sent%s\n",
           15, "", x.read_before, x.discarded, x.after, total, expect,
           total == expect ? "" : " -- MISMATCH");
    if (sigurg_count > 1)
        printf("\nSIGURG came %d times in all, once per new urgent pointer. The pointer is a\n"
               "16-bit offset from the segment's sequence number: while the urgent byte is\n"
               "more than 64 KB ahead, a segment can only point 64 KB forward, so (as Linux)\n"
               "each segment further on carries a later pointer, and each is a new SIGURG.\n",
               (int)sigurg_count);
    else
        printf("\nSIGURG came once: one urgent pointer, one signal.\n");
    if (t_byte && t_mark > t_byte)
        printf("The mark was reached %.1f ms after the urgent byte arrived: lost data before\n"
               "it had to be resent first (sockatmark() waits for every byte before it).\n",
               (double)(t_mark - t_byte) / 1e6);
    if (total != expect || urgent != DEMO_URGENT)
        goto out;
    rc = 0;
out:
    if (x.sfd >= 0)
        sg_close(x.sfd);
    if (x.cfd >= 0)
        sg_close(x.cfd);
    if (lfd >= 0)
        sg_close(lfd);
    free(stream);
    return rc;
}

int main(int argc, char **argv)
{
    uint64_t seed = 1, count = 4, bytes = DEMO_BYTES;
    double loss = 0.1;
    const char *pcap = "demo.pcap";
    static const struct option opts[] = {
        {"seed", required_argument, NULL, 's'},
        {"count", required_argument, NULL, 'c'},
        {"loss", required_argument, NULL, 'l'},
        {"pcap", required_argument, NULL, 'w'},
        {"bytes", required_argument, NULL, 'b'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int o;
    while ((o = getopt_long(argc, argv, "s:c:l:w:b:h", opts, NULL)) != -1) {
        char *end;
        switch (o) {
        case 's':
            if (parse_u64(optarg, &seed) < 0) {
                fprintf(stderr, "sgdemo: bad seed '%s'\n", optarg);
                return 2;
            }
            break;
        case 'c':
            if (parse_u64(optarg, &count) < 0 || count < 1 || count > DEMO_MAX_COUNT) {
                fprintf(stderr, "sgdemo: count must be 1..%d\n", DEMO_MAX_COUNT);
                return 2;
            }
            break;
        case 'b':
            if (parse_u64(optarg, &bytes) < 0 || bytes < 1 || bytes > DEMO_MAX_BYTES) {
                fprintf(stderr, "sgdemo: bytes must be 1..%d\n", DEMO_MAX_BYTES);
                return 2;
            }
            break;
        case 'l':
            loss = strtod(optarg, &end);
            if (end == optarg || *end || !(loss >= 0 && loss <= 1)) {
                fprintf(stderr, "sgdemo: loss must be a probability, 0..1\n");
                return 2;
            }
            break;
        case 'w':
            pcap = optarg;
            break;
        case 'h':
            usage(stdout, argv[0]);
            return 0;
        default:
            usage(stderr, argv[0]);
            return 2;
        }
    }
    if (optind < argc) {
        usage(stderr, argv[0]);
        return 2;
    }

    sg_world *w = sg_world_new(seed);
    if (!w) {
        perror("sgdemo: world");
        return 1;
    }
    sg_stack *a = sg_world_add_stack(w, NULL);
    sg_stack *b = sg_world_add_stack(w, NULL);
    struct sg_link_config lc = {
        .kind = SG_LINK_ETHERNET,
        .impair = {.loss = loss, .delay_ns = DEMO_DELAY, .jitter_ns = DEMO_JITTER},
        .pcap_path = pcap,
    };
    if (!a || !b || sg_world_connect(w, a, "10.0.0.1/24", b, "10.0.0.2/24", &lc) < 0) {
        fprintf(stderr, "sgdemo: %s%s%s\n", a && b ? pcap : "", a && b ? ": " : "",
                strerror(errno));
        sg_world_free(w);
        return 1;
    }
    if (ping_act(w, a, count) < 0 || urgent_act(w, a, b, (size_t)bytes) < 0) {
        sg_world_free(w);
        return 1;
    }

    uint64_t ca[SG_C__COUNT], cb[SG_C__COUNT];
    sg_stack_counters(a, ca, SG_C__COUNT);
    sg_stack_counters(b, cb, SG_C__COUNT);
    printf("\nTCP counters (sg_stack_counters):\n");
    print_counter_line("10.0.0.1", ca);
    print_counter_line("10.0.0.2", cb);
    struct sg_impair_stats st;
    sg_world_impair_stats(w, 0, &st);
    printf("link: %llu frames, %llu lost (seed %llu, loss %g)\n", (unsigned long long)st.frames,
           (unsigned long long)st.dropped, (unsigned long long)seed, loss);
    printf("\ncapture of 10.0.0.1's interface in %s. The segments carrying the urgent\n"
           "pointer (URG flag set):\n"
           "  tcpdump -nr %s 'tcp[13] & 32 != 0'\n"
           "and everything, checksums verified:\n"
           "  tcpdump -vv -nr %s\n",
           pcap, pcap, pcap);
    sg_world_free(w);
    return 0;
}

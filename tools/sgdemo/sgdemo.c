/* sgdemo: two sigurg stacks in a deterministic world, one pinging the
 * other across a lossy, jittery in-memory link, printed like ping(8) and
 * captured to a pcap file. Everything runs in virtual time: the output is
 * a function of the seed alone, and the run takes no real time at all.
 *
 *   sgdemo [--seed N] [--count N] [--loss P] [--pcap FILE]
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "sigurg/sigurg.h"
#include "sigurg/sim.h"

#define DEMO_PAYLOAD 56             /* ping(8)'s default: 64 bytes of ICMP */
#define DEMO_INTERVAL 1000000000ull /* 1 s between probes, as ping(8) */
#define DEMO_TIMEOUT 1000000000ull  /* a probe unanswered for 1 s is lost */
#define DEMO_DELAY 4000000ull       /* 4 ms each way ... */
#define DEMO_JITTER 2000000ull      /* ... plus 0..2 ms: RTT 8..12 ms */
#define DEMO_ID 0x5347              /* "SG" */
#define DEMO_MAX_COUNT 65535

struct demo {
    uint64_t sent_at[DEMO_MAX_COUNT + 1]; /* by seq (virtual time starts at 0) */
    unsigned char sent[DEMO_MAX_COUNT + 1], answered[DEMO_MAX_COUNT + 1];
    unsigned transmitted, received, duplicates;
    double rtt_min, rtt_max, rtt_sum, rtt_sum2; /* ms */
};

static void usage(FILE *f, const char *argv0)
{
    fprintf(f,
            "usage: %s [--seed N] [--count N] [--loss P] [--pcap FILE]\n"
            "\n"
            "Two sigurg stacks, 10.0.0.1/24 and 10.0.0.2/24, joined by an in-memory\n"
            "Ethernet link with loss P in each direction and 4 ms + 0..2 ms of delay\n"
            "each way. The first pings the second once a second of virtual time and\n"
            "prints what ping(8) would. Same seed, same output; another seed, another\n"
            "loss pattern.\n"
            "\n"
            "  --seed N    world seed (default 1)\n"
            "  --count N   probes to send, 1..%d (default 10)\n"
            "  --loss P    loss probability per frame and direction, 0..1 (default 0.1)\n"
            "  --pcap FILE capture of 10.0.0.1's interface (default demo.pcap;\n"
            "              read it with tcpdump -vv -r FILE)\n"
            "  --help      this text\n",
            argv0, DEMO_MAX_COUNT);
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

int main(int argc, char **argv)
{
    uint64_t seed = 1, count = 10;
    double loss = 0.1;
    const char *pcap = "demo.pcap";
    static const struct option opts[] = {
        {"seed", required_argument, NULL, 's'}, {"count", required_argument, NULL, 'c'},
        {"loss", required_argument, NULL, 'l'}, {"pcap", required_argument, NULL, 'w'},
        {"help", no_argument, NULL, 'h'},       {NULL, 0, NULL, 0},
    };
    int o;
    while ((o = getopt_long(argc, argv, "s:c:l:w:h", opts, NULL)) != -1) {
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

    static struct demo d; /* 640 KiB of per-seq state: not on the stack */
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
    sg_ping_set_handler(a, on_reply, &d);

    printf("PING 10.0.0.2 (10.0.0.2) %d(%d) bytes of data.\n", DEMO_PAYLOAD, DEMO_PAYLOAD + 28);
    for (uint64_t seq = 1; seq <= count; seq++) {
        d.sent_at[seq] = sg_world_now(w);
        d.sent[seq] = 1;
        if (sg_ping_send(a, "10.0.0.2", DEMO_ID, (uint16_t)seq, DEMO_PAYLOAD) < 0) {
            perror("sgdemo: ping");
            sg_world_free(w);
            return 1;
        }
        d.transmitted++;
        /* The probe's timeout and the next probe fall at the same time:
         * report the loss first, as ping -O does when it sends on. */
        sg_world_run_for(w, DEMO_TIMEOUT);
        if (!d.answered[seq])
            printf("no answer yet for icmp_seq=%u\n", (unsigned)seq);
    }
    uint64_t elapsed = sg_world_now(w) - DEMO_TIMEOUT; /* first to last probe, as ping */

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
    struct sg_impair_stats st;
    sg_world_impair_stats(w, 0, &st);
    printf("link: %llu frames, %llu lost (seed %llu); capture in %s\n",
           (unsigned long long)st.frames, (unsigned long long)st.dropped, (unsigned long long)seed,
           pcap);
    sg_world_free(w);
    return 0;
}

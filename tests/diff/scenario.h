/* Scenarios: what one is, the suite's registry, and the helpers every
 * scenario file shares (connection setup, send-and-settle).
 *
 * A scenario is a function of (ops, obs): it builds what it needs through
 * the ops table only, acts, and records observations. It runs in a process
 * of its own inside a world the backend set up for it (the runner calls
 * ops->setup first), so it may leave sockets open, set signal masks, exit.
 */
#ifndef SIGURG_TESTS_DIFF_SCENARIO_H
#define SIGURG_TESTS_DIFF_SCENARIO_H

#include "obs.h"
#include "sockops.h"

struct scenario {
    const char *name;  /* unique; the spec's name where it gives one */
    const char *rules; /* spec rules and surprises it pins: "R16 R21 S7" */
    void (*run)(const struct sockops *ops, struct obs *o);
    unsigned needs; /* enum sockops_cap bits */
    int stdurg;     /* the world starts with tcp_stdurg=1 */
};

struct suite {
    const char *name;
    const struct scenario *list;
    size_t count;
};

extern const struct suite suite_oob;

/* Default upper bound for settle(): loopback is quiet in microseconds, a
 * delayed ACK takes up to 40 ms. */
#define SETTLE_MS 300

/* A connected TCP pair. The client ("tx", HOST_A) connects to a listener
 * ("ls", HOST_B) and the accepted socket is "rx". Names are data-direction
 * hints only; scenarios may send either way. */
struct pair {
    int ls, tx, rx;
};

struct pair_opts {
    int family;    /* 0: the run's family */
    int protocol;  /* 0 or IPPROTO_MPTCP */
    int v4mapped;  /* AF_INET6 sockets to the peer's v4-mapped address */
    int tx_rcvbuf; /* SO_RCVBUF/SO_SNDBUF set before connect (tx) and */
    int tx_sndbuf; /* before listen (rx inherits them); 0: default */
    int rx_rcvbuf;
    int rx_sndbuf;
    int maxseg;         /* TCP_MAXSEG on both before connect/listen; 0: none */
    int rx_blocking;    /* rx is nonblocking unless set */
    int tx_nonblocking; /* tx is blocking unless set */
    int no_owner;       /* don't F_SETOWN rx to this process */
    int ls_oobinline;   /* SO_OOBINLINE on the listener before accept */
    int keep_listener;  /* don't close the listener after accept */
};

/* Build a pair (obs_fail on any error: setup is not under test). Blocking
 * sockets get 3 s SO_RCVTIMEO/SO_SNDTIMEO so a wrong backend cannot hang
 * the suite. The pair is settled when this returns. */
void pair_open(const struct sockops *ops, struct obs *o, const struct pair_opts *po,
               struct pair *p);
/* pair_open with defaults. */
void pair_default(const struct sockops *ops, struct obs *o, struct pair *p);

/* send() recorded, then settle, then "sigurg=N". */
ssize_t sc_send(const struct sockops *ops, struct obs *o, int fd, const char *s, int flags);
/* recv() recorded, and first with MSG_PEEK as well when peek is set. */
ssize_t sc_recv(struct obs *o, int fd, size_t len, int flags, int peek);
void sc_settle(const struct sockops *ops);
/* Set or clear O_NONBLOCK through fcntl. */
void sc_nonblock(const struct sockops *ops, struct obs *o, int fd, int on);
/* fcntl(F_SETOWN, pid) recorded. */
void sc_setown(const struct sockops *ops, struct obs *o, int fd, long pid);
/* SO_RCVTIMEO in milliseconds. */
void sc_rcvtimeo(const struct sockops *ops, struct obs *o, int fd, int ms);
/* Close with SO_LINGER {1,0}: the peer gets an RST. */
void sc_abort(const struct sockops *ops, struct obs *o, int fd);
/* A UDP socket bound to host h's address (port chosen by the stack). */
int sc_udp(const struct sockops *ops, struct obs *o, int host, int family, int v4mapped,
           const char *name);
/* Fill ss with fd's bound address (for sendto/connect to it). */
void sc_sockname(const struct sockops *ops, struct obs *o, int fd, struct sockaddr_storage *ss,
                 socklen_t *len);

#endif

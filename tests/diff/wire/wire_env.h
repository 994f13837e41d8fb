/* Wire-level environments: one local TCP/IP host whose sockets are driven
 * through a sockops table (../sockops.h), and a point-to-point IPv4 link to
 * a scripted peer played by the test itself, frame by frame.
 *
 *     local host 10.77.0.1/24  <--- raw IPv4 packets --->  the script (10.77.0.2)
 *
 * "kernel": the local host is a fresh network namespace of the scenario's
 * process; the link is a TUN device (IFF_TUN | IFF_NO_PI) there, so what
 * the script reads from the TUN descriptor is what the kernel sent and
 * what it writes is what the kernel receives.
 *
 * "sigurg": the local host is a sigurg stack in a deterministic world; the
 * link is a test link (sigurg/testlink.h) of kind SG_LINK_RAW_IP, and time
 * is the world's virtual clock.
 *
 * Time. Every wait is expressed in milliseconds and means real time on the
 * kernel and virtual time on sigurg: the same script waits the same way on
 * both, and a timer the local host arms (RTO, persist, delayed ACK) fires
 * inside the same waits.
 */
#ifndef SIGURG_TESTS_DIFF_WIRE_ENV_H
#define SIGURG_TESTS_DIFF_WIRE_ENV_H

#include "../sockops.h"

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* The addresses of every wire scenario (network order when used). */
#define WIRE_LOCAL_IP "10.77.0.1"
#define WIRE_PEER_IP "10.77.0.2"
#define WIRE_PREFIX 24
#define WIRE_MTU 1500

struct wire_env {
    const char *name;
    /* The local host's socket API. Its environment members (setup,
     * settle, host, addr) are not used by wire scenarios: the members
     * below replace them. */
    const struct sockops *ops;
    /* Build the world: the local host with WIRE_LOCAL_IP/WIRE_PREFIX on a
     * link of MTU WIRE_MTU towards the peer, net.ipv4.tcp_stdurg from
     * opts->stdurg. 0, or -1 and errno (EPERM/EACCES: this environment
     * cannot be built here; the runner skips). Runs once per scenario in
     * the scenario's own process. */
    int (*setup)(const struct env_opts *opts);
    void (*teardown)(void);
    /* Hand one IPv4 packet to the local host as if the peer had sent it.
     * 0, or -1 and errno. */
    int (*inject)(const void *pkt, size_t len);
    /* The next IPv4 packet the local host sent, waiting at most wait_ms
     * for one. Its length (copied into buf, at most cap bytes), 0 if none
     * came in time, or -1 and errno. Signals the local host raised (SIGURG)
     * have been delivered by the time it returns. */
    ssize_t (*capture)(void *buf, size_t cap, int wait_ms);
    /* The environment's clock in milliseconds (real or virtual), for
     * windows made of several captures. */
    long long (*now_ms)(void);
};

extern const struct wire_env wire_env_kernel;
extern const struct wire_env wire_env_sigurg;

#endif

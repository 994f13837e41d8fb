#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
/* Kernel backend: loopback in a private network namespace. */

#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "pair.h"

int pair_init(void)
{
    if (unshare(CLONE_NEWNET) != 0)
        return -1;
    int s = socket(AF_INET, SOCK_DGRAM, 0);
    struct ifreq ifr = {0};
    strcpy(ifr.ifr_name, "lo");
    int r = ioctl(s, SIOCGIFFLAGS, &ifr);
    ifr.ifr_flags |= IFF_UP;
    r |= ioctl(s, SIOCSIFFLAGS, &ifr);
    close(s);
    return r;
}

const char *pair_name(void)
{
    return "glibc_oob_examples_kernel";
}

int pair_open(int *tx, int *rx, int rcvbuf)
{
    int l = socket(AF_INET, SOCK_STREAM, 0);
    if (rcvbuf > 0)
        setsockopt(l, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t alen = sizeof a;
    if (bind(l, (struct sockaddr *)&a, sizeof a) || listen(l, 1) ||
        getsockname(l, (struct sockaddr *)&a, &alen))
        return -1;
    *tx = socket(AF_INET, SOCK_STREAM, 0);
    if (rcvbuf > 0) { /* room to queue a whole bulk send at once */
        int sndbuf = 1 << 20;
        setsockopt(*tx, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf);
    }
    if (connect(*tx, (struct sockaddr *)&a, sizeof a))
        return -1;
    *rx = accept(l, NULL, NULL);
    close(l);
    return *rx < 0 ? -1 : 0;
}

void pair_settle(void)
{
    struct timespec ts = {0, 20 * 1000 * 1000};
    nanosleep(&ts, NULL);
}

void pair_close(int tx, int rx)
{
    if (tx >= 0)
        close(tx);
    if (rx >= 0)
        close(rx);
}

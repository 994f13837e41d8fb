/* The kernel as the local host of a wire scenario: the scenario's process
 * gets a network namespace of its own (sockops_kernel.setup: unshare,
 * lo up, tcp_stdurg), and in it a TUN device "sgw0" with 10.77.0.1/24, so
 * the kernel routes 10.77.0.2 -- the scripted peer -- into our descriptor.
 *
 * The namespace and the device die with the scenario's process: nothing
 * is left behind, even when a scenario crashes or is killed.
 *
 * The TUN device has no offloads configured (no TUNSETOFFLOAD, no vnet
 * header), so the kernel completes every checksum before handing a packet
 * to us, and never hands us GSO super-packets: each read is one segment
 * as it would be on the wire.
 */
#include "wire_env.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#define TUN_NAME "sgw0"

static int tun_fd = -1;

static int write_sysctl(const char *path, const char *val)
{
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    ssize_t n = write(fd, val, strlen(val));
    close(fd);
    return n == (ssize_t)strlen(val) ? 0 : -1;
}

static int set_addr(int s, unsigned long req, const char *ip)
{
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", TUN_NAME);
    struct sockaddr_in *sin = (struct sockaddr_in *)&ifr.ifr_addr;
    sin->sin_family = AF_INET;
    inet_pton(AF_INET, ip, &sin->sin_addr);
    return ioctl(s, req, &ifr);
}

static int tun_configure(void)
{
    int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (s < 0)
        return -1;
    char mask[16];
    uint32_t m = WIRE_PREFIX ? htonl(~0u << (32 - WIRE_PREFIX)) : 0;
    inet_ntop(AF_INET, &m, mask, sizeof mask);
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", TUN_NAME);
    ifr.ifr_mtu = WIRE_MTU;
    int rc = ioctl(s, SIOCSIFMTU, &ifr);
    if (rc == 0)
        rc = set_addr(s, SIOCSIFADDR, WIRE_LOCAL_IP);
    if (rc == 0)
        rc = set_addr(s, SIOCSIFNETMASK, mask);
    if (rc == 0)
        rc = ioctl(s, SIOCGIFFLAGS, &ifr);
    if (rc == 0) {
        ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
        rc = ioctl(s, SIOCSIFFLAGS, &ifr);
    }
    int e = errno;
    close(s);
    errno = e;
    return rc;
}

static int kw_setup(const struct env_opts *opts)
{
    if (sockops_kernel.setup(opts) < 0)
        return -1;
    /* No IPv6 on the TUN device: its link-local address, router and MLD
     * solicitations would only be noise in the capture. */
    write_sysctl("/proc/sys/net/ipv6/conf/default/disable_ipv6", "1\n");
    tun_fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC | O_NONBLOCK);
    if (tun_fd < 0)
        return -1;
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
    snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", TUN_NAME);
    if (ioctl(tun_fd, TUNSETIFF, &ifr) < 0 || tun_configure() < 0) {
        int e = errno;
        close(tun_fd);
        tun_fd = -1;
        errno = e;
        return -1;
    }
    return 0;
}

static void kw_teardown(void)
{
    sockops_kernel.teardown();
    if (tun_fd >= 0)
        close(tun_fd);
    tun_fd = -1;
}

static int kw_inject(const void *pkt, size_t len)
{
    ssize_t n = write(tun_fd, pkt, len);
    if (n < 0)
        return -1;
    if ((size_t)n != len) {
        errno = EIO;
        return -1;
    }
    return 0;
}

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static ssize_t kw_capture(void *buf, size_t cap, int wait_ms)
{
    long long deadline = now_ms() + wait_ms;
    for (;;) {
        ssize_t n = read(tun_fd, buf, cap);
        if (n >= 0)
            return n;
        if (errno != EAGAIN && errno != EINTR)
            return -1;
        long long left = deadline - now_ms();
        if (left <= 0)
            return 0;
        struct pollfd p = {.fd = tun_fd, .events = POLLIN};
        if (poll(&p, 1, (int)left) < 0 && errno != EINTR)
            return -1;
    }
}

const struct wire_env wire_env_kernel = {
    .name = "kernel",
    .ops = &sockops_kernel,
    .setup = kw_setup,
    .teardown = kw_teardown,
    .inject = kw_inject,
    .capture = kw_capture,
    .now_ms = now_ms,
};

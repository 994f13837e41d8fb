/* sockaddr <-> (struct ipaddr, port), and Linux's rules for copying
 * addresses in and out of user buffers (net/socket.c move_addr_to_user,
 * net/ipv4/af_inet.c inet_bind, net/ipv6/af_inet6.c inet6_bind,
 * udp_sendmsg / udpv6_sendmsg, ip6_datagram_connect). */
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include "sock/sock.h"

/* RFC 2133's sockaddr_in6 without sin6_scope_id: what Linux accepts as
 * the shortest IPv6 address (SIN6_LEN_RFC2133). */
#define SOCK_SIN6_LEN_RFC2133 24

static int sock_addr_in4(const struct sockaddr *sa, socklen_t len, struct ipaddr *addr,
                         uint16_t *port)
{
    struct sockaddr_in sin;
    if (len < (socklen_t)sizeof(sin))
        return -EINVAL;
    memcpy(&sin, sa, sizeof(sin));
    *addr = ipaddr_v4(sin.sin_addr.s_addr);
    *port = ntohs(sin.sin_port);
    return 0;
}

int sock_addr_in(int domain, const struct sockaddr *sa, socklen_t len, enum sock_addr_use use,
                 struct ipaddr *addr, uint16_t *port)
{
    sa_family_t fam;
    if (len < (socklen_t)sizeof(fam))
        return -EINVAL;
    memcpy(&fam, sa, sizeof(fam));
    if (domain == AF_INET) {
        int err = sock_addr_in4(sa, len, addr, port);
        if (err < 0)
            return err;
        if (fam == AF_INET)
            return 0;
        /* inet_bind takes AF_UNSPEC for INADDR_ANY only ("compatibility
         * with old applications"); udp_sendmsg takes AF_UNSPEC as AF_INET. */
        if (fam == AF_UNSPEC && use == SOCK_ADDR_BIND && ipaddr_is_any(addr))
            return 0;
        if (fam == AF_UNSPEC && use == SOCK_ADDR_SENDTO)
            return 0;
        return -EAFNOSUPPORT;
    }
    /* AF_INET6: a datagram socket may be given an IPv4 sockaddr. */
    if (fam == AF_INET && (use == SOCK_ADDR_DGRAM_CONNECT || use == SOCK_ADDR_SENDTO))
        return sock_addr_in4(sa, len, addr, port);
    struct sockaddr_in6 sin6 = {0};
    if (len < SOCK_SIN6_LEN_RFC2133)
        return -EINVAL;
    memcpy(&sin6, sa, len < (socklen_t)sizeof(sin6) ? (size_t)len : sizeof(sin6));
    if (fam != AF_INET6)
        return use == SOCK_ADDR_SENDTO ? -EINVAL : -EAFNOSUPPORT;
    memcpy(addr->b, &sin6.sin6_addr, 16);
    *port = ntohs(sin6.sin6_port);
    return 0;
}

socklen_t sock_addr_out(int domain, const struct ipaddr *addr, uint16_t port,
                        struct sockaddr_storage *ss)
{
    memset(ss, 0, sizeof(*ss));
    if (domain == AF_INET) {
        struct sockaddr_in *sin = (struct sockaddr_in *)ss;
        sin->sin_family = AF_INET;
        sin->sin_port = htons(port);
        sin->sin_addr.s_addr = ipaddr_is_v4(addr) ? ipaddr_v4_be(addr) : 0;
        return sizeof(*sin);
    }
    struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;
    sin6->sin6_family = AF_INET6;
    sin6->sin6_port = htons(port);
    /* The core's "any" may be 0.0.0.0 mapped; an AF_INET6 socket reports
     * it as ::, as Linux does for an unbound socket. */
    if (!ipaddr_is_any(addr))
        memcpy(&sin6->sin6_addr, addr->b, 16);
    return sizeof(*sin6);
}

int sock_addr_copyout(const struct sockaddr_storage *ss, socklen_t klen, struct sockaddr *sa,
                      socklen_t *len)
{
    if (!len)
        return -EFAULT;
    int ulen = (int)*len;
    if (ulen < 0)
        return -EINVAL;
    size_t n = (size_t)ulen < klen ? (size_t)ulen : klen;
    if (n) {
        if (!sa)
            return -EFAULT;
        memcpy(sa, ss, n);
    }
    *len = klen;
    return 0;
}

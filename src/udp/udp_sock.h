/* UDP sockets: the datagram half of the socket layer (sock/sock.h calls
 * these for SOCK_DGRAM sockets), as Linux's udp.c / ip4_datagram.c.
 *
 * Per stack, a table of UDP pcbs (protocol control blocks), created on the
 * first UDP socket. It hooks into the core in three places, all in
 * struct stack: s->udp_deliver (udp.c hands every valid datagram to it),
 * and s->l4[IPPROTO_UDP].error / .state / .destroy (udp.c uses only
 * .input): ICMP errors about datagrams we sent come to udp_sock_icmp_error
 * through the ICMP layer, and stack_free frees the table.
 *
 * Demultiplexing (Linux's __udp4_lib_lookup scoring, reduced): a socket
 * matches a datagram to (dst, dport) from (src, sport) if it is bound to
 * dport, its local address is any or dst, and, if connected, its peer is
 * (src, sport). The most specific match wins (connected over unconnected,
 * exact address over any); among equals with SO_REUSEPORT the 4-tuple hash
 * picks one, otherwise the earliest bound. A datagram to a broadcast
 * address goes to every match (Linux __udp4_lib_mcast_deliver).
 *
 * Receive buffer: each queued datagram is charged a "truesize" modelled on
 * a Linux loopback skb (UDP_TRUESIZE in udp_sock.c: 832 bytes for a small
 * datagram, as measured on 6.18); one is accepted when the charge still
 * fits SO_RCVBUF, or when the queue is empty (Linux always takes one).
 * Otherwise it is dropped and counted UDP_RCVBUF_ERRORS by udp.c.
 *
 * Errors (oob.md R29 and Linux udp_sendmsg / __udp4_lib_err):
 *   send(MSG_OOB) -EOPNOTSUPP; recv ignores MSG_OOB.
 *   An ICMP hard error (port unreachable -> ECONNREFUSED, ...) about a
 *   datagram of a *connected* socket becomes its pending error (SO_ERROR,
 *   POLLERR), returned once by the next send or recv; unconnected sockets
 *   ignore ICMP errors (no IP_RECVERR).
 *
 * Not implemented: IP_RECVERR and the error queue (MSG_ERRQUEUE gives
 * EAGAIN: nothing is ever queued), cmsgs (IP_PKTINFO...: -EINVAL),
 * MSG_MORE / UDP_CORK (-EOPNOTSUPP), multicast groups, IPv6 routing.
 */
#ifndef SG_UDP_UDP_SOCK_H
#define SG_UDP_UDP_SOCK_H
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>
#include "base/time.h"
#include "net/addr.h"

struct sock;
struct stack;

/* Create the pcb of a new SOCK_DGRAM socket (sk->udp), registering the
 * stack's UDP table on first use. 0 or -ENOBUFS. */
int udp_sock_attach(struct sock *sk);
/* Unhash and free the pcb and its queued datagrams. */
void udp_sock_free(struct sock *sk);

/* bind: -EINVAL already bound or connected, -EADDRNOTAVAIL not a local
 * (or broadcast) address, -EADDRINUSE port taken (see SO_REUSEADDR /
 * SO_REUSEPORT: both sockets must set the same one). Port 0 picks an
 * ephemeral port (32768..60999). */
int udp_sock_bind(struct sock *sk, const struct ipaddr *addr, uint16_t port);
/* connect / disconnect (sa_family AF_UNSPEC) as Linux's
 * inet_dgram_connect + ip4_datagram_connect: autobind first (-EAGAIN if
 * no port), then the address checks (sock_addr_in), -ENETUNREACH no
 * route, -EACCES broadcast without SO_BROADCAST. The local address, if
 * unbound, becomes the route's source. */
int udp_sock_connect(struct sock *sk, const struct sockaddr *sa, socklen_t len);
ssize_t udp_sock_sendmsg(struct sock *sk, const struct msghdr *msg, int flags, sg_time now);
/* recvmsg: one datagram (MSG_PEEK, MSG_TRUNC; MSG_OOB ignored, R29), the
 * pending error first, -EAGAIN if none queued -- also after SHUT_RD: in
 * Linux only a *blocking* receive on an empty queue returns 0 after
 * SHUT_RD (__skb_wait_for_more_packets), a non-blocking one EAGAIN. The
 * runtime does the former. */
ssize_t udp_sock_recvmsg(struct sock *sk, struct msghdr *msg, int flags);
/* shutdown: sets the flags; -ENOTCONN if not connected (Linux). */
int udp_sock_shutdown(struct sock *sk, int how);
unsigned udp_sock_poll(const struct sock *sk);
int udp_sock_error(struct sock *sk);
/* getsockname (peer false) / getpeername: 0 or -ENOTCONN. */
int udp_sock_getname(const struct sock *sk, struct ipaddr *addr, uint16_t *port, bool peer);
/* SIOCINQ/FIONREAD (first datagram's length), SIOCOUTQ (0: datagrams
 * leave at once); -ENOTTY else (SIOCATMARK, R21; SIOCOUTQNSD). */
int udp_sock_ioctl(struct sock *sk, unsigned long req, int *val);
/* Bytes a recv could return now: the first datagram's length, or -1. */
int udp_sock_first_len(const struct sock *sk);
#endif

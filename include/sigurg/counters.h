/* sigurg per-stack counters, `netstat -s` style.
 *
 * One X-macro list so that the enum, the names printed by tools and the
 * documentation cannot drift apart. Every counter is a uint64_t that only
 * grows; read them with sg_stack_counters() (sigurg.h), which works on
 * threaded and simulated stacks alike. Drops are counted by reason: a packet that
 * is dropped increments exactly one *_DROP_* / *_ERR* counter.
 *
 * X(ENUM_NAME, "printed-name", "what it counts")
 */
#ifndef SIGURG_COUNTERS_H
#define SIGURG_COUNTERS_H

#define SG_COUNTERS(X)                                                                             \
    /* Links and link-layer input */                                                               \
    X(LINK_RX_FRAMES, "link.rx_frames", "frames received from links")                              \
    X(LINK_TX_FRAMES, "link.tx_frames", "frames handed to links")                                  \
    X(LINK_TX_DROP_NOBUF, "link.tx_drop_nobuf", "frames dropped: link queue full or no memory")   \
    X(ETH_DROP_SHORT, "eth.drop_short", "Ethernet frames shorter than a header")                   \
    X(ETH_DROP_NOT_US, "eth.drop_not_us", "Ethernet frames for another MAC address")               \
    X(ETH_DROP_PROTO, "eth.drop_proto", "Ethernet frames of an unknown EtherType")                  \
    X(ARP_IN, "arp.in", "ARP packets received")                                                    \
    X(ARP_DROP_BAD, "arp.drop_bad", "ARP packets malformed or not for us")                         \
    X(ARP_OUT, "arp.out", "ARP packets sent")                                                      \
    X(ARP_RESOLVE_FAIL, "arp.resolve_fail", "packets dropped: neighbour did not resolve")          \
    /* IPv4 (RFC 4293 names where one exists) */                                                   \
    X(IP_IN_RECEIVES, "ip.in_receives", "IPv4 datagrams received")                                 \
    X(IP_IN_HDR_ERRORS, "ip.in_hdr_errors", "dropped: bad version, IHL, length or TTL")            \
    X(IP_IN_CSUM_ERRORS, "ip.in_csum_errors", "dropped: bad IPv4 header checksum")                 \
    X(IP_IN_TRUNCATED, "ip.in_truncated", "dropped: frame shorter than total length")              \
    X(IP_IN_ADDR_ERRORS, "ip.in_addr_errors", "dropped: not addressed to this stack")              \
    X(IP_IN_UNKNOWN_PROTOS, "ip.in_unknown_protos", "dropped: no handler for the protocol")        \
    X(IP_IN_DELIVERS, "ip.in_delivers", "datagrams delivered to ICMP/UDP/TCP")                     \
    X(IP_OUT_REQUESTS, "ip.out_requests", "datagrams sent")                                        \
    X(IP_OUT_NO_ROUTES, "ip.out_no_routes", "dropped on output: no route")                         \
    X(IP_OUT_DISCARDS, "ip.out_discards", "dropped on output: too big with DF, or no memory")      \
    X(IP_REASM_REQDS, "ip.reasm_reqds", "fragments received")                                      \
    X(IP_REASM_OKS, "ip.reasm_oks", "datagrams reassembled")                                       \
    X(IP_REASM_FAILS, "ip.reasm_fails", "fragments dropped: duplicate, bad length or limit")       \
    X(IP_REASM_TIMEOUT, "ip.reasm_timeout", "reassemblies abandoned after timeout")                \
    X(IP_REASM_OVERLAPS, "ip.reasm_overlaps", "datagrams abandoned: overlapping fragments")        \
    X(IP_FRAG_CREATES, "ip.frag_creates", "fragments created on output")                           \
    /* ICMPv4 */                                                                                   \
    X(ICMP_IN_MSGS, "icmp.in_msgs", "ICMP messages received")                                      \
    X(ICMP_IN_ERRORS, "icmp.in_errors", "ICMP messages dropped: short or bad checksum")            \
    X(ICMP_IN_ECHOS, "icmp.in_echos", "echo requests received")                                    \
    X(ICMP_IN_ECHO_REPS, "icmp.in_echo_reps", "echo replies received")                             \
    X(ICMP_IN_DEST_UNREACHS, "icmp.in_dest_unreachs", "destination unreachable received")          \
    X(ICMP_IN_TIME_EXCDS, "icmp.in_time_excds", "time exceeded received")                          \
    X(ICMP_DROP_IGNORED, "icmp.drop_ignored", "ICMP ignored: unknown type, to broadcast, no taker")\
    X(ICMP_OUT_MSGS, "icmp.out_msgs", "ICMP messages sent")                                        \
    X(ICMP_OUT_ECHOS, "icmp.out_echos", "echo requests sent")                                      \
    X(ICMP_OUT_ECHO_REPS, "icmp.out_echo_reps", "echo replies sent")                               \
    X(ICMP_OUT_DEST_UNREACHS, "icmp.out_dest_unreachs", "destination unreachable sent")            \
    X(ICMP_OUT_TIME_EXCDS, "icmp.out_time_excds", "time exceeded sent (reassembly timeout)")       \
    X(ICMP_OUT_RATELIMITED, "icmp.out_ratelimited", "ICMP errors not sent: rate limit")            \
    /* UDP */                                                                                      \
    X(UDP_IN_DATAGRAMS, "udp.in_datagrams", "UDP datagrams delivered to sockets")                  \
    X(UDP_NO_PORTS, "udp.no_ports", "UDP datagrams to a port with no socket")                      \
    X(UDP_IN_ERRORS, "udp.in_errors", "UDP datagrams dropped: bad length or checksum")             \
    X(UDP_RCVBUF_ERRORS, "udp.rcvbuf_errors", "UDP datagrams dropped: receive buffer full")        \
    X(UDP_OUT_DATAGRAMS, "udp.out_datagrams", "UDP datagrams sent")                                \
    /* TCP (RFC 4022 names, then Linux TcpExt names) */                                            \
    X(TCP_ACTIVE_OPENS, "tcp.active_opens", "connections opened by connect")                      \
    X(TCP_PASSIVE_OPENS, "tcp.passive_opens", "connections opened by a listener")                 \
    X(TCP_ATTEMPT_FAILS, "tcp.attempt_fails", "connection attempts that failed")                   \
    X(TCP_ESTAB_RESETS, "tcp.estab_resets", "resets in ESTABLISHED or CLOSE_WAIT")                 \
    X(TCP_IN_SEGS, "tcp.in_segs", "segments received")                                             \
    X(TCP_OUT_SEGS, "tcp.out_segs", "segments sent, retransmissions excluded")                     \
    X(TCP_RETRANS_SEGS, "tcp.retrans_segs", "segments retransmitted")                              \
    X(TCP_IN_ERRS, "tcp.in_errs", "segments dropped: short, bad offset or options")                \
    X(TCP_IN_CSUM_ERRORS, "tcp.in_csum_errors", "segments dropped: bad checksum")                  \
    X(TCP_OUT_RSTS, "tcp.out_rsts", "resets sent")                                                 \
    X(TCP_IN_RSTS, "tcp.in_rsts", "resets accepted")                                               \
    X(TCP_NO_PORT, "tcp.no_port", "segments for no connection (answered with RST)")               \
    X(TCP_LISTEN_OVERFLOWS, "tcp.listen_overflows", "SYNs dropped: accept queue full")             \
    X(TCP_LISTEN_DROPS, "tcp.listen_drops", "SYNs dropped: SYN queue full or no memory")           \
    X(TCP_PAWS_DROPS, "tcp.paws_drops", "segments dropped by PAWS (RFC 7323)")                     \
    X(TCP_OUT_OF_WINDOW, "tcp.out_of_window", "unacceptable segments (answered with ACK)")         \
    X(TCP_CHALLENGE_ACKS, "tcp.challenge_acks", "challenge ACKs sent (RFC 5961)")                  \
    X(TCP_CHALLENGE_ACK_LIMITED, "tcp.challenge_ack_limited", "challenge ACKs not sent: limit")    \
    X(TCP_OFO_QUEUED, "tcp.ofo_queued", "segments queued out of order")                            \
    X(TCP_OFO_DROPS, "tcp.ofo_drops", "out-of-order segments dropped: buffer full")                \
    X(TCP_RCVBUF_DROPS, "tcp.rcvbuf_drops", "in-order data dropped: beyond the window")            \
    X(TCP_DUP_DATA, "tcp.dup_data", "segments with only already-received data")                    \
    X(TCP_DELAYED_ACKS, "tcp.delayed_acks", "ACKs sent by the delayed-ACK timer")                  \
    X(TCP_FAST_RETRANS, "tcp.fast_retrans", "fast retransmissions")                                \
    X(TCP_RTO_TIMEOUTS, "tcp.rto_timeouts", "retransmission timeouts")                             \
    X(TCP_SACK_RECOVERY, "tcp.sack_recovery", "recoveries using SACK (RFC 6675)")                  \
    X(TCP_RENO_RECOVERY, "tcp.reno_recovery", "recoveries using NewReno (RFC 6582)")               \
    X(TCP_SACK_BLOCKS_IN, "tcp.sack_blocks_in", "SACK blocks received")                            \
    X(TCP_DSACK_IN, "tcp.dsack_in", "D-SACK blocks received")                                      \
    X(TCP_DSACK_OUT, "tcp.dsack_out", "D-SACK blocks sent")                                        \
    X(TCP_SPURIOUS_RTOS, "tcp.spurious_rtos", "RTOs found spurious")                               \
    X(TCP_PROBES, "tcp.window_probes", "zero-window probes sent")                                  \
    X(TCP_KEEPALIVE_PROBES, "tcp.keepalive_probes", "keepalive probes sent")                       \
    X(TCP_KEEPALIVE_TIMEOUTS, "tcp.keepalive_timeouts", "connections dropped by keepalive")         \
    X(TCP_TIMEWAIT_REUSED, "tcp.timewait_reused", "TIME_WAIT connections reused by a new SYN")     \
    X(TCP_ABORT_ON_CLOSE, "tcp.abort_on_close", "resets sent on close with unread data")           \
    X(TCP_ABORT_ON_LINGER, "tcp.abort_on_linger", "resets sent by SO_LINGER 0")                    \
    X(TCP_ABORT_ON_TIMEOUT, "tcp.abort_on_timeout", "connections aborted: retransmission limit")   \
    /* TCP urgent data (shared/spec/oob.md) */                                                     \
    X(TCP_URG_OUT, "tcp.urg_out", "segments sent with URG")                                        \
    X(TCP_URG_IN, "tcp.urg_in", "segments received with URG")                                      \
    X(TCP_URG_ACCEPTED, "tcp.urg_accepted", "urgent pointers accepted (R11), one SIGURG each")     \
    X(TCP_URG_IGNORED, "tcp.urg_ignored", "urgent pointers ignored: old or already received")      \
    X(TCP_URG_BYTE_DROPPED, "tcp.urg_byte_dropped", "urgent bytes deleted by a newer mark (R14)")

enum sg_counter {
#define SG_COUNTER_ENUM(e, n, d) SG_C_##e,
    SG_COUNTERS(SG_COUNTER_ENUM)
#undef SG_COUNTER_ENUM
        SG_C__COUNT
};

#endif

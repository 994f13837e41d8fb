#!/usr/bin/env python3
"""Writes the seed corpus of fuzz_frame (see fuzz_frame.c for the input
format) into tests/fuzz/corpus/: a few valid frames of each kind the stack
handles, so the fuzzer starts from inside every parser. Run from anywhere;
the files are committed, this script only documents how they were made."""
import os
import struct

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")
OUR_MAC = bytes([2, 0, 0, 0, 0, 1])
PEER_MAC = bytes([2, 0, 0, 0, 0, 2])
BCAST = b"\xff" * 6
ETH, RAW = 0, 1


def ip(a):
    return bytes(int(x) for x in a.split("."))


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def ip4(src, dst, proto, payload, ident=1, off=0, mf=False, df=False, opts=b""):
    hl = 20 + len(opts)
    flags = (0x4000 if df else 0) | (0x2000 if mf else 0) | (off // 8)
    h = struct.pack("!BBHHHBBH4s4s", 0x40 | hl // 4, 0, hl + len(payload), ident, flags,
                    64, proto, 0, ip(src), ip(dst)) + opts
    h = h[:10] + struct.pack("!H", csum(h)) + h[12:]
    return h + payload


def icmp(typ, code, rest, data):
    m = struct.pack("!BBH", typ, code, 0) + rest + data
    return m[:2] + struct.pack("!H", csum(m)) + m[4:]


def udp(src, dst, sport, dport, data):
    ln = 8 + len(data)
    u = struct.pack("!HHHH", sport, dport, ln, 0) + data
    pseudo = ip(src) + ip(dst) + struct.pack("!BBH", 0, 17, ln)
    c = csum(pseudo + u) or 0xFFFF
    return u[:6] + struct.pack("!H", c) + u[8:]


def eth(dst, typ, payload):
    return dst + PEER_MAC + struct.pack("!H", typ) + payload


def arp(op, sha, spa, tha, tpa):
    return struct.pack("!HHBBH", 1, 0x0800, 6, 4, op) + sha + ip(spa) + tha + ip(tpa)


def single(iface, frame):
    return bytes([iface]) + frame


def multi(records):
    out = bytes([2])
    for iface, frame in records:
        out += bytes([iface]) + struct.pack("!H", len(frame)) + frame
    return out


def main():
    os.makedirs(OUT, exist_ok=True)
    echo = icmp(8, 0, struct.pack("!HH", 0x1234, 1), b"abcdefghijklmnop")
    arp_req = eth(BCAST, 0x0806, arp(1, PEER_MAC, "10.0.0.2", b"\0" * 6, "10.0.0.1"))
    big = bytes(range(256)) * 8  # 2048 bytes of UDP payload
    dgram = udp("10.1.0.2", "10.1.0.1", 5000, 53, big)
    f1 = ip4("10.1.0.2", "10.1.0.1", 17, dgram[:1480], ident=7, off=0, mf=True)
    f2 = ip4("10.1.0.2", "10.1.0.1", 17, dgram[1480:], ident=7, off=1480)
    quoted = ip4("10.1.0.1", "192.0.2.9", 6, struct.pack("!HHI", 40000, 80, 1))[:28]
    seeds = {
        "eth_arp_request": single(ETH, arp_req),
        "eth_arp_reply": single(ETH, eth(OUR_MAC, 0x0806,
                                         arp(2, PEER_MAC, "10.0.0.2", OUR_MAC, "10.0.0.1"))),
        "eth_echo_request": single(ETH, eth(OUR_MAC, 0x0800,
                                            ip4("10.0.0.2", "10.0.0.1", 1, echo))),
        "eth_ip_options": single(ETH, eth(OUR_MAC, 0x0800,
                                          ip4("10.0.0.2", "10.0.0.1", 1, echo,
                                              opts=b"\x01\x01\x01\x00"))),
        "eth_learn_then_ping": multi([(ETH, arp_req),
                                      (ETH, eth(OUR_MAC, 0x0800,
                                                ip4("10.0.0.2", "10.0.0.1", 1, echo)))]),
        "raw_echo_request": single(RAW, ip4("10.1.0.2", "10.1.0.1", 1, echo)),
        "raw_udp_closed_port": single(RAW, ip4("10.1.0.2", "10.1.0.1", 17,
                                               udp("10.1.0.2", "10.1.0.1", 5000, 9, b"hi"))),
        "raw_unknown_proto": single(RAW, ip4("10.1.0.2", "10.1.0.1", 99, b"\0" * 16)),
        "raw_frag_needed": single(RAW, ip4("10.1.0.254", "10.1.0.1", 1,
                                           icmp(3, 4, struct.pack("!HH", 0, 1280), quoted))),
        "raw_fragments": multi([(RAW, f2), (RAW, f1)]),
        "raw_fragment_first_only": multi([(RAW, f1)]),
        "raw_fragments_overlap": multi([(RAW, f1),
                                        (RAW, ip4("10.1.0.2", "10.1.0.1", 17, dgram[1472:],
                                                  ident=7, off=1472))]),
        "eth_ping_from_unknown_neighbour": multi([(ETH, eth(OUR_MAC, 0x0800,
                                                          ip4("10.0.0.9", "10.0.0.1", 1, echo)))]),
    }
    for name, data in seeds.items():
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()

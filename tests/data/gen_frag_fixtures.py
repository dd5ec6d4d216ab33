#!/usr/bin/python3
"""Fragment trains for the reassembly unit tests (tests/data/frag/), made by
scapy from whole DNS answers; each *_whole.pcap holds the datagram the
train must reassemble to. Re-run after editing; the output is committed."""
import os

from scapy.all import (DNS, DNSQR, DNSRR, IP, UDP, Ether, IPOption_Router_Alert,
                       IPOption_RR, IPv6, IPv6ExtHdrDestOpt,
                       IPv6ExtHdrFragment, IPv6ExtHdrHopByHop, Pad1, PadN, Raw,
                       fragment, fragment6, wrpcap)

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "frag")
ETH = Ether(src="02:00:00:00:00:02", dst="02:00:00:00:00:01")


def answer(n=12, name="big.example.com."):
    an = None
    for i in range(n):
        rr = DNSRR(rrname=name, type="TXT", ttl=300, rdata=[("%03d" % i + "y" * 240).encode()])
        an = rr if an is None else an / rr
    return DNS(id=0x2222, qr=1, aa=1, qd=DNSQR(qname=name, qtype="TXT"), an=an)


def w(name, pkts):
    for i, p in enumerate(pkts):
        p.time = 1700000000 + i
    wrpcap(os.path.join(OUT, name + ".pcap"), pkts)


def main():
    os.makedirs(OUT, exist_ok=True)
    # IPv4: a 3 kB answer in three fragments.
    whole4 = IP(src="203.0.113.53", dst="198.51.100.10", id=0x1111) / UDP(sport=53, dport=40000) / answer()
    whole4 = IP(bytes(whole4))
    w("v4_whole", [ETH / whole4])
    f4 = fragment(whole4, fragsize=1200)
    assert len(f4) == 3
    w("v4_train", [ETH / f for f in f4])
    # A second datagram, to interleave.
    other = IP(src="203.0.113.53", dst="198.51.100.10", id=0x1112) / UDP(sport=53, dport=40001) / answer(8)
    other = IP(bytes(other))
    w("v4b_whole", [ETH / other])
    w("v4b_train", [ETH / f for f in fragment(other, fragsize=1200)])
    # Overlap: the second fragment again, shifted back 8 octets, other data.
    bad = f4[1].copy()
    bad.frag -= 1
    bad[Raw].load = b"Z" * len(bad[Raw].load)
    del bad.chksum
    w("v4_overlap", [ETH / IP(bytes(bad))])
    # Past 65535: a last fragment at offset 65512 with 100 octets.
    far = IP(src="203.0.113.53", dst="198.51.100.10", id=0x1113, proto=17, frag=8189, flags=0) / Raw(b"x" * 100)
    w("v4_far", [ETH / IP(bytes(far))])
    # A non-DNS datagram's fragments.
    ntp = IP(src="203.0.113.53", dst="198.51.100.10", id=0x1114) / UDP(sport=123, dport=40000) / Raw(b"n" * 2500)
    w("v4_notdns_train", [ETH / f for f in fragment(IP(bytes(ntp)), fragsize=1200)])

    # IPv4 with options: record route (not copied into later fragments)
    # and router alert (copied), for re-fragmentation.
    opt4 = IP(src="203.0.113.53", dst="198.51.100.10", id=0x1115,
              options=[IPOption_RR(routers=["0.0.0.0"] * 2), IPOption_Router_Alert()]) / \
        UDP(sport=53, dport=40000) / answer()
    w("v4opt_whole", [ETH / IP(bytes(opt4))])

    # IPv6 with a hop-by-hop header before the fragment header.
    base6 = IPv6(src="2001:db8:2::53", dst="2001:db8:1::10") / IPv6ExtHdrHopByHop(options=[PadN(optdata=b"\0" * 4)])
    whole6 = base6 / UDP(sport=53, dport=40000) / answer()
    w("v6_whole", [ETH / IPv6(bytes(whole6))])
    f6 = fragment6(base6 / IPv6ExtHdrFragment(id=0x6666) / UDP(sport=53, dport=40000) / answer(), 1280)
    assert len(f6) == 3, len(f6)
    w("v6_train", [ETH / f for f in f6])
    # Tiny first fragment: a destination-options header after the fragment
    # header fills the first fragment exactly (1232 octets at MTU 1280),
    # pushing UDP into the second. (Were the options header itself cut,
    # the first fragment would be malformed: RFC 7112.)
    tiny = IPv6(src="2001:db8:2::53", dst="2001:db8:1::10") / IPv6ExtHdrFragment(id=0x7777) / \
        IPv6ExtHdrDestOpt(options=[PadN(optdata=b"\0" * 250) for _ in range(4)] + [PadN(optdata=b"\0" * 220)]) / UDP(sport=53, dport=40000) / answer(2)
    w("v6_tiny_train", [ETH / f for f in fragment6(tiny, 1280)])


if __name__ == "__main__":
    main()

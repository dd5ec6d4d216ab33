#!/usr/bin/python3
"""Write the core's unit-test fixtures (tests/data/core/*.pcap) with scapy,
an encoder independent of the code under test. Each file holds one frame
unless its name says otherwise. Re-run after editing; the output is committed."""
import os
import sys

from scapy.all import (ARP, DNS, DNSQR, DNSRR, DNSRROPT, DNSRRRSIG, EDNS0TLV,
                       ICMP, IP, IPOption_Router_Alert, IPv6,
                       IPv6ExtHdrDestOpt, IPv6ExtHdrFragment,
                       IPv6ExtHdrHopByHop, IPv6ExtHdrRouting, TCP, UDP, Dot1AD,
                       Dot1Q, Ether, Raw, fragment, wrpcap)
from scapy.layers.dns import dns_compress

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "core")
C4, S4 = "198.51.100.10", "203.0.113.53"
C6, S6 = "2001:db8:1::10", "2001:db8:2::53"
ETH = Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02")
ETH_R = Ether(src="02:00:00:00:00:02", dst="02:00:00:00:00:01")


def opt(size=4096, do=True, options=None, version=0, extrcode=0):
    return DNSRROPT(rclass=size, z=0x8000 if do else 0, version=version,
                    extrcode=extrcode, rdata=options or [])


def query(name="www.example.com.", qtype="A", size=4096, do=True, options=None, edns=True):
    return DNS(id=0x1234, rd=1, qd=DNSQR(qname=name, qtype=qtype),
               ar=opt(size, do, options) if edns else None)


def big_answer(name="big.example.com.", n=30, do=True, size=1232, txt_len=40,
               rcode=0, extrcode=0):
    """A signed-looking answer: n TXT records and their RRSIG, an NS in
    authority, an OPT with the server's size, compressed like a server does."""
    an = None
    for i in range(n):
        rr = DNSRR(rrname=name, type="TXT", ttl=300,
                   rdata=[("r%02d-" % i + "x" * txt_len).encode()])
        an = rr if an is None else an / rr
    an = an / DNSRRRSIG(rrname=name, typecovered=16, algorithm=13, labels=3,
                         originalttl=300, expiration=1800000000,
                         inception=1700000000, keytag=4242,
                         signersname="example.com.", signature=b"S" * 64)
    d = DNS(id=0x1234, qr=1, aa=1, rd=1, ad=1, cd=1, rcode=rcode,
            qd=DNSQR(qname=name, qtype="TXT"), an=an,
            ns=DNSRR(rrname="example.com.", type="NS", ttl=300, rdata="ns1.example.com."),
            ar=DNSRROPT(rclass=size, z=0x8000 if do else 0, extrcode=extrcode,
                        rdata=[EDNS0TLV(optcode=10, optdata=b"C" * 24)]))
    return Raw(bytes(dns_compress(d)))


def udp4(dns, reply=False, chksum=None):
    ip = IP(src=S4, dst=C4) if reply else IP(src=C4, dst=S4)
    udp = UDP(sport=53, dport=40000) if reply else UDP(sport=40000, dport=53)
    if chksum is not None:
        udp.chksum = chksum
    return (ETH_R if reply else ETH) / ip / udp / dns


def udp6(dns, reply=False, ext=None):
    ip = IPv6(src=S6, dst=C6) if reply else IPv6(src=C6, dst=S6)
    udp = UDP(sport=53, dport=40000) if reply else UDP(sport=40000, dport=53)
    l3 = ip / ext / udp if ext is not None else ip / udp
    return (ETH_R if reply else ETH) / l3 / dns


def w(name, pkts):
    if not isinstance(pkts, list):
        pkts = [pkts]
    for i, p in enumerate(pkts):
        p.time = 1700000000 + i  # fixed, so regenerating changes nothing
    wrpcap(os.path.join(OUT, name + ".pcap"), pkts)


def main():
    os.makedirs(OUT, exist_ok=True)
    # Queries: even and odd name lengths put the OPT size field at both
    # word alignments relative to the UDP header.
    w("q4_do", udp4(query()))
    w("q4_odd", udp4(query(name="ww.example.com.")))
    w("q4_small", udp4(query(size=1200, do=False)))
    w("q4_below512", udp4(query(size=100, do=False)))
    w("q4_noedns", udp4(query(edns=False)))
    w("q4_opts", udp4(query(options=[EDNS0TLV(optcode=10, optdata=b"\x01" * 8),
                                     EDNS0TLV(optcode=8, optdata=b"\x00\x01\x18\x00\xc6\x33\x64")])))
    w("q4_nocksum", udp4(query(), chksum=0))
    w("q4_vlan", ETH / Dot1Q(vlan=100) / IP(src=C4, dst=S4) / UDP(sport=40000, dport=53) / query())
    w("q4_qinq", Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02") /
      Dot1AD(vlan=200) / Dot1Q(vlan=100) / IP(src=C4, dst=S4) / UDP(sport=40000, dport=53) / query())
    w("q4_3tags", ETH / Dot1AD(vlan=300) / Dot1Q(vlan=200) / Dot1Q(vlan=100) /
      IP(src=C4, dst=S4) / UDP(sport=40000, dport=53) / query())
    w("q4_ipopts", ETH / IP(src=C4, dst=S4, options=[IPOption_Router_Alert()]) /
      UDP(sport=40000, dport=53) / query())
    w("q6_do", udp6(query()))
    w("q6_odd", udp6(query(name="ww.example.com.")))
    w("q6_ext", udp6(query(), ext=IPv6ExtHdrHopByHop() / IPv6ExtHdrDestOpt() /
                     IPv6ExtHdrRouting(addresses=[], segleft=0) / IPv6ExtHdrDestOpt()))
    w("q6_atomic", udp6(query(), ext=IPv6ExtHdrFragment(offset=0, m=0, id=7)))
    many = IPv6ExtHdrDestOpt()
    for _ in range(8):
        many = many / IPv6ExtHdrDestOpt()
    w("q6_ext_too_many", udp6(query(), ext=many))
    # Responses.
    w("r4_big", udp4(big_answer(), reply=True))
    w("r4_big_nodo", udp4(big_answer(do=False, rcode=3, extrcode=1), reply=True))
    w("r4_big_nocksum", udp4(big_answer(), reply=True, chksum=0))
    w("r6_big", udp6(big_answer(), reply=True))
    w("r6_big_ext", udp6(big_answer(), reply=True,
                         ext=IPv6ExtHdrHopByHop() / IPv6ExtHdrDestOpt()))
    w("r4_small", udp4(DNS(id=0x1234, qr=1, rd=1, ra=1, qd=DNSQR(qname="www.example.com."),
                           an=DNSRR(rrname="www.example.com.", rdata="203.0.113.80"),
                           ar=opt(1232, True)), reply=True))
    noopt = DNS(bytes(big_answer()))
    noopt.ar = None
    noopt.arcount = 0
    w("r4_big_noopt", udp4(Raw(bytes(dns_compress(noopt))), reply=True))
    # Fragments, both families: first and a later fragment.
    big4 = IP(src=S4, dst=C4, id=0x4242) / UDP(sport=53, dport=40000) / big_answer(n=60)
    f4 = fragment(big4, fragsize=1208)
    w("frag4_first", ETH_R / f4[0])
    w("frag4_later", ETH_R / f4[1])
    big6 = IPv6(src=S6, dst=C6) / IPv6ExtHdrFragment(id=0x77) / UDP(sport=53, dport=40000) / big_answer(n=60)
    from scapy.all import fragment6
    f6 = fragment6(big6, 1280)
    w("frag6_first", ETH_R / f6[0])
    w("frag6_later", ETH_R / f6[1])
    # Not DNS, or not ours.
    w("arp", Ether(dst="ff:ff:ff:ff:ff:ff", src="02:00:00:00:00:01") / ARP(psrc=C4, pdst=S4))
    w("icmp4", ETH / IP(src=C4, dst=S4) / ICMP())
    w("udp_other", ETH / IP(src=C4, dst=S4) / UDP(sport=40000, dport=123) / Raw(b"\x23" + b"\0" * 47))
    w("tcp53_syn", ETH / IP(src=C4, dst=S4) / TCP(sport=40001, dport=53, flags="S",
                                                  options=[("MSS", 1460)]))
    w("tcp53_syn_nop", ETH / IPv6(src=C6, dst=S6) / TCP(sport=40002, dport=53, flags="S",
                                                        options=[("NOP", None), ("MSS", 1460),
                                                                 ("NOP", None), ("NOP", None),
                                                                 ("NOP", None)]))
    # Queries over TCP/53 from the client (RFC 7766 framing): one on the
    # connection of tcp53_syn, two pipelined in one segment there, one on
    # another connection (reused, no SYN seen).
    def framed(*names):
        return b"".join(len(m).to_bytes(2, "big") + m
                        for m in (bytes(query(n, "TXT")) for n in names))
    tcp_q = ETH / IP(src=C4, dst=S4)
    w("tcp53_queries", [
        tcp_q / TCP(sport=40001, dport=53, flags="PA", seq=1, ack=1) / Raw(framed("a.example.")),
        tcp_q / TCP(sport=40001, dport=53, flags="PA", seq=40, ack=1) /
        Raw(framed("b.example.", "c.example.")),
        tcp_q / TCP(sport=40003, dport=53, flags="PA", seq=1, ack=1) / Raw(framed("d.example.")),
    ])
    w("tcp6_other", ETH / IPv6(src=C6, dst=S6) / TCP(sport=40001, dport=443, flags="S"))
    # A padded minimum-size frame: Ethernet padding after the IP datagram.
    small = ETH / IP(src=C4, dst=S4) / UDP(sport=40000, dport=53) / DNS(id=1, qd=None)
    raw = bytes(small)
    w("q4_padded", Ether(raw + b"\0" * (60 - len(raw))) if len(raw) < 60 else small)
    return 0


if __name__ == "__main__":
    sys.exit(main())

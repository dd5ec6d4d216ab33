#!/usr/bin/python3
"""Fragment policies, offline through the daemon (net_pcap): one capture
made by scapy -- queries and their fragmented answers (IPv4 and IPv6, 3 kB
in 1500-octet fragments), a small answer, a non-DNS fragment train and a
DNS answer whose fragments come last-first -- run once per policy, and
what the daemon writes judged by scapy:

  pass        every frame out exactly as it came in;
  reassemble  (client_mtu 1280) the answers leave as fragments of at most
              1280 octets that scapy reassembles into the original
              datagram; (client_mtu 9000) as the original datagram whole;
  truncate    (client_mtu 1280) the answers leave as TC=1 answers with
              valid checksums; the small answer untouched;
  drop        the DNS fragments are gone (of the reordered train, only the
              fragments that came before anything said DNS);

and in every other policy the non-DNS fragments and the reordered train
go on as they came, and the counters add up."""
import json
import os
import subprocess
import sys
import tempfile

from scapy.all import (DNS, DNSQR, DNSRR, DNSRROPT, IP, UDP, Ether, IPv6, IPv6ExtHdrFragment,
                       Raw, defragment, fragment, fragment6, rdpcap, wrpcap)

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BUILD = os.path.abspath(os.environ.get("DNSB_BUILD", os.path.join(ROOT, "build")))
ETH_C = Ether(src="02:00:00:00:00:0c", dst="02:00:00:00:00:05")
ETH_S = Ether(src="02:00:00:00:00:05", dst="02:00:00:00:00:0c")
C4, S4 = "198.51.100.10", "203.0.113.53"
C6, S6 = "2001:db8:1::10", "2001:db8:2::53"


def answer(qid, name, n):
    an = None
    for i in range(n):
        rr = DNSRR(rrname=name, type="TXT", ttl=300, rdata=[("%03d" % i + "z" * 240).encode()])
        an = rr if an is None else an / rr
    return DNS(id=qid, qr=1, aa=1, qd=DNSQR(qname=name, qtype="TXT"), an=an,
               ar=DNSRROPT(rclass=4096, z=0x8000))


def query(qid, name):
    return DNS(id=qid, rd=0, qd=DNSQR(qname=name, qtype="TXT"), ar=DNSRROPT(rclass=4096, z=0x8000))


def build():
    """Frames with labels: (label, frame)."""
    out = []
    q4 = ETH_C / IP(src=C4, dst=S4, id=1) / UDP(sport=40000, dport=53) / query(0x4444, "big4.example.")
    out.append(("q", q4))
    a4 = IP(bytes(IP(src=S4, dst=C4, id=0x5151) / UDP(sport=53, dport=40000) / answer(0x4444, "big4.example.", 12)))
    for f in fragment(a4, fragsize=1480):
        out.append(("a4", ETH_S / f))
    q6 = ETH_C / IPv6(src=C6, dst=S6) / UDP(sport=40001, dport=53) / query(0x6666, "big6.example.")
    out.append(("q", q6))
    a6 = IPv6(bytes(IPv6(src=S6, dst=C6) / UDP(sport=53, dport=40001) / answer(0x6666, "big6.example.", 12)))
    for f in fragment6(IPv6(src=S6, dst=C6) / IPv6ExtHdrFragment(id=0xf6f6) / a6[UDP], 1500):
        out.append(("a6", ETH_S / f))
    qs = ETH_C / IP(src=C4, dst=S4, id=2) / UDP(sport=40002, dport=53) / query(0x7777, "small.example.")
    out.append(("q", qs))
    out.append(("small", ETH_S / IP(src=S4, dst=C4, id=3) / UDP(sport=53, dport=40002) / answer(0x7777, "small.example.", 1)))
    ntp = IP(bytes(IP(src=S4, dst=C4, id=0x1234) / UDP(sport=123, dport=40000) / Raw(b"n" * 2500)))
    for f in fragment(ntp, fragsize=1480):
        out.append(("other", ETH_S / f))
    q5 = ETH_C / IP(src=C4, dst=S4, id=4) / UDP(sport=40003, dport=53) / query(0x5555, "late.example.")
    out.append(("q", q5))
    a5 = IP(bytes(IP(src=S4, dst=C4, id=0x5252) / UDP(sport=53, dport=40003) / answer(0x5555, "late.example.", 12)))
    for f in reversed(fragment(a5, fragsize=1480)):
        out.append(("reordered", ETH_S / f))
    frames = []
    for i, (label, p) in enumerate(out):
        p = Ether(bytes(p))
        p.time = 1700000000 + i / 1000
        frames.append((label, p))
    return frames, {"a4": a4, "a6": a6}


def run(tmp, frames, policy, mtu):
    inp, outp = os.path.join(tmp, "in.pcap"), os.path.join(tmp, f"out-{policy}-{mtu}.pcap")
    wrpcap(inp, [p for _, p in frames])
    cfg = os.path.join(tmp, "frag.cfg")
    with open(cfg, "w") as f:
        f.write('eal = [ "--no-huge", "-m", "256", "--no-telemetry", "--log-level", "lib.*:warning" ];\n'
                "workers = [ 1 ];\n"
                "dns = { edns_clamp = 0; };\n"
                f'fragments = {{ to_client = "{policy}"; client_mtu = {mtu}; }};\n')
    r = subprocess.run([os.path.join(BUILD, "dnsbump"), "--file-prefix", f"dnsb-fp-{os.getpid()}",
                        "--", "-c", cfg, "--read", inp, "--write", outp, "--json"],
                       capture_output=True, text=True, timeout=120)
    if r.returncode != 0:
        print(r.stderr[-2000:])
        raise SystemExit(f"FAIL: dnsbump exited {r.returncode} ({policy})")
    rep = json.loads(r.stdout.strip().splitlines()[-1])
    return [bytes(p) for p in rdpcap(outp)], rep


def udp_ok(pkt):
    """The UDP checksum, recomputed by scapy, equals the one sent."""
    u = pkt[UDP]
    sent = u.chksum
    del u.chksum
    again = pkt.__class__(bytes(pkt))[UDP].chksum
    return sent == again


def main():
    if os.geteuid() != 0:
        print("FAIL: the offline fragment-policy test runs DPDK and needs root")
        return 1
    frames, whole = build()
    raw_in = [bytes(p) for _, p in frames]
    same_always = [bytes(p) for label, p in frames if label in ("q", "small", "other", "reordered")]
    n_dns_frags = sum(1 for label, _ in frames if label in ("a4", "a6"))
    # Under drop, the reordered answer's last and middle fragments (they
    # come before anything says DNS) pass; its first fragment is dropped.
    reordered = [bytes(p) for label, p in frames if label == "reordered"]
    untouched_by_drop = [b for b in same_always if b not in reordered[2:]]
    fails = []

    def check(cond, what):
        if not cond:
            fails.append(what)

    def common(out, rep, policy):
        for b in (same_always if policy != "drop" else untouched_by_drop):
            check(b in out, f"{policy}: a frame that must pass untouched is missing")
        c = rep["counters"]
        check(c["rx_packets"] == len(frames), f"{policy}: rx {c['rx_packets']}")
        check(c["frag_reassembled"] == 3, f"{policy}: reassembled {c['frag_reassembled']}")
        check(rep["mbufs"]["start"] == rep["mbufs"]["exit"], f"{policy}: mbufs {rep['mbufs']}")
        return c

    with tempfile.TemporaryDirectory() as tmp:
        out, rep = run(tmp, frames, "pass", 1280)
        c = common(out, rep, "pass")
        check(out == raw_in, "pass: output differs from input")
        check(c["tx_packets"] == len(frames), "pass: tx")

        for mtu in (1280, 9000):
            out, rep = run(tmp, frames, "reassemble", mtu)
            c = common(out, rep, f"reassemble/{mtu}")
            new = [Ether(b) for b in out if b not in raw_in]
            check(c["frag_held"] == n_dns_frags - 2, f"reassemble/{mtu}: held {c['frag_held']}")
            check(c["frag_pass_early"] == 1, f"reassemble/{mtu}: pass_early {c['frag_pass_early']}")
            if mtu == 9000:
                check(len(new) == 2, f"reassemble/9000: {len(new)} new frames, want 2 whole datagrams")
                check(c["frag_sent_whole"] == 2, "reassemble/9000: frag_sent_whole")
                check(bytes(new[0][IP]) == bytes(whole["a4"]), "reassemble/9000: IPv4 datagram differs")
                check(bytes(new[1][IPv6]) == bytes(whole["a6"]), "reassemble/9000: IPv6 datagram differs")
                check(c["tx_packets"] == len(frames) - n_dns_frags + 2, f"reassemble/9000: tx {c['tx_packets']}")
                continue
            v4 = [p for p in new if IP in p]
            v6 = [p for p in new if IPv6 in p]
            for p in new:
                l3 = p[IP] if IP in p else p[IPv6]
                check(len(bytes(l3)) <= 1280, f"reassemble/1280: a {len(bytes(l3))}-octet frame")
            check(len(v4) == 3 and len(v6) == 3, f"reassemble/1280: {len(v4)} + {len(v6)} fragments")
            d4 = defragment([p[IP] for p in v4])
            check(len(d4) == 1 and bytes(d4[0][UDP]) == bytes(whole["a4"][UDP]),
                  "reassemble/1280: IPv4 fragments do not rebuild the answer")
            check(len(d4) == 1 and udp_ok(d4[0]), "reassemble/1280: IPv4 UDP checksum")
            payload6 = b"".join(bytes(p[IPv6ExtHdrFragment].payload) for p in
                                sorted(v6, key=lambda p: p[IPv6ExtHdrFragment].offset))
            check(payload6 == bytes(whole["a6"][UDP]), "reassemble/1280: IPv6 fragments do not rebuild the answer")
            check(all(p[IPv6ExtHdrFragment].id == 0xf6f6 for p in v6), "reassemble/1280: IPv6 id kept")
            check(c["frag_refragmented"] == 2 and c["frag_sent_fragments"] == 6,
                  f"reassemble/1280: refragmented {c['frag_refragmented']}/{c['frag_sent_fragments']}")
            check(c["tx_packets"] == len(frames) - n_dns_frags + 6, f"reassemble/1280: tx {c['tx_packets']}")

        out, rep = run(tmp, frames, "truncate", 1280)
        c = common(out, rep, "truncate")
        new = [Ether(b) for b in out if b not in raw_in]
        check(len(new) == 2, f"truncate: {len(new)} new frames, want 2 TC answers")
        for p in new:
            d = p[DNS]
            check(d.tc == 1 and d.ancount == 0 and d.qdcount == 1, f"truncate: not a TC answer: {d.summary()}")
            check(d.id in (0x4444, 0x6666), "truncate: id")
            check(udp_ok(p), "truncate: UDP checksum")
            check(d.ar is not None and d.ar.z & 0x8000, "truncate: DO of the query kept in the OPT")
        check(c["frag_tc"] == 2 and c["frag_tc_sent"] == 2, f"truncate: frag_tc {c['frag_tc']}")
        check(c["tx_packets"] == len(frames) - n_dns_frags + 2, f"truncate: tx {c['tx_packets']}")

        out, rep = run(tmp, frames, "drop", 1280)
        c = common(out, rep, "drop")
        check(sorted(out) == sorted(untouched_by_drop), "drop: output is not exactly the frames that must pass")
        check(c["frag_drop_policy"] == n_dns_frags + 1, f"drop: frag_drop_policy {c['frag_drop_policy']}")
        check(c["frag_pass_early"] == 2, f"drop: frag_pass_early {c['frag_pass_early']}")

    for f in fails:
        print("FAIL:", f)
    print(f"fragment policies offline: pass, reassemble (1280, 9000), truncate, drop over "
          f"{len(frames)} frames; {len(fails)} failures")
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())

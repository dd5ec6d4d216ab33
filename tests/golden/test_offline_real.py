#!/usr/bin/python3
"""Golden test of the daemon's offline mode on real traffic.

tests/data/real/lab-mix.pcap holds what dig/kdig and Knot (signed zone)
exchanged in the lab (toolchain/capture-golden). dnsbump runs over it
through DPDK's pcap driver with configs/offline.cfg (clamp 1232, path
limit 1232, truncate). scapy, not dnsbump, decides what each output frame
must be: queries advertising more than 1232 clamped; unfragmented UDP
answers larger than min(1232, what their client advertised) replaced by a
valid TC=1 answer; every other frame byte-identical; checksums valid;
counters exact."""
import json
import os
import subprocess
import sys
import tempfile

from scapy.all import DNS, DNSRROPT, IP, UDP, IPv6, IPv6ExtHdrFragment, Ether, rdpcap

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BUILD = os.path.abspath(os.environ.get("DNSB_BUILD", os.path.join(ROOT, "build")))
CAPTURE = os.path.join(ROOT, "tests/data/real/lab-mix.pcap")
CLAMP = PATH_LIMIT = 1232
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)


def opt_of(dns):
    """The OPT record of a scapy DNS message, or None."""
    rr = dns.ar
    while rr is not None and rr.__class__.__name__ != "NoPayload":
        if isinstance(rr, DNSRROPT) or getattr(rr, "type", None) == 41:
            return rr
        rr = rr.payload
    return None


def ip_layer(p):
    return p[IP] if IP in p else p[IPv6] if IPv6 in p else None


def is_fragment(p):
    if IP in p and (p[IP].flags.MF or p[IP].frag):
        return True
    return IPv6ExtHdrFragment in p and (p[IPv6ExtHdrFragment].m or p[IPv6ExtHdrFragment].offset)


def checksums_ok(raw):
    p = Ether(raw)
    q = p.copy()
    if IP in q:
        del q[IP].chksum
    if UDP in q and q[UDP].chksum != 0:
        del q[UDP].chksum
    return bytes(Ether(bytes(q))) == raw


def expectations(frames):
    """Per input frame: ('same',), ('clamp',), or ('tc', do_bit)."""
    asked = {}
    out = []
    for p in frames:
        ipl = ip_layer(p)
        if UDP not in p or DNS not in p or is_fragment(p) or ipl is None:
            out.append(("same",))
            continue
        d = p[DNS]
        if d.qr == 0 and p[UDP].dport == 53:
            o = opt_of(d)
            asked[(ipl.src, p[UDP].sport, d.id)] = (o.rclass if o else 0, bool(o and o.z & 0x8000))
            out.append(("clamp",) if o is not None and o.rclass > CLAMP else ("same",))
        elif d.qr == 1 and p[UDP].sport == 53:
            size, do = asked.pop((ipl.dst, p[UDP].dport, d.id), (None, None))
            limit = PATH_LIMIT if size is None else min(PATH_LIMIT, max(512, size))
            if len(bytes(p[UDP].payload)) > limit:
                out.append(("tc", do if do is not None else bool(opt_of(d) and opt_of(d).z & 0x8000)))
            else:
                out.append(("same",))
        else:
            out.append(("same",))
    return out


def main():
    if os.geteuid() != 0:
        print("FAIL: the offline golden test runs DPDK and needs root")
        return 1
    frames = list(rdpcap(CAPTURE))
    expect = expectations(frames)
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "out.pcap")
        cmd = [os.path.join(BUILD, "dnsbump"), "--file-prefix", f"dnsb-golden-{os.getpid()}",
               "--", "-c", os.path.join(ROOT, "configs/offline.cfg"),
               "--read", CAPTURE, "--write", out, "--json"]
        res = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        if res.returncode != 0:
            print(res.stdout, res.stderr)
            print("FAIL: dnsbump exited", res.returncode)
            return 1
        report = json.loads(res.stdout.strip().splitlines()[-1])
        outs = list(rdpcap(out))
    c = report["counters"]
    check(len(outs) == len(frames), f"{len(outs)} frames out for {len(frames)} in")
    n = {"same": 0, "clamp": 0, "tc": 0}
    for i, (a, b, e) in enumerate(zip(frames, outs, expect)):
        ra, rb = bytes(a), bytes(b)
        n[e[0]] += 1
        if e[0] == "same":
            check(ra == rb, f"frame {i}: expected byte-identical")
            continue
        check(checksums_ok(rb), f"frame {i}: checksums")
        din, dout = a[DNS], b[DNS]
        if e[0] == "clamp":
            check(len(ra) == len(rb), f"frame {i}: clamp keeps the length")
            check(opt_of(dout).rclass == CLAMP, f"frame {i}: advertised size clamped")
            check(opt_of(dout).z == opt_of(din).z, f"frame {i}: DO kept")
            check(bytes(opt_of(dout).rdata[0]) == bytes(opt_of(din).rdata[0])
                  if opt_of(din).rdata else True, f"frame {i}: options kept")
        else:
            check(dout.tc == 1 and dout.id == din.id and dout.qr == 1, f"frame {i}: TC=1 answer")
            check(dout.ancount == 0 and dout.nscount == 0, f"frame {i}: no records")
            check(dout.qd.qname == din.qd.qname and dout.qd.qtype == din.qd.qtype,
                  f"frame {i}: question kept")
            check(dout.rcode == din.rcode and dout.aa == din.aa, f"frame {i}: rcode and AA kept")
            oin, oout = opt_of(din), opt_of(dout)
            check((oin is None) == (oout is None), f"frame {i}: OPT iff the answer had one")
            if oout is not None:
                check(bool(oout.z & 0x8000) == e[1], f"frame {i}: DO as the query had it")
                check(oout.rclass == oin.rclass, f"frame {i}: server's UDP size kept")
            check(len(bytes(b[UDP].payload)) <= PATH_LIMIT, f"frame {i}: fits the limit")
    frags = sum(1 for p in frames if is_fragment(p))
    queries = sum(1 for p, e in zip(frames, expect) if DNS in p and UDP in p and not is_fragment(p)
                  and p[DNS].qr == 0 and p[UDP].dport == 53)
    check(c["rx_packets"] == len(frames), f"rx_packets {c['rx_packets']}")
    check(c["tx_packets"] == len(frames), f"tx_packets {c['tx_packets']}")
    check(c["edns_clamped"] == n["clamp"], f"edns_clamped {c['edns_clamped']} != {n['clamp']}")
    check(c["tc_synthesized"] == n["tc"], f"tc_synthesized {c['tc_synthesized']} != {n['tc']}")
    check(c["pass_fragment"] == frags, f"pass_fragment {c['pass_fragment']} != {frags}")
    check(c["queries"] == queries, f"queries {c['queries']} != {queries}")
    check(c["offline_no_timestamp"] == 0, "capture timestamps used")
    check(sum(v for k, v in c.items() if k.startswith("bad_")) == 0, "no malformed frames")
    check(report["mbufs"]["start"] == report["mbufs"]["exit"], f"mbufs {report['mbufs']}")
    check(n["clamp"] >= 10 and n["tc"] >= 3 and frags >= 4,
          f"capture covers the cases: {n}, {frags} fragments")
    for f in failures:
        print("FAIL:", f)
    print(f"golden offline (real traffic): {len(frames)} frames, {n['clamp']} clamped, "
          f"{n['tc']} truncated, {frags} fragments; {len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

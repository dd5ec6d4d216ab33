#!/usr/bin/python3
"""Golden test of the packet core over the fixture capture, judged by an
independent reader (scapy): queries clamped, oversized answers turned into
valid TC=1 answers, checksums right, everything else byte-identical, and
the counters exact."""
import glob
import json
import os
import subprocess
import sys
import tempfile

from scapy.all import DNS, IP, UDP, IPv6, Ether, rdpcap, wrpcap

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BUILD = os.path.abspath(os.environ.get("DNSB_BUILD", os.path.join(ROOT, "build")))
failures = 0


def check(cond, what):
    global failures
    if not cond:
        failures += 1
        print("FAIL:", what)


def checksums_ok(raw):
    """Rebuild the frame with scapy computing every checksum; compare."""
    pkt = Ether(raw)
    fresh = pkt.copy()
    for layer in (IP, UDP):
        if layer in fresh:
            if layer is UDP and fresh[UDP].chksum == 0:
                continue
            del fresh[layer].chksum
            if layer is IP:
                del fresh[IP].len
    return bytes(fresh) == raw or bytes(Ether(bytes(fresh))) == raw


def main():
    frames = []
    for path in sorted(glob.glob(os.path.join(ROOT, "tests/data/core/*.pcap"))):
        frames += list(rdpcap(path))
    with tempfile.TemporaryDirectory() as tmp:
        src, out = os.path.join(tmp, "in.pcap"), os.path.join(tmp, "out.pcap")
        wrpcap(src, frames)
        res = subprocess.run([os.path.join(BUILD, "core-replay"), "-r", src, "-w", out,
                              "--path-limit", "1232", "--json"],
                             capture_output=True, text=True, check=True)
        counters = json.loads(res.stdout)
        outs = list(rdpcap(out))
    check(len(outs) == len(frames), "one output frame per input frame (no drops)")
    clamped = tc = same = 0
    for i, (a, b) in enumerate(zip(frames, outs)):
        ra, rb = bytes(a), bytes(b)
        if ra == rb:
            same += 1
            continue
        check(UDP in a and DNS in b, f"frame {i}: only DNS over UDP is rewritten")
        check(checksums_ok(rb), f"frame {i}: checksums verify after rewrite")
        d_in, d_out = a[DNS], b[DNS]
        if d_in.qr == 0:
            clamped += 1
            check(d_out.ar.rclass == 1232, f"frame {i}: query clamped to 1232")
            check(d_in.ar.rclass > 1232, f"frame {i}: only sizes above 1232 rewritten")
            check(d_out.ar.z == d_in.ar.z, f"frame {i}: DO and Z bits kept")
            check(bytes(d_out.ar.rdata[0]) == bytes(d_in.ar.rdata[0]) if d_in.ar.rdata else True,
                  f"frame {i}: options kept")
            check(len(rb) == len(ra), f"frame {i}: clamp keeps the length")
        else:
            tc += 1
            check(d_out.tc == 1 and d_out.id == d_in.id, f"frame {i}: TC=1, same ID")
            check(d_out.ancount == 0 and d_out.nscount == 0, f"frame {i}: no records")
            check(d_out.qd.qname == d_in.qd.qname, f"frame {i}: question kept")
            check(len(b[UDP].payload) <= 1232, f"frame {i}: fits the path limit")
            if d_in.ar is not None and d_in.arcount:
                check(d_out.arcount == 1 and d_out.ar.type == 41, f"frame {i}: OPT kept")
                check(d_out.ar.rclass == d_in.ar.rclass, f"frame {i}: server's size kept")
    r = counters["reasons"]
    check(r["edns_clamped"] == clamped, f"edns_clamped {r['edns_clamped']} == {clamped}")
    check(r["tc_synthesized"] == tc, f"tc_synthesized {r['tc_synthesized']} == {tc}")
    check(sum(r.values()) == len(frames), "every frame counted exactly once")
    check(counters["forwarded"] == same, f"forwarded {counters['forwarded']} == {same}")
    check(clamped >= 9 and tc >= 5, f"fixture coverage: {clamped} clamped, {tc} truncated")
    print(f"golden core-replay: {len(frames)} frames, {clamped} clamped, {tc} truncated, "
          f"{same} byte-identical; {failures} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

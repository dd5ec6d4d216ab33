#!/usr/bin/python3
"""The engine in bursts, two passes a burst in one call (dnsb_engine_burst,
each frame's first pass four frames before its second, as the daemon's
worker runs it), gives exactly what it gives one frame at a time: the same output frames
and the same reasons and counters, over every capture in tests/data and
all of them in one, under the fragments policies and limits that change
what the engine does, and with less tracked (dns.track), whose choices
have burst loops of their own."""
import glob
import os
import subprocess
import sys
import tempfile

from scapy.all import rdpcap, wrpcap

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BUILD = os.path.abspath(os.environ.get("DNSB_BUILD", os.path.join(ROOT, "build")))
POLICIES = (
    [],
    ["--path-limit", "1232"],
    ["--path-limit", "512", "--oversize", "drop"],
    ["--frag-to-client", "reassemble", "--client-mtu", "1280"],
    ["--frag-to-client", "truncate", "--frag-to-server", "reassemble",
     "--client-mtu", "1280", "--server-mtu", "1280"],
    ["--track", "none", "--path-limit", "1232", "--frag-to-client", "reassemble",
     "--client-mtu", "1280"],
    ["--track", "queries", "--path-limit", "1232"],
    ["--track", "queries,flows", "--frag-to-client", "truncate", "--client-mtu", "1280"],
)


def replay(pcap, opts, burst, out):
    r = subprocess.run([os.path.join(BUILD, "core-replay"), "-r", pcap, "-w", out, "--engine",
                        "--json", "--burst", str(burst)] + opts,
                       capture_output=True, text=True, check=True)
    with open(out, "rb") as f:
        return r.stdout, f.read()


def main():
    captures = sorted(glob.glob(os.path.join(ROOT, "tests/data/*/*.pcap")))
    failures = runs = 0
    with tempfile.TemporaryDirectory() as tmp:
        every = os.path.join(tmp, "every.pcap")
        wrpcap(every, [p for c in captures for p in rdpcap(c)])
        out = os.path.join(tmp, "out.pcap")
        for pcap in captures + [every]:
            for opts in POLICIES:
                one = replay(pcap, opts, 1, out)
                for burst in (3, 32):
                    runs += 1
                    if replay(pcap, opts, burst, out) != one:
                        failures += 1
                        print(f"FAIL: {os.path.basename(pcap)} {' '.join(opts)}: bursts of "
                              f"{burst} differ from one frame at a time")
    print(f"burst replay: {len(captures) + 1} captures x {len(POLICIES)} policies x 2 burst "
          f"sizes = {runs} runs against one frame at a time; {failures} failures")
    return 1 if failures or not captures else 0


if __name__ == "__main__":
    sys.exit(main())

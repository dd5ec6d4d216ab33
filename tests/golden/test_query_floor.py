#!/usr/bin/python3
"""build/query-floor, the straight-line query that the engine's instruction
count is set against (docs/benchmarks.md), does the engine's work: over
every capture in tests/data, the queries of its shape give the same frames
(EDNS clamped), the same counters and the same tables in it as in the
engine (--check), and the real captures hold enough of them to say so."""
import glob
import json
import os
import subprocess
import sys

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BUILD = os.path.abspath(os.environ.get("DNSB_BUILD", os.path.join(ROOT, "build")))


def main():
    taken = failures = 0
    captures = sorted(glob.glob(os.path.join(ROOT, "tests/data/*/*.pcap")))
    for pcap in captures:
        r = subprocess.run([os.path.join(BUILD, "query-floor"), "--check", pcap],
                           capture_output=True, text=True)
        if r.returncode != 0:
            failures += 1
            print(f"FAIL: {os.path.relpath(pcap, ROOT)}: {r.stderr.strip()}")
            continue
        taken += json.loads(r.stdout)["taken"]
    print(f"query floor: {len(captures)} captures, {taken} queries of its shape done as the "
          f"engine does them; {failures} failures")
    if taken < 100:
        print("FAIL: fewer than 100 queries of the floor's shape in the captures")
        return 1
    return 1 if failures or not captures else 0


if __name__ == "__main__":
    sys.exit(main())

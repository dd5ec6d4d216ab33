#!/usr/bin/python3
"""build/query-floor, the straight-line query that the engine's instruction
count is set against (docs/benchmarks.md), does the engine's work: over
every capture in tests/data, the queries of its shape give the same frames
(EDNS clamped), the same counters and the same tables in it as in the
engine (--check), and the real captures hold enough of them to say so.
--cycles, which times the two on those queries (make bench), still finds them
alike after its rounds, and gives a median within its range for each arm;
with --without, the rounds leave the tables left out as they were and write
to the others."""
import glob
import json
import os
import subprocess
import sys

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BUILD = os.path.abspath(os.environ.get("DNSB_BUILD", os.path.join(ROOT, "build")))


TABLES = ["flows", "questions", "queries"]


def timed(pcap, without=()):
    """query-floor --cycles [--without ...] on pcap: the failures found."""
    opt = ["--without", ",".join(without)] if without else []
    r = subprocess.run([os.path.join(BUILD, "query-floor"), "--cycles"] + opt + [pcap],
                       capture_output=True, text=True)
    if r.returncode != 0:
        return [f"--cycles {' '.join(opt)}: {r.stderr.strip()}"]
    t = json.loads(r.stdout)
    bad = [] if t.get("checked") is True else ["--cycles: not checked"]
    if t["without"] != list(without):
        bad.append(f"--cycles: without {t['without']}, asked {list(without)}")
    if without and t["changed"] != [x for x in TABLES if x not in without]:
        bad.append(f"--cycles: the rounds changed {t['changed']} without {list(without)}")
    for arm in ("copy", "floor", "floor_burst", "engine"):
        c, (lo, hi) = t[f"{arm}_cycles"], t[f"{arm}_cycles_range"]
        if not 0 < lo <= c <= hi:
            bad.append(f"--cycles: {arm} {c} outside {lo}..{hi}")
    return bad


def main():
    taken = failures = 0
    most = (0, "")
    captures = sorted(glob.glob(os.path.join(ROOT, "tests/data/*/*.pcap")))
    for pcap in captures:
        r = subprocess.run([os.path.join(BUILD, "query-floor"), "--check", pcap],
                           capture_output=True, text=True)
        if r.returncode != 0:
            failures += 1
            print(f"FAIL: {os.path.relpath(pcap, ROOT)}: {r.stderr.strip()}")
            continue
        n = json.loads(r.stdout)["taken"]
        taken += n
        most = max(most, (n, pcap))
    if taken < 100:
        print("FAIL: fewer than 100 queries of the floor's shape in the captures")
        return 1
    for b in timed(most[1]) + timed(most[1], ["questions"]) + timed(most[1], ["flows", "queries"]):
        failures += 1
        print(f"FAIL: {os.path.relpath(most[1], ROOT)}: {b}")
    print(f"query floor: {len(captures)} captures, {taken} queries of its shape done as the "
          f"engine does them, and timed over {os.path.relpath(most[1], ROOT)} ({most[0]}); "
          f"{failures} failures")
    return 1 if failures or not captures else 0


if __name__ == "__main__":
    sys.exit(main())

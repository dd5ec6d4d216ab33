#!/usr/bin/python3
"""The engine's burst loop keeps its prefetches. A function that does
nothing but prefetch, when GCC leaves it out of line, is taken for one
without effects and its calls are dropped: the build still works and gives
the same outputs, only the two passes stop fetching ahead, and a frame
over tables larger than the caches costs twice the cycles (docs/
benchmarks-history.md). No output or count shows that, so this looks at the code:
the copies of the burst loop (dataplane/engine.c: the functions named
loop_*, which dnsb_engine_burst calls), as built, must each hold the
frame's prefetch, and together prefetch instructions from each site the
first pass goes through (the frame's, the home slot's and the run's),
placed by objdump's line numbers."""
import os
import re
import subprocess
import sys

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BUILD = os.path.abspath(os.environ.get("DNSB_BUILD", os.path.join(ROOT, "build")))

# (file, a text on the line of the prefetch): the sites the first pass runs.
SITES = [
    ("engine.c", "__builtin_prefetch(b->frame);"),
    ("ftable.h", "__builtin_prefetch(&t->slot[h & t->mask], 1, 3);"),
    ("ftable.h", "__builtin_prefetch(&t->slot[(h + 1) & m], 1, 3);"),
]


def line_of(name, text):
    with open(os.path.join(ROOT, "dataplane", name)) as f:
        hits = [i + 1 for i, l in enumerate(f) if text in l]
    if len(hits) != 1:
        sys.exit(f"FAIL: {text!r} is on {len(hits)} lines of dataplane/{name}, not one")
    return f"{name}:{hits[0]}"


def main():
    obj = os.path.join(BUILD, "obj", "dataplane", "engine.o")
    out = subprocess.run(["objdump", "-d", "-l", "--no-show-raw-insn", obj],
                         capture_output=True, text=True, check=True).stdout
    where, copy, found, per_copy = None, None, {}, {}
    for l in out.splitlines():
        m = re.match(r"^[0-9a-f]+ <(.+)>:$", l)
        if m:
            copy = m.group(1) if re.match(r"loop_\w+$", m.group(1).split(".")[0]) else None
            if copy:
                per_copy[copy] = {}
            continue
        if not copy:
            continue
        m = re.match(r"^/.*/([^/]+:\d+)", l)
        if m:
            where = m.group(1)
        elif "prefetch" in l and where:
            found[where] = found.get(where, 0) + 1
            per_copy[copy][where] = per_copy[copy].get(where, 0) + 1
    failures = 0
    if len(per_copy) < 2:
        failures += 1
        print(f"FAIL: {len(per_copy)} copies of the burst loop (loop_*) in engine.o")
    frame = line_of(*SITES[0])
    for copy, sites in sorted(per_copy.items()):
        print(f"{copy}: {sum(sites.values())} prefetch instructions")
        if not sites.get(frame):
            failures += 1
            print(f"FAIL: {copy} does not prefetch the frame ({frame})")
    for name, text in SITES:
        site = line_of(name, text)
        n = found.get(site, 0)
        print(f"{site}: {n} prefetch instructions in the copies of the burst loop")
        if n == 0:
            failures += 1
            print(f"FAIL: the prefetch of {site} ({text}) is not in the burst loop")
    print(f"prefetch test: {failures} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

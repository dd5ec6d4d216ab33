#!/usr/bin/python3
"""The engine's burst loop keeps its prefetches. A function that does
nothing but prefetch, when GCC leaves it out of line, is taken for one
without effects and its calls are dropped: the build still works and gives
the same outputs, only the two passes stop fetching ahead, and a frame
over tables larger than the caches costs twice the cycles (docs/
benchmarks-history.md). No output or count shows that, so this looks at the code:
dnsb_engine_burst, as built, must hold prefetch instructions from each
prefetch site the first pass goes through (the frame's, the home slot's and
the run's), placed by objdump's line numbers."""
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
    where, inside, found = None, False, {}
    for l in out.splitlines():
        m = re.match(r"^[0-9a-f]+ <(.+)>:$", l)
        if m:
            inside = m.group(1) == "dnsb_engine_burst"
            continue
        if not inside:
            continue
        m = re.match(r"^/.*/([^/]+:\d+)", l)
        if m:
            where = m.group(1)
        elif "prefetch" in l and where:
            found[where] = found.get(where, 0) + 1
    failures = 0
    for name, text in SITES:
        site = line_of(name, text)
        n = found.get(site, 0)
        print(f"{site}: {n} prefetch instructions in dnsb_engine_burst")
        if n == 0:
            failures += 1
            print(f"FAIL: the prefetch of {site} ({text}) is not in the burst loop")
    print(f"prefetches kept: {len(SITES) - failures} of {len(SITES)} sites")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

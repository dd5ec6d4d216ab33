#!/usr/bin/env bash
# make bench's three parts run short on this machine: toolchain/bench (1 s
# runs, one round; q with the whole programs under callgrind, r, m and f
# without), toolchain/bench-tables (one round over s) and
# toolchain/bench-latency (200 queries, one round). Each must finish and
# print every row and figure docs/benchmarks.md reads, measured (a rate, a
# cycle count, an instruction count, not 0 or "-"), and the instruction
# counts, which do not depend on the machine's speed, in the order the work
# dictates. How fast anything runs is the benchmark's to say, not a test's.
# Needs root (DPDK, hugepages, network namespaces).
set -uo pipefail
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/lib.sh"
[ "$(id -u)" = 0 ] || { echo "FAIL: needs root"; exit 1; }
for c in dpdk-testpmd valgrind; do
	command -v $c >/dev/null || { echo "FAIL: $c missing (toolchain/setup)"; exit 1; }
done
export DNSB_BUILD=${DNSB_BUILD:-build}
out=$(mktemp -d /tmp/dnsbump-test-bench.XXXXXX)
trap 'rm -rf "$out"' EXIT

/usr/bin/python3 toolchain/bench 1 1 q >"$out/q.txt" 2>&1
expect "$?" 0 "bench q (whole programs under callgrind) finishes"
BENCH_VG=0 /usr/bin/python3 toolchain/bench 1 1 r,m,f >"$out/rmf.txt" 2>&1
expect "$?" 0 "bench r,m,f finishes"
toolchain/bench-tables 1 1 s >"$out/tables.txt" 2>&1
expect "$?" 0 "bench-tables s finishes"
toolchain/bench-latency 200 1 >"$out/latency.txt" 2>&1
expect "$?" 0 "bench-latency finishes"

# One line per finding: "ok: ..." or "FAIL: ...".
/usr/bin/python3 - "$out" >"$out/checks.txt" 2>&1 <<'PY'
import re, sys
d = sys.argv[1]

def say(good, what):
    print(("ok: " if good else "FAIL: ") + what)

def num(x):
    try:
        return float(x)
    except ValueError:
        return None

def table(text):
    """{(mix, run): [Mpps, ratio, cycles, program instr, DNS instr, DNS cycles]} of bench's
    table."""
    rows = {}
    for line in text.splitlines():
        m = re.match(r"^([qrmf]) +(testpmd-io|dnsbump io|dnsbump full|track queries|track none) +"
                     r"([\d.]+) +[\d.]+\.\.[\d.]+ +([\d.]+) +(\S+) +(\S+) +(\S+) +(\S+)$", line)
        if m:
            rows[(m[1], m[2])] = [num(m[3]), num(m[4]), num(m[5]), num(m[7]), num(m[8]), num(m[6])]
    return rows

q = open(f"{d}/q.txt").read()
rmf = open(f"{d}/rmf.txt").read()
rows = table(q) | table(rmf)
for mix in "qrmf":
    runs = ["testpmd-io", "dnsbump io", "dnsbump full"] + \
        (["track queries", "track none"] if mix in "qr" else [])
    for run in runs:
        r = rows.get((mix, run))
        say(r is not None and r[0] > 0 and r[1] > 0, f"{mix} {run}: a rate and a ratio ({r})")
        if r and run != "testpmd-io":
            say(r[2] is not None and r[2] > 0, f"{mix} {run}: cycles a frame ({r[2]})")
        # engine_cycles: none with no DNS work, else a part of the frame's cycles.
        if r and run == "dnsbump io":
            say(r[5] == 0, f"{mix} {run}: no cycles in the packet logic ({r[5]})")
        elif r and run != "testpmd-io":
            say(r[5] is not None and r[2] is not None and 0 < r[5] < r[2],
                f"{mix} {run}: cycles in the packet logic, under the frame's ({r[5]} of {r[2]})")
        if r and run in ("dnsbump full", "track queries", "track none"):
            say(r[4] is not None and r[4] > 0, f"{mix} {run}: instructions of DNS work ({r[4]})")
    if mix in "qr" and all((mix, k) in rows for k in ("dnsbump full", "track queries", "track none")):
        a, b, c = (rows[(mix, k)][4] or 0 for k in ("dnsbump full", "track queries", "track none"))
        say(a > b > c > 0, f"{mix}: tracking more costs more instructions ({a} > {b} > {c})")

# The whole programs, q only: testpmd-io < dnsbump io < dnsbump full.
prog = [rows.get(("q", k), [None] * 5)[3] for k in ("testpmd-io", "dnsbump io", "dnsbump full")]
say(all(prog) and prog[0] < prog[1] < prog[2], f"q: instructions of the whole programs {prog}")
m = re.search(r"^q: dnsbump full - io: (\d+) instructions a frame \(whole program\), "
              r"io - testpmd-io: (-?\d+)$", q, re.M)
say(bool(m) and int(m[1]) > 0, "q: the program's instructions over io printed")
m = re.search(r"build/query-floor\): (\d+) instructions, (-?\d+) cycles \((-?\d+) in bursts, its "
              r"slots fetched ahead\); the engine's DNS work: (\d+) instructions, (-?\d+) cycles", q)
say(bool(m) and 0 < int(m[1]) < int(m[4]) and min(int(m[2]), int(m[3]), int(m[5])) > 0,
    f"q: the floor below the engine in instructions, the three timed ({m and m.groups()})")

m = re.search(r"^f: reassembly and inspection per two-fragment datagram: (-?\d+) cycles over io, "
              r"(\d+) instructions$", rmf, re.M)
say(bool(m) and int(m[2]) > 0, f"f: a datagram's cycles and instructions ({m and m.groups()})")
passed = int(m[2]) if m else 0
m = re.search(r"^f: instructions of DNS work per two-fragment datagram under the repair "
              r"policies: (.*)$", rmf, re.M)
rep = dict((k.strip(), int(v)) for k, v in re.findall(r"([^:;]+): (\d+)", m[1])) if m else {}
say(len(rep) == 4 and all(v > passed for v in rep.values()),
    f"f: four repair paths, each dearer than passing the fragments on ({passed}: {rep})")

t = open(f"{d}/tables.txt").read()
sizes = re.findall(r"^s +(\d+) +([\d.]+) MiB +([\d.]+) ", t, re.M)
say([(s, mem) for s, mem, _ in sizes] == [("1024", "0.3"), ("65536", "16.0"), ("1048576", "256.0")]
    and all(float(r) > 0 for _, _, r in sizes),
    f"tables: s at 1K, 64K and 1M slots, their memory stated, each a rate ({sizes})")

lat = open(f"{d}/latency.txt").read()
for path in ("kernel bridge", "dnsbump af_packet", "dnsbump af_xdp"):
    m = re.search(rf"^{path} +([\d.]+) \(.*?\) +([\d.]+) \(", lat, re.M)
    say(bool(m) and 0 < float(m[1]) <= float(m[2]), f"latency: {path} p50 and p99 ({m and m.groups()})")
say(bool(re.search(r"^added by the bump at p50, within each round: af_packet -?[\d.]+ .* "
                   r"af_xdp -?[\d.]+ ", lat, re.M)), "latency: what the bump adds printed")
PY
expect "$?" 0 "the outputs read through"
while read -r line; do
	case $line in
	ok:*) ok "${line#ok: }" ;;
	*) bad "${line#FAIL: }" ;;
	esac
done <"$out/checks.txt"
if [ "$fail" -gt 0 ]; then
	for f in q rmf tables latency; do echo "--- $f"; tail -25 "$out/$f.txt"; done
fi
echo "bench: $pass passed, $fail failed"
[ "$fail" -eq 0 ]

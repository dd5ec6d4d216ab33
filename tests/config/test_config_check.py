#!/usr/bin/python3
"""Configuration checks through the real binary: every shipped config
passes --check; every bad config exits 2 with "file:line: message" naming
the right line. Needs no root (--check stops before the EAL)."""
import os
import re
import subprocess
import sys
import tempfile

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BUILD = os.path.abspath(os.environ.get("DNSB_BUILD", os.path.join(ROOT, "build")))
BIN = os.path.join(BUILD, "dnsbump")

GOOD = """eal = [ "--no-huge" ];
ports = (
  { name = "c"; device = "net_null0"; },
  { name = "s"; device = "net_null1"; }
);
pairs = ( { client = "c"; server = "s"; } );
workers = [ 1 ];
dns = { edns_clamp = 1232; };
"""

# (name, config text, expected line, message fragment)
BAD = [
    ("syntax", "workers = [ 1 ];\nports = ( { name = \"c\"; device = ; } );\n", 2, "syntax error"),
    ("unknown top key", GOOD + "colour = 3;\n", 9, "unknown key 'colour'"),
    ("unknown port key", GOOD.replace('name = "c";', 'name = "c"; speed = 10;'), 3, "unknown key 'speed'"),
    ("unknown dns key", GOOD.replace("edns_clamp = 1232;", "edns_clamp = 1232;\n  clamp = 1;"), 9, "unknown key 'clamp'"),
    ("clamp below 512", GOOD.replace("edns_clamp = 1232", "edns_clamp = 100"), 8, "out of range"),
    ("clamp not int", GOOD.replace("edns_clamp = 1232", "edns_clamp = \"big\""), 8, "integer"),
    ("floor above clamp", GOOD.replace("edns_clamp = 1232;", "edns_clamp = 1232; edns_floor = 1400;"), 8, "above edns_clamp"),
    ("oversize value", GOOD.replace("edns_clamp = 1232;", "oversize = \"shrink\";"), 8, "oversize must be"),
    ("path limit", GOOD.replace("edns_clamp = 1232;", "path_limit = 70000;"), 8, "out of range"),
    ("mss", GOOD.replace("edns_clamp = 1232;", "tcp_mss_clamp = 100;"), 8, "out of range"),
    ("table not pow2", GOOD.replace("edns_clamp = 1232;", "query_table_size = 1000;"), 8, "power of two"),
    ("timeout", GOOD.replace("edns_clamp = 1232;", "query_timeout_ms = 5;"), 8, "out of range"),
    ("dns port 0", GOOD.replace("edns_clamp = 1232;", "ports = [ 0 ];"), 8, "1..65535"),
    ("too many dns ports", GOOD.replace("edns_clamp = 1232;", "ports = [1,2,3,4,5,6,7,8,9];"), 8, "1 to 8"),
    ("pair unknown port", GOOD.replace('server = "s"', 'server = "x"'), 6, "no port named 'x'"),
    ("pair same port", GOOD.replace('server = "s"', 'server = "c"'), 6, "two different ports"),
    ("port twice in pairs", GOOD.replace('pairs = ( { client = "c"; server = "s"; } );',
                                         'pairs = ( { client = "c"; server = "s"; },\n  { client = "s"; server = "c"; } );'), 7, "already in a pair"),
    ("unpaired port", GOOD.replace('  { name = "s"; device = "net_null1"; }\n',
                                   '  { name = "s"; device = "net_null1"; },\n  { name = "z"; device = "net_null2"; }\n'), 7, "in no pair"),
    ("duplicate port name", GOOD.replace('{ name = "s"; device', '{ name = "c"; device'), 4, "used twice"),
    ("duplicate device", GOOD.replace("net_null1", "net_null0"), 4, "used by two ports"),
    ("bad port name", GOOD.replace('name = "c";', 'name = "C!";').replace('client = "c"', 'client = "C!"'), 3, "use a-z"),
    ("port missing device", GOOD.replace('{ name = "c"; device = "net_null0"; }', '{ name = "c"; }'), 3, "missing device"),
    ("ports not a list", GOOD.replace('ports = (', 'ports = {', 1).replace('  { name = "s"; device = "net_null1"; }\n);', '  { name = "s"; device = "net_null1"; }\n};'), 3, "syntax error"),
    ("no pairs", "workers = [ 1 ];\n", 1, "no pairs"),
    ("no workers", GOOD.replace("workers = [ 1 ];\n", ""), 1, "no workers"),
    ("worker twice", GOOD.replace("workers = [ 1 ]", "workers = [ 1, 1 ]"), 7, "listed twice"),
    ("worker out of range", GOOD.replace("workers = [ 1 ]", "workers = [ 500 ]"), 7, "out of range"),
    ("workers empty", GOOD.replace("workers = [ 1 ]", "workers = [ ]"), 7, "non-empty"),
    ("eal not strings", GOOD.replace('eal = [ "--no-huge" ]', "eal = [ 1 ]"), 1, "must be a string"),
    ("mempool key", GOOD + "mempool = { mbufs = 8191; size = 3; };\n", 9, "unknown key 'size'"),
    ("mempool cache", GOOD + "mempool = { mbufs = 1023; cache = 600; };\n", 9, "out of range"),
    ("burst", GOOD + "burst = 0;\n", 9, "out of range"),
    ("rx_desc", GOOD + "rx_desc = 9000;\n", 9, "out of range"),
    ("drain", GOOD + "drain_us = \"soon\";\n", 9, "integer"),
    ("emulate key", GOOD + "emulate = { drop_everything = true; };\n", 9, "unknown key 'drop_everything'"),
    ("emulate enum", GOOD + "emulate = { block_tcp53 = \"maybe\"; };\n", 9, "block_tcp53 must be one of"),
    ("emulate bool", GOOD + "emulate = { clear_do = 1; };\n", 9, "true or false"),
    ("emulate size", GOOD + "emulate = { drop_udp_larger_than = 70000; };\n", 9, "out of range"),
    ("fragments key", GOOD + "fragments = { policy = \"pass\"; };\n", 9, "unknown key 'policy'"),
    ("fragments pow2", GOOD + "fragments = { table_size = 100; };\n", 9, "power of two"),
    ("fragments size", GOOD + "fragments = { max_datagram = 70000; };\n", 9, "out of range"),
    ("fragments policy", GOOD + "fragments = { to_client = \"repair\"; };\n", 9, "to_client must be one of"),
    ("fragments truncate to server", GOOD + "fragments = {\n to_server = \"truncate\"; };\n", 10, "cannot be \"truncate\""),
    ("fragments mtu", GOOD + "fragments = { client_mtu = 500; };\n", 9, "out of range"),
    ("fragments policy without table", GOOD + "fragments = { to_client = \"reassemble\";\n table_size = 0; };\n", 10, "need it"),
    ("diag key", GOOD + "diag = { min_samples = 10; ratio = 3; };\n", 9, "unknown key 'ratio'"),
    ("diag percent", GOOD + "diag = { loss_percent = 101; };\n", 9, "out of range"),
    ("track not an array", GOOD.replace("edns_clamp = 1232;", "track = \"queries\";"), 8, "must be an array"),
    ("track unknown", GOOD.replace("edns_clamp = 1232;", "track = [ \"queries\",\n \"answers\" ];"), 9, "\"answers\" is not one of"),
    ("track twice", GOOD.replace("edns_clamp = 1232;", "track = [ \"flows\", \"flows\" ];"), 8, "names \"flows\" twice"),
    ("track not strings", GOOD.replace("edns_clamp = 1232;", "track = [ 1 ];"), 8, "must be a string"),
    ("track retries alone", GOOD.replace("edns_clamp = 1232;", "track = [ \"retries\", \"flows\" ];"), 8, "\"retries\" needs \"queries\""),
]

# Good variants of the base config: each must pass --check.
GOOD_TOO = [
    ("track nothing", GOOD.replace("edns_clamp = 1232;", "track = [ ];")),
    ("track queries", GOOD.replace("edns_clamp = 1232;", "track = [ \"queries\" ];")),
    ("track all", GOOD.replace("edns_clamp = 1232;", "track = [ \"flows\", \"retries\", \"queries\" ];")),
]


def run(args):
    return subprocess.run([BIN] + args, capture_output=True, text=True, timeout=30)


def main():
    fails = 0
    for f in sorted(os.listdir(os.path.join(ROOT, "configs"))):
        path = os.path.join(ROOT, "configs", f)
        extra = ["--read", "/dev/null"] if f == "offline.cfg" else []
        r = run(["-c", path, "--check"] + extra)
        if r.returncode != 0:
            print(f"FAIL: configs/{f} does not pass --check: {r.stderr.strip()}")
            fails += 1
    with tempfile.TemporaryDirectory() as tmp:
        good = os.path.join(tmp, "good.cfg")
        open(good, "w").write(GOOD)
        r = run(["-c", good, "--check"])
        if r.returncode != 0:
            print("FAIL: the base config is not good:", r.stderr)
            fails += 1
        for name, text in GOOD_TOO:
            path = os.path.join(tmp, re.sub(r"\W+", "_", name) + ".cfg")
            open(path, "w").write(text)
            r = run(["-c", path, "--check"])
            if r.returncode != 0:
                print(f"FAIL: {name}: a good config fails --check: {r.stderr.strip()}")
                fails += 1
        for name, text, line, frag in BAD:
            path = os.path.join(tmp, re.sub(r"\W+", "_", name) + ".cfg")
            open(path, "w").write(text)
            r = run(["-c", path, "--check"])
            err = r.stderr.strip()
            ok = (r.returncode == 2 and err.startswith(f"{path}:{line}: ") and frag in err)
            if not ok:
                print(f"FAIL: {name}: rc={r.returncode} stderr={err!r} (want line {line}, '{frag}')")
                fails += 1
        r = run(["-c", os.path.join(tmp, "missing.cfg"), "--check"])
        if r.returncode != 2 or "missing.cfg:" not in r.stderr:
            print("FAIL: a missing file must exit 2 with its name")
            fails += 1
        r = run(["--check"])
        if r.returncode != 2:
            print("FAIL: no -c must exit 2")
            fails += 1
    total = len(BAD) + len(GOOD_TOO) + len(os.listdir(os.path.join(ROOT, "configs"))) + 3
    print(f"config checks: {total - fails} passed, {fails} failed")
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())

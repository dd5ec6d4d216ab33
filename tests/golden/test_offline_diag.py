#!/usr/bin/python3
"""Offline diagnosis of real failures.

Each tests/data/real/diag-*.pcap holds dig and Knot (signed lab zone)
talking across a middlebox that breaks DNS one way, captured where a bump
would sit (toolchain/capture-failures). dnsbump runs over each offline and
must name exactly that breakage; its counters must match what scapy counts
in the capture independently. The clean capture (lab-mix.pcap) must give
no finding. Run again with less tracked (dns.track), a capture loses the
findings that rest on what is left out, says so (not_tracked), and counts
nothing of it, the rest unchanged."""
import json
import os
import subprocess
import sys
import tempfile

from scapy.all import DNS, IP, TCP, UDP, defragment, rdpcap

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BUILD = os.path.abspath(os.environ.get("DNSB_BUILD", os.path.join(ROOT, "build")))
DATA = os.path.join(ROOT, "tests/data/real")
WINDOW = 1.5  # query_timeout_ms of diag.cfg

EXPECT = {
    "diag-frag-upstream.pcap": {"upstream_large_loss", "fragments_dropped"},
    # The box drops UDP over 1232 octets: that takes the first fragments too.
    "diag-large-upstream.pcap": {"upstream_large_loss", "first_fragments_dropped"},
    "diag-tcp53-upstream.pcap": {"tcp53_filtered"},
    "diag-large-downstream.pcap": {"downstream_large_loss"},
    "diag-tc-ignored.pcap": {"tc_no_tcp"},
    "diag-noopt.pcap": {"edns_stripped"},
    "lab-mix.pcap": set(),
}
# (capture, dns.track, findings, counters that must be 0, counters as the
# capture shows them)
TRACKED = [
    ("diag-large-downstream.pcap", '[ "queries", "flows" ]', {"not_tracked"},
     ["client_retry_after_answer", "client_retry_after_large_answer", "client_retry_unanswered"],
     ["queries", "responses", "unanswered", "tc_forwarded"]),
    ("diag-noopt.pcap", "[ ]", {"not_tracked"},
     ["response_no_opt", "unanswered_do", "unanswered_nodo", "responses_unmatched",
      "latency_us_sum", "client_retry_unanswered", "udp_flows_peak"],
     ["queries", "responses"]),
]
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)


def unfragmented_dns(p):
    return IP in p and UDP in p and DNS in p and not (p[IP].flags.MF or p[IP].frag)


def iter_ar(d):
    rr = d.ar
    while rr is not None and rr.__class__.__name__ != "NoPayload":
        yield rr
        rr = rr.payload


def oracle(frames):
    """Count what the capture shows, independently of dnsbump: scapy
    reassembles the IPv4 fragments (incomplete trains stay fragments)."""
    frames = sorted(defragment(list(frames)), key=lambda p: float(p.time))
    c = dict(queries=0, responses=0, tcp53_syn=0, tcp53_syn_unanswered=0, tc_forwarded=0,
             response_no_opt=0)
    outstanding, answered, had_opt = {}, set(), {}
    waiting, fresh = {}, {}  # SYN-sent attempt: when; pair: client port of a new connection
    tc_pending, tc_no = {}, 0
    last_answer, open_q, retry_large = {}, {}, 0
    for p in frames:
        t = float(p.time)
        if TCP in p and IP in p:
            f = p[TCP].flags
            k = (p[IP].src, p[IP].dst)
            if f.S and not f.A and p[TCP].dport == 53:
                a = (p[IP].src, p[TCP].sport, p[IP].dst)
                if a in waiting and t - waiting[a] <= WINDOW:
                    continue  # the same attempt, its SYN sent again
                if a in waiting:
                    c["tcp53_syn_unanswered"] += 1
                waiting[a] = t
                c["tcp53_syn"] += 1
                if tc_pending.get(k, 0):
                    tc_pending[k] -= 1
                    if tc_pending[k]:
                        fresh[k] = p[TCP].sport
            elif (f.S and f.A or f.R) and p[TCP].sport == 53:
                waiting.pop((p[IP].dst, p[TCP].dport, p[IP].src), None)
            elif not f.S and not f.R and p[TCP].dport == 53 and len(p[TCP].payload):
                # Queries over TCP follow TC answers up too (RFC 7766
                # reuse, pipelining); the first on a new connection is
                # the one its SYN stood for.
                data, off, n = bytes(p[TCP].payload), 0, 0
                while off + 2 <= len(data):
                    off += 2 + int.from_bytes(data[off:off + 2], "big")
                    n += 1
                n = max(n, 1)
                if not tc_pending.get(k, 0):
                    continue
                if fresh.get(k) == p[TCP].sport:
                    del fresh[k]
                    n -= 1
                tc_pending[k] = max(0, tc_pending[k] - n)
                if not tc_pending[k]:
                    fresh.pop(k, None)
            continue
        if not unfragmented_dns(p):
            continue
        d = p[DNS]
        qkey = (d.qd.qname.lower(), d.qd.qtype) if d.qd is not None else None
        if d.qr == 0 and p[UDP].dport == 53:
            c["queries"] += 1
            outstanding[(p[IP].src, p[UDP].sport, d.id)] = t
            had_opt[(p[IP].src, p[UDP].sport, d.id)] = d.arcount > 0 and any(
                getattr(rr, "type", 0) == 41 for rr in iter_ar(d))
            ck = (p[IP].src, qkey)
            la = last_answer.get(ck)
            if not open_q.get(ck) and la and t - la[0] <= WINDOW and la[1] > 1232:
                retry_large += 1
            open_q[ck] = True
        elif d.qr == 1 and p[UDP].sport == 53:
            c["responses"] += 1
            key = (p[IP].dst, p[UDP].dport, d.id)
            if key in outstanding:
                if had_opt.get(key) and not any(getattr(rr, "type", 0) == 41 for rr in iter_ar(d)):
                    c["response_no_opt"] += 1
                answered.add(key)
                del outstanding[key]
                ck = (p[IP].dst, qkey)
                open_q[ck] = False
                last_answer[ck] = (t, len(bytes(p[UDP].payload)))
            if d.tc:
                c["tc_forwarded"] += 1
                k = (p[IP].dst, p[IP].src)
                tc_pending[k] = tc_pending.get(k, 0) + 1
    c["unanswered"] = len(outstanding)
    c["tcp53_syn_unanswered"] += len(waiting)
    c["tc_no_tcp_followup"] = sum(tc_pending.values())
    c["client_retry_after_large_answer"] = retry_large
    return c


def offline(name, cfg):
    """dnsbump's JSON report over capture @name under config @cfg, or None."""
    path = os.path.join(DATA, name)
    cmd = [os.path.join(BUILD, "dnsbump"), "--file-prefix", f"dnsb-diag-{os.getpid()}", "--",
           "-c", cfg, "--read", path, "--json"]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    if r.returncode != 0:
        failures.append(f"{name}: dnsbump exited {r.returncode}: {r.stderr[-300:]}")
        return None
    return json.loads(r.stdout.strip().splitlines()[-1])


def tracked_less(tmp):
    base = open(os.path.join(DATA, "diag.cfg")).read()
    for name, track, want, silent, same in TRACKED:
        cfg = os.path.join(tmp, "track.cfg")
        open(cfg, "w").write(base.replace("query_timeout_ms = 1500;",
                                          f"query_timeout_ms = 1500; track = {track};"))
        rep = offline(name, cfg)
        if rep is None:
            continue
        got = {f["id"] for f in rep["findings"]}
        check(got == want, f"{name}, track {track}: findings {sorted(got)}, expected {sorted(want)}")
        cnt = dict(rep["counters"], **rep.get("gauges", {}))
        cnt["unanswered"] = cnt["unanswered_do"] + cnt["unanswered_nodo"]
        for k in silent:
            check(cnt.get(k) == 0, f"{name}, track {track}: {k} = {cnt.get(k)}, not tracked")
        o = oracle(rdpcap(os.path.join(DATA, name)))
        for k in same:
            check(cnt[k] == o[k], f"{name}, track {track}: {k} = {cnt[k]}, the capture shows {o[k]}")
        print(f"{name}, track {track}: findings {sorted(got)}; "
              + ", ".join(f"{k} {cnt[k]}" for k in same))


def main():
    if os.geteuid() != 0:
        print("FAIL: the offline diagnosis test runs DPDK and needs root")
        return 1
    for name, want in sorted(EXPECT.items()):
        rep = offline(name, os.path.join(DATA, "diag.cfg"))
        if rep is None:
            continue
        got = {f["id"] for f in rep["findings"]}
        check(got == want, f"{name}: findings {sorted(got)}, expected {sorted(want)}")
        cnt = rep["counters"]
        o = oracle(rdpcap(os.path.join(DATA, name)))
        pairs = [("queries", cnt["queries"]), ("responses", cnt["responses"]),
                 ("unanswered", cnt["unanswered_do"] + cnt["unanswered_nodo"]),
                 ("tcp53_syn", cnt["tcp53_syn"]),
                 ("tcp53_syn_unanswered", cnt["tcp53_syn_unanswered"]),
                 ("tc_forwarded", cnt["tc_forwarded"]),
                 ("tc_no_tcp_followup", cnt["tc_no_tcp_followup"]),
                 ("response_no_opt", cnt["response_no_opt"]),
                 ("client_retry_after_large_answer", cnt["client_retry_after_large_answer"])]
        if name != "lab-mix.pcap":  # fragments there: the capture's own answers are unparsed
            for k, v in pairs:
                check(v == o[k], f"{name}: {k} = {v}, the capture shows {o[k]}")
        print(f"{name}: findings {sorted(got) or 'none'}; "
              + ", ".join(f"{k} {v}" for k, v in pairs if v))
    with tempfile.TemporaryDirectory() as tmp:
        tracked_less(tmp)
    for f in failures:
        print("FAIL:", f)
    print(f"offline diagnosis: {len(EXPECT)} captures, {len(TRACKED)} with less tracked, "
          f"{len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/python3
"""Seed corpora for the fuzz targets from the unit-test fixtures: whole
frames for fuzz_frame_parse, DNS payloads for the others (with the
selector octet the targets expect first). Output is committed."""
import glob
import hashlib
import os

from scapy.all import DNS, UDP, rdpcap

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "data", "core")


def write(target, blob):
    d = os.path.join(HERE, "corpus", target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, hashlib.sha1(blob).hexdigest()[:16]), "wb") as f:
        f.write(blob)


for path in sorted(glob.glob(os.path.join(DATA, "*.pcap"))):
    for pkt in rdpcap(path):
        raw = bytes(pkt)
        for sel in (0x00, 0x25, 0x46, 0xb4):
            write("fuzz_frame_parse", bytes([sel]) + raw)
        if UDP in pkt and (pkt[UDP].sport == 53 or pkt[UDP].dport == 53):
            payload = bytes(pkt[UDP].payload)
            if len(payload) < 12:
                continue
            write("fuzz_dns_wire", payload)
            is_resp = payload[2] & 0x80
            for sel in (0x02, 0x05, 0x0c):
                write("fuzz_edns_rewrite" if not is_resp else "fuzz_tc_synth", bytes([sel]) + payload)
            if is_resp:
                write("fuzz_tc_synth", bytes([0x26]) + payload)
                write("fuzz_tc_synth", bytes([0x37]) + payload)


def frag_record(ctl, ident, off8, len8, fill=b"\x00\x01\x02\x03"):
    return bytes([ctl, ident, off8 >> 8, off8 & 0xFF, len8]) + fill * 4


# fuzz_frag: [policy octet] then fragment records (see tests/fuzz/fuzz_frag.c):
# trains in order, reversed and with an overlap, IPv4 and IPv6, each policy.
for pol in (0x01 | 0x10, 0x02 | 0x10, 0x03, 0x01 | 0x30, 0x05):
    for v6 in (0, 1):
        ctl = 0x20 | 0x10 | v6            # from port 53, toward the client
        train = [frag_record(ctl | 2, 7, 0, 150), frag_record(ctl | 2, 7, 150, 150),
                 frag_record(ctl, 7, 300, 40)]
        write("fuzz_frag", bytes([pol]) + b"".join(train))
        write("fuzz_frag", bytes([pol]) + b"".join(reversed(train)))
        write("fuzz_frag", bytes([pol]) + train[0] + frag_record(ctl | 2, 7, 100, 100) + train[2])

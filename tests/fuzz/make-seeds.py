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

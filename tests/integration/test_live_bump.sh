#!/usr/bin/env bash
# Live test: client namespace -- dnsbump (DPDK on two veth ends) -- server
# namespace with Knot serving the signed lab zone. dig/kdig through the
# bump; captures on both sides judged by tshark; counters read over DPDK
# telemetry while it runs and from the exit report. Needs root.
set -uo pipefail
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/lib.sh"
trap lab_down EXIT

lab_need dig kdig tcpdump tshark dpdk-telemetry.py || exit 1
[ -x build/dnsbump ] || { echo "FAIL: build/dnsbump missing (make)"; exit 1; }
lab_up || exit 1
lab_second_pair
lab_server || exit 1
Z=$ZONE
cfg=$LAB_DIR/bump.cfg
json() { /usr/bin/python3 -c "import json,sys; d=json.load(open('$LAB_DIR/dnsbump.json')); print($1)"; }

for drv in af_xdp af_packet; do
	echo "== $drv: clamp on"
	lab_bump_config "$cfg" 'edns_clamp = 1232;' "$drv"
	lab_bump "$cfg" || { bad "$drv: dnsbump starts"; continue; }
	lab_capture "$LAB_S" s0 "$LAB_DIR/srv.pcap"
	a4=$(ip netns exec "$LAB_C" dig +time=3 +tries=2 +short +dnssec +bufsize=4096 @"$SERVER4" small.$Z A | head -1)
	a6=$(ip netns exec "$LAB_C" kdig +timeout=3 +retry=1 +short +bufsize=4096 @"$SERVER6" small.$Z AAAA | head -1)
	lab_capture_stop
	check '[ "$a4" = 198.51.100.80 ]' "$drv: A answer through the bump over IPv4 ($a4)"
	check '[ "$a6" = 2001:db8:100::80 ]' "$drv: AAAA answer through the bump over IPv6 ($a6)"
	sizes=$(tshark -r "$LAB_DIR/srv.pcap" -Y 'dns.flags.response == 0' -T fields -e dns.rr.udp_payload_size 2>/dev/null | sort | tr '\n' ' ')
	check '[ "$sizes" = "1232 1232 " ]' "$drv: both queries reach the server advertising 1232 (saw: $sizes)"
	good_ck=$(tshark -r "$LAB_DIR/srv.pcap" -o udp.check_checksum:TRUE -Y 'dns.flags.response == 0 && udp.checksum.status == "Good"' 2>/dev/null | wc -l)
	check '[ "$good_ck" = 2 ]' "$drv: both rewritten queries carry valid UDP checksums ($good_ck)"
	tel=$(lab_telemetry /dnsbump/stats)
	clamped=$(echo "$tel" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["/dnsbump/stats"]["edns_clamped"])' 2>/dev/null)
	check '[ "${clamped:-0}" -ge 2 ]' "$drv: telemetry answers while running (edns_clamped=$clamped)"
	info=$(lab_telemetry /dnsbump/info)
	check 'echo "$info" | grep -q "\"mode\": *\"live\""' "$drv: /dnsbump/info"
	lab_bump_stop
	check '[ "$(json "d[\"counters\"][\"edns_clamped\"]")" = 2 ]' "$drv: exactly 2 queries clamped"
	check '[ "$(json "d[\"counters\"][\"queries\"]")" = 2 ]' "$drv: exactly 2 queries seen"
	check '[ "$(json "d[\"counters\"][\"rx_packets\"] == d[\"counters\"][\"tx_packets\"]")" = True ]' "$drv: every frame forwarded"
	check '[ "$(json "d[\"mbufs\"][\"start\"] == d[\"mbufs\"][\"exit\"]")" = True ]' "$drv: mempool back to its start count ($(json 'd["mbufs"]'))"

	echo "== $drv: clamp off, path limit 1232: the bump answers TC=1, the client retries over TCP"
	lab_bump_config "$cfg" 'edns_clamp = 0; path_limit = 1232;' "$drv"
	lab_bump "$cfg" || { bad "$drv: dnsbump starts"; continue; }
	lab_capture "$LAB_C" c0 "$LAB_DIR/cli.pcap"
	lab_capture "$LAB_S" s0 "$LAB_DIR/srv.pcap"
	out=$(ip netns exec "$LAB_C" dig +time=3 +tries=1 +bufsize=4096 +nodnssec @"$SERVER4" txt1400.$Z TXT)
	lab_capture_stop
	lab_bump_stop
	check 'echo "$out" | grep -q "Truncated, retrying in TCP mode"' "$drv: dig saw TC=1 and retried over TCP"
	check 'echo "$out" | grep -q "ANSWER: 1,"' "$drv: the TCP retry through the bump got the answer"
	srv_tc=$(tshark -r "$LAB_DIR/srv.pcap" -Y 'udp && dns.flags.response == 1' -T fields -e dns.flags.truncated -e udp.length 2>/dev/null)
	cli_tc=$(tshark -r "$LAB_DIR/cli.pcap" -Y 'udp && dns.flags.response == 1' -T fields -e dns.flags.truncated -e udp.length -e dns.count.answers 2>/dev/null)
	check 'echo "$srv_tc" | grep -qE "^(False|0)\s+1[34][0-9][0-9]$"' "$drv: the server sent the full answer over UDP ($srv_tc)"
	check 'echo "$cli_tc" | grep -qE "^(True|1)\s+[0-9]{2}\s+0$"' "$drv: the client got a small TC=1 answer made by the bump ($cli_tc)"
	syn=$(tshark -r "$LAB_DIR/cli.pcap" -Y 'tcp.flags.syn == 1 && tcp.flags.ack == 0 && tcp.dstport == 53' 2>/dev/null | wc -l)
	check '[ "$syn" -ge 1 ]' "$drv: the client opened TCP/53 after the TC answer"
	check '[ "$(json "d[\"counters\"][\"tc_synthesized\"]")" = 1 ]' "$drv: tc_synthesized = 1"
	check '[ "$(json "d[\"counters\"][\"pass_dns_tcp\"] > 0")" = True ]' "$drv: TCP/53 forwarded"
	check '[ "$(json "d[\"mbufs\"][\"start\"] == d[\"mbufs\"][\"exit\"]")" = True ]' "$drv: mempool back to its start count"
done

echo "== two pairs, two workers"
cat >"$cfg" <<CFG
eal = [ "--no-huge", "-m", "256", "--file-prefix", "$LAB", "--lcores", "0@0,1@1,2@1" ];
ports = (
  { name = "c1"; device = "net_af_xdp0,iface=bc"; },
  { name = "s1"; device = "net_af_xdp1,iface=bs"; },
  { name = "c2"; device = "net_af_xdp2,iface=bc2"; },
  { name = "s2"; device = "net_af_xdp3,iface=bs2"; }
);
pairs = ( { client = "c1"; server = "s1"; }, { client = "c2"; server = "s2"; } );
workers = [ 1, 2 ];
mempool = { mbufs = 16383; cache = 128; };
dns = { edns_clamp = 1232; };
CFG
if lab_bump "$cfg"; then
	a1=$(ip netns exec "$LAB_C" dig +time=3 +tries=2 +short +bufsize=4096 @"$SERVER4" small.$Z A | head -1)
	a2=$(ip netns exec "$LAB_C" dig +time=3 +tries=2 +short +bufsize=4096 @"$SERVER4_2" small.$Z A | head -1)
	lanes=$(lab_telemetry /dnsbump/lcores)
	lab_bump_stop
	check '[ "$a1" = 198.51.100.80 ] && [ "$a2" = 198.51.100.80 ]' "two pairs: answers through both ($a1, $a2)"
	per=$(echo "$lanes" | /usr/bin/python3 -c 'import json,sys; d=json.load(sys.stdin)["/dnsbump/lcores"]; print(d["lcores"], d["edns_clamped"])' 2>/dev/null)
	check '[ "$per" = "[1, 2] [1, 1]" ]' "two pairs: each worker clamped its pair's query ($per)"
	check '[ "$(json "d[\"counters\"][\"edns_clamped\"]")" = 2 ]' "two pairs: 2 queries clamped in total"
else
	bad "two pairs: dnsbump starts"
fi

echo "== af_xdp on hugepages"
hp=/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages
hp_before=$(cat "$hp")
hp_dir=$LAB_DIR/huge
mkdir -p "$hp_dir"
if [ "$hp_before" -lt 128 ]; then echo 128 >"$hp"; fi
if mount -t hugetlbfs -o pagesize=2M nodev "$hp_dir" && [ "$(cat "$hp")" -ge 64 ]; then
	lab_bump_config "$cfg" 'edns_clamp = 1232;' af_xdp "\"--huge-dir\", \"$hp_dir\", \"-m\", \"128\""
	if lab_bump "$cfg"; then
		# Packet capture of what the bump sees, through DPDK's pdump.
		ip netns exec "$LAB_B" timeout 20 dpdk-dumpcap --file-prefix="$LAB" -i 0 \
			-f "udp port 53" -c 1 -w "$LAB_DIR/dump.pcapng" >"$LAB_DIR/dumpcap.log" 2>&1 &
		dcap=$!
		for i in $(seq 50); do grep -q "Capturing on" "$LAB_DIR/dumpcap.log" && break; sleep 0.1; done
		a4=$(ip netns exec "$LAB_C" dig +time=3 +tries=2 +short +bufsize=4096 @"$SERVER4" small.$Z A | head -1)
		wait "$dcap"; dcrc=$?
		# One query (the answer may be in the same pdump burst: the bump
		# sends at once at low load, and dumpcap sees both directions).
		seen=$(tshark -r "$LAB_DIR/dump.pcapng" -Y "dns.qry.name == small.$Z && dns.flags.response == 0" 2>/dev/null | wc -l)
		check '[ "$dcrc" = 0 ] && [ "$seen" = 1 ]' "dpdk-dumpcap captures what the bump sees (rc $dcrc, $seen query)"
		lab_bump_stop
		check '[ "$a4" = 198.51.100.80 ]' "hugepages: answer through the bump ($a4)"
		check '[ "$(json "d[\"counters\"][\"edns_clamped\"]")" = 1 ]' "hugepages: query clamped"
		check '[ "$(json "d[\"mbufs\"][\"start\"] == d[\"mbufs\"][\"exit\"]")" = True ]' "hugepages: mempool back to its start count"
	else
		bad "hugepages: dnsbump starts on hugepages"
	fi
	umount "$hp_dir"
else
	bad "hugepages: could not reserve 2 MB hugepages (have $(cat "$hp"))"
fi
echo "$hp_before" >"$hp"

echo "live bump: $pass passed, $fail failed"
[ "$fail" -eq 0 ]

#!/usr/bin/env bash
# dnsbumpctl against a running daemon in the lab: stats (table and JSON),
# per-lcore, Prometheus text (parsed by the Python client library), the
# HTTP /metrics endpoint, watch, diag on a clean path, reload (good, bad,
# restart-only change, SIGHUP), and diag of a daemon that tracks less
# (dns.track). Needs root.
set -uo pipefail
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/lib.sh"
trap lab_down EXIT
CTL="build/dnsbumpctl --file-prefix"

lab_need dig tcpdump tshark curl || exit 1
/usr/bin/python3 -c 'import prometheus_client' || { echo "FAIL: python3-prometheus-client missing"; exit 1; }
lab_up || exit 1
lab_server || exit 1
Z=$ZONE
cfg=$LAB_DIR/bump.cfg
lab_bump_config "$cfg" 'edns_clamp = 1232;'
lab_bump "$cfg" || { echo "FAIL: dnsbump starts"; exit 1; }
for i in 1 2 3; do
	ip netns exec "$LAB_C" dig +time=2 +tries=1 +short +dnssec +bufsize=4096 @"$SERVER4" small.$Z A >/dev/null
done

out=$($CTL "$LAB" stats)
check 'echo "$out" | grep -qE "edns_clamped +3 "' "stats: table shows 3 clamped queries"
js=$($CTL "$LAB" stats --json)
check '[ "$(echo "$js" | /usr/bin/python3 -c "import json,sys; d=json.load(sys.stdin); print(d[\"counters\"][\"queries\"], d[\"findings\"])")" = "3 []" ]' "stats --json: 3 queries, no finding"
lc=$($CTL "$LAB" lcores)
check 'echo "$lc" | grep -qE "^edns_clamped +3$"' "lcores: per-lcore table"

$CTL "$LAB" prometheus >"$LAB_DIR/metrics.txt"
parsed=$(/usr/bin/python3 - "$LAB_DIR/metrics.txt" <<'PY'
import sys
from prometheus_client.parser import text_string_to_metric_families
fams = {f.name: f for f in text_string_to_metric_families(open(sys.argv[1]).read())}
clamped = [s.value for s in fams["dnsbump_edns_clamped"].samples if s.name == "dnsbump_edns_clamped_total"][0]
h = fams["dnsbump_response_size_bytes"]
assert h.type == "histogram"
do1 = [s for s in h.samples if s.labels.get("do") == "1" and s.name.endswith("_bucket")]
vals = [s.value for s in do1]
assert vals == sorted(vals) and do1[-1].labels["le"] == "+Inf"
count = [s.value for s in h.samples if s.name.endswith("_count") and s.labels.get("do") == "1"][0]
assert count == vals[-1] == 3, (count, vals)
assert fams["dnsbump_answer_latency_seconds"].type == "histogram"
assert fams["dnsbump_udp_flows_active"].type == "gauge"
# Three digs, three source ports: three flows, counted exactly unless two
# share a register of the count (about one run in 1400 counts two).
flows = [s.value for s in fams["dnsbump_udp_flows_active"].samples][0]
assert flows in (2, 3), flows
tracked = {s.labels["part"]: s.value for s in fams["dnsbump_tracked"].samples}
assert tracked == {"queries": 1, "retries": 1, "flows": 1}, tracked
assert all(f.documentation for f in fams.values())
print(int(clamped), len(fams))
PY
)
check '[ "${parsed%% *}" = 3 ]' "prometheus: parses, counters, histograms and gauges right ($parsed families)"

port=$((20000 + RANDOM % 20000))
ip netns exec "$LAB_B" build/dnsbumpctl --file-prefix "$LAB" serve --listen "127.0.0.1:$port" 2>/dev/null &
srv=$!
LAB_PIDS+=("$srv")
# Until it listens and has read the daemon's counters once (10 s at most).
for i in $(seq 100); do
	m=$(ip netns exec "$LAB_B" curl -s -m 2 "http://127.0.0.1:$port/metrics" || true)
	echo "$m" | grep -q "^dnsbump_edns_clamped_total" && break
	sleep 0.1
done
check 'echo "$m" | grep -q "^dnsbump_edns_clamped_total 3$"' \
	"serve: curl /metrics (got: $(echo "$m" | grep -m1 '^dnsbump_edns_clamped_total' || echo "${m:0:120}"))"
code=$(ip netns exec "$LAB_B" curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/other")
check '[ "$code" = 404 ]' "serve: other paths are 404"
kill "$srv"; wait "$srv" 2>/dev/null

h=$($CTL "$LAB" raw /dnsbump/histograms)
check 'echo "$h" | /usr/bin/python3 -c "import json,sys; d=json.load(sys.stdin)[\"/dnsbump/histograms\"]; assert sum(d[\"response_size_do\"]) == 3 and len(d[\"latency\"]) == 7"' "telemetry /dnsbump/histograms"
w=$($CTL "$LAB" watch --interval 0.3 --count 2)
check '[ "$(echo "$w" | grep -c "^rx_packets")" = 2 ]' "watch: two refreshes"
check '[ "$(echo "$w" | grep -cE "^cycles a frame: ([0-9]+, [0-9]+ of them in the packet logic|- \(no frames in the interval\))$")" = 2 ]' \
	"watch: what a frame cost, each refresh ($(echo "$w" | grep "^cycles" | tr '\n' ';'))"
# With queries during the interval: what a frame cost, the packet logic a part of it.
(sleep 0.3; for i in 1 2 3; do
	ip netns exec "$LAB_C" dig +time=2 +tries=1 +short @"$SERVER4" small.$Z A >/dev/null
done) &
digs=$!
w=$($CTL "$LAB" watch --interval 2 --count 1)
wait "$digs"
cyc=$(echo "$w" | sed -n 's/^cycles a frame: \([0-9]*\), \([0-9]*\) of them in the packet logic$/\1 \2/p')
check '[ -n "$cyc" ] && [ "${cyc#* }" -gt 0 ] && [ "${cyc#* }" -lt "${cyc% *}" ]' \
	"watch: cycles a frame with the packet logic's part ($(echo "$w" | grep "^cycles"))"
d=$($CTL "$LAB" diag)
check 'echo "$d" | grep -q "^no finding"' "diag: no finding on a clean path"
check '[ "$($CTL "$LAB" diag --json)" = "[]" ]' "diag --json: empty"

clamp() { lab_telemetry /dnsbump/config | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["/dnsbump/config"]["edns_clamp"])'; }
sed -i 's/edns_clamp = 1232;/edns_clamp = 1400;/' "$cfg"
r=$($CTL "$LAB" reload); rc=$?
check '[ $rc = 0 ] && echo "$r" | grep -q "clamp 1400"' "reload: good config takes effect ($r)"
check '[ "$(clamp)" = 1400 ]' "reload: /dnsbump/config shows 1400"
lab_capture "$LAB_S" s0 "$LAB_DIR/srv.pcap"
ip netns exec "$LAB_C" dig +time=2 +tries=1 +short +bufsize=4096 @"$SERVER4" small.$Z A >/dev/null
lab_capture_stop
sz=$(tshark -r "$LAB_DIR/srv.pcap" -Y 'dns.flags.response == 0' -T fields -e dns.rr.udp_payload_size 2>/dev/null)
check '[ "$sz" = 1400 ]' "reload: the next query reaches the server advertising 1400 ($sz)"

cp "$cfg" "$cfg.good"
sed -i 's/edns_clamp = 1400;/edns_clamp = 10;/' "$cfg"
r=$($CTL "$LAB" reload 2>&1); rc=$?
check '[ $rc = 1 ] && echo "$r" | grep -q "rejected.*bump.cfg:[0-9]*: edns_clamp = 10 is out of range"' "reload: bad config rejected with file:line ($r)"
check '[ "$(clamp)" = 1400 ]' "reload: old policy kept"
cp "$cfg.good" "$cfg"
sed -i 's/workers = \[ 1 \];/workers = [ 1 ]; burst = 16;/' "$cfg"
r=$($CTL "$LAB" reload 2>&1); rc=$?
check '[ $rc = 1 ] && echo "$r" | grep -q "restart needed"' "reload: restart-only change refused ($r)"
check '[ "$(lab_telemetry /dnsbump/config | /usr/bin/python3 -c "import json,sys; print(\",\".join(json.load(sys.stdin)[\"/dnsbump/config\"][\"track\"]))")" = "queries,retries,flows" ]' "/dnsbump/config: everything tracked by default"
cp "$cfg.good" "$cfg"
sed -i 's/edns_clamp = 1400;/edns_clamp = 1400; track = [ "queries" ];/' "$cfg"
r=$($CTL "$LAB" reload 2>&1); rc=$?
check '[ $rc = 1 ] && echo "$r" | grep -q "or track changed, restart needed"' "reload: a dns.track change needs a restart ($r)"
cp "$cfg.good" "$cfg"
sed -i 's/edns_clamp = 1400;/edns_clamp = 1300;/' "$cfg"
kill -HUP "$LAB_BUMP_PID"
for i in $(seq 30); do [ "$(clamp)" = 1300 ] && break; sleep 0.1; done
check '[ "$(clamp)" = 1300 ]' "reload: SIGHUP"
check 'grep -q "reload (SIGHUP): ok" "$LAB_DIR/dnsbump.log"' "reload: SIGHUP logged"

# Less tracked: diag says what it cannot see, from the daemon's config.
lab_bump_restart 'edns_clamp = 1232; track = [ "queries" ];' || { echo "FAIL: dnsbump restarts"; exit 1; }
check 'grep -q "^dnsbump: running, .*, tracking queries$" "$LAB_DIR/dnsbump.log"' "the log says what is tracked"
ip netns exec "$LAB_C" dig +time=2 +tries=1 +short +bufsize=4096 @"$SERVER4" small.$Z A >/dev/null
d=$($CTL "$LAB" diag)
check 'echo "$d" | grep -q "^\[bump\] not_tracked: dns.track leaves out retries flows"' "diag: names what dns.track leaves out ($d)"
check '$CTL "$LAB" prometheus | grep -qx "dnsbump_tracked{part=\"retries\"} 0"' "prometheus: dnsbump_tracked shows retries left out"
js=$($CTL "$LAB" stats --json)
check '[ "$(echo "$js" | /usr/bin/python3 -c "import json,sys; d=json.load(sys.stdin); print(d[\"counters\"][\"queries\"], d[\"counters\"][\"responses_unmatched\"], \",\".join(f[\"id\"] for f in d[\"findings\"]))")" = "1 0 not_tracked" ]' "stats --json: the query matched, the finding listed"
lab_bump_stop
check '[ "$($CTL "$LAB" stats 2>&1 >/dev/null | grep -c "is dnsbump running")" = 1 ]' "a stopped daemon is reported, not hung on"

echo "dnsbumpctl: $pass passed, $fail failed"
[ "$fail" -eq 0 ]

# shellcheck shell=bash
# dnsbump lab: network namespaces, veth pairs, a real authoritative server
# (Knot) and a real validating resolver (Unbound), with dnsbump in the
# path. Sourced by the demo and the integration tests.
#
#   client ns (c0) ---- (bc) bump ns (bs) ---- (s0) server ns
#
# With LAB_MBOX=server (or client) a "middlebox" namespace (a Linux bridge
# with nftables impairments, lab_impair) sits between the bump and the
# server (or between the client and the bump):
#
#   c0 -- bc [bump] bs -- mc [mbox bridge] ms -- s0
#   c0 -- mc [mbox bridge] ms -- bc [bump] bs -- s0
#
# Every namespace is named with the run's prefix ($LAB); lab_down removes
# only those, and ends only the processes this lab started (by PID).
# Addresses come from 198.51.100.0/24 and 2001:db8:100::/64 only.

LAB_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
: "${LAB:=dbl$$}"
: "${LAB_DIR:=$(mktemp -d /tmp/dnsbump-lab.XXXXXX)}"
LAB_C=${LAB}c
LAB_B=${LAB}b
LAB_S=${LAB}s
LAB_M=${LAB}m
: "${LAB_MBOX:=none}"
LAB_PIDS=()
LAB_CAP_PIDS=()
CLIENT4=198.51.100.10
SERVER4=198.51.100.53
CLIENT6=2001:db8:100::10
SERVER6=2001:db8:100::53
ZONE=dnsbump.test

lab_log() { echo "lab: $*" >&2; }

lab_need() {
	local missing=()
	for t in "$@"; do command -v "$t" >/dev/null || missing+=("$t"); done
	if [ ${#missing[@]} -gt 0 ]; then
		lab_log "missing: ${missing[*]} (run toolchain/setup)"
		return 1
	fi
	[ "$(id -u)" -eq 0 ] || { lab_log "the lab needs root (network namespaces)"; return 1; }
}

# Quiet a veth end for DPDK or for exact captures: no offloads, no DAD.
lab_quiet_if() {
	local ns=$1 ifc=$2
	ip netns exec "$ns" ethtool -K "$ifc" tx off rx off gro off gso off tso off >/dev/null 2>&1 || true
}

lab_ns() {
	ip netns add "$1"
	ip -n "$1" link set lo up
	ip netns exec "$1" sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
}

lab_bump_end() {
	ip -n "$LAB_B" link set "$1" arp off up
	ip netns exec "$LAB_B" sysctl -qw "net.ipv6.conf.$1.disable_ipv6=1"
	lab_quiet_if "$LAB_B" "$1"
}

# Build the namespaces and the links through the bump namespace (and the
# middlebox, with LAB_MBOX=server or client).
lab_up() {
	lab_need ip ethtool knotd kdig || return 1
	lab_ns "$LAB_C"
	lab_ns "$LAB_B"
	lab_ns "$LAB_S"
	case "$LAB_MBOX" in
	none)
		ip link add c0 netns "$LAB_C" type veth peer name bc netns "$LAB_B"
		ip link add s0 netns "$LAB_S" type veth peer name bs netns "$LAB_B"
		;;
	server | client)
		lab_need nft || return 1
		lab_ns "$LAB_M"
		ip -n "$LAB_M" link add br0 type bridge
		if [ "$LAB_MBOX" = server ]; then
			ip link add c0 netns "$LAB_C" type veth peer name bc netns "$LAB_B"
			ip link add bs netns "$LAB_B" type veth peer name mc netns "$LAB_M"
			ip link add s0 netns "$LAB_S" type veth peer name ms netns "$LAB_M"
		else
			ip link add c0 netns "$LAB_C" type veth peer name mc netns "$LAB_M"
			ip link add bc netns "$LAB_B" type veth peer name ms netns "$LAB_M"
			ip link add s0 netns "$LAB_S" type veth peer name bs netns "$LAB_B"
		fi
		local m
		for m in mc ms; do
			ip -n "$LAB_M" link set "$m" master br0 up
			lab_quiet_if "$LAB_M" "$m"
		done
		ip -n "$LAB_M" link set br0 up
		;;
	*) lab_log "LAB_MBOX must be none, server or client"; return 1 ;;
	esac
	lab_bump_end bc
	lab_bump_end bs
	ip -n "$LAB_C" addr add "$CLIENT4/24" dev c0
	ip -n "$LAB_C" addr add "$CLIENT6/64" dev c0 nodad
	ip -n "$LAB_C" link set c0 up
	lab_quiet_if "$LAB_C" c0
	ip -n "$LAB_S" addr add "$SERVER4/24" dev s0
	ip -n "$LAB_S" addr add "$SERVER6/64" dev s0 nodad
	ip -n "$LAB_S" link set s0 up
	lab_quiet_if "$LAB_S" s0
	lab_log "namespaces of $LAB up (middlebox: $LAB_MBOX), files in $LAB_DIR"
}

# Impair the middlebox: lab_impair KIND [N]
#   none        forward everything
#   frag        drop non-first IP fragments (IPv4 and IPv6)
#   large N     drop UDP from port 53 whose DNS payload exceeds N octets
#   tcp53       drop TCP to port 53 (SYNs never reach the server)
#   mtu N       the middlebox's links carry frames of N octets at most, while
#               the hosts still send 1500: larger frames vanish (an MTU black
#               hole, as behind a tunnel that filters ICMP)
lab_impair() {
	local kind=$1 n=${2:-1232} rules="" m
	[ "$kind" = none ] && [ "$LAB_MBOX" = none ] && return 0
	for m in mc ms br0; do
		ip -n "$LAB_M" link set "$m" mtu "$([ "$kind" = mtu ] && echo "$n" || echo 1500)"
	done
	case "$kind" in
	none) ;;
	frag) rules="ip frag-off & 0x1fff != 0 counter drop
		frag frag-off != 0 counter drop" ;;
	large) rules="udp sport 53 ip length > $((n + 28)) counter drop
		udp sport 53 ip6 length > $((n + 8)) counter drop" ;;
	tcp53) rules="tcp dport 53 counter drop" ;;
	mtu) ;;
	*) lab_log "unknown impairment $kind"; return 1 ;;
	esac
	ip netns exec "$LAB_M" nft delete table bridge dnsbump 2>/dev/null || true
	ip netns exec "$LAB_M" nft -f - <<NFT
table bridge dnsbump {
	chain impair {
		type filter hook forward priority 0; policy accept;
		$rules
	}
}
NFT
}

# A second link pair through the bump namespace (c1 -- bc2 | bs2 -- s1) on
# 203.0.113.0/24, for tests with two port pairs; call before lab_server.
CLIENT4_2=203.0.113.10
SERVER4_2=203.0.113.53
lab_second_pair() {
	ip link add c1 netns "$LAB_C" type veth peer name bc2 netns "$LAB_B"
	ip link add s1 netns "$LAB_S" type veth peer name bs2 netns "$LAB_B"
	local n
	for n in bc2 bs2; do
		ip -n "$LAB_B" link set "$n" arp off up
		ip netns exec "$LAB_B" sysctl -qw "net.ipv6.conf.$n.disable_ipv6=1"
		lab_quiet_if "$LAB_B" "$n"
	done
	ip -n "$LAB_C" addr add "$CLIENT4_2/24" dev c1
	ip -n "$LAB_C" link set c1 up
	lab_quiet_if "$LAB_C" c1
	ip -n "$LAB_S" addr add "$SERVER4_2/24" dev s1
	ip -n "$LAB_S" link set s1 up
	lab_quiet_if "$LAB_S" s1
	LAB_EXTRA_LISTEN="$SERVER4_2@53, "
}

# Without dnsbump: bridge the two bump-side ends in the kernel.
lab_bridge() {
	ip -n "$LAB_B" link add br0 type bridge
	ip -n "$LAB_B" link set bc master br0
	ip -n "$LAB_B" link set bs master br0
	ip -n "$LAB_B" link set br0 up
}

lab_unbridge() {
	ip -n "$LAB_B" link del br0 2>/dev/null || true
}

# Signed zone and Knot in the server namespace.
lab_server() {
	"$LAB_ROOT"/toolchain/lab-zone "$LAB_DIR/zone" "$SERVER4" "$SERVER6" >/dev/null
	mkdir -p "$LAB_DIR/knot"
	cat >"$LAB_DIR/knot/knot.conf" <<KNOT
server:
    rundir: "$LAB_DIR/knot"
    listen: [ ${LAB_EXTRA_LISTEN:-}$SERVER4@53, $SERVER6@53 ]
    udp-max-payload: 4096
    tcp-idle-timeout: 10
log:
  - target: stderr
    any: warning
database:
    storage: "$LAB_DIR/knot"
template:
  - id: default
    storage: "$LAB_DIR/zone"
    zonefile-sync: -1
    zonefile-load: whole
    journal-content: none
zone:
  - domain: $ZONE
    file: "$ZONE.zone.signed"
KNOT
	ip netns exec "$LAB_S" knotd -c "$LAB_DIR/knot/knot.conf" 2>"$LAB_DIR/knot/knotd.log" &
	LAB_PIDS+=($!)
	local i
	for i in $(seq 50); do
		ip netns exec "$LAB_S" kdig +short +timeout=1 +retry=0 @"$SERVER4" "$ZONE" SOA >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	lab_log "knotd did not answer"; cat "$LAB_DIR/knot/knotd.log" >&2
	return 1
}

# Unbound in the client namespace on 127.0.0.1:53, validating with the
# zone's trust anchor, asking Knot directly (stub zone). It advertises
# LAB_EDNS (default 4096, as resolvers long did) and asks over
# LAB_FAMILY (4 or 6). Restarted with an empty cache each call.
lab_resolver() {
	local d=$LAB_DIR/unbound old
	mkdir -p "$d"
	# The PID lives in a file: callers run this in $(...) subshells.
	if [ -s "$d/pid" ]; then
		old=$(cat "$d/pid")
		kill "$old" 2>/dev/null
		while kill -0 "$old" 2>/dev/null; do sleep 0.05; done
	fi
	local addr=$SERVER4 v6=no
	if [ "${LAB_FAMILY:-4}" = 6 ]; then addr=$SERVER6; v6=yes; fi
	cat >"$d/unbound.conf" <<UB
server:
	interface: 127.0.0.1
	port: 53
	do-daemonize: no
	username: ""
	chroot: ""
	directory: "$d"
	pidfile: ""
	use-syslog: no
	logfile: ""
	verbosity: ${LAB_UNBOUND_VERBOSITY:-0}
	do-ip4: yes
	do-ip6: $v6
	prefer-ip6: $v6
	do-udp: yes
	do-tcp: yes
	edns-buffer-size: ${LAB_EDNS:-4096}
	module-config: "validator iterator"
	trust-anchor-file: "$LAB_DIR/zone/trust-anchor.key"
	val-log-level: 2
	qname-minimisation: no
	infra-cache-max-rtt: 1000
	harden-referral-path: no
	do-not-query-localhost: no
	so-reuseport: no
	local-zone: "test." nodefault
stub-zone:
	name: "$ZONE"
	stub-addr: $addr
UB
	ip netns exec "$LAB_C" unbound -c "$d/unbound.conf" 2>"$d/unbound.log" &
	echo $! >"$d/pid"
	LAB_PIDS+=($!)
	local i
	for i in $(seq 50); do
		ip netns exec "$LAB_C" dig +time=1 +tries=1 @127.0.0.1 version.server CH TXT >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	lab_log "unbound did not start"; cat "$d/unbound.log" >&2
	return 1
}

# Ask the resolver: prints "RCODE AD" (AD: 1 when validated) for NAME TYPE.
lab_resolve() {
	local out rcode ad=0
	out=$(ip netns exec "$LAB_C" dig +time=12 +tries=1 +dnssec @127.0.0.1 "$1" "${2:-A}" 2>&1)
	rcode=$(echo "$out" | sed -n 's/.*status: \([A-Z]*\).*/\1/p' | head -1)
	echo "$out" | grep -q "flags:.* ad" && ad=1
	echo "${rcode:-TIMEOUT} $ad"
}

# dnsbump in the bump namespace on the two veth ends, with config $1.
lab_bump() {
	local cfg=$1 log=$LAB_DIR/dnsbump.log
	ip netns exec "$LAB_B" "$LAB_ROOT"/build/dnsbump -c "$cfg" >"$LAB_DIR/dnsbump.json" 2>"$log" &
	LAB_BUMP_PID=$!
	LAB_PIDS+=("$LAB_BUMP_PID")
	local i
	for i in $(seq 100); do
		grep -q 'dnsbump: running' "$log" 2>/dev/null && return 0
		kill -0 "$LAB_BUMP_PID" 2>/dev/null || break
		sleep 0.1
	done
	lab_log "dnsbump did not start:"; cat "$log" >&2
	return 1
}

# Stop dnsbump (SIGINT) and wait for its final JSON.
lab_bump_stop() {
	[ -n "${LAB_BUMP_PID:-}" ] || return 0
	kill -INT "$LAB_BUMP_PID" 2>/dev/null || true
	local i
	for i in $(seq 100); do
		kill -0 "$LAB_BUMP_PID" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$LAB_BUMP_PID" 2>/dev/null || true
	wait "$LAB_BUMP_PID" 2>/dev/null || true
	LAB_BUMP_PID=
}

# Write a dnsbump config for the lab's two veth ends: dns keys in $2, the
# driver in $3 (af_xdp, the default, sees fragments as they are; af_packet
# has the kernel reassemble IPv4 fragments first), EAL memory options in $4,
# emulate keys in $5; LAB_BUMP_EXTRA is appended as it is (e.g. a fragments
# section).
lab_bump_config() {
	local out=$1 dns=${2:-} drv=${3:-af_xdp} mem=${4:-'"--no-huge", "-m", "256"'} emu=${5:-}
	cat >"$out" <<CFG
eal = [ $mem, "--file-prefix", "$LAB", "--log-level", "lib.*:notice" ];
ports = (
  { name = "client"; device = "net_${drv}0,iface=bc"; },
  { name = "server"; device = "net_${drv}1,iface=bs"; }
);
pairs = ( { client = "client"; server = "server"; } );
workers = [ 1 ];
mempool = { mbufs = 8191; cache = 128; };
dns = { $dns };
emulate = { $emu };
${LAB_BUMP_EXTRA:-}
CFG
}

# Restart the bump with dns keys $1 and emulate keys $2 (af_xdp).
lab_bump_restart() {
	lab_bump_stop
	lab_bump_config "$LAB_DIR/bump.cfg" "${1:-}" af_xdp '"--no-huge", "-m", "256"' "${2:-}"
	lab_bump "$LAB_DIR/bump.cfg"
}

# A stub query straight to the server, no retry, no fallback but TC->TCP:
# prints "ok SIZE" (SIZE: octets received; "tcp" when dig retried over TCP)
# or "fail WHY".
lab_stub() {
	local name=$1 type=$2 out
	shift 2
	local srv=$SERVER4
	[ "${LAB_FAMILY:-4}" = 6 ] && srv=$SERVER6
	out=$(ip netns exec "$LAB_C" dig +time=2 +tries=1 "$@" @"$srv" "$name" "$type" 2>&1)
	if echo "$out" | grep -q "status: NOERROR"; then
		local size via=udp
		size=$(echo "$out" | sed -n 's/.*MSG SIZE  rcvd: \([0-9]*\).*/\1/p')
		echo "$out" | grep -q "retrying in TCP mode\|(TCP)" && via=tcp
		echo "ok $size $via"
	elif echo "$out" | grep -q "connection refused\|reset"; then
		echo "fail refused"
	else
		echo "fail timeout"
	fi
}

# Unbound's verdict on the three names that matter, "RCODE AD|RCODE AD|RCODE AD"
# for txt3000 TXT, the DNSKEY RRset, small A (fresh resolver each call).
lab_validate_names() {
	lab_resolver >/dev/null || { echo "resolver down"; return; }
	echo "$(lab_resolve txt3000.$ZONE TXT)|$(lab_resolve $ZONE DNSKEY)|$(lab_resolve small.$ZONE A)"
}

# Evidence for findings: a dozen stub queries for answers larger than any
# frame (1.6 to 2.7 kB).
lab_burst_large() {
	local n
	for n in s1600 s1700 s1800 s1900 s2000 s2100 s2200 s2300 s2400 s2500 s2600 s2700; do
		lab_stub "$n.$ZONE" TXT +dnssec +bufsize=4096 >/dev/null
	done
}

# The bump's findings, one id per line (none: nothing).
lab_findings() {
	"$LAB_ROOT"/build/dnsbumpctl --file-prefix "$LAB" diag --json |
		/usr/bin/python3 -c 'import json,sys; print(" ".join(f["id"] for f in json.load(sys.stdin)) or "none")'
}

# Evidence of loss is counted when a table entry ages out: a query, a SYN
# or a datagram is given up query_timeout_ms (5 s) after its last packet,
# and the paced sweep notices it within a quarter of that again, so a
# finding can trail the traffic that shows it by 6.25 s.
LAB_EVIDENCE_S=7

# The findings once they match REGEX, or as they stand after that long (one
# second more: $SECONDS counts whole seconds).
lab_findings_await() {
	local re=$1 end=$((SECONDS + LAB_EVIDENCE_S + 1)) f
	while :; do
		f=$(lab_findings)
		if echo "$f" | grep -qE "$re" || [ "$SECONDS" -ge "$end" ]; then
			echo "$f"
			return
		fi
		sleep 0.5
	done
}

# The findings once all evidence of the traffic so far has aged out: what
# "no finding" is worth.
lab_findings_settled() {
	sleep "$LAB_EVIDENCE_S"
	lab_findings
}

# Counter NAME of the running bump.
lab_counter() {
	"$LAB_ROOT"/build/dnsbumpctl --file-prefix "$LAB" stats --json |
		/usr/bin/python3 -c "import json,sys; print(json.load(sys.stdin)['counters']['$1'])"
}

# Packets the middlebox's impairment rules dropped.
lab_impair_drops() {
	ip netns exec "$LAB_M" nft list table bridge dnsbump 2>/dev/null |
		sed -n 's/.*counter packets \([0-9]*\).*/\1/p' | awk '{s += $1} END {print s + 0}'
}

# Capture on interface $2 of namespace $1 into $3 until lab_capture_stop.
lab_capture() {
	local log=$3.log i
	ip netns exec "$1" tcpdump -Z root --immediate-mode -i "$2" -s 0 -U -w "$3" 2>"$log" &
	LAB_CAP_PIDS+=($!)
	LAB_PIDS+=($!)
	for i in $(seq 50); do
		grep -q "listening on" "$log" 2>/dev/null && return 0
		sleep 0.1
	done
	lab_log "tcpdump on $2 did not start"
	return 1
}

lab_capture_stop() {
	sleep 0.3
	local p
	for p in "${LAB_CAP_PIDS[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
	LAB_CAP_PIDS=()
}

# Ask the running bump's telemetry: lab_telemetry /dnsbump/stats
lab_telemetry() {
	echo "$1" | timeout 10 dpdk-telemetry.py -f "$LAB" 2>/dev/null | tail -1
}

lab_down() {
	lab_bump_stop
	local p
	[ -s "$LAB_DIR/unbound/pid" ] && LAB_PIDS+=("$(cat "$LAB_DIR/unbound/pid")")
	for p in "${LAB_PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
	for p in "${LAB_PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
	LAB_PIDS=()
	for p in "$LAB_C" "$LAB_B" "$LAB_S" "$LAB_M"; do ip netns del "$p" 2>/dev/null || true; done
	[ -n "${LAB_KEEP:-}" ] || rm -rf "$LAB_DIR"
}

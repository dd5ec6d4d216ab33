#!/usr/bin/env bash
# dnsbump-probe in the lab, against Knot serving the signed lab zone (with
# the probe's reply-size ladder), over IPv4 and IPv6 at once. For each
# impairment of the middlebox (nftables on a Linux bridge) and each
# breakage the bump emulates, the probe's verdicts must name exactly that
# impairment, its measured size limit must be right within the ladder's
# step, and its exit status must say whether the path is DNSSEC-safe; on a
# clean path every check passes. Needs root.
set -uo pipefail
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/lib.sh"
RESULTS=$(mktemp)
trap 'rm -f "$RESULTS"' EXIT
tally() { echo "$pass $fail" >>"$RESULTS"; }
PROBE=$LAB_ROOT/build/dnsbump-probe
[ -x "$PROBE" ] || { echo "FAIL: build/dnsbump-probe missing (make)"; echo "probe: 0 passed, 1 failed"; exit 1; }
lab_need dig nft || { echo "probe: 0 passed, 1 failed"; exit 1; }

# probe: run the probe from the client; sets OUT (JSON), RC, V (verdicts
# as letters, p pass, w warn, f fail, s skip, checkpoints 1..8).
probe() {
	OUT=$(ip netns exec "$LAB_C" "$PROBE" --json --timeout 600 --retries 0 "$SERVER4,$SERVER6" "$ZONE" 2>&1)
	RC=$?
	V=$(echo "$OUT" | /usr/bin/python3 -c 'import json,sys
d = json.load(sys.stdin)
print("".join(c["verdict"][0] for c in d["checkpoints"]))' 2>/dev/null || echo "no-json")
}
# jq-like: field PATH of the last probe's JSON
field() { echo "$OUT" | /usr/bin/python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }
# expect_probe VERDICTS EXIT "what"
expect_probe() {
	probe
	expect "$V" "$1" "$3: verdicts"
	expect "$RC" "$2" "$3: exit status"
	[ "$V" = "$1" ] || echo "$OUT" >&2
}

# ---- middlebox between the client and the server, bridged (no bump)
(
	LAB=${LAB}p LAB_MBOX=server
	LAB_DIR=$(mktemp -d /tmp/dnsbump-lab.XXXXXX)
	source toolchain/lab.sh
	trap 'lab_down; tally' EXIT
	lab_up >/dev/null && lab_server && lab_bridge || { bad "lab up"; exit 1; }

	echo "== clean path"
	lab_impair none
	expect_probe "ppppppsp" 0 "clean"
	expect "$(field 'd["families"]["ipv4"]["do0"]["largest"], d["families"]["ipv6"]["do0"]["largest"]')" "4000 4000" \
		"clean: every ladder answer arrives"
	expect "$(field 'd["ladder"]["announced"], d["suggested_edns"], d["dnssec_safe"]')" "True 1232 True" \
		"clean: ladder from the zone, suggested 1232, safe"
	expect_match "$(field 'd["families"]["ipv4"]["do1"]["largest_received"]')" "^4[0-9]{3}$" \
		"clean: DO=1 answers larger than the rung (RRSIGs)"

	echo "== non-first fragments dropped"
	lab_impair frag
	expect_probe "pfppppsp" 0 "frag"
	expect "$(field 'd["families"]["ipv4"]["do0"]["largest"], d["families"]["ipv4"]["do0"]["smallest_failed"]')" "1472 1500" \
		"frag: IPv4 limit is the largest unfragmented answer (1500-octet frames)"
	expect "$(field 'd["families"]["ipv6"]["do0"]["largest"], d["families"]["ipv6"]["do0"]["smallest_failed"]')" "1452 1472" \
		"frag: IPv6 limit is the largest unfragmented answer"

	echo "== UDP answers above 1232 dropped"
	lab_impair large 1232
	expect_probe "wsppppsp" 0 "large 1232"
	expect "$(field 'd["families"]["ipv4"]["do0"]["largest"], d["families"]["ipv4"]["do0"]["smallest_failed"]')" "1232 1300" \
		"large 1232: the limit (1232) lies within one step"

	echo "== UDP answers above 1000 dropped"
	lab_impair large 1000
	expect_probe "fsppppsp" 1 "large 1000"
	expect "$(field 'd["families"]["ipv6"]["do0"]["largest"], d["families"]["ipv6"]["do0"]["smallest_failed"]')" "1000 1100" \
		"large 1000: the limit (1000) lies within one step"
	expect_match "$(field 'd["suggested_edns"]')" "^(9[0-9][0-9]|1000)$" "large 1000: suggested EDNS size at most 1000"

	echo "== TCP/53 filtered"
	lab_impair tcp53
	expect_probe "pppfppsp" 1 "tcp53"
	expect_match "$(field 'd["checkpoints"][3]["detail"]')" "no SYN-ACK" "tcp53: named as filtered"

	echo "== MTU 1280 black hole"
	lab_impair mtu 1280
	expect_probe "wsppppsp" 0 "mtu 1280"
	expect "$(field 'd["families"]["ipv4"]["do0"]["largest"], d["families"]["ipv4"]["do0"]["smallest_failed"]')" "1232 1300" \
		"mtu 1280: IPv4 limit (1252) within one step"
	expect_match "$(field 'd["checkpoints"][0]["detail"]')" "MTU below 1500" "mtu 1280: named"
	expect_match "$(field 'd["suggested_edns"]')" "^1[12][0-9][0-9]$" "mtu 1280: suggested EDNS size below 1252"
)

# ---- the bump's own emulation (no middlebox), and its assistance
(
	LAB=${LAB}q LAB_MBOX=server
	LAB_DIR=$(mktemp -d /tmp/dnsbump-lab.XXXXXX)
	source toolchain/lab.sh
	trap 'lab_down; tally' EXIT
	lab_up >/dev/null && lab_server || { bad "lab up"; exit 1; }
	NOASSIST='edns_clamp = 0; oversize = "pass";'

	echo "== through the bump, transparent"
	lab_impair none
	lab_bump_restart "$NOASSIST" || exit 1
	expect_probe "ppppppsp" 0 "bump transparent"

	echo "== bump emulates a proxy that clears DO"
	lab_bump_restart "$NOASSIST" "clear_do = true;"
	expect_probe "pppppfsp" 1 "clear DO"
	expect_match "$(field 'd["checkpoints"][5]["detail"]')" "DO is cleared" "clear DO: named"

	echo "== bump emulates a box that drops answers with DO"
	lab_bump_restart "$NOASSIST" "drop_do_answers = true;"
	expect_probe "pppppfsp" 1 "drop DO answers"
	expect_match "$(field 'd["checkpoints"][5]["detail"]')" "DO=1 queries are lost" "drop DO answers: named"

	echo "== bump emulates a proxy that strips OPT from answers"
	lab_bump_restart "$NOASSIST" 'strip_opt = "answers";'
	probe
	expect "${V:4:1}" "f" "strip OPT: checkpoint 5 fails"
	expect_match "$(field 'd["checkpoints"][4]["detail"]')" "without OPT" "strip OPT: named"

	echo "== bump emulates a TCP/53 filter that resets"
	lab_bump_restart "$NOASSIST" 'block_tcp53 = "reset";'
	expect_probe "pppfppsp" 1 "tcp53 reset"
	expect_match "$(field 'd["checkpoints"][3]["detail"]')" "refused" "tcp53 reset: named as refused"

	echo "== fragments dropped upstream, the bump assisting (clamp 1232)"
	lab_impair frag
	lab_bump_restart 'edns_clamp = 1232;'
	expect_probe "psppppsp" 0 "frag with the bump's clamp"
	expect "$(field 'd["families"]["ipv4"]["do0"]["failed_how"]')" "truncated" \
		"frag with clamp: above 1232 answers come truncated, none lost"
)

p=0 f=0
while read -r a b; do p=$((p + a)); f=$((f + b)); done <"$RESULTS"
echo "probe: $p passed, $f failed"
[ "$f" -eq 0 ]

#!/usr/bin/env bash
# The lab, asserting outcomes against software nobody here wrote: Knot
# serving the signed zone, Unbound validating, dig as a stub; a middlebox
# (Linux bridge + nftables) breaking DNS one way at a time, upstream or
# downstream of the bump; then the bump's own breakage emulation giving the
# same client-visible failure. IPv4 and IPv6. Needs root.
set -uo pipefail
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/lib.sh"
RESULTS=$(mktemp)
trap 'rm -f "$RESULTS"' EXIT
tally() { echo "$pass $fail" >>"$RESULTS"; }
Z=$ZONE
NOASSIST='edns_clamp = 0; oversize = "pass";'
ASSIST='edns_clamp = 1232; path_limit = 1232;'
ALL_AD="NOERROR 1|NOERROR 1|NOERROR 1"

lab_need dig nft unbound || { echo "lab: 0 passed, 1 failed"; exit 1; }

# ---- A: middlebox between the bump and the server
(
	LAB=${LAB}a LAB_MBOX=server
	LAB_DIR=$(mktemp -d /tmp/dnsbump-lab.XXXXXX)
	source toolchain/lab.sh
	trap 'lab_down; tally' EXIT
	lab_up >/dev/null && lab_server || { bad "lab up"; exit 1; }

	echo "== clean path"
	lab_bump_restart "$NOASSIST" || exit 1
	expect "$(lab_validate_names)" "$ALL_AD" "clean: Unbound validates every name"
	expect "$(lab_stub txt3000.$Z TXT +dnssec +bufsize=4096)" "ok 3301 udp" "clean: 3 kB answer over UDP"
	expect "$(lab_findings_settled)" "none" "clean: no finding"

	echo "== upstream drops UDP answers larger than 1232"
	lab_impair large 1232
	lab_bump_restart "$NOASSIST"
	expect_match "$(lab_validate_names)" "SERVFAIL|TIMEOUT" "large, no assistance: Unbound fails to validate"
	expect "$(lab_stub s1300.$Z TXT +nodnssec +bufsize=4096)" "fail timeout" "large, no assistance: stub times out"
	lab_burst_large
	expect_match "$(lab_findings_await "upstream_large_loss")" "upstream_large_loss" "large, no assistance: diag names it"
	lab_bump_restart "$ASSIST"
	expect "$(lab_validate_names)" "$ALL_AD" "large, assistance: Unbound validates again"
	expect "$(lab_stub s1300.$Z TXT +nodnssec +bufsize=4096)" "ok 1300 tcp" "large, assistance: TC then TCP"
	expect_match "$(lab_counter edns_clamped)" "^[1-9]" "large, assistance: queries clamped"
	expect "$(lab_findings_settled)" "none" "large, assistance: no finding"

	echo "== upstream drops IP fragments"
	lab_impair frag
	lab_bump_restart "$NOASSIST"
	expect "$(lab_stub txt3000.$Z TXT +dnssec +bufsize=4096)" "fail timeout" "frag, no assistance: fragmented answer lost"
	d0=$(lab_impair_drops)
	expect_match "$d0" "^[1-9]" "frag, no assistance: the middlebox dropped fragments"
	lab_burst_large
	expect_match "$(lab_findings_await "upstream_large_loss")" "upstream_large_loss" "frag, no assistance: diag names it"
	lab_bump_restart "$ASSIST"
	expect "$(lab_stub txt3000.$Z TXT +dnssec +bufsize=4096)" "ok 3301 tcp" "frag, assistance: TC then TCP"
	expect "$(lab_validate_names)" "$ALL_AD" "frag, assistance: Unbound validates"
	d1=$(lab_impair_drops)
	lab_burst_large
	expect "$(lab_impair_drops)" "$d1" "frag, assistance: no fragment to drop any more"

	echo "== TCP/53 filtered upstream"
	lab_impair tcp53
	lab_bump_restart "$NOASSIST"
	expect "$(lab_stub small.$Z A +tcp)" "fail timeout" "tcp53: DNS over TCP fails"
	expect "$(lab_validate_names)" "$ALL_AD" "tcp53, no clamp: UDP answers still carry everything"
	for i in 1 2 3; do lab_stub s040$i.$Z TXT +tcp >/dev/null; done
	expect_match "$(lab_findings_await "tcp53_filtered")" "tcp53_filtered" "tcp53: diag names it"

	echo "== MTU 1280 on the server side, hosts still sending 1500"
	lab_impair mtu 1280
	lab_bump_restart "$NOASSIST"
	expect "$(lab_stub s1300.$Z TXT +nodnssec +bufsize=4096)" "fail timeout" "mtu 1280: a 1.3 kB answer vanishes"
	expect "$(lab_stub small.$Z A +dnssec +bufsize=4096)" "ok 363 udp" "mtu 1280: small answers pass"
	lab_bump_restart "$ASSIST"
	expect "$(lab_stub s1300.$Z TXT +nodnssec +bufsize=4096)" "ok 1300 tcp" "mtu 1280, assistance: TC then TCP"
	expect "$(lab_validate_names)" "$ALL_AD" "mtu 1280, assistance: Unbound validates"
)
rc_a=$?

# ---- B: middlebox between the client and the bump (downstream)
(
	LAB=${LAB}b LAB_MBOX=client
	LAB_DIR=$(mktemp -d /tmp/dnsbump-lab.XXXXXX)
	source toolchain/lab.sh
	trap 'lab_down; tally' EXIT
	lab_up >/dev/null && lab_server || { bad "lab up"; exit 1; }
	echo "== downstream drops UDP answers larger than 1232"
	lab_impair large 1232
	lab_bump_restart "$NOASSIST"
	expect "$(lab_stub s1300.$Z TXT +nodnssec +bufsize=4096)" "fail timeout" "downstream, no assistance: stub times out"
	for i in 1 2 3 4 5 6; do
		ip netns exec "$LAB_C" dig +time=1 +tries=2 +nodnssec +bufsize=4096 @"$SERVER4" s1300.$Z TXT >/dev/null
		ip netns exec "$LAB_C" dig +time=1 +tries=2 +nodnssec +bufsize=4096 @"$SERVER4" s1400.$Z TXT >/dev/null
	done
	expect_match "$(lab_findings_await "downstream_large_loss")" "downstream_large_loss" "downstream: diag names it"
	lab_bump_restart 'edns_clamp = 0; path_limit = 1232;'
	expect "$(lab_stub s1300.$Z TXT +nodnssec +bufsize=4096)" "ok 1300 tcp" "downstream, path limit: the bump's TC=1 brings TCP"
	expect "$(lab_counter tc_synthesized)" "1" "downstream, path limit: TC made by the bump"
	expect "$(lab_counter tc_tcp_followup)" "1" "downstream, path limit: the client followed up over TCP"
)
rc_b=$?

# ---- C: the bump's own emulation gives the same client-visible failures
(
	LAB=${LAB}c LAB_MBOX=none
	LAB_DIR=$(mktemp -d /tmp/dnsbump-lab.XXXXXX)
	source toolchain/lab.sh
	trap 'lab_down; tally' EXIT
	lab_up >/dev/null && lab_server || { bad "lab up"; exit 1; }
	echo "== emulation"
	lab_bump_restart "$NOASSIST" 'drop_fragments = "non-first";'
	expect "$(lab_stub txt3000.$Z TXT +dnssec +bufsize=4096)" "fail timeout" "emulate fragments: like the middlebox"
	expect "$(lab_stub s1300.$Z TXT +nodnssec +bufsize=4096)" "ok 1300 udp" "emulate fragments: unfragmented answers pass"
	expect_match "$(lab_counter emu_drop_fragment)" "^[1-9]" "emulate fragments: counted"
	lab_bump_restart "$NOASSIST" 'drop_udp_larger_than = 1232;'
	expect "$(lab_stub s1300.$Z TXT +nodnssec +bufsize=4096)" "fail timeout" "emulate large: like the middlebox"
	expect_match "$(lab_validate_names)" "SERVFAIL|TIMEOUT" "emulate large: Unbound fails like behind the middlebox"
	lab_bump_restart "$NOASSIST" 'block_tcp53 = "drop";'
	expect "$(lab_stub small.$Z A +tcp)" "fail timeout" "emulate TCP/53 drop: like the middlebox"
	lab_bump_restart "$NOASSIST" 'block_tcp53 = "reset";'
	expect "$(lab_stub small.$Z A +tcp)" "fail refused" "emulate TCP/53 reset: connection refused"
	expect "$(lab_counter emu_reset_tcp53)" "1" "emulate TCP/53 reset: counted"
	lab_bump_restart "$NOASSIST" 'clear_do = true;'
	expect "$(lab_validate_names)" "SERVFAIL 0|SERVFAIL 0|SERVFAIL 0" "emulate clear DO: signatures gone, Unbound fails"
	lab_bump_restart "$NOASSIST" 'drop_do_answers = true;'
	expect "$(lab_stub small.$Z A +dnssec)" "fail timeout" "emulate drop DO answers: DO answers lost"
	expect "$(lab_stub small.$Z A +nodnssec)" "ok 63 udp" "emulate drop DO answers: others pass"
	lab_bump_restart "$NOASSIST" 'strip_opt = "answers";'
	out=$(ip netns exec "$LAB_C" dig +time=2 +tries=1 +dnssec @"$SERVER4" small.$Z A)
	expect "$(echo "$out" | grep -c 'OPT PSEUDOSECTION')" "0" "emulate strip OPT: answers arrive without OPT"
	expect "$(lab_counter emu_strip_opt)" "1" "emulate strip OPT: counted"
)
rc_c=$?

# ---- D: IPv6
(
	LAB=${LAB}d LAB_MBOX=server LAB_FAMILY=6
	LAB_DIR=$(mktemp -d /tmp/dnsbump-lab.XXXXXX)
	source toolchain/lab.sh
	trap 'lab_down; tally' EXIT
	lab_up >/dev/null && lab_server || { bad "lab up"; exit 1; }
	echo "== IPv6"
	lab_bump_restart "$NOASSIST"
	expect "$(lab_validate_names)" "$ALL_AD" "IPv6 clean: Unbound validates over IPv6"
	lab_impair frag
	expect "$(lab_stub txt3000.$Z TXT +dnssec +bufsize=4096)" "fail timeout" "IPv6 frag: fragmented answer lost"
	lab_bump_restart "$ASSIST"
	expect "$(lab_stub txt3000.$Z TXT +dnssec +bufsize=4096)" "ok 3301 tcp" "IPv6 frag, assistance: TC then TCP"
	expect "$(lab_validate_names)" "$ALL_AD" "IPv6 frag, assistance: Unbound validates"
)
rc_d=$?

read -r P F < <(awk '{p += $1; f += $2} END {print p + 0, f + 0}' "$RESULTS")
echo "lab: $P passed, $F failed"
[ "$F" = 0 ] && [ $rc_a = 0 ] && [ $rc_b = 0 ] && [ $rc_c = 0 ] && [ $rc_d = 0 ]

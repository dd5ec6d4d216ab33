#!/usr/bin/env bash
# Fragment policies live: Knot sends 3 kB DNSSEC answers from a 1500-MTU
# link; the client sits behind a 1280-MTU link, so the server's 1500-octet
# fragments cannot reach it, nor can whole 1.4 kB answers (an MTU black
# hole, as behind a tunnel). dig
# as the client, IPv4 and IPv6, through dnsbump on af_xdp:
#   pass        the fragments go on as they are: the answer never arrives
#   reassemble  the bump re-fragments to 1280: the answer arrives over UDP
#   truncate    the bump sends TC=1: dig retries over TCP and gets it
#   drop        the bump drops the fragments: nothing arrives
# Unbound validates through the reassembling bump. Needs root.
set -uo pipefail
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/lib.sh"
Z=$ZONE
lab_need dig unbound || { echo "frag-mtu: 0 passed, 1 failed"; exit 1; }
trap 'lab_down' EXIT
lab_up >/dev/null && lab_server || { bad "lab up"; echo "frag-mtu: $pass passed, $fail failed"; exit 1; }
ip -n "$LAB_C" link set c0 mtu 1280
ip -n "$LAB_B" link set bc mtu 1280

policy() {
	LAB_BUMP_EXTRA="fragments = { to_client = \"$1\"; client_mtu = 1280; };"
	lab_bump_restart 'edns_clamp = 0; oversize = "pass";' || bad "bump with $1"
}

for fam in 4 6; do
	export LAB_FAMILY=$fam
	echo "== IPv$fam"
	policy pass
	expect "$(lab_stub txt3000.$Z TXT +dnssec +bufsize=4096 +notcp)" "fail timeout" \
		"v$fam pass: 1500-octet fragments vanish on the 1280 link"
	expect "$(lab_stub small.$Z A +dnssec +bufsize=4096)" "ok $(lab_stub small.$Z A +dnssec +bufsize=4096 | cut -d' ' -f2) udp" \
		"v$fam pass: small answers unaffected"
	expect_match "$(lab_counter pass_fragment)" "^[1-9]" "v$fam pass: fragments forwarded as they are"
	expect "$(lab_stub s1400.$Z TXT +nodnssec +bufsize=4096 +notcp)" "fail timeout" \
		"v$fam pass: a whole 1.4 kB answer vanishes on the 1280 link too"

	policy reassemble
	expect "$(lab_stub txt3000.$Z TXT +dnssec +bufsize=4096 +notcp)" "ok 3301 udp" \
		"v$fam reassemble: the 3 kB answer arrives over UDP"
	expect_match "$(lab_counter frag_refragmented)" "^[1-9]" "v$fam reassemble: re-fragmented to 1280"
	expect "$(lab_stub s1400.$Z TXT +nodnssec +bufsize=4096 +notcp)" "ok 1400 udp" \
		"v$fam reassemble: a whole 1.4 kB answer is fragmented to 1280 and arrives"
	expect "$(lab_counter frag_held)" "2" "v$fam reassemble: the answer's first two fragments held"
	expect "$(lab_counter drop_emit_no_mbuf)" "0" "v$fam reassemble: every frame sent"
	if [ "$fam" = 4 ]; then
		lab_resolver >/dev/null
		expect "$(lab_resolve txt3000.$Z TXT)" "NOERROR 1" "v$fam reassemble: Unbound validates the 3 kB answer"
	fi

	policy truncate
	expect "$(lab_stub txt3000.$Z TXT +dnssec +bufsize=4096)" "ok 3301 tcp" \
		"v$fam truncate: TC=1 over UDP, then the answer over TCP"
	expect_match "$(lab_counter frag_tc_sent)" "^[1-9]" "v$fam truncate: TC answers sent for fragments"
	expect "$(lab_stub s1400.$Z TXT +nodnssec +bufsize=4096)" "ok 1400 tcp" \
		"v$fam truncate: a whole 1.4 kB answer becomes TC, then TCP"
	expect_match "$(lab_counter tc_tcp_followup)" "^[1-9]" "v$fam truncate: the client followed up over TCP"

	policy drop
	# The answer is to time out here, which a path not yet up through the
	# new bump would do too: first a small answer must come through.
	small=
	for _ in 1 2 3; do
		small=$(lab_stub small.$Z A +dnssec +bufsize=4096)
		case $small in ok*) break ;; esac
	done
	expect_match "$small" "^ok [0-9]+ udp$" "v$fam drop: small answers come through the bump"
	expect "$(lab_stub txt3000.$Z TXT +dnssec +bufsize=4096 +notcp)" "fail timeout" \
		"v$fam drop: fragmented answer dropped"
	expect_match "$(lab_counter frag_drop_policy)" "^[1-9]" "v$fam drop: fragments dropped by policy"
done
lab_bump_stop
echo "frag-mtu: $pass passed, $fail failed"
[ "$fail" -eq 0 ]

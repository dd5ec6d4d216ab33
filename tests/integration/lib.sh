# shellcheck shell=bash
# Shared by the integration tests: the lab, and counting checks.
cd "$(dirname "${BASH_SOURCE[0]}")/../.." || exit 1
# shellcheck source=toolchain/lab.sh
source toolchain/lab.sh
pass=0 fail=0
ok() { echo "ok: $*"; pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }
# check 'shell condition' "what it shows"
check() { if eval "$1"; then ok "$2"; else bad "$2 [$1]"; fi; }
# expect GOT WANT "what it shows"
expect() { if [ "$1" = "$2" ]; then ok "$3 ($1)"; else bad "$3: got '$1', want '$2'"; fi; }
# expect_match GOT REGEX "what it shows"
expect_match() { if echo "$1" | grep -qE "$2"; then ok "$3 ($1)"; else bad "$3: got '$1', want /$2/"; fi; }

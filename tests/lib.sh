# lib.sh: helpers sourced by the shell tests: assertions, temp dirs, root checks.
set -u
TOP=${MCPWARDEN_TOP:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
MCPWARDEN=${MCPWARDEN:-$TOP/build/san/mcpwarden}
NODE_DIR=$TOP/tests/e2e
FIXTURES=$TOP/tests/fixtures
TMP=$(mktemp -d /tmp/mcpwarden-test.XXXXXX)
trap 'rm -rf "$TMP"' EXIT

# MCPWARDEN_SLOW=F (default 1) stretches the tests' waits by F on a slow machine, such as a kernel under
# qemu without KVM (tools/kernels/); `slow N` is N times F (poll rounds, seconds).
SLOW=${MCPWARDEN_SLOW:-1}
slow() { awk -v n="$1" -v f="$SLOW" 'BEGIN { print n * f }'; }

fail() { echo "FAIL: $*" >&2; exit 1; }
pass() { echo "ok: $*"; }
# Skips (exit 77) when not root; under CI=true a missing root is a failure.
require_root() {
	if [ "$(id -u)" -ne 0 ]; then
		[ "${CI:-}" = true ] && fail "this test needs root and CI=true"
		echo "needs root"; exit 77
	fi
}
assert_contains() { # haystack needle what
	case "$1" in *"$2"*) pass "$3" ;; *) fail "$3: expected '$2' in: $1" ;; esac
}
assert_not_contains() {
	case "$1" in *"$2"*) fail "$3: did not expect '$2' in: $1" ;; *) pass "$3" ;; esac
}
assert_eq() { # got want what
	[ "$1" = "$2" ] && pass "$3" || fail "$3: got '$1', want '$2'"
}

INIT='{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}'
INITIALIZED='{"jsonrpc":"2.0","method":"notifications/initialized"}'
# raw SCRIPT CMD...: runs CMD under rawclient.py; stdout in $TMP/out, stderr in $TMP/err.
raw() {
	local script=$1; shift
	python3 "$NODE_DIR/rawclient.py" "$script" "$TMP/err" -- "$@" > "$TMP/out"
}
# reply ID: the line of $TMP/out answering id ID (JSON text).
reply() {
	python3 - "$1" "$TMP/out" <<'PY'
import json, sys
want = json.loads(sys.argv[1])
for line in open(sys.argv[2]):
    try:
        m = json.loads(line)
    except ValueError:
        continue
    for x in m if isinstance(m, list) else [m]:
        if isinstance(x, dict) and x.get("id") == want and ("result" in x or "error" in x):
            print(json.dumps(x))
PY
}

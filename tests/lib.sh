# lib.sh: helpers sourced by the shell tests: assertions, temp dirs, root checks.
set -u
TOP=${MCPWARDEN_TOP:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
MCPWARDEN=${MCPWARDEN:-$TOP/build/san/mcpwarden}
NODE_DIR=$TOP/tests/e2e
FIXTURES=$TOP/tests/fixtures
TMP=$(mktemp -d /tmp/mcpwarden-test.XXXXXX)
trap 'rm -rf "$TMP"' EXIT

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

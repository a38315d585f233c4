#!/usr/bin/env bash
# E2E: every usage text comes from the commands' option tables: `--help` and `CMD --help` list each option a
# command accepts, every option listed is accepted, and a usage error exits 2 with the usage on stderr.
source "$(dirname "$0")/../lib.sh"

# What each command accepts, as the README documents it.
declare -A known=(
	[run]="--policy --name --socket --no-daemon --allow-unsandboxed --strict-intercept --daemon-timeout --audit --max-line --verbose"
	[policy]="--strict --strict-intercept"
	[scan]="--json --home --wrap --policy-dir --unwrap"
	[audit]="--call --server --json --lines --key --key-file --seal-key"
	[daemon]="--socket --audit-dir --audit-fsync-ms --audit-segment-bytes --syslog --seal-key --seal-interval-ms --track-pid --trace-all --unpoliced --verbose"
	[events]="--follow --json --socket"
	[ps]="--json --socket"
	[status]="--json --socket"
)
# A value each option's own checks take, where "x" would not do.
declare -A value=([--max-line]=2048 [--daemon-timeout]=1000 [--track-pid]=1 [--unpoliced]=alert [--audit-fsync-ms]=1
	[--audit-segment-bytes]=4096 [--lines]=5 [--max-tracked]=2048 [--syslog]=local [--seal-interval-ms]=1000)

all=$("$MCPWARDEN" --help)
assert_eq "$?" 0 "mcpwarden --help exits 0"
for cmd in "${!known[@]}"; do
	line=$(grep -E "^  mcpwarden $cmd( |\$)" <<<"$all")
	[ -n "$line" ] || fail "mcpwarden --help has no line for $cmd: $all"
	help=$("$MCPWARDEN" "$cmd" --help)
	assert_eq "$?" 0 "$cmd --help exits 0"
	assert_contains "$help" "usage: ${line#  }" "$cmd --help starts with the same usage line as mcpwarden --help"
	for opt in ${known[$cmd]}; do
		assert_contains "$line" "$opt" "mcpwarden --help: $cmd $opt"
		assert_contains "$help" "$opt" "$cmd --help: $opt"
	done
	# Every option the help lists is one the parser takes: "CMD --opt [VALUE] --help" prints the help.
	while read -r text arg; do
		opt=${text#-?|}
		set -- "$opt"
		[ -z "$arg" ] || set -- "$opt" "${value[$opt]:-x}"
		"$MCPWARDEN" "$cmd" "$@" --help >/dev/null 2>"$TMP/err" ||
			fail "$cmd refuses $*, which its help lists: $(cat "$TMP/err")"
		pass "$cmd accepts $*, as its help says"
	done < <(sed -nE 's/^  (-[^ ]+( [^ ]+)?)  +.*/\1/p' <<<"$help")
	"$MCPWARDEN" "$cmd" --no-such-option >/dev/null 2>"$TMP/err"
	assert_eq "$?" 2 "$cmd: an unknown option exits 2"
	assert_contains "$(cat "$TMP/err")" "usage: ${line#  }" "$cmd: an unknown option prints the usage"
done

"$MCPWARDEN" run --verbose 2>"$TMP/err"
assert_eq "$?" 2 "run without a command exits 2"
assert_contains "$(cat "$TMP/err")" "usage: mcpwarden run [--policy FILE]" "and prints run's usage"
"$MCPWARDEN" policy 2>"$TMP/err"
assert_eq "$?" 2 "policy without check FILE exits 2"
assert_contains "$(cat "$TMP/err")" "usage: mcpwarden policy check [--strict] [--strict-intercept] FILE..." "and prints policy's usage"
"$MCPWARDEN" 2>"$TMP/err"
assert_eq "$?" 2 "no command exits 2"
assert_contains "$(cat "$TMP/err")" "$all" "and prints every command's usage"
"$MCPWARDEN" frobnicate 2>"$TMP/err"
assert_eq "$?" 2 "an unknown command exits 2"
assert_contains "$(cat "$TMP/err")" "unknown command 'frobnicate'" "and says so"

# The README's full synopses are the generated ones, word for word.
n=0
while read -r synopsis; do
	assert_contains "$all" "  $synopsis" "the README's synopsis is mcpwarden --help's: $synopsis"
	n=$((n + 1))
done < <(grep -oE '^`mcpwarden [a-z]+ \[[^`]*`' "$TOP/README.md" | tr -d '`')
[ "$n" -ge 2 ] || fail "the README has no full synopsis to check ($n found)"

# A stray operand is a usage error, never ignored: `scan --wrap /home/alice` must not wrap every user's configs.
for args in "ps extra" "status extra" "events extra" "scan --wrap /home/nobody-here"; do
	# shellcheck disable=SC2086
	"$MCPWARDEN" $args >/dev/null 2>"$TMP/err"
	assert_eq "$?" 2 "mcpwarden $args exits 2"
	assert_contains "$(cat "$TMP/err")" "usage: mcpwarden ${args%% *}" "mcpwarden $args prints the usage"
done

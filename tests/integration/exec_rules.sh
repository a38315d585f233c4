# exec_rules.sh: sourced by integration tests: a code-runner policy with a server-level and a tool-level
# exec rule, and a snippet that tries both (and one program they allow).

# exec_rules_policy FILE: /usr/bin/id denied for the server, touch for the run-code tool.
exec_rules_policy() {
	cat >"$1" <<EOF2
version: "1"
default: allow
sandbox:
  exec:
    deny: [/usr/bin/id]
tools:
  run-code:
    sandbox:
      exec:
        deny: [touch]
EOF2
}

# A snippet that runs id (server rule), touch $TMP/ran-touch (tool rule) and python3 (allowed), printing each
# return code: -9 for a program killed before it ran.
EXEC_RULES_CODE="import subprocess
for argv in (['/usr/bin/id'], ['touch', '$TMP/ran-touch'], ['/usr/bin/python3', '-c', 'print(\"child python ran\")']):
    r = subprocess.run(argv, capture_output=True, text=True)
    print(argv[0], 'returncode', r.returncode, r.stdout.strip())"

#!/usr/bin/env bash
# E2E: `scan --wrap` then `--unwrap` over all seven clients' formats gives every config back byte for byte
# (comments, trailing commas, huge integers, \u escapes, CRLF, tabs, TOML strings of every kind): the backup
# when nothing else changed, the textual unwrap when the backup is gone. Wrapping edits only the servers'
# command and args. A config that is not one valid document is refused with FILE:LINE: why, and nothing is
# written.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/scan_home.sh"
H=$TMP/home
mkdir -p "$H/.config/Claude" "$H/.cursor" "$H/.config/Code/User" "$H/.codeium/windsurf" "$H/.gemini" \
	"$H/.codex" "$H/proj/.vscode"
printf '{\n  "mcpServers": {\n    "caf\\u00e9": {\n      "command": "node",\n      "args": ["/srv/\\u0063af\\u00e9.js", "--port", "8080"],\n      "env": {"N": 12345678901234567890, "F": 1.50, "E": 1E+2}\n    }\n  },\n  "globalShortcut": "Ctrl+\\u0020"\n}\n' \
	> "$H/.config/Claude/claude_desktop_config.json"
cat > "$H/.claude.json" <<JSON
{"numStartups": 12345678901234567890, "mcpServers": {"cc": {"type": "stdio", "command": "npx", "args": ["-y", "@x/cc"], "env": {}}},
 "projects": {"$H/proj": {"allowedTools": [], "mcpServers": {"local": {"command": "uvx", "args": ["mcp-server-fetch"]}}}}}
JSON
printf '{"mcpServers":{"p":{"command":"python3","args":["-m","srv"]}}}' > "$H/proj/.mcp.json"
printf '{"servers": {"pv": {"command": "deno", "args": ["run", "x.ts"]}}}\n' > "$H/proj/.vscode/mcp.json"
cat > "$H/.cursor/mcp.json" <<'JSON'
// Cursor: JSON with comments
{
  "mcpServers": {
    /* the first */ "one": {"command": "npx", "args": ["-y", "one",],}, // trailing commas
    "two": {
      "args": [
        "--flag", // why
        "x"
      ],
      "command": "bun"
    },
  },
}
JSON
printf '// VS Code\r\n{\r\n\t"servers": {\r\n\t\t"mem": {\r\n\t\t\t"type": "stdio",\r\n\t\t\t"command": "npx",\r\n\t\t\t"args": [\r\n\t\t\t\t"-y", /* pkg */ "@modelcontextprotocol/server-memory",\r\n\t\t\t],\r\n\t\t},\r\n\t\t"remote": {"type": "http", "url": "https://mcp.example.invalid/mcp"},\r\n\t},\r\n\t"inputs": [],\r\n}\r\n' \
	> "$H/.config/Code/User/mcp.json"
printf '{"mcpServers": {"bin": {"command": "/opt/srv/bin", "disabled": false}, "sse": {"serverUrl": "https://x.invalid/sse"}}, "n": -0.0e-0}\n' \
	> "$H/.codeium/windsurf/mcp_config.json"
printf '{\n\t"theme": "GitHub",\n\t"mcpServers": {\n\t\t"g": {"command": "uvx", "args": ["mcp-server-time", "--tz=\\"UTC\\""], "timeout": 30000}\n\t}\n}\n' \
	> "$H/.gemini/settings.json"
printf 'model = "o4-mini" # [mcp_servers.not_a_table]\r\nnotes = """\r\n[mcp_servers.fake]\r\ncommand = "no"\r\n"""\r\n\r\n[mcp_servers.code-runner]\r\ncommand = '"'"'npx'"'"' # runner\r\nargs = [\r\n  "-y", # comment\r\n  '"'''"'mcp-server-code-runner'"'''"',\r\n]\r\n\r\n[mcp_servers."quoted name"]\r\ncommand = "uv\\u0078"\r\nargs = ["a\\tb"]\r\n\r\n[mcp_servers.code-runner.env]\r\nX = 1979-05-27T07:32:00Z\r\n' \
	> "$H/.codex/config.toml"
cp -a "$H" "$TMP/orig"
files=$(cd "$H" && find . -type f | sort)

mcpw_scan --home "$H" --wrap > "$TMP/wrap.out" 2> "$TMP/wrap.err" || fail "wrap failed: $(cat "$TMP/wrap.err")"
cat "$TMP/wrap.out"
assert_eq "$(grep -c ': wrapped' "$TMP/wrap.out")" 9 "all nine config files were wrapped"
mcpw_scan --json --home "$H" > "$TMP/scan.json" 2> "$TMP/scan.err" || fail "scan after wrap: $(cat "$TMP/scan.err")"
python3 - "$TMP/scan.json" "$(realpath "$MCPWARDEN")" <<'PY' || fail "a stdio server is not wrapped, or the wrapped one runs something else"
import json, sys
exe = sys.argv[2]	# wrapped servers run this mcpwarden by its absolute path, never one a PATH finds
want = {"café": ["node", "/srv/café.js", "--port", "8080"], "cc": ["npx", "-y", "@x/cc"], "local": ["uvx", "mcp-server-fetch"],
        "p": ["python3", "-m", "srv"], "pv": ["deno", "run", "x.ts"], "one": ["npx", "-y", "one"], "two": ["bun", "--flag", "x"],
        "mem": ["npx", "-y", "@modelcontextprotocol/server-memory"], "bin": ["/opt/srv/bin"],
        "g": ["uvx", "mcp-server-time", '--tz="UTC"'], "code-runner": ["npx", "-y", "mcp-server-code-runner"],
        "quoted name": ["uvx", "a\tb"]}
seen = set()
for line in open(sys.argv[1]):
    o = json.loads(line)
    if o["name"] in ("remote", "sse"):
        assert o["argv"] == [] and not o["wrapped_in_config"], o
        continue
    a = o["argv"]
    assert a[:4] == [exe, "run", "--name", o["name"]] and a[4] == "--", a
    assert a[5:] == want[o["name"]], (a, want[o["name"]])
    seen.add(o["name"])
assert seen == set(want), seen ^ set(want)
PY
pass "every stdio server of the seven clients is wrapped around its own command and args"
grep -q '12345678901234567890' "$H/.config/Claude/claude_desktop_config.json" &&
	grep -q '"caf\\u00e9"' "$H/.config/Claude/claude_desktop_config.json" &&
	grep -q '// trailing commas' "$H/.cursor/mcp.json" && grep -q $'\r$' "$H/.config/Code/User/mcp.json" &&
	grep -q '^\[mcp_servers.fake\]' "$H/.codex/config.toml" || fail "wrap changed bytes beside command and args"
pass "wrapping keeps comments, escapes, number spellings and CRLF"
mcpw_scan --home "$H" --wrap > "$TMP/again" || fail "a second wrap failed"
assert_eq "$(cat "$TMP/again")" "" "a second wrap changes nothing"

mcpw_scan --home "$H" --unwrap > "$TMP/unwrap.out" || fail "unwrap failed"
for f in $files; do
	cmp "$TMP/orig/$f" "$H/$f" || fail "$f: unwrap did not give it back byte for byte"
done
[ -z "$(find "$H" -name '*.mcpwarden*')" ] || fail "unwrap left files: $(find "$H" -name '*.mcpwarden*')"
pass "unwrap puts every config back byte for byte, and removes the backups"

# Without the backups, the textual unwrap gives the same bytes (but the new args of a server that had none).
mcpw_scan --home "$H" --wrap > /dev/null || fail "wrap failed"
find "$H" -name '*.mcpwarden.bak' -delete
mcpw_scan --home "$H" --unwrap > /dev/null || fail "textual unwrap failed"
for f in $files; do
	[ "$f" = ./.codeium/windsurf/mcp_config.json ] && continue
	cmp "$TMP/orig/$f" "$H/$f" || fail "$f: the textual unwrap did not give it back byte for byte"
done
assert_eq "$(cat "$H/.codeium/windsurf/mcp_config.json")" \
	'{"mcpServers": {"bin": {"command": "/opt/srv/bin", "args": [], "disabled": false}, "sse": {"serverUrl": "https://x.invalid/sse"}}, "n": -0.0e-0}' \
	"the textual unwrap leaves an empty args where wrap added one, and nothing else"
pass "without backups, the textual unwrap gives back every other byte"

# Not one valid document: refused with FILE:LINE, nothing written.
printf '{"mcpServers": {"a": {"command": "x", "args": []}}}\n{"mcpServers": {}}\n' > "$H/.cursor/mcp.json"
printf '{"mcpServers": {"a": {"command": "x", "args": []}}}\n/* open\n' > "$H/.gemini/settings.json"
printf '[mcp_servers.a]\ncommand = "x"\nargs = ["y"\n' > "$H/.codex/config.toml"
cp -a "$H" "$TMP/bad"
mcpw_scan --home "$H" --wrap > "$TMP/bad.out" 2> "$TMP/bad.err" && fail "wrap of broken configs exited 0"
cat "$TMP/bad.err"
assert_contains "$(cat "$TMP/bad.err")" "$H/.cursor/mcp.json:2: not valid JSON: more text after the document's value" "trailing text refused with its line"
assert_contains "$(cat "$TMP/bad.err")" "$H/.gemini/settings.json:2: not valid JSON: a comment is not closed" "an open comment refused with its line"
assert_contains "$(cat "$TMP/bad.err")" "$H/.codex/config.toml:4: expected ',' or ']' after an element" "broken TOML refused with its line"
for f in .cursor/mcp.json .gemini/settings.json .codex/config.toml; do
	cmp -s "$TMP/bad/$f" "$H/$f" && [ ! -e "$H/$f.mcpwarden.bak" ] || fail "$f was written"
done
[ -z "$(find "$H" -name '*.mcpwarden-*')" ] || fail "a temporary file was left"
pass "refused configs are not written, and no backup or temporary file is made for them"

# The backup is written the way the config is: a new file beside it, renamed into place. A wrap killed while it
# writes the backup (here by SIGXFSZ, past a 16 KiB RLIMIT_FSIZE) leaves no partial backup for the next wrap to
# take for the original; the next wrap keeps the whole original, the user's, with the config's mode.
H=$TMP/killed
mkdir -p "$H/.cursor"
python3 -c 'import sys; open(sys.argv[1], "w").write("{\"mcpServers\": {\"k\": {\"command\": \"x\", \"args\": [\"%s\"]}}}\n" % ("a" * 65536))' "$H/.cursor/mcp.json"
chmod 0604 "$H/.cursor/mcp.json"
cp -p "$H/.cursor/mcp.json" "$TMP/killed.orig"
(ulimit -f 16; mcpw_scan --home "$H" --wrap) > /dev/null 2> "$TMP/killed.err" && fail "a wrap past RLIMIT_FSIZE exited 0"
assert_contains "$(cat "$TMP/killed.err")" "killed by signal 25" "the wrap's child died writing"
cmp -s "$TMP/killed.orig" "$H/.cursor/mcp.json" || fail "the config changed though its wrap died"
[ ! -e "$H/.cursor/mcp.json.mcpwarden.bak" ] || fail "a partial backup was left: $(stat -c %s "$H/.cursor/mcp.json.mcpwarden.bak") bytes"
mcpw_scan --home "$H" --wrap > /dev/null || fail "the wrap after it failed"
cmp "$TMP/killed.orig" "$H/.cursor/mcp.json.mcpwarden.bak" || fail "the backup is not the whole original"
assert_eq "$(stat -c '%U %a' "$H/.cursor/mcp.json.mcpwarden.bak")" "$(stat -c '%U %a' "$H/.cursor/mcp.json")" \
	"the backup has the config's owner and mode"
pass "a wrap that dies writing the backup leaves none; the next keeps the whole original"

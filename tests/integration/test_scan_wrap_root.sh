#!/usr/bin/env bash
# test_scan_wrap_root.sh: `scan --wrap` and `--unwrap` run as root over a home owned by nobody, who has
# planted symbolic links: at the old temporary name, at the backup's name, as a config, as a config's
# parent directory, and as projects keys of ~/.claude.json into another user's 0700 directory (directly,
# through "..", and through a link). Each round proves that no file outside the home changed, that every
# file the tool leaves in the home is nobody's with the config's mode, that the links are reported and
# left alone, and that --unwrap gives every config back byte for byte. Rounds: --home DIR; the passwd
# path (a private /etc/passwd whose users' homes are test directories); and without openat2 (a seccomp
# filter makes it ENOSYS, so the component walk is what holds).
source "$(dirname "$0")/../lib.sh"
require_root
NO_OPENAT2=$TOP/build/tests/helpers/no_openat2
[ -x "$NO_OPENAT2" ] || fail "$NO_OPENAT2 is not built (make builds it)"
chmod 0711 "$TMP"
L=$TMP/logs	# the tool's output, outside what is compared
mkdir "$L"

# Lays out the home $TMP/home (nobody's), the places its links aim at, and copies of the configs.
setup() {
	rm -rf "$TMP/home" "$TMP/outside" "$TMP/elsewhere" "$TMP/victim" "$TMP/orig" "$TMP/roothome"
	H=$TMP/home
	mkdir -p "$H/.config/Claude" "$H/.cursor" "$H/.config/Code/User" "$H/.codex" "$H/proj" \
		"$TMP/outside" "$TMP/elsewhere/codeium/windsurf" "$TMP/victim" "$TMP/roothome"
	echo 'root only' > "$TMP/outside/secret"
	echo 'root only too' > "$TMP/outside/secret2"
	chmod 0600 "$TMP/outside/secret" "$TMP/outside/secret2"
	printf '{"mcpServers": {"d": {"command": "node", "args": ["d.js"]}}}\n' > "$H/.config/Claude/claude_desktop_config.json"
	printf '// cursor\n{"mcpServers": {"c": {"command": "npx", "args": ["-y", "c",],},},}\n' > "$H/.cursor/mcp.json"
	chmod 0640 "$H/.cursor/mcp.json"
	printf '{"servers": {"v": {"command": "uvx", "args": ["v"]}}}\r\n' > "$H/.config/Code/User/mcp.json"
	printf '[mcp_servers.x]\ncommand = "npx" # runner\nargs = ["-y", "x"]\n' > "$H/.codex/config.toml"
	printf '{"mcpServers": {"p": {"command": "python3", "args": ["p.py"]}}}\n' > "$H/proj/.mcp.json"
	cat > "$H/.claude.json" <<JSON
{"mcpServers": {"cc": {"command": "node", "args": ["cc.js"]}},
 "projects": {"$H/proj": {}, "$TMP/victim": {}, "$H/../victim": {}, "$H/vlink": {}}}
JSON
	# nobody's links, each leaving the home.
	ln -s "$TMP/outside/secret" "$H/.claude.json.mcpwarden.tmp"	# the old fixed temporary name
	ln -s "$TMP/outside/secret2" "$H/.config/Claude/claude_desktop_config.json.mcpwarden.bak"
	printf '{"mcpServers": {"g": {"command": "uvx", "args": ["g"]}}}\n' > "$TMP/elsewhere/settings.json"
	mkdir "$H/.gemini" && ln -s "$TMP/elsewhere/settings.json" "$H/.gemini/settings.json"
	printf '{"mcpServers": {"w": {"command": "uvx", "args": ["w"]}}}\n' > "$TMP/elsewhere/codeium/windsurf/mcp_config.json"
	ln -s "$TMP/elsewhere/codeium" "$H/.codeium"
	ln -s "$TMP/victim" "$H/vlink"
	chown -hR nobody:nogroup "$H" "$TMP/elsewhere"
	# Another user's 0700 project.
	printf '{"mcpServers": {"theirs": {"command": "sh", "args": ["x"]}}}\n' > "$TMP/victim/.mcp.json"
	chown -R 12345:12345 "$TMP/victim"
	chmod 0700 "$TMP/victim"
	cp -a "$H" "$TMP/orig"
}

# Every file outside the home: path, owner, group, mode, and the bytes' hash.
outside_state() {
	find "$TMP" -path "$TMP/home" -prune -o -path "$TMP/orig" -prune -o -path "$TMP/logs" -prune -o \
		-printf '%p %U %G %m %y %l\n' | sort
	find "$TMP" -path "$TMP/home" -prune -o -path "$TMP/orig" -prune -o -path "$TMP/logs" -prune -o -type f \
		-print0 | sort -z | xargs -0 sha256sum
}

check_home() { # what
	local strangers
	strangers=$(find "$H" ! -user nobody -printf '%p %u\n')
	assert_eq "$strangers" "" "$1: every file in the home is nobody's"
	[ -z "$(find "$H" -name '*.mcpwarden-*')" ] || fail "$1: a temporary file was left: $(find "$H" -name '*.mcpwarden-*')"
}

round() { # name, then the command that runs mcpwarden with its scan arguments
	local name=$1; shift
	setup
	local before out
	before=$(outside_state)
	out=$("$@" --wrap 2> "$L/$name.wrap.log") && fail "$name: wrap said all went well: $out"
	echo "$out"; cat "$L/$name.wrap.log"
	assert_eq "$(outside_state)" "$before" "$name: wrap changed no file outside the home"
	check_home "$name: wrap"
	for f in .cursor/mcp.json .config/Code/User/mcp.json .codex/config.toml .claude.json proj/.mcp.json; do
		assert_contains "$out" "$H/$f: wrapped 1 server(s)" "$name: $f wrapped"
		cmp -s "$TMP/orig/$f" "$H/$f.mcpwarden.bak" || fail "$name: $f's backup is not its original"
		assert_eq "$(stat -c '%U %a' "$H/$f.mcpwarden.bak")" "nobody $(stat -c %a "$TMP/orig/$f")" \
			"$name: $f's backup is nobody's, with the config's mode"
		assert_eq "$(stat -c '%U %a' "$H/$f")" "nobody $(stat -c %a "$TMP/orig/$f")" "$name: $f keeps its owner and mode"
	done
	grep -qF "\"$(realpath "$MCPWARDEN")\", \"args\": [\"run\", \"--name\", \"c\", \"--\", \"npx\"," "$H/.cursor/mcp.json" ||
		fail "$name: cursor not wrapped as text, around this mcpwarden's absolute path"
	local log
	log=$(cat "$L/$name.wrap.log")
	assert_contains "$log" "$H/.gemini/settings.json: a symbolic link, or below one: not followed" "$name: a config that is a link is left alone"
	assert_contains "$log" "$H/.codeium/windsurf/mcp_config.json: a symbolic link, or below one: not followed" "$name: a config below a linked directory is left alone"
	assert_contains "$log" "claude_desktop_config.json.mcpwarden.bak: there, but not a regular file" "$name: a planted backup name stops the wrap of its config"
	assert_contains "$log" "$TMP/victim: a project outside the home" "$name: a project key outside the home is left alone"
	assert_contains "$log" "$H/../victim/.mcp.json: outside the home: not read" "$name: a project key with .. is left alone"
	assert_contains "$log" "$H/vlink/.mcp.json: a symbolic link, or below one: not followed" "$name: a project key through a link is left alone"
	cmp -s "$TMP/orig/.config/Claude/claude_desktop_config.json" "$H/.config/Claude/claude_desktop_config.json" ||
		fail "$name: the config whose backup name was taken changed"

	"$@" --unwrap > "$L/$name.unwrap.out" 2> "$L/$name.unwrap.log"
	cat "$L/$name.unwrap.out"
	assert_eq "$(outside_state)" "$before" "$name: unwrap changed no file outside the home"
	check_home "$name: unwrap"
	rm "$H/.claude.json.mcpwarden.tmp" "$H/.config/Claude/claude_desktop_config.json.mcpwarden.bak"
	rm "$TMP/orig/.claude.json.mcpwarden.tmp" "$TMP/orig/.config/Claude/claude_desktop_config.json.mcpwarden.bak"
	diff -r --no-dereference "$TMP/orig" "$H" || fail "$name: unwrap did not give the home back byte for byte"
	pass "$name: unwrap gave every config back byte for byte and removed the backups"
}

round home "$MCPWARDEN" scan --home "$TMP/home"
round no-openat2 "$NO_OPENAT2" "$MCPWARDEN" scan --home "$TMP/home"
# Started with stdin closed, the home's directory would be opened as fd 0, which the per-home child points at
# /dev/null: the scan must not lose its home.
round closed-stdin sh -c 'exec "$@" <&-' sh "$MCPWARDEN" scan --home "$TMP/home"
# The passwd path: the users are this root (home $TMP/roothome) and nobody (home $TMP/home).
printf 'root:x:0:0:root:%s:/bin/sh\nnobody:x:65534:65534:nobody:%s:/usr/sbin/nologin\n' "$TMP/roothome" "$TMP/home" > "$TMP/passwd"
round passwd unshare -m sh -c 'mount --bind "$0" /etc/passwd && exec "$@"' "$TMP/passwd" "$MCPWARDEN" scan

# scan_home.sh: sourced by the scan tests: mcpw_scan runs `mcpwarden scan` over the test's home $H as a user's.
# As root, a --home must be its user's (root's own home is the only root-owned one scanned): the test's home
# becomes nobody's before each scan (the files the test writes are root's), in a directory nobody can cross.
mcpw_scan() {
	if [ "$(id -u)" = 0 ]; then
		chmod 0711 "$TMP"
		chown -R nobody: "$H"
	fi
	"$MCPWARDEN" scan "$@"
}

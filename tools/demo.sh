#!/usr/bin/env bash
# `make run`: starts mcp-server-code-runner under `mcpwarden run` with its shipped policy and
# drives it with the real MCP SDK client: one allowed call, two refused ones, then the audit.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
audit=$(mktemp /tmp/mcpwarden-demo-audit.XXXXXX)
echo "mcpwarden demo: mcp-server-code-runner under policies/mcp-server-code-runner.yaml"
echo "  client --stdio--> mcpwarden run --policy ... -- mcp-server-code-runner"
echo
cd "$top/tests/e2e"
node client.mjs coderunner -- "$top/build/mcpwarden" run \
	--policy "$top/policies/mcp-server-code-runner.yaml" --audit "$audit" \
	-- node node_modules/mcp-server-code-runner/dist/cli.js 2>&1 | sed 's/^/  /'
echo
echo "decision log ($audit):"
sed 's/^/  /' "$audit"

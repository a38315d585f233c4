#!/usr/bin/env bash
# Runs every benchmark (optimised build, no sanitizers) and prints results beside their baselines.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
export MCPWARDEN=$top/build/mcpwarden
"$top/build/bench"
bash "$top/tools/bench/daemon_bench.sh"
bash "$top/tools/bench/enforce_bench.sh"
bash "$top/tools/bench/harden_bench.sh"
bash "$top/tools/bench/load_bench.sh"

#!/usr/bin/env bash
# load_bench.sh: call_start ack latency on a busy host: 64 sandboxed servers, each behind its own shim, each sent 20 calls at once (tests/integration/test_load.sh's load, optimised build).
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
MCPWARDEN=${MCPWARDEN:-$top/build/mcpwarden}
SERVERS=${SERVERS:-64}
CALLS=${CALLS:-20}
[ "$(id -u)" -eq 0 ] || { echo "load benchmark: needs root (BPF); skipped"; exit 0; }
source "$top/tools/bench/bench_lib.sh"

echo "== call_start ack latency under load ($SERVERS servers x $CALLS calls at once, daemon at nice -10 as the unit runs it) =="
start_daemon --audit-dir "$tmp/audit"
renice -n -10 -p "$daemon_pid" >/dev/null
printf 'version: "1"\ndefault: allow\ntools:\n  run_code:\n    sandbox:\n      exec:\n        deny: [/usr/bin/touch]\n' \
	>"$tmp/policy.yaml"
mkdir "$tmp/load"
code="for i in 1 2 3 4 5 6 7 8 9 10; do /bin/true; done; /usr/bin/touch $tmp/ran-{server}-{call}; echo touch=\$?"
args=$(python3 -c 'import json,sys; print(json.dumps({"language": "bash", "code": sys.argv[1]}))' "$code")
python3 "$top/tests/integration/load_drive.py" "$tmp/load/out.json" "$SERVERS" "$CALLS" run_code "$args" \
	-- "$MCPWARDEN" run --socket "$sock" --policy "$tmp/policy.yaml" \
	-- /usr/bin/python3 "$top/tests/fixtures/stellify_server.py"
load=$(cut -d' ' -f1 /proc/loadavg)
stop_daemon
python3 - "$tmp/load/out.json" "$load" <<'PY'
import json, sys
out = json.load(open(sys.argv[1]))
acks = sorted(out["acks_us"])
answered = sum(r["reply"] is not None for r in out["replies"])
refused = sum("mcpwarden policy denied" in json.dumps(r["reply"]) for r in out["replies"] if r["reply"])
pct = lambda p: acks[min(len(acks) - 1, int(len(acks) * p))] / 1000
print(f"{answered}/{len(out['replies'])} calls answered, {refused} refused, in {out['elapsed_s']:.1f} s "
      f"(load average {sys.argv[2]})")
print(f"call_start ack (the shim's wait): p50 {pct(0.5):.1f} ms, p99 {pct(0.99):.1f} ms, max {acks[-1] / 1000:.1f} ms "
      f"(target p99 <= 50 ms)")
PY

"""kill_bench.py: time from a tools/call deadline to the death of the call's whole process tree.

usage: kill_bench.py MCPWARDEN SOCKET NODE_DIR ROUNDS TIMEOUT_MS
Runs mcp-server-code-runner under `mcpwarden run` (daemon at SOCKET) with a run-code timeout of
TIMEOUT_MS, speaking raw JSON-RPC. Each round's code starts a tree (a shell with two sleeps, and a
double-forked setsid escapee), writes its pids, then sleeps. The driver holds a pidfd of each and
waits for all of them to exit. Prints one line per round and the median and worst delay past the
deadline, which the shim writes to its decision log (CLOCK_MONOTONIC, the clock of time.monotonic).
"""
import json
import os
import select
import statistics
import subprocess
import sys
import tempfile
import time

mcpwarden, sock, node_dir, rounds, timeout_ms = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
tmp = tempfile.mkdtemp(prefix="mcpwarden-kill.")
policy = os.path.join(tmp, "policy.yaml")
with open(policy, "w") as f:
    f.write(f'version: "1"\ndefault: allow\ntools:\n  run-code:\n    timeout: {timeout_ms}ms\n')

log = os.path.join(tmp, "decisions.jsonl")
shim = subprocess.Popen([mcpwarden, "run", "--socket", sock, "--policy", policy, "--audit", log, "--",
                         "node", os.path.join(node_dir, "node_modules/mcp-server-code-runner/dist/cli.js")],
                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=open(os.path.join(tmp, "shim.err"), "w"))
buf = b""


def send(msg):
    shim.stdin.write((json.dumps(msg) + "\n").encode())
    shim.stdin.flush()


def reply(want_id, limit=30):
    global buf
    end = time.monotonic() + limit
    while time.monotonic() < end:
        while b"\n" in buf:
            line, buf = buf.split(b"\n", 1)
            msg = json.loads(line)
            if msg.get("id") == want_id:
                return msg
        if select.select([shim.stdout], [], [], 0.5)[0]:
            chunk = os.read(shim.stdout.fileno(), 65536)
            if not chunk:
                sys.exit("kill_bench: the shim closed its stdout")
            buf += chunk
    sys.exit(f"kill_bench: no reply to {want_id}")


send({"jsonrpc": "2.0", "id": 0, "method": "initialize",
      "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "kill_bench", "version": "1"}}})
reply(0)
send({"jsonrpc": "2.0", "method": "notifications/initialized"})
delays = []
for r in range(1, rounds + 1):
    pidfile = os.path.join(tmp, f"pids.{r}")
    code = f"""import os, subprocess, time
sh = subprocess.Popen(['sh', '-c', 'sleep 300 & sleep 300 & echo $! >{pidfile}.sleep; wait'])
r, w = os.pipe()
if os.fork() == 0:
    os.setsid()
    pid = os.fork()
    if pid == 0:
        time.sleep(300)
    os.write(w, str(pid).encode()); os._exit(0)
esc = os.read(r, 32).decode()
time.sleep(0.2)
open('{pidfile}.tmp', 'w').write(' '.join([str(os.getpid()), str(sh.pid), esc, open('{pidfile}.sleep').read().strip()]))
os.rename('{pidfile}.tmp', '{pidfile}')
time.sleep(300)
"""
    t_send = time.monotonic()
    send({"jsonrpc": "2.0", "id": r, "method": "tools/call",
          "params": {"name": "run-code", "arguments": {"code": code, "languageId": "python"}}})
    while not os.path.exists(pidfile):
        if time.monotonic() > t_send + timeout_ms / 1000:
            sys.exit("kill_bench: the tree did not start before the deadline; raise TIMEOUT_MS")
        time.sleep(0.005)
    fds = []
    for pid in open(pidfile).read().split():
        try:
            fds.append(os.pidfd_open(int(pid)))
        except ProcessLookupError:
            sys.exit(f"kill_bench: pid {pid} died before the deadline")
    left = set(fds)
    while left:
        ready, _, _ = select.select(list(left), [], [], 5)
        if not ready:
            sys.exit(f"kill_bench: {len(left)} processes alive 5 s after the deadline; shim log: {tmp}/shim.err")
        left -= set(ready)
    dead = time.monotonic()
    for fd in fds:
        os.close(fd)
    reply(r)
    # The shim's own deadline (CLOCK_MONOTONIC, as time.monotonic), from its decision log.
    for _ in range(100):	# the shim writes the record just after the reply
        ends = [e for e in map(json.loads, open(log)) if e.get("outcome") == "timeout" and e.get("id") == r]
        if ends:
            break
        time.sleep(0.01)
    else:
        sys.exit(f"kill_bench: no timeout record for call {r} in {log}")
    deadline = ends[0]["deadline_mono_ms"] / 1000
    late = (dead - deadline) * 1000
    delays.append(late)
    print(f"round {r}: {len(fds)} processes (python, sh, a sleep, a setsid escapee) all dead {late:.1f} ms after the deadline")
shim.stdin.close()
shim.wait(timeout=30)
print(f"deadline -> whole tree dead: median {statistics.median(delays):.1f} ms, worst {max(delays):.1f} ms "
      f"over {rounds} rounds (target <= 10 ms)")

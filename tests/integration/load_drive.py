"""load_drive.py: a busy host for test_load.sh and the load benchmark: many shims at once, each with its
own server, each sent a number of tools/call requests in one go; collects every reply and the shims'
decision logs.

usage: load_drive.py OUT.json SERVERS CALLS TOOL ARGS_TEMPLATE -- MCPWARDEN_RUN_ARGV... -- SERVER_CMD...
Shim i runs `MCPWARDEN_RUN_ARGV --name load-i --audit DIR/shim-i.log -- SERVER_CMD` (DIR: OUT.json's folder),
and gets `initialize`, then CALLS calls of TOOL with ARGS_TEMPLATE (JSON text) in which "{server}" and
"{call}" become the shim's and the call's numbers. Gives up 180 s after the start.
OUT.json: {"elapsed_s", "replies": [{"server", "call", "reply"}] (reply null when none came),
"acks_us": the shims' call_start ack waits (decision records' daemon_ack_us), "shim_rc": [...]}.
"""
import json
import os
import selectors
import subprocess
import sys
import time

INIT = {"jsonrpc": "2.0", "id": 0, "method": "initialize",
        "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "load", "version": "1"}}}
INITIALIZED = {"jsonrpc": "2.0", "method": "notifications/initialized"}
DEADLINE_S = 180

out_path, nservers, ncalls, tool, template = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5]
rest = sys.argv[sys.argv.index("--") + 1:]
run_argv, server_cmd = rest[:rest.index("--")], rest[rest.index("--") + 1:]
folder = os.path.dirname(os.path.abspath(out_path))


def line(obj):
    return (json.dumps(obj) + "\n").encode()


def calls_for(i):
    """Initialized, then every call of shim i, as the bytes to write."""
    lines = [line(INITIALIZED)]
    for k in range(1, ncalls + 1):
        args = json.loads(template.replace("{server}", str(i)).replace("{call}", str(k)))
        lines.append(line({"jsonrpc": "2.0", "id": k, "method": "tools/call", "params": {"name": tool, "arguments": args}}))
    return b"".join(lines)


start = time.monotonic()
sel = selectors.DefaultSelector()
shims, replies, bufs = [], {}, {}
for i in range(nservers):
    err = open(os.path.join(folder, f"shim-{i}.err"), "wb")
    p = subprocess.Popen(run_argv + ["--name", f"load-{i}", "--audit", os.path.join(folder, f"shim-{i}.log"), "--"]
                         + server_cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=err)
    err.close()
    os.set_blocking(p.stdout.fileno(), False)
    p.stdin.write(line(INIT))
    p.stdin.flush()
    shims.append(p)
    bufs[i] = b""
    sel.register(p.stdout, selectors.EVENT_READ, i)

open_streams = nservers
while open_streams and len(replies) < nservers * ncalls and time.monotonic() - start < DEADLINE_S:
    for key, _ in sel.select(timeout=1):
        i = key.data
        chunk = os.read(key.fileobj.fileno(), 1 << 16)
        if not chunk:
            sel.unregister(key.fileobj)
            open_streams -= 1
            continue
        bufs[i] += chunk
        while b"\n" in bufs[i]:
            raw, bufs[i] = bufs[i].split(b"\n", 1)
            try:
                msg = json.loads(raw)
            except ValueError:
                continue
            if not isinstance(msg, dict) or msg.get("id") is None:
                continue
            if msg["id"] == 0:	# initialized: every call at once
                shims[i].stdin.write(calls_for(i))
                shims[i].stdin.flush()
            else:
                replies[(i, msg["id"])] = msg
elapsed = time.monotonic() - start
for p in shims:
    p.stdin.close()
rcs = []
for p in shims:
    try:
        rcs.append(p.wait(timeout=30))
    except subprocess.TimeoutExpired:
        p.kill()
        rcs.append(p.wait())
acks = []
for i in range(nservers):
    try:
        with open(os.path.join(folder, f"shim-{i}.log")) as f:
            recs = [json.loads(r) for r in f if r.strip()]
    except OSError:
        continue
    acks += [r["daemon_ack_us"] for r in recs if r.get("kind") == "decision" and "daemon_ack_us" in r]
json.dump({"elapsed_s": elapsed, "acks_us": acks, "shim_rc": rcs,
           "replies": [{"server": i, "call": k, "reply": replies.get((i, k))}
                       for i in range(nservers) for k in range(1, ncalls + 1)]}, open(out_path, "w"))

"""mcp_drive.py: a bare MCP client for test_unpoliced.sh: starts a server, sends initialize on its
stdin, times the reply, and collects the daemon's unpoliced_server events about it, timed on arrival.

usage: mcp_drive.py MCPWARDEN SOCKET HOLD_SECONDS OUT.json -- CMD...
OUT.json: {"driver", "root", "reply", "reply_mono", "events": [{"mono", "ev"}], "alive_after_hold"}.
"""
import json
import os
import select
import signal
import subprocess
import sys
import threading
import time

INIT = ('{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-06-18",'
        '"capabilities":{},"clientInfo":{"name":"drive","version":"1"}}}\n')

mcpwarden, sock, hold, out = sys.argv[1], sys.argv[2], float(sys.argv[3]), sys.argv[4]
cmd = sys.argv[sys.argv.index("--") + 1:]

lines = []
follower = subprocess.Popen([mcpwarden, "events", "--follow", "--json", "--socket", sock],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)


def follow():
    for line in follower.stdout:
        lines.append((time.monotonic(), line))


threading.Thread(target=follow, daemon=True).start()
# Subscribed once any event arrives: every exec is published.
deadline = time.monotonic() + 5
while not lines:
    if time.monotonic() > deadline:
        sys.exit("mcp_drive: the event stream stayed silent")
    subprocess.run(["/bin/true"])
    time.sleep(0.1)

server = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                          start_new_session=True)
server.stdin.write(INIT.encode())
server.stdin.flush()
reply, reply_mono, buf = None, None, b""
deadline = time.monotonic() + 20
while reply is None and time.monotonic() < deadline:
    ready, _, _ = select.select([server.stdout], [], [], 0.5)
    if not ready:
        continue
    chunk = os.read(server.stdout.fileno(), 65536)
    if not chunk:
        break
    buf += chunk
    while b"\n" in buf and reply is None:
        line, buf = buf.split(b"\n", 1)
        try:
            msg = json.loads(line)
        except ValueError:
            continue
        if isinstance(msg, dict) and msg.get("id") == 0:
            reply, reply_mono = msg, time.monotonic()
time.sleep(hold)
alive = server.poll() is None
try:
    os.killpg(server.pid, signal.SIGKILL)
except ProcessLookupError:
    pass
server.wait()
time.sleep(0.3)
follower.kill()
follower.wait()


def about_root(ev):
    return ev.get("pid") == server.pid or any(p.get("pid") == server.pid for p in ev.get("parents", []))


events = []
for mono, line in lines:
    ev = json.loads(line)
    if ev.get("type") == "unpoliced_server" and about_root(ev):
        events.append({"mono": mono, "ev": ev})
json.dump({"driver": os.getpid(), "root": server.pid, "reply": reply, "reply_mono": reply_mono,
           "events": events, "alive_after_hold": alive, "rc": server.returncode}, open(out, "w"))

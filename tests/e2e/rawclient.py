#!/usr/bin/env python3
# rawclient.py: a byte-level MCP client for the shell tests: sends a script of lines, prints replies.
"""usage: rawclient.py SCRIPT STDERR_FILE -- CMD [ARG...]

SCRIPT lines are sent verbatim (a trailing \\r is kept), except directives:
  #sleep SECONDS     pause
  #wait ID           wait (10 s max) for a message whose id is ID (JSON text, e.g. 3 or "a")
  #signal NAME       send signal NAME (TERM, HUP, ...) to CMD
  #close             close CMD's stdin now
  #raw TEXT          send TEXT with no newline added
  #sh COMMAND        run COMMAND with sh and wait for it
Then stdin is closed, CMD is awaited (20 s max), its stdout lines are printed as they came,
and the last line printed is "EXIT <code>" (negative: killed by that signal)."""
import json
import os
import signal
import subprocess
import sys
import threading
import time

def main():
    script, errfile, dashdash, *cmd = sys.argv[1:]
    assert dashdash == "--", __doc__
    with open(errfile, "wb") as err:
        p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=err)
        got, seen = [], set()
        cond = threading.Condition()

        def reader():
            for raw in p.stdout:
                with cond:
                    got.append(raw)
                    try:
                        msg = json.loads(raw)
                        for m in msg if isinstance(msg, list) else [msg]:
                            if isinstance(m, dict) and "id" in m:
                                seen.add(json.dumps(m["id"]))
                    except ValueError:
                        pass
                    cond.notify_all()

        t = threading.Thread(target=reader, daemon=True)
        t.start()
        with open(script, "rb") as f:
            for line in f:
                text = line.rstrip(b"\n")
                if text.startswith(b"#sleep "):
                    time.sleep(float(text[7:]))
                elif text.startswith(b"#wait "):
                    want = json.dumps(json.loads(text[6:]))
                    with cond:
                        cond.wait_for(lambda: want in seen, timeout=10)
                elif text.startswith(b"#signal "):
                    p.send_signal(getattr(signal, "SIG" + text[8:].decode()))
                elif text == b"#close":
                    p.stdin.close()
                elif text.startswith(b"#sh "):
                    subprocess.run(["sh", "-c", text[4:].decode()], check=True)
                elif text.startswith(b"#raw "):
                    p.stdin.write(text[5:])
                    p.stdin.flush()
                else:
                    try:
                        p.stdin.write(text + b"\n")
                        p.stdin.flush()
                    except (BrokenPipeError, ValueError):
                        pass
        try:
            p.stdin.close()
        except BrokenPipeError:
            pass
        try:
            rc = p.wait(timeout=20)
        except subprocess.TimeoutExpired:
            p.kill()
            rc = "TIMEOUT"
        t.join(timeout=5)
    for raw in got:
        sys.stdout.buffer.write(raw)
    print(f"EXIT {rc}")

if __name__ == "__main__":
    main()

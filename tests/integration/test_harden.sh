#!/usr/bin/env bash
# test_harden.sh: the hardened start, tried as an attacker would. Python run by the real
# mcp-server-code-runner (as root, SDK client, shim, daemon) tries to switch its own enforcement
# off: ptrace the shim and the MCP client, take the shim's descriptors with pidfd_getfd, open the
# shim's /proc/PID/mem, load BPF, mount, unshare namespaces, open packet, vsock, raw and audit
# sockets, set up io_uring, and add a policy-named syscall. Each fails; the snippet has no
# CAP_SYS_PTRACE left and no_new_privs is set; and a denied exec attempted afterwards is still
# killed. A resolver's NETLINK_ROUTE socket and plain TCP still work.
source "$(dirname "$0")/../lib.sh"
require_root
source "$(dirname "$0")/daemon.sh"

start_daemon
cat >"$TMP/policy.yaml" <<EOF
version: "1"
default: allow
sandbox:
  syscalls:
    deny: [chroot]
tools:
  run-code:
    sandbox:
      exec:
        allow: [sh, "python3*", python]
        deny: [/usr/bin/id]
EOF
code="import ctypes, errno, os, socket
libc = ctypes.CDLL(None, use_errno=True)
def sys(nr, *a):
    r = libc.syscall(nr, *[ctypes.c_long(x) for x in a])
    return 'ok' if r >= 0 else errno.errorcode[ctypes.get_errno()]
def stat(pid):
    with open('/proc/%d/stat' % pid) as f:
        s = f.read()
    return s[s.index('(') + 1:s.rindex(')')], int(s[s.rindex(')') + 2:].split()[1])
shim = os.getppid()
while stat(shim)[0] != 'mcpwarden':
    shim = stat(shim)[1]
client = stat(shim)[1]
def mem():
    try:
        os.close(os.open('/proc/%d/mem' % shim, os.O_RDWR)); return 'ok'
    except OSError as e:
        return errno.errorcode[e.errno]
def sock(*a):
    try:
        socket.socket(*a).close(); return 'ok'
    except OSError as e:
        return errno.errorcode[e.errno]
pidfd = libc.syscall(434, shim, 0)
st = open('/proc/self/status').read()
capbnd = int([l for l in st.splitlines() if l.startswith('CapBnd:')][0].split()[1], 16)
r = {'uid': os.getuid(),
     'ptrace_shim': sys(101, 0x4206, shim, 0, 0), 'ptrace_client': sys(101, 0x4206, client, 0, 0),
     'pidfd_getfd': sys(438, pidfd, 0, 0) if pidfd >= 0 else 'no pidfd', 'mem': mem(),
     'bpf': sys(321, 5, 0, 0), 'mount': sys(165, 0, 0, 0, 0, 0), 'unshare_ns': sys(272, 0x20000),
     'unshare_user': sys(272, 0x10000000), 'setns': sys(308, 0, 0), 'chroot': sys(161, 0),
     'io_uring': sys(425, 4, 0), 'packet': sock(17, socket.SOCK_RAW, 0), 'vsock': sock(40, socket.SOCK_STREAM),
     'raw': sock(socket.AF_INET, socket.SOCK_RAW, 1), 'audit': sock(16, socket.SOCK_RAW, 9),
     'route': sock(16, socket.SOCK_RAW, 0), 'tcp': sock(socket.AF_INET, socket.SOCK_STREAM),
     'cap_sys_ptrace_bound': bool(capbnd & (1 << 19)), 'no_new_privs': 'NoNewPrivs:\t1' in st}
import subprocess
r['denied_exec'] = subprocess.run(['/usr/bin/id'], capture_output=True).returncode
print('HARDEN ' + __import__('json').dumps(r))"
args=$(python3 -c 'import json,sys; print(json.dumps({"code": sys.argv[1], "languageId": "python"}))' "$code")
out=$(cd "$NODE_DIR" && TOOL=run-code ARGS=$args timeout 60 node client.mjs call -- "$MCPWARDEN" run --socket "$SOCK" \
	--policy "$TMP/policy.yaml" -- env PATH=/usr/bin:/bin node node_modules/mcp-server-code-runner/dist/cli.js 2>&1)
echo "$out"
python3 - "$out" <<'PY' || fail "the tool's code reached past the hardened start (see above)"
import json, re, sys
m = re.search(r'HARDEN (\{[^}]*\})', sys.argv[1].replace('\\"', '"'))
assert m, "no HARDEN line in the result"
r = json.loads(m.group(1))
bad = []
def want(key, *ok):
    if r.get(key) not in ok:
        bad.append(f"{key}: got {r.get(key)!r}, want one of {ok}")
assert r["uid"] == 0, f"the snippet must run as root for this test: uid {r['uid']}"
for k in ("ptrace_shim", "ptrace_client", "pidfd_getfd", "bpf", "mount", "unshare_ns", "unshare_user", "setns",
          "chroot", "io_uring", "packet", "vsock", "raw", "audit"):
    want(k, "EPERM")
want("mem", "EACCES", "EPERM")
want("route", "ok")
want("tcp", "ok")
want("cap_sys_ptrace_bound", False)
want("no_new_privs", True)
want("denied_exec", -9)
for b in bad:
    print("FAIL:", b)
sys.exit(1 if bad else 0)
PY
pass "root tool code can't ptrace, steal descriptors, write /proc/PID/mem, load BPF, mount, unshare or open odd sockets"
pass "a policy's sandbox.syscalls.deny adds to the baseline; a denied exec is still killed afterwards"

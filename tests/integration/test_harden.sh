#!/usr/bin/env bash
# test_harden.sh: the hardened start, tried as an attacker would. Python run by the real
# mcp-server-code-runner (as root, SDK client, shim, daemon) tries to switch its own enforcement
# off: ptrace the shim and the MCP client, take the shim's descriptors with pidfd_getfd, open the
# shim's /proc/PID/mem, load BPF, mount, unshare namespaces, open packet, vsock, raw and audit
# sockets, set up io_uring, add a policy-named syscall, set kernel.core_pattern, write sysfs or move
# itself out of its cgroup, open the raw disk, /dev/kmsg or /dev/userfaultfd, reopen its own server's stdin or stdout
# through /proc (to talk past the shim), or ask for READ_IMPLIES_EXEC. Each fails; the snippet has no
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
def opened(path, flags):
    try:
        os.close(os.open(path, flags)); return 'ok'
    except OSError as e:
        return errno.errorcode[e.errno]
server = [p for p in map(int, filter(str.isdigit, os.listdir('/proc'))) if p != shim and stat(p)[1] == shim][0]
cgprocs = [f for f in ('/sys/fs/cgroup/unified/cgroup.procs', '/sys/fs/cgroup/cgroup.procs') if os.path.exists(f)][0]
disk = [d for d in ('/dev/vda', '/dev/sda', '/dev/nvme0n1', '/dev/xvda', '/dev/loop0')][0]
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
     'cap_sys_ptrace_bound': bool(capbnd & (1 << 19)), 'no_new_privs': 'NoNewPrivs:\t1' in st,
     'core_pattern': opened('/proc/sys/kernel/core_pattern', os.O_WRONLY),
     'sysfs': opened('/sys/kernel/mm/transparent_hugepage/enabled', os.O_WRONLY), 'cgroup': opened(cgprocs, os.O_WRONLY),
     'disk': opened(disk, os.O_RDWR), 'userfaultfd_dev': opened('/dev/userfaultfd', os.O_RDWR),
     'kmsg': opened('/dev/kmsg', os.O_WRONLY), 'dev_null': opened('/dev/null', os.O_WRONLY),
     'server_stdin': opened('/proc/%d/fd/0' % server, os.O_WRONLY),
     'server_stdout': opened('/proc/%d/fd/1' % server, os.O_RDONLY),
     'personality': sys(135, 0x0400000)}
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
for k in ("core_pattern", "sysfs", "cgroup"):
    want(k, "EROFS")
for k in ("disk", "userfaultfd_dev", "kmsg"):
    want(k, "ENOENT")
want("dev_null", "ok")
want("server_stdin", "ENXIO")
want("server_stdout", "ENXIO")
want("personality", "EPERM")
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

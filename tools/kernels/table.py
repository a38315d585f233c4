#!/usr/bin/env python3
# table.py: the kernel matrix as Markdown, from the rows' result directories (tests/kernels/smoke.sh, matrix.sh).
#   table.py ROW=DIR...
# A cell is "mechanism: PASS|FAIL"; the mechanism is what the daemon's `status --json` reported under features.
import json
import os
import sys

# column, the status feature naming its mechanism (None: no such feature), the smoke tests that prove it
COLUMNS = [
    ("events (exec, connect, UDP) of a call", "socket_observation", ["test_shim_correlation", "test_enforce_net"]),
    ("exec deny", "exec_enforcement", ["test_enforce_exec", "test_kernel_modes"]),
    ("connect/UDP deny", "network_deny", ["test_enforce_net"]),
    ("max_processes", "process_limits", ["test_kernel_modes", "test_enforce_runaway"]),
    ("kill before first run", "unborn_kill", ["test_kernel_modes", "test_enforce_runaway"]),
    ("process exit", "process_exit", ["test_kernel_modes"]),
    ("timeout kill", None, ["test_enforce_runaway"]),
    ("unix deny", "unix_enforcement", ["test_enforce_unix"]),
    ("verifier budget", None, ["test_verifier_budget"]),
]


def read(d, name):
    try:
        with open(os.path.join(d, name)) as f:
            return f.read().strip()
    except FileNotFoundError:
        return None


def mechanism(features, key):
    if key is None:
        return "-" if features is None else "on"
    if features is None or key not in features:
        return "-"
    v = features[key]
    return {True: "on", False: "off", None: "-"}.get(v, v) if not isinstance(v, str) else v


def row(name, d):
    kernel = read(d, "kernel") or "?"
    lsm = read(d, "lsm")
    bpf_lsm = "-" if lsm is None else ("yes" if "bpf" in lsm.split(",") else "no")
    status = read(d, "status.json")
    features = json.loads(status)["features"] if status else None
    verdicts = {}
    for line in (read(d, "smoke.txt") or "").splitlines():
        verdict, test, secs = line.split()
        verdicts[test] = (verdict, secs)
    if features is not None:
        daemon = "starts: PASS"
    else:
        log = (read(d, "daemon.log") or "no daemon.log (the suite did not run)").splitlines()
        daemon = "FAIL: " + (log[-1] if log else "no output").replace("|", "\\|")
    cells = [f"{name} ({kernel})", bpf_lsm, daemon]
    for _, key, tests in COLUMNS:
        got = [verdicts.get(t, ("not run",))[0] for t in tests]
        verdict = "" if not tests else ("PASS" if all(v == "PASS" for v in got) else
                                        "SKIP" if all(v in ("PASS", "SKIP") for v in got) else "FAIL")
        cells.append(mechanism(features, key) + (f": {verdict}" if verdict else ""))
    btf = read(d, "btf-build")
    cells.append(btf or "-")
    secs = sum(int(s) for _, s in verdicts.values())
    cells.append(" ".join(f"{t.removeprefix('test_')} {s}s" for t, (_, s) in verdicts.items()) + f" (total {secs}s)"
                 if verdicts else "-")
    return "| " + " | ".join(cells) + " |"


def notes(name, d):
    """Why a row failed: the daemon's last words (verifier instruction dumps left out), each failed test's first FAIL line."""
    out = []
    if read(d, "status.json") is None:
        log = [l for l in (read(d, "daemon.log") or "").splitlines() if not l.split(":")[0].isdigit()]
        out.append(f"- {name}: the daemon did not start:\n  ```\n" + "\n".join("  " + l for l in log[-8:]) + "\n  ```")
    failures = {}
    for line in (read(d, "smoke.txt") or "").splitlines():
        verdict, test, _ = line.split()
        if verdict == "FAIL":
            why = [l for l in (read(d, test + ".log") or "").splitlines() if l.startswith("FAIL")]
            failures.setdefault(why[0] if why else "failed (see its log)", []).append(test)
    for why, tests in failures.items():
        out.append(f"- {name}: {', '.join(tests)}: {why}")
    if read(d, "btf-build") == "FAIL":
        out.append(f"- {name}: the BPF objects did not build against its vmlinux.h (btf-build.log)")
    return out


def main():
    head = ["kernel", "BPF LSM", "daemon"] + [c for c, _, _ in COLUMNS] + ["BPF objects built on its BTF", "test times"]
    print("| " + " | ".join(head) + " |")
    print("|" + " --- |" * len(head))
    why = []
    for arg in sys.argv[1:]:
        name, _, d = arg.partition("=")
        if not d:
            sys.exit(f"table.py: '{arg}': want ROW=DIR")
        print(row(name, d))
        why += notes(name, d)
    if why:
        print("\nWhy rows failed:\n")
        print("\n".join(why))


main()

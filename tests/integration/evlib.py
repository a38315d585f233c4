"""evlib.py: event checks shared by the integration tests: load `events --json` output, expect matching events."""
import json
import sys


class Checks:
    def __init__(self, path):
        self.evs = [json.loads(l) for l in open(path) if l.strip()]
        self.ok = True

    def expect(self, what, pred):
        """Reports and returns the first event matching pred, or None (then the checks fail)."""
        hit = next((e for e in self.evs if pred(e)), None)
        print(("ok: " if hit else "MISSING: ") + what, json.dumps(hit) if hit else "")
        self.ok &= hit is not None
        return hit

    def check(self, what, cond):
        print(("ok: " if cond else "BAD: ") + what)
        self.ok &= bool(cond)

    def done(self):
        sys.exit(0 if self.ok else 1)

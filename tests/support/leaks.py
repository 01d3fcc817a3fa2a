"""Search real output and files for secrets. A hit is a test failure naming where it was found."""

import json
import os
import sqlite3
import threading
import time

ANSIBLE_HOME = os.path.expanduser("~/.ansible")
# Scaffolds that log PIN bytes on purpose (pkcs11-spy); tests name them so and delete them after.
SCAFFOLD_MARK = "pkcs11-spy"


def allowed(path, secret):
    """Where a given secret belongs, and nothing else there: the PIN in the VSatellite's own secret store
    (secrets/pin holds the PIN and only it), a pairing code in the simulated SaaS's database, which
    issued it (the code is in its pairing_codes table)."""
    if path.endswith("/opt-vsatellite/secrets/pin"):
        with open(path) as f:
            return f.read() == secret
    if "/tenant/tenant.sqlite" in path:
        db = path.split("tenant.sqlite")[0] + "tenant.sqlite"
        with sqlite3.connect(db) as conn:
            return conn.execute("SELECT 1 FROM pairing_codes WHERE code = ?", (secret,)).fetchone() is not None
    return False


def _walk(roots):
    for root in roots:
        for dirpath, dummy, names in os.walk(root):
            for name in names:
                yield os.path.join(dirpath, name)


def files_containing(secret, roots, files=False):
    """Files under ``roots`` (or the files ``roots`` itself lists, with files=True) holding ``secret``."""
    needle = secret.encode()
    hits = []
    for path in (roots if files else _walk(roots)):
        if SCAFFOLD_MARK in path or not os.path.isfile(path) or os.path.islink(path):
            continue
        try:
            with open(path, "rb") as f:
                if needle in f.read():
                    hits.append(path)
        except OSError:
            continue
    return hits


def files_changed_since(timestamp, roots):
    """Files under ``roots`` modified since ``timestamp``: the only ones a run can have left a secret in."""
    out = []
    for path in _walk(roots):
        try:
            if os.lstat(path).st_mtime >= timestamp - 1:
                out.append(path)
        except OSError:
            continue
    return out


def variants(secret):
    """The secret as it would look printed raw, inside JSON, or inside a Python repr: a leak through
    an escaped form would slip past Ansible's masking, which only knows the raw value."""
    forms = {secret, json.dumps(secret)[1:-1], repr(secret)[1:-1], secret.encode("unicode_escape").decode()}
    return sorted(forms, key=len, reverse=True)


def assert_no_leak(secret, text="", roots=(), allow_holders=False):
    assert secret, "a leak check needs the secret it looks for"
    where = []
    for form in variants(secret):
        if form in text:
            line = next(line for line in text.splitlines() if form in line)
            where.append("output line: %s" % line.replace(form, "<SECRET>")[:300])
        where += ["file: %s" % p for p in files_containing(form, [r for r in roots if os.path.exists(r)])
                  if not (allow_holders and allowed(p, secret))]
    assert not where, "secret found in " + "; ".join(sorted(set(where)))


class ProcessSampler:
    """While in use, record (argv, environment) of every process whose argv holds one of ``marks``:
    the places a secret must never be, sampled while the process that could put it there runs."""

    def __init__(self, marks, interval=0.003):
        self.marks = [m.encode() for m in marks]
        self.interval = interval
        self.seen = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self.seen

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        return False

    def _run(self):
        while not self._stop.is_set():
            for pid in os.listdir("/proc"):
                if not pid.isdigit():
                    continue
                try:
                    with open("/proc/%s/cmdline" % pid, "rb") as f:
                        cmdline = f.read().replace(b"\0", b" ")
                    if not any(m in cmdline for m in self.marks):
                        continue
                    with open("/proc/%s/environ" % pid, "rb") as f:
                        environ = f.read()
                except OSError:
                    continue
                self.seen.append((cmdline.decode("utf-8", "replace"), environ.decode("utf-8", "replace")))
            time.sleep(self.interval)

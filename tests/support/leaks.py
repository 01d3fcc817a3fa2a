"""Search real output and files for secrets. A hit is a test failure naming where it was found."""

import json
import os

ANSIBLE_HOME = os.path.expanduser("~/.ansible")
# Scaffolds that log PIN bytes on purpose (pkcs11-spy); tests name them so and delete them after.
SCAFFOLD_MARK = "pkcs11-spy"


def files_containing(secret, roots):
    needle = secret.encode()
    hits = []
    for root in roots:
        for dirpath, dummy, names in os.walk(root):
            for name in names:
                path = os.path.join(dirpath, name)
                if SCAFFOLD_MARK in path or not os.path.isfile(path) or os.path.islink(path):
                    continue
                try:
                    with open(path, "rb") as f:
                        if needle in f.read():
                            hits.append(path)
                except OSError:
                    continue
    return hits


def variants(secret):
    """The secret as it would look printed raw, inside JSON, or inside a Python repr: a leak through
    an escaped form would slip past Ansible's masking, which only knows the raw value."""
    forms = {secret, json.dumps(secret)[1:-1], repr(secret)[1:-1], secret.encode("unicode_escape").decode()}
    return sorted(forms, key=len, reverse=True)


def assert_no_leak(secret, text="", roots=()):
    assert secret, "a leak check needs the secret it looks for"
    where = []
    for form in variants(secret):
        if form in text:
            line = next(line for line in text.splitlines() if form in line)
            where.append("output line: %s" % line.replace(form, "<SECRET>")[:300])
        where += ["file: %s" % p for p in files_containing(form, [r for r in roots if os.path.exists(r)])]
    assert not where, "secret found in " + "; ".join(sorted(set(where)))

"""What the scenarios' testinfra verifiers share: the fixture, the hosts, and a secret search on a host.

The hosts are reached with testinfra's podman backend (``podman exec``), which takes 4 s where the
ansible backend takes 34 s for the same checks (NOTES.md).
"""

import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fixture import REPO, Client  # noqa: E402

sys.path.insert(0, REPO)
from tests.support.leaks import variants  # noqa: E402

INSTALL_DIR = "/opt/vsatellite"
VSATCTL = "/usr/local/bin/vsatctl"


def fixture():
    return Client(os.path.join(os.environ["MOLECULE_EPHEMERAL_DIRECTORY"], "fixture"))


def hosts():
    return fixture().state()["hosts"]


def testinfra_hosts():
    return ["podman://%s" % name for name in hosts()]


def status(host):
    """What the installer says of the host's VSatellite (the simulator's status subcommand)."""
    return json.loads(host.check_output("%s status --install-dir %s", VSATCTL, INSTALL_DIR))


# Run on the host, with the secret's forms on stdin (never in argv): every file but the kernel's and the
# mounted partitions, then every process's argv and environment.
_SCAN = r"""
import json, os, sys
forms = [f.encode() for f in json.load(sys.stdin)]
skip = ("/proc", "/sys", "/dev") + tuple(sys.argv[1:])
hits = []
for root, dirs, files in os.walk("/"):
    dirs[:] = [d for d in dirs if not os.path.join(root, d).startswith(skip)]
    for name in files:
        path = os.path.join(root, name)
        try:
            if os.path.islink(path) or not os.path.isfile(path) or os.path.getsize(path) > 64 << 20:
                continue
            with open(path, "rb") as f:
                data = f.read()
        except OSError:
            continue
        if any(form in data for form in forms):
            hits.append(path)
me = str(os.getpid())
for pid in os.listdir("/proc"):
    if pid.isdigit() and pid != me:
        for what in ("cmdline", "environ"):
            try:
                with open("/proc/%s/%s" % (pid, what), "rb") as f:
                    if any(form in f.read() for form in forms):
                        hits.append("/proc/%s/%s" % (pid, what))
            except OSError:
                pass
print(json.dumps(sorted(hits)))
"""


def where_is(secret, container, skip=()):
    """Every file and process on ``container`` that holds ``secret`` (or an escaped form of it)."""
    state = fixture().state()
    mounted = [p["base_dir"] for p in state["partitions"].values()] + [state["directory"]]
    proc = subprocess.run(["podman", "exec", "-i", container, "python3", "-c", _SCAN] + mounted + list(skip),
                          input=json.dumps(variants(secret)), capture_output=True, text=True, timeout=120,
                          check=True)
    return json.loads(proc.stdout)

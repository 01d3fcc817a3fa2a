"""The main job, for now: a SoftHSM partition on this machine, both HSM modules run against it
through ansible-playbook, and a readable report.

The partition is made in SoftHSM's default installation (/etc/softhsm/softhsm2.conf) with a
fresh random PIN that is held in memory only, and removed at the end: no secret is left behind.
"""

import json
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path[:0] = [os.path.join(ROOT, ".build", "collections"), ROOT]

from tests.support import ansible_run, leaks  # noqa: E402
from tests.support.softhsm import SOFTHSM_CLIENT_PATH, SOFTHSM_LIB, SoftHsm  # noqa: E402

DEFAULT_CONF = "/etc/softhsm/softhsm2.conf"
LABEL = "vsat-demo"
OUT = os.path.join(ROOT, "demo-output")


class DefaultSoftHsm(SoftHsm):
    """SoftHSM's own default installation, not a test directory."""

    def __init__(self):  # pylint: disable=super-init-not-called
        self.conf = DEFAULT_CONF
        self.pins = {}
        with open(DEFAULT_CONF) as f:
            self.tokendir = [l.split("=", 1)[1].strip() for l in f if l.startswith("directories.tokendir")][0]
        os.makedirs(self.tokendir, exist_ok=True)


def delete_demo_token(hsm):
    if any(t["label"] == LABEL for t in hsm.tokens()):
        subprocess.run(["softhsm2-util", "--delete-token", "--token", LABEL], env=hsm.env, check=True,
                       stdout=subprocess.DEVNULL)


def main():
    os.makedirs(OUT, exist_ok=True)
    hsm = DefaultSoftHsm()
    delete_demo_token(hsm)  # a partition left by an earlier demo: its PIN is gone with that run
    serial = hsm.init_token(LABEL)
    pin = hsm.pins[serial]
    outputs = []
    try:
        with tempfile.TemporaryDirectory() as work:
            client = ansible_run.run_module("hsm_client_info", dict(
                client_path=SOFTHSM_CLIENT_PATH, lib_path=SOFTHSM_LIB, config_path=DEFAULT_CONF,
                allow_softhsm=True), work)
            probe_args = dict(lib_path=SOFTHSM_LIB, config_path=DEFAULT_CONF, partition_label=LABEL, pin=pin)
            before = ansible_run.run_module("hsm_partition_info", probe_args, work)
            # Stand-in for the first VSatellite (R6) until the simulator exists: an AES-256 DEK,
            # sensitive and never extractable, generated inside the partition.
            hsm.generate_dek(serial)
            after = ansible_run.run_module("hsm_partition_info", probe_args, work)
            outputs = [client.output, before.output, after.output]
            for run in (client, before, after):
                leaks.assert_no_leak(pin, run.output, [work])
    finally:
        delete_demo_token(hsm)

    report = build_report(client.result, before.result, after.result, sum(len(o) for o in outputs))
    print(report)
    with open(os.path.join(OUT, "report.txt"), "w") as f:
        f.write(report + "\n")
    with open(os.path.join(OUT, "report.json"), "w") as f:
        json.dump({"hsm_client_info": strip(client.result), "hsm_partition_info_before": strip(before.result),
                   "hsm_partition_info_after": strip(after.result)}, f, indent=2, sort_keys=True)
    failed = [r for r in (client, after) if r.failed]
    return 1 if failed else 0


def strip(result):
    return dict((k, v) for k, v in result.items() if k != "invocation")


def build_report(client, before, after, output_bytes):
    lib, conf, part = client["library"], client["config"], after.get("partition") or {}
    info = lib.get("info") or {}
    dek = after.get("dek") or {}
    flags = part.get("pin_flags", {})
    rows = [
        ("HSM client", "%s (%s %s, PKCS#11 %s)" % (
            client["vendor"], info.get("manufacturer_id"), info.get("library_version"), info.get("cryptoki_version"))),
        ("  library", "%s -> %s" % (lib["path"], lib["realpath"])),
        ("  sha256", lib["sha256"]),
        ("  config", "%s (tokendir %s)" % (conf["path"], conf.get("tokendir"))),
        ("  problems", ", ".join(p["code"] for p in client["problems"]) or "none"),
        ("Partition", "%s  serial %s  (%s, %s)" % (part.get("label"), part.get("serial_number"),
                                                   part.get("manufacturer_id"), part.get("model"))),
        ("  PIN flags", ", ".join(k for k, v in sorted(flags.items()) if v) or "none set"),
        ("DEK before", "absent: the first VSatellite will generate it (R6)" if not before["dek"]["present"]
         else "present"),
        ("DEK after", "%s-%s, sensitive=%s, extractable=%s" % (
            dek.get("key_type"), dek.get("key_length"), dek.get("sensitive"), dek.get("extractable"))),
        ("  CKA_ID", dek.get("id")),
        ("  check value", dek.get("check_value")),
        ("  fingerprint", dek.get("fingerprint")),
        ("Secrets", "the PIN was searched for in %d bytes of ansible-playbook -vvvv output: absent" % output_bytes),
    ]
    width = max(len(row[0]) for row in rows) + 2
    title = "ngts.vsatellite demo: HSM client check and partition probe (SoftHSM, development only)"
    return "\n".join([title, "=" * len(title)] + ["%s%s" % (k.ljust(width), v) for k, v in rows])


if __name__ == "__main__":
    sys.exit(main())

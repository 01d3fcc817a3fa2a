"""The main job: a demo fleet deploy on SoftHSM containers.

Builds the host image if missing, starts the simulated tenant on loopback, makes a SoftHSM partition
(a fresh random PIN, held in memory only) that three containers share as three clients of one HSM,
runs ``ansible-playbook ngts.vsatellite.deploy`` against them, proves the DEK's job (a key stored
through the tenant decrypts on every host, R13), and prints the fleet report. Everything it made is
removed at the end, but the report in demo-output/: no secret is left behind.
"""

import json
import os
import shutil
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path[:0] = [os.path.join(ROOT, ".build", "collections"), ROOT]
os.environ["PATH"] = os.path.dirname(sys.executable) + os.pathsep + os.environ["PATH"]

from tests.support import leaks  # noqa: E402
from tests.support.ansible_run import run_playbook_file  # noqa: E402
from tests.support.containers import CONTAINERS_CONF, Container, build_image  # noqa: E402
from tests.support.simulator import VSATCTL, Tenant  # noqa: E402
from tests.support.softhsm import SoftHsm  # noqa: E402

OUT = os.path.join(ROOT, "demo-output")
LABEL = "vsat-demo"
HOSTS = 3


def step(text):
    print("==> %s" % text, flush=True)


def main():
    os.makedirs(OUT, exist_ok=True)
    step("building the VSatellite host image (only when missing or changed)")
    build_image()
    work = tempfile.mkdtemp(prefix="ngts-demo-", dir="/var/tmp")
    tenant = containers = None
    try:
        step("starting the simulated tenant on loopback")
        tenant = Tenant(os.path.join(work, "tenant"))
        step("making SoftHSM partition %r; its token directory is mounted into each host: one partition, %d "
             "clients" % (LABEL, HOSTS))
        hsm = SoftHsm(os.path.join(work, "hsm"))
        serial = hsm.init_token(LABEL)
        pin = hsm.pins[serial]
        step("starting %d VSatellite hosts (podman containers)" % HOSTS)
        containers = [Container(mounts=[hsm.base_dir], name="vsat-demo-%d" % (i + 1)) for i in range(HOSTS)]
        inventory = os.path.join(work, "inventory.yml")
        with open(inventory, "w") as f:
            json.dump({"vsatellites": {
                "hosts": dict((c.name, {"ansible_connection": "containers.podman.podman",
                                        "ansible_python_interpreter": "/usr/bin/python3"}) for c in containers),
                "vars": {"vsatellite_api_url": tenant.url, "vsatellite_installer_src": VSATCTL,
                         "vsatellite_hsm_client_path": "/usr/lib/softhsm",
                         "vsatellite_hsm_lib_path": "/usr/lib/softhsm/libsofthsm2.so",
                         "vsatellite_hsm_config_path": hsm.conf, "vsatellite_partition_label": LABEL,
                         "vsatellite_allow_softhsm": True,
                         "vsatellite_report_dir": OUT,
                         "vsatellite_environment": {"VSAT_SIM_NAME": "{{ inventory_hostname }}",
                                                    "VSAT_SIM_HEARTBEAT": "1"}}}}, f)
        step("ansible-playbook ngts.vsatellite.deploy (the PIN and the API key go through a pipe)")
        # Extra vars, through a pipe: the secrets, and the batch size (serial reads only extra vars).
        extra = {"vsatellite_partition_pin": pin, "vsatellite_api_key": tenant.api_key, "vsatellite_batch_size": 2}
        run = run_playbook_file("ngts.vsatellite.deploy", extra, work, inventory=inventory,
                                env={"CONTAINERS_CONF": CONTAINERS_CONF}, name="deploy", verbosity=0, timeout=900)
        with open(os.path.join(OUT, "deploy.log"), "w") as f:
            f.write(run.output)
        if run.rc != 0:
            print(run.output[-6000:])
            print("The deploy failed (rc %d); its whole output is in demo-output/deploy.log" % run.rc)
            return 1
        step("R13: a key generated through the tenant, decrypted on every host")
        key = tenant.store_key()
        checks = [(i["name"], tenant.verify_key(key["id"], i["id"])["status"]) for i in tenant.instances()]
        for secret in (pin, tenant.api_key):
            leaks.assert_no_leak(secret, run.output)
        with open(os.path.join(OUT, "fleet-report.txt")) as f:
            table = f.read()
        print()
        print("ngts.vsatellite demo: %d VSatellites on one SoftHSM partition (development only)" % HOSTS)
        print(table)
        print("Key %s stored encrypted by %s; decrypted on: %s" % (
            key["id"], key["edgeInstanceId"], ", ".join("%s %s" % c for c in checks)))
        print("Secrets: the PIN and the API key were searched for in %d bytes of ansible-playbook output: absent"
              % len(run.output))
        print("Report: demo-output/fleet-report.json, demo-output/fleet-report.txt; log: demo-output/deploy.log")
        return 0 if all(status == "MATCH" for dummy, status in checks) else 1
    finally:
        for c in containers or []:
            c.remove()
        if tenant:
            tenant.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())

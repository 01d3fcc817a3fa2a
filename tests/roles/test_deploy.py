"""The deploy playbook on three container hosts (one SoftHSM partition shared as by three HSM clients), the
simulated tenant on loopback, and the simulator's vsatctl copied to each host by the role."""

import json
import os
import re
import sqlite3

import pytest

from ansible_collections.ngts.vsatellite.plugins.module_utils._hsm_partition import PartitionProbe
from tests.support.ansible_run import run_playbook_file
from tests.support.containers import CONTAINERS_CONF, Container
from tests.support.simulator import VSATCTL
from tests.support.softhsm import SOFTHSM_LIB

pytestmark = pytest.mark.slow


@pytest.fixture
def fleet(host_image, hsm, tenant):
    made = [Container(mounts=[hsm.base_dir]) for dummy in range(3)]
    yield made
    for c in made:
        c.remove()


def inventory(tmp_path, hosts, partition, tenant):
    inv = {"vsatellites": {
        "hosts": {c.name: {"ansible_connection": "containers.podman.podman",
                           "ansible_python_interpreter": "/usr/bin/python3"} for c in hosts},
        "vars": {"vsatellite_api_url": tenant.url, "vsatellite_installer_src": VSATCTL,
                 "vsatellite_hsm_client_path": "/usr/lib/softhsm", "vsatellite_hsm_lib_path": SOFTHSM_LIB,
                 "vsatellite_hsm_config_path": partition.hsm.conf, "vsatellite_partition_label": partition.label,
                 "vsatellite_allow_softhsm": True, "vsatellite_batch_size": 2, "vsatellite_health_timeout": 30,
                 "vsatellite_report_dir": str(tmp_path),
                 "vsatellite_environment": {"VSAT_SIM_NAME": "{{ inventory_hostname }}", "VSAT_SIM_HEARTBEAT": "0.3"}},
    }}
    path = tmp_path / "inventory.yml"
    path.write_text(json.dumps(inv))
    return str(path)


def deploy(tmp_path, inv, partition, tenant, name):
    secrets = {"vsatellite_partition_pin": partition.pin, "vsatellite_api_key": tenant.api_key}
    return run_playbook_file("ngts.vsatellite.deploy", secrets, tmp_path, inventory=inv,
                             env={"CONTAINERS_CONF": CONTAINERS_CONF}, name=name, timeout=900)


def recap(output):
    return dict((h, int(c)) for h, c in re.findall(r"^(\S+)\s+: ok=\d+\s+changed=(\d+)", output, re.M))


def test_deploy_a_fleet_then_again_changes_nothing(fleet, partition, tenant, tmp_path):
    inv = inventory(tmp_path, fleet, partition, tenant)
    first = deploy(tmp_path, inv, partition, tenant, "first")
    assert first.rc == 0, first.output[-4000:]
    instances = tenant.instances()
    assert sorted(i["name"] for i in instances) == sorted(c.name for c in fleet)
    for inst in instances:
        assert tenant.status_of(inst["id"]) == ("ACTIVE", "HSM_HEALTHY")
    dek = PartitionProbe(SOFTHSM_LIB, partition.label, partition.pin, config_path=partition.hsm.conf).run()["dek"]
    assert dek["count"] == 1  # R6: one DEK, made by the first host alone
    with open(os.path.join(str(tmp_path), "fleet-report.json")) as f:
        report = json.load(f)
    assert report["tenant_dek_mode"] == "hsm" and len(report["hosts"]) == 3
    assert {r["dek_fingerprint"] for r in report["hosts"]} == {dek["fingerprint"]}
    assert {r["edge_status"] for r in report["hosts"]} == {"ACTIVE"}
    with open(os.path.join(str(tmp_path), "fleet-report.txt")) as f:
        table = f.read()
    assert all(c.name in table for c in fleet) and "DEK_FINGERPRINT" in table
    for secret in (partition.pin, tenant.api_key):
        assert secret not in first.output

    with sqlite3.connect(tenant.db) as db:
        codes = db.execute("SELECT COUNT(*) FROM pairing_codes").fetchone()[0]
    again = deploy(tmp_path, inv, partition, tenant, "again")
    assert again.rc == 0, again.output[-4000:]
    changed = [(r["host"], r["task"]) for r in again.records if r["result"].get("changed")]
    assert recap(again.output) and set(recap(again.output).values()) == {0}, changed
    with sqlite3.connect(tenant.db) as db:
        assert db.execute("SELECT COUNT(*) FROM pairing_codes").fetchone()[0] == codes  # no new pairing code
    assert len(tenant.instances()) == 3

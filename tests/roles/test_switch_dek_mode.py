"""Switching the DEK protection mode (R3): refused while any VSatellite remains, then software to HSM.
Hosts simulated on this machine (connection local), the tenant on loopback, a real SoftHSM partition."""

import json
import sys

from tests.roles.test_remove_all import LOSS, fleet
from tests.support.ansible_run import run_playbook_file
from tests.support.simulator import VSATCTL
from tests.support.softhsm import SOFTHSM_CLIENT_PATH, SOFTHSM_LIB


def inventory(tmp_path, installer, tenant, partition, names):
    hosts = dict((n, {"ansible_connection": "local", "ansible_python_interpreter": sys.executable,
                      "vsatellite_install_dir": installer.track(n)}) for n in names)
    inv = {"vsatellites": {"hosts": hosts, "vars": {
        "vsatellite_api_url": tenant.url, "vsatellite_installer_path": VSATCTL,
        "vsatellite_hsm_client_path": SOFTHSM_CLIENT_PATH, "vsatellite_hsm_lib_path": SOFTHSM_LIB,
        "vsatellite_hsm_config_path": partition.hsm.conf, "vsatellite_partition_label": partition.label,
        "vsatellite_partition_serial_number": partition.serial, "vsatellite_allow_softhsm": True,
        "vsatellite_health_timeout": 30, "vsatellite_report_dir": str(tmp_path),
        "vsatellite_environment": {"VSAT_SIM_NAME": "{{ inventory_hostname }}", "VSAT_SIM_HEARTBEAT": "0.3"}}}}
    path = tmp_path / "inventory.yml"
    path.write_text(json.dumps(inv))
    return str(path)


def play(name, tmp_path, inv, tenant, partition, **extra):
    variables = dict({"vsatellite_api_key": tenant.api_key, "vsatellite_partition_pin": partition.pin}, **extra)
    return run_playbook_file("ngts.vsatellite." + name, variables, tmp_path, inventory=inv, name=name)


def test_an_hsm_deploy_is_refused_while_a_software_vsatellite_remains(installer, tenant, partition, tmp_path):
    fleet(installer, tenant, ["stray"])  # software mode, in no inventory
    inv = inventory(tmp_path, installer, tenant, partition, ["h1", "h2"])
    r = play("deploy", tmp_path, inv, tenant, partition, vsatellite_dek_mode="hsm")
    assert r.rc != 0
    assert "use the software DEK mode, and the mode cannot change while any exists (R3)" in r.output.replace("\n", " ")
    assert [i["name"] for i in tenant.instances()] == ["stray"]


def test_software_to_hsm(installer, tenant, partition, tmp_path):
    fleet(installer, tenant, ["stray"])
    inv = inventory(tmp_path, installer, tenant, partition, ["h1", "h2"])
    unconfirmed = play("switch_dek_mode", tmp_path, inv, tenant, partition, vsatellite_dek_mode="hsm")
    assert unconfirmed.rc != 0 and [i["name"] for i in tenant.instances()] == ["stray"]
    r = play("switch_dek_mode", tmp_path, inv, tenant, partition, vsatellite_dek_mode="hsm",
             removal_confirm="remove 1 VSatellites from 127.0.0.1", removal_software_dek_loss_acknowledgement=LOSS)
    assert r.rc == 0, r.output[-4000:]
    instances = tenant.instances()
    assert sorted(i["name"] for i in instances) == ["h1", "h2"]
    for inst in instances:
        assert tenant.status_of(inst["id"]) == ("ACTIVE", "HSM_HEALTHY")
    assert tenant.dek_record()["dekMode"] == "HSM"
    assert installer.status("h1")["hsm"]["partition_serial_number"] == partition.serial

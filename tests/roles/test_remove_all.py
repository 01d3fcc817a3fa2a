"""The remove_all playbook (the removal role): guarded, thorough, and it never touches the DEK. The hosts are
simulated on this machine (one install dir each, connection local), the tenant on loopback."""

import json
import os
import sys

from ansible_collections.ngts.vsatellite.plugins.module_utils._hsm_partition import PartitionProbe
from tests.simulator.conftest import hsm_flags
from tests.support.ansible_run import run_playbook_file
from tests.support.simulator import VSATCTL, wait_for
from tests.support.softhsm import SOFTHSM_LIB

LOSS = "I accept that the software DEK and all data it protects will be lost"


def fleet(installer, tenant, names, partition=None):
    for name in names:
        rc, out = installer.install(name, pin=partition.pin if partition else None,
                                    hsm=hsm_flags(partition) if partition else None)
        assert rc == 0, out
    for name in names:
        wait_for(lambda n=name: installer.status(n)["healthy"], what="%s healthy" % name)


def inventory(tmp_path, installer, tenant, names):
    hosts = dict((n, {"ansible_connection": "local", "ansible_python_interpreter": sys.executable,
                      "vsatellite_install_dir": installer.install_dir(n)}) for n in names)
    inv = {"vsatellites": {"hosts": hosts, "vars": {"vsatellite_api_url": tenant.url,
                                                    "vsatellite_installer_path": VSATCTL}}}
    path = tmp_path / "inventory.yml"
    path.write_text(json.dumps(inv))
    return str(path)


def remove_all(tmp_path, inv, tenant, name, **extra):
    variables = dict({"vsatellite_api_key": tenant.api_key}, **extra)
    return run_playbook_file("ngts.vsatellite.remove_all", variables, tmp_path, inventory=inv, name=name)


def test_nothing_is_removed_without_the_phrase_which_names_every_vsatellite(installer, tenant, partition, tmp_path):
    fleet(installer, tenant, ["h1", "h2", "stray"], partition)
    inv = inventory(tmp_path, installer, tenant, ["h1", "h2"])  # "stray" is in no inventory
    r = remove_all(tmp_path, inv, tenant, "unconfirmed")
    assert r.rc != 0
    assert "removal_confirm to: remove 3 VSatellites from 127.0.0.1" in r.output
    assert "stray" in r.output and "NOT in the inventory" in r.output
    assert len(tenant.instances()) == 3 and all(installer.status(n)["installed"] for n in ("h1", "h2", "stray"))
    wrong = remove_all(tmp_path, inv, tenant, "wrong", removal_confirm="remove 2 VSatellites from 127.0.0.1")
    assert wrong.rc != 0 and len(tenant.instances()) == 3


def test_the_phrase_removes_every_vsatellite_and_keeps_the_dek(installer, tenant, partition, tmp_path):
    fleet(installer, tenant, ["h1", "h2", "stray"], partition)
    fingerprint = installer.status("h1")["dekFingerprint"]
    inv = inventory(tmp_path, installer, tenant, ["h1", "h2"])
    r = remove_all(tmp_path, inv, tenant, "confirmed", removal_confirm="remove 3 VSatellites from 127.0.0.1")
    assert r.rc == 0, r.output[-3000:]
    assert tenant.instances() == [] and tenant.dek_record()["dekMode"] is None
    assert not installer.status("h1")["installed"] and not installer.status("h2")["installed"]
    dek = PartitionProbe(SOFTHSM_LIB, partition.label, partition.pin, config_path=partition.hsm.conf).run()["dek"]
    assert dek["fingerprint"] == fingerprint  # R10, R11: the DEK is never touched
    assert tenant.api_key not in r.output


def test_software_mode_needs_an_export_or_the_loss_acknowledged(installer, tenant, tmp_path):
    fleet(installer, tenant, ["s1", "s2"])
    inv = inventory(tmp_path, installer, tenant, ["s1", "s2"])
    phrase = "remove 2 VSatellites from 127.0.0.1"
    r = remove_all(tmp_path, inv, tenant, "no-export", removal_confirm=phrase)
    assert r.rc != 0 and "no export of it is recorded" in r.output and len(tenant.instances()) == 2
    r = remove_all(tmp_path, inv, tenant, "acknowledged", removal_confirm=phrase,
                   removal_software_dek_loss_acknowledgement=LOSS)
    assert r.rc == 0, r.output[-3000:]
    assert tenant.instances() == []


def test_software_mode_with_an_export_goes_on(installer, tenant, tmp_path):
    fleet(installer, tenant, ["s1"])
    export = str(tmp_path / "dek-export.json")
    rc, out = installer.run("s1", "export", "--api-key", tenant.api_key, "--passphrase", "throwaway-pass-2",
                            "--file", export)
    assert rc == 0, out
    inv = inventory(tmp_path, installer, tenant, ["s1"])
    r = remove_all(tmp_path, inv, tenant, "exported", removal_confirm="remove 1 VSatellites from 127.0.0.1")
    assert r.rc == 0, r.output[-3000:]
    assert tenant.instances() == [] and os.path.exists(export)

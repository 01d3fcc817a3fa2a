"""The modules on real remote hosts: podman containers of the project's image, reached through the
containers.podman connection, using the image's own Debian python3 and python-pkcs11."""

import os

import pytest

from tests.support.ansible_run import run_playbook
from tests.support.containers import CONTAINERS_CONF, Container

pytestmark = pytest.mark.slow


@pytest.fixture
def hosts(host_image, hsm):
    """Three hosts that share one SoftHSM token directory, as three clients of one HSM partition."""
    made = [Container(mounts=[hsm.base_dir]) for dummy in range(3)]
    yield made
    for c in made:
        c.remove()


def test_every_host_sees_the_same_partition_and_dek(hosts, partition, tmp_path):
    partition.hsm.generate_dek(partition.serial)
    inventory = tmp_path / "inventory"
    inventory.write_text("[vsatellites]\n" + "\n".join(c.inventory_line() for c in hosts) + "\n")
    probe = {"lib_path": "/usr/lib/softhsm/libsofthsm2.so", "config_path": partition.hsm.conf,
             "partition_label": partition.label, "pin": "{{ partition_pin }}"}
    tasks = [
        {"name": "client", "ngts.vsatellite.hsm_client_info": {
            "client_path": "/usr/lib/softhsm", "lib_path": "/usr/lib/softhsm/libsofthsm2.so",
            "config_path": partition.hsm.conf, "allow_softhsm": True}},
        {"name": "probe", "ngts.vsatellite.hsm_partition_info": probe},
    ]
    r = run_playbook(tasks, {"partition_pin": partition.pin}, tmp_path, hosts="vsatellites",
                     inventory=str(inventory), env={"CONTAINERS_CONF": CONTAINERS_CONF}, name="hosts")
    assert r.rc == 0, r.output[-3000:]
    fingerprints = set()
    for c in hosts:
        client = r.task("client", c.name)
        assert client["problems"] == [] and client["library"]["info"]["manufacturer_id"] == "SoftHSM"
        probe_result = r.task("probe", c.name)
        assert probe_result["partition"]["serial_number"] == partition.serial
        fingerprints.add(probe_result["dek"]["fingerprint"])
    assert len(fingerprints) == 1 and None not in fingerprints
    assert partition.pin not in r.output
    assert os.path.isdir(partition.hsm.tokendir)

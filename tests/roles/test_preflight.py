"""The preflight role, through the collection's preflight playbook, on three container hosts that share one
SoftHSM token directory (three clients of one partition)."""

import os

import pytest

from tests.support.ansible_run import run_playbook_file
from tests.support.containers import CONTAINERS_CONF, Container
from tests.support.softhsm import SOFTHSM_LIB, SoftHsm, spy_logins

pytestmark = pytest.mark.slow
SPY = "/usr/lib/x86_64-linux-gnu/pkcs11/pkcs11-spy.so"


@pytest.fixture
def fleet(host_image, hsm, tmp_path):
    other = SoftHsm(tmp_path / "other-hsm")  # a second HSM, for the host that is wired wrong
    made = [Container(mounts=[hsm.base_dir, other.base_dir]) for dummy in range(3)]
    yield made, other
    for c in made:
        c.remove()


def inventory(tmp_path, hosts, extra=None, group_vars=None):
    """An inventory; per-host variables in ``extra``, and group variables (which a host's own override)."""
    path = tmp_path / "inventory"
    lines = ["[vsatellites]"] + ["%s %s" % (c.inventory_line(), (extra or {}).get(c.name, "")) for c in hosts]
    lines += ["[vsatellites:vars]"] + ["%s=%s" % kv for kv in (group_vars or {}).items()]
    path.write_text("\n".join(lines) + "\n")
    return str(path)


def preflight_vars(partition, **overrides):
    v = {"preflight_hsm_client_path": "/usr/lib/softhsm", "preflight_hsm_lib_path": SOFTHSM_LIB,
         "preflight_hsm_config_path": partition.hsm.conf, "preflight_partition_label": partition.label,
         "preflight_partition_pin": partition.pin, "preflight_allow_softhsm": True}
    v.update(overrides)
    return v


def run(tmp_path, inv, variables, name="preflight"):
    return run_playbook_file("ngts.vsatellite.preflight", variables, tmp_path, inventory=inv,
                             env={"CONTAINERS_CONF": CONTAINERS_CONF}, name=name)


def test_every_host_sees_one_partition_and_one_dek(fleet, partition, tmp_path):
    hosts, dummy = fleet
    partition.hsm.generate_dek(partition.serial)
    r = run(tmp_path, inventory(tmp_path, hosts), preflight_vars(partition))
    assert r.rc == 0, r.output[-3000:]
    assert "Every host sees partition %s and DEK sha256:" % partition.serial in r.output
    assert partition.pin not in r.output


def test_a_wrong_pin_is_tried_once_on_one_host_only(fleet, partition, tmp_path):
    hosts, dummy = fleet
    logs = {c.name: os.path.join(partition.hsm.base_dir, "pkcs11-spy-%s.log" % c.name) for c in hosts}
    # Each host's library is OpenSC's spy around SoftHSM, logging its calls to a file of its own.
    extra = {c.name: "preflight_env_spy_log=%s" % logs[c.name] for c in hosts}
    inv = inventory(tmp_path, hosts, extra)
    wrong = "w" + partition.pin[1:]
    variables = preflight_vars(partition, preflight_hsm_lib_path=SPY, preflight_partition_pin=wrong)
    r = run_playbook_file(str(write_spy_play(tmp_path)), variables, tmp_path, inventory=inv,
                          env={"CONTAINERS_CONF": CONTAINERS_CONF}, name="wrong")
    assert r.rc != 0
    logins = []
    for path in logs.values():
        if os.path.exists(path):
            logins += spy_logins(path)
            os.unlink(path)  # it holds PIN bytes
    assert logins == ["CKR_PIN_INCORRECT"], logins
    assert "It was not tried on the other hosts (R14" in r.output
    assert wrong not in r.output and partition.pin not in r.output


def write_spy_play(tmp_path):
    """The preflight role, with the spy's environment set per host."""
    play = tmp_path / "spy-preflight.yml"
    play.write_text(
        "- hosts: vsatellites\n  gather_facts: false\n"
        "  environment:\n    PKCS11SPY: %s\n    PKCS11SPY_OUTPUT: '{{ preflight_env_spy_log }}'\n"
        "  roles:\n    - ngts.vsatellite.preflight\n" % SOFTHSM_LIB)
    return play


def test_a_host_on_another_partition_is_named_and_nothing_goes_further(fleet, partition, tmp_path):
    hosts, other = fleet
    partition.hsm.generate_dek(partition.serial)
    twin_serial = other.init_token(partition.label, pin=partition.pin)  # same label and PIN, another HSM
    odd = hosts[2].name
    # Extra vars would win over the inventory: the configuration path goes in the inventory instead.
    inv = inventory(tmp_path, hosts, {odd: "preflight_hsm_config_path=%s" % other.conf},
                    {"preflight_hsm_config_path": partition.hsm.conf})
    variables = preflight_vars(partition)
    del variables["preflight_hsm_config_path"]
    r = run(tmp_path, inv, variables, name="mismatch")
    assert r.rc != 0
    assert "do not all see the same partition and DEK (R9" in r.output
    assert "%s sees serial %s and DEK none" % (odd, twin_serial) in r.output.replace("\n", " ")

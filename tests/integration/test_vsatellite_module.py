"""vsatellite and vsatellite_info through ansible-playbook: the simulator's vsatctl as the installer, the
simulated tenant on loopback, real SoftHSM partitions, real VSatellite processes."""

import os
import time

import pytest

from tests.support import leaks
from tests.support.ansible_run import run_playbook
from tests.support.simulator import HEARTBEAT, VSATCTL, wait_for
from tests.support.softhsm import SOFTHSM_CLIENT_PATH, SOFTHSM_LIB


@pytest.fixture
def host(installer):
    """One simulated host: its install dir and the environment its VSatellite gets its name from."""
    class Host:
        dir = installer.track("mod-host")
        env = {"VSAT_SIM_NAME": "mod-host", "VSAT_SIM_HEARTBEAT": HEARTBEAT}
    return Host


def hsm_of(partition, **overrides):
    hsm = {"client_path": SOFTHSM_CLIENT_PATH, "lib_path": SOFTHSM_LIB, "config_path": partition.hsm.conf,
           "partition_label": partition.label}
    hsm.update(overrides)
    return hsm


@pytest.fixture
def args(tenant, host, partition):
    def make(**overrides):
        a = dict(installer_path=VSATCTL, install_dir=host.dir, api_url=tenant.url, pairing_code=tenant.pairing_code(),
                 accept_license_agreement=True, hsm=hsm_of(partition), hsm_pin=partition.pin)
        a.update(overrides)
        return a
    return make


def test_install_is_idempotent_and_honours_check_mode(run_module, args, host, tenant, partition):
    first_args = args(wait_for_health=20)
    check = run_module("vsatellite", first_args, env=host.env, check=True,
                       secrets=[partition.pin, first_args["pairing_code"]])
    assert check.result["changed"] is True and check.result["installed"] is False
    assert not os.path.exists(os.path.join(host.dir, "settings.json"))

    r = run_module("vsatellite", first_args, env=host.env, secrets=[partition.pin, first_args["pairing_code"]])
    assert not r.failed, r
    assert r.result["changed"] is True and r.result["installed"] is True
    assert r.result["dek_protection"] == "hsm"
    assert r.result["hsm"] == dict(hsm_of(partition), partition_serial_number=None)
    assert r.result["health"]["healthy"] is True and r.result["health"]["hsm_status"] == "HSM_HEALTHY"
    assert "VSatellite installation has been completed successfully!" in r.result["installer_output"]
    assert [i["id"] for i in tenant.instances()] == [r.result["edge_instance_id"]]

    # Again, without a pairing code or a PIN: nothing to do, nothing asked.
    again_args = dict(first_args)
    for secret in ("pairing_code", "hsm_pin"):
        del again_args[secret]
    again = run_module("vsatellite", again_args, env=host.env)
    assert again.result["changed"] is False and again.result["edge_instance_id"] == r.result["edge_instance_id"]
    assert len(tenant.instances()) == 1


def test_a_changed_setting_is_refused_with_the_difference(run_module, args, host, make_partition, partition):
    assert not run_module("vsatellite", args(), env=host.env).failed
    other = make_partition("another")
    changed = args(hsm=hsm_of(other), hsm_pin=other.pin)
    r = run_module("vsatellite", changed, env=host.env, secrets=[other.pin, partition.pin, changed["pairing_code"]])
    assert r.failed and r.result["error_code"] == "SETTINGS_DIFFER"
    assert "hsm.partition_label: installed 'vsat-dek', asked 'another'" in r.result["msg"]
    assert "state=reinstalled" in r.result["msg"]
    assert r.result["diff"]["before"]["hsm"]["partition_label"] == "vsat-dek"
    soft = run_module("vsatellite", args(hsm=None, hsm_pin=None), env=host.env)
    assert "dek_protection: installed 'hsm', asked 'software'" in soft.result["msg"] and "R3" in soft.result["msg"]
    # Not even state=reinstalled changes the mode: the tenant would refuse, after the uninstall (R3).
    before = run_module("vsatellite_info", dict(installer_path=VSATCTL, install_dir=host.dir))
    switch = run_module("vsatellite", args(hsm=None, hsm_pin=None, state="reinstalled"), env=host.env)
    assert switch.failed and "cannot change the DEK protection from hsm to software" in switch.result["msg"]
    after = run_module("vsatellite_info", dict(installer_path=VSATCTL, install_dir=host.dir))
    assert after.result["edge_instance_id"] == before.result["edge_instance_id"] and after.result["health"]["running"]


def test_diff_mode_shows_settings_and_no_secret(args, host, tmp_path, partition):
    a = args()
    tasks = [{"name": "install", "ngts.vsatellite.vsatellite": "{{ module_args }}"}]
    r = run_playbook(tasks, {"module_args": a}, tmp_path, env=host.env, extra_args=["--diff"], name="diff")
    assert r.task("install")["diff"]["after"]["hsm"]["partition_label"] == "vsat-dek"
    assert "partition_label" in r.stdout
    leaks.assert_no_leak(partition.pin, r.output)
    leaks.assert_no_leak(a["pairing_code"], r.output)


def test_reinstall_keeps_the_dek_and_the_keys_it_protects(run_module, args, host, tenant, partition):
    first = run_module("vsatellite", args(wait_for_health=20), env=host.env)
    key = tenant.store_key()
    assert key["status"] == "STORED"
    r = run_module("vsatellite", args(state="reinstalled", wait_for_health=20), env=host.env,
                   secrets=[partition.pin])
    assert not r.failed, r
    assert r.result["previous_edge_instance_id"] == first.result["edge_instance_id"]
    assert r.result["edge_instance_id"] != first.result["edge_instance_id"]
    assert r.result["health"]["dek_fingerprint"] == first.result["health"]["dek_fingerprint"]  # R10
    assert tenant.verify_key(key["id"], r.result["edge_instance_id"])["status"] == "MATCH"


def test_absent_uninstalls_once(run_module, args, host, tenant):
    installed = run_module("vsatellite", args(), env=host.env)
    gone = run_module("vsatellite", dict(installer_path=VSATCTL, install_dir=host.dir, state="absent"), env=host.env)
    assert gone.result["changed"] is True and gone.result["installed"] is False
    assert gone.result["previous_edge_instance_id"] == installed.result["edge_instance_id"]
    assert not os.path.exists(host.dir)
    assert len(tenant.instances()) == 1  # the tenant keeps it until it is deleted there
    again = run_module("vsatellite", dict(installer_path=VSATCTL, install_dir=host.dir, state="absent"), env=host.env)
    assert again.result["changed"] is False


def test_the_tenants_412_for_another_dek_mode_is_explained(run_module, args, host, installer, tenant, partition):
    assert installer.install("software-host")[0] == 0
    a = args()
    r = run_module("vsatellite", a, env=host.env, secrets=[partition.pin, a["pairing_code"]])
    assert r.failed and r.result["error_code"] == "INSTALL_FAILED"
    assert "(412)" in r.result["msg"] and "R3" in r.result["msg"]
    assert r.result["installed"] is False and r.result["installer_rc"] == 3
    assert not os.path.exists(os.path.join(host.dir, "settings.json"))


def test_a_wrong_pin_installs_but_is_unhealthy_and_the_log_says_why(run_module, args, host, partition, tenant):
    wrong = "x" + partition.pin[1:]
    a = args(hsm_pin=wrong, wait_for_health=3)
    r = run_module("vsatellite", a, env=host.env, secrets=[wrong, partition.pin, a["pairing_code"]])
    assert r.failed and r.result["error_code"] == "UNHEALTHY"
    assert r.result["changed"] is True and r.result["installed"] is True  # R5
    assert any("CKR_PIN_INCORRECT" in line for line in r.result["log_errors"])
    assert "CKR_PIN_INCORRECT" in r.result["msg"]
    info = run_module("vsatellite_info", dict(installer_path=VSATCTL, install_dir=host.dir), env=host.env)
    assert info.result["installed"] and info.result["health"]["healthy"] is False
    assert any("CKR_PIN_INCORRECT" in line for line in info.result["log_errors"])
    wait_for(lambda: tenant.status_of(r.result["edge_instance_id"]) == ("UNHEALTHY", "HSM_ERROR"), what="UNHEALTHY")


def test_the_pin_through_a_pty(run_module, args, host, partition):
    r = run_module("vsatellite", args(installer_input="pty", wait_for_health=20), env=host.env,
                   secrets=[partition.pin])
    assert not r.failed, r
    assert "HSM partition PIN:" in r.result["installer_output"]
    assert r.result["health"]["healthy"] is True


@pytest.mark.parametrize("overrides,words", [
    ({"pairing_code": None}, "pairing_code is required"),
    ({"accept_license_agreement": False}, "accept_license_agreement must be true"),
    ({"hsm_pin": None}, "hsm_pin is required with hsm"),
    ({"hsm_pin": "  "}, "hsm_pin is required with hsm"),
    ({"hsm": {"lib_path": SOFTHSM_LIB}}, "hsm.client_path, hsm.config_path, hsm.partition_label"),
    ({"hsm": None}, "hsm_pin is set but hsm is not"),
    ({"api_url": None}, "api_url is required"),
    ({"installer_exit_codes": {"oops": 9}}, "unknown keys oops"),
    ({"installer_path": "/nonexistent/vsatctl"}, "installer_path '/nonexistent/vsatctl' is not an executable"),
])
def test_bad_input_is_refused_and_changes_nothing(run_module, args, host, tenant, overrides, words):
    r = run_module("vsatellite", args(**overrides), env=host.env)
    assert r.failed and words in r.result["msg"], r
    assert not os.path.exists(os.path.join(host.dir, "settings.json")) and tenant.instances() == []


def test_vsatellite_info_reports_settings_and_health(run_module, args, host):
    none = run_module("vsatellite_info", dict(installer_path=VSATCTL, install_dir=host.dir))
    assert none.result == dict(none.result, installed=False, changed=False)
    run_module("vsatellite", args(wait_for_health=20), env=host.env)
    info = run_module("vsatellite_info", dict(installer_path=VSATCTL, install_dir=host.dir))
    assert info.result["installed"] and info.result["dek_protection"] == "hsm"
    assert info.result["health"]["healthy"] and info.result["health"]["running"]
    assert info.result["log_errors"] == []
    assert info.result["name"] == "mod-host"


def test_secrets_are_nowhere_but_the_vsatellites_secret_store(run_module, args, host, partition, tenant):
    """The PIN and the pairing code: not in -vvvv output, not in any process's argv or environment (the
    pairing code aside, in the installer's own argv, by the installer's design), not in files left under
    Ansible's temporary directories or the home directory."""
    started = time.time()
    a = args(wait_for_health=20)
    with leaks.ProcessSampler(["vsatctl", "ansible", "AnsiballZ"]) as seen:
        r = run_module("vsatellite", a, env=host.env, secrets=[partition.pin, a["pairing_code"]])
    assert not r.failed, r
    installers = [c for c, e in seen if " install " in c and "vsatctl" in c]
    assert installers, "the sampler never saw the installer run"
    for cmdline, environ in seen:
        leaks.assert_no_leak(partition.pin, cmdline + "\n" + environ)
        leaks.assert_no_leak(a["pairing_code"], environ)
        if a["pairing_code"] in cmdline:
            assert " install " in cmdline and "vsatctl" in cmdline, "the pairing code in another argv: %s" % cmdline
    home = os.path.expanduser("~")
    changed = [p for p in leaks.files_changed_since(started, [home]) if not p.startswith(host.dir)]
    for secret in (partition.pin, a["pairing_code"], tenant.api_key):
        assert leaks.files_containing(secret, changed, files=True) == []
        leaks.assert_no_leak(secret, roots=[leaks.ANSIBLE_HOME])
    store = leaks.files_containing(partition.pin, [host.dir])
    assert store == [os.path.join(host.dir, "secrets", "pin")]

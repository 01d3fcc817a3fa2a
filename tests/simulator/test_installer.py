"""vsatctl's own behaviour: terminal UI, PIN handling, pairing, refusals (SPEC.md section 2)."""

import os
import subprocess
import sys

import pytest

from tests.support import leaks
from tests.support.simulator import VSATCTL, wait_for, wait_until
from tests.support.softhsm import SOFTHSM_LIB


def test_version(installer):
    rc, out = installer.run(None, "version")
    assert rc == 0 and "vsatctl version" in out


def test_without_silent_and_without_a_terminal_install_fails_like_the_text_ui(tenant, partition, flags, tmp_path):
    argv = [sys.executable, VSATCTL, "install", "--pairing-code", tenant.pairing_code(), "--api-url", tenant.url,
            "--install-dir", str(tmp_path / "d"), "--accept-license-agreement"]
    for k, v in flags(partition).items():
        argv += ["--" + k.replace("_", "-"), v]
    proc = subprocess.run(argv, input=partition.pin + "\n", capture_output=True, text=True, check=False)
    assert proc.returncode == 8
    assert "terminal not cursor addressable" in proc.stderr
    assert not os.path.exists(tmp_path / "d" / "settings.json")
    assert tenant.instances() == []


def test_the_pin_is_prompted_on_the_terminal(tenant, installer, partition, flags):
    rc, out = installer.install("tty-host", pin=partition.pin, hsm=flags(partition), interactive=True)
    assert rc == 0, out
    assert "HSM partition PIN:" in out
    assert "VSatellite installation has been completed successfully!" in out
    wait_for(lambda: installer.status("tty-host")["healthy"], what="healthy")


def test_the_pin_is_never_in_argv_environment_logs_or_settings(tenant, installer, partition, flags):
    with leaks.ProcessSampler(["vsatctl"]) as seen:
        rc, out = installer.install("secret-host", pin=partition.pin, hsm=flags(partition), interactive=True)
        wait_for(lambda: installer.status("secret-host")["healthy"], what="healthy")
    assert rc == 0, out
    assert seen, "the sampler never saw the installer or the satellite"
    leaks.assert_no_leak(partition.pin, "\n".join(c + "\n" + e for c, e in seen) + out)
    install_dir = installer.install_dir("secret-host")
    holders = leaks.files_containing(partition.pin, [install_dir])
    # The VSatellite's own secret store is the one place it may be, root-only.
    assert holders == [os.path.join(install_dir, "secrets", "pin")]
    assert oct(os.stat(holders[0]).st_mode & 0o777) == "0o600"
    assert oct(os.stat(os.path.join(install_dir, "secrets")).st_mode & 0o777) == "0o700"
    leaks.assert_no_leak(partition.pin, roots=[tenant.workdir])


@pytest.mark.parametrize("case", ["unknown", "used-up", "expired"])
def test_pairing_code_is_checked(tenant, installer, partition, flags, case):
    if case == "unknown":
        code = "not-a-code"
    else:
        code = tenant.pairing_code(reuse_count=1)
        if case == "used-up":
            assert installer.install("first", pin=partition.pin, hsm=flags(partition), code=code)[0] == 0
        else:
            import sqlite3
            with sqlite3.connect(tenant.db) as db:
                db.execute("UPDATE pairing_codes SET expiration = 0")
    rc, out = installer.install("late", pin=partition.pin, hsm=flags(partition), code=code)
    assert rc == 3, out
    assert {"unknown": "not valid", "used-up": "reuse count", "expired": "expired"}[case] in out
    assert not installer.status("late")["installed"]


def test_an_unreachable_tenant_fails_the_install(installer, partition, flags, tmp_path):
    installer.tenant.stop()
    rc, out = installer.install("h", pin=partition.pin, hsm=flags(partition), code="x")
    assert rc == 4 and "cannot reach the tenant" in out


def test_license_and_hsm_flags_are_required(installer, partition, flags):
    f = flags(partition)
    del f["partition_label"]
    rc, out = installer.install("h", pin=partition.pin, hsm=f)
    assert rc == 2 and "--partition-label" in out
    rc, out = installer.install("h2", pin=partition.pin, hsm=flags(partition), extra_args=())
    assert rc == 0, out
    rc, out = installer.install("h2", pin=partition.pin, hsm=flags(partition))
    assert rc == 7 and "already installed" in out


@pytest.mark.parametrize("command,words", [
    (("export", "--api-key", "k", "--passphrase", "p", "--file", "/tmp/never"), "DEK export is not supported"),
    (("import", "--api-key", "k", "--passphrase", "p", "--file", "/tmp/never"), "DEK import is not supported"),
    (("rotate",), "DEK rotation is not supported"),
    (("recover",), "Recovery is not supported"),
])
def test_dek_operations_are_refused_in_hsm_mode(installer, partition, flags, command, words):
    assert installer.install("h", pin=partition.pin, hsm=flags(partition))[0] == 0
    rc, out = installer.run("h", *command)
    assert rc == 5, out
    assert words in out and "HSM-protected DEK" in out and "R8" in out
    assert not os.path.exists("/tmp/never")


def test_uninstall_stops_the_vsatellite_removes_the_dir_and_the_tenant_keeps_it(tenant, installer, partition, flags):
    assert installer.install("h", pin=partition.pin, hsm=flags(partition))[0] == 0
    status = wait_until(lambda: installer.status("h"), lambda s: s["healthy"], what="healthy")
    rc, out = installer.run("h", "uninstall")
    assert rc == 0, out
    assert not os.path.exists(installer.install_dir("h"))
    assert not os.path.exists("/proc/%d" % status["pid"]) or open("/proc/%d/stat" % status["pid"]).read().split()[2] == "Z"
    wait_for(lambda: tenant.status_of(status["edgeInstanceId"])[0] == "LOST_CONNECTION", what="LOST_CONNECTION")
    rc, out = installer.run("h", "uninstall")
    assert rc == 6 and "no VSatellite is installed" in out


def test_wrong_library_path_installs_and_the_log_says_why(tenant, installer, partition, flags):
    rc, out = installer.install("h", pin=partition.pin, hsm=flags(partition, hsm_lib_path="/nope/libCryptoki2.so"))
    assert rc == 0 and "completed successfully" in out  # R5
    iid = installer.status("h")["edgeInstanceId"]
    wait_for(lambda: tenant.status_of(iid) == ("UNHEALTHY", "HSM_ERROR"), what="UNHEALTHY")
    assert "cannot load the PKCS#11 library /nope/libCryptoki2.so" in installer.log("h")


def test_wrong_config_path(tenant, installer, partition, flags):
    assert installer.install("h", pin=partition.pin, hsm=flags(partition, hsm_config="/nope/softhsm2.conf"))[0] == 0
    wait_for(lambda: "HSM configuration file /nope/softhsm2.conf does not exist" in installer.log("h"), what="log")
    assert installer.status("h")["healthy"] is False
    assert SOFTHSM_LIB  # the library path itself was right

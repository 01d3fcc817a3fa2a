"""wrong_pin, verified: one failed login in the whole fleet, nothing installed, nothing in the tenant."""

import glob
import os

import verify
from tests.support.softhsm import spy_logins

testinfra_hosts = verify.testinfra_hosts()


def test_the_fleet_made_exactly_one_login_and_it_was_refused():
    fixture = verify.fixture()
    logs = glob.glob(os.path.join(fixture.state()["partitions"]["main"]["base_dir"], "pkcs11-spy-*.log"))
    assert len(logs) == len(verify.hosts()), "every host's library was loaded (hsm_client_info): %s" % logs
    logins = []
    for log in logs:
        logins += spy_logins(log)
    assert logins == ["CKR_PIN_INCORRECT"]


def test_nothing_was_installed(host):
    assert not host.file(verify.VSATCTL).exists
    assert not host.file(verify.INSTALL_DIR).exists
    assert not host.process.filter(comm="python3", args="_satellite")


def test_the_tenant_has_no_vsatellite_and_the_partition_no_dek():
    fixture = verify.fixture()
    assert fixture.call("instances") == []
    assert fixture.call("probe")["dek"]["count"] == 0

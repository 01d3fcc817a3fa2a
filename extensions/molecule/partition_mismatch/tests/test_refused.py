"""partition_mismatch, verified: refused before any install; neither partition got a DEK."""

import verify

testinfra_hosts = verify.testinfra_hosts()


def test_nothing_was_installed(host):
    assert not host.file(verify.VSATCTL).exists
    assert not host.file(verify.INSTALL_DIR).exists


def test_no_vsatellite_and_no_dek_anywhere():
    fixture = verify.fixture()
    assert fixture.call("instances") == []
    assert fixture.call("probe", partition="main")["dek"]["count"] == 0
    assert fixture.call("probe", partition="other")["dek"]["count"] == 0

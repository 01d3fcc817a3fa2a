"""dek_deleted, verified: every VSatellite Unhealthy, the loss stated, and no DEK made again (R11)."""

import time

import verify

testinfra_hosts = verify.testinfra_hosts()


def test_nothing_regenerates_the_dek():
    time.sleep(3)  # three more heartbeats of every VSatellite
    assert verify.fixture().call("probe")["dek"]["count"] == 0


def test_every_vsatellite_is_unhealthy_and_its_log_says_why(host):
    status = verify.status(host)
    assert status["running"] is True and status["healthy"] is False
    assert "deleted DEK cannot be restored or regenerated (R11)" in host.file(status["log"]).content_string


def test_the_tenant_sees_every_one_unhealthy():
    instances = verify.fixture().call("instances")
    assert len(instances) == len(verify.hosts())
    assert all(i["status"][0] == "UNHEALTHY" for i in instances), instances

"""mode_switch, verified: the fleet in HSM mode on one DEK, and nothing left of the software one."""

import verify

testinfra_hosts = verify.testinfra_hosts()


def test_the_tenant_is_in_hsm_mode_with_only_the_fleet():
    fixture = verify.fixture()
    assert fixture.call("dek_mode")["dekMode"] == "HSM"
    instances = fixture.call("instances")
    assert sorted(i["name"] for i in instances) == sorted(verify.hosts()), "stray must be gone"
    assert all(tuple(i["status"]) == ("ACTIVE", "HSM_HEALTHY") for i in instances), instances


def test_every_host_uses_the_partitions_one_dek(host):
    dek = verify.fixture().call("probe")["dek"]
    assert dek["count"] == 1
    status = verify.status(host)
    assert (status["dekMode"], status["dekFingerprint"], status["healthy"]) == ("HSM", dek["fingerprint"], True)

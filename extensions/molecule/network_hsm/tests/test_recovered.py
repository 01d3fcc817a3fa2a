"""network_hsm, verified: after the interrupted rollout and its resumption, the whole fleet on one DEK."""

import os

import verify

testinfra_hosts = verify.testinfra_hosts()


def test_the_hosts_reach_the_partition_only_through_the_network(host):
    state = verify.fixture().state()
    assert not host.file(state["partitions"]["main"]["base_dir"]).exists
    assert host.file(state["network_hsm"]["socket"]).is_socket


def test_every_vsatellite_is_healthy_on_the_one_dek(host):
    dek = verify.fixture().call("probe")["dek"]
    assert dek["count"] == 1
    status = verify.status(host)
    assert (status["healthy"], status["dekFingerprint"]) == (True, dek["fingerprint"]), status


def test_the_tenant_sees_the_whole_fleet_active():
    instances = verify.fixture().call("instances")
    assert sorted(i["name"] for i in instances) == sorted(verify.hosts())
    assert all(tuple(i["status"]) == ("ACTIVE", "HSM_HEALTHY") for i in instances), instances


def test_the_first_hosts_lost_the_hsm_and_recovered_by_themselves(host):
    name = host.backend.get_pytest_id().split("://")[-1]
    if name == verify.hosts()[-1]:
        return  # the third was being installed when the server died
    log = host.file(verify.status(host)["log"]).content_string
    assert "HSM is not reachable" in log
    with open(os.path.join(os.environ["MOLECULE_EPHEMERAL_DIRECTORY"], "expect-deploy-interrupted.log")) as f:
        interrupted = f.read()
    assert "failed: [%s]" % name not in interrupted and "fatal: [%s]" % name not in interrupted

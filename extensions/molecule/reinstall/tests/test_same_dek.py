"""reinstall, verified: new VSatellites, the same DEK, and a key stored before decrypts on each (R10)."""

import json
import os

import verify

testinfra_hosts = verify.testinfra_hosts()


def before():
    with open(os.path.join(os.environ["MOLECULE_EPHEMERAL_DIRECTORY"], "before-reinstall.json")) as f:
        return json.load(f)


def test_the_partition_still_holds_the_one_dek_it_held(host):
    dek = verify.fixture().call("probe")["dek"]
    assert dek["count"] == 1
    assert dek["fingerprint"] == before()["dek"]["fingerprint"]
    assert verify.status(host)["dekFingerprint"] == dek["fingerprint"]


def test_the_vsatellites_are_new_and_healthy():
    now = verify.fixture().call("instances")
    assert sorted(i["name"] for i in now) == sorted(verify.hosts())
    assert not set(i["id"] for i in now) & set(i["id"] for i in before()["instances"])
    assert all(tuple(i["status"]) == ("ACTIVE", "HSM_HEALTHY") for i in now), now


def test_a_key_stored_before_the_reinstall_decrypts_on_every_new_vsatellite():
    fixture = verify.fixture()
    for instance in fixture.call("instances"):
        assert fixture.call("verify_key", name="before", instance_id=instance["id"]) == "MATCH", instance["name"]

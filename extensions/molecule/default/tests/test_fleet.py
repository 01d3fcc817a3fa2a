"""The default scenario, verified: three hosts, one partition, one DEK."""

import json
import os

import pytest
import verify

testinfra_hosts = verify.testinfra_hosts()


@pytest.fixture(scope="module")
def fixture():
    return verify.fixture()


def test_the_partition_holds_one_dek_and_every_host_uses_it(host, fixture):
    dek = fixture.call("probe")["dek"]
    assert dek["count"] == 1 and dek["never_extractable"] and dek["sensitive"]
    status = verify.status(host)
    assert status["healthy"] is True, status
    assert status["dekFingerprint"] == dek["fingerprint"]
    assert status["dekMode"] == "HSM"


def test_every_vsatellite_is_active_and_hsm_healthy_under_its_inventory_name(fixture):
    instances = fixture.call("instances")
    assert sorted(i["name"] for i in instances) == sorted(verify.hosts())
    assert [tuple(i["status"]) for i in instances] == [("ACTIVE", "HSM_HEALTHY")] * len(instances)


def test_one_pairing_code_served_the_deploy_and_the_second_run_made_none(fixture):
    assert fixture.call("pairing_codes") == 1


def test_the_pin_is_only_in_the_vsatellites_own_secret_file(host, fixture):
    pin_file = host.file(verify.INSTALL_DIR + "/secrets/pin")
    assert (pin_file.user, pin_file.group, pin_file.mode) == ("root", "root", 0o600)
    name = host.backend.get_pytest_id().split("://")[-1]
    assert verify.where_is(fixture.call("secret", name="pin"), name) == [pin_file.path]
    assert verify.where_is(fixture.call("secret", name="api_key"), name) == []


def test_a_key_generated_through_the_tenant_decrypts_on_every_host(fixture):
    key = fixture.call("store_key", name="r13")
    assert key["status"] == "STORED", key
    for instance in fixture.call("instances"):
        assert fixture.call("verify_key", name="r13", instance_id=instance["id"]) == "MATCH", instance["name"]


def test_the_fleet_report_names_every_host_and_the_dek(fixture):
    with open(os.path.join(os.environ["MOLECULE_EPHEMERAL_DIRECTORY"], "report", "fleet-report.json")) as f:
        report = json.load(f)
    assert sorted(r["host"] for r in report["hosts"]) == sorted(verify.hosts())
    assert set(r["dek_fingerprint"] for r in report["hosts"]) == {fixture.call("probe")["dek"]["fingerprint"]}
    assert set((r["edge_status"], r["hsm_status"]) for r in report["hosts"]) == {("ACTIVE", "HSM_HEALTHY")}

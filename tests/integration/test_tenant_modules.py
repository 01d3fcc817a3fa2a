"""tenant_vsatellite_info, tenant_vsatellite and tenant_pairing_code through ansible-playbook, against the
simulated tenant on loopback and real simulated VSatellites on SoftHSM."""

import socket
import sqlite3

import pytest

from tests.simulator.conftest import hsm_flags
from tests.support.ansible_run import run_playbook
from tests.support.simulator import wait_for


@pytest.fixture
def api(tenant):
    return {"api_url": tenant.url, "api_key": tenant.api_key, "retries": 3}


@pytest.fixture
def fleet(tenant, installer, partition):
    """Two healthy HSM-mode VSatellites."""
    ids = []
    for name in ("vsat-a", "vsat-b"):
        rc, out = installer.install(name, pin=partition.pin, hsm=hsm_flags(partition))
        assert rc == 0, out
        ids.append(installer.status(name)["edgeInstanceId"])
    for iid in ids:
        wait_for(lambda i=iid: tenant.status_of(i)[0] == "ACTIVE", what="ACTIVE")
    return ids


def test_an_empty_tenant_has_no_dek_mode(api, run_module, tenant):
    r = run_module("tenant_vsatellite_info", api, secrets=[tenant.api_key])
    assert not r.failed, r
    assert (r.result["vsatellites"], r.result["dek_mode"], r.result["count"]) == ([], "none", 0)


def test_the_fleet_and_its_dek_mode(api, run_module, tenant, fleet):
    r = run_module("tenant_vsatellite_info", api, secrets=[tenant.api_key])
    assert r.result["dek_mode"] == "hsm" and r.result["count"] == 2
    by_id = {v["id"]: v for v in r.result["vsatellites"]}
    assert set(by_id) == set(fleet)
    for v in by_id.values():
        assert (v["edge_status"], v["hsm_status"], v["dek_mode"]) == ("ACTIVE", "HSM_HEALTHY", "hsm")
        assert v["encryption_key_id"] and v["last_seen"] and v["address"]
    one = run_module("tenant_vsatellite_info", dict(api, names=["vsat-b"]), secrets=[tenant.api_key])
    assert [v["name"] for v in one.result["vsatellites"]] == ["vsat-b"]
    assert one.result["count"] == 2  # the mode and the count always speak for the whole tenant


def test_a_software_tenant(api, run_module, tenant, installer):
    assert installer.install("soft")[0] == 0
    r = run_module("tenant_vsatellite_info", api, secrets=[tenant.api_key])
    assert r.result["dek_mode"] == "software"
    assert r.result["vsatellites"][0]["hsm_status"] == "HSM_NOT_CONFIGURED"


def test_a_bad_api_key_fails_at_once_with_the_apis_message(api, run_module, tenant):
    wrong = "wrong-" + tenant.api_key
    r = run_module("tenant_vsatellite_info", dict(api, api_key=wrong), secrets=[wrong, tenant.api_key])
    assert r.failed and r.result["status"] == 401
    assert "API key in the tppl-api-key header is missing or not valid" in r.result["msg"]
    assert "attempt" not in r.result["msg"]  # not retried


def test_the_key_and_url_can_come_from_the_environment(run_module, tenant):
    r = run_module("tenant_vsatellite_info", {}, env={"NGTS_API_URL": tenant.url, "NGTS_API_KEY": tenant.api_key},
                   secrets=[tenant.api_key])
    assert not r.failed, r
    missing = run_module("tenant_vsatellite_info", {"api_url": tenant.url})
    assert missing.failed and "NGTS_API_KEY" in missing.result["msg"]


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_an_unreachable_url_is_retried_then_fails_clearly(api, run_module, tenant):
    url = "http://127.0.0.1:%d" % _free_port()
    r = run_module("tenant_vsatellite_info", dict(api, api_url=url, retries=2), secrets=[tenant.api_key])
    assert r.failed
    assert "no answer from %s" % url in r.result["msg"] and "after 3 attempt(s)" in r.result["msg"]
    bad = run_module("tenant_vsatellite_info", dict(api, api_url="api.venafi.cloud"))
    assert "is not a URL" in bad.result["msg"]


def test_503s_are_retried(api, run_module, tenant):
    tenant.api("POST", "/v1/sim/faults", {"status": 503, "count": 2}, expect=201)
    r = run_module("tenant_vsatellite_info", api, secrets=[tenant.api_key])
    assert not r.failed, r
    tenant.api("POST", "/v1/sim/faults", {"status": 503, "count": 10}, expect=201)
    r = run_module("tenant_vsatellite_info", dict(api, retries=2), secrets=[tenant.api_key])
    assert r.failed and r.result["status"] == 503
    assert "injected fault" in r.result["msg"] and "after 3 attempt(s)" in r.result["msg"]


def test_a_slow_api_times_out_and_is_retried(api, run_module, tenant):
    tenant.api("POST", "/v1/sim/faults", {"latencyMs": 1500, "count": 1}, expect=201)
    r = run_module("tenant_vsatellite_info", dict(api, timeout=0.5), secrets=[tenant.api_key])
    assert not r.failed, r
    tenant.api("POST", "/v1/sim/faults", {"latencyMs": 1500, "count": 3}, expect=201)
    r = run_module("tenant_vsatellite_info", dict(api, timeout=0.5, retries=1), secrets=[tenant.api_key])
    assert r.failed and "after 2 attempt(s)" in r.result["msg"]


def test_rename_is_idempotent_and_honours_check_mode(api, run_module, tenant, fleet):
    args = dict(api, id=fleet[0], new_name="host-01.example")
    check = run_module("tenant_vsatellite", args, check=True, secrets=[tenant.api_key])
    assert check.result["changed"] and tenant.instance(fleet[0])["name"] == "vsat-a"
    first = run_module("tenant_vsatellite", args, secrets=[tenant.api_key])
    assert first.result["changed"] and first.result["vsatellite"]["name"] == "host-01.example"
    assert tenant.instance(fleet[0])["name"] == "host-01.example"
    again = run_module("tenant_vsatellite", args, secrets=[tenant.api_key])
    assert again.result["changed"] is False


def test_delete_by_name_then_again_changes_nothing(api, run_module, tenant, fleet):
    args = dict(api, name="vsat-b", state="absent")
    r = run_module("tenant_vsatellite", args, secrets=[tenant.api_key])
    assert r.result["changed"] and r.result["deleted"] == fleet[1]
    assert [i["id"] for i in tenant.instances()] == [fleet[0]]
    again = run_module("tenant_vsatellite", args, secrets=[tenant.api_key])
    assert again.result["changed"] is False
    by_id = run_module("tenant_vsatellite", dict(api, id=fleet[1], state="absent"))
    assert by_id.result["changed"] is False


def test_an_ambiguous_name_lists_the_ids(api, run_module, tenant, fleet):
    tenant.api("PUT", "/v1/edgeinstances/%s" % fleet[1], {"name": "vsat-a"}, expect=200)
    r = run_module("tenant_vsatellite", dict(api, name="vsat-a", state="absent"))
    assert r.failed and sorted(r.result["ids"]) == sorted(fleet)
    assert len(tenant.instances()) == 2


def test_pairing_code_is_hidden_yet_usable(api, tenant, tmp_path, installer, partition):
    """The code never shows in the output, even at -vvvv, and the next task can still use it."""
    tasks = [
        {"name": "code", "ngts.vsatellite.tenant_pairing_code": dict(api, reuse_count=2, lifetime=5)},
        {"name": "keep", "ansible.builtin.set_fact": {"code_id": "{{ code_result.id }}"}},
    ]
    tasks[0]["register"] = "code_result"
    r = run_playbook(tasks, {}, tmp_path, name="pairing")
    with sqlite3.connect(tenant.db) as db:
        code, reuse, code_id = db.execute("SELECT code, reuse_count, id FROM pairing_codes").fetchone()
    assert reuse == 2
    assert code not in r.output and tenant.api_key not in r.output
    assert "censored" in r.task("code")  # every callback sees the result hidden
    assert r.task("keep")["ansible_facts"]["code_id"] == code_id
    rc, out = installer.install("paired", pin=partition.pin, hsm=hsm_flags(partition), code=code)
    assert rc == 0, out


def test_pairing_code_check_mode_creates_none_and_bad_input_is_refused(api, run_module, tenant):
    r = run_module("tenant_pairing_code", dict(api, reuse_count=3), check=True)
    assert r.result["changed"] and r.result["pairing_code"] is None
    with sqlite3.connect(tenant.db) as db:
        assert db.execute("SELECT COUNT(*) FROM pairing_codes").fetchone()[0] == 0
    bad = run_module("tenant_pairing_code", dict(api, reuse_count=0))
    assert bad.failed and "reuse_count 0" in bad.result["msg"]
    bad = run_module("tenant_pairing_code", dict(api, lifetime=0))
    assert bad.failed and "lifetime 0" in bad.result["msg"]

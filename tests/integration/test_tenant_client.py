"""The tenant client's retry rules, driven as a plain Python class against the simulated tenant."""

import sqlite3
import time

import pytest

from ansible_collections.ngts.vsatellite.plugins.module_utils._tenant_api import TenantApiError, TenantClient
from tests.support.simulator import wait_for


def client(tenant, **kw):
    return TenantClient(tenant.url, tenant.api_key, backoff=0.05, **kw)


def codes(tenant):
    with sqlite3.connect(tenant.db) as db:
        return db.execute("SELECT COUNT(*) FROM pairing_codes").fetchone()[0]


def test_a_post_that_timed_out_is_not_retried(tenant):
    """It may have been acted on: a retry would leave a second live pairing code."""
    tenant.api("POST", "/v1/sim/faults", {"latencyMs": 800, "count": 3}, expect=201)
    with pytest.raises(TenantApiError) as e:
        client(tenant, timeout=0.3, retries=3).create_pairing_code(None, 1, "2099-01-01T00:00:00Z")
    assert e.value.attempts == 1 and "no answer" in e.value.message
    tenant.api("DELETE", "/v1/sim/faults", expect=204)
    wait_for(lambda: codes(tenant) >= 1, 5, what="the late pairing code")
    time.sleep(1)  # long enough for a retried request to have landed too
    assert codes(tenant) == 1  # the tenant did create it, late: only one


def test_a_post_answered_503_is_retried(tenant):
    tenant.api("POST", "/v1/sim/faults", {"status": 503, "count": 2}, expect=201)
    code = client(tenant, retries=3).create_pairing_code(None, 1, "2099-01-01T00:00:00Z")
    assert code["pairingCode"] and codes(tenant) == 1


def test_a_delete_whose_answer_came_too_late_is_done(tenant, installer):
    assert installer.install("soft")[0] == 0
    iid = installer.status("soft")["edgeInstanceId"]
    tenant.api("POST", "/v1/sim/faults", {"latencyMs": 800, "count": 1}, expect=201)
    client(tenant, timeout=0.3, retries=2).delete(iid)  # timed out, retried, 404: it is gone
    assert tenant.instances() == []
    with pytest.raises(TenantApiError) as e:
        client(tenant).delete(iid)  # a first attempt's 404 is an answer
    assert e.value.status == 404

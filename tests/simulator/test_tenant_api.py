"""The simulated tenant API (SPEC.md section 2): a real server on loopback, state in SQLite."""

import time

from tests.support.simulator import Installer, Tenant, wait_for


def test_a_bad_api_key_is_401_with_the_error_shape(tenant):
    status, body = tenant.api("GET", "/v1/edgeinstances", api_key="wrong-key")
    assert status == 401
    assert body["errors"][0]["code"] == 10401 and "tppl-api-key" in body["errors"][0]["message"]
    assert tenant.api("GET", "/v1/edgeinstances", api_key="")[0] == 401


def test_environments_and_pairing_codes(tenant):
    env = tenant.api("GET", "/v1/environments", expect=200)[1]["environments"][0]
    status, code = tenant.api("POST", "/v1/pairingcodes/satellite",
                              {"environmentId": env["id"], "reuseCount": 3, "expirationDate": "2099-01-01T00:00:00Z"})
    assert status == 201
    assert code["reuseCount"] == 3 and code["environmentId"] == env["id"]
    assert code["expirationDate"].startswith("2099-01-01T00:00:00")
    assert len(code["pairingCode"]) >= 24 and code["id"]
    for bad, fragment in (({"reuseCount": 0}, "reuseCount"), ({"expirationDate": "2001-01-01T00:00:00Z"}, "in the past"),
                          ({"environmentId": "00000000-0000-0000-0000-000000000000"}, "does not exist"),
                          ({"expirationDate": "tomorrow"}, "ISO-8601")):
        status, body = tenant.api("POST", "/v1/pairingcodes/satellite", bad)
        assert status == 400 and fragment in body["errors"][0]["message"], (bad, body)


def test_unknown_instance_is_404_on_every_verb(tenant):
    iid = "00000000-0000-0000-0000-000000000000"
    for method, body in (("GET", None), ("PUT", {"name": "x"}), ("DELETE", None)):
        status, payload = tenant.api(method, "/v1/edgeinstances/%s" % iid, body)
        assert status == 404 and "was not found" in payload["errors"][0]["message"]
    assert tenant.api("GET", "/v1/nowhere")[0] == 404


def test_injected_503_faults_count_down(tenant):
    tenant.api("POST", "/v1/sim/faults", {"status": 503, "count": 2}, expect=201)
    assert [tenant.api("GET", "/v1/edgeinstances")[0] for dummy in range(3)] == [503, 503, 200]
    status, body = tenant.api("POST", "/v1/sim/faults", {"count": 1})
    assert status == 400 and "status or a latencyMs" in body["errors"][0]["message"]


def test_injected_latency(tenant):
    tenant.api("POST", "/v1/sim/faults", {"latencyMs": 700, "count": 1}, expect=201)
    start = time.monotonic()
    tenant.api("GET", "/v1/environments", expect=200)
    slow = time.monotonic() - start
    start = time.monotonic()
    tenant.api("GET", "/v1/environments", expect=200)
    assert slow >= 0.7 > time.monotonic() - start


def test_state_survives_a_restart(tenant, installer, partition, flags):
    rc, out = installer.install("host-a", pin=partition.pin, hsm=flags(partition))
    assert rc == 0, out
    iid = installer.status("host-a")["edgeInstanceId"]
    wait_for(lambda: tenant.status_of(iid)[0] == "ACTIVE", what="ACTIVE")
    key = tenant.store_key()
    code = tenant.pairing_code(reuse_count=1)
    tenant.restart()
    assert [i["id"] for i in tenant.instances()] == [iid]
    assert tenant.api("GET", "/v1/sim/keys/%s" % key["id"], expect=200)[1]["status"] == "STORED"
    assert tenant.dek_record()["dekFingerprint"] == installer.status("host-a")["dekFingerprint"]
    # The pairing code made before the restart still pairs, once.
    rc, out = installer.install("host-b", pin=partition.pin, hsm=flags(partition), code=code)
    assert rc == 0, out
    wait_for(lambda: tenant.status_of(iid)[0] == "ACTIVE", what="ACTIVE after the restart")


def test_https_with_a_test_certificate(tmp_path, partition, flags):
    tenant = Tenant(tmp_path / "tls-tenant", tls=True)
    installer = Installer(tenant, tmp_path)
    try:
        assert tenant.url.startswith("https://")
        assert tenant.api("GET", "/v1/environments")[0] == 200
        # The installer trusts the system's CAs (SSL_CERT_FILE): not this certificate, until told to.
        rc, out = installer.install("untrusting", pin=partition.pin, hsm=flags(partition))
        assert rc == 4 and "CERTIFICATE_VERIFY_FAILED" in out
        rc, out = installer.install("trusting", pin=partition.pin, hsm=flags(partition),
                                    env={"SSL_CERT_FILE": tenant.cert})
        assert rc == 0, out
        wait_for(lambda: installer.status("trusting")["healthy"], what="healthy over HTTPS")
    finally:
        installer.cleanup()
        tenant.stop()


def test_a_vsatellite_that_never_reports_is_lost_during_install(tenant):
    code = tenant.pairing_code()
    status, body = tenant.api("POST", "/v1/sim/edge/register", {
        "pairingCode": code, "name": "silent", "dekMode": "HSM", "heartbeatInterval": 0.2})
    assert status == 201
    assert tenant.instance(body["edgeInstanceId"])["edgeStatus"] == "INSTALLED"
    wait_for(lambda: tenant.instance(body["edgeInstanceId"])["edgeStatus"] == "LOST_CONNECTION_DURING_INSTALL", 5,
             what="LOST_CONNECTION_DURING_INSTALL")

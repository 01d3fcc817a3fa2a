"""The DEK rules the simulator must reproduce: R3, R6, R7, R9, R10, R11, R13 (SPEC.md section 1),
each with real VSatellite processes on real SoftHSM partitions."""

import base64
import os
import signal
import threading
import time

from ansible_collections.ngts.vsatellite.plugins.module_utils._hsm_partition import PartitionProbe
from tests.support.simulator import wait_for
from tests.support.softhsm import P11KIT_CLIENT_LIB, SOFTHSM_LIB, spy_logins


def probe(partition):
    return PartitionProbe(SOFTHSM_LIB, partition.label, partition.pin, config_path=partition.hsm.conf).run()["dek"]


def install_active(tenant, installer, name, partition, flags, **kw):
    rc, out = installer.install(name, pin=partition.pin, hsm=flags(partition, **kw))
    assert rc == 0, out
    iid = installer.status(name)["edgeInstanceId"]
    wait_for(lambda: tenant.status_of(iid) == ("ACTIVE", "HSM_HEALTHY"), what="%s ACTIVE" % name)
    return iid


def test_r6_the_first_vsatellite_generates_the_dek_and_the_next_ones_use_it(tenant, installer, partition, flags):
    assert probe(partition)["present"] is False
    first = install_active(tenant, installer, "a", partition, flags)
    dek = probe(partition)
    assert dek["count"] == 1 and (dek["key_type"], dek["key_length"]) == ("AES", 256)
    assert dek["sensitive"] and not dek["extractable"] and dek["never_extractable"]
    # The tenant, the VSatellite and the collection's probe name the DEK the same way.
    assert tenant.dek_record()["dekFingerprint"] == dek["fingerprint"] == installer.status("a")["dekFingerprint"]
    second = install_active(tenant, installer, "b", partition, flags)
    assert probe(partition)["count"] == 1
    assert installer.status("b")["dekFingerprint"] == dek["fingerprint"]
    assert "generated the tenant's DEK" in installer.log("a")
    assert "generated" not in installer.log("b")
    assert {i["id"] for i in tenant.instances()} == {first, second}


def test_r6_two_first_vsatellites_at_once_make_one_dek(tenant, installer, partition, flags):
    """Both look into the empty partition before either has generated: the tenant lets one generate."""
    code = tenant.pairing_code()
    # Slow the VSatellites' channel, so that each one's look into the partition and its request to
    # generate are far apart: both find the partition empty before either generates.
    tenant.api("POST", "/v1/sim/faults", {"latencyMs": 400, "count": 6, "scope": "edge"}, expect=201)
    results = {}
    threads = [threading.Thread(target=lambda n=n: results.update({n: installer.install(
        n, pin=partition.pin, hsm=flags(partition), code=code)})) for n in ("x", "y")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [results[n][0] for n in ("x", "y")] == [0, 0], results
    for name in ("x", "y"):
        wait_for(lambda n=name: installer.status(n)["healthy"], what="%s healthy" % name)
    assert probe(partition)["count"] == 1
    assert sum("generated the tenant's DEK" in installer.log(n) for n in ("x", "y")) == 1


def test_r5_a_wrong_pin_installs_and_leaves_an_unhealthy_vsatellite_whose_log_says_why(
        tenant, installer, partition, flags):
    rc, out = installer.install("a", pin="not-the-pin", hsm=flags(partition))
    assert rc == 0 and "completed successfully" in out
    iid = installer.status("a")["edgeInstanceId"]
    wait_for(lambda: tenant.status_of(iid) == ("UNHEALTHY", "HSM_ERROR"), what="UNHEALTHY")
    assert "CKR_PIN_INCORRECT" in installer.log("a")
    assert probe(partition)["present"] is False  # nothing generated with a wrong PIN


def test_r14_a_refused_pin_is_never_tried_again(tenant, installer, partition, flags, tmp_path):
    """Heartbeat after heartbeat, the VSatellite with a wrong PIN logs in once (pkcs11-spy counts)."""
    spy_log = str(tmp_path / "pkcs11-spy.log")
    env = {"PKCS11SPY": SOFTHSM_LIB, "PKCS11SPY_OUTPUT": spy_log}
    rc, out = installer.install("a", pin="wrong-pin-1234", env=env,
                                hsm=flags(partition, hsm_lib_path="/usr/lib/x86_64-linux-gnu/pkcs11/pkcs11-spy.so"))
    assert rc == 0, out
    iid = installer.status("a")["edgeInstanceId"]
    wait_for(lambda: tenant.status_of(iid) == ("UNHEALTHY", "HSM_ERROR"), what="UNHEALTHY")
    time.sleep(2)  # six more heartbeats
    logins = spy_logins(spy_log)
    os.unlink(spy_log)  # it holds PIN bytes
    assert logins == ["CKR_PIN_INCORRECT"]
    assert "not tried again (R14)" in installer.log("a")


def test_the_daemon_gets_an_allowlisted_environment(installer, partition, flags):
    rc, out = installer.install("a", pin=partition.pin, hsm=flags(partition),
                                env={"NGTS_API_KEY": "must-not-reach-the-daemon", "SOME_TOKEN": "nor-this"})
    assert rc == 0, out
    with open("/proc/%d/environ" % installer.pid("a"), "rb") as f:
        environ = f.read().decode()
    assert "must-not-reach-the-daemon" not in environ and "nor-this" not in environ
    assert "VSAT_SIM_HEARTBEAT=" in environ and "LC_ALL=C" in environ


def test_health_is_not_claimed_without_a_fresh_delivered_report(tenant, installer, partition, flags):
    install_active(tenant, installer, "a", partition, flags)
    tenant.stop()
    partition.hsm.delete_keys(partition.serial)
    wait_for(lambda: not installer.status("a")["healthy"], 5, what="local health to drop")
    status = installer.status("a")
    assert status["healthy"] is False and status["running"] is True


def test_r7_a_vsatellite_recovers_by_itself_when_the_network_hsm_comes_back(
        tenant, installer, partition, flags, network_hsm):
    server = network_hsm
    rc, out = installer.install("net", pin=partition.pin, hsm=flags(partition, hsm_lib_path=P11KIT_CLIENT_LIB),
                                env=server.env)
    assert rc == 0, out
    iid = installer.status("net")["edgeInstanceId"]
    wait_for(lambda: tenant.status_of(iid) == ("ACTIVE", "HSM_HEALTHY"), what="ACTIVE")
    server.kill()
    wait_for(lambda: tenant.status_of(iid) == ("UNHEALTHY", "HSM_LOST_CONNECTION"), what="lost the HSM")
    server.start()
    wait_for(lambda: tenant.status_of(iid) == ("ACTIVE", "HSM_HEALTHY"), what="recovered")
    assert "HSM is not reachable" in installer.log("net")


def test_r9_a_vsatellite_on_another_partition_is_unhealthy(tenant, installer, partition, make_partition, flags):
    install_active(tenant, installer, "a", partition, flags)
    empty = make_partition("other-empty")
    assert installer.install("b", pin=empty.pin, hsm=flags(empty))[0] == 0
    wait_for(lambda: "is not in partition 'other-empty'" in installer.log("b"), what="R9 log line")
    assert probe(empty)["present"] is False  # never generated: the tenant already has a DEK

    foreign = make_partition("other-with-key")
    foreign.hsm.generate_dek(foreign.serial)
    assert installer.install("c", pin=foreign.pin, hsm=flags(foreign))[0] == 0
    wait_for(lambda: "is not the tenant's DEK" in installer.log("c"), what="foreign DEK log line")
    for name in ("b", "c"):
        assert tenant.status_of(installer.status(name)["edgeInstanceId"]) == ("UNHEALTHY", "HSM_ERROR")


def test_r10_uninstall_keeps_the_dek_and_a_reinstall_reuses_it(tenant, installer, partition, flags):
    first = install_active(tenant, installer, "a", partition, flags)
    key = tenant.store_key()
    assert key["status"] == "STORED"
    fingerprint = probe(partition)["fingerprint"]
    assert installer.run("a", "uninstall")[0] == 0
    assert probe(partition)["fingerprint"] == fingerprint
    wait_for(lambda: tenant.status_of(first)[0] == "LOST_CONNECTION", what="LOST_CONNECTION")
    again = install_active(tenant, installer, "a", partition, flags)
    assert again != first
    assert probe(partition)["count"] == 1 and installer.status("a")["dekFingerprint"] == fingerprint
    assert tenant.verify_key(key["id"], again)["status"] == "MATCH"


def test_r11_a_deleted_dek_makes_every_vsatellite_unhealthy_and_is_never_regenerated(
        tenant, installer, partition, flags):
    ids = [install_active(tenant, installer, n, partition, flags) for n in ("a", "b")]
    key = tenant.store_key()
    partition.hsm.delete_keys(partition.serial)
    for iid in ids:
        wait_for(lambda i=iid: tenant.status_of(i) == ("UNHEALTHY", "HSM_ERROR"), what="UNHEALTHY")
    time.sleep(1.5)  # five heartbeats: none of them may make a new DEK
    assert probe(partition)["present"] is False
    assert "cannot be restored or regenerated" in installer.log("a")
    status, body = tenant.api("POST", "/v1/sim/keys/%s/verify" % key["id"], {})
    assert status == 202
    time.sleep(1)
    # No healthy VSatellite takes the job: the data is lost with the DEK.
    assert tenant.api("GET", "/v1/sim/verifications/%s" % body["id"], expect=200)[1]["status"] == "PENDING"


def test_r3_the_dek_mode_is_fixed_until_every_vsatellite_is_removed(tenant, installer, partition, flags):
    rc, out = installer.install("soft")  # no HSM flags: software mode
    assert rc == 0, out
    wait_for(lambda: installer.status("soft")["healthy"], what="software VSatellite healthy")
    rc, out = installer.install("hsm", pin=partition.pin, hsm=flags(partition))
    assert rc == 3
    assert "(412)" in out and "software DEK protection mode" in out
    assert not installer.status("hsm")["installed"]
    # Removing the VSatellite from the host is not enough: it must be deleted from the tenant.
    assert installer.run("soft", "uninstall")[0] == 0
    assert installer.install("hsm", pin=partition.pin, hsm=flags(partition))[0] == 3
    tenant.delete_all()
    install_active(tenant, installer, "hsm", partition, flags)
    assert tenant.dek_record()["dekMode"] == "HSM"


def test_r13_keys_are_stored_encrypted_and_every_vsatellite_can_decrypt_them(tenant, installer, partition, flags):
    ids = [install_active(tenant, installer, n, partition, flags) for n in ("a", "b", "c")]
    key = tenant.store_key()
    assert key["status"] == "STORED" and len(key["digest"]) == 64 and key["edgeInstanceId"] in ids
    for iid in ids:
        v = tenant.verify_key(key["id"], iid)
        assert (v["status"], v["edgeInstanceId"]) == ("MATCH", iid)


def test_r13_software_mode_the_dek_reaches_new_vsatellites_without_the_tenant_seeing_it(tenant, installer):
    for name in ("s1", "s2"):
        rc, out = installer.install(name)
        assert rc == 0, out
    for name in ("s1", "s2"):
        wait_for(lambda n=name: installer.status(n)["healthy"], what="%s healthy" % name)
    dek_file = os.path.join(installer.install_dir("s1"), "secrets", "dek")
    with open(dek_file, "rb") as f:
        dek = f.read()
    with open(os.path.join(installer.install_dir("s2"), "secrets", "dek"), "rb") as f:
        assert f.read() == dek
    assert oct(os.stat(dek_file).st_mode & 0o777) == "0o600"
    key = tenant.store_key()
    ids = [installer.status(n)["edgeInstanceId"] for n in ("s1", "s2")]
    assert all(tenant.verify_key(key["id"], i)["status"] == "MATCH" for i in ids)
    tenant.stop()  # let the tenant's files settle before searching them
    for form in (dek, dek.hex().encode(), base64.b64encode(dek)):
        for name in os.listdir(tenant.workdir):
            with open(os.path.join(tenant.workdir, name), "rb") as f:
                assert form not in f.read(), "the tenant holds the DEK in %s" % name


def test_r13_software_export_and_import_carry_the_dek_across_a_full_removal(tenant, installer, tmp_path):
    assert installer.install("s1")[0] == 0
    wait_for(lambda: installer.status("s1")["healthy"], what="healthy")
    key = tenant.store_key()
    export = str(tmp_path / "dek-export.json")
    passphrase = "throwaway-passphrase-1"
    rc, out = installer.run("s1", "export", "--api-key", "wrong", "--passphrase", passphrase, "--file", export)
    assert rc == 3 and not os.path.exists(export)
    rc, out = installer.run("s1", "export", "--api-key", tenant.api_key, "--passphrase", passphrase, "--file", export)
    assert rc == 0, out
    assert oct(os.stat(export).st_mode & 0o777) == "0o600"
    assert tenant.dek_record()["lastExportDate"] is not None
    installer.run("s1", "uninstall")
    tenant.delete_all()
    assert tenant.dek_record()["dekFingerprint"] is None  # with the last one, the software DEK is gone

    assert installer.install("s2")[0] == 0
    wait_for(lambda: installer.status("s2")["healthy"], what="new software VSatellite healthy")
    assert tenant.verify_key(key["id"])["status"] == "FAILED"  # a new DEK cannot open the old key
    rc, out = installer.run("s2", "import", "--api-key", tenant.api_key, "--passphrase", "wrong", "--file", export)
    assert rc == 1 and "cannot be opened" in out
    rc, out = installer.run("s2", "import", "--api-key", tenant.api_key, "--passphrase", passphrase, "--file", export)
    assert rc == 0, out
    wait_for(lambda: installer.status("s2")["healthy"], what="healthy with the imported DEK")
    assert tenant.verify_key(key["id"])["status"] == "MATCH"


def test_three_missed_heartbeats_are_lost_connection(tenant, installer, partition, flags):
    iid = install_active(tenant, installer, "a", partition, flags)
    os.kill(installer.pid("a"), signal.SIGSTOP)
    try:
        time.sleep(0.6)  # two missed heartbeats: still ACTIVE
        assert tenant.status_of(iid)[0] == "ACTIVE"
        wait_for(lambda: tenant.status_of(iid)[0] == "LOST_CONNECTION", 5, what="LOST_CONNECTION")
    finally:
        os.kill(installer.pid("a"), signal.SIGCONT)
    wait_for(lambda: tenant.status_of(iid)[0] == "ACTIVE", what="ACTIVE again")


def test_a_vsatellite_deleted_from_the_tenant_stops(tenant, installer, partition, flags):
    iid = install_active(tenant, installer, "a", partition, flags)
    pid = installer.pid("a")
    tenant.api("DELETE", "/v1/edgeinstances/%s" % iid, expect=204)
    wait_for(lambda: not installer.status("a")["running"], what="the satellite to stop")
    assert "deleted from the tenant" in installer.log("a")
    assert pid


def test_rename_and_encryption_keys(tenant, installer, partition, flags):
    iid = install_active(tenant, installer, "a", partition, flags)
    assert tenant.api("PUT", "/v1/edgeinstances/%s" % iid, {"name": "vsat-01"}, expect=200)[1]["name"] == "vsat-01"
    assert tenant.api("PUT", "/v1/edgeinstances/%s" % iid, {"name": " "})[0] == 400
    keys = tenant.api("GET", "/v1/edgeencryptionkeys?edgeInstanceId=%s" % iid, expect=200)[1]["encryptionKeys"]
    assert [k["id"] for k in keys] == [tenant.instance(iid)["encryptionKeyId"]]
    assert keys[0]["keyAlgorithm"] == "VSAT_HPKE"

"""The health playbook: the fleet report on demand, Unhealthy hosts with their log lines, and a clear
statement when the DEK is gone (R11). Hosts simulated on this machine, the tenant on loopback."""

from tests.roles.test_switch_dek_mode import inventory, play
from tests.support.simulator import wait_for


def test_a_healthy_fleet_then_the_dek_deleted_behind_its_back(installer, tenant, partition, tmp_path):
    inv = inventory(tmp_path, installer, tenant, partition, ["h1", "h2"])
    assert play("deploy", tmp_path, inv, tenant, partition).rc == 0
    ok = play("health", tmp_path, inv, tenant, partition)
    assert ok.rc == 0, ok.output[-3000:]
    assert "All 2 VSatellites are ACTIVE on one DEK" in ok.output

    partition.hsm.delete_keys(partition.serial)
    for inst in tenant.instances():
        wait_for(lambda i=inst["id"]: tenant.status_of(i)[0] == "UNHEALTHY", what="UNHEALTHY")
    bad = play("health", tmp_path, inv, tenant, partition)
    assert bad.rc != 0
    text = bad.output.replace("\n", " ")
    assert "THE DEK IS GONE" in text and "cannot be restored or regenerated (R11)" in text
    assert "h1: UNHEALTHY/HSM_ERROR; its log:" in text and "h2: UNHEALTHY/HSM_ERROR" in text
    assert partition.pin not in bad.output and tenant.api_key not in bad.output

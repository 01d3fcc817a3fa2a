"""The deploy playbook's batches: vsatellite_batch_size reaches serial only as an extra var, and an
inventory value is refused before anything is installed instead of being silently ignored. Hosts simulated
on this machine, the tenant on loopback, a real SoftHSM partition."""

import json
import sqlite3

from tests.roles.test_switch_dek_mode import inventory, play


def test_a_batch_size_in_the_inventory_is_refused_before_anything_is_done(installer, tenant, partition, tmp_path):
    path = inventory(tmp_path, installer, tenant, partition, ["h1", "h2", "h3"])
    with open(path) as f:
        inv = json.load(f)
    inv["vsatellites"]["vars"]["vsatellite_batch_size"] = 1
    with open(path, "w") as f:
        json.dump(inv, f)
    r = play("deploy", tmp_path, path, tenant, partition)
    assert r.rc != 0
    text = r.output.replace("\n", " ")
    assert "vsatellite_batch_size is 1 here, but the batches would be of 3" in text
    assert "-e vsatellite_batch_size=1" in text
    assert tenant.instances() == [] and partition.pin not in r.output
    assert "Try the PIN" not in r.output  # refused before preflight: no login, no pairing code
    with sqlite3.connect(tenant.db) as db:
        assert db.execute("SELECT COUNT(*) FROM pairing_codes").fetchone()[0] == 0


def test_batches_of_one_host(installer, tenant, partition, tmp_path):
    inv = inventory(tmp_path, installer, tenant, partition, ["h1", "h2", "h3"])
    r = play("deploy", tmp_path, inv, tenant, partition, vsatellite_batch_size=1)
    assert r.rc == 0, r.output[-4000:]
    # The first host alone (R6), then one batch per host: one "Install" task header per batch.
    batches = [line for line in r.output.splitlines() if line.startswith("PLAY [The VSatellites, in batches")]
    assert len(batches) == 3
    assert sorted(i["name"] for i in tenant.instances()) == ["h1", "h2", "h3"]

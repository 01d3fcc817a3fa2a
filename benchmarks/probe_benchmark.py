"""Probe time of the module_utils layer against a minimal python-pkcs11 script making the same calls.

Partitions holding 1 and 10,000 objects (the DEK plus unrelated data objects), in SoftHSM's
file backend. Each probe loads the library, finds the partition, logs in once, finds the DEK by a
one-template search, reads its attributes and check value, and unloads the library. Both sides run
in this process, interleaved, so that caches and machine load treat them alike.

Figures are printed, not asserted. Target: the collection's probe within 1.2x of the minimal
script, and flat in the number of objects. Run: make bench (or .venv/bin/python benchmarks/probe_benchmark.py).
"""

import os
import statistics
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path[:0] = [os.path.join(ROOT, ".build", "collections"), ROOT]

import pkcs11  # noqa: E402
from pkcs11 import Attribute, ObjectClass  # noqa: E402

from ansible_collections.ngts.vsatellite.plugins.module_utils._hsm_partition import PartitionProbe  # noqa: E402
from tests.support.softhsm import DEK_LABEL, SOFTHSM_LIB, SoftHsm  # noqa: E402

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "30"))
SIZES = (1, 10000)


def minimal_probe(conf, label, pin):
    """What any script must do to answer the same question, with nothing else."""
    os.environ["SOFTHSM2_CONF"] = conf
    try:
        lib = pkcs11.lib(SOFTHSM_LIB)
        token = [s.get_token() for s in lib.get_slots(token_present=True)
                 if s.get_token().label.rstrip() == label][0]
        token.flags  # pylint: disable=pointless-statement  # the probe reads the PIN flags first
        with token.open(user_pin=pin) as session:
            keys = list(session.get_objects({Attribute.CLASS: ObjectClass.SECRET_KEY, Attribute.LABEL: DEK_LABEL}))
            key = keys[0]
            facts = [key[a] for a in (Attribute.KEY_TYPE, Attribute.VALUE_LEN, Attribute.SENSITIVE,
                                      Attribute.EXTRACTABLE, Attribute.NEVER_EXTRACTABLE,
                                      Attribute.ALWAYS_SENSITIVE, Attribute.ID, Attribute.CHECK_VALUE)]
            return facts[-1][:3]
    finally:
        pkcs11.unload(SOFTHSM_LIB)
        del os.environ["SOFTHSM2_CONF"]


def library_floor(conf, label, pin):
    """Load, find, log in, unload: what the library costs before any question is asked.
    SoftHSM's file backend reads every object of the token here, so this is where size shows."""
    os.environ["SOFTHSM2_CONF"] = conf
    try:
        lib = pkcs11.lib(SOFTHSM_LIB)
        token = [s.get_token() for s in lib.get_slots(token_present=True)
                 if s.get_token().label.rstrip() == label][0]
        with token.open(user_pin=pin):
            pass
    finally:
        pkcs11.unload(SOFTHSM_LIB)
        del os.environ["SOFTHSM2_CONF"]


def collection_probe(conf, label, pin):
    return PartitionProbe(SOFTHSM_LIB, label, pin, config_path=conf).run()["dek"]["check_value"]


def p90(values):
    return sorted(values)[max(0, int(len(values) * 0.9) - 1)]


def timed(fn, *args):
    start = time.perf_counter()
    fn(*args)
    return time.perf_counter() - start


def main():
    rows = []
    with tempfile.TemporaryDirectory() as base:
        for size in SIZES:
            hsm = SoftHsm(os.path.join(base, "n%d" % size))
            label = "bench-%d" % size
            serial = hsm.init_token(label)
            hsm.generate_dek(serial)
            start = time.perf_counter()
            hsm.add_data_objects(serial, size - 1)
            fill = time.perf_counter() - start
            pin = hsm.pins[serial]
            assert bytes.fromhex(collection_probe(hsm.conf, label, pin)) == bytes(minimal_probe(hsm.conf, label, pin))
            mine, bare, floor = [], [], []
            for dummy in range(ROUNDS):
                floor.append(timed(library_floor, hsm.conf, label, pin))
                bare.append(timed(minimal_probe, hsm.conf, label, pin))
                mine.append(timed(collection_probe, hsm.conf, label, pin))
            rows.append((size, fill, statistics.median(bare), statistics.median(mine),
                         p90(bare), p90(mine), statistics.median(floor)))

    print("hsm_partition_info probe benchmark: SoftHSM %d.%d, file backend, %d rounds each, medians (p90)"
          % (tuple(pkcs11.lib(SOFTHSM_LIB).library_version) + (ROUNDS,)))
    pkcs11.unload(SOFTHSM_LIB)
    print("%8s  %8s  %18s  %18s  %6s  %10s  %14s" % (
        "objects", "fill (s)", "minimal (ms)", "collection (ms)", "ratio", "floor (ms)", "above floor (ms)"))
    for size, fill, bare, mine, bare90, mine90, floor in rows:
        print("%8d  %8.1f  %8.2f (%7.2f)  %8.2f (%7.2f)  %5.2fx  %10.2f  %8.2f"
              % (size, fill, bare * 1e3, bare90 * 1e3, mine * 1e3, mine90 * 1e3, mine / bare, floor * 1e3,
                 (mine - floor) * 1e3))
    print("growth from %d to %d objects: collection %.2fx, minimal script %.2fx, library floor %.2fx"
          % (SIZES[0], SIZES[-1], rows[-1][3] / rows[0][3], rows[-1][2] / rows[0][2], rows[-1][6] / rows[0][6]))
    print("floor = load + find + C_Login + unload with no question asked: SoftHSM's file backend reads every")
    print("object of the token there. 'above floor' is the probe's questions, and it grows too because")
    print("SoftHSM answers one C_FindObjects template by walking its own object list; the probe makes a")
    print("single template search either way, as the minimal script does (compare the ratio column).")
    print("target: ratio <= 1.20x: %s" % ("met" if all(r[3] / r[2] <= 1.2 for r in rows) else "NOT met"))


if __name__ == "__main__":
    main()

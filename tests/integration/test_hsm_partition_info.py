"""hsm_partition_info through ansible-playbook, against real SoftHSM partitions made per test."""

import os
import re
import shutil

import pytest

from tests.support.softhsm import DEK_LABEL, P11KIT_CLIENT_LIB, PKCS11_SPY_LIB, SOFTHSM_LIB, spy_logins


def test_partition_without_dek_reports_the_next_vsatellite_would_be_first(partition, run_module):
    r = run_module("hsm_partition_info", partition.probe_args(), secrets=[partition.pin])
    assert not r.failed, r
    assert r.result["changed"] is False
    assert r.result["partition"]["label"] == "vsat-dek"
    assert r.result["partition"]["serial_number"] == partition.serial
    assert r.result["partition"]["manufacturer_id"] == "SoftHSM project"
    assert r.result["partition"]["pin_flags"]["user_pin_initialized"] is True
    assert r.result["partition"]["pin_flags"]["user_pin_locked"] is False
    assert r.result["dek"]["present"] is False
    assert r.result["dek"]["count"] == 0
    assert r.result["dek"]["fingerprint"] is None


def test_dek_is_described_and_its_fingerprint_matches_the_key(partition, run_module):
    key_id = partition.hsm.generate_dek(partition.serial)
    r = run_module("hsm_partition_info", partition.probe_args(), secrets=[partition.pin])
    assert not r.failed, r
    dek = r.result["dek"]
    assert dek["present"] is True and dek["count"] == 1
    assert (dek["key_type"], dek["key_length"]) == ("AES", 256)
    assert dek["sensitive"] is True and dek["extractable"] is False
    assert dek["never_extractable"] is True and dek["always_sensitive"] is True
    assert dek["id"] == key_id
    # The check value is the HSM's own: the first 3 bytes of the zero block encrypted with the key.
    from pkcs11 import Attribute, Mechanism
    with partition.hsm.session(partition.serial) as s:
        key = s.get_key(label=DEK_LABEL)
        kcv = key.encrypt(bytes(16), mechanism=Mechanism.AES_ECB)[:3].hex()
        assert key[Attribute.CHECK_VALUE].hex() == kcv
    assert dek["check_value"] == kcv
    assert re.fullmatch(r"sha256:[0-9a-f]{32}", dek["fingerprint"])


def test_fingerprint_is_equal_for_the_same_key_and_differs_for_another(partition, make_partition, run_module):
    partition.hsm.generate_dek(partition.serial)
    first = run_module("hsm_partition_info", partition.probe_args(), secrets=[partition.pin])
    # A second "host": another process, the library loaded by another path, the same partition.
    second = run_module("hsm_partition_info", partition.probe_args(
        lib_path="/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so"), secrets=[partition.pin])
    assert first.result["dek"]["fingerprint"] == second.result["dek"]["fingerprint"]

    other = make_partition("vsat-other")
    other.hsm.generate_dek(other.serial)
    third = run_module("hsm_partition_info", other.probe_args(), secrets=[other.pin])
    assert third.result["dek"]["fingerprint"] != first.result["dek"]["fingerprint"]


@pytest.fixture
def spy(tmp_path):
    """OpenSC's pkcs11-spy around SoftHSM, to count the probe's C_Login calls. Its log holds PIN
    bytes: it is named as a scaffold (kept out of the leak scans) and deleted after."""
    log = str(tmp_path / "pkcs11-spy.log")
    yield log, {"PKCS11SPY": SOFTHSM_LIB, "PKCS11SPY_OUTPUT": log}
    if os.path.exists(log):
        os.unlink(log)


def test_wrong_pin_is_tried_exactly_once_and_reported(partition, run_module, spy):
    log, env = spy
    wrong = "w" + partition.pin[1:]
    r = run_module("hsm_partition_info", partition.probe_args(lib_path=PKCS11_SPY_LIB, pin=wrong),
                   secrets=[wrong, partition.pin], env=env)
    assert r.failed
    assert r.result["error_code"] == "PIN_INCORRECT"
    assert "will not be retried" in r.result["msg"]
    assert partition.serial in r.result["msg"]
    assert spy_logins(log) == ["CKR_PIN_INCORRECT"]


def test_right_pin_logs_in_exactly_once(partition, run_module, spy):
    log, env = spy
    partition.hsm.generate_dek(partition.serial)
    r = run_module("hsm_partition_info", partition.probe_args(lib_path=PKCS11_SPY_LIB),
                   secrets=[partition.pin], env=env)
    assert not r.failed, r
    assert spy_logins(log) == ["CKR_OK"]
    with open(log) as f:
        text = f.read()
    # One template search for the DEK, not a walk over the partition's objects.
    assert text.count("C_FindObjectsInit") == 1


def test_unknown_label_names_the_partitions_that_are_visible(partition, make_partition, run_module):
    other = make_partition("another-partition")
    r = run_module("hsm_partition_info", partition.probe_args(partition_label="vsat-dekk"), secrets=[partition.pin])
    assert r.result["error_code"] == "PARTITION_NOT_FOUND"
    for label, serial in (("vsat-dek", partition.serial), ("another-partition", other.serial)):
        assert label in r.result["msg"] and serial in r.result["msg"]
    assert {"label": "vsat-dek", "serial_number": partition.serial} in r.result["visible_partitions"]


def test_wrong_serial_is_not_found(partition, run_module):
    r = run_module("hsm_partition_info", partition.probe_args(partition_serial_number="0000000000000000"),
                   secrets=[partition.pin])
    assert r.result["error_code"] == "PARTITION_NOT_FOUND"
    assert "partition_serial_number '0000000000000000'" in r.result["msg"]


def test_two_partitions_with_one_label_need_the_serial(partition, make_partition, run_module):
    twin = make_partition("vsat-dek")
    twin.hsm.generate_dek(twin.serial)
    r = run_module("hsm_partition_info", partition.probe_args(), secrets=[partition.pin])
    assert r.result["error_code"] == "PARTITION_AMBIGUOUS"
    assert sorted(r.result["serial_numbers"]) == sorted([partition.serial, twin.serial])
    assert "partition_serial_number" in r.result["msg"]

    picked = run_module("hsm_partition_info", twin.probe_args(partition_serial_number=twin.serial),
                        secrets=[twin.pin])
    assert not picked.failed, picked
    assert picked.result["partition"]["serial_number"] == twin.serial
    assert picked.result["dek"]["present"] is True


def test_label_padding_is_ignored_and_no_prefix_matches(make_partition, run_module):
    full = make_partition("L" * 32)  # a label with no padding at all
    r = run_module("hsm_partition_info", full.probe_args(), secrets=[full.pin])
    assert not r.failed, r
    assert r.result["partition"]["label"] == "L" * 32

    short = make_partition("vsat")
    padded = run_module("hsm_partition_info", short.probe_args(partition_label="vsat   "), secrets=[short.pin])
    assert not padded.failed, padded
    assert padded.result["partition"]["serial_number"] == short.serial
    prefix = run_module("hsm_partition_info", short.probe_args(partition_label="vsa"), secrets=[short.pin])
    assert prefix.result["error_code"] == "PARTITION_NOT_FOUND"


@pytest.mark.parametrize("extractable,sensitive,word", [(True, True, "extractable"), (False, False, "not sensitive")])
def test_unprotected_key_with_the_dek_label_is_refused(partition, run_module, extractable, sensitive, word):
    partition.hsm.generate_dek(partition.serial, extractable=extractable, sensitive=sensitive)
    r = run_module("hsm_partition_info", partition.probe_args(), secrets=[partition.pin])
    assert r.result["error_code"] == "DEK_NOT_PROTECTED"
    assert word in r.result["msg"]
    assert r.result["dek"]["extractable"] is extractable
    assert r.result["dek"]["sensitive"] is sensitive


def test_two_keys_with_the_dek_label_are_a_duplicate(partition, run_module):
    ids = sorted([partition.hsm.generate_dek(partition.serial), partition.hsm.generate_dek(partition.serial)])
    r = run_module("hsm_partition_info", partition.probe_args(), secrets=[partition.pin])
    assert r.result["error_code"] == "DEK_DUPLICATE"
    assert r.result["dek"]["count"] == 2
    assert sorted(r.result["dek"]["ids"]) == ids
    assert "R11" in r.result["msg"]


def test_other_objects_in_the_partition_are_not_mistaken_for_the_dek(partition, run_module):
    partition.hsm.add_data_objects(partition.serial, 50)
    partition.hsm.generate_dek(partition.serial, label="not-the-dek")
    r = run_module("hsm_partition_info", partition.probe_args(), secrets=[partition.pin])
    assert not r.failed, r
    assert r.result["dek"]["present"] is False


def test_custom_dek_label(partition, run_module):
    key_id = partition.hsm.generate_dek(partition.serial, label="tenant-42-dek")
    r = run_module("hsm_partition_info", partition.probe_args(dek_label="tenant-42-dek"), secrets=[partition.pin])
    assert r.result["dek"]["id"] == key_id


@pytest.mark.parametrize("lib", ["/usr/lib/x86_64-linux-gnu/libz.so.1", "text", "missing"])
def test_a_library_that_does_not_load_is_reported(partition, run_module, tmp_path, lib):
    if lib == "text":
        lib = str(tmp_path / "libfake.so")
        with open(lib, "w") as f:
            f.write("not a library\n")
    elif lib == "missing":
        lib = str(tmp_path / "nowhere" / "libsofthsm2.so")
    r = run_module("hsm_partition_info", partition.probe_args(lib_path=lib), secrets=[partition.pin])
    assert r.result["error_code"] == "LIBRARY_LOAD_FAILED"
    assert repr(lib) in r.result["msg"]


def test_missing_config_file_is_reported(partition, run_module, tmp_path):
    conf = str(tmp_path / "absent.conf")
    r = run_module("hsm_partition_info", partition.probe_args(config_path=conf), secrets=[partition.pin])
    assert r.result["error_code"] == "CONFIG_MISSING"
    assert conf in r.result["msg"]


def test_empty_label_is_refused_naming_the_parameter(partition, run_module):
    r = run_module("hsm_partition_info", partition.probe_args(partition_label="  "), secrets=[partition.pin])
    assert r.failed and "partition_label is empty" in r.result["msg"]


def test_check_mode_probes_the_same(partition, run_module):
    partition.hsm.generate_dek(partition.serial)
    normal = run_module("hsm_partition_info", partition.probe_args(), secrets=[partition.pin])
    check = run_module("hsm_partition_info", partition.probe_args(), secrets=[partition.pin], check=True)
    assert not check.failed, check
    assert check.result["dek"] == normal.result["dek"]
    assert check.result["partition"]["serial_number"] == normal.result["partition"]["serial_number"]


def test_an_empty_pin_is_never_sent(partition, run_module, spy):
    log, env = spy
    r = run_module("hsm_partition_info", partition.probe_args(lib_path=PKCS11_SPY_LIB, pin="  "), env=env)
    assert r.result["error_code"] == "PIN_EMPTY"
    assert not os.path.exists(log) or spy_logins(log) == []


def test_a_library_others_can_replace_gets_no_pin(partition, run_module, tmp_path, spy):
    log, env = spy
    lib = tmp_path / "vendor" / "pkcs11-spy.so"  # the spy: it would log the PIN if it were loaded
    lib.parent.mkdir()
    shutil.copy(PKCS11_SPY_LIB, lib)
    os.chmod(lib.parent, 0o777)
    r = run_module("hsm_partition_info", partition.probe_args(lib_path=str(lib)), secrets=[partition.pin], env=env)
    assert r.result["error_code"] == "LIB_UNSAFE_PERMISSIONS"
    assert "no PIN was given to it" in r.result["msg"]
    assert not os.path.exists(log), "the library was loaded"


def test_a_luna_call_logger_gets_no_pin(partition, run_module, tmp_path, spy):
    log, env = spy
    conf = tmp_path / "Chrystoki.conf"
    conf.write_text("Chrystoki2 = { LibUNIX64 = %s; }\nCkLog2 = {\n  Enabled = 1;\n}\n" % PKCS11_SPY_LIB)
    r = run_module("hsm_partition_info", partition.probe_args(lib_path=PKCS11_SPY_LIB, config_path=str(conf)),
                   secrets=[partition.pin], env=env)
    assert r.result["error_code"] == "PKCS11_CALL_LOGGER_ENABLED"
    assert not os.path.exists(log), "the library was loaded"


def test_a_key_that_was_once_extractable_is_not_protected(partition, run_module):
    from pkcs11 import Attribute
    partition.hsm.generate_dek(partition.serial, extractable=True)
    with partition.hsm.session(partition.serial) as s:
        s.get_key(label=DEK_LABEL)[Attribute.EXTRACTABLE] = False  # allowed: true to false only
    r = run_module("hsm_partition_info", partition.probe_args(), secrets=[partition.pin])
    assert r.result["error_code"] == "DEK_NOT_PROTECTED"
    assert r.result["dek"]["extractable"] is False and r.result["dek"]["never_extractable"] is False
    assert "was extractable once" in r.result["msg"]


def test_a_dek_that_is_not_aes256_is_invalid(partition, run_module):
    from pkcs11 import Attribute, KeyType
    with partition.hsm.session(partition.serial) as s:
        s.generate_key(KeyType.AES, 128, label=DEK_LABEL, id=b"\x01", store=True,
                       template={Attribute.SENSITIVE: True, Attribute.EXTRACTABLE: False})
    r = run_module("hsm_partition_info", partition.probe_args(), secrets=[partition.pin])
    assert r.result["error_code"] == "DEK_INVALID"
    assert "AES-128" in r.result["msg"]


def test_network_hsm_is_probed_through_p11kit(partition, network_hsm, run_module):
    partition.hsm.generate_dek(partition.serial)
    direct = run_module("hsm_partition_info", partition.probe_args(), secrets=[partition.pin])
    remote = run_module("hsm_partition_info", partition.probe_args(lib_path=P11KIT_CLIENT_LIB, config_path=None),
                        secrets=[partition.pin], env=network_hsm.env)
    assert not remote.failed, remote
    assert remote.result["dek"]["fingerprint"] == direct.result["dek"]["fingerprint"]
    # The same, with the server named by a p11-kit module file (remote:) and no environment.
    by_file = run_module("hsm_partition_info", partition.probe_args(lib_path=P11KIT_CLIENT_LIB,
                                                                    config_path=network_hsm.module_file),
                         secrets=[partition.pin])
    assert not by_file.failed, by_file
    assert by_file.result["dek"]["fingerprint"] == direct.result["dek"]["fingerprint"]


def test_network_hsm_down_is_unreachable(partition, network_hsm, run_module):
    env = network_hsm.env
    network_hsm.kill()
    r = run_module("hsm_partition_info", partition.probe_args(lib_path=P11KIT_CLIENT_LIB, config_path=None),
                   secrets=[partition.pin], env=env)
    assert r.result["error_code"] == "HSM_UNREACHABLE"
    assert "not reachable" in r.result["msg"]

"""hsm_client_info through ansible-playbook, on this host's real SoftHSM install and copies of it."""

import hashlib
import os
import shutil

import pytest

from tests.support.softhsm import OPENSC_LIB, P11KIT_CLIENT_LIB, SOFTHSM_CLIENT_PATH, SOFTHSM_LIB, SOFTHSM_LIB_MULTIARCH

LIBZ = "/usr/lib/x86_64-linux-gnu/libz.so.1"


def codes(run):
    return sorted(p["code"] for p in run.result["problems"])


@pytest.fixture
def softhsm_args(hsm):
    return dict(client_path=SOFTHSM_CLIENT_PATH, lib_path=SOFTHSM_LIB, config_path=hsm.conf, allow_softhsm=True)


def test_a_good_softhsm_client_passes(softhsm_args, run_module, hsm):
    r = run_module("hsm_client_info", softhsm_args)
    assert not r.failed, r
    assert r.result["problems"] == []
    assert r.result["vendor"] == "softhsm"
    lib = r.result["library"]
    assert lib["loaded"] is True
    assert lib["info"]["manufacturer_id"] == "SoftHSM"
    assert lib["realpath"] == SOFTHSM_LIB_MULTIARCH
    with open(SOFTHSM_LIB_MULTIARCH, "rb") as f:
        assert lib["sha256"] == hashlib.sha256(f.read()).hexdigest()
    assert lib["elf"] == {"machine": "x86_64", "bits": 64, "exports_c_getfunctionlist": True}
    assert r.result["config"]["tokendir"] == hsm.tokendir
    assert r.result["config"]["format"] == "softhsm2"


def test_softhsm_is_refused_unless_allowed(softhsm_args, run_module):
    r = run_module("hsm_client_info", dict(softhsm_args, allow_softhsm=False))
    assert r.failed
    assert codes(r) == ["SOFTHSM_NOT_ALLOWED"]
    assert "allow_softhsm" in r.result["msg"] and "R1" in r.result["msg"]


def test_check_mode_gives_the_same_answer(softhsm_args, run_module):
    normal = run_module("hsm_client_info", softhsm_args)
    check = run_module("hsm_client_info", softhsm_args, check=True)
    assert not check.failed and check.result["problems"] == []
    for key in ("vendor", "library", "config"):
        assert check.result[key] == normal.result[key]


def test_every_problem_is_reported_in_one_run(softhsm_args, run_module, tmp_path):
    r = run_module("hsm_client_info", dict(softhsm_args, client_path=str(tmp_path / "no-client"),
                                           lib_sha256="0" * 64, config_path=str(tmp_path / "no.conf")))
    assert r.failed
    assert codes(r) == ["CLIENT_PATH_MISSING", "CONFIG_MISSING", "LIB_SHA256_MISMATCH"]
    for p in r.result["problems"]:
        assert p["message"] in r.result["msg"]
    assert str(tmp_path / "no-client") in r.result["msg"]


def test_missing_library(softhsm_args, run_module, tmp_path):
    missing = str(tmp_path / "libsofthsm2.so")
    r = run_module("hsm_client_info", dict(softhsm_args, lib_path=missing))
    assert codes(r) == ["LIB_MISSING"]
    assert repr(missing) in r.result["msg"]


def test_a_real_library_that_is_not_pkcs11_is_not_loaded(softhsm_args, run_module):
    r = run_module("hsm_client_info", dict(softhsm_args, lib_path=LIBZ))
    assert codes(r) == ["LIB_NOT_PKCS11"]
    assert "C_GetFunctionList" in r.result["msg"]
    assert r.result["library"]["loaded"] is False
    assert r.result["library"]["elf"]["exports_c_getfunctionlist"] is False


def test_a_text_file_named_so(softhsm_args, run_module, tmp_path):
    fake = tmp_path / "libsofthsm2.so"
    fake.write_text("#!/bin/sh\necho not a library\n")
    r = run_module("hsm_client_info", dict(softhsm_args, lib_path=str(fake)))
    assert codes(r) == ["LIB_NOT_PKCS11"]
    assert "not an ELF file" in r.result["msg"]


def test_a_directory_as_library(softhsm_args, run_module):
    r = run_module("hsm_client_info", dict(softhsm_args, lib_path=SOFTHSM_CLIENT_PATH))
    assert codes(r) == ["LIB_NOT_PKCS11"]
    assert "not a regular file" in r.result["msg"]


def test_a_library_for_another_architecture(softhsm_args, run_module, tmp_path):
    # The real SoftHSM library with its e_machine set to aarch64: everything else is intact.
    other = tmp_path / "lib" / "libsofthsm2.so"
    other.parent.mkdir()
    data = bytearray(open(SOFTHSM_LIB_MULTIARCH, "rb").read())
    data[18:20] = (183).to_bytes(2, "little")
    other.write_bytes(bytes(data))
    r = run_module("hsm_client_info", dict(softhsm_args, lib_path=str(other)))
    assert codes(r) == ["LIB_NOT_PKCS11"]
    assert "aarch64" in r.result["msg"] and "x86_64" in r.result["msg"]
    assert r.result["library"]["loaded"] is False


def test_pinned_sha256(softhsm_args, run_module):
    with open(SOFTHSM_LIB_MULTIARCH, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    ok = run_module("hsm_client_info", dict(softhsm_args, lib_sha256=digest.upper()))
    assert not ok.failed, ok
    bad = run_module("hsm_client_info", dict(softhsm_args, lib_sha256=digest[::-1]))
    assert codes(bad) == ["LIB_SHA256_MISMATCH"]
    assert digest in bad.result["msg"] and "R12" in bad.result["msg"]
    assert bad.result["library"]["loaded"] is False, "a library that fails its integrity check must not be loaded"


def test_no_vendor_finding_from_a_library_that_was_not_loaded(softhsm_args, run_module):
    r = run_module("hsm_client_info", dict(softhsm_args, allow_softhsm=False, lib_sha256="0" * 64))
    assert codes(r) == ["LIB_SHA256_MISMATCH"]  # not SOFTHSM_NOT_ALLOWED: the vendor is only guessed
    assert (r.result["vendor"], r.result["vendor_source"]) == ("softhsm", "layout")


def test_malformed_sha256_is_refused_naming_the_parameter(softhsm_args, run_module):
    r = run_module("hsm_client_info", dict(softhsm_args, lib_sha256="abc"))
    assert r.failed and "lib_sha256 'abc'" in r.result["msg"]


@pytest.fixture
def library_copy(tmp_path):
    path = tmp_path / "vendor" / "libsofthsm2.so"
    path.parent.mkdir()
    shutil.copy(SOFTHSM_LIB_MULTIARCH, path)
    return path


def test_a_world_writable_library_is_not_loaded(softhsm_args, run_module, library_copy):
    os.chmod(library_copy, 0o666)
    r = run_module("hsm_client_info", dict(softhsm_args, lib_path=str(library_copy)))
    assert codes(r) == ["LIB_UNSAFE_PERMISSIONS"]
    assert "0666" in r.result["msg"] and "chmod go-w" in r.result["msg"]
    assert r.result["library"]["loaded"] is False


def test_a_library_not_owned_by_root(softhsm_args, run_module, library_copy):
    os.chown(library_copy, 65534, 65534)
    r = run_module("hsm_client_info", dict(softhsm_args, lib_path=str(library_copy)))
    assert codes(r) == ["LIB_UNSAFE_PERMISSIONS"]
    assert "owner nobody" in r.result["msg"]


def test_a_library_in_a_directory_others_can_write(softhsm_args, run_module, library_copy):
    os.chmod(library_copy.parent, 0o777)
    r = run_module("hsm_client_info", dict(softhsm_args, lib_path=str(library_copy)))
    assert codes(r) == ["LIB_UNSAFE_PERMISSIONS"]
    assert "%s (mode 0777" % library_copy.parent in r.result["msg"]


def test_a_library_below_a_directory_others_can_write(softhsm_args, run_module, library_copy):
    deeper = library_copy.parent / "lib" / "x86_64"
    deeper.mkdir(parents=True)
    shutil.move(str(library_copy), str(deeper / "libsofthsm2.so"))
    os.chmod(library_copy.parent, 0o777)  # two levels up
    r = run_module("hsm_client_info", dict(softhsm_args, lib_path=str(deeper / "libsofthsm2.so")))
    assert codes(r) == ["LIB_UNSAFE_PERMISSIONS"]
    assert r.result["library"]["loaded"] is False


def test_a_symlink_in_a_directory_others_can_write(softhsm_args, run_module, tmp_path):
    links = tmp_path / "links"
    links.mkdir()
    os.symlink(SOFTHSM_LIB_MULTIARCH, links / "libsofthsm2.so")
    os.chmod(links, 0o777)  # anyone could point the link elsewhere
    r = run_module("hsm_client_info", dict(softhsm_args, lib_path=str(links / "libsofthsm2.so")))
    assert codes(r) == ["LIB_UNSAFE_PERMISSIONS"]
    assert str(links) in r.result["msg"]


def test_another_vendors_library_is_unsupported(softhsm_args, run_module):
    r = run_module("hsm_client_info", dict(softhsm_args, lib_path=OPENSC_LIB))
    assert codes(r) == ["VENDOR_UNSUPPORTED"]
    assert "OpenSC Project" in r.result["msg"]
    assert r.result["vendor"] is None


@pytest.mark.parametrize("content,fragment", [
    ("directories.tokendir /var/lib/softhsm\n", "line 1: expected 'key = value'"),
    ("log.level = ERROR\n", "sets no directories.tokendir"),
    ("directories.tokendir = /nonexistent/tokens\n", "'/nonexistent/tokens' does not exist"),
    ("directories.tokendir = {tokendir}\nobjectstore.backend = ldap\n", "objectstore.backend 'ldap'"),
    ("directories.tokendir = {tokendir}\nlog.level = LOUD\n", "log.level 'LOUD'"),
])
def test_bad_softhsm_configuration(softhsm_args, run_module, hsm, tmp_path, content, fragment):
    conf = tmp_path / "bad-softhsm2.conf"
    conf.write_text(content.format(tokendir=hsm.tokendir))
    r = run_module("hsm_client_info", dict(softhsm_args, config_path=str(conf)))
    assert codes(r) == ["CONFIG_INVALID"]
    assert fragment in r.result["msg"]


def test_no_configuration_given(softhsm_args, run_module):
    args = dict(softhsm_args)
    del args["config_path"]
    r = run_module("hsm_client_info", args)
    assert codes(r) == ["CONFIG_MISSING"]
    assert "--hsm-config" in r.result["msg"]


# --- A Luna-shaped client: the layout and Chrystoki.conf of a Luna install around a real PKCS#11
# library (SoftHSM's, since no Luna library exists here). While the configuration has a problem
# the library is not loaded, so the vendor is read from the layout: Luna. Once it loads, its
# C_GetInfo answer says SoftHSM, which reads softhsm2.conf, not Chrystoki.conf.

@pytest.fixture
def luna(tmp_path):
    root = tmp_path / "lunaclient"
    (root / "lib").mkdir(parents=True)
    (root / "bin").mkdir()
    for tool in ("lunacm", "vtl"):
        (root / "bin" / tool).write_text("#!/bin/sh\n")
        os.chmod(root / "bin" / tool, 0o755)
    lib = root / "lib" / "libCryptoki2.so"
    shutil.copy(SOFTHSM_LIB_MULTIARCH, lib)
    certs = tmp_path / "cert"
    certs.mkdir()
    for name in ("client.pem", "server.pem"):
        (certs / name).write_text("-----BEGIN CERTIFICATE-----\n")
    key = certs / "client-key.pem"
    key.write_text("-----BEGIN PRIVATE KEY-----\n")
    os.chmod(key, 0o600)
    etc = tmp_path / "etc"
    etc.mkdir()

    def write(library=str(lib), extra="", key_path=str(key), client=None):
        conf = etc / "Chrystoki.conf"
        if client is None:
            client = ("LunaSA Client = {\n   ServerName00 = hsm1.example;\n   ServerPort00 = 1792;\n"
                      "   ClientCertFile = %s;\n   ClientPrivKeyFile = %s;\n   ServerCAFile = %s;\n}\n"
                      % (certs / "client.pem", key_path, certs / "server.pem"))
        conf.write_text("Chrystoki2 = {\n   LibUNIX64 = %s;\n}\n%s%s" % (library, client, extra))
        return dict(client_path=str(root), lib_path=str(lib), config_path=str(conf), allow_softhsm=True)

    write.key = key
    write.tmp = tmp_path
    write.root = root
    return write


def test_luna_configuration_is_read_and_the_library_is_asked_who_it_is(luna, run_module, hsm):
    r = run_module("hsm_client_info", luna(), env={"SOFTHSM2_CONF": hsm.conf})
    assert r.result["library"]["loaded"] is True
    assert r.result["vendor"] == "softhsm"
    assert codes(r) == ["CONFIG_INVALID"]
    assert "is in chrystoki format, but the library is a softhsm library" in r.result["msg"]
    assert r.result["config"]["format"] == "chrystoki"
    assert r.result["config"]["servers"] == [{"name": "hsm1.example", "port": "1792"}]
    assert r.result["config"]["call_logger_enabled"] is False


def test_chrystoki_naming_another_library(luna, run_module):
    r = run_module("hsm_client_info", luna(library="/usr/safenet/lunaclient/lib/libCryptoki2_64.so"))
    assert codes(r) == ["CONFIG_LIB_MISMATCH"]
    assert r.result["vendor"] == "luna" and r.result["library"]["loaded"] is False
    assert "/usr/safenet/lunaclient/lib/libCryptoki2_64.so" in r.result["msg"]


def test_chrystoki_call_logger_is_a_finding(luna, run_module):
    r = run_module("hsm_client_info", luna(extra="CkLog2 = {\n   Enabled = 1;\n   LogFile = /tmp/cklog.txt;\n}\n"))
    assert codes(r) == ["PKCS11_CALL_LOGGER_ENABLED"]
    assert r.result["config"]["call_logger_enabled"] is True


def test_luna_client_key_readable_by_others(luna, run_module):
    args = luna()
    os.chmod(luna.key, 0o644)
    r = run_module("hsm_client_info", args)
    assert codes(r) == ["CLIENT_KEY_UNSAFE_PERMISSIONS"]


def test_luna_client_key_owned_by_someone_else(luna, run_module):
    args = luna()
    os.chown(luna.key, 65534, 65534)
    r = run_module("hsm_client_info", args)
    assert codes(r) == ["CLIENT_KEY_UNSAFE_PERMISSIONS"]
    assert "owned by nobody" in r.result["msg"]


def test_luna_configuration_without_a_network_hsm(luna, run_module):
    r = run_module("hsm_client_info", luna(client=""))
    assert codes(r) == ["CONFIG_INVALID"]
    assert "no 'LunaSA Client' section" in r.result["msg"]
    r = run_module("hsm_client_info", luna(client="LunaSA Client = {\n   ClientCertFile = /x.pem;\n}\n"))
    assert "names no HSM (ServerName00)" in r.result["msg"]
    assert "sets no ClientPrivKeyFile" in r.result["msg"] and "sets no ServerCAFile" in r.result["msg"]


def test_luna_client_path_without_the_luna_tools(luna, run_module):
    # The call logger keeps the library unloaded, so the vendor is Luna, from the layout.
    args = luna(extra="CkLog2 = {\n   Enabled = 1;\n}\n")
    os.unlink(luna.root / "bin" / "vtl")
    r = run_module("hsm_client_info", args)
    assert codes(r) == ["CLIENT_PATH_MISSING", "PKCS11_CALL_LOGGER_ENABLED"]
    assert "bin/vtl is missing" in r.result["msg"]


def test_luna_client_certificate_missing(luna, run_module):
    r = run_module("hsm_client_info", luna(key_path=str(luna.tmp / "gone.pem")))
    assert codes(r) == ["CONFIG_INVALID"]
    assert "ClientPrivKeyFile" in r.result["msg"] and "gone.pem" in r.result["msg"]


def test_chrystoki_syntax_error_names_the_line(luna, run_module):
    args = luna()
    with open(args["config_path"], "a") as f:
        f.write("Misc = {\n  PE1746Enabled = 0\n}\n")
    r = run_module("hsm_client_info", args)
    assert codes(r) == ["CONFIG_INVALID"]
    assert "line 12: expected 'Key = value;' in section 'Misc'" in r.result["msg"]


def p11kit_args(network_hsm):
    return dict(client_path=os.path.dirname(P11KIT_CLIENT_LIB), lib_path=P11KIT_CLIENT_LIB,
                config_path=network_hsm.module_file, allow_softhsm=True)


def test_p11kit_is_a_transport_and_the_vendor_is_the_partitions(network_hsm, partition, run_module):
    r = run_module("hsm_client_info", p11kit_args(network_hsm))
    assert not r.failed, r
    assert r.result["transport"] == "p11-kit"
    assert (r.result["vendor"], r.result["vendor_source"]) == ("softhsm", "C_GetTokenInfo")
    assert r.result["config"] == {"path": network_hsm.module_file, "format": "p11-kit",
                                  "remote": "unix:path=" + network_hsm.socket}
    served = r.result["library"]["info"]["tokens"]
    assert [(t["label"], t["serial_number"]) for t in served] == [(partition.label, partition.serial)]
    # The transport is a test stand-in: the server answers for the vendor and cannot be pinned (R1, R12).
    refused = run_module("hsm_client_info", dict(p11kit_args(network_hsm), allow_softhsm=False))
    assert codes(refused) == ["SOFTHSM_NOT_ALLOWED"]
    assert "p11-kit's RPC client, a development and test stand-in" in refused.result["msg"]


def test_p11kit_server_down_is_unreachable(network_hsm, run_module):
    network_hsm.kill()
    r = run_module("hsm_client_info", p11kit_args(network_hsm))
    assert codes(r) == ["HSM_UNREACHABLE"]
    assert network_hsm.socket in r.result["msg"] and "p11-kit server" in r.result["msg"]


def test_p11kit_server_that_serves_nothing_is_unreachable(network_hsm, partition, run_module, tmp_path):
    network_hsm.kill()
    network_hsm.label = "no-such-partition"  # the server starts, with no token to serve
    network_hsm.start()
    r = run_module("hsm_client_info", p11kit_args(network_hsm))
    assert codes(r) == ["HSM_UNREACHABLE"]
    assert "reaches no partition" in r.result["msg"]


def test_p11kit_client_with_a_vendor_configuration_is_refused(network_hsm, hsm, run_module):
    r = run_module("hsm_client_info", dict(p11kit_args(network_hsm), config_path=hsm.conf))
    assert "CONFIG_INVALID" in codes(r)
    assert "p11-kit library, which reads p11-kit" in r.result["msg"]

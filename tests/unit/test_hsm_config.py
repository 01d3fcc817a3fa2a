import pytest

from ansible_collections.ngts.vsatellite.plugins.module_utils import _hsm_config as cfg

CHRYSTOKI = """\
Chrystoki2 = {
   LibUNIX64 = /usr/safenet/lunaclient/lib/libCryptoki2_64.so;
}
# the network HSM
LunaSA Client = { ServerName00 = hsm1; ServerPort00 = 1792; }
CkLog2 = {
   Enabled = 0;   # off
}
"""


def test_chrystoki_sections_and_entries():
    sections = cfg.parse_chrystoki(CHRYSTOKI)
    assert sections == {
        "Chrystoki2": {"LibUNIX64": "/usr/safenet/lunaclient/lib/libCryptoki2_64.so"},
        "LunaSA Client": {"ServerName00": "hsm1", "ServerPort00": "1792"},
        "CkLog2": {"Enabled": "0"},
    }


@pytest.mark.parametrize("text,line,reason", [
    ("Misc = {\n}\nChrystoki2 = {\n  LibUNIX64 = /x.so;\n", 3, "that opens here is not closed"),
    ("Chrystoki2 = {\n  LibUNIX64 = /x.so\n}\n", 2, "expected 'Key = value;'"),
    ("Chrystoki2 = {\n}\nstray\n", 3, "expected 'Section = {'"),
])
def test_chrystoki_errors_name_the_line(text, line, reason):
    with pytest.raises(cfg.ConfigSyntaxError) as e:
        cfg.parse_chrystoki(text)
    assert e.value.line == line
    assert reason in e.value.reason


def test_softhsm2_lines_and_comments():
    assert cfg.parse_softhsm2("# c\ndirectories.tokendir = /t  # here\n\nlog.level=INFO\n") == {
        "directories.tokendir": "/t", "log.level": "INFO"}
    with pytest.raises(cfg.ConfigSyntaxError) as e:
        cfg.parse_softhsm2("log.level = INFO\njunk\n")
    assert e.value.line == 2


def test_format_detection_and_vendor_environment():
    assert cfg.detect_format(CHRYSTOKI) == cfg.FORMAT_CHRYSTOKI
    assert cfg.detect_format("# a comment with = {\ndirectories.tokendir = /t\n") == cfg.FORMAT_SOFTHSM2
    # Luna wants the DIRECTORY of Chrystoki.conf; SoftHSM the file itself.
    assert cfg.config_environment("/etc/luna/Chrystoki.conf", CHRYSTOKI) == ("ChrystokiConfigurationPath", "/etc/luna")
    assert cfg.config_environment("/t/softhsm2.conf", "directories.tokendir = /t\n") == ("SOFTHSM2_CONF", "/t/softhsm2.conf")


def test_a_p11kit_module_file_names_the_server_of_the_rpc_client():
    text = "# served by p11-kit server\nmodule: p11-kit-client.so\nremote: unix:path=/run/p11/pkcs11\n"
    assert cfg.detect_format(text) == cfg.FORMAT_P11KIT
    # p11-kit-client.so reads no file: the address goes in the variable it reads.
    assert cfg.config_environment("/etc/pkcs11/modules/hsm.module", text) == (
        "P11_KIT_SERVER_ADDRESS", "unix:path=/run/p11/pkcs11")
    assert cfg.p11kit_socket("unix:path=/run/p11/pkcs11") == "/run/p11/pkcs11"
    assert cfg.p11kit_socket("|ssh hsm p11-kit remote") is None
    with pytest.raises(cfg.ConfigSyntaxError) as e:
        cfg.parse_p11kit("remote: unix:path=/x\nno colon here\n")
    assert e.value.line == 2
    # A softhsm2.conf whose comment mentions remote: is still a softhsm2.conf.
    assert cfg.detect_format("# remote: none\ndirectories.tokendir = /t\n") == cfg.FORMAT_SOFTHSM2

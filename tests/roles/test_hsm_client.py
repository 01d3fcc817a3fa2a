"""The hsm_client role on this machine (connection local): a SoftHSM client made ready, with the token asked
for, idempotent; and a Luna client that is not there, with everything that is missing said at once."""

import sys

from tests.support import leaks
from tests.support.ansible_run import run_playbook_file
from tests.support.softhsm import SOFTHSM_LIB, throwaway_pin

PLAY = """- hosts: localhost
  connection: local
  gather_facts: false
  vars:
    ansible_python_interpreter: %s
  roles:
    - ngts.vsatellite.hsm_client
""" % sys.executable


def run(tmp_path, variables, name):
    play = tmp_path / "hsm-client.yml"
    play.write_text(PLAY)
    return run_playbook_file(str(play), variables, tmp_path, name=name)


def test_softhsm_with_a_token_then_again_changes_nothing(hsm, tmp_path):
    pin, so_pin = throwaway_pin(), throwaway_pin()
    variables = {"hsm_client_vendor": "softhsm", "hsm_client_config_path": hsm.conf,
                 # The packages are the machine's set-up's (scripts/setup-system.sh) here.
                 "hsm_client_manage_packages": False,
                 "hsm_client_softhsm_tokens": [{"label": "made-by-role", "pin": pin, "so_pin": so_pin}]}
    first = run(tmp_path, variables, "first")
    assert first.rc == 0, first.output[-3000:]
    assert [t["label"] for t in hsm.tokens()] == ["made-by-role"]
    again = run(tmp_path, variables, "again")
    assert again.rc == 0 and not [r for r in again.records if r["result"].get("changed")]
    for secret in (pin, so_pin):
        leaks.assert_no_leak(secret, first.output + again.output, [leaks.ANSIBLE_HOME, str(tmp_path)])
    info = [r for r in first.records if r["task"].endswith("Check the client install")][0]["result"]
    assert (info["vendor"], info["library"]["path"]) == ("softhsm", SOFTHSM_LIB)


def test_a_missing_luna_client_is_said_in_full(tmp_path):
    r = run(tmp_path, {"hsm_client_vendor": "luna", "hsm_client_path": str(tmp_path / "lunaclient"),
                       "hsm_client_lib_path": str(tmp_path / "lunaclient/lib/libCryptoki2.so"),
                       "hsm_client_config_path": str(tmp_path / "Chrystoki.conf")}, "luna")
    assert r.rc != 0
    text = r.output.replace("\n", " ")
    assert "The HSM client on localhost is not ready:" in text
    for what in ("client_path", "lib_path", "config_path"):
        assert "%s '%s" % (what, tmp_path) in text, what


def test_an_unsupported_vendor_is_refused(tmp_path):
    r = run(tmp_path, {"hsm_client_vendor": "yubihsm"}, "vendor")
    assert r.rc != 0
    assert "value of hsm_client_vendor must be one of: luna, softhsm, got: yubihsm" in r.output.replace("\n", " ")

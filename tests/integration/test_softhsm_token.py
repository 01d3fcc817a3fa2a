"""softhsm_token through ansible-playbook: a real SoftHSM token made once, with PINs that never show."""

from tests.support.softhsm import SOFTHSM_LIB, throwaway_pin


def args(hsm, label="made-by-module", **overrides):
    a = dict(label=label, pin=throwaway_pin(), so_pin=throwaway_pin(), config_path=hsm.conf, lib_path=SOFTHSM_LIB)
    a.update(overrides)
    return a


def test_a_token_is_made_once_and_its_pin_works(hsm, run_module):
    a = args(hsm)
    check = run_module("softhsm_token", a, secrets=[a["pin"], a["so_pin"]], check=True)
    assert check.result["changed"] is True and hsm.tokens() == []
    made = run_module("softhsm_token", a, secrets=[a["pin"], a["so_pin"]])
    assert made.result["changed"] is True, made
    tokens = hsm.tokens()
    assert [(t["label"], t["serial"]) for t in tokens] == [("made-by-module", made.result["token"]["serial_number"])]
    # The user PIN it was given opens the token.
    hsm.pins[tokens[0]["serial"]] = a["pin"]
    with hsm.session(tokens[0]["serial"]):
        pass
    # Again, with other PINs: the token is left alone (never re-initialised, R11).
    again = run_module("softhsm_token", args(hsm), secrets=[a["pin"]])
    assert again.result["changed"] is False
    assert again.result["token"] == made.result["token"]
    with hsm.session(tokens[0]["serial"]):
        pass


def test_a_short_pin_is_refused_and_nothing_is_made(hsm, run_module):
    r = run_module("softhsm_token", args(hsm, pin="123"))
    assert r.failed and r.result["error_code"] == "PIN_EMPTY"
    assert "pin is 3 characters long, and SoftHSM takes 4 to 255" in r.result["msg"]
    assert hsm.tokens() == []


def test_a_label_two_tokens_share_is_refused(hsm, run_module):
    hsm.init_token("twice")
    hsm.init_token("twice")
    r = run_module("softhsm_token", args(hsm, label="twice"))
    assert r.failed and r.result["error_code"] == "PARTITION_AMBIGUOUS"
    assert len(hsm.tokens()) == 2

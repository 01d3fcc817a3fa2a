"""The PIN flags SoftHSM never sets (it never locks), on a fake token: only the flags are faked.

What matters is that no login is tried when the partition is locked or one wrong PIN away
from locking (R14), and that a low retry count is said.
"""

import pytest
from pkcs11 import TokenFlag

from ansible_collections.ngts.vsatellite.plugins.module_utils._errors import VSatelliteError
from ansible_collections.ngts.vsatellite.plugins.module_utils._hsm_partition import PartitionProbe, pin_flags

PIN = "fake-token-pin-0001"
BASE = TokenFlag.TOKEN_INITIALIZED | TokenFlag.USER_PIN_INITIALIZED | TokenFlag.LOGIN_REQUIRED


class FakeSession:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def get_objects(self, template):
        return iter([])


class FakeToken:
    def __init__(self, flags):
        self.flags = flags
        self.logins = []

    def open(self, user_pin=None, **kwargs):
        self.logins.append(user_pin)
        return FakeSession()


def probe_with(flags):
    token = FakeToken(flags)
    probe = PartitionProbe("/unused.so", "vsat", PIN)
    probe.partition = {"label": "vsat", "serial_number": "1", "pin_flags": pin_flags(token.flags)}
    return probe, token


@pytest.mark.parametrize("flag,words", [
    (TokenFlag.USER_PIN_LOCKED, "is locked"),
    (TokenFlag.USER_PIN_FINAL_TRY, "would lock on the next wrong PIN"),
])
def test_no_login_is_tried_on_a_locked_or_final_try_partition(flag, words):
    probe, token = probe_with(BASE | flag)
    with pytest.raises(VSatelliteError) as e:
        probe._login_and_read(token)
    assert e.value.code == "PIN_LOCKED"
    assert words in e.value.message
    assert token.logins == []
    assert PIN not in str(e.value)


def test_a_partition_without_a_user_pin():
    probe, token = probe_with(TokenFlag.TOKEN_INITIALIZED)
    with pytest.raises(VSatelliteError) as e:
        probe._login_and_read(token)
    assert e.value.code == "PIN_NOT_INITIALIZED"
    assert token.logins == []


def test_a_low_retry_count_is_a_warning_and_the_login_goes_ahead_once():
    probe, token = probe_with(BASE | TokenFlag.USER_PIN_COUNT_LOW)
    probe._login_and_read(token)
    assert token.logins == [PIN]
    assert any("USER_PIN_COUNT_LOW" in w for w in probe.warnings)
    assert probe.dek["present"] is False


def test_pin_flags_are_read_from_the_token_flags():
    flags = pin_flags(BASE | TokenFlag.USER_PIN_TO_BE_CHANGED)
    assert flags == {"user_pin_initialized": True, "user_pin_count_low": False, "user_pin_final_try": False,
                     "user_pin_locked": False, "user_pin_to_be_changed": True}


class RaisingToken(FakeToken):
    def __init__(self, error):
        super().__init__(BASE)
        self.error = error

    def open(self, user_pin=None, **kwargs):
        self.logins.append(user_pin)
        raise self.error


@pytest.mark.parametrize("error,code", [
    ("PinLocked", "PIN_LOCKED"),            # the partition locked on this very login
    ("PinIncorrect", "PIN_INCORRECT"),
    ("DeviceError", "HSM_UNREACHABLE"),     # a network HSM that went away mid-call
    ("TokenNotPresent", "HSM_UNREACHABLE"),
    ("GeneralError", "HSM_ERROR"),
])
def test_login_failures_map_to_codes_and_are_not_retried(error, code):
    from pkcs11 import exceptions
    token = RaisingToken(getattr(exceptions, error)())
    probe = PartitionProbe("/unused.so", "vsat", PIN)
    probe.partition = {"label": "vsat", "serial_number": "1", "pin_flags": pin_flags(token.flags)}
    with pytest.raises(VSatelliteError) as e:
        probe._login_and_read(token)
    assert e.value.code == code
    assert token.logins == [PIN]
    assert PIN not in e.value.message

import pytest

from tests.support.softhsm import SOFTHSM_CLIENT_PATH, SOFTHSM_LIB


def hsm_flags(partition, **overrides):
    """The installer's HSM flags (R4) for a test partition."""
    flags = {"hsm_client_path": SOFTHSM_CLIENT_PATH, "hsm_lib_path": SOFTHSM_LIB, "hsm_config": partition.hsm.conf,
             "partition_label": partition.label}
    flags.update(overrides)
    return flags


@pytest.fixture
def flags():
    return hsm_flags

"""PartitionProbe and HsmClientInspector driven as plain Python classes, on real SoftHSM partitions."""

import os

import pytest

from ansible_collections.ngts.vsatellite.plugins.module_utils._errors import VSatelliteError
from ansible_collections.ngts.vsatellite.plugins.module_utils._hsm_client import HsmClientInspector
from ansible_collections.ngts.vsatellite.plugins.module_utils._hsm_partition import PartitionProbe
from tests.support.softhsm import SOFTHSM_CLIENT_PATH, SOFTHSM_LIB, SoftHsm


def test_probes_of_two_installations_in_one_process_each_see_their_own(tmp_path, monkeypatch):
    monkeypatch.delenv("SOFTHSM2_CONF", raising=False)
    a, b = SoftHsm(tmp_path / "a"), SoftHsm(tmp_path / "b")
    sa, sb = a.init_token("same-label"), b.init_token("same-label")
    a.generate_dek(sa)
    ra = PartitionProbe(SOFTHSM_LIB, "same-label", a.pins[sa], config_path=a.conf).run()
    rb = PartitionProbe(SOFTHSM_LIB, "same-label", b.pins[sb], config_path=b.conf).run()
    assert (ra["partition"]["serial_number"], ra["dek"]["present"]) == (sa, True)
    assert (rb["partition"]["serial_number"], rb["dek"]["present"]) == (sb, False)
    # The vendor variable was set for the probe only.
    assert "SOFTHSM2_CONF" not in os.environ


def test_a_wrong_pin_error_holds_no_pin(tmp_path):
    hsm = SoftHsm(tmp_path)
    serial = hsm.init_token("vsat")
    wrong = hsm.pins[serial][::-1]
    with pytest.raises(VSatelliteError) as e:
        PartitionProbe(SOFTHSM_LIB, "vsat", wrong, config_path=hsm.conf).run()
    assert e.value.code == "PIN_INCORRECT"
    for text in (str(e.value), repr(e.value), repr(e.value.details)):
        assert wrong not in text and hsm.pins[serial] not in text
    assert e.value.details["partition"]["serial_number"] == serial


def test_the_inspector_reports_without_raising(tmp_path):
    hsm = SoftHsm(tmp_path)
    facts = HsmClientInspector(SOFTHSM_CLIENT_PATH, SOFTHSM_LIB, hsm.conf, allow_softhsm=True).inspect()
    assert facts["problems"] == [] and facts["vendor"] == "softhsm"
    facts = HsmClientInspector(str(tmp_path / "x"), str(tmp_path / "y.so"), str(tmp_path / "z")).inspect()
    assert sorted(p["code"] for p in facts["problems"]) == ["CLIENT_PATH_MISSING", "CONFIG_MISSING", "LIB_MISSING"]

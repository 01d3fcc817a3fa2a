from ansible_collections.ngts.vsatellite.plugins.module_utils._tenant_api import dek_mode_of, tenant_dek_mode


def vs(*statuses):
    return [{"dek_mode": dek_mode_of(s)} for s in statuses]


def test_modes():
    assert tenant_dek_mode([]) == "none"
    assert tenant_dek_mode(vs("HSM_HEALTHY", "HSM_ERROR", "HSM_LOST_CONNECTION")) == "hsm"
    assert tenant_dek_mode(vs("HSM_NOT_CONFIGURED")) == "software"
    assert tenant_dek_mode(vs("HSM_NOT_CONFIGURED", "HSM_HEALTHY")) == "mixed"
    assert tenant_dek_mode(vs(None)) == "unknown"

"""A faithful simulator of the VSatellite installer and the tenant SaaS (SPEC.md sections 2 and 3).

It stands in for those two proprietary components only: the HSM is always real (SoftHSM2,
directly or through p11-kit server). The installer is ``simulator/bin/vsatctl``, a single file
that runs on a host with python3 and python-pkcs11; the tenant is ``python -m vsat_sim.tenant``.
"""

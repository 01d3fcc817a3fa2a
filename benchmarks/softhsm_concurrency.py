"""SoftHSM's file backend with many processes on one token: three VSatellites heartbeat while this process
probes the partition as fast as it can (each probe loads the library anew and logs in once).

Prints the probes made and the errors seen, by the probe and in the VSatellites' logs. Before the listing
was retried with the library loaded anew (PartitionProbe.run, vsatctl's HsmSession.open), about one probe in
1,500 saw no partition at all, and each VSatellite logged a false "partition not found" every few seconds.
"""

import os
import shutil
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path[:0] = [os.path.join(ROOT, ".build", "collections"), ROOT]

from ansible_collections.ngts.vsatellite.plugins.module_utils._errors import VSatelliteError  # noqa: E402
from ansible_collections.ngts.vsatellite.plugins.module_utils._hsm_partition import PartitionProbe  # noqa: E402
from tests.support.simulator import Installer, Tenant, wait_for  # noqa: E402
from tests.support.softhsm import SOFTHSM_CLIENT_PATH, SOFTHSM_LIB, SoftHsm  # noqa: E402

SECONDS = 40
LABEL = "bench"


def main():
    work = tempfile.mkdtemp(prefix="ngts-bench-", dir="/var/tmp")
    tenant = Tenant(os.path.join(work, "tenant"))
    installer = Installer(tenant, work)
    try:
        hsm = SoftHsm(os.path.join(work, "hsm"))
        pin = hsm.pins[hsm.init_token(LABEL)]
        flags = {"hsm_client_path": SOFTHSM_CLIENT_PATH, "hsm_lib_path": SOFTHSM_LIB, "hsm_config": hsm.conf,
                 "partition_label": LABEL}
        for name in ("a", "b", "c"):
            rc, out = installer.install(name, pin=pin, hsm=flags)
            assert rc == 0, out
            wait_for(lambda n=name: installer.status(n)["healthy"], 30, what="%s healthy" % name)
        probes, errors = 0, {}
        deadline = time.monotonic() + SECONDS
        while time.monotonic() < deadline:
            try:
                PartitionProbe(SOFTHSM_LIB, LABEL, pin, config_path=hsm.conf).run()
            except VSatelliteError as e:
                errors[e.code] = errors.get(e.code, 0) + 1
            probes += 1
        logged = sum(line.count(" ERROR ") for n in ("a", "b", "c") for line in installer.log(n).splitlines())
        print("%d probes in %d s (%.1f ms each), %d failed %s; ERROR lines in the 3 VSatellites' logs: %d"
              % (probes, SECONDS, 1000.0 * SECONDS / probes, sum(errors.values()), errors or "", logged))
    finally:
        installer.cleanup()
        tenant.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

"""Fixtures shared by every test: real SoftHSM partitions and real Ansible runs."""

import json
import os
import sys

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
COLLECTIONS = os.path.join(REPO, ".build", "collections")
# Import the collection as Ansible does: ansible_collections.ngts.vsatellite.
for path in (COLLECTIONS, REPO):
    if path not in sys.path:
        sys.path.insert(0, path)
# The simulator's vsatctl runs with "env python3": make that the venv's, which has python-pkcs11.
os.environ["PATH"] = os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", "")

from tests.support.softhsm import NetworkHsm, SoftHsm  # noqa: E402
from tests.support import ansible_run, leaks  # noqa: E402
from tests.support.containers import build_image  # noqa: E402
from tests.support.simulator import Installer, Tenant  # noqa: E402


@pytest.fixture
def hsm(tmp_path):
    """An empty SoftHSM installation (its own softhsm2.conf and token directory)."""
    return SoftHsm(tmp_path / "softhsm")


class Partition:
    def __init__(self, hsm, label):
        self.hsm = hsm
        self.label = label
        self.serial = hsm.init_token(label)
        self.pin = hsm.pins[self.serial]

    def probe_args(self, **overrides):
        args = dict(lib_path="/usr/lib/softhsm/libsofthsm2.so", config_path=self.hsm.conf,
                    partition_label=self.label, pin=self.pin)
        args.update(overrides)
        return args


@pytest.fixture
def partition(hsm):
    """A fresh SoftHSM partition with a random user PIN and no DEK yet."""
    return Partition(hsm, "vsat-dek")


@pytest.fixture
def network_hsm(partition, tmp_path):
    """The partition served by p11-kit server on a unix socket: SoftHSM as a network HSM."""
    server = NetworkHsm(partition.hsm, partition.label, tmp_path / "p11kit.sock")
    yield server
    server.kill()


@pytest.fixture
def make_partition(hsm):
    return lambda label: Partition(hsm, label)


@pytest.fixture
def run_module(tmp_path):
    """Run a module through ansible-playbook -vvvv; fail the test if any given secret shows up
    in the output, in Ansible's temporary files or in the test's own directory."""
    workdir = tmp_path / "ansible"
    workdir.mkdir()

    def run(module, args, secrets=(), env=None, check=False):
        # The probe must work with no vendor environment set by the caller.
        env = dict({"SOFTHSM2_CONF": "/nonexistent/softhsm2.conf"}, **(env or {}))
        result = ansible_run.run_module(module, args, workdir, env=env, check=check)
        for secret in secrets:
            leaks.assert_no_leak(secret, result.output, [leaks.ANSIBLE_HOME, str(tmp_path)], allow_holders=True)
        if secrets:
            # Ansible masks a no_log value it finds in a result with ********: a mask in the result
            # means the module put the secret there, and Ansible hid the leak.
            shown = dict(result.result, invocation=None)
            assert "********" not in json.dumps(shown), "a secret was masked in the result: %s" % shown
        return result

    return run


@pytest.fixture
def tenant(tmp_path):
    """The simulated tenant, a real server on loopback with its state in SQLite."""
    t = Tenant(tmp_path / "tenant")
    yield t
    t.stop()


@pytest.fixture
def installer(tenant, tmp_path):
    """vsatctl, with one install dir per simulated host; every satellite it started is stopped after."""
    i = Installer(tenant, tmp_path)
    yield i
    i.cleanup()


@pytest.fixture(scope="session")
def host_image():
    """The VSatellite host image (scripts/build-image.sh: built once, then only when it changes)."""
    build_image()

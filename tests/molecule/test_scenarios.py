"""Every Molecule scenario (extensions/molecule/*), run as `molecule test`, with its own ephemeral directory.

The scenario's fixture daemon makes the secrets (and the tenant issues the pairing codes); it is kept up
past the verifier (--destroy never) just long enough to learn them, so that the whole output of the run, and every file it changed, can be
searched for them. Then `molecule destroy` runs, and its output is searched too.
"""

import os
import subprocess
import sys
import time

import pytest
import yaml

from tests.support import leaks
from tests.support.containers import podman

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ROOT = os.path.join(REPO, "extensions", "molecule")
SCENARIOS = sorted(d for d in os.listdir(ROOT) if os.path.isfile(os.path.join(ROOT, d, "molecule.yml")))
sys.path.insert(0, os.path.join(ROOT, "shared"))
from fixture import Client  # noqa: E402

pytestmark = pytest.mark.slow


def molecule(args, ephemeral, timeout=1500):
    env = dict(os.environ, MOLECULE_EPHEMERAL_DIRECTORY=ephemeral, NO_COLOR="1", PY_COLORS="0",
               ANSIBLE_FORCE_COLOR="0", ANSIBLE_NOCOLOR="1",
               PATH=os.path.dirname(sys.executable) + os.pathsep + os.environ["PATH"])
    proc = subprocess.run([os.path.join(os.path.dirname(sys.executable), "molecule")] + args, cwd=REPO, env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=timeout, check=False)
    return proc.returncode, proc.stdout


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_molecule_scenario(scenario, host_image, tmp_path_factory):
    with open(os.path.join(ROOT, scenario, "molecule.yml")) as f:
        for platform in yaml.safe_load(f)["platforms"]:
            podman("rm", "-f", "-t", "0", platform["name"], check=False)  # left by a run that was killed
    ephemeral = str(tmp_path_factory.mktemp("molecule-" + scenario))
    started = time.time()
    secrets = []
    try:
        rc, output = molecule(["test", "-s", scenario, "--destroy", "never"], ephemeral)
        fixture = Client(os.path.join(ephemeral, "fixture"))
        try:
            secrets = [fixture.call("secret", name=n) for n in ("pin", "wrong_pin", "api_key")]
            secrets += fixture.call("pairing_code_values")
        except (OSError, RuntimeError, ValueError):
            pass  # the fixture never came up, or died: the output says why
    finally:
        destroy_rc, destroyed = molecule(["destroy", "-s", scenario], ephemeral)
    assert rc == 0, "molecule test -s %s failed:\n%s" % (scenario, output[-12000:])
    assert destroy_rc == 0, destroyed[-4000:]
    assert secrets, "the fixture did not answer"
    # Every file the run changed under $HOME (Ansible's and Molecule's, the report) and in /tmp.
    changed = leaks.files_changed_since(started, [os.path.expanduser("~"), ephemeral, "/tmp"])
    for secret in secrets:
        leaks.assert_no_leak(secret, output + destroyed)
        for form in leaks.variants(secret):
            assert leaks.files_containing(form, changed, files=True) == [], "a secret in a file the run left"
    assert not os.path.exists(os.path.join(ephemeral, "fixture")), "destroy left the fixture's directory"

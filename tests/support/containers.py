"""VSatellite hosts as podman containers of the project's own image (scripts/build-image.sh)."""

import os
import subprocess
import uuid

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
IMAGE = "localhost/ngts-vsat-host:bookworm"
CONTAINERS_CONF = os.path.join(REPO, "extensions", "molecule", "shared", "containers.conf")


def podman(*args, check=True):
    env = dict(os.environ, CONTAINERS_CONF=CONTAINERS_CONF)
    return subprocess.run(["podman"] + list(args), env=env, capture_output=True, text=True, check=check, timeout=120)


def build_image():
    subprocess.run(["bash", os.path.join(REPO, "scripts", "build-image.sh")], check=True, timeout=600)


class Container:
    """One host: a container that sleeps, with the given directories bind-mounted at the same paths."""

    def __init__(self, mounts=(), network="host", name=None):
        self.name = name or "ngts-test-" + uuid.uuid4().hex[:10]
        podman("rm", "-f", "-t", "0", self.name, check=False)  # one left by a run that was killed
        args = ["run", "-d", "--name", self.name, "--hostname", self.name, "--network", network]
        for path in mounts:
            args += ["-v", "%s:%s" % (path, path)]
        podman(*(args + [IMAGE, "sleep", "infinity"]))

    def inventory_line(self):
        return "%s ansible_connection=containers.podman.podman ansible_python_interpreter=/usr/bin/python3" % self.name

    def remove(self):
        podman("rm", "-f", "-t", "0", self.name, check=False)

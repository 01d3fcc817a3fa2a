#!/usr/bin/env bash
# Create the pinned development venv and make the checkout importable as the
# collection ngts.vsatellite. Idempotent and quick once done: the venv is only
# (re)built when requirements/dev.txt has changed since it was made.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
VENV=$ROOT/.venv
STAMP=$VENV/.requirements.sha256
want=$(sha256sum requirements/dev.txt | cut -d' ' -f1)

if [ ! -x "$VENV/bin/python" ] || [ "$(cat "$STAMP" 2>/dev/null)" != "$want" ]; then
  echo "setup-venv: installing requirements/dev.txt into .venv"
  # Debian's own python3 (3.11 on bookworm): the same on every fresh machine.
  /usr/bin/python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q --disable-pip-version-check -r requirements/dev.txt 2>&1 \
    | grep -v "^WARNING: Location" || true
  "$VENV/bin/python" -c "import pkcs11, ansible" # fail here, not in a test, when the install did not work
  echo "$want" > "$STAMP"
fi

# ansible-test and Ansible itself want the collection at .../ansible_collections/ngts/vsatellite.
COLL=$ROOT/.build/collections/ansible_collections/ngts
mkdir -p "$COLL"
ln -sfn "$ROOT" "$COLL/vsatellite"

# containers.podman (the Molecule podman driver and the podman connection) and awx.awx (for ansible-lint
# to read extensions/awx/configure.yml): Galaxy is not reachable, so they come from the `ansible` package
# on PyPI, of which only those two collections are unpacked.
ANSIBLE_PACKAGE=ansible==12.3.0
PODMAN_COLL=$ROOT/.build/collections/ansible_collections/containers/podman
AWX_COLL=$ROOT/.build/collections/ansible_collections/awx/awx
if [ ! -f "$PODMAN_COLL/MANIFEST.json" ] || [ ! -f "$AWX_COLL/MANIFEST.json" ]; then
  echo "setup-venv: containers.podman and awx.awx from $ANSIBLE_PACKAGE"
  DL=$ROOT/.build/cache
  mkdir -p "$DL"
  "$VENV/bin/pip" download -q --no-deps -d "$DL" "$ANSIBLE_PACKAGE" 2>&1 | grep -v "^WARNING: Location" || true
  "$VENV/bin/python" - "$DL" "$ROOT/.build/collections" <<'PY'
import glob, sys, zipfile
wheel = sorted(glob.glob(sys.argv[1] + "/ansible-*.whl"))[-1]
with zipfile.ZipFile(wheel) as z:
    members = [m for m in z.namelist()
               if m.startswith(("ansible_collections/containers/podman/", "ansible_collections/awx/awx/"))]
    z.extractall(sys.argv[2], members)
PY
  rm -f "$DL"/ansible-*.whl
fi

# ansible-test downloads a pip bootstrap script from a host that is not reachable here,
# and its venvs do not see the machine's pip settings: an offline stand-in (NOTES.md).
CACHE=$HOME/.ansible/test/cache
mkdir -p "$CACHE"
cp scripts/get_pip_standin.py "$CACHE/get_pip_24_2.py"

#!/usr/bin/env bash
# Build the VSatellite host image for the Molecule scenarios and the demo, locally: no registry is
# reachable, so the root filesystem comes from Debian's own packages (debootstrap) and is imported.
# The image has python3 (and python3-apt, for ansible.builtin.package), SoftHSM2, OpenSC, p11-kit and
# python-pkcs11 (unpacked from its wheel, as pip inside a container cannot verify PyPI's certificate).
# Rebuilt only when this script changes.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
export CONTAINERS_CONF=$ROOT/extensions/molecule/shared/containers.conf
IMAGE=${NGTS_IMAGE:-localhost/ngts-vsat-host:bookworm}
# One build at a time: the test workers each ask for the image, and the second waits for the first.
exec 9>/var/tmp/ngts-image.lock
flock 9
pin() { grep -i "^$1==" requirements/dev.txt; }
# The image changes with this script and with the two Python packages it carries, nothing else.
WANT=$( (cat scripts/build-image.sh; pin python-pkcs11; pin asn1crypto) | sha256sum | cut -c1-16)

if [ "$(podman image inspect "$IMAGE" --format '{{index .Config.Labels "ngts.build"}}' 2>/dev/null)" = "$WANT" ]; then
  exit 0
fi

WORK=$(mktemp -d /var/tmp/ngts-image.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
echo "build-image: debootstrap (about 40 s)"
debootstrap --variant=minbase --include=python3,python3-apt,softhsm2,opensc,p11-kit,p11-kit-modules,sudo,procps,ca-certificates \
  bookworm "$WORK/rootfs" http://deb.debian.org/debian >"$WORK/debootstrap.log" 2>&1 \
  || { tail -20 "$WORK/debootstrap.log"; exit 1; }

# python-pkcs11 and asn1crypto, the versions the venv pins, as wheels unpacked into the image.
"$ROOT/.venv/bin/pip" download -q --no-deps --only-binary=:all: -d "$WORK/wheels" "$(pin python-pkcs11)" "$(pin asn1crypto)" \
  2>&1 | grep -v "^WARNING: Location" || true
SITE=$WORK/rootfs/usr/local/lib/python3.11/dist-packages
mkdir -p "$SITE"
for wheel in "$WORK"/wheels/*.whl; do
  python3 -m zipfile -e "$wheel" "$SITE"
done
chroot "$WORK/rootfs" python3 -c "import pkcs11, asn1crypto"
rm -rf "$WORK/rootfs/var/cache/apt/archives/"*.deb "$WORK/rootfs/var/lib/apt/lists/"*

echo "build-image: podman import $IMAGE"
tar -C "$WORK/rootfs" -c . | podman import --change "LABEL ngts.build=$WANT" --change 'CMD ["sleep", "infinity"]' \
  - "$IMAGE" >/dev/null

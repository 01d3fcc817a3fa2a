#!/usr/bin/env bash
# Install the Debian packages the project needs (run as root on Debian 12).
# Idempotent: apt is only called when a package is missing, so the edit-test
# loop pays nothing once the machine is set up.
set -euo pipefail

PACKAGES=(
  python3 python3-venv python3-pip   # the venv that holds ansible-core and the test tools
  softhsm2                           # the PKCS#11 implementation every test runs against (R1: dev/test only)
  opensc                             # pkcs11-tool, and pkcs11-spy.so for counting C_Login calls
  p11-kit p11-kit-modules            # p11-kit server/client: SoftHSM as a network HSM
  zlib1g                             # a real .so that is not PKCS#11, for negative tests
  podman runc uidmap slirp4netns     # the VSatellite hosts of the container tests (no Docker engine here)
  debootstrap                        # their image is built locally: no registry is reachable
  shellcheck                         # ansible-test sanity runs it on the scripts
  openssl                            # test certificates for the simulated tenant over HTTPS
  git make ca-certificates
)

missing=()
for pkg in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done

if [ "${#missing[@]}" -eq 0 ]; then
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "setup-system: missing Debian packages: ${missing[*]}; run as root (or install them) first" >&2
  exit 1
fi

echo "setup-system: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null

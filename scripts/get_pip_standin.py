# Offline stand-in for the pip bootstrap script that ansible-test downloads:
# bootstrap the bundled pip, point the venv's pip at the system CA bundle, install what was asked.
import ensurepip
import os
import subprocess
import sys

CA = "/etc/ssl/certs/ca-certificates.crt"
ensurepip.bootstrap(upgrade=True)
with open(os.path.join(sys.prefix, "pip.conf"), "w") as f:
    f.write("[global]\ncert = %s\n" % CA)
args = [a for a in sys.argv[1:] if a not in ("--no-setuptools", "--no-wheel")]
sys.exit(subprocess.call([sys.executable, "-m", "pip", "install", "--cert", CA] + args))

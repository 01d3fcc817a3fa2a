# -*- coding: utf-8 -*-
# Copyright (c) 2026, ngts.vsatellite contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Run the VSatellite installer (vsatctl) the way a careful operator would.

The partition PIN goes to the installer on its standard input (``--silent``) or to its prompt
through a pseudo-terminal, never in argv or the environment. The installer runs in the C locale,
with TERM set for its text UI. Its output is masked of every secret before anyone sees it. The
pairing code is a flag of the real installer, so it is in argv for the install's duration only.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import subprocess

from ansible_collections.ngts.vsatellite.plugins.module_utils._errors import VSatelliteError
from ansible_collections.ngts.vsatellite.plugins.module_utils._pty import PromptError, run_with_pty
from ansible_collections.ngts.vsatellite.plugins.module_utils._secrets import mask

DEFAULT_INSTALLER = "/usr/local/bin/vsatctl"
DEFAULT_INSTALL_DIR = "/opt/vsatellite"
DEFAULT_PIN_PROMPT = r"HSM partition PIN:"
# The real installer's exit codes are not public: these are the simulator's, and users can override them.
DEFAULT_EXIT_CODES = {"failed": 1, "usage": 2, "tenant_refused": 3, "tenant_unreachable": 4,
                      "unsupported_in_hsm_mode": 5, "not_installed": 6, "already_installed": 7, "no_terminal": 8}
HINTS = {
    "usage": "the installer rejected its arguments",
    "tenant_refused": "the tenant refused the VSatellite: check the pairing code (known, not expired, uses left) "
                      "and the tenant's DEK mode (R3: it can only change once every VSatellite is removed)",
    "tenant_unreachable": "the installer could not reach api_url from this host",
    "unsupported_in_hsm_mode": "the operation is not supported with an HSM-protected DEK (R8)",
    "not_installed": "no VSatellite is installed in install_dir",
    "already_installed": "a VSatellite is already installed in install_dir",
    "no_terminal": "the installer's text UI needs a terminal: use installer_input=stdin (--silent)",
}
# What the installer (and the VSatellite it starts) may see of the module's environment. Anything else,
# a tenant API key exported on the controller for instance, must not end up in a long-running daemon.
ENV_ALLOWLIST = ("PATH", "HOME", "TMPDIR", "TZ", "SSL_CERT_FILE", "SSL_CERT_DIR", "http_proxy", "https_proxy",
                 "no_proxy", "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "P11_KIT_SERVER_ADDRESS", "XDG_RUNTIME_DIR",
                 "PYTHONPATH")
ENV_PREFIXES = ("VSAT_SIM_",)  # the simulator's own knobs

# (module option name, installer flag, name in the installer's recorded settings)
HSM_SETTINGS = (
    ("client_path", "--hsm-client-path", "client_path"),
    ("lib_path", "--hsm-lib-path", "lib_path"),
    ("config_path", "--hsm-config", "config"),
    ("partition_label", "--partition-label", "partition_label"),
    ("partition_serial_number", "--partition-serial-number", "partition_serial_number"),
)


class InstallerResult:
    def __init__(self, argv, rc, output):
        self.argv = argv
        self.rc = rc
        self.output = output


class Installer:
    def __init__(self, path=DEFAULT_INSTALLER, install_dir=DEFAULT_INSTALL_DIR, input_mode="stdin",
                 pin_prompt=DEFAULT_PIN_PROMPT, term="xterm", exit_codes=None, extra_args=None, timeout=600,
                 env_passthrough=()):
        self.path = path
        self.install_dir = install_dir
        self.input_mode = input_mode
        self.pin_prompt = pin_prompt
        self.term = term
        self.exit_codes = dict(DEFAULT_EXIT_CODES, **(exit_codes or {}))
        self.extra_args = list(extra_args or [])
        self.timeout = timeout
        self.env_passthrough = tuple(env_passthrough)

    def check_present(self):
        if not (os.path.isfile(self.path) and os.access(self.path, os.X_OK)):
            raise VSatelliteError("INSTALLER_MISSING", "installer_path %r is not an executable file; install the "
                                                       "VSatellite installer (vsatctl) there, or set installer_path"
                                  % self.path)

    def env(self):
        """An allowlisted environment, in the C locale, with TERM for the text UI."""
        keep = ENV_ALLOWLIST + self.env_passthrough
        env = dict((k, v) for k, v in os.environ.items() if k in keep or k.startswith(ENV_PREFIXES))
        env.update(LC_ALL="C", LANG="C", TERM=self.term)
        return env

    def meaning(self, rc):
        for name, code in self.exit_codes.items():
            if code == rc and name in HINTS:
                return HINTS[name]
        return None

    # --- commands ------------------------------------------------------------------------

    def status(self):
        """The installer's own account of the install dir, as a dict (the simulator's status subcommand)."""
        self.check_present()
        argv = [self.path, "status", "--install-dir", self.install_dir]
        proc = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              env=self.env(), timeout=60, check=False)
        try:
            return json.loads(proc.stdout.decode("utf-8", "replace"))
        except ValueError:
            raise VSatelliteError("INSTALLER_FAILED", "'%s status' gave no JSON (rc %d): %s"
                                  % (self.path, proc.returncode, proc.stderr.decode("utf-8", "replace")[-500:]))

    def install(self, api_url, pairing_code, hsm=None, pin=None, accept_license_agreement=False):
        argv = [self.path, "install", "--pairing-code", pairing_code, "--api-url", api_url,
                "--install-dir", self.install_dir]
        if accept_license_agreement:
            argv.append("--accept-license-agreement")
        for option, flag, dummy in HSM_SETTINGS:
            if hsm and hsm.get(option):
                argv += [flag, hsm[option]]
        argv += self.extra_args
        secrets = [pin, pairing_code]
        shown = [mask(a, secrets) for a in argv]
        if self.input_mode == "pty":
            answers = [(self.pin_prompt, pin)] if hsm else []
            try:
                rc, output = run_with_pty(argv, answers, env=self.env(), timeout=self.timeout)
            except PromptError as e:
                raise VSatelliteError("INSTALLER_FAILED", mask(str(e), secrets))
            return InstallerResult(shown, rc, mask(output, secrets))
        argv.append("--silent")
        shown.append("--silent")
        data = (pin + "\n").encode("utf-8") if hsm else b""
        return self._run(argv, shown, data, secrets)

    def uninstall(self):
        argv = [self.path, "uninstall", "--silent", "--install-dir", self.install_dir]
        return self._run(argv, list(argv), b"", [])

    def _run(self, argv, shown, data, secrets):
        proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                env=self.env(), close_fds=True)
        try:
            out = proc.communicate(data, timeout=self.timeout)[0]
        except subprocess.TimeoutExpired:
            proc.kill()
            out = proc.communicate()[0]
            raise VSatelliteError("INSTALLER_FAILED", "%s did not finish within %ds: %s" % (
                shown[1], self.timeout, mask(out.decode("utf-8", "replace"), secrets)[-2000:]))
        return InstallerResult(shown, proc.returncode, mask(out.decode("utf-8", "replace"), secrets))


def settings_from_status(status):
    """The non-secret settings of an installed VSatellite, in the module's terms."""
    hsm = status.get("hsm")
    return {
        "api_url": status.get("apiUrl"),
        "dek_protection": "hsm" if hsm else "software",
        "hsm": dict((option, hsm.get(recorded)) for option, dummy, recorded in HSM_SETTINGS) if hsm else None,
    }


def tail(path, lines=20, secrets=()):
    """The last lines of a log file, masked; [] when it does not exist."""
    try:
        with open(path, "rb") as f:
            f.seek(0, os.SEEK_END)
            size = f.tell()
            f.seek(max(0, size - 256 * 1024))
            text = f.read().decode("utf-8", "replace")
    except (IOError, OSError):
        return []
    return [mask(line, secrets) for line in text.splitlines()[-lines:]]


def errors_since_start(path, limit=50, start_marker=" starting (", secrets=()):
    """The ERROR lines of the runtime log since the VSatellite last started (R5: the detail is there)."""
    lines = tail(path, 5000, secrets)
    starts = [i for i, line in enumerate(lines) if start_marker in line]
    since = lines[starts[-1] + 1:] if starts else lines
    return [line for line in since if " ERROR " in line or line.startswith("ERROR ")][-limit:]

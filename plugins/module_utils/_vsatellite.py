# -*- coding: utf-8 -*-
# Copyright (c) 2026, ngts.vsatellite contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Bring a host's VSatellite to the asked state: installed with given settings, reinstalled, or absent.

Idempotent: an installed VSatellite with the same settings is left alone, and one with other settings
is never changed behind the operator's back (that is state=reinstalled). A failure says what was
done and how to go on; no half-done install is left without saying so.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time

from ansible_collections.ngts.vsatellite.plugins.module_utils._errors import VSatelliteError
from ansible_collections.ngts.vsatellite.plugins.module_utils._installer import (
    HSM_SETTINGS, errors_since_start, settings_from_status, tail)
from ansible_collections.ngts.vsatellite.plugins.module_utils._tenant_api import REGIONS

HSM_REQUIRED = ("client_path", "lib_path", "config_path", "partition_label")


def normalize_url(url):
    url = REGIONS.get(url, url)
    return url.rstrip("/") if url else url


def desired_settings(api_url, hsm):
    if hsm is not None:
        hsm = dict((option, hsm.get(option)) for option, dummy, dummy2 in HSM_SETTINGS)
    return {"api_url": normalize_url(api_url), "dek_protection": "hsm" if hsm else "software", "hsm": hsm}


def differences(current, desired):
    """What differs between the installed and the asked settings, one phrase each."""
    out = ["%s: installed %r, asked %r" % (key, current[key], desired[key])
           for key in ("api_url", "dek_protection") if current[key] != desired[key]]
    if current["hsm"] and desired["hsm"]:
        out += ["hsm.%s: installed %r, asked %r" % (option, current["hsm"].get(option), desired["hsm"].get(option))
                for option, dummy, dummy2 in HSM_SETTINGS if current["hsm"].get(option) != desired["hsm"].get(option)]
    return out


def describe(status, log_lines=20, secrets=()):
    """An installed VSatellite as the modules return it: settings, health, and its log's error lines."""
    out = dict(
        installed=True, edge_instance_id=status.get("edgeInstanceId"), name=status.get("name"),
        version=status.get("version"), install_log=status.get("installLog"), log=status.get("log"),
        health={"healthy": bool(status.get("healthy")), "hsm_status": status.get("health"),
                "reason": status.get("reason"), "running": bool(status.get("running")),
                "checked_at": status.get("checkedAt"), "dek_fingerprint": status.get("dekFingerprint")},
        log_errors=errors_since_start(status.get("log") or "", log_lines, secrets=secrets))
    out.update(settings_from_status(status))
    return out


class Deployment:
    def __init__(self, installer, state="present", api_url=None, pairing_code=None, hsm=None, pin=None,
                 accept_license_agreement=False, check_mode=False, wait_for_health=0, log_lines=20,
                 poll_interval=1.0):
        self.installer = installer
        self.state = state
        self.desired = desired_settings(api_url, hsm)
        self.pairing_code = pairing_code
        self.pin = pin
        self.accept = accept_license_agreement
        self.check_mode = check_mode
        self.wait_for_health = wait_for_health
        self.log_lines = log_lines
        self.poll_interval = poll_interval
        self.secrets = [pin, pairing_code]

    def run(self):
        self.installer.check_present()
        status = self.installer.status()
        current = settings_from_status(status) if status.get("installed") else None
        result = {"changed": False, "previous_edge_instance_id": status.get("edgeInstanceId") if current else None}
        if self.state == "absent":
            return self._absent(status, current, result)
        if not self.desired["api_url"]:
            raise VSatelliteError("BAD_INPUT", "api_url is required with state=%s: the tenant API URL of the "
                                               "tenant's region (https://api.venafi.cloud, or eu, au, uk, ca)" % self.state)
        if current is not None and self.state == "present":
            diff = differences(current, self.desired)
            if not diff:
                return self._report(status, result)
            raise VSatelliteError(
                "SETTINGS_DIFFER",
                "the VSatellite installed in %s has other settings than asked: %s. Nothing was changed. Use "
                "state=reinstalled to reinstall it with the new ones%s" % (
                    self.installer.install_dir, "; ".join(diff),
                    " (its DEK protection mode can only change once every VSatellite of the tenant is removed, "
                    "R3)" if current["dek_protection"] != self.desired["dek_protection"] else ""),
                diff={"before": current, "after": self.desired}, installed=True)
        self._validate_install()
        if current is not None and current["dek_protection"] != self.desired["dek_protection"]:
            # The tenant still has this VSatellite: a new one in the other mode gets a 412 (R3), and
            # uninstalling first would have removed a working VSatellite for nothing.
            raise VSatelliteError(
                "SETTINGS_DIFFER", "state=reinstalled cannot change the DEK protection from %s to %s: the tenant "
                                   "refuses another mode while any VSatellite exists (R3). Nothing was changed. "
                                   "Remove every VSatellite from the tenant first (playbook "
                                   "ngts.vsatellite.switch_dek_mode)" % (current["dek_protection"],
                                                                         self.desired["dek_protection"]),
                diff={"before": current, "after": self.desired}, installed=True)
        result.update(changed=True, diff={"before": current or {}, "after": self.desired})
        if self.check_mode:
            return dict(result, installed=current is not None, **self.desired)
        if current is not None:
            self._uninstall(status)
        return self._install(result, reinstalling=current is not None)

    # --- steps ---------------------------------------------------------------------------

    def _validate_install(self):
        if not self.pairing_code:
            raise VSatelliteError("BAD_INPUT", "pairing_code is required to install: create one with "
                                               "ngts.vsatellite.tenant_pairing_code")
        if not self.accept:
            raise VSatelliteError("BAD_INPUT", "accept_license_agreement must be true to install: the installer "
                                               "asks for the license agreement to be accepted")
        hsm = self.desired["hsm"]
        if hsm is not None:
            missing = [o for o in HSM_REQUIRED if not hsm.get(o)]
            if missing:
                raise VSatelliteError("BAD_INPUT", "hsm needs %s to install with an HSM-protected DEK (R4)"
                                      % ", ".join("hsm.%s" % m for m in missing))
            if not self.pin or not self.pin.strip():
                raise VSatelliteError("BAD_INPUT", "hsm_pin is required with hsm: the partition PIN the installer "
                                                   "asks for. Check it first with ngts.vsatellite.hsm_partition_info")
        elif self.pin:
            raise VSatelliteError("BAD_INPUT", "hsm_pin is set but hsm is not: give the HSM settings, or drop "
                                               "hsm_pin to install with a software DEK")

    def _absent(self, status, current, result):
        if current is None:
            return dict(result, installed=False)
        result.update(changed=True, diff={"before": current, "after": {}})
        if not self.check_mode:
            self._uninstall(status)
        return dict(result, installed=False)

    def _uninstall(self, status):
        r = self.installer.uninstall()
        if r.rc != 0:
            raise VSatelliteError("UNINSTALL_FAILED", "'vsatctl uninstall' failed (rc %d)%s; the VSatellite %s is "
                                                      "still installed in %s" % (
                                                          r.rc, self._hint(r.rc), status.get("edgeInstanceId"),
                                                          self.installer.install_dir),
                                  installer_rc=r.rc, installer_output=r.output)

    def _install(self, result, reinstalling):
        r = self.installer.install(self.desired["api_url"], self.pairing_code, self.desired["hsm"], self.pin,
                                   self.accept)
        status = self.installer.status()
        if r.rc != 0 and status.get("installed"):
            raise VSatelliteError(
                "INSTALL_FAILED", "the installer failed (rc %d)%s, yet a VSatellite is now installed in %s: it may "
                                  "be incomplete. Run again with state=reinstalled once the cause is fixed. Its "
                                  "output: %s" % (r.rc, self._hint(r.rc), self.installer.install_dir,
                                                  r.output.strip()[-1500:]),
                installer_rc=r.rc, installer_output=r.output, installed=True, changed=True,
                install_log_tail=tail(self._install_log(), self.log_lines, self.secrets))
        if r.rc != 0 or not status.get("installed"):
            where = ("the VSatellite that was installed has been uninstalled, and the new install failed: fix the "
                     "cause and run again (state=present installs it) " if reinstalling else "")
            raise VSatelliteError(
                "INSTALL_FAILED", "the installer failed (rc %d)%s; %snothing is installed in %s. Its output: %s" % (
                    r.rc, self._hint(r.rc), where, self.installer.install_dir, r.output.strip()[-1500:]),
                installer_rc=r.rc, installer_output=r.output, installed=False, changed=reinstalling,
                install_log_tail=tail(self._install_log(), self.log_lines, self.secrets))
        result = self._report(status, result)
        result["installer_output"] = r.output
        if self.wait_for_health:
            self._wait_healthy(result)
        return result

    def _wait_healthy(self, result):
        deadline = time.monotonic() + self.wait_for_health
        while True:
            status = self.installer.status()
            if status.get("healthy"):
                result.update(self._report(status, {}))
                return
            if time.monotonic() >= deadline:
                report = self._report(status, {})
                raise VSatelliteError(
                    "UNHEALTHY", "the VSatellite installed (R5: the installer does not validate HSM values) but is "
                                 "not healthy after %ds: %s. Its log says: %s" % (
                                     self.wait_for_health, status.get("reason") or "no health reported",
                                     " | ".join(report["log_errors"][-3:]) or "nothing yet"),
                    changed=True, **dict((k, v) for k, v in report.items() if k != "changed"))
            time.sleep(self.poll_interval)

    def _report(self, status, result):
        out = dict(result)
        out.update(describe(status, self.log_lines, self.secrets))
        return out

    def _install_log(self):
        return "%s/logs/install.log" % self.installer.install_dir

    def _hint(self, rc):
        meaning = self.installer.meaning(rc)
        return ": %s" % meaning if meaning else ""

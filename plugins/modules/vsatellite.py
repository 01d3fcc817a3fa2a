#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, ngts.vsatellite contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: vsatellite
short_description: Install, reinstall or uninstall the VSatellite on a host
version_added: 0.1.0
description:
  - Runs the VSatellite installer (C(vsatctl)) on the host to bring its VSatellite to O(state).
  - With O(hsm), the VSatellite uses an HSM-protected DEK in that partition; without it, a software DEK.
    Every VSatellite of a tenant must use the same partition (R9), and the tenant's DEK mode can only change
    once all its VSatellites are removed (R3).
  - The installer does not validate the HSM values (R5) and "succeeds" with wrong ones. Check the host with
    M(ngts.vsatellite.hsm_client_info) and M(ngts.vsatellite.hsm_partition_info) first, and its health after
    (O(wait_for_health), M(ngts.vsatellite.vsatellite_info)).
  - Idempotent. An installed VSatellite with the same settings is left alone; one with other settings is an
    error that shows the difference and changes nothing, unless O(state=reinstalled).
  - The PIN goes to the installer on its standard input (O(installer_input=stdin), the installer's C(--silent))
    or to its prompt through a pseudo-terminal (O(installer_input=pty)), never in its argv or environment.
  - The pairing code is a command-line flag of the installer, so it is in the installer's argv (visible in the
    host's process list) while the install runs, and nowhere else. Use codes with few uses and a short lifetime.
author:
  - NGTS VSatellite team (@ngts-vsatellite)
extends_documentation_fragment:
  - ngts.vsatellite.installer
  - ansible.builtin.action_common_attributes
  - ngts.vsatellite.attributes.posix
attributes:
  check_mode:
    support: full
    details: Says what would change and runs nothing but the installer's read-only C(status).
  diff_mode:
    support: full
    details: Shows the settings before and after, never a secret.
options:
  state:
    description:
      - C(present) installs it when it is not installed; an installed one with other settings is an error.
      - C(reinstalled) uninstalls and installs it again, always (a new edge instance in the tenant; the old one
        stays there as LOST_CONNECTION until deleted with M(ngts.vsatellite.tenant_vsatellite)). Reinstalling
        against the same partition reuses the DEK (R10).
      - C(absent) uninstalls it. The DEK stays in the HSM (R10) and the instance stays in the tenant.
    type: str
    choices: [present, absent, reinstalled]
    default: present
  api_url:
    description: The tenant API URL of the tenant's region, or its short name (C(us), C(eu), C(au), C(uk), C(ca)).
    type: str
  pairing_code:
    description: A pairing code from M(ngts.vsatellite.tenant_pairing_code). Needed to install.
    type: str
  accept_license_agreement:
    description: Must be true to install.
    type: bool
    default: false
  hsm:
    description: The HSM values of R4, but the PIN. Leave it out for a software DEK.
    type: dict
    suboptions:
      client_path:
        description: The HSM client's directory (C(--hsm-client-path)).
        type: path
      lib_path:
        description: The PKCS#11 library (C(--hsm-lib-path)).
        type: path
      config_path:
        description: The HSM client's configuration file (C(--hsm-config)).
        type: path
      partition_label:
        description: The partition's label (C(--partition-label)).
        type: str
      partition_serial_number:
        description: The partition's serial number, when several partitions share the label.
        type: str
  hsm_pin:
    description: The partition PIN, for the installer's prompt. Required with O(hsm) to install; never logged.
    type: str
  installer_extra_args:
    description: More flags for C(vsatctl install), for what the real installer may need.
    type: list
    elements: str
    default: []
  installer_input:
    description: How the PIN reaches the installer.
    type: str
    choices: [stdin, pty]
    default: stdin
  installer_pin_prompt:
    description: With O(installer_input=pty), the regular expression of the installer's PIN prompt.
    type: str
    default: "HSM partition PIN:"
  installer_term:
    description: The TERM the installer's text UI is given.
    type: str
    default: xterm
  installer_exit_codes:
    description:
      - The installer's exit codes, to explain a failure (the real ones are not public).
      - Keys C(usage), C(tenant_refused), C(tenant_unreachable), C(unsupported_in_hsm_mode), C(not_installed),
        C(already_installed), C(no_terminal); the defaults are the simulator's 2, 3, 4, 5, 6, 7, 8.
    type: dict
    default: {}
  installer_timeout:
    description: Seconds the installer may take.
    type: int
    default: 600
  installer_env_passthrough:
    description:
      - Names of more environment variables to hand to the installer. It only sees an allowlist otherwise
        (C(PATH), C(HOME), C(TMPDIR), C(TZ), the proxy and CA variables, C(P11_KIT_SERVER_ADDRESS),
        C(XDG_RUNTIME_DIR), C(PYTHONPATH)), so that nothing else (an API key, say) reaches the VSatellite daemon.
    type: list
    elements: str
    default: []
  wait_for_health:
    description:
      - After an install, wait up to this many seconds for the VSatellite to report itself healthy, and fail with
        its log's error lines when it does not (R5). 0 does not wait.
    type: int
    default: 0
"""

EXAMPLES = r"""
- name: Install the VSatellite with the DEK in the Luna partition
  ngts.vsatellite.vsatellite:
    api_url: eu
    pairing_code: "{{ pairing.pairing_code }}"
    accept_license_agreement: true
    hsm:
      client_path: /usr/safenet/lunaclient
      lib_path: /usr/safenet/lunaclient/lib/libCryptoki2.so
      config_path: /etc/Chrystoki.conf
      partition_label: vsat-dek
    hsm_pin: "{{ vault_partition_pin }}"
    wait_for_health: 120

- name: Uninstall it (the DEK stays in the HSM)
  ngts.vsatellite.vsatellite:
    state: absent
"""

RETURN = r"""
installed:
  description: Whether a VSatellite is installed now.
  returned: always
  type: bool
edge_instance_id:
  description: Its id in the tenant.
  returned: when installed
  type: str
previous_edge_instance_id:
  description: The id of the VSatellite that was installed before this run (uninstalled or reinstalled).
  returned: always
  type: str
dek_protection:
  description: C(hsm) or C(software).
  returned: when installed
  type: str
api_url:
  description: The tenant API it talks to.
  returned: when installed
  type: str
hsm:
  description: Its HSM settings (never the PIN); null in software mode.
  returned: when installed
  type: dict
health:
  description: C(healthy), C(hsm_status), C(reason), C(running), C(checked_at), C(dek_fingerprint).
  returned: when installed
  type: dict
log_errors:
  description: The error lines of its log since it last started, masked of secrets.
  returned: when installed
  type: list
  elements: str
install_log:
  description: The installer's log on the host.
  returned: when installed
  type: str
log:
  description: The VSatellite's runtime log on the host.
  returned: when installed
  type: str
installer_output:
  description: What the installer printed, with the PIN and the pairing code masked.
  returned: when the installer ran
  type: str
installer_rc:
  description: The installer's exit code.
  returned: on an installer failure
  type: int
install_log_tail:
  description: The last lines of the install log, masked.
  returned: on an install failure
  type: list
  elements: str
error_code:
  description: >-
    C(BAD_INPUT), C(SETTINGS_DIFFER), C(INSTALLER_MISSING), C(INSTALLER_FAILED), C(INSTALL_FAILED),
    C(UNINSTALL_FAILED), C(UNHEALTHY).
  returned: failure
  type: str
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.ngts.vsatellite.plugins.module_utils._errors import VSatelliteError
from ansible_collections.ngts.vsatellite.plugins.module_utils._installer import (
    DEFAULT_EXIT_CODES, DEFAULT_INSTALL_DIR, DEFAULT_INSTALLER, DEFAULT_PIN_PROMPT, Installer)
from ansible_collections.ngts.vsatellite.plugins.module_utils._vsatellite import Deployment


def main():
    module = AnsibleModule(
        argument_spec=dict(
            state=dict(type="str", choices=["present", "absent", "reinstalled"], default="present"),
            installer_path=dict(type="path", default=DEFAULT_INSTALLER),
            install_dir=dict(type="path", default=DEFAULT_INSTALL_DIR),
            api_url=dict(type="str"),
            pairing_code=dict(type="str", no_log=True),
            accept_license_agreement=dict(type="bool", default=False),
            hsm=dict(type="dict", options=dict(
                client_path=dict(type="path"), lib_path=dict(type="path"), config_path=dict(type="path"),
                partition_label=dict(type="str"), partition_serial_number=dict(type="str"))),
            hsm_pin=dict(type="str", no_log=True),
            installer_extra_args=dict(type="list", elements="str", default=[]),
            installer_input=dict(type="str", choices=["stdin", "pty"], default="stdin"),
            installer_pin_prompt=dict(type="str", default=DEFAULT_PIN_PROMPT),
            installer_term=dict(type="str", default="xterm"),
            installer_exit_codes=dict(type="dict", default={}),
            installer_timeout=dict(type="int", default=600),
            installer_env_passthrough=dict(type="list", elements="str", default=[], no_log=False),
            wait_for_health=dict(type="int", default=0),
            log_lines=dict(type="int", default=20),
        ),
        supports_check_mode=True,
    )
    p = module.params
    unknown = set(p["installer_exit_codes"]) - set(DEFAULT_EXIT_CODES)
    if unknown:
        module.fail_json(msg="installer_exit_codes has unknown keys %s; the keys are %s"
                             % (", ".join(sorted(unknown)), ", ".join(sorted(DEFAULT_EXIT_CODES))))
    installer = Installer(p["installer_path"], p["install_dir"], input_mode=p["installer_input"],
                          pin_prompt=p["installer_pin_prompt"], term=p["installer_term"],
                          exit_codes=p["installer_exit_codes"], extra_args=p["installer_extra_args"],
                          timeout=p["installer_timeout"], env_passthrough=p["installer_env_passthrough"])
    deployment = Deployment(installer, state=p["state"], api_url=p["api_url"], pairing_code=p["pairing_code"],
                            hsm=p["hsm"], pin=p["hsm_pin"], accept_license_agreement=p["accept_license_agreement"],
                            check_mode=module.check_mode, wait_for_health=p["wait_for_health"],
                            log_lines=p["log_lines"])
    try:
        result = deployment.run()
    except VSatelliteError as e:
        details = dict(e.details)
        details.setdefault("changed", False)
        module.fail_json(msg=e.message, error_code=e.code, **details)
    module.exit_json(**result)


if __name__ == "__main__":
    main()

#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, ngts.vsatellite contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: vsatellite_info
short_description: Whether a VSatellite is installed on a host, its settings, health and log errors
version_added: 0.1.0
description:
  - Tells whether a VSatellite is installed on the host, with the settings it was installed with (never a
    secret), its local health, and the error lines of its log since it last started.
  - The installer accepts wrong HSM values and the VSatellite then runs Unhealthy (R5); its log is where the
    reason is, and this module brings it back.
author:
  - NGTS VSatellite team (@ngts-vsatellite)
extends_documentation_fragment:
  - ngts.vsatellite.installer
  - ansible.builtin.action_common_attributes
  - ngts.vsatellite.attributes.info_module
options: {}
"""

EXAMPLES = r"""
- name: Is the VSatellite healthy, and if not, why?
  ngts.vsatellite.vsatellite_info:
  register: vsat

- name: Say why
  ansible.builtin.debug:
    msg: "{{ vsat.log_errors }}"
  when: vsat.installed and not vsat.health.healthy
"""

RETURN = r"""
installed:
  description: Whether a VSatellite is installed in O(install_dir).
  returned: always
  type: bool
edge_instance_id:
  description: Its id in the tenant.
  returned: when installed
  type: str
name:
  description: The name it registered with.
  returned: when installed
  type: str
api_url:
  description: The tenant API it talks to.
  returned: when installed
  type: str
dek_protection:
  description: C(hsm) or C(software).
  returned: when installed
  type: str
hsm:
  description: The HSM settings it was installed with (C(client_path), C(lib_path), C(config_path),
    C(partition_label), C(partition_serial_number)); null in software mode. Never the PIN.
  returned: when installed
  type: dict
health:
  description: C(healthy), C(hsm_status), C(reason), C(running), C(checked_at), C(dek_fingerprint), from the VSatellite itself.
  returned: when installed
  type: dict
log_errors:
  description: The error lines of its log since it last started.
  returned: when installed
  type: list
  elements: str
log:
  description: The VSatellite's runtime log.
  returned: when installed
  type: str
install_log:
  description: The installer's log.
  returned: when installed
  type: str
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.ngts.vsatellite.plugins.module_utils._errors import VSatelliteError
from ansible_collections.ngts.vsatellite.plugins.module_utils._installer import (
    DEFAULT_INSTALL_DIR, DEFAULT_INSTALLER, Installer)
from ansible_collections.ngts.vsatellite.plugins.module_utils._vsatellite import describe


def main():
    module = AnsibleModule(
        argument_spec=dict(
            installer_path=dict(type="path", default=DEFAULT_INSTALLER),
            install_dir=dict(type="path", default=DEFAULT_INSTALL_DIR),
            log_lines=dict(type="int", default=20),
        ),
        supports_check_mode=True,
    )
    installer = Installer(module.params["installer_path"], module.params["install_dir"])
    try:
        installer.check_present()
        status = installer.status()
    except VSatelliteError as e:
        module.fail_json(msg=e.message, error_code=e.code)
    if not status.get("installed"):
        module.exit_json(changed=False, installed=False)
    module.exit_json(changed=False, **describe(status, module.params["log_lines"]))


if __name__ == "__main__":
    main()

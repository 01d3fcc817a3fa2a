#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, ngts.vsatellite contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: tenant_vsatellite_info
short_description: List a tenant's VSatellites, their health and the tenant's DEK mode
version_added: 0.1.0
description:
  - Lists every VSatellite of the tenant, including those no inventory knows about, with its
    C(edgeStatus) and C(hsmStatus), over the tenant API.
  - Tells the tenant's DEK protection mode as seen from its VSatellites (R3), which can only change
    once every VSatellite has been removed.
author:
  - NGTS VSatellite team (@ngts-vsatellite)
extends_documentation_fragment:
  - ngts.vsatellite.tenant_api
  - ansible.builtin.action_common_attributes
  - ngts.vsatellite.attributes.info_module
options:
  names:
    description: Only the VSatellites with these names. The tenant's DEK mode is still computed from all of them.
    type: list
    elements: str
  environment_id:
    description: Only the VSatellites of this environment.
    type: str
"""

EXAMPLES = r"""
- name: What does the tenant have?
  ngts.vsatellite.tenant_vsatellite_info:
    api_url: https://api.eu.venafi.cloud
    api_key: "{{ vault_tenant_api_key }}"
  delegate_to: localhost
  run_once: true
  register: tenant

- name: Refuse to deploy in HSM mode into a software-mode tenant (R3)
  ansible.builtin.assert:
    that: tenant.dek_mode in ['none', 'hsm']
    fail_msg: "The tenant's VSatellites use the {{ tenant.dek_mode }} DEK mode"
"""

RETURN = r"""
vsatellites:
  description: The VSatellites (all of them, or those named by O(names)).
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: The edge instance id.
      type: str
    name:
      description: Its name.
      type: str
    address:
      description: The address it reported.
      type: str
    edge_status:
      description: C(ACTIVE), C(UNHEALTHY), C(LOST_CONNECTION), C(INSTALLED) and the other C(edgeStatus) values.
      type: str
    hsm_status:
      description: C(HSM_HEALTHY), C(HSM_ERROR), C(HSM_LOST_CONNECTION), or C(HSM_NOT_CONFIGURED) (software DEK mode).
      type: str
    dek_mode:
      description: C(hsm) or C(software), from RV(vsatellites[].hsm_status).
      type: str
    encryption_key_id:
      description: The id of its encryption key.
      type: str
    environment_id:
      description: Its environment.
      type: str
    last_seen:
      description: When it last reported, ISO-8601.
      type: str
    deployment_date:
      description: When it was deployed, ISO-8601.
      type: str
    version:
      description: Its version.
      type: str
    last_backup:
      description: >-
        When the DEK was last exported (C(vsatctl export), software DEK mode only), as the tenant records it on the
        VSatellite's encryption key; null when never. In software mode the DEK lives on the VSatellites only (R13).
      type: str
dek_mode:
  description: >-
    The tenant's DEK protection mode as seen from all its VSatellites: C(none) (no VSatellite, the next one
    chooses), C(software), C(hsm), C(mixed) (should never happen), or C(unknown) (none has reported yet).
  returned: always
  type: str
  sample: hsm
count:
  description: How many VSatellites the tenant has, whatever O(names) says.
  returned: always
  type: int
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.ngts.vsatellite.plugins.module_utils._tenant_api import (
    TenantApiError, client_from_module, tenant_api_argument_spec, tenant_dek_mode)


def main():
    spec = tenant_api_argument_spec()
    spec.update(names=dict(type="list", elements="str"), environment_id=dict(type="str"))
    module = AnsibleModule(argument_spec=spec, supports_check_mode=True)
    client = client_from_module(module)
    try:
        every = client.vsatellites(environment_id=module.params["environment_id"])
    except TenantApiError as e:
        module.fail_json(msg=e.message, status=e.status)
    names = module.params["names"]
    module.exit_json(changed=False, vsatellites=[v for v in every if not names or v["name"] in names],
                     dek_mode=tenant_dek_mode(every), count=len(every))


if __name__ == "__main__":
    main()

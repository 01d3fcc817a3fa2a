#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, ngts.vsatellite contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: tenant_pairing_code
short_description: Create a pairing code for installing VSatellites
version_added: 0.1.0
description:
  - Creates a VSatellite pairing code over the tenant API, usable O(reuse_count) times within O(lifetime)
    minutes, for M(ngts.vsatellite.vsatellite) to install with.
  - The code is a secret. The module's action plugin marks its result C(no_log), so Ansible shows none of it,
    at any verbosity, while C(register) still gives the code to the next task. Pass it on only in O(ngts.vsatellite.vsatellite#module:pairing_code).
  - Every run creates a new code, so the module always reports a change (check mode creates none).
author:
  - NGTS VSatellite team (@ngts-vsatellite)
extends_documentation_fragment:
  - ngts.vsatellite.tenant_api
  - ansible.builtin.action_common_attributes
  - ngts.vsatellite.attributes.posix
attributes:
  check_mode:
    support: full
    details: Nothing is created; RV(pairing_code) is null.
  diff_mode:
    support: none
options:
  reuse_count:
    description: How many VSatellites may pair with the code. Size it to the hosts being installed.
    type: int
    default: 1
  lifetime:
    description: Minutes the code stays valid. Keep it short, it only needs to outlive the rollout.
    type: int
    default: 60
  environment_id:
    description: The environment the VSatellites join; the tenant's first environment when not given.
    type: str
"""

EXAMPLES = r"""
- name: A pairing code for this rollout
  ngts.vsatellite.tenant_pairing_code:
    reuse_count: "{{ ansible_play_hosts | length }}"
    lifetime: 30
  delegate_to: localhost
  run_once: true
  register: pairing

- name: Install with it
  ngts.vsatellite.vsatellite:
    pairing_code: "{{ pairing.pairing_code }}"
    accept_license_agreement: true
"""

RETURN = r"""
pairing_code:
  description: The code. A secret; null in check mode.
  returned: always
  type: str
id:
  description: The pairing code's id (not secret).
  returned: success
  type: str
reuse_count:
  description: How many times it can be used.
  returned: success
  type: int
expiration_date:
  description: When it stops working, ISO-8601.
  returned: success
  type: str
environment_id:
  description: The environment it pairs into.
  returned: success
  type: str
"""

import datetime

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.ngts.vsatellite.plugins.module_utils._tenant_api import (
    TenantApiError, client_from_module, tenant_api_argument_spec)


def main():
    spec = tenant_api_argument_spec()
    spec.update(reuse_count=dict(type="int", default=1), lifetime=dict(type="int", default=60),
                environment_id=dict(type="str"))
    module = AnsibleModule(argument_spec=spec, supports_check_mode=True)
    p = module.params
    if p["reuse_count"] < 1:
        module.fail_json(msg="reuse_count %d must be 1 or more: the number of VSatellites to pair" % p["reuse_count"])
    if not 1 <= p["lifetime"] <= 7 * 24 * 60:
        module.fail_json(msg="lifetime %d must be between 1 and 10080 minutes (a week)" % p["lifetime"])
    client = client_from_module(module)
    expires = datetime.datetime.utcnow() + datetime.timedelta(minutes=p["lifetime"])
    expiration = expires.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    if module.check_mode:
        module.exit_json(changed=True, pairing_code=None, expiration_date=expiration, reuse_count=p["reuse_count"])
    try:
        code = client.create_pairing_code(p["environment_id"], p["reuse_count"], expiration)
    except TenantApiError as e:
        module.fail_json(msg=e.message, status=e.status)
    # The code is a secret: the action plugin of the same name hides this result from every
    # callback; register still carries it.
    module.exit_json(changed=True, pairing_code=code["pairingCode"], id=code.get("id"),
                     reuse_count=code.get("reuseCount"), expiration_date=code.get("expirationDate"),
                     environment_id=code.get("environmentId"))


if __name__ == "__main__":
    main()

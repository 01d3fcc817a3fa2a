#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, ngts.vsatellite contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: tenant_vsatellite
short_description: Delete or rename a VSatellite in the tenant
version_added: 0.1.0
description:
  - Deletes a VSatellite from the tenant (O(state=absent)), or renames it (O(new_name)), over the tenant API.
  - Deleting a VSatellite from the tenant is what the DEK mode switch waits for (R3); uninstalling it from its
    host (M(ngts.vsatellite.vsatellite) with O(ngts.vsatellite.vsatellite#module:state=absent)) is not enough.
  - It never touches the DEK, which lives in the HSM partition (R10, R11).
author:
  - NGTS VSatellite team (@ngts-vsatellite)
extends_documentation_fragment:
  - ngts.vsatellite.tenant_api
  - ansible.builtin.action_common_attributes
  - ngts.vsatellite.attributes.posix
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
options:
  id:
    description: The edge instance id. One of O(id) and O(name) is required.
    type: str
  name:
    description: The VSatellite's name. More than one VSatellite with the name is an error that lists their ids.
    type: str
  state:
    description:
      - C(absent) deletes it; deleting one that is not there changes nothing.
      - C(present) makes sure it exists, and renames it to O(new_name) when given.
    type: str
    choices: [present, absent]
    default: present
  new_name:
    description: The name to give it (O(state=present)).
    type: str
"""

EXAMPLES = r"""
- name: Name each instance after its host
  ngts.vsatellite.tenant_vsatellite:
    id: "{{ vsat.edge_instance_id }}"
    new_name: "{{ inventory_hostname }}"
  delegate_to: localhost

- name: Delete a VSatellite that was uninstalled
  ngts.vsatellite.tenant_vsatellite:
    name: old-host-17
    state: absent
  delegate_to: localhost
"""

RETURN = r"""
vsatellite:
  description: The VSatellite as it is now (null once deleted, or when it was not there).
  returned: always
  type: dict
  contains:
    id:
      description: The edge instance id.
      type: str
    name:
      description: Its name.
      type: str
    edge_status:
      description: Its C(edgeStatus).
      type: str
    hsm_status:
      description: Its C(hsmStatus).
      type: str
deleted:
  description: The id of the VSatellite deleted, when one was (or would be, in check mode).
  returned: when O(state=absent)
  type: str
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.ngts.vsatellite.plugins.module_utils._tenant_api import (
    TenantApiError, client_from_module, summarize, tenant_api_argument_spec)


def find(module, client):
    """The VSatellite named by id or name, or None."""
    p = module.params
    if p["id"]:
        try:
            inst = client.instance(p["id"])
        except TenantApiError as e:
            if e.status == 404:
                return None
            raise
        if p["name"] and inst.get("name") != p["name"]:
            module.fail_json(msg="id %s is the VSatellite named %r, not %r; give one of id and name, or both "
                                 "that agree" % (p["id"], inst.get("name"), p["name"]))
        return inst
    matches = [i for i in client.instances() if i.get("name") == p["name"]]
    if len(matches) > 1:
        module.fail_json(msg="%d VSatellites are named %r (ids %s); give the id of the one you mean"
                             % (len(matches), p["name"], ", ".join(i["id"] for i in matches)),
                         ids=[i["id"] for i in matches])
    return client.instance(matches[0]["id"]) if matches else None


def describe(inst):
    if inst is None:
        return None
    health = ((inst.get("statusDetails") or {}).get("healthDetails") or [{}])[0]
    return summarize(inst, health.get("hsmStatus"))


def main():
    spec = tenant_api_argument_spec()
    spec.update(id=dict(type="str"), name=dict(type="str"), new_name=dict(type="str"),
                state=dict(type="str", choices=["present", "absent"], default="present"))
    module = AnsibleModule(argument_spec=spec, supports_check_mode=True, required_one_of=[("id", "name")])
    p = module.params
    if p["state"] == "absent" and p["new_name"]:
        module.fail_json(msg="new_name %r goes with state=present; a VSatellite being deleted is not renamed"
                             % p["new_name"])
    if p["new_name"] is not None and not p["new_name"].strip():
        module.fail_json(msg="new_name is empty; give the name the VSatellite should have")
    client = client_from_module(module)
    try:
        inst = find(module, client)
        before = describe(inst)
        if p["state"] == "absent":
            if inst is None:
                module.exit_json(changed=False, vsatellite=None, deleted=None)
            if not module.check_mode:
                client.delete(inst["id"])
            module.exit_json(changed=True, vsatellite=None, deleted=inst["id"],
                             diff=dict(before=before, after={}))
        if inst is None:
            module.fail_json(msg="no VSatellite %s in the tenant; it is installed by the vsatellite module, not "
                                 "created here" % ("with id %s" % p["id"] if p["id"] else "named %r" % p["name"]))
        if p["new_name"] is None or inst.get("name") == p["new_name"]:
            module.exit_json(changed=False, vsatellite=before)
        after = dict(before, name=p["new_name"])
        if not module.check_mode:
            after = describe(dict(client.rename(inst["id"], p["new_name"]), statusDetails=inst.get("statusDetails")))
        module.exit_json(changed=True, vsatellite=after, diff=dict(before=before, after=after))
    except TenantApiError as e:
        module.fail_json(msg=e.message, status=e.status)


if __name__ == "__main__":
    main()

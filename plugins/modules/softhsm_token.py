#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, ngts.vsatellite contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: softhsm_token
short_description: Make a SoftHSM2 token (a partition for development and test) when none has the label
version_added: 0.1.0
description:
  - Makes a SoftHSM2 token with C(softhsm2-util --init-token --free), answering its PIN prompts on a
    pseudo-terminal, so that neither PIN is ever in a command line or an environment.
  - A token that already has the label is left as it is, PINs and keys included; the module never
    re-initialises or deletes a token, since that would destroy its DEK (R11).
  - SoftHSM2 is for development and test only (R1); production partitions live on a Luna Network HSM 7
    and are made by its administrators.
author:
  - NGTS VSatellite team (@ngts-vsatellite)
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
  diff_mode:
    support: none
  platform:
    platforms: posix
options:
  label:
    description: The token's label (the partition label the VSatellites are given).
    type: str
    required: true
  pin:
    description: The user PIN of a new token. Not used, and not checked, when the token exists.
    type: str
    required: true
  so_pin:
    description: The security officer PIN of a new token. Not used when the token exists.
    type: str
    required: true
  config_path:
    description: The C(softhsm2.conf) that names the token directory.
    type: path
    default: /etc/softhsm/softhsm2.conf
  lib_path:
    description: The SoftHSM2 PKCS#11 library, used to look for the token.
    type: path
    default: /usr/lib/softhsm/libsofthsm2.so
requirements:
  - python-pkcs11
  - softhsm2-util (Debian package softhsm2)
"""

EXAMPLES = r"""
- name: A SoftHSM partition for a test fleet
  ngts.vsatellite.softhsm_token:
    label: vsat-dek
    pin: "{{ vault_partition_pin }}"
    so_pin: "{{ vault_partition_so_pin }}"
"""

RETURN = r"""
token:
  description: The token's label and serial number (null in check mode when it would be made).
  returned: success
  type: dict
  sample: {label: vsat-dek, serial_number: 1f3c5a7e9b2d4c6e}
"""

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.ngts.vsatellite.plugins.module_utils import _pkcs11_library
from ansible_collections.ngts.vsatellite.plugins.module_utils._errors import VSatelliteError
from ansible_collections.ngts.vsatellite.plugins.module_utils._softhsm_token import SoftHsmToken


def main():
    module = AnsibleModule(
        argument_spec=dict(
            label=dict(type="str", required=True),
            pin=dict(type="str", required=True, no_log=True),
            so_pin=dict(type="str", required=True, no_log=True),
            config_path=dict(type="path", default="/etc/softhsm/softhsm2.conf"),
            lib_path=dict(type="path", default="/usr/lib/softhsm/libsofthsm2.so"),
        ),
        supports_check_mode=True,
    )
    if not _pkcs11_library.HAS_PKCS11:
        module.fail_json(msg=missing_required_lib(_pkcs11_library.REQUIRED_LIB),
                         exception=_pkcs11_library.PKCS11_IMPORT_ERROR)
    label = module.params["label"]
    if not label.strip() or len(label) > 32:
        module.fail_json(msg="label %r is not a SoftHSM token label; give 1 to 32 characters" % label)
    token = SoftHsmToken(module.params["lib_path"], module.params["config_path"], label,
                         module.params["pin"], module.params["so_pin"])
    try:
        changed, found = token.ensure(check_mode=module.check_mode)
    except VSatelliteError as e:
        module.fail_json(msg=e.message, error_code=e.code)
    module.exit_json(changed=changed, token=found)


if __name__ == "__main__":
    main()

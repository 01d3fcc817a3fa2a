#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, ngts.vsatellite contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: hsm_partition_info
short_description: Probe the HSM partition of a VSatellite and the DEK it holds
version_added: 0.1.0
description:
  - Finds the partition a VSatellite will use by label (and serial number), logs in to it once with the
    partition PIN over PKCS#11, and describes the tenant's Data Encryption Key (DEK) found by label.
  - All VSatellites of a tenant must use the same partition (R9); compare RV(partition.serial_number) and
    RV(dek.fingerprint) across hosts to prove it before installing.
  - The probe never retries a login and does not try one when the partition's flags say it is locked or the
    next wrong PIN would lock it (R14). It opens a read-only session and changes nothing.
  - "No DEK is not an error: RV(dek.present) is false and the next VSatellite installed would generate it (R6)."
  - "Before the library is loaded, the probe refuses to hand the PIN to anything that could capture it: an
    empty PIN (it would still count as a wrong one, R14), a library that someone other than root could
    replace (R12), a Luna configuration with the PKCS#11 call logger enabled."
  - "Failures carry an RV(error_code): C(PARTITION_NOT_FOUND), C(PARTITION_AMBIGUOUS), C(PIN_INCORRECT),
    C(PIN_EMPTY), C(PIN_LOCKED), C(PIN_NOT_INITIALIZED), C(LIBRARY_LOAD_FAILED), C(LIB_UNSAFE_PERMISSIONS),
    C(PKCS11_CALL_LOGGER_ENABLED), C(CONFIG_MISSING), C(CONFIG_INVALID), C(HSM_UNREACHABLE), C(HSM_ERROR),
    C(DEK_DUPLICATE), C(DEK_NOT_PROTECTED), C(DEK_INVALID)."
  - Run it on ONE host first (C(run_once)), and on the others only once that login succeeded, so that a wrong
    PIN never reaches the partition from many hosts at once (R14). The O(pin)'s USER_PIN_FINAL_TRY guard is
    per host and cannot stop a burst of parallel logins.
author:
  - NGTS VSatellite team (@ngts-vsatellite)
extends_documentation_fragment:
  - ngts.vsatellite.hsm
  - ansible.builtin.action_common_attributes
  - ngts.vsatellite.attributes.info_module
options:
  partition_label:
    description:
      - Label of the partition (PKCS#11 token) that holds the DEK, as given to the installer's
        C(--partition-label). Trailing blanks, the PKCS#11 padding, are ignored.
    type: str
    required: true
  partition_serial_number:
    description:
      - Serial number of the partition, as given to the installer's C(--partition-serial-number).
        Needed only when several partitions share the label.
    type: str
  pin:
    description:
      - The partition PIN (the Crypto Officer's, for Luna). It is never logged, returned or retried.
    type: str
    required: true
  dek_label:
    description: Label of the VSatellite DEK in the partition.
    type: str
    default: vsatellite-dek
"""

EXAMPLES = r"""
# R14: the PIN is tried on one host first; the rest follow only if it was right.
- name: Probe the partition from the first host
  ngts.vsatellite.hsm_partition_info: &probe
    lib_path: /usr/safenet/lunaclient/lib/libCryptoki2.so
    config_path: /etc/Chrystoki.conf
    partition_label: vsat-dek
    partition_serial_number: "1234567890"
    pin: "{{ vault_vsatellite_partition_pin }}"
  register: first_probe
  run_once: true

- name: Probe it from every other host
  ngts.vsatellite.hsm_partition_info: *probe
  register: probe
  when: inventory_hostname != ansible_play_hosts[0]

- name: Every host must see the same DEK (R9)
  ansible.builtin.assert:
    that:
      - (probe.dek | default(first_probe.dek)).fingerprint == first_probe.dek.fingerprint
"""

RETURN = r"""
partition:
  description: The partition that matched; null when none did.
  returned: always
  type: dict
  contains:
    label:
      description: Its label, without padding.
      type: str
    serial_number:
      description: Its serial number.
      type: str
    slot_id:
      description: The PKCS#11 slot it is in on this host. Slot numbers differ between hosts and restarts; never rely on them.
      type: int
    manufacturer_id:
      description: The token's manufacturer.
      type: str
    model:
      description: The token's model.
      type: str
    pin_flags:
      description: >-
        The user PIN flags read before logging in: C(user_pin_initialized), C(user_pin_count_low),
        C(user_pin_final_try), C(user_pin_locked), C(user_pin_to_be_changed).
      type: dict
  sample:
    label: vsat-dek
    serial_number: 275387431d057846
    slot_id: 486897734
    manufacturer_id: SoftHSM project
    model: SoftHSM v2
    pin_flags: {user_pin_initialized: true, user_pin_count_low: false, user_pin_final_try: false,
                user_pin_locked: false, user_pin_to_be_changed: false}
dek:
  description: The DEK found by O(dek_label); null when the probe stopped before looking.
  returned: always
  type: dict
  contains:
    label:
      description: O(dek_label).
      type: str
    present:
      description: Whether a secret key with that label exists.
      type: bool
    count:
      description: How many secret keys have that label; more than one is C(DEK_DUPLICATE).
      type: int
    key_type:
      description: C(AES) for a DEK a VSatellite generated.
      type: str
    key_length:
      description: Key length in bits (256 for a VSatellite DEK).
      type: int
    sensitive:
      description: CKA_SENSITIVE.
      type: bool
    extractable:
      description: CKA_EXTRACTABLE.
      type: bool
    never_extractable:
      description: CKA_NEVER_EXTRACTABLE, null when the HSM does not report it.
      type: bool
    always_sensitive:
      description: CKA_ALWAYS_SENSITIVE, null when the HSM does not report it.
      type: bool
    id:
      description: CKA_ID, in hex.
      type: str
    check_value:
      description: The key check value (3 bytes, hex), CKA_CHECK_VALUE or computed in the HSM. Not secret.
      type: str
    fingerprint:
      description: >-
        A non-secret name of the key derived from its type, CKA_ID and check value: equal on every host
        that sees the same key, different for another key.
      type: str
    ids:
      description: The CKA_ID (hex) of each key that has the label, when there is more than one (C(DEK_DUPLICATE)).
      type: list
      elements: str
      returned: when O(dek_label) names more than one key
  sample:
    label: vsatellite-dek
    present: true
    count: 1
    key_type: AES
    key_length: 256
    sensitive: true
    extractable: false
    never_extractable: true
    always_sensitive: true
    id: 9f3c2a
    check_value: 555c73
    fingerprint: sha256:3b1f0c9e8d7a6b5c4d3e2f1a0b9c8d7e
error_code:
  description: The failure's code.
  returned: failure
  type: str
  sample: PIN_INCORRECT
visible_partitions:
  description: The partitions (C(label), C(serial_number)) this host sees, to choose from.
  returned: when the error is C(PARTITION_NOT_FOUND)
  type: list
  elements: dict
serial_numbers:
  description: The serial numbers of the partitions that share O(partition_label).
  returned: when the error is C(PARTITION_AMBIGUOUS)
  type: list
  elements: str
"""

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.ngts.vsatellite.plugins.module_utils import _pkcs11_library
from ansible_collections.ngts.vsatellite.plugins.module_utils._errors import VSatelliteError
from ansible_collections.ngts.vsatellite.plugins.module_utils._hsm_partition import DEFAULT_DEK_LABEL, PartitionProbe


def main():
    module = AnsibleModule(
        argument_spec=dict(
            lib_path=dict(type="path", required=True),
            config_path=dict(type="path"),
            partition_label=dict(type="str", required=True),
            partition_serial_number=dict(type="str"),
            pin=dict(type="str", required=True, no_log=True),
            dek_label=dict(type="str", default=DEFAULT_DEK_LABEL),
        ),
        supports_check_mode=True,
    )
    if not _pkcs11_library.HAS_PKCS11:
        module.fail_json(msg=missing_required_lib(_pkcs11_library.REQUIRED_LIB),
                         exception=_pkcs11_library.PKCS11_IMPORT_ERROR)
    for name in ("partition_label", "dek_label"):
        if not module.params[name].strip():
            module.fail_json(msg="%s is empty; give the label exactly as the HSM shows it" % name)

    probe = PartitionProbe(
        lib_path=module.params["lib_path"],
        config_path=module.params["config_path"],
        partition_label=module.params["partition_label"],
        partition_serial_number=module.params["partition_serial_number"],
        pin=module.params["pin"],
        dek_label=module.params["dek_label"],
    )
    try:
        result = probe.run()
    except VSatelliteError as e:
        for warning in probe.warnings:
            module.warn(warning)
        module.fail_json(msg=e.message, error_code=e.code, **e.details)
    for warning in probe.warnings:
        module.warn(warning)
    module.exit_json(changed=False, **result)


if __name__ == "__main__":
    main()

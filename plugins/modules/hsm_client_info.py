#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, ngts.vsatellite contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: hsm_client_info
short_description: Check an HSM client installation before a VSatellite uses it
version_added: 0.1.0
description:
  - Checks the HSM client software on a VSatellite host (rules R2, R4, R5 and R12 of the product) and
    reports every problem in one run, each with a code and a message that names the parameter, its value
    and the fix.
  - The VSatellite installer accepts wrong HSM values and leaves an Unhealthy VSatellite, so run this
    module on every host before installing.
  - The library is read and checked (ELF header, architecture, C(C_GetFunctionList) export, SHA-256,
    permissions) before it is loaded; one that fails the integrity or permission checks is never loaded.
  - "Problem codes: C(CLIENT_PATH_MISSING), C(LIB_MISSING), C(LIB_NOT_PKCS11), C(LIB_SHA256_MISMATCH),
    C(LIB_UNSAFE_PERMISSIONS), C(CONFIG_MISSING), C(CONFIG_INVALID), C(CONFIG_LIB_MISMATCH),
    C(CLIENT_KEY_UNSAFE_PERMISSIONS), C(PKCS11_CALL_LOGGER_ENABLED), C(SOFTHSM_NOT_ALLOWED),
    C(VENDOR_UNSUPPORTED), C(HSM_UNREACHABLE)."
  - The module fails, listing every problem, when any is found.
  - "O(config_path) is needed in practice (the installer's C(--hsm-config)); without it the result has the
    problem C(CONFIG_MISSING)."
  - "For Luna, O(client_path) must hold C(bin/lunacm) and C(bin/vtl), and C(Chrystoki.conf) must set up a
    network HSM: a C(LunaSA Client) section with a server, the client's certificate, its private key (root's
    alone) and the HSM's CA."
  - "A partition served over the network by C(p11-kit server) is reached through p11-kit's RPC client
    (O(lib_path) C(p11-kit-client.so)). That library is a transport, not a vendor: the vendor is the one the
    served partitions report (C(C_GetTokenInfo), no login), and O(config_path) is a p11-kit module file whose
    C(remote: unix:path=SOCKET) line names the server. A missing socket, or a server that serves no
    partition, is C(HSM_UNREACHABLE)."
  - "The p11-kit transport is a development and test stand-in for a network HSM, allowed only with
    O(allow_softhsm): the server reports its own vendor and O(lib_sha256) can only pin the RPC client (R1,
    R12). p11-kit-client.so reads no file; the collection (and the project's installer simulator) turn the
    C(remote:) line into C(P11_KIT_SERVER_ADDRESS) when they load it."
author:
  - NGTS VSatellite team (@ngts-vsatellite)
extends_documentation_fragment:
  - ngts.vsatellite.hsm
  - ansible.builtin.action_common_attributes
  - ngts.vsatellite.attributes.info_module
options:
  client_path:
    description:
      - Directory where the HSM vendor's client software is installed, as given to the installer's
        C(--hsm-client-path).
      - Thales Luna C(/usr/safenet/lunaclient); SoftHSM C(/usr/lib/softhsm) or C(/usr/local/lib/softhsm).
    type: path
    required: true
  lib_sha256:
    description:
      - Expected SHA-256 of the PKCS#11 library, in hex. When given, a library with another digest is
        C(LIB_SHA256_MISMATCH) and is not loaded (R12, integrity of the PKCS#11 library).
    type: str
  allow_softhsm:
    description:
      - SoftHSM2 is supported for development and test only (R1). Unless this is true, a SoftHSM library,
        or p11-kit's RPC client, is the problem C(SOFTHSM_NOT_ALLOWED).
    type: bool
    default: false
"""

EXAMPLES = r"""
- name: Check the Luna client on every VSatellite host
  ngts.vsatellite.hsm_client_info:
    client_path: /usr/safenet/lunaclient
    lib_path: /usr/safenet/lunaclient/lib/libCryptoki2.so
    config_path: /etc/Chrystoki.conf
    lib_sha256: "{{ luna_library_sha256 }}"
  register: hsm_client

- name: Check a partition served by p11-kit server (here SoftHSM, on a test fleet)
  ngts.vsatellite.hsm_client_info:
    client_path: /usr/lib/x86_64-linux-gnu/pkcs11
    lib_path: /usr/lib/x86_64-linux-gnu/pkcs11/p11-kit-client.so
    # p11-kit-remote.module holds the line "remote: unix:path=/run/p11-kit/pkcs11"
    config_path: /etc/pkcs11/modules/p11-kit-remote.module
    allow_softhsm: true

- name: Check SoftHSM on a test fleet
  ngts.vsatellite.hsm_client_info:
    client_path: /usr/lib/softhsm
    lib_path: /usr/lib/softhsm/libsofthsm2.so
    config_path: /etc/softhsm/softhsm2.conf
    allow_softhsm: true
"""

RETURN = r"""
vendor:
  description: C(luna) or C(softhsm); null when the library is from another vendor or could not be identified.
  returned: always
  type: str
  sample: luna
vendor_source:
  description: >-
    C(C_GetInfo) when the library itself said who made it; C(C_GetTokenInfo) when the library is a transport
    and the vendor was looked for in the partitions behind it (with none answering, the vendor is null);
    C(layout) when it was not loaded and the vendor is a guess from the file names (no vendor problem is
    raised from a guess); null when unknown.
  returned: always
  type: str
  sample: C_GetInfo
transport:
  description: C(p11-kit) when O(lib_path) is p11-kit's RPC client, which forwards every call to a p11-kit server;
    null for a vendor's own library, and whenever the library was not loaded (C(library.loaded) false).
  returned: always
  type: str
  sample: p11-kit
client_path:
  description: The O(client_path) that was checked.
  returned: always
  type: str
library:
  description: Facts about the PKCS#11 library.
  returned: always
  type: dict
  contains:
    path:
      description: O(lib_path).
      type: str
    realpath:
      description: The file O(lib_path) resolves to.
      type: str
    sha256:
      description: SHA-256 of the file, to pin with O(lib_sha256).
      type: str
    size:
      description: Size in bytes.
      type: int
    mode:
      description: Permission bits, in octal.
      type: str
    owner:
      description: Owner's user name.
      type: str
    elf:
      description: C(machine), C(bits) and C(exports_c_getfunctionlist), read from the file.
      type: dict
    loaded:
      description: >-
        Whether the library was loaded (with O(config_path)) to ask it C(C_GetInfo). It is not loaded when a
        check of the file or of the configuration failed.
      type: bool
    load_skipped:
      description: Why the library was not loaded; null when it was.
      type: str
    info:
      description: The library's C(C_GetInfo) answer (C(manufacturer_id), C(library_description),
        C(library_version), C(cryptoki_version)); null when it was not loaded. For a transport, also
        C(tokens), the partitions it reaches (C(label), C(serial_number), C(manufacturer_id), C(model)).
      type: dict
  sample:
    path: /usr/lib/softhsm/libsofthsm2.so
    realpath: /usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so
    sha256: 0d5e4c0b2f6e1c3a9b8d7f6e5a4c3b2a1f0e9d8c7b6a5f4e3d2c1b0a9f8e7d6c
    size: 891704
    mode: "0644"
    owner: root
    elf: {machine: x86_64, bits: 64, exports_c_getfunctionlist: true}
    loaded: true
    info: {manufacturer_id: SoftHSM, library_description: Implementation of PKCS11,
           library_version: "2.6", cryptoki_version: "2.40"}
config:
  description: >-
    Facts about the configuration file: C(path), C(format) (C(chrystoki), C(softhsm2) or C(p11-kit)); for
    SoftHSM C(tokendir), C(backend), C(log_level); for Luna C(library), C(servers) (C(name), C(port)) and
    C(call_logger_enabled); for p11-kit C(remote).
  returned: always
  type: dict
problems:
  description: Every problem found, each with a C(code) and a C(message). Empty when the client is usable.
  returned: always
  type: list
  elements: dict
  sample:
    - code: LIB_UNSAFE_PERMISSIONS
      message: lib_path '/opt/hsm/libCryptoki2.so' (...) is mode 0666 owned by root; ...
"""

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.ngts.vsatellite.plugins.module_utils import _pkcs11_library
from ansible_collections.ngts.vsatellite.plugins.module_utils._hsm_client import HsmClientInspector


def main():
    module = AnsibleModule(
        argument_spec=dict(
            client_path=dict(type="path", required=True),
            lib_path=dict(type="path", required=True),
            config_path=dict(type="path"),
            lib_sha256=dict(type="str"),
            allow_softhsm=dict(type="bool", default=False),
        ),
        supports_check_mode=True,
    )
    if not _pkcs11_library.HAS_PKCS11:
        module.fail_json(msg=missing_required_lib(_pkcs11_library.REQUIRED_LIB),
                         exception=_pkcs11_library.PKCS11_IMPORT_ERROR)
    sha = module.params["lib_sha256"]
    if sha is not None and not _is_sha256(sha):
        module.fail_json(msg="lib_sha256 %r is not a SHA-256 digest; give the 64 hex digits that "
                             "'sha256sum LIBRARY' prints" % sha)

    result = HsmClientInspector(
        client_path=module.params["client_path"],
        lib_path=module.params["lib_path"],
        config_path=module.params["config_path"],
        lib_sha256=sha,
        allow_softhsm=module.params["allow_softhsm"],
    ).inspect()

    if result["problems"]:
        module.fail_json(
            msg="the HSM client on this host has %d problem(s): %s" % (
                len(result["problems"]), "; ".join("[%s] %s" % (p["code"], p["message"]) for p in result["problems"])),
            **result)
    module.exit_json(changed=False, **result)


def _is_sha256(value):
    return len(value) == 64 and all(c in "0123456789abcdefABCDEF" for c in value)


if __name__ == "__main__":
    main()

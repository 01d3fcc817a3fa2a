# -*- coding: utf-8 -*-
# Copyright (c) 2026, ngts.vsatellite contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):

    # The PKCS#11 library and its configuration, as the VSatellite installer takes them (R4).
    DOCUMENTATION = r"""
options:
  lib_path:
    description:
      - Full path of the HSM vendor's PKCS#11 library on the host, as given to the installer's C(--hsm-lib-path).
      - Thales Luna C(/usr/safenet/lunaclient/lib/libCryptoki2.so);
        SoftHSM C(/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so); for a test partition served by
        C(p11-kit server), p11-kit's RPC client C(/usr/lib/x86_64-linux-gnu/pkcs11/p11-kit-client.so).
    type: path
    required: true
  config_path:
    description:
      - The HSM client's configuration file, as given to the installer's C(--hsm-config).
      - The library is pointed at it the vendor's way, so no environment needs to be set on the host
        (SoftHSM C(SOFTHSM2_CONF); Luna C(ChrystokiConfigurationPath), the directory of a file that must be
        named C(Chrystoki.conf); p11-kit's RPC client C(P11_KIT_SERVER_ADDRESS), from the
        C(remote) line of a p11-kit module file, C(unix:path=SOCKET)).
    type: path
requirements:
  - python-pkcs11 >= 0.10.1 on the managed host
notes:
  - Loading a PKCS#11 library runs its code as the module's user (root for a VSatellite host), so point
    O(lib_path) only at the vendor's library. Neither module loads a library that someone other than root
    could replace; M(ngts.vsatellite.hsm_client_info) also pins its SHA-256 (O(ngts.vsatellite.hsm_client_info#module:lib_sha256)).
"""

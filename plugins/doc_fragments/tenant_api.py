# -*- coding: utf-8 -*-
# Copyright (c) 2026, ngts.vsatellite contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):

    # How the tenant modules reach the tenant API.
    DOCUMENTATION = r"""
options:
  api_url:
    description:
      - The tenant API's URL, for the tenant's region, or the region's short name.
      - C(https://api.venafi.cloud) (C(us)), C(https://api.eu.venafi.cloud) (C(eu)), C(https://api.au.venafi.cloud)
        (C(au)), C(https://api.uk.venafi.cloud) (C(uk)), C(https://api.ca.venafi.cloud) (C(ca)).
      - Falls back to the environment variable E(NGTS_API_URL) on the controller.
    type: str
  api_key:
    description:
      - The tenant's API key, sent in the C(tppl-api-key) header. Never logged or returned.
      - Falls back to the environment variable E(NGTS_API_KEY) on the controller.
    type: str
  validate_certs:
    description: Verify the API's TLS certificate. Leave it on outside a lab.
    type: bool
    default: true
  ca_path:
    description: A PEM bundle of CA certificates to verify the API's certificate with, instead of the system's.
    type: path
  timeout:
    description: Seconds to wait for each answer.
    type: float
    default: 30
  retries:
    description:
      - How many times a call is tried again after a 429, a 5xx, a timeout or a refused connection, with
        exponential back-off (0.5 s, 1 s, 2 s, ..., at most 30 s, longer when the API says C(Retry-After)).
      - A 400, 401, 404 or 412 is never retried; the module fails at once with the API's message.
    type: int
    default: 3
notes:
  - "These modules talk to the API from where they run; run them on the controller (C(delegate_to: localhost))."
"""

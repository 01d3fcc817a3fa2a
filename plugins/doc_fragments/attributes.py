# -*- coding: utf-8 -*-
# Copyright (c) 2026, ngts.vsatellite contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):

    # Use with ansible.builtin.action_common_attributes, which gives the attributes' descriptions.
    POSIX = r"""
options: {}
attributes:
  platform:
    platforms: posix
"""

    INFO_MODULE = r"""
options: {}
attributes:
  check_mode:
    support: full
    details: The module only reads, so it runs in check mode as in a normal run.
  diff_mode:
    support: N/A
    details: The module changes nothing.
  platform:
    platforms: posix
"""

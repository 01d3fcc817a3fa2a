# -*- coding: utf-8 -*-
# Copyright (c) 2026, ngts.vsatellite contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):

    # Where the installer and the VSatellite are on a host.
    DOCUMENTATION = r"""
options:
  installer_path:
    description: The VSatellite installer on the host.
    type: path
    default: /usr/local/bin/vsatctl
  install_dir:
    description: Where the VSatellite is installed (the installer's C(--install-dir)).
    type: path
    default: /opt/vsatellite
  log_lines:
    description: At most this many error lines of the VSatellite's log are returned in RV(log_errors).
    type: int
    default: 20
notes:
  - The installer's C(status) subcommand, its exit codes and its log paths are not public for the real product;
    the defaults are those of the project's simulator and can be overridden.
"""

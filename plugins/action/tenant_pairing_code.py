# -*- coding: utf-8 -*-
# Copyright (c) 2026, ngts.vsatellite contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Run tenant_pairing_code and hide its result from every callback, at any verbosity.

A module cannot mark its own result no_log (Ansible strips _ansible_no_log from module returns),
but an action plugin can: the pairing code is a secret, yet register must still carry it.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.plugins.action import ActionBase


class ActionModule(ActionBase):

    _VALID_ARGS = frozenset()  # the module validates its own arguments

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        result.update(self._execute_module(module_name="ngts.vsatellite.tenant_pairing_code",
                                           module_args=self._task.args, task_vars=task_vars))
        if result.get("pairing_code"):
            result["_ansible_no_log"] = True
        return result

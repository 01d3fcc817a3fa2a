# -*- coding: utf-8 -*-
# Copyright (c) 2026, ngts.vsatellite contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A SoftHSM2 token (a partition, for development and test), made once and then left alone.

The token is made by ``softhsm2-util --init-token``, whose PIN prompts are answered on a pty: the PINs are
never in its argv or environment. An existing token is never re-initialised, since that would destroy the
keys it holds (a DEK among them, R11); it is found by label (SoftHSM renumbers slots).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

from ansible_collections.ngts.vsatellite.plugins.module_utils import _pkcs11_library
from ansible_collections.ngts.vsatellite.plugins.module_utils._errors import VSatelliteError
from ansible_collections.ngts.vsatellite.plugins.module_utils._hsm_partition import list_partitions
from ansible_collections.ngts.vsatellite.plugins.module_utils._pty import PromptError, run_with_pty

SOFTHSM_UTIL = "softhsm2-util"
# softhsm2-util's prompts, in the order it asks them.
PROMPTS = (r"enter SO PIN", r"reenter SO PIN", r"enter user PIN", r"reenter user PIN")
MIN_PIN, MAX_PIN = 4, 255  # what softhsm2-util accepts; out of range, it asks again (and would wait forever)


class SoftHsmToken:
    def __init__(self, lib_path, config_path, label, pin, so_pin, util=SOFTHSM_UTIL):
        self.lib_path = lib_path
        self.config_path = config_path
        self.label = label
        self._pin = pin
        self._so_pin = so_pin
        self.util = util

    def find(self):
        """The tokens labelled ``label``: [{label, serial_number}]."""
        with _pkcs11_library.loaded_library(self.lib_path, self.config_path) as lib:
            return [{"label": label, "serial_number": serial}
                    for dummy, dummy_token, label, serial in list_partitions(lib)[1] if label == self.label]

    def ensure(self, check_mode=False):
        """(changed, token); VSatelliteError when the label is ambiguous or the token cannot be made."""
        found = self.find()
        if len(found) > 1:
            raise VSatelliteError("PARTITION_AMBIGUOUS", "label %r names %d SoftHSM tokens (%s); give each token "
                                  "a label of its own" % (self.label, len(found),
                                                          ", ".join(t["serial_number"] for t in found)))
        if found:
            return False, found[0]
        if check_mode:
            return True, {"label": self.label, "serial_number": None}
        for name, value in (("pin", self._pin), ("so_pin", self._so_pin)):
            if not value or not MIN_PIN <= len(value) <= MAX_PIN:
                raise VSatelliteError("PIN_EMPTY", "%s is %d characters long, and SoftHSM takes %d to %d; no token was "
                                                   "made. Give a %s of that length"
                                      % (name, len(value or ""), MIN_PIN, MAX_PIN, name))
        env = dict(os.environ, SOFTHSM2_CONF=self.config_path)
        answers = list(zip(PROMPTS, (self._so_pin, self._so_pin, self._pin, self._pin)))
        try:
            rc, output = run_with_pty([self.util, "--init-token", "--free", "--label", self.label], answers, env=env)
        except OSError as e:
            raise VSatelliteError("TOKEN_INIT_FAILED", "%s could not be run (%s); install the softhsm2 package"
                                  % (self.util, e.strerror))
        except PromptError as e:
            # The message is run_with_pty's, with what it typed masked.
            raise VSatelliteError("TOKEN_INIT_FAILED", "%s --init-token --label %r did not finish: %s"
                                  % (self.util, self.label, e))
        if rc != 0:
            # run_with_pty masks what it typed, so the output holds no PIN.
            raise VSatelliteError("TOKEN_INIT_FAILED", "%s --init-token --label %r failed (exit %d): %s"
                                  % (self.util, self.label, rc, output.strip()[-500:]))
        made = self.find()
        if len(made) != 1:
            raise VSatelliteError("TOKEN_INIT_FAILED", "%s said it made token %r, but %d tokens carry that label"
                                  % (self.util, self.label, len(made)))
        return True, made[0]

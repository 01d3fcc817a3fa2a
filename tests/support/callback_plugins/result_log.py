# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Test callback: every task result, as the callbacks see it, one JSON line each, to $NGTS_TEST_RESULT_LOG."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: result_log
type: aggregate
short_description: Write every task result to a JSON lines file (tests only)
description: Writes every task result, as callbacks see it, to the file named by E(NGTS_TEST_RESULT_LOG).
requirements:
  - enabled in callbacks_enabled
"""

import json
import os

from ansible.plugins.callback import CallbackBase


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "result_log"
    CALLBACK_NEEDS_ENABLED = True

    def _log(self, result, status):
        data = getattr(result, "result", None)
        if data is None:
            data = result._result
        record = {"host": result._host.get_name(), "task": result._task.get_name(), "status": status,
                  "result": data}
        with open(os.environ["NGTS_TEST_RESULT_LOG"], "a") as f:
            f.write(json.dumps(record, default=str) + "\n")

    def v2_runner_on_ok(self, result):
        self._log(result, "ok")

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._log(result, "failed")

    def v2_runner_on_skipped(self, result):
        self._log(result, "skipped")

    def v2_runner_on_unreachable(self, result):
        self._log(result, "unreachable")

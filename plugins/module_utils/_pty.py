# -*- coding: utf-8 -*-
# Copyright (c) 2026, ngts.vsatellite contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Answer a program's terminal prompts through a pseudo-terminal.

Some programs read a secret from the terminal only (the installer's text UI, softhsm2-util), and a
PIN must never be put in argv or the environment: a pty is how both are honoured. The output
returned has every answer masked, so that a caller showing it cannot leak one.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import pty
import re
import select
import subprocess
import time

from ansible_collections.ngts.vsatellite.plugins.module_utils._secrets import mask


class PromptError(RuntimeError):
    pass


def run_with_pty(argv, answers, env=None, timeout=120.0):
    """Run ``argv`` on a pty; answer each (regex, text) prompt in order; return (rc, masked output).

    A prompt is matched against the last line of output only, so that text printed before the
    prompt cannot trigger an answer early.
    """
    secrets = [answer for dummy, answer in answers]
    master, slave = pty.openpty()
    proc = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, env=env, close_fds=True,
                            start_new_session=True)
    os.close(slave)
    output = b""
    pending = list(answers)
    deadline = time.monotonic() + timeout
    try:
        while True:
            if time.monotonic() > deadline:
                proc.kill()
                proc.wait()
                raise PromptError("%s did not finish within %ds; its output so far: %s"
                                  % (argv[0], timeout, mask(output.decode("utf-8", "replace"), secrets)))
            ready = select.select([master], [], [], 0.2)[0]
            if ready:
                try:
                    chunk = os.read(master, 4096)
                except OSError:  # EIO: the child closed the terminal
                    chunk = b""
                if not chunk:
                    break
                output += chunk
                while pending and re.search(pending[0][0].encode(), output.split(b"\n")[-1]):
                    os.write(master, pending.pop(0)[1].encode() + b"\n")
                    output += b"\n"
            elif proc.poll() is not None:
                break
    finally:
        os.close(master)
    try:
        rc = proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        # Its text holds the whole argv: never let it out; say what happened in our own words.
        proc.kill()
        proc.wait()
        raise PromptError("%s closed its terminal but did not exit within %ds; it was killed" % (argv[0], timeout))
    return rc, mask(output.decode("utf-8", "replace"), secrets)

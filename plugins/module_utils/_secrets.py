# -*- coding: utf-8 -*-
# Copyright (c) 2026, ngts.vsatellite contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Masking of secrets in text that comes from outside the collection.

The collection never builds a message from a secret, but text it did not write
(the installer's output, the VSatellite's log) may echo one. Such text goes
through ``mask`` before it reaches a result or a warning: the raw secret, and
the forms a program may print it in (JSON- or repr-escaped), are all replaced.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

MASK = "********"


def mask(text, secrets):
    """Return ``text`` with every occurrence of each non-empty secret replaced."""
    if text is None:
        return None
    if not isinstance(text, str):
        text = str(text)
    forms = set()
    for secret in secrets:
        if secret:
            forms.update((secret, json.dumps(secret)[1:-1], repr(secret)[1:-1]))
    # Longest first, so that a secret which contains another is masked whole.
    for form in sorted(forms, key=len, reverse=True):
        text = text.replace(form, MASK)
    return text

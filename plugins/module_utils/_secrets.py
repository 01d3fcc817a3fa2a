# -*- coding: utf-8 -*-
# Copyright (c) 2026, ngts.vsatellite contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Masking of secrets in text that comes from outside the collection.

The collection never builds a message from a secret, but text it did not write
(a library's error string, an installer's output) may echo one. Everything of
that kind goes through ``mask`` before it reaches a result, a warning or a log.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

MASK = "********"


def mask(text, secrets):
    """Return ``text`` with every occurrence of each non-empty secret replaced."""
    if text is None:
        return None
    if not isinstance(text, str):
        text = str(text)
    # Longest first, so that a secret which contains another is masked whole.
    for secret in sorted((s for s in secrets if s), key=len, reverse=True):
        text = text.replace(secret, MASK)
    return text

# -*- coding: utf-8 -*-
# Copyright (c) 2026, ngts.vsatellite contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The one exception type the collection's logic raises, with a stable code."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class VSatelliteError(Exception):
    """A failure with a machine-readable ``code`` and a message for people.

    The message must name the parameter, the value and the fix. It is built by
    the collection from values it knows to be non-secret; callers never pass a
    secret (or the text of a third-party exception that might hold one) into it.
    ``details`` carries the facts gathered before the failure (for example the
    partitions that were seen) so that the module can return them.
    """

    def __init__(self, code, message, **details):
        super(VSatelliteError, self).__init__(message)
        self.code = code
        self.message = message
        self.details = details

    def __str__(self):
        return "%s: %s" % (self.code, self.message)

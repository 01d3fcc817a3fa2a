# -*- coding: utf-8 -*-
# Copyright (c) 2026, ngts.vsatellite contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Who could change a file that root is about to trust (R12).

A PKCS#11 library is loaded into a process that holds the partition PIN: whoever can replace it,
or any directory on the way to it, can read the PIN. Both the path as given (it may be a symlink)
and the file it resolves to are checked, with every directory above them.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import pwd
import stat


def user_name(uid):
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return str(uid)


def _unsafe(st, directory):
    writable = stat.S_IMODE(st.st_mode) & (stat.S_IWGRP | stat.S_IWOTH)
    # A sticky directory (like /tmp) does not let others replace or rename a root-owned entry.
    if directory and st.st_mode & stat.S_ISVTX:
        writable = False
    return st.st_uid != 0 or writable


def _ancestors(path):
    path = os.path.dirname(os.path.abspath(path))
    while True:
        yield path
        parent = os.path.dirname(path)
        if parent == path:
            return
        path = parent


def unsafe_paths(path):
    """[(path, mode, owner)] for the file and each directory above it that others could change."""
    found, seen = [], set()
    real = os.path.realpath(path)
    candidates = [(real, False)] + [(d, True) for d in _ancestors(path)] + [(d, True) for d in _ancestors(real)]
    for candidate, directory in candidates:
        if candidate in seen:
            continue
        seen.add(candidate)
        try:
            st = os.stat(candidate)
        except OSError:
            continue
        if _unsafe(st, directory):
            found.append((candidate, "%04o" % stat.S_IMODE(st.st_mode), user_name(st.st_uid)))
    return found


def describe(parameter, path, found):
    """One message naming what is unsafe and the commands that fix it."""
    parts = ", ".join("%s (mode %s, owner %s)" % f for f in found)
    fixes = " && ".join("chown root %s && chmod go-w %s" % (f[0], f[0]) for f in found)
    return ("%s %r can be changed by someone other than root through %s; a PKCS#11 library and every directory "
            "above it must be owned by root and writable by no one else (R12): %s" % (parameter, path, parts, fixes))

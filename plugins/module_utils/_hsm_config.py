# -*- coding: utf-8 -*-
# Copyright (c) 2026, ngts.vsatellite contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Parsers for the two HSM client configuration formats (SPEC.md section 5).

Both return plain dicts and raise ``ConfigSyntaxError`` with the line number,
so the callers can turn a bad file into a CONFIG_INVALID problem that points at
the exact line.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import re

FORMAT_CHRYSTOKI = "chrystoki"
FORMAT_SOFTHSM2 = "softhsm2"

# How each vendor's library is told where its configuration is (SPEC.md section 5).
# Luna reads ``Chrystoki.conf`` from the DIRECTORY named by this variable.
LUNA_CONFIG_ENV = "ChrystokiConfigurationPath"
LUNA_CONFIG_NAME = "Chrystoki.conf"
SOFTHSM_CONFIG_ENV = "SOFTHSM2_CONF"

SOFTHSM_BACKENDS = ("file", "db")
SOFTHSM_LOG_LEVELS = ("ERROR", "WARNING", "INFO", "DEBUG")

_SECTION_OPEN = re.compile(r"\s*([^={};]+?)\s*=\s*\{")
_ENTRY = re.compile(r"\s*([^=;{}]+?)\s*=\s*([^;{}]*?)\s*;")
_CLOSE = re.compile(r"\s*\}")
_SPACE = re.compile(r"\s*")


class ConfigSyntaxError(ValueError):
    def __init__(self, line, reason):
        super(ConfigSyntaxError, self).__init__("line %d: %s" % (line, reason))
        self.line = line
        self.reason = reason


def detect_format(text):
    """Chrystoki.conf is made of ``Name = { ... }`` sections; softhsm2.conf of ``key = value`` lines."""
    return FORMAT_CHRYSTOKI if _SECTION_OPEN.match(_strip_comments(text)) else FORMAT_SOFTHSM2


def config_environment(config_path, text):
    """The environment variable and value that make a vendor library read ``config_path``."""
    if detect_format(text) == FORMAT_CHRYSTOKI:
        return LUNA_CONFIG_ENV, os.path.dirname(os.path.abspath(config_path))
    return SOFTHSM_CONFIG_ENV, config_path


def _strip_comments(text):
    # Both formats take '#' comments to the end of the line.
    return "\n".join(line.split("#", 1)[0] for line in text.splitlines())


def parse_chrystoki(text):
    """Parse Chrystoki.conf into ``{section: {key: value}}`` (duplicate sections merge)."""
    body = _strip_comments(text)
    sections = {}
    pos = 0
    while True:
        pos = _SPACE.match(body, pos).end()
        if pos >= len(body):
            return sections
        m = _SECTION_OPEN.match(body, pos)
        if not m:
            raise ConfigSyntaxError(_line_of(body, pos), "expected 'Section = {'")
        entries = sections.setdefault(m.group(1), {})
        pos = m.end()
        while True:
            pos = _SPACE.match(body, pos).end()  # so that an error points at the offending line
            close = _CLOSE.match(body, pos)
            if close:
                pos = close.end()
                break
            entry = _ENTRY.match(body, pos)
            if not entry:
                if pos >= len(body):
                    raise ConfigSyntaxError(_line_of(body, m.start()), "section '%s' that opens here is not "
                                                                       "closed with '}'" % m.group(1))
                raise ConfigSyntaxError(_line_of(body, pos), "expected 'Key = value;' in section '%s'" % m.group(1))
            entries[entry.group(1)] = entry.group(2)
            pos = entry.end()


def call_logger_enabled(sections):
    """Luna's CkLog2 call logger writes every call's arguments, the PIN among them, to a file."""
    return sections.get("CkLog2", {}).get("Enabled", "0").strip() == "1"


def parse_softhsm2(text):
    """Parse softhsm2.conf into ``{key: value}``."""
    values = {}
    for number, line in enumerate(_strip_comments(text).splitlines(), 1):
        if not line.strip():
            continue
        if "=" not in line:
            raise ConfigSyntaxError(number, "expected 'key = value'")
        key, value = line.split("=", 1)
        if not key.strip():
            raise ConfigSyntaxError(number, "a line has a value but no key")
        values[key.strip()] = value.strip()
    return values


def _line_of(text, pos):
    return text.count("\n", 0, pos) + 1

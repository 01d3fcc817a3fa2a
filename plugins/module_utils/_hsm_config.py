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
FORMAT_P11KIT = "p11-kit"

# How each vendor's library is told where its configuration is (SPEC.md section 5).
# Luna reads ``Chrystoki.conf`` from the DIRECTORY named by this variable.
LUNA_CONFIG_ENV = "ChrystokiConfigurationPath"
LUNA_CONFIG_NAME = "Chrystoki.conf"
SOFTHSM_CONFIG_ENV = "SOFTHSM2_CONF"
# A partition reached over the network through p11-kit's RPC client: its server's address.
P11KIT_SERVER_ENV = "P11_KIT_SERVER_ADDRESS"
P11KIT_UNIX_PREFIX = "unix:path="

SOFTHSM_BACKENDS = ("file", "db")
SOFTHSM_LOG_LEVELS = ("ERROR", "WARNING", "INFO", "DEBUG")

_SECTION_OPEN = re.compile(r"\s*([^={};]+?)\s*=\s*\{")
_ENTRY = re.compile(r"\s*([^=;{}]+?)\s*=\s*([^;{}]*?)\s*;")
_CLOSE = re.compile(r"\s*\}")
_SPACE = re.compile(r"\s*")
_P11KIT_REMOTE = re.compile(r"^\s*remote\s*:", re.M)


class ConfigSyntaxError(ValueError):
    def __init__(self, line, reason):
        super(ConfigSyntaxError, self).__init__("line %d: %s" % (line, reason))
        self.line = line
        self.reason = reason


def detect_format(text):
    """Chrystoki.conf is made of ``Name = { ... }`` sections; a p11-kit module file of ``key: value``
    lines with a ``remote:``; softhsm2.conf of ``key = value`` lines."""
    body = _strip_comments(text)
    if _SECTION_OPEN.match(body):
        return FORMAT_CHRYSTOKI
    if _P11KIT_REMOTE.search(body):
        return FORMAT_P11KIT
    return FORMAT_SOFTHSM2


def config_environment(config_path, text):
    """The environment variable and value that make a vendor library read ``config_path``.

    p11-kit's RPC client (p11-kit-client.so) reads no file: it finds its server through
    P11_KIT_SERVER_ADDRESS, which is the ``remote:`` of the p11-kit module file."""
    found = detect_format(text)
    if found == FORMAT_CHRYSTOKI:
        return LUNA_CONFIG_ENV, os.path.dirname(os.path.abspath(config_path))
    if found == FORMAT_P11KIT:
        return P11KIT_SERVER_ENV, parse_p11kit(text).get("remote", "")
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
    return _parse_key_value_lines(text, "=", "expected 'key = value'")


def parse_p11kit(text):
    """Parse a p11-kit module file (pkcs11.conf(5): ``key: value`` lines) into ``{key: value}``."""
    return _parse_key_value_lines(text, ":", "expected 'key: value'")


def _parse_key_value_lines(text, separator, expected):
    values = {}
    for number, line in enumerate(_strip_comments(text).splitlines(), 1):
        if not line.strip():
            continue
        if separator not in line:
            raise ConfigSyntaxError(number, expected)
        key, value = line.split(separator, 1)
        if not key.strip():
            raise ConfigSyntaxError(number, "a line has a value but no key")
        values[key.strip()] = value.strip()
    return values


def p11kit_socket(remote):
    """The socket path of a ``unix:path=...`` address, or None for any other form."""
    return remote[len(P11KIT_UNIX_PREFIX):] if remote.startswith(P11KIT_UNIX_PREFIX) else None


def _line_of(text, pos):
    return text.count("\n", 0, pos) + 1

# -*- coding: utf-8 -*-
# Copyright (c) 2026, ngts.vsatellite contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Read just enough of an ELF file to tell whether it can be a PKCS#11 library.

This runs before the library is loaded: loading a shared object executes its
code as root, so the checks that need no loading (is it a shared object of this
host's architecture, does it export ``C_GetFunctionList``) are done by reading
the file, and a file that fails them is never loaded.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import platform
import struct

ELF_MAGIC = b"\x7fELF"
ET_DYN = 3
SHT_DYNSYM = 11

# e_machine values (System V ABI) of the architectures the collection may run on.
MACHINES = {
    "x86_64": (62, 64),
    "amd64": (62, 64),
    "aarch64": (183, 64),
    "arm64": (183, 64),
    "ppc64le": (21, 64),
    "s390x": (22, 64),
    "i386": (3, 32),
    "i686": (3, 32),
    "armv7l": (40, 32),
}
MACHINE_NAMES = {62: "x86_64", 183: "aarch64", 21: "ppc64", 22: "s390x", 3: "i386", 40: "arm"}


class ElfReport:
    """What was learnt from the file; ``problem`` is None when it looks usable."""

    def __init__(self, problem=None, machine=None, bits=None, exports_get_function_list=None):
        self.problem = problem
        self.machine = machine
        self.bits = bits
        self.exports_get_function_list = exports_get_function_list

    def as_dict(self):
        return {
            "machine": self.machine,
            "bits": self.bits,
            "exports_c_getfunctionlist": self.exports_get_function_list,
        }


def host_machine():
    """(e_machine, bits) of this host, or None when unknown."""
    return MACHINES.get(platform.machine().lower())


def inspect_shared_object(data, symbol="C_GetFunctionList", host=None):
    """Check that the file content ``data`` is an ELF shared object for ``host`` exporting ``symbol``."""
    host = host or host_machine()
    if len(data) < 64 or data[:4] != ELF_MAGIC:
        return ElfReport(problem="is not an ELF file")
    ei_class, ei_data = data[4], data[5]
    if ei_class not in (1, 2) or ei_data not in (1, 2):
        return ElfReport(problem="has a malformed ELF header")
    bits = 64 if ei_class == 2 else 32
    endian = "<" if ei_data == 1 else ">"
    e_type, e_machine = struct.unpack_from(endian + "HH", data, 16)
    machine = MACHINE_NAMES.get(e_machine, "e_machine %d" % e_machine)
    report = ElfReport(machine=machine, bits=bits)

    if e_type != ET_DYN:
        report.problem = "is an ELF file but not a shared object (e_type %d)" % e_type
        return report
    if host is not None and (e_machine, bits) != host:
        report.problem = "is a %d-bit %s library; this host needs %d-bit %s" % (
            bits, machine, host[1], MACHINE_NAMES.get(host[0], host[0]))
        return report

    try:
        report.exports_get_function_list = symbol in _dynamic_symbols(data, bits, endian)
    except (struct.error, IndexError, ValueError):
        report.problem = "has a malformed ELF section table"
        return report
    if not report.exports_get_function_list:
        report.problem = "does not export %s, so it is not a PKCS#11 library" % symbol
    return report


def _dynamic_symbols(data, bits, endian):
    """Names of the defined symbols in the .dynsym table."""
    if bits == 64:
        shoff, = struct.unpack_from(endian + "Q", data, 0x28)
        shentsize, shnum = struct.unpack_from(endian + "HH", data, 0x3A)
        sh_fmt, sym_fmt = endian + "IIQQQQIIQQ", endian + "IBBHQQ"
    else:
        shoff, = struct.unpack_from(endian + "I", data, 0x20)
        shentsize, shnum = struct.unpack_from(endian + "HH", data, 0x2E)
        sh_fmt, sym_fmt = endian + "IIIIIIIIII", endian + "IIIBBH"
    sections = [struct.unpack_from(sh_fmt, data, shoff + i * shentsize) for i in range(shnum)]
    names = set()
    for sec in sections:
        if sec[1] != SHT_DYNSYM:
            continue
        offset, size, link, entsize = sec[4], sec[5], sec[6], sec[9]
        str_off = sections[link][4]
        for i in range(size // entsize if entsize else 0):
            sym = struct.unpack_from(sym_fmt, data, offset + i * entsize)
            st_name = sym[0]
            st_shndx = sym[3] if bits == 64 else sym[5]
            if st_name == 0 or st_shndx == 0:  # unnamed, or undefined (imported)
                continue
            end = data.index(b"\0", str_off + st_name)
            names.add(data[str_off + st_name:end].decode("ascii", "replace"))
    return names

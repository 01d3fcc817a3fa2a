# -*- coding: utf-8 -*-
# Copyright (c) 2026, ngts.vsatellite contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Check an HSM client installation before a VSatellite is pointed at it (R2, R4, R5, R12).

The installer accepts wrong HSM values and leaves an Unhealthy VSatellite (R5),
so every value is checked here first, and every problem is reported in one run:
an operator fixing a host should not have to discover problems one at a time.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib
import os
import stat

from ansible_collections.ngts.vsatellite.plugins.module_utils import _elf
from ansible_collections.ngts.vsatellite.plugins.module_utils import _file_safety
from ansible_collections.ngts.vsatellite.plugins.module_utils import _hsm_config as cfg
from ansible_collections.ngts.vsatellite.plugins.module_utils import _hsm_partition
from ansible_collections.ngts.vsatellite.plugins.module_utils import _pkcs11_library
from ansible_collections.ngts.vsatellite.plugins.module_utils._errors import VSatelliteError

VENDOR_LUNA = "luna"
VENDOR_SOFTHSM = "softhsm"

# C_GetInfo manufacturerID prefixes of the supported vendors (R1). Luna libraries
# have reported SafeNet, Gemalto and Thales over the years.
MANUFACTURERS = (
    ("softhsm", VENDOR_SOFTHSM),
    ("safenet", VENDOR_LUNA),
    ("gemalto", VENDOR_LUNA),
    ("thales", VENDOR_LUNA),
)
# p11-kit's RPC client forwards every call to a p11-kit server that holds the vendor's library: it is a
# transport, not a vendor. The vendor is then the one the tokens behind it report (C_GetTokenInfo).
# Connected it says "PKCS#11 Kit"; with no server to reach, "p11-kit" ("p11-kit (no connection)").
P11KIT_MANUFACTURERS = ("pkcs#11 kit", "p11-kit")
TRANSPORT_P11KIT = "p11-kit"
LUNA_LIBRARY_NAMES = ("libCryptoki2_64.so", "libCryptoki2.so")
LUNA_LIBRARY_KEYS = ("LibUNIX64", "LibUNIX")
LUNA_TLS_FILES = ("ClientCertFile", "ClientPrivKeyFile", "ServerCAFile")
LUNA_TOOLS = ("bin/lunacm", "bin/vtl")


class Problem:
    def __init__(self, code, message):
        self.code = code
        self.message = message

    def as_dict(self):
        return {"code": self.code, "message": self.message}


class HsmClientInspector:
    """Gather facts about an HSM client install and list what is wrong with it.

    ``inspect()`` never raises for a problem of the install: it returns the facts
    and the problems, and the caller decides to fail when there are any.
    """

    def __init__(self, client_path, lib_path, config_path, lib_sha256=None, allow_softhsm=False):
        self.client_path = client_path
        self.lib_path = lib_path
        self.config_path = config_path
        self.lib_sha256 = lib_sha256.lower() if lib_sha256 else None
        self.allow_softhsm = allow_softhsm
        self.problems = []

    def add(self, code, message):
        self.problems.append(Problem(code, message))

    def inspect(self):
        self.problems = []
        library, fd = self._check_library_file()
        try:
            config_text = self._read_config()
            config_format = cfg.detect_format(config_text) if config_text is not None else None
            config = {"path": self.config_path, "format": config_format}
            before = len(self.problems)
            if config_format == cfg.FORMAT_CHRYSTOKI:
                config.update(self._check_chrystoki(config_text))
            elif config_format == cfg.FORMAT_SOFTHSM2:
                config.update(self._check_softhsm2(config_text))
            elif config_format == cfg.FORMAT_P11KIT:
                config.update(self._check_p11kit(config_text))
            config_ok = config_text is not None and len(self.problems) == before

            # Load the library (it runs code as root) only once everything that can be checked
            # without loading it is right, and with the configuration it will be used with.
            info, skipped = None, None
            if fd is None:
                skipped = "the library file failed the checks above"
            elif not config_ok:
                skipped = "the configuration file failed the checks above"
            else:
                info = self._load_library(fd)
            library.update(info=info, loaded=info is not None, load_skipped=skipped)
        finally:
            if fd is not None:
                os.close(fd)

        transport = TRANSPORT_P11KIT if info is not None and _is_p11kit(info) else None
        vendor, source = self._vendor(info, config_format)
        self._check_client_path(vendor if transport is None else None)
        if config_format is not None and info is not None:
            self._check_config_matches_library(transport or vendor, config_format)
        self._check_vendor(vendor, info)
        return {
            "vendor": vendor,
            "vendor_source": source,
            "transport": transport,
            "client_path": self.client_path,
            "library": library,
            "config": config,
            "problems": [p.as_dict() for p in self.problems],
        }

    # --- client directory -------------------------------------------------------------------

    def _check_client_path(self, vendor):
        if not os.path.isdir(self.client_path):
            what = "is not a directory" if os.path.exists(self.client_path) else "does not exist"
            self.add("CLIENT_PATH_MISSING",
                     "client_path %r %s; install the HSM client software (R2) or give the directory "
                     "it is installed in (Luna: /usr/safenet/lunaclient, SoftHSM: /usr/lib/softhsm)"
                     % (self.client_path, what))
        elif vendor == VENDOR_LUNA:
            missing = [t for t in LUNA_TOOLS if not os.access(os.path.join(self.client_path, t), os.X_OK)]
            if missing:
                self.add("CLIENT_PATH_MISSING",
                         "client_path %r is not a Luna client install: %s missing; give the directory the Luna "
                         "client was installed in (usually /usr/safenet/lunaclient) or reinstall the client"
                         % (self.client_path, " and ".join(missing) + (" is" if len(missing) == 1 else " are")))

    # --- library file ----------------------------------------------------------------------

    def _check_library_file(self):
        """Facts about the library file, and an open descriptor on it when it is safe to load.

        The file is read, hashed, checked and later loaded through one descriptor, so the code
        that runs is the code that was checked, even if the path is swapped in between.
        """
        facts = {"path": self.lib_path, "realpath": None, "sha256": None, "size": None,
                 "mode": None, "owner": None, "elf": None}
        if not os.path.lexists(self.lib_path):
            self.add("LIB_MISSING", "lib_path %r does not exist; give the full path of the vendor's "
                                    "PKCS#11 library (.so) on this host" % self.lib_path)
            return facts, None
        real = os.path.realpath(self.lib_path)
        facts["realpath"] = real
        try:
            fd = os.open(real, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
        except OSError as e:
            self.add("LIB_MISSING", "lib_path %r points at %r, which cannot be opened (%s); fix the link "
                                    "or give the library's real path" % (self.lib_path, real, e.strerror))
            return facts, None
        keep = False
        try:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode):
                self.add("LIB_NOT_PKCS11", "lib_path %r is not a regular file; give the path of the PKCS#11 "
                                           "library file itself" % self.lib_path)
                return facts, None
            facts.update(size=st.st_size, mode="%04o" % stat.S_IMODE(st.st_mode), owner=_file_safety.user_name(st.st_uid))
            with os.fdopen(os.dup(fd), "rb") as f:
                data = f.read()
            facts["sha256"] = hashlib.sha256(data).hexdigest()
            safe = self._check_integrity(facts["sha256"])
            safe = self._check_permissions() and safe
            report = _elf.inspect_shared_object(data)
            facts["elf"] = report.as_dict()
            if report.problem:
                self.add("LIB_NOT_PKCS11", "lib_path %r %s; give the vendor's PKCS#11 library for this host"
                                           % (self.lib_path, report.problem))
                return facts, None
            keep = safe
            return facts, (fd if safe else None)
        finally:
            if not keep:
                os.close(fd)

    def _check_integrity(self, sha256):
        if self.lib_sha256 and self.lib_sha256 != sha256:
            self.add("LIB_SHA256_MISMATCH",
                     "lib_path %r has SHA-256 %s but lib_sha256 expects %s; the library is not the "
                     "trusted vendor build (R12): reinstall it from the vendor's package, or update "
                     "lib_sha256 if the vendor has shipped a new version" % (self.lib_path, sha256, self.lib_sha256))
            return False
        return True

    def _check_permissions(self):
        """R12: a library that others can modify could be swapped for one that steals the PIN."""
        found = _file_safety.unsafe_paths(self.lib_path)
        if found:
            self.add("LIB_UNSAFE_PERMISSIONS", _file_safety.describe("lib_path", self.lib_path, found))
        return not found

    def _load_library(self, fd):
        try:
            # dlopen the descriptor that was hashed, not the path (which could have been swapped).
            with _pkcs11_library.loaded_library("/proc/self/fd/%d" % fd, self.config_path) as lib:
                info = _pkcs11_library.library_info(lib)
                if _is_p11kit(info):
                    info["tokens"] = self._tokens_behind_transport(lib)
                return info
        except VSatelliteError as e:
            reason = e.message.replace("/proc/self/fd/%d" % fd, self.lib_path)
            self.add("LIB_NOT_PKCS11", "lib_path %r exports C_GetFunctionList but did not initialise and answer "
                                       "C_GetInfo with config_path %r: %s" % (self.lib_path, self.config_path, reason))
            return None

    def _tokens_behind_transport(self, lib):
        """The tokens a p11-kit server serves (C_GetTokenInfo: no session, no login)."""
        try:
            tokens, error = _hsm_partition.list_partitions(lib)[1], None
        except _pkcs11_library.pkcs11_exceptions.PKCS11Error as e:
            tokens, error = [], type(e).__name__
        if not tokens:
            self.add("HSM_UNREACHABLE",
                     "lib_path %r is p11-kit's RPC client, and it reaches no partition through config_path %r%s "
                     "(R2): start the p11-kit server that serves the partition, or fix the 'remote:' address"
                     % (self.lib_path, self.config_path, " (%s)" % error if error else ""))
        return [{"label": label, "serial_number": serial, "manufacturer_id": token.manufacturer_id.strip(),
                 "model": token.model.strip()} for dummy, token, label, serial in tokens]

    # --- configuration ---------------------------------------------------------------------

    def _read_config(self):
        if not self.config_path:
            self.add("CONFIG_MISSING", "config_path is not set; the installer needs --hsm-config: give the HSM "
                                       "client's configuration file (Luna: /etc/Chrystoki.conf, SoftHSM: "
                                       "softhsm2.conf)")
            return None
        if not os.path.isfile(self.config_path):
            what = "is not a file" if os.path.exists(self.config_path) else "does not exist"
            self.add("CONFIG_MISSING",
                     "config_path %r %s; give the HSM client's configuration file "
                     "(Luna: /etc/Chrystoki.conf, SoftHSM: softhsm2.conf)" % (self.config_path, what))
            return None
        try:
            with open(self.config_path) as f:
                return f.read()
        except (IOError, OSError, UnicodeDecodeError) as e:
            self.add("CONFIG_INVALID", "config_path %r cannot be read (%s); make it readable by root"
                                       % (self.config_path, getattr(e, "strerror", None) or e))
            return None

    def _invalid(self, reason):
        self.add("CONFIG_INVALID", "config_path %r: %s" % (self.config_path, reason))

    def _check_softhsm2(self, text):
        try:
            values = cfg.parse_softhsm2(text)
        except cfg.ConfigSyntaxError as e:
            self._invalid("%s; softhsm2.conf lines are 'key = value'" % e)
            return {}
        tokendir = values.get("directories.tokendir")
        backend = values.get("objectstore.backend", "file")
        log_level = values.get("log.level", "ERROR")
        if not tokendir:
            self._invalid("sets no directories.tokendir; add 'directories.tokendir = /var/lib/softhsm/tokens'")
        elif not os.path.isdir(tokendir):
            self._invalid("directories.tokendir %r does not exist; create it or fix the path" % tokendir)
        elif not os.access(tokendir, os.R_OK | os.X_OK):
            self._invalid("directories.tokendir %r is not readable; chmod u+rx it" % tokendir)
        if backend not in cfg.SOFTHSM_BACKENDS:
            self._invalid("objectstore.backend %r is not one of %s" % (backend, ", ".join(cfg.SOFTHSM_BACKENDS)))
        if log_level not in cfg.SOFTHSM_LOG_LEVELS:
            self._invalid("log.level %r is not one of %s" % (log_level, ", ".join(cfg.SOFTHSM_LOG_LEVELS)))
        return {"tokendir": tokendir, "backend": backend, "log_level": log_level}

    def _check_p11kit(self, text):
        try:
            remote = cfg.parse_p11kit(text).get("remote", "")
        except cfg.ConfigSyntaxError as e:
            self._invalid("%s; a p11-kit module file is made of 'key: value' lines" % e)
            return {}
        socket_path = cfg.p11kit_socket(remote)
        if socket_path is None:
            self._invalid("'remote: %s' is not an address p11-kit's RPC client can reach; give the server's "
                          "socket as 'remote: unix:path=/run/p11-kit/pkcs11'" % remote)
        elif not os.path.exists(socket_path):
            self.add("HSM_UNREACHABLE",
                     "config_path %r names the p11-kit server socket %r, which does not exist (R2): start "
                     "'p11-kit server' for the partition, or fix the 'remote:' line" % (self.config_path, socket_path))
        elif not stat.S_ISSOCK(os.stat(socket_path).st_mode):
            self._invalid("'remote: %s' names %r, which is not a socket; give the p11-kit server's socket"
                          % (remote, socket_path))
        return {"remote": remote}

    def _check_chrystoki(self, text):
        try:
            sections = cfg.parse_chrystoki(text)
        except cfg.ConfigSyntaxError as e:
            self._invalid("%s; Chrystoki.conf is made of 'Section = { Key = value; }' blocks" % e)
            return {}
        facts = {"library": None, "servers": [], "call_logger_enabled": False}
        if os.path.basename(self.config_path) != cfg.LUNA_CONFIG_NAME:
            self._invalid("the Luna client only reads a file named %s (from the directory in %s); "
                          "rename it" % (cfg.LUNA_CONFIG_NAME, cfg.LUNA_CONFIG_ENV))
        chrystoki2 = sections.get("Chrystoki2")
        if chrystoki2 is None:
            self._invalid("has no 'Chrystoki2' section naming the library; add "
                          "'Chrystoki2 = { LibUNIX64 = %s; }'" % self.lib_path)
        else:
            named = next((chrystoki2[k] for k in LUNA_LIBRARY_KEYS if k in chrystoki2), None)
            facts["library"] = named
            if named is None:
                self._invalid("its Chrystoki2 section names no library; add 'LibUNIX64 = %s;'" % self.lib_path)
            elif os.path.realpath(named) != os.path.realpath(self.lib_path):
                self.add("CONFIG_LIB_MISMATCH",
                         "config_path %r names the library %r but lib_path is %r; the VSatellite would "
                         "load one and the client tools the other: make them the same" % (
                             self.config_path, named, self.lib_path))
        client = sections.get("LunaSA Client")
        if client is None:
            # R1: a Luna Network HSM 7 is reached through the 'LunaSA Client' section.
            self._invalid("has no 'LunaSA Client' section, so the client is not set up for a Luna Network HSM "
                          "(R1); register the client with the HSM (vtl addServer, vtl createCert)")
            client = {}
        for i in range(100):
            server = client.get("ServerName%02d" % i)
            if server is None:
                break
            facts["servers"].append({"name": server, "port": client.get("ServerPort%02d" % i)})
        if sections.get("LunaSA Client") is not None and not facts["servers"]:
            self._invalid("its 'LunaSA Client' section names no HSM (ServerName00); add the server with "
                          "'vtl addServer'")
        for key in LUNA_TLS_FILES:
            if key in client:
                self._check_luna_tls_file(key, client[key])
            elif sections.get("LunaSA Client") is not None:
                self._invalid("its 'LunaSA Client' section sets no %s; the client needs its certificate, its "
                              "private key and the HSM's CA to reach the HSM (vtl createCert)" % key)
        if cfg.call_logger_enabled(sections):
            facts["call_logger_enabled"] = True
            self.add("PKCS11_CALL_LOGGER_ENABLED",
                     "config_path %r enables the PKCS#11 call logger (CkLog2 Enabled = 1), which writes "
                     "call arguments, the partition PIN among them, to a file; set 'Enabled = 0;'"
                     % self.config_path)
        return facts

    def _check_luna_tls_file(self, key, path):
        if not os.path.isfile(path):
            self._invalid("'LunaSA Client' %s %r does not exist; register the client with the HSM "
                          "(vtl / lunacm) so that the file is created" % (key, path))
            return
        st = os.stat(path)
        mode = stat.S_IMODE(st.st_mode)
        if key == "ClientPrivKeyFile" and (mode & (stat.S_IRWXG | stat.S_IRWXO) or st.st_uid != 0):
            self.add("CLIENT_KEY_UNSAFE_PERMISSIONS",
                     "the Luna client's private key %r (%s) is mode %04o owned by %s; it must be root's alone: "
                     "chown root %s && chmod 600 %s"
                     % (path, key, mode, _file_safety.user_name(st.st_uid), path, path))

    def _check_config_matches_library(self, library_kind, config_format):
        expected = {VENDOR_LUNA: cfg.FORMAT_CHRYSTOKI, VENDOR_SOFTHSM: cfg.FORMAT_SOFTHSM2,
                    TRANSPORT_P11KIT: cfg.FORMAT_P11KIT}.get(library_kind)
        if expected and expected != config_format:
            self._invalid("is in %s format, but the library is a %s library, which reads %s; give the "
                          "library's own configuration file%s" % (
                              config_format, library_kind, expected,
                              " (a p11-kit module file with the line 'remote: unix:path=SOCKET')"
                              if library_kind == TRANSPORT_P11KIT else ""))

    # --- vendor ----------------------------------------------------------------------------

    def _vendor(self, info, config_format):
        """(vendor, source): the library's own word (C_GetInfo) when it was loaded; the install's
        layout otherwise, which is a guess and raises no vendor problem."""
        if info is not None and _is_p11kit(info):
            # Behind the transport: the vendor that every token reports, if they agree.
            vendors = set(_vendor_of(t["manufacturer_id"]) for t in info.get("tokens", []))
            return (vendors.pop() if len(vendors) == 1 else None), "C_GetTokenInfo"
        if info is not None:
            return _vendor_of(info["manufacturer_id"]), "C_GetInfo"
        name = os.path.basename(self.lib_path)
        if name in LUNA_LIBRARY_NAMES or config_format == cfg.FORMAT_CHRYSTOKI or any(
                os.path.exists(os.path.join(self.client_path, "lib", n)) for n in LUNA_LIBRARY_NAMES):
            return VENDOR_LUNA, "layout"
        if "softhsm" in name:
            return VENDOR_SOFTHSM, "layout"
        return None, None

    def _check_vendor(self, vendor, info):
        if info is None:
            return  # not loaded: the vendor is a guess from the layout, not a finding
        if _is_p11kit(info) and not self.allow_softhsm:
            # The server answers for the vendor, and lib_sha256 can only pin the RPC client: R1 and R12 cannot
            # be checked through it. A Luna Network HSM 7 is reached through the Luna client's own network layer.
            self.add("SOFTHSM_NOT_ALLOWED",
                     "lib_path %r is p11-kit's RPC client, a development and test stand-in for a network HSM: the "
                     "server behind it reports its own vendor and its library cannot be pinned (R1, R12). Use the Luna "
                     "client in production, or set allow_softhsm: true on a test fleet" % self.lib_path)
            return
        if _is_p11kit(info) and not info.get("tokens"):
            return  # nothing behind the transport: HSM_UNREACHABLE says so
        if vendor == VENDOR_SOFTHSM and not self.allow_softhsm:
            self.add("SOFTHSM_NOT_ALLOWED",
                     "lib_path %r is SoftHSM, which the vendor supports for development and test only (R1); "
                     "use a Thales Luna Network HSM 7 in production, or set allow_softhsm: true on a "
                     "test fleet" % self.lib_path)
        elif vendor is None and _is_p11kit(info):
            self.add("VENDOR_UNSUPPORTED",
                     "lib_path %r is p11-kit's RPC client, and the partitions behind it come from %s; VSatellites "
                     "support only Thales Luna Network HSM 7 (and SoftHSM2 for test) (R1): serve a supported HSM"
                     % (self.lib_path, " and ".join(sorted(set(repr(t["manufacturer_id"]) for t in info["tokens"])))))
        elif vendor is None:
            self.add("VENDOR_UNSUPPORTED",
                     "lib_path %r is a PKCS#11 library from %r; VSatellites support only Thales Luna "
                     "Network HSM 7 (and SoftHSM2 for test) (R1): install the Luna client"
                     % (self.lib_path, info["manufacturer_id"]))


def _vendor_of(manufacturer_id):
    manufacturer = manufacturer_id.lower()
    return next((v for prefix, v in MANUFACTURERS if manufacturer.startswith(prefix)), None)


def _is_p11kit(info):
    return info["manufacturer_id"].lower().startswith(P11KIT_MANUFACTURERS)

# -*- coding: utf-8 -*-
# Copyright (c) 2026, ngts.vsatellite contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Load a PKCS#11 library with python-pkcs11, the vendor's way, and unload it after.

A vendor library reads its configuration file at ``C_Initialize`` from an
environment variable, so the variable is set just for the time the library is
loaded and restored after: the probe then works with no environment set by the
caller, and several probes with different configurations can run in one process.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import contextlib
import os
import traceback

from ansible_collections.ngts.vsatellite.plugins.module_utils._errors import VSatelliteError
from ansible_collections.ngts.vsatellite.plugins.module_utils import _hsm_config

try:
    import pkcs11  # noqa: F401 (imported for its side effect of telling us it is there)
    from pkcs11 import exceptions as pkcs11_exceptions
    HAS_PKCS11 = True
    PKCS11_IMPORT_ERROR = None
except ImportError:
    pkcs11 = None
    pkcs11_exceptions = None
    HAS_PKCS11 = False
    PKCS11_IMPORT_ERROR = traceback.format_exc()

LIBRARY_LOAD_FAILED = "LIBRARY_LOAD_FAILED"
REQUIRED_LIB = "python-pkcs11"


def library_info(lib):
    """The C_GetInfo facts of a loaded library."""
    return {
        "manufacturer_id": lib.manufacturer_id.strip(),
        "library_description": lib.library_description.strip(),
        "library_version": "%d.%d" % tuple(lib.library_version),
        "cryptoki_version": "%d.%d" % tuple(lib.cryptoki_version),
    }


def read_config(config_path):
    """(text, format) of the configuration file; VSatelliteError(CONFIG_MISSING) when it cannot be read."""
    try:
        with open(config_path) as f:
            text = f.read()
    except (IOError, OSError) as e:
        raise VSatelliteError(
            "CONFIG_MISSING",
            "config_path %r cannot be read (%s); give the path of the HSM client's configuration "
            "file (softhsm2.conf or Chrystoki.conf)" % (config_path, e.strerror),
        )
    return text, _hsm_config.detect_format(text)


def config_environment(config_path):
    """The (variable, value) that points the vendor library at ``config_path``, or None.

    Raises VSatelliteError: CONFIG_MISSING when the file cannot be read, CONFIG_INVALID for a
    Luna configuration that the Luna client would not read (it must be named Chrystoki.conf).
    """
    if not config_path:
        return None
    text = read_config(config_path)[0]
    try:
        variable, value = _hsm_config.config_environment(config_path, text)
    except _hsm_config.ConfigSyntaxError as e:
        raise VSatelliteError("CONFIG_INVALID", "config_path %r: %s; a p11-kit module file is made of 'key: value' "
                                                "lines" % (config_path, e))
    if variable == _hsm_config.LUNA_CONFIG_ENV and os.path.basename(config_path) != _hsm_config.LUNA_CONFIG_NAME:
        raise VSatelliteError(
            "CONFIG_INVALID",
            "config_path %r is a Luna configuration, but the Luna client only reads a file named %s "
            "in the directory %s names; rename the file or point config_path at %s"
            % (config_path, _hsm_config.LUNA_CONFIG_NAME, _hsm_config.LUNA_CONFIG_ENV,
               os.path.join(os.path.dirname(config_path), _hsm_config.LUNA_CONFIG_NAME)),
        )
    return variable, value


@contextlib.contextmanager
def _environment(variable_value):
    if variable_value is None:
        yield
        return
    variable, value = variable_value
    saved = os.environ.get(variable)
    os.environ[variable] = value
    try:
        yield
    finally:
        if saved is None:
            os.environ.pop(variable, None)
        else:
            os.environ[variable] = saved


@contextlib.contextmanager
def loaded_library(lib_path, config_path=None):
    """Yield a python-pkcs11 ``lib`` for ``lib_path`` configured by ``config_path``.

    Raises VSatelliteError: CONFIG_MISSING or CONFIG_INVALID (see config_environment), and
    LIBRARY_LOAD_FAILED when the library does not load or does not initialise. The text of
    that error comes from the dynamic loader or the PKCS#11 return code, before any PIN is
    used, so it cannot hold one.
    """
    env = config_environment(config_path)
    with _environment(env):
        try:
            lib = pkcs11.lib(lib_path)
        except pkcs11_exceptions.PKCS11Error as e:
            raise VSatelliteError(
                LIBRARY_LOAD_FAILED,
                "lib_path %r could not be loaded as a PKCS#11 library (%s); check that the path is the "
                "vendor's PKCS#11 library for this host and that its configuration (%s) is valid"
                % (lib_path, str(e) or type(e).__name__, config_path or "none given"),
            )
        try:
            yield lib
        finally:
            # Finalize and dlclose, so that the next load reads its configuration again.
            pkcs11.unload(lib_path)

# -*- coding: utf-8 -*-
# Copyright (c) 2026, ngts.vsatellite contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Probe the partition a VSatellite will use, and the DEK in it (R6, R9, R11, R14).

The probe logs in at most once and never retries: a Luna partition can lock or
wipe its keys after too many wrong logins (R14), so a wrong PIN is reported, not
tried again, and a PIN whose next failure would lock the partition is not tried
at all. It opens a read-only session and changes nothing on the partition.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib
import os
import time

from ansible_collections.ngts.vsatellite.plugins.module_utils import _file_safety
from ansible_collections.ngts.vsatellite.plugins.module_utils import _hsm_config
from ansible_collections.ngts.vsatellite.plugins.module_utils import _pkcs11_library
from ansible_collections.ngts.vsatellite.plugins.module_utils._errors import VSatelliteError

if _pkcs11_library.HAS_PKCS11:
    from pkcs11 import Attribute, KeyType, Mechanism, ObjectClass, TokenFlag
    from pkcs11 import exceptions as p11e

DEFAULT_DEK_LABEL = "vsatellite-dek"
# Listing the partitions: how often, and how far apart (see PartitionProbe._find_token).
LISTING_TRIES = 3
LISTING_PAUSE = 0.3
# Hashed together with the key's CKA_ID and check value; versioned so that a
# change of the recipe can never make two different keys look the same.
FINGERPRINT_DOMAIN = b"ngts.vsatellite/dek-fingerprint/v1\x00"
KCV_LENGTH = 3  # PKCS#11 CKA_CHECK_VALUE: the first 3 bytes of the zero block encrypted

PARTITION_NOT_FOUND = "PARTITION_NOT_FOUND"
PARTITION_AMBIGUOUS = "PARTITION_AMBIGUOUS"
PIN_INCORRECT = "PIN_INCORRECT"
PIN_LOCKED = "PIN_LOCKED"
PIN_NOT_INITIALIZED = "PIN_NOT_INITIALIZED"
PIN_EMPTY = "PIN_EMPTY"
HSM_UNREACHABLE = "HSM_UNREACHABLE"
HSM_ERROR = "HSM_ERROR"
DEK_DUPLICATE = "DEK_DUPLICATE"
DEK_NOT_PROTECTED = "DEK_NOT_PROTECTED"
DEK_INVALID = "DEK_INVALID"
LIB_UNSAFE_PERMISSIONS = "LIB_UNSAFE_PERMISSIONS"
PKCS11_CALL_LOGGER_ENABLED = "PKCS11_CALL_LOGGER_ENABLED"

PIN_FLAGS = (
    ("user_pin_initialized", "USER_PIN_INITIALIZED"),
    ("user_pin_count_low", "USER_PIN_COUNT_LOW"),
    ("user_pin_final_try", "USER_PIN_FINAL_TRY"),
    ("user_pin_locked", "USER_PIN_LOCKED"),
    ("user_pin_to_be_changed", "USER_PIN_TO_BE_CHANGED"),
)


def list_partitions(lib):
    """(slots, [(slot, token, label, serial)]) for the initialised tokens a loaded library sees (no login)."""
    slots = lib.get_slots(token_present=True)
    seen = []
    for slot in slots:
        token = slot.get_token()
        if not token.flags & TokenFlag.TOKEN_INITIALIZED:
            continue  # SoftHSM's spare slot: no label, nothing to find
        seen.append((slot, token, strip_label(token.label), _serial(token)))
    return slots, seen


def strip_label(label):
    """PKCS#11 labels are blank-padded to 32 bytes; some libraries pad with NULs."""
    return label.rstrip(" \x00")


def pin_flags(flags):
    """The token's PIN state as booleans, from C_GetTokenInfo flags."""
    return dict((name, bool(flags & getattr(TokenFlag, flag))) for name, flag in PIN_FLAGS)


def refuse_login_reason(partition, flags):
    """Why a login must not be tried at all, or None (R14)."""
    if flags["user_pin_locked"]:
        return (PIN_LOCKED, "partition %r is locked after too many wrong PINs; the HSM administrator must "
                            "unlock it (Luna: 'partition resetpw' as the SO) before any VSatellite can use it"
                % partition)
    if flags["user_pin_final_try"]:
        return (PIN_LOCKED, "partition %r would lock on the next wrong PIN (USER_PIN_FINAL_TRY); no login "
                            "was tried. Confirm the PIN with the HSM administrator and have the retry "
                            "counter reset before running again" % partition)
    if not flags["user_pin_initialized"]:
        return (PIN_NOT_INITIALIZED, "partition %r has no user PIN yet; initialise it (Luna: 'partition "
                                     "init' then 'role init -n co'; SoftHSM: softhsm2-util --init-token)"
                % partition)
    return None


class PartitionProbe:
    """Find one partition, log in once, and describe the DEK it holds."""

    def __init__(self, lib_path, partition_label, pin, config_path=None, partition_serial_number=None,
                 dek_label=DEFAULT_DEK_LABEL):
        self.lib_path = lib_path
        self.config_path = config_path
        self.partition_label = strip_label(partition_label)
        self.partition_serial_number = partition_serial_number.strip() if partition_serial_number else None
        self._pin = pin
        self.dek_label = dek_label
        self.warnings = []
        self.partition = None
        self.dek = None

    def run(self):
        """Return {"partition": ..., "dek": ...}; raise VSatelliteError with what was learnt. One login at most."""
        try:
            self._refuse_unsafe_setup()
            for attempt in range(1, LISTING_TRIES + 1):
                with _pkcs11_library.loaded_library(self.lib_path, self.config_path) as lib:
                    try:
                        token = self._find_token(lib)
                    except VSatelliteError as e:
                        # SoftHSM's file backend can miss a token whose files another process is rewriting
                        # when it initialises, and a network HSM can drop a slot for a moment: the listing is
                        # done again, with the library loaded anew. It needs no PIN, so no login is spent (R14).
                        if attempt < LISTING_TRIES and e.code in (PARTITION_NOT_FOUND, HSM_ERROR):
                            time.sleep(LISTING_PAUSE)
                            continue
                        raise
                    self._login_and_read(token)
                    break
        except VSatelliteError as e:
            e.details.setdefault("partition", self.partition)
            e.details.setdefault("dek", self.dek)
            raise
        return {"partition": self.partition, "dek": self.dek}

    def _refuse_unsafe_setup(self):
        """Nothing that could capture the PIN gets it: an empty PIN would spend one of the partition's
        wrong-PIN tries (R14), a library others can replace could read it, a call logger writes it down."""
        if not self._pin or not self._pin.strip():
            raise VSatelliteError(PIN_EMPTY, "pin is empty; no login was tried (R14: an empty PIN still counts as "
                                             "a wrong one on a Luna partition). Give the partition PIN")
        if os.path.exists(self.lib_path):
            found = _file_safety.unsafe_paths(self.lib_path)
            if found:
                raise VSatelliteError(LIB_UNSAFE_PERMISSIONS, _file_safety.describe("lib_path", self.lib_path, found)
                                      + "; the library was not loaded and no PIN was given to it")
        if self.config_path and os.path.exists(self.config_path):
            text, config_format = _pkcs11_library.read_config(self.config_path)
            if config_format == _hsm_config.FORMAT_CHRYSTOKI:
                try:
                    sections = _hsm_config.parse_chrystoki(text)
                except _hsm_config.ConfigSyntaxError as e:
                    raise VSatelliteError("CONFIG_INVALID", "config_path %r: %s" % (self.config_path, e))
                if _hsm_config.call_logger_enabled(sections):
                    raise VSatelliteError(
                        PKCS11_CALL_LOGGER_ENABLED,
                        "config_path %r enables the PKCS#11 call logger (CkLog2 Enabled = 1), which would write "
                        "the PIN to its log; no login was tried. Set 'Enabled = 0;' in its CkLog2 section"
                        % self.config_path)

    # --- the partition ---------------------------------------------------------------------

    def _find_token(self, lib):
        try:
            slots, seen = list_partitions(lib)
        except p11e.PKCS11Error as e:
            raise self._device_error(e, "listing the partitions")

        if not slots:
            raise VSatelliteError(
                HSM_UNREACHABLE,
                "lib_path %r sees no slot at all, so the HSM is not reachable from this host (R2); check the "
                "HSM client's connection (Luna: 'vtl verify'; network: the server address and the client's "
                "certificate)" % self.lib_path)

        labelled = [s for s in seen if s[2] == self.partition_label]
        matches = [s for s in labelled
                   if self.partition_serial_number is None or s[3] == self.partition_serial_number]
        if not matches:
            visible = ", ".join("%r (serial %s)" % (s[2], s[3]) for s in seen) or "none"
            wanted = "partition_label %r" % self.partition_label
            if self.partition_serial_number is not None:
                wanted += " with partition_serial_number %r" % self.partition_serial_number
            raise VSatelliteError(
                PARTITION_NOT_FOUND,
                "no partition matches %s; the partitions this host sees are: %s. Fix the label or "
                "serial, or assign the partition to this client" % (wanted, visible),
                visible_partitions=[{"label": s[2], "serial_number": s[3]} for s in seen])
        if len(matches) > 1:
            serials = [s[3] for s in matches]
            raise VSatelliteError(
                PARTITION_AMBIGUOUS,
                "%d partitions are labelled %r (serial numbers %s); set partition_serial_number to the "
                "one that holds the VSatellite DEK" % (len(matches), self.partition_label, ", ".join(serials)),
                serial_numbers=serials)

        slot, token, label, serial = matches[0]
        flags = pin_flags(token.flags)
        self.partition = {
            "label": label,
            "serial_number": serial,
            "slot_id": slot.slot_id,
            "manufacturer_id": token.manufacturer_id.strip(),
            "model": token.model.strip(),
            "pin_flags": flags,
        }
        return token

    # --- login and the DEK -----------------------------------------------------------------

    def _login_and_read(self, token):
        flags = self.partition["pin_flags"]
        refusal = refuse_login_reason(self.partition["label"], flags)
        if refusal:
            raise VSatelliteError(*refusal)
        if flags["user_pin_count_low"]:
            self.warnings.append("partition %r has seen a wrong PIN since its last successful login "
                                 "(USER_PIN_COUNT_LOW)" % self.partition["label"])
        try:
            # Exactly one C_Login. A read-only session: the probe changes nothing (R11).
            session = token.open(user_pin=self._pin)
        except (p11e.PinIncorrect, p11e.PinInvalid, p11e.PinLenRange):
            raise VSatelliteError(
                PIN_INCORRECT,
                "the PIN was refused by partition %r (serial %s); it was tried once and will not be retried "
                "(R14: repeated wrong PINs can lock the partition). Check the PIN with the HSM administrator"
                % (self.partition["label"], self.partition["serial_number"]))
        except p11e.PinLocked:
            raise VSatelliteError(PIN_LOCKED, refuse_login_reason(self.partition["label"], dict(
                flags, user_pin_locked=True))[1])
        except p11e.PKCS11Error as e:
            raise self._device_error(e, "logging in")
        try:
            with session:
                self.dek = self._describe_dek(session)
        except p11e.PKCS11Error as e:
            raise self._device_error(e, "reading the DEK")
        if not self.dek["present"]:
            return
        flaws = [words for words, bad in (
            ("is extractable", self.dek["extractable"]),
            ("is not sensitive", not self.dek["sensitive"]),
            ("was extractable once (CKA_NEVER_EXTRACTABLE false)", self.dek["never_extractable"] is False),
            ("was not always sensitive (CKA_ALWAYS_SENSITIVE false)", self.dek["always_sensitive"] is False),
        ) if bad]
        if flaws:
            raise VSatelliteError(
                DEK_NOT_PROTECTED,
                "the key labelled %r in partition %r %s; a DEK must be sensitive and never extractable, so that no "
                "copy of it exists outside the HSM. This is not a key a VSatellite generated: find out who created "
                "it before anything else" % (self.dek_label, self.partition["label"], " and ".join(flaws)))
        if (self.dek["key_type"], self.dek["key_length"]) != ("AES", 256):
            raise VSatelliteError(
                DEK_INVALID,
                "the key labelled %r in partition %r is %s-%s; a VSatellite DEK is AES-256 (R6). This is not a key "
                "a VSatellite generated: check dek_label, and find out who created this key"
                % (self.dek_label, self.partition["label"], self.dek["key_type"], self.dek["key_length"]))

    def _describe_dek(self, session):
        # One C_FindObjectsInit template: the HSM does the search, whatever else the partition holds.
        keys = list(session.get_objects({Attribute.CLASS: ObjectClass.SECRET_KEY, Attribute.LABEL: self.dek_label}))
        dek = {"label": self.dek_label, "present": bool(keys), "count": len(keys), "key_type": None,
               "key_length": None, "sensitive": None, "extractable": None, "never_extractable": None,
               "always_sensitive": None, "id": None, "check_value": None, "fingerprint": None}
        if len(keys) > 1:
            ids = [_hex_attr(k, Attribute.ID) for k in keys]
            dek["ids"] = ids
            self.dek = dek
            raise VSatelliteError(
                DEK_DUPLICATE,
                "partition %r holds %d secret keys labelled %r (CKA_ID %s); a VSatellite needs exactly one. "
                "Do not delete any before you know which one the tenant's VSatellites use: deleting the DEK "
                "loses all data for good (R11)"
                % (self.partition["label"], len(keys), self.dek_label, ", ".join(i or "none" for i in ids)))
        if not keys:
            return dek
        key = keys[0]
        key_type = key[Attribute.KEY_TYPE]
        value_len = _attr(key, Attribute.VALUE_LEN)
        dek.update(
            key_type=getattr(key_type, "name", str(key_type)),
            key_length=value_len * 8 if value_len is not None else None,
            sensitive=bool(key[Attribute.SENSITIVE]),
            extractable=bool(key[Attribute.EXTRACTABLE]),
            never_extractable=_bool_attr(key, Attribute.NEVER_EXTRACTABLE),
            always_sensitive=_bool_attr(key, Attribute.ALWAYS_SENSITIVE),
            id=_hex_attr(key, Attribute.ID) or "",
        )
        check_value = self._check_value(key, key_type)
        if check_value is not None:
            dek["check_value"] = check_value.hex()
            dek["fingerprint"] = fingerprint(dek["key_type"], bytes.fromhex(dek["id"]), check_value)
        return dek

    def _check_value(self, key, key_type):
        """CKA_CHECK_VALUE where the HSM keeps it, else the AES key check value computed in the HSM.

        Both are the first 3 bytes of the zero block encrypted with the key, so the
        fingerprint is the same whichever way a host obtains it.
        """
        try:
            value = key[Attribute.CHECK_VALUE]
            if value:
                return bytes(value[:KCV_LENGTH])
        except (p11e.AttributeTypeInvalid, p11e.AttributeSensitive):
            pass
        if key_type != KeyType.AES:
            self.warnings.append("the DEK %r is a %s key with no CKA_CHECK_VALUE, so it has no fingerprint"
                                 % (self.dek_label, key_type))
            return None
        try:
            return bytes(key.encrypt(bytes(16), mechanism=Mechanism.AES_ECB)[:KCV_LENGTH])
        except _unreachable_errors():
            raise
        except p11e.PKCS11Error:  # CKR_KEY_FUNCTION_NOT_PERMITTED, CKR_MECHANISM_INVALID and the like
            self.warnings.append("the DEK %r has no CKA_CHECK_VALUE and may not encrypt, so it has no "
                                 "fingerprint" % self.dek_label)
            return None

    def _device_error(self, error, doing):
        """Map a PKCS#11 failure to a code. The message names only the return code's class."""
        name = type(error).__name__
        where = "partition %r" % self.partition["label"] if self.partition else "the HSM"
        if isinstance(error, _unreachable_errors()):
            return VSatelliteError(
                HSM_UNREACHABLE,
                "lost the connection to %s while %s (%s); check that the HSM is up and reachable from this "
                "host (R2), then run again" % (where, doing, name))
        return VSatelliteError(HSM_ERROR, "%s failed while %s: %s" % (where, doing, name))


def _unreachable_errors():
    """The PKCS#11 errors that mean the HSM, not the request, is the problem."""
    return (p11e.DeviceError, p11e.DeviceRemoved, p11e.TokenNotPresent, p11e.TokenNotRecognised,
            p11e.SessionClosed, p11e.SessionHandleInvalid)


def fingerprint(key_type, key_id, check_value):
    """A non-secret name of the key: equal on every host that sees the same key."""
    digest = hashlib.sha256(FINGERPRINT_DOMAIN + key_type.encode("ascii") + b"\x00"
                            + len(key_id).to_bytes(2, "big") + key_id + check_value).hexdigest()
    return "sha256:" + digest[:32]


def _serial(token):
    serial = token.serial
    if isinstance(serial, bytes):
        serial = serial.decode("ascii", "replace")
    return strip_label(serial)


def _attr(key, attribute):
    try:
        return key[attribute]
    except (p11e.AttributeTypeInvalid, p11e.AttributeSensitive):
        return None


def _bool_attr(key, attribute):
    value = _attr(key, attribute)
    return None if value is None else bool(value)


def _hex_attr(key, attribute):
    value = _attr(key, attribute)
    return bytes(value).hex() if value is not None else None

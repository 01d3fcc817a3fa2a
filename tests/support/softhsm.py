"""Real SoftHSM2 partitions for tests: a token directory and a softhsm2.conf of their own.

Each ``SoftHsm`` is an isolated SoftHSM installation (configuration + token
directory) under a directory the caller owns, so tests never share state.
"""

import contextlib
import os
import re
import secrets
import signal
import subprocess
import time

from ansible_collections.ngts.vsatellite.plugins.module_utils._pty import run_with_pty

SOFTHSM_LIB = "/usr/lib/softhsm/libsofthsm2.so"
SOFTHSM_LIB_MULTIARCH = "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so"
SOFTHSM_CLIENT_PATH = "/usr/lib/softhsm"
P11KIT_CLIENT_LIB = "/usr/lib/x86_64-linux-gnu/pkcs11/p11-kit-client.so"
PKCS11_SPY_LIB = "/usr/lib/x86_64-linux-gnu/pkcs11/pkcs11-spy.so"
OPENSC_LIB = "/usr/lib/x86_64-linux-gnu/pkcs11/opensc-pkcs11.so"
DEK_LABEL = "vsatellite-dek"


def spy_logins(log_path):
    """The return code of every C_Login that OpenSC's pkcs11-spy logged, in order."""
    with open(log_path) as f:
        return re.findall(r"C_Login\n.*?Returned:\s+\d+ (\w+)", f.read(), re.S)


def throwaway_pin():
    """A PIN made for one test: long and random, so that a search for it in output cannot hit by chance,
    with a quote and a backslash, so that a leak through an escaped (JSON or repr) form shows too."""
    return "t'" + secrets.token_hex(6) + "\\" + secrets.token_hex(6)


class SoftHsm:
    def __init__(self, base_dir, log_level="ERROR"):
        self.base_dir = str(base_dir)
        self.tokendir = os.path.join(self.base_dir, "tokens")
        self.conf = os.path.join(self.base_dir, "softhsm2.conf")
        os.makedirs(self.tokendir, mode=0o700, exist_ok=True)
        with open(self.conf, "w") as f:
            f.write("directories.tokendir = %s\nobjectstore.backend = file\nlog.level = %s\n"
                    % (self.tokendir, log_level))
        self.pins = {}

    @property
    def env(self):
        return dict(os.environ, SOFTHSM2_CONF=self.conf)

    def init_token(self, label, pin=None, so_pin=None):
        """Create a token; return its serial number. PINs go through a pty, never argv."""
        pin = pin or throwaway_pin()
        so_pin = so_pin or throwaway_pin()
        before = set(t["serial"] for t in self.tokens())
        rc, out = run_with_pty(
            ["softhsm2-util", "--init-token", "--free", "--label", label],
            [(r"enter SO PIN", so_pin), (r"reenter SO PIN", so_pin),
             (r"enter user PIN", pin), (r"reenter user PIN", pin)],
            env=self.env)
        if rc != 0:
            raise RuntimeError("softhsm2-util --init-token failed (%d): %s" % (rc, out))
        new = [t["serial"] for t in self.tokens() if t["serial"] not in before]
        if len(new) != 1:
            raise RuntimeError("expected one new token labelled %r, found %r" % (label, new))
        self.pins[new[0]] = pin
        return new[0]

    def tokens(self):
        with self.library() as lib:
            out = []
            for slot in lib.get_slots(token_present=True):
                tok = slot.get_token()
                if tok.label.strip():
                    out.append({"label": tok.label.rstrip(), "serial": tok.serial.decode().strip(),
                                "slot": slot.slot_id})
            return out

    @contextlib.contextmanager
    def library(self):
        import pkcs11
        saved = os.environ.get("SOFTHSM2_CONF")
        os.environ["SOFTHSM2_CONF"] = self.conf
        try:
            yield pkcs11.lib(SOFTHSM_LIB)
        finally:
            pkcs11.unload(SOFTHSM_LIB)
            if saved is None:
                os.environ.pop("SOFTHSM2_CONF", None)
            else:
                os.environ["SOFTHSM2_CONF"] = saved

    @contextlib.contextmanager
    def session(self, serial):
        with self.library() as lib:
            tokens = [s.get_token() for s in lib.get_slots(token_present=True)]
            token = [t for t in tokens if t.serial.decode().strip() == serial][0]
            with token.open(rw=True, user_pin=self.pins[serial]) as session:
                yield session

    def generate_dek(self, serial, label=DEK_LABEL, extractable=False, sensitive=True, key_id=None):
        """An AES-256 key as a VSatellite makes it (R6); returns its CKA_ID (hex)."""
        from pkcs11 import Attribute, KeyType
        key_id = key_id or secrets.token_bytes(16)
        with self.session(serial) as s:
            s.generate_key(KeyType.AES, 256, label=label, id=key_id, store=True,
                           template={Attribute.SENSITIVE: sensitive, Attribute.EXTRACTABLE: extractable,
                                     Attribute.ENCRYPT: True, Attribute.DECRYPT: True})
        return key_id.hex()

    def add_data_objects(self, serial, count):
        """Fill a partition with unrelated objects, to show a probe does not scan them."""
        from pkcs11 import Attribute, ObjectClass
        with self.session(serial) as s:
            for i in range(count):
                s.create_object({Attribute.CLASS: ObjectClass.DATA, Attribute.TOKEN: True,
                                 Attribute.LABEL: "filler-%06d" % i, Attribute.VALUE: b"x"})

    def delete_keys(self, serial, label=DEK_LABEL):
        from pkcs11 import Attribute
        with self.session(serial) as s:
            for obj in list(s.get_objects({Attribute.LABEL: label})):
                obj.destroy()


class NetworkHsm:
    """One SoftHSM token served by ``p11-kit server`` on a unix socket: a network HSM (NOTES.md).

    Clients load p11-kit's RPC client and name the socket in a p11-kit module file (``remote:``), the
    configuration the collection reads for a p11-kit transport."""

    def __init__(self, hsm, label, socket_path):
        self.hsm, self.label, self.socket = hsm, label, str(socket_path)
        self.module_file = self.socket + ".module"
        with open(self.module_file, "w") as f:
            f.write("# p11-kit remote partition %s\nremote: unix:path=%s\n" % (label, self.socket))
        self.proc = None
        self.start()

    @property
    def env(self):
        return {"P11_KIT_SERVER_ADDRESS": "unix:path=" + self.socket}

    def start(self):
        self.proc = subprocess.Popen(
            ["p11-kit", "server", "-f", "-s", "-n", self.socket, "--provider", SOFTHSM_LIB,
             "pkcs11:token=%s" % self.label],
            env=self.hsm.env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
        for dummy in range(200):
            if os.path.exists(self.socket) or self.proc.poll() is not None:
                break
            time.sleep(0.05)
        if not os.path.exists(self.socket):
            raise RuntimeError("p11-kit server did not listen: %s" % self.proc.stderr.read().decode())

    def kill(self):
        """The server and its p11-kit-remote children, at once, as a network failure would."""
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
        if self.proc is not None:
            self.proc.wait()
            self.proc.stderr.close()
        if os.path.exists(self.socket):
            os.unlink(self.socket)

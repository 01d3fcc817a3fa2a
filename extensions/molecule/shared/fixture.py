"""What a Molecule scenario runs against, besides its hosts: the simulated tenant, real SoftHSM partitions
and, for a network HSM, ``p11-kit server``. One daemon per scenario owns them all.

The daemon makes the secrets (the partition PIN, a wrong PIN, the tenant's API key) and keeps them in its
memory only: it writes no secret to disk. Ansible gets them through a pipe lookup
(``fixture.py --dir D secret pin``); the daemon answers on a unix socket that only root can open.
Everything else a scenario needs to know (the tenant's URL, the partitions' labels, serials and
configuration files) is in ``state.json``, which holds no secret.

    fixture.py --dir DIR up --hosts a,b,c [--partitions main,other] [--network-hsm]
    fixture.py --dir DIR secret pin|wrong_pin|api_key
    fixture.py --dir DIR call OP [JSON-ARGS]       (ops: see Daemon.op_*)
    fixture.py --dir DIR down                      (stops everything and removes DIR)

The verifiers use ``Client`` directly (through shared/verify.py). Only scaffolds a scenario asks for
write a secret down: OpenSC's spy (wrong_pin) logs the PINs it sees, in files named pkcs11-spy-*, in the
fixture's directory, which destroy removes.
"""

import argparse
import json
import os
import shutil
import signal
import socket
import socketserver
import sys
import threading
import time
import traceback

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
sys.path[:0] = [os.path.join(REPO, ".build", "collections"), REPO]

LABEL = "vsat-molecule"
STATE = "state.json"
SOCKET = "control.sock"


class Client:
    def __init__(self, directory):
        self.directory = os.path.abspath(directory)

    def state(self):
        with open(os.path.join(self.directory, STATE)) as f:
            return json.load(f)

    def call(self, op, timeout=300, **args):
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(timeout)
        try:
            sock.connect(os.path.join(self.directory, SOCKET))
            sock.sendall(json.dumps({"op": op, "args": args}).encode() + b"\n")
            answer = json.loads(sock.makefile().readline())
        finally:
            sock.close()
        if "error" in answer:
            raise RuntimeError("fixture %s: %s" % (op, answer["error"]))
        return answer["result"]


class Daemon:
    """The scenario's tenant, partitions and network HSM; each op_* answers one request."""

    def __init__(self, directory, hosts, partitions, network_hsm):
        from tests.support.simulator import Tenant
        from tests.support.softhsm import NetworkHsm, SoftHsm, throwaway_pin

        self.directory = directory
        self.pin, self.wrong_pin = throwaway_pin(), throwaway_pin()
        self.tenant = Tenant(os.path.join(directory, "tenant"))
        self.hsms, self.serials = {}, {}
        for name in partitions:
            # Same label and PIN on every partition: only the serial tells a second one apart (R9).
            self.hsms[name] = SoftHsm(os.path.join(directory, "hsm-" + name))
            self.serials[name] = self.hsms[name].init_token(LABEL, pin=self.pin)
        self.network = None
        if network_hsm:
            os.makedirs(os.path.join(directory, "p11-kit"), mode=0o700)
            self.network = NetworkHsm(self.hsms[partitions[0]], LABEL,
                                      os.path.join(directory, "p11-kit", "pkcs11.sock"))
        self.keys = {}
        self.strays = []
        self.watchers = []
        self.state = {
            "tenant_url": self.tenant.url, "label": LABEL, "hosts": hosts, "directory": directory,
            "installer": os.path.join(REPO, "simulator", "bin", "vsatctl"),
            "partitions": dict((n, {"conf": h.conf, "serial": self.serials[n], "base_dir": h.base_dir})
                               for n, h in self.hsms.items()),
            "network_hsm": {"socket": self.network.socket, "module_file": self.network.module_file}
            if self.network else None,
        }

    # --- secrets ----------------------------------------------------------------------------

    def op_secret(self, name):
        return {"pin": self.pin, "wrong_pin": self.wrong_pin, "api_key": self.tenant.api_key}[name]

    # --- the partitions ---------------------------------------------------------------------

    def op_probe(self, partition="main"):
        """What the partition holds, seen from the controller with the right PIN (one login)."""
        from ansible_collections.ngts.vsatellite.plugins.module_utils._hsm_partition import PartitionProbe
        from tests.support.softhsm import SOFTHSM_LIB
        return PartitionProbe(SOFTHSM_LIB, LABEL, self.pin, config_path=self.hsms[partition].conf).run()

    def op_delete_dek(self, partition="main"):
        """Behind the fleet's back, as an HSM administrator could (R11)."""
        self.hsms[partition].delete_keys(self.serials[partition])
        return True

    def op_hsm_stop(self):
        self.network.kill()
        return True

    def op_hsm_start(self):
        self.network.start()
        return True

    def op_hsm_stop_when_file(self, container, path):
        """Kill the network HSM the moment ``path`` appears on ``container``: mid-rollout, at a point the
        rollout reaches on that host only (the installer copied to the next batch's host)."""
        from tests.support.containers import podman
        merged = podman("inspect", "--format", "{{.GraphDriver.Data.MergedDir}}", container).stdout.strip()

        def watch():
            deadline = time.monotonic() + 900
            while time.monotonic() < deadline:
                if os.path.exists(merged + path):
                    self.network.kill()
                    return
                time.sleep(0.05)
        thread = threading.Thread(target=watch, daemon=True)
        thread.start()
        self.watchers.append(thread)
        return merged

    # --- the tenant -------------------------------------------------------------------------

    def op_instances(self):
        """Every VSatellite in the tenant with its edgeStatus and hsmStatus."""
        return [dict(i, status=list(self.tenant.status_of(i["id"]))) for i in self.tenant.instances()]

    def _pairing_codes(self):
        import sqlite3
        with sqlite3.connect(self.tenant.db) as db:
            return [row[0] for row in db.execute("SELECT code FROM pairing_codes")]

    def op_pairing_codes(self):
        """How many pairing codes the tenant has issued (its own database says)."""
        return len(self._pairing_codes())

    def op_pairing_code_values(self):
        """The pairing codes the tenant issued: secrets, asked for by the leak search after a run."""
        return self._pairing_codes()

    def op_dek_mode(self):
        return self.tenant.dek_record()

    def op_wait_status(self, count, status=("ACTIVE", "HSM_HEALTHY"), timeout=60):
        """Wait, doing nothing to the hosts, until ``count`` VSatellites have ``status`` (edgeStatus, and
        hsmStatus unless only one is given)."""
        want = tuple(status)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            having = sorted(i["name"] for i in self.op_instances() if tuple(i["status"][:len(want)]) == want)
            if len(having) >= count:
                return having
            time.sleep(0.2)
        raise RuntimeError("after %ds, not %d VSatellites %s: %s" % (timeout, count, "/".join(want),
                                                                     self.op_instances()))

    def op_store_key(self, name):
        """A key generated by a VSatellite and stored in the tenant encrypted under the DEK (R13)."""
        self.keys[name] = self.tenant.store_key()
        return self.keys[name]

    def op_verify_key(self, name, instance_id):
        return self.tenant.verify_key(self.keys[name]["id"], instance_id)["status"]

    def op_install_stray(self, name):
        """A software-mode VSatellite on the controller, in no inventory: one the fleet does not know of."""
        from tests.support.simulator import Installer
        installer = Installer(self.tenant, os.path.join(self.directory, "strays"))
        rc, out = installer.install(name)
        if rc != 0:
            raise RuntimeError("stray install failed (%d): %s" % (rc, out[-500:]))
        self.strays.append(installer)
        return installer.status(name)["edgeInstanceId"]

    def shutdown(self):
        for installer in self.strays:
            installer.cleanup()
        if self.network:
            self.network.kill()
        self.tenant.stop()


def serve(directory, daemon_args):
    """Run the daemon (already detached): write state.json, answer requests until 'down'."""
    try:
        daemon = Daemon(directory, **daemon_args)
    except BaseException:
        traceback.print_exc()  # into fixture.log, which up() shows
        _stop_children(directory)
        raise
    stop = threading.Event()

    class Handler(socketserver.StreamRequestHandler):
        def handle(self):
            try:
                request = json.loads(self.rfile.readline())
                if request["op"] == "down":
                    stop.set()
                    answer = {"result": True}
                else:
                    answer = {"result": getattr(daemon, "op_" + request["op"])(**request["args"])}
            except Exception as e:  # the error goes back to the caller; it never holds a secret
                answer = {"error": "%s: %s" % (type(e).__name__, e)}
                traceback.print_exc()
            self.wfile.write(json.dumps(answer).encode() + b"\n")

    path = os.path.join(directory, SOCKET)
    old = os.umask(0o077)
    server = socketserver.ThreadingUnixStreamServer(path, Handler)
    os.umask(old)
    with open(os.path.join(directory, STATE + ".tmp"), "w") as f:
        json.dump(daemon.state, f, indent=2)
    os.rename(os.path.join(directory, STATE + ".tmp"), os.path.join(directory, STATE))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    signal.signal(signal.SIGTERM, lambda *a: stop.set())
    try:
        # Down when asked, or when the scenario's directory is gone (removed without a destroy).
        while not stop.wait(2):
            if not os.path.exists(os.path.join(directory, STATE)):
                break
    finally:
        server.shutdown()
        daemon.shutdown()
        shutil.rmtree(directory, ignore_errors=True)


def _stop_children(directory):
    """A daemon that failed to start may have started the tenant already: stop what runs from its directory."""
    import subprocess
    subprocess.run(["pkill", "-f", "--", "--db %s/" % directory], check=False)


def up(directory, daemon_args):
    """Start the daemon in a session of its own and return once it answers."""
    if os.path.isdir(directory):
        try:
            Client(directory).call("dek_mode", timeout=5)
            return  # already up: create ran twice
        except (OSError, RuntimeError, ValueError):
            shutil.rmtree(directory)  # what a dead daemon left
    os.makedirs(directory, mode=0o700)
    pid = os.fork()
    if pid == 0:
        os.setsid()
        if os.fork() != 0:
            os._exit(0)
        log = os.open(os.path.join(directory, "fixture.log"), os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.dup2(log, 1)
        os.dup2(log, 2)
        try:
            serve(directory, daemon_args)
        except BaseException:
            os._exit(1)
        os._exit(0)
    os.waitpid(pid, 0)
    deadline = time.monotonic() + 60
    log = os.path.join(directory, "fixture.log")
    while not os.path.exists(os.path.join(directory, STATE)):
        if time.monotonic() > deadline or "Traceback" in _read(log):
            time.sleep(0.5)
            sys.exit("the fixture did not start; its log: %s" % _read(log))
        time.sleep(0.1)


def _read(path):
    try:
        with open(path) as f:
            return f.read()[-3000:]
    except OSError:
        return "(none)"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("--dir", required=True)
    sub = parser.add_subparsers(dest="command", required=True)
    start = sub.add_parser("up")
    start.add_argument("--hosts", required=True)
    start.add_argument("--partitions", default="main")
    start.add_argument("--network-hsm", action="store_true")
    secret = sub.add_parser("secret")
    secret.add_argument("name", choices=("pin", "wrong_pin", "api_key"))
    call = sub.add_parser("call")
    call.add_argument("op")
    call.add_argument("args", nargs="?", default="{}")
    sub.add_parser("down")
    args = parser.parse_args(argv)
    directory = os.path.abspath(args.dir)
    if args.command == "up":
        up(directory, {"hosts": args.hosts.split(","), "partitions": args.partitions.split(","),
                       "network_hsm": args.network_hsm})
    elif args.command == "secret":
        sys.stdout.write(_call_or_exit(directory, "secret", name=args.name))
    elif args.command == "call":
        print(json.dumps(_call_or_exit(directory, args.op, **json.loads(args.args))))
    else:
        down(directory)


def _call_or_exit(directory, op, **args):
    try:
        return Client(directory).call(op, **args)
    except (OSError, RuntimeError) as e:
        sys.exit("fixture.py: %s (is the scenario created? molecule create -s SCENARIO)" % e)


def down(directory):
    if os.path.exists(os.path.join(directory, SOCKET)):
        try:
            Client(directory).call("down", timeout=30)
        except OSError:
            pass
        deadline = time.monotonic() + 30
        while os.path.isdir(directory) and time.monotonic() < deadline:
            time.sleep(0.1)
    shutil.rmtree(directory, ignore_errors=True)


if __name__ == "__main__":
    main()

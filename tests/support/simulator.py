"""Drive the simulator as tests and users do: the tenant as a real server process, vsatctl as a real
installer process, each VSatellite as the real process the installer starts."""

import json
import os
import secrets
import signal
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request

from ansible_collections.ngts.vsatellite.plugins.module_utils._pty import run_with_pty

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SIMULATOR = os.path.join(REPO, "simulator")
VSATCTL = os.path.join(SIMULATOR, "bin", "vsatctl")
HEARTBEAT = "0.3"  # seconds: fast enough for tests, LOST_CONNECTION after 0.9 s of silence


def wait_for(predicate, timeout=20.0, interval=0.1, what="condition"):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = predicate()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError("timed out after %.0fs waiting for %s (last: %r)" % (timeout, what, last))


def wait_until(getter, accept, timeout=20.0, what="condition"):
    """Call ``getter`` until ``accept(value)``; return that value."""
    box = []

    def check():
        box[:] = [getter()]
        return accept(box[0])

    wait_for(check, timeout, what=what)
    return box[0]


class Tenant:
    """The simulated tenant, on a loopback port of its own, with a throwaway API key."""

    def __init__(self, workdir, api_key=None, tls=False):
        self.workdir = str(workdir)
        os.makedirs(self.workdir, exist_ok=True)
        self.db = os.path.join(self.workdir, "tenant.sqlite")
        self.api_key = api_key or "k-" + secrets.token_hex(16)
        self.proc = None
        self.port = None
        self.cert = self._make_certificate() if tls else None
        self.start()

    @property
    def url(self):
        return "%s://127.0.0.1:%d" % ("https" if self.cert else "http", self.port)

    def _make_certificate(self):
        """A self-signed certificate for 127.0.0.1, made for this tenant only."""
        cert, key = os.path.join(self.workdir, "tls.crt"), os.path.join(self.workdir, "tls.key")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                        "-keyout", key, "-out", cert, "-days", "1", "-subj", "/CN=127.0.0.1",
                        "-addext", "subjectAltName=IP:127.0.0.1"], check=True, capture_output=True)
        return cert

    def start(self):
        port_file = os.path.join(self.workdir, "port")
        if os.path.exists(port_file):
            os.unlink(port_file)
        env = dict(os.environ, PYTHONPATH=SIMULATOR, VSAT_SIM_API_KEY=self.api_key)
        # The same port again on a restart, so that the VSatellites find their tenant.
        listen = "127.0.0.1:%d" % (self.port or 0)
        log = open(os.path.join(self.workdir, "tenant.log"), "a")
        tls = ["--tls-cert", self.cert, "--tls-key", self.cert[:-3] + "key"] if self.cert else []
        self.proc = subprocess.Popen([sys.executable, "-m", "vsat_sim.tenant", "--listen", listen, "--db", self.db,
                                      "--port-file", port_file] + tls, env=env, stdout=log, stderr=log,
                                     start_new_session=True)
        log.close()
        wait_for(lambda: os.path.exists(port_file) or self.proc.poll() is not None, 10, what="the tenant to listen")
        if self.proc.poll() is not None:
            raise RuntimeError("the tenant did not start: %s" % open(os.path.join(self.workdir, "tenant.log")).read())
        with open(port_file) as f:
            self.port = int(f.read())

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)

    def restart(self):
        self.stop()
        self.start()

    def api(self, method, path, body=None, api_key=None, expect=None):
        headers = {"Content-Type": "application/json", "tppl-api-key": self.api_key if api_key is None else api_key}
        req = urllib.request.Request(self.url + path, method=method, headers=headers,
                                     data=json.dumps(body).encode() if body is not None else None)
        context = ssl.create_default_context(cafile=self.cert) if self.cert else None
        try:
            with urllib.request.urlopen(req, timeout=30, context=context) as resp:
                raw = resp.read()
                status, payload = resp.status, (json.loads(raw) if raw else None)
        except urllib.error.HTTPError as e:
            raw = e.read()
            status, payload = e.code, (json.loads(raw) if raw else None)
        if expect is not None:
            assert status == expect, "%s %s: %d %s" % (method, path, status, payload)
        return status, payload

    def pairing_code(self, reuse_count=10, expiration=None):
        body = {"reuseCount": reuse_count}
        if expiration:
            body["expirationDate"] = expiration
        return self.api("POST", "/v1/pairingcodes/satellite", body, expect=201)[1]["pairingCode"]

    def instances(self):
        return self.api("GET", "/v1/edgeinstances", expect=200)[1]["edgeInstances"]

    def instance(self, iid):
        return self.api("GET", "/v1/edgeinstances/%s?statusDetails=true" % iid, expect=200)[1]

    def status_of(self, iid):
        info = self.instance(iid)
        return info["edgeStatus"], info["statusDetails"]["healthDetails"][0]["hsmStatus"]

    def dek_record(self):
        return self.api("GET", "/v1/sim/dek", expect=200)[1]

    def delete_all(self):
        for inst in self.instances():
            self.api("DELETE", "/v1/edgeinstances/%s" % inst["id"], expect=204)

    def store_key(self, timeout=20):
        key_id = self.api("POST", "/v1/sim/keys", {}, expect=201)[1]["id"]
        return wait_until(lambda: self.api("GET", "/v1/sim/keys/%s" % key_id, expect=200)[1],
                          lambda k: k["status"] != "PENDING", timeout, what="key %s" % key_id)

    def verify_key(self, key_id, instance_id=None, timeout=20):
        body = {"edgeInstanceId": instance_id} if instance_id else {}
        vid = self.api("POST", "/v1/sim/keys/%s/verify" % key_id, body, expect=202)[1]["id"]
        return wait_until(lambda: self.api("GET", "/v1/sim/verifications/%s" % vid, expect=200)[1],
                          lambda v: v["status"] != "PENDING", timeout, what="verification")


class Installer:
    """vsatctl run as a process, one install dir per simulated host."""

    def __init__(self, tenant, workdir):
        self.tenant = tenant
        self.workdir = str(workdir)
        self.dirs = []

    def env(self, name, extra=None):
        env = dict(os.environ, VSAT_SIM_NAME=name, VSAT_SIM_HEARTBEAT=HEARTBEAT, TERM="xterm")
        env.update(extra or {})
        return env

    def install_dir(self, name):
        return os.path.join(self.workdir, "hosts", name, "opt-vsatellite")

    def track(self, name):
        """An install dir that something else (a module under test) installs into: cleaned up after too."""
        path = self.install_dir(name)
        self.dirs.append(path)
        return path

    def install(self, name, pin=None, hsm=None, code=None, env=None, interactive=False, extra_args=()):
        """Install; returns (rc, output). The PIN goes on stdin (--silent) or to the prompt on a pty."""
        path = self.install_dir(name)
        self.dirs.append(path)
        argv = [sys.executable, VSATCTL, "install", "--pairing-code", code or self.tenant.pairing_code(),
                "--api-url", self.tenant.url, "--install-dir", path, "--accept-license-agreement"]
        for flag, value in (hsm or {}).items():
            if value is not None:
                argv += ["--" + flag.replace("_", "-"), value]
        argv += list(extra_args)
        if interactive:
            answers = [("HSM partition PIN:", pin)] if hsm else []
            return run_with_pty(argv, answers, env=self.env(name, env))
        argv.append("--silent")
        proc = subprocess.run(argv, input=(pin + "\n") if pin else "", capture_output=True, text=True,
                              env=self.env(name, env), timeout=60, check=False)
        return proc.returncode, proc.stdout + proc.stderr

    def run(self, name, *args, stdin=""):
        where = ["--install-dir", self.install_dir(name)] if name else []
        proc = subprocess.run([sys.executable, VSATCTL] + list(args) + where,
                              input=stdin, capture_output=True, text=True, env=self.env(name or "vsatctl"), timeout=60,
                              check=False)
        return proc.returncode, proc.stdout + proc.stderr

    def status(self, name):
        rc, out = self.run(name, "status")
        assert rc == 0, out
        return json.loads(out)

    def log(self, name):
        with open(os.path.join(self.install_dir(name), "logs", "vsatellite.log")) as f:
            return f.read()

    def pid(self, name):
        return self.status(name)["pid"]

    def cleanup(self):
        """Stop every satellite process a test started, installed or not."""
        for path in self.dirs:
            pid_file = os.path.join(path, "run", "satellite.pid")
            if os.path.exists(pid_file):
                with open(pid_file) as f:
                    pid = int(f.read())
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass

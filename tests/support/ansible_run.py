"""Run a collection module through real ``ansible-playbook``, as a user would.

Module arguments travel through a named pipe (``-e @FIFO``, written by a
thread while Ansible reads it), so a test's PIN is in neither argv, the
environment nor a file on disk. Results are read back through a test callback
(``callback_plugins/result_log.py``), as every callback sees them; the ordinary
output (at ``-vvvv`` by default) is kept whole so that tests can search it for secrets.
"""

import json
import os
import subprocess
import sys
import threading

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
COLLECTIONS = os.path.join(REPO, ".build", "collections")


class AnsibleRun:
    def __init__(self, proc, records):
        self.rc = proc.returncode
        self.stdout = proc.stdout
        self.stderr = proc.stderr
        self.records = records
        self.result = records[-1]["result"] if records else {}

    def task(self, name, host="localhost"):
        """The result of the (last) task called ``name`` on ``host``."""
        found = [r for r in self.records if r["task"] == name and r["host"] == host]
        assert found, "no result for task %r on %s; tasks seen: %s" % (name, host, [r["task"] for r in self.records])
        return found[-1]["result"]

    @property
    def output(self):
        return self.stdout + self.stderr

    @property
    def failed(self):
        return self.records[-1]["status"] == "failed"

    def __repr__(self):
        return "AnsibleRun(rc=%d, result=%s)" % (self.rc, json.dumps(self.result, indent=1, default=str)[:4000])


def ansible_env(extra=None, result_log=None):
    env = dict(os.environ)
    env.update({
        "ANSIBLE_COLLECTIONS_PATH": COLLECTIONS,
        "ANSIBLE_PYTHON_INTERPRETER": sys.executable,
        "ANSIBLE_LOCALHOST_WARNING": "false",
        "ANSIBLE_INVENTORY_UNPARSED_WARNING": "false",
        "ANSIBLE_NOCOLOR": "1",
        "ANSIBLE_RETRY_FILES_ENABLED": "false",
    })
    env.pop("ANSIBLE_KEEP_REMOTE_FILES", None)
    if result_log:
        env.update({"ANSIBLE_CALLBACK_PLUGINS": os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                             "callback_plugins"),
                    "ANSIBLE_CALLBACKS_ENABLED": "result_log", "NGTS_TEST_RESULT_LOG": result_log})
    env.update(extra or {})
    return env


def _write_fifo(path, text):
    with open(path, "w") as f:  # blocks until Ansible opens the pipe to read it
        f.write(text)


def _unblock(fifo, writer):
    """If Ansible never read the pipe, open it for reading so the writer thread ends; then remove it."""
    if writer.is_alive():
        fd = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
        writer.join(5)
        os.close(fd)
    os.unlink(fifo)


def run_module(module, args, workdir, env=None, check=False, verbosity=4, timeout=120):
    """Run ``ngts.vsatellite.<module>`` with ``args`` on localhost; return an AnsibleRun."""
    tasks = [{"name": "run the module under test", "ngts.vsatellite." + module: "{{ module_args }}"}]
    return run_playbook(tasks, {"module_args": args}, workdir, env=env, check=check, verbosity=verbosity,
                        timeout=timeout, name=module)


def run_playbook(tasks, variables, workdir, env=None, check=False, verbosity=4, timeout=300, name="play",
                 hosts="localhost", inventory="localhost,", extra_args=()):
    """Run ``tasks`` (a list of task dicts) with ``variables`` passed through a pipe; return an AnsibleRun."""
    workdir = str(workdir)
    playbook = os.path.join(workdir, "play-%s.yml" % name)
    with open(playbook, "w") as f:
        play = {"hosts": hosts, "gather_facts": False, "tasks": tasks}
        if inventory == "localhost,":
            play["connection"] = "local"
        json.dump([play], f, indent=1)
    return run_playbook_file(playbook, variables, workdir, env, check, verbosity, timeout, name, inventory,
                             extra_args)


def run_playbook_file(playbook, variables, workdir, env=None, check=False, verbosity=4, timeout=600, name="play",
                      inventory="localhost,", extra_args=()):
    """Run a playbook (a path, or a collection playbook such as ngts.vsatellite.preflight)."""
    workdir = str(workdir)
    log = os.path.join(workdir, "results-%s.jsonl" % name)
    if os.path.exists(log):
        os.unlink(log)
    fifo = os.path.join(workdir, "vars-%s.json" % name)
    if os.path.exists(fifo):
        os.unlink(fifo)
    os.mkfifo(fifo, 0o600)
    writer = threading.Thread(target=_write_fifo, args=(fifo, json.dumps(variables)), daemon=True)
    writer.start()
    argv = [os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), "-i", inventory, playbook,
            "-e", "@" + fifo] + list(extra_args)
    if verbosity:
        argv.append("-" + "v" * verbosity)
    if check:
        argv.append("--check")
    try:
        proc = subprocess.run(argv, check=False, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                              env=ansible_env(env, log), cwd=workdir, timeout=timeout)
    finally:
        _unblock(fifo, writer)
    records = []
    if os.path.exists(log):
        with open(log) as f:
            records = [json.loads(line) for line in f]
    if not records:
        raise AssertionError("ansible-playbook gave no result (rc %d):\n%s\n%s" % (proc.returncode, proc.stdout, proc.stderr))
    return AnsibleRun(proc, records)

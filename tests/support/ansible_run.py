"""Run a collection module through real ``ansible-playbook``, as a user would.

Module arguments travel through a named pipe (``-e @FIFO``, written by a
thread while Ansible reads it), so a test's PIN is in neither argv, the
environment nor a file on disk. The result is
read back through the built-in ``tree`` callback; the ordinary output (at
``-vvvv`` by default) is kept whole so that tests can search it for secrets.
"""

import json
import os
import subprocess
import sys
import threading

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
COLLECTIONS = os.path.join(REPO, ".build", "collections")
PLAYBOOK = """\
- hosts: localhost
  connection: local
  gather_facts: false
  tasks:
    - name: run the module under test
      {module}: "{{{{ module_args }}}}"
"""


class AnsibleRun:
    def __init__(self, proc, result):
        self.rc = proc.returncode
        self.stdout = proc.stdout
        self.stderr = proc.stderr
        self.result = result

    @property
    def output(self):
        return self.stdout + self.stderr

    @property
    def failed(self):
        # The tree callback keeps the module's result but not Ansible's own "failed" flag;
        # a one-task play exits 2 when that task failed.
        return self.rc == 2 or bool(self.result.get("failed"))

    def __repr__(self):
        return "AnsibleRun(rc=%d, result=%s)" % (self.rc, json.dumps(self.result, indent=1, default=str)[:4000])


def ansible_env(extra=None, tree_dir=None):
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
    if tree_dir:
        env.update({"ANSIBLE_CALLBACKS_ENABLED": "ansible.builtin.tree", "ANSIBLE_CALLBACK_TREE_DIR": tree_dir})
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
    workdir = str(workdir)
    playbook = os.path.join(workdir, "play-%s.yml" % module)
    tree = os.path.join(workdir, "tree-%s" % module)
    with open(playbook, "w") as f:
        f.write(PLAYBOOK.format(module="ngts.vsatellite." + module))
    fifo = os.path.join(workdir, "args-%s.json" % module)
    if os.path.exists(fifo):
        os.unlink(fifo)
    os.mkfifo(fifo, 0o600)
    writer = threading.Thread(target=_write_fifo, args=(fifo, json.dumps({"module_args": args})), daemon=True)
    writer.start()
    argv = [os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), "-i", "localhost,",
            playbook, "-e", "@" + fifo]
    if verbosity:
        argv.append("-" + "v" * verbosity)
    if check:
        argv.append("--check")
    try:
        proc = subprocess.run(argv, check=False, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                              env=ansible_env(env, tree), cwd=workdir, timeout=timeout)
    finally:
        _unblock(fifo, writer)
    result = {}
    path = os.path.join(tree, "localhost")
    if os.path.exists(path):
        with open(path) as f:
            result = json.load(f)
    if not result:
        raise AssertionError("ansible-playbook gave no result (rc %d):\n%s\n%s" % (proc.returncode, proc.stdout, proc.stderr))
    return AnsibleRun(proc, result)

"""Answer a program's terminal prompts through a pseudo-terminal.

softhsm2-util reads PINs from the terminal only (it fails on a pipe), and the
project's rule is that a PIN is never put in argv or the environment; a pty is
how both are honoured when a test makes a token.
"""

import os
import pty
import re
import select
import subprocess
import time


class PromptError(RuntimeError):
    pass


def run_with_pty(argv, answers, env=None, timeout=30.0):
    """Run ``argv`` on a pty; answer each (regex, text) prompt in order; return (rc, output).

    The output returned has every answer masked, so that a caller printing it
    on failure cannot leak a PIN.
    """
    master, slave = pty.openpty()
    proc = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, env=env, close_fds=True,
                            start_new_session=True)
    os.close(slave)
    output = b""
    pending = list(answers)
    deadline = time.monotonic() + timeout
    try:
        while True:
            if time.monotonic() > deadline:
                proc.kill()
                raise PromptError("%s timed out; output so far: %s" % (argv[0], _mask(output, answers)))
            ready = select.select([master], [], [], 0.2)[0]
            if ready:
                try:
                    chunk = os.read(master, 4096)
                except OSError:  # EIO: the child closed the terminal
                    chunk = b""
                if not chunk:
                    break
                output += chunk
                while pending and re.search(pending[0][0].encode(), output.split(b"\n")[-1]):
                    os.write(master, pending.pop(0)[1].encode() + b"\n")
                    output += b"\n"
            elif proc.poll() is not None:
                break
    finally:
        os.close(master)
    rc = proc.wait(timeout=timeout)
    return rc, _mask(output, answers)


def _mask(output, answers):
    text = output.decode("utf-8", "replace")
    for dummy, answer in answers:
        text = text.replace(answer, "********")
    return text

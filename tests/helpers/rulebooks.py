# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vb365.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""ansible-rulebook (or a shell script that starts it) running against emulators, its output in a file.

Run by noxfile.py (make eda) with ansible-rulebook, Java and the staged collection on PATH.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time

import pytest

from vb365_emulator import admin

ENV_VARS = 'VB365_SERVER,VB365_USERNAME,VB365_PASSWORD'


def write_inventory(work):
    """The inventory docs/eda.md gives: the playbook runs with the interpreter of ansible-playbook."""
    path = os.path.join(work, 'inventory.yml')
    with open(path, 'w') as inventory:
        inventory.write('all:\n  hosts:\n    localhost:\n      ansible_connection: local\n'
                        '      ansible_python_interpreter: "{{ ansible_playbook_python }}"\n')
    return path


def connection_env(info, **extra):
    env = dict(os.environ, VB365_SERVER=info['url'], VB365_USERNAME=info['username'],
               VB365_PASSWORD=info['password'], VB365_CA_PATH=info['ca_path'], ANSIBLE_NOCOLOR='1',
               PYTHONUNBUFFERED='1')
    for name in ('VB365_STATE_FILE', 'VB365_INTERVAL'):
        env.pop(name, None)
    env.update(extra)
    return env


class Rulebook:
    """A process (ansible-rulebook, or bash running documented commands), its output in a file."""

    def __init__(self, work, name, command, env, stdin_text=None):
        self.output = os.path.join(work, '%s.log' % name)
        self.handle = open(self.output, 'w')
        self.process = subprocess.Popen(command, stdout=self.handle, stderr=subprocess.STDOUT, env=env, cwd=work,
                                        stdin=subprocess.PIPE if stdin_text is not None else subprocess.DEVNULL,
                                        start_new_session=True)
        if stdin_text is not None:
            self.process.stdin.write(stdin_text.encode())
            self.process.stdin.close()

    @classmethod
    def shipped(cls, work, name, info, rulebook='vb365.backup.job_sessions', env_vars=ENV_VARS, **extra):
        command = ['ansible-rulebook', '-i', write_inventory(work), '-r', rulebook, '--env-vars', env_vars]
        return cls(work, name, command, connection_env(info, HOME=work, **extra))

    def text(self):
        with open(self.output, errors='replace') as handle:
            return handle.read()

    def wait_for(self, predicate, what, timeout=120):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate():
                return
            if self.process.poll() is not None:
                pytest.fail('ansible-rulebook ended (code %s) before %s:\n%s'
                            % (self.process.returncode, what, self.text()[-5000:]))
            time.sleep(0.2)
        pytest.fail('%s did not happen within %d s:\n%s' % (what, timeout, self.text()[-5000:]))

    def stop(self, kill=False):
        if self.process.poll() is None:
            # The whole group: a documented command line runs ansible-rulebook under bash.
            os.killpg(self.process.pid, signal.SIGKILL if kill else signal.SIGINT)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.handle.close()


def logins(info):
    return admin(info, 'state')['counters'].get('logins password', 0)

# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vb365.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Starting, calling and stopping emulator processes, for the demo, the tests and the benchmark."""

from __future__ import annotations

import json
import os
import ssl
import subprocess
import sys
import time
import urllib.request

# The folder that holds this package: a child Python started with -m finds it there.
PACKAGE_PARENT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def admin(info, action, body=None, timeout=30):
    """Call the admin endpoint of a running emulator (its emulator.json as info): GET without body, else POST."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request('%s/_emulator/%s' % (info['url'], action), data=data,
                                     method='POST' if data is not None else 'GET',
                                     headers={'Content-Type': 'application/json'})
    context = ssl.create_default_context(cafile=info['ca_path']) if info.get('ca_path') else None
    with urllib.request.urlopen(request, context=context, timeout=timeout) as response:
        return json.load(response)


def launch(state_dir, arguments=(), python=None, timeout=60, **popen_options):
    """Start an emulator process that stops with its parent; returns (process, the contents of emulator.json).

    For the demo, the tests and the benchmark. Raises RuntimeError when it exits or does not start in time.
    """
    state_file = os.path.join(state_dir, 'emulator.json')
    if os.path.exists(state_file):
        os.remove(state_file)
    state_dir = os.path.abspath(state_dir)
    command = [python or sys.executable, '-m', 'vb365_emulator', '--state-dir', state_dir, '--exit-with-parent']
    env = popen_options.pop('env', None)
    env = dict(os.environ if env is None else env)
    env['PYTHONPATH'] = os.pathsep.join(filter(None, [PACKAGE_PARENT, env.get('PYTHONPATH')]))
    process = subprocess.Popen(command + list(arguments), env=env, **popen_options)
    deadline = time.monotonic() + timeout
    while not os.path.exists(state_file):
        if process.poll() is not None:
            detail = process.stderr.read().decode(errors='replace') if process.stderr else ''
            raise RuntimeError('the emulator exited with code %s: %s' % (process.returncode, detail.strip()))
        if time.monotonic() > deadline:
            stop(process)
            raise RuntimeError('the emulator did not start within %d seconds' % timeout)
        time.sleep(0.05)
    with open(state_file) as handle:
        return process, json.load(handle)


class Fleet:
    """Several emulators at once, for tests and the benchmark; always stopped on leaving the with block.

        with Fleet(base_dir, [['--product', '6'], ['--product', '8', '--jobs', '40']]) as fleet:
            urls = [info['url'] for info in fleet.infos]
    """

    def __init__(self, base_dir, argument_lists, python=None, **popen_options):
        self.base_dir = base_dir
        self.argument_lists = [list(arguments) for arguments in argument_lists]
        self.python = python
        self.popen_options = popen_options
        self.processes = []
        self.infos = []

    def __enter__(self):
        try:
            for number, arguments in enumerate(self.argument_lists):
                state_dir = os.path.join(self.base_dir, 'emulator-%02d' % number)
                os.makedirs(state_dir, exist_ok=True)
                process, info = launch(state_dir, arguments, python=self.python, **self.popen_options)
                self.processes.append(process)
                self.infos.append(info)
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc_info):
        self.stop()

    def stop(self):
        for process in self.processes:
            stop(process)


def stop(process):
    """SIGTERM an emulator started by launch, then kill it if it lingers."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class Running:
    """One emulator process started by start(): its emulator.json as info, and shortcuts for tests."""

    def __init__(self, process, info):
        self.process = process
        self.info = info
        self.url = info['url']

    def admin(self, action, body=None):
        return admin(self.info, action, body, timeout=10)

    def session(self, **match):
        """The first seeded session whose fields equal match, e.g. session(status='Failed')."""
        return next(s for s in self.info['sessions'] if all(s[key] == value for key, value in match.items()))

    def stop(self):
        stop(self.process)

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.stop()


def start(state_dir, *arguments):
    """An emulator with these command-line arguments, its output discarded but for errors at start."""
    process, info = launch(str(state_dir), arguments, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    return Running(process, info)

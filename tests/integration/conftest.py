# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vb365.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Integration fixtures: emulators on 127.0.0.1 over HTTPS, and real ansible-playbook runs.

The collection must be importable as vb365.backup from ANSIBLE_COLLECTIONS_PATH (tests/tools/testenv.py
stages it); every emulator is stopped when its test ends, whatever happens.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
PLAYBOOKS = os.path.join(HERE, 'playbooks')
sys.path.insert(0, os.path.join(HERE, '..', 'emulator'))

import vb365_emulator  # noqa: E402  pylint: disable=wrong-import-position


def pytest_configure(config):
    config.addinivalue_line('markers', 'edge_cores_only: run on the lowest and the newest claimed core only '
                                       '(what it checks does not depend on the core; tests/tools/testenv.py)')
    config.addinivalue_line('markers', 'newest_core_only: run on the newest claimed core only (long playbook round '
                                       'trips over what no core changes; tests/tools/testenv.py)')
    config.addinivalue_line('markers', 'v8_on_every_core: the VB365 8 case runs on every core, the other releases '
                                       'as edge_cores_only (their answers differ by API version, not by core)')


def pytest_collection_modifyitems(items):
    for item in items:
        if item.get_closest_marker('v8_on_every_core'):
            params = getattr(getattr(item, 'callspec', None), 'params', {})
            if 8 not in params.values():
                item.add_marker(pytest.mark.edge_cores_only)


class RunningEmulator:
    def __init__(self, process, info):
        self.process = process
        self.info = info
        self.url = self.info['url']

    def admin(self, action, body=None):
        return vb365_emulator.admin(self.info, action, body, timeout=10)

    def session(self, **match):
        return next(s for s in self.info['sessions'] if all(s[key] == value for key, value in match.items()))

    def stop(self):
        vb365_emulator.stop(self.process)


def start_emulator(state_dir, *arguments):
    process, info = vb365_emulator.launch(str(state_dir), arguments, stdout=subprocess.DEVNULL,
                                          stderr=subprocess.PIPE)
    return RunningEmulator(process, info)


@pytest.fixture
def make_emulator(tmp_path_factory):
    started = []

    def factory(*arguments):
        emulator = start_emulator(tmp_path_factory.mktemp('emulator'), *arguments)
        started.append(emulator)
        return emulator

    yield factory
    for emulator in started:
        emulator.stop()


@pytest.fixture(scope='module')
def emulator8(tmp_path_factory):
    emulator = start_emulator(tmp_path_factory.mktemp('emulator8'), '--product', '8', '--no-rate-limit')
    yield emulator
    emulator.stop()


@pytest.fixture
def fresh(emulator8):
    """The shared VB365 8 emulator with its faults and counters reset."""
    emulator8.admin('reset', {})
    return emulator8


def run_playbook(name, extra_vars, tmp_path, verbosity=0, env=None, check=True, extra_args=()):
    vars_file = tmp_path / ('%s-vars.json' % os.path.basename(name))
    vars_file.write_text(json.dumps(extra_vars))
    command = ['ansible-playbook', os.path.join(PLAYBOOKS, '%s.yml' % name), '-e', '@%s' % vars_file] + list(extra_args)
    if verbosity:
        command.append('-' + 'v' * verbosity)
    run_env = dict(os.environ)
    run_env.update({'ANSIBLE_NOCOLOR': '1', 'ANSIBLE_RETRY_FILES_ENABLED': '0', 'ANSIBLE_LOCALHOST_WARNING': '0',
                    'ANSIBLE_INVENTORY_UNPARSED_WARNING': '0'})
    for name_ in [key for key in run_env if key.startswith('VB365_')]:
        del run_env[name_]
    run_env.update(env or {})
    result = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=run_env, check=False,
                            universal_newlines=True, timeout=600)
    if check and result.returncode != 0:
        pytest.fail('ansible-playbook %s failed (rc %d):\n%s' % (name, result.returncode, result.stdout[-6000:]))
    return result


def connection(emulator, api_version='v8', **extra):
    info = emulator.info
    values = {'server': info['url'], 'username': info['username'], 'password': info['password'],
              'ca_path': info['ca_path'], 'api_version': api_version}
    values.update(extra)
    return values

# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vb365.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Real ansible-playbook runs of the test playbooks in tests/integration/playbooks, with a clean environment.

The collection must be importable as vb365.backup from ANSIBLE_COLLECTIONS_PATH (noxfile.py
stages it).
"""

from __future__ import annotations

import json
import os
import subprocess

import pytest

# The collection's root: helpers/ sits in its tests folder.
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PLAYBOOKS = os.path.join(ROOT, 'tests', 'integration', 'playbooks')


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


def role_env(emulator, **overrides):
    """The VB365_* variables the role reads its connection from, pointed at an emulator."""
    info = emulator.info
    env = {'VB365_SERVER': info['url'], 'VB365_USERNAME': info['username'], 'VB365_PASSWORD': info['password'],
           'VB365_CA_PATH': info['ca_path']}
    env.update(overrides)
    return env


def api_requests(emulator):
    """Requests the emulator served, other than its own admin endpoint."""
    counters = emulator.admin('state')['counters']
    return dict((name, count) for name, count in counters.items()
                if name not in ('requests',) and '_emulator' not in name)


def run_role(emulator, tmp_path, extra_vars, env=None, extra_args=()):
    """The job_session_report role through the role_report test playbook; its facts go to facts.json."""
    extra_vars = dict({'facts_file': str(tmp_path / 'facts.json')}, **extra_vars)
    extra_vars.setdefault('vb365_report_dir', str(tmp_path / 'reports'))
    return run_playbook('role_report', extra_vars, tmp_path, env=env or role_env(emulator), check=False,
                        extra_args=extra_args)

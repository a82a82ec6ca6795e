# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vb365.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The README's and docs/eda.md's ansible-rulebook commands, read from those files and run as written.

Only what cannot run here is left out: installing packages (the staged collection and the test's
virtual environment stand in) and the example host, account and CA path, which become the emulator's.
The password is typed on standard input, as ``read -rs`` expects. The CA of the emulator is trusted
through REQUESTS_CA_BUNDLE, as a system-trusted CA would be, so that VB365_CA_PATH may be unset.
"""

from __future__ import annotations

import os
import subprocess

import pytest

import vb365_emulator

from helpers.rulebooks import Rulebook, connection_env

HERE = os.path.dirname(os.path.abspath(__file__))

ROOT = os.path.abspath(os.path.join(HERE, '..', '..'))
NOT_HERE = ('pip install', 'ansible-galaxy collection install')


def commands(path, heading):
    """The first ```sh block after the heading, as a list of lines."""
    with open(os.path.join(ROOT, path)) as handle:
        text = handle.read()
    after = text[text.index(heading):]
    block = after[after.index('```sh\n') + len('```sh\n'):]
    return block[:block.index('```')].splitlines()


def script(lines, info, optional):
    kept = []
    for line in lines:
        if line.startswith(NOT_HERE):
            continue
        if optional != 'set' and line.startswith(('export VB365_CA_PATH', 'mkdir -p')):
            continue
        kept.append(line.replace('vb365.example.com', info['url']).replace('CORP\\backup-reader', info['username'])
                    .replace('/etc/pki/vb365-ca.pem', info['ca_path']))
    if optional == 'empty':
        kept.insert(0, 'export VB365_CA_PATH= VB365_STATE_FILE= VB365_INTERVAL=')
    return '\n'.join(['set -e'] + kept) + '\n'


def fail_a_session_under(work, info, lines, optional, env, typed, what):
    """Run the commands; once the source watches, end a session Failed; wait for the playbook. (output, session id)"""
    with open(os.path.join(work, 'commands.sh'), 'w') as handle:
        handle.write(script(lines, info, optional))
    run = Rulebook(work, 'documented', ['bash', os.path.join(work, 'commands.sh')], env, stdin_text=typed)
    try:
        # Until the source placed its cursor at latest and long polls; then a failed session must reach
        # the playbook.
        run.wait_for(lambda: vb365_emulator.admin(info, 'state')['counters'].get('GET v8/Events', 0) >= 2,
                     'the source is watching')
        session = vb365_emulator.admin(info, 'sessions', {'job': 'Contoso - Mailboxes', 'items': 5})['id']
        vb365_emulator.admin(info, 'sessions/%s/finish' % session, {'status': 'Failed'})
        run.wait_for(lambda: 'PLAY RECAP' in run.text(), what)
    finally:
        run.stop()
    return run.text(), session


@pytest.mark.parametrize('path, heading, optional', [
    ('README.md', '## React within seconds: Event-Driven Ansible', 'unset'),
    ('docs/eda.md', '## Run it with ansible-rulebook', 'set'),
    ('docs/eda.md', '## Run it with ansible-rulebook', 'empty'),
])
def test_the_documented_commands_run_as_written(tmp_path, path, heading, optional):
    work = str(tmp_path)
    lines = commands(path, heading)
    assert any(line.startswith('ansible-rulebook ') for line in lines)
    with vb365_emulator.Fleet(work, [['--product', '8', '--no-rate-limit']], stdout=subprocess.DEVNULL) as fleet:
        info = fleet.infos[0]
        env = connection_env(info, HOME=work, REQUESTS_CA_BUNDLE=info['ca_path'])
        for name in ('VB365_CA_PATH', 'VB365_PASSWORD') + (('VB365_SERVER', 'VB365_USERNAME') if path != 'README.md'
                                                           else ()):
            env.pop(name, None)
        typed = info['password'] + '\n' if any(line.startswith('read -rs') for line in lines) else None
        if typed is None:
            env['VB365_PASSWORD'] = info['password']
        output, session = fail_a_session_under(work, info, lines, optional, env, typed, 'the report playbook ran')
        assert 'failed=0' in output, output[-5000:]
        assert os.path.exists(os.path.join(work, 'vb365-reports', 'vb365-localhost-session-%s.md' % session))
        state = os.path.join(work, '.local', 'state', 'vb365-eda', 'cursor.json')
        assert os.path.exists(state) == (optional == 'set'), 'the state file is where the docs put it, if set'
        assert info['password'] not in output


def test_the_documented_retry_commands_run_as_written(tmp_path):
    """docs/eda.md's retry block, after the lines of "Run it with ansible-rulebook" that set the connection up."""
    work = str(tmp_path)
    setup = [line for line in commands('docs/eda.md', '## Run it with ansible-rulebook')
             if not line.startswith('ansible-rulebook ')]
    lines = setup + commands('docs/eda.md', '## Retry a failed job within seconds')
    assert any(line.startswith('ansible-rulebook ') and 'vb365.backup.retry_failed' in line for line in lines)
    with vb365_emulator.Fleet(work, [['--product', '8', '--no-rate-limit']], stdout=subprocess.DEVNULL) as fleet:
        info = fleet.infos[0]
        vb365_emulator.admin(info, 'faults', {'job_run_seconds': 1, 'job_run_status': 'Success'})
        env = connection_env(info, HOME=work, REQUESTS_CA_BUNDLE=info['ca_path'])
        for name in ('VB365_CA_PATH', 'VB365_PASSWORD', 'VB365_SERVER', 'VB365_USERNAME'):
            env.pop(name, None)
        output, _session = fail_a_session_under(work, info, lines, 'set', env, info['password'] + '\n',
                                                'the retry playbook ran')
        counters = vb365_emulator.admin(info, 'state')['counters']
    assert 'failed=0' in output, output[-5000:]
    assert counters.get('POST v8/Jobs/{id}/start') == 1
    records = os.listdir(os.path.join(work, '.local', 'state', 'vb365-retry'))
    assert len(records) == 1 and records[0].startswith('vb365-localhost-') and records[0].endswith('.retry.json')
    assert os.path.exists(os.path.join(work, 'vb365-reports', 'vb365-localhost-retry.md'))
    assert info['password'] not in output

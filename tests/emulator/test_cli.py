# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vb365.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""vb365_emulator.cli: python -m vb365_emulator -- COMMAND serves while the command runs, then stops."""

from __future__ import annotations

import json
import os
import shlex
import signal
import socket
import subprocess
import sys

from vb365_emulator.process import PACKAGE_PARENT

# Reads the connection variables the emulator set, calls it over HTTPS with them, and exits with code 3.
PROBE = '''
import json, os, ssl, sys, urllib.request
context = ssl.create_default_context(cafile=os.environ['VB365_CA_PATH'])
with urllib.request.urlopen(os.environ['VB365_SERVER'] + '/_emulator/state', context=context, timeout=10) as answer:
    state = json.load(answer)
print(json.dumps({'server': os.environ['VB365_SERVER'], 'user': os.environ['VB365_USERNAME'],
                  'has_password': bool(os.environ['VB365_PASSWORD']), 'counters': state['counters']}))
sys.exit(3)
'''


def command_line(tmp_path, *arguments):
    return [sys.executable, '-m', 'vb365_emulator', '--state-dir', str(tmp_path)] + list(arguments)


def clean_env():
    env = dict(os.environ, PYTHONPATH=PACKAGE_PARENT)
    for name in [name for name in env if name.startswith('VB365_')]:
        del env[name]
    return env


def emulator(tmp_path, *arguments):
    return subprocess.run(command_line(tmp_path, *arguments), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          universal_newlines=True, env=clean_env(), timeout=120, check=False)


def test_a_command_runs_against_the_emulator_and_its_exit_code_is_kept(tmp_path):
    result = emulator(tmp_path, '--product', '7', '--', sys.executable, '-c', PROBE)
    assert result.returncode == 3, result.stderr
    seen = json.loads(result.stdout.splitlines()[-1])
    info = json.loads((tmp_path / 'emulator.json').read_text())
    assert seen == {'server': info['url'], 'user': 'demo-admin', 'has_password': True,
                    'counters': {'GET _emulator/state': 1, 'requests': 1}}
    assert 'listening on %s' % info['url'] in result.stdout
    with socket.socket() as probe:
        assert probe.connect_ex(('127.0.0.1', info['port'])) != 0, 'the emulator stopped with the command'


def test_a_command_that_cannot_start_is_named_with_exit_code_2(tmp_path):
    result = emulator(tmp_path, '--http', '--', str(tmp_path / 'no-such-command'))
    assert result.returncode == 2
    assert 'cannot run %s: No such file or directory' % (tmp_path / 'no-such-command') in result.stderr


def test_wrong_options_are_refused_before_anything_is_served(tmp_path):
    result = emulator(tmp_path, '--users', '-1')
    assert result.returncode == 2 and '--users is a number of users, 0 or more' in result.stderr
    assert not (tmp_path / 'emulator.json').exists()


def test_a_command_ended_by_a_signal_exits_as_a_shell_reports_it(tmp_path):
    result = emulator(tmp_path, '--http', '--', sys.executable, '-c', 'import os, signal; os.kill(os.getpid(), signal.SIGTERM)')
    assert result.returncode == 128 + signal.SIGTERM, result.stderr


def test_a_command_that_ignores_sigterm_is_killed_when_the_emulator_stops(tmp_path):
    stubborn = ('import os, signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); '
                'print(os.getpid(), flush=True); time.sleep(120)')
    process = subprocess.Popen(command_line(tmp_path, '--http', '--', sys.executable, '-c', stubborn),
                               stdout=subprocess.PIPE, universal_newlines=True, env=clean_env())
    try:
        assert process.stdout.readline().startswith('vb365 emulator')
        child = int(process.stdout.readline())
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=60) == 128 + signal.SIGKILL
    finally:
        if process.poll() is None:
            process.kill()
        process.stdout.close()
    try:
        os.kill(child, 0)
    except ProcessLookupError:
        return
    raise AssertionError('the command %d outlived the emulator' % child)


def test_the_command_in_docs_emulator_md_serves_a_report_run_as_written(tmp_path):
    """docs/emulator.md's line that serves while ansible-playbook runs, from the tests folder, in a fresh HOME."""
    with open(os.path.join(os.path.dirname(PACKAGE_PARENT), 'docs', 'emulator.md')) as handle:
        block = handle.read().split('```sh', 1)[1].split('```', 1)[0]
    lines = [line for line in block.splitlines() if ' -- ansible-playbook ' in line]
    assert len(lines) == 1, 'docs/emulator.md lost its command that serves while a playbook runs'
    assert '--state-dir /tmp/vb365 ' in lines[0]
    command = lines[0].replace('--state-dir /tmp/vb365 ', '--state-dir %s ' % shlex.quote(str(tmp_path / 'state')))
    home = tmp_path / 'home'
    home.mkdir()
    # The line says python and ansible-playbook: those of this test's environment, activated or not.
    path = os.pathsep.join([os.path.dirname(sys.executable), os.environ.get('PATH', '')])
    env = dict(clean_env(), HOME=str(home), PATH=path, ANSIBLE_NOCOLOR='1', ANSIBLE_LOCALHOST_WARNING='0',
               ANSIBLE_INVENTORY_UNPARSED_WARNING='0')
    result = subprocess.run(['bash', '-c', command], cwd=PACKAGE_PARENT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, universal_newlines=True, timeout=300, check=False)
    assert result.returncode == 0, '%s\n%s' % (command, result.stdout[-4000:])
    reports = list((home / 'vb365-reports').glob('vb365-localhost-session-*.md'))
    assert len(reports) == 1, result.stdout[-4000:]
    with open(str(reports[0])) as handle:
        assert handle.readline().startswith('# VB365 backup report: Fabrikam - All users - ')

# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vb365.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The README's health, retry and maintenance commands, read from README.md and run as written, with its
inventory's two servers pointed at two emulated VB365 8 servers and an empty home."""

from __future__ import annotations

import json
import os
import re
import subprocess

import pytest
import yaml

from helpers.playbooks import ROOT

# Whole playbook round trips per README command, the playbooks' own suites run on the lowest core too.
pytestmark = pytest.mark.newest_core_only


def readme():
    with open(os.path.join(ROOT, 'README.md'), encoding='utf-8') as handle:
        return handle.read()


def section(heading):
    """The README's text from the heading to the next heading of its level or higher, fenced blocks included."""
    lines, fenced = [], False
    for line in readme().split(heading, 1)[1].splitlines(True)[1:]:
        fenced = fenced != line.startswith('```')
        if not fenced and re.match(r'#{1,%d} ' % heading.index(' '), line):
            break
        lines.append(line)
    return ''.join(lines)


def commands(heading):
    """The command lines of the section's first sh block (continuations joined, comments cut)."""
    block = section(heading).split('```sh', 1)[1].split('```', 1)[0].replace('\\\n', ' ')
    found = [line.split('   #', 1)[0].strip() for line in block.splitlines() if line.startswith('ansible-playbook')]
    assert found, 'the README lost the commands of %s' % heading
    return found


@pytest.fixture
def servers(make_emulator, tmp_path):
    """The README's inventory as vb365-servers.yml, its hosts on two emulators, and the environment to run in."""
    text = readme().split('## Every job on every server', 1)[1]
    inventory = yaml.safe_load(text.split('```yaml', 1)[1].split('```', 1)[0])
    emulators = {}
    for name, host in inventory['vb365_servers']['hosts'].items():
        emulators[name] = make_emulator('--product', '8', '--no-rate-limit')
        host['vb365_server'] = emulators[name].url
        host['vb365_ca_path'] = emulators[name].info['ca_path']
    del inventory['vb365_servers']['vars']['vb365_ca_path']
    (tmp_path / 'vb365-servers.yml').write_text(yaml.safe_dump(inventory))
    first = next(iter(emulators.values())).info
    home = tmp_path / 'home'
    home.mkdir()
    env = dict((key, value) for key, value in os.environ.items() if not key.startswith('VB365_'))
    env.update(HOME=str(home), ANSIBLE_NOCOLOR='1', VB365_USERNAME=first['username'], VB365_PASSWORD=first['password'])
    for emulator in emulators.values():
        assert emulator.info['password'] == first['password'], 'one credential for the README inventory'
    return emulators, env, home


def run(command, env, cwd):
    return subprocess.run(['bash', '-c', command], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env,
                          universal_newlines=True, timeout=900, cwd=str(cwd), check=False)


def counters(emulator):
    return emulator.admin('state')['counters']


def test_readme_health_command_fails_on_the_server_verdict_and_writes_every_problem_user(servers, tmp_path):
    emulators, env, home = servers
    (command,) = [line for line in section('## Is everything protected?').split('```\n', 2)[1].splitlines()
                  if line.startswith('ansible-playbook')]
    result = run(command, env, tmp_path)
    assert result.returncode == 2, result.stdout[-4000:]
    for name in emulators:
        assert re.search(r'Server %s is Error: Licence: \d+ of \d+ units used' % name, result.stdout)
        assert (home / 'vb365-reports' / ('%s-protection.csv' % name)).stat().st_size > 0
    tasks = yaml.safe_load(section('## Is everything protected?').split('```yaml', 1)[1].split('```', 1)[0])
    play = [{'name': 'README tasks', 'hosts': 'localhost', 'gather_facts': False, 'tasks': tasks,
             'module_defaults': {'group/vb365.backup.vb365': {
                 'server': emulators['vb365-emea'].url, 'ca_path': emulators['vb365-emea'].info['ca_path']}}}]
    (tmp_path / 'readme-tasks.yml').write_text(yaml.safe_dump(play))
    result = run('ansible-playbook readme-tasks.yml', env, tmp_path)
    assert result.returncode == 0, result.stdout[-4000:]
    assert re.search(r'Repository .* full .*\d+ user\(s\) need attention', result.stdout.replace('\n', ' '))


def test_readme_retry_commands_look_first_then_start_once(servers, tmp_path):
    emulators, env, home = servers
    check, retry, chosen = commands('### Retry the failed and missed jobs')
    result = run(check, env, tmp_path)
    assert result.returncode == 0, result.stdout[-4000:]
    assert all(counters(emulator).get('job start', 0) == 0 for emulator in emulators.values())
    for emulator in emulators.values():
        emulator.admin('faults', {'job_run_seconds': 1, 'job_run_status': 'Success'})
    result = run(retry, env, tmp_path)
    assert result.returncode == 0, result.stdout[-4000:]
    for name, emulator in emulators.items():
        assert counters(emulator).get('job start') == 2, 'the failed and the missed job, once each'
        report = json.loads((home / 'vb365-reports' / ('%s-retry.json' % name)).read_text())
        assert report
    result = run(chosen, env, tmp_path)
    assert result.returncode == 0, result.stdout[-4000:]
    assert counters(emulators['vb365-apac']).get('job start') == 2, 'vb365_hosts limits the run to vb365-emea'


def test_readme_maintenance_window_round_trips(servers, tmp_path):
    emulators, env, home = servers
    check, start, end = commands('## A maintenance window')
    for emulator in emulators.values():
        # The one session the emulator seeds as running ends, as it would during the wait.
        session = emulator.session(job_name='Northwind - Teams', running=True)
        emulator.admin('sessions/%s/finish' % session['id'], {'status': 'Success'})
    for command in (check, start, end):
        result = run(command, env, tmp_path)
        assert result.returncode == 0, '%s\n%s' % (command, result.stdout[-4000:])
        if command is check:
            assert all(counters(emulator).get('job disable', 0) == 0 for emulator in emulators.values())
    for emulator in emulators.values():
        seen = counters(emulator)
        assert seen.get('job disable', 0) > 0 and seen.get('job disable') == seen.get('job enable')
    assert not list((home / '.local' / 'state' / 'vb365-maintenance').glob('*.json')), 'end removes the files'

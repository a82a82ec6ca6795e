# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vb365.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""vb365.backup.retry_failed through ansible-playbook, by its FQCN, on emulated VB365 6, 7 and 8 in one inventory."""

from __future__ import annotations

import json
import os
import re
import subprocess

import pytest

import vb365_emulator

# Long playbook round trips with job waits: the main retry runs on every core, the other
# paths on the lowest and the newest, which bracket the others, so that six cores fit CI's 90 minutes.

HOSTS = ('vb365-six', 'vb365-seven', 'vb365-eight')
VERSIONS = dict(zip(HOSTS, ('v6', 'v7', 'v8')))
FAILED = 'Fabrikam - All users'
MISSED = 'Northwind - Archive'
SERVER_RETRIES = 'Müller & Söhne – Exchange Online'  # will_retry on v7 and v8; v6 does not say so
# The seeded enabled jobs the retry must start, per host.
EXPECTED = {'vb365-six': {FAILED, MISSED, SERVER_RETRIES}, 'vb365-seven': {FAILED, MISSED},
            'vb365-eight': {FAILED, MISSED}}
FACTS_PLAYBOOK = '''
- name: The retry, by its FQCN
  ansible.builtin.import_playbook: vb365.backup.retry_failed

- name: Keep the facts for the test
  hosts: localhost
  gather_facts: false
  tasks:
    - name: Write the facts
      ansible.builtin.copy:
        content: "{{ dict(groups['vb365_servers'] | zip(groups['vb365_servers']
          | map('extract', hostvars, 'vb365_retry_results'))) | to_json }}"
        dest: "%s"
        mode: "0600"
'''


@pytest.fixture
def fleet(tmp_path_factory):
    """Fresh servers for each test: a retry leaves its jobs with a new newest session, which a reset keeps."""
    base = str(tmp_path_factory.mktemp('retry'))
    with vb365_emulator.Fleet(base, [['--product', '6', '--no-rate-limit'], ['--product', '7', '--no-rate-limit'],
                                     ['--product', '8', '--no-rate-limit']], stdout=subprocess.DEVNULL) as servers:
        yield dict(zip(HOSTS, servers.infos))


def faults(fleet, **values):
    for info in fleet.values():
        vb365_emulator.admin(info, 'faults', values)


def starts(fleet):
    found = {}
    for host, info in fleet.items():
        counters = vb365_emulator.admin(info, 'state')['counters']
        found[host] = counters.get('POST %s/Jobs/{id}/start' % VERSIONS[host], 0)
    return found


def requests(info):
    counters = vb365_emulator.admin(info, 'state')['counters']
    return dict((key, count) for key, count in counters.items()
                if key.split(' ', 1)[0] in ('GET', 'POST', 'PUT') and '_emulator' not in key)


def run_retry(fleet, tmp_path, extra_vars=None, extra_args=(), playbook='vb365.backup.retry_failed', host_vars=None):
    hosts = dict((host, dict({'vb365_server': info['url'], 'vb365_username': info['username'],
                              'vb365_password': info['password'], 'vb365_ca_path': info['ca_path']},
                             **(host_vars or {}).get(host, {})))
                 for host, info in fleet.items())
    inventory = tmp_path / 'inventory.json'
    inventory.write_text(json.dumps({'vb365_servers': {'hosts': hosts}}))
    extra = {'vb365_report_dir': str(tmp_path / 'reports'), 'vb365_retry_wait_timeout': 60,
             'vb365_retry_poll_seconds': 1}
    extra.update(extra_vars or {})
    env = dict((key, value) for key, value in os.environ.items() if not key.startswith('VB365_'))
    env.update({'ANSIBLE_NOCOLOR': '1', 'ANSIBLE_RETRY_FILES_ENABLED': '0', 'VB365_RETRIES': '0',
                'ANSIBLE_LOCALHOST_WARNING': '0', 'ANSIBLE_ASYNC_DIR': str(tmp_path / 'async')})
    command = ['ansible-playbook', '-i', str(inventory), playbook, '-f', '3', '-e', json.dumps(extra)] + list(extra_args)
    return subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True, env=env,
                          timeout=600, check=False)


def report(tmp_path, host):
    return json.loads((tmp_path / 'reports' / ('%s-retry.json' % host)).read_text())


def outcomes(jobs):
    return dict((job['job_name'], job['outcome']) for job in jobs if job['outcome'] != 'not retried')


def test_retry_starts_only_the_failed_and_missed_jobs_once_and_reports_before_and_after(fleet, tmp_path):
    faults(fleet, job_run_seconds=2, job_run_status='Success')
    result = run_retry(fleet, tmp_path)
    assert result.returncode == 0, result.stdout[-6000:]
    assert starts(fleet) == dict((host, len(EXPECTED[host])) for host in HOSTS)
    for host in HOSTS:
        found = report(tmp_path, host)
        assert found['host'] == host and found['api_version'] == VERSIONS[host]
        expected = dict((name, 'retried') for name in EXPECTED[host])
        if host != 'vb365-six':
            expected[SERVER_RETRIES] = 'left to the server'
        assert outcomes(found['jobs']) == expected
        by_name = dict((job['job_name'], job) for job in found['jobs'])
        assert by_name[FAILED]['before']['verdict'] == 'Error'
        assert by_name[FAILED]['after']['verdict'] == 'Success'
        assert by_name[FAILED]['after']['session']['id'] != by_name[FAILED]['before']['session']['id']
        assert by_name[MISSED]['before']['verdict'] == 'Missed' and by_name[MISSED]['after']['verdict'] == 'Success'
        markdown = (tmp_path / 'reports' / ('%s-retry.md' % host)).read_text()
        assert '| Fabrikam - All users | ' in markdown and '| Error | Success | retried |' in markdown
        assert 'Müller \\& Söhne' not in markdown  # & is escaped only where it starts an entity
    assert 'retried: Fabrikam - All users' in result.stdout
    assert not (tmp_path / 'async').exists(), 'the retry ran async tasks: each job would cost a module run'


@pytest.mark.edge_cores_only
def test_a_job_that_fails_again_fails_the_host_after_the_report_and_sets_the_facts(fleet, tmp_path):
    faults(fleet, job_run_seconds=1, job_run_status='Failed')
    facts_file = tmp_path / 'facts.json'
    playbook = tmp_path / 'with_facts.yml'
    playbook.write_text(FACTS_PLAYBOOK % facts_file)
    # vb365-six retries nothing and stays up, so that the play after the retry runs and writes the facts.
    host_vars = {'vb365-six': {'vb365_jobs': ['Contoso - Mailboxes']}, 'vb365-seven': {'vb365_jobs': [FAILED]},
                 'vb365-eight': {'vb365_jobs': FAILED}}
    result = run_retry(fleet, tmp_path, playbook=str(playbook), host_vars=host_vars)
    assert result.returncode == 2, result.stdout[-6000:]
    assert starts(fleet) == {'vb365-six': 0, 'vb365-seven': 1, 'vb365-eight': 1}
    facts = json.loads(facts_file.read_text())
    assert [(job['job_name'], job['outcome']) for job in facts['vb365-six']] == [('Contoso - Mailboxes', 'not retried')]
    assert 'fatal: [vb365-six]' not in result.stdout
    for host in HOSTS[1:]:
        assert outcomes(report(tmp_path, host)['jobs']) == {FAILED: 'failed again'}
        assert [(job['job_name'], job['failed_again'], job['after']['verdict']) for job in facts[host]] == [
            (FAILED, True, 'Error')]
        assert 'fatal: [%s]' % host in result.stdout
        assert '1 job(s) of %s failed again: %s' % (host, FAILED) in result.stdout


@pytest.mark.edge_cores_only
def test_check_mode_sends_no_post_and_lists_what_would_start(fleet, tmp_path):
    faults(fleet, job_run_seconds=1)
    result = run_retry(fleet, tmp_path, extra_args=['--check'])
    assert result.returncode == 0, result.stdout[-6000:]
    assert starts(fleet) == dict((host, 0) for host in HOSTS)
    for host, info in fleet.items():
        assert not [key for key in requests(info) if key.startswith('POST') and '/Jobs/' in key]
    assert result.stdout.count('would start: %s' % FAILED) == 3
    assert result.stdout.count('would start: %s' % MISSED) == 3
    assert not (tmp_path / 'reports').exists()


@pytest.mark.edge_cores_only
def test_vb365_jobs_limits_the_retry_to_those_jobs(fleet, tmp_path):
    faults(fleet, job_run_seconds=1)
    result = run_retry(fleet, tmp_path, {'vb365_jobs': '%s, Contoso - Mailboxes' % MISSED})
    assert result.returncode == 0, result.stdout[-6000:]
    assert starts(fleet) == dict((host, 1) for host in HOSTS)
    for host in HOSTS:
        jobs = report(tmp_path, host)['jobs']
        assert sorted(job['job_name'] for job in jobs) == ['Contoso - Mailboxes', MISSED]
        assert outcomes(jobs) == {MISSED: 'retried'}


@pytest.mark.edge_cores_only
@pytest.mark.parametrize('extra, message', [
    ({'vb365_retry_verdicts': ['Error', 'Borked']}, 'Unknown verdict(s) Borked in vb365_retry_verdicts'),
    ({'vb365_retry_verdicts': {'Error': True}}, 'vb365_retry_verdicts must be a list'),
    ({'vb365_retry_wait_timeout': 'soon'}, 'vb365_retry_wait_timeout must be a whole number'),
])
def test_bad_input_fails_before_any_request(fleet, tmp_path, extra, message):
    result = run_retry(fleet, tmp_path, extra)
    assert result.returncode == 2, result.stdout[-6000:]
    for host in HOSTS:
        assert 'fatal: [%s]' % host in result.stdout
    assert message in result.stdout
    assert [requests(info) for info in fleet.values()] == [{}, {}, {}]


@pytest.mark.edge_cores_only
def test_server_text_stays_data_in_the_output_reports_and_facts(fleet, tmp_path):
    marker = tmp_path / 'templated'
    faults(fleet, hostile_text=str(marker), job_run_seconds=1, job_run_status='Failed')
    result = run_retry(fleet, tmp_path)
    assert result.returncode == 2, result.stdout[-6000:]
    assert not marker.exists(), 'a server text was templated'
    assert starts(fleet) == dict((host, len(EXPECTED[host])) for host in HOSTS)
    for host in HOSTS:
        jobs = report(tmp_path, host)['jobs']
        assert sorted(outcome for outcome in outcomes(jobs).values() if outcome != 'left to the server') == [
            'failed again'] * len(EXPECTED[host])
        markdown = (tmp_path / 'reports' / ('%s-retry.md' % host)).read_text()
        table = [line for line in markdown.splitlines() if line.startswith('| ')]
        # One header and one row per job: no server text broke a row or started a heading or HTML.
        assert len(table) == len(jobs) + 1
        assert all(line.count(' | ') == 6 for line in table), table
        assert '\\<script\\>' in markdown and not re.search(r'(?<!\\)<script', markdown)


@pytest.mark.edge_cores_only
def test_unwaited_starts_are_recorded_and_the_window_holds_a_second_start(fleet, tmp_path):
    # The retries end Failed at once: only the window keeps the next run from starting them again.
    faults(fleet, job_run_seconds=1, job_run_status='Failed')
    state_dir = tmp_path / 'state'
    window = {'vb365_retry_wait': False, 'vb365_retry_window_hours': 12, 'vb365_retry_state_dir': str(state_dir)}
    first = run_retry(fleet, tmp_path, window, extra_args=['-l', 'vb365-eight'])
    assert first.returncode == 0, first.stdout[-6000:]
    assert starts(fleet) == {'vb365-six': 0, 'vb365-seven': 0, 'vb365-eight': 2}
    jobs = dict((job['job_name'], job) for job in report(tmp_path, 'vb365-eight')['jobs'])
    assert outcomes(jobs.values()) == {FAILED: 'started', MISSED: 'started', SERVER_RETRIES: 'left to the server'}
    assert jobs[FAILED]['after']['session']['id'] not in (None, jobs[FAILED]['before']['session']['id'])
    records = sorted(os.listdir(str(state_dir)))
    assert records == sorted('vb365-eight-%s.retry.json' % jobs[name]['job_id'] for name in (FAILED, MISSED))
    assert json.loads((state_dir / records[0]).read_text())['server'] == fleet['vb365-eight']['url']

    second = run_retry(fleet, tmp_path, window, extra_args=['-l', 'vb365-eight'])
    assert second.returncode == 0, second.stdout[-6000:]
    assert starts(fleet)['vb365-eight'] == 2, 'a job started within the window was started again'
    held = dict((job['job_name'], job) for job in report(tmp_path, 'vb365-eight')['jobs'])
    assert held[FAILED]['before']['verdict'] == 'Error', 'the first retry had not failed yet: the test proves nothing'
    assert outcomes(held.values()) == {FAILED: 'retried recently', MISSED: 'retried recently',
                                       SERVER_RETRIES: 'left to the server'}
    assert 'within vb365_retry_window_hours (12)' in held[FAILED]['message']

    # A record older than the window no longer holds its job; an unrelated file in the folder is ignored.
    aged = state_dir / ('vb365-eight-%s.retry.json' % jobs[FAILED]['job_id'])
    thirteen_hours_ago = os.stat(str(aged)).st_mtime - 13 * 3600
    os.utime(str(aged), (thirteen_hours_ago, thirteen_hours_ago))
    (state_dir / 'vb365-eight-notes.retry.json').write_text('{}')
    third = run_retry(fleet, tmp_path, window, extra_args=['-l', 'vb365-eight'])
    assert third.returncode == 0, third.stdout[-6000:]
    assert starts(fleet)['vb365-eight'] == 3
    assert outcomes(report(tmp_path, 'vb365-eight')['jobs'])[FAILED] == 'started'

# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vb365.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every job on every server: emulated VB365 6, 7 and 8 in one inventory, with one server that refuses
the login and one that is down, through ansible-playbook and ansible-runner as AWX runs them."""

from __future__ import annotations

import csv
import json
import os
import re
import subprocess

import pytest

import vb365_emulator

from helpers.playbooks import role_env, run_playbook

COLLECTION_PLAYBOOKS = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'playbooks')
GOOD = ('vb365-six', 'vb365-seven', 'vb365-eight')
ALL_HOSTS = GOOD + ('vb365-badpass', 'vb365-down')


@pytest.fixture(scope='module')
def servers(tmp_path_factory):
    base = str(tmp_path_factory.mktemp('fleet'))
    with vb365_emulator.Fleet(base, [['--product', '6'], ['--product', '7'], ['--product', '8'],
                                     ['--product', '8']], stdout=subprocess.DEVNULL) as fleet:
        yield fleet


def inventory(servers, path):
    hosts = {}
    for name, info in zip(GOOD + ('vb365-badpass',), servers.infos):
        hosts[name] = {'vb365_server': info['url'], 'vb365_username': info['username'],
                       'vb365_password': info['password'], 'vb365_ca_path': info['ca_path']}
    hosts['vb365-badpass']['vb365_password'] = 'Not-The-Passw0rd'
    hosts['vb365-down'] = {'vb365_server': 'https://127.0.0.1:9', 'vb365_username': 'x', 'vb365_password': 'y'}
    path.write_text(json.dumps({'vb365_servers': {'hosts': hosts}}))
    return str(path)


def reset(servers):
    for info in servers.infos:
        vb365_emulator.admin(info, 'reset', {})


def counters(info):
    return vb365_emulator.admin(info, 'state')['counters']


def run_fleet(servers, tmp_path, extra_vars=None, extra_args=()):
    extra = {'vb365_report_dir': str(tmp_path / 'reports'), 'vb365_report_formats': ['json', 'markdown', 'html', 'csv']}
    extra.update(extra_vars or {})
    env = dict((key, value) for key, value in os.environ.items() if not key.startswith('VB365_'))
    env.update({'ANSIBLE_NOCOLOR': '1', 'VB365_RETRIES': '0'})
    command = ['ansible-playbook', '-i', inventory(servers, tmp_path / 'inventory.json'),
               'vb365.backup.fleet_report', '-f', '5', '-e', json.dumps(extra)] + list(extra_args)
    return subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True, env=env,
                          timeout=600, check=False)


def test_fleet_report_on_three_versions_and_two_broken_servers(servers, tmp_path):
    reset(servers)
    result = run_fleet(servers, tmp_path, {'vb365_fail_on': ['Error']})
    assert result.returncode == 2, result.stdout[-4000:]
    reports = tmp_path / 'reports'
    overview = json.loads((reports / 'vb365-overview.json').read_text())
    by_host = dict((server['host'], server) for server in overview['servers'])
    assert sorted(by_host) == sorted(ALL_HOSTS)
    assert 'The user name or password is incorrect' in by_host['vb365-badpass']['error']
    assert 'Could not reach https://127.0.0.1:9' in by_host['vb365-down']['error']
    for host, version in zip(GOOD, ('v6', 'v7', 'v8')):
        server = by_host[host]
        assert server['error'] is None and server['api_version'] == version
        verdicts = dict((job['job_name'], job['verdict']) for job in server['jobs'])
        # Every enabled job, the disabled one left out; the seeded outcomes on every version.
        assert verdicts == {'Contoso - Mailboxes': 'Success', 'Contoso - OneDrive and SharePoint': 'Warning',
                            'Fabrikam - All users': 'Error', 'Northwind - Teams': 'Running',
                            'Müller & Söhne – Exchange Online': 'Error', 'Northwind - Archive': 'Missed'}
        retried = [job for job in server['jobs'] if job['will_retry']]
        assert [job['job_name'] for job in retried] == (['Müller & Söhne – Exchange Online'] if version != 'v6' else [])
        # The server's health and its users, on every version; the v8 /Health only on v8.
        assert server['health_verdict'] == 'Error' and server['verdict'] == 'Error'
        assert any(reason.startswith('Licence: ') for reason in server['reasons'])
        assert (server['health']['health'] is None) == (version != 'v8')
        with open(str(reports / ('%s-protection.csv' % host)), newline='', encoding='utf-8') as handle:
            users = list(csv.DictReader(handle))
        protection = server['protection']
        assert len(users) == len(protection['problems']) + protection['problems_left_out'] > 0
        assert ('Unprotected' in {user['problem'] for user in users}) == (version == 'v8')
        for job in server['jobs']:
            assert set(job) >= {'job_name', 'job_id', 'organization', 'verdict', 'session', 'summary', 'attention'}
            assert job['summary']['total'] == sum(job['summary']['by_status'].values())
        for extension in ('json', 'md', 'html', 'csv'):
            # A host named vb365-... is not prefixed twice.
            assert (reports / ('%s-jobs.%s' % (host, extension))).exists()
    for info in servers.infos[:3]:
        seen = counters(info)
        assert seen['logins password'] == 1, 'one login per server, whatever the number of jobs'
    assert counters(servers.infos[1]).get('POST v7/token/logout') == 1
    with open(str(reports / 'vb365-overview.csv'), newline='', encoding='utf-8') as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 3 * 6 + 2
    # A server not checked says why, from the role's error_category (Failed when it has none).
    words = {'unreachable': 'Unreachable', 'login_refused': 'LoginRefused'}
    not_checked = dict((row['host'], row['verdict']) for row in rows if not row['job_name'])
    assert not_checked == dict((host, words.get(by_host[host].get('error_category'), 'Failed'))
                               for host in ('vb365-badpass', 'vb365-down'))
    markdown = (reports / 'vb365-overview.md').read_text()
    assert markdown.index('vb365-badpass') < markdown.index('vb365-six'), 'unchecked servers come first'
    assert 'FAILED (will be retried) | Müller & Söhne – Exchange Online' in markdown
    html = (reports / 'vb365-overview.html').read_text()
    assert '<div class="verdict Error">' in html and '<meta name="viewport"' in html
    # Each failing host fails after the overview was written, with its own message.
    assert 'vb365-down (https://127.0.0.1:9) could not be checked' in result.stdout
    # Each failure once: only the final fail shows it (2.19 and later print that one as ERROR and fatal).
    assert result.stdout.count('Could not reach https://127.0.0.1:9') == \
        result.stdout.count('vb365-down (https://127.0.0.1:9) could not be checked') <= 2
    assert 'job(s) on vb365-eight have Error: Fabrikam - All users (Error)' in result.stdout
    assert re.search(r'Server vb365-six is Error: Licence: \d+ of \d+ units used', result.stdout)
    assert 'Not-The-Passw0rd' not in result.stdout


def run_with_runner(servers, tmp_path, limit):
    ansible_runner = pytest.importorskip('ansible_runner')
    private = tmp_path / ('runner-%s' % limit.replace(',', '-'))
    (private / 'env').mkdir(parents=True)
    (private / 'inventory').mkdir()
    inventory(servers, private / 'inventory' / 'hosts.json')
    (private / 'project').mkdir()
    env = {'ANSIBLE_COLLECTIONS_PATH': os.environ['ANSIBLE_COLLECTIONS_PATH'], 'VB365_RETRIES': '0',
           'ANSIBLE_COLLECTIONS_SCAN_SYS_PATH': 'false'}
    (private / 'env' / 'envvars').write_text(json.dumps(env))
    (private / 'env' / 'extravars').write_text(json.dumps({'vb365_report_dir': str(tmp_path / 'awx-reports')}))
    (private / 'project' / 'fleet.yml').write_text(
        open(os.path.join(COLLECTION_PLAYBOOKS, 'fleet_report.yml')).read())
    run = ansible_runner.run(private_data_dir=str(private), playbook='fleet.yml', limit=limit, forks=5, quiet=True)
    stats = [event for event in run.events if event['event'] == 'playbook_on_stats'][0]
    return run, stats['event_data']['artifact_data']


@pytest.mark.edge_cores_only
def test_two_awx_slices_add_up_to_every_server(servers, tmp_path):
    reset(servers)
    first_run, first = run_with_runner(servers, tmp_path, 'vb365-six,vb365-down')
    second_run, second = run_with_runner(servers, tmp_path, 'vb365-seven,vb365-eight,vb365-badpass')
    assert first_run.status == 'failed' and second_run.status == 'failed'
    assert sorted(first['vb365_servers']) == ['vb365-down', 'vb365-six']
    assert sorted(second['vb365_servers']) == ['vb365-badpass', 'vb365-eight', 'vb365-seven']
    together = dict(first['vb365_servers'], **second['vb365_servers'])
    assert sorted(together) == sorted(ALL_HOSTS)
    assert together['vb365-eight']['api_version'] == 'v8' and len(together['vb365-eight']['jobs']) == 6
    assert together['vb365-down']['error'] and together['vb365-down']['jobs'] == []
    facts = dict((event['event_data']['host'], event['event_data']['res']['ansible_facts']) for event in second_run.events
                 if event['event'] == 'runner_on_ok' and event['event_data'].get('task') == "Set this server's results")
    assert facts['vb365-eight']['vb365_job_results'] == together['vb365-eight']['jobs']
    for info in servers.infos[:3]:
        assert counters(info)['logins password'] == 1


def test_role_on_chosen_jobs_by_name_and_id(fresh, tmp_path):
    archive = next(job for job in fresh.info['jobs'] if job['name'] == 'Northwind - Archive')
    result = run_playbook('role_report', {'vb365_jobs': ['Contoso - Mailboxes', archive['id']],
                                          'vb365_report_dir': str(tmp_path / 'reports'),
                                          'facts_file': str(tmp_path / 'facts.json')},
                          tmp_path, env=role_env(fresh))
    facts = json.loads((tmp_path / 'facts.json').read_text())
    assert [(job['job_name'], job['verdict']) for job in facts['vb365_job_results']] == [
        ('Contoso - Mailboxes', 'Success'), ('Northwind - Archive', 'Missed')]
    assert (tmp_path / 'reports' / 'vb365-localhost-jobs.md').exists()
    assert (tmp_path / 'reports' / 'vb365-overview.md').exists()
    assert "2 job(s) on localhost: Missed 1; Success 1;" in result.stdout
    assert fresh.admin('state')['counters']['logins password'] == 1


def test_each_run_keeps_a_dated_overview_and_only_the_newest(fresh, tmp_path):
    reports = tmp_path / 'reports'
    reports.mkdir()
    older = ['vb365-overview-20191201T061500Z.md', 'vb365-overview-20201201T061500Z.md',
             'vb365-overview-20201201T061500Z.json']
    kept_apart = ['vb365-overview-20191201T061500Z-jobs.md', 'notes-vb365-overview-20191201T061500Z.md']
    for name in older + kept_apart:
        (reports / name).write_text('old')
    result = run_playbook('role_report', {'vb365_jobs': ['Contoso - Mailboxes'], 'vb365_report_dir': str(reports),
                                          'vb365_report_formats': 'json,md', 'vb365_overview_keep': 2,
                                          'facts_file': str(tmp_path / 'facts.json')},
                          tmp_path, env=role_env(fresh))
    dated = sorted(path.name for path in reports.glob('vb365-overview-2*Z.*'))
    new = [name for name in dated if not name.startswith(('vb365-overview-2019', 'vb365-overview-2020'))]
    assert len(new) == 2 and {name.rsplit('.', 1)[1] for name in new} == {'json', 'md'}
    assert len({name.rsplit('.', 1)[0] for name in new}) == 1, 'one time names every format of a run'
    for name in new:
        assert (reports / name).read_bytes() == (reports / ('vb365-overview.' + name.rsplit('.', 1)[1])).read_bytes()
    # Two of each format remain: this run's and the newest older one; other names are never touched.
    assert sorted(set(dated) - set(new)) == ['vb365-overview-20201201T061500Z.json', 'vb365-overview-20201201T061500Z.md']
    assert all((reports / name).exists() for name in kept_apart)
    assert 'no job failed or was missed' in result.stdout

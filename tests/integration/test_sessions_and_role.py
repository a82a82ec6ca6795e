# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vb365.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""job_sessions_info, token and the job_session_report role, through ansible-playbook and ansible-runner."""

from __future__ import annotations

import csv
import json
import os
import re

import pytest

from helpers.playbooks import connection, run_playbook

COLLECTION_PLAYBOOKS = os.path.join(os.path.dirname(__file__), '..', '..', 'playbooks')


@pytest.mark.parametrize('api_version', ['v5', 'v6', 'v7', 'v8'])
def test_sessions_and_token_on_every_version(emulator8, tmp_path, api_version):
    emulator8.admin('reset', {})
    run_playbook('sessions', {'conn': connection(emulator8, api_version), 'emu': emulator8.info}, tmp_path)
    counters = emulator8.admin('state')['counters']
    assert counters['logins password'] == 1, 'one login for the whole play'


def role_env(emulator):
    info = emulator.info
    return {'VB365_SERVER': info['url'], 'VB365_USERNAME': info['username'], 'VB365_PASSWORD': info['password'],
            'VB365_CA_PATH': info['ca_path']}


def test_role_with_playbook_writes_every_report(fresh, tmp_path):
    report_dir = tmp_path / 'reports'
    result = run_playbook('role_report', {'vb365_job_name': 'Fabrikam - All users', 'vb365_report_dir': str(report_dir),
                                          'vb365_report_formats': ['json', 'markdown', 'html', 'csv'],
                                          'facts_file': str(tmp_path / 'facts.json')},
                          tmp_path, env=role_env(fresh))
    session = fresh.session(job_name='Fabrikam - All users', status='Failed')
    facts = json.loads((tmp_path / 'facts.json').read_text())
    assert facts['vb365_job_session']['id'] == session['id']
    assert facts['vb365_log_summary']['total'] == session['item_count']
    assert len(facts['vb365_log_items']) == session['item_count']
    base = report_dir / ('vb365-localhost-session-%s' % session['id'])
    document = json.loads(base.with_suffix('.json').read_text())
    assert document['summary'] == facts['vb365_log_summary']
    markdown = base.with_suffix('.md').read_text()
    assert '# VB365 backup report: Fabrikam - All users - FAILED' in markdown
    # Repeats of one problem are one line with a count.
    listed = re.findall(r'^- \*\*Error\*\*(?: (\d+) times)?', markdown, re.MULTILINE)
    assert sum(int(count or 1) for count in listed) == facts['vb365_log_summary']['by_status']['Error']
    html = base.with_suffix('.html').read_text()
    counts = facts['vb365_log_summary']['by_status']
    assert 'Needs attention (%d)' % (counts['Error'] + counts['Warning']) in html
    # The page a person reads lists the operations that need attention and names the full lists.
    for status in ('Error', 'Warning'):
        rows = re.findall(r'<tr class="%s">.*</tr>' % status.lower(), html)
        repeats = [re.search(r'<span class="repeat">(\d+) times</span>', row) for row in rows]
        assert sum(int(repeat.group(1)) if repeat else 1 for repeat in repeats) == counts[status]
    assert 'Every operation: <a href="%s">' % base.with_suffix('.json').name in html
    with open(str(base.with_suffix('.csv'))) as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == session['item_count']
    assert rows[0]['status'] == 'Success' and rows[0]['message'].startswith('Job started at')
    counters = fresh.admin('state')['counters']
    assert counters['logins password'] == 1
    assert counters['POST v8/token/logout'] == 1
    assert fresh.info['password'] not in result.stdout


def test_role_fail_on_names_the_operations(fresh, tmp_path):
    session = fresh.session(job_name='Contoso - Mailboxes', status='Failed')
    result = run_playbook('role_report', {'vb365_job_session_id': session['id'], 'vb365_fail_on': ['Error'],
                                          'vb365_report_dir': str(tmp_path / 'reports'),
                                          'facts_file': str(tmp_path / 'facts.json')},
                          tmp_path, env=role_env(fresh), check=False)
    assert result.returncode != 0
    assert 'Job session %s of Contoso - Mailboxes ended Error and has' % session['id'] in result.stdout
    assert 'operation(s) with status Error' in result.stdout
    assert '[Error] Processing' in result.stdout
    assert (tmp_path / 'reports' / ('vb365-localhost-session-%s.md' % session['id'])).exists(), 'reports come first'
    assert fresh.admin('state')['counters']['POST v8/token/logout'] == 1, 'logged out in the always block'


def test_role_in_check_mode_writes_nothing(fresh, tmp_path):
    run_playbook('role_report', {'vb365_job_name': 'Contoso - Mailboxes', 'vb365_report_dir': str(tmp_path / 'r'),
                                 'facts_file': str(tmp_path / 'facts.json')}, tmp_path, env=role_env(fresh),
                 extra_args=['--check'])
    assert not (tmp_path / 'r').exists()
    facts = json.loads((tmp_path / 'facts.json').read_text())
    assert facts['vb365_log_summary']['total'] > 0


def test_role_through_ansible_runner_like_awx(fresh, tmp_path):
    ansible_runner = pytest.importorskip('ansible_runner')
    private = tmp_path / 'runner'
    (private / 'project').mkdir(parents=True)
    (private / 'env').mkdir()
    (private / 'project' / 'nightly.yml').write_text(
        (open(os.path.join(COLLECTION_PLAYBOOKS, 'session_report.yml')).read()))
    env = role_env(fresh)
    env.update({'ANSIBLE_COLLECTIONS_PATH': os.environ['ANSIBLE_COLLECTIONS_PATH'],
                'ANSIBLE_COLLECTIONS_SCAN_SYS_PATH': 'false', 'ANSIBLE_PYTHON_INTERPRETER': os.sys.executable})
    (private / 'env' / 'envvars').write_text(json.dumps(env))
    (private / 'env' / 'extravars').write_text(json.dumps({
        'vb365_job_name': 'Contoso - Mailboxes', 'vb365_report_dir': str(tmp_path / 'awx-reports'),
        'vb365_report_formats': ['json', 'markdown']}))
    run = ansible_runner.run(private_data_dir=str(private), playbook='nightly.yml', quiet=True)
    assert run.status == 'successful', run.stdout.read()
    events = list(run.events)
    stats = [event for event in events if event['event'] == 'playbook_on_stats'][0]
    artifacts = stats['event_data']['artifact_data']
    session = fresh.session(job_name='Contoso - Mailboxes', status='Success')
    assert artifacts['vb365_job_session_id'] == session['id']
    assert artifacts['vb365_log_summary']['total'] == session['item_count']
    assert set(artifacts) >= {'vb365_job_session', 'vb365_warnings', 'vb365_errors'}
    facts = [event['event_data']['res']['ansible_facts'] for event in events
             if event['event'] == 'runner_on_ok' and event['event_data'].get('task') == 'Set the facts']
    assert facts and facts[0]['vb365_log_summary'] == artifacts['vb365_log_summary']
    assert facts[0]['vb365_job_session']['id'] == session['id']
    # vb365_log_items is set by job_session_export itself (test_role_with_playbook_writes_every_report reads it).
    assert (tmp_path / 'awx-reports' / ('vb365-localhost-session-%s.md' % session['id'])).exists()
    text = json.dumps(events)
    for secret in fresh.admin('state')['issued_secrets'] + [fresh.info['password']]:
        assert secret not in text, 'a secret reached the AWX events'


def test_shipped_check_session_playbook(fresh, tmp_path):
    env = role_env(fresh)
    env['VB365_JOB_SESSION_ID'] = fresh.session(status='Warning')['id']
    result = run_playbook(os.path.join(COLLECTION_PLAYBOOKS, 'check_session'), {}, tmp_path, env=env)
    assert 'operations from' in result.stdout and '[Warning] ' in result.stdout


def test_role_leaves_an_existing_1777_folder_and_a_symlinked_one_as_they_are(fresh, tmp_path):
    shared = tmp_path / 'shared'
    shared.mkdir()
    os.chmod(str(shared), 0o1777)
    link = tmp_path / 'link'
    link.symlink_to(shared)
    for folder in (shared, link):
        run_playbook('role_report', {'vb365_job_name': 'Contoso - Mailboxes', 'vb365_report_dir': str(folder),
                                     'facts_file': str(tmp_path / 'facts.json')}, tmp_path, env=role_env(fresh))
        assert os.stat(str(shared)).st_mode & 0o7777 == 0o1777
    assert list(shared.glob('vb365-localhost-session-*.md'))


def test_role_takes_list_variables_as_strings(fresh, tmp_path):
    session = fresh.session(job_name='Contoso - Mailboxes', status='Failed')
    result = run_playbook('role_report', {'vb365_job_session_id': session['id'], 'vb365_fail_on': 'Error',
                                          'vb365_report_formats': 'html,md', 'vb365_status': 'error',
                                          'vb365_report_dir': str(tmp_path / 'reports'),
                                          'facts_file': str(tmp_path / 'facts.json')},
                          tmp_path, env=role_env(fresh), check=False)
    assert 'Unknown status word' not in result.stdout
    assert 'operation(s) with status Error' in result.stdout
    base = tmp_path / 'reports' / ('vb365-localhost-session-%s' % session['id'])
    assert base.with_suffix('.html').exists() and base.with_suffix('.md').exists()


def test_failed_session_without_failed_operation_says_why(fresh, tmp_path):
    job = fresh.info['jobs'][0]
    started = fresh.admin('sessions', {'job': job['id'], 'items': 0})
    fresh.admin('sessions/%s/finish' % started['id'], {'status': 'Failed'})
    result = run_playbook('role_report', {'vb365_job_session_id': started['id'], 'vb365_fail_on': ['Error'],
                                          'vb365_report_dir': str(tmp_path / 'reports'),
                                          'facts_file': str(tmp_path / 'facts.json')},
                          tmp_path, env=role_env(fresh), check=False)
    assert result.returncode != 0
    facts = json.loads((tmp_path / 'facts.json').read_text()) if (tmp_path / 'facts.json').exists() else None
    assert 'The server says: ' in result.stdout, result.stdout[-3000:]
    assert facts is None or facts['vb365_job_session']['details'] is not None

# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vb365.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from ansible_collections.vb365.backup.plugins.filter import inputs

BASE = {'server': 'vb365.example.com', 'api_version': 'auto', 'validate_certs': True, 'report_formats': ['json']}


@pytest.mark.parametrize('given, expected', [
    ('Error', ['Error']), ('Error, Missed', ['Error', 'Missed']), (['Error'], ['Error']), ('', []), (None, []),
    ([], []),
])
def test_as_list_takes_a_string_too(given, expected):
    assert inputs.as_list(given) == expected


def test_fail_on_as_one_word_is_not_split_into_letters():
    result = inputs.role_inputs(dict(BASE, fail_on='Error'))
    assert result['problem'] == '' and result['fail_on'] == ['Error']


def test_formats_as_a_string_and_md_for_markdown():
    result = inputs.role_inputs(dict(BASE, report_formats='html,md'))
    assert result['problem'] == ''
    assert result['report_formats'] == ['markdown', 'html'] and result['report_extensions'] == ['md', 'html']


def test_jobs_as_a_string_split_into_names_and_ids():
    job_id = '7f3f1f4e-2c41-4f7c-9b0e-5d2b8f7a9c10'
    result = inputs.role_inputs(dict(BASE, jobs='Contoso - Mailboxes, %s' % job_id))
    assert result['job_names'] == ['Contoso - Mailboxes'] and result['job_ids'] == [job_id]


@pytest.mark.parametrize('extra, message', [
    ({'status': 'Warn'}, 'Unknown status word(s) warn'),
    ({'report_formats': 'pdf'}, 'not pdf'),
    ({'job_session_id': 'last-night'}, "'last-night' is not a UUID"),
    ({'api_version': '8', 'env_api_version': '8'}, 'it came from the environment variable VB365_API_VERSION'),
    ({'jobs': 'a,,b'}, 'vb365_jobs holds an empty name'),
])
def test_bad_input_says_what_to_do(extra, message):
    assert message in inputs.role_inputs(dict(BASE, **extra))['problem']


@pytest.mark.parametrize('host, stem', [
    ('vb365-emea', 'vb365-emea'), ('emea', 'vb365-emea'), ('x/../../escaped-host', 'vb365-x_.._.._escaped-host'),
    ('..', 'vb365-..'),
])
def test_report_file_stem(host, stem):
    assert inputs.report_file_stem(host) == stem
    assert '/' not in inputs.report_file_stem(host)


@pytest.mark.parametrize('error, category', [
    ({'kind': 'connection'}, 'unreachable'), ({'kind': 'tls'}, 'unreachable'), ({'kind': 'timeout'}, 'unreachable'),
    ({'kind': 'http', 'status': 401, 'path': '/v8/token'}, 'login_refused'),
    ({'kind': 'http', 'status': 401, 'path': '/v8/Jobs'}, 'failed'), ({}, 'failed'),
])
def test_server_error_category(error, category):
    result = inputs.server_error({'failed': True, 'msg': 'it broke', 'error': error})
    assert result == {'error': 'it broke', 'error_category': category}


def test_server_error_prefers_the_failed_login():
    login = {'failed': True, 'msg': 'Login refused', 'error': {'kind': 'http', 'status': 400, 'path': '/v6/token'}}
    assert inputs.server_error({'msg': 'Stop'}, login) == {'error': 'Login refused', 'error_category': 'login_refused'}


def test_session_failure_without_error_operation_ends_with_details():
    message = inputs.session_failure({'id': 'abc', 'job_name': 'J', 'details': 'The app certificate expired'},
                                     {'by_status': {'Success': 0, 'Error': 0}}, [], 'Error', ['Error'])
    assert message.endswith('The server says: The app certificate expired')
    assert not message.rstrip().endswith(':')


def test_session_failure_names_operations():
    message = inputs.session_failure({'id': 'abc'}, {'by_status': {'Error': 3}},
                                     [{'status': 'Error', 'message': 'boom'}] * 3, 'Error', ['Error'], items=2)
    assert '[Error] boom; [Error] boom ... and 1 more.' in message


def test_session_failure_empty_when_nothing_fails():
    assert inputs.session_failure({}, {'by_status': {'Error': 0}}, [], 'Success', ['Error']) == ''


def test_jobs_needing_attention_names_the_server():
    servers = [{'host': 'vb365-eight', 'jobs': [{'job_name': 'A', 'verdict': 'Missed'},
                                                {'job_name': 'B', 'verdict': 'Error'},
                                                {'job_name': 'C', 'verdict': 'Success'}]}]
    assert inputs.jobs_needing_attention(servers) == ['B on vb365-eight (Error)', 'A on vb365-eight (Missed)']


def test_server_error_reads_a_login_registered_with_failed_when_false():
    # connect.yml registers the login with failed_when false, so that 2.17 and 2.18 keep its message.
    login = {'failed': False, 'msg': 'Could not reach', 'error': {'kind': 'connection', 'path': '/v8/token'}}
    assert inputs.server_error({'msg': 'Stop when the login failed'}, login) == {
        'error': 'Could not reach', 'error_category': 'unreachable'}


def test_stale_overviews_keeps_the_newest_of_each_format_and_touches_nothing_else():
    dated = ['/r/vb365-overview-2026120%dT061500Z.%s' % (day, extension) for day in (3, 1, 2) for extension in ('md', 'csv')]
    others = ['/r/vb365-overview.md', '/r/vb365-overview-20261201T061500Z-jobs.md', '/r/vb365-overview-x.md',
              '/r/vb365-overview-20261201T0615Z.md', '/r/vb365-overview-20261201T061500Z.txt']
    assert inputs.stale_overviews(dated + others, 2) == ['/r/vb365-overview-20261201T061500Z.csv',
                                                         '/r/vb365-overview-20261201T061500Z.md']
    assert sorted(inputs.stale_overviews(dated + others, 0)) == sorted(dated)
    assert inputs.stale_overviews(dated, 5) == []
    with pytest.raises(TypeError, match='0 or more'):
        inputs.stale_overviews(dated, -1)


SERVER = {'host': 'vb365-emea', 'server': 'https://vb365.example', 'api_version': 'v8', 'error': None,
          'jobs': [{'job_name': 'Mail', 'verdict': 'Success', 'summary': {'by_status': {'Warning': 0}}}]}
SERVER_INFO = {'verdict': 'Warning', 'reasons': ['Repository Zürich JET is 90% full (60 GB free).'],
               'license': {'verdict': 'Success'}, 'repositories': [], 'proxies': [], 'health': None,
               'organizations': [], 'api_version': 'v8', 'changed': False}
PROTECTION = {'verdict': 'Error', 'summary': {'licensed_users': 40},
              'problems': [{'name': 'u%d' % index, 'problem': problem} for index, problem in
                           enumerate(['Exceeded', 'Exceeded', 'Unprotected', 'Stale'])]}


def test_with_health_takes_the_worst_of_jobs_health_and_users_and_caps_the_problem_users():
    result = inputs.with_health(SERVER, SERVER_INFO, PROTECTION, 3)
    assert result['health_verdict'] == 'Error' and result['verdict'] == 'Error'
    assert result['reasons'] == ['Repository Zürich JET is 90% full (60 GB free).',
                                 'Users: 2 beyond the licence, 1 in no backup job, 1 not backed up lately (of 40 licensed)']
    assert len(result['protection']['problems']) == 3 and result['protection']['problems_left_out'] == 1
    assert result['health']['license'] == {'verdict': 'Success'} and 'changed' not in result['health']
    assert SERVER.get('verdict') is None, 'the given result is not changed'


def test_with_health_without_reads_keeps_the_job_verdicts_and_a_failed_read_is_a_reason():
    assert inputs.with_health(SERVER)['verdict'] == 'Success'
    assert inputs.with_health(SERVER, {'skipped': True}, {'skipped': True})['health_verdict'] is None
    failed = inputs.with_health(SERVER, {'failed': True, 'msg': 'HTTP 403 on GET /v8/License'}, None)
    assert failed['health_verdict'] == 'Unknown' and failed['verdict'] == 'Unknown'
    assert failed['reasons'] == ['Server health could not be read: HTTP 403 on GET /v8/License']
    assert inputs.with_health(dict(SERVER, error='down', jobs=[]))['verdict'] == 'Error'


def test_host_failure_names_jobs_and_the_server_verdict_in_fail_on():
    checked = inputs.with_health(SERVER, SERVER_INFO, None)
    assert inputs.host_failure(checked, ['Error']) == ''
    assert inputs.host_failure(checked, ['Warning'], '/r') == (
        'Server vb365-emea is Warning: Repository Zürich JET is 90% full (60 GB free). The reports are in /r.')
    failing = dict(checked, jobs=[{'job_name': 'Mail', 'verdict': 'Error'}])
    assert inputs.host_failure(failing, ['Error']).startswith('1 job(s) on vb365-emea have Error: Mail (Error).')
    assert inputs.host_failure(dict(SERVER, error='refused'), []) == (
        'vb365-emea (https://vb365.example) could not be checked: refused')


RETRY_BASE = {'verdicts': ['Error', 'Missed'], 'jobs': [], 'wait_timeout': 3600, 'poll_seconds': 5}


def test_retry_inputs_read_as_people_type_them():
    found = inputs.retry_inputs(dict(RETRY_BASE, verdicts='missed, FAILED',
                                     jobs='Contoso - Mailboxes, 2dc1c0fd-8d7c-4848-a9bb-9ca16329eabd',
                                     wait_timeout='600'))
    assert found['problem'] == ''
    assert found['verdicts'] == ['Error', 'Missed']
    assert found['job_names'] == ['Contoso - Mailboxes']
    assert found['job_ids'] == ['2dc1c0fd-8d7c-4848-a9bb-9ca16329eabd']
    assert found['wait_timeout'] == 600


@pytest.mark.parametrize('extra, message', [
    ({'verdicts': ['Error', 'Borked']}, 'Unknown verdict(s) Borked'),
    ({'verdicts': ['Success']}, 'Unknown verdict(s) Success'),
    ({'verdicts': {'Error': 1}}, 'must be a list of verdicts'),
    ({'verdicts': []}, 'vb365_retry_verdicts is empty'),
    ({'jobs': 7}, 'vb365_jobs must be a list'),
    ({'jobs': 'a,,b'}, 'empty name'),
    ({'wait_timeout': 'soon'}, 'vb365_retry_wait_timeout must be a whole number'),
    ({'wait_timeout': 0}, 'vb365_retry_wait_timeout must be a whole number'),
    ({'poll_seconds': True}, 'vb365_retry_poll_seconds must be a whole number'),
])
def test_retry_inputs_bad_input_says_what_to_do(extra, message):
    assert message in inputs.retry_inputs(dict(RETRY_BASE, **extra))['problem']


ID = '00000000-0000-4000-8000-00000000000'  # + one hex digit: a UUID per job
JOBS = [
    {'id': ID + 'a', 'name': 'Failed', 'enabled': True, 'verdict': 'Error', 'will_retry': False},
    {'id': ID + 'b', 'name': 'Missed', 'enabled': True, 'verdict': 'Missed', 'will_retry': False},
    {'id': ID + 'c', 'name': 'Server retries', 'enabled': True, 'verdict': 'Error', 'will_retry': True},
    {'id': ID + 'd', 'name': 'Disabled', 'enabled': False, 'verdict': 'Error', 'will_retry': False},
    {'id': ID + 'e', 'name': 'Fine', 'enabled': True, 'verdict': 'Success', 'will_retry': False},
    {'id': ID + 'f', 'name': 'Warned {{ lookup("pipe", "id") }}', 'enabled': True, 'verdict': 'Warning',
     'will_retry': False},
]


def test_retry_candidates_are_enabled_failed_jobs_the_server_leaves_alone():
    assert [job['id'][-1] for job in inputs.retry_candidates(JOBS, ['Error', 'Missed'])] == ['a', 'b']
    assert [job['id'][-1] for job in inputs.retry_candidates(JOBS, ['Warning'])] == ['f']
    assert inputs.retry_candidates(None, ['Error']) == []


def test_retry_results_before_and_after():
    candidates = inputs.retry_candidates(JOBS, ['Error', 'Missed', 'Warning'])
    outcomes = [
        {'job': JOBS[0], 'verdict': 'Success', 'session': {'id': 's1', 'status': 'Success'},
         'summary': {'total': 3}, 'msg': 'Started.'},
        {'job': JOBS[1], 'failed': True, 'msg': 'Could not start: refused.', 'error': {'kind': 'http'}},
        {'job': JOBS[5], 'failed': True, 'session': {'id': 's5', 'status': 'Running'}, 'msg': 'Still running.',
         'error': {'kind': 'wait_timeout'}},
    ]
    results = inputs.retry_results(JOBS, candidates, outcomes, ['Error', 'Missed', 'Warning'])
    by_id = dict((entry['job_id'][-1], entry) for entry in results)
    assert by_id['a']['outcome'] == 'retried' and not by_id['a']['failed_again']
    assert by_id['a']['before']['verdict'] == 'Error' and by_id['a']['after']['verdict'] == 'Success'
    assert by_id['a']['after']['session']['id'] == 's1'
    assert by_id['b']['outcome'] == 'failed again' and by_id['b']['message'] == 'Could not start: refused.'
    assert by_id['c']['outcome'] == 'left to the server' and by_id['c']['after'] is None
    assert by_id['d']['outcome'] == 'not retried'
    assert by_id['f']['outcome'] == 'still running' and by_id['f']['failed_again']
    assert by_id['f']['after']['session']['id'] == 's5' and by_id['f']['message'] == 'Still running.'
    assert '{{' not in by_id['f']['job_name']


def test_a_job_whose_id_is_not_a_uuid_is_not_started_and_fails_the_host():
    hostile = dict(JOBS[0], id="../{{ lookup('pipe', 'id') }}")
    assert inputs.retry_candidates([hostile, JOBS[1]], ['Error', 'Missed']) == [JOBS[1]]
    entry = inputs.retry_results([hostile], [], [], ['Error'])[0]
    assert (entry['outcome'], entry['failed_again']) == ('could not start', True)
    assert 'which is not a UUID: it was not started' in entry['message'] and '{{' not in entry['message']
    assert inputs.retry_results([hostile], [], [], ['Error'], True)[0]['failed_again'] is False


def test_retry_results_in_check_mode_would_start():
    candidates = inputs.retry_candidates(JOBS, ['Error'])
    results = inputs.retry_results(JOBS, candidates, [{'job': JOBS[0], 'msg': 'would start'}], ['Error'], True)
    assert [(entry['job_id'][-1], entry['outcome']) for entry in results if entry['outcome'] != 'not retried'] == [
        ('a', 'would start'), ('c', 'left to the server')]
    assert not any(entry['failed_again'] for entry in results)


def test_retry_inputs_wait_and_window():
    found = inputs.retry_inputs(dict(RETRY_BASE, wait='no', window_hours='12', state_dir=' /var/lib/vb365 '))
    assert (found['problem'], found['wait'], found['window_hours'], found['state_dir']) == ('', False, 12, '/var/lib/vb365')
    assert inputs.retry_inputs(RETRY_BASE)['wait'] is True and inputs.retry_inputs(RETRY_BASE)['window_hours'] == 0
    assert 'vb365_retry_wait' in inputs.retry_inputs(dict(RETRY_BASE, wait='later'))['problem']
    assert 'vb365_retry_window_hours must be a whole number' in inputs.retry_inputs(
        dict(RETRY_BASE, window_hours='-1'))['problem']
    assert 'vb365_retry_state_dir is empty' in inputs.retry_inputs(dict(RETRY_BASE, window_hours=6))['problem']


RECORDED = '2dc1c0fd-8d7c-4848-a9bb-9ca16329eabd'


def test_retry_records_read_only_the_names_the_playbook_writes():
    name = inputs.retry_record_name('emea/1', RECORDED.upper())
    assert name == 'vb365-emea_1-%s.retry.json' % RECORDED
    assert inputs.retry_record_name('emea', '../../etc/passwd') is None
    files = [{'path': '/state/' + name, 'mtime': 1764633600.5},
             {'path': '/state/vb365-emea_1-notes.retry.json', 'mtime': 1},
             {'path': '/state/vb365-other-%s.retry.json' % RECORDED, 'mtime': 1},
             {'path': '/state/vb365-emea_1-%s.json' % RECORDED, 'mtime': 1}]
    assert inputs.retry_records(files, 'emea/1') == {RECORDED: '2025-12-02T00:00:00Z'}
    assert inputs.retry_records(None, 'emea') == {}


def test_a_job_started_within_the_window_is_held_and_reported():
    jobs = [dict(JOBS[0], id=RECORDED), JOBS[1]]
    recent = {RECORDED: '2026-12-02T01:00:00Z'}
    candidates = inputs.retry_candidates(jobs, ['Error', 'Missed'], recent)
    assert [job['id'] for job in candidates] == [ID + 'b']
    started = [{'job': JOBS[1], 'changed': True, 'session': {'id': 's2', 'status': 'Running'}}]
    results = inputs.retry_results(jobs, candidates, started, ['Error', 'Missed'], waited=False, recent=recent,
                                   window_hours=12)
    by_id = dict((entry['job_id'], entry) for entry in results)
    assert by_id[RECORDED]['outcome'] == 'retried recently' and not by_id[RECORDED]['failed_again']
    assert by_id[RECORDED]['message'] == ('Started by vb365.backup.retry_failed at 2026-12-02T01:00:00Z, within '
                                          'vb365_retry_window_hours (12): not started again.')
    assert by_id[ID + 'b']['outcome'] == 'started' and by_id[ID + 'b']['after']['session']['id'] == 's2'
    refused = [{'job': JOBS[1], 'failed': True, 'msg': "Job 'Missed' is already running."}]
    entry = inputs.retry_results(jobs, candidates, refused, ['Error', 'Missed'], waited=False)[1]
    assert (entry['outcome'], entry['failed_again'], entry['message']) == (
        'could not start', True, "Job 'Missed' is already running.")


MAINTENANCE = {'maintenance': 'start', 'server': 'vb365.example.com', 'jobs': [], 'api_version': 'auto',
               'validate_certs': True, 'wait': 1800, 'poll_seconds': 15, 'stop_running': False,
               'state_dir': '/home/admin/.local/state/vb365-maintenance'}
ID_A = '11111111-1111-4111-8111-111111111111'
ID_B = '22222222-2222-4222-8222-222222222222'
ID_C = '33333333-3333-4333-8333-333333333333'


def server_jobs(enabled_a=True, enabled_b=True, enabled_c=False, running=()):
    jobs = []
    for job_id, name, enabled in ((ID_A, 'A', enabled_a), (ID_B, 'B', enabled_b), (ID_C, 'C', enabled_c)):
        session = {'id': 'x', 'status': 'Running' if name in running else 'Success'}
        jobs.append({'id': job_id, 'name': name, 'enabled': enabled, 'session': session})
    return jobs


def names(entries):
    return [entry['name'] for entry in entries]


def test_maintenance_inputs_read_as_people_type_them():
    result = inputs.maintenance_inputs(dict(MAINTENANCE, maintenance=' End ', jobs='A, %s' % ID_B, wait='60',
                                            poll_seconds='7', stop_running='yes'))
    assert result['problem'] == ''
    assert (result['action'], result['job_names'], result['job_ids']) == ('end', ['A'], [ID_B])
    assert (result['wait'], result['poll_seconds'], result['retries'], result['stop_running']) == (60, 7, 9, True)
    assert inputs.maintenance_inputs(dict(MAINTENANCE, wait=0))['retries'] == 0


@pytest.mark.parametrize('extra, message', [
    ({'maintenance': ''}, 'Set vb365_maintenance to start'),
    ({'maintenance': 'begin'}, "not 'begin'"),
    ({'server': ''}, 'Set vb365_server'),
    ({'jobs': 'A,,B'}, 'vb365_jobs holds an empty name'),
    ({'wait': -1}, 'vb365_maintenance_wait must be a whole number'),
    ({'wait': True}, 'vb365_maintenance_wait must be a whole number'),
    ({'poll_seconds': 0}, 'vb365_maintenance_poll_seconds must be'),
    ({'stop_running': 'maybe'}, "vb365_maintenance_stop_running 'maybe' is not true or false"),
    ({'state_dir': ' '}, 'vb365_maintenance_state_dir is empty'),
])
def test_maintenance_inputs_bad_input_says_what_to_do(extra, message):
    assert message in inputs.maintenance_inputs(dict(MAINTENANCE, **extra))['problem']


def test_maintenance_plan_first_start_records_and_disables_the_enabled_jobs_only():
    plan = inputs.maintenance_plan(server_jobs(), None, None, server='https://vb', now='2026-12-02T01:00:00Z')
    assert plan['problem'] == '' and plan['write'] is True
    assert names(plan['record']) == ['A', 'B'] and names(plan['disable']) == ['A', 'B']
    assert names(plan['admin_disabled']) == ['C'] and plan['enable'] == []
    assert plan['state'] == {'format': 1, 'server': 'https://vb', 'started': '2026-12-02T01:00:00Z',
                             'jobs': [{'id': ID_A, 'name': 'A'}, {'id': ID_B, 'name': 'B'}]}


def test_maintenance_plan_chosen_jobs_only():
    plan = inputs.maintenance_plan(server_jobs(), None, [ID_B, ID_C])
    assert names(plan['record']) == ['B'] and names(plan['disable']) == ['B'] and names(plan['admin_disabled']) == ['C']


def test_maintenance_plan_second_start_changes_nothing_and_keeps_the_first_time():
    first = inputs.maintenance_plan(server_jobs(), None, None, server='https://vb', now='T1')
    second = inputs.maintenance_plan(server_jobs(False, False), json.dumps(first['state']), None,
                                     server='https://vb', now='T2')
    assert second['write'] is False and second['disable'] == []
    assert names(second['record']) == ['A', 'B'] and second['state']['started'] == 'T1'
    # The end enables exactly those, never the admin's C.
    assert names(second['enable']) == ['A', 'B']


def test_maintenance_plan_after_a_crash_mid_start_completes_it():
    # The file was written, A disabled, then the run died: B is still enabled, recorded.
    state = {'format': 1, 'server': 'https://vb', 'started': 'T1', 'jobs': [{'id': ID_A, 'name': 'A'},
                                                                            {'id': ID_B, 'name': 'B'}]}
    plan = inputs.maintenance_plan(server_jobs(False, True), state)
    assert names(plan['disable']) == ['B'] and plan['write'] is False
    assert names(plan['enable']) == ['A'], 'an end now enables what was disabled, and B is enabled already'
    # A recorded job stays recorded even when a start with other vb365_jobs runs; a new one joins the record.
    joined = inputs.maintenance_plan(server_jobs(False, False, True), state, [ID_C])
    assert names(joined['record']) == ['A', 'B', 'C'] and names(joined['disable']) == ['C'] and joined['write']


def test_maintenance_plan_running_and_gone():
    state = {'format': 1, 'jobs': [{'id': ID_A, 'name': 'A'}, {'id': ID_B.upper(), 'name': 'B'},
                                   {'id': '44444444-4444-4444-8444-444444444444', 'name': 'D'}]}
    plan = inputs.maintenance_plan(server_jobs(False, False, False, running=('B', 'C')), state)
    assert names(plan['running']) == ['B'], 'only the recorded jobs are waited for'
    assert names(plan['gone']) == ['D'] and names(plan['enable']) == ['A', 'B']


def test_maintenance_plan_names_are_inert_for_jinja():
    jobs = [{'id': ID_A, 'name': "{{ lookup('pipe', 'touch x') }}", 'enabled': True}]
    plan = inputs.maintenance_plan(jobs, None)
    assert '{{' not in plan['record'][0]['name'] and '{{' not in plan['disable'][0]['name']


@pytest.mark.parametrize('recorded, message', [
    ('not json', 'it is not JSON'),
    ({'format': 9, 'jobs': []}, 'not a state file of vb365.backup.maintenance'),
    ({'format': 1, 'jobs': 'A'}, 'not a state file of vb365.backup.maintenance'),
    ({'format': 1, 'jobs': [{'id': '../../etc', 'name': 'A'}]}, 'id is not a UUID'),
])
def test_maintenance_plan_refuses_a_state_file_it_did_not_write(recorded, message):
    plan = inputs.maintenance_plan(server_jobs(), recorded)
    assert message in plan['problem']
    assert plan['disable'] == [] and plan['enable'] == [] and plan['write'] is False


def test_job_results_use_the_contract_names():
    job = {'name': 'Mail', 'id': 'a', 'organization': 'Contoso', 'enabled': True, 'verdict': 'Error', 'will_retry': False,
           'session': {'id': 's'}, 'summary': {'total': 1}, 'attention': [], 'attention_left_out': 0, 'extra': 1}
    assert inputs.job_results([job]) == [{
        'job_name': 'Mail', 'job_id': 'a', 'organization': 'Contoso', 'enabled': True, 'verdict': 'Error',
        'will_retry': False, 'session': {'id': 's'}, 'summary': {'total': 1}, 'attention': [], 'attention_left_out': 0}]
    assert inputs.job_results(None) == []


SERVER_JOBS = {'host': 'emea', 'jobs': [{'job_name': 'A', 'verdict': 'Success'}, {'job_name': 'B', 'verdict': 'Missed'},
                                        {'job_name': 'C', 'verdict': 'Error'}, {'job_name': 'D', 'verdict': 'Success'}]}


def test_jobs_line_counts_worst_first_and_names_what_needs_attention():
    assert inputs.jobs_line(SERVER_JOBS, ['/r/a.json', '/r/a.md'], 10) == (
        '4 job(s) on emea: Error 1; Missed 1; Success 2; reports in /r/a.json, /r/a.md; '
        'needs attention: C on emea (Error), B on emea (Missed)')
    assert inputs.jobs_line(SERVER_JOBS, [], 1) == (
        '4 job(s) on emea: Error 1; Missed 1; Success 2; no report written; needs attention: C on emea (Error) and 1 more')
    assert inputs.jobs_line({'host': 'x', 'jobs': []}) == '0 job(s) on x: no report written'


def test_overview_line():
    down = {'host': 'down', 'error': 'refused', 'jobs': []}
    assert inputs.overview_line([SERVER_JOBS, down], 2, '/r/vb365-overview.{json}', 5) == (
        'Overview of 2 server(s) in /r/vb365-overview.{json}; not checked: down; '
        'needs attention: C on emea (Error), B on emea (Missed)')
    fine = {'host': 'ok', 'jobs': [{'job_name': 'A', 'verdict': 'Success'}]}
    assert inputs.overview_line([fine], 1, '') == 'No overview written; no job failed or was missed'


@pytest.mark.parametrize('given, expected', [
    (True, True), ('yes', True), ('y', True), (' true ', True), ('T', True), ('1', True),
    (False, False), ('no', False), ('n', False), ('off', False), ('0', False)])
def test_validate_certs_goes_to_the_modules_as_the_check_read_it(given, expected):
    """Jinja's bool filter reads 'y', 'T' or ' true ' as false: the role and the maintenance playbook pass this."""
    result = inputs.role_inputs(dict(BASE, validate_certs=given))
    assert (result['problem'], result['validate_certs']) == ('', expected)
    assert inputs.maintenance_inputs(dict(MAINTENANCE, validate_certs=given))['validate_certs'] is expected


def test_a_word_that_is_not_a_boolean_never_reaches_the_modules():
    result = inputs.role_inputs(dict(BASE, validate_certs='maybe'))
    assert "vb365_validate_certs 'maybe' is not true or false" in result['problem']
    assert result['validate_certs'] is None


def test_the_role_plugins_load_without_the_http_client():
    # Every role task that uses one of these loads it again in a fresh worker: importing requests there
    # cost about 0.15 s per task, most of the role's cost over one module task.
    collections_root = inputs.__file__.rsplit('/ansible_collections/', 1)[0]
    plugins = ['ansible_collections.vb365.backup.plugins.%s' % name for name in ('filter.inputs', 'filter.report', 'test.uuid')]
    code = 'import sys\n%s\nprint(sorted(name for name in ("requests", "urllib3") if name in sys.modules))' % (
        '\n'.join('import ' + name for name in plugins))
    found = subprocess.run([sys.executable, '-c', code], env=dict(os.environ, PYTHONPATH=collections_root),
                           stdout=subprocess.PIPE, universal_newlines=True, check=True).stdout
    assert found.strip() == '[]'

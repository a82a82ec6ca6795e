# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vb365.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

import json

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

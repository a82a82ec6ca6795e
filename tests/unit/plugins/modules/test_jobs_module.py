# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vb365.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The module vb365.backup.jobs against recorded exchanges: one listing, each POST once, one wait for all.

(module_utils/test_jobs.py tests the reader jobs.py.)
"""

from __future__ import annotations

import pytest
import requests

from ansible_collections.vb365.backup.plugins.modules.jobs import main
from ansible_collections.vb365.backup.tests.unit.plugins.wire import PASSWORD, job_body, run_module, session_body

ORG = '0b5e4c36-4a4e-4f5a-9e59-3a2a1c0f9d11'
JOB_A = '2dc1c0fd-8d7c-4848-a9bb-9ca16329eabd'
JOB_B = '3ec1c0fd-8d7c-4848-a9bb-9ca16329eabd'
JOB_C = '4fc1c0fd-8d7c-4848-a9bb-9ca16329eabd'
NAMES = {JOB_A: 'Contoso - Mailboxes', JOB_B: 'Contoso - Sites', JOB_C: 'Fabrikam - All users'}
OLD = '10000000-0000-4000-8000-000000000001'
NEW_A = '10000000-0000-4000-8000-00000000000a'
NEW_C = '10000000-0000-4000-8000-00000000000c'
PAGE = {'offset': '0', 'limit': '1000'}
CREATED = '2026-11-29T08:00:00.0000000+01:00'


def job(job_id, enabled=True, version='v8', last_status='Error'):
    return job_body(job_id, NAMES[job_id], ORG, enabled, version, last_status)


def session(session_id, job_id, status, created='2026-11-28T22:00:00.0000000+01:00', version='v8'):
    return session_body(session_id, job_id, status, created, '2026-11-29T08:10:00.0000000+01:00', version)


def page(results, limit=1000):
    return {'offset': 0, 'limit': limit, 'results': results, '_links': {}}


def expect_jobs(wire, jobs, version='v8'):
    orgs = [{'id': ORG, 'name': 'Contoso Ltd'}]
    wire.expect('GET', '/%s/Jobs' % version, query=PAGE, body=page(jobs) if version == 'v8' else jobs)
    wire.expect('GET', '/%s/Organizations' % version, query=PAGE, body=page(orgs) if version == 'v8' else orgs)


def expect_sessions(wire, job_id, sessions, version='v8'):
    if version == 'v6':
        wire.expect('GET', '/v6/Jobs/%s/JobSessions' % job_id, query=PAGE, body=page(sessions))
    else:
        wire.expect('GET', '/%s/JobSessions' % version, query=dict(PAGE, jobId=job_id), body=page(sessions))


def expect_counts(wire, session_id, statuses, version='v8'):
    items = [{'id': str(usn), 'usn': usn, 'type': status, 'message': '%s item' % status}
             for usn, status in enumerate(statuses, 1)]
    wire.expect('GET', '/%s/JobSessions/%s/LogItems' % (version, session_id), query={'offset': '0', 'limit': '10000'},
                body=page(items, 10000))


def expect_a_and_c_started(wire):
    """Jobs A and C are read, and each one's start is answered with its new Running session."""
    wire.login()
    expect_jobs(wire, [job(JOB_A), job(JOB_C)])
    for job_id, new in ((JOB_A, NEW_A), (JOB_C, NEW_C)):
        expect_sessions(wire, job_id, [session(OLD, job_id, 'Failed')])
        wire.expect('POST', '/v8/Jobs/%s/start' % job_id, body=session(new, job_id, 'Running', CREATED))


def args(**overrides):
    base = dict(server='vb365.test', username='backup-admin', password=PASSWORD, api_version='v8')
    base.update(overrides)
    return dict((key, value) for key, value in base.items() if value is not None)


def by_name(result):
    return dict((entry['job']['name'], entry) for entry in result['results'])


def test_many_starts_are_sent_once_each_and_waited_for_together_and_a_refused_job_fails_alone(wire, capsys, clock):
    wire.login()
    expect_jobs(wire, [job(JOB_A), job(JOB_B, enabled=False), job(JOB_C)])
    expect_sessions(wire, JOB_A, [session(OLD, JOB_A, 'Failed')])
    wire.expect('POST', '/v8/Jobs/%s/start' % JOB_A, body=session(NEW_A, JOB_A, 'Running', CREATED))
    expect_sessions(wire, JOB_B, [session(OLD, JOB_B, 'Failed')])
    expect_sessions(wire, JOB_C, [session(OLD, JOB_C, 'Failed')])
    wire.expect('POST', '/v8/Jobs/%s/start' % JOB_C, body=session(NEW_C, JOB_C, 'Running', CREATED))
    # One poll round reads every session still running; the one that ended is not read again.
    wire.expect('GET', '/v8/JobSessions/%s' % NEW_A, body=session(NEW_A, JOB_A, 'Success', CREATED))
    wire.expect('GET', '/v8/JobSessions/%s' % NEW_C, body=session(NEW_C, JOB_C, 'Running', CREATED))
    wire.expect('GET', '/v8/JobSessions/%s' % NEW_C, body=session(NEW_C, JOB_C, 'Failed', CREATED))
    expect_counts(wire, NEW_A, ['Success', 'Success'])
    expect_counts(wire, NEW_C, ['Success', 'Error'])
    # The jobs are read again once, for all that changed.
    expect_jobs(wire, [job(JOB_A, last_status='Success'), job(JOB_B, enabled=False), job(JOB_C)])
    failed, result = run_module(main, args(ids=[JOB_A, JOB_C], names=['contoso - sites'], state='started', wait=True),
                                capsys)
    assert failed
    assert wire.posts() == ['/v8/Jobs/%s/start' % JOB_A, '/v8/Jobs/%s/start' % JOB_C]
    assert clock == [1, 2]
    assert [entry['job']['id'] for entry in result['results']] == [JOB_A, JOB_B, JOB_C]
    entries = by_name(result)
    mailboxes, sites, users = entries['Contoso - Mailboxes'], entries['Contoso - Sites'], entries['Fabrikam - All users']
    assert (mailboxes['verdict'], mailboxes['session']['id'], mailboxes['changed']) == ('Success', NEW_A, True)
    assert mailboxes['job']['last_status'] == 'Success' and 'failed' not in mailboxes
    assert (users['verdict'], users['summary']['by_status']['Error']) == ('Error', 1)
    assert [item['message'] for item in users['attention']] == ['Error item']
    assert users['msg'] == "Started job 'Fabrikam - All users'. Its session %s ended: Error." % NEW_C
    assert sites['failed'] is True and sites['changed'] is False and sites['session'] is None
    assert sites['msg'] == "Job 'Contoso - Sites' is disabled and cannot start: enable it first, or use state: enabled."
    assert sites['error']['kind'] == 'config'
    assert result['msg'] == '3 job(s): 2 changed, 1 failed. ' + sites['msg']
    assert result['changed'] is True


def test_a_job_still_running_at_wait_timeout_fails_alone_and_the_others_report_their_end(wire, capsys, clock):
    expect_a_and_c_started(wire)
    wire.expect('GET', '/v8/JobSessions/%s' % NEW_A, body=session(NEW_A, JOB_A, 'Running', CREATED))
    wire.expect('GET', '/v8/JobSessions/%s' % NEW_C, body=session(NEW_C, JOB_C, 'Success', CREATED))
    wire.expect('GET', '/v8/JobSessions/%s' % NEW_A, body=session(NEW_A, JOB_A, 'Running', CREATED))
    expect_counts(wire, NEW_C, ['Success'])
    expect_jobs(wire, [job(JOB_A, last_status='Running'), job(JOB_C, last_status='Success')])
    failed, result = run_module(main, args(ids=[JOB_A, JOB_C], state='started', wait=True, wait_timeout=3,
                                           poll_interval=2), capsys)
    assert failed
    assert clock == [1, 2]
    entries = by_name(result)
    still = entries['Contoso - Mailboxes']
    assert still['failed'] is True and still['error']['kind'] == 'wait_timeout'
    assert still['session']['id'] == NEW_A and still['changed'] is True
    assert still['msg'].startswith("Job 'Contoso - Mailboxes' is still running after wait_timeout (3 s): session %s"
                                   % NEW_A)
    assert entries['Fabrikam - All users']['verdict'] == 'Success'
    assert wire.posts() == ['/v8/Jobs/%s/start' % JOB_A, '/v8/Jobs/%s/start' % JOB_C]


@pytest.mark.parametrize('version', ['v6', 'v7'])
def test_v6_v7_starts_answer_204_and_each_new_session_is_found_among_its_jobs_sessions(wire, capsys, clock, version):
    wire.login(version)
    expect_jobs(wire, [job(JOB_A, version=version), job(JOB_C, version=version)], version)
    for job_id, new in ((JOB_A, NEW_A), (JOB_C, NEW_C)):
        expect_sessions(wire, job_id, [session(OLD, job_id, 'Failed', version=version)], version)
        wire.expect('POST', '/%s/Jobs/%s/start' % (version, job_id), status=204)
        expect_sessions(wire, job_id, [session(new, job_id, 'Running', CREATED, version),
                                       session(OLD, job_id, 'Failed', version=version)], version)
    expect_jobs(wire, [job(JOB_A, version=version, last_status='Running'),
                       job(JOB_C, version=version, last_status='Running')], version)
    failed, result = run_module(main, args(ids=[JOB_C, JOB_A], state='started', api_version=version), capsys)
    assert not failed, result['msg']
    assert [(entry['job']['id'], entry['session']['id']) for entry in result['results']] == [
        (JOB_A, NEW_A), (JOB_C, NEW_C)]
    assert result['msg'] == '2 job(s): 2 changed, 0 failed.'
    assert wire.posts() == ['/%s/Jobs/%s/start' % (version, JOB_A), '/%s/Jobs/%s/start' % (version, JOB_C)]
    assert clock == []


def test_a_lost_start_answer_is_not_sent_again_and_the_next_job_still_starts(wire, capsys, clock):
    wire.login()
    expect_jobs(wire, [job(JOB_A), job(JOB_C)])
    expect_sessions(wire, JOB_A, [session(OLD, JOB_A, 'Failed')])
    wire.expect('POST', '/v8/Jobs/%s/start' % JOB_A, exception=requests.exceptions.ReadTimeout('read timed out'))
    expect_sessions(wire, JOB_A, [session(NEW_A, JOB_A, 'Running', CREATED), session(OLD, JOB_A, 'Failed')])
    expect_sessions(wire, JOB_C, [session(OLD, JOB_C, 'Failed')])
    wire.expect('POST', '/v8/Jobs/%s/start' % JOB_C, status=400,
                body={'message': 'Job is already running.', 'errorCode': 'OperationConflict'})
    expect_jobs(wire, [job(JOB_A, last_status='Running'), job(JOB_C)])
    failed, result = run_module(main, args(ids=[JOB_A, JOB_C], state='started', retries=3), capsys)
    assert failed
    assert wire.posts() == ['/v8/Jobs/%s/start' % JOB_A, '/v8/Jobs/%s/start' % JOB_C]
    entries = by_name(result)
    assert entries['Contoso - Mailboxes']['session']['id'] == NEW_A and 'failed' not in entries['Contoso - Mailboxes']
    refused = entries['Fabrikam - All users']
    assert refused['error']['error_code'] == 'OperationConflict'
    assert refused['msg'].startswith("The server refused to start job 'Fabrikam - All users' (HTTP 400")


def test_check_mode_and_diff_send_no_post_and_name_each_job(wire, capsys):
    wire.login()
    expect_jobs(wire, [job(JOB_A), job(JOB_C, enabled=False)])
    expect_sessions(wire, JOB_A, [session(OLD, JOB_A, 'Failed')])
    expect_sessions(wire, JOB_C, [session(OLD, JOB_C, 'Failed')])
    failed, result = run_module(main, args(ids=[JOB_A, JOB_C], state='disabled', _ansible_check_mode=True,
                                           _ansible_diff=True), capsys)
    assert not failed, result['msg']
    assert wire.posts() == []
    assert result['diff'] == {
        'before': {'Contoso - Mailboxes': {'enabled': True, 'running': False},
                   'Fabrikam - All users': {'enabled': False, 'running': False}},
        'after': {'Contoso - Mailboxes': {'enabled': False, 'running': False},
                  'Fabrikam - All users': {'enabled': False, 'running': False}}}
    entries = by_name(result)
    assert entries['Contoso - Mailboxes']['changed'] is True and 'would be disabled' in entries['Contoso - Mailboxes']['msg']
    assert entries['Fabrikam - All users']['changed'] is False
    assert all('diff' not in entry for entry in result['results'])


def test_a_name_that_matches_no_job_fails_before_any_post(wire, capsys):
    wire.login()
    expect_jobs(wire, [job(JOB_A)])
    failed, result = run_module(main, args(names=['Contoso - Mailboxes', 'No such job'], state='started'), capsys)
    assert failed
    assert 'No such job' in result['msg'] and 'Contoso - Mailboxes' in result['msg']
    assert wire.posts() == []
    assert 'results' not in result


def test_v5_is_refused_before_any_request(wire, capsys):
    failed, result = run_module(main, args(ids=[JOB_A], state='started', api_version='v5'), capsys)
    assert failed
    assert result['msg'].startswith('Acting on jobs needs REST API v6 or newer')
    assert wire.calls == []


@pytest.mark.parametrize('bad, message', [
    (dict(), 'one of the following is required: names, ids'),
    (dict(ids=[]), 'names and ids are both empty'),
    (dict(ids=[JOB_A, '../etc']), 'ids[1]'),
    (dict(names=['  ']), 'names[0] is empty'),
    (dict(ids=[JOB_A], wait_timeout=0), 'wait_timeout'),
    (dict(ids=[JOB_A], poll_interval=0), 'poll_interval')])
def test_bad_input_fails_before_any_request(wire, capsys, bad, message):
    failed, result = run_module(main, args(state='started', **bad), capsys)
    assert failed
    assert message in result['msg']
    assert wire.calls == []


def test_a_session_answer_for_another_session_or_not_an_object_fails_that_job_alone(wire, capsys, clock):
    expect_a_and_c_started(wire)
    # A mixed-up answer would make the wait follow, and report, another job's session.
    wire.expect('GET', '/v8/JobSessions/%s' % NEW_A, body=session(OLD, JOB_C, 'Success', CREATED))
    wire.expect('GET', '/v8/JobSessions/%s' % NEW_C, body=['not', 'a', 'session'])
    expect_jobs(wire, [job(JOB_A, last_status='Running'), job(JOB_C, last_status='Running')])
    failed, result = run_module(main, args(ids=[JOB_A, JOB_C], state='started', wait=True), capsys)
    assert failed
    entries = by_name(result)
    mixed, broken = entries['Contoso - Mailboxes'], entries['Fabrikam - All users']
    assert mixed['failed'] and mixed['changed'] and mixed['session']['id'] == NEW_A
    assert 'Asked for session %s, the server answered with session' % NEW_A in mixed['msg']
    assert broken['failed'] and broken['error']['kind'] == 'protocol' and 'not an object' in broken['msg']
    assert 'verdict' not in mixed and 'verdict' not in broken
    assert wire.posts() == ['/v8/Jobs/%s/start' % JOB_A, '/v8/Jobs/%s/start' % JOB_C]


def test_a_stop_whose_session_cannot_be_read_again_says_it_was_sent_and_changed(wire, capsys, clock):
    wire.login()
    expect_jobs(wire, [job(JOB_A, last_status='Running')])
    expect_sessions(wire, JOB_A, [session(NEW_A, JOB_A, 'Running', CREATED)])
    wire.expect('POST', '/v8/Jobs/%s/stop' % JOB_A, status=204)
    wire.expect('GET', '/v8/JobSessions/%s' % NEW_A, status=404, body={'message': 'Not found.'})
    failed, result = run_module(main, args(ids=[JOB_A], state='stopped', retries=0), capsys)
    assert failed
    entry = result['results'][0]
    assert entry['changed'] is True and result['changed'] is True
    assert entry['msg'].startswith("Stopped job 'Contoso - Mailboxes', but reading its session %s again failed" % NEW_A)


def test_a_job_listed_twice_with_one_id_is_started_once(wire, capsys, clock):
    wire.login()
    twin = dict(job(JOB_A), name='Contoso - Mailboxes (copy)')
    expect_jobs(wire, [job(JOB_A), twin])
    expect_sessions(wire, JOB_A, [session(OLD, JOB_A, 'Failed')])
    wire.expect('POST', '/v8/Jobs/%s/start' % JOB_A, body=session(NEW_A, JOB_A, 'Running', CREATED))
    expect_jobs(wire, [job(JOB_A, last_status='Running')])
    failed, result = run_module(main, args(names=['Contoso - Mailboxes', 'Contoso - Mailboxes (copy)'],
                                           state='started'), capsys)
    assert not failed, result['msg']
    assert len(result['results']) == 1
    assert wire.posts() == ['/v8/Jobs/%s/start' % JOB_A]

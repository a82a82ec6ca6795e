# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vb365.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""vb365.backup.job against recorded exchanges: every POST it sends, and the ones it must not send."""

from __future__ import annotations

import json

import pytest
import requests

from ansible_collections.vb365.backup.plugins.modules.job import main
from ansible_collections.vb365.backup.tests.unit.plugins.wire import PASSWORD, job_body, run_module, session_body

ORG = '0b5e4c36-4a4e-4f5a-9e59-3a2a1c0f9d11'
JOB = '2dc1c0fd-8d7c-4848-a9bb-9ca16329eabd'
OLD = '10000000-0000-4000-8000-000000000001'
NEW = '10000000-0000-4000-8000-000000000002'
NAME = 'Contoso - Mailboxes'


def job(enabled=True, version='v8', last_status='Success', job_id=JOB):
    return job_body(job_id, NAME, ORG, enabled, version, last_status)


def session(session_id, status, created='2026-11-28T22:00:00.0000000+01:00', version='v8'):
    return session_body(session_id, JOB, status, created, '2026-11-28T22:10:00.0000000+01:00', version)


def page(results, limit=1000):
    return {'offset': 0, 'limit': limit, 'results': results, '_links': {}}


PAGE = {'offset': '0', 'limit': '1000'}


def expect_job(wire, version='v8', **job_fields):
    jobs = [job(version=version, **job_fields)]
    orgs = [{'id': ORG, 'name': 'Contoso Ltd'}]
    wire.expect('GET', '/%s/Jobs' % version, query=PAGE, body=page(jobs) if version == 'v8' else jobs)
    wire.expect('GET', '/%s/Organizations' % version, query=PAGE, body=page(orgs) if version == 'v8' else orgs)


def expect_sessions(wire, sessions, version='v8'):
    if version == 'v6':
        wire.expect('GET', '/v6/Jobs/%s/JobSessions' % JOB, query=PAGE, body=page(sessions))
    else:
        wire.expect('GET', '/%s/JobSessions' % version, query=dict(PAGE, jobId=JOB), body=page(sessions))


def expect_counts(wire, session_id, items, version='v8'):
    wire.expect('GET', '/%s/JobSessions/%s/LogItems' % (version, session_id), query={'offset': '0', 'limit': '10000'},
                body=page(items, 10000))


def args(**overrides):
    base = dict(server='vb365.test', username='backup-admin', password=PASSWORD, api_version='v8', name=NAME)
    base.update(overrides)
    return dict((key, value) for key, value in base.items() if value is not None)


def warnings(result):
    # ansible-core 2.19+ returns warnings as structured events.
    return [warning['event']['msg'] if isinstance(warning, dict) else warning for warning in result.get('warnings', [])]


def test_v8_start_sends_one_post_and_returns_the_session_it_answered(wire, capsys, clock):
    wire.login()
    expect_job(wire)
    expect_sessions(wire, [session(OLD, 'Success')])
    wire.expect('POST', '/v8/Jobs/%s/start' % JOB, body=session(NEW, 'Running', '2026-11-29T08:00:00.0000000+01:00'))
    expect_job(wire, last_status='Running')
    failed, result = run_module(main, args(state='started', full=True), capsys)
    assert not failed, result['msg']
    assert result['changed'] is True
    assert (result['session']['id'], result['session']['status'], result['session']['job_name']) == \
        (NEW, 'Running', NAME)
    assert result['job']['last_status'] == 'Running' and result['job']['organization'] == 'Contoso Ltd'
    assert json.loads(wire.request(4).body) == {'full': True}
    assert wire.request(4).headers['Content-Type'] == 'application/json'
    assert wire.posts() == ['/v8/Jobs/%s/start' % JOB]
    assert 'verdict' not in result
    assert result['msg'] == "Started job 'Contoso - Mailboxes'. Session: %s (Running)." % NEW


@pytest.mark.parametrize('version', ['v6', 'v7'])
def test_v6_v7_start_answers_204_and_the_new_session_is_the_one_not_there_before(wire, capsys, clock, version):
    wire.login(version)
    expect_job(wire, version)
    expect_sessions(wire, [session(OLD, 'Success', version=version)], version)
    wire.expect('POST', '/%s/Jobs/%s/start' % (version, JOB), status=204)
    # A server may list the session a moment after the start: the module looks again.
    expect_sessions(wire, [session(OLD, 'Success', version=version)], version)
    expect_sessions(wire, [session(NEW, 'Running', '2026-11-29T08:00:00.0000000+01:00', version),
                           session(OLD, 'Success', version=version)], version)
    expect_job(wire, version, last_status='Running')
    failed, result = run_module(main, args(state='started', api_version=version), capsys)
    assert not failed, result['msg']
    assert result['changed'] is True
    assert result['session']['id'] == NEW
    assert json.loads(wire.request(4).body) == {'full': False}
    assert wire.posts() == ['/%s/Jobs/%s/start' % (version, JOB)]
    assert clock == [2]


@pytest.mark.parametrize('lost', [requests.exceptions.ReadTimeout('read timed out'),
                                  requests.exceptions.ConnectionError('Connection aborted.'), 503])
def test_a_lost_start_answer_is_never_sent_again_and_the_session_that_runs_is_reported(wire, capsys, clock, lost):
    wire.login()
    expect_job(wire)
    expect_sessions(wire, [session(OLD, 'Success')])
    if isinstance(lost, int):
        wire.expect('POST', '/v8/Jobs/%s/start' % JOB, status=lost, body={'message': 'Service unavailable.'})
    else:
        wire.expect('POST', '/v8/Jobs/%s/start' % JOB, exception=lost)
    expect_sessions(wire, [session(NEW, 'Running', '2026-11-29T08:00:00.0000000+01:00'), session(OLD, 'Success')])
    expect_job(wire, last_status='Running')
    failed, result = run_module(main, args(state='started', retries=3), capsys)
    assert not failed, result['msg']
    assert result['changed'] is True
    assert result['session']['id'] == NEW
    assert wire.posts() == ['/v8/Jobs/%s/start' % JOB]
    # Warnings pile up in one process across module runs: this run's is the last.
    last = warnings(result)[-1]
    assert last.startswith("The start of job 'Contoso - Mailboxes' got no usable answer (")
    assert last.endswith('but the job did start: session %s. The start was not sent again.' % NEW)


def test_a_start_whose_answer_timed_out_and_no_session_appeared_says_it_is_not_known(wire, capsys, clock):
    wire.login()
    expect_job(wire)
    expect_sessions(wire, [session(OLD, 'Success')])
    wire.expect('POST', '/v8/Jobs/%s/start' % JOB, exception=requests.exceptions.ReadTimeout('read timed out'))
    for _look in range(16):
        expect_sessions(wire, [session(OLD, 'Success')])
    failed, result = run_module(main, args(state='started', retries=3), capsys)
    assert failed
    assert result['msg'].startswith("It is not known whether job 'Contoso - Mailboxes' started: the start got no "
                                    "usable answer (POST https://vb365.test:4443/v8/Jobs/%s/start: no answer within 30 "
                                    "seconds, after 1 attempt(s)." % JOB)
    assert 'never sends a start twice' in result['msg'] and 'No new session of it appeared within 30 s' in result['msg']
    assert result['error']['kind'] == 'unknown_outcome'
    assert result['job']['id'] == JOB
    assert wire.posts() == ['/v8/Jobs/%s/start' % JOB]
    assert sum(clock) == 30


def test_started_on_a_running_job_sends_nothing_and_returns_the_running_session(wire, capsys):
    wire.login()
    expect_job(wire, last_status='Running')
    expect_sessions(wire, [session(OLD, 'Success'), session(NEW, 'Running', '2026-11-29T08:00:00.0000000+01:00')])
    failed, result = run_module(main, args(state='started', _ansible_diff=True), capsys)
    assert not failed
    assert result['changed'] is False
    assert result['session']['id'] == NEW
    assert result['diff'] == {'before': {'enabled': True, 'running': True}, 'after': {'enabled': True, 'running': True}}
    assert wire.posts() == []


def test_a_disabled_job_cannot_start_and_nothing_is_sent(wire, capsys):
    wire.login()
    expect_job(wire, enabled=False)
    expect_sessions(wire, [session(OLD, 'Success')])
    failed, result = run_module(main, args(state='started'), capsys)
    assert failed
    assert result['msg'] == ("Job 'Contoso - Mailboxes' is disabled and cannot start: enable it first, or use state: "
                             "enabled.")
    assert wire.posts() == []


def test_operation_conflict_says_what_the_server_said(wire, capsys):
    wire.login()
    expect_job(wire)
    expect_sessions(wire, [session(OLD, 'Success')])
    wire.expect('POST', '/v8/Jobs/%s/start' % JOB, status=400,
                body={'message': "Job 'Contoso - Mailboxes' is already running.", 'errorCode': 'OperationConflict'})
    failed, result = run_module(main, args(state='started'), capsys)
    assert failed
    assert result['msg'] == ("The server refused to start job 'Contoso - Mailboxes' (HTTP 400 on POST /v8/Jobs/%s/start): "
                             "Job 'Contoso - Mailboxes' is already running (errorCode OperationConflict)." % JOB)
    assert result['error']['error_code'] == 'OperationConflict'
    assert wire.posts() == ['/v8/Jobs/%s/start' % JOB]


@pytest.mark.parametrize('state, enabled, running, action', [
    ('enabled', False, False, 'enable'), ('disabled', True, False, 'disable'), ('stopped', True, True, 'stop'),
    ('started', True, False, 'start')])
def test_check_mode_sends_no_post_and_says_what_would_change(wire, capsys, state, enabled, running, action):
    wire.login()
    expect_job(wire, enabled=enabled)
    expect_sessions(wire, [session(OLD, 'Running' if running else 'Success')])
    failed, result = run_module(main, args(state=state, _ansible_check_mode=True, _ansible_diff=True), capsys)
    assert not failed
    assert result['changed'] is True
    assert 'would be %s' % {'stop': 'stopped', 'start': 'started'}.get(action, action + 'd') in result['msg']
    assert 'nothing was sent' in result['msg']
    assert result['diff']['before'] == {'enabled': enabled, 'running': running}
    assert result['diff']['after'] != result['diff']['before']
    assert wire.posts() == []


@pytest.mark.parametrize('state, enabled, running', [
    ('enabled', True, False), ('disabled', False, False), ('stopped', True, False), ('stopped', False, False)])
def test_a_job_already_in_its_state_is_left_alone(wire, capsys, state, enabled, running):
    wire.login()
    expect_job(wire, enabled=enabled)
    expect_sessions(wire, [session(OLD, 'Success')])
    failed, result = run_module(main, args(state=state), capsys)
    assert not failed
    assert result['changed'] is False
    assert 'nothing to do' in result['msg']
    assert 'diff' not in result
    assert wire.posts() == []


@pytest.mark.parametrize('state, enabled', [('enabled', False), ('disabled', True)])
def test_enable_and_disable_send_one_post_and_return_the_job_as_it_is_now(wire, capsys, state, enabled):
    action = state[:-1]
    wire.login('v7')
    expect_job(wire, 'v7', enabled=enabled)
    expect_sessions(wire, [session(OLD, 'Success', version='v7')], 'v7')
    wire.expect('POST', '/v7/Jobs/%s/%s' % (JOB, action), status=204)
    expect_job(wire, 'v7', enabled=not enabled)
    failed, result = run_module(main, args(state=state, api_version='v7'), capsys)
    assert not failed, result['msg']
    assert result['changed'] is True
    assert result['job']['enabled'] is (not enabled)
    assert result['session'] is None
    assert wire.posts() == ['/v7/Jobs/%s/%s' % (JOB, action)]


def test_stop_with_wait_returns_the_stopped_session_and_its_verdict(wire, capsys, clock):
    wire.login()
    expect_job(wire, last_status='Running')
    expect_sessions(wire, [session(NEW, 'Running')])
    wire.expect('POST', '/v8/Jobs/%s/stop' % JOB, status=204)
    wire.expect('GET', '/v8/JobSessions/%s' % NEW, body=session(NEW, 'Running'))
    wire.expect('GET', '/v8/JobSessions/%s' % NEW, body=session(NEW, 'Running'))
    wire.expect('GET', '/v8/JobSessions/%s' % NEW, body=session(NEW, 'Stopped'))
    expect_counts(wire, NEW, [{'id': 'a', 'usn': 1, 'type': 'Success', 'message': 'Job started'},
                              {'id': 'b', 'usn': 2, 'type': 'Stop', 'message': 'Job was stopped by user'}])
    expect_job(wire, last_status='Stopped')
    failed, result = run_module(main, args(state='stopped', wait=True), capsys)
    assert not failed, result['msg']
    assert result['changed'] is True
    assert (result['session']['status'], result['verdict']) == ('Stop', 'Stop')
    assert result['summary']['total'] == 2 and result['summary']['by_status']['Stop'] == 1
    assert result['attention'] == [] and result['attention_left_out'] == 0
    assert result['job']['last_status'] == 'Stop'
    assert clock == [1, 2]
    assert wire.posts() == ['/v8/Jobs/%s/stop' % JOB]


def test_start_with_wait_reports_the_verdict_its_operations_give(wire, capsys, clock):
    wire.login()
    expect_job(wire)
    expect_sessions(wire, [session(OLD, 'Success')])
    wire.expect('POST', '/v8/Jobs/%s/start' % JOB, body=session(NEW, 'Running'))
    wire.expect('GET', '/v8/JobSessions/%s' % NEW, body=session(NEW, 'Success'))
    expect_counts(wire, NEW, [{'id': 'a', 'usn': 1, 'type': 'Success', 'message': 'Job started'},
                              {'id': 'b', 'usn': 2, 'type': 'Warning', 'message': 'Item skipped'}])
    expect_job(wire, last_status='Success')
    failed, result = run_module(main, args(state='started', wait=True), capsys)
    assert not failed, result['msg']
    assert result['verdict'] == 'Warning'
    assert [item['message'] for item in result['attention']] == ['Item skipped']
    assert result['msg'].endswith('Its session %s ended: Warning.' % NEW)


def test_wait_timeout_fails_saying_the_job_still_runs_and_how_to_look_at_it(wire, capsys, clock):
    wire.login()
    expect_job(wire)
    expect_sessions(wire, [session(OLD, 'Success')])
    wire.expect('POST', '/v8/Jobs/%s/start' % JOB, body=session(NEW, 'Running'))
    for _poll in range(3):
        wire.expect('GET', '/v8/JobSessions/%s' % NEW, body=session(NEW, 'Running'))
    failed, result = run_module(main, args(state='started', wait=True, wait_timeout=5), capsys)
    assert failed
    assert result['msg'] == ("Job 'Contoso - Mailboxes' is still running after wait_timeout (5 s): session %s has "
                             "status Running. Nothing was stopped. Follow it with vb365.backup.job_sessions_info "
                             "(job_session_id: %s), or run again with a longer wait_timeout." % (NEW, NEW))
    assert result['session']['id'] == NEW and result['job']['id'] == JOB
    assert clock == [1, 2, 2]
    assert wire.posts() == ['/v8/Jobs/%s/start' % JOB]


def test_v5_is_refused_before_any_request(wire, capsys):
    failed, result = run_module(main, args(state='started', api_version='v5'), capsys)
    assert failed
    assert result['msg'].startswith('Acting on jobs needs REST API v6 or newer')
    assert wire.calls == []


def test_a_job_id_that_is_not_a_uuid_is_never_put_in_a_path(wire, capsys):
    wire.login()
    hostile = "../{{ lookup('pipe','id') }}"
    expect_job(wire, job_id=hostile)
    failed, result = run_module(main, args(state='started'), capsys)
    assert failed
    assert 'not a UUID' in result['msg']
    assert wire.posts() == []


@pytest.mark.parametrize('bad, message', [
    (dict(name=None), 'one of the following is required: name, id'),
    (dict(id=JOB), 'parameters are mutually exclusive: name|id'),
    (dict(name=None, id='not-a-uuid'), 'id'),
    (dict(wait_timeout=0), 'wait_timeout')])
def test_bad_input_fails_before_any_request(wire, capsys, bad, message):
    failed, result = run_module(main, args(state='started', **bad), capsys)
    assert failed
    assert message in result['msg']
    assert wire.calls == []

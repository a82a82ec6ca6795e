# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vb365.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import pytest

from ansible_collections.vb365.backup.plugins.modules.job_sessions_info import main
from ansible_collections.vb365.backup.tests.unit.plugins.wire import PASSWORD, run_module

JOB_A = '2dc1c0fd-8d7c-4848-a9bb-9ca16329eabd'
JOB_B = 'a701d959-20d0-4a77-a441-573ffa571c43'
JOBS = [{'id': JOB_A, 'name': 'Contoso - Mailboxes'}, {'id': JOB_B, 'name': 'Contoso - OneDrive'}]


def args(**overrides):
    base = dict(server='vb365.test', username='backup-admin', password=PASSWORD, api_version='v8', page_size=10)
    base.update(overrides)
    return dict((key, value) for key, value in base.items() if value is not None)


def raw_session(number, status, created, job_id=JOB_A, version='v8', ended=True):
    session = {'id': '00000000-0000-4000-8000-%012d' % number, 'status': status, 'creationTime': created,
               'endTime': created.replace('T22:', 'T23:') if ended else None, 'progress': 100, 'retryCount': 0,
               'details': '', 'statistics': {'processedObjects': 10, 'processingRateBytesPS': 5}}
    if version == 'v8':
        session['jobId'] = job_id
    else:
        href = '/%s/Jobs/%s' % (version, job_id)
        session['_links'] = {'job': {'href': ('https://vbo-internal:4443' + href) if version == 'v5' else href}}
    return session


def page(results):
    return {'offset': 0, 'limit': 10, 'results': results, '_links': {}}


@pytest.mark.parametrize('version, path, query', [
    ('v5', '/v5/Jobs/%s/JobSessions' % JOB_A, {'offset': '0', 'limit': '10'}),
    ('v6', '/v6/Jobs/%s/JobSessions' % JOB_A, {'offset': '0', 'limit': '10'}),
    ('v7', '/v7/JobSessions', {'offset': '0', 'limit': '10', 'jobId': JOB_A}),
    ('v8', '/v8/JobSessions', {'offset': '0', 'limit': '10', 'jobId': JOB_A}),
])
def test_job_name_resolves_and_uses_each_versions_path(wire, capsys, version, path, query):
    wire.login(version=version)
    jobs = {'offset': 0, 'limit': 10, 'results': JOBS, '_links': {}} if version == 'v8' else JOBS
    wire.expect('GET', '/%s/Jobs' % version, body=jobs,
                query={'offset': '0', 'limit': '1000'})
    wire.expect('GET', path, query=query, body=page([
        raw_session(1, 'Success', '2026-11-25T22:00:00.0000000+01:00', version=version),
        raw_session(2, 'Failed', '2026-11-27T22:00:00.0000000+01:00', version=version),
        raw_session(3, 'Warning', '2026-11-26T22:00:00.0000000+01:00', version=version)]))
    failed, result = run_module(main, args(api_version=version, job_name='contoso - MAILBOXES'), capsys)
    assert not failed, result.get('msg')
    sessions = result['job_sessions']
    assert [session['status'] for session in sessions] == ['Error', 'Warning', 'Success']
    assert all(session['job_name'] == 'Contoso - Mailboxes' and session['job_id'] == JOB_A for session in sessions)
    assert sessions[0]['duration_seconds'] == 3600.0
    assert sessions[0]['statistics'] == {'processed_objects': 10, 'processing_rate_bytes_ps': 5}
    assert set(sessions[0]) == {'id', 'job_id', 'job_name', 'status', 'creation_time', 'end_time', 'duration_seconds',
                                'progress', 'retry_count', 'will_be_retried', 'details', 'statistics'}


def test_v8_single_status_is_sent_with_v8_words(wire, capsys):
    wire.login()
    wire.expect('GET', '/v8/Jobs', body=page(JOBS), query={'offset': '0', 'limit': '1000'})
    wire.expect('GET', '/v8/JobSessions', query={'offset': '0', 'limit': '10', 'status': 'Succeeded'},
                body=page([raw_session(1, 'Success', '2026-11-25T22:00:00Z')]))
    failed, result = run_module(main, args(status=['success']), capsys)
    assert not failed
    assert [session['status'] for session in result['job_sessions']] == ['Success']


def test_latest_and_time_window(wire, capsys):
    wire.login(version='v7')
    wire.expect('GET', '/v7/Jobs', body=JOBS, query={'offset': '0', 'limit': '1000'})
    wire.expect('GET', '/v7/JobSessions', query={'offset': '0', 'limit': '10'}, body=page([
        raw_session(1, 'Success', '2026-11-24T22:00:00Z', version='v7'),
        raw_session(2, 'Success', '2026-11-25T22:00:00Z', version='v7', job_id=JOB_B),
        raw_session(3, 'Running', '2026-11-27T22:00:00Z', version='v7', ended=False),
        raw_session(4, 'Stopped', '2026-11-26T22:00:00Z', version='v7')]))
    failed, result = run_module(main, args(api_version='v7', created_after='2026-11-25T00:00:00+00:00',
                                           created_before='2026-11-27T00:00:00Z', latest=1), capsys)
    assert not failed
    assert [(s['id'][-1], s['status'], s['job_name']) for s in result['job_sessions']] == [('4', 'Stop', 'Contoso - Mailboxes')]


def test_unknown_and_ambiguous_job_names(wire, capsys):
    wire.login()
    wire.expect('GET', '/v8/Jobs', body=page(JOBS), query={'offset': '0', 'limit': '1000'})
    failed, result = run_module(main, args(job_name='Nightly'), capsys)
    assert failed
    assert result['msg'] == "No job is named 'Nightly'. Jobs on this server: Contoso - Mailboxes, Contoso - OneDrive."


def test_ambiguous_job_name(wire, capsys):
    wire.login()
    twins = JOBS + [{'id': '11111111-2222-4333-8444-555555555555', 'name': 'Contoso - Mailboxes'}]
    wire.expect('GET', '/v8/Jobs', body=page(twins), query={'offset': '0', 'limit': '1000'})
    failed, result = run_module(main, args(job_name='Contoso - Mailboxes'), capsys)
    assert failed
    assert result['msg'].startswith("2 jobs are named 'Contoso - Mailboxes' (ids %s, 11111111-" % JOB_A)
    assert result['msg'].endswith('give job_id instead.')


def test_one_session_by_id_and_404(wire, capsys):
    wire.login()
    wire.expect('GET', '/v8/Jobs', body=page(JOBS), query={'offset': '0', 'limit': '1000'})
    wire.expect('GET', '/v8/JobSessions/00000000-0000-4000-8000-000000000009', status=404,
                body={'message': 'Not found', 'errorCode': 'ResourceNotFound'})
    failed, result = run_module(main, args(job_session_id='00000000-0000-4000-8000-000000000009'), capsys)
    assert failed
    assert result['msg'].startswith('Job session 00000000-0000-4000-8000-000000000009 was not found on')


@pytest.mark.parametrize('overrides, fragment', [
    ({'job_id': 'nightly'}, "job_id 'nightly' is not a UUID"),
    ({'job_session_id': '123'}, "job_session_id '123' is not a UUID"),
    ({'job_id': JOB_A, 'job_name': 'x'}, 'mutually exclusive'),
    ({'created_after': 'yesterday'}, "created_after 'yesterday' is not an ISO 8601 date and time"),
    ({'created_before': '2026-02-30T00:00:00Z'}, "created_before '2026-02-30T00:00:00Z' is not an ISO 8601 date"),
    ({'status': ['Done']}, "status 'Done' is not one of"),
    ({'latest': 0}, 'latest must be 1 or more'),
    ({'page_size': 10001}, 'page_size must be between 1 and 10000'),
])
def test_bad_input_sends_nothing(wire, capsys, overrides, fragment):
    failed, result = run_module(main, args(**overrides), capsys)
    assert failed
    assert fragment in result['msg']
    assert wire.calls == []

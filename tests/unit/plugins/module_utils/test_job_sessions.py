# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vb365.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Sessions on every API version: one shape, the right path and filters per version, newest first."""

from __future__ import annotations

import pytest

from ansible_collections.vb365.backup.plugins.module_utils.job_sessions import (
    LookupFailure, collect_sessions, find_job, find_job_by_id, normalize_session)
from ansible_collections.vb365.backup.plugins.module_utils.vb365_api import Vb365Client, Vb365Error
from ansible_collections.vb365.backup.tests.unit.plugins.wire import PASSWORD

JOB = '2dc1c0fd-8d7c-4848-a9bb-9ca16329eabd'
OTHER = 'a701d959-20d0-4a77-a441-573ffa571c43'
JOBS = [{'id': JOB, 'name': 'Contoso - Mailboxes', 'isEnabled': True},
        {'id': OTHER, 'name': '{{ lookup("pipe", "id") }} <b>Fabrikam</b>', 'isEnabled': True}]
STATISTICS = {'processingRateBytesPS': 1048576, 'processingRateItemsPS': 12, 'readRateBytesPS': 2097152,
              'writeRateBytesPS': 524288, 'transferredDataBytes': 73400320, 'processedObjects': 42,
              'bottleneck': 'Source'}


def sessions_client(version):
    return Vb365Client('vb365.test', username='backup-admin', password=PASSWORD, api_version=version)


def sid(number):
    return '30000000-0000-4000-8000-%012d' % number


def raw(number, status, version, job=JOB, created='2026-11-29T06:00:00.1234567+00:00',
        ended='2026-11-29T06:30:00.1234567+00:00'):
    body = {'id': sid(number), 'status': status, 'creationTime': created, 'endTime': ended, 'retryCount': 1,
            'progress': 100, 'details': 'Processed 42 objects', 'statistics': dict(STATISTICS)}
    if version in ('v7', 'v8'):
        body.update({'jobWillBeRetried': status == 'Failed', 'mainSessionId': sid(0), 'jobType': 'Backup',
                     'repositoryId': '5e8a1c2b-0000-4000-8000-000000000001'})
    if version == 'v8':
        body.update({'jobId': job, 'jobSessionConfigType': 'Incremental', 'eTag': 7})
    elif version == 'v5':
        # v5 links are absolute and name the server as it calls itself.
        body['_links'] = {'self': {'href': 'https://vbo-internal:4443/v5/JobSessions/%s' % sid(number)},
                          'job': {'href': 'https://vbo-internal:4443/v5/Jobs/%s' % job}}
    else:
        body['_links'] = {'job': {'href': '/%s/Jobs/%s' % (version, job)}}
    return body


def listing(results, limit=1000):
    return {'offset': 0, 'limit': limit, 'results': results, '_links': {}}


def expect_jobs(wire, version):
    wire.login(version=version)
    wire.expect('GET', '/%s/Jobs' % version, query={'offset': '0', 'limit': '1000'},
                body=listing(JOBS) if version == 'v8' else JOBS)


@pytest.mark.parametrize('version', ['v5', 'v6', 'v7', 'v8'])
def test_a_session_has_one_shape_on_every_version(version):
    session = normalize_session(raw(1, 'Failed', version), {JOB: 'Contoso - Mailboxes'})
    expected = {
        'id': sid(1), 'job_id': JOB, 'job_name': 'Contoso - Mailboxes', 'status': 'Error',
        'creation_time': '2026-11-29T06:00:00.1234567+00:00', 'end_time': '2026-11-29T06:30:00.1234567+00:00',
        'duration_seconds': 1800.0, 'progress': 100, 'retry_count': 1, 'details': 'Processed 42 objects',
        'will_be_retried': True if version in ('v7', 'v8') else None,
        'statistics': {'processing_rate_bytes_ps': 1048576, 'processing_rate_items_ps': 12,
                       'read_rate_bytes_ps': 2097152, 'write_rate_bytes_ps': 524288,
                       'transferred_data_bytes': 73400320, 'processed_objects': 42, 'bottleneck': 'Source'}}
    assert session == expected


@pytest.mark.parametrize('word, status', [('Success', 'Success'), ('Warning', 'Warning'), ('Failed', 'Error'),
                                          ('Stopped', 'Stop'), ('Running', 'Running'), ('NotConfigured', 'Unknown'),
                                          ('Disconnected', 'Unknown'), ('Queued', 'Unknown'), (None, 'Unknown')])
def test_session_statuses_are_normalised(word, status):
    assert normalize_session(dict(raw(1, 'x', 'v8'), status=word))['status'] == status


def test_a_running_session_has_no_duration_and_no_statistics_are_an_empty_dict():
    session = normalize_session(dict(raw(1, 'Running', 'v8'), endTime=None, statistics=None))
    assert session['duration_seconds'] is None and session['end_time'] is None
    assert session['statistics'] == {}


@pytest.mark.parametrize('version, path, query', [
    ('v5', '/v5/Jobs/%s/JobSessions' % JOB, {}),
    ('v6', '/v6/Jobs/%s/JobSessions' % JOB, {}),
    ('v7', '/v7/JobSessions', {'jobId': JOB}),
    ('v8', '/v8/JobSessions', {'jobId': JOB}),
])
def test_a_jobs_sessions_every_page_newest_first_by_the_clock_not_the_text(wire, version, path, query):
    expect_jobs(wire, version)
    first = [raw(1, 'Success', version, created='2026-11-29T08:00:00.0000000+03:00'),  # 05:00 UTC
             raw(2, 'Warning', version, created='2026-11-29T06:00:00.0000000+00:00')]
    wire.expect('GET', path, query=dict(query, offset='0', limit='2'),
                body=dict(listing(first, 2), _links={'next': {'href': 'next'}}))
    wire.expect('GET', path, query=dict(query, offset='2', limit='2'),
                body=listing([raw(3, 'Failed', version, created='2026-11-29T05:30:00.0000000Z')], 2))
    result = collect_sessions(sessions_client(version), job_name='contoso - mailboxes', page_size=2)
    assert [session['id'] for session in result['job_sessions']] == [sid(2), sid(3), sid(1)]
    assert set(session['job_name'] for session in result['job_sessions']) == {'Contoso - Mailboxes'}
    assert result['api_version'] == version


def test_a_server_that_ignores_the_job_filter_gives_no_other_jobs_sessions(wire):
    expect_jobs(wire, 'v7')
    wire.expect('GET', '/v7/JobSessions', query={'offset': '0', 'limit': '100', 'jobId': OTHER},
                body=listing([raw(1, 'Success', 'v7'), raw(2, 'Success', 'v7', job=OTHER)], 100))
    result = collect_sessions(sessions_client('v7'), job_id=OTHER.upper())
    assert [session['id'] for session in result['job_sessions']] == [sid(2)]
    assert result['job_sessions'][0]['job_name'] == JOBS[1]['name'], 'a hostile name stays data'


@pytest.mark.parametrize('statuses, sent', [
    ({'Error'}, {'status': 'Failed', 'endTimeLowerBound': '2026-11-29T00:00:00Z'}),
    ({'Stop'}, {'status': 'Stopped', 'endTimeLowerBound': '2026-11-29T00:00:00Z'}),
    ({'Success', 'Warning'}, {'endTimeLowerBound': '2026-11-29T00:00:00Z'}),
    # A running session has no end: the end-time bound would drop it.
    ({'Running'}, {'status': 'Running'}),
    ({'Error', 'Unknown'}, {}),
    (None, {}),
])
def test_v8_filters_by_its_own_words_and_bounds_the_end_only_for_ended_statuses(wire, statuses, sent):
    expect_jobs(wire, 'v8')
    wire.expect('GET', '/v8/JobSessions', query=dict(sent, offset='0', limit='100'), body=listing([
        raw(1, 'Failed', 'v8'), raw(2, 'Success', 'v8'), raw(3, 'Stopped', 'v8'),
        dict(raw(4, 'Running', 'v8'), endTime=None), raw(5, 'Queued', 'v8'),
        raw(6, 'Failed', 'v8', created='2026-11-28T23:59:59.9999999+00:00')], 100))
    result = collect_sessions(sessions_client('v8'), statuses=statuses, created_after='2026-11-29T00:00:00Z')
    expected = [number for number, status in ((1, 'Error'), (2, 'Success'), (3, 'Stop'), (4, 'Running'),
                                              (5, 'Unknown')) if not statuses or status in statuses]
    assert sorted(session['id'] for session in result['job_sessions']) == [sid(number) for number in expected]


def test_the_time_window_includes_its_start_and_excludes_its_end(wire):
    expect_jobs(wire, 'v6')
    wire.expect('GET', '/v6/JobSessions', query={'offset': '0', 'limit': '100'}, body=listing([
        raw(1, 'Success', 'v6', created='2026-11-29T01:00:00.0000000+01:00'),
        raw(2, 'Success', 'v6', created='2026-11-29T00:59:59.9999999Z'),
        raw(3, 'Success', 'v6', created='2026-11-29T01:00:00.0000000Z'),
        dict(raw(4, 'Success', 'v6'), creationTime='29.11.2026 00:30')], 100))
    result = collect_sessions(sessions_client('v6'), created_after='2026-11-29T00:00:00Z',
                              created_before='2026-11-29T01:00:00Z')
    assert [session['id'] for session in result['job_sessions']] == [sid(2), sid(1)]


def test_latest_is_the_newest_whatever_the_servers_order(wire):
    expect_jobs(wire, 'v8')
    sessions = [raw(number, 'Success', 'v8', created='2026-11-%02dT06:00:00.0000000Z' % number)
                for number in (3, 9, 5)]
    wire.expect('GET', '/v8/JobSessions', query={'offset': '0', 'limit': '100'}, body=listing(sessions, 100))
    assert [session['id'] for session in
            collect_sessions(sessions_client('v8'), latest=2)['job_sessions']] == [sid(9), sid(5)]


def test_one_session_by_id(wire):
    expect_jobs(wire, 'v8')
    # The server may write the id in capitals: it is still the session asked for.
    wire.expect('GET', '/v8/JobSessions/%s' % sid(4), body=dict(raw(4, 'Warning', 'v8'), id=sid(4).upper()))
    result = collect_sessions(sessions_client('v8'), job_session_id=sid(4))
    assert [(session['id'], session['status'], session['job_name']) for session in result['job_sessions']] == [
        (sid(4).upper(), 'Warning', 'Contoso - Mailboxes')]


def test_a_v6_job_id_that_is_not_a_uuid_never_becomes_a_path(wire):
    wire.login(version='v6')
    wire.expect('GET', '/v6/Jobs', query={'offset': '0', 'limit': '1000'}, body=[{'id': '../Jobs', 'name': 'x'}])
    with pytest.raises(Vb365Error) as raised:
        collect_sessions(sessions_client('v6'), job_name='x')
    assert 'is not a UUID' in raised.value.message
    assert len(wire.calls) == 2


def test_find_job_prefers_the_exact_name_and_refuses_an_ambiguous_one():
    jobs = [{'id': 'a', 'name': 'Mail'}, {'id': 'b', 'name': 'MAIL'}, {'id': 'c', 'name': 'Sites'},
            {'id': 'd', 'name': 'sites'}]
    assert find_job(jobs, 'MAIL')['id'] == 'b'
    with pytest.raises(LookupFailure) as raised:
        find_job(jobs, 'SITES')
    assert raised.value.message == "2 jobs are named 'SITES' (ids c, d): give job_id instead."
    with pytest.raises(LookupFailure) as raised:
        find_job(jobs, 'Teams')
    assert raised.value.message == "No job is named 'Teams'. Jobs on this server: MAIL, Mail, Sites, sites."
    assert raised.value.kind == 'lookup'


def test_find_job_by_id_ignores_case_and_lists_the_jobs_when_unknown():
    assert find_job_by_id(JOBS, JOB.upper())['name'] == 'Contoso - Mailboxes'
    with pytest.raises(LookupFailure) as raised:
        find_job_by_id([JOBS[0]], OTHER)
    assert raised.value.message == 'No job has the id %s. Jobs on this server: Contoso - Mailboxes (%s).' % (OTHER, JOB)


@pytest.mark.parametrize('status', [['Failed'], {'value': 'Failed'}, 5])
def test_a_status_that_is_not_text_is_unknown_not_a_crash(status):
    assert normalize_session(dict(raw(1, 'x', 'v8'), status=status))['status'] == 'Unknown'


@pytest.mark.parametrize('statistics', ['fast', [1, 2], 5])
def test_statistics_that_are_not_an_object_are_left_out_not_a_crash(statistics):
    assert normalize_session(dict(raw(1, 'Success', 'v8'), statistics=statistics))['statistics'] == {}

# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vb365.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The reader behind the job_sessions event source: each API version's way to learn of a finished session."""

from __future__ import annotations

import json

from ansible_collections.vb365.backup.plugins.module_utils.session_feed import Cursor, SessionFeed, event_uuid
from ansible_collections.vb365.backup.plugins.module_utils.vb365_api import Vb365Client
from ansible_collections.vb365.backup.tests.unit.plugins.conftest import BASE, PASSWORD, v8_item

JOB = '2dc1c0fd-8d7c-4848-a9bb-9ca16329eabd'
OTHER_JOB = 'a701d959-20d0-4a77-a441-573ffa571c43'
JOBS = [{'id': JOB, 'name': 'Contoso - Mailboxes'}, {'id': OTHER_JOB, 'name': 'Fabrikam - All users'}]
NOW = 1795937600.0  # 2026-11-29T07:33:20Z: the tests pin the clock


def sid(number):
    return '20000000-0000-4000-8000-%012d' % number


def raw_session(number, status, version='v8', job=JOB, end='2026-11-29T07:00:00.0000000+00:00'):
    body = {'id': sid(number), 'status': status, 'creationTime': '2026-11-29T06:00:00.0000000+00:00',
            'endTime': end if status != 'Running' else None, 'retryCount': 0, 'statistics': {}}
    if version == 'v8':
        body['jobId'] = job
    else:
        body['_links'] = {'job': {'href': '/%s/Jobs/%s' % (version, job)}}
    return body


def client(version):
    return Vb365Client('vb365.test', username='backup-admin', password=PASSWORD, api_version=version)


def feed(version, cursor=None, **options):
    return SessionFeed(client(version), cursor or Cursor(BASE), long_poll_seconds=30, clock=lambda: NOW, **options)


def expect_start(wire, version, token='100'):
    wire.login(version=version)
    if version == 'v8':
        wire.expect('GET', '/v8/Jobs', query={'offset': '0', 'limit': '1000'},
                    body={'offset': 0, 'limit': 1000, 'results': JOBS, '_links': {}})
    else:
        wire.expect('GET', '/%s/Jobs' % version, query={'offset': '0', 'limit': '1000'}, body=JOBS)
    if version == 'v8':
        wire.expect('GET', '/v8/Events', query={'from': 'latest'}, body={'nextChangeToken': token, 'results': []})
    elif version == 'v7':
        wire.expect('GET', '/v7/JobSessions/Changes', query={'from': 'latest'},
                    body={'nextChangeToken': token, 'results': []})


def expect_counts(wire, version, number, items):
    wire.expect('GET', '/%s/JobSessions/%s/LogItems' % (version, sid(number)),
                query={'offset': '0', 'limit': '10000'},
                body={'offset': 0, 'limit': 10000, 'results': items, '_links': {}})


def test_v8_long_polls_events_and_fetches_each_finished_session(wire):
    expect_start(wire, 'v8')
    wire.expect('GET', '/v8/Events', query={'from': '100', 'limit': '1000', 'timeoutSeconds': '30'}, body={
        'nextChangeToken': '104', 'limit': 1000, 'results': [
            {'eventType': 'JobSessionUpdate', 'id': sid(1), 'jobId': JOB, 'status': 'Running', 'eTag': 1},
            {'eventType': 'JobUpdate', 'id': JOB, 'eTag': 3},
            {'eventType': 'JobSessionUpdate', 'id': sid(2), 'jobId': JOB, 'status': 'Failed', 'eTag': 2},
            {'eventType': 'JobSessionUpdate', 'id': sid(2), 'jobId': JOB, 'status': 'Failed', 'eTag': 2}]})
    wire.expect('GET', '/v8/JobSessions/%s' % sid(2), body=raw_session(2, 'Failed'))
    expect_counts(wire, 'v8', 2, [v8_item(1, 'Success', 'start'), v8_item(2, 'Error', 'denied'),
                                  v8_item(3, 'Warning', 'big')])
    reader = feed('v8', attention_limit=1)
    assert reader.start() == 'v8'
    assert reader.cursor.change_token == '100'
    finished = reader.poll()
    assert [raw['id'] for raw in finished] == [sid(2)], 'each session once, running ones not at all'
    event = reader.event(finished[0])
    vb365 = event['vb365']
    assert vb365['job_session']['status'] == 'Error' and vb365['job_session']['job_name'] == 'Contoso - Mailboxes'
    assert vb365['summary']['total'] == 3 and vb365['verdict'] == 'Error'
    assert [item['usn'] for item in vb365['attention']] == [2] and vb365['attention_left_out'] == 1
    assert vb365['server'] == BASE and vb365['api_version'] == 'v8'
    assert event['meta']['uuid'] == event_uuid(BASE, sid(2).upper()), 'the same session is the same event'
    assert reader.cursor.change_token == '100', 'the token moves only when the poll is committed'
    reader.commit(finished[0])
    reader.commit_poll()
    assert reader.cursor.change_token == '104' and reader.cursor.was_sent(sid(2))


def test_v8_outdated_token_catches_up_by_listing_then_starts_from_latest(wire):
    expect_start(wire, 'v8')
    wire.expect('GET', '/v8/Events', query={'from': '100', 'limit': '1000', 'timeoutSeconds': '30'}, status=400,
                body={'message': 'The change token is outdated.', 'errorCode': 'OutdatedChangeToken'})
    wire.expect('GET', '/v8/Events', query={'from': 'latest'}, body={'nextChangeToken': '250', 'results': []})
    reader = feed('v8')
    reader.start()
    since = reader.cursor.last_end_time
    wire.expect('GET', '/v8/JobSessions', query={'offset': '0', 'limit': '1000',
                                                 'endTimeLowerBound': '2026-11-29T07:23:20.0000000Z'},
                body={'offset': 0, 'limit': 1000, '_links': {}, 'results': [
                    raw_session(3, 'Success', end='2026-11-29T07:40:00.0000000+00:00'),
                    raw_session(4, 'Warning', end='2026-11-29T05:00:00.0000000+00:00')]})
    warnings = []
    reader._log = warnings.append
    finished = reader.poll()
    assert [raw['id'] for raw in finished] == [sid(3)], 'only what ended since the cursor, less the overlap'
    assert 'the change token is outdated; catching up' in warnings[0] and since in warnings[0]
    reader.commit_poll()
    assert reader.cursor.change_token == '250'


def test_v7_reads_the_change_feed(wire):
    expect_start(wire, 'v7', token='7')
    wire.expect('GET', '/v7/JobSessions/Changes', query={'from': '7', 'limit': '1000'}, body={
        'nextChangeToken': '9', 'limit': 1000,
        'results': [raw_session(5, 'Success', 'v7'), raw_session(6, 'Running', 'v7')]})
    reader = feed('v7')
    reader.start()
    assert [raw['id'] for raw in reader.poll()] == [sid(5)]


def test_v6_lists_with_overlap_and_sends_nothing_twice(wire):
    expect_start(wire, 'v6')
    page = {'offset': 0, 'limit': 1000, '_links': {}, 'results': [
        raw_session(7, 'Failed', 'v6', end='2026-11-29T07:35:00.0000000+00:00'),
        raw_session(8, 'Success', 'v6', job=OTHER_JOB, end='2026-11-29T07:36:00.0000000+00:00'),
        raw_session(9, 'Success', 'v6', end='2026-11-29T07:37:00.0000000+00:00')]}
    for bound in ('2026-11-29T07:23:20.0000000Z', '2026-11-29T07:27:00.0000000Z'):
        wire.expect('GET', '/v6/JobSessions', query={'offset': '0', 'limit': '1000', 'endTimeLowerBound': bound},
                    body=page)
    reader = feed('v6', statuses={'Error'}, job_names=['contoso - mailboxes'])
    reader.start()
    finished = reader.poll()
    assert [raw['id'] for raw in finished] == [sid(7)], 'Error only, of the chosen job only'
    reader.commit(finished[0])
    reader.commit_poll()
    assert reader.poll() == [], 'the overlap finds them again; the memory of sent ids drops them'


def test_v5_lists_every_page_without_a_time_filter(wire):
    expect_start(wire, 'v5')
    wire.expect('GET', '/v5/JobSessions', query={'offset': '0', 'limit': '1000'},
                body={'offset': 0, 'limit': 1000, '_links': {}, 'results': [
                    raw_session(10, 'Warning', 'v5', end='2026-11-29T07:30:00.0000000+00:00')]})
    reader = feed('v5')
    reader.start()
    assert [raw['id'] for raw in reader.poll()] == [sid(10)]


def test_cursor_is_saved_atomically_and_belongs_to_one_server(tmp_path):
    path = str(tmp_path / 'cursor.json')
    cursor = Cursor(BASE, change_token='42', last_end_time='2026-11-29T07:00:00Z')
    cursor.mark_sent(sid(1), '2026-11-29T07:30:00Z')
    cursor.save(path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ['cursor.json']
    loaded, note = Cursor.load(path, BASE)
    assert note is None
    assert loaded.change_token == '42' and loaded.was_sent(sid(1))
    assert loaded.last_end_time == '2026-11-29T07:30:00Z'
    other, note = Cursor.load(path, 'https://elsewhere:4443')
    assert other.change_token is None and 'belongs to %s' % BASE in note
    (tmp_path / 'broken.json').write_text('{"format": 1, "server"')
    broken, note = Cursor.load(str(tmp_path / 'broken.json'), BASE)
    assert broken.change_token is None and 'cannot be read' in note
    assert json.loads((tmp_path / 'cursor.json').read_text())['sent'] == [sid(1)]

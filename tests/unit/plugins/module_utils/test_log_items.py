# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vb365.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""collect_log_items against recorded exchanges: every page, one record shape, counts and the usn to poll from."""

from __future__ import annotations

import json

import pytest

from ansible_collections.vb365.backup.plugins.module_utils import vb365_api
from ansible_collections.vb365.backup.plugins.module_utils.log_items import collect_log_items
from ansible_collections.vb365.backup.plugins.module_utils.vb365_api import Vb365Client, Vb365Error
from ansible_collections.vb365.backup.tests.unit.plugins.wire import (
    PASSWORD, SESSION_ID, legacy_item, page, v8_item)

START = '2026-11-27T22:00:00.1000000+01:00'
END = '2026-11-27T22:00:02.6000000+01:00'
# The bracketed word of v5-v7 titles and the v8 type of the same operation.
WORDS = {'v8': {'Success': 'Success', 'Warning': 'Warning', 'Error': 'Error'},
         'legacy': {'Success': 'Success', 'Warning': 'Warning', 'Error': 'Failed'}}


def reader(version='v8'):
    return Vb365Client('vb365.test', username='backup-admin', password=PASSWORD, api_version=version)


def item(version, usn, status, text):
    if version == 'v8':
        return v8_item(usn, status, text)
    return legacy_item(usn, '[%s] %s' % (WORDS['legacy'][status], text))


@pytest.mark.parametrize('version', ['v5', 'v6', 'v7', 'v8'])
def test_every_page_is_read_and_each_version_gives_the_same_record(wire, version):
    wire.login(version=version)
    # usn is an order number, not an index: 1, 2, 1000 is what real servers send.
    wire.log_page(version, [item(version, 1, 'Success', 'Job started'),
                            item(version, 2, 'Warning', 'Mailbox a@contoso.com is over its quota')], 0, 2)
    wire.log_page(version, [item(version, 1000, 'Error', 'Processing b@contoso.com failed')], 2, 2)
    result = collect_log_items(reader(version), SESSION_ID, page_size=2)
    word = WORDS['v8' if version == 'v8' else 'legacy']
    assert result['log_items'] == [
        {'id': 'item-%06d' % usn, 'usn': usn, 'status': status, 'title': '[%s] %s' % (word[status], text),
         'message': text, 'creation_time': START, 'end_time': END, 'duration_seconds': 2.5}
        for usn, status, text in ((1, 'Success', 'Job started'),
                                  (2, 'Warning', 'Mailbox a@contoso.com is over its quota'),
                                  (1000, 'Error', 'Processing b@contoso.com failed'))]
    assert result['summary'] == {'total': 3, 'first_creation_time': START, 'last_end_time': END,
                                 'by_status': {'Success': 1, 'Warning': 1, 'Error': 1, 'Running': 0, 'Stop': 0,
                                               'Unknown': 0}}
    assert result['last_usn'] == 1000 and result['api_version'] == version
    assert len(wire.calls) == 3


def test_a_server_that_repeats_a_page_stops_the_reading_with_an_error(wire):
    wire.login()
    same = [v8_item(usn, 'Success', 'x') for usn in (1, 2)]
    wire.log_page('v8', same, 0, 2)
    wire.log_page('v8', same, 2, 2)
    with pytest.raises(Vb365Error) as raised:
        collect_log_items(reader(), SESSION_ID, page_size=2)
    assert 'ignores offset' in raised.value.message and raised.value.kind == 'protocol'
    assert len(wire.calls) == 3


def test_an_endless_next_link_ends_at_the_read_bound(wire, monkeypatch):
    monkeypatch.setattr(vb365_api, 'MAX_ITEMS_PER_READ', 4)
    wire.login()
    for offset in (0, 2, 4):
        wire.log_page('v8', [v8_item(offset + 1, 'Success', 'x'), v8_item(offset + 2, 'Success', 'y')], offset, 2)
    with pytest.raises(Vb365Error) as raised:
        collect_log_items(reader(), SESSION_ID, page_size=2, include_items=False)
    assert 'has sent more than 4 items and still offers more' in raised.value.message
    assert len(wire.calls) == 4


def test_status_words_of_every_version_are_normalised(wire):
    wire.login(version='v7')
    titles = ['[Success] Connected to organization', '[success] lower case', '[Warning] Quota', '[Failed] Denied',
              '[Error] Denied', '[ In progress ] Mailbox', '[Stopped] By user', '[Information] Something new',
              'No bracket at all', None]
    wire.log_page('v7', [legacy_item(usn, title) for usn, title in enumerate(titles, 1)], 0, 20)
    result = collect_log_items(reader('v7'), SESSION_ID, page_size=20)
    assert [entry['status'] for entry in result['log_items']] == [
        'Success', 'Success', 'Warning', 'Error', 'Error', 'Running', 'Stop', 'Unknown', 'Unknown', 'Unknown']
    assert result['log_items'][9]['message'] == ''


def test_v8_types_and_unknown_types(wire):
    wire.login()
    kinds = ['Running', 'Warning', 'Error', 'Success', 'Stop', 'Paused', None]
    wire.log_page('v8', [v8_item(usn, kind, 'op %d' % usn) for usn, kind in enumerate(kinds, 1)], 0, 20)
    result = collect_log_items(reader(), SESSION_ID, page_size=20)
    assert [entry['status'] for entry in result['log_items']] == [
        'Running', 'Warning', 'Error', 'Success', 'Stop', 'Unknown', 'Unknown']
    assert result['log_items'][0]['title'] == '[Running] op 1' and result['log_items'][6]['title'] == 'op 7'


def test_counts_only_keeps_no_items_but_the_oldest_attention_ones(wire):
    wire.login()
    first = [v8_item(1, 'Success', 'start'), v8_item(2, 'Warning', 'w2'), v8_item(3, 'Error', 'e3')]
    # A running session shifts the pages: the last item of the first page comes again.
    second = [v8_item(3, 'Error', 'e3'), v8_item(4, 'Warning', 'w4'), v8_item(5, 'Success', 'end')]
    wire.log_page('v8', first, 0, 3)
    wire.log_page('v8', second, 3, 3)
    wire.log_page('v8', [], 6, 3)
    result = collect_log_items(reader(), SESSION_ID, page_size=3, include_items=False, attention_limit=2)
    assert result['log_items'] == []
    assert result['summary']['total'] == 5
    assert result['summary']['by_status']['Warning'] == 2 and result['summary']['by_status']['Error'] == 1
    assert [(entry['usn'], entry['status']) for entry in result['attention']] == [(2, 'Warning'), (3, 'Error')]
    assert result['attention_left_out'] == 1
    assert result['last_usn'] == 5


def test_each_item_sees_every_operation_once_in_reading_order_without_keeping_them(wire):
    wire.login()
    wire.log_page('v8', [v8_item(usn, 'Success', 'op') for usn in (5, 3, 4)], 0, 10)
    seen = []
    result = collect_log_items(reader(), SESSION_ID, page_size=10, include_items=False, each_item=seen.append)
    assert [entry['usn'] for entry in seen] == [5, 3, 4]
    assert seen[0]['message'] == 'op' and result['log_items'] == []
    assert 'attention' not in result


def test_hostile_values_stay_data(wire):
    wire.login()
    hostile = [
        dict(v8_item(1, 'Error', '<script>alert(1)</script> {{ lookup("pipe", "id") }}'), id='../../Jobs;rm -rf'),
        dict(v8_item(2, 'Warning', 'usn as text'), usn='2; DROP TABLE'),
        dict(v8_item(3, 'Success', 'flag'), usn=True),
        v8_item(4, 'Success', 'bad \ud800 text'),
    ]
    wire.expect('GET', '/v8/JobSessions/%s/LogItems' % SESSION_ID, query={'offset': '0', 'limit': '10'},
                text=json.dumps(page(hostile, limit=10)), headers={'Content-Type': 'application/json'})
    result = collect_log_items(reader(), SESSION_ID, page_size=10)
    by_message = dict((entry['message'], entry) for entry in result['log_items'])
    script = by_message['<script>alert(1)</script> {{ lookup("pipe", "id") }}']
    assert script['id'] == '../../Jobs;rm -rf' and script['usn'] == 1 and script['status'] == 'Error'
    assert by_message['usn as text']['usn'] is None and by_message['flag']['usn'] is None
    assert 'bad \ufffd text' in by_message
    assert result['summary']['total'] == 4 and result['last_usn'] == 4
    assert len(wire.calls) == 2, 'no item id became a request'


def test_a_session_id_that_is_not_a_uuid_sends_nothing(wire):
    with pytest.raises(Vb365Error) as raised:
        collect_log_items(reader(), '7f3f1f4e-2c41-4f7c-9b0e-5d2b8f7a9c10/../../Jobs')
    assert raised.value.kind == 'protocol'
    assert wire.calls == []


def test_since_usn_returns_only_newer_items_and_the_usn_to_poll_from(wire):
    wire.login(version='v6')
    wire.log_page('v6', [legacy_item(usn, '[Success] op') for usn in (1, 2, 1000, 1001)], 0, 10)
    result = collect_log_items(reader('v6'), SESSION_ID, page_size=10, since_usn=2)
    assert [entry['usn'] for entry in result['log_items']] == [1000, 1001]
    assert result['summary']['total'] == 2 and result['last_usn'] == 1001


def test_nothing_new_keeps_the_usn_the_caller_had(wire):
    wire.login(version='v6')
    wire.log_page('v6', [legacy_item(usn, '[Success] op') for usn in (1, 2)], 0, 10)
    result = collect_log_items(reader('v6'), SESSION_ID, page_size=10, since_usn=2)
    assert result['log_items'] == [] and result['last_usn'] == 2


def test_v8_poll_reads_newest_first_and_stops_at_the_first_old_item(wire):
    wire.login()
    path = '/v8/JobSessions/%s/LogItems' % SESSION_ID
    newest = [v8_item(usn, 'Success', 'op') for usn in (9, 8, 7)]
    wire.expect('GET', path, query={'offset': '0', 'limit': '3', 'orderAsc': 'false'},
                body=page(newest, limit=3, next_href='/v8/next'))
    wire.expect('GET', path, query={'offset': '3', 'limit': '3', 'orderAsc': 'false'},
                body=page([v8_item(usn, 'Success', 'op') for usn in (6, 5, 4)], offset=3, limit=3,
                          next_href='/v8/next'))
    result = collect_log_items(reader(), SESSION_ID, page_size=3, since_usn=5, max_items=2)
    # The two oldest new ones, so that the next poll from last_usn misses nothing.
    assert [entry['usn'] for entry in result['log_items']] == [6, 7]
    assert result['last_usn'] == 7
    assert len(wire.calls) == 3, 'the page after the first old item is not read'


@pytest.mark.parametrize('include_items', [True, False])
def test_a_title_or_type_that_is_not_text_is_an_unknown_operation_not_a_crash(wire, include_items):
    wire.login()
    odd = [dict(legacy_item(1, None), title=42), dict(legacy_item(2, None), title={'text': '[Error] x'}),
           v8_item(3, ['Error'], 'listed type'), v8_item(4, {'kind': 'Error'}, 'object type'),
           v8_item(5, 'Error', 'a real one')]
    wire.log_page('v8', odd, 0, 10)
    result = collect_log_items(reader(), SESSION_ID, page_size=10, include_items=include_items, attention_limit=5)
    assert result['summary']['total'] == 5
    assert result['summary']['by_status']['Unknown'] == 4 and result['summary']['by_status']['Error'] == 1
    assert [entry['message'] for entry in result['attention']] == ['a real one']
    if include_items:
        assert [entry['title'] for entry in result['log_items'][:2]] == [42, {'text': '[Error] x'}]


@pytest.mark.xfail(strict=True, reason='max_items takes the first items in reading order and points last_usn at the '
                                       'highest of them: on a page not sorted by usn, the lower new usns after it are '
                                       'never returned by the next poll (a fix needs the whole read, not a slice)')
def test_max_items_on_a_page_out_of_usn_order_loses_no_item_for_the_next_poll(wire):
    wire.login(version='v7')
    wire.log_page('v7', [legacy_item(usn, '[Success] op') for usn in (5, 3, 4)], 0, 10)
    result = collect_log_items(reader('v7'), SESSION_ID, page_size=10, since_usn=2, max_items=1)
    assert result['last_usn'] < 3 or [entry['usn'] for entry in result['log_items']] == [3]

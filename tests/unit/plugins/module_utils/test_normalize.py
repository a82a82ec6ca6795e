# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vb365.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import pytest

from ansible_collections.vb365.backup.plugins.module_utils.normalize import (
    LogItemSummary, duration_seconds, normalize_log_item_with_ticks, normalize_status, parse_status_filter, timestamp_ticks)

WORDS = [
    ('Success', 'Success'), ('success', 'Success'), ('SUCCEEDED', 'Success'), ('Succeeded', 'Success'),
    ('Warning', 'Warning'), ('warning', 'Warning'),
    ('Failed', 'Error'), ('failure', 'Error'), ('Error', 'Error'), ('ERROR', 'Error'),
    ('Running', 'Running'), ('InProgress', 'Running'), ('In progress', 'Running'),
    ('Stop', 'Stop'), ('stopped', 'Stop'),
    ('Queued', 'Unknown'), ('Info', 'Unknown'), ('', 'Unknown'),
]


def normalize_log_item(raw):
    return normalize_log_item_with_ticks(raw)[0]


KEYS = {'id', 'usn', 'status', 'title', 'message', 'creation_time', 'end_time', 'duration_seconds'}


@pytest.mark.parametrize('word, status', WORDS)
@pytest.mark.parametrize('version', ['v5', 'v6', 'v7'])
def test_bracketed_title_word(version, word, status):
    raw = {'id': 'a', 'usn': 1, 'title': '[%s]   Processing mailbox ann@example.com' % word,
           'creationTime': None, 'endTime': None,
           '_links': {'self': {'href': '/%s/JobSessions/x/LogItems/a' % version}}}
    item = normalize_log_item(raw)
    assert set(item) == KEYS
    assert item['status'] == status
    assert item['message'] == 'Processing mailbox ann@example.com'
    assert item['title'] == raw['title']


@pytest.mark.parametrize('word, status', [(w, s) for w, s in WORDS if w])
def test_v8_type(word, status):
    item = normalize_log_item({'id': 'a', 'usn': 1, 'type': word, 'message': 'Connected to organization',
                               'creationTime': None, 'endTime': None})
    assert set(item) == KEYS
    assert item['status'] == status
    assert item['message'] == 'Connected to organization'
    assert item['title'] == '[%s] Connected to organization' % word


def test_title_without_bracket_is_unknown_and_kept_whole():
    item = normalize_log_item({'id': 'a', 'usn': 1, 'title': 'Job started at 2/26/2021 1:00:00 AM'})
    assert item['status'] == 'Unknown'
    assert item['message'] == 'Job started at 2/26/2021 1:00:00 AM'


def test_v8_null_type_and_message():
    item = normalize_log_item({'id': 'a', 'usn': 1, 'type': None, 'message': None})
    assert item['status'] == 'Unknown'
    assert item['message'] == ''
    assert item['title'] == ''


def test_seven_fractional_digits_and_offsets():
    start = '2021-02-26T01:00:00.1732347+03:00'
    end = '2021-02-25T23:00:05.5000000+01:00'
    assert duration_seconds(start, end) == pytest.approx(5.3267653, abs=1e-9)
    assert duration_seconds('2021-02-26T01:00:00Z', '2021-02-26T01:01:00.25Z') == 60.25
    assert duration_seconds(start, None) is None
    assert duration_seconds('26/02/2021 01:00', start) is None
    assert timestamp_ticks('2021-02-26T01:00:00+0530') == timestamp_ticks('2021-02-25T19:30:00Z')


@pytest.mark.parametrize('value', ['2026-02-30T00:00:00Z', '2026-02-26T24:00:00Z', '2026-02-26T23:59:60Z',
                                   '2026-13-01T00:00:00Z', '2026-02-30T23:00:00.1732347+01:00'])
def test_an_impossible_date_or_time_is_no_timestamp(value):
    # Rolled over, 2026-02-30 would silently read as March 2.
    assert timestamp_ticks(value) is None


def test_summary_counts_every_status_and_time_bounds():
    summary = LogItemSummary()
    for raw in (
        {'id': '1', 'usn': 1, 'title': '[Success] a', 'creationTime': '2026-11-27T22:00:01.0000000+01:00',
         'endTime': '2026-11-27T22:00:02.0000000+01:00'},
        {'id': '2', 'usn': 2, 'type': 'Error', 'message': 'b', 'creationTime': '2026-11-27T20:59:00.0000000Z',
         'endTime': '2026-11-27T21:30:00.0000000Z'},
        {'id': '3', 'usn': 3, 'title': '[Running] c', 'creationTime': '2026-11-27T22:05:00.0000000+01:00',
         'endTime': None},
    ):
        item = normalize_log_item(raw)
        summary.add_parts(item['status'], item['creation_time'], item['end_time'])
    result = summary.as_dict()
    assert result['total'] == 3
    assert result['by_status'] == {'Success': 1, 'Warning': 0, 'Error': 1, 'Running': 1, 'Stop': 0, 'Unknown': 0}
    assert result['first_creation_time'] == '2026-11-27T20:59:00.0000000Z'
    assert result['last_end_time'] == '2026-11-27T21:30:00.0000000Z'


def test_status_filter_words():
    assert parse_status_filter(['warning', 'FAILED', 'unknown']) == {'Warning', 'Error', 'Unknown'}
    assert parse_status_filter(None) == set()
    with pytest.raises(ValueError) as error:
        parse_status_filter(['Warn'])
    assert "status 'Warn' is not one of" in str(error.value)


def test_status_word_lookup_is_blank_insensitive():
    assert normalize_status(' in_progress ') == 'Running'


def test_fast_timestamp_path_agrees_with_the_full_parser():
    import random
    from ansible_collections.vb365.backup.plugins.module_utils.normalize import _parse_ticks
    rng = random.Random(7)
    for _sample in range(2000):
        value = '%04d-%02d-%02dT%02d:%02d:%02d.%07d%s%02d:%02d' % (
            rng.randint(1990, 2090), rng.randint(1, 12), rng.randint(1, 28), rng.randint(0, 23), rng.randint(0, 59),
            rng.randint(0, 59), rng.randint(0, 9999999), rng.choice('+-'), rng.randint(0, 14), rng.choice((0, 30, 45)))
        assert timestamp_ticks(value) == _parse_ticks(value), value
    # Same length and separators, but not digits: the full parser decides (and refuses).
    assert timestamp_ticks('2021-02-26T01:00:xx.1732347+03:00') is None
    assert timestamp_ticks('2021-02-26T01:00:00.17323x7+03:00') is None


def test_summary_bounds_across_offsets_and_malformed_times():
    summary = LogItemSummary()
    for created, ended in (
        ('2026-11-27T22:00:01.0000000+01:00', '2026-11-27T22:00:02.0000000+01:00'),
        # Earlier in absolute time although it reads later: another offset.
        ('2026-11-27T23:30:00.0000000+05:00', '2026-11-27T23:59:00.0000000+05:00'),
        # Same form, not a time: never a bound.
        ('2026-11-27T2x:00:00.0000000+01:00', '9999-11-27T22:00:0x.0000000+01:00'),
        ('2026-11-27T22:10:00.0000000+01:00', '2026-11-27T22:10:05.5000000+01:00'),
        ('2026-11-27T22:05:00.0000000+01:00', None),
    ):
        summary.add_parts('Success', created, ended)
    result = summary.as_dict()
    assert result['total'] == 5
    assert result['first_creation_time'] == '2026-11-27T23:30:00.0000000+05:00'
    assert result['last_end_time'] == '2026-11-27T22:10:05.5000000+01:00'


@pytest.mark.parametrize('raw', [
    {'title': '[Warning] a'}, {'title': 'no bracket'}, {'title': None, 'type': 'Error', 'message': 'm'},
    {'type': 'Stop', 'message': None}, {}, {'title': '  [Failed]x'}, {'title': '[Succeeded] y', 'type': 'Error'},
])
def test_counts_only_status_matches_the_full_normalisation(raw):
    from ansible_collections.vb365.backup.plugins.module_utils.normalize import status_of
    assert status_of(raw) == normalize_log_item(raw)['status']

# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vb365.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""vb365_emulator.clock: the server's timestamps, written and read without the collection's parser."""

from __future__ import annotations

import datetime

import pytest

from vb365_emulator.clock import TICKS_PER_SECOND, fmt_ticks, fmt_time, parse_time, timestamp_ticks, title_date

UTC = datetime.timezone.utc


def ticks_of(moment, fraction=0):
    """Ticks of an aware datetime, computed with datetime's own arithmetic."""
    whole = (moment - datetime.datetime(1970, 1, 1, tzinfo=UTC)) // datetime.timedelta(seconds=1)
    return whole * TICKS_PER_SECOND + fraction


def test_written_with_seven_digits_and_the_servers_offset():
    moment = datetime.datetime(2026, 2, 26, 21, 59, 58, tzinfo=UTC)
    assert fmt_ticks(ticks_of(moment, 1732347)) == '2026-02-26T22:59:58.1732347+01:00'
    assert fmt_time(moment.replace(microsecond=250000)) == '2026-02-26T22:59:58.2500000+01:00'


@pytest.mark.parametrize('text, moment, fraction', [
    ('2021-02-26T01:00:00.1732347+03:00', datetime.datetime(2021, 2, 25, 22, 0, 0, tzinfo=UTC), 1732347),
    ('2021-02-26T01:00:00Z', datetime.datetime(2021, 2, 26, 1, 0, 0, tzinfo=UTC), 0),
    ('2021-02-26T01:00:00', datetime.datetime(2021, 2, 26, 1, 0, 0, tzinfo=UTC), 0),
    ('2021-02-26 01:00', datetime.datetime(2021, 2, 26, 1, 0, 0, tzinfo=UTC), 0),
    ('2021-02-26T01:00:00.5-0530', datetime.datetime(2021, 2, 26, 6, 30, 0, tzinfo=UTC), 5000000),
    ('2021-02-26T01:00:00.123456789Z', datetime.datetime(2021, 2, 26, 1, 0, 0, tzinfo=UTC), 1234567),
    (' 1970-01-01T01:00:00+01:00 ', datetime.datetime(1970, 1, 1, tzinfo=UTC), 0),
    ('2021-02-26T01:00:00+01', datetime.datetime(2021, 2, 26, 0, 0, 0, tzinfo=UTC), 0),
    ('2021-02-26T01:00:00 Z', datetime.datetime(2021, 2, 26, 1, 0, 0, tzinfo=UTC), 0),
    ('2021-02-26t01:00:00.12345678901234z', datetime.datetime(2021, 2, 26, 1, 0, 0, tzinfo=UTC), 1234567),
])
def test_read_in_every_form_a_client_may_send(text, moment, fraction):
    assert timestamp_ticks(text) == ticks_of(moment, fraction)


@pytest.mark.parametrize('text', ['yesterday', '2021-02-30T00:00:00Z', '2021-02-26T24:00:00Z', '2021-02-26T23:59:60Z',
                                  '2021-02-26T01:00:00+24:00', '2021-02-26T01:00:00+01:60',
                                  '2021-02-26T01:00:00+01:00\nx', '2021-02-26', '', None, 20210226])
def test_what_is_no_timestamp_reads_as_none(text):
    assert timestamp_ticks(text) is None


def test_what_it_writes_it_reads_back():
    for ticks in (0, 1, 16142976001732347, ticks_of(datetime.datetime(2038, 1, 19, 3, 14, 8, tzinfo=UTC), 9999999)):
        assert timestamp_ticks(fmt_ticks(ticks)) == ticks


def test_a_query_bound_is_an_aware_utc_datetime_or_a_value_error():
    expected = datetime.datetime(2021, 2, 25, 22, 0, 0, 173234, tzinfo=UTC)
    assert parse_time('2021-02-26T01:00:00.1732347+03:00') == expected
    with pytest.raises(ValueError, match="not an ISO 8601 date and time: 'soon'"):
        parse_time('soon')


def test_titles_write_the_servers_local_time_on_a_twelve_hour_clock():
    assert title_date(datetime.datetime(2026, 2, 26, 21, 0, 5, tzinfo=UTC)) == '2/26/2026 10:00:05 PM'
    assert title_date(datetime.datetime(2026, 2, 26, 23, 30, 0, tzinfo=UTC)) == '2/27/2026 12:30:00 AM'

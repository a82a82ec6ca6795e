# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vb365.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The emulator's own time handling: the server's timestamp forms written and read.

Kept apart from the collection's parser on purpose: the tests that run the collection against the
emulator would not notice a bug the two shared.
"""

from __future__ import annotations

import datetime
import re

TICKS_PER_SECOND = 10000000
# VB365 servers write local time with their offset; the emulated one is an hour east of UTC.
SERVER_OFFSET = datetime.timezone(datetime.timedelta(hours=1))
EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
# What clients send: seconds and a fraction of any length may be left out, and the zone (Z, +hh, +hhmm or
# +hh:mm, after optional spaces) too, which then means UTC.
ISO_8601 = re.compile(r'(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?'
                      r'\s*(?:([Zz])|([+-])(\d{2})(?::?(\d{2}))?)?')


def fmt_ticks(ticks):
    """A server timestamp from 100 ns ticks since the epoch: seven fractional digits, local offset."""
    local = datetime.datetime.fromtimestamp(ticks // TICKS_PER_SECOND, SERVER_OFFSET)
    offset = local.strftime('%z')
    return '%s.%07d%s:%s' % (local.strftime('%Y-%m-%dT%H:%M:%S'), ticks % TICKS_PER_SECOND, offset[:3], offset[3:])


def fmt_time(moment):
    return fmt_ticks(int(moment.timestamp()) * TICKS_PER_SECOND + moment.microsecond * 10)


def title_date(moment):
    """A date as the operations' titles write it: 2/27/2026 10:00:05 PM, in the server's time."""
    local = moment.astimezone(SERVER_OFFSET)
    return '%d/%d/%d %d:%02d:%02d %s' % (local.month, local.day, local.year, (local.hour % 12) or 12, local.minute,
                                         local.second, 'AM' if local.hour < 12 else 'PM')


def timestamp_ticks(text):
    """100 ns ticks since the epoch of an ISO 8601 date and time (no offset: UTC), or None if it is not one.

    Fractions beyond seven digits are cut, as the servers' clocks have none finer. An impossible date or
    time (February 30, 24:00, a 60th second) is none.
    """
    if not isinstance(text, str):
        return None
    match = ISO_8601.fullmatch(text.strip())
    if not match:
        return None
    year, month, day, hour, minute, second, fraction, zulu, sign, offset_hours, offset_minutes = match.groups()
    try:
        moment = datetime.datetime(int(year), int(month), int(day), int(hour), int(minute), int(second or 0),
                                   tzinfo=datetime.timezone.utc)
    except ValueError:
        return None
    ticks = (moment - EPOCH) // datetime.timedelta(seconds=1) * TICKS_PER_SECOND
    ticks += int((fraction or '').ljust(7, '0')[:7])
    if sign and not zulu:
        if int(offset_hours) > 23 or int(offset_minutes or 0) > 59:
            return None
        offset = (int(offset_hours) * 60 + int(offset_minutes or 0)) * 60 * TICKS_PER_SECOND
        ticks += -offset if sign == '+' else offset
    return ticks


def parse_time(text):
    """An ISO 8601 query bound as an aware datetime (UTC); ValueError when it is not one."""
    ticks = timestamp_ticks(text)
    if ticks is None:
        raise ValueError('not an ISO 8601 date and time: %r' % text)
    return datetime.datetime.fromtimestamp(ticks // TICKS_PER_SECOND, datetime.timezone.utc).replace(
        microsecond=(ticks % TICKS_PER_SECOND) // 10)

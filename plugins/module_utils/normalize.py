# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vb365.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Turn what the server sends into one shape on every API version, and make its text safe to pass on.

v5 to v7 carry the status as a bracketed word at the start of ``title``; v8 drops ``title`` for
``type`` and ``message``. Everything here is pure: no I/O, no Ansible, no requests, so that the
role's filter and test plugins can use these rules without importing the HTTP client.
"""

from __future__ import annotations

import calendar
import datetime
import re

API_VERSIONS = ('v5', 'v6', 'v7', 'v8')
API_VERSION_CHOICES = ('auto',) + API_VERSIONS

# \Z, not $: $ also matches before a final newline, and an id with one must not pass.
UUID_PATTERN = re.compile(r'\A[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\Z')

# A lone surrogate is valid in JSON text (\ud800) but cannot be written as UTF-8.
LONE_SURROGATE = re.compile('[\ud800-\udfff]')

# A Jinja statement, expression or comment starts with one of these; Ansible templates extra vars, so a
# server's text holding one would run on the EDA host. A brace that ends a text could start one when a
# rulebook joins two texts, so it is treated the same.
_JINJA_OPENING = re.compile(r'\{(?=[{%#]|\Z)')

STATUSES = ('Success', 'Warning', 'Error', 'Running', 'Stop', 'Unknown')

# Words seen in titles, v8 types and session statuses, and that users write, compared as status_key gives them.
STATUS_WORDS = {
    'success': 'Success',
    'succeeded': 'Success',
    'warning': 'Warning',
    'failed': 'Error',
    'failure': 'Error',
    'error': 'Error',
    'running': 'Running',
    'inprogress': 'Running',
    'stop': 'Stop',
    'stopped': 'Stop',
}

_TITLE_PREFIX = re.compile(r'^\s*\[([^\]]*)\]\s*')

# 2021-02-26T01:00:00.1732347+03:00: seven fractional digits and a local offset are the norm.
_TIMESTAMP = re.compile(
    r'^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:[.,](\d+))?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$',
    re.IGNORECASE)
_TICKS_PER_SECOND = 10000000


def is_uuid(value):
    return isinstance(value, str) and bool(UUID_PATTERN.match(value))


def without_lone_surrogates(data):
    """data with every lone UTF-16 surrogate in its strings replaced by U+FFFD, so that it can be written as UTF-8."""
    if isinstance(data, str):
        return LONE_SURROGATE.sub('\ufffd', data)
    if isinstance(data, list):
        return [without_lone_surrogates(item) for item in data]
    if isinstance(data, dict):
        return dict((without_lone_surrogates(key), without_lone_surrogates(value)) for key, value in data.items())
    return data


def inert(value):
    """The value with every text made inert for Jinja, keys included, and readable as it was.

    A ``{`` followed by ``{``, ``%`` or ``#``, or ending a text, gets a space after it (``{{ x }}``
    reads ``{ { x }}``); a lone surrogate, which no UTF-8 consumer can encode, becomes U+FFFD.
    Nothing else changes: numbers, booleans and None stay as they are.
    """
    if isinstance(value, str):
        return _JINJA_OPENING.sub('{ ', without_lone_surrogates(value))
    if isinstance(value, dict):
        return dict((inert(key), inert(item)) for key, item in value.items())
    if isinstance(value, (list, tuple)):
        return [inert(item) for item in value]
    return value


def status_key(word):
    """A status word as STATUS_WORDS holds it: lower case, without blanks, underscores or hyphens."""
    return re.sub(r'[\s_-]+', '', str(word)).lower()


def normalize_status(word):
    """Map a status word (any case) to one of STATUSES; anything unrecognised is Unknown."""
    if not word or not isinstance(word, str):
        return 'Unknown'
    # Sessions repeat a handful of words thousands of times: remember them (a few, in case a server
    # invents many).
    status = _STATUS_SEEN.get(word)
    if status is None:
        status = STATUS_WORDS.get(status_key(word), 'Unknown')
        if len(_STATUS_SEEN) < 256:
            _STATUS_SEEN[word] = status
    return status


_STATUS_SEEN = {}


def parse_status_filter(words):
    """Validate a user's status list; returns the set of normalised statuses or raises ValueError."""
    wanted = set()
    for word in words or ():
        status = normalize_status(word)
        if status == 'Unknown' and str(word).strip().lower() != 'unknown':
            raise ValueError('status %r is not one of %s (any case; Failed and Succeeded are accepted too).'
                             % (word, ', '.join(STATUSES)))
        wanted.add(status)
    return wanted


def timestamp_ticks(value):
    """A timestamp as 100-nanosecond ticks since the epoch (UTC), or None when it cannot be read.

    Parsed by hand because datetime keeps only six fractional digits and Python 3.8 and 3.10
    reject seven in fromisoformat. A timestamp with no offset is taken as UTC.
    """
    if not value or not isinstance(value, str):
        return None
    # The servers' usual form, 2021-02-26T01:00:00.1732347+03:00, by slicing: a session's
    # timestamps share few minutes, so the date, hour and minute are converted once per minute.
    if len(value) == 33 and value[16] == ':' and value[19] == '.' and value[30] == ':':
        key = value[:16] + value[27:]
        base = _MINUTE_TICKS.get(key)
        if base is None:
            base = _parse_ticks(value[:16] + ':00' + value[27:])
            if len(_MINUTE_TICKS) > 4096:
                _MINUTE_TICKS.clear()
            _MINUTE_TICKS[key] = base
        if base is not None:
            seconds, fraction = value[17:19], value[20:27]
            if seconds.isdigit() and fraction.isdigit():
                return base + int(seconds) * _TICKS_PER_SECOND + int(fraction)
    return _parse_ticks(value)


_MINUTE_TICKS = {}


def _parse_ticks(value):
    match = _TIMESTAMP.match(value.strip())
    if not match:
        return None
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    try:
        # datetime refuses what timegm would roll over: February 30, 24:00, a 60th second.
        moment = datetime.datetime(int(year), int(month), int(day), int(hour), int(minute), int(second))
    except (ValueError, OverflowError):
        return None
    seconds = calendar.timegm(moment.timetuple())
    ticks = seconds * _TICKS_PER_SECOND
    if fraction:
        ticks += int((fraction + '000000')[:7])
    if zone and zone.upper() != 'Z':
        sign = -1 if zone[0] == '-' else 1
        digits = zone[1:].replace(':', '')
        offset_minutes = int(digits[:2]) * 60 + (int(digits[2:4]) if len(digits) >= 4 else 0)
        ticks -= sign * offset_minutes * 60 * _TICKS_PER_SECOND
    return ticks


def duration_seconds(start, end):
    """Seconds from start to end as a float, or None when either is missing or unreadable."""
    return _seconds_between(timestamp_ticks(start), timestamp_ticks(end))


def _seconds_between(start_ticks, end_ticks):
    if start_ticks is None or end_ticks is None:
        return None
    return (end_ticks - start_ticks) / float(_TICKS_PER_SECOND)


def normalize_log_item_with_ticks(item):
    """(log item, start ticks, end ticks): the times parsed once, for LogItemSummary.add."""
    status, title, message = status_title_message(item)
    creation_time = item.get('creationTime')
    end_time = item.get('endTime')
    start_ticks = timestamp_ticks(creation_time)
    end_ticks = timestamp_ticks(end_time)
    log_item = {
        'id': item.get('id'),
        'usn': usn_of(item),
        'status': status,
        'title': title,
        'message': message,
        'creation_time': creation_time,
        'end_time': end_time,
        'duration_seconds': _seconds_between(start_ticks, end_ticks),
    }
    return log_item, start_ticks, end_ticks


def usn_of(item):
    """The item's usn when it is the whole number the API promises, else None (never a server's text)."""
    usn = item.get('usn')
    return usn if isinstance(usn, int) and not isinstance(usn, bool) else None


def status_of(item):
    """The normalised status of a raw item alone, for the counts-only path."""
    if 'type' in item and item.get('title') is None:
        return normalize_status(item.get('type'))
    title = item.get('title')
    match = _TITLE_PREFIX.match(title) if isinstance(title, str) else None
    return normalize_status(match.group(1)) if match else 'Unknown'


def status_title_message(item):
    """(status, title, message) of a raw item: v5-v7 read the title's bracketed word, v8 has type and message."""
    title = item.get('title')
    if title is not None or 'type' not in item:
        text = title if isinstance(title, str) else ''
        match = _TITLE_PREFIX.match(text)
        if match:
            return normalize_status(match.group(1)), title, text[match.end():]
        return 'Unknown', title, text
    kind = item.get('type')
    message = item.get('message') or ''
    return normalize_status(kind), ('[%s] %s' % (kind, message) if kind else message), message


def _same_form(value, bound):
    """Whether value has the fixed 33-character form and the offset of bound (a parsed timestamp)."""
    return len(value) == 33 and len(bound) == 33 and value[27:] == bound[27:] and value[19] == '.'


class LogItemSummary:
    """Counts and time bounds of the items that were kept, built one item at a time."""

    def __init__(self):
        self.total = 0
        self.by_status = dict((status, 0) for status in STATUSES)
        self._first = None
        self._last = None

    def add_parts(self, status, created, ended, start_ticks=None, end_ticks=None):
        """Count one item from its parts, for callers that keep no log item (include_items false)."""
        self.total += 1
        self.by_status[status] += 1
        first, last = self._first, self._last
        # A time written like the current bound, with the same offset, orders as a string: one that
        # cannot win is not parsed. One that may win is parsed, which also rejects a malformed one.
        if created and (first is None or not _same_form(created, first[1]) or created < first[1]):
            ticks = start_ticks if start_ticks is not None else timestamp_ticks(created)
            if ticks is not None and (first is None or ticks < first[0]):
                self._first = (ticks, created)
        if ended and (last is None or not _same_form(ended, last[1]) or ended > last[1]):
            ticks = end_ticks if end_ticks is not None else timestamp_ticks(ended)
            if ticks is not None and (last is None or ticks > last[0]):
                self._last = (ticks, ended)

    def as_dict(self):
        return {
            'total': self.total,
            'by_status': dict(self.by_status),
            'first_creation_time': self._first[1] if self._first else None,
            'last_end_time': self._last[1] if self._last else None,
        }


def session_verdict(session_status, by_status=None):
    """One word for a session: its status, made worse by what its operations say.

    A running session is Running whatever it has logged so far; otherwise an operation with
    Error (then Warning, then Stop) outweighs a better session status.
    """
    counts = by_status or {}
    if session_status == 'Running':
        return 'Running'
    for status in ('Error', 'Warning', 'Stop'):
        if session_status == status or counts.get(status):
            return status
    return 'Success' if session_status == 'Success' else 'Unknown'

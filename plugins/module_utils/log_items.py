# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vb365.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Read every log item (operation) of one job session, filtered and summarised on the way.

One pipeline serves every option: pages -> each item once -> newer than since_usn -> status ->
at most max_items -> summary (and the items, when they are wanted). Pages are normalised and
dropped one at a time: with ``include_items`` false nothing but the counts (and, with max_items,
at most that many small entries) is kept, so a session of a million operations needs no more
memory than one page, in either reading direction.
"""

from __future__ import annotations

import collections
import itertools

from ansible_collections.vb365.backup.plugins.module_utils.normalize import (
    LogItemSummary, normalize_log_item_with_ticks, status_of, usn_of)
from ansible_collections.vb365.backup.plugins.module_utils.vb365_api import path_id

ATTENTION_STATUSES = ('Warning', 'Error')


def _usn_order(log_item):
    usn = log_item['usn']
    return -1 if usn is None else usn


def _unique(pages):
    """Raw items of all pages, each once.

    Offset pages over a session that is still running shift while they are read, so the end of
    one page can come again at the start of the next. Only the previous page's keys are kept:
    enough to catch that, without a set that grows with the session. An item is the same item when
    both its id and its usn are: one id with another usn is another operation, and items without an
    id are never merged.
    """
    previous_keys = set()
    for results in pages:
        current_keys = set()
        for raw in results:
            if not isinstance(raw, dict):
                continue
            item_id = raw.get('id')
            if item_id is not None:
                key = (str(item_id), usn_of(raw))
                if key in previous_keys or key in current_keys:
                    continue
                current_keys.add(key)
            yield raw
        previous_keys = current_keys


# One wanted item: what the summary needs, and the normalised item when one was built.
_Entry = collections.namedtuple('_Entry', 'usn status created ended start_ticks end_ticks log_item')


class _Reading:
    """The wanted items of a stream of raw items, remembering the highest usn read."""

    def __init__(self, raws, since_usn, newest_first, statuses, include_items, attention_statuses=()):
        self.highest_usn = since_usn
        self._raws = raws
        self._since_usn = since_usn
        self._newest_first = newest_first
        self._statuses = statuses
        self._include_items = include_items
        self._attention_statuses = attention_statuses

    def __iter__(self):
        since_usn = self._since_usn
        for raw in self._raws:
            usn = usn_of(raw)
            if usn is not None:
                if since_usn is not None and usn <= since_usn:
                    if self._newest_first:
                        return  # Everything after this one is older still.
                    continue
                if self.highest_usn is None or usn > self.highest_usn:
                    self.highest_usn = usn
            if self._include_items:
                log_item, start_ticks, end_ticks = normalize_log_item_with_ticks(raw)
                status = log_item['status']
            else:
                # Counts only: no log item is built, except for the few that need attention.
                status = status_of(raw)
                log_item = start_ticks = end_ticks = None
                if status in self._attention_statuses:
                    log_item, start_ticks, end_ticks = normalize_log_item_with_ticks(raw)
            if self._statuses and status not in self._statuses:
                continue
            yield _Entry(usn, status, raw.get('creationTime'), raw.get('endTime'), start_ticks, end_ticks, log_item)


def collect_log_items(client, job_session_id, page_size=1000, offset=0, max_items=None, statuses=None,
                      since_usn=None, include_items=True, attention_limit=None, each_item=None):
    """The module's result (without ``changed``) for one job session.

    With ``attention_limit`` (0 included), the result also has ``attention``: at most that many Warning
    and Error operations, oldest first, however ``include_items`` is set, and ``attention_left_out``:
    how many of them it leaves out. ``each_item`` is called with
    every returned operation in reading order, so that a caller can write them out without keeping them.
    """
    path = '/JobSessions/%s/LogItems' % path_id(job_session_id, 'the job session')
    # v8 can sort newest first: an incremental poll then reads only the pages with new items.
    newest_first = since_usn is not None and offset == 0 and client.api_version == 'v8'
    pages = client.iter_pages(path, params={'orderAsc': 'false'} if newest_first else None, page_size=page_size,
                              offset=offset)
    attention_statuses = ATTENTION_STATUSES if attention_limit else ()
    reading = _Reading(_unique(pages), since_usn, newest_first, statuses, include_items or each_item is not None,
                       attention_statuses)
    entries = iter(reading)
    if max_items is not None:
        if newest_first:
            # Read newest first, the oldest new items come last: they are the ones a poll returns next.
            entries = collections.deque(entries, maxlen=max_items)
        else:
            entries = itertools.islice(entries, max_items)

    summary = LogItemSummary()
    kept = []
    attention = []
    kept_highest_usn = None
    for entry in entries:
        summary.add_parts(entry.status, entry.created, entry.ended, entry.start_ticks, entry.end_ticks)
        if include_items:
            kept.append(entry.log_item)
        if each_item is not None:
            each_item(entry.log_item)
        if entry.status in attention_statuses:
            attention.append(entry.log_item)
            if len(attention) > attention_limit * 2:
                # Keep the oldest ones without holding every warning of a huge session.
                attention.sort(key=_usn_order)
                del attention[attention_limit:]
        if isinstance(entry.usn, int) and (kept_highest_usn is None or entry.usn > kept_highest_usn):
            kept_highest_usn = entry.usn

    if max_items is not None and summary.total >= max_items:
        # What comes after the last returned item was not returned: the next poll starts right there.
        last_usn = kept_highest_usn if kept_highest_usn is not None else reading.highest_usn
    else:
        last_usn = reading.highest_usn
    kept.sort(key=_usn_order)
    result = {
        'log_items': kept,
        'summary': summary.as_dict(),
        'job_session_id': job_session_id,
        'api_version': client.api_version,
        'last_usn': last_usn,
    }
    if attention_limit is not None:
        attention.sort(key=_usn_order)
        result['attention'] = attention[:attention_limit]
        by_status = result['summary']['by_status']
        result['attention_left_out'] = by_status['Warning'] + by_status['Error'] - len(result['attention'])
    return result

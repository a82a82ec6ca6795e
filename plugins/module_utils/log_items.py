# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vb365.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Read every log item (operation) of one job session, filtered and summarised on the way.

Pages are normalised and dropped one at a time: with ``include_items`` false nothing but the
counts is kept, so a session of a million operations needs no more memory than one page.
"""

from __future__ import annotations

from ansible_collections.vb365.backup.plugins.module_utils.normalize import (
    LogItemSummary, normalize_log_item_with_ticks, status_of)


def _usn_order(log_item):
    usn = log_item['usn']
    return usn if isinstance(usn, int) else -1


def _unique(pages):
    """Raw items of all pages, each once.

    Offset pages over a session that is still running shift while they are read, so the end of
    one page can come again at the start of the next. Only the previous page's ids are kept:
    enough to catch that, without a set that grows with the session.
    """
    previous_ids = set()
    for results in pages:
        current_ids = set()
        for raw in results:
            item_id = raw.get('id')
            if item_id is not None:
                if item_id in previous_ids or item_id in current_ids:
                    continue
                current_ids.add(item_id)
            yield raw
        previous_ids = current_ids


def collect_log_items(client, job_session_id, page_size=1000, offset=0, max_items=None, statuses=None,
                      since_usn=None, include_items=True):
    """The module's result (without ``changed``) for one job session."""
    path = '/JobSessions/%s/LogItems' % job_session_id
    newest_first = since_usn is not None and offset == 0 and client.api_version == 'v8'
    if newest_first:
        kept, last_usn = _read_newest_first(client, path, page_size, since_usn, statuses)
        if max_items is not None and len(kept) > max_items:
            kept = kept[:max_items]
            last_usn = kept[-1]['usn']
        summary = LogItemSummary()
        for log_item in kept:
            summary.add(log_item)
    else:
        kept, summary, last_usn = _read_oldest_first(client, path, page_size, offset, max_items, statuses,
                                                     since_usn, include_items)
    kept.sort(key=_usn_order)
    return {
        'log_items': kept if include_items else [],
        'summary': summary.as_dict(),
        'job_session_id': job_session_id,
        'api_version': client.api_version,
        'last_usn': last_usn,
    }


def _read_oldest_first(client, path, page_size, offset, max_items, statuses, since_usn, include_items):
    kept = []
    summary = LogItemSummary()
    last_usn = since_usn
    for raw in _unique(client.iter_pages(path, page_size=page_size, offset=offset)):
        usn = raw.get('usn')
        if isinstance(usn, int):
            if since_usn is not None and usn <= since_usn:
                continue
            if last_usn is None or usn > last_usn:
                last_usn = usn
        if include_items:
            log_item, start_ticks, end_ticks = normalize_log_item_with_ticks(raw)
            if statuses and log_item['status'] not in statuses:
                continue
            summary.add(log_item, start_ticks, end_ticks)
            kept.append(log_item)
        else:
            # Counts only: no log item is built (the monitoring path reads whole sessions).
            status = status_of(raw)
            if statuses and status not in statuses:
                continue
            summary.add_parts(status, raw.get('creationTime'), raw.get('endTime'))
        if max_items is not None and summary.total >= max_items:
            # What comes after this item was not read: the next poll must start right here.
            if isinstance(usn, int):
                last_usn = usn
            break
    return kept, summary, last_usn


def _read_newest_first(client, path, page_size, since_usn, statuses):
    # v8 can sort newest first: an incremental poll then reads only the pages with new items.
    kept = []
    last_usn = since_usn
    pages = client.iter_pages(path, params={'orderAsc': 'false'}, page_size=page_size)
    for raw in _unique(pages):
        usn = raw.get('usn')
        if isinstance(usn, int):
            if usn <= since_usn:
                break
            if usn > last_usn:
                last_usn = usn
        log_item = normalize_log_item_with_ticks(raw)[0]
        if not statuses or log_item['status'] in statuses:
            kept.append(log_item)
    kept.sort(key=_usn_order)
    return kept, last_usn

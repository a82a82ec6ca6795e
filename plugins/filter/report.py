# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vb365.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters the job_session_report role's reports are written with.

What a server sends is data: these filters turn it into text that reads as the server's text in
Markdown, HTML and spreadsheets, and never as markup, a formula or a command. Each is documented in
plugins/filter/<name>.yml.
"""

from __future__ import annotations

import calendar
import io
import re
import shlex
import time

from ansible_collections.vb365.backup.plugins.module_utils.export import csv_writer, spreadsheet_cell
from ansible_collections.vb365.backup.plugins.module_utils.normalize import inert, without_lone_surrogates

# Worst first: the order a person triages jobs in.
VERDICT_ORDER = ('Error', 'Missed', 'Warning', 'Stop', 'Running', 'Unknown', 'Disabled', 'Success')
FLEET_CSV_COLUMNS = ('host', 'server', 'api_version', 'organization', 'job_name', 'job_id', 'verdict', 'will_retry',
                     'session_id', 'session_status', 'creation_time', 'end_time', 'duration_seconds', 'operations',
                     'success', 'warning', 'error', 'running', 'stop', 'unknown', 'attention_left_out',
                     'error_message', 'reason')
# The overview CSV's verdict for a server that was not checked, by the role's error_category.
NOT_CHECKED_VERDICTS = {'unreachable': 'Unreachable', 'login_refused': 'LoginRefused', 'failed': 'Failed'}

_UUID = re.compile(r'\A[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\Z')
_TIMESTAMP = re.compile(r'\A\s*(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?\s*'
                        r'(Z|[+-]\d{2}(?::?\d{2})?)?\s*\Z', re.IGNORECASE)
# The characters that start Markdown syntax inside a line: emphasis, code, links and images, raw HTML,
# entities (an & that starts one), headings, table cells and strike-through. Line starts (lists, setext) cannot occur, as line
# breaks become blanks.
_MARKDOWN_SPECIAL = re.compile(r'([\\`*_\[\]<>#|!~]|&(?=#?\w+;))')
_LINE_BREAKS = re.compile(r'[\r\n\u2028\u2029\x0b\x0c\x85]+')
# What varies between repeats of one problem: quoted items, URLs, ids, paths and numbers.
_VARIABLE_PARTS = (
    re.compile(r'"[^"]*"|\'[^\']*\'|\u201c[^\u201d]*\u201d|\u2018[^\u2019]*\u2019|<[^>]*>|\[[^\]]*\]|\([^)]*\)'),
    re.compile(r'\b[a-z][a-z0-9+.-]*://\S+', re.IGNORECASE),
    re.compile(r'\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b', re.IGNORECASE),
    re.compile(r'[\w.+-]+@[\w-]+(\.[\w-]+)+'),
    re.compile(r'\d+([.,:]\d+)*'),
)


def report_safe(data):
    """The data with every lone surrogate in its texts (keys too) replaced, so that a report can be written."""
    if isinstance(data, str):
        return without_lone_surrogates(data)
    if isinstance(data, dict):
        return dict((report_safe(key), report_safe(value)) for key, value in data.items())
    if isinstance(data, (list, tuple)):
        return [report_safe(value) for value in data]
    return data


def md_escape(text):
    """Text as one line of Markdown that shows the text itself: no table break, heading, link or HTML."""
    if text is None:
        return ''
    text = without_lone_surrogates(str(text))
    text = _LINE_BREAKS.sub(' ', text).strip()
    return _MARKDOWN_SPECIAL.sub(r'\\\1', text)


def _parse_time(text):
    match = _TIMESTAMP.match(text) if isinstance(text, str) else None
    if not match:
        return None
    year, month, day, hour, minute, second, zone = match.groups()
    try:
        seconds = calendar.timegm((int(year), int(month), int(day), int(hour), int(minute), int(second or 0)))
    except (ValueError, OverflowError):
        return None
    offset = None
    if zone:
        if zone.upper() == 'Z':
            offset = 0
        else:
            digits = zone[1:].replace(':', '')
            offset = (-1 if zone[0] == '-' else 1) * (int(digits[:2]) * 60 + int(digits[2:4] or 0))
    return match, seconds - (offset or 0) * 60, offset


def report_time(text, default='-'):
    """A server timestamp as a person reads it: 2026-11-30 23:00 +01:00 (unreadable text is kept as it is)."""
    if text is None or text == '':
        return default
    parsed = _parse_time(text)
    if parsed is None:
        return without_lone_surrogates(str(text))
    match, _seconds, offset = parsed
    shown = '%s-%s-%s %s:%s' % match.groups()[:5]
    if offset is not None:
        shown += ' %s%02d:%02d' % ('-' if offset < 0 else '+', abs(offset) // 60, abs(offset) % 60)
    return shown


def worst_first(jobs, attribute='verdict'):
    """Jobs ordered by verdict from the worst (Error) to the best (Success); the server's order within one verdict."""
    def rank(job):
        verdict = job.get(attribute) if isinstance(job, dict) else None
        return VERDICT_ORDER.index(verdict) if verdict in VERDICT_ORDER else len(VERDICT_ORDER)
    return sorted(jobs or [], key=rank)


def _error_count(job):
    summary = job.get('summary') or {}
    return (summary.get('by_status') or {}).get('Error') or 0


def job_reason(job, now=None):
    """Why a job needs a look, in one line, or None: since when a Missed job has not run, or the server's
    details of a session that failed with no failed operation."""
    if not isinstance(job, dict):
        return None
    session = job.get('session') or {}
    if job.get('verdict') == 'Missed':
        started = session.get('creation_time')
        parsed = _parse_time(started) if started else None
        if not started:
            return 'never ran'
        if parsed is None:
            return 'no run since %s' % without_lone_surrogates(str(started))
        now_seconds = time.time() if now is None else float(now)
        days = int((now_seconds - parsed[1]) // 86400)
        return 'no run since %s, %d day%s' % (report_time(started), days, '' if days == 1 else 's')
    details = session.get('details')
    if job.get('verdict') == 'Error' and _error_count(job) == 0 and details:
        return without_lone_surrogates(str(details)).strip()
    return None


def _problem_pattern(message):
    pattern = message
    for part in _VARIABLE_PARTS:
        pattern = part.sub('\x00', pattern)
    return pattern


def group_problems(items):
    """Operations that need attention, the repeats of one problem (the same message but for names, numbers,
    URLs and quoted items) as one entry with a count and the first one as the example, worst first."""
    groups = []
    by_key = {}
    for item in items or []:
        message = without_lone_surrogates(str(item.get('message') or ''))
        key = (item.get('status'), _problem_pattern(message))
        group = by_key.get(key)
        if group is None:
            group = dict(item, message=message, count=0)
            by_key[key] = group
            groups.append(group)
        group['count'] += 1
    return worst_first(groups, 'status')


def session_command(session_id, *extra_arguments):
    """The command that reports on one session, shell-quoted, or None when the id is not a UUID."""
    if not isinstance(session_id, str) or not _UUID.match(session_id):
        return None
    words = ['ansible-playbook', 'vb365.backup.session_report', '-e', 'vb365_job_session_id=%s' % session_id]
    words.extend(str(argument) for argument in extra_arguments)
    return ' '.join(shlex.quote(word) for word in words)


def _not_checked_verdict(server):
    return NOT_CHECKED_VERDICTS.get(server.get('error_category'), 'Failed')


def fleet_csv(servers, now=None):
    """The overview CSV of the role's server results: one row per job, one per server not checked."""
    output = io.StringIO()
    writer = csv_writer(output)
    writer.writerow(FLEET_CSV_COLUMNS)
    for server in servers or []:
        common = {'host': server.get('host'), 'server': server.get('server'), 'api_version': server.get('api_version')}
        if server.get('error'):
            writer.writerow([spreadsheet_cell(value) for value in _row(dict(
                common, verdict=_not_checked_verdict(server), error_message=server.get('error')))])
        for job in worst_first(server.get('jobs')):
            session = job.get('session') or {}
            summary = job.get('summary') or {}
            counts = summary.get('by_status') or {}
            row = dict(common, organization=job.get('organization'), job_name=job.get('job_name'),
                       job_id=job.get('job_id'), verdict=job.get('verdict'), will_retry=job.get('will_retry'),
                       session_id=session.get('id'), session_status=session.get('status'),
                       creation_time=session.get('creation_time'), end_time=session.get('end_time'),
                       duration_seconds=session.get('duration_seconds'), operations=summary.get('total'),
                       attention_left_out=job.get('attention_left_out'), reason=job_reason(job, now))
            row.update((status.lower(), counts.get(status)) for status in
                       ('Success', 'Warning', 'Error', 'Running', 'Stop', 'Unknown'))
            writer.writerow([spreadsheet_cell(value) for value in _row(row)])
    return output.getvalue()


PROTECTION_CSV_COLUMNS = ('organization', 'name', 'id', 'problem', 'license_state', 'is_backed_up', 'last_backup')


def protection_csv(problems, host=None):
    """Every problem user of protection_info as CSV (quoted, formula-safe), with the host in front when given."""
    output = io.StringIO()
    writer = csv_writer(output)
    columns = (('host',) if host is not None else ()) + PROTECTION_CSV_COLUMNS
    writer.writerow(columns)
    for problem in problems or []:
        row = dict(problem, host=host)
        writer.writerow([spreadsheet_cell(row.get(column)) for column in columns])
    return output.getvalue()


def _row(values):
    return [values.get(column) for column in FLEET_CSV_COLUMNS]


class FilterModule:
    """The report filters of vb365.backup."""

    def filters(self):
        return {
            'report_safe': report_safe,
            'md_escape': md_escape,
            'report_time': report_time,
            'worst_first': worst_first,
            'job_reason': job_reason,
            'group_problems': group_problems,
            'session_command': session_command,
            'fleet_csv': fleet_csv,
            'protection_csv': protection_csv,
            # The event source's rule, for what the role hands on as AWX artifacts (extra vars next).
            'inert': inert,
        }

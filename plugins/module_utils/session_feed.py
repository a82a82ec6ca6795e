# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vb365.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Job sessions that reached a final status, one event each, never twice.

The reader behind the vb365.backup.job_sessions event source, blocking and free of asyncio so that
it can be tested on its own. Each API version has its own way to learn of a finished session:

- v8: the /v8/Events change feed, long-polled with timeoutSeconds; JobSessionUpdate events carry
  only id, job id and status, so the session is fetched. An outdated change token falls back to
  catching up by listing sessions, then the feed starts again from latest.
- v7: /v7/JobSessions/Changes with its change token (whole sessions, no long poll).
- v6 and v5: listing /JobSessions (v6 narrows it with endTimeLowerBound) with an overlap, and a
  memory of the sessions already sent that covers the whole overlap.

What the server sends is data: a session whose id (or job id) is not a UUID is logged and skipped,
and every text of an event is made inert for Jinja (see ``inert``) before it leaves the feed.

The cursor (change token or end-time watermark, and the recent session ids) moves only when the
caller commits, after the event was queued (and, with feedback, taken by the engine).
"""

from __future__ import annotations

import collections
import json
import os
import tempfile
import time
import uuid

from ansible_collections.vb365.backup.plugins.module_utils.job_sessions import (
    FINAL_STATUSES, find_job, find_job_by_id, list_jobs, normalize_session, session_pages)
from ansible_collections.vb365.backup.plugins.module_utils.log_items import collect_log_items
from ansible_collections.vb365.backup.plugins.module_utils.normalize import inert, session_verdict, timestamp_ticks
from ansible_collections.vb365.backup.plugins.module_utils.vb365_api import (
    MAX_PAGE_SIZE, RETRY_STATUSES, Vb365Error, is_uuid)

STATE_FORMAT = 2
# Format 1 kept the ids without their end times; such a file is read, its ids kept until they age out.
READABLE_FORMATS = (1, 2)
# Ids kept whatever their age when the server gave no end time (they cannot age out of the overlap).
RECENT_KEPT = 2000
DEFAULT_INTERVAL = 30
FEED_PAGE = 1000
# Sessions are listed again this far behind the newest end time seen, so that one whose end time the
# server writes late (or a clock that differs) is not missed; the recent ids keep it from being sent twice.
OVERLAP_SECONDS = 600
TICKS_PER_SECOND = 10000000


def is_transient(error):
    """Whether a failure is worth trying again later (the source then waits and retries, forever)."""
    return error.kind in ('connection', 'timeout') or (error.kind == 'http' and error.status in RETRY_STATUSES)


def is_gone(error):
    # Retention deleted the session between the feed's word of it and the read.
    return error.kind == 'http' and error.status == 404


def event_uuid(server, session_id):
    # The same session on the same server is the same event, however often it is sent.
    return str(uuid.uuid5(uuid.NAMESPACE_URL, '%s/JobSessions/%s' % (server, str(session_id).lower())))


class Cursor:
    """Where the feed stands: a change token (v7, v8), an end-time watermark and the ids already sent.

    ``sent`` maps each id to its end time. A listing reaches back OVERLAP_SECONDS behind the watermark,
    so every id whose end time is within that window is kept, however many there are; only older ones,
    which no listing returns again, are forgotten (and ids without an end time beyond RECENT_KEPT).
    """

    def __init__(self, server=None, change_token=None, last_end_time=None, sent=()):
        self.server = server
        self.change_token = change_token
        self.last_end_time = last_end_time
        if isinstance(sent, dict):
            sent = sent.items()
        else:
            sent = ((session_id, None) for session_id in sent)
        self.sent = collections.OrderedDict(
            (str(session_id).lower(), end if timestamp_ticks(end) is not None else None) for session_id, end in sent)
        self._prune_above = RECENT_KEPT

    def was_sent(self, session_id):
        return str(session_id).lower() in self.sent

    def mark_sent(self, session_id, end_time):
        self.sent[str(session_id).lower()] = end_time if timestamp_ticks(end_time) is not None else None
        ticks = timestamp_ticks(end_time)
        if ticks is not None and (self.last_end_time is None or ticks > (timestamp_ticks(self.last_end_time) or 0)):
            self.last_end_time = end_time
        if len(self.sent) > self._prune_above:
            self.prune()

    def prune(self):
        """Forget the ids no listing can return again; amortised, so a big overlap stays linear."""
        horizon = (timestamp_ticks(self.last_end_time) or 0) - OVERLAP_SECONDS * TICKS_PER_SECOND
        kept = collections.OrderedDict()
        undated = [session_id for session_id, end in self.sent.items() if end is None]
        undated = set(undated[-RECENT_KEPT:])
        for session_id, end in self.sent.items():
            if end is None:
                if session_id in undated:
                    kept[session_id] = end
            elif timestamp_ticks(end) >= horizon:
                kept[session_id] = end
        self.sent = kept
        self._prune_above = max(RECENT_KEPT, 2 * len(kept))

    def as_dict(self):
        return {'format': STATE_FORMAT, 'server': self.server, 'change_token': self.change_token,
                'last_end_time': self.last_end_time, 'sent': dict(self.sent)}

    def save(self, path):
        """Write the cursor atomically: a crash leaves the old file or the new one, never half of one."""
        folder = os.path.dirname(os.path.abspath(path))
        descriptor, temporary = tempfile.mkstemp(prefix='.vb365-state-', dir=folder)
        try:
            with os.fdopen(descriptor, 'w') as handle:
                json.dump(self.as_dict(), handle)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temporary, path)
        except BaseException:
            if os.path.exists(temporary):
                os.remove(temporary)
            raise

    @classmethod
    def load(cls, path, server):
        """``(cursor, note, path to write)``: the saved cursor of this server, or a new one.

        The source writes only a file it wrote itself for this server. Anything else at the path (a
        folder, a file it cannot read, another program's JSON, another server's cursor) is kept as it
        is: the source then starts from now and keeps its cursor in memory only, and ``note`` says why
        and what to do. The path to write is then None.
        """
        if not path or not os.path.lexists(path):
            return cls(server), None, path or None
        keep = ('The file is left as it is, and this run keeps its cursor in memory only (a restart starts '
                'from now again): give this source a state_file of its own, or remove that file.')
        if os.path.isdir(path):
            return cls(server), 'state_file %s is a folder, not a file; starting from now. %s' % (path, keep), None
        try:
            with open(path) as handle:
                saved = json.load(handle)
        except (IOError, OSError, ValueError) as exc:
            return cls(server), ('state_file %s cannot be read as JSON (%s); starting from now. %s'
                                 % (path, exc, keep)), None
        problem = _state_problem(saved)
        if problem:
            return cls(server), ('state_file %s is not a cursor this source wrote (%s); starting from now. %s'
                                 % (path, problem, keep)), None
        if saved['server'] != server:
            return cls(server), ('state_file %s is the cursor of %s, not of %s; starting from now. %s'
                                 % (path, saved['server'], server, keep)), None
        return cls(server, saved.get('change_token'), saved.get('last_end_time'), saved.get('sent') or ()), None, path


def _state_problem(saved):
    """What makes a parsed state file unusable, or None."""
    if not isinstance(saved, dict):
        return 'a JSON %s, not an object' % type(saved).__name__
    if saved.get('format') not in READABLE_FORMATS or isinstance(saved.get('format'), bool):
        return 'format %r' % (saved.get('format'),)
    if not isinstance(saved.get('server'), str):
        return 'server is not a text'
    token = saved.get('change_token')
    if token is not None and (isinstance(token, bool) or not isinstance(token, (str, int))):
        return 'change_token is not a text'
    last = saved.get('last_end_time')
    if last is not None and (not isinstance(last, str) or timestamp_ticks(last) is None):
        return 'last_end_time is not a date and time'
    sent = saved.get('sent')
    if sent is None:
        return None
    if isinstance(sent, list):
        if not all(isinstance(session_id, str) for session_id in sent):
            return 'sent holds something other than ids'
    elif isinstance(sent, dict):
        if not all(end is None or isinstance(end, str) for end in sent.values()):
            return 'sent holds something other than end times'
    else:
        return 'sent is not a list or an object'
    return None


class SessionFeed:
    """Finished sessions of one server, as events; ``poll`` then ``commit`` each one that was delivered."""

    def __init__(self, client, cursor, statuses=None, job_names=None, job_ids=None, attention_limit=10,
                 long_poll_seconds=30, log=None, clock=time.time):
        self.client = client
        self.cursor = cursor
        self.statuses = set(statuses or FINAL_STATUSES)
        self._job_names = list(job_names or ())
        self._job_ids = list(job_ids or ())
        self.attention_limit = attention_limit
        self.long_poll_seconds = long_poll_seconds
        self._log = log or (lambda message: None)
        self._clock = clock
        self._names_by_id = {}
        self.wanted_job_ids = None
        self._pending_token = None
        # Texts already logged as refused, so that a listing that returns them at every poll logs them once.
        self._refused = set()
        # Whether the last poll saw any change at all, wanted or not: a long poll that saw none and came
        # back at once is not repeated at once, but one that saw a session start is.
        self.saw_changes = False

    # -- start ------------------------------------------------------------------------------------

    def start(self):
        """Settle the version, resolve job names, and place a new cursor at now. Returns the API version."""
        version = self.client.api_version
        self._refresh_jobs()
        if self._job_names or self._job_ids:
            jobs = self._jobs
            chosen = [find_job(jobs, name) for name in self._job_names]
            chosen += [find_job_by_id(jobs, job_id) for job_id in self._job_ids]
            self.wanted_job_ids = set(str(job['id']).lower() for job in chosen)
        if version in ('v7', 'v8') and self.cursor.change_token is None:
            self.cursor.change_token = self._latest_token()
        if self.cursor.last_end_time is None:
            # Sessions that ended before the first start are history, not events.
            self.cursor.last_end_time = _format_ticks(int(self._clock() * TICKS_PER_SECOND))
        return version

    def _refresh_jobs(self):
        self._jobs = list_jobs(self.client)
        self._names_by_id = dict((str(job.get('id')).lower(), job.get('name')) for job in self._jobs)

    def _latest_token(self):
        path = '/Events' if self.client.api_version == 'v8' else '/JobSessions/Changes'
        return self.client.get(path, params={'from': 'latest'}).get('nextChangeToken')

    # -- poll -------------------------------------------------------------------------------------

    def poll(self):
        """Raw finished sessions not sent yet, oldest end first. v8 waits up to long_poll_seconds for one."""
        version = self.client.api_version
        if version == 'v8':
            candidates = self._poll_events()
        elif version == 'v7':
            candidates = self._poll_changes()
        else:
            candidates = self._poll_listing()
        wanted = []
        seen = set()
        for raw in candidates:
            if not self._acceptable(raw):
                continue
            session_id = str(raw.get('id')).lower()
            if session_id in seen or self.cursor.was_sent(session_id):
                continue
            seen.add(session_id)
            session = normalize_session(raw, self._names_by_id)
            if session['status'] not in FINAL_STATUSES:
                continue
            if self.wanted_job_ids is not None and str(session['job_id']).lower() not in self.wanted_job_ids:
                continue
            if session['status'] not in self.statuses:
                # Not wanted, but settled: remember it so that a later overlap does not look at it again.
                self.cursor.mark_sent(session_id, session['end_time'])
                continue
            wanted.append(raw)
        wanted.sort(key=lambda raw: timestamp_ticks(raw.get('endTime')) or 0)
        return wanted

    def _acceptable(self, raw, asked=None):
        """Whether a session the server sent has UUIDs where the API promises them (else it is skipped).

        Only UUIDs go into request paths, state files and events, so a server's text cannot become a
        path, a file name or a template through them.
        """
        if not isinstance(raw, dict):
            return self._refuse('a session that is not a JSON object')
        session_id = raw.get('id')
        if not is_uuid(session_id):
            return self._refuse('a session whose id is not a UUID (%s)' % _shown(session_id))
        if asked is not None and session_id.lower() != asked.lower():
            return self._refuse('session %s when asked for session %s' % (session_id, asked))
        job_id = normalize_session(raw)['job_id']
        if job_id is not None and not is_uuid(job_id):
            return self._refuse('session %s whose job id is not a UUID (%s)' % (session_id, _shown(job_id)))
        return True

    def _refuse(self, what):
        if what not in self._refused:
            self._refused.add(what)
            self._log('skipped %s: the server sent it, no event is sent for it.' % what)
        return False

    def _poll_events(self):
        try:
            page = self.client.get('/Events', params={'from': self.cursor.change_token, 'limit': FEED_PAGE,
                                                      'timeoutSeconds': self.long_poll_seconds})
        except Vb365Error as exc:
            if exc.error_code != 'OutdatedChangeToken':
                raise
            return self._catch_up('the change token is outdated')
        self._pending_token = page.get('nextChangeToken') or self.cursor.change_token
        self.saw_changes = bool(page.get('results'))
        finished = []
        fetched = set()
        for event in page.get('results') or ():
            if event.get('eventType') != 'JobSessionUpdate':
                continue
            if str(event.get('status')) not in ('Success', 'Warning', 'Failed', 'Stopped'):
                continue
            if not is_uuid(event.get('id')):
                self._refuse('a feed event whose session id is not a UUID (%s)' % _shown(event.get('id')))
                continue
            if self.cursor.was_sent(event['id']) or event['id'] in fetched:
                continue
            fetched.add(event['id'])
            # The event says little: the session itself has the times, the statistics and the job.
            try:
                raw = self.client.get('/JobSessions/%s' % event['id'])
            except Vb365Error as exc:
                if not is_gone(exc):
                    raise
                # The change token moves past it with the rest of the page.
                self._log('session %s ended but is gone from the server (HTTP 404, deleted by retention?); '
                          'no event is sent for it.' % event['id'])
                continue
            if self._acceptable(raw, asked=event['id']):
                finished.append(raw)
        return finished

    def _poll_changes(self):
        try:
            page = self.client.get('/JobSessions/Changes', params={'from': self.cursor.change_token,
                                                                   'limit': FEED_PAGE})
        except Vb365Error as exc:
            if exc.error_code != 'OutdatedChangeToken':
                raise
            return self._catch_up('the change token is outdated')
        self._pending_token = page.get('nextChangeToken') or self.cursor.change_token
        return list(page.get('results') or ())

    def _catch_up(self, reason):
        self.saw_changes = True
        self._log('%s; catching up by listing the sessions that ended since %s.' % (reason, self.cursor.last_end_time))
        self._pending_token = self._latest_token()
        return self._poll_listing()

    def _poll_listing(self):
        after = (timestamp_ticks(self.cursor.last_end_time) or 0) - OVERLAP_SECONDS * TICKS_PER_SECOND
        params = {}
        if self.client.api_version != 'v5':
            params['endTimeLowerBound'] = _format_ticks(after)
        found = []
        for page in session_pages(self.client, params=params, page_size=FEED_PAGE):
            for raw in page:
                ended = timestamp_ticks(raw.get('endTime'))
                if ended is not None and ended >= after:
                    found.append(raw)
        return found

    # -- events -----------------------------------------------------------------------------------

    def event(self, raw):
        """The event of one finished session: the session, its operation counts and its problems.

        None when the session is gone from the server before its operations were read (commit it all
        the same: it will not come back). Every text in the event is ``inert``.
        """
        session = normalize_session(raw, self._names_by_id)
        if session['job_id'] and session['job_name'] is None:
            # A job created after the start: learn its name once.
            self._refresh_jobs()
            session = normalize_session(raw, self._names_by_id)
        try:
            counted = collect_log_items(self.client, session['id'], page_size=MAX_PAGE_SIZE, include_items=False,
                                        attention_limit=self.attention_limit)
        except Vb365Error as exc:
            if not is_gone(exc):
                raise
            self._log('session %s ended but is gone from the server (HTTP 404, deleted by retention?); '
                      'no event is sent for it.' % session['id'])
            return None
        summary = counted['summary']
        return inert({
            'vb365': {
                'server': self.client.base_url,
                'api_version': self.client.api_version,
                'job_session': session,
                'summary': summary,
                'verdict': session_verdict(session['status'], summary['by_status']),
                'attention': counted['attention'],
                'attention_left_out': counted['attention_left_out'],
            },
            'meta': {'uuid': event_uuid(self.client.base_url, session['id'])},
        })

    def commit(self, raw):
        """The event of this session was delivered: never send it again."""
        self.cursor.mark_sent(raw.get('id'), raw.get('endTime'))

    def commit_poll(self):
        """Every event of the last poll was delivered: the change token may move on."""
        if self._pending_token is not None:
            self.cursor.change_token = self._pending_token
            self._pending_token = None


def _shown(text):
    # A refused id in a log line: inert, and short enough to read.
    shown = inert(repr(text))
    return shown if len(shown) <= 120 else shown[:117] + '...'


def _format_ticks(ticks):
    seconds, fraction = divmod(int(ticks), TICKS_PER_SECOND)
    return '%s.%07dZ' % (time.strftime('%Y-%m-%dT%H:%M:%S', time.gmtime(seconds)), fraction)

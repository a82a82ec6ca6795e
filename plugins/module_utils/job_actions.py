# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vb365.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Start, stop, enable and disable a job, idempotently, and follow the session a start creates.

The job's state is read before anything is sent, so a second run changes nothing. A start is the
one request that is not safe to repeat: it is sent once, and when its answer is lost the job's
sessions tell whether it ran. v8 answers a start with the new session; v6 and v7 answer 204, and
the new session is the job's session that was not there before.
"""

from __future__ import annotations

import time

from ansible_collections.vb365.backup.plugins.module_utils.job_sessions import (
    FINAL_STATUSES, normalize_session, session_pages)
from ansible_collections.vb365.backup.plugins.module_utils.jobs import collect_jobs
from ansible_collections.vb365.backup.plugins.module_utils.log_items import collect_log_items
from ansible_collections.vb365.backup.plugins.module_utils.normalize import session_verdict, timestamp_ticks
from ansible_collections.vb365.backup.plugins.module_utils.vb365_api import MAX_PAGE_SIZE, Vb365Error, is_uuid

JOB_STATES = ('enabled', 'disabled', 'started', 'stopped')
# The options vb365.backup.job and vb365.backup.jobs share; each module documents them in its own words.
ACTION_OPTIONS = dict(
    state=dict(type='str', required=True, choices=list(JOB_STATES)),
    full=dict(type='bool', default=False),
    wait=dict(type='bool', default=False),
    wait_timeout=dict(type='int', default=3600),
)
# How long the session of a start is looked for when the answer did not name it (v6, v7, a lost answer).
SESSION_APPEAR_SECONDS = 30
SESSION_LOOK_INTERVAL_SECONDS = 2
# Polls of a running session start often, for short runs, and settle at this interval for long ones.
WAIT_POLL_MAX_SECONDS = 15
ATTENTION_LIMIT = 10
SESSION_PAGE_SIZE = 1000


class JobActionError(Vb365Error):
    """A refused or uncertain action; ``details`` (job, session) go into the task's failure result.

    ``sent`` says that the action's POST went out (it may have changed the job), so the result says changed.
    """

    def __init__(self, message, kind='action', cause=None, sent=False, **details):
        super().__init__(message, kind=kind, status=getattr(cause, 'status', None),
                         method=getattr(cause, 'method', None), path=getattr(cause, 'path', None),
                         server_message=getattr(cause, 'server_message', None),
                         error_code=getattr(cause, 'error_code', None))
        self.details = details
        self.sent = sent


def _sleep(seconds):
    time.sleep(seconds)


def _monotonic():
    return time.monotonic()


def _checked_id(value, what):
    # Ids go into request paths: one the server sent that is not a UUID is refused, never followed.
    if not is_uuid(value):
        raise Vb365Error('The server sent %s id that is not a UUID (%r): refusing to use it in a request.'
                         % (what, str(value)[:80]), kind='protocol')
    return value


class _Job:
    """One job as jobs_info shows it, with its sessions as job_sessions_info shows them."""

    def __init__(self, client, record):
        self.client = client
        self.record = record
        self.id = _checked_id(record['id'], 'a job')
        self.name = record['name']
        self.names = {self.id.lower(): self.name}

    def sessions(self):
        return [normalize_session(_session_object(raw, 'a session of job %r' % self.name), self.names, self.id)
                for page in session_pages(self.client, self.id, page_size=SESSION_PAGE_SIZE) for raw in page]

    def session(self, session_id):
        raw = _session_object(self.client.get('/JobSessions/%s' % _checked_id(session_id, 'a session')),
                              'the session %s' % session_id)
        # A mixed-up answer (a proxy, a hostile server) would make the wait follow another session.
        if str(raw.get('id')).lower() != str(session_id).lower():
            raise Vb365Error('Asked for session %s, the server answered with session %r.'
                             % (session_id, str(raw.get('id'))[:80]), kind='protocol')
        return normalize_session(raw, self.names, self.id)


def _session_object(raw, what):
    if not isinstance(raw, dict):
        raise Vb365Error('The server sent %s as %s, not an object.' % (what, type(raw).__name__), kind='protocol')
    return raw


def _newest(sessions):
    return max(sessions, key=lambda session: timestamp_ticks(session['creation_time']) or 0) if sessions else None


def running_session(sessions):
    """The job's newest session that has not ended, or None."""
    return _newest([session for session in sessions if session['status'] == 'Running'])


def _look_for_new_session(job, known_ids):
    """The newest session of the job that is not one of known_ids, looked for a while, or None."""
    deadline = _monotonic() + SESSION_APPEAR_SECONDS
    while True:
        new = [session for session in job.sessions() if str(session['id']).lower() not in known_ids]
        if new:
            return _newest(new)
        remaining = deadline - _monotonic()
        if remaining <= 0:
            return None
        _sleep(min(SESSION_LOOK_INTERVAL_SECONDS, remaining))


def _answer_lost(exc):
    # The server may have acted on a POST whose answer timed out, broke off or was a server error.
    return exc.kind in ('timeout', 'connection') or (exc.kind == 'http' and (exc.status or 0) >= 500)


def _refusal(exc, action, job):
    if exc.kind != 'http':
        return exc
    said = exc.server_message or 'no reason given'
    code = ' (errorCode %s)' % exc.error_code if exc.error_code else ''
    return JobActionError('The server refused to %s job %r (HTTP %s on %s %s): %s%s.'
                          % (action, job.name, exc.status, exc.method, exc.path, said.rstrip('.'), code),
                          kind='http', cause=exc, job=job.record)


def _start(job, known_ids, full, warn):
    path = '/Jobs/%s/start' % job.id
    try:
        answer = job.client.post_once(path, {'full': full})
    except Vb365Error as exc:
        if not _answer_lost(exc):
            raise _refusal(exc, 'start', job)
        unknown = ('It is not known whether job %r started: the start got no usable answer (%s). This module never '
                   'sends a start twice; look at the job\'s sessions (vb365.backup.job_sessions_info with job_name) before '
                   'starting it again.' % (job.name, exc.message))
        try:
            session = _look_for_new_session(job, known_ids)
        except Vb365Error as read_exc:
            raise JobActionError('%s Reading its sessions afterwards failed too: %s' % (unknown, read_exc.message),
                                 kind='unknown_outcome', cause=exc, sent=True, job=job.record)
        if session is None:
            raise JobActionError('%s No new session of it appeared within %d s.' % (unknown, SESSION_APPEAR_SECONDS),
                                 kind='unknown_outcome', cause=exc, sent=True, job=job.record)
        warn('The start of job %r got no usable answer (%s), but the job did start: session %s. The start was not sent '
             'again.' % (job.name, exc.message, session['id']))
        return session
    try:
        if isinstance(answer, dict) and answer.get('id'):
            _checked_id(answer['id'], 'a session')
            return normalize_session(answer, job.names, job.id)
        session = _look_for_new_session(job, known_ids)
    except Vb365Error as exc:
        raise JobActionError('Job %r was started, but its new session could not be read: %s Look at its sessions with '
                             'vb365.backup.job_sessions_info before starting it again.' % (job.name, exc.message),
                             kind='unknown_outcome', cause=exc, sent=True, job=job.record)
    if session is None:
        raise JobActionError('Job %r was started (the server answered without a session), but no new session of it '
                             'appeared within %d s. Look at its sessions with vb365.backup.job_sessions_info before '
                             'starting it again.' % (job.name, SESSION_APPEAR_SECONDS), kind='unknown_outcome',
                             sent=True, job=job.record)
    return session


def _still_running(job, session, wait_timeout):
    return JobActionError(
        'Job %r is still running after wait_timeout (%d s): session %s has status %s. Nothing was stopped. '
        'Follow it with vb365.backup.job_sessions_info (job_session_id: %s), or run again with a longer '
        'wait_timeout.' % (job.name, wait_timeout, session['id'], session['status'], session['id']),
        kind='wait_timeout', job=job.record, session=session)


def _ending(job, session):
    counted = collect_log_items(job.client, session['id'], page_size=MAX_PAGE_SIZE, include_items=False,
                                attention_limit=ATTENTION_LIMIT)
    summary = counted['summary']
    return {'verdict': session_verdict(session['status'], summary and summary['by_status']),
            'summary': summary, 'attention': counted['attention'], 'attention_left_out': counted['attention_left_out']}


def _lost_track(job, session, exc):
    return JobActionError('Job %r runs session %s, but following it failed: %s Look at it with '
                          'vb365.backup.job_sessions_info (job_session_id: %s).'
                          % (job.name, session['id'], exc.message, session['id']),
                          kind=exc.kind, cause=exc, job=job.record, session=session)


def _wait_for_ends(followed, wait_timeout, max_delay=WAIT_POLL_MAX_SECONDS):
    """Wait for every (job, session) of followed at once: one poll round reads each session still running.

    Returns, in the same order, (session as it ended, its verdict and counts) or the JobActionError of that job
    (still running at wait_timeout, or a read that failed), so that one job's trouble does not end the others' wait.
    """
    deadline = _monotonic() + wait_timeout
    sessions = [session for _job, session in followed]
    outcomes = {}
    delay = 1
    while True:
        pending = [index for index, session in enumerate(sessions)
                   if index not in outcomes and session['status'] not in FINAL_STATUSES]
        remaining = deadline - _monotonic()
        if not pending or remaining <= 0:
            break
        _sleep(min(delay, remaining))
        delay = min(delay * 2, max_delay)
        for index in pending:
            try:
                sessions[index] = followed[index][0].session(sessions[index]['id'])
            except Vb365Error as exc:
                outcomes[index] = _lost_track(followed[index][0], sessions[index], exc)
    for index, ((job, _started), session) in enumerate(zip(followed, sessions)):
        if index in outcomes:
            continue
        if session['status'] not in FINAL_STATUSES:
            outcomes[index] = _still_running(job, session, wait_timeout)
            continue
        try:
            outcomes[index] = (session, _ending(job, session))
        except Vb365Error as exc:
            outcomes[index] = _lost_track(job, session, exc)
    return [outcomes[index] for index in range(len(followed))]


def _plan(state, job, running):
    """(action to send or None, what it would do, the state afterwards) for the wanted state."""
    enabled, is_running = job.record['enabled'], running is not None
    if state == 'enabled':
        return ('enable' if not enabled else None), {'enabled': True, 'running': is_running}
    if state == 'disabled':
        return ('disable' if enabled else None), {'enabled': False, 'running': is_running}
    if state == 'stopped':
        return ('stop' if is_running else None), {'enabled': enabled, 'running': False}
    if is_running:
        return None, {'enabled': enabled, 'running': True}
    if not enabled:
        raise JobActionError('Job %r is disabled and cannot start: enable it first, or use state: enabled.'
                             % job.name, kind='config', job=job.record)
    return 'start', {'enabled': True, 'running': True}


DONE = {'enable': 'Enabled', 'disable': 'Disabled', 'start': 'Started', 'stop': 'Stopped'}
ALREADY = {'enabled': 'is already enabled', 'disabled': 'is already disabled', 'started': 'is already running',
           'stopped': 'is not running'}


def _find_jobs(client, state, names=None, job_ids=None):
    """The jobs named or identified, read in one listing, after the checks that need no request."""
    if state not in JOB_STATES:
        raise Vb365Error('state must be one of %s, not %r.' % (', '.join(JOB_STATES), state), kind='config')
    if client.api_version == 'v5':
        raise Vb365Error('Acting on jobs needs REST API v6 or newer, and %s is used with v5 (VBO 5): upgrade the '
                         'server, or set api_version to auto or v6 or newer if it serves one.' % client.base_url,
                         kind='version')
    found = collect_jobs(client, job_names=names or None, job_ids=job_ids or None, enabled_only=False)
    jobs, seen = [], set()
    for record in found['jobs']:
        job = _Job(client, record)
        # Two listed jobs with one id are one job: it is acted on once.
        if job.id.lower() not in seen:
            seen.add(job.id.lower())
            jobs.append(job)
    return jobs


def _act(job, state, full, check_mode, warn):
    """Bring one job to state without waiting: its result so far and the session to wait for, if any."""
    sessions = job.sessions()
    running = running_session(sessions)
    before = {'enabled': job.record['enabled'], 'running': running is not None}
    action, after = _plan(state, job, running)
    session = running
    if action is None:
        message = 'Job %r %s: nothing to do.' % (job.name, ALREADY[state])
    elif check_mode:
        message = 'Job %r would be %s (check mode: nothing was sent).' % (job.name, DONE[action].lower())
        if action == 'start':
            session = None
    else:
        if action == 'start':
            known_ids = set(str(known['id']).lower() for known in sessions)
            session = _start(job, known_ids, full, warn)
        else:
            try:
                job.client.post_once('/Jobs/%s/%s' % (job.id, action))
            except Vb365Error as exc:
                raise _refusal(exc, action, job)
            if session is not None:
                try:
                    session = job.session(session['id'])
                except Vb365Error as exc:
                    raise JobActionError('%s job %r, but reading its session %s again failed: %s'
                                         % (DONE[action], job.name, session['id'], exc.message),
                                         kind=exc.kind, cause=exc, sent=True, job=job.record)
        message = '%s job %r.' % (DONE[action], job.name)
    return {'changed': action is not None, 'diff': {'before': before, 'after': after if action else before},
            'job': job.record, 'session': session, 'msg': message}


def _follows(result, state, wait, check_mode):
    return wait and state in ('started', 'stopped') and result['session'] is not None and not check_mode


def _ended(result, session, ending):
    result.update(ending, session=session)
    result['msg'] += ' Its session %s ended: %s.' % (session['id'], ending['verdict'])


def _noted_session(result):
    if result['session'] is not None and 'verdict' not in result:
        result['msg'] += ' Session: %s (%s).' % (result['session']['id'], result['session']['status'])


def act_on_job(client, state, name=None, job_id=None, full=False, wait=False, wait_timeout=3600, check_mode=False,
               warn=None):
    """The module's result: the job brought to state, its session and, with wait, how that session ended."""
    warn = warn or (lambda message: None)
    job = _find_jobs(client, state, [name] if name is not None else None,
                     [job_id] if job_id is not None else None)[0]
    result = _act(job, state, full, check_mode, warn)
    waited = _follows(result, state, wait, check_mode)
    if waited:
        ended = _wait_for_ends([(job, result['session'])], wait_timeout)[0]
        if isinstance(ended, JobActionError):
            raise ended
        _ended(result, *ended)
    _noted_session(result)
    if waited or (result['changed'] and not check_mode):
        result['job'] = _find_jobs(client, state, job_ids=[job.id])[0].record
    result['api_version'] = client.api_version
    return result


def _failure(exc):
    details = getattr(exc, 'details', {})
    return dict(details, failed=True, msg=exc.message, error=exc.to_dict())


def act_on_jobs(client, state, names=None, job_ids=None, full=False, wait=False, wait_timeout=3600, check_mode=False,
                warn=None, poll_interval=WAIT_POLL_MAX_SECONDS):
    """Many jobs brought to state in one run, each as act_on_job would; with wait, all followed at once.

    Every name and id must match before anything is sent. A job the server refuses, whose start has an unknown
    outcome or that outlives wait_timeout fails on its own (``failed``, ``msg``, ``error`` in its result); the
    others go on. ``results`` keep the server's order of the jobs.
    """
    warn = warn or (lambda message: None)
    jobs = _find_jobs(client, state, names, job_ids)
    results = []
    for job in jobs:
        try:
            results.append(_act(job, state, full, check_mode, warn))
        except Vb365Error as exc:
            results.append(dict(_failure(exc), job=job.record, session=None, changed=getattr(exc, 'sent', False)))
    followed = [(job, result) for job, result in zip(jobs, results)
                if not result.get('failed') and _follows(result, state, wait, check_mode)]
    endings = (_wait_for_ends([(job, result['session']) for job, result in followed], wait_timeout, poll_interval)
               if followed else [])
    for (job, result), ended in zip(followed, endings):
        if isinstance(ended, JobActionError):
            result.update(_failure(ended))
        else:
            _ended(result, *ended)
    for result in results:
        if not result.get('failed'):
            _noted_session(result)
    waited = set(id(result) for _job, result in followed)
    changed_ids = [job.id for job, result in zip(jobs, results)
                   if id(result) in waited or (result['changed'] and not check_mode)]
    if changed_ids:
        try:
            now = dict((job.id, job.record) for job in _find_jobs(client, state, job_ids=changed_ids))
        except Vb365Error as exc:
            # What was sent stays reported: the jobs are shown as they were read before.
            warn('Reading the jobs again after the changes failed (%s); they are shown as read before.' % exc.message)
            now = {}
        for job, result in zip(jobs, results):
            result['job'] = now.get(job.id, result['job'])
    diff = {'before': {}, 'after': {}}
    for result in results:
        for side, state_of_job in result.pop('diff', {}).items():
            diff[side][result['job']['name']] = state_of_job
    failed = [result for result in results if result.get('failed')]
    changed = any(result['changed'] for result in results)
    changed_count = sum(1 for result in results if result['changed'])
    message = '%d job(s): %d changed, %d failed.' % (len(results), changed_count, len(failed))
    if failed:
        message += ' ' + ' '.join(result['msg'] for result in failed)
    return {'changed': changed, 'failed': bool(failed), 'results': results, 'msg': message,
            'api_version': client.api_version, 'diff': diff}

# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vb365.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Find jobs and their sessions on every API version, and give sessions one snake_case shape.

The versions differ: a job's sessions are under /Jobs/{id}/JobSessions in v5 and v6 and behind
/JobSessions?jobId= from v7; /Jobs is a plain array before v8 and a page in v8; v8 filters by
status with its own words (Succeeded, Failed, Stopped).
"""

from __future__ import annotations

import re

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict

from ansible_collections.vb365.backup.plugins.module_utils.normalize import (
    duration_seconds, normalize_status, timestamp_ticks)
from ansible_collections.vb365.backup.plugins.module_utils.vb365_api import Vb365Error, path_id

# Statuses a session keeps once it has ended. Unknown (Queued, NotConfigured, ...) is not one of them.
FINAL_STATUSES = frozenset(('Success', 'Warning', 'Error', 'Stop'))

# Our statuses in v8's /JobSessions?status= words.
V8_STATUS_FILTER = {'Success': 'Succeeded', 'Warning': 'Warning', 'Error': 'Failed', 'Running': 'Running',
                    'Stop': 'Stopped'}


class LookupFailure(Vb365Error):
    """A job name or id that matches no job, or a name that matches more than one."""

    def __init__(self, message):
        super().__init__(message, kind='lookup')


def list_jobs(client, page_size=1000):
    return [job for page in client.iter_pages('/Jobs', page_size=page_size) for job in page]


def find_job(jobs, name):
    """The one job called name: exact match first, then ignoring case."""
    matches = [job for job in jobs if job.get('name') == name]
    if not matches:
        matches = [job for job in jobs if str(job.get('name', '')).lower() == name.lower()]
    if not matches:
        known = ', '.join(sorted(str(job.get('name')) for job in jobs)) or 'none'
        raise LookupFailure('No job is named %r. Jobs on this server: %s.' % (name, known))
    if len(matches) > 1:
        raise LookupFailure('%d jobs are named %r (ids %s): give job_id instead.'
                            % (len(matches), name, ', '.join(str(job.get('id')) for job in matches)))
    return matches[0]


def find_job_by_id(jobs, job_id):
    """The job with this id, so that an unknown id fails as an unknown name does."""
    for job in jobs:
        if str(job.get('id', '')).lower() == job_id.lower():
            return job
    known = ', '.join(sorted('%s (%s)' % (job.get('name'), job.get('id')) for job in jobs)) or 'none'
    raise LookupFailure('No job has the id %s. Jobs on this server: %s.' % (job_id, known))


def linked_id(raw, link, collection):
    """The id a resource's link names, such as .../Jobs/{id} (absolute on v5), or None."""
    href = ((raw.get('_links') or {}).get(link) or {}).get('href') or ''
    match = re.search(r'/%s/([0-9a-fA-F-]{36})' % collection, href)
    return match.group(1) if match else None


def _job_id_of(raw):
    # Before v8 only the job link names the job.
    return raw.get('jobId') or linked_id(raw, 'job', 'Jobs')


def normalize_session(raw, job_names=None, job_id=None):
    session_job_id = _job_id_of(raw) or job_id
    creation_time = raw.get('creationTime')
    end_time = raw.get('endTime')
    statistics = raw.get('statistics')
    return {
        'id': raw.get('id'),
        'job_id': session_job_id,
        'job_name': (job_names or {}).get(str(session_job_id).lower()) if session_job_id else None,
        'status': normalize_status(raw.get('status')),
        'creation_time': creation_time,
        'end_time': end_time,
        'duration_seconds': duration_seconds(creation_time, end_time),
        'progress': raw.get('progress'),
        'retry_count': raw.get('retryCount'),
        'will_be_retried': raw.get('jobWillBeRetried'),
        'details': raw.get('details'),
        'statistics': camel_dict_to_snake_dict(statistics) if isinstance(statistics, dict) else {},
    }


def session_pages(client, job_id=None, params=None, page_size=100):
    """Pages of raw sessions, of one job or of all: /Jobs/{id}/JobSessions before v7, ?jobId= from v7."""
    params = dict(params or {})
    if job_id is not None and client.api_version in ('v5', 'v6'):
        path = '/Jobs/%s/JobSessions' % path_id(job_id, 'a job')
    else:
        path = '/JobSessions'
        if job_id is not None:
            params['jobId'] = job_id
    return client.iter_pages(path, params=params, page_size=page_size)


def collect_sessions(client, job_id=None, job_name=None, job_session_id=None, statuses=None, created_after=None,
                     created_before=None, latest=None, page_size=100, max_items=None):
    """The module's result (without ``changed``): sessions newest first.

    Times are ISO 8601 strings the caller has checked; ``latest`` needs every page read, since the
    API promises no order, so it is not combined with ``max_items``.
    """
    after = timestamp_ticks(created_after) if created_after else None
    before = timestamp_ticks(created_before) if created_before else None
    version = client.api_version
    jobs = list_jobs(client)
    job_names = dict((str(job.get('id')).lower(), job.get('name')) for job in jobs)
    if job_name is not None:
        job_id = find_job(jobs, job_name)['id']
    elif job_id is not None:
        job_id = find_job_by_id(jobs, job_id)['id']

    if job_session_id is not None:
        answered = client.get('/JobSessions/%s' % path_id(job_session_id, 'the job session'))
        answered_id = answered.get('id') if isinstance(answered, dict) else None
        if str(answered_id).lower() != job_session_id.lower():
            # What a report names and files come from the session asked for, never another one.
            raise Vb365Error('GET /JobSessions/%s answered with another session (id %r): the server or a proxy in '
                             'front of it mixes answers up; nothing of it is used.'
                             % (job_session_id, str(answered_id)[:80]), kind='protocol', method='GET',
                             path='/JobSessions/%s' % job_session_id)
        pages = [[answered]]
    else:
        params = {}
        if version == 'v8' and statuses and len(statuses) == 1 and next(iter(statuses)) in V8_STATUS_FILTER:
            params['status'] = V8_STATUS_FILTER[next(iter(statuses))]
        # endTimeLowerBound drops sessions without an end, so it may only stand in for created_after
        # when every wanted status is one a session has after it ended; a session ends after it starts.
        if created_after and version != 'v5' and statuses and statuses <= FINAL_STATUSES:
            params['endTimeLowerBound'] = created_after
        pages = session_pages(client, job_id, params, page_size)

    sessions = []
    for page in pages:
        for raw in page:
            session = normalize_session(raw, job_names, job_id)
            if _wanted(session, statuses, after, before, job_id):
                sessions.append(session)
        if max_items is not None and len(sessions) >= max_items:
            del sessions[max_items:]
            break
    sessions.sort(key=lambda session: timestamp_ticks(session['creation_time']) or 0, reverse=True)
    if latest is not None:
        sessions = sessions[:latest]
    return {'job_sessions': sessions, 'api_version': version}


def _wanted(session, statuses, after, before, job_id):
    if statuses and session['status'] not in statuses:
        return False
    # A server that ignored the job filter is caught here; the job id is the path's or the query's.
    if job_id is not None and str(session['job_id']).lower() != str(job_id).lower():
        return False
    created = timestamp_ticks(session['creation_time'])
    if after is not None and (created is None or created < after):
        return False
    if before is not None and (created is None or created >= before):
        return False
    return True

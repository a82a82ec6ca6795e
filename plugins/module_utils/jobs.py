# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vb365.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every backup job of a server with its organization, newest session, counts and verdict.

Requests grow with the number of jobs, never with the number of operations: one listing of the
jobs and one of the organizations, then per job (when sessions are asked for) its session pages
and the counts-only pages of its newest session's log items.
"""

from __future__ import annotations

import time

from ansible_collections.vb365.backup.plugins.module_utils.job_sessions import (
    LookupFailure, find_job, find_job_by_id, linked_id, list_jobs, normalize_session, session_pages)
from ansible_collections.vb365.backup.plugins.module_utils.log_items import collect_log_items
from ansible_collections.vb365.backup.plugins.module_utils.normalize import (
    normalize_status, session_verdict, timestamp_ticks)
from ansible_collections.vb365.backup.plugins.module_utils.vb365_api import MAX_PAGE_SIZE, is_uuid

TICKS_PER_HOUR = 3600 * 10000000
SESSION_PAGE_SIZE = 1000


def list_organizations(client):
    return [organization for page in client.iter_pages('/Organizations', page_size=SESSION_PAGE_SIZE)
            for organization in page]


def _organization_id_of(raw_job):
    # v8 names it; before v8 only the job's organization link does.
    return raw_job.get('organizationId') or linked_id(raw_job, 'organization', 'Organizations')


def find_organization(organizations, wanted):
    """The organization called or identified by wanted (any case)."""
    for organization in organizations:
        if wanted.lower() in (str(organization.get('id', '')).lower(), str(organization.get('name', '')).lower()):
            return organization
    known = ', '.join(sorted(str(organization.get('name')) for organization in organizations)) or 'none'
    raise LookupFailure('No organization is named or has the id %r. Organizations on this server: %s.'
                        % (wanted, known))


def newest_session(client, job_id, job_names):
    """The job's newest session (by creation time, as the API promises no order), or None."""
    newest, newest_ticks = None, None
    for page in session_pages(client, job_id, page_size=SESSION_PAGE_SIZE):
        for raw in page:
            ticks = timestamp_ticks(raw.get('creationTime'))
            if ticks is not None and (newest_ticks is None or ticks > newest_ticks):
                newest, newest_ticks = raw, ticks
    return normalize_session(newest, job_names, job_id) if newest is not None else None


def job_verdict(enabled, status, started, window_start_ticks, by_status=None):
    """Missed for an enabled job with no run started in the window (Disabled when it is off), else the run's verdict."""
    started_ticks = timestamp_ticks(started)
    if status != 'Running' and (started_ticks is None or started_ticks < window_start_ticks):
        return 'Missed' if enabled else 'Disabled'
    return session_verdict(status, by_status)


def will_retry(session, verdict):
    """Whether the server retries a failed session by itself, so that a retry of ours would run it twice."""
    return bool(session and session.get('will_be_retried')) and verdict == 'Error'


def session_job_result(session, summary, attention, attention_left_out, verdict):
    """One session as an entry of the role's vb365_job_results (the keys jobs mode gives, but enabled)."""
    return {'job_name': session.get('job_name'), 'job_id': session.get('job_id'), 'organization': None,
            'verdict': verdict, 'will_retry': will_retry(session, verdict), 'session': session, 'summary': summary,
            'attention': attention, 'attention_left_out': attention_left_out}


def collect_jobs(client, job_names=None, job_ids=None, organization=None, enabled_only=True,
                 include_last_session=False, attention_limit=10, missed_window_hours=30, now=None):
    """The module's result (without ``changed``): jobs in the server's order, each with its verdict."""
    raw_jobs = list_jobs(client)
    organizations = list_organizations(client)
    organization_names = dict((str(org.get('id')).lower(), org.get('name')) for org in organizations)
    if organization:
        wanted_org = str(find_organization(organizations, organization).get('id')).lower()
        raw_jobs = [raw for raw in raw_jobs if str(_organization_id_of(raw)).lower() == wanted_org]
    if job_names or job_ids:
        # Each name or id must match, as in job_sessions_info; the jobs come back once each, in the server's order.
        chosen = set(id(find_job(raw_jobs, name)) for name in job_names or ())
        chosen.update(id(find_job_by_id(raw_jobs, job_id)) for job_id in job_ids or ())
        raw_jobs = [raw for raw in raw_jobs if id(raw) in chosen]
    elif enabled_only:
        raw_jobs = [raw for raw in raw_jobs if raw.get('isEnabled') is not False]

    job_names_by_id = dict((str(raw.get('id')).lower(), raw.get('name')) for raw in raw_jobs)
    now_ticks = int((now if now is not None else time.time()) * 10000000)
    window_start = now_ticks - missed_window_hours * TICKS_PER_HOUR
    jobs = []
    for raw in raw_jobs:
        org_id = _organization_id_of(raw)
        job = {
            'id': raw.get('id'),
            'name': raw.get('name'),
            'description': raw.get('description'),
            'organization': organization_names.get(str(org_id).lower()) if org_id else None,
            'organization_id': org_id,
            'enabled': raw.get('isEnabled') is not False,
            'backup_type': raw.get('backupType'),
            'last_run': raw.get('lastRun'),
            'next_run': raw.get('nextRun'),
            'last_status': normalize_status(raw.get('lastStatus')),
        }
        if include_last_session:
            session = newest_session(client, raw.get('id'), job_names_by_id)
            counted = {'summary': None, 'attention': [], 'attention_left_out': 0}
            if session is not None and is_uuid(session['id']):
                counted = collect_log_items(client, session['id'], page_size=MAX_PAGE_SIZE, include_items=False,
                                            attention_limit=attention_limit)
            elif session is not None:
                # A server-sent id becomes no request path: the verdict then rests on the session's status.
                client.warn('Job %r: the server gave its newest session the id %r, which is not a UUID; its '
                            'operations were not read.' % (job['name'], str(session['id'])[:80]))
            summary = counted['summary']
            job['session'] = session
            job['summary'] = summary
            job['attention'] = counted['attention']
            job['attention_left_out'] = counted['attention_left_out']
            job['verdict'] = job_verdict(job['enabled'], session and session['status'],
                                         session and session['creation_time'], window_start,
                                         summary and summary['by_status'])
            job['will_retry'] = will_retry(session, job['verdict'])
        else:
            job['verdict'] = job_verdict(job['enabled'], job['last_status'], job['last_run'], window_start)
        jobs.append(job)
    return {'jobs': jobs, 'api_version': client.api_version}

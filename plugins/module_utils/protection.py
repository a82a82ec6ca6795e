# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vb365.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Who is protected: licensed users counted page by page, and the users that need attention.

Memory grows with the problem users, not with all users. On v8 the unprotected users are the
organization's users whose Microsoft id (msid) no protected user has: that needs the set of protected
msids of one organization at a time, and only the msids are kept.
"""

from __future__ import annotations

import time

from ansible_collections.vb365.backup.plugins.module_utils.jobs import find_organization
from ansible_collections.vb365.backup.plugins.module_utils.normalize import timestamp_ticks
from ansible_collections.vb365.backup.plugins.module_utils.vb365_api import MAX_PAGE_SIZE, path_id

LICENSE_STATES = ('Licensed', 'New', 'TemporarilyAssigned', 'Exceeded')
# Most severe first: a user over the licence is not processed at all; one in no job is never seen.
PROBLEMS = ('Exceeded', 'Unprotected', 'NotBackedUp', 'Stale')
TICKS_PER_DAY = 86400 * 10000000


def empty_summary(api_version):
    return {'licensed_users': 0, 'by_license_state': dict((state, 0) for state in LICENSE_STATES),
            'not_backed_up': 0, 'stale': 0, 'unprotected': 0 if api_version == 'v8' else None}


def user_problem(license_state, is_backed_up, last_backup_ticks, stale_before_ticks):
    """The most severe problem of a licensed user, or None."""
    if license_state == 'Exceeded':
        return 'Exceeded'
    if not is_backed_up:
        return 'NotBackedUp'
    if last_backup_ticks is None or last_backup_ticks < stale_before_ticks:
        return 'Stale'
    return None


def protection_verdict(problems):
    kinds = set(problem['problem'] for problem in problems)
    if kinds & {'Exceeded', 'Unprotected'}:
        return 'Error'
    return 'Warning' if kinds else 'Success'


def _add(total, part):
    total['licensed_users'] += part['licensed_users']
    for state, count in part['by_license_state'].items():
        total['by_license_state'][state] = total['by_license_state'].get(state, 0) + count
    total['not_backed_up'] += part['not_backed_up']
    total['stale'] += part['stale']
    if part['unprotected'] is not None:
        total['unprotected'] += part['unprotected']


def _organization(client, organization, stale_before_ticks, problems):
    org_id, org_name = organization.get('id'), organization.get('name')
    summary = empty_summary(client.api_version)
    for page in client.iter_pages('/LicensedUsers', params={'organizationId': org_id}, page_size=MAX_PAGE_SIZE):
        for user in page:
            state = user.get('licenseState')
            state = state if isinstance(state, str) else None
            summary['licensed_users'] += 1
            summary['by_license_state'][state] = summary['by_license_state'].get(state, 0) + 1
            backed_up = bool(user.get('isBackedUp'))
            ticks = timestamp_ticks(user.get('lastBackupDate'))
            if not backed_up:
                summary['not_backed_up'] += 1
            elif ticks is None or ticks < stale_before_ticks:
                summary['stale'] += 1
            problem = user_problem(state, backed_up, ticks, stale_before_ticks)
            if problem:
                problems.append({'id': user.get('id'), 'name': user.get('name'), 'organization': org_name,
                                 'license_state': state, 'is_backed_up': backed_up,
                                 'last_backup': user.get('lastBackupDate'), 'problem': problem})
    if client.api_version == 'v8':
        protected = set()
        for page in client.iter_pages('/ProtectedUsers', params={'organizationId': org_id}, page_size=MAX_PAGE_SIZE):
            protected.update(str(user.get('msid')).lower() for user in page if user.get('msid'))
        users_path = '/Organizations/%s/Users' % path_id(org_id, 'an organization')
        for page in client.iter_pages(users_path, page_size=MAX_PAGE_SIZE):
            for user in page:
                if user.get('msid') and str(user['msid']).lower() not in protected:
                    summary['unprotected'] += 1
                    problems.append({'id': user.get('id'), 'name': user.get('name'), 'organization': org_name,
                                     'license_state': None, 'is_backed_up': False, 'last_backup': None,
                                     'problem': 'Unprotected'})
    return {'id': org_id, 'name': org_name, 'summary': summary}


def collect_protection(client, organizations=None, stale_days=7, now=None):
    """The module's result (without ``changed``)."""
    listed = [org for page in client.iter_pages('/Organizations', page_size=1000) for org in page]
    if organizations:
        wanted = set(id(find_organization(listed, name)) for name in organizations)
        listed = [org for org in listed if id(org) in wanted]
    now_ticks = int((now if now is not None else time.time()) * 10000000)
    stale_before = now_ticks - stale_days * TICKS_PER_DAY
    problems = []
    records = [_organization(client, org, stale_before, problems) for org in listed]
    summary = empty_summary(client.api_version)
    for record in records:
        _add(summary, record['summary'])
    problems.sort(key=lambda problem: PROBLEMS.index(problem['problem']))
    return {'summary': summary, 'organizations': records, 'problems': problems,
            'verdict': protection_verdict(problems), 'api_version': client.api_version}

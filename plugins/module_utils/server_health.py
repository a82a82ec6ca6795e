# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vb365.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Licence, repositories, proxies, health and organizations of one server, each with a verdict and reasons.

The verdict rules are pure functions of what the server sent, so each is unit-tested without HTTP.
"""

from __future__ import annotations

import datetime

from ansible_collections.vb365.backup.plugins.module_utils.normalize import timestamp_ticks

SUBSETS = ('license', 'repositories', 'proxies', 'health', 'organizations')
VERDICT_ORDER = ('Success', 'Warning', 'Error')
PAGE_SIZE = 1000
TICKS_PER_DAY = 86400 * 10000000
GIB = 1024 ** 3


def worst(verdicts):
    """The most severe of the verdicts (Success when there are none)."""
    return max(list(verdicts) or ['Success'], key=VERDICT_ORDER.index)


def _verdict(errors, warnings):
    return 'Error' if errors else 'Warning' if warnings else 'Success'


def _now_ticks(now):
    seconds = now if now is not None else datetime.datetime.now(datetime.timezone.utc).timestamp()
    return int(seconds * 10000000)


def _gigabytes(size):
    return '%d GB' % round(size / float(GIB))


def license_record(raw, api_version, warning_days=30, now=None):
    # v6 names the expiry expirationDate; v7 and v8 licenseExpires (and add gracePeriodExpires).
    expires = raw.get('expirationDate') if api_version == 'v6' else raw.get('licenseExpires')
    if expires is None:
        expires = raw.get('licenseExpires') or raw.get('expirationDate')
    ticks = timestamp_ticks(expires)
    days_left = None if ticks is None else (ticks - _now_ticks(now)) // TICKS_PER_DAY
    total, used = raw.get('totalNumber'), raw.get('usedNumber')
    errors, warnings = [], []
    if raw.get('status') == 'Expired' or (days_left is not None and days_left < 0):
        errors.append('Licence expired on %s: renew it, backups stop.' % expires)
    elif days_left is not None and days_left <= warning_days:
        warnings.append('Licence expires in %d days (%s).' % (days_left, expires))
    if isinstance(total, int) and isinstance(used, int) and used > total:
        errors.append('Licence: %d of %d units used; %d users are not backed up.' % (used, total, used - total))
    reasons = errors + warnings
    return {'status': raw.get('status'), 'type': raw.get('type'), 'licensed_to': raw.get('licensedTo'),
            'expires': expires, 'days_left': days_left, 'grace_period_expires': raw.get('gracePeriodExpires'),
            'total': total, 'used': used, 'new': raw.get('newNumber'),
            'verdict': _verdict(errors, warnings), 'reasons': reasons}


def repository_record(raw, warning_percent=85, error_percent=95):
    capacity, free = raw.get('capacityBytes'), raw.get('freeSpaceBytes')
    name = raw.get('name')
    used_percent = None
    if isinstance(capacity, int) and isinstance(free, int) and capacity > 0:
        used_percent = round(100.0 * (capacity - free) / capacity, 1)
    errors, warnings = [], []
    if used_percent is not None:
        sentence = 'Repository %s is %d%% full (%s free).' % (name, int(used_percent), _gigabytes(free))
        if used_percent >= error_percent:
            errors.append(sentence)
        elif used_percent > warning_percent:
            warnings.append(sentence)
    if raw.get('isOutOfSync'):
        warnings.append('Repository %s is out of sync: synchronize it.' % name)
    if raw.get('isOutdated'):
        warnings.append('Repository %s is outdated: upgrade it.' % name)
    return {'id': raw.get('id'), 'name': name, 'capacity_bytes': capacity, 'free_bytes': free,
            'used_percent': used_percent, 'out_of_sync': bool(raw.get('isOutOfSync')),
            'outdated': raw.get('isOutdated'), 'verdict': _verdict(errors, warnings), 'reasons': errors + warnings}


def proxy_record(raw):
    # maintenanceModeState is v8 only; before it, null says "not known", not "not in maintenance".
    state = raw.get('maintenanceModeState')
    maintenance = None if state is None else state != 'Disabled'
    errors = []
    if raw.get('status') == 'Offline' and not maintenance:
        errors.append('Proxy %s is offline and not in maintenance: tonight\'s jobs on it fail.' % raw.get('hostName'))
    return {'id': raw.get('id'), 'host_name': raw.get('hostName'), 'status': raw.get('status'),
            'maintenance': maintenance, 'verdict': _verdict(errors, []), 'reasons': errors}


def health_record(raw):
    entries = []
    for name, entry in sorted((raw.get('entries') or {}).items()):
        entry = entry if isinstance(entry, dict) else {}
        errors = []
        if entry.get('status') == 'Unhealthy':
            errors.append('Component %s is unhealthy: %s' % (name, entry.get('description')))
        entries.append({'name': name, 'status': entry.get('status'), 'description': entry.get('description'),
                        'verdict': _verdict(errors, []), 'reasons': errors})
    reasons = [reason for entry in entries for reason in entry['reasons']]
    if raw.get('status') == 'Unhealthy' and not reasons:
        reasons.append('Server health is Unhealthy.')
    return {'status': raw.get('status'), 'entries': entries, 'verdict': _verdict(reasons, []), 'reasons': reasons}


def _all(client, path):
    # Plain arrays before v8 come back as one "page"; v8 pages are read to the end.
    return [item for page in client.iter_pages(path, page_size=PAGE_SIZE) for item in page]


def organization_record(client, raw):
    org_id = raw.get('id')
    licensing = client.get('/Organizations/%s/LicensingInformation' % org_id) or {}
    used_bytes = 0
    for repository in _all(client, '/Organizations/%s/usedRepositories' % org_id):
        used_bytes += repository.get('usedSpaceBytes') or 0
    return {'id': org_id, 'name': raw.get('name'), 'licensed_users': licensing.get('licensedUsers'),
            'new_users': licensing.get('newUsers'), 'used_bytes': used_bytes}


def collect_server_info(client, gather_subset=('all',), license_warning_days=30, repository_warning_percent=85,
                        repository_error_percent=95, now=None):
    """The module's result (without ``changed``)."""
    subsets = set(SUBSETS) if 'all' in gather_subset else set(gather_subset)
    result = dict((name, None) for name in SUBSETS)
    verdicts, reasons = [], []

    def take(record):
        verdicts.append(record['verdict'])
        reasons.extend(record['reasons'])
        return record

    if 'license' in subsets:
        result['license'] = take(license_record(client.get('/License') or {}, client.api_version,
                                                license_warning_days, now))
    if 'repositories' in subsets:
        result['repositories'] = [take(repository_record(raw, repository_warning_percent, repository_error_percent))
                                  for raw in _all(client, '/BackupRepositories')]
    if 'proxies' in subsets:
        result['proxies'] = [take(proxy_record(raw)) for raw in _all(client, '/Proxies')]
    if 'health' in subsets and client.api_version == 'v8':
        result['health'] = take(health_record(client.get('/Health') or {}))
    if 'organizations' in subsets:
        result['organizations'] = [organization_record(client, raw) for raw in _all(client, '/Organizations')]
    result['verdict'] = worst(verdicts)
    result['reasons'] = reasons
    result['api_version'] = client.api_version
    return result

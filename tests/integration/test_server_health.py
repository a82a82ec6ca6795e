# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vb365.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""server_info and protection_info through ansible-playbook, against emulated VB365 6, 7 and 8.

The emulator's data reach every verdict (docs/emulator.md); the tests check the rules against what the
modules returned and what the emulator says it holds, not against fixed numbers.
"""

from __future__ import annotations

import datetime
import json
import pytest

from helpers.playbooks import connection, run_playbook
from vb365_emulator.clock import timestamp_ticks as ticks

PROBLEM_ORDER = ('Exceeded', 'Unprotected', 'NotBackedUp', 'Stale')


def run(emulator, tmp_path, server=None, protection=None, api_version=None):
    result_file = tmp_path / 'health.json'
    extra = {'conn': connection(emulator, api_version or 'v%d' % emulator.info['product']),
             'result_file': str(result_file)}
    if server is not None:
        extra['server_params'] = server
    if protection is not None:
        extra['protection_params'] = protection
    run_playbook('health', extra, tmp_path)
    return json.loads(result_file.read_text())


def api_requests(emulator):
    """The API requests the emulator counted since its last reset, by route (logins left out)."""
    counters = emulator.admin('state')['counters']
    return dict((route, count) for route, count in counters.items()
                if route.startswith('GET v') or route.startswith('POST v'))


@pytest.mark.parametrize('product', [6, 7, 8])
def test_server_info_reaches_every_verdict(make_emulator, tmp_path, product):
    emulator = make_emulator('--product', str(product), '--no-rate-limit')
    version = 'v%d' % product
    emulator.admin('reset', {})
    result = run(emulator, tmp_path, server={})['server']
    assert not result.get('failed'), result.get('msg')
    assert result['changed'] is False and result['api_version'] == version

    licence = result['license']
    assert licence['used'] == emulator.info['users'] and licence['used'] > licence['total']
    assert licence['verdict'] == 'Error'
    over = licence['used'] - licence['total']
    assert any(('%d of %d' % (licence['used'], licence['total'])) in reason and ('%d users' % over) in reason
               for reason in licence['reasons'])
    assert licence['expires'] and licence['days_left'] > 30, 'v6 expirationDate and v7/v8 licenseExpires are read'
    assert (licence['grace_period_expires'] is None) == (product == 6)

    repositories = result['repositories']
    full = [repo for repo in repositories if repo['used_percent'] is not None and repo['used_percent'] >= 95]
    filling = [repo for repo in repositories if repo['used_percent'] is not None and 85 < repo['used_percent'] < 95]
    unknown = [repo for repo in repositories if repo['used_percent'] is None]
    unsynced = [repo for repo in repositories if repo['out_of_sync']]
    assert full and filling and unknown and unsynced
    for repo in full:
        assert repo['verdict'] == 'Error'
        assert any(repo['name'] in reason and '%d%%' % int(repo['used_percent']) in reason
                   for reason in repo['reasons'])
    for repo in filling:
        assert repo['verdict'] == 'Warning' and '%d%%' % int(repo['used_percent']) in repo['reasons'][0]
    for repo in unknown:
        assert repo['capacity_bytes'] is None and repo['verdict'] == 'Success' and repo['reasons'] == []
    for repo in unsynced:
        assert repo['verdict'] != 'Success' and any(repo['name'] in reason and 'sync' in reason
                                                    for reason in repo['reasons'])
    assert all((repo['outdated'] is None) == (product < 8) for repo in repositories)

    proxies = result['proxies']
    offline = [proxy for proxy in proxies if proxy['status'] == 'Offline' and not proxy['maintenance']]
    assert offline
    for proxy in offline:
        assert proxy['verdict'] == 'Error' and proxy['host_name'] in proxy['reasons'][0]
    maintained = [proxy for proxy in proxies if proxy['maintenance']]
    if product == 8:
        assert maintained and all(proxy['verdict'] == 'Success' for proxy in maintained)
    else:
        assert all(proxy['maintenance'] is None for proxy in proxies), 'maintenance is v8 only'

    health = result['health']
    if product == 8:
        assert health['status'] == 'Unhealthy' and health['verdict'] == 'Error'
        sick = [entry for entry in health['entries'] if entry['status'] == 'Unhealthy']
        assert sick and all(entry['name'] in entry['reasons'][0] and entry['description'] in entry['reasons'][0]
                            for entry in sick)
    else:
        assert health is None

    organizations = result['organizations']
    by_name = dict((org['name'], org) for org in emulator.info['organizations'])
    assert sorted(org['name'] for org in organizations) == sorted(by_name)
    for org in organizations:
        assert org['licensed_users'] <= by_name[org['name']]['licensed_users']
        assert (org['used_bytes'] > 0) == (by_name[org['name']]['licensed_users'] > 0)

    assert result['verdict'] == 'Error'
    parts = [licence] + repositories + proxies + ([health] if health else [])
    assert result['reasons'] == [reason for part in parts for reason in part['reasons']]

    # What a run costs: one request per resource (one page each here) and two per organization.
    requests = api_requests(emulator)
    assert requests.pop('POST %s/token' % version) == 1
    assert requests.pop('POST %s/token/logout' % version, 0) == (1 if product >= 7 else 0), 'v7 and v8 log out'
    expected = {'GET %s/License' % version: 1, 'GET %s/BackupRepositories' % version: 1,
                'GET %s/Proxies' % version: 1, 'GET %s/Organizations' % version: 1,
                'GET %s/Organizations/{id}/LicensingInformation' % version: len(organizations),
                'GET %s/Organizations/{id}/usedRepositories' % version: len(organizations)}
    if product == 8:
        expected['GET v8/Health'] = 1
    assert requests == expected


def test_gather_subset_and_thresholds(make_emulator, tmp_path):
    emulator = make_emulator('--product', '7', '--no-rate-limit', '--license', 'expiring')
    emulator.admin('reset', {})
    result = run(emulator, tmp_path, server={'gather_subset': ['license']})['server']
    licence = result['license']
    assert licence['verdict'] == 'Warning' and 0 <= licence['days_left'] <= 30
    assert result['reasons'] == licence['reasons'] and str(licence['days_left']) in licence['reasons'][0]
    assert [result[part] for part in ('repositories', 'proxies', 'health', 'organizations')] == [None] * 4
    assert set(api_requests(emulator)) == {'POST v7/token', 'GET v7/License', 'POST v7/token/logout'}, \
        'only the licence is read'

    quiet = run(emulator, tmp_path, server={'gather_subset': ['license', 'repositories'],
                                            'license_warning_days': licence['days_left'] - 1,
                                            'repository_warning_percent': 98, 'repository_error_percent': 99})
    quiet = quiet['server']
    assert quiet['license']['verdict'] == 'Success'
    assert all(repo['verdict'] == 'Success' or repo['out_of_sync'] for repo in quiet['repositories'])
    assert quiet['proxies'] is None and quiet['verdict'] == 'Warning'


def check_summary_and_problems(result, emulator, stale_days):
    summary = result['summary']
    assert set(summary['by_license_state']) == {'Licensed', 'New', 'TemporarilyAssigned', 'Exceeded'}
    assert all(count > 0 for count in summary['by_license_state'].values()), summary
    assert sum(summary['by_license_state'].values()) == summary['licensed_users']
    assert summary['not_backed_up'] > 0
    kinds = [problem['problem'] for problem in result['problems']]
    assert kinds == sorted(kinds, key=PROBLEM_ORDER.index), 'most severe first'
    assert kinds.count('Exceeded') == summary['by_license_state']['Exceeded']
    now = datetime.datetime.now(datetime.timezone.utc).timestamp() * 10000000
    for problem in result['problems']:
        if problem['problem'] == 'Exceeded':
            assert problem['license_state'] == 'Exceeded'
        elif problem['problem'] == 'NotBackedUp':
            assert problem['is_backed_up'] is False and problem['last_backup'] is None
        elif problem['problem'] == 'Stale':
            assert problem['is_backed_up'] and ticks(problem['last_backup']) < now - stale_days * 864000000000
        else:
            assert problem['license_state'] is None
    assert result['verdict'] == 'Error'
    assert sum(org['summary']['licensed_users'] for org in result['organizations']) == summary['licensed_users']


@pytest.mark.parametrize('product', [6, 7, 8])
def test_protection_info_per_version(make_emulator, tmp_path, product):
    emulator = make_emulator('--product', str(product), '--no-rate-limit')
    version = 'v%d' % product
    emulator.admin('reset', {})
    result = run(emulator, tmp_path, protection={})['protection']
    assert not result.get('failed'), result.get('msg')
    assert result['changed'] is False and result['api_version'] == version
    summary = result['summary']
    assert summary['licensed_users'] == emulator.info['users']
    check_summary_and_problems(result, emulator, 7)
    assert summary['stale'] > 0
    organizations = emulator.info['organizations']
    unlicensed = sum(org['unlicensed_users'] for org in organizations)
    if product == 8:
        assert summary['unprotected'] == unlicensed > 0
        assert len([p for p in result['problems'] if p['problem'] == 'Unprotected']) == unlicensed
    else:
        assert summary['unprotected'] is None
        assert 'Unprotected' not in [problem['problem'] for problem in result['problems']]
    requests = api_requests(emulator)
    assert requests.pop('POST %s/token' % version) == 1
    assert requests.pop('POST %s/token/logout' % version, 0) == (1 if product >= 7 else 0), 'v7 and v8 log out'
    expected = {'GET %s/Organizations' % version: 1, 'GET %s/LicensedUsers' % version: len(organizations)}
    if product == 8:
        expected.update({'GET v8/ProtectedUsers': len(organizations),
                         'GET v8/Organizations/{id}/Users': len(organizations)})
    assert requests == expected


def test_protection_organizations_and_stale_days(make_emulator, tmp_path):
    emulator = make_emulator('--product', '8', '--no-rate-limit', '--users', '120')
    organizations = emulator.info['organizations']
    everything = run(emulator, tmp_path, protection={})['protection']
    chosen = [organizations[1]['name'].upper(), organizations[2]['id']]
    emulator.admin('reset', {})
    some = run(emulator, tmp_path, protection={'organizations': chosen})['protection']
    assert [org['name'] for org in some['organizations']] == [organizations[1]['name'], organizations[2]['name']]
    full = dict((org['name'], org['summary']) for org in everything['organizations'])
    assert some['summary']['licensed_users'] == sum(full[org['name']]['licensed_users']
                                                    for org in some['organizations'])
    assert set(problem['organization'] for problem in some['problems']) <= set(full) - {organizations[0]['name']}
    assert api_requests(emulator)['GET v8/LicensedUsers'] == 2
    check_summary_and_problems(some, emulator, 7)

    strict = run(emulator, tmp_path, protection={'stale_days': 3})['protection']
    lenient = run(emulator, tmp_path, protection={'stale_days': 30})['protection']
    assert lenient['summary']['stale'] < everything['summary']['stale'] < strict['summary']['stale']
    check_summary_and_problems(strict, emulator, 3)
    assert 'Stale' not in [problem['problem'] for problem in lenient['problems']]
    assert lenient['summary']['not_backed_up'] == strict['summary']['not_backed_up']


@pytest.mark.parametrize('server, protection, message', [
    ({'repository_warning_percent': 96}, None, 'repository_warning_percent'),
    ({'gather_subset': ['licence']}, None, 'gather_subset'),
    ({'repository_error_percent': 101}, None, 'repository_error_percent'),
    (None, {'stale_days': 0}, 'stale_days'),
])
def test_wrong_input_fails_before_any_request(emulator8, tmp_path, server, protection, message):
    emulator8.admin('reset', {})
    result = run(emulator8, tmp_path, server=server, protection=protection)
    outcome = result['server'] if server is not None else result['protection']
    assert outcome['failed'] and message in outcome['msg']
    assert api_requests(emulator8) == {}, 'no request, not even a login'

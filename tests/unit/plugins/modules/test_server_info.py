# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vb365.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import datetime

from ansible_collections.vb365.backup.plugins.modules.server_info import main
from ansible_collections.vb365.backup.tests.unit.plugins.wire import PASSWORD, run_module

ORG = '0b5e4c36-4a4e-4f5a-9e59-3a2a1c0f9d11'
GIB = 1024 ** 3


def in_days(days):
    moment = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=days, hours=12)
    return moment.strftime('%Y-%m-%dT%H:%M:%SZ')


def page(results, limit=1000):
    return {'offset': 0, 'limit': limit, 'results': results, '_links': {}}


def args(**overrides):
    base = dict(server='vb365.test', username='backup-admin', password=PASSWORD, api_version='v8')
    base.update(overrides)
    return base


REPOSITORIES = [
    {'id': 'r1', 'name': 'Zürich JET', 'capacityBytes': 1000 * GIB, 'freeSpaceBytes': 60 * GIB, 'isOutOfSync': False},
    {'id': 'r2', 'name': 'Blob', 'capacityBytes': None, 'freeSpaceBytes': None, 'isOutOfSync': False},
]
PROXIES_V8 = [
    {'id': 'p1', 'hostName': 'proxy01', 'status': 'Offline', 'maintenanceModeState': 'Disabled'},
    {'id': 'p2', 'hostName': 'proxy02', 'status': 'Offline', 'maintenanceModeState': 'Enabled'},
]


def test_v8_reads_every_part_and_names_object_and_number(wire, capsys):
    wire.login()
    wire.expect('GET', '/v8/License', body={'status': 'Valid', 'type': 'Subscription', 'licensedTo': 'Contoso',
                                            'licenseExpires': in_days(200), 'totalNumber': 250, 'usedNumber': 262,
                                            'newNumber': 4, 'gracePeriodExpires': in_days(230)})
    wire.expect('GET', '/v8/BackupRepositories', query={'offset': '0', 'limit': '1000'}, body=page(REPOSITORIES))
    wire.expect('GET', '/v8/Proxies', query={'offset': '0', 'limit': '1000'}, body=page(PROXIES_V8))
    wire.expect('GET', '/v8/Health', body={'status': 'Unhealthy', 'entries': {
        'Database': {'status': 'Unhealthy', 'description': 'Disk full'}, 'Proxy': {'status': 'Healthy'}}})
    wire.expect('GET', '/v8/Organizations', query={'offset': '0', 'limit': '1000'},
                body=page([{'id': ORG, 'name': 'Contoso Ltd'}]))
    wire.expect('GET', '/v8/Organizations/%s/LicensingInformation' % ORG, body={'licensedUsers': 120, 'newUsers': 3})
    wire.expect('GET', '/v8/Organizations/%s/usedRepositories' % ORG, query={'offset': '0', 'limit': '1000'},
                body=page([{'usedSpaceBytes': 5}, {'usedSpaceBytes': 7}]))
    failed, result = run_module(main, args(), capsys)
    assert not failed and result['changed'] is False
    assert result['verdict'] == 'Error'
    assert result['license']['verdict'] == 'Error'
    assert 'Licence: 262 of 250 units used; 12 users are not backed up.' in result['reasons']
    assert 'Repository Zürich JET is 94% full (60 GB free).' in result['reasons']
    zurich, blob = result['repositories']
    assert (zurich['used_percent'], zurich['verdict']) == (94.0, 'Warning')
    assert (blob['used_percent'], blob['verdict']) == (None, 'Success')
    offline, maintained = result['proxies']
    assert (offline['verdict'], offline['maintenance']) == ('Error', False)
    assert (maintained['verdict'], maintained['maintenance']) == ('Success', True)
    assert result['health']['entries'][0]['name'] == 'Database'
    assert 'Component Database is unhealthy: Disk full' in result['reasons']
    assert result['organizations'] == [{'id': ORG, 'name': 'Contoso Ltd', 'licensed_users': 120, 'new_users': 3,
                                        'used_bytes': 12}]


def test_v6_reads_expiration_date_plain_arrays_and_no_health(wire, capsys):
    wire.login(version='v6')
    wire.expect('GET', '/v6/License', body={'status': 'Valid', 'expirationDate': in_days(10), 'totalNumber': 10,
                                            'usedNumber': 5})
    wire.expect('GET', '/v6/BackupRepositories', query={'offset': '0', 'limit': '1000'},
                body=[{'id': 'r1', 'name': 'Full', 'capacityBytes': 100, 'freeSpaceBytes': 5, 'isOutOfSync': True}])
    wire.expect('GET', '/v6/Proxies', query={'offset': '0', 'limit': '1000'},
                body=[{'id': 'p1', 'hostName': 'proxy01', 'status': 'Offline'}])
    failed, result = run_module(main, args(api_version='v6', gather_subset=['license', 'repositories', 'proxies',
                                                                            'health']), capsys)
    assert not failed
    assert result['license']['days_left'] == 10
    assert result['license']['verdict'] == 'Warning'
    assert result['repositories'][0]['verdict'] == 'Error'
    assert 'Repository Full is out of sync: synchronize it.' in result['reasons']
    assert result['proxies'][0]['maintenance'] is None
    assert result['proxies'][0]['verdict'] == 'Error'
    assert result['health'] is None and result['organizations'] is None


def test_v8_pages_are_read_to_the_end(wire, capsys):
    wire.login()
    first = [{'id': 'r%d' % number, 'name': 'R%d' % number, 'capacityBytes': None, 'freeSpaceBytes': None}
             for number in range(1000)]
    wire.expect('GET', '/v8/BackupRepositories', query={'offset': '0', 'limit': '1000'},
                body={'offset': 0, 'limit': 1000, 'results': first, '_links': {'next': {'href': 'x'}}})
    wire.expect('GET', '/v8/BackupRepositories', query={'offset': '1000', 'limit': '1000'},
                body=page([{'id': 'last', 'name': 'Last', 'capacityBytes': 10, 'freeSpaceBytes': 0}]))
    failed, result = run_module(main, args(gather_subset=['repositories']), capsys)
    assert not failed
    assert len(result['repositories']) == 1001
    assert result['verdict'] == 'Error'
    assert result['license'] is None


def test_warning_above_error_percent_fails_before_any_request(wire, capsys):
    failed, result = run_module(main, args(repository_warning_percent=96), capsys)
    assert failed
    assert 'repository_warning_percent (96) must not be above repository_error_percent (95)' in result['msg']

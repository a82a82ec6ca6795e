# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vb365.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import datetime

from ansible_collections.vb365.backup.plugins.modules.protection_info import main
from ansible_collections.vb365.backup.tests.unit.plugins.wire import PASSWORD, run_module

ORG = '0b5e4c36-4a4e-4f5a-9e59-3a2a1c0f9d11'


def ago(days):
    moment = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(days=days)
    return moment.strftime('%Y-%m-%dT%H:%M:%SZ')


def page(results, limit=10000):
    return {'offset': 0, 'limit': limit, 'results': results, '_links': {}}


def user(name, state='Licensed', backed_up=True, days=1):
    return {'id': name, 'name': name, 'licenseState': state, 'isBackedUp': backed_up,
            'lastBackupDate': ago(days) if backed_up else None}


USERS = [user('ok'), user('over', 'Exceeded'), user('never', 'New', False), user('old', 'TemporarilyAssigned', days=9)]


def args(**overrides):
    base = dict(server='vb365.test', username='backup-admin', password=PASSWORD, api_version='v8')
    base.update(overrides)
    return base


def test_v8_counts_every_state_and_finds_unprotected_users_by_msid(wire, capsys):
    wire.login()
    wire.expect('GET', '/v8/Organizations', query={'offset': '0', 'limit': '1000'},
                body={'offset': 0, 'limit': 1000, 'results': [{'id': ORG, 'name': 'Contoso Ltd'}], '_links': {}})
    wire.expect('GET', '/v8/LicensedUsers', query={'offset': '0', 'limit': '10000', 'organizationId': ORG},
                body=page(USERS))
    wire.expect('GET', '/v8/ProtectedUsers', query={'offset': '0', 'limit': '10000', 'organizationId': ORG},
                body=page([{'id': 'p1', 'msid': 'AAA'}]))
    wire.expect('GET', '/v8/Organizations/%s/Users' % ORG, query={'offset': '0', 'limit': '10000'},
                body=page([{'id': 'u1', 'name': 'in a job', 'msid': 'aaa'}, {'id': 'u2', 'name': 'nobody', 'msid': 'bbb'}]))
    failed, result = run_module(main, args(), capsys)
    assert not failed
    assert result['summary'] == {'licensed_users': 4, 'not_backed_up': 1, 'stale': 1, 'unprotected': 1,
                                 'by_license_state': {'Licensed': 1, 'New': 1, 'TemporarilyAssigned': 1,
                                                      'Exceeded': 1}}
    assert [(p['name'], p['problem']) for p in result['problems']] == [
        ('over', 'Exceeded'), ('nobody', 'Unprotected'), ('never', 'NotBackedUp'), ('old', 'Stale')]
    assert result['verdict'] == 'Error'
    assert result['organizations'][0]['summary']['licensed_users'] == 4


def test_v7_has_no_unprotected_and_warns_on_stale_only(wire, capsys):
    wire.login(version='v7')
    wire.expect('GET', '/v7/Organizations', query={'offset': '0', 'limit': '1000'},
                body=[{'id': ORG, 'name': 'Contoso Ltd'}])
    wire.expect('GET', '/v7/LicensedUsers', query={'offset': '0', 'limit': '10000', 'organizationId': ORG},
                body=page([user('ok'), user('old', days=9)]))
    failed, result = run_module(main, args(api_version='v7', organizations=['contoso ltd']), capsys)
    assert not failed
    assert result['summary']['unprotected'] is None
    assert result['verdict'] == 'Warning'
    assert result['summary']['by_license_state']['Exceeded'] == 0

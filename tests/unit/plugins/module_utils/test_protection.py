# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vb365.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""collect_protection: licensed users counted page by page, the users that need attention, most severe first."""

from __future__ import annotations

import pytest

from ansible_collections.vb365.backup.plugins.module_utils.job_sessions import LookupFailure
from ansible_collections.vb365.backup.plugins.module_utils.protection import (
    collect_protection, protection_verdict, user_problem)
from ansible_collections.vb365.backup.plugins.module_utils.vb365_api import Vb365Client, Vb365Error
from ansible_collections.vb365.backup.tests.unit.plugins.wire import PASSWORD

NOW = 1795937600.0  # 2026-11-29T07:33:20Z
ORG_A = '0b5e4c36-4a4e-4f5a-9e59-3a2a1c0f9d11'
ORG_B = '1c6f5d47-5b5f-4a6b-8f6a-4b3b2d1a0e22'
FRESH = '2026-11-28T22:00:00.0000000+01:00'
STALE = '2026-11-20T07:33:19.0000000Z'  # a second more than 9 days ago


def org_page(results, limit=10000, more=False):
    return {'offset': 0, 'limit': limit, 'results': results, '_links': {'next': {'href': 'next'}} if more else {}}


def licensed(name, state='Licensed', backed_up=True, last=FRESH, org=ORG_A):
    return {'id': 'lu-' + name, 'name': name, 'isBackedUp': backed_up, 'lastBackupDate': last if backed_up else None,
            'licenseState': state, 'organizationId': org, 'organizationName': 'Contoso Ltd'}


def protection_client(version='v8'):
    return Vb365Client('vb365.test', username='backup-admin', password=PASSWORD, api_version=version)


def expect_organizations(wire, version, organizations):
    wire.login(version=version)
    wire.expect('GET', '/%s/Organizations' % version, query={'offset': '0', 'limit': '1000'},
                body=org_page(organizations, 1000) if version == 'v8' else organizations)


def expect_licensed(wire, version, org, *pages):
    offset = 0
    for number, users in enumerate(pages):
        # A server that caps the limit at 2: the page is full, so the next one is asked for.
        more = number < len(pages) - 1
        wire.expect('GET', '/%s/LicensedUsers' % version,
                    query={'offset': str(offset), 'limit': '10000', 'organizationId': org},
                    body=dict(org_page(users, limit=2 if more else 10000, more=more), offset=offset))
        offset += len(users)


@pytest.mark.parametrize('state, backed_up, ticks, problem', [
    ('Exceeded', True, 100, 'Exceeded'),
    ('Exceeded', False, None, 'Exceeded'),
    ('New', False, None, 'NotBackedUp'),
    ('Licensed', True, None, 'Stale'),
    ('Licensed', True, 49, 'Stale'),
    ('TemporarilyAssigned', True, 50, None),
])
def test_user_problem_is_the_most_severe_one(state, backed_up, ticks, problem):
    assert user_problem(state, backed_up, ticks, 50) == problem


def test_protection_verdict():
    assert protection_verdict([]) == 'Success'
    assert protection_verdict([{'problem': 'Stale'}, {'problem': 'NotBackedUp'}]) == 'Warning'
    assert protection_verdict([{'problem': 'Stale'}, {'problem': 'Unprotected'}]) == 'Error'
    assert protection_verdict([{'problem': 'Exceeded'}]) == 'Error'


def test_v8_every_page_counted_and_unprotected_users_found_by_msid(wire):
    expect_organizations(wire, 'v8', [{'id': ORG_A, 'name': 'Contoso Ltd'}])
    expect_licensed(wire, 'v8', ORG_A, [licensed('ok'), licensed('old', last=STALE)],
                    [licensed('never', 'New', backed_up=False), licensed('over', 'Exceeded')])
    wire.expect('GET', '/v8/ProtectedUsers', query={'offset': '0', 'limit': '10000', 'organizationId': ORG_A},
                body=org_page([{'id': 'p1', 'msid': 'AAAA-1', 'displayName': 'Ann', 'accountType': 'User',
                                'organizationId': ORG_A}, {'id': 'p2', 'msid': None}]))
    wire.expect('GET', '/v8/Organizations/%s/Users' % ORG_A, query={'offset': '0', 'limit': '10000'},
                body=org_page([{'id': 'u1', 'name': 'ann@contoso.com', 'msid': 'aaaa-1', 'type': 'User'},
                               {'id': 'u2', 'name': 'bob@contoso.com', 'msid': 'bbbb-2', 'type': 'User'},
                               {'id': 'u3', 'name': 'no msid', 'msid': None, 'type': 'Shared'}]))
    result = collect_protection(protection_client(), stale_days=9, now=NOW)
    expected_summary = {'licensed_users': 4, 'not_backed_up': 1, 'stale': 1, 'unprotected': 1,
                        'by_license_state': {'Licensed': 2, 'New': 1, 'TemporarilyAssigned': 0, 'Exceeded': 1}}
    assert result['summary'] == expected_summary
    assert result['organizations'] == [{'id': ORG_A, 'name': 'Contoso Ltd', 'summary': expected_summary}]
    assert [(problem['name'], problem['problem']) for problem in result['problems']] == [
        ('over', 'Exceeded'), ('bob@contoso.com', 'Unprotected'), ('never', 'NotBackedUp'), ('old', 'Stale')]
    assert result['problems'][0] == {'id': 'lu-over', 'name': 'over', 'organization': 'Contoso Ltd',
                                     'license_state': 'Exceeded', 'is_backed_up': True, 'last_backup': FRESH,
                                     'problem': 'Exceeded'}
    assert result['verdict'] == 'Error' and result['api_version'] == 'v8'


def test_before_v8_there_is_no_unprotected_count_and_every_organization_adds_up(wire):
    expect_organizations(wire, 'v7', [{'id': ORG_A, 'name': 'Contoso Ltd'}, {'id': ORG_B, 'name': 'Fabrikam'}])
    expect_licensed(wire, 'v7', ORG_A, [licensed('a1'), licensed('a2', last=STALE)])
    expect_licensed(wire, 'v7', ORG_B, [licensed('b1', org=ORG_B), licensed('b2', 'Pending', org=ORG_B)])
    result = collect_protection(protection_client('v7'), now=NOW)
    assert result['summary'] == {'licensed_users': 4, 'not_backed_up': 0, 'stale': 1, 'unprotected': None,
                                 'by_license_state': {'Licensed': 3, 'New': 0, 'TemporarilyAssigned': 0,
                                                      'Exceeded': 0, 'Pending': 1}}
    assert [org['summary']['licensed_users'] for org in result['organizations']] == [2, 2]
    assert [(problem['name'], problem['organization']) for problem in result['problems']] == [('a2', 'Contoso Ltd')]
    assert result['verdict'] == 'Warning'
    assert len(wire.calls) == 4, 'no ProtectedUsers or Users request before v8'


def test_organizations_chosen_by_name_or_id_and_an_unknown_one_fails(wire):
    expect_organizations(wire, 'v6', [{'id': ORG_A, 'name': 'Contoso Ltd'}, {'id': ORG_B, 'name': 'Fabrikam'}])
    expect_licensed(wire, 'v6', ORG_B, [licensed('<img src=x onerror=alert(1)>{{ 7*7 }}', org=ORG_B)])
    client = protection_client('v6')
    result = collect_protection(client, organizations=[ORG_B.upper()], now=NOW)
    assert [org['name'] for org in result['organizations']] == ['Fabrikam']
    assert result['problems'] == [] and result['verdict'] == 'Success'
    wire.expect('GET', '/v6/Organizations', query={'offset': '0', 'limit': '1000'}, body=[{'id': ORG_A, 'name': 'A'}])
    with pytest.raises(LookupFailure) as raised:
        collect_protection(client, organizations=['Northwind'], now=NOW)
    assert 'Organizations on this server: A.' in raised.value.message


def test_v8_an_organization_id_that_is_not_a_uuid_never_becomes_a_path(wire):
    hostile = '../JobSessions/%s/LogItems?x=' % ORG_B
    expect_organizations(wire, 'v8', [{'id': hostile, 'name': 'Contoso Ltd'}])
    expect_licensed(wire, 'v8', hostile, [licensed('ok')])
    wire.expect('GET', '/v8/ProtectedUsers', query={'offset': '0', 'limit': '10000', 'organizationId': hostile},
                body=org_page([]))
    with pytest.raises(Vb365Error) as raised:
        collect_protection(protection_client(), now=NOW)
    assert 'is not a UUID: it is not put in a request path' in raised.value.message
    assert [call[1] for call in wire.calls] == ['/v8/token', '/v8/Organizations', '/v8/LicensedUsers',
                                                '/v8/ProtectedUsers']


def test_a_licence_state_that_is_not_text_is_counted_as_unknown_not_a_crash(wire):
    expect_organizations(wire, 'v6', [{'id': ORG_A, 'name': 'Contoso Ltd'}])
    expect_licensed(wire, 'v6', ORG_A, [licensed('odd', ['Exceeded']), licensed('missing', None)])
    result = collect_protection(protection_client('v6'), now=NOW)
    assert result['summary']['licensed_users'] == 2
    assert result['summary']['by_license_state'][None] == 2
    assert result['problems'] == []


def test_v8_a_user_protected_on_a_later_page_is_not_unprotected(wire):
    expect_organizations(wire, 'v8', [{'id': ORG_A, 'name': 'Contoso Ltd'}])
    expect_licensed(wire, 'v8', ORG_A, [])
    for path, query, pages in (
            ('/v8/ProtectedUsers', {'organizationId': ORG_A}, ([{'id': 'p1', 'msid': 'm1'}, {'id': 'p2', 'msid': 'm2'}],
                                                               [{'id': 'p3', 'msid': 'M3'}])),
            ('/v8/Organizations/%s/Users' % ORG_A, {}, ([{'id': 'u3', 'name': 'c', 'msid': 'm3'},
                                                         {'id': 'u4', 'name': 'd', 'msid': 'm4'}],
                                                        [{'id': 'u1', 'name': 'a', 'msid': 'm1'}]))):
        wire.expect('GET', path, query=dict(query, offset='0', limit='10000'), body=org_page(pages[0], 2, more=True))
        wire.expect('GET', path, query=dict(query, offset='2', limit='10000'), body=org_page(pages[1], 2))
    result = collect_protection(protection_client(), now=NOW)
    assert [(problem['name'], problem['problem']) for problem in result['problems']] == [('d', 'Unprotected')]
    assert result['summary']['unprotected'] == 1 and result['summary']['licensed_users'] == 0

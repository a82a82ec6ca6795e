# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vb365.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the routes answer, checked against the vendor's schemas (schema_subset.json holds the part we need)."""

from __future__ import annotations

import json
import os
import re
import ssl
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest

import vb365_emulator

HERE = os.path.dirname(os.path.abspath(__file__))

with open(os.path.join(HERE, 'schema_subset.json')) as schema_file:
    SCHEMAS = json.load(schema_file)

# Fields real servers send as null although the schema does not say nullable (seen on real servers).
NULL_SEEN_IN_THE_WILD = {'endTime'}
TYPES = {'string': str, 'integer': int, 'boolean': bool, 'array': list, 'object': dict}
TIMESTAMP = re.compile(r'^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{7}[+-]\d{2}:\d{2}$')


def check(version, name, value, where='$'):
    """Assert that value fits the named schema of that version (v5 is checked against v6)."""
    schema = SCHEMAS['v6' if version == 'v5' else version][name]
    assert isinstance(value, dict), '%s: %s is not an object' % (where, name)
    for key in schema['required']:
        assert key in value, '%s: %s lacks required %s' % (where, name, key)
    for key, item in value.items():
        spec = schema['properties'].get(key)
        assert spec is not None, '%s: %s has no property %s in %s' % (where, name, key, version)
        check_value(version, spec, item, '%s.%s' % (where, key))


def check_value(version, spec, item, where):
    if item is None:
        assert spec.get('nullable') or where.rsplit('.', 1)[-1] in NULL_SEEN_IN_THE_WILD, '%s is null' % where
        return
    if 'ref' in spec:
        if spec['ref'] == 'object':
            assert isinstance(item, dict), where
        else:
            check(version, spec['ref'], item, where)
        return
    expected = TYPES.get(spec['type'])
    if expected is int:
        assert isinstance(item, int) and not isinstance(item, bool), '%s is not an integer' % where
    elif expected:
        assert isinstance(item, expected), '%s is not %s' % (where, spec['type'])
    if 'enum' in spec:
        assert item in spec['enum'], '%s=%r is not one of %s' % (where, item, spec['enum'])
    if spec.get('items') and spec['items'] != 'object':
        for index, element in enumerate(item):
            check(version, spec['items'], element, '%s[%d]' % (where, index))


class Client:
    def __init__(self, emulator):
        self.url = emulator.url
        self.context = ssl.create_default_context(cafile=emulator.info['ca_path'])
        self.token = None

    def call(self, method, path, form=None, auth=True, query=None):
        data = urllib.parse.urlencode(form).encode() if form is not None else None
        url = self.url + path + ('?' + urllib.parse.urlencode(query) if query else '')
        request = urllib.request.Request(url, data=data, method=method)
        if auth and self.token:
            request.add_header('Authorization', 'Bearer %s' % self.token)
        try:
            with urllib.request.urlopen(request, context=self.context, timeout=10) as response:
                body = response.read()
                return response.status, (json.loads(body) if body else None), dict(response.headers)
        except urllib.error.HTTPError as error:
            body = error.read()
            return error.code, (json.loads(body) if body and body.startswith(b'{') else body), dict(error.headers)

    def login(self, version='v8', password=None, emulator=None):
        status, body, headers = self.call('POST', '/%s/token' % version, {
            'grant_type': 'password', 'username': 'demo-admin', 'password': password or 'Demo-Passw0rd!',
            'disable_antiforgery_token': 'true'}, auth=False)
        if status == 200:
            self.token = body['access_token']
        return status, body, headers


@pytest.fixture(scope='module')
def emulator(tmp_path_factory):
    running = vb365_emulator.start(tmp_path_factory.mktemp('schema'), '--product', '8', '--no-rate-limit',
                                   '--large-session-items', '1000000')
    yield running
    running.stop()


@pytest.fixture
def client(emulator):
    emulator.admin('reset', {})
    api = Client(emulator)
    status, body, _headers = api.login()
    assert status == 200
    return api


@pytest.mark.parametrize('version', ['v6', 'v7', 'v8'])
def test_token_response(emulator, version):
    status, body, _headers = Client(emulator).login(version)
    assert status == 200
    check(version, 'OAuthTokenResponse', body)
    assert body['token_type'] == 'bearer'


def test_bad_credentials_get_an_oauth_400(emulator):
    status, body, _headers = Client(emulator).login(password='wrong')
    assert status == 400
    assert body == {'error': 'invalid_grant', 'error_description': 'The user name or password is incorrect.'}


@pytest.mark.parametrize('version', ['v5', 'v6', 'v7', 'v8'])
def test_resources_fit_the_schemas(client, emulator, version):
    if version != 'v5':
        status, body, _headers = client.call('GET', '/%s/ServiceInstance' % version)
        assert status == 200
        check(version, 'RESTServiceInstance', body)
    status, jobs, _headers = client.call('GET', '/%s/Jobs' % version)
    assert status == 200
    if version == 'v8':
        check(version, 'PageOfRESTJob', jobs)
        jobs = jobs['results']
    else:
        assert isinstance(jobs, list)
        for job in jobs:
            check(version, 'RESTJob', job)
    status, sessions, _headers = client.call('GET', '/%s/JobSessions' % version, query={'limit': 50})
    check(version, 'PageOfRESTJobSession', sessions)
    assert len(sessions['results']) == len(emulator.info['sessions'])
    session = next(s for s in sessions['results'] if s['status'] == 'Failed')
    status, single, _headers = client.call('GET', '/%s/JobSessions/%s' % (version, session['id']))
    check(version, 'RESTJobSession', single)
    status, page, _headers = client.call('GET', '/%s/JobSessions/%s/LogItems' % (version, session['id']),
                                         query={'limit': 40})
    assert status == 200
    check(version, 'PageOfRESTLogItem', page)
    assert len(page['results']) == 40 and page['limit'] == 40
    for item in page['results']:
        assert TIMESTAMP.match(item['creationTime']), item['creationTime']
        if version == 'v8':
            assert 'title' not in item and item['type'] in ('Running', 'Warning', 'Error', 'Success', 'Stop')
        else:
            assert re.match(r'^\[(Success|Warning|Failed|Running|Stop)\] ', item['title'])
    usns = [item['usn'] for item in page['results']]
    assert usns == sorted(usns) and usns[-1] - usns[0] > len(usns) - 1, 'usn increase with gaps'
    status, item, _headers = client.call('GET', '/%s/JobSessions/%s/LogItems/%s' % (
        version, session['id'], page['results'][3]['id']))
    assert item == page['results'][3]
    if version != 'v5':
        check_server_health(client, emulator, version)


def check_server_health(client, emulator, version):
    """Licence, users, repositories, proxies, health and protected users fit the schemas of their version."""
    status, license_body, _headers = client.call('GET', '/%s/License' % version)
    assert status == 200
    check(version, 'RESTLicense', license_body)
    assert ('expirationDate' in license_body) == (version == 'v6') != ('licenseExpires' in license_body)
    for path, name in (('BackupRepositories', 'RESTBackupRepository'), ('Proxies', 'RESTProxy')):
        status, body, _headers = client.call('GET', '/%s/%s' % (version, path))
        assert status == 200
        if version == 'v8':
            check(version, 'PageOf' + name, body)
        else:
            assert isinstance(body, list) and body, 'a plain array before v8'
            for element in body:
                check(version, name, element)
    status, users, _headers = client.call('GET', '/%s/LicensedUsers' % version, query={'limit': 1000})
    check(version, 'PageOfRESTLicensedUser', users)
    assert len(users['results']) == emulator.info['users']
    assert set(user['licenseState'] for user in users['results']) == {'Licensed', 'New', 'TemporarilyAssigned',
                                                                      'Exceeded'}
    organization = emulator.info['organizations'][0]
    base = '/%s/Organizations/%s' % (version, organization['id'])
    status, org_users, _headers = client.call('GET', base + '/Users', query={'limit': 1000})
    check(version, 'PageOfRESTUser', org_users)
    assert len(org_users['results']) == organization['licensed_users'] + organization['unlicensed_users']
    assert all(('msid' in user) == (version == 'v8') for user in org_users['results'])
    status, used, _headers = client.call('GET', base + '/usedRepositories')
    check(version, 'PageOfRESTOrganizationStorageSpaceUsage', used)
    status, licensing, _headers = client.call('GET', base + '/LicensingInformation')
    check(version, 'RESTOrganizationLicensingInformation', licensing)
    status, health, _headers = client.call('GET', '/%s/Health' % version, auth=version != 'v8')
    if version != 'v8':
        assert status == 404, '/Health is v8 only'
        return
    assert status == 200, 'the v8 document marks /Health anonymous'
    check(version, 'RESTHealthReport', health)
    for entry in health['entries'].values():
        check(version, 'RESTHealthReportEntry', entry)
    status, protected, _headers = client.call('GET', '/v8/ProtectedUsers',
                                              query={'organizationId': organization['id'], 'limit': 1000})
    check(version, 'PageOfRESTProtectedUser', protected)
    assert len(protected['results']) == organization['licensed_users']


def test_users_are_paged_lazily(tmp_path):
    running = vb365_emulator.start(tmp_path, '--product', '8', '--http', '--no-rate-limit', '--users', '100000')
    try:
        api = Client(running)
        api.context = None
        assert api.login()[0] == 200
        started = time.monotonic()
        status, page, _headers = api.call('GET', '/v8/LicensedUsers', query={'offset': 99990, 'limit': 10000})
        assert status == 200 and len(page['results']) == 10 and 'next' not in page['_links']
        status, page, _headers = api.call('GET', '/v8/LicensedUsers', query={'offset': 0, 'limit': 10000})
        assert len(page['results']) == 10000 and page['_links']['next']['href'].endswith('offset=10000&limit=10000')
        assert len(set(user['id'] for user in page['results'])) == 10000
        print('two pages of 100,000 licensed users in %.3f s' % (time.monotonic() - started))
        _status, body, _headers = api.call('GET', '/v8/License')
        assert body['usedNumber'] == 100000 and body['usedNumber'] > body['totalNumber']
    finally:
        running.stop()


@pytest.mark.parametrize('mode', ['expiring', 'expired', 'ok'])
def test_license_switch(tmp_path, mode):
    running = vb365_emulator.start(tmp_path, '--product', '7', '--http', '--no-rate-limit', '--license', mode)
    try:
        api = Client(running)
        api.context = None
        assert api.login('v7')[0] == 200
        _status, body, _headers = api.call('GET', '/v7/License')
        assert body['usedNumber'] <= body['totalNumber'], 'only the default licence is over its limit'
        assert body['status'] == ('Expired' if mode == 'expired' else 'Valid')
        _status, users, _headers = api.call('GET', '/v7/LicensedUsers', query={'limit': 1000})
        assert 'Exceeded' not in set(user['licenseState'] for user in users['results'])
    finally:
        running.stop()


@pytest.mark.parametrize('version', ['v6', 'v7', 'v8'])
def test_errors_fit_the_schemas(client, version):
    status, body, _headers = client.call('GET', '/%s/JobSessions/00000000-1111-4222-8333-444444444444' % version)
    assert status == 404
    check(version, 'RESTExceptionInfo', body)
    status, body, _headers = client.call('GET', '/%s/JobSessions' % version, auth=False)
    assert status == 401
    check(version, 'RESTExceptionInfo', body)


def test_links_v5_absolute_elsewhere_v6_relative(client, emulator):
    session = emulator.session(status='Success')
    _status, v5, _headers = client.call('GET', '/v5/JobSessions/%s/LogItems' % session['id'], query={'limit': 10})
    _status, v6, _headers = client.call('GET', '/v6/JobSessions/%s/LogItems' % session['id'], query={'limit': 10})
    assert v5['_links']['next']['href'].startswith('https://vbo-internal.corp.local:4443/v5/')
    assert v6['_links']['next']['href'] == '/v6/JobSessions/%s/LogItems?offset=10&limit=10' % session['id']


def test_page_links_repeat_the_path_as_the_client_wrote_it(client, emulator):
    organization = emulator.info['organizations'][0]['id']
    path = '/v7/Organizations/%s/usedRepositories' % organization.upper()
    status, body, _headers = client.call('GET', path, query={'limit': 1})
    assert status == 200 and body['_links']['next']['href'] == '%s?offset=1&limit=1' % path
    status, body, _headers = client.call('GET', '/v7/licensedusers', query={'limit': 1})
    assert status == 200 and body['_links']['next']['href'] == '/v7/licensedusers?offset=1&limit=1'


def test_an_unknown_part_of_a_session_names_a_missing_session(client, emulator):
    missing = '00000000-0000-4000-8000-000000000000'
    status, body, _headers = client.call('GET', '/v8/JobSessions/%s/Foo' % missing)
    expected = (404, 'Job session %s was not found.' % missing, 'ResourceNotFound')
    assert (status, body['message'], body['errorCode']) == expected
    status, body, _headers = client.call('GET', '/v8/JobSessions/%s/Foo' % emulator.session(status='Failed')['id'])
    assert (status, body) == (404, {'message': 'No HTTP resource was found that matches the request URI.'})


def test_v8_newest_first_and_type_filter(client, emulator):
    session = emulator.session(status='Failed')
    path = '/v8/JobSessions/%s/LogItems' % session['id']
    _status, ascending, _headers = client.call('GET', path, query={'limit': 1000})
    _status, descending, _headers = client.call('GET', path, query={'limit': 1000, 'orderAsc': 'false'})
    assert descending['results'] == list(reversed(ascending['results']))
    _status, errors, _headers = client.call('GET', path, query={'limit': 1000, 'type': 'Error'})
    assert errors['results'] and all(item['type'] == 'Error' for item in errors['results'])


def test_million_item_session_is_served_lazily(client, emulator):
    path = '/v8/JobSessions/%s/LogItems' % emulator.info['large_session_id']
    started = time.monotonic()
    status, page, _headers = client.call('GET', path, query={'offset': 999990, 'limit': 10000})
    assert status == 200
    assert len(page['results']) == 10
    assert page['results'][-1]['message'].startswith('Job finished at')
    assert 'next' not in page['_links']
    print('last page of 1,000,000 in %.3f s' % (time.monotonic() - started))


def test_limit_above_maximum_is_clamped_and_page_cap_fault(client, emulator):
    session = emulator.session(status='Failed')
    path = '/v8/JobSessions/%s/LogItems' % session['id']
    _status, page, _headers = client.call('GET', path, query={'limit': 20000})
    assert page['limit'] == 10000
    emulator.admin('faults', {'page_cap': 7})
    _status, page, _headers = client.call('GET', path, query={'limit': 50})
    assert page['limit'] == 7 and len(page['results']) == 7


def test_logout_per_version(emulator):
    api = Client(emulator)
    for version, expected in (('v8', 204), ('v7', 200)):
        api.login()
        status, _body, _headers = api.call('POST', '/%s/token/logout' % version, form={})
        assert status == expected
        status, _body, _headers = api.call('GET', '/v8/Jobs')
        assert status == 401, 'a logged-out token no longer works'
    api.login()
    status, _body, _headers = api.call('POST', '/v6/token/logout', form={})
    assert status == 404


def test_product_7_serves_no_v8(tmp_path):
    running = vb365_emulator.start(tmp_path, '--product', '7', '--http')
    try:
        for version, expected in (('v8', 404), ('v7', 401), ('v6', 401)):
            with pytest.raises(urllib.error.HTTPError) as error:
                urllib.request.urlopen('%s/%s/ServiceInstance' % (running.url, version), timeout=10)
            assert error.value.code == expected
    finally:
        running.stop()


def test_token_rate_limit(tmp_path):
    running = vb365_emulator.start(tmp_path, '--product', '8', '--http')
    try:
        api = Client(running)
        api.context = None
        statuses = []
        assert api.login()[0] == 200
        status, _body, headers = api.login()
        assert status == 429 and headers['Retry-After'] == '1', 'a second login within a second'
        for _attempt in range(4):
            time.sleep(1.05)
            statuses.append(api.login()[0])
        assert statuses == [200, 200, 200, 200]
        time.sleep(1.05)
        status, _body, headers = api.login()
        assert status == 429, 'a sixth login within a minute'
        assert 50 <= int(headers['Retry-After']) <= 60
    finally:
        running.stop()


def test_change_feeds_follow_sessions_the_test_starts_and_finishes(client, emulator):
    status, latest, _headers = client.call('GET', '/v8/Events', query={'from': 'latest'})
    assert status == 200 and latest['results'] == []
    token = latest['nextChangeToken']
    _status, v7_latest, _headers = client.call('GET', '/v7/JobSessions/Changes', query={'from': 'latest'})
    started = emulator.admin('sessions', {'job': 'Contoso - Mailboxes', 'items': 5})
    status, page, _headers = client.call('GET', '/v8/Events', query={'from': token, 'timeoutSeconds': '5'})
    assert status == 200
    assert [(event['eventType'], event['id'], event['status']) for event in page['results']] == [
        ('JobSessionUpdate', started['id'], 'Running')]
    token = page['nextChangeToken']

    def finish_later():
        time.sleep(0.5)
        emulator.admin('sessions/%s/finish' % started['id'], {'status': 'Failed'})

    finisher = threading.Thread(target=finish_later)
    finisher.start()
    waited = time.monotonic()
    status, page, _headers = client.call('GET', '/v8/Events', query={'from': token, 'timeoutSeconds': '8'})
    finisher.join()
    assert status == 200 and [event['status'] for event in page['results']] == ['Failed']
    assert time.monotonic() - waited < 5, 'the long poll answers as soon as the session changes'
    _status, session, _headers = client.call('GET', '/v8/JobSessions/%s' % started['id'])
    assert session['status'] == 'Failed' and session['endTime']
    status, changes, _headers = client.call('GET', '/v7/JobSessions/Changes',
                                            query={'from': v7_latest['nextChangeToken']})
    assert status == 200 and [(s['id'], s['status']) for s in changes['results']] == [(started['id'], 'Failed')]
    emulator.admin('faults', {'outdate_change_tokens': 1})
    status, body, _headers = client.call('GET', '/v8/Events', query={'from': token})
    assert status == 400 and body['errorCode'] == 'OutdatedChangeToken'
    status, page, _headers = client.call('GET', '/v8/Events', query={'from': page['nextChangeToken'],
                                                                     'timeoutSeconds': '1'})
    assert status == 200 and page['results'] == [], 'an idle long poll ends empty at its timeout'


def test_a_seed_makes_a_sessions_operations_repeatable(client, emulator):
    def statuses(seed):
        started = emulator.admin('sessions', {'job': 'Contoso - Mailboxes', 'items': 300, 'seed': seed})
        emulator.admin('sessions/%s/finish' % started['id'], {'status': 'Failed'})
        _status, page, _headers = client.call('GET', '/v8/JobSessions/%s/LogItems' % started['id'],
                                              query={'limit': '1000'})
        return [item['type'] for item in page['results']]

    first, again, other = statuses(7), statuses(7), statuses(8)
    assert first == again and first != other and 'Error' in first
    with pytest.raises(urllib.error.HTTPError) as refused:
        emulator.admin('sessions', {'job': 'Contoso - Mailboxes', 'seed': 'seven'})
    assert refused.value.code == 400

# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vb365.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The client against a hostile or broken server: each rule of what an answer may not make it do."""

from __future__ import annotations

import base64
import json
import urllib.parse

import pytest

from ansible_collections.vb365.backup.plugins.module_utils import vb365_api
from ansible_collections.vb365.backup.plugins.module_utils.job_sessions import collect_sessions
from ansible_collections.vb365.backup.plugins.module_utils.jobs import collect_jobs
from ansible_collections.vb365.backup.plugins.module_utils.log_items import collect_log_items
from ansible_collections.vb365.backup.plugins.module_utils.vb365_api import Vb365Client, Vb365Error, secret_forms
from ansible_collections.vb365.backup.tests.unit.plugins.wire import SESSION_ID, page, token_body, v8_item

LOG_PATH = '/v8/JobSessions/%s/LogItems' % SESSION_ID
ECHOED_PASSWORD = 'S3cr3t+Audit&Pw!'


def make_client(warnings=None, **overrides):
    settings = dict(server='vb365.test', username='backup-admin', password=ECHOED_PASSWORD, api_version='v8')
    settings.update(overrides)
    return Vb365Client(warn=warnings.append if warnings is not None else None, **settings)


def login(wire, password=ECHOED_PASSWORD):
    wire.expect('POST', '/v8/token', body=token_body(), form={
        'grant_type': 'password', 'username': 'backup-admin', 'password': password,
        'disable_antiforgery_token': 'true'})


class TestRedirects:
    @pytest.mark.parametrize('status', [301, 302, 303, 307, 308])
    def test_the_token_endpoint_redirect_is_refused_and_nothing_is_sent_there(self, wire, status):
        wire.expect('POST', '/v8/token', status=status,
                    headers={'Location': 'http://other-host/v8/token?user=backup-admin'})
        client = make_client()
        with pytest.raises(Vb365Error) as error:
            client.login()
        message = error.value.message
        assert 'redirected to http://other-host/v8/token?...' in message
        assert 'follows no redirect' in message and 'proxy or load balancer' in message
        assert client.access_token is None
        # The only call went to the configured server: the wire fails on any other.
        assert wire.calls == [('POST', '/v8/token')]

    def test_a_get_redirect_to_another_origin_is_refused(self, wire):
        login(wire)
        wire.expect('GET', LOG_PATH, status=302, headers={'Location': 'https://elsewhere.example/v8/x'},
                    query={'offset': '0', 'limit': '3'})
        client = make_client()
        with pytest.raises(Vb365Error) as error:
            list(client.iter_pages('/JobSessions/%s/LogItems' % SESSION_ID, page_size=3))
        assert 'HTTP 302 on GET' in error.value.message
        assert 'https://elsewhere.example/v8/x' in error.value.message
        assert len(wire.calls) == 2


class TestEchoedSecrets:
    def test_every_encoding_of_the_password_is_masked(self, wire):
        echoed = 'grant_type=password&username=backup-admin&password=%s' % urllib.parse.quote_plus(ECHOED_PASSWORD)
        body = {'error': 'invalid_grant', 'error_description': 'Rejected %s | %s | %s | %s | %s' % (
            echoed, urllib.parse.quote(ECHOED_PASSWORD, safe='').lower(), json.dumps(ECHOED_PASSWORD),
            base64.b64encode(ECHOED_PASSWORD.encode()).decode(), ECHOED_PASSWORD)}
        wire.expect('POST', '/v8/token', status=400, body=body)
        warnings = []
        client = make_client(warnings)
        with pytest.raises(Vb365Error) as error:
            client.login()
        text = error.value.message + str(error.value.server_message) + ' '.join(warnings)
        for form in secret_forms(ECHOED_PASSWORD) + [urllib.parse.quote(ECHOED_PASSWORD, safe='').lower()]:
            assert form not in text
        assert 'S3cr3t' not in text
        assert 'Rejected grant_type=password&username=backup-admin&password=********' in error.value.message

    def test_warnings_are_masked_too(self):
        warnings = []
        client = make_client(warnings)
        client.warn('the server said %s' % urllib.parse.quote_plus(ECHOED_PASSWORD))
        assert warnings == ['the server said ********']


class TestBodies:
    def test_a_lone_surrogate_becomes_a_replacement_character(self, wire):
        login(wire)
        wire.expect('GET', LOG_PATH, query={'offset': '0', 'limit': '3'},
                    text=json.dumps(page([v8_item(1, 'Error', 'bad \ud800 text')], limit=3)),
                    headers={'Content-Type': 'application/json'})
        client = make_client()
        items = [item for results in client.iter_pages('/JobSessions/%s/LogItems' % SESSION_ID, page_size=3)
                 for item in results]
        assert items[0]['message'] == 'bad \ufffd text'
        items[0]['message'].encode('utf-8')

    def test_pages_that_ignore_offset_stop_with_a_clear_error(self, wire):
        login(wire)
        same = page([v8_item(usn, 'Success', 'x') for usn in (1, 2, 3)], limit=3, next_href='/v8/next')
        wire.expect('GET', LOG_PATH, query={'offset': '0', 'limit': '3'}, body=same)
        wire.expect('GET', LOG_PATH, query={'offset': '3', 'limit': '3'}, body=same)
        client = make_client()
        with pytest.raises(Vb365Error) as error:
            list(client.iter_pages('/JobSessions/%s/LogItems' % SESSION_ID, page_size=3))
        assert 'answered the same 3 item(s) for offset 3 as for offset 0' in error.value.message
        assert 'ignores offset' in error.value.message

    def test_a_read_is_bounded(self, wire, monkeypatch):
        monkeypatch.setattr(vb365_api, 'MAX_ITEMS_PER_READ', 5)
        login(wire)
        for offset in (0, 3):
            wire.expect('GET', LOG_PATH, query={'offset': str(offset), 'limit': '3'},
                        body=page([v8_item(offset + usn, 'Success', 'x') for usn in (1, 2, 3)], limit=3,
                                  next_href='/v8/next'))
        client = make_client()
        with pytest.raises(Vb365Error) as error:
            list(client.iter_pages('/JobSessions/%s/LogItems' % SESSION_ID, page_size=3))
        assert 'has sent more than 5 items and still offers more' in error.value.message


class TestServerIds:
    def test_a_session_answering_with_another_id_is_refused(self, wire):
        login(wire)
        wire.expect('GET', '/v8/Jobs', query={'offset': '0', 'limit': '1000'}, body={'results': [], 'limit': 1000})
        wire.expect('GET', '/v8/JobSessions/%s' % SESSION_ID,
                    body={'id': '0f0f0f0f-0000-4000-8000-000000000000', 'status': 'Success'})
        with pytest.raises(Vb365Error) as error:
            collect_sessions(make_client(), job_session_id=SESSION_ID)
        assert 'answered with another session' in error.value.message

    def test_a_server_id_that_is_not_a_uuid_never_becomes_a_path(self):
        with pytest.raises(Vb365Error) as error:
            collect_log_items(make_client(), '../{{ lookup("pipe", "id") }}')
        assert 'is not a UUID: it is not put in a request path' in error.value.message

    def test_jobs_info_does_not_read_operations_of_a_session_with_a_hostile_id(self, wire):
        login(wire)
        job_id = '2dc1c0fd-8d7c-4848-a9bb-9ca16329eabd'
        wire.expect('GET', '/v8/Jobs', query={'offset': '0', 'limit': '1000'}, body={'limit': 1000, 'results': [
            {'id': job_id, 'name': 'Mailboxes', 'isEnabled': True, 'lastStatus': 'Failed'}]})
        wire.expect('GET', '/v8/Organizations', query={'offset': '0', 'limit': '1000'},
                    body={'limit': 1000, 'results': []})
        wire.expect('GET', '/v8/JobSessions', query={'offset': '0', 'limit': '1000', 'jobId': job_id},
                    body={'limit': 1000, 'results': [
                        {'id': '../x;sh', 'jobId': job_id, 'status': 'Failed', 'retryCount': 0,
                         'creationTime': '2099-01-01T00:00:00Z', 'endTime': '2099-01-01T00:10:00Z'}]})
        warnings = []
        result = collect_jobs(make_client(warnings), include_last_session=True)
        job = result['jobs'][0]
        assert job['verdict'] == 'Error' and job['summary'] is None
        assert "the server gave its newest session the id '../x;sh', which is not a UUID" in warnings[0]
        assert len(wire.calls) == 4


class TestLogItemRules:
    def test_a_usn_that_is_not_a_number_is_null_and_the_item_still_counts(self, wire):
        login(wire)
        items = [v8_item(1, 'Success', 'ok'), dict(v8_item(2, 'Error', 'bad'), usn='<img src=x onerror=alert(1)>')]
        wire.expect('GET', LOG_PATH, query={'offset': '0', 'limit': '3'}, body=page(items, limit=3))
        result = collect_log_items(make_client(), SESSION_ID, page_size=3)
        assert [item['usn'] for item in result['log_items']] == [None, 1]
        assert result['summary']['total'] == 2 and result['last_usn'] == 1

    def test_duplicates_are_merged_by_id_and_usn_only(self, wire):
        login(wire)
        shared_id = [dict(v8_item(usn, 'Success', 'x'), id='one-id') for usn in range(1, 7)]
        no_id = [{'usn': 9, 'type': 'Warning', 'message': 'same'}, {'usn': 9, 'type': 'Warning', 'message': 'same'}]
        repeated = [v8_item(20, 'Error', 'again'), v8_item(20, 'Error', 'again')]
        wire.expect('GET', LOG_PATH, query={'offset': '0', 'limit': '20'},
                    body=page(shared_id + no_id + repeated, limit=20))
        result = collect_log_items(make_client(), SESSION_ID, page_size=20)
        assert [item['usn'] for item in result['log_items']] == [1, 2, 3, 4, 5, 6, 9, 9, 20]


def test_tls_name_mismatch_names_the_name_not_the_ca():
    client = make_client(ca_path=None)
    client._ca_path = '/etc/pki/ca.pem'  # pylint: disable=protected-access
    reason = ("HTTPSConnectionPool(host='127.0.0.2', port=4443): certificate verify failed: IP address mismatch, "
              "certificate is not valid for '127.0.0.2'. (_ssl.c:1006)")
    error = client._tls_error(Exception(reason), 'GET', '/v8/ServiceInstance')  # pylint: disable=protected-access
    assert 'does not name the host or IP address given in server' in error.message
    assert 'is not the CA that signed it' not in error.message

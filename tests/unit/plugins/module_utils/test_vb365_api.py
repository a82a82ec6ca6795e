# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vb365.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import pytest
import requests

from ansible_collections.vb365.backup.plugins.module_utils.vb365_api import Vb365Client, Vb365Error, parse_server
from ansible_collections.vb365.backup.tests.unit.plugins.wire import (
    BASE, PASSWORD, SESSION_ID, legacy_item, page, token_body, v8_item)

LOG_PATH = '/JobSessions/%s/LogItems' % SESSION_ID


def make_client(warnings=None, secrets=None, **overrides):
    settings = dict(server='vb365.test', username='backup-admin', password=PASSWORD, api_version='v8')
    settings.update(overrides)
    return Vb365Client(warn=(warnings.append if warnings is not None else None),
                       register_secret=(secrets.append if secrets is not None else None), **settings)


def all_items(client, page_size=3, offset=0):
    return [item for results in client.iter_pages(LOG_PATH, page_size=page_size, offset=offset) for item in results]


class TestServer:
    @pytest.mark.parametrize('server, port, expected', [
        ('vb365.test', 4443, ('https://vb365.test:4443', False)),
        ('10.0.0.5', 443, ('https://10.0.0.5:443', False)),
        ('https://vb365.test', 4443, ('https://vb365.test:4443', False)),
        ('https://vb365.test:9443/', 4443, ('https://vb365.test:9443', False)),
        ('HTTPS://vb365.test:9443', 4443, ('https://vb365.test:9443', False)),
        ('http://vb365.test', 4443, ('http://vb365.test:4443', True)),
        ('::1', 4443, ('https://[::1]:4443', False)),
        ('https://[::1]:8443', 4443, ('https://[::1]:8443', False)),
    ])
    def test_accepted(self, server, port, expected):
        assert parse_server(server, port) == expected

    @pytest.mark.parametrize('server, fragment', [
        ('https://vb365.test/v8', 'must not carry a path'),
        ('https://vb365.test:4443/api?x=1', 'must not carry a path'),
        ('ftp://vb365.test', "scheme 'ftp'"),
        ('https://admin:pw@vb365.test', 'credentials'),
        ('vb365.test/v8', 'not a host name'),
        ('vb365.test:4443', 'looks like host:port'),
        ('', 'server is empty'),
        ('https://vb365.test:99999', 'invalid port'),
    ])
    def test_refused(self, server, fragment):
        with pytest.raises(Vb365Error) as error:
            parse_server(server)
        assert fragment in error.value.message
        assert 'pw' not in error.value.message or fragment != 'credentials'

    def test_plain_http_warns(self):
        warnings = []
        make_client(warnings, server='http://vb365.test')
        assert any('plain http' in warning for warning in warnings)


class TestLoginAndPaging:
    def test_logs_in_once_for_every_page(self, wire):
        wire.login()
        wire.log_page('v8', [v8_item(1, 'Success', 'a'), v8_item(2, 'Success', 'b'), v8_item(3, 'Success', 'c')],
                      0, 3)
        wire.log_page('v8', [v8_item(4, 'Success', 'd'), v8_item(5, 'Success', 'e'), v8_item(6, 'Success', 'f')],
                      3, 3)
        wire.log_page('v8', [v8_item(7, 'Warning', 'g')], 6, 3)
        client = make_client()
        assert [item['usn'] for item in all_items(client)] == [1, 2, 3, 4, 5, 6, 7]
        assert client.login_count == 1
        assert wire.calls[0] == ('POST', '/v8/token')
        for index in range(1, 4):
            assert wire.request(index).headers['Authorization'] == 'Bearer access-one'

    def test_v6_login_has_no_antiforgery_field(self, wire):
        wire.login(version='v6')
        wire.log_page('v6', [], 0, 3)
        assert all_items(make_client(api_version='v6')) == []
        assert 'disable_antiforgery_token' not in wire.request(0).body

    def test_access_token_is_used_without_login(self, wire):
        wire.log_page('v8', [v8_item(1, 'Success', 'a')], 0, 3)
        client = make_client(username=None, password=None, access_token='given-token')
        assert len(all_items(client)) == 1
        assert client.login_count == 0
        assert wire.request(0).headers['Authorization'] == 'Bearer given-token'

    def test_refresh_token_alone_is_traded_first(self, wire):
        wire.expect('POST', '/v8/token', body=token_body('fresh', 'next-refresh'),
                    form={'grant_type': 'refresh_token', 'refresh_token': 'old-refresh',
                          'disable_antiforgery_token': 'true'})
        wire.log_page('v8', [], 0, 3)
        client = make_client(username=None, password=None, refresh_token='old-refresh')
        all_items(client)
        assert wire.request(1).headers['Authorization'] == 'Bearer fresh'
        assert client.refresh_token == 'next-refresh'

    def test_refreshes_once_on_401_in_the_middle_of_paging(self, wire):
        wire.login()
        wire.log_page('v8', [v8_item(1, 'Success', 'a'), v8_item(2, 'Success', 'b'), v8_item(3, 'Success', 'c')],
                      0, 3)
        wire.expect('GET', '/v8' + LOG_PATH, status=401, body={'message': 'expired'},
                    query={'offset': '3', 'limit': '3'})
        wire.expect('POST', '/v8/token', body=token_body('access-two', 'refresh-two'),
                    form={'grant_type': 'refresh_token', 'refresh_token': 'refresh-one',
                          'disable_antiforgery_token': 'true'})
        wire.log_page('v8', [v8_item(4, 'Success', 'd')], 3, 3)
        warnings, secrets = [], []
        client = make_client(warnings, secrets)
        assert [item['usn'] for item in all_items(client)] == [1, 2, 3, 4]
        assert wire.request(4).headers['Authorization'] == 'Bearer access-two'
        assert any('renewing it once' in warning for warning in warnings)
        assert {'access-one', 'refresh-one', 'access-two', 'refresh-two', PASSWORD} <= set(secrets)

    def test_refused_refresh_falls_back_to_password(self, wire):
        wire.expect('GET', '/v8' + LOG_PATH, status=401, query={'offset': '0', 'limit': '3'})
        wire.expect('POST', '/v8/token', status=400, body={'error': 'invalid_grant'})
        wire.login(access='after-password')
        wire.log_page('v8', [], 0, 3)
        client = Vb365Client('vb365.test', username='backup-admin', password=PASSWORD, access_token='stale',
                             refresh_token='stale-refresh', api_version='v8')
        assert all_items(client) == []
        assert wire.request(3).headers['Authorization'] == 'Bearer after-password'

    def test_second_401_is_an_error(self, wire):
        wire.expect('GET', '/v8' + LOG_PATH, status=401, query={'offset': '0', 'limit': '3'})
        wire.login()
        wire.expect('GET', '/v8' + LOG_PATH, status=401, query={'offset': '0', 'limit': '3'},
                    body={'message': 'Access token is invalid'})
        # The client itself does not judge credential sets (the module does): a stale token and a password.
        client = make_client(access_token='stale')
        with pytest.raises(Vb365Error) as error:
            all_items(client)
        assert error.value.status == 401
        assert 'check username and password' in error.value.message

    def test_bad_password_says_so_without_echoing_it(self, wire):
        wire.expect('POST', '/v8/token', status=400,
                    body={'error': 'invalid_grant', 'error_description': 'The user name or password is incorrect.'})
        with pytest.raises(Vb365Error) as error:
            all_items(make_client())
        assert 'Login to %s with the password failed (HTTP 400)' % BASE in error.value.message
        assert 'The user name or password is incorrect.' in error.value.message
        assert PASSWORD not in error.value.message
        assert PASSWORD not in str(error.value.to_dict())


class TestRateLimitAndRetries:
    def test_token_429_with_retry_after(self, wire, sleeps):
        wire.expect('POST', '/v8/token', status=429, headers={'Retry-After': '2'}, text='')
        wire.login()
        wire.log_page('v8', [], 0, 3)
        warnings = []
        all_items(make_client(warnings))
        assert sleeps == [2.0]
        assert 'HTTP 429; retry 1 of 3 in 2.0 s' in warnings[0]

    def test_token_429_without_retry_after_backs_off(self, wire, sleeps):
        wire.expect('POST', '/v8/token', status=429, text='Too many requests')
        wire.expect('POST', '/v8/token', status=429, text='Too many requests')
        wire.login()
        wire.log_page('v8', [], 0, 3)
        all_items(make_client())
        assert len(sleeps) == 2
        assert 0.5 <= sleeps[0] <= 1.0
        assert 1.0 <= sleeps[1] <= 2.0

    def test_token_429_exhausted_explains_the_limit(self, wire, sleeps):
        for _attempt in range(2):
            wire.expect('POST', '/v8/token', status=429, body={'message': 'Rate limit exceeded'})
        with pytest.raises(Vb365Error) as error:
            all_items(make_client(retries=1))
        assert error.value.status == 429
        assert '5 logins a minute' in error.value.message
        assert len(sleeps) == 1

    @pytest.mark.parametrize('status', [500, 502, 503, 504])
    def test_5xx_then_success(self, wire, sleeps, status):
        wire.login()
        wire.expect('GET', '/v8' + LOG_PATH, status=status, text='<html><body>busy</body></html>',
                    query={'offset': '0', 'limit': '3'})
        wire.log_page('v8', [v8_item(1, 'Success', 'a')], 0, 3)
        assert len(all_items(make_client())) == 1
        assert len(sleeps) == 1

    def test_retry_after_is_honoured_on_503(self, wire, sleeps):
        wire.login()
        wire.expect('GET', '/v8' + LOG_PATH, status=503, headers={'Retry-After': '7'},
                    query={'offset': '0', 'limit': '3'})
        wire.log_page('v8', [], 0, 3)
        all_items(make_client())
        assert sleeps == [7.0]

    def test_retry_after_beyond_cap_fails_clearly(self, wire, sleeps):
        wire.login()
        wire.expect('GET', '/v8' + LOG_PATH, status=503, headers={'Retry-After': '3600'},
                    query={'offset': '0', 'limit': '3'})
        with pytest.raises(Vb365Error) as error:
            all_items(make_client())
        assert 'asked to wait 3600 seconds' in error.value.message
        assert sleeps == []

    def test_5xx_exhausted_names_status_and_server_message(self, wire, sleeps):
        wire.login()
        for _attempt in range(3):
            wire.expect('GET', '/v8' + LOG_PATH, status=500, query={'offset': '0', 'limit': '3'},
                        body={'message': 'Database is unavailable', 'errorCode': 'HttpError'})
        with pytest.raises(Vb365Error) as error:
            all_items(make_client(retries=2))
        assert error.value.status == 500
        assert 'Database is unavailable' in error.value.message
        assert 'errorCode HttpError' in error.value.message
        assert len(sleeps) == 2

    def test_timeout_then_success(self, wire, sleeps):
        wire.login()
        wire.expect('GET', '/v8' + LOG_PATH, exception=requests.exceptions.ReadTimeout('read timed out'))
        wire.log_page('v8', [], 0, 3)
        warnings = []
        all_items(make_client(warnings))
        assert 'no answer within 30 seconds' in warnings[0]

    def test_timeout_exhausted(self, wire, sleeps):
        wire.login()
        for _attempt in range(2):
            wire.expect('GET', '/v8' + LOG_PATH, exception=requests.exceptions.ConnectTimeout('timed out'))
        with pytest.raises(Vb365Error) as error:
            all_items(make_client(retries=1, timeout=5))
        assert error.value.kind == 'timeout'
        assert 'no answer within 5 seconds, after 2 attempt(s). Raise timeout' in error.value.message

    def test_connection_error_exhausted(self, wire, sleeps):
        for _attempt in range(4):
            wire.expect('POST', '/v8/token', exception=requests.exceptions.ConnectionError('Connection refused'))
        with pytest.raises(Vb365Error) as error:
            all_items(make_client())
        assert error.value.kind == 'connection'
        assert 'Could not reach %s' % BASE in error.value.message
        assert 'Connection refused' in error.value.message
        assert len(sleeps) == 3

    def test_connection_closed_mid_body_is_retried(self, wire, sleeps):
        wire.login()
        wire.expect('GET', '/v8' + LOG_PATH, exception=requests.exceptions.ChunkedEncodingError('IncompleteRead'))
        wire.log_page('v8', [], 0, 3)
        all_items(make_client())
        assert len(sleeps) == 1

    def test_tls_failure_is_not_retried_and_says_what_to_do(self, wire, sleeps):
        wire.expect('POST', '/v8/token', exception=requests.exceptions.SSLError('certificate verify failed'))
        with pytest.raises(Vb365Error) as error:
            all_items(make_client())
        assert error.value.kind == 'tls'
        assert 'ca_path' in error.value.message and 'validate_certs' in error.value.message
        assert sleeps == []

    @pytest.mark.parametrize('status', [400, 403, 404])
    def test_client_errors_are_not_retried(self, wire, sleeps, status):
        wire.login()
        wire.expect('GET', '/v8' + LOG_PATH, status=status, query={'offset': '0', 'limit': '3'},
                    body={'message': 'no', 'errorCode': 'ResourceNotFound'})
        with pytest.raises(Vb365Error) as error:
            all_items(make_client())
        assert error.value.status == status
        assert sleeps == []
        assert len(wire.calls) == 2

    def test_html_error_body_becomes_a_short_excerpt(self, wire, sleeps):
        wire.login()
        html = '<html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1>%s</body></html>' % (
            'x' * 500)
        wire.expect('GET', '/v8' + LOG_PATH, status=403, text=html, query={'offset': '0', 'limit': '3'})
        with pytest.raises(Vb365Error) as error:
            all_items(make_client())
        assert 'non-JSON response: 502 Bad Gateway Bad Gateway' in error.value.message
        assert '<h1>' not in error.value.message
        assert len(error.value.server_message) < 260

    def test_empty_error_body(self, wire):
        wire.login()
        wire.expect('GET', '/v8' + LOG_PATH, status=404, text='', query={'offset': '0', 'limit': '3'})
        with pytest.raises(Vb365Error) as error:
            all_items(make_client())
        assert 'empty response body' in error.value.message

    def test_html_on_success_status_is_a_protocol_error(self, wire):
        wire.login()
        wire.expect('GET', '/v8' + LOG_PATH, status=200, text='<html>login portal</html>',
                    query={'offset': '0', 'limit': '3'})
        with pytest.raises(Vb365Error) as error:
            all_items(make_client(retries=0))
        assert error.value.kind == 'protocol'
        assert 'not JSON' in error.value.message


class TestPagination:
    def test_server_capping_the_limit(self, wire):
        wire.login()
        wire.log_page('v8', [v8_item(usn, 'Success', 'x') for usn in (1, 2)], 0, 5, reported_limit=2)
        wire.log_page('v8', [v8_item(usn, 'Success', 'x') for usn in (3, 4)], 2, 5, reported_limit=2)
        wire.log_page('v8', [v8_item(5, 'Success', 'x')], 4, 5, reported_limit=2)
        assert [item['usn'] for item in all_items(make_client(), page_size=5)] == [1, 2, 3, 4, 5]

    def test_stops_when_next_link_is_absent(self, wire):
        wire.login()
        wire.log_page('v8', [v8_item(1, 'Success', 'x'), v8_item(2, 'Success', 'y')], 0, 2, next_link=False)
        assert len(all_items(make_client(), page_size=2)) == 2

    def test_stops_on_empty_page(self, wire):
        wire.login()
        wire.log_page('v8', [v8_item(1, 'Success', 'x'), v8_item(2, 'Success', 'y')], 0, 2)
        wire.log_page('v8', [], 2, 2)
        assert len(all_items(make_client(), page_size=2)) == 2

    def test_total_count_is_ignored(self, wire):
        wire.login(version='v6')
        body = page([legacy_item(1, '[Success] a'), legacy_item(2, '[Success] b')], 0, 2, '/v6/next')
        body['totalCount'] = 2
        wire.expect('GET', '/v6' + LOG_PATH, body=body, query={'offset': '0', 'limit': '2'})
        wire.log_page('v6', [legacy_item(3, '[Success] c')], 2, 2)
        assert len(all_items(make_client(api_version='v6'), page_size=2)) == 3

    def test_absolute_v5_links_to_another_host_are_not_followed(self, wire):
        wire.login(version='v5')
        other = 'https://VBO-INTERNAL.corp.local:4443/v5/JobSessions/%s/LogItems?offset=2&limit=2' % SESSION_ID
        wire.expect('GET', '/v5' + LOG_PATH, query={'offset': '0', 'limit': '2'},
                    body=page([legacy_item(1, '[Success] a'), legacy_item(2, '[Success] b')], 0, 2, other))
        wire.expect('GET', '/v5' + LOG_PATH, query={'offset': '2', 'limit': '2'},
                    body=page([legacy_item(3, '[Success] c')], 2, 2, None))
        assert len(all_items(make_client(api_version='v5'), page_size=2)) == 3
        assert all(call[1].startswith('/v5/') for call in wire.calls)
        assert all(call.request.url.startswith(BASE) for call in wire.mock.calls)

    def test_relative_v6_links(self, wire):
        wire.login(version='v6')
        wire.log_page('v6', [legacy_item(1, '[Success] a'), legacy_item(2, '[Success] b')], 0, 2)
        wire.log_page('v6', [legacy_item(3, '[Success] c')], 2, 2)
        assert len(all_items(make_client(api_version='v6'), page_size=2)) == 3

    @pytest.mark.parametrize('size', [0, 10001])
    def test_page_size_bounds(self, size):
        with pytest.raises(Vb365Error) as error:
            next(make_client().iter_pages(LOG_PATH, page_size=size))
        assert 'page_size must be between 1 and 10000' in error.value.message


class TestVersionDiscovery:
    def test_auto_probes_anonymously_and_spends_no_login(self, wire):
        wire.expect('GET', '/v8/ServiceInstance', status=404, text='')
        wire.expect('GET', '/v7/ServiceInstance', status=401, body={'message': 'Authorization has been denied'})
        wire.login(version='v7')
        wire.log_page('v7', [], 0, 3)
        client = make_client(api_version='auto')
        all_items(client)
        assert client.api_version == 'v7'
        assert 'Authorization' not in wire.request(0).headers
        assert 'Authorization' not in wire.request(1).headers
        assert client.login_count == 1

    def test_auto_falls_back_to_v5(self, wire):
        for version in ('v8', 'v7', 'v6'):
            wire.expect('GET', '/%s/ServiceInstance' % version, status=404, text='')
        wire.expect('GET', '/v5/JobSessions', status=401, text='')
        assert make_client(api_version='auto').api_version == 'v5'

    def test_auto_with_nothing_served(self, wire):
        for version in ('v8', 'v7', 'v6'):
            wire.expect('GET', '/%s/ServiceInstance' % version, status=404, text='')
        wire.expect('GET', '/v5/JobSessions', status=404, text='')
        with pytest.raises(Vb365Error) as error:
            make_client(api_version='auto').api_version  # pylint: disable=expression-not-assigned
        assert 'No VB365 REST API version' in error.value.message

    def test_explicit_version_sends_no_probe(self, wire):
        wire.login(version='v6')
        wire.log_page('v6', [], 0, 3)
        all_items(make_client(api_version='v6'))
        assert wire.calls == [('POST', '/v6/token'), ('GET', '/v6' + LOG_PATH)]


class TestTlsSettings:
    def test_ca_path_travels_with_each_request(self, wire, monkeypatch, tmp_path):
        ca_file = tmp_path / 'ca.pem'
        ca_file.write_text('-----BEGIN CERTIFICATE-----\nnot read by the mock\n-----END CERTIFICATE-----\n')
        monkeypatch.setenv('REQUESTS_CA_BUNDLE', '/elsewhere.pem')
        sent = []
        original = requests.Session.request

        def spy(session, method, url, **kwargs):
            sent.append(kwargs.get('verify'))
            return original(session, method, url, **kwargs)

        monkeypatch.setattr(requests.Session, 'request', spy)
        wire.login()
        wire.log_page('v8', [], 0, 3)
        all_items(make_client(ca_path=str(ca_file)))
        assert sent == [str(ca_file), str(ca_file)]

    def test_validate_certs_false_warns(self):
        warnings = []
        make_client(warnings, validate_certs=False)
        assert any('validate_certs is false' in warning for warning in warnings)

# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vb365.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import json

import pytest

from ansible_collections.vb365.backup.plugins.modules.job_session_log_items_info import main
from ansible_collections.vb365.backup.tests.unit.plugins.wire import (
    PASSWORD, SESSION_ID, legacy_item, run_module, token_body, v8_item)

LOG_PATH = '/JobSessions/%s/LogItems' % SESSION_ID
KEYS = {'id', 'usn', 'status', 'title', 'message', 'creation_time', 'end_time', 'duration_seconds'}


def args(**overrides):
    base = dict(server='vb365.test', username='backup-admin', password=PASSWORD, api_version='v8',
                job_session_id=SESSION_ID, page_size=3)
    base.update(overrides)
    return dict((key, value) for key, value in base.items() if value is not None)


def mixed_v8(first_usn, count):
    kinds = ['Success', 'Warning', 'Error', 'Running', 'Stop']
    return [v8_item((first_usn + index) * 10, kinds[(first_usn + index) % 5], 'operation %d' % (first_usn + index))
            for index in range(count)]


class TestResult:
    @pytest.mark.parametrize('version', ['v5', 'v6', 'v7', 'v8'])
    def test_every_page_every_version_same_shape(self, wire, capsys, version):
        wire.login(version=version)
        if version == 'v8':
            pages = [[v8_item(1, 'Success', 'Job started'), v8_item(2, 'Warning', 'Mailbox a: item too large'),
                      v8_item(1000, 'Error', 'Mailbox b: access denied')], [v8_item(1001, 'Success', 'Job finished')]]
        else:
            pages = [[legacy_item(1, '[Success] Job started'), legacy_item(2, '[Warning] Mailbox a: item too large'),
                      legacy_item(1000, '[Failed] Mailbox b: access denied')], [legacy_item(1001, '[Success] Job finished')]]
        wire.log_page(version, pages[0], 0, 3)
        wire.log_page(version, pages[1], 3, 3)
        failed, result = run_module(main, args(api_version=version), capsys)
        assert not failed
        assert result['changed'] is False
        assert result['api_version'] == version
        assert result['job_session_id'] == SESSION_ID
        assert [item['usn'] for item in result['log_items']] == [1, 2, 1000, 1001]
        assert all(set(item) == KEYS for item in result['log_items'])
        assert [item['status'] for item in result['log_items']] == ['Success', 'Warning', 'Error', 'Success']
        assert result['log_items'][2]['message'] == 'Mailbox b: access denied'
        assert result['log_items'][0]['duration_seconds'] == 2.5
        assert result['summary'] == {
            'total': 4, 'by_status': {'Success': 2, 'Warning': 1, 'Error': 1, 'Running': 0, 'Stop': 0, 'Unknown': 0},
            'first_creation_time': '2026-11-27T22:00:00.1000000+01:00',
            'last_end_time': '2026-11-27T22:00:02.6000000+01:00'}
        assert result['last_usn'] == 1001

    def test_status_filter_is_case_insensitive_and_summary_follows_it(self, wire, capsys):
        wire.login()
        wire.log_page('v8', mixed_v8(0, 3), 0, 3)
        wire.log_page('v8', mixed_v8(3, 2), 3, 3)
        failed, result = run_module(main, args(status=['warning', 'FAILED']), capsys)
        assert not failed
        assert [item['status'] for item in result['log_items']] == ['Warning', 'Error']
        assert result['summary']['total'] == 2
        assert result['summary']['by_status']['Success'] == 0
        assert result['last_usn'] == 40

    def test_since_usn_on_v7_reads_every_page(self, wire, capsys):
        wire.login(version='v7')
        wire.log_page('v7', [legacy_item(1, '[Success] a'), legacy_item(5, '[Success] b'),
                             legacy_item(9, '[Warning] c')], 0, 3)
        wire.log_page('v7', [legacy_item(12, '[Success] d')], 3, 3)
        failed, result = run_module(main, args(api_version='v7', since_usn=5), capsys)
        assert not failed
        assert [item['usn'] for item in result['log_items']] == [9, 12]
        assert result['last_usn'] == 12

    def test_since_usn_on_v8_reads_newest_first_and_stops(self, wire, capsys):
        wire.login()
        path = '/v8' + LOG_PATH
        wire.expect('GET', path, query={'offset': '0', 'limit': '3', 'orderAsc': 'false'},
                    body={'offset': 0, 'limit': 3, 'results': [v8_item(usn, 'Success', 'x') for usn in (50, 40, 30)],
                          '_links': {'next': {'href': '/v8/next'}}})
        wire.expect('GET', path, query={'offset': '3', 'limit': '3', 'orderAsc': 'false'},
                    body={'offset': 3, 'limit': 3, 'results': [v8_item(usn, 'Warning', 'x') for usn in (25, 20, 10)],
                          '_links': {'next': {'href': '/v8/next'}}})
        failed, result = run_module(main, args(since_usn=20), capsys)
        assert not failed
        assert [item['usn'] for item in result['log_items']] == [25, 30, 40, 50]
        assert result['last_usn'] == 50
        # Login, two pages (the second holds the first older item), and the closing logout.
        assert len(wire.calls) == 4

    def test_since_usn_on_v8_with_max_items_returns_the_oldest_new_ones(self, wire, capsys):
        wire.login()
        wire.expect('GET', '/v8' + LOG_PATH, query={'offset': '0', 'limit': '3', 'orderAsc': 'false'},
                    body={'offset': 0, 'limit': 3, 'results': [v8_item(usn, 'Success', 'x') for usn in (50, 40, 30)],
                          '_links': {}})
        failed, result = run_module(main, args(since_usn=20, max_items=2), capsys)
        assert not failed
        assert [item['usn'] for item in result['log_items']] == [30, 40]
        assert result['last_usn'] == 40

    def test_max_items_stops_reading_and_points_last_usn_at_the_last_returned(self, wire, capsys):
        wire.login()
        wire.log_page('v8', mixed_v8(0, 3), 0, 3)
        wire.log_page('v8', mixed_v8(3, 3), 3, 3)
        failed, result = run_module(main, args(max_items=4), capsys)
        assert not failed
        assert [item['usn'] for item in result['log_items']] == [0, 10, 20, 30]
        assert result['last_usn'] == 30
        assert result['summary']['total'] == 4

    def test_include_items_false_keeps_the_full_summary(self, wire, capsys):
        wire.login()
        wire.log_page('v8', mixed_v8(0, 3), 0, 3)
        wire.log_page('v8', mixed_v8(3, 2), 3, 3)
        failed, result = run_module(main, args(include_items=False), capsys)
        assert not failed
        assert result['log_items'] == []
        assert result['summary']['total'] == 5
        assert sum(result['summary']['by_status'].values()) == 5

    def test_offset_is_the_first_request_offset(self, wire, capsys):
        wire.login()
        wire.log_page('v8', mixed_v8(7, 1), 7, 3)
        failed, result = run_module(main, args(offset=7), capsys)
        assert not failed
        assert result['summary']['total'] == 1

    def test_duplicates_across_shifting_pages_are_returned_once(self, wire, capsys):
        wire.login()
        first = [v8_item(usn, 'Success', 'x') for usn in (1, 2, 3)]
        # An item landed before offset 3 while paging: usn 3 is served again at the next offset.
        second = [v8_item(usn, 'Success', 'x') for usn in (3, 4, 5)]
        wire.log_page('v8', first, 0, 3)
        wire.log_page('v8', second, 3, 3)
        wire.log_page('v8', [], 6, 3)
        failed, result = run_module(main, args(), capsys)
        assert not failed
        assert [item['usn'] for item in result['log_items']] == [1, 2, 3, 4, 5]

    def test_unordered_pages_come_back_sorted_by_usn(self, wire, capsys):
        wire.login()
        wire.log_page('v8', [v8_item(usn, 'Success', 'x') for usn in (9, 3)], 0, 3)
        failed, result = run_module(main, args(), capsys)
        assert not failed
        assert [item['usn'] for item in result['log_items']] == [3, 9]

    def test_environment_credentials_and_module_defaults_style_options(self, wire, capsys, monkeypatch):
        monkeypatch.setenv('VB365_SERVER', 'vb365.test')
        monkeypatch.setenv('VB365_USERNAME', 'backup-admin')
        monkeypatch.setenv('VB365_PASSWORD', PASSWORD)
        monkeypatch.setenv('VB365_API_VERSION', 'v8')
        wire.login()
        wire.log_page('v8', [], 0, 3)
        failed, result = run_module(main, {'job_session_id': SESSION_ID, 'page_size': 3}, capsys)
        assert not failed
        assert result['summary']['total'] == 0

    def test_task_token_wins_over_environment_password(self, wire, capsys, monkeypatch):
        monkeypatch.setenv('VB365_USERNAME', 'backup-admin')
        monkeypatch.setenv('VB365_PASSWORD', PASSWORD)
        wire.log_page('v8', [], 0, 3)
        failed, result = run_module(main, args(username=None, password=None, access_token='task-token'), capsys)
        assert not failed
        assert wire.request(0).headers['Authorization'] == 'Bearer task-token'


class TestFailures:
    def test_unknown_session_names_the_id(self, wire, capsys):
        wire.login()
        wire.expect('GET', '/v8' + LOG_PATH, status=404, query={'offset': '0', 'limit': '3'},
                    body={'message': 'Job session not found.', 'errorCode': 'ResourceNotFound'})
        failed, result = run_module(main, args(), capsys)
        assert failed
        assert result['msg'].startswith('Job session %s was not found on https://vb365.test:4443: check the id.'
                                        % SESSION_ID)
        assert result['error']['status'] == 404
        assert result['api_version'] == 'v8'

    def test_401_says_to_check_credentials(self, wire, capsys):
        wire.expect('GET', '/v8' + LOG_PATH, status=401, query={'offset': '0', 'limit': '3'})
        failed, result = run_module(main, args(username=None, password=None, access_token='expired-token'), capsys)
        assert failed
        assert result['msg'].startswith('The server refused the access token (HTTP 401 on GET /v8/JobSessions/')
        assert 'no refresh_token, nor username and password, was given' in result['msg']
        assert 'renewing' not in json.dumps(result)
        assert 'expired-token' not in json.dumps(result)

    def test_no_secret_in_any_failure(self, wire, capsys, sleeps):
        # A server that echoes what it got must not make the module print it.
        wire.expect('POST', '/v8/token', status=400,
                    body={'error': 'invalid_grant', 'error_description': 'bad password %s' % PASSWORD})
        failed, result = run_module(main, args(), capsys)
        assert failed
        assert PASSWORD not in json.dumps(result)
        assert 'Check the username and password' in result['msg']

    def test_obtained_tokens_are_masked_in_output(self, wire, capsys):
        wire.expect('POST', '/v8/token', body=token_body('tok-XYZ-123', 'ref-XYZ-456'))
        wire.expect('GET', '/v8' + LOG_PATH, status=403, query={'offset': '0', 'limit': '3'},
                    body={'message': 'Denied for token tok-XYZ-123 refresh ref-XYZ-456'})
        failed, result = run_module(main, args(), capsys)
        assert failed
        text = json.dumps(result)
        assert 'tok-XYZ-123' not in text and 'ref-XYZ-456' not in text
        assert 'Access denied' in result['msg']


class TestBadInputSendsNothing:
    """The wire fixture fails any test that sends a request it did not expect: none is expected here."""

    @pytest.mark.parametrize('overrides, fragment', [
        ({'job_session_id': 'last-night'}, "job_session_id 'last-night' is not a UUID"),
        ({'job_session_id': '7f3f1f4e2c414f7c9b0e5d2b8f7a9c10'}, 'is not a UUID'),
        ({'page_size': 0}, 'page_size must be between 1 and 10000, not 0'),
        ({'page_size': 10001}, 'page_size must be between 1 and 10000, not 10001'),
        ({'offset': -1}, 'offset must be 0 or more'),
        ({'since_usn': -5}, 'since_usn must be 0 or more'),
        ({'max_items': 0}, 'max_items must be 1 or more'),
        ({'status': ['Warn']}, "status 'Warn' is not one of"),
        ({'server': 'https://vb365.test:4443/v8/'}, 'must not carry a path'),
        ({'server': 'ftp://vb365.test'}, "scheme 'ftp'"),
        ({'username': None, 'password': None}, 'no credentials'),
        ({'password': None}, 'password is missing'),
        ({'access_token': 'a-token'}, 'conflicting credentials'),
        ({'refresh_token': 'r-token'}, 'conflicting credentials'),
        ({'api_version': 'v9'}, 'value of api_version must be one of'),
    ])
    def test_refused_before_any_request(self, wire, capsys, overrides, fragment):
        failed, result = run_module(main, args(**overrides), capsys)
        assert failed
        assert fragment in result['msg']
        assert wire.calls == []
        text = json.dumps(result)
        for secret in (PASSWORD, 'a-token', 'r-token'):
            assert secret not in text

    def test_conflicting_environment_credentials(self, wire, capsys, monkeypatch):
        monkeypatch.setenv('VB365_USERNAME', 'backup-admin')
        monkeypatch.setenv('VB365_PASSWORD', PASSWORD)
        monkeypatch.setenv('VB365_ACCESS_TOKEN', 'env-token')
        failed, result = run_module(main, args(username=None, password=None), capsys)
        assert failed
        assert result['msg'].startswith('Credentials from environment (VB365_*): conflicting credentials')
        assert wire.calls == []
        assert 'env-token' not in json.dumps(result) and PASSWORD not in json.dumps(result)

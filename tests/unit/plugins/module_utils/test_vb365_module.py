# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vb365.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""vb365_module, the layer every module runs on, as a new admin meets it: each wrong input ends in a message that says what to do.

The wire fixture fails a test that sends a request it did not list, so "before any request" is
proven by listing none.
"""

from __future__ import annotations

import json

import pytest
import requests

from ansible_collections.vb365.backup.plugins.module_utils import log_items as log_items_utils
from ansible_collections.vb365.backup.plugins.modules import job_session_log_items_info, job_sessions_info, token
from ansible_collections.vb365.backup.tests.unit.plugins.wire import (
    PASSWORD, SESSION_ID, run_module, v8_item)

LOG_PATH = '/v8/JobSessions/%s/LogItems' % SESSION_ID
JOB_A = '2dc1c0fd-8d7c-4848-a9bb-9ca16329eabd'
JOBS = [{'id': JOB_A, 'name': 'Contoso - Mailboxes'}]
PEM = ('-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUQ==\n-----END CERTIFICATE-----\n')


def log_args(**overrides):
    base = dict(server='vb365.test', username='backup-admin', password=PASSWORD, api_version='v8',
                job_session_id=SESSION_ID, page_size=3)
    base.update(overrides)
    return dict((key, value) for key, value in base.items() if value is not None)


def run_log(capsys, **overrides):
    return run_module(job_session_log_items_info.main, log_args(**overrides), capsys)


class TestCaPath:
    def test_missing_file_is_named_before_any_request(self, wire, capsys, tmp_path):
        missing = str(tmp_path / 'nowhere' / 'ca.pem')
        failed, result = run_log(capsys, ca_path=missing)
        assert failed
        assert result['msg'].startswith('ca_path %s does not exist' % missing)
        assert 'Traceback' not in json.dumps(result)

    @pytest.mark.parametrize('content, fragment', [
        (b'', 'is empty'),
        (b'\x30\x82\x01\x0a\x02\x82\x01\x01\x00', 'holds no PEM certificate'),
        (b'just some text\n', 'holds no PEM certificate'),
    ])
    def test_empty_or_not_pem_is_refused_before_any_request(self, wire, capsys, tmp_path, content, fragment):
        ca_file = tmp_path / 'ca.crt'
        ca_file.write_bytes(content)
        failed, result = run_log(capsys, ca_path=str(ca_file))
        assert failed
        assert fragment in result['msg']
        assert 'openssl x509 -inform der' in result['msg']

    def test_not_checked_when_validation_is_off(self, wire, capsys, tmp_path):
        wire.login()
        wire.log_page('v8', [], 0, 3)
        failed, _result = run_log(capsys, ca_path=str(tmp_path / 'missing.pem'), validate_certs=False)
        assert not failed

    def test_a_ca_that_does_not_verify_the_server_says_so(self, wire, capsys, tmp_path):
        ca_file = tmp_path / 'ca.pem'
        ca_file.write_text(PEM)
        wire.expect('POST', '/v8/token', exception=requests.exceptions.SSLError(
            '[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: unable to get local issuer certificate'))
        failed, result = run_log(capsys, ca_path=str(ca_file))
        assert failed
        assert 'The CA in ca_path %s did not verify the server certificate' % ca_file in result['msg']
        assert 'openssl s_client -connect vb365.test:4443 -showcerts' in result['msg']
        assert "Give the server certificate's CA with ca_path" not in result['msg']


class TestEnvironmentSettings:
    @pytest.mark.parametrize('variable, value, fragment', [
        ('VB365_API_VERSION', '8', 'value of api_version must be one of'),
        ('VB365_PORT', 'https', 'port'),
        ('VB365_TIMEOUT', '0', 'timeout must be 1 or more'),
        ('VB365_RETRIES', '50', 'retries must be between 0 and 10'),
        ('VB365_VALIDATE_CERTS', 'maybe', 'validate_certs'),
        ('VB365_SERVER', 'https://vb365.test/api', 'must not carry a path'),
    ])
    def test_a_bad_value_names_its_variable(self, wire, capsys, monkeypatch, variable, value, fragment):
        monkeypatch.setenv(variable, value)
        overrides = {variable[6:].lower(): None}
        failed, result = run_log(capsys, **overrides)
        assert failed
        assert fragment in result['msg']
        assert 'came from the environment variable %s=%r' % (variable, value) in result['msg']

    def test_a_task_value_is_not_blamed_on_the_environment(self, wire, capsys, monkeypatch):
        monkeypatch.setenv('VB365_API_VERSION', 'v8')
        failed, result = run_log(capsys, api_version='v9')
        assert failed
        assert 'environment' not in result['msg']

    def test_a_missing_ca_file_from_the_environment_names_it(self, wire, capsys, monkeypatch, tmp_path):
        monkeypatch.setenv('VB365_CA_PATH', str(tmp_path / 'gone.pem'))
        failed, result = run_log(capsys)
        assert failed
        assert 'ca_path came from the environment variable VB365_CA_PATH' in result['msg']


class TestRetriesAreBounded:
    def test_more_than_ten_retries_is_refused_before_any_request(self, wire, capsys):
        failed, result = run_log(capsys, retries=1000000)
        assert failed
        assert result['msg'] == 'retries must be between 0 and 10, not 1000000.'

    def test_total_retry_time_is_bounded(self, wire, capsys, sleeps):
        wire.login()
        for _attempt in range(4):
            wire.expect('GET', LOG_PATH, status=503, headers={'Retry-After': '90'},
                        query={'offset': '0', 'limit': '3'}, body={'message': 'busy'})
        failed, result = run_log(capsys, retries=10)
        assert failed
        assert sleeps == [90.0, 90.0, 90.0]
        assert 'gave up after 4 attempt(s)' in result['msg']
        assert 'at most 300 s per run' in result['msg']


class TestWrongPlaceOrVersion:
    def test_plain_http_against_an_https_port_says_so_without_retrying(self, wire, capsys, sleeps):
        wire.expect('POST', '/v8/token', base='http://vb365.test:4443', exception=requests.exceptions.ConnectionError(
            "('Connection aborted.', RemoteDisconnected('Remote end closed connection without response'))"))
        failed, result = run_log(capsys, server='http://vb365.test:4443')
        assert failed
        assert 'closed the connection without answering plain HTTP' in result['msg']
        assert 'https://vb365.test:4443' in result['msg']
        assert sleeps == []

    def test_404_on_login_means_the_version_is_not_served(self, wire, capsys):
        wire.expect('POST', '/v8/token', status=404,
                    body={'message': 'No HTTP resource was found that matches the request URI.'})
        failed, result = run_log(capsys)
        assert failed
        assert result['msg'].startswith('https://vb365.test:4443 does not serve REST API v8 (HTTP 404 on POST /v8/token)')
        assert 'Set api_version to auto' in result['msg']
        assert 'was not found' not in result['msg']
        assert result['error']['kind'] == 'version'

    def test_a_route_the_version_lacks_is_not_a_missing_session(self, wire, capsys):
        wire.expect('GET', LOG_PATH, status=404, query={'offset': '0', 'limit': '3'},
                    body={'message': 'No HTTP resource was found that matches the request URI.'})
        failed, result = run_log(capsys, username=None, password=None, access_token='a-token')
        assert failed
        assert 'does not serve REST API v8' in result['msg']
        assert 'check the id' not in result['msg']


class TestToken:
    def test_present_with_only_an_access_token_is_refused_before_any_request(self, wire, capsys):
        failed, result = run_module(token.main, dict(server='vb365.test', access_token='a-token', api_version='v8'),
                                    capsys)
        assert failed
        assert 'an access_token alone cannot be traded' in result['msg']
        assert 'state=absent' in result['msg']
        assert 'fresh access_token' not in result['msg']


def sessions_args(**overrides):
    base = dict(server='vb365.test', username='backup-admin', password=PASSWORD, api_version='v8', page_size=10)
    base.update(overrides)
    return dict((key, value) for key, value in base.items() if value is not None)


class TestJobSessions:
    def test_unknown_job_id_fails_like_an_unknown_name(self, wire, capsys):
        wire.login()
        wire.expect('GET', '/v8/Jobs', query={'offset': '0', 'limit': '1000'},
                    body={'offset': 0, 'limit': 1000, 'results': JOBS, '_links': {}})
        unknown = '11111111-2222-4333-8444-555555555555'
        failed, result = run_module(job_sessions_info.main, sessions_args(job_id=unknown), capsys)
        assert failed
        assert result['msg'] == ('No job has the id %s. Jobs on this server: Contoso - Mailboxes (%s).'
                                 % (unknown, JOB_A))

    def test_a_404_for_a_job_name_never_says_none(self, wire, capsys):
        wire.login()
        wire.expect('GET', '/v8/Jobs', query={'offset': '0', 'limit': '1000'},
                    body={'offset': 0, 'limit': 1000, 'results': JOBS, '_links': {}})
        wire.expect('GET', '/v8/JobSessions', status=404, query={'offset': '0', 'limit': '10', 'jobId': JOB_A},
                    body={'message': 'Job not found.'})
        failed, result = run_module(job_sessions_info.main, sessions_args(job_name='Contoso - Mailboxes'), capsys)
        assert failed
        assert 'None' not in result['msg']
        assert 'Job not found.' in result['msg']

    @pytest.mark.parametrize('statuses', [['Unknown'], ['Error', 'Unknown'], ['Running']])
    def test_end_time_bound_only_when_every_status_is_final(self, wire, capsys, statuses):
        wire.login()
        wire.expect('GET', '/v8/Jobs', query={'offset': '0', 'limit': '1000'},
                    body={'offset': 0, 'limit': 1000, 'results': JOBS, '_links': {}})
        query = {'offset': '0', 'limit': '10'}
        if len(statuses) == 1 and statuses[0] == 'Running':
            query['status'] = 'Running'
        queued = {'id': '00000000-0000-4000-8000-000000000001', 'status': 'Queued', 'jobId': JOB_A,
                  'creationTime': '2026-11-28T22:00:00.0000000+01:00', 'endTime': None}
        wire.expect('GET', '/v8/JobSessions', query=query,
                    body={'offset': 0, 'limit': 10, 'results': [queued], '_links': {}})
        failed, result = run_module(job_sessions_info.main, sessions_args(
            status=statuses, created_after='2026-11-28T00:00:00Z'), capsys)
        assert not failed
        expected = 0 if statuses == ['Running'] else 1
        assert len(result['job_sessions']) == expected

    def test_latest_and_max_items_exclude_each_other(self, wire, capsys):
        failed, result = run_module(job_sessions_info.main, sessions_args(latest=1, max_items=5), capsys)
        assert failed
        assert 'mutually exclusive' in result['msg']
        assert 'latest' in result['msg'] and 'max_items' in result['msg']


class TestCountsOnlyMemory:
    def test_newest_first_counts_without_building_items(self, wire, capsys, monkeypatch):
        built = []
        original = log_items_utils.normalize_log_item_with_ticks

        def counting(raw):
            built.append(raw['usn'])
            return original(raw)

        monkeypatch.setattr(log_items_utils, 'normalize_log_item_with_ticks', counting)
        wire.login()
        wire.expect('GET', LOG_PATH, query={'offset': '0', 'limit': '3', 'orderAsc': 'false'},
                    body={'offset': 0, 'limit': 3, '_links': {'next': {'href': '/v8/next'}},
                          'results': [v8_item(60, 'Success', 'a'), v8_item(50, 'Warning', 'b'),
                                      v8_item(40, 'Success', 'c')]})
        wire.expect('GET', LOG_PATH, query={'offset': '3', 'limit': '3', 'orderAsc': 'false'},
                    body={'offset': 3, 'limit': 3, '_links': {'next': {'href': '/v8/next'}},
                          'results': [v8_item(30, 'Success', 'd'), v8_item(20, 'Success', 'e'),
                                      v8_item(10, 'Success', 'f')]})
        failed, result = run_log(capsys, since_usn=25, include_items=False)
        assert not failed
        assert built == []
        assert result['log_items'] == []
        assert result['summary']['total'] == 4
        assert result['summary']['by_status']['Warning'] == 1
        assert result['last_usn'] == 60

    def test_newest_first_with_max_items_counts_the_oldest_new_ones(self, wire, capsys):
        wire.login()
        wire.expect('GET', LOG_PATH, query={'offset': '0', 'limit': '3', 'orderAsc': 'false'},
                    body={'offset': 0, 'limit': 3, '_links': {},
                          'results': [v8_item(60, 'Error', 'a'), v8_item(50, 'Warning', 'b'),
                                      v8_item(40, 'Success', 'c')]})
        failed, result = run_log(capsys, since_usn=25, include_items=False, max_items=2)
        assert not failed
        assert result['summary']['total'] == 2
        assert result['summary']['by_status']['Error'] == 0
        assert result['last_usn'] == 50

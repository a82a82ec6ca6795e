# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vb365.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""job_session_log_items_info through ansible-playbook, against the emulator over HTTPS with ca_path."""

from __future__ import annotations

import json

import pytest

from helpers.playbooks import connection, run_playbook


def read(emulator, tmp_path, params, verbosity=0, **conn_overrides):
    result_file = tmp_path / 'result.json'
    run = run_playbook('read', {'conn': connection(emulator, **conn_overrides), 'params': params,
                                'result_file': str(result_file)}, tmp_path, verbosity=verbosity)
    return json.loads(result_file.read_text()), run


@pytest.mark.parametrize('api_version', ['v5', 'v6', 'v7', 'v8'])
def test_every_option_on_every_version(emulator8, tmp_path, api_version):
    run_playbook('features', {'conn': connection(emulator8, api_version), 'emu': emulator8.info}, tmp_path)


def test_same_operations_on_every_version(emulator8, tmp_path):
    run_playbook('versions', {'conn': connection(emulator8), 'emu': emulator8.info}, tmp_path)


@pytest.mark.parametrize('product', [6, 7, 8])
def test_auto_finds_the_newest_version_without_a_login(make_emulator, tmp_path, product):
    emulator = make_emulator('--product', str(product), '--no-rate-limit')
    session = emulator.session(status='Success')
    result, _run = read(emulator, tmp_path, {'job_session_id': session['id'], 'max_items': 2}, api_version='auto')
    assert result['api_version'] == 'v%d' % product
    assert len(result['log_items']) == 2
    counters = emulator.admin('state')['counters']
    assert counters['logins password'] == 1
    assert counters['POST v%d/token' % product] == 1


def test_explicit_version_the_server_lacks_is_a_clear_404(make_emulator, tmp_path):
    emulator = make_emulator('--product', '7', '--no-rate-limit')
    session = emulator.session(status='Success')
    result, _run = read(emulator, tmp_path, {'job_session_id': session['id']}, api_version='v8')
    assert result['failed']
    assert result['msg'].startswith('%s does not serve REST API v8 (HTTP 404 on POST /v8/token)' % emulator.url)
    assert 'Set api_version to auto' in result['msg']


def test_environment_credentials(emulator8, tmp_path):
    info = emulator8.info
    env = {'VB365_SERVER': info['url'], 'VB365_USERNAME': info['username'], 'VB365_PASSWORD': info['password'],
           'VB365_CA_PATH': info['ca_path'], 'VB365_API_VERSION': 'v8'}
    run_playbook('environment', {'session_id': emulator8.session(status='Failed')['id']}, tmp_path, env=env)


def test_unknown_session_names_the_id(fresh, tmp_path):
    missing = '00000000-1111-4222-8333-444444444444'
    result, _run = read(fresh, tmp_path, {'job_session_id': missing})
    assert result['failed']
    assert result['msg'].startswith('Job session %s was not found on %s' % (missing, fresh.url))


def test_not_a_uuid_sends_nothing(fresh, tmp_path):
    result, _run = read(fresh, tmp_path, {'job_session_id': 'last-night'})
    assert result['failed']
    assert "is not a UUID" in result['msg']
    assert fresh.admin('state')['counters'].get('requests', 0) == 1  # only this state call


def test_wrong_password(fresh, tmp_path):
    result, run = read(fresh, tmp_path, {'job_session_id': fresh.session(status='Success')['id']},
                       password='not-the-password')
    assert result['failed']
    assert 'Login to %s with the password failed (HTTP 400): The user name or password is incorrect.' % fresh.url \
        in result['msg']
    assert 'not-the-password' not in run.stdout


def test_tls_without_the_right_ca_says_what_to_do(fresh, tmp_path):
    result, _run = read(fresh, tmp_path, {'job_session_id': fresh.session(status='Success')['id']},
                        ca_path=None)
    assert result['failed']
    assert result['error']['kind'] == 'tls'
    assert 'ca_path' in result['msg'] and 'validate_certs' in result['msg']


def test_validate_certs_false_works_with_a_warning(fresh, tmp_path):
    result, _run = read(fresh, tmp_path, {'job_session_id': fresh.session(status='Success')['id'], 'max_items': 1},
                        ca_path=None, validate_certs=False)
    assert not result.get('failed')
    assert any('validate_certs is false' in warning for warning in result['warnings'])


@pytest.mark.parametrize('api_version, most_requests', [('v8', 1), ('v7', 2)])
def test_incremental_poll_reads_only_what_it_must(make_emulator, tmp_path, api_version, most_requests):
    emulator = make_emulator('--product', '8', '--no-rate-limit', '--large-session-items', '20000')
    session_id = emulator.info['large_session_id']
    everything, _run = read(emulator, tmp_path, {'job_session_id': session_id, 'include_items': True,
                                                 'page_size': 10000}, api_version=api_version)
    since = everything['log_items'][-101]['usn']
    emulator.admin('reset', {})
    newest, _run = read(emulator, tmp_path, {'job_session_id': session_id, 'since_usn': since, 'page_size': 10000},
                        api_version=api_version)
    assert newest['log_items'] == everything['log_items'][-100:]
    assert newest['last_usn'] == everything['last_usn']
    requests = emulator.admin('state')['counters']['GET %s/JobSessions/{id}/LogItems' % api_version]
    # v8 reads newest first and stops at the first old item; v7 cannot sort, so it reads every page.
    assert requests == most_requests

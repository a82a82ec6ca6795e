# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vb365.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Real ansible-playbook runs against a broken or hostile server: what its answers may not make a module do."""

from __future__ import annotations

import json
import time
import urllib.parse

from helpers.catcher import Catcher
from helpers.playbooks import connection, run_playbook

ECHOED_PASSWORD = 'Wr0ng+Audit&Pw!'


def read(emulator, tmp_path, conn=None, **params):
    result_file = tmp_path / 'result.json'
    params.setdefault('job_session_id', emulator.session(status='Failed')['id'])
    run_playbook('read', {'conn': conn or connection(emulator), 'params': params, 'result_file': str(result_file)},
                 tmp_path)
    return json.loads(result_file.read_text())


def test_a_token_redirect_carries_no_password_to_another_host(fresh, tmp_path, catcher):
    fresh.admin('faults', {'redirect_token': catcher + '/v8/token'})
    result = read(fresh, tmp_path)
    assert result['failed']
    assert 'HTTP 307 on POST /v8/token: the server redirected to %s/v8/token' % catcher in result['msg']
    assert 'proxy or load balancer' in result['msg']
    assert Catcher.received == []


def test_timeout_bounds_the_whole_answer_of_a_dripping_server(fresh, tmp_path):
    fresh.admin('faults', {'drip_seconds': 1.0})
    started = time.monotonic()
    result = read(fresh, tmp_path, timeout=5, retries=0)
    elapsed = time.monotonic() - started
    assert result['failed']
    assert 'no answer within 5 seconds, after 1 attempt(s)' in result['msg']
    # The login's answer alone is hundreds of bytes: a timeout per socket read would wait for minutes.
    assert elapsed < 60


def test_pages_that_ignore_offset_end_with_an_error(fresh, tmp_path):
    fresh.admin('faults', {'ignore_offset': True})
    result = read(fresh, tmp_path, page_size=50)
    assert result['failed']
    assert 'answered the same 50 item(s) for offset 50 as for offset 0' in result['msg']
    assert fresh.admin('state')['counters']['GET v8/JobSessions/{id}/LogItems'] == 2


def test_an_echoed_login_body_shows_the_password_in_no_encoding(fresh, tmp_path):
    fresh.admin('faults', {'echo_login_errors': True})
    result = read(fresh, tmp_path, conn=connection(fresh, password=ECHOED_PASSWORD))
    assert result['failed']
    assert 'Request: grant_type=password&username=demo-admin&password=********' in result['msg']
    text = json.dumps(result)
    for form in (ECHOED_PASSWORD, urllib.parse.quote_plus(ECHOED_PASSWORD), urllib.parse.quote(ECHOED_PASSWORD),
                 urllib.parse.quote(ECHOED_PASSWORD, safe='')):
        assert form not in text


def test_a_certificate_for_another_address_says_the_address_does_not_match(make_emulator, tmp_path):
    emulator = make_emulator('--host', '127.0.0.2', '--no-rate-limit')
    result = read(emulator, tmp_path)
    assert result['failed']
    assert 'does not name the host or IP address given in server' in result['msg']
    assert 'is not the CA that signed it' not in result['msg']


def test_a_module_logs_out_the_token_it_logged_in_with(fresh, tmp_path):
    before = fresh.admin('state')['live_tokens']
    for _run in range(2):
        assert not read(fresh, tmp_path, include_items=False).get('failed')
    state = fresh.admin('state')
    assert state['counters']['logins password'] == 2
    assert state['counters']['POST v8/token/logout'] == 2
    assert state['live_tokens'] == before

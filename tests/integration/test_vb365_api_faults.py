# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vb365.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Each emulator fault switch, through ansible-playbook: recovered where the client promises it, else a clear failure."""

from __future__ import annotations

import json
import re

import pytest

from helpers.playbooks import connection, run_playbook


def read(emulator, tmp_path, params, **conn_overrides):
    result_file = tmp_path / 'result.json'
    run = run_playbook('read', {'conn': connection(emulator, **conn_overrides), 'params': params,
                                'result_file': str(result_file)}, tmp_path)
    return json.loads(result_file.read_text()), run


def finished(emulator, status='Failed'):
    return emulator.session(status=status)


RECOVERED = [
    ('expired tokens', {'expire_tokens_after': 2}, {'page_size': 10}, 'renewing it once'),
    ('login 429 with Retry-After', {'token_429': 2, 'token_429_retry_after': 1}, {}, 'HTTP 429; retry 2 of 3'),
    ('login 429 without Retry-After', {'token_429': 1, 'token_429_retry_after': None}, {}, 'HTTP 429; retry 1'),
    ('503 with Retry-After', {'server_errors': 2, 'server_error_status': 503, 'server_error_retry_after': 1}, {},
     'HTTP 503; retry 2 of 3 in 1.0 s'),
    ('500 without Retry-After', {'server_errors': 1, 'server_error_status': 500}, {}, 'HTTP 500; retry 1 of 3'),
    ('connection closed mid-body', {'close_mid_body': 1}, {}, 'connection failed'),
    ('HTML error page from a proxy', {'html_errors': 1}, {}, 'HTTP 502; retry 1 of 3'),
    ('slow but within the timeout', {'delay_seconds': 0.3}, {}, None),
    ('server caps the page size', {'page_cap': 7}, {'page_size': 50}, None),
]


@pytest.mark.parametrize('name, fault, params, warning', RECOVERED, ids=[case[0] for case in RECOVERED])
def test_recovered(fresh, tmp_path, name, fault, params, warning):
    session = finished(fresh)
    fresh.admin('faults', fault)
    result, _run = read(fresh, tmp_path, dict(params, job_session_id=session['id']))
    assert not result.get('failed'), result.get('msg')
    assert len(result['log_items']) == session['item_count']
    assert len(set(item['id'] for item in result['log_items'])) == session['item_count']
    warnings = result.get('warnings', [])
    if warning:
        assert any(warning in text for text in warnings), warnings
    else:
        assert warnings == []
    if name == 'expired tokens':
        counters = fresh.admin('state')['counters']
        assert counters['logins password'] == 1
        assert counters['logins refresh_token'] >= 1


FAILED = [
    ('server errors beyond the retries', {'server_errors': 10, 'server_error_status': 503}, {'retries': 2},
     r'HTTP 503 on GET /v8/JobSessions/.*/LogItems: The server failed to answer the request. '
     r'Server said: The service is temporarily unavailable.'),
    ('slower than the timeout', {'delay_seconds': 2.5}, {'timeout': 1, 'retries': 1},
     r'no answer within 1 seconds, after 2 attempt\(s\). Raise timeout'),
    ('HTML errors beyond the retries', {'html_errors': 10}, {'retries': 1},
     r'HTTP 502 on GET .*non-JSON response: 502 Bad Gateway 502 Bad Gateway nginx$'),
    ('logins refused beyond the retries', {'token_429': 10, 'token_429_retry_after': 1}, {'retries': 1},
     r'HTTP 429 on POST /v8/token: .* The server allows about 5 logins a minute'),
]


@pytest.mark.parametrize('name, fault, overrides, message', FAILED, ids=[case[0] for case in FAILED])
def test_clear_failure(fresh, tmp_path, name, fault, overrides, message):
    session = finished(fresh)
    fresh.admin('faults', fault)
    result, _run = read(fresh, tmp_path, {'job_session_id': session['id']}, **overrides)
    assert result.get('failed')
    assert re.search(message, result['msg']), result['msg']
    assert '<html' not in result['msg']


def test_running_session_growing_while_paged(fresh, tmp_path):
    session = fresh.session(running=True)
    fresh.admin('faults', {'append_per_page': 5})
    result, _run = read(fresh, tmp_path, {'job_session_id': session['id'], 'page_size': 10})
    ids = [item['id'] for item in result['log_items']]
    usns = [item['usn'] for item in result['log_items']]
    assert len(ids) == len(set(ids))
    assert usns == sorted(usns)
    assert len(ids) > session['item_count']
    assert result['summary']['by_status']['Running'] >= 1


def test_polling_a_growing_session_misses_nothing(fresh, tmp_path):
    session = fresh.session(running=True)
    first, _run = read(fresh, tmp_path, {'job_session_id': session['id']})
    fresh.admin('faults', {'append_per_page': 7})
    second, _run = read(fresh, tmp_path, {'job_session_id': session['id'], 'since_usn': first['last_usn']})
    fresh.admin('faults', {'append_per_page': 0})
    everything, _run = read(fresh, tmp_path, {'job_session_id': session['id']})
    polled = [item['usn'] for item in first['log_items'] + second['log_items']]
    assert second['log_items'], 'the session grew, so the poll must find new operations'
    # The first poll saw the last operation still running; it has ended since and is not read again.
    assert polled == [item['usn'] for item in everything['log_items']][:len(polled)]
    assert len(polled) == len(set(polled))

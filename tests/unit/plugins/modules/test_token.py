# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vb365.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import json

import pytest

from ansible_collections.vb365.backup.plugins.modules.token import main
from ansible_collections.vb365.backup.tests.unit.plugins.wire import PASSWORD, run_module, token_body


def args(**overrides):
    base = dict(server='vb365.test', username='backup-admin', password=PASSWORD, api_version='v8')
    base.update(overrides)
    return dict((key, value) for key, value in base.items() if value is not None)


def test_login_returns_the_pair(wire, capsys):
    wire.login(access='tok-A', refresh='ref-A')
    failed, result = run_module(main, args(), capsys)
    assert not failed
    assert result['access_token'] == 'tok-A' and result['refresh_token'] == 'ref-A'
    assert result['expires_in'] == 3600
    assert result['expires_at'].endswith('Z')
    assert result['api_version'] == 'v8'
    assert result['changed'] is False
    assert PASSWORD not in json.dumps(result)


def test_refresh_token_alone_is_traded(wire, capsys):
    wire.expect('POST', '/v7/token', body=token_body('tok-B', 'ref-B'),
                form={'grant_type': 'refresh_token', 'refresh_token': 'ref-A', 'disable_antiforgery_token': 'true'})
    failed, result = run_module(main, args(api_version='v7', username=None, password=None, refresh_token='ref-A'),
                                capsys)
    assert not failed
    assert result['access_token'] == 'tok-B'


@pytest.mark.parametrize('version, status', [('v7', 200), ('v8', 204)])
def test_logout(wire, capsys, version, status):
    wire.expect('POST', '/%s/token/logout' % version, status=status, body={} if status == 200 else None)
    failed, result = run_module(main, args(api_version=version, username=None, password=None,
                                           access_token='tok-A', state='absent'), capsys)
    assert not failed
    assert result['changed'] is True and result['logged_out'] is True
    assert wire.request(0).headers['Authorization'] == 'Bearer tok-A'


def test_logout_in_check_mode_sends_nothing(wire, capsys):
    failed, result = run_module(main, args(username=None, password=None, access_token='tok-A', state='absent',
                                           _ansible_check_mode=True), capsys)
    assert not failed
    assert result['changed'] is True and result['logged_out'] is False
    assert wire.calls == []


def test_logout_where_the_version_has_none(wire, capsys):
    failed, result = run_module(main, args(api_version='v6', username=None, password=None, access_token='tok-A',
                                           state='absent'), capsys)
    assert not failed
    assert result['changed'] is False
    assert 'expires on its own' in result['msg']
    assert wire.calls == []


def test_logout_of_a_dead_token_is_not_renewed(wire, capsys):
    wire.expect('POST', '/v8/token/logout', status=401, body={'message': 'Authorization has been denied.'})
    failed, result = run_module(main, args(password=None, username=None, access_token='tok-A',
                                           refresh_token='ref-A', state='absent'), capsys)
    assert not failed
    assert result['changed'] is False
    assert len(wire.calls) == 1


def test_bad_password(wire, capsys):
    wire.expect('POST', '/v8/token', status=400,
                body={'error': 'invalid_grant', 'error_description': 'The user name or password is incorrect.'})
    failed, result = run_module(main, args(), capsys)
    assert failed
    assert 'The user name or password is incorrect. Check the username and password' in result['msg']
    assert PASSWORD not in json.dumps(result)

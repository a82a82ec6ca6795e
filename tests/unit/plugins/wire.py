# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vb365.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Wire-level test helpers: each test lists the exact HTTP calls it expects, in order (the wire fixture).

A call that is missing, extra or out of order fails the test (responses' OrderedRegistry with
assert_all_requests_are_fired). Sleeps are patched, so retry tests are instant.
"""

from __future__ import annotations

import contextlib
import json
import urllib.parse

import pytest
import responses

from ansible.module_utils import basic

try:
    from ansible.module_utils.testing import patch_module_args
except ImportError:  # ansible-core before 2.19 reads the arguments from basic._ANSIBLE_ARGS.
    @contextlib.contextmanager
    def patch_module_args(args):
        saved = basic._ANSIBLE_ARGS
        basic._ANSIBLE_ARGS = json.dumps({'ANSIBLE_MODULE_ARGS': args}).encode()
        try:
            yield
        finally:
            basic._ANSIBLE_ARGS = saved


BASE = 'https://vb365.test:4443'
PASSWORD = 'S3cret-Pa55!'
SESSION_ID = '7f3f1f4e-2c41-4f7c-9b0e-5d2b8f7a9c10'


def token_body(access='access-one', refresh='refresh-one', expires_in=3600):
    return {'access_token': access, 'refresh_token': refresh, 'token_type': 'bearer', 'expires_in': expires_in,
            'userName': 'backup-admin', '.issued': 'Sat, 28 Nov 2026 22:00:00 GMT',
            '.expires': 'Sat, 28 Nov 2026 23:00:00 GMT'}


def legacy_item(usn, title, start='2026-11-27T22:00:00.1000000+01:00', end='2026-11-27T22:00:02.6000000+01:00'):
    return {'id': 'item-%06d' % usn, 'usn': usn, 'title': title, 'creationTime': start, 'endTime': end,
            '_links': {'self': {'href': '/v6/JobSessions/%s/LogItems/item-%06d' % (SESSION_ID, usn)}}}


def v8_item(usn, kind, message, start='2026-11-27T22:00:00.1000000+01:00', end='2026-11-27T22:00:02.6000000+01:00'):
    return {'id': 'item-%06d' % usn, 'usn': usn, 'type': kind, 'message': message, 'creationTime': start,
            'endTime': end}


def job_body(job_id, name, org, enabled=True, version='v8', last_status='Success'):
    """A job as /Jobs lists it: v8 names its organization by id, v6 and v7 by a link."""
    body = {'id': job_id, 'name': name, 'isEnabled': enabled, 'lastStatus': last_status,
            'backupType': 'EntireOrganization', 'lastRun': '2026-11-28T22:00:00.0000000+01:00', 'nextRun': None,
            'description': ''}
    if version == 'v8':
        body['organizationId'] = org
    else:
        body['_links'] = {'organization': {'href': '/%s/Organizations/%s' % (version, org)}}
    return body


def session_body(session_id, job_id, status, created, ended, version='v8'):
    """A job session: v8 names its job by id, v6 and v7 by a link; a Running one has no end yet."""
    body = {'id': session_id, 'status': status, 'creationTime': created, 'retryCount': 0, 'progress': 100,
            'endTime': None if status == 'Running' else ended, 'details': '', 'statistics': {}}
    if version == 'v8':
        body['jobId'] = job_id
    else:
        body['_links'] = {'job': {'href': '/%s/Jobs/%s' % (version, job_id)}}
    return body


def page(results, offset=0, limit=1000, next_href=None, extra_links=True):
    links = {}
    if extra_links:
        links['first'] = {'href': '/v8/JobSessions/%s/LogItems?offset=0&limit=%d' % (SESSION_ID, limit)}
    if next_href:
        links['next'] = {'href': next_href}
    return {'offset': offset, 'limit': limit, 'results': results, '_links': links}


class Wire:
    """The ordered list of calls one test expects."""

    current = None  # the running test's wire, for run_module

    def __init__(self, mock):
        self.mock = mock
        self.logout_version = None

    def expect(self, method, path, status=200, body=None, query=None, headers=None, text=None, form=None,
               exception=None, base=BASE):
        matchers = []
        if query is not None:
            matchers.append(responses.matchers.query_param_matcher(query))
        if form is not None:
            matchers.append(responses.matchers.urlencoded_params_matcher(form))
        if exception is not None:
            self.mock.add(method, base + path, body=exception, match=matchers)
            return
        kwargs = {'status': status, 'headers': headers or {}, 'match': matchers}
        if text is not None:
            kwargs['body'] = text
        elif body is not None:
            kwargs['json'] = body
        self.mock.add(method, base + path, **kwargs)

    def login(self, version='v8', access='access-one', refresh='refresh-one', username='backup-admin',
              password=PASSWORD):
        form = {'grant_type': 'password', 'username': username, 'password': password}
        if version in ('v7', 'v8'):
            form['disable_antiforgery_token'] = 'true'
            # A module logs out, as its last call, the token it obtained with the password (see run_module).
            self.logout_version = version
        self.expect('POST', '/%s/token' % version, body=token_body(access, refresh), form=form)

    def log_page(self, version, results, offset, limit, status=200, next_link=True, reported_limit=None):
        path = '/%s/JobSessions/%s/LogItems' % (version, SESSION_ID)
        href = '/%s/JobSessions/%s/LogItems?offset=%d&limit=%d' % (version, SESSION_ID, offset + len(results),
                                                                   limit)
        body = page(results, offset, reported_limit or limit, href if next_link else None)
        self.expect('GET', path, status=status, body=body, query={'offset': str(offset), 'limit': str(limit)})

    @property
    def calls(self):
        return [(call.request.method, urllib.parse.urlsplit(call.request.url).path) for call in self.mock.calls]

    def request(self, index):
        return self.mock.calls[index].request

    def posts(self):
        """The paths of the POSTs sent, but logins and logouts: the actions."""
        return [path for method, path in self.calls if method == 'POST' and '/token' not in path]


def run_module(main, args, capsys, logout=None):
    """Run a module's main() with args; return (failed, result).

    Where the test's wire has a password login on v7 or v8, the module's closing POST .../token/logout is
    expected as the last call (``logout=False``: the module keeps the token, as vb365.backup.token does).
    """
    if logout is None:
        logout = not main.__module__.endswith('.token')
    if Wire.current is not None and Wire.current.logout_version:
        if logout:
            Wire.current.expect('POST', '/%s/token/logout' % Wire.current.logout_version, status=204)
        Wire.current.logout_version = None
    with patch_module_args(args):
        with pytest.raises(SystemExit) as exit_info:
            main()
    result = json.loads(capsys.readouterr().out)
    assert exit_info.value.code == (1 if result.get('failed') else 0)
    return bool(result.get('failed')), result

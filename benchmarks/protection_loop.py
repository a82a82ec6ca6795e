# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vb365.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Benchmark contender R of the protection figure: a bare requests loop over the pages protection_info reads.

    protection_loop.py EMULATOR_JSON API_VERSION EXPECTED_LICENSED_USERS

The same requests as the module with api_version set: the login, /Organizations (on v8 in pages of 1,000), then per
organization /LicensedUsers and, on v8, /ProtectedUsers and /Organizations/{id}/Users in pages of 10,000
(stopping where the module stops: a short page or no next link), and the logout on v7 and v8. It counts
the licensed users and nothing more (the client-side floor).
"""

from __future__ import annotations

import json
import sys

import requests


def pages(session, url, headers, verify, page_size, params=None):
    offset = 0
    while True:
        page = session.get(url, params=dict(params or {}, offset=offset, limit=page_size), headers=headers,
                           verify=verify, timeout=120).json()
        if isinstance(page, list):  # /Organizations before v8 is a plain array, as the module reads it
            yield page
            return
        yield page['results']
        if not page['results'] or len(page['results']) < page['limit'] or 'next' not in page.get('_links', {}):
            return
        offset += len(page['results'])


def main(state_file, version, expected):
    with open(state_file) as handle:
        emu = json.load(handle)
    base, verify = '%s/%s' % (emu['url'], version), emu['ca_path']
    session = requests.Session()
    form = {'grant_type': 'password', 'username': emu['username'], 'password': emu['password']}
    if version in ('v7', 'v8'):
        form['disable_antiforgery_token'] = 'true'
    token = session.post(base + '/token', verify=verify, timeout=60, data=form).json()['access_token']
    headers = {'Authorization': 'Bearer ' + token}
    organizations = [org for page in pages(session, base + '/Organizations', headers, verify, 1000) for org in page]
    licensed = 0
    for org in organizations:
        for page in pages(session, base + '/LicensedUsers', headers, verify, 10000, {'organizationId': org['id']}):
            licensed += len(page)
        if version == 'v8':
            for path, params in (('/ProtectedUsers', {'organizationId': org['id']}),
                                 ('/Organizations/%s/Users' % org['id'], None)):
                for page in pages(session, base + path, headers, verify, 10000, params):
                    pass
    if version in ('v7', 'v8'):
        session.post(base + '/token/logout', headers=headers, verify=verify, timeout=60)
    if licensed != expected:
        sys.exit('expected %d licensed users, got %d' % (expected, licensed))


if __name__ == '__main__':
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]))

# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vb365.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Benchmark contender R: a bare requests loop that logs in and fetches every page (the client-side floor)."""

from __future__ import annotations

import json
import sys

import requests


def main(state_file, expected):
    with open(state_file) as handle:
        emu = json.load(handle)
    session = requests.Session()
    token = session.post(emu['url'] + '/v8/token', verify=emu['ca_path'], timeout=60, data={
        'grant_type': 'password', 'username': emu['username'], 'password': emu['password'],
        'disable_antiforgery_token': 'true'}).json()['access_token']
    headers = {'Authorization': 'Bearer ' + token}
    url = '%s/v8/JobSessions/%s/LogItems' % (emu['url'], emu['large_session_id'])
    count = offset = 0
    while True:
        page = session.get(url, params={'offset': offset, 'limit': 10000}, headers=headers, verify=emu['ca_path'],
                           timeout=60).json()
        count += len(page['results'])
        offset += len(page['results'])
        if len(page['results']) < page['limit']:
            break
    if count != expected:
        sys.exit('expected %d items, got %d' % (expected, count))


if __name__ == '__main__':
    main(sys.argv[1], int(sys.argv[2]))

#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vb365.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
---
module: token
short_description: Log in to the VB365 REST API once and reuse the token, or log it out
version_added: 0.1.0
description:
  - With O(state=present), logs in with O(username) and O(password), or trades O(refresh_token) for a new
    pair (an O(access_token) alone is refused before any request), and returns the tokens, so that the later tasks of a play pass O(access_token) and the whole
    play costs one login. The server allows about five logins a minute.
  - With O(state=absent), logs the O(access_token) out where the API version can (v7 and v8); on v5
    and v6 the token simply expires.
  - B(Set no_log true on every task that uses this module), so that the tokens it returns stay out of
    logs and AWX job output. The module cannot hide its own result.
author:
  - vb365.backup maintainers (@vb365-backup)
options:
  state:
    description:
      - V(present) obtains a token pair; V(absent) logs O(access_token) out.
    type: str
    choices: [present, absent]
    default: present
extends_documentation_fragment:
  - vb365.backup.connection
  - vb365.backup.attributes
attributes:
  check_mode:
    support: full
    description:
      - V(present) logs in even in check mode, since later read-only tasks need the token.
      - V(absent) reports what it would do and sends nothing.
seealso:
  - module: vb365.backup.job_session_log_items_info
  - module: vb365.backup.job_sessions_info
'''

EXAMPLES = r'''
- name: Log in once for the whole play
  vb365.backup.token:
    server: vb365.example.com
    username: '{{ vb365_user }}'
    password: '{{ vb365_password }}'
    ca_path: /etc/pki/vb365-ca.pem
  register: vb365_login
  no_log: true

- name: Use the token
  vb365.backup.job_session_log_items_info:
    server: vb365.example.com
    access_token: '{{ vb365_login.access_token }}'
    refresh_token: '{{ vb365_login.refresh_token }}'
    api_version: '{{ vb365_login.api_version }}'
    ca_path: /etc/pki/vb365-ca.pem
    job_session_id: 7f3f1f4e-2c41-4f7c-9b0e-5d2b8f7a9c10
  register: session_log

- name: Log out at the end
  vb365.backup.token:
    server: vb365.example.com
    access_token: '{{ vb365_login.access_token }}'
    api_version: '{{ vb365_login.api_version }}'
    ca_path: /etc/pki/vb365-ca.pem
    state: absent
  no_log: true
'''

RETURN = r'''
access_token:
  description: The bearer token for O(access_token) of later tasks.
  returned: state is present
  type: str
  sample: eyJhbGciOi...
refresh_token:
  description: The token to get a new pair with, for O(refresh_token) of later tasks.
  returned: state is present
  type: str
  sample: 5b0b4e0c...
expires_in:
  description: Lifetime of the access token in seconds, as the server said.
  returned: state is present
  type: int
  sample: 3600
expires_at:
  description: When the access token expires, in UTC, ISO 8601.
  returned: state is present
  type: str
  sample: '2026-11-28T23:00:00Z'
api_version:
  description: The REST API version used; pass it on as O(api_version) to spare later tasks the probe.
  returned: always
  type: str
  sample: v8
logged_out:
  description: Whether the server ended the token's session.
  returned: state is absent
  type: bool
  sample: true
'''

import datetime

from ansible_collections.vb365.backup.plugins.module_utils.vb365_api import Vb365Error
from ansible_collections.vb365.backup.plugins.module_utils.vb365_module import Vb365Module


def main():
    module = Vb365Module(
        argument_spec=dict(state=dict(type='str', default='present', choices=['present', 'absent'])),
        register_tokens=False,
        keep_token=True,
    )
    state = module.params['state']
    client = module.client
    if state == 'present' and not (client.username or client.refresh_token):
        module.fail_json(msg='state=present obtains a new token pair from username and password, or from a '
                             'refresh_token; an access_token alone cannot be traded for one. To end that token\'s '
                             'session, use state=absent.')
    try:
        if state == 'absent':
            if not client.access_token:
                module.fail_json(msg='state=absent needs the access_token to log out.')
            supported = client.api_version in ('v7', 'v8')
            if not supported:
                module.exit_json(changed=False, logged_out=False, api_version=client.api_version,
                                 msg='API %s has no logout; the token expires on its own.' % client.api_version)
            if module.check_mode:
                module.exit_json(changed=True, logged_out=False, api_version=client.api_version)
            client.logout()
            module.exit_json(changed=True, logged_out=True, api_version=client.api_version)
        token = client.refresh() if client.refresh_token and not client.username else client.login()
    except Vb365Error as exc:
        if state == 'absent' and exc.status == 401:
            module.exit_json(changed=False, logged_out=False, api_version=client.api_version,
                             msg='The server no longer accepts this token: it is logged out or expired already.')
        module.fail_from_error(exc)
    expires_in = token.get('expires_in')
    expires_at = None
    if isinstance(expires_in, int):
        moment = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=expires_in)
        expires_at = moment.strftime('%Y-%m-%dT%H:%M:%SZ')
    module.exit_json(changed=False, access_token=client.access_token, refresh_token=client.refresh_token,
                     expires_in=expires_in, expires_at=expires_at, api_version=client.api_version)


if __name__ == '__main__':
    main()

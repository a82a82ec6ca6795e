#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vb365.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
---
module: protection_info
short_description: Which VB365 users are over the licence, unprotected, not backed up or stale
version_added: 0.2.0
description:
  - Counts the licensed users of every organization (or of those named) by licence state, those never backed
    up and those whose last backup is older than O(stale_days); on v8 also the organization's users that no
    protected user matches (unprotected). Returns each user that needs attention and a verdict.
  - Users are counted page by page; memory grows with the problem users, not with all users. On v8 the
    Microsoft ids (msid) of one organization's protected users are kept while its users are read.
  - Read-only; supports check mode and never reports a change.
author:
  - vb365.backup maintainers (@vb365-backup)
options:
  organizations:
    description:
      - Only these organizations, by name or id (any case). Default every organization.
      - A name that matches no organization fails with the names found.
    type: list
    elements: str
  stale_days:
    description:
      - A backed-up user whose last backup is older than this many days is stale.
    type: int
    default: 7
extends_documentation_fragment:
  - vb365.backup.connection
  - vb365.backup.attributes
  - vb365.backup.attributes.read_only
seealso:
  - module: vb365.backup.server_info
notes:
  - >-
    Requests per run: one for C(/Organizations) (on v8 one per 1,000), then per organization one per 10,000 licensed users
    (C(/LicensedUsers)); on v8 also one per 10,000 protected users (C(/v8/ProtectedUsers)) and one per
    10,000 organization users (C(/Organizations/{id}/Users)). Besides, the login, and on v7 and v8 the logout.
    So four organizations of fewer than 10,000 users each cost 6 requests on v6, 7 on v7 and 15 on v8.
    Before v8 the C(unprotected) count of RV(summary) is null.
'''

EXAMPLES = r'''
- name: Who is not protected
  vb365.backup.protection_info:
    server: vb365.example.com
    access_token: '{{ vb365_login.access_token }}'
    organizations: [Contoso Ltd]
    stale_days: 3
  register: protection
'''

RETURN = r'''
summary:
  description:
    - C(licensed_users), C(by_license_state) (V(Licensed), V(New), V(TemporarilyAssigned), V(Exceeded)),
      C(not_backed_up), C(stale) and C(unprotected) (v8; null before).
  returned: success
  type: dict
  sample: {licensed_users: 262, by_license_state: {Licensed: 240, New: 8, TemporarilyAssigned: 2, Exceeded: 12},
           not_backed_up: 3, stale: 1, unprotected: 4}
organizations:
  description: Each organization with C(id), C(name) and its own C(summary).
  returned: success
  type: list
  elements: dict
  sample: [{id: 0b5e4c36-4a4e-4f5a-9e59-3a2a1c0f9d11, name: Contoso Ltd, summary: {licensed_users: 120}}]
problems:
  description:
    - One entry per user that needs attention, most severe first, with C(id), C(name), C(organization),
      C(license_state), C(is_backed_up), C(last_backup) and C(problem) (V(Exceeded), V(Unprotected),
      V(NotBackedUp) or V(Stale)).
  returned: success
  type: list
  elements: dict
  sample: [{name: lee.gu@fabrikam.com, organization: Fabrikam Inc, license_state: Exceeded, problem: Exceeded}]
verdict:
  description: V(Error) with any V(Exceeded) or V(Unprotected) user, V(Warning) with only others, else V(Success).
  returned: success
  type: str
  sample: Error
api_version:
  description: The REST API version used.
  returned: always
  type: str
  sample: v8
'''

from ansible_collections.vb365.backup.plugins.module_utils.protection import collect_protection
from ansible_collections.vb365.backup.plugins.module_utils.vb365_api import Vb365Error
from ansible_collections.vb365.backup.plugins.module_utils.options import POSITIVE
from ansible_collections.vb365.backup.plugins.module_utils.vb365_module import Vb365Module


def main():
    module = Vb365Module(
        argument_spec=dict(
            organizations=dict(type='list', elements='str'),
            stale_days=dict(type='int', default=7),
        ),
        value_checks=dict(stale_days=POSITIVE),
    )
    try:
        result = collect_protection(module.client, organizations=module.params['organizations'],
                                    stale_days=module.params['stale_days'])
    except Vb365Error as exc:
        module.fail_from_error(exc)
    module.exit_json(changed=False, **result)


if __name__ == '__main__':
    main()

#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vb365.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
---
module: server_info
short_description: Licence, repositories, proxies and health of a VB365 server, with a verdict and reasons
version_added: 0.2.0
description:
  - Returns what stops tonight's backups without any job session showing it, such as a licence that expired or is
    over its limit (users beyond it are not processed), repositories that fill up or are out of sync,
    proxies that are offline, unhealthy server components; and per organization what a service provider
    bills.
  - Each part carries a verdict and sentences a person acts on; RV(verdict) is the worst of them.
  - Read-only; supports check mode and never reports a change.
author:
  - vb365.backup maintainers (@vb365-backup)
options:
  gather_subset:
    description:
      - What to read. V(all) reads every part; a part not read is returned as null.
    type: list
    elements: str
    choices: [all, license, repositories, proxies, health, organizations]
    default: [all]
  license_warning_days:
    description:
      - A licence that expires within this many days gets the verdict V(Warning).
    type: int
    default: 30
  repository_warning_percent:
    description:
      - A repository fuller than this percentage gets the verdict V(Warning).
    type: int
    default: 85
  repository_error_percent:
    description:
      - A repository at least this full (percent) gets the verdict V(Error).
    type: int
    default: 95
extends_documentation_fragment:
  - vb365.backup.connection
  - vb365.backup.attributes
  - vb365.backup.attributes.read_only
seealso:
  - module: vb365.backup.protection_info
  - module: vb365.backup.jobs_info
notes:
  - >-
    Requests per run: one for C(/License); one for C(/BackupRepositories) and one for C(/Proxies) (plain
    arrays on v6 and v7; on v8 pages, one request per 1,000); one for C(/Health) on v8 only (RV(health)
    is null before v8); one for C(/Organizations) (on v8 one per 1,000) plus two per organization
    (C(LicensingInformation), and C(usedRepositories), paged on every version, one per 1,000 repositories).
    Besides, the login (C(POST /token)), and on v7 and v8 the logout. So with four organizations a run of
    every part costs 13 requests on v6, 14 on v7 and 15 on v8 (with C(/Health)); a part left out of
    O(gather_subset) costs none.
  - The licence expiry is C(expirationDate) on v6 and C(licenseExpires) on v7 and v8; RV(license.grace_period_expires)
    and RV(repositories[].outdated) are null before they exist (v7 and v8 respectively); RV(proxies[].maintenance)
    is null before v8.
'''

EXAMPLES = r'''
- name: The morning check of one server
  vb365.backup.server_info:
    server: vb365.example.com
    username: '{{ vb365_user }}'
    password: '{{ vb365_password }}'
    ca_path: /etc/pki/vb365-ca.pem
  register: server

- name: Say what needs doing
  ansible.builtin.debug:
    msg: "{{ server.reasons }}"
  when: server.verdict != 'Success'

- name: Only the licence and the repositories, warning 60 days before expiry and at 80 percent
  vb365.backup.server_info:
    server: vb365.example.com
    access_token: '{{ vb365_login.access_token }}'
    gather_subset: [license, repositories]
    license_warning_days: 60
    repository_warning_percent: 80
    repository_error_percent: 90
'''

RETURN = r'''
license:
  description: The licence; null when not in O(gather_subset).
  returned: success
  type: dict
  contains:
    status: {description: 'V(Valid) or V(Expired).', type: str, sample: Valid}
    type: {description: 'The licence type (V(Subscription), V(Rental) ...).', type: str, sample: Subscription}
    licensed_to: {description: 'Who holds the licence.', type: str, sample: Contoso Ltd}
    expires: {description: 'When it expires, as the server wrote it.', type: str, sample: '2027-01-01T00:00:00Z'}
    days_left: {description: 'Whole days until it expires; negative once expired.', type: int, sample: 12}
    grace_period_expires: {description: 'End of the grace period (v7 and v8).', type: str, sample: '2027-01-31T00:00:00Z'}
    total: {description: 'Licensed units.', type: int, sample: 250}
    used: {description: 'Units used.', type: int, sample: 262}
    new: {description: 'New units this month.', type: int, sample: 4}
    verdict: {description: 'V(Error) when expired or over its total; V(Warning) when expiring soon.', type: str, sample: Error}
    reasons: {description: 'What to do.', type: list, elements: str, sample: ['Licence: 262 of 250 units used; 12 users are not backed up.']}
repositories:
  description: The backup repositories; null when not in O(gather_subset).
  returned: success
  type: list
  elements: dict
  contains:
    id: {description: 'ID of the repository.', type: str, sample: 6d7a0f5e-0a9d-4c1e-9a7b-5f1e2d3c4b5a}
    name: {description: 'Name of the repository.', type: str, sample: Zürich JET}
    capacity_bytes: {description: 'Capacity; null when unknown (object storage without a limit).', type: int, sample: 1099511627776}
    free_bytes: {description: 'Free space; null when unknown.', type: int, sample: 64424509440}
    used_percent: {description: 'Percentage used; null when the size is unknown.', type: float, sample: 94.1}
    out_of_sync: {description: 'Whether the repository is out of sync.', type: bool, sample: false}
    outdated: {description: 'Whether it needs an upgrade (v8; null before).', type: bool, sample: false}
    verdict:
      description: V(Error) at or over O(repository_error_percent); V(Warning) over O(repository_warning_percent), out of sync or outdated.
      type: str
      sample: Warning
    reasons: {description: 'What to do.', type: list, elements: str, sample: ['Repository Zürich JET is 94% full (60 GB free).']}
proxies:
  description: The backup proxies; null when not in O(gather_subset).
  returned: success
  type: list
  elements: dict
  contains:
    id: {description: 'ID of the proxy.', type: str, sample: 7e8b1a6f-1b0e-4d2f-8b8c-6a2f3e4d5c6b}
    host_name: {description: 'Host name of the proxy.', type: str, sample: proxy01.example.com}
    status: {description: 'V(Online) or V(Offline).', type: str, sample: Online}
    maintenance: {description: 'Whether it is in maintenance mode (v8; null before).', type: bool, sample: false}
    verdict: {description: 'V(Error) when offline and not in maintenance.', type: str, sample: Success}
    reasons: {description: 'What to do.', type: list, elements: str, sample: []}
health:
  description: Server health (v8 only; null before v8 or when not in O(gather_subset)).
  returned: success
  type: dict
  contains:
    status: {description: 'V(Healthy) or V(Unhealthy).', type: str, sample: Unhealthy}
    entries:
      description: Each component, by name, with C(name), C(status), C(description), C(verdict) and C(reasons).
      type: list
      elements: dict
      sample: [{name: Database, status: Unhealthy, description: Disk full, verdict: Error, reasons: ['Component Database is unhealthy: Disk full']}]
    verdict: {description: 'V(Error) when a component is unhealthy.', type: str, sample: Error}
    reasons: {description: 'What to do.', type: list, elements: str, sample: []}
organizations:
  description: Per organization what a service provider bills; null when not in O(gather_subset).
  returned: success
  type: list
  elements: dict
  contains:
    id: {description: 'ID of the organization.', type: str, sample: 0b5e4c36-4a4e-4f5a-9e59-3a2a1c0f9d11}
    name: {description: 'Name of the organization.', type: str, sample: Contoso Ltd}
    licensed_users: {description: 'Users holding a licence.', type: int, sample: 120}
    new_users: {description: 'Users new this month.', type: int, sample: 3}
    used_bytes: {description: 'Backup space used in every repository (C(usedRepositories)).', type: int, sample: 52613349376}
verdict:
  description: The worst verdict of every part read (V(Success), V(Warning) or V(Error)).
  returned: success
  type: str
  sample: Error
reasons:
  description: Every part's reasons, licence first.
  returned: success
  type: list
  elements: str
  sample: ['Licence: 262 of 250 units used; 12 users are not backed up.', 'Repository Zürich JET is 94% full (60 GB free).']
api_version:
  description: The REST API version used.
  returned: always
  type: str
  sample: v8
'''

from ansible_collections.vb365.backup.plugins.module_utils.server_health import collect_server_info
from ansible_collections.vb365.backup.plugins.module_utils.vb365_api import Vb365Error
from ansible_collections.vb365.backup.plugins.module_utils.options import NOT_NEGATIVE, int_range
from ansible_collections.vb365.backup.plugins.module_utils.vb365_module import Vb365Module


def main():
    module = Vb365Module(
        argument_spec=dict(
            gather_subset=dict(type='list', elements='str', default=['all'],
                               choices=['all', 'license', 'repositories', 'proxies', 'health', 'organizations']),
            license_warning_days=dict(type='int', default=30),
            repository_warning_percent=dict(type='int', default=85),
            repository_error_percent=dict(type='int', default=95),
        ),
        value_checks=dict(license_warning_days=NOT_NEGATIVE, repository_warning_percent=int_range(0, 100),
                          repository_error_percent=int_range(0, 100)),
    )
    params = module.params
    if params['repository_warning_percent'] > params['repository_error_percent']:
        module.fail_json(msg='repository_warning_percent (%d) must not be above repository_error_percent (%d).'
                         % (params['repository_warning_percent'], params['repository_error_percent']))
    try:
        result = collect_server_info(module.client, gather_subset=params['gather_subset'],
                                     license_warning_days=params['license_warning_days'],
                                     repository_warning_percent=params['repository_warning_percent'],
                                     repository_error_percent=params['repository_error_percent'])
    except Vb365Error as exc:
        module.fail_from_error(exc)
    module.exit_json(changed=False, **result)


if __name__ == '__main__':
    main()

#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vb365.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
---
module: jobs_info
short_description: List the VB365 backup jobs of a server with their last run, counts and a verdict
version_added: 0.1.0
description:
  - Returns the backup jobs of a Veeam Backup for Microsoft 365 server, each with its organization's name,
    enabled flag, last and next run, and a verdict.
  - With O(include_last_session), each job also carries its newest session, that session's operation
    counts and the operations that need attention (V(Warning) and V(Error)), at most O(attention_limit)
    of them with the number left out. This is the nightly check of every job at the cost of one login.
  - Read-only; supports check mode and never reports a change.
author:
  - vb365.backup maintainers (@vb365-backup)
options:
  job_names:
    description:
      - Return only these jobs, by name (an exact match wins over one that ignores case).
      - A name that matches no job, or several, fails with the names found.
    type: list
    elements: str
  job_ids:
    description:
      - Return only these jobs, by ID (UUID). An id that matches no job fails.
      - May be combined with O(job_names); each job is returned once.
    type: list
    elements: str
  organization:
    description:
      - Return only the jobs of this organization, by name or id (any case).
    type: str
  enabled_only:
    description:
      - Leave out disabled jobs, unless O(job_names) or O(job_ids) name them.
    type: bool
    default: true
  include_last_session:
    description:
      - Add to each job its newest session (RV(jobs[].session)), the counts of that session's operations
        (RV(jobs[].summary)) and the operations that need attention (RV(jobs[].attention)).
      - The operations are counted page by page and not kept, so a session of a million operations
        costs one request per 10,000 of them and little memory.
    type: bool
    default: false
  attention_limit:
    description:
      - With O(include_last_session), at most this many V(Warning) and V(Error) operations per job, oldest
        first; RV(jobs[].attention_left_out) says how many more there are. V(0) returns none.
    type: int
    default: 10
  missed_window_hours:
    description:
      - An enabled job whose newest run started longer ago than this many hours (or that never ran) gets
        the verdict V(Missed); a disabled one gets V(Disabled). A running session is never missed.
      - Suits nightly jobs by default; raise it for jobs that run less often.
    type: int
    default: 30
extends_documentation_fragment:
  - vb365.backup.connection
  - vb365.backup.attributes
  - vb365.backup.attributes.read_only
seealso:
  - module: vb365.backup.job_sessions_info
  - module: vb365.backup.job_session_log_items_info
notes:
  - >-
    Requests per run: one for C(/Jobs) (per 1,000 jobs on v8, where it is paged) and one for
    C(/Organizations); with O(include_last_session), per job one per 1,000 of its sessions
    (C(/Jobs/{id}/JobSessions) on v5 and v6, C(/JobSessions?jobId=) on v7 and v8) and one per
    10,000 operations of its newest session. On v8 the organization is a field of the job; before v8
    the module reads it from the job's organization link.
  - The REST API promises no order for sessions; the newest is found by creation time.
'''

EXAMPLES = r'''
- name: Every enabled job with its last night's run
  vb365.backup.jobs_info:
    server: vb365.example.com
    username: '{{ vb365_user }}'
    password: '{{ vb365_password }}'
    ca_path: /etc/pki/vb365-ca.pem
    include_last_session: true
  register: fleet

- name: Jobs that failed, warned or did not run
  ansible.builtin.debug:
    msg: "{{ item.name }} ({{ item.organization }}): {{ item.verdict }}"
  loop: "{{ fleet.jobs | rejectattr('verdict', 'equalto', 'Success') }}"
  loop_control:
    label: "{{ item.name }}"

- name: Two jobs by name and one by id, with up to 50 problem operations each, disabled ones too
  vb365.backup.jobs_info:
    server: vb365.example.com
    access_token: '{{ vb365_login.access_token }}'
    job_names: [Contoso - Mailboxes, Contoso - OneDrive and SharePoint]
    job_ids: [2dc1c0fd-8d7c-4848-a9bb-9ca16329eabd]
    enabled_only: false
    include_last_session: true
    attention_limit: 50

- name: The jobs of one organization, for jobs that run every three days
  vb365.backup.jobs_info:
    server: vb365.example.com
    access_token: '{{ vb365_login.access_token }}'
    organization: Fabrikam Inc
    missed_window_hours: 80
'''

RETURN = r'''
jobs:
  description: The jobs, in the server's order.
  returned: success
  type: list
  elements: dict
  contains:
    id:
      description: ID of the job.
      type: str
      sample: 2dc1c0fd-8d7c-4848-a9bb-9ca16329eabd
    name:
      description: Name of the job.
      type: str
      sample: Contoso - Mailboxes
    description:
      description: The job's description.
      type: str
      sample: Nightly backup of Contoso Ltd
    organization:
      description: Name of the job's organization; null when the server does not list it.
      type: str
      sample: Contoso Ltd
    organization_id:
      description: ID of the job's organization.
      type: str
      sample: 0b5e4c36-4a4e-4f5a-9e59-3a2a1c0f9d11
    enabled:
      description: Whether the job runs on its schedule.
      type: bool
      sample: true
    backup_type:
      description: What the job backs up, as the server says (C(EntireOrganization), C(SelectedItems)).
      type: str
      sample: EntireOrganization
    last_run:
      description: When the job last started, as the server wrote it.
      type: str
      sample: '2026-11-28T23:00:00.0000000+01:00'
    next_run:
      description: When it runs next; null for a disabled job.
      type: str
      sample: '2026-11-29T23:00:00.0000000+01:00'
    last_status:
      description: The job's last status from C(/Jobs), normalised like session statuses.
      type: str
      sample: Warning
    verdict:
      description:
        - V(Success), V(Warning), V(Error), V(Stop), V(Running) or V(Unknown) from the newest session (made
          worse by its operations when they are counted), V(Missed) for an enabled job without a run in
          O(missed_window_hours), V(Disabled) for a disabled one.
        - Without O(include_last_session) it is read from the job's last status and last run.
      type: str
      sample: Error
    will_retry:
      description: Whether the verdict is V(Error) and the server will run the job again on its own.
      returned: when O(include_last_session=true)
      type: bool
      sample: true
    session:
      description: The newest session, in the shape M(vb365.backup.job_sessions_info) returns; null when none.
      returned: when O(include_last_session=true)
      type: dict
      sample: {id: 7f3f1f4e-2c41-4f7c-9b0e-5d2b8f7a9c10, status: Error, will_be_retried: true}
    summary:
      description:
        - Counts of every operation of the newest session, in the shape of the C(summary) of
          M(vb365.backup.job_session_log_items_info); null without a session.
      returned: when O(include_last_session=true)
      type: dict
      sample: {total: 92, by_status: {Success: 86, Warning: 4, Error: 2, Running: 0, Stop: 0, Unknown: 0}}
    attention:
      description:
        - The session's V(Warning) and V(Error) operations, oldest first, at most O(attention_limit), in the
          shape of the C(log_items) of M(vb365.backup.job_session_log_items_info).
      returned: when O(include_last_session=true)
      type: list
      elements: dict
      sample: [{usn: 50, status: Error, message: 'Processing mailbox lee.gu@fabrikam.com failed: Access is denied.'}]
    attention_left_out:
      description: How many V(Warning) and V(Error) operations RV(jobs[].attention) leaves out.
      returned: when O(include_last_session=true)
      type: int
      sample: 0
api_version:
  description: The REST API version used.
  returned: always
  type: str
  sample: v8
'''

from ansible_collections.vb365.backup.plugins.module_utils.jobs import collect_jobs
from ansible_collections.vb365.backup.plugins.module_utils.vb365_api import Vb365Error
from ansible_collections.vb365.backup.plugins.module_utils.options import POSITIVE, int_range, non_empty, uuid_list
from ansible_collections.vb365.backup.plugins.module_utils.vb365_module import Vb365Module


def main():
    module = Vb365Module(
        argument_spec=dict(
            job_names=dict(type='list', elements='str'),
            job_ids=dict(type='list', elements='str'),
            organization=dict(type='str'),
            enabled_only=dict(type='bool', default=True),
            include_last_session=dict(type='bool', default=False),
            attention_limit=dict(type='int', default=10),
            missed_window_hours=dict(type='int', default=30),
        ),
        value_checks=dict(job_ids=uuid_list, organization=non_empty, attention_limit=int_range(0, 10000),
                          missed_window_hours=POSITIVE),
    )
    params = module.params
    try:
        result = collect_jobs(module.client, job_names=params['job_names'], job_ids=params['job_ids'],
                              organization=params['organization'], enabled_only=params['enabled_only'],
                              include_last_session=params['include_last_session'],
                              attention_limit=params['attention_limit'],
                              missed_window_hours=params['missed_window_hours'])
    except Vb365Error as exc:
        module.fail_from_error(exc)
    module.exit_json(changed=False, **result)


if __name__ == '__main__':
    main()

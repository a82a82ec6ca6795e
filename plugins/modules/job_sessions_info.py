#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vb365.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
---
module: job_sessions_info
short_description: Find VB365 backup job sessions by job, status and time, newest first
version_added: 0.1.0
description:
  - Lists the job sessions of a Veeam Backup for Microsoft 365 server, of one job (by O(job_id) or
    O(job_name)), or returns one session (O(job_session_id)), newest first.
  - Works the same on REST API v5 to v8, although they differ (C(/Jobs/{id}/JobSessions) before v7,
    C(/JobSessions?jobId=) from v7, v8's own status filter words).
  - Read-only; supports check mode and never reports a change.
author:
  - vb365.backup maintainers (@vb365-backup)
options:
  job_id:
    description:
      - ID (a UUID) of the job whose sessions to list.
      - An id that matches no job of the server fails, as an unknown O(job_name) does, naming the jobs found.
    type: str
  job_name:
    description:
      - Name of the job whose sessions to list, resolved through C(/Jobs). An exact match wins over a
        match that ignores case. A name that matches no job, or several, fails with the names or ids found.
    type: str
  job_session_id:
    description:
      - ID (a UUID) of one session to return.
    type: str
  status:
    description:
      - Return only sessions whose normalised status is one of these, in any case.
      - Statuses are V(Success), V(Warning), V(Error), V(Running), V(Stop) and V(Unknown); C(Failed) is
        accepted for V(Error), C(Succeeded) for V(Success), C(Stopped) for V(Stop).
      - On API v8 a single status is also sent to the server as its filter.
    type: list
    elements: str
  created_after:
    description:
      - Only sessions created at or after this ISO 8601 date and time, for example C(2026-11-27T00:00:00Z).
      - From v6, when every status in O(status) is final (V(Success), V(Warning), V(Error), V(Stop)), the
        server's C(endTimeLowerBound) filter narrows the listing first (a session ends after it starts);
        the rest is filtered by the module. Sessions that have not ended are never dropped by it.
    type: str
  created_before:
    description:
      - Only sessions created before this ISO 8601 date and time. Filtered by the module.
    type: str
  latest:
    description:
      - Return only this many of the newest matching sessions; V(1) gives the last run.
      - Every page is read to find them, because the REST API promises no order; so O(latest) and
        O(max_items) exclude each other.
    type: int
  page_size:
    description:
      - Sessions to ask for per request, from 1 to 10000.
    type: int
    default: 100
  max_items:
    description:
      - Stop reading after this many matching sessions, in the server's order (which the API does not
        define). To get the newest sessions use O(latest) instead.
    type: int
extends_documentation_fragment:
  - vb365.backup.connection
  - vb365.backup.attributes
  - vb365.backup.attributes.read_only
seealso:
  - module: vb365.backup.job_session_log_items_info
notes:
  - O(job_id), O(job_name) and O(job_session_id) exclude each other; so do O(latest) and O(max_items).
  - The REST API promises no order for sessions; the module sorts them by creation time itself.
'''

EXAMPLES = r'''
- name: The last finished session of a job
  vb365.backup.job_sessions_info:
    server: vb365.example.com
    username: '{{ vb365_user }}'
    password: '{{ vb365_password }}'
    job_name: Contoso - Mailboxes
    status: [Success, Warning, Error]
    latest: 1
  register: last_run

- name: Failed sessions of one job in the last week
  vb365.backup.job_sessions_info:
    server: vb365.example.com
    access_token: '{{ vb365_token.access_token }}'
    job_id: 2dc1c0fd-8d7c-4848-a9bb-9ca16329eabd
    status: [Failed]
    created_after: "{{ '%Y-%m-%dT00:00:00Z' | strftime(now(utc=true).timestamp() - 7 * 86400) }}"
    created_before: "{{ '%Y-%m-%dT00:00:00Z' | strftime(now(utc=true).timestamp()) }}"
    page_size: 500
    max_items: 50

- name: One session by id
  vb365.backup.job_sessions_info:
    server: vb365.example.com
    access_token: '{{ vb365_token.access_token }}'
    job_session_id: 7f3f1f4e-2c41-4f7c-9b0e-5d2b8f7a9c10
'''

RETURN = r'''
job_sessions:
  description: The matching sessions, newest first.
  returned: success
  type: list
  elements: dict
  contains:
    id:
      description: ID of the session.
      type: str
      sample: 7f3f1f4e-2c41-4f7c-9b0e-5d2b8f7a9c10
    job_id:
      description: ID of its job.
      type: str
      sample: 2dc1c0fd-8d7c-4848-a9bb-9ca16329eabd
    job_name:
      description: Name of its job; null when the job is not listed any more.
      type: str
      sample: Contoso - Mailboxes
    status:
      description: V(Success), V(Warning), V(Error), V(Running), V(Stop) or V(Unknown) (for Queued, NotConfigured, Disconnected).
      type: str
      sample: Warning
    creation_time:
      description: When the session started, as the server wrote it.
      type: str
      sample: '2026-11-27T22:00:00.0000000+01:00'
    end_time:
      description: When it ended; null while it runs.
      type: str
      sample: '2026-11-27T23:31:07.0000000+01:00'
    duration_seconds:
      description: End minus start in seconds; null while it runs.
      type: float
      sample: 5467.0
    progress:
      description: Progress in percent.
      type: int
      sample: 100
    retry_count:
      description: Order number of the retry.
      type: int
      sample: 0
    will_be_retried:
      description:
        - Whether the server will run the job again because this session failed (C(jobWillBeRetried)).
        - Null on API v5 and v6, which do not say.
      type: bool
      sample: false
    details:
      description: The server's details text.
      type: str
      sample: 120 operations
    statistics:
      description: The server's statistics with snake_case keys, such as C(processed_objects) and C(transferred_data_bytes).
      type: dict
      sample: {processed_objects: 120, transferred_data_bytes: 125829120, bottleneck: Source}
api_version:
  description: The REST API version used.
  returned: always
  type: str
  sample: v8
'''

from ansible_collections.vb365.backup.plugins.module_utils.job_sessions import collect_sessions
from ansible_collections.vb365.backup.plugins.module_utils.vb365_api import Vb365Error
from ansible_collections.vb365.backup.plugins.module_utils.options import (
    PAGE_SIZE, POSITIVE, iso_time, non_empty, status_list, uuid_value)
from ansible_collections.vb365.backup.plugins.module_utils.vb365_module import Vb365Module


def main():
    module = Vb365Module(
        argument_spec=dict(
            job_id=dict(type='str'),
            job_name=dict(type='str'),
            job_session_id=dict(type='str'),
            status=dict(type='list', elements='str'),
            created_after=dict(type='str'),
            created_before=dict(type='str'),
            latest=dict(type='int'),
            page_size=dict(type='int', default=100),
            max_items=dict(type='int'),
        ),
        value_checks=dict(job_id=uuid_value, job_session_id=uuid_value, job_name=non_empty, status=status_list,
                          created_after=iso_time, created_before=iso_time, latest=POSITIVE, page_size=PAGE_SIZE,
                          max_items=POSITIVE),
        mutually_exclusive=[('job_id', 'job_name', 'job_session_id'), ('latest', 'max_items')],
    )
    params = module.params
    try:
        result = collect_sessions(
            module.client, job_id=params['job_id'], job_name=params['job_name'],
            job_session_id=params['job_session_id'], statuses=params['status'], created_after=params['created_after'],
            created_before=params['created_before'], latest=params['latest'], page_size=params['page_size'],
            max_items=params['max_items'])
    except Vb365Error as exc:
        not_found = None
        if params['job_session_id']:
            not_found = 'Job session %s was not found on %s: check the id.' % (
                params['job_session_id'], module.client.base_url)
        module.fail_from_error(exc, not_found=not_found)
    module.exit_json(changed=False, **result)


if __name__ == '__main__':
    main()

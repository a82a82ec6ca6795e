#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vb365.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
---
module: job_session_log_items_info
short_description: List the operations (log items) of one VB365 backup job session
version_added: 0.1.0
description:
  - Returns the operations of one Veeam Backup for Microsoft 365 job session, as the server logs
    them under C(GET /vN/JobSessions/{id}/LogItems), reading every page.
  - Each operation is normalised to the same keys on API v5, v6, v7 and v8, with a status of
    V(Success), V(Warning), V(Error), V(Running), V(Stop) or V(Unknown), and a summary is computed.
  - Read-only; supports check mode and never reports a change.
author:
  - vb365.backup maintainers (@vb365-backup)
options:
  job_session_id:
    description:
      - ID (a UUID) of the job session, for example from the session list in the VB365 console or the
        REST API C(/JobSessions).
      - Anything that is not a UUID fails before any request is sent.
    type: str
    required: true
  page_size:
    description:
      - How many operations to ask for per request, from 1 to 10000. The server may return fewer per
        page; the module then asks for the rest.
    type: int
    default: 1000
  offset:
    description:
      - How many of the session's first operations to skip, in the server's order.
    type: int
    default: 0
  max_items:
    description:
      - Stop after this many operations have been returned (after O(status) and O(since_usn) apply).
      - RV(last_usn) then points at the last one returned, so polling with O(since_usn) misses nothing.
    type: int
  status:
    description:
      - Return only operations whose normalised status is one of these, in any case.
      - C(Failed) is accepted for V(Error) and C(Succeeded) for V(Success).
      - RV(summary) counts only the operations that pass this filter.
    type: list
    elements: str
  since_usn:
    description:
      - Return only operations whose C(usn) is greater than this, for incremental polling. Pass the
        RV(last_usn) of the previous run.
      - On API v8 (with O(offset) 0) the server is asked for newest operations first and reading stops
        at the first operation that is not newer, so a poll reads only the pages that hold new
        operations. API v5 to v7 cannot sort, so every page is read and older operations are dropped.
    type: int
  include_items:
    description:
      - Whether to return the operations in RV(log_items).
      - With V(false), RV(log_items) is empty and RV(summary) counts the operations that would have been
        returned. They are counted page by page and not kept in memory, in either reading direction,
        which suits sessions with very many operations.
    type: bool
    default: true
notes:
  - An operation that comes twice, with the same C(id) and C(usn), as the offset pages of a running session
    shift while they are read, is returned once. Operations that share an C(id) but differ in C(usn) are
    different operations; operations without an C(id) are never merged.
  - A C(usn) that is not a whole number is returned as null; the operation is still counted.
  - Reading stops with an error when a page repeats the previous one (a server that ignores C(offset)) or
    after 2,000,000 operations, far more than any real session holds.
extends_documentation_fragment:
  - vb365.backup.connection
  - vb365.backup.attributes
  - vb365.backup.attributes.read_only
seealso:
  - name: Job session log items in the VB365 REST API reference
    description: The vendor's description of the resource this module reads.
    link: https://helpcenter.veeam.com/docs/vbo365/rest/reference/vbo365-rest.html
'''

EXAMPLES = r'''
- name: Read all operations of last night's session
  vb365.backup.job_session_log_items_info:
    server: vb365.example.com
    username: '{{ vb365_user }}'
    password: '{{ vb365_password }}'
    ca_path: /etc/pki/vb365-ca.pem
    job_session_id: 7f3f1f4e-2c41-4f7c-9b0e-5d2b8f7a9c10
  register: session_log

- name: Show what went wrong
  ansible.builtin.debug:
    msg: '{{ item.status }}: {{ item.message }}'
  loop: '{{ session_log.log_items | selectattr("status", "in", ["Warning", "Error"]) }}'

- name: Connection set once for every vb365 module, warnings and errors only
  module_defaults:
    group/vb365.backup.vb365:
      server: https://vb365.example.com:4443
      access_token: '{{ vb365_token }}'
      api_version: v8
      timeout: 60
      retries: 5
  block:
    - name: Only the operations that need attention
      vb365.backup.job_session_log_items_info:
        job_session_id: 7f3f1f4e-2c41-4f7c-9b0e-5d2b8f7a9c10
        status: [Warning, Error]
        page_size: 5000
      register: attention

- name: Counts only, for a session with very many operations (credentials from VB365_* variables)
  vb365.backup.job_session_log_items_info:
    server: vb365.example.com
    job_session_id: 7f3f1f4e-2c41-4f7c-9b0e-5d2b8f7a9c10
    include_items: false
    validate_certs: true
    port: 4443
  register: counts

- name: Poll a running session for operations newer than the last poll, at most 500 at a time
  vb365.backup.job_session_log_items_info:
    server: vb365.example.com
    refresh_token: '{{ vb365_refresh_token }}'
    job_session_id: 7f3f1f4e-2c41-4f7c-9b0e-5d2b8f7a9c10
    since_usn: '{{ previous_poll.last_usn | default(0) }}'
    max_items: 500
    offset: 0
  register: previous_poll
'''

RETURN = r'''
log_items:
  description:
    - The operations, ordered by C(usn) ascending. Empty when O(include_items) is V(false).
  returned: success
  type: list
  elements: dict
  contains:
    id:
      description: ID of the operation.
      type: str
      sample: 1b2c3d4e-0000-4000-8000-00000000002a
    usn:
      description: Order number of the operation; increases, but with gaps.
      type: int
      sample: 1042
    status:
      description:
        - V(Success), V(Warning), V(Error), V(Running), V(Stop) or V(Unknown).
        - From the bracketed word that starts the title on API v5 to v7, from C(type) on v8.
      type: str
      sample: Warning
    title:
      description: The title as v5 to v7 send it; on v8 built as C([<type>] <message>).
      type: str
      sample: '[Warning] Processing mailbox ann@example.com finished with warning: item too large'
    message:
      description: The title without its bracketed status word; on v8 the server's C(message).
      type: str
      sample: 'Processing mailbox ann@example.com finished with warning: item too large'
    creation_time:
      description: When the operation started, as the server wrote it.
      type: str
      sample: '2026-11-27T22:00:04.1732347+01:00'
    end_time:
      description: When the operation ended, as the server wrote it; null while it runs.
      type: str
      sample: '2026-11-27T22:00:09.5000000+01:00'
    duration_seconds:
      description: RV(log_items[].end_time) minus RV(log_items[].creation_time) in seconds; null without an end time.
      type: float
      sample: 5.3267653
summary:
  description:
    - Counts of exactly the operations the module returns in RV(log_items), or would return with
      O(include_items=true) - those newer than O(since_usn), with a status in O(status), and no more than
      O(max_items). Operations that these options leave out are not counted.
  returned: success
  type: dict
  contains:
    total:
      description: How many operations passed the filters (the length of RV(log_items) when it is returned).
      type: int
      sample: 120
    by_status:
      description: How many of them have each status; all six statuses are present.
      type: dict
      sample: {Success: 117, Warning: 2, Error: 1, Running: 0, Stop: 0, Unknown: 0}
    first_creation_time:
      description: The earliest start time among them; null when there are none.
      type: str
      sample: '2026-11-27T22:00:01.0000000+01:00'
    last_end_time:
      description: The latest end time among them; null when none has ended.
      type: str
      sample: '2026-11-27T22:41:17.2500000+01:00'
job_session_id:
  description: The job session that was read.
  returned: success
  type: str
  sample: 7f3f1f4e-2c41-4f7c-9b0e-5d2b8f7a9c10
api_version:
  description: The REST API version used.
  returned: always
  type: str
  sample: v8
last_usn:
  description:
    - The highest C(usn) read, or of the last operation returned when O(max_items) stopped the
      reading. Pass it as O(since_usn) next time. Null when the session has no operations.
  returned: success
  type: int
  sample: 1042
'''

from ansible_collections.vb365.backup.plugins.module_utils.log_items import collect_log_items
from ansible_collections.vb365.backup.plugins.module_utils.vb365_api import Vb365Error
from ansible_collections.vb365.backup.plugins.module_utils.options import (
    NOT_NEGATIVE, PAGE_SIZE, POSITIVE, status_list, uuid_value)
from ansible_collections.vb365.backup.plugins.module_utils.vb365_module import Vb365Module


def main():
    module = Vb365Module(
        argument_spec=dict(
            job_session_id=dict(type='str', required=True),
            page_size=dict(type='int', default=1000),
            offset=dict(type='int', default=0),
            max_items=dict(type='int'),
            status=dict(type='list', elements='str'),
            since_usn=dict(type='int'),
            include_items=dict(type='bool', default=True),
        ),
        value_checks=dict(job_session_id=uuid_value, page_size=PAGE_SIZE, offset=NOT_NEGATIVE, max_items=POSITIVE,
                          status=status_list, since_usn=NOT_NEGATIVE),
    )
    params = module.params
    client = module.client
    try:
        result = collect_log_items(client, params['job_session_id'], page_size=params['page_size'],
                                   offset=params['offset'], max_items=params['max_items'], statuses=params['status'],
                                   since_usn=params['since_usn'], include_items=params['include_items'])
    except Vb365Error as exc:
        module.fail_from_error(exc, job_session_id=params['job_session_id'], not_found=(
            'Job session %s was not found on %s: check the id.' % (params['job_session_id'], client.base_url)))
    module.exit_json(changed=False, **result)


if __name__ == '__main__':
    main()

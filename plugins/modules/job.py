#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vb365.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
---
module: job
short_description: Start, stop, enable or disable a VB365 backup job, idempotently
version_added: 0.2.0
description:
  - Brings one backup job of a Veeam Backup for Microsoft 365 server to a state; enabled, disabled, running
    (V(started)) or idle (V(stopped)).
  - Reads the job and its running session first, and sends nothing when the job is already in that state, so a
    second run reports no change. V(started) on a running job returns its running session.
  - A start is sent at most once. When its answer is lost (a timeout, a connection broken after sending, HTTP 5xx)
    it is never sent again; the module reads the job's sessions and reports the session that runs, or fails saying
    that it does not know whether the job started.
  - With O(wait), waits for the session it started, stopped or found to end and returns its verdict, the counts of
    its operations and the operations that need attention.
  - Needs REST API v6 or newer (VB365 6 and later); a server that serves only v5 is refused.
author:
  - vb365.backup maintainers (@vb365-backup)
options:
  name:
    description:
      - Name of the job (an exact match wins over one that ignores case). A name that matches no job, or several,
        fails with the names found.
      - One of O(name) and O(id) is required.
    type: str
  id:
    description:
      - ID (a UUID) of the job.
    type: str
  state:
    description:
      - V(enabled) and V(disabled) turn the job's schedule on or off.
      - V(started) starts the job unless it is running; a disabled job cannot start.
      - V(stopped) stops the job's running session; an idle job is left alone.
    type: str
    choices: [enabled, disabled, started, stopped]
    required: true
  full:
    description:
      - With O(state=started), run an active full backup instead of an incremental one.
    type: bool
    default: false
  wait:
    description:
      - With O(state=started) or O(state=stopped), wait until the job's session has ended and return
        RV(verdict), RV(summary) and RV(attention).
    type: bool
    default: false
  wait_timeout:
    description:
      - With O(wait), how many seconds to wait for the session to end. When it runs longer, the task fails, says
        that the job is still running and names its session; the job is not stopped.
    type: int
    default: 3600
extends_documentation_fragment:
  - vb365.backup.connection
  - vb365.backup.attributes
attributes:
  check_mode:
    support: full
    description: Reads the job and says what would change; sends no start, stop, enable or disable.
  diff_mode:
    support: full
    description: Shows whether the job is V(enabled) and V(running), before and after.
seealso:
  - module: vb365.backup.jobs_info
  - module: vb365.backup.job_sessions_info
notes:
  - >-
    Requests per run: C(/Jobs) and C(/Organizations) before and after a change, the job's sessions
    (C(/Jobs/{id}/JobSessions) on v6, C(/JobSessions?jobId=) on v7 and v8) and one POST. On v6 and v7 the server
    answers a start without the session, so the module finds it among the job's sessions (for up to 30 s).
  - With O(wait), one C(/JobSessions/{id}) per poll (every 1 s at first, then up to every 15 s) and, once the
    session has ended, one request per 10,000 of its operations to count them.
  - The connection option O(retries) applies to reads and the login only, never to the POST of an action.
'''

EXAMPLES = r'''
- name: Run a failed job again and wait for its verdict
  vb365.backup.job:
    server: vb365.example.com
    username: '{{ vb365_user }}'
    password: '{{ vb365_password }}'
    ca_path: /etc/pki/vb365-ca.pem
    name: Contoso - Mailboxes
    state: started
    wait: true
    wait_timeout: 7200
  register: rerun

- name: Say how it went
  ansible.builtin.debug:
    msg: "{{ rerun.job.name }}: {{ rerun.verdict }} ({{ rerun.summary.by_status.Error }} errors)"

- name: An active full backup of a job, by id, without waiting
  vb365.backup.job:
    server: vb365.example.com
    access_token: '{{ vb365_login.access_token }}'
    id: 2dc1c0fd-8d7c-4848-a9bb-9ca16329eabd
    state: started
    full: true

- name: Disable a job before maintenance of its proxy
  vb365.backup.job:
    server: vb365.example.com
    access_token: '{{ vb365_login.access_token }}'
    name: Fabrikam - All users
    state: disabled

- name: Stop its running session, if any, and wait until it has ended
  vb365.backup.job:
    server: vb365.example.com
    access_token: '{{ vb365_login.access_token }}'
    name: Fabrikam - All users
    state: stopped
    wait: true

- name: Enable it again afterwards
  vb365.backup.job:
    server: vb365.example.com
    access_token: '{{ vb365_login.access_token }}'
    name: Fabrikam - All users
    state: enabled
'''

RETURN = r'''
job:
  description: The job after the change, in the shape of the C(jobs) elements of M(vb365.backup.jobs_info).
  returned: success, and on failures after the job was found
  type: dict
  sample: {id: 2dc1c0fd-8d7c-4848-a9bb-9ca16329eabd, name: Contoso - Mailboxes, enabled: true, last_status: Running}
session:
  description:
    - The session the module started, stopped or found running, in the shape of the C(job_sessions) elements of
      M(vb365.backup.job_sessions_info); after O(wait), as it ended.
    - Null when the job runs no session, and in check mode for a start that would be sent.
  returned: success, and on a wait_timeout failure
  type: dict
  sample: {id: 7f3f1f4e-2c41-4f7c-9b0e-5d2b8f7a9c10, status: Running, creation_time: '2026-11-29T08:01:12.0000000+01:00'}
verdict:
  description:
    - V(Success), V(Warning), V(Error), V(Stop) or V(Unknown) of the ended session, made worse by its operations,
      as M(vb365.backup.jobs_info) computes it.
  returned: with O(wait) when there was a session to wait for
  type: str
  sample: Warning
summary:
  description: Counts of every operation of the ended session, as the C(summary) of M(vb365.backup.jobs_info).
  returned: with O(wait) when there was a session to wait for
  type: dict
  sample: {total: 92, by_status: {Success: 86, Warning: 4, Error: 2, Running: 0, Stop: 0, Unknown: 0}}
attention:
  description: The ended session's V(Warning) and V(Error) operations, oldest first, at most 10.
  returned: with O(wait) when there was a session to wait for
  type: list
  elements: dict
  sample: [{usn: 50, status: Error, message: 'Processing mailbox lee.gu@fabrikam.com failed: Access is denied.'}]
attention_left_out:
  description: How many V(Warning) and V(Error) operations RV(attention) leaves out.
  returned: with O(wait) when there was a session to wait for
  type: int
  sample: 0
msg:
  description: What was done, or would be done in check mode, in one sentence.
  returned: always
  type: str
  sample: "Started job 'Contoso - Mailboxes'. Its session 7f3f1f4e-2c41-4f7c-9b0e-5d2b8f7a9c10 ended: Success."
api_version:
  description: The REST API version used.
  returned: always
  type: str
  sample: v8
'''

from ansible_collections.vb365.backup.plugins.module_utils.job_actions import ACTION_OPTIONS, JobActionError, act_on_job
from ansible_collections.vb365.backup.plugins.module_utils.vb365_api import Vb365Error
from ansible_collections.vb365.backup.plugins.module_utils.options import POSITIVE, non_empty, uuid_value
from ansible_collections.vb365.backup.plugins.module_utils.vb365_module import Vb365Module


def main():
    module = Vb365Module(
        argument_spec=dict(
            name=dict(type='str'),
            id=dict(type='str'),
            **ACTION_OPTIONS
        ),
        value_checks=dict(name=non_empty, id=uuid_value, wait_timeout=POSITIVE),
        mutually_exclusive=[('name', 'id')],
        required_one_of=[('name', 'id')],
    )
    params = module.params
    try:
        result = act_on_job(module.client, params['state'], name=params['name'], job_id=params['id'],
                            full=params['full'], wait=params['wait'], wait_timeout=params['wait_timeout'],
                            check_mode=module.check_mode, warn=module.warn)
    except JobActionError as exc:
        module.fail_from_error(exc, changed=exc.sent, **exc.details)
    except Vb365Error as exc:
        module.fail_from_error(exc)
    if not module._diff:
        result.pop('diff')
    module.exit_json(**result)


if __name__ == '__main__':
    main()

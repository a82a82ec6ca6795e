#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vb365.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
---
module: jobs
short_description: Start, stop, enable or disable several VB365 backup jobs at once, and wait for all of them
version_added: 0.2.0
description:
  - Brings several backup jobs of a Veeam Backup for Microsoft 365 server to one state in one task, each exactly as
    M(vb365.backup.job) would; enabled, disabled, running (V(started)) or idle (V(stopped)).
  - With O(wait), follows all their sessions at once, so waiting for forty jobs takes as long as waiting for the
    slowest, not for each in turn, and costs one module run instead of forty.
  - Every name and id must match a job before anything is sent. Afterwards each job goes on its own; one the server
    refuses, whose start got no usable answer, or that is still running at O(wait_timeout) fails in its own entry of
    RV(results), and the others are still started, stopped, enabled, disabled or waited for. The task fails when
    any entry failed, after all of them were done.
  - A start is sent at most once per job, and never again when its answer is lost, as with M(vb365.backup.job).
  - Needs REST API v6 or newer (VB365 6 and later); a server that serves only v5 is refused.
author:
  - vb365.backup maintainers (@vb365-backup)
options:
  names:
    description:
      - Names of the jobs (an exact match wins over one that ignores case). A name that matches no job, or several,
        fails with the names found, before anything is sent.
      - At least one of O(names) and O(ids) is required; a job given by both is acted on once.
    type: list
    elements: str
  ids:
    description:
      - IDs (UUIDs) of the jobs.
    type: list
    elements: str
  state:
    description:
      - The state of every job, as O(vb365.backup.job#module:state) describes it.
    type: str
    choices: [enabled, disabled, started, stopped]
    required: true
  full:
    description:
      - With O(state=started), run active full backups instead of incremental ones.
    type: bool
    default: false
  wait:
    description:
      - With O(state=started) or O(state=stopped), wait until every session started, stopped or found has ended,
        and return each one's RV(results[].verdict), RV(results[].summary) and RV(results[].attention).
    type: bool
    default: false
  wait_timeout:
    description:
      - With O(wait), how many seconds to wait for all sessions together. A job still running then fails in its
        entry, which names its session; it is not stopped.
    type: int
    default: 3600
  poll_interval:
    description:
      - With O(wait), the most seconds between two reads of the sessions still running. The first reads come after
        1, 2, 4... seconds, so that short runs end soon, and the interval grows up to this.
    type: int
    default: 15
extends_documentation_fragment:
  - vb365.backup.connection
  - vb365.backup.attributes
attributes:
  check_mode:
    support: full
    description: Reads the jobs and says what would change for each; sends no start, stop, enable or disable.
  diff_mode:
    support: full
    description: Shows, per job name, whether the job is V(enabled) and V(running), before and after.
seealso:
  - module: vb365.backup.job
  - module: vb365.backup.jobs_info
notes:
  - >-
    Requests per run: C(/Jobs) and C(/Organizations) before and after the changes (not once per job), each job's
    sessions and one POST per job that changes. With O(wait), one C(/JobSessions/{id}) per running session and poll
    (every 1 s at first, then up to every O(poll_interval) s) and the counts of each ended session's operations.
  - On v6 and v7 the server answers a start without its session, so each start is followed by reads of that job's
    sessions until the new one appears (every 2 s, for up to 30 s), before the next job is started; the
    O(wait_timeout) clock starts once every job was started.
  - The connection option O(retries) applies to reads and the login only, never to the POST of an action.
'''

EXAMPLES = r'''
- name: Run the failed jobs again, all at once, and wait for their verdicts
  vb365.backup.jobs:
    server: vb365.example.com
    access_token: '{{ vb365_login.access_token }}'
    ids: "{{ failed_jobs | map(attribute='id') | list }}"
    state: started
    wait: true
    wait_timeout: 7200
  register: rerun
  # A job that failed is in its entry; fail the task only when no job could be looked at.
  failed_when: rerun.results is not defined

- name: Say how each went
  ansible.builtin.debug:
    msg: "{{ item.job.name }}: {{ item.verdict | default(item.msg) }}"
  loop: "{{ rerun.results | default([]) }}"
  loop_control:
    label: "{{ item.job.name }}"

- name: Disable two jobs before maintenance of their proxy
  vb365.backup.jobs:
    server: vb365.example.com
    access_token: '{{ vb365_login.access_token }}'
    names: [Fabrikam - All users, Fabrikam - SharePoint]
    state: disabled
'''

RETURN = r'''
results:
  description:
    - One entry per job, in the server's order of the jobs, with the keys M(vb365.backup.job) returns for one job
      (RV(results[].job), RV(results[].session), and with O(wait) RV(results[].verdict), RV(results[].summary),
      RV(results[].attention) and RV(results[].attention_left_out)), its own RV(results[].changed) and
      RV(results[].msg), and RV(results[].failed) with RV(results[].error) for a job that failed.
  returned: when the jobs were found, also when some of them failed
  type: list
  elements: dict
  contains:
    job:
      description: The job, after the change, in the shape of the C(jobs) elements of M(vb365.backup.jobs_info).
      type: dict
    session:
      description:
        - The session started, stopped or found running, in the shape of the C(job_sessions) elements of
          M(vb365.backup.job_sessions_info); after O(wait), as it ended.
        - Null when the job runs no session, and in check mode for a start that would be sent.
      type: dict
    changed:
      description: Whether this job was changed (or would be, in check mode).
      type: bool
    msg:
      description: What was done to this job, or why it failed, in one sentence.
      type: str
    failed:
      description: True for a job that failed; absent otherwise.
      type: bool
    error:
      description: For a job that failed, what kind of failure it was (C(kind) is V(wait_timeout) for a job still
        running at O(wait_timeout), V(unknown_outcome) for a start that got no usable answer, V(http) for a refusal).
      type: dict
    verdict:
      description: With O(wait), the verdict of the ended session, as M(vb365.backup.job) returns it.
      type: str
    summary:
      description: With O(wait), the counts of the ended session's operations.
      type: dict
    attention:
      description: With O(wait), the ended session's V(Warning) and V(Error) operations, oldest first, at most 10.
      type: list
      elements: dict
    attention_left_out:
      description: With O(wait), how many V(Warning) and V(Error) operations RV(results[].attention) leaves out.
      type: int
  sample:
    - job: {id: 2dc1c0fd-8d7c-4848-a9bb-9ca16329eabd, name: Contoso - Mailboxes, enabled: true, last_status: Success}
      session: {id: 7f3f1f4e-2c41-4f7c-9b0e-5d2b8f7a9c10, status: Success}
      changed: true
      verdict: Success
      msg: "Started job 'Contoso - Mailboxes'. Its session 7f3f1f4e-2c41-4f7c-9b0e-5d2b8f7a9c10 ended: Success."
msg:
  description: How many jobs changed and failed, followed by the message of each job that failed.
  returned: always
  type: str
  sample: '2 job(s): 2 changed, 0 failed.'
api_version:
  description: The REST API version used.
  returned: always
  type: str
  sample: v8
'''

from ansible_collections.vb365.backup.plugins.module_utils.job_actions import ACTION_OPTIONS, act_on_jobs
from ansible_collections.vb365.backup.plugins.module_utils.vb365_api import Vb365Error
from ansible_collections.vb365.backup.plugins.module_utils.options import POSITIVE, non_empty_list, uuid_list
from ansible_collections.vb365.backup.plugins.module_utils.vb365_module import Vb365Module


def main():
    module = Vb365Module(
        argument_spec=dict(
            names=dict(type='list', elements='str'),
            ids=dict(type='list', elements='str'),
            **ACTION_OPTIONS,
            poll_interval=dict(type='int', default=15),
        ),
        value_checks=dict(names=non_empty_list, ids=uuid_list, wait_timeout=POSITIVE, poll_interval=POSITIVE),
        required_one_of=[('names', 'ids')],
    )
    params = module.params
    if not (params['names'] or params['ids']):
        module.fail_json(msg='names and ids are both empty: give the jobs to act on.')
    try:
        result = act_on_jobs(module.client, params['state'], names=params['names'], job_ids=params['ids'],
                             full=params['full'], wait=params['wait'], wait_timeout=params['wait_timeout'],
                             check_mode=module.check_mode, warn=module.warn, poll_interval=params['poll_interval'])
    except Vb365Error as exc:
        module.fail_from_error(exc)
    if not module._diff:
        result.pop('diff')
    if result.pop('failed'):
        module.fail_json(**result)
    module.exit_json(**result)


if __name__ == '__main__':
    main()

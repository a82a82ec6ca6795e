#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vb365.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
---
module: job_session_export
short_description: Write every operation of a VB365 job session to CSV and JSON files, page by page
version_added: 0.1.0
description:
  - Reads every operation (log item) of one Veeam Backup for Microsoft 365 job session and writes them to
    a CSV file, a JSON file, or both, on the host that runs the module, as the pages arrive. The
    operations never pass through Ansible variables, so a session of 100,000 operations costs the
    memory of one page.
  - Returns the session, the counts of its operations, its verdict and the operations that need
    attention (V(Warning) and V(Error)), at most O(attention_limit) of them.
  - Like M(ansible.builtin.get_url), a file is replaced only when its content changes, and file
    attributes (O(mode), O(owner), O(group)...) are applied to each written file.
author:
  - vb365.backup maintainers (@vb365-backup)
options:
  job_session_id:
    description:
      - ID (a UUID) of the job session.
    type: str
    required: true
  csv_path:
    description:
      - Where to write the CSV file, one operation per row with the columns C(usn), C(status),
        C(creation_time), C(end_time), C(duration_seconds), C(message) and C(id), in the server's order.
      - Its folder must exist, except in check mode.
    type: path
  json_path:
    description:
      - Where to write the JSON document with C(job_session), C(server), C(api_version), C(log_items) (every
        operation, in the shape of the C(log_items) of M(vb365.backup.job_session_log_items_info)), C(summary) and
        C(verdict).
      - Its folder must exist, except in check mode.
    type: path
  attention_limit:
    description:
      - At most this many V(Warning) and V(Error) operations in RV(attention), oldest first.
    type: int
    default: 10
  items_fact:
    description:
      - Also set a host fact of this name to the operations (with O(items_status), only those), in the shape
        of the C(log_items) of M(vb365.backup.job_session_log_items_info).
      - For plays that need the operations as a variable too. The list reaches Ansible once, as a fact,
        instead of twice through C(register) and M(ansible.builtin.set_fact), which for 100,000 operations
        saves about as long as reading them.
      - From ansible-core 2.21 the fact is set like M(ansible.builtin.set_fact) sets one. Older cores make
        it a cacheable host fact, which later tasks copy and which AWX fact storage would keep.
    type: str
  items_status:
    description:
      - With O(items_fact), only operations whose status is one of these, in any case. The files and
        RV(summary) always cover every operation.
    type: list
    elements: str
  page_size:
    description:
      - Operations to ask for per request, from 1 to 10000.
    type: int
    default: 10000
extends_documentation_fragment:
  - vb365.backup.connection
  - vb365.backup.attributes
  - ansible.builtin.files
attributes:
  check_mode:
    support: full
    description: Reads everything and reports whether the files would change, writing nothing.
seealso:
  - module: vb365.backup.job_session_log_items_info
  - module: vb365.backup.jobs_info
notes:
  - Without O(csv_path) and O(json_path), the module only counts, which is the cheapest way to get a
    session's summary, verdict and problem operations.
'''

EXAMPLES = r'''
- name: Every operation of last night's session as CSV and JSON, readable by the backup team only
  vb365.backup.job_session_export:
    server: vb365.example.com
    username: '{{ vb365_user }}'
    password: '{{ vb365_password }}'
    job_session_id: 7f3f1f4e-2c41-4f7c-9b0e-5d2b8f7a9c10
    csv_path: /srv/reports/vb365-session.csv
    json_path: /srv/reports/vb365-session.json
    mode: '0640'
    group: backup
  register: exported

- name: Counts, verdict and the first 50 problems only, writing nothing
  vb365.backup.job_session_export:
    server: vb365.example.com
    access_token: '{{ vb365_login.access_token }}'
    job_session_id: 7f3f1f4e-2c41-4f7c-9b0e-5d2b8f7a9c10
    attention_limit: 50
    page_size: 5000
'''

RETURN = r'''
job_session:
  description: The session, in the shape M(vb365.backup.job_sessions_info) returns.
  returned: success
  type: dict
  sample: {id: 7f3f1f4e-2c41-4f7c-9b0e-5d2b8f7a9c10, job_name: Contoso - Mailboxes, status: Warning}
summary:
  description: Counts of every operation of the session, as C(summary) of M(vb365.backup.job_session_log_items_info).
  returned: success
  type: dict
  sample: {total: 120, by_status: {Success: 117, Warning: 2, Error: 1, Running: 0, Stop: 0, Unknown: 0}}
verdict:
  description: The session's status made worse by its operations (V(Success), V(Warning), V(Error), V(Stop), V(Running), V(Unknown)).
  returned: success
  type: str
  sample: Error
attention:
  description: The V(Warning) and V(Error) operations, oldest first, at most O(attention_limit).
  returned: success
  type: list
  elements: dict
  sample: [{usn: 50, status: Error, message: 'Processing mailbox lee.gu@fabrikam.com failed: Access is denied.'}]
attention_left_out:
  description: How many V(Warning) and V(Error) operations RV(attention) leaves out.
  returned: success
  type: int
  sample: 0
ansible_facts:
  description: With O(items_fact), the fact of that name.
  returned: when O(items_fact) is set
  type: dict
  sample: {vb365_log_items: [{usn: 1, status: Success, message: Job started}]}
files:
  description: The files written or checked (O(csv_path), O(json_path)).
  returned: success
  type: list
  elements: str
  sample: [/srv/reports/vb365-session.csv, /srv/reports/vb365-session.json]
job_result:
  description:
    - The session as one entry of the C(vb365_job_results) of the role vb365.backup.job_session_report, with
      C(job_name), C(job_id), C(organization) (null), C(verdict), C(will_retry) (the session failed and the server
      retries it by itself), C(session), C(summary), C(attention) and C(attention_left_out).
  returned: success
  type: dict
  sample: {job_name: Contoso - Mailboxes, verdict: Error, will_retry: false, attention_left_out: 0}
api_version:
  description: The REST API version used.
  returned: always
  type: str
  sample: v8
'''

import os
import tempfile

from ansible_collections.vb365.backup.plugins.module_utils.export import CsvExport, HashingSink, JsonExport
from ansible_collections.vb365.backup.plugins.module_utils.job_sessions import collect_sessions
from ansible_collections.vb365.backup.plugins.module_utils.jobs import session_job_result
from ansible_collections.vb365.backup.plugins.module_utils.log_items import collect_log_items
from ansible_collections.vb365.backup.plugins.module_utils.normalize import session_verdict
from ansible_collections.vb365.backup.plugins.module_utils.vb365_api import Vb365Error
from ansible_collections.vb365.backup.plugins.module_utils.options import (
    PAGE_SIZE, fact_name, int_range, status_list, uuid_value)
from ansible_collections.vb365.backup.plugins.module_utils.vb365_module import Vb365Module


def folder_problem(path, check_mode):
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        # In check mode an earlier task that would create the folder did not run.
        return None if check_mode else 'the folder %s does not exist' % folder
    if not os.access(folder, os.W_OK):
        return 'the folder %s cannot be written' % folder
    return None


def main():
    module = Vb365Module(
        argument_spec=dict(
            job_session_id=dict(type='str', required=True),
            csv_path=dict(type='path'),
            json_path=dict(type='path'),
            attention_limit=dict(type='int', default=10),
            items_fact=dict(type='str'),
            items_status=dict(type='list', elements='str'),
            page_size=dict(type='int', default=10000),
        ),
        value_checks=dict(job_session_id=uuid_value, attention_limit=int_range(0, 10000), page_size=PAGE_SIZE,
                          items_fact=fact_name, items_status=status_list),
        required_by={'items_status': 'items_fact'},
        add_file_common_args=True,
    )
    params = module.params
    targets = [(name, params[name]) for name in ('csv_path', 'json_path') if params[name]]
    for name, path in targets:
        problem = folder_problem(path, module.check_mode)
        if problem:
            module.fail_json(msg='Cannot write %s %s: %s.' % (name, path, problem))

    session_id = params['job_session_id']
    # The client first (it sends nothing): a credential or connection option it refuses leaves no temporary file.
    client = module.client
    handles, exports, temp_paths = {}, [], {}
    if not module.check_mode:
        # The files are opened before any request, so that a folder that only looks writable fails first.
        for name, path in targets:
            try:
                descriptor, temp_paths[name] = tempfile.mkstemp(prefix='.vb365-', dir=os.path.dirname(
                    os.path.abspath(path)))
            except OSError as exc:
                _discard(handles.values(), temp_paths)
                module.fail_json(msg='Cannot write %s %s: %s.' % (name, path, exc.strerror or exc))
            handles[name] = os.fdopen(descriptor, 'wb')
    try:
        session = collect_sessions(client, job_session_id=session_id)['job_sessions'][0]
        for name, path in targets:
            sink = HashingSink(handles.get(name))
            if name == 'csv_path':
                exports.append((name, CsvExport(sink)))
            else:
                exports.append((name, JsonExport(sink, {'job_session': session, 'server': client.base_url,
                                                        'api_version': client.api_version})))

        fact_items = [] if params['items_fact'] else None
        fact_statuses = params['items_status']

        def write(log_item):
            for _name, export in exports:
                export.add(log_item)
            if fact_items is not None and (not fact_statuses or log_item['status'] in fact_statuses):
                fact_items.append(log_item)

        result = collect_log_items(client, session_id, page_size=params['page_size'], include_items=False,
                                   attention_limit=params['attention_limit'],
                                   each_item=write if exports or fact_items is not None else None)
    except Vb365Error as exc:
        _discard(handles.values(), temp_paths)
        # Only a 404 on the session's own path means the session is missing; one while finding the API version does not.
        module.fail_from_error(exc, job_session_id=session_id, not_found=(
            'Job session %s was not found on %s: check the id.' % (session_id, client.base_url)
            if session_id in (exc.path or '') else None))
    except OSError as exc:
        _discard(handles.values(), temp_paths)
        module.fail_json(msg='Writing the reports failed: %s (%s).' % (exc.strerror or exc, exc.filename or ''))
    except Exception as exc:  # pylint: disable=broad-except
        # Whatever went wrong, no half-written temporary file stays behind in the report folder.
        _discard(handles.values(), temp_paths)
        module.fail_json(msg='Exporting job session %s failed (%s: %s); no file was written.'
                         % (session_id, type(exc).__name__, client.mask(str(exc))))

    summary = result['summary']
    verdict = session_verdict(session['status'], summary['by_status'])
    changed = False
    for name, export in exports:
        export.close({'summary': summary, 'verdict': verdict})
    for handle in handles.values():
        handle.close()
    for name, export in exports:
        path = params[name]
        if module.digest_from_file(path, 'sha1') != export.sink.sha1:
            changed = True
            if not module.check_mode:
                module.atomic_move(temp_paths.pop(name), path, unsafe_writes=params['unsafe_writes'])
        if not module.check_mode or os.path.exists(path):
            changed = module.set_fs_attributes_if_different(module.load_file_common_arguments(params, path=path),
                                                            changed)
    _discard([], temp_paths)
    facts = {params['items_fact']: fact_items} if fact_items is not None else {}
    module.exit_json(changed=changed, ansible_facts=facts, job_session=session, summary=summary, verdict=verdict,
                     attention=result['attention'], attention_left_out=result['attention_left_out'],
                     job_result=session_job_result(session, summary, result['attention'],
                                                   result['attention_left_out'], verdict),
                     files=[path for _name, path in targets], api_version=client.api_version)


def _discard(handles, temp_paths):
    for handle in handles:
        handle.close()
    for path in temp_paths.values():
        if os.path.exists(path):
            os.remove(path)


if __name__ == '__main__':
    main()

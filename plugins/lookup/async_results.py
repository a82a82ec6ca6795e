# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vb365.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
name: async_results
author:
  - vb365.backup maintainers (@vb365-backup)
version_added: 0.2.0
short_description: The results of many async tasks at once, read on the controller
description:
  - Reads the job files that tasks with C(async) and C(poll) V(0) write in O(dir), for plays whose modules run on
    the controller (C(connection) V(local)); one lookup instead of one M(ansible.builtin.async_status) run per job,
    so that waiting for forty jobs costs what waiting for one does.
  - A job whose file is not there yet, cannot be read yet, or still says it started is not finished (C(finished)
    is V(0)); a finished job's entry is the module's result with C(finished) V(1), as async_status gives it.
  - Job ids are file names in O(dir) only; an id with a path separator is refused.
options:
  _terms:
    description: The C(ansible_job_id) of each job (a list is read as its items).
    required: true
    type: list
    elements: str
  dir:
    description: The async folder the jobs write to (the play's C(ansible_async_dir)).
    type: path
    required: true
'''

EXAMPLES = r'''
- name: Wait for every job started with async and poll 0
  ansible.builtin.set_fact:
    results: "{{ query('vb365.backup.async_results', started.results | map(attribute='ansible_job_id') | list,
      dir=ansible_async_dir) }}"
  register: waited
  until: waited.ansible_facts.results | rejectattr('finished') | list | length == 0
  retries: 120
  delay: 5
'''

RETURN = r'''
_raw:
  description: One entry per job id, in the order given.
  type: list
  elements: dict
'''

import json
import os

from ansible.errors import AnsibleLookupError
from ansible.plugins.lookup import LookupBase


def read_job(folder, job_id):
    """async_status's reading of one job file, without running a module."""
    if not job_id or os.path.basename(job_id) != job_id or job_id.startswith('.'):
        raise AnsibleLookupError('async_results: %r is not an async job id.' % (job_id,))
    try:
        with open(os.path.join(folder, job_id)) as handle:
            data = json.loads(handle.read())
    except (OSError, ValueError):
        # Not written yet, or being written: the job has not finished.
        return {'ansible_job_id': job_id, 'started': 1, 'finished': 0}
    if not isinstance(data, dict):
        return {'ansible_job_id': job_id, 'started': 1, 'finished': 1, 'failed': True,
                'msg': 'The job file of %s holds no result.' % job_id}
    if 'started' in data:
        data.setdefault('finished', 0)
    else:
        data['finished'] = 1
    data['ansible_job_id'] = job_id
    return data


def read_jobs(folder, terms):
    """Every job of the terms (ids, or lists of ids), in order."""
    job_ids = []
    for term in terms:
        job_ids.extend(term if isinstance(term, (list, tuple)) else [term])
    return [read_job(folder, str(job_id)) for job_id in job_ids]


class LookupModule(LookupBase):

    def run(self, terms, variables=None, **kwargs):
        self.set_options(var_options=variables, direct=kwargs)
        return read_jobs(self.get_option('dir'), terms)

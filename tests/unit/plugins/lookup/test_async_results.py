# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vb365.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import json

import pytest

from ansible.errors import AnsibleLookupError

from ansible_collections.vb365.backup.plugins.lookup.async_results import read_job, read_jobs


def test_a_job_is_finished_only_when_its_file_holds_the_result(tmp_path):
    (tmp_path / 'j1.1').write_text(json.dumps({'started': True, 'finished': False, 'ansible_job_id': 'j1.1'}))
    (tmp_path / 'j2.2').write_text(json.dumps({'changed': True, 'verdict': 'Success'}))
    (tmp_path / 'j3.3').write_text('{"chan')  # being written
    (tmp_path / 'j4.4').write_text('[1, 2]')
    assert read_job(str(tmp_path), 'j1.1')['finished'] is False
    assert read_job(str(tmp_path), 'j2.2') == {'changed': True, 'verdict': 'Success', 'finished': 1,
                                               'ansible_job_id': 'j2.2'}
    assert read_job(str(tmp_path), 'j3.3')['finished'] == 0
    assert read_job(str(tmp_path), 'missing')['finished'] == 0
    broken = read_job(str(tmp_path), 'j4.4')
    assert broken['finished'] == 1 and broken['failed'] is True


@pytest.mark.parametrize('job_id', ['../j1', '/etc/passwd', '.', '..', ''])
def test_a_job_id_never_leaves_the_folder(tmp_path, job_id):
    with pytest.raises(AnsibleLookupError, match='is not an async job id'):
        read_job(str(tmp_path), job_id)


def test_the_lookup_reads_every_job_in_order_from_a_list_or_terms(tmp_path):
    for name in ('a', 'b'):
        (tmp_path / name).write_text(json.dumps({'msg': name}))
    assert [entry['msg'] for entry in read_jobs(str(tmp_path), [['b', 'a']])] == ['b', 'a']
    assert [entry['ansible_job_id'] for entry in read_jobs(str(tmp_path), ['a', 'b'])] == ['a', 'b']

# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vb365.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Where the role writes: file names never come from what a server or an inventory name could steer."""

from __future__ import annotations

import json
import os
import subprocess

from helpers.playbooks import run_role

ESCAPING_HOST = 'x/../../escaped-host'


def test_a_host_name_with_slashes_writes_inside_the_report_folder(fresh, tmp_path):
    reports = tmp_path / 'a' / 'b' / 'reports'
    info = fresh.info
    inventory = tmp_path / 'inventory.json'
    inventory.write_text(json.dumps({'vb365_servers': {'hosts': {ESCAPING_HOST: {
        'vb365_server': info['url'], 'vb365_username': info['username'], 'vb365_password': info['password'],
        'vb365_ca_path': info['ca_path']}}}}))
    env = dict((key, value) for key, value in os.environ.items() if not key.startswith('VB365_'))
    env['ANSIBLE_NOCOLOR'] = '1'
    result = subprocess.run(['ansible-playbook', '-i', str(inventory), 'vb365.backup.fleet_report', '-e', json.dumps(
        {'vb365_report_dir': str(reports), 'vb365_report_formats': ['json', 'csv']})], stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, universal_newlines=True, env=env, timeout=600, check=False)
    written = sorted(str(path.relative_to(tmp_path)) for path in tmp_path.rglob('*') if path.is_file()
                     and path.name != 'inventory.json')
    assert written and all(name.startswith(os.path.join('a', 'b', 'reports') + os.sep) for name in written), (
        written, result.stdout[-3000:])
    assert (reports / 'vb365-x_.._.._escaped-host-jobs.json').exists()


def test_a_server_answering_with_another_session_names_no_file(fresh, tmp_path):
    marker = tmp_path / 'templated'
    fresh.admin('faults', {'hostile_ids': True, 'hostile_text': str(marker)})
    asked = fresh.session(status='Failed')['id']
    result = run_role(fresh, tmp_path, {'vb365_job_session_id': asked,
                                        'vb365_report_formats': ['json', 'markdown', 'html', 'csv']})
    assert result.returncode != 0
    assert 'answered with another session' in result.stdout
    assert not marker.exists()
    reports = tmp_path / 'reports'
    names = [path.name for path in reports.iterdir()] if reports.exists() else []
    assert all(asked in name for name in names), names
    assert not [path for path in tmp_path.rglob('*') if 'lookup' in path.name or '<img' in path.name]

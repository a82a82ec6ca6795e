# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vb365.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""An AWX workflow as AWX runs it: the role through ansible-runner, then docs/awx.md's next node, as written,
with the artifacts as its extra vars (which Ansible templates), against a server whose texts carry Jinja."""

from __future__ import annotations

import json
import os
import re

import pytest

from helpers.catcher import Catcher
from helpers.playbooks import role_env, run_playbook

# ansible-runner round trips: the lowest and the newest core bracket the others.
pytestmark = pytest.mark.edge_cores_only

HERE = os.path.dirname(os.path.abspath(__file__))
COLLECTION = os.path.join(HERE, '..', '..')
DOCS = os.path.join(COLLECTION, 'docs', 'awx.md')


def documented_playbook(first_line):
    """The YAML block of docs/awx.md that starts with this line, as written."""
    text = open(DOCS, encoding='utf-8').read()
    blocks = re.findall(r'```yaml\n(.*?)```', text, re.S)
    return next(block for block in blocks if block.startswith(first_line))


def run_with_runner(tmp_path, playbook, extra_vars, env, inventory=None):
    """One AWX job: ansible-runner in its own private data dir; returns (status, stdout, artifacts)."""
    ansible_runner = pytest.importorskip('ansible_runner')
    private = tmp_path / 'runner'
    for folder in ('env', 'inventory', 'project'):
        (private / folder).mkdir(parents=True, exist_ok=True)
    env = dict(env, ANSIBLE_COLLECTIONS_PATH=os.environ['ANSIBLE_COLLECTIONS_PATH'], VB365_RETRIES='0',
               ANSIBLE_COLLECTIONS_SCAN_SYS_PATH='false', ANSIBLE_NOCOLOR='1')
    (private / 'env' / 'envvars').write_text(json.dumps(env))
    (private / 'env' / 'extravars').write_text(json.dumps(extra_vars))
    if inventory:
        (private / 'inventory' / 'hosts.json').write_text(json.dumps(inventory))
    (private / 'project' / 'job.yml').write_text(open(os.path.join(COLLECTION, 'playbooks', playbook)).read())
    run = ansible_runner.run(private_data_dir=str(private), playbook='job.yml', quiet=True)
    stats = [event for event in run.events if event['event'] == 'playbook_on_stats'][0]
    return run.status, run.stdout.read(), stats['event_data'].get('artifact_data') or {}


def next_node(tmp_path, first_line, artifacts, catcher_url=None):
    """docs/awx.md's playbook for the next node, with the artifacts as extra vars (the ticket goes to the catcher)."""
    playbook = documented_playbook(first_line)
    if catcher_url:
        playbook = playbook.replace('https://servicedesk.example.com', catcher_url)
    path = tmp_path / 'next-node.yml'
    path.write_text(playbook)
    artifacts_file = tmp_path / 'artifacts.json'
    artifacts_file.write_text(json.dumps(artifacts))
    return run_playbook(str(path)[:-len('.yml')], {}, tmp_path, extra_args=('-e', '@%s' % artifacts_file))


def test_a_failed_session_opens_one_ticket_and_its_jinja_never_runs(fresh, tmp_path, catcher):
    marker = tmp_path / 'templated-in-the-next-node'
    fresh.admin('faults', {'hostile_text': str(marker)})
    # Failed before processing anything: no failed operation, the server's details are the reason.
    started = fresh.admin('sessions', {'job': 'Contoso - Mailboxes', 'items': 3, 'seed': 0})
    fresh.admin('sessions/%s/finish' % started['id'], {'status': 'Failed'})
    status, stdout, artifacts = run_with_runner(
        tmp_path, 'session_report.yml', {'vb365_job_session_id': started['id'], 'vb365_fail_on': ['Error'],
                                         'vb365_report_dir': str(tmp_path / 'reports')}, role_env(fresh))
    assert status == 'failed', stdout[-3000:]
    # Published before the play failed, in every mode.
    assert artifacts['vb365_verdict'] == 'Error' and artifacts['vb365_log_summary']['by_status']['Error'] == 0
    assert list(artifacts['vb365_servers']) == ['localhost']
    assert artifacts['vb365_servers']['localhost']['jobs'][0]['verdict'] == 'Error'
    details = artifacts['vb365_job_session']['details']
    assert "{ { lookup('pipe'" in details and '{{' not in json.dumps(artifacts)

    next_node(tmp_path, "- name: Open a ticket when last night's backup needs attention", artifacts,
              catcher_url=catcher)
    assert not marker.exists(), 'a server text was templated in the next workflow node'
    tickets = [json.loads(body) for path, body in Catcher.received if path == '/api/tickets']
    assert len(tickets) == 1, Catcher.received
    assert tickets[0]['title'].endswith('Contoso - Mailboxes ended Error (0 failed, 0 warnings)')
    assert tickets[0]['description'].startswith(details.splitlines()[0])


def test_a_clean_session_opens_no_ticket(fresh, tmp_path, catcher):
    started = fresh.admin('sessions', {'job': 'Contoso - Mailboxes', 'items': 3, 'seed': 0})
    fresh.admin('sessions/%s/finish' % started['id'], {'status': 'Success'})
    status, stdout, artifacts = run_with_runner(
        tmp_path, 'session_report.yml', {'vb365_job_session_id': started['id'],
                                         'vb365_report_dir': str(tmp_path / 'reports')}, role_env(fresh))
    assert status == 'successful', stdout[-3000:]
    assert artifacts['vb365_verdict'] == 'Success'
    next_node(tmp_path, "- name: Open a ticket when last night's backup needs attention", artifacts,
              catcher_url=catcher)
    assert Catcher.received == []


def test_the_fleet_consumer_names_each_failed_job_with_its_server(fresh, tmp_path):
    marker = tmp_path / 'templated-in-the-fleet-node'
    fresh.admin('faults', {'hostile_text': str(marker)})
    info = fresh.info
    inventory = {'vb365_servers': {'hosts': {
        'vb365-emea': {'vb365_server': info['url'], 'vb365_username': info['username'],
                       'vb365_password': info['password'], 'vb365_ca_path': info['ca_path']},
        'vb365-down': {'vb365_server': 'https://127.0.0.1:9', 'vb365_username': 'x', 'vb365_password': 'y'}}}}
    status, stdout, artifacts = run_with_runner(tmp_path, 'fleet_report.yml',
                                                {'vb365_report_dir': str(tmp_path / 'reports')}, {}, inventory)
    assert status == 'failed', 'the unreachable server fails its host'
    assert sorted(artifacts['vb365_servers']) == ['vb365-down', 'vb365-emea']
    assert '{{' not in json.dumps(artifacts)
    # The run's last words name what needs attention, with no vb365_fail_on.
    assert re.search(r'not checked: vb365-down; needs attention: .*Fabrikam - All users on vb365-emea \(Error\)', stdout)
    result = next_node(tmp_path, '- name: Act on the servers and jobs that need it', artifacts)
    assert not marker.exists(), 'a server text was templated in the next workflow node'
    line = next(line for line in result.stdout.splitlines() if '"msg": "Failed or missed:' in line)
    assert 'Fabrikam - All users on vb365-emea (Error)' in line and 'not checked: vb365-down"' in line
    assert artifacts['vb365_servers']['vb365-emea']['health_verdict'] == 'Error'
    result = next_node(tmp_path, '- name: Act on the servers whose health needs it', artifacts)
    assert not marker.exists()
    assert re.search(r'"msg": "vb365-emea is Error: .*Licence: \d+ of \d+ units used', result.stdout), result.stdout[-2000:]

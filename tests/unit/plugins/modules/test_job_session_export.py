# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vb365.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import csv
import json
import os
import stat

from ansible_collections.vb365.backup.plugins.modules.job_session_export import main
from ansible_collections.vb365.backup.tests.unit.plugins.wire import PASSWORD, SESSION_ID, run_module, v8_item

JOB_ID = '2dc1c0fd-8d7c-4848-a9bb-9ca16329eabd'
SESSION = {'id': SESSION_ID, 'jobId': JOB_ID, 'status': 'Warning', 'creationTime': '2026-11-27T22:00:00.0000000+01:00',
           'endTime': '2026-11-27T22:10:00.0000000+01:00', 'retryCount': 0, 'statistics': {}}
LOG_PATH = '/v8/JobSessions/%s/LogItems' % SESSION_ID
ITEMS = [v8_item(1, 'Success', 'Job started'), v8_item(2, 'Warning', 'Item "Q4, plan.pptx" skipped'),
         v8_item(3, 'Error', 'Mailbox\nline two'), v8_item(4, 'Success', 'Job finished')]


def args(tmp_path, **overrides):
    base = dict(server='vb365.test', username='backup-admin', password=PASSWORD, api_version='v8',
                job_session_id=SESSION_ID, csv_path=str(tmp_path / 'ops.csv'), json_path=str(tmp_path / 'ops.json'),
                page_size=2, attention_limit=1)
    base.update(overrides)
    return dict((key, value) for key, value in base.items() if value is not None)


def expect_session(wire):
    wire.login()
    wire.expect('GET', '/v8/Jobs', query={'offset': '0', 'limit': '1000'},
                body={'offset': 0, 'limit': 1000, 'results': [{'id': JOB_ID, 'name': 'Contoso - Mailboxes'}],
                      '_links': {}})
    wire.expect('GET', '/v8/JobSessions/%s' % SESSION_ID, body=SESSION)
    wire.expect('GET', LOG_PATH, query={'offset': '0', 'limit': '2'},
                body={'offset': 0, 'limit': 2, 'results': ITEMS[:2], '_links': {'next': {'href': '/x'}}})
    wire.expect('GET', LOG_PATH, query={'offset': '2', 'limit': '2'},
                body={'offset': 2, 'limit': 2, 'results': ITEMS[2:], '_links': {'next': {'href': '/x'}}})
    wire.expect('GET', LOG_PATH, query={'offset': '4', 'limit': '2'},
                body={'offset': 4, 'limit': 2, 'results': [], '_links': {}})


def test_every_operation_is_written_and_only_the_summary_returned(wire, capsys, tmp_path):
    expect_session(wire)
    failed, result = run_module(main, args(tmp_path, mode='0640'), capsys)
    assert not failed
    assert result['changed'] is True
    assert result['verdict'] == 'Error'
    assert result['summary']['total'] == 4
    assert [item['usn'] for item in result['attention']] == [2]
    assert result['attention_left_out'] == 1
    assert result['job_session']['job_name'] == 'Contoso - Mailboxes'
    assert 'log_items' not in result
    with open(str(tmp_path / 'ops.csv'), newline='') as handle:
        rows = list(csv.DictReader(handle))
    assert [row['usn'] for row in rows] == ['1', '2', '3', '4']
    assert rows[1]['message'] == 'Item "Q4, plan.pptx" skipped'
    assert rows[2]['message'] == 'Mailbox\nline two'
    document = json.loads((tmp_path / 'ops.json').read_text())
    assert [item['usn'] for item in document['log_items']] == [1, 2, 3, 4]
    assert document['summary'] == result['summary']
    assert document['verdict'] == 'Error'
    assert document['job_session']['id'] == SESSION_ID
    assert stat.S_IMODE(os.stat(str(tmp_path / 'ops.csv')).st_mode) == 0o640
    assert not [name for name in os.listdir(str(tmp_path)) if name.startswith('.vb365-')]


def test_the_session_comes_back_as_an_entry_of_the_roles_job_results(wire, capsys, tmp_path, monkeypatch):
    monkeypatch.setitem(SESSION, 'jobWillBeRetried', True)
    expect_session(wire)
    failed, result = run_module(main, args(tmp_path), capsys)
    assert not failed
    entry = result['job_result']
    assert sorted(entry) == ['attention', 'attention_left_out', 'job_id', 'job_name', 'organization', 'session',
                             'summary', 'verdict', 'will_retry']
    assert (entry['job_name'], entry['job_id'], entry['organization']) == ('Contoso - Mailboxes', JOB_ID, None)
    assert (entry['verdict'], entry['will_retry']) == ('Error', True), 'failed, and the server retries it itself'
    assert entry['session'] == result['job_session'] and entry['summary'] == result['summary']
    assert (entry['attention'], entry['attention_left_out']) == (result['attention'], 1)


def test_a_session_the_server_will_not_retry_is_left_to_us(wire, capsys, tmp_path):
    expect_session(wire)
    failed, result = run_module(main, args(tmp_path), capsys)
    assert not failed
    assert (result['job_result']['verdict'], result['job_result']['will_retry']) == ('Error', False)


def test_same_content_is_not_a_change(wire, capsys, tmp_path):
    expect_session(wire)
    run_module(main, args(tmp_path), capsys)
    first = (tmp_path / 'ops.json').stat().st_mtime_ns
    expect_session(wire)
    failed, result = run_module(main, args(tmp_path), capsys)
    assert not failed
    assert result['changed'] is False
    assert (tmp_path / 'ops.json').stat().st_mtime_ns == first


def test_check_mode_reads_but_writes_nothing(wire, capsys, tmp_path):
    expect_session(wire)
    failed, result = run_module(main, dict(args(tmp_path), _ansible_check_mode=True), capsys)
    assert not failed
    assert result['changed'] is True
    assert result['summary']['total'] == 4
    assert os.listdir(str(tmp_path)) == []


def test_a_missing_folder_fails_before_any_request(wire, capsys, tmp_path):
    failed, result = run_module(main, args(tmp_path, csv_path=str(tmp_path / 'no' / 'ops.csv')), capsys)
    assert failed
    assert result['msg'] == 'Cannot write csv_path %s: the folder %s does not exist.' % (
        tmp_path / 'no' / 'ops.csv', tmp_path / 'no')


def test_check_mode_accepts_a_folder_an_earlier_task_would_create(wire, capsys, tmp_path):
    expect_session(wire)
    failed, result = run_module(main, dict(args(tmp_path, csv_path=str(tmp_path / 'new' / 'ops.csv')),
                                           _ansible_check_mode=True), capsys)
    assert not failed
    assert result['changed'] is True
    assert not (tmp_path / 'new').exists()


def test_items_fact_carries_the_chosen_operations_once(wire, capsys, tmp_path):
    expect_session(wire)
    failed, result = run_module(main, args(tmp_path, csv_path=None, json_path=None, items_fact='vb365_log_items',
                                           items_status=['warning', 'FAILED']), capsys)
    assert not failed
    assert [item['usn'] for item in result['ansible_facts']['vb365_log_items']] == [2, 3]
    assert result['summary']['total'] == 4, 'the counts cover every operation'
    assert result['changed'] is False and result['files'] == []


def test_items_fact_must_be_a_variable_name(wire, capsys, tmp_path):
    failed, result = run_module(main, args(tmp_path, items_fact='log items'), capsys)
    assert failed
    assert "items_fact 'log items' is not a variable name" in result['msg']


def test_a_folder_that_refuses_the_file_fails_before_any_request(wire, capsys, tmp_path, monkeypatch):
    def refuse(**_kwargs):
        raise OSError(13, 'Permission denied')

    monkeypatch.setattr('tempfile.mkstemp', refuse)
    failed, result = run_module(main, args(tmp_path), capsys)
    assert failed
    assert result['msg'] == 'Cannot write csv_path %s: Permission denied.' % (tmp_path / 'ops.csv')
    assert os.listdir(str(tmp_path)) == []

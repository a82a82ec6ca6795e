# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vb365.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The CSV and JSON exports: what a spreadsheet or a JSON reader makes of the bytes, and the sha1 of them."""

from __future__ import annotations

import csv
import hashlib
import io
import json

import pytest

from ansible_collections.vb365.backup.plugins.module_utils.export import (
    CSV_COLUMNS, CsvExport, HashingSink, JsonExport, spreadsheet_cell)
from ansible_collections.vb365.backup.plugins.module_utils.normalize import normalize_log_item_with_ticks
from ansible_collections.vb365.backup.tests.unit.plugins.wire import SESSION_ID, legacy_item, v8_item

TRAILER = {'summary': {'total': 2, 'by_status': {'Success': 1, 'Error': 1}}, 'verdict': 'Error'}


def operation(raw):
    return normalize_log_item_with_ticks(raw)[0]


def written(export_class, log_items, *header):
    """(bytes written, sha1 the sink reports) of one export of log_items."""
    handle = io.BytesIO()
    export = export_class(HashingSink(handle), *header)
    for log_item in log_items:
        export.add(log_item)
    export.close(TRAILER)
    return handle.getvalue(), export.sink.sha1


def csv_rows(data):
    return list(csv.reader(io.StringIO(data.decode('utf-8'), newline='')))


@pytest.mark.parametrize('text', ['=HYPERLINK("http://evil.example","x")', '+1+cmd|/C calc', '-2+3', '@SUM(A1)',
                                  '\t=1', '\r=1'])
def test_a_message_that_starts_like_a_formula_is_written_as_text(text):
    data, _sha1 = written(CsvExport, [operation(v8_item(1, 'Error', text))])
    assert csv_rows(data)[1][CSV_COLUMNS.index('message')] == "'" + text


def test_formula_titles_of_v5_to_v7_are_escaped_too():
    data, _sha1 = written(CsvExport, [operation(legacy_item(7, '[Failed] =cmd|"/C calc"!A0'))])
    row = csv_rows(data)[1]
    assert row[CSV_COLUMNS.index('status')] == 'Error'
    assert row[CSV_COLUMNS.index('message')] == '\'=cmd|"/C calc"!A0'


def test_cells_that_are_not_formulas_are_unchanged():
    assert spreadsheet_cell(-1.5) == -1.5, 'a negative number is a number, not a formula'
    assert spreadsheet_cell(0) == 0
    assert spreadsheet_cell(None) == ''
    assert spreadsheet_cell(True) == 'true'
    assert spreadsheet_cell('a = b') == 'a = b'
    assert spreadsheet_cell("'quoted") == "'quoted"


def test_csv_has_the_header_and_one_row_per_operation_whatever_the_message_holds():
    items = [operation(v8_item(1, 'Success', 'line one\nline two\r\nand "quotes", commas')),
             operation(dict(v8_item(1000, 'Error', '<b>{{ lookup("pipe", "id") }}</b>'), endTime=None))]
    data, sha1 = written(CsvExport, items)
    rows = csv_rows(data)
    assert rows[0] == list(CSV_COLUMNS)
    assert rows[1] == ['1', 'Success', '2026-11-27T22:00:00.1000000+01:00', '2026-11-27T22:00:02.6000000+01:00',
                       '2.5', 'line one\nline two\r\nand "quotes", commas', 'item-000001']
    assert rows[2] == ['1000', 'Error', '2026-11-27T22:00:00.1000000+01:00', '', '',
                       '<b>{{ lookup("pipe", "id") }}</b>', 'item-001000']
    assert len(rows) == 3, 'no summary row: a CSV file has no trailer'
    assert sha1 == hashlib.sha1(data).hexdigest()


def test_json_is_one_valid_document_with_header_items_and_the_summary_trailer():
    header = {'job_session': {'id': SESSION_ID, 'status': 'Error'}, 'server': 'https://vb365.test:4443',
              'api_version': 'v8'}
    items = [operation(v8_item(1, 'Success', 'start')), operation(v8_item(2, 'Error', '"}], "injected": [{"'))]
    data, sha1 = written(JsonExport, items, header)
    document = json.loads(data.decode('utf-8'))
    assert document == dict(header, log_items=items, **TRAILER)
    assert list(document) == ['job_session', 'server', 'api_version', 'log_items', 'summary', 'verdict']
    assert sha1 == hashlib.sha1(data).hexdigest()


def test_json_without_operations_is_valid_too():
    data, _sha1 = written(JsonExport, [], {'api_version': 'v6'})
    assert json.loads(data.decode('utf-8')) == dict({'api_version': 'v6', 'log_items': []}, **TRAILER)


def test_a_lone_surrogate_keeps_the_files_valid_utf8():
    items = [operation(v8_item(1, 'Warning', 'bad \ud800 text'))]
    json_data, json_sha1 = written(JsonExport, items, {})
    # JSON keeps the server's exact text as an escape; CSV can only show a replacement character.
    assert json.loads(json_data.decode('utf-8'))['log_items'][0]['message'] == 'bad \ud800 text'
    assert json_sha1 == hashlib.sha1(json_data).hexdigest()
    csv_data, csv_sha1 = written(CsvExport, items)
    assert csv_rows(csv_data)[1][CSV_COLUMNS.index('message')] == 'bad \ufffd text'
    assert csv_sha1 == hashlib.sha1(csv_data).hexdigest()


def test_the_hash_without_a_file_is_the_hash_of_the_file():
    # Check mode hashes without writing: the verdict "would change" rests on the two being equal.
    items = [operation(v8_item(usn, 'Success', 'op %d \udfff' % usn)) for usn in (1, 2)]
    dry = JsonExport(HashingSink(), {'api_version': 'v8'})
    for log_item in items:
        dry.add(log_item)
    dry.close(TRAILER)
    assert dry.sink.sha1 == written(JsonExport, items, {'api_version': 'v8'})[1]

# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vb365.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Write every operation of a job session to CSV and JSON as the pages arrive.

Nothing but the current page is held: each operation is written, hashed and dropped, so a session
of a million operations is exported with the memory of one page. The hash lets the module say
whether a file would change without writing it (check mode).
"""

from __future__ import annotations

import csv
import hashlib
import json

from ansible_collections.vb365.backup.plugins.module_utils.normalize import LONE_SURROGATE, without_lone_surrogates

CSV_COLUMNS = ('usn', 'status', 'creation_time', 'end_time', 'duration_seconds', 'message', 'id')

# OWASP's list for CSV injection: a spreadsheet runs a cell that starts with one of these as a formula.
_FORMULA_START = ('=', '+', '-', '@', '\t', '\r')


def spreadsheet_cell(value):
    """A value as a CSV cell that a spreadsheet shows as text, never runs as a formula.

    Numbers stay numbers (a duration of -1.5 is a number, not a formula); text that starts like a
    formula gets a leading ``'``, which spreadsheets hide and read as "this is text".
    """
    if value is None:
        return ''
    if isinstance(value, bool):
        return 'true' if value else 'false'
    if isinstance(value, (int, float)):
        return value
    text = without_lone_surrogates(value if isinstance(value, str) else str(value))
    return "'" + text if text.startswith(_FORMULA_START) else text


def csv_writer(sink):
    """A csv writer that quotes every cell: a bare carriage return inside a message never splits a row."""
    return csv.writer(sink, lineterminator='\n', quoting=csv.QUOTE_ALL)


class HashingSink:
    """A text sink that hashes what it is given and writes it to a binary file when it has one."""

    def __init__(self, handle=None):
        self._handle = handle
        self._digest = hashlib.sha1()

    def write(self, text):
        data = without_lone_surrogates(text).encode('utf-8')
        self._digest.update(data)
        if self._handle is not None:
            self._handle.write(data)

    @property
    def sha1(self):
        return self._digest.hexdigest()


class CsvExport:
    def __init__(self, sink):
        self.sink = sink
        self._writer = csv_writer(sink)
        self._writer.writerow(CSV_COLUMNS)

    def add(self, log_item):
        self._writer.writerow([spreadsheet_cell(log_item[column]) for column in CSV_COLUMNS])

    def close(self, trailer):
        """A CSV file has no trailer: the summary goes to the module's result only."""


def _json(value):
    # A lone surrogate can only sit inside a JSON string: written as its \\u escape it stays the server's
    # exact text and valid UTF-8, where the sink would otherwise replace it.
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return LONE_SURROGATE.sub(lambda match: '\\u%04x' % ord(match.group()), text)


class JsonExport:
    """One JSON document: the header fields, then log_items one per line, then the trailer fields."""

    def __init__(self, sink, header):
        self.sink = sink
        sink.write('{\n')
        for key, value in header.items():
            sink.write('%s: %s,\n' % (json.dumps(key), _json(value)))
        sink.write('"log_items": [')
        self._first = True

    def add(self, log_item):
        self.sink.write('\n  ' if self._first else ',\n  ')
        self.sink.write(_json(log_item))
        self._first = False

    def close(self, trailer):
        self.sink.write('\n]' if not self._first else ']')
        for key, value in trailer.items():
            self.sink.write(',\n%s: %s' % (json.dumps(key), _json(value)))
        self.sink.write('\n}\n')

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

CSV_COLUMNS = ('usn', 'status', 'creation_time', 'end_time', 'duration_seconds', 'message', 'id')


class HashingSink:
    """A text sink that hashes what it is given and writes it to a binary file when it has one."""

    def __init__(self, handle=None):
        self._handle = handle
        self._digest = hashlib.sha1()

    def write(self, text):
        data = text.encode('utf-8')
        self._digest.update(data)
        if self._handle is not None:
            self._handle.write(data)

    @property
    def sha1(self):
        return self._digest.hexdigest()


class CsvExport:
    def __init__(self, sink):
        self.sink = sink
        # The csv module's own quoting: messages hold commas, quotes and line breaks.
        self._writer = csv.writer(sink, lineterminator='\n')
        self._writer.writerow(CSV_COLUMNS)

    def add(self, log_item):
        self._writer.writerow(['' if log_item[column] is None else log_item[column] for column in CSV_COLUMNS])

    def close(self, trailer):
        pass


class JsonExport:
    """One JSON document: the header fields, then log_items one per line, then the trailer fields."""

    def __init__(self, sink, header):
        self.sink = sink
        sink.write('{\n')
        for key, value in header.items():
            sink.write('%s: %s,\n' % (json.dumps(key), json.dumps(value, ensure_ascii=False, sort_keys=True)))
        sink.write('"log_items": [')
        self._first = True

    def add(self, log_item):
        self.sink.write('\n  ' if self._first else ',\n  ')
        self.sink.write(json.dumps(log_item, ensure_ascii=False, sort_keys=True))
        self._first = False

    def close(self, trailer):
        self.sink.write('\n]' if not self._first else ']')
        for key, value in trailer.items():
            self.sink.write(',\n%s: %s' % (json.dumps(key), json.dumps(value, ensure_ascii=False, sort_keys=True)))
        self.sink.write('\n}\n')

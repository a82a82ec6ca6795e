# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vb365.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The shipped rulebook under the real ansible-rulebook, against emulated VB365 6, 7 and 8.

A session that fails triggers the collection's report playbook exactly once; the source killed
while two sessions finish, then restarted, sends each of them once and nothing it sent before.
Run by tests/tools/testenv.py (make test) with ansible-rulebook, Java and the staged collection.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', 'emulator'))

import vb365_emulator  # noqa: E402  pylint: disable=wrong-import-position

INTERVAL = 3


class Rulebook:
    """ansible-rulebook running the shipped rulebook, its output in a file."""

    def __init__(self, emulator, work, name):
        self.output = os.path.join(work, '%s.log' % name)
        self.state_file = os.path.join(work, 'cursor.json')
        info = emulator
        with open(os.path.join(work, 'inventory.yml'), 'w') as inventory:
            inventory.write(
                'all:\n  hosts:\n    localhost:\n      ansible_connection: local\n'
                '      ansible_python_interpreter: %s\n' % sys.executable)
        env = dict(os.environ, VB365_SERVER=info['url'], VB365_USERNAME=info['username'],
                   VB365_PASSWORD=info['password'], VB365_CA_PATH=info['ca_path'], VB365_STATE_FILE=self.state_file,
                   VB365_INTERVAL=str(INTERVAL), HOME=work, ANSIBLE_NOCOLOR='1')
        self.handle = open(self.output, 'w')
        self.process = subprocess.Popen(
            ['ansible-rulebook', '-i', os.path.join(work, 'inventory.yml'), '-r', 'vb365.backup.job_sessions',
             '--env-vars', 'VB365_SERVER,VB365_USERNAME,VB365_PASSWORD,VB365_CA_PATH,VB365_STATE_FILE,VB365_INTERVAL'],
            stdout=self.handle, stderr=subprocess.STDOUT, env=env, cwd=work)

    def text(self):
        with open(self.output) as handle:
            return handle.read()

    def wait_for(self, predicate, what, timeout=120):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate():
                return
            if self.process.poll() is not None:
                pytest.fail('ansible-rulebook ended (code %s) before %s:\n%s'
                            % (self.process.returncode, what, self.text()[-5000:]))
            time.sleep(0.2)
        pytest.fail('%s did not happen within %d s:\n%s' % (what, timeout, self.text()[-5000:]))

    def wait_until_watching(self):
        # The source writes its state file as soon as it has logged in and placed its cursor.
        self.wait_for(lambda: os.path.exists(self.state_file), 'the source started')

    def stop(self, kill=False):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL if kill else signal.SIGINT)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.handle.close()


@pytest.mark.parametrize('product', [6, 7, 8])
def test_failure_runs_the_playbook_once_and_a_restart_misses_nothing(tmp_path, product):
    work = str(tmp_path)
    with vb365_emulator.Fleet(work, [['--product', str(product), '--no-rate-limit']],
                              stdout=subprocess.DEVNULL) as fleet:
        info = fleet.infos[0]

        def admin(action, body):
            return vb365_emulator.admin(info, action, body)

        first = Rulebook(info, work, 'first')
        try:
            first.wait_until_watching()
            failed = admin('sessions', {'job': 'Fabrikam - All users', 'items': 200})['id']
            admin('sessions/%s/finish' % failed, {'status': 'Failed'})
            first.wait_for(lambda: 'PLAY RECAP' in first.text(), 'the report playbook ran')
            # Long enough for a second event, which must not come.
            time.sleep(INTERVAL * 2 + 2)
            output = first.text()
            # ansible-rulebook repeats a failed playbook's output in its log, so runs are counted by logins:
            # one for the source's whole life, one for the playbook.
            assert vb365_emulator.admin(info, 'state')['counters']['logins password'] == 2, output[-5000:]
            assert os.path.exists(os.path.join(work, 'vb365-reports', 'vb365-localhost-session-%s.md' % failed))
            assert 'ended Error and has' in output and 'operation(s) with status Error' in output, 'vb365_fail_on'
            ok_one = admin('sessions', {'job': 'Contoso - Mailboxes', 'items': 10})['id']
            ok_two = admin('sessions', {'job': 'Northwind - Teams', 'items': 10})['id']
        finally:
            first.stop(kill=True)
        # Both end while the source is down.
        admin('sessions/%s/finish' % ok_one, {'status': 'Success'})
        admin('sessions/%s/finish' % ok_two, {'status': 'Success'})
        second = Rulebook(info, work, 'second')
        try:
            second.wait_for(lambda: ok_one in second.text() and ok_two in second.text(),
                            'both sessions that ended while the source was down were sent')
            time.sleep(INTERVAL * 2 + 2)
            output = second.text()
        finally:
            second.stop()
        assert output.count(ok_one) == 1 and output.count(ok_two) == 1, output[-5000:]
        assert failed not in output, 'a session sent before the restart is not sent again'
        assert 'PLAY RECAP' not in output
        assert vb365_emulator.admin(info, 'state')['counters']['logins password'] == 3, 'the restart logged in once'
        state = json.loads(open(os.path.join(work, 'cursor.json')).read())
        assert {failed, ok_one, ok_two} <= set(state['sent'])
        assert info['password'] not in first.text() + output

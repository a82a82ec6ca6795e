# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vb365.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The shipped rulebook under the real ansible-rulebook, against emulated VB365 6, 7 and 8.

A session that fails triggers the collection's report playbook exactly once; the source killed
while two sessions finish, then restarted, sends each of them once and nothing it sent before.
"""

from __future__ import annotations

import json
import os
import subprocess
import time

import pytest

import vb365_emulator

from helpers.rulebooks import Rulebook, logins

INTERVAL = 3


@pytest.mark.parametrize('product', [6, 7, 8])
def test_failure_runs_the_playbook_once_and_a_restart_misses_nothing(tmp_path, product):
    work = str(tmp_path)
    state_file = os.path.join(work, 'cursor.json')
    settings = {'VB365_STATE_FILE': state_file, 'VB365_INTERVAL': str(INTERVAL)}
    env_vars = 'VB365_SERVER,VB365_USERNAME,VB365_PASSWORD,VB365_INTERVAL'
    with vb365_emulator.Fleet(work, [['--product', str(product), '--no-rate-limit']],
                              stdout=subprocess.DEVNULL) as fleet:
        info = fleet.infos[0]

        def admin(action, body):
            return vb365_emulator.admin(info, action, body)

        first = Rulebook.shipped(work, 'first', info, env_vars=env_vars, **settings)
        try:
            # The source writes its state file as soon as it has logged in and placed its cursor.
            first.wait_for(lambda: os.path.exists(state_file), 'the source started')
            failed = admin('sessions', {'job': 'Fabrikam - All users', 'items': 200})['id']
            admin('sessions/%s/finish' % failed, {'status': 'Failed'})
            first.wait_for(lambda: 'PLAY RECAP' in first.text(), 'the report playbook ran')
            # Long enough for a second event, which must not come.
            time.sleep(INTERVAL * 2 + 2)
            output = first.text()
            # One login for the source's whole life, one for the playbook.
            assert logins(info) == 2, output[-5000:]
            assert output.count('PLAY RECAP') == 1, 'the playbook ran once, its output printed once'
            assert os.path.exists(os.path.join(work, 'vb365-reports', 'vb365-localhost-session-%s.md' % failed))
            ok_one = admin('sessions', {'job': 'Contoso - Mailboxes', 'items': 10})['id']
            ok_two = admin('sessions', {'job': 'Northwind - Teams', 'items': 10})['id']
        finally:
            first.stop(kill=True)
        # Both end while the source is down.
        admin('sessions/%s/finish' % ok_one, {'status': 'Success'})
        admin('sessions/%s/finish' % ok_two, {'status': 'Success'})
        second = Rulebook.shipped(work, 'second', info, env_vars=env_vars, **settings)
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
        assert logins(info) == 3, 'the restart logged in once'
        state = json.loads(open(state_file).read())
        assert {failed, ok_one, ok_two} <= set(state['sent'])
        assert info['password'] not in first.text() + output

# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vb365.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A hostile server against the real ansible-rulebook and ansible-playbook: its text never runs.

The emulator's hostile_text fault puts Jinja that would create a marker file into every name, details,
message and title; hostile_ids gives sessions a Jinja- and shell-laden id; vanish_on_finish deletes a
session right after the feed announced it. The marker must never appear, the source must go on.
"""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

import vb365_emulator

from helpers.rulebooks import Rulebook

HERE = os.path.dirname(os.path.abspath(__file__))

INTERVAL = 3


def finish(info, job, status='Failed', items=5):
    session = vb365_emulator.admin(info, 'sessions', {'job': job, 'items': items})['id']
    vb365_emulator.admin(info, 'sessions/%s/finish' % session, {'status': status})
    return session


def test_every_field_of_a_hostile_event_stays_text_in_debug_and_in_a_playbook(tmp_path):
    work = str(tmp_path)
    marker = os.path.join(work, 'pwned-marker')
    state_file = os.path.join(work, 'cursor.json')
    shutil.copy(os.path.join(HERE, 'playbooks', 'every_field.yml'), work)
    rulebook = os.path.join(HERE, 'rulebooks', 'every_field.yml')
    settings = {'VB365_STATE_FILE': state_file, 'VB365_INTERVAL': str(INTERVAL)}
    env_vars = 'VB365_SERVER,VB365_USERNAME,VB365_PASSWORD,VB365_STATE_FILE,VB365_INTERVAL'
    with vb365_emulator.Fleet(work, [['--product', '8', '--no-rate-limit', '--fault', 'hostile_text="%s"' % marker]],
                              stdout=subprocess.DEVNULL) as fleet:
        info = fleet.infos[0]
        source = Rulebook.shipped(work, 'every-field', info, rulebook=rulebook, env_vars=env_vars, **settings)
        try:
            source.wait_for(lambda: os.path.exists(state_file), 'the source started')
            hostile = finish(info, 'Fabrikam - All users', items=200)
            source.wait_for(lambda: source.text().count('PLAY RECAP') >= 1, 'the playbook ran')
            first = source.text()
            assert "'title': '[Warning] =HYPERLINK" in first, 'the operations with problems, hostile too'
            assert 'EVERY FIELD %s' % hostile in first, first[-5000:]
            assert "{ { lookup('pipe', 'touch %s') }}" % marker in first, 'readable, and inert'
            assert 'failed=0' in first

            vb365_emulator.admin(info, 'faults', {'hostile_ids': True})
            finish(info, 'Contoso - Mailboxes')
            source.wait_for(lambda: 'is not a UUID' in source.text(), 'the session with a hostile id was skipped')

            vb365_emulator.admin(info, 'faults', {'hostile_ids': False, 'vanish_on_finish': 1})
            gone = finish(info, 'Northwind - Teams')
            source.wait_for(lambda: 'session %s ended but is gone from the server' % gone in source.text(),
                            'the vanished session was skipped')

            last = finish(info, 'Contoso - Mailboxes')
            source.wait_for(lambda: 'EVERY FIELD %s' % last in source.text(), 'the source went on')
        finally:
            source.stop()
        output = source.text()
        assert output.count('EVERY FIELD ') == 2, 'neither the hostile id nor the vanished session ran anything'
        assert not os.path.exists(marker), 'a template from the server ran'

        # Restarted on the same state, it does not stop on the session that vanished.
        again = Rulebook.shipped(work, 'every-field-again', info, rulebook=rulebook, env_vars=env_vars, **settings)
        try:
            after = finish(info, 'Fabrikam - All users', 'Success')
            again.wait_for(lambda: 'EVERY FIELD %s' % after in again.text(), 'the restarted source sent on')
        finally:
            again.stop()
        assert gone not in again.text() and not os.path.exists(marker)


@pytest.mark.parametrize('product', [6, 8])
def test_the_shipped_rulebook_against_a_hostile_server(tmp_path, product):
    work = str(tmp_path)
    marker = os.path.join(work, 'pwned-marker')
    state_file = os.path.join(work, 'cursor.json')
    settings = {'VB365_STATE_FILE': state_file, 'VB365_INTERVAL': str(INTERVAL)}
    env_vars = 'VB365_SERVER,VB365_USERNAME,VB365_PASSWORD,VB365_INTERVAL'
    arguments = ['--product', str(product), '--no-rate-limit', '--fault', 'hostile_text="%s"' % marker]
    with vb365_emulator.Fleet(work, [arguments], stdout=subprocess.DEVNULL) as fleet:
        info = fleet.infos[0]
        source = Rulebook.shipped(work, 'shipped', info, env_vars=env_vars, **settings)
        try:
            source.wait_for(lambda: os.path.exists(state_file), 'the source started')
            finish(info, 'Fabrikam - All users')
            source.wait_for(lambda: 'PLAY RECAP' in source.text(), 'the report playbook ran')
            vb365_emulator.admin(info, 'faults', {'hostile_ids': True})
            finish(info, 'Contoso - Mailboxes')
            source.wait_for(lambda: 'is not a UUID' in source.text(), 'the session with a hostile id was skipped')
        finally:
            source.stop()
        output = source.text()
        assert output.count('PLAY RECAP') == 1, output[-5000:]
        assert not os.path.exists(marker), 'a template from the server ran'
        assert 'evil.example|sh' not in ''.join(os.listdir(os.path.join(work, 'vb365-reports')))

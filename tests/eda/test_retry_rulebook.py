# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vb365.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The shipped retry rulebook under the real ansible-rulebook, against emulated VB365 6 and 8.

A failed session starts its job again once; the retry failing again starts nothing (the engine's throttle);
a rulebook started anew, which has forgotten its throttle, still does not start the job a second time within
VB365_RETRY_WINDOW_HOURS (the playbook's records). A session the server retries by itself is left alone.
"""

from __future__ import annotations

import json
import os
import subprocess
import time

import pytest

import vb365_emulator

from helpers.rulebooks import Rulebook

INTERVAL = 3
RETRY_SECONDS = 2
FAILED = 'Fabrikam - All users'
SERVER_RETRIES = 'Contoso - Mailboxes'
ENV_VARS = 'VB365_SERVER,VB365_USERNAME,VB365_PASSWORD,VB365_INTERVAL,VB365_RETRY_STATE_DIR'


def starts(info, version):
    return vb365_emulator.admin(info, 'state')['counters'].get('POST %s/Jobs/{id}/start' % version, 0)


def fail(info, job, **finish):
    session = vb365_emulator.admin(info, 'sessions', {'job': job, 'items': 5, 'seed': 0})['id']
    vb365_emulator.admin(info, 'sessions/%s/finish' % session, dict({'status': 'Failed'}, **finish))
    return session


def retry_report(work):
    with open(os.path.join(work, 'vb365-reports', 'vb365-localhost-retry.json')) as handle:
        return dict((job['job_name'], job) for job in json.load(handle)['jobs'])


@pytest.mark.parametrize('product', [6, 8])
def test_a_failed_job_is_retried_once_not_twice(tmp_path, product):
    work = str(tmp_path)
    version = 'v%d' % product
    state_file = os.path.join(work, 'cursor.json')
    state_dir = os.path.join(work, 'retries')
    settings = {'VB365_STATE_FILE': state_file, 'VB365_INTERVAL': str(INTERVAL), 'VB365_RETRY_STATE_DIR': state_dir}
    with vb365_emulator.Fleet(work, [['--product', str(product), '--no-rate-limit']],
                              stdout=subprocess.DEVNULL) as fleet:
        info = fleet.infos[0]
        # Every start through the API ends Failed again, soon.
        vb365_emulator.admin(info, 'faults', {'job_run_seconds': RETRY_SECONDS, 'job_run_status': 'Failed'})
        first = Rulebook.shipped(work, 'first', info, rulebook='vb365.backup.retry_failed', env_vars=ENV_VARS,
                                 **settings)
        try:
            first.wait_for(lambda: os.path.exists(state_file), 'the source started')
            if product >= 7:
                fail(info, SERVER_RETRIES, will_be_retried=True)
            failed = fail(info, FAILED)
            first.wait_for(lambda: 'PLAY RECAP' in first.text(), 'the retry playbook ran')
            assert starts(info, version) == 1, first.text()[-5000:]
            # The retry ends Failed: its event reaches the engine, which must not run the playbook again.
            time.sleep(RETRY_SECONDS + INTERVAL * 2 + 3)
            output = first.text()
        finally:
            first.stop()
        assert output.count('PLAY RECAP') == 1, output[-5000:]
        assert starts(info, version) == 1, 'the retry that failed again was retried'
        jobs = retry_report(work)
        assert list(jobs) == [FAILED], 'the playbook looked at the failed job only'
        assert jobs[FAILED]['outcome'] == 'started' and jobs[FAILED]['before']['session']['id'] == failed
        retry = jobs[FAILED]['after']['session']['id']
        assert retry and retry != failed
        assert os.listdir(state_dir) == ['vb365-localhost-%s.retry.json' % jobs[FAILED]['job_id']]

        # A new rulebook has forgotten the throttle; the window is kept by the records.
        second = Rulebook.shipped(work, 'second', info, rulebook='vb365.backup.retry_failed', env_vars=ENV_VARS,
                                  **settings)
        try:
            time.sleep(INTERVAL + 2)
            fail(info, FAILED)
            second.wait_for(lambda: 'PLAY RECAP' in second.text(), 'the playbook looked at the job again')
            time.sleep(1)
            again = second.text()
        finally:
            second.stop()
        assert starts(info, version) == 1, 'the job was started twice within VB365_RETRY_WINDOW_HOURS'
        held = retry_report(work)[FAILED]
        assert held['outcome'] == 'retried recently', again[-5000:]
        assert 'within vb365_retry_window_hours (12)' in held['message']
        assert info['password'] not in output + again

# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vb365.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""vb365.backup.maintenance through ansible-playbook (the FQCN, an inventory, a clean VB365_* env), against
emulated VB365 6, 7 and 8: start and end round trips, check mode, running sessions, a crash mid-start, bad input."""

from __future__ import annotations

import json
import os
import ssl
import stat
import subprocess
import urllib.request

import pytest

import vb365_emulator

# Long playbook round trips over until-loops, files and job waits: the start/end round trip on VB365 8 runs on
# every core, the other paths (which no core changes) on the newest only, so that six cores fit CI's 90 minutes.

TEAMS = 'Northwind - Teams'  # the one job the emulator seeds with a running session
LEGACY = 'Contoso - Legacy PST'  # disabled by its admin before any maintenance
MAILBOXES = 'Contoso - Mailboxes'
HOST = 'vb365-patch-me'


@pytest.fixture
def server(request, tmp_path_factory):
    product = getattr(request, 'param', 8)
    folder = tmp_path_factory.mktemp('emulator%d' % product)
    with vb365_emulator.start(folder, '--product', str(product), '--no-rate-limit') as emulator:
        emulator.version = 'v%d' % product
        yield emulator


def finish_seeded_session(emulator):
    session = emulator.session(job_name=TEAMS, running=True)
    emulator.admin('sessions/%s/finish' % session['id'], {'status': 'Success'})


def maintenance(emulator, tmp_path, action, extra_vars=None, extra_args=()):
    info = emulator.info
    inventory = tmp_path / 'inventory.json'
    inventory.write_text(json.dumps({'vb365_servers': {'hosts': {HOST: {
        'vb365_server': info['url'], 'vb365_username': info['username'], 'vb365_password': info['password'],
        'vb365_ca_path': info['ca_path']}}}}))
    extra = {'vb365_maintenance_state_dir': str(tmp_path / 'state'), 'vb365_maintenance_poll_seconds': 1}
    if action is not None:
        extra['vb365_maintenance'] = action
    extra.update(extra_vars or {})
    env = dict((key, value) for key, value in os.environ.items() if not key.startswith('VB365_'))
    env.update({'ANSIBLE_NOCOLOR': '1', 'VB365_RETRIES': '0', 'ANSIBLE_RETRY_FILES_ENABLED': '0'})
    command = ['ansible-playbook', '-i', str(inventory), 'vb365.backup.maintenance', '-e', json.dumps(extra)]
    return subprocess.run(command + list(extra_args), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          universal_newlines=True, env=env, timeout=600, check=False)


def state_file(tmp_path):
    return tmp_path / 'state' / ('%s-maintenance.json' % HOST)


def api_enabled(emulator):
    """Each job's enabled flag as the API reads it now."""
    info = emulator.info
    context = ssl.create_default_context(cafile=info['ca_path'])
    version = emulator.version
    body = ('grant_type=password&username=%s&password=%s' % (info['username'], info['password'])).encode()
    login = urllib.request.Request('%s/%s/token' % (info['url'], version), data=body,
                                   headers={'Content-Type': 'application/x-www-form-urlencoded'})
    token = json.load(urllib.request.urlopen(login, context=context))['access_token']
    jobs = urllib.request.Request('%s/%s/Jobs' % (info['url'], version), headers={'Authorization': 'Bearer ' + token})
    page = json.load(urllib.request.urlopen(jobs, context=context))
    return dict((job['name'], job['isEnabled']) for job in (page['results'] if isinstance(page, dict) else page))


def job_posts(emulator):
    counters = emulator.admin('state')['counters']
    return dict((key, count) for key, count in counters.items() if key.startswith('POST ') and '/Jobs/' in key)


def changed(result):
    recap = [line for line in result.stdout.splitlines() if line.startswith(HOST) and 'ok=' in line][-1]
    return int(recap.split('changed=')[1].split()[0])


@pytest.mark.v8_on_every_core
@pytest.mark.parametrize('server', [6, 7, 8], indirect=True)
def test_start_and_end_round_trip_keeps_the_admins_disabled_job_disabled(server, tmp_path):
    version = server.version
    finish_seeded_session(server)
    before = api_enabled(server)
    assert before[LEGACY] is False and sum(before.values()) == 6

    started = maintenance(server, tmp_path, 'start')
    assert started.returncode == 0, started.stdout[-4000:]
    assert not any(api_enabled(server).values())
    recorded = json.loads(state_file(tmp_path).read_text())
    assert sorted(job['name'] for job in recorded['jobs']) == sorted(name for name, on in before.items() if on)
    assert recorded['server'] == server.info['url'] and recorded['format'] == 1
    assert stat.S_IMODE(os.stat(str(state_file(tmp_path))).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(str(tmp_path / 'state')).st_mode) == 0o700
    assert job_posts(server) == {'POST %s/Jobs/{id}/disable' % version: 6}

    if version == 'v8':
        again = maintenance(server, tmp_path, 'start')
        assert again.returncode == 0, again.stdout[-4000:]
        assert changed(again) == 1, 'the logout only: ' + again.stdout[-4000:]
        assert json.loads(state_file(tmp_path).read_text()) == recorded

    ended = maintenance(server, tmp_path, 'end')
    assert ended.returncode == 0, ended.stdout[-4000:]
    assert api_enabled(server) == before, 'the admin-disabled job stays disabled'
    assert not state_file(tmp_path).exists()
    assert job_posts(server) == {'POST %s/Jobs/{id}/disable' % version: 6, 'POST %s/Jobs/{id}/enable' % version: 6}

    if version == 'v8':
        nothing = maintenance(server, tmp_path, 'end')
        assert nothing.returncode == 0, nothing.stdout[-4000:]
        assert 'No maintenance to end on %s' % HOST in nothing.stdout
        assert changed(nothing) == 0
        assert job_posts(server) == {'POST v8/Jobs/{id}/disable': 6, 'POST v8/Jobs/{id}/enable': 6}


@pytest.mark.newest_core_only
def test_check_mode_says_what_would_be_disabled_and_sends_no_post(server, tmp_path):
    finish_seeded_session(server)
    checked = maintenance(server, tmp_path, 'start', extra_args=('--check',))
    assert checked.returncode == 0, checked.stdout[-4000:]
    assert 'Would disable on %s: %s' % (HOST, MAILBOXES) in checked.stdout
    assert 'Left alone, disabled before: %s' % LEGACY in checked.stdout
    assert job_posts(server) == {}
    assert not (tmp_path / 'state').exists()
    assert api_enabled(server)[MAILBOXES] is True


@pytest.mark.newest_core_only
def test_a_running_session_fails_naming_it_then_is_stopped_when_asked(server, tmp_path):
    waited = maintenance(server, tmp_path, 'start', {'vb365_jobs': '%s, %s' % (TEAMS, MAILBOXES),
                                                     'vb365_maintenance_wait': 2})
    assert waited.returncode == 2, waited.stdout[-4000:]
    assert '1 job(s) on %s still run after vb365_maintenance_wait (2 s): %s.' % (HOST, TEAMS) in waited.stdout
    # The record is there, so an end would still enable them.
    assert sorted(job['name'] for job in json.loads(state_file(tmp_path).read_text())['jobs']) == [MAILBOXES, TEAMS]
    assert job_posts(server) == {'POST v8/Jobs/{id}/disable': 2}

    stopped = maintenance(server, tmp_path, 'start', {'vb365_jobs': [TEAMS, MAILBOXES], 'vb365_maintenance_wait': 1,
                                                      'vb365_maintenance_stop_running': True})
    assert stopped.returncode == 0, stopped.stdout[-4000:]
    assert job_posts(server) == {'POST v8/Jobs/{id}/disable': 2, 'POST v8/Jobs/{id}/stop': 1}
    assert server.admin('state')['counters']['job stop'] == 1
    enabled_now = api_enabled(server)
    assert enabled_now[TEAMS] is False and enabled_now[MAILBOXES] is False and enabled_now['Northwind - Archive']


@pytest.mark.newest_core_only
def test_a_start_interrupted_after_the_record_completes_and_end_enables_every_recorded_job(server, tmp_path):
    finish_seeded_session(server)
    ids = dict((job['name'], job['id']) for job in server.info['jobs'])
    # A start died after writing its record and disabling the first job: Mailboxes is disabled, the rest not.
    first = maintenance(server, tmp_path, 'start', {'vb365_jobs': MAILBOXES})
    assert first.returncode == 0, first.stdout[-4000:]
    state = json.loads(state_file(tmp_path).read_text())
    state['jobs'].append({'id': ids['Fabrikam - All users'], 'name': 'Fabrikam - All users'})
    state_file(tmp_path).write_text(json.dumps(state))

    again = maintenance(server, tmp_path, 'start')
    assert again.returncode == 0, again.stdout[-4000:]
    assert not any(api_enabled(server).values())
    recorded = [job['name'] for job in json.loads(state_file(tmp_path).read_text())['jobs']]
    assert recorded[:2] == [MAILBOXES, 'Fabrikam - All users'] and len(recorded) == 6 and LEGACY not in recorded
    assert job_posts(server) == {'POST v8/Jobs/{id}/disable': 6}

    ended = maintenance(server, tmp_path, 'end')
    assert ended.returncode == 0, ended.stdout[-4000:]
    after = api_enabled(server)
    assert after[LEGACY] is False and sum(after.values()) == 6
    assert job_posts(server) == {'POST v8/Jobs/{id}/disable': 6, 'POST v8/Jobs/{id}/enable': 6}


@pytest.mark.newest_core_only
def test_bad_input_fails_before_any_request(server, tmp_path):
    missing = maintenance(server, tmp_path, None)
    assert missing.returncode == 2
    assert 'Set vb365_maintenance to start (disable the jobs before maintenance) or end' in missing.stdout
    wrong = maintenance(server, tmp_path, 'begin', extra_args=('-e', 'vb365_maintenance_wait=soon'))
    assert wrong.returncode == 2 and "not 'begin'" in wrong.stdout
    counters = server.admin('state')['counters']
    assert not [key for key in counters if '_emulator' not in key and key != 'requests'], counters

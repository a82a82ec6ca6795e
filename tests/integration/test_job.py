# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vb365.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""vb365.backup.job through ansible-playbook, against emulated VB365 6, 7 and 8 over HTTPS."""

from __future__ import annotations

import json

import pytest

import vb365_emulator

from helpers.playbooks import connection, run_playbook

MAILBOXES = 'Contoso - Mailboxes'
TEAMS = 'Northwind - Teams'  # the one job the emulator seeds with a running session
LEGACY = 'Contoso - Legacy PST'  # disabled


def act(emulator, tmp_path, params, api_version, *extra_args, **conn_overrides):
    result_file = tmp_path / 'result.json'
    run_playbook('job_action', {'conn': connection(emulator, api_version, **conn_overrides), 'params': params,
                                'result_file': str(result_file)}, tmp_path, extra_args=extra_args)
    return json.loads(result_file.read_text())


def job_posts(emulator):
    counters = emulator.admin('state')['counters']
    return dict((key, count) for key, count in counters.items() if key.startswith('POST ') and '/Jobs/' in key)


@pytest.fixture(scope='module', params=[6, 7, 8])
def product_emulator(request, tmp_path_factory):
    folder = tmp_path_factory.mktemp('emulator%d' % request.param)
    with vb365_emulator.start(folder, '--product', str(request.param), '--no-rate-limit') as emulator:
        emulator.product = request.param
        yield emulator


@pytest.fixture
def product(product_emulator):
    product_emulator.admin('reset', {})
    return product_emulator


def test_start_with_wait_returns_the_new_session_and_its_verdict(product, tmp_path):
    version = 'v%d' % product.product
    product.admin('faults', {'job_run_seconds': 1.5, 'job_run_status': 'Warning'})
    before = set(session['id'] for session in product.info['sessions'])
    result = act(product, tmp_path, {'name': MAILBOXES, 'state': 'started', 'wait': True, 'wait_timeout': 60},
                 version)
    assert not result.get('failed'), result['msg']
    assert result['changed'] is True
    assert result['session']['id'] not in before
    assert result['session']['job_name'] == MAILBOXES
    assert result['session']['status'] == 'Warning'
    assert result['verdict'] == 'Warning'
    assert result['summary']['total'] == 20
    assert result['job']['name'] == MAILBOXES and result['job']['last_status'] == 'Warning'
    assert job_posts(product) == {'POST %s/Jobs/{id}/start' % version: 1}


@pytest.mark.v8_on_every_core
def test_check_mode_sends_no_post_and_a_second_run_changes_nothing(product, tmp_path):
    version = 'v%d' % product.product
    product.admin('faults', {'job_run_seconds': 300})
    checked = act(product, tmp_path, {'name': LEGACY, 'state': 'enabled'}, version, '--check', '--diff')
    assert checked['changed'] is True
    assert checked['diff'] == {'before': {'enabled': False, 'running': False},
                               'after': {'enabled': True, 'running': False}}
    assert 'would be enabled' in checked['msg']
    checked = act(product, tmp_path, {'name': TEAMS, 'state': 'stopped'}, version, '--check')
    assert checked['changed'] is True and checked['session']['status'] == 'Running'
    assert job_posts(product) == {}

    first = act(product, tmp_path, {'name': MAILBOXES, 'state': 'disabled'}, version)
    second = act(product, tmp_path, {'name': MAILBOXES, 'state': 'disabled'}, version)
    assert (first['changed'], first['job']['enabled']) == (True, False)
    assert (second['changed'], second['job']['enabled']) == (False, False)
    refused = act(product, tmp_path, {'name': MAILBOXES, 'state': 'started'}, version)
    assert refused['failed']
    assert 'enable it first, or use state: enabled' in refused['msg']
    act(product, tmp_path, {'name': MAILBOXES, 'state': 'enabled'}, version)

    started = act(product, tmp_path, {'name': MAILBOXES, 'state': 'started'}, version)
    again = act(product, tmp_path, {'name': MAILBOXES, 'state': 'started'}, version)
    assert started['changed'] is True and started['session']['status'] == 'Running'
    assert again['changed'] is False and again['session']['id'] == started['session']['id']
    stopped = act(product, tmp_path, {'name': MAILBOXES, 'state': 'stopped', 'wait': True}, version)
    assert stopped['changed'] is True
    assert stopped['session']['id'] == started['session']['id']
    assert (stopped['session']['status'], stopped['verdict']) == ('Stop', 'Stop')
    idle = act(product, tmp_path, {'name': MAILBOXES, 'state': 'stopped'}, version)
    assert idle['changed'] is False
    assert job_posts(product) == {'POST %s/Jobs/{id}/disable' % version: 1, 'POST %s/Jobs/{id}/enable' % version: 1,
                                  'POST %s/Jobs/{id}/start' % version: 1, 'POST %s/Jobs/{id}/stop' % version: 1}


def test_a_start_whose_answer_times_out_is_sent_once_and_reports_the_session(product, tmp_path):
    version = 'v%d' % product.product
    product.admin('faults', {'job_start_answer_delay': 3, 'job_run_seconds': 30})
    result = act(product, tmp_path, {'name': 'Fabrikam - All users', 'state': 'started'}, version, timeout=1,
                 retries=3)
    assert not result.get('failed'), result['msg']
    assert result['changed'] is True
    assert result['session']['status'] == 'Running'
    texts = [warning['event']['msg'] if isinstance(warning, dict) else warning for warning in result['warnings']]
    assert any('got no usable answer' in text and 'not sent again' in text for text in texts)
    assert job_posts(product) == {'POST %s/Jobs/{id}/start' % version: 1}


def test_wait_timeout_says_the_job_still_runs(fresh, tmp_path):
    fresh.admin('faults', {'job_run_seconds': 60})
    result = act(fresh, tmp_path, {'name': 'Northwind - Archive', 'state': 'started', 'wait': True,
                                   'wait_timeout': 2}, 'v8')
    assert result['failed']
    assert "is still running after wait_timeout (2 s)" in result['msg']
    assert result['session']['id'] in result['msg']
    assert 'job_sessions_info' in result['msg']


def test_v5_is_refused_before_any_post(fresh, tmp_path):
    result = act(fresh, tmp_path, {'name': MAILBOXES, 'state': 'started'}, 'v5')
    assert result['failed']
    assert 'needs REST API v6 or newer' in result['msg']
    assert job_posts(fresh) == {}


def test_hostile_names_and_messages_stay_data(fresh, tmp_path):
    marker = tmp_path / 'templated'
    job_id = next(job['id'] for job in fresh.info['jobs'] if job['name'] == 'Contoso - OneDrive and SharePoint')
    fresh.admin('faults', {'hostile_text': str(marker), 'job_run_seconds': 1, 'job_run_status': 'Failed'})
    result = act(fresh, tmp_path, {'id': job_id, 'state': 'started', 'wait': True, 'wait_timeout': 60}, 'v8')
    assert not marker.exists()
    assert not result.get('failed'), result['msg']
    # The name is quoted in the message (repr), so its own quotes are escaped there.
    assert "{{ lookup('pipe'" in result['job']['name'] and '{{ lookup(' in result['msg']
    assert result['session']['status'] == 'Error'

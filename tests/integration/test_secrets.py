# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vb365.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""No password or token in -vvv output, results or errors, including tokens obtained mid-run."""

from __future__ import annotations

from helpers.playbooks import connection, run_playbook


def test_no_secret_in_vvv_output(fresh, tmp_path):
    session = fresh.session(status='Failed')
    outputs = []
    # Password login, then tokens that expire every 2 requests: refreshed tokens appear mid-run.
    fresh.admin('faults', {'expire_tokens_after': 2})
    result_file = tmp_path / 'ok.json'
    params = {'job_session_id': session['id'], 'page_size': 20}
    outputs.append(run_playbook('read', {'conn': connection(fresh), 'params': params, 'result_file': str(result_file)},
                                tmp_path, verbosity=3).stdout)
    outputs.append(result_file.read_text())
    # A failing login with a wrong password.
    fresh.admin('reset', {})
    result_file = tmp_path / 'bad.json'
    outputs.append(run_playbook('read', {'conn': connection(fresh, password='Wr0ng-Secret-Value'),
                                         'params': {'job_session_id': session['id']},
                                         'result_file': str(result_file)}, tmp_path, verbosity=3).stdout)
    outputs.append(result_file.read_text())
    # A token from the environment that the server refuses.
    result_file = tmp_path / 'token.json'
    outputs.append(run_playbook('read', {'conn': connection(fresh, username=None, password=None),
                                         'params': {'job_session_id': session['id']},
                                         'result_file': str(result_file)}, tmp_path, verbosity=3,
                                env={'VB365_ACCESS_TOKEN': 'at.environment-token-value'}).stdout)
    outputs.append(result_file.read_text())

    issued = fresh.admin('state')['issued_secrets']
    assert len(issued) >= 4, 'the run should have logged in and refreshed at least once'
    secrets = issued + [fresh.info['password'], 'Wr0ng-Secret-Value', 'at.environment-token-value']
    text = '\n'.join(outputs)
    assert '"failed": true' in text and 'with the password failed' in text
    # The scan covers the run whose tokens were renewed mid-run, not only the failures.
    assert 'the access token was refused; renewing it once' in text
    for secret in secrets:
        assert secret not in text, 'a secret leaked into the output'

# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vb365.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""options.validate: the modules' argument checks for callers that are not modules, with the same messages."""

from __future__ import annotations

import pytest

from ansible_collections.vb365.backup.extensions.eda.plugins.event_source import job_sessions
from ansible_collections.vb365.backup.plugins.module_utils import options, session_feed, vb365_api
from ansible_collections.vb365.backup.plugins.modules import job_sessions_info

from ansible_collections.vb365.backup.tests.unit.plugins.wire import run_module

SECRET = 'Sup3r-Secret-Passw0rd'
GOOD = {'server': 'vb365.test', 'username': 'backup-admin', 'password': SECRET}


def module_message(capsys, **overrides):
    args = dict(GOOD, **overrides)
    failed, result = run_module(job_sessions_info.main, dict((k, v) for k, v in args.items() if v is not None), capsys)
    assert failed
    return result['msg']


def source_message(**overrides):
    args = dict(GOOD, **overrides)
    with pytest.raises(ValueError) as error:
        job_sessions._settings(dict((k, v) for k, v in args.items() if v is not None), vb365_api, session_feed)
    return str(error.value)


@pytest.mark.parametrize('overrides', [
    {'api_version': 'v9'}, {'port': 'https'}, {'port': 0}, {'timeout': 0}, {'validate_certs': 'maybe'},
    {'server': None}])
def test_the_event_source_and_a_module_give_one_message_for_one_wrong_value(wire, capsys, overrides):
    assert source_message(**overrides) == module_message(capsys, **overrides)


def test_credentials_are_checked_by_the_same_rule(wire, capsys):
    assert source_message(password=None).replace('source arguments', 'task options') == module_message(
        capsys, password=None) == 'Credentials from task options: username and password go together: password is missing.'


@pytest.mark.parametrize('variable, value', [('VB365_API_VERSION', '8'), ('VB365_TIMEOUT', '0'),
                                             ('VB365_VALIDATE_CERTS', 'maybe')])
def test_a_wrong_value_from_the_environment_is_named_the_same_way(wire, capsys, monkeypatch, variable, value):
    monkeypatch.setenv(variable, value)
    message = source_message()
    assert 'came from the environment variable %s=%r' % (variable, value) in message
    assert message == module_message(capsys)


def test_an_empty_environment_variable_means_unset(monkeypatch):
    monkeypatch.setenv('VB365_API_VERSION', '')
    monkeypatch.setenv('VB365_PORT', '')
    values = options.validate(options.connection_argument_spec(), dict(GOOD), options.CONNECTION_CHECKS)
    assert (values['api_version'], values['port']) == ('auto', vb365_api.DEFAULT_PORT)


def test_a_secret_never_reaches_a_message():
    # A bool option's error quotes the value it could not read: here the password, given there by mistake.
    with pytest.raises(ValueError) as error:
        options.validate(options.connection_argument_spec(), dict(GOOD, validate_certs=SECRET))
    assert "argument 'validate_certs' is of type" in str(error.value) and '********' in str(error.value)
    assert SECRET not in str(error.value)


def test_several_wrong_values_give_the_first_message_as_a_module_does(wire, capsys):
    message = source_message(api_version='v9', port='https', intervall=5)
    assert message.startswith("argument 'port' is of type") and 'api_version' not in message
    assert module_message(capsys, api_version='v9', port='https', intervall=5) == message


def test_job_names_given_as_text_are_split_and_trimmed_as_the_role_reads_them():
    settings = job_sessions._settings(dict(GOOD, job_names='Contoso - Mailboxes, Contoso - OneDrive'), vb365_api,
                                      session_feed)
    assert settings['job_names'] == ['Contoso - Mailboxes', 'Contoso - OneDrive']


def test_an_unknown_argument_is_named_as_a_module_names_it(wire, capsys):
    message = source_message(intervall=5)
    assert message.startswith('Unsupported parameters for (vb365.backup.job_sessions event source): intervall. '
                              'Supported parameters include: api_version, attention_limit,')
    assert ') module: intervall. Supported parameters include: access_token, api_version,' in module_message(
        capsys, intervall=5)


def test_rulebook_text_is_converted_as_module_arguments_are():
    settings = job_sessions._settings(dict(GOOD, port='4444', validate_certs='no', interval='7', feedback='false'),
                                      vb365_api, session_feed)
    assert (settings['port'], settings['validate_certs'], settings['interval'], settings['feedback']) == (
        4444, False, 7, False)

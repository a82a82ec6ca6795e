# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vb365.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The options every module, the event source and the role share, declared once, with their checks.

The connection options, their environment variables and the checks of values (UUIDs, ranges, status lists,
times) live here. Modules get them through Vb365Module; the event source, which is not a module, runs the
same argument spec through ansible-core's own ArgumentSpecValidator (``validate``), so that the same input
gets the same message; the role's argument spec documents the same choices and defaults, and a unit test
fails when they drift apart.
"""

from __future__ import annotations

import os
import re

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.module_utils.common.parameters import env_fallback
from ansible.module_utils.errors import AnsibleFallbackNotFound, UnsupportedError

from ansible_collections.vb365.backup.plugins.module_utils.normalize import parse_status_filter, timestamp_ticks
from ansible_collections.vb365.backup.plugins.module_utils.vb365_api import (
    API_VERSION_CHOICES,
    DEFAULT_PORT,
    MAX_PAGE_SIZE,
    MAX_RETRIES,
    is_uuid,
)

CREDENTIAL_OPTIONS = ('username', 'password', 'access_token', 'refresh_token')
CREDENTIAL_ENV = dict((name, 'VB365_%s' % name.upper()) for name in CREDENTIAL_OPTIONS)
SETTING_OPTIONS = ('server', 'port', 'api_version', 'validate_certs', 'ca_path', 'timeout', 'retries')
SETTING_ENV = dict((name, 'VB365_%s' % name.upper()) for name in SETTING_OPTIONS)

# Settings this run took from the environment, so that an error about one names its variable.
_FROM_ENVIRONMENT = {}


def forget_environment():
    """Start a new run: no setting came from the environment yet."""
    _FROM_ENVIRONMENT.clear()


def _recorded_env_fallback(variable):
    value = env_fallback(variable)
    if value == '':
        # An empty variable (an AWX credential field left blank) means unset, as an empty argument does.
        raise AnsibleFallbackNotFound(variable)
    _FROM_ENVIRONMENT[variable] = value
    return value


# -- declared value checks: each takes (option name, value) and returns the value to use, or raises ValueError.

def uuid_value(name, value):
    text = str(value).strip()
    if not is_uuid(text):
        raise ValueError('%s %r is not a UUID (like 7f3f1f4e-2c41-4f7c-9b0e-5d2b8f7a9c10).' % (name, value))
    return text


def uuid_list(name, values):
    return [uuid_value('%s[%d]' % (name, index), value) for index, value in enumerate(values)]


def int_range(minimum=None, maximum=None):
    def check(name, value):
        if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
            if maximum is None:
                bounds = '%d or more' % minimum
            else:
                bounds = 'between %d and %d' % (minimum, maximum)
            raise ValueError('%s must be %s, not %d.' % (name, bounds, value))
        return value
    return check


def status_list(name, value):
    try:
        return parse_status_filter(value)
    except ValueError as exc:
        raise ValueError('%s: %s' % (name, exc))


def iso_time(name, value):
    if timestamp_ticks(value) is None:
        raise ValueError('%s %r is not an ISO 8601 date and time (like 2026-11-27T22:00:00Z or '
                         '2026-11-27T22:00:00+01:00).' % (name, value))
    return value


def fact_name(name, value):
    if not re.match(r'\A[A-Za-z_][A-Za-z0-9_]*\Z', value):
        raise ValueError('%s %r is not a variable name (letters, digits and underscores, not starting with a digit).'
                         % (name, value))
    return value


def non_empty(name, value):
    if not str(value).strip():
        raise ValueError('%s is empty.' % name)
    return value


def non_empty_list(name, values):
    """The names without the blanks around them (a list option splits a text at commas), none empty."""
    return [str(non_empty('%s[%d]' % (name, index), value)).strip() for index, value in enumerate(values)]


PAGE_SIZE = int_range(1, MAX_PAGE_SIZE)
POSITIVE = int_range(1)
NOT_NEGATIVE = int_range(0)

CONNECTION_CHECKS = {
    'port': int_range(1, 65535),
    'timeout': POSITIVE,
    'retries': int_range(0, MAX_RETRIES),
}


def connection_argument_spec():
    # Credentials have no env fallback here: they are taken from the environment as a set, only
    # when the task gives none (see Vb365Module._credentials), so a token given to a task is not
    # mixed with a password that an AWX credential put in the environment.
    spec = dict(
        server=dict(type='str', required=True),
        port=dict(type='int', default=DEFAULT_PORT),
        username=dict(type='str'),
        password=dict(type='str', no_log=True),
        access_token=dict(type='str', no_log=True),
        refresh_token=dict(type='str', no_log=True),
        api_version=dict(type='str', default='auto', choices=list(API_VERSION_CHOICES)),
        validate_certs=dict(type='bool', default=True),
        ca_path=dict(type='path'),
        timeout=dict(type='int', default=30),
        retries=dict(type='int', default=3),
    )
    for name, variable in SETTING_ENV.items():
        spec[name]['fallback'] = from_environment(variable)
    return spec


def pick_credentials(given, given_from, names=CREDENTIAL_OPTIONS):
    """The credentials given, or when none is, those of the environment as a set; with where they came from.

    A token given to a task is never mixed with a password that an AWX credential put in the environment.
    """
    chosen = dict((name, given.get(name)) for name in names if given.get(name))
    if chosen:
        return chosen, given_from
    return (dict((name, os.environ.get(CREDENTIAL_ENV[name])) for name in names if os.environ.get(CREDENTIAL_ENV[name])),
            'environment (VB365_*)')


def credential_problem(credentials):
    """Why a set of credentials cannot be used, or None when it can."""
    username = credentials.get('username')
    password = credentials.get('password')
    tokens = [name for name in ('access_token', 'refresh_token') if credentials.get(name)]
    if (username or password) and tokens:
        return ('conflicting credentials: give either username and password, or access_token and/or '
                'refresh_token, not both (got %s).' % ', '.join(
                    name for name in CREDENTIAL_OPTIONS if credentials.get(name)))
    if bool(username) != bool(password):
        return 'username and password go together: %s is missing.' % ('password' if username else 'username')
    if not (username or tokens):
        return ('no credentials: give username and password, or access_token and/or refresh_token '
                '(or set VB365_USERNAME and VB365_PASSWORD, or VB365_ACCESS_TOKEN).')
    return None


def explain_environment(message):
    """The message, naming the environment variable of each setting it mentions that came from there."""
    notes = []
    for variable, value in sorted(_FROM_ENVIRONMENT.items()):
        name = variable[len('VB365_'):].lower()
        if re.search(r'\b%s\b' % name, message):
            notes.append('%s came from the environment variable %s=%r' % (name, variable, value))
    return '%s (%s)' % (message, '; '.join(notes)) if notes else message


def from_environment(variable):
    """The fallback of an option to an environment variable, remembered for the messages about it."""
    return (_recorded_env_fallback, [variable])


def apply_checks(params, checks):
    """Run each declared check on the options that have a value; the first that fails raises ValueError."""
    for name, check in checks.items():
        if params.get(name) is not None:
            params[name] = check(name, params[name])
    return params


def validate(argument_spec, params, checks=None, name='', **constraints):
    """The options checked as AnsibleModule checks a module's (types, choices, fallbacks), then the declared
    checks; a ValueError carries every message, naming the environment variable a wrong value came from.

    For callers that are not modules (the event source, named by ``name`` in messages). No secret reaches a message: the values of no_log
    options are masked in it.
    """
    forget_environment()
    result = ArgumentSpecValidator(argument_spec, **constraints).validate(params)
    try:
        if result.error_messages:
            # As AnsibleModule reports it for a module: the first error, worded the same way.
            first = result.errors.errors[0]
            if isinstance(first, UnsupportedError):
                raise ValueError('Unsupported parameters for (%s): %s' % (name, result.errors.msg))
            raise ValueError(result.errors.msg)
        return apply_checks(result.validated_parameters, checks or {})
    except ValueError as exc:
        message = explain_environment(str(exc))
        for option_name, option in argument_spec.items():
            secret = result.validated_parameters.get(option_name)
            if option.get('no_log') and isinstance(secret, str) and secret:
                message = message.replace(secret, '********')
        raise ValueError(message) from None

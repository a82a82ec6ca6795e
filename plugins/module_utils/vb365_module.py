# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vb365.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""AnsibleModule for this collection: connection options, declared value checks, error reporting.

Every module builds on Vb365Module, so the connection options, their environment fallbacks, the
checks of values (UUIDs, ranges, status lists, times) and the way failures read are the same
everywhere. Modules declare their options and checks and call ``self.client``; they never build
URLs or touch requests.
"""

from __future__ import annotations

import os
import re

from ansible.module_utils.basic import AnsibleModule, env_fallback, missing_required_lib

from ansible_collections.vb365.backup.plugins.module_utils.normalize import parse_status_filter, timestamp_ticks
from ansible_collections.vb365.backup.plugins.module_utils.vb365_api import (
    API_VERSION_CHOICES,
    DEFAULT_PORT,
    HAS_REQUESTS,
    MAX_PAGE_SIZE,
    MAX_RETRIES,
    REQUESTS_IMPORT_ERROR,
    Vb365Client,
    Vb365Error,
    is_uuid,
)

CREDENTIAL_OPTIONS = ('username', 'password', 'access_token', 'refresh_token')
CREDENTIAL_ENV = dict((name, 'VB365_%s' % name.upper()) for name in CREDENTIAL_OPTIONS)
SETTING_OPTIONS = ('server', 'port', 'api_version', 'validate_certs', 'ca_path', 'timeout', 'retries')
SETTING_ENV = dict((name, 'VB365_%s' % name.upper()) for name in SETTING_OPTIONS)

# Settings this run took from the environment, so that an error about one names its variable.
_FROM_ENVIRONMENT = {}


def _recorded_env_fallback(variable):
    value = env_fallback(variable)
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
    if not re.match(r'^[A-Za-z_][A-Za-z0-9_]*$', value):
        raise ValueError('%s %r is not a variable name (letters, digits and underscores, not starting with a digit).'
                         % (name, value))
    return value


def non_empty(name, value):
    if not str(value).strip():
        raise ValueError('%s is empty.' % name)
    return value


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
        spec[name]['fallback'] = (_recorded_env_fallback, [variable])
    return spec


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
    for name, variable in SETTING_ENV.items():
        if variable in _FROM_ENVIRONMENT and re.search(r'\b%s\b' % name, message):
            value = _FROM_ENVIRONMENT[variable]
            notes.append('%s came from the environment variable %s=%r' % (name, variable, value))
    return '%s (%s)' % (message, '; '.join(notes)) if notes else message


class Vb365Module(AnsibleModule):
    """An AnsibleModule with the collection's connection options and one lazily built client.

    ``value_checks`` maps option names to checks (``uuid_value``, ``int_range(...)``, ``status_list``,
    ``iso_time``...). Every check runs before any request; a failing one fails the task with its
    message, and a passing one may replace the value (a status list becomes a set of statuses).
    """

    def __init__(self, argument_spec=None, value_checks=None, register_tokens=True, keep_token=False, **kwargs):
        _FROM_ENVIRONMENT.clear()
        spec = connection_argument_spec()
        spec.update(argument_spec or {})
        kwargs.setdefault('supports_check_mode', True)
        self._settling = True
        super().__init__(argument_spec=spec, **kwargs)
        if not HAS_REQUESTS:
            self.fail_json(msg=missing_required_lib('requests'), exception=str(REQUESTS_IMPORT_ERROR))
        checks = dict(CONNECTION_CHECKS)
        checks.update(value_checks or {})
        for name, check in checks.items():
            if self.params.get(name) is not None:
                try:
                    self.params[name] = check(name, self.params[name])
                except ValueError as exc:
                    self.fail_json(msg=str(exc))
        self._settling = False
        # Tokens the client obtains are kept out of results and logs, unless returning them is the
        # module's purpose (vb365.backup.token), where the task's no_log protects them.
        self._register_tokens = register_tokens
        # A token the module obtained with the password is logged out when it ends, unless handing the token
        # on is the module's purpose (vb365.backup.token); one the user gave is never touched.
        self._keep_token = keep_token
        self._client = None

    def fail_json(self, msg=None, **kwargs):  # pylint: disable=arguments-differ
        if self._settling and msg:
            # Argument validation and declared checks: the value may have come from a VB365_* variable.
            msg = explain_environment(msg)
        self._close_client()
        super().fail_json(msg=msg, **kwargs)

    def exit_json(self, **kwargs):
        self._close_client()
        super().exit_json(**kwargs)

    def _close_client(self):
        if getattr(self, '_client', None) is not None and not self._keep_token:
            self._client.close()

    def _credentials(self):
        given = dict((name, self.params.get(name)) for name in CREDENTIAL_OPTIONS if self.params.get(name))
        if given:
            return given, 'task options'
        from_env = dict((name, os.environ.get(env)) for name, env in CREDENTIAL_ENV.items() if os.environ.get(env))
        for secret in ('password', 'access_token', 'refresh_token'):
            if from_env.get(secret):
                self.no_log_values.add(from_env[secret])
        return from_env, 'environment (VB365_*)'

    @property
    def client(self):
        if self._client is None:
            credentials, source = self._credentials()
            problem = credential_problem(credentials)
            if problem:
                self.fail_json(msg='Credentials from %s: %s' % (source, problem))
            register = self.no_log_values.add if self._register_tokens else None
            try:
                self._client = Vb365Client(
                    server=self.params['server'], port=self.params['port'],
                    api_version=self.params['api_version'], validate_certs=self.params['validate_certs'],
                    ca_path=self.params['ca_path'], timeout=self.params['timeout'],
                    retries=self.params['retries'], warn=self.warn, register_secret=register,
                    user_agent='vb365.backup/%s' % self._name, **credentials)
            except Vb365Error as exc:
                self.fail_from_error(exc)
        return self._client

    def fail_from_error(self, exc, not_found=None, **result):
        """Fail the task with a message a user can act on; ``not_found`` replaces the text for a 404."""
        message = exc.message
        if exc.kind == 'http' and exc.status == 404 and not_found:
            message = '%s (HTTP 404 on %s %s)' % (not_found, exc.method, exc.path)
        if exc.kind == 'config':
            message = explain_environment(message)
        if self._client is not None and self._client.known_api_version:
            result.setdefault('api_version', self._client.known_api_version)
        self.fail_json(msg=message, error=exc.to_dict(), **result)

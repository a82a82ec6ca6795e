# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vb365.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""AnsibleModule for this collection: connection options, credential rules, error reporting.

Every module builds on Vb365Module, so the connection options, their environment fallbacks and
the way failures read are the same everywhere. Modules declare their own options and call
``self.client``; they never build URLs or touch requests.
"""

from __future__ import annotations

import os

from ansible.module_utils.basic import AnsibleModule, env_fallback, missing_required_lib

from ansible_collections.vb365.backup.plugins.module_utils.vb365_api import (
    API_VERSION_CHOICES,
    DEFAULT_PORT,
    HAS_REQUESTS,
    REQUESTS_IMPORT_ERROR,
    Vb365Client,
    Vb365Error,
)

CREDENTIAL_OPTIONS = ('username', 'password', 'access_token', 'refresh_token')
CREDENTIAL_ENV = dict((name, 'VB365_%s' % name.upper()) for name in CREDENTIAL_OPTIONS)


def connection_argument_spec():
    # Credentials have no env fallback here: they are taken from the environment as a set, only
    # when the task gives none (see Vb365Module._credentials), so a token given to a task is not
    # mixed with a password that an AWX credential put in the environment.
    return dict(
        server=dict(type='str', required=True, fallback=(env_fallback, ['VB365_SERVER'])),
        port=dict(type='int', default=DEFAULT_PORT, fallback=(env_fallback, ['VB365_PORT'])),
        username=dict(type='str'),
        password=dict(type='str', no_log=True),
        access_token=dict(type='str', no_log=True),
        refresh_token=dict(type='str', no_log=True),
        api_version=dict(type='str', default='auto', choices=list(API_VERSION_CHOICES),
                         fallback=(env_fallback, ['VB365_API_VERSION'])),
        validate_certs=dict(type='bool', default=True, fallback=(env_fallback, ['VB365_VALIDATE_CERTS'])),
        ca_path=dict(type='path', fallback=(env_fallback, ['VB365_CA_PATH'])),
        timeout=dict(type='int', default=30, fallback=(env_fallback, ['VB365_TIMEOUT'])),
        retries=dict(type='int', default=3, fallback=(env_fallback, ['VB365_RETRIES'])),
    )


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


class Vb365Module(AnsibleModule):
    """An AnsibleModule with the collection's connection options and one lazily built client."""

    def __init__(self, argument_spec=None, register_tokens=True, **kwargs):
        spec = connection_argument_spec()
        spec.update(argument_spec or {})
        kwargs.setdefault('supports_check_mode', True)
        super().__init__(argument_spec=spec, **kwargs)
        if not HAS_REQUESTS:
            self.fail_json(msg=missing_required_lib('requests'), exception=str(REQUESTS_IMPORT_ERROR))
        # Tokens the client obtains are kept out of results and logs, unless returning them is the
        # module's purpose (vb365.backup.token), where the task's no_log protects them.
        self._register_tokens = register_tokens
        self._client = None

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
        if exc.status == 404 and not_found:
            message = '%s (HTTP 404 on %s %s)' % (not_found, exc.method, exc.path)
        if self._client is not None and self._client.known_api_version:
            result.setdefault('api_version', self._client.known_api_version)
        self.fail_json(msg=message, error=exc.to_dict(), **result)

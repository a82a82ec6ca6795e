# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vb365.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""AnsibleModule for this collection: the shared options (options.py), one lazily built client, error reporting.

Every module builds on Vb365Module, so the connection options, their environment fallbacks, the
checks of values and the way failures read are the same everywhere. Modules declare their options and
checks and call ``self.client``; they never build URLs or touch requests.
"""

from __future__ import annotations

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.vb365.backup.plugins.module_utils.options import (
    CONNECTION_CHECKS,
    apply_checks,
    connection_argument_spec,
    credential_problem,
    explain_environment,
    forget_environment,
    pick_credentials,
)
from ansible_collections.vb365.backup.plugins.module_utils.vb365_api import (
    HAS_REQUESTS,
    REQUESTS_IMPORT_ERROR,
    Vb365Client,
    Vb365Error,
)


class Vb365Module(AnsibleModule):
    """An AnsibleModule with the collection's connection options and one lazily built client.

    ``value_checks`` maps option names to checks (``uuid_value``, ``int_range(...)``, ``status_list``,
    ``iso_time``...). Every check runs before any request; a failing one fails the task with its
    message, and a passing one may replace the value (a status list becomes a set of statuses).
    """

    def __init__(self, argument_spec=None, value_checks=None, register_tokens=True, keep_token=False, **kwargs):
        forget_environment()
        spec = connection_argument_spec()
        spec.update(argument_spec or {})
        kwargs.setdefault('supports_check_mode', True)
        self._settling = True
        super().__init__(argument_spec=spec, **kwargs)
        if not HAS_REQUESTS:
            self.fail_json(msg=missing_required_lib('requests'), exception=str(REQUESTS_IMPORT_ERROR))
        checks = dict(CONNECTION_CHECKS)
        checks.update(value_checks or {})
        try:
            apply_checks(self.params, checks)
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
        credentials, source = pick_credentials(self.params, 'task options')
        if source != 'task options':
            for secret in ('password', 'access_token', 'refresh_token'):
                if credentials.get(secret):
                    self.no_log_values.add(credentials[secret])
        return credentials, source

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

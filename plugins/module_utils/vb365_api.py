# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vb365.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one client of the VB365 REST API that every module of this collection uses.

It owns the transport (TLS, timeouts, retries), authentication (login, token reuse, refresh on
401), API version discovery and pagination. It knows nothing of AnsibleModule: callers pass plain
settings and a warn callback, so the client can be tested and reused on its own.
"""

from __future__ import annotations

import base64
import email.utils
import html
import json
import os
import random
import re
import time

try:
    import requests
    from urllib3 import exceptions as urllib3_exceptions
    HAS_REQUESTS = True
    REQUESTS_IMPORT_ERROR = None
except ImportError as exc:  # pragma: no cover - exercised by the sanity import test
    requests = urllib3_exceptions = None
    HAS_REQUESTS = False
    REQUESTS_IMPORT_ERROR = exc

from urllib.parse import quote, quote_plus, urlsplit

from ansible_collections.vb365.backup.plugins.module_utils.normalize import (API_VERSION_CHOICES, is_uuid,
                                                                             without_lone_surrogates)

DEFAULT_PORT = 4443
MAX_PAGE_SIZE = 10000

# Statuses worth another attempt for a request that is safe to repeat.
RETRY_STATUSES = frozenset((429, 500, 502, 503, 504))
BACKOFF_BASE_SECONDS = 1.0
BACKOFF_CAP_SECONDS = 30.0
# A Retry-After longer than this is not waited for: the run fails and says what the server asked.
RETRY_AFTER_CAP_SECONDS = 120.0
# Bounds on retrying, so that a flapping server cannot hold a task (or an AWX job) for hours: at most
# this many retries of one request, and at most this long spent in failed attempts and waits per run.
MAX_RETRIES = 10
RETRY_BUDGET_SECONDS = 300.0
ERROR_EXCERPT_CHARS = 200
# One read of a paged resource stops with an error beyond this many items: a server that invents items
# forever must not fill the memory or the disk. It is twice the million-operation session the benchmark
# reads, far above the largest sessions real servers are known to keep.
MAX_ITEMS_PER_READ = 2000000
# Bodies are read in pieces, so that timeout bounds the whole answer and not each socket read.
READ_CHUNK_BYTES = 256 * 1024
REDIRECT_STATUSES = frozenset((301, 302, 303, 307, 308))
# A JSON escape of a UTF-16 surrogate (\ud800-\udfff): only then can a body hold text that UTF-8 cannot encode.
_SURROGATE_ESCAPE = re.compile(rb'\\u[dD][89a-fA-F]')

# ASP.NET's answer for a path no route matches: on VB365, an API version the server does not serve.
NO_ROUTE_MESSAGE = 'No HTTP resource was found'
CERTIFICATE_ADVICE = ('To get the CA, list the chain the server presents with `openssl s_client -connect %s -showcerts '
                      '</dev/null` and save its last certificate (the root, or the self-signed server certificate) '
                      'as a PEM file.')


class Vb365Error(Exception):
    """Any failure talking to the server, with what a user needs to act on it.

    ``kind`` is one of ``http``, ``tls``, ``connection``, ``timeout``, ``protocol``, ``config``,
    ``version`` (the server does not serve the API version) or ``lookup`` (a name or id that matches
    nothing on the server).
    The message never holds a credential: requests carry secrets only in bodies and headers,
    and neither is ever copied into an error.
    """

    def __init__(self, message, kind='http', status=None, method=None, path=None,
                 server_message=None, error_code=None, attempts=1):
        super().__init__(message)
        self.message = message
        self.kind = kind
        self.status = status
        self.method = method
        self.path = path
        self.server_message = server_message
        self.error_code = error_code
        self.attempts = attempts

    def to_dict(self):
        """The error's facts for a module's failure result."""
        return {
            'kind': self.kind,
            'status': self.status,
            'method': self.method,
            'path': self.path,
            'server_message': self.server_message,
            'error_code': self.error_code,
            'attempts': self.attempts,
        }


def path_id(value, what):
    """value as a URL path segment, when it is a UUID; a server-sent id never becomes a path otherwise."""
    if not is_uuid(value):
        raise Vb365Error('The server gave %s the id %r, which is not a UUID: it is not put in a request path.'
                         % (what, _excerpt(repr(value) if not isinstance(value, str) else value)), kind='protocol')
    return value


def _excerpt(text, limit=80):
    return text if len(text) <= limit else text[:limit] + '...'


def secret_forms(secret):
    """The ways a secret may come back in a server's text: as sent in a form body, in JSON, in HTML, in base64."""
    forms = set([secret, quote(secret, safe=''), quote_plus(secret), quote(secret), json.dumps(secret)[1:-1],
                 html.escape(secret), html.escape(secret, quote=False)])
    encoded = secret.encode('utf-8')
    forms.update([base64.b64encode(encoded).decode(), base64.urlsafe_b64encode(encoded).decode()])
    forms.update(form.rstrip('=') for form in list(forms) if form.endswith('='))
    return sorted((form for form in forms if form), key=len, reverse=True)


def parse_server(server, port=DEFAULT_PORT):
    """Turn the ``server`` option into ``(base_url, is_plain_http)``.

    ``server`` is a host name, an IP address, or ``https://host[:port]``; a port in the URL
    wins over ``port``. Anything with a path, query, fragment, credentials or another scheme
    is refused, because the client builds every path itself.
    """
    if not server or not str(server).strip():
        raise Vb365Error('server is empty: give the host name or https://host[:port] of the VB365 REST API.',
                         kind='config')
    text = str(server).strip()
    if '://' in text:
        parts = urlsplit(text)
        scheme = parts.scheme.lower()
        if scheme not in ('https', 'http'):
            raise Vb365Error("server %r uses the scheme %r: only https:// (or, with a warning, http://) is "
                             "supported." % (text, parts.scheme), kind='config')
        if parts.path not in ('', '/') or parts.query or parts.fragment:
            raise Vb365Error("server %r must not carry a path, query or fragment: give only https://host[:port]; "
                             "the collection adds /vN/... itself." % _without_userinfo(parts), kind='config')
        if parts.username is not None or parts.password is not None:
            raise Vb365Error('server must not carry credentials in the URL: use username and password.',
                             kind='config')
        try:
            url_port = parts.port
        except ValueError:
            raise Vb365Error('server %r has an invalid port.' % text, kind='config')
        host = parts.hostname
        if not host:
            raise Vb365Error('server %r names no host.' % text, kind='config')
        use_port = url_port if url_port is not None else port
    else:
        scheme = 'https'
        host = text
        use_port = port
        if host.startswith('[') and host.endswith(']'):
            host = host[1:-1]
        if re.search(r'[/?#@\s]', host):
            raise Vb365Error("server %r is not a host name or address: give a host, an IP address or "
                             "https://host[:port]." % text, kind='config')
        if host.count(':') == 1:
            raise Vb365Error("server %r looks like host:port: give the port with the port option or write "
                             "https://%s." % (text, text), kind='config')
    if not isinstance(use_port, int) or not 0 < use_port < 65536:
        raise Vb365Error('port %r is out of range (1-65535).' % (use_port,), kind='config')
    if ':' in host:
        host = '[%s]' % host
    return '%s://%s:%d' % (scheme, host, use_port), scheme == 'http'


def _without_userinfo(parts):
    netloc = parts.netloc.rsplit('@', 1)[-1]
    return '%s://%s%s' % (parts.scheme, netloc, parts.path)


def _retry_after_seconds(response):
    """Seconds the server asked us to wait, or None. Accepts delta-seconds and HTTP dates."""
    value = response.headers.get('Retry-After') if response is not None else None
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - time.time())


def _server_error_details(response):
    """(message, error_code) from an error response: JSON fields when there are some, else an excerpt."""
    text = response.text or ''
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict):
        # OAuth errors: error_description reads as a sentence, error is a code ("invalid_grant").
        if body.get('error_description'):
            return str(body['error_description']), body.get('error')
        message = body.get('message') or body.get('error')
        error_code = body.get('errorCode')
        if message or error_code:
            return (str(message) if message else None), error_code
    if not text.strip():
        return 'empty response body', None
    # HTML from a proxy or load balancer: strip tags so the excerpt reads as text.
    excerpt = re.sub(r'<[^>]+>', ' ', text)
    excerpt = re.sub(r'\s+', ' ', excerpt).strip()
    if len(excerpt) > ERROR_EXCERPT_CHARS:
        excerpt = excerpt[:ERROR_EXCERPT_CHARS] + '...'
    return 'non-JSON response: %s' % excerpt, None


class Vb365Client:
    """A session with one VB365 server: one login at most per run, pages on demand.

    ``warn`` receives one line per retry or notable event; ``register_secret`` receives every
    token the client obtains, so that a module can keep it out of its output.
    """

    def __init__(self, server, port=DEFAULT_PORT, username=None, password=None, access_token=None,
                 refresh_token=None, api_version='auto', validate_certs=True, ca_path=None, timeout=30,
                 retries=3, warn=None, register_secret=None, user_agent='vb365.backup'):
        if not HAS_REQUESTS:
            raise Vb365Error('The Python library requests is required: pip install requests.', kind='config')
        self.base_url, plain_http = parse_server(server, port)
        if api_version not in API_VERSION_CHOICES:
            raise Vb365Error('api_version %r is not one of %s.' % (api_version, ', '.join(API_VERSION_CHOICES)),
                             kind='config')
        if not isinstance(timeout, (int, float)) or timeout <= 0:
            raise Vb365Error('timeout must be a positive number of seconds, not %r.' % (timeout,), kind='config')
        if not isinstance(retries, int) or not 0 <= retries <= MAX_RETRIES:
            raise Vb365Error('retries must be between 0 and %d, not %r.' % (MAX_RETRIES, retries), kind='config')
        if validate_certs and ca_path:
            check_ca_file(ca_path)
        self.username = username
        self._password = password
        self._access_token = access_token
        self._refresh_token = refresh_token
        self.requested_api_version = api_version
        self._api_version = None if api_version == 'auto' else api_version
        self.timeout = timeout
        self.retries = retries
        self._warn_callback = warn or (lambda message: None)
        self._register_secret_callback = register_secret or (lambda secret: None)
        self._secret_patterns = []
        self._password_login = False
        self._sleep = time.sleep
        # requests lets REQUESTS_CA_BUNDLE override Session.verify, so verify travels with each request.
        self._verify = (ca_path or True) if validate_certs else False
        self._ca_path = ca_path if validate_certs else None
        self._plain_http = plain_http
        self._retry_seconds_spent = 0.0
        self.login_count = 0
        self._session = requests.Session()
        self._session.headers.update({'Accept': 'application/json', 'User-Agent': user_agent})
        if plain_http:
            self._warn('server %s uses plain http: the password and tokens cross the network unencrypted.'
                       % self.base_url)
        if not validate_certs:
            self._warn('validate_certs is false: the server certificate is not checked. Prefer ca_path.')
        for secret in (password, access_token, refresh_token):
            if secret:
                self._register_secret(secret)

    def _register_secret(self, secret):
        # Percent-encodings are compared in any case: servers echo %2b as often as %2B.
        self._secret_patterns.append(re.compile('|'.join(re.escape(form) for form in secret_forms(secret)),
                                                re.IGNORECASE))
        self._register_secret_callback(secret)

    def mask(self, text):
        """text with every known secret, in every encoding a server may echo it in, replaced by ********."""
        if not text or not isinstance(text, str):
            return text
        for pattern in self._secret_patterns:
            text = pattern.sub('********', text)
        return text

    def _warn(self, message):
        self._warn_callback(self.mask(message))

    def warn(self, message):
        """Report a notable event through the caller's warn callback, secrets masked."""
        self._warn(message)

    # -- versions -----------------------------------------------------------------------------

    @property
    def api_version(self):
        """The API version in use, probing the server once when it was set to auto."""
        if self._api_version is None:
            self._api_version = self._discover_api_version()
        return self._api_version

    @property
    def known_api_version(self):
        """The API version if it is already settled, without probing the server."""
        return self._api_version

    def _discover_api_version(self):
        # An anonymous GET answers 401 on a version the server serves and 404 on one it does not.
        # /ServiceInstance exists from v6; v5 has no such path, so /v5/JobSessions stands in.
        probes = [('v8', '/v8/ServiceInstance'), ('v7', '/v7/ServiceInstance'),
                  ('v6', '/v6/ServiceInstance'), ('v5', '/v5/JobSessions')]
        for version, path in probes:
            response = self._send('GET', path, authenticated=False, allowed=(200, 401, 403, 404, 405))
            if response.status_code in (200, 401, 403):
                return version
        raise Vb365Error('No VB365 REST API version (v5 to v8) answered at %s: is this a Veeam Backup for '
                         'Microsoft 365 REST endpoint? Check server and port, or set api_version.'
                         % self.base_url, kind='http', status=404, method='GET', path='/v5/JobSessions')

    # -- authentication -----------------------------------------------------------------------

    @property
    def access_token(self):
        return self._access_token

    @property
    def refresh_token(self):
        return self._refresh_token

    def login(self):
        """Obtain a token pair with the password, once; returns the server's token response."""
        if not (self.username and self._password):
            raise Vb365Error('No valid token and no username and password to log in with: give username and '
                             'password, or a fresh access_token or refresh_token.', kind='http', status=401)
        form = {'grant_type': 'password', 'username': self.username, 'password': self._password}
        body = self._token_request(form, 'password')
        self._password_login = True
        return body

    def refresh(self):
        """Trade the refresh token for a new pair."""
        if not self._refresh_token:
            raise Vb365Error('No refresh token to refresh with.', kind='config')
        form = {'grant_type': 'refresh_token', 'refresh_token': self._refresh_token}
        return self._token_request(form, 'refresh token')

    def _token_request(self, form, grant_name):
        if self.api_version in ('v7', 'v8'):
            # Without it v7+ also issue an antiforgery cookie that later refreshes would need.
            form['disable_antiforgery_token'] = 'true'
        path = '/%s/token' % self.api_version
        try:
            response = self._send('POST', path, authenticated=False, data=form)
        except Vb365Error as exc:
            if exc.status == 404:
                raise self._version_not_served('POST', path, exc)
            if exc.status in (400, 401):
                reason = (exc.server_message or 'no reason given').rstrip('.')
                raise Vb365Error('Login to %s with the %s failed (HTTP %s): %s. Check the username and password, '
                                 'or get a new token.' % (self.base_url, grant_name, exc.status, reason),
                                 kind='http', status=exc.status, method='POST', path=path,
                                 server_message=exc.server_message, error_code=exc.error_code,
                                 attempts=exc.attempts)
            if exc.status == 429:
                raise Vb365Error('%s The server allows about 5 logins a minute: reuse one token across tasks '
                                 '(vb365.backup.token) instead of logging in for each.' % exc.message,
                                 kind='http', status=429, method='POST', path=path,
                                 server_message=exc.server_message, attempts=exc.attempts)
            raise
        body = self._decode(response, 'POST', path)
        token = body.get('access_token') if isinstance(body, dict) else None
        if not token:
            raise Vb365Error('The server answered POST %s without an access_token: is this a VB365 REST API?'
                             % path, kind='protocol', status=response.status_code, method='POST', path=path)
        self._access_token = token
        self._register_secret(token)
        if body.get('refresh_token'):
            self._refresh_token = body['refresh_token']
            self._register_secret(self._refresh_token)
        self.login_count += 1
        return body

    def _version_not_served(self, method, path, exc):
        return Vb365Error('%s does not serve REST API %s (HTTP 404 on %s %s): it runs an older VB365 release. '
                          'Set api_version to auto, or to a version the server serves.'
                          % (self.base_url, self.api_version, method, path), kind='version', status=404,
                          method=method, path=path, server_message=exc.server_message, attempts=exc.attempts)

    def close(self):
        """Log out the token this client obtained with the password itself, never one it was given.

        Best effort (v7 and v8 only): a token that cannot be logged out expires on its own, so a failure here
        must not change the result of the run. Returns True when the server ended the token's session.
        """
        if not self._password_login or self._api_version not in ('v7', 'v8'):
            return False
        try:
            return self.logout(once=True)
        except Vb365Error:
            return False
        finally:
            self._password_login = False

    def logout(self, once=False):
        """End the token's server session where the version can (v7 and v8). Returns True if it did.

        ``once``: a single attempt, for the clean-up at the end of a run that must not wait on retries.
        """
        if self.api_version not in ('v7', 'v8') or not self._access_token:
            return False
        # A refused token is not renewed just to be logged out.
        self._send('POST', '/%s/token/logout' % self.api_version, authenticated=True, allowed=(200, 204),
                   renew=False, once=once)
        return True

    def _renew_token(self):
        if self._refresh_token:
            try:
                self.refresh()
                return
            except Vb365Error as exc:
                if not (self.username and self._password) or exc.status not in (400, 401):
                    raise
                self._warn('The refresh token was refused (HTTP %s); logging in with the password.' % exc.status)
        self.login()

    # -- requests -----------------------------------------------------------------------------

    def get(self, path, params=None):
        """GET an API path such as ``/JobSessions`` (version added here) and return its JSON body."""
        full_path = '/%s/%s' % (self.api_version, path.lstrip('/'))
        response = self._send('GET', full_path, params=params, authenticated=True)
        return self._decode(response, 'GET', full_path)

    def post_once(self, path, body=None):
        """POST an action such as ``/Jobs/{id}/start`` (version added here) with a JSON body; never resent.

        An action the server may have carried out is not repeated: a timeout, a connection lost after
        sending, 429 or 5xx raise at once, and the caller reads the server's state to learn what happened.
        Only a 401 is sent again, after one token renewal, since the server refused it unread.
        """
        full_path = '/%s/%s' % (self.api_version, path.lstrip('/'))
        response = self._send('POST', full_path, json_body=body, authenticated=True, once=True)
        return self._decode(response, 'POST', full_path)

    def iter_pages(self, path, params=None, page_size=100, offset=0):
        """Yield the ``results`` list of every page of a paged resource, by offset and limit.

        Stops on an empty page, on a page shorter than the limit the server reported (it may
        cap the one asked for), or on a page whose ``_links`` lack ``next``. Links are never
        followed: v5 links are absolute and may name a host the client cannot reach, so the
        next offset is computed from what was received. ``totalCount`` is never trusted.
        """
        if not 1 <= page_size <= MAX_PAGE_SIZE:
            raise Vb365Error('page_size must be between 1 and %d, not %r.' % (MAX_PAGE_SIZE, page_size),
                             kind='config')
        query = dict(params or {})
        previous = None
        read = 0
        while True:
            query['offset'] = offset
            query['limit'] = page_size
            page = self.get(path, params=query)
            if isinstance(page, list):
                # Some resources (Jobs before v8) are plain arrays, not pages.
                yield page
                return
            if not isinstance(page, dict) or not isinstance(page.get('results'), list):
                raise Vb365Error('GET %s did not return a page with results: is this a VB365 REST API?'
                                 % self._display_path(path), kind='protocol', method='GET',
                                 path=self._display_path(path))
            results = page['results']
            fingerprint = [(item.get('id'), item.get('usn')) if isinstance(item, dict) else item for item in results]
            if results and previous is not None and fingerprint == previous[1]:
                # A server that ignores offset sends the same page with a next link forever.
                raise Vb365Error('GET %s answered the same %d item(s) for offset %d as for offset %d: the server '
                                 'ignores offset, so reading stopped instead of looping. Check the REST API service '
                                 'and any proxy in front of it.' % (self._display_path(path), len(results), offset,
                                                                    previous[0]),
                                 kind='protocol', method='GET', path=self._display_path(path))
            read += len(results)
            if read > MAX_ITEMS_PER_READ:
                raise Vb365Error('GET %s has sent more than %d items and still offers more: reading stopped, since no '
                                 'real VB365 resource is that long. Check the REST API service and any proxy in front '
                                 'of it.' % (self._display_path(path), MAX_ITEMS_PER_READ),
                                 kind='protocol', method='GET', path=self._display_path(path))
            previous = (offset, fingerprint)
            yield results
            if not results:
                return
            reported_limit = page.get('limit')
            if not isinstance(reported_limit, int) or reported_limit <= 0:
                reported_limit = page_size
            if len(results) < min(reported_limit, page_size):
                return
            links = page.get('_links')
            if isinstance(links, dict) and 'next' not in links:
                return
            offset += len(results)

    def _display_path(self, path):
        return '/%s/%s' % (self._api_version or '?', path.lstrip('/'))

    def _decode(self, response, method, path):
        if response.status_code == 204 or not response.content:
            return {}
        try:
            body = response.json()
        except ValueError:
            message = self.mask(_server_error_details(response)[0])
            raise Vb365Error('%s %s answered HTTP %s with a body that is not JSON (%s): a proxy may be in the way.'
                             % (method, path, response.status_code, message), kind='protocol',
                             status=response.status_code, method=method, path=path, server_message=message)
        # Valid JSON may escape a lone surrogate, which no report can write: a cheap look at the bytes first.
        if _SURROGATE_ESCAPE.search(response.content):
            body = without_lone_surrogates(body)
        return body

    def _send(self, method, path, params=None, data=None, authenticated=True, allowed=(200, 201, 204), renew=True,
              json_body=None, once=False):
        """Send one request with retries and, when authenticated, one token renewal on 401."""
        renewed = not renew
        if authenticated and not self._access_token:
            self._renew_token()
            renewed = True
        while True:
            response = self._send_with_retries(method, path, params, data, authenticated, json_body, once)
            if response.status_code == 401 and authenticated and not renewed:
                if not (self._refresh_token or (self.username and self._password)):
                    raise Vb365Error('The server refused the access token (HTTP 401 on %s %s): it has expired or '
                                     'was logged out, and no refresh_token, nor username and password, was given '
                                     'to renew it. Get a new token (vb365.backup.token), or give refresh_token '
                                     'too.' % (method, path), kind='http', status=401, method=method, path=path)
                # An access token that expires mid-run costs one renewal, not the run.
                self._warn('HTTP 401 on %s %s: the access token was refused; renewing it once.' % (method, path))
                self._renew_token()
                renewed = True
                continue
            if response.status_code in allowed:
                return response
            error = self._http_error(response, method, path)
            if error.status == 404 and NO_ROUTE_MESSAGE in (error.server_message or ''):
                raise self._version_not_served(method, path, error)
            raise error

    def _send_with_retries(self, method, path, params, data, authenticated, json_body=None, once=False):
        url = self.base_url + path
        attempt = 0
        while True:
            attempt += 1
            headers = {}
            if authenticated:
                headers['Authorization'] = 'Bearer %s' % self._access_token
            failure = None
            started = time.monotonic()
            try:
                # No redirect is followed: a password or token must never reach another host, or plain http.
                response = self._session.request(method, url, params=params, data=data, json=json_body,
                                                 headers=headers, timeout=self.timeout, verify=self._verify,
                                                 allow_redirects=False, stream=True)
                self._read_body(response, started)
                if response.status_code in REDIRECT_STATUSES:
                    raise self._redirect_error(response, method, path)
                if response.status_code not in RETRY_STATUSES:
                    return response
                failure = 'HTTP %d' % response.status_code
                kind = 'http'
            except requests.exceptions.SSLError as exc:
                raise self._tls_error(exc, method, path)
            except requests.exceptions.Timeout:
                response = None
                failure = 'no answer within %s seconds' % self.timeout
                kind = 'timeout'
            except (requests.exceptions.ConnectionError, requests.exceptions.ChunkedEncodingError) as exc:
                reason = _short_reason(exc)
                if self._plain_http and _closed_without_answer(reason):
                    raise Vb365Error('%s closed the connection without answering plain HTTP: that port probably '
                                     'serves HTTPS. Give the server as https://%s or as the host name alone.'
                                     % (self.base_url, self.base_url.split('://', 1)[1]),
                                     kind='connection', method=method, path=path)
                response = None
                failure = 'connection failed (%s)' % reason
                kind = 'connection'
            self._retry_seconds_spent += time.monotonic() - started
            if once or attempt > self.retries:
                if response is not None:
                    return response
                if kind == 'timeout':
                    raise Vb365Error('%s %s%s: %s, after %d attempt(s). Raise timeout, or check the server and '
                                     'the network.' % (method, self.base_url, path, failure, attempt),
                                     kind='timeout', method=method, path=path, attempts=attempt)
                raise Vb365Error('Could not reach %s for %s %s: %s, after %d attempt(s). Check server, port and '
                                 'that the VB365 REST API service is running.'
                                 % (self.base_url, method, path, failure, attempt),
                                 kind='connection', method=method, path=path, attempts=attempt)
            delay = self._backoff(attempt, response, method, path)
            if self._retry_seconds_spent + delay > RETRY_BUDGET_SECONDS:
                raise Vb365Error('%s %s%s: %s; gave up after %d attempt(s), because this run has already spent %.0f '
                                 's in failed requests and waits (at most %d s per run). Check the server, or run '
                                 'again later.' % (method, self.base_url, path, failure, attempt,
                                                   self._retry_seconds_spent, RETRY_BUDGET_SECONDS),
                                 kind=kind, status=response.status_code if response is not None else None,
                                 method=method, path=path, attempts=attempt)
            self._retry_seconds_spent += delay
            self._warn('%s %s: %s; retry %d of %d in %.1f s.' % (method, path, failure, attempt, self.retries,
                                                                 delay))
            self._sleep(delay)

    def _read_body(self, response, started):
        """Read the whole body before the deadline: a server that drips it byte by byte cannot hold a run.

        read1 returns what one socket read brings, so the deadline is checked between small reads; a plain
        read would wait for the whole piece, each byte within the socket timeout. urllib3 before 2 has no
        read1: there the timeout bounds each read only.
        """
        deadline = started + self.timeout
        read1 = getattr(response.raw, 'read1', None)
        if read1 is None:
            pieces = response.iter_content(READ_CHUNK_BYTES)
        else:
            pieces = iter(lambda: read1(READ_CHUNK_BYTES, decode_content=True), b'')
        chunks = []
        try:
            for chunk in pieces:
                chunks.append(chunk)
                if time.monotonic() > deadline:
                    raise requests.exceptions.ReadTimeout('the answer took longer than %s seconds' % self.timeout)
        except requests.exceptions.RequestException:
            raise  # Already the library's own kind (requests' exceptions are OSErrors too).
        except urllib3_exceptions.ReadTimeoutError as exc:
            raise requests.exceptions.ReadTimeout(exc)
        except urllib3_exceptions.SSLError as exc:
            raise requests.exceptions.SSLError(exc)
        except (urllib3_exceptions.ProtocolError, urllib3_exceptions.DecodeError, OSError) as exc:
            raise requests.exceptions.ChunkedEncodingError(exc)
        finally:
            response.close()
        # What requests itself does after reading a body without stream=True.
        response._content = b''.join(chunks)  # pylint: disable=protected-access
        response._content_consumed = True  # pylint: disable=protected-access

    def _redirect_error(self, response, method, path):
        location = response.headers.get('Location') or '(no Location header)'
        parts = urlsplit(location)
        if parts.query:
            location = location.split('?', 1)[0] + '?...'
        return Vb365Error('HTTP %d on %s %s: the server redirected to %s. The collection follows no redirect, so that '
                          'no password or token can reach another host or cross plain http. Give the REST API\'s own '
                          'address and port as server, and check any proxy or load balancer in front of the REST '
                          'API.' % (response.status_code, method, path, self.mask(location)), kind='http',
                          status=response.status_code, method=method, path=path)

    def _tls_error(self, exc, method, path):
        reason = _short_reason(exc)
        host_port = self.base_url.split('://', 1)[1]
        if re.search(r"hostname|doesn't match|does not match|mismatch|not valid for", reason, re.IGNORECASE):
            advice = ('The certificate does not name the host or IP address given in server: connect with a name or '
                      'address the certificate carries (openssl s_client -connect %s shows them), or have the '
                      'certificate reissued with that name.' % host_port)
        elif self._ca_path:
            advice = ('The CA in ca_path %s did not verify the server certificate: it is not the CA that signed it. '
                      % self._ca_path) + CERTIFICATE_ADVICE % host_port
        else:
            advice = ("Give the server certificate's CA with ca_path, or, on a network you trust, set validate_certs "
                      'to false. ') + CERTIFICATE_ADVICE % host_port
        return Vb365Error('TLS failed for %s: %s. %s' % (self.base_url, reason, advice), kind='tls', method=method,
                          path=path)

    def _backoff(self, attempt, response, method, path):
        retry_after = _retry_after_seconds(response)
        if retry_after is not None:
            if retry_after > RETRY_AFTER_CAP_SECONDS:
                raise self._http_error(response, method, path,
                                       extra=' The server asked to wait %d seconds before trying again.'
                                       % retry_after)
            return retry_after
        ceiling = min(BACKOFF_CAP_SECONDS, BACKOFF_BASE_SECONDS * (2 ** (attempt - 1)))
        return ceiling * (0.5 + random.random() / 2)

    def _http_error(self, response, method, path, extra=''):
        status = response.status_code
        server_message, error_code = _server_error_details(response)
        # A login error that echoes the request would carry the password, in some encoding.
        server_message = self.mask(server_message)
        advice = {
            400: 'The server refused the request as invalid.',
            401: 'Authentication failed: check username and password, or give a fresh access or refresh token.',
            403: 'Access denied: the account lacks the right, or the REST API allows restore operators only.',
            404: 'Not found.',
            429: 'Too many requests: the server rate-limits this endpoint; wait and run again.',
        }.get(status, 'The server failed to answer the request.' if status >= 500 else '')
        message = 'HTTP %d on %s %s: %s' % (status, method, path, advice)
        if server_message:
            message += ' Server said: %s' % server_message
        if error_code:
            message += ' (errorCode %s)' % error_code
        return Vb365Error(message + extra, kind='http', status=status, method=method, path=path,
                          server_message=server_message, error_code=error_code)


def check_ca_file(ca_path):
    """Refuse a ca_path that cannot hold the CA before any request: missing, unreadable, empty or not PEM."""
    if os.path.isdir(ca_path):
        return  # A folder of hashed certificates (c_rehash), as OpenSSL reads it.
    if not os.path.exists(ca_path):
        raise Vb365Error('ca_path %s does not exist: give the PEM file of the CA that signed the server certificate.'
                         % ca_path, kind='config')
    try:
        with open(ca_path, 'rb') as handle:
            head = handle.read(1024 * 1024)
    except (IOError, OSError) as exc:
        raise Vb365Error('ca_path %s cannot be read (%s).' % (ca_path, exc.strerror or exc), kind='config')
    if b'-----BEGIN CERTIFICATE-----' not in head:
        what = 'is empty' if not head.strip() else 'holds no PEM certificate (DER or another format?)'
        raise Vb365Error('ca_path %s %s: give the CA certificate as PEM (text beginning with -----BEGIN '
                         'CERTIFICATE-----); `openssl x509 -inform der -in FILE -out ca.pem` converts a DER file.'
                         % (ca_path, what), kind='config')


def _closed_without_answer(reason):
    return bool(re.search(r'Remote ?end closed|RemoteDisconnected|Connection reset|BadStatusLine|without response',
                          reason, re.IGNORECASE))


def _short_reason(exc):
    """The innermost reason of a requests exception, without its nesting of wrapper texts."""
    reason = exc
    for _depth in range(5):
        inner = getattr(reason, 'reason', None) or (reason.args[0] if getattr(reason, 'args', None) else None)
        if inner is None or inner is reason or isinstance(inner, str):
            break
        reason = inner
    text = str(reason)
    text = re.sub(r'^<[^>]+>:\s*', '', text)
    text = re.sub(r'^\w*Connection\([^)]*\):\s*', '', text)
    return text[:ERROR_EXCERPT_CHARS]

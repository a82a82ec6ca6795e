# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vb365.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The HTTP handler: checks every API request passes (version, faults, token), then a route table."""

from __future__ import annotations

import collections
import functools
import json
import secrets
import socket
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs, urlsplit


from .clock import fmt_time, parse_time
from .faults import FAULT_DEFAULTS, is_hostile, make_hostile
from .model import PRODUCT_BUILDS, V5_LINK_HOST

MAX_LIMIT = 10000
DEFAULT_LIMIT = 30
UNAUTHORIZED = 'Authorization has been denied for this request.'
NO_RESOURCE = 'No HTTP resource was found that matches the request URI.'
# The longest long poll of /v8/Events the emulator waits through.
LONG_POLL_CAP_SECONDS = 120
ALL = ('v5', 'v6', 'v7', 'v8')
FROM_V7 = ('v7', 'v8')

# A request as a route handler sees it: ids are the path's {id} segments and path its segments after the
# version, as sent (not lowercased: links repeat them as the client wrote them, as servers do).
Request = collections.namedtuple('Request', 'method version ids query body path')
Route = collections.namedtuple('Route', 'method path versions handler')


def table(text):
    """Routes from lines of method, path, versions (v6+: v6 and later; v5,v6: those two) and handler."""
    routes = []
    for line in text.strip().splitlines():
        method, path, versions, handler = line.split()
        served = ALL[ALL.index(versions[:-1]):] if versions.endswith('+') else tuple(versions.split(','))
        routes.append(Route(method, tuple(path.split('/')), served, handler))
    return tuple(routes)


# Answered before the fault switches and the token check: logins, and v8's anonymous /Health.
OPEN_ROUTES = table('''
POST  token                                    v5+    login
POST  token/logout                             v7+    logout
GET   health                                   v8     health
''')
# The API behind a valid token, first match wins. A path a version lacks falls through to the next
# match (v8's JobSessions/changes is read as a session id), then to a 405 (not GET) or a 404. The last
# three answer anything else under a session: a 404 naming the session when it does not exist.
ROUTES = table('''
GET   serviceinstance                          v6+    service_instance
GET   jobs                                     v5+    jobs
GET   jobs/{id}                                v5+    job
GET   jobs/{id}/jobsessions                    v5,v6  sessions_of_job
POST  jobs/{id}/start                          v6+    job_start
POST  jobs/{id}/stop                           v6+    job_stop
POST  jobs/{id}/enable                         v6+    job_enable
POST  jobs/{id}/disable                        v6+    job_disable
GET   organizations                            v5+    organizations
GET   organizations/{id}/users                 v6+    organization_users
GET   organizations/{id}/usedrepositories      v6+    used_repositories
GET   organizations/{id}/licensinginformation  v6+    licensing_information
GET   license                                  v6+    license
GET   licensedusers                            v6+    licensed_users
GET   protectedusers                           v8     protected_users
GET   backuprepositories                       v6+    repositories
GET   proxies                                  v6+    proxies
GET   jobsessions                              v5+    session_list
GET   jobsessions/changes                      v7     change_feed
GET   events                                   v8     change_feed
GET   jobsessions/{id}                         v5+    session
GET   jobsessions/{id}/logitems                v5+    log_items
GET   jobsessions/{id}/logitems/{id}           v5+    log_item
GET   jobsessions/{id}/{id}                    v5+    session_part
GET   jobsessions/{id}/{id}/{id}               v5+    session_part
GET   jobsessions/{id}/logitems/{id}/{id}      v5+    session_part
''')


def match(routes, method, version, segments):
    """(route, ids) of the first route for this method, version and lowercased path; (None, None) if none."""
    for candidate in routes:
        if candidate.method != method or version not in candidate.versions or len(candidate.path) != len(segments):
            continue
        ids = []
        for expected, segment in zip(candidate.path, segments):
            if expected == '{id}':
                ids.append(segment)
            elif expected != segment.lower():
                break
        else:
            return candidate, ids
    return None, None


def encode_json(body):
    # Real servers send UTF-8 as it is (names with umlauts), not \u escapes. A lone surrogate
    # (hostile_text) cannot be UTF-8: it is written as its JSON escape, as real servers do.
    return json.dumps(body, ensure_ascii=False).encode('utf-8', 'backslashreplace')


def route_name(segments):
    """A counter key with ids folded, e.g. 'v8/JobSessions/{id}/LogItems'."""
    return '/'.join('{id}' if len(segment) == 36 and segment.count('-') == 4 else segment for segment in segments)


class Handler(BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'
    server_version = 'Microsoft-HTTPAPI/2.0'
    sys_version = ''

    @property
    def emulator(self):
        return self.server.emulator

    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        if self.server.verbose:
            sys.stderr.write('%s %s\n' % (self.address_string(), format % args))

    # -- responses ------------------------------------------------------------------------------

    def send_body(self, status, body=None, headers=None, raw=None, content_type='application/json; charset=utf-8'):
        if body is not None and raw is None and is_hostile(self.emulator.faults) and not self.path.startswith('/_emulator'):
            body = make_hostile(body, self.emulator.faults)
        payload = raw if raw is not None else (b'' if body is None else encode_json(body))
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        if payload or status != 204:
            self.send_header('Content-Type', content_type)
        self.send_header('Content-Length', str(len(payload)))
        self.end_headers()
        drip = self.emulator.faults['drip_seconds']
        if drip and not self.path.startswith('/_emulator'):
            for offset in range(len(payload)):
                self.wfile.write(payload[offset:offset + 1])
                self.wfile.flush()
                time.sleep(drip)
        elif self.command != 'HEAD':
            self.wfile.write(payload)

    def send_error_body(self, status, message, version, error_code=None):
        body = {'message': message}
        if version in ('v7', 'v8'):
            # v7's schema lists only ProxyOffline; it sends null for the rest.
            body['errorCode'] = error_code if version == 'v8' else None
        if version == 'v8':
            body['stackTrace'] = None
        self.send_body(status, body)

    # -- dispatch -------------------------------------------------------------------------------

    def do_GET(self):  # pylint: disable=invalid-name
        self.dispatch('GET')

    def do_POST(self):  # pylint: disable=invalid-name
        self.dispatch('POST')

    def read_body(self):
        length = int(self.headers.get('Content-Length') or 0)
        return self.rfile.read(length) if length else b''

    def dispatch(self, method):
        parts = urlsplit(self.path)
        query = dict((key, values[-1]) for key, values in parse_qs(parts.query).items())
        segments = [segment for segment in parts.path.split('/') if segment]
        body = self.read_body() if method == 'POST' else b''
        emulator = self.emulator
        with emulator.lock:
            emulator.counters['%s %s' % (method, route_name(segments))] += 1
            emulator.counters['requests'] += 1
        if segments[:1] == ['_emulator']:
            return self.admin(method, segments[1:], body)
        if not segments or segments[0].lower() not in ALL:
            return self.send_body(404, raw=b'<html><body><h1>404 Not Found</h1></body></html>',
                                  content_type='text/html')
        version = segments[0].lower()
        if version not in emulator.versions:
            return self.send_body(404, {'message': NO_RESOURCE})
        path = segments[1:]
        found, ids = match(OPEN_ROUTES, method, version, path)
        if found:
            return getattr(self, found.handler)(Request(method, version, ids, query, body, path))
        if path[:1] and path[0].lower() == 'token':
            return self.send_error_body(405, 'Use POST.', version) if method != 'POST' else \
                self.send_body(404, {'message': NO_RESOURCE})
        refused = self.refusal(version)
        if refused:
            return refused
        found, ids = match(ROUTES, method, version, path)
        if found:
            return getattr(self, found.handler)(Request(method, version, ids, query, body, path))
        if method != 'GET':
            return self.send_error_body(405, 'The requested resource does not support http method %r.' % method,
                                        version)
        return self.send_body(404, {'message': NO_RESOURCE})

    def refusal(self, version):
        """What the fault switches or a missing token answer instead of the API (sent), or None."""
        emulator = self.emulator
        if emulator.faults['delay_seconds']:
            time.sleep(emulator.faults['delay_seconds'])
        if emulator.take_fault('html_errors'):
            return self.send_body(502, raw=b'<html><head><title>502 Bad Gateway</title></head><body><center>'
                                  b'<h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>',
                                  content_type='text/html') or True
        if not emulator.check_token(self.headers.get('Authorization')):
            return self.send_error_body(401, UNAUTHORIZED, version) or True
        if emulator.take_fault('server_errors'):
            headers = {}
            if emulator.faults['server_error_retry_after'] is not None:
                headers['Retry-After'] = str(emulator.faults['server_error_retry_after'])
            return self.send_body(emulator.faults['server_error_status'],
                                  {'message': 'The service is temporarily unavailable.'}, headers=headers) or True
        return None

    # -- token ----------------------------------------------------------------------------------

    def logout(self, request):
        emulator = self.emulator
        header = self.headers.get('Authorization') or ''
        token = header[7:].strip() if header.startswith('Bearer ') else ''
        with emulator.lock:
            known = emulator.tokens.pop(token, None)
        if known is None:
            return self.send_error_body(401, UNAUTHORIZED, request.version)
        return self.send_body(200 if request.version == 'v7' else 204, {} if request.version == 'v7' else None)

    def login(self, request):
        emulator = self.emulator
        body = request.body
        if emulator.take_fault('token_429'):
            headers = {}
            if emulator.faults['token_429_retry_after'] is not None:
                headers['Retry-After'] = str(emulator.faults['token_429_retry_after'])
            return self.send_body(429, {'message': 'Too many requests.'}, headers=headers)
        if emulator.faults['redirect_token']:
            return self.send_body(307, {}, headers={'Location': emulator.faults['redirect_token']})
        wait = emulator.token_rate_limited()
        if wait:
            return self.send_body(429, {'message': 'Too many requests.'}, headers={'Retry-After': str(wait)})
        content_type = self.headers.get('Content-Type') or ''
        try:
            if 'json' in content_type:
                form = json.loads(body.decode() or '{}')
            else:
                form = dict((key, values[-1]) for key, values in parse_qs(body.decode()).items())
        except ValueError:
            form = {}
        grant = form.get('grant_type')
        with emulator.lock:
            emulator.counters['logins %s' % grant] += 1
        if grant == 'password':
            if form.get('username') != emulator.username or form.get('password') != emulator.password:
                description = 'The user name or password is incorrect.'
                if emulator.faults['echo_login_errors']:
                    description += ' Request: %s' % body.decode(errors='replace')
                return self.send_body(400, {'error': 'invalid_grant', 'error_description': description})
        elif grant == 'refresh_token':
            with emulator.lock:
                valid = emulator.refresh_tokens.pop(form.get('refresh_token'), None)
            if not valid:
                return self.send_body(400, {'error': 'invalid_grant', 'error_description': 'Invalid refresh token.'})
        else:
            return self.send_body(400, {'error': 'unsupported_grant_type',
                                        'error_description': 'The authorization grant type is not supported.'})
        headers = {}
        if request.version in FROM_V7 and form.get('disable_antiforgery_token') != 'true':
            headers['Set-Cookie'] = 'VBO-AntiForgery=%s; path=/; secure; HttpOnly' % secrets.token_hex(8)
        return self.send_body(200, emulator.issue_tokens(), headers=headers)

    def health(self, _request):
        # The v8 document marks /Health anonymous (x-anonymous): it answers without a token.
        return self.send_body(200, self.emulator.estate.health_json())

    # -- jobs, organizations, sessions ----------------------------------------------------------

    def not_found(self, version, what):
        return self.send_error_body(404, '%s was not found.' % what, version, 'ResourceNotFound')

    def collection(self, request, items, name):
        """A whole collection: a page from v8 on (as /v8/<name> links it), a bare list before."""
        if request.version == 'v8':
            return self.send_page(request.version, items, request.query, '/v8/%s' % name)
        return self.send_body(200, items)

    def service_instance(self, _request):
        return self.send_body(200, {'installationId': '3c5e1c1e-6f0b-4a53-9c3e-6d1f4d6d2a10',
                                    'version': PRODUCT_BUILDS[self.emulator.product]})

    def jobs(self, request):
        jobs = [self.emulator.world.job_json(job, request.version) for job in self.emulator.world.jobs]
        if request.version == 'v8' and request.query.get('organizationId'):
            jobs = [job for job in jobs if job.get('organizationId') == request.query['organizationId']]
        return self.collection(request, jobs, 'Jobs')

    def find_job(self, job_id):
        return next((job for job in self.emulator.world.jobs if job['id'] == job_id.lower()), None)

    def job(self, request):
        job = self.find_job(request.ids[0])
        if job is None:
            return self.not_found(request.version, 'Job')
        return self.send_body(200, self.emulator.world.job_json(job, request.version))

    def sessions_of_job(self, request):
        world, version = self.emulator.world, request.version
        sessions = [session for session in world.sessions if session.job['id'] == request.ids[0].lower()]
        return self.send_page(version, [session.as_json(version) for session in sessions], request.query,
                              '/%s/Jobs/%s/JobSessions' % (version, request.ids[0]))

    def organizations(self, request):
        world = self.emulator.world
        return self.collection(request, [world.organization_json(org, request.version) for org in world.organizations],
                               'Organizations')

    def find(self, request, index, what):
        """What index holds under the path's first id, or None once a 404 naming it is sent."""
        found = index.get(request.ids[0].lower())
        if found is None:
            self.not_found(request.version, '%s %s' % (what, request.ids[0]))
        return found

    def find_session(self, request):
        return self.find(request, self.emulator.world.by_id, 'Job session')

    def session(self, request):
        session = self.find_session(request)
        return session and self.send_body(200, session.as_json(request.version))

    def session_part(self, request):
        return self.find_session(request) and self.send_body(404, {'message': NO_RESOURCE})

    def log_item(self, request):
        session = self.find_session(request)
        if session is None:
            return None
        index = session.index_of_id(request.ids[1].lower())
        if index is None:
            return self.not_found(request.version, 'Log item %s' % request.ids[1])
        return self.send_body(200, session.item(index, request.version))

    # -- licence, users, repositories, proxies (v6 to v8) ---------------------------------------

    def license(self, request):
        return self.send_body(200, self.emulator.estate.license_json(request.version))

    def repositories(self, request):
        estate = self.emulator.estate
        return self.collection(request, [estate.repository_json(repository, request.version)
                                         for repository in estate.repositories], 'BackupRepositories')

    def proxies(self, request):
        estate = self.emulator.estate
        return self.collection(request, [estate.proxy_json(proxy, request.version) for proxy in estate.proxies],
                               'Proxies')

    def licensed_users(self, request):
        make = functools.partial(self.emulator.estate.licensed_user, version=request.version)
        return self.user_page(request, make)

    def protected_users(self, request):
        return self.user_page(request, self.emulator.estate.protected_user)

    def user_page(self, request, make):
        query, version = request.query, request.version
        org_id = query.get('organizationId') or (query.get('backedUpOrganizationId') if version == 'v8' else None)
        low, high = self.emulator.estate.user_range(org_id) or (0, 0)
        return self.send_generated_page(version, high - low, lambda at: make(low + at), query,
                                        '/%s/%s' % (version, '/'.join(request.path)))

    def find_organization(self, request):
        """The number of the path's organization (see find)."""
        return self.find(request, self.emulator.estate.org_index, 'Organization')

    def organization_users(self, request):
        number = self.find_organization(request)
        if number is None:
            return None
        estate, version = self.emulator.estate, request.version
        total = estate.counts[number] + estate.unlicensed[number]
        return self.send_generated_page(version, total, lambda at: estate.organization_user(number, at, version),
                                        request.query, '/%s/%s' % (version, '/'.join(request.path)))

    def used_repositories(self, request):
        number = self.find_organization(request)
        if number is None:
            return None
        version = request.version
        return self.send_page(version, self.emulator.estate.used_repositories(number, version), request.query,
                              '/%s/%s' % (version, '/'.join(request.path)))

    def licensing_information(self, request):
        number = self.find_organization(request)
        return None if number is None else self.send_body(200, self.emulator.estate.licensing_information(number))

    # -- pages --------------------------------------------------------------------------------------

    def send_generated_page(self, version, total, make, query, base):
        """A page of a collection of total items made one by one by make(index): only the page is built."""
        window = self.page_window(query, total)
        if window is None:
            return self.send_error_body(400, 'offset and limit must be integers.', version,
                                        'ParameterValidationFailure')
        offset, limit, end = window
        results = [make(index) for index in range(offset, end)]
        return self.send_body(200, {'offset': offset, 'limit': limit, 'results': results,
                                    '_links': self.page_links(version, base, offset, limit, len(results), total)})

    def change_feed(self, request):
        """v8 Events (ids and statuses, long poll) or v7 JobSessions/Changes (whole sessions, no wait)."""
        version, query = request.version, request.query
        emulator = self.emulator
        start = query.get('from') or 'latest'
        if version == 'v8' and not query.get('from'):
            return self.send_error_body(400, 'The from parameter is required.', version, 'ParameterValidationFailure')
        if start == 'latest':
            with emulator.changed:
                token = emulator.change_sequence
            return self.send_body(200, {'nextChangeToken': str(token), 'limit': 0, 'setId': str(uuid.uuid4()),
                                        'results': []})
        try:
            token = int(start)
            limit = min(max(int(query.get('limit', DEFAULT_LIMIT)), 1), MAX_LIMIT)
            wait = min(max(int(query.get('timeoutSeconds', 0)), 0), LONG_POLL_CAP_SECONDS) if version == 'v8' else 0
        except ValueError:
            return self.send_error_body(400, 'from, limit and timeoutSeconds must be a change token and integers.',
                                        version, 'ParameterValidationFailure')
        found = None if emulator.take_fault('outdate_change_tokens') else emulator.changes_after(token, wait)
        if found is None:
            return self.send_error_body(400, 'The change token is outdated. Start again from latest.', version,
                                        'OutdatedChangeToken')
        changes, _next = found
        changes = changes[:limit]
        next_token = changes[-1][0] if changes else token
        if version == 'v8':
            results = [{'eventType': 'JobSessionUpdate', 'id': session.id, 'eTag': session.etag,
                        'jobId': session.job['id'], 'status': session.status,
                        'jobType': 'Backup'} for _sequence, session in changes]
        else:
            latest = collections.OrderedDict()
            for _sequence, session in changes:
                latest.pop(session.id, None)
                latest[session.id] = session.as_json(version)
            results = list(latest.values())
        return self.send_body(200, {'nextChangeToken': str(next_token), 'limit': limit, 'setId': str(uuid.uuid4()),
                                    'results': results})

    def session_list(self, request):
        version, query = request.version, request.query
        sessions = list(self.emulator.world.sessions)
        if version in ('v7', 'v8') and query.get('jobId'):
            sessions = [session for session in sessions if session.job['id'] == query['jobId'].lower()]
        if version == 'v8' and query.get('status'):
            wanted = {'Succeeded': 'Success'}.get(query['status'], query['status'])
            sessions = [session for session in sessions if session.status == wanted]
        try:
            if version != 'v5' and query.get('endTimeLowerBound'):
                bound = parse_time(query['endTimeLowerBound'])
                sessions = [session for session in sessions if session.end_time() and session.end_time() >= bound]
            if version in ('v7', 'v8') and query.get('endTimeUpperBound'):
                bound = parse_time(query['endTimeUpperBound'])
                sessions = [session for session in sessions if session.end_time() and session.end_time() <= bound]
        except ValueError as exc:
            return self.send_error_body(400, str(exc), version, 'ParameterValidationFailure')
        return self.send_page(version, [session.as_json(version) for session in sessions], query,
                              '/%s/JobSessions' % version)

    def page_window(self, query, total):
        try:
            offset = max(0, int(query.get('offset', 0)))
            limit = int(query.get('limit', DEFAULT_LIMIT))
        except ValueError:
            return None
        limit = min(max(limit, 1), MAX_LIMIT)
        cap = self.emulator.faults['page_cap']
        if cap:
            limit = min(limit, cap)
        return offset, limit, min(total, offset + limit)

    def page_links(self, version, base, offset, limit, count, total):
        def href(at):
            link = '%s?offset=%d&limit=%d' % (base, at, limit)
            return V5_LINK_HOST + link if version == 'v5' else link
        links = {'first': {'href': href(0)}}
        if offset > 0:
            links['prev'] = {'href': href(max(0, offset - limit))}
        if offset + count < total:
            links['next'] = {'href': href(offset + count)}
        return links

    def send_page(self, version, results, query, base):
        window = self.page_window(query, len(results))
        if window is None:
            return self.send_error_body(400, 'offset and limit must be integers.', version,
                                        'ParameterValidationFailure')
        offset, limit, end = window
        chunk = results[offset:end]
        body = {'offset': offset, 'limit': limit, 'results': chunk,
                '_links': self.page_links(version, base, offset, limit, len(chunk), len(results))}
        return self.send_body(200, body)

    def log_items(self, request):
        session = self.find_session(request)
        if session is None:
            return None
        version, query, emulator = request.version, request.query, self.emulator
        if session.running and emulator.faults['append_per_page']:
            with session.lock:
                session.item_count += emulator.faults['append_per_page']
        total = session.item_count
        descending = version == 'v8' and str(query.get('orderAsc', 'true')).lower() == 'false'
        wanted_type = query.get('type') if version == 'v8' else None
        window = self.page_window(query, total)
        if window is None:
            return self.send_error_body(400, 'offset and limit must be integers.', version,
                                        'ParameterValidationFailure')
        offset, limit, end = window
        if emulator.faults['ignore_offset'] or emulator.faults['invent_items']:
            # The same first page for every offset, or new items at every offset: a next link either way.
            start = 0 if emulator.faults['ignore_offset'] else offset
            results = [session.item(index, version) for index in range(start, start + limit)]
            base = '/%s/JobSessions/%s/LogItems' % (version, session.id)
            return self.send_body(200, {'offset': offset, 'limit': limit, 'results': results, '_links': {
                'next': {'href': '%s?offset=%d&limit=%d' % (base, offset + limit, limit)}}})
        if wanted_type:
            # A type filter needs a scan; sessions that large are for benchmarks, which do not filter.
            indexes = [index for index in range(total)
                       if {'Failed': 'Error'}.get(session.item_status(index), session.item_status(index)) == wanted_type]
            if descending:
                indexes.reverse()
            total = len(indexes)
            end = min(total, offset + limit)
            chosen = indexes[offset:end]
        elif descending:
            chosen = range(total - 1 - offset, total - 1 - end, -1)
        else:
            chosen = range(offset, end)
        cache_key = (session.id, version, offset, limit, descending, wanted_type)
        cacheable = not session.running and not is_hostile(emulator.faults)
        payload = emulator.page_cache.get(cache_key) if cacheable else None
        if payload is None:
            results = [session.item(index, version) for index in chosen]
            base = '/%s/JobSessions/%s/LogItems' % (version, session.id)
            body = {'offset': offset, 'limit': limit, 'results': results,
                    '_links': self.page_links(version, base, offset, limit, len(results), total)}
            payload = encode_json(make_hostile(body, emulator.faults) if is_hostile(emulator.faults) else body)
            if cacheable:
                emulator.page_cache.put(cache_key, payload)
        if emulator.take_fault('close_mid_body'):
            self.send_response(200)
            self.send_header('Content-Type', 'application/json; charset=utf-8')
            self.send_header('Content-Length', str(len(payload)))
            self.end_headers()
            self.wfile.write(payload[:len(payload) // 2])
            self.wfile.flush()
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return None
        return self.send_body(200, raw=payload)

    # -- job actions ----------------------------------------------------------------------------

    def job_start(self, request):
        return self.job_action(request, 'start')

    def job_stop(self, request):
        return self.job_action(request, 'stop')

    def job_enable(self, request):
        return self.job_action(request, 'enable')

    def job_disable(self, request):
        return self.job_action(request, 'disable')

    def job_action(self, request, action):
        """Start, stop, enable or disable a job as v6 to v8 do: 204, except v8's start, which answers the session."""
        emulator = self.emulator
        version, body = request.version, request.body
        job = self.find_job(request.ids[0])
        if job is None:
            return self.not_found(version, 'Job')
        with emulator.lock:
            running = next((session for session in emulator.world.sessions
                            if session.job is job and session.running), None)
            emulator.counters['job %s' % action] += 1
        if action in ('enable', 'disable'):
            with emulator.lock:
                job['enabled'] = action == 'enable'
            return self.send_body(204)
        if action == 'stop':
            if running is None:
                return self.send_error_body(400, "Job '%s' is not running." % job['name'], version, 'OperationConflict')
            emulator.finish_session(running, 'Stopped')
            return self.send_body(204)
        if not job['enabled']:
            return self.send_error_body(400, "Job '%s' is disabled." % job['name'], version, 'OperationConflict')
        if running is not None:
            return self.send_error_body(400, "Job '%s' is already running." % job['name'], version,
                                        'OperationConflict')
        try:
            options = json.loads(body.decode() or '{}')
        except ValueError:
            return self.send_error_body(400, 'The request body is not JSON.', version, 'ParameterValidationFailure')
        if options.get('full'):
            with emulator.lock:
                emulator.counters['job start full'] += 1
        session = emulator.start_session(job['id'], 20)
        status = emulator.faults['job_run_status']

        def finish():
            if session.running:
                emulator.finish_session(session, status)

        timer = threading.Timer(float(emulator.faults['job_run_seconds']), finish)
        timer.daemon = True
        timer.start()
        if emulator.faults['job_start_answer_delay']:
            time.sleep(float(emulator.faults['job_start_answer_delay']))
        if version == 'v8':
            return self.send_body(200, session.as_json(version))
        return self.send_body(204)

    # -- admin ----------------------------------------------------------------------------------

    def admin(self, method, segments, body):
        emulator = self.emulator
        if segments == ['faults'] and method == 'POST':
            try:
                changes = json.loads(body.decode() or '{}')
            except ValueError:
                return self.send_body(400, {'message': 'Send a JSON object of fault settings.'})
            unknown = sorted(set(changes) - set(FAULT_DEFAULTS))
            if unknown:
                return self.send_body(400, {'message': 'Unknown fault(s): %s. Known: %s'
                                            % (', '.join(unknown), ', '.join(sorted(FAULT_DEFAULTS)))})
            with emulator.lock:
                emulator.faults.update(changes)
                if changes.get('token_rate_limit') is False:
                    emulator.login_times.clear()
            return self.send_body(200, emulator.faults)
        if segments == ['reset'] and method == 'POST':
            with emulator.lock:
                rate_limit = emulator.faults['token_rate_limit']
                emulator.faults = dict(FAULT_DEFAULTS, token_rate_limit=rate_limit)
                emulator.counters.clear()
                emulator.login_times.clear()
            return self.send_body(200, emulator.faults)
        if segments == ['sessions'] and method == 'POST':
            request = json.loads(body.decode() or '{}')
            try:
                seed = None if request.get('seed') is None else int(request['seed'])
                session = emulator.start_session(str(request.get('job', '')), int(request.get('items', 20)), seed)
            except ValueError:
                return self.send_body(400, {'message': 'items and seed are whole numbers.'})
            except KeyError:
                return self.send_body(400, {'message': 'No job is named or has the id %r.' % request.get('job')})
            return self.send_body(200, {'id': session.id, 'job_id': session.job['id'], 'status': session.status})
        if len(segments) == 3 and segments[0] == 'sessions' and segments[2] == 'finish' and method == 'POST':
            session = emulator.world.by_id.get(segments[1])
            request = json.loads(body.decode() or '{}')
            status = request.get('status', 'Success')
            if session is None or not session.running:
                return self.send_body(400, {'message': 'No running session %s.' % segments[1]})
            if status not in ('Success', 'Warning', 'Failed', 'Stopped'):
                return self.send_body(400, {'message': 'status is one of Success, Warning, Failed, Stopped.'})
            # The server's own retry of a failed session (jobWillBeRetried, v7 and later).
            session.will_be_retried = bool(request.get('will_be_retried', False))
            emulator.finish_session(session, status)
            return self.send_body(200, {'id': session.id, 'status': session.status,
                                        'end_time': fmt_time(session.end_time())})
        if segments == ['state'] and method == 'GET':
            with emulator.lock:
                state = {'faults': emulator.faults, 'counters': dict(emulator.counters),
                         'issued_secrets': list(emulator.issued), 'live_tokens': len(emulator.tokens)}
            return self.send_body(200, state)
        return self.send_body(404, {'message': 'Admin endpoints: POST /_emulator/faults, POST /_emulator/reset, '
                                               'GET /_emulator/state, POST /_emulator/sessions, '
                                               'POST /_emulator/sessions/{id}/finish'})

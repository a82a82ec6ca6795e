# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vb365.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:

    # The connection options every module of the collection takes (vb365_module.connection_argument_spec).
    DOCUMENTATION = r'''
options:
  server:
    description:
      - The Veeam Backup for Microsoft 365 server that runs the REST API.
      - A host name or IP address, or a URL C(https://host[:port]). A port in the URL wins over O(port).
      - A URL with a path, query or a scheme other than C(https) is refused. C(http://) is accepted
        with a warning, because credentials would cross the network unencrypted.
      - If not set, the value of the E(VB365_SERVER) environment variable is used.
    type: str
    required: true
  port:
    description:
      - TCP port of the REST API.
      - If not set, the value of the E(VB365_PORT) environment variable is used.
    type: int
    default: 4443
  username:
    description:
      - Account to log in with, together with O(password). The module logs in at most once per run.
      - Give either O(username) and O(password), or O(access_token) and/or O(refresh_token).
      - When the task gives none of O(username), O(password), O(access_token) and O(refresh_token),
        they are read together from E(VB365_USERNAME), E(VB365_PASSWORD), E(VB365_ACCESS_TOKEN) and
        E(VB365_REFRESH_TOKEN). Credentials given to the task replace the environment's as a whole.
    type: str
  password:
    description:
      - Password of O(username).
      - Read from E(VB365_PASSWORD) under the rule described for O(username).
    type: str
  access_token:
    description:
      - A bearer token obtained earlier, for example with M(vb365.backup.token), used as it is; no login.
      - If the server refuses it (HTTP 401) and O(refresh_token) is given, the module refreshes once.
      - Read from E(VB365_ACCESS_TOKEN) under the rule described for O(username).
    type: str
  refresh_token:
    description:
      - A refresh token; the module trades it for a new access token when it needs one.
      - May be given with O(access_token).
      - Read from E(VB365_REFRESH_TOKEN) under the rule described for O(username).
    type: str
  api_version:
    description:
      - REST API version to use.
      - V(auto) finds the newest version the server serves (v8, v7, v6, then v5) with anonymous
        requests, before and without a login. A fixed version sends no probe.
      - If not set, the value of the E(VB365_API_VERSION) environment variable is used.
    type: str
    choices: [auto, v5, v6, v7, v8]
    default: auto
  validate_certs:
    description:
      - Whether to verify the server's TLS certificate.
      - VB365 servers usually have a self-signed certificate; prefer giving its CA with O(ca_path)
        over turning verification off.
      - If not set, the value of the E(VB365_VALIDATE_CERTS) environment variable is used.
    type: bool
    default: true
  ca_path:
    description:
      - PEM file with the CA certificate(s) that signed the server certificate.
      - Used for this module's requests only, whatever E(REQUESTS_CA_BUNDLE) says.
      - If not set, the value of the E(VB365_CA_PATH) environment variable is used.
    type: path
  timeout:
    description:
      - Seconds a request may take, from sending it to the last byte of the answer; a server that sends
        its answer slowly, byte by byte, cannot hold the task longer.
      - If not set, the value of the E(VB365_TIMEOUT) environment variable is used.
    type: int
    default: 30
  retries:
    description:
      - How many more times a request is sent after a connection error, a timeout, or HTTP 429, 500,
        502, 503 or 504, with jittered exponential backoff that honours C(Retry-After). Each retry is
        reported as a warning.
      - HTTP 400, 403 and 404 are never retried. HTTP 401 leads to one token renewal, never more.
      - If not set, the value of the E(VB365_RETRIES) environment variable is used.
    type: int
    default: 3
requirements:
  - requests >= 2.25 (Python library, on the host that runs the module)
notes:
  - The server allows about five logins a minute. A module run logs in at most once and reuses the
    token on every page; to share one login between tasks, use M(vb365.backup.token).
  - Passwords and tokens never appear in results, warnings or errors, also when a server echoes them
    back in an error text (URL-encoded, JSON-escaped, HTML-escaped or base64 forms are masked too).
  - No redirect is ever followed, so that a password or token cannot reach another host or plain http;
    a redirect fails the task and says where the server pointed.
  - A module that logged in with O(username) and O(password) logs its token out when it ends (REST API
    v7 and v8); a token given to it is never logged out.
'''

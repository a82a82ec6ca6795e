# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vb365.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The option layer (module_utils/options.py and the role's argument spec) as a new admin meets it in the first hour,
through real ansible-playbook runs on the core under test.

Each wrong input must end in a message that says what to do, before any request where the input
alone is wrong (the emulator's counters prove it), and no core may hide a login failure.
"""

from __future__ import annotations

import glob
import json
import os
import re
import subprocess

import pytest
import yaml

from helpers.playbooks import ROOT, api_requests, connection, role_env, run_playbook, run_role


class TestRoleSendsNothingForBadInput:
    @pytest.mark.parametrize('extra_vars, env, message', [
        ({'vb365_job_session_id': 'last-night'}, {},
         "vb365_job_session_id 'last-night' is not a UUID"),
        ({'vb365_job_name': 'Contoso - Mailboxes'}, {'VB365_API_VERSION': '8'},
         "vb365_api_version '8' is not one of auto, v5, v6, v7, v8 (it came from the environment variable "
         "VB365_API_VERSION)"),
        ({'vb365_job_name': 'Contoso - Mailboxes'}, {'VB365_VALIDATE_CERTS': 'maybe'},
         'it came from the environment variable VB365_VALIDATE_CERTS'),
        ({'vb365_job_name': 'Contoso - Mailboxes', 'vb365_status': ['Warn']}, {},
         'Unknown status word(s) warn in vb365_status or vb365_fail_on'),
        ({'vb365_job_name': 'Contoso - Mailboxes', 'vb365_report_dir': '/proc/vb365-reports'}, {},
         'Cannot write the reports to vb365_report_dir /proc/vb365-reports'),
    ])
    def test_refused_before_the_login(self, fresh, tmp_path, extra_vars, env, message):
        result = run_role(fresh, tmp_path, extra_vars, env=role_env(fresh, **env))
        assert result.returncode != 0
        assert message in result.stdout
        assert api_requests(fresh) == {}


class TestRoleShowsEveryLoginFailure:
    """ansible-core 2.17 and 2.18 censor the message of a failing no_log task: the role must not rely on it."""

    def test_wrong_password(self, fresh, tmp_path):
        result = run_role(fresh, tmp_path, {'vb365_job_name': 'Contoso - Mailboxes'},
                          env=role_env(fresh, VB365_PASSWORD='Wrong-Passw0rd!'))
        assert result.returncode != 0
        assert 'The user name or password is incorrect' in result.stdout
        assert 'the output has been hidden' not in result.stdout
        assert 'Wrong-Passw0rd!' not in result.stdout

    def test_missing_ca_file(self, fresh, tmp_path):
        missing = str(tmp_path / 'no-such-ca.pem')
        result = run_role(fresh, tmp_path, {'vb365_job_name': 'Contoso - Mailboxes'},
                          env=role_env(fresh, VB365_CA_PATH=missing))
        assert result.returncode != 0
        assert 'ca_path %s does not exist' % missing in result.stdout
        assert 'the output has been hidden' not in result.stdout
        assert api_requests(fresh) == {}

    def test_server_down(self, fresh, tmp_path):
        result = run_role(fresh, tmp_path, {'vb365_job_name': 'Contoso - Mailboxes'},
                          env=role_env(fresh, VB365_SERVER='https://127.0.0.1:9', VB365_RETRIES='0'))
        assert result.returncode != 0
        assert 'Could not reach https://127.0.0.1:9' in result.stdout
        assert 'the output has been hidden' not in result.stdout


class TestRoleReports:
    def test_running_session_is_not_ok(self, fresh, tmp_path):
        running = fresh.session(running=True)
        result = run_role(fresh, tmp_path, {'vb365_job_session_id': running['id'],
                                            'vb365_report_formats': ['markdown', 'html'],
                                            'vb365_status': ['running', 'SUCCESS']})
        assert result.returncode == 0, result.stdout[-3000:]
        base = tmp_path / 'reports' / ('vb365-localhost-session-%s' % running['id'])
        markdown = base.with_suffix('.md').read_text()
        assert markdown.splitlines()[0].endswith(' - RUNNING')
        html = base.with_suffix('.html').read_text()
        assert '<meta name="viewport"' in html
        assert '<div class="verdict Running">' in html
        assert html.index('RUNNING') < html.index('<table')
        facts = json.loads((tmp_path / 'facts.json').read_text())
        assert {item['status'] for item in facts['vb365_log_items']} <= {'Running', 'Success'}
        assert 'Verdict RUNNING. Reports in %s' % (tmp_path / 'reports') in result.stdout

    def test_failed_session_html_reads_at_a_glance(self, fresh, tmp_path):
        failed = fresh.session(job_name='Fabrikam - All users', status='Failed')
        result = run_role(fresh, tmp_path, {'vb365_job_session_id': failed['id'], 'vb365_report_formats': ['html']})
        assert result.returncode == 0, result.stdout[-3000:]
        html = (tmp_path / 'reports' / ('vb365-localhost-session-%s.html' % failed['id'])).read_text()
        assert '<div class="verdict Error">' in html
        assert re.search(r'<h1>FAILED: Fabrikam - All users</h1>', html)
        assert re.search(r'<tr><th>Duration</th><td>\d+ s</td></tr>', html)


class TestModuleFirstContact:
    def read(self, emulator, tmp_path, params, **conn_overrides):
        result_file = tmp_path / 'result.json'
        run_playbook('read', {'conn': connection(emulator, **conn_overrides), 'params': params,
                              'result_file': str(result_file)}, tmp_path)
        return json.loads(result_file.read_text())

    def test_plain_http_against_the_https_port(self, fresh, tmp_path):
        session = fresh.session(status='Success')
        result = self.read(fresh, tmp_path, {'job_session_id': session['id']},
                           server=fresh.url.replace('https://', 'http://'))
        assert result['failed']
        assert 'closed the connection without answering plain HTTP: that port probably serves HTTPS' in result['msg']
        assert 'retry' not in json.dumps(result.get('warnings', []))

    def test_a_ca_that_signed_something_else(self, fresh, make_emulator, tmp_path):
        other = make_emulator('--product', '8')
        session = fresh.session(status='Success')
        result = self.read(fresh, tmp_path, {'job_session_id': session['id']}, ca_path=other.info['ca_path'])
        assert result['failed']
        assert 'The CA in ca_path %s did not verify the server certificate' % other.info['ca_path'] in result['msg']
        assert 'openssl s_client -connect' in result['msg']

    def test_not_pem_ca_file(self, fresh, tmp_path):
        ca_file = tmp_path / 'ca.der'
        ca_file.write_bytes(b'\x30\x82\x03\x00 not pem')
        session = fresh.session(status='Success')
        result = self.read(fresh, tmp_path, {'job_session_id': session['id']}, ca_path=str(ca_file))
        assert result['failed']
        assert 'holds no PEM certificate' in result['msg']
        assert api_requests(fresh) == {}


def readme_own_server_commands():
    """The ansible-playbook lines of the README's block for a user's own server."""
    with open(os.path.join(ROOT, 'README.md')) as handle:
        text = handle.read()
    block = text.split('The same playbook against your own server:', 1)[1].split('```sh', 1)[1].split('```', 1)[0]
    commands = [line.split('   #', 1)[0].strip() for line in block.splitlines() if line.startswith('ansible-playbook')]
    assert len(commands) >= 2, 'the README lost its own-server commands'
    return commands


def test_readme_own_server_commands_run_as_written(fresh, tmp_path):
    """Installation, export and read lines need a real server and a person; the playbook lines run as written."""
    home = tmp_path / 'home'
    home.mkdir()
    session = fresh.session(job_name='Contoso - Mailboxes', status='Success')
    env = dict(os.environ, HOME=str(home), ANSIBLE_NOCOLOR='1', ANSIBLE_LOCALHOST_WARNING='0',
               ANSIBLE_INVENTORY_UNPARSED_WARNING='0', **role_env(fresh))
    for command in readme_own_server_commands():
        command = command.replace('<session uuid>', session['id'])
        result = subprocess.run(['bash', '-c', command], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env,
                                universal_newlines=True, timeout=300, cwd=str(tmp_path), check=False)
        assert result.returncode == 0, '%s\n%s' % (command, result.stdout[-4000:])
    reports = glob.glob(str(home / 'vb365-reports' / 'vb365-localhost-session-*.md'))
    assert len(reports) == 1, 'the default report folder is ~/vb365-reports'
    with open(reports[0]) as handle:
        assert handle.readline().startswith('# VB365 backup report: Contoso - Mailboxes - ')


def test_readme_fleet_inventory_and_command_run_as_written(fresh, tmp_path):
    """The README's inventory, with its example servers pointed at the emulator, and its fleet command."""
    with open(os.path.join(ROOT, 'README.md')) as handle:
        text = handle.read()
    section = text.split('## Every job on every server', 1)[1]
    inventory = yaml.safe_load(section.split('```yaml', 1)[1].split('```', 1)[0])
    command = section.split('```sh', 1)[1].split('```', 1)[0].strip()
    hosts = inventory['vb365_servers']['hosts']
    for host in hosts.values():
        host['vb365_server'] = fresh.url
    inventory['vb365_servers']['vars']['vb365_ca_path'] = fresh.info['ca_path']
    (tmp_path / 'vb365-servers.yml').write_text(yaml.safe_dump(inventory))
    home = tmp_path / 'home'
    home.mkdir()
    env = dict(os.environ, HOME=str(home), ANSIBLE_NOCOLOR='1', **role_env(fresh))
    result = subprocess.run(['bash', '-c', command], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env,
                            universal_newlines=True, timeout=300, cwd=str(tmp_path), check=False)
    assert result.returncode == 0, '%s\n%s' % (command, result.stdout[-4000:])
    overview = json.loads((home / 'vb365-reports' / 'vb365-overview.json').read_text())
    assert sorted(server['host'] for server in overview['servers']) == sorted(hosts)
    assert fresh.admin('state')['counters']['logins password'] == len(hosts)

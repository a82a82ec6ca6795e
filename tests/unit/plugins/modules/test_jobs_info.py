# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vb365.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import datetime

import pytest

from ansible_collections.vb365.backup.plugins.modules.jobs_info import main
from ansible_collections.vb365.backup.tests.unit.plugins.wire import PASSWORD, legacy_item, run_module, v8_item

ORG_A = '0b5e4c36-4a4e-4f5a-9e59-3a2a1c0f9d11'
ORG_B = '1c6f5d47-5b5f-4a6b-8f6a-4b3b2d1a0e22'
JOB_OK = '00000000-0000-4000-8000-000000000001'
JOB_WARN = '00000000-0000-4000-8000-000000000002'
JOB_FAIL = '00000000-0000-4000-8000-000000000003'
JOB_MISSED = '00000000-0000-4000-8000-000000000004'
JOB_OFF = '00000000-0000-4000-8000-000000000005'


def ago(hours):
    moment = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(hours=hours)
    return moment.strftime('%Y-%m-%dT%H:%M:%S.0000000+00:00')


def job(job_id, name, org, enabled=True, version='v8', last_status='Success', last_run_hours=10):
    body = {'id': job_id, 'name': name, 'isEnabled': enabled, 'lastStatus': last_status, 'lastRun': ago(last_run_hours),
            'nextRun': None, 'backupType': 'EntireOrganization', 'description': ''}
    if version == 'v8':
        body['organizationId'] = org
    else:
        body['_links'] = {'organization': {'href': 'https://vbo-internal:4443/%s/Organizations/%s' % (version, org)}}
    return body


def session(number, job_id, status, hours, version='v8', retried=False):
    body = {'id': '10000000-0000-4000-8000-%012d' % number, 'status': status, 'creationTime': ago(hours),
            'endTime': ago(hours - 1), 'retryCount': 0, 'progress': 100, 'details': '', 'statistics': {}}
    if version == 'v8':
        body.update({'jobId': job_id, 'jobWillBeRetried': retried})
    else:
        body['_links'] = {'job': {'href': '/%s/Jobs/%s' % (version, job_id)}}
    return body


def page(results, limit=1000):
    return {'offset': 0, 'limit': limit, 'results': results, '_links': {}}


def args(**overrides):
    base = dict(server='vb365.test', username='backup-admin', password=PASSWORD, api_version='v8')
    base.update(overrides)
    return dict((key, value) for key, value in base.items() if value is not None)


JOBS_V8 = [job(JOB_OK, 'Contoso - Mailboxes', ORG_A), job(JOB_WARN, 'Contoso - OneDrive', ORG_A),
           job(JOB_FAIL, 'Müller & Söhne – Exchange', ORG_B), job(JOB_MISSED, 'Archive', ORG_B, last_run_hours=80),
           job(JOB_OFF, 'Legacy', ORG_A, enabled=False, last_run_hours=700)]
ORGS = [{'id': ORG_A, 'name': 'Contoso Ltd'}, {'id': ORG_B, 'name': 'Müller & Söhne GmbH'}]


def expect_listing(wire, version='v8', jobs=None):
    jobs = jobs if jobs is not None else JOBS_V8
    if version == 'v8':
        wire.expect('GET', '/v8/Jobs', query={'offset': '0', 'limit': '1000'}, body=page(jobs))
        wire.expect('GET', '/v8/Organizations', query={'offset': '0', 'limit': '1000'}, body=page(ORGS))
    else:
        wire.expect('GET', '/%s/Jobs' % version, query={'offset': '0', 'limit': '1000'}, body=jobs)
        wire.expect('GET', '/%s/Organizations' % version, query={'offset': '0', 'limit': '1000'}, body=ORGS)


def expect_log(wire, version, session_id, items):
    wire.expect('GET', '/%s/JobSessions/%s/LogItems' % (version, session_id), query={'offset': '0', 'limit': '10000'},
                body=page(items, 10000))


def test_every_enabled_job_with_its_newest_session_counts_and_verdict(wire, capsys):
    wire.login()
    expect_listing(wire)
    # Sessions in no particular order: the newest is found by creation time.
    wire.expect('GET', '/v8/JobSessions', query={'offset': '0', 'limit': '1000', 'jobId': JOB_OK},
                body=page([session(2, JOB_OK, 'Failed', 34), session(1, JOB_OK, 'Success', 10)]))
    expect_log(wire, 'v8', session(1, JOB_OK, 'Success', 10)['id'], [v8_item(1, 'Success', 'ok')])
    wire.expect('GET', '/v8/JobSessions', query={'offset': '0', 'limit': '1000', 'jobId': JOB_WARN},
                body=page([session(3, JOB_WARN, 'Success', 9)]))
    expect_log(wire, 'v8', session(3, JOB_WARN, 'Success', 9)['id'],
               [v8_item(1, 'Success', 'ok'), v8_item(2, 'Warning', 'w1'), v8_item(3, 'Warning', 'w2'),
                v8_item(4, 'Warning', 'w3')])
    wire.expect('GET', '/v8/JobSessions', query={'offset': '0', 'limit': '1000', 'jobId': JOB_FAIL},
                body=page([session(4, JOB_FAIL, 'Failed', 8, retried=True)]))
    expect_log(wire, 'v8', session(4, JOB_FAIL, 'Failed', 8)['id'], [v8_item(1, 'Error', 'denied')])
    wire.expect('GET', '/v8/JobSessions', query={'offset': '0', 'limit': '1000', 'jobId': JOB_MISSED},
                body=page([session(5, JOB_MISSED, 'Success', 80)]))
    expect_log(wire, 'v8', session(5, JOB_MISSED, 'Success', 80)['id'], [v8_item(1, 'Success', 'ok')])
    failed, result = run_module(main, args(include_last_session=True, attention_limit=2), capsys)
    assert not failed
    jobs = dict((entry['name'], entry) for entry in result['jobs'])
    assert list(jobs) == ['Contoso - Mailboxes', 'Contoso - OneDrive', 'Müller & Söhne – Exchange', 'Archive']
    assert [entry['verdict'] for entry in result['jobs']] == ['Success', 'Warning', 'Error', 'Missed']
    assert jobs['Contoso - Mailboxes']['session']['id'] == session(1, JOB_OK, 'Success', 10)['id']
    assert jobs['Müller & Söhne – Exchange']['organization'] == 'Müller & Söhne GmbH'
    assert jobs['Müller & Söhne – Exchange']['will_retry'] is True
    assert jobs['Contoso - OneDrive']['will_retry'] is False
    warned = jobs['Contoso - OneDrive']
    assert warned['summary']['by_status']['Warning'] == 3
    assert [item['message'] for item in warned['attention']] == ['w1', 'w2']
    assert warned['attention_left_out'] == 1


def test_v6_reads_the_organization_link_and_the_jobs_own_session_path(wire, capsys):
    jobs = [job(JOB_OK, 'Contoso - Mailboxes', ORG_A, version='v6')]
    wire.login(version='v6')
    expect_listing(wire, 'v6', jobs)
    wire.expect('GET', '/v6/Jobs/%s/JobSessions' % JOB_OK, query={'offset': '0', 'limit': '1000'},
                body=page([session(1, JOB_OK, 'Warning', 5, version='v6')]))
    expect_log(wire, 'v6', session(1, JOB_OK, 'Warning', 5)['id'], [legacy_item(1, '[Warning] big item')])
    failed, result = run_module(main, args(api_version='v6', include_last_session=True), capsys)
    assert not failed
    assert result['jobs'][0]['organization'] == 'Contoso Ltd'
    assert result['jobs'][0]['verdict'] == 'Warning'
    assert result['jobs'][0]['will_retry'] is False


def test_without_sessions_two_requests_and_a_verdict_from_the_job(wire, capsys):
    wire.login()
    expect_listing(wire)
    failed, result = run_module(main, args(enabled_only=False), capsys)
    assert not failed
    assert [entry['verdict'] for entry in result['jobs']] == ['Success', 'Success', 'Success', 'Missed', 'Disabled']
    assert 'session' not in result['jobs'][0]


def test_names_ids_and_organization_filter(wire, capsys):
    wire.login()
    expect_listing(wire)
    failed, result = run_module(main, args(job_names=['contoso - onedrive'], job_ids=[JOB_OFF],
                                           organization='CONTOSO LTD'), capsys)
    assert not failed
    assert [entry['name'] for entry in result['jobs']] == ['Contoso - OneDrive', 'Legacy']


def test_unknown_name_lists_the_jobs(wire, capsys):
    wire.login()
    expect_listing(wire)
    failed, result = run_module(main, args(job_names=['Nightly']), capsys)
    assert failed
    assert result['msg'].startswith("No job is named 'Nightly'. Jobs on this server: Archive, Contoso - Mailboxes")


@pytest.mark.parametrize('overrides, fragment', [
    ({'job_ids': ['nightly']}, "job_ids[0] 'nightly' is not a UUID"),
    ({'attention_limit': -1}, 'attention_limit must be between 0 and 10000'),
    ({'missed_window_hours': 0}, 'missed_window_hours must be 1 or more'),
    ({'organization': ' '}, 'organization is empty'),
])
def test_bad_input_sends_nothing(wire, capsys, overrides, fragment):
    failed, result = run_module(main, args(**overrides), capsys)
    assert failed
    assert fragment in result['msg']

# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vb365.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""collect_jobs: each job's organization, newest session, counts-only operations, verdict and will_retry."""

from __future__ import annotations

import pytest

from ansible_collections.vb365.backup.plugins.module_utils.job_sessions import LookupFailure
from ansible_collections.vb365.backup.plugins.module_utils.jobs import (
    collect_jobs, find_organization, job_verdict, session_job_result, will_retry)
from ansible_collections.vb365.backup.plugins.module_utils.normalize import timestamp_ticks
from ansible_collections.vb365.backup.plugins.module_utils.vb365_api import Vb365Client
from ansible_collections.vb365.backup.tests.unit.plugins.wire import PASSWORD, legacy_item, v8_item

NOW = 1795937600.0  # 2026-11-29T07:33:20Z
RECENT = '2026-11-29T06:00:00.0000000+00:00'
OLD = '2026-11-27T06:00:00.0000000+00:00'  # older than the 30-hour window
ORG_A = '0b5e4c36-4a4e-4f5a-9e59-3a2a1c0f9d11'
ORG_B = '1c6f5d47-5b5f-4a6b-8f6a-4b3b2d1a0e22'
ORGS = [{'id': ORG_A, 'name': 'Contoso Ltd'}, {'id': ORG_B, 'name': 'Fabrikam <script>x</script>'}]


def jid(number):
    return '40000000-0000-4000-8000-%012d' % number


def sid(number):
    return '50000000-0000-4000-8000-%012d' % number


def raw_job(number, name, org=ORG_A, version='v8', enabled=True, last_status='Success', last_run=RECENT):
    body = {'id': jid(number), 'name': name, 'description': 'nightly', 'backupType': 'EntireOrganization',
            'isEnabled': enabled, 'lastRun': last_run, 'nextRun': '2026-11-30T06:00:00.0000000+00:00',
            'lastStatus': last_status, 'schedulePolicy': {'retryEnabled': True, 'retryNumber': 3}}
    if version == 'v8':
        body['organizationId'] = org
    else:
        body['_links'] = {'organization': {'href': '/%s/Organizations/%s' % (version, org)}}
    return body


def raw_session(number, job, status, created=RECENT, retried=False):
    return {'id': sid(number), 'jobId': job, 'status': status, 'creationTime': created, 'endTime': None,
            'retryCount': 0, 'jobWillBeRetried': retried, 'statistics': {}}


def v6_session(number, job, status):
    # Before v7 a session has no retry flag, and before v8 only its job link names the job.
    body = raw_session(number, job, status)
    del body['jobId'], body['jobWillBeRetried']
    body['_links'] = {'job': {'href': '/v6/Jobs/%s' % job}}
    return body


def page(results, limit=1000):
    return {'offset': 0, 'limit': limit, 'results': results, '_links': {}}


def jobs_client(warnings=None, version='v8'):
    return Vb365Client('vb365.test', username='backup-admin', password=PASSWORD, api_version=version,
                       warn=warnings.append if warnings is not None else None)


def expect_listing(wire, jobs, version='v8'):
    wire.login(version=version)
    wire.expect('GET', '/%s/Jobs' % version, query={'offset': '0', 'limit': '1000'},
                body=page(jobs) if version == 'v8' else jobs)
    wire.expect('GET', '/%s/Organizations' % version, query={'offset': '0', 'limit': '1000'},
                body=page(ORGS) if version == 'v8' else ORGS)


def expect_newest(wire, job, sessions, items):
    wire.expect('GET', '/v8/JobSessions', query={'offset': '0', 'limit': '1000', 'jobId': job}, body=page(sessions))
    if items is not None:
        newest = max(sessions, key=lambda raw: timestamp_ticks(raw['creationTime']))
        wire.expect('GET', '/v8/JobSessions/%s/LogItems' % newest['id'], query={'offset': '0', 'limit': '10000'},
                    body=page(items, 10000))


def test_a_session_made_worse_by_its_operations_counted_without_keeping_them(wire):
    expect_listing(wire, [raw_job(1, 'Contoso - Mailboxes')])
    items = [v8_item(1, 'Success', 'start')] + [v8_item(usn, 'Warning', 'quota %d' % usn) for usn in range(2, 6)]
    # The session says Success; its operations say Warning: the verdict is the worse of the two.
    # The newest by the clock: 08:00+02:00 is 06:00Z, later than 09:00+04:00 (05:00Z), which sorts last as text.
    expect_newest(wire, jid(1), [raw_session(1, jid(1), 'Success', created=OLD),
                                 raw_session(2, jid(1), 'Success', created='2026-11-29T08:00:00.0000000+02:00'),
                                 raw_session(3, jid(1), 'Failed', created='2026-11-29T09:00:00.0000000+04:00')],
                  items)
    result = collect_jobs(jobs_client(), include_last_session=True, attention_limit=2, now=NOW)
    job = result['jobs'][0]
    assert job['session']['id'] == sid(2) and job['session']['status'] == 'Success'
    assert job['verdict'] == 'Warning' and job['will_retry'] is False
    assert job['summary']['total'] == 5 and job['summary']['by_status']['Warning'] == 4
    assert [item['usn'] for item in job['attention']] == [2, 3] and job['attention_left_out'] == 2
    assert 'log_items' not in job, 'counts only: no operation list'
    assert (job['organization'], job['organization_id']) == ('Contoso Ltd', ORG_A)
    assert {key: job[key] for key in ('id', 'name', 'description', 'enabled', 'backup_type', 'last_run', 'next_run',
                                      'last_status')} == {
        'id': jid(1), 'name': 'Contoso - Mailboxes', 'description': 'nightly', 'enabled': True,
        'backup_type': 'EntireOrganization', 'last_run': RECENT, 'next_run': '2026-11-30T06:00:00.0000000+00:00',
        'last_status': 'Success'}


@pytest.mark.parametrize('status, retried, items, verdict, will_retry', [
    ('Failed', True, [v8_item(1, 'Error', 'denied')], 'Error', True),
    ('Failed', False, [v8_item(1, 'Error', 'denied')], 'Error', False),
    ('Warning', True, [v8_item(1, 'Warning', 'quota')], 'Warning', False),
    ('Success', True, [v8_item(1, 'Error', 'denied')], 'Error', True),
    ('Running', True, [v8_item(1, 'Error', 'denied')], 'Running', False),
    ('Stopped', False, [v8_item(1, 'Success', 'start')], 'Stop', False),
])
def test_will_retry_only_for_an_error_verdict(wire, status, retried, items, verdict, will_retry):
    expect_listing(wire, [raw_job(1, 'Mail')])
    expect_newest(wire, jid(1), [raw_session(1, jid(1), status, retried=retried)], items)
    job = collect_jobs(jobs_client(), include_last_session=True, now=NOW)['jobs'][0]
    assert (job['verdict'], job['will_retry']) == (verdict, will_retry)


def test_a_job_without_a_recent_session_is_missed_or_disabled(wire):
    expect_listing(wire, [raw_job(1, 'Old'), raw_job(2, 'Never'), raw_job(3, 'Off', enabled=False)])
    expect_newest(wire, jid(1), [raw_session(1, jid(1), 'Success', created=OLD)], [v8_item(1, 'Success', 'ok')])
    expect_newest(wire, jid(2), [], None)
    expect_newest(wire, jid(3), [raw_session(3, jid(3), 'Failed', created=OLD)], [v8_item(1, 'Error', 'x')])
    result = collect_jobs(jobs_client(), job_names=['Old', 'never', 'OFF'], include_last_session=True, now=NOW)
    assert [(job['name'], job['verdict']) for job in result['jobs']] == [
        ('Old', 'Missed'), ('Never', 'Missed'), ('Off', 'Disabled')]
    never = result['jobs'][1]
    assert never['session'] is None and never['summary'] is None and never['will_retry'] is False


def test_without_sessions_the_verdict_rests_on_the_job_and_disabled_jobs_are_left_out(wire):
    expect_listing(wire, [raw_job(1, 'A', last_status='Failed'), raw_job(2, 'B', last_status='Stopped'),
                          raw_job(3, 'C', last_run=OLD), raw_job(4, 'D', enabled=False),
                          dict(raw_job(5, 'E', last_status='Queued'), isEnabled=None)])
    result = collect_jobs(jobs_client(), now=NOW)
    assert [(job['name'], job['last_status'], job['verdict']) for job in result['jobs']] == [
        ('A', 'Error', 'Error'), ('B', 'Stop', 'Stop'), ('C', 'Success', 'Missed'), ('E', 'Unknown', 'Unknown')]
    assert all('session' not in job and 'will_retry' not in job for job in result['jobs'])
    assert len(wire.calls) == 3, 'two listings, nothing per job'


def test_v6_organization_comes_from_the_link_and_filters_by_name(wire):
    expect_listing(wire, [raw_job(1, 'A', ORG_A, 'v6'), raw_job(2, 'B', ORG_B, 'v6'),
                          raw_job(3, 'C', ORG_B.upper(), 'v6')], version='v6')
    result = collect_jobs(jobs_client(version='v6'), organization='FABRIKAM <SCRIPT>X</SCRIPT>', now=NOW)
    assert [(job['name'], job['organization']) for job in result['jobs']] == [
        ('B', 'Fabrikam <script>x</script>'), ('C', 'Fabrikam <script>x</script>')]
    assert result['jobs'][1]['organization_id'] == ORG_B.upper()


def test_names_and_ids_each_must_match_and_come_back_once_in_the_servers_order(wire):
    expect_listing(wire, [raw_job(1, 'A'), raw_job(2, 'B', enabled=False), raw_job(3, 'C')])
    result = collect_jobs(jobs_client(), job_names=['C', 'b'], job_ids=[jid(3).upper()], now=NOW)
    assert [job['name'] for job in result['jobs']] == ['B', 'C'], 'a job asked for by name is listed when disabled'


def test_an_unknown_organization_lists_the_known_ones():
    with pytest.raises(LookupFailure) as raised:
        find_organization(ORGS, 'Northwind')
    assert raised.value.message == ("No organization is named or has the id 'Northwind'. Organizations on this "
                                    "server: Contoso Ltd, Fabrikam <script>x</script>.")
    assert find_organization(ORGS, ORG_A.upper())['name'] == 'Contoso Ltd'


@pytest.mark.parametrize('enabled, status, started, verdict', [
    (True, 'Success', None, 'Missed'),
    (False, 'Success', None, 'Disabled'),
    (True, 'Running', None, 'Running'),
    (True, 'Error', 'not a time', 'Missed'),
    (True, 'Warning', '2026-11-28T01:33:20.0000000Z', 'Warning'),  # the window's first moment
    (True, 'Warning', '2026-11-28T01:33:19.9999999Z', 'Missed'),
])
def test_job_verdict(enabled, status, started, verdict):
    window_start = int(NOW * 10000000) - 30 * 3600 * 10000000
    assert job_verdict(enabled, status, started, window_start) == verdict


def test_v6_reads_the_jobs_own_session_path_and_v5_to_v7_titles(wire):
    expect_listing(wire, [raw_job(1, 'A', version='v6')], version='v6')
    wire.expect('GET', '/v6/Jobs/%s/JobSessions' % jid(1), query={'offset': '0', 'limit': '1000'},
                body=page([v6_session(1, jid(1), 'Success')]))
    wire.expect('GET', '/v6/JobSessions/%s/LogItems' % sid(1), query={'offset': '0', 'limit': '10000'},
                body=page([legacy_item(1, '[Success] Job started'), legacy_item(2, '[Failed] Mailbox denied')], 10000))
    job = collect_jobs(jobs_client(version='v6'), include_last_session=True, now=NOW)['jobs'][0]
    assert job['verdict'] == 'Error' and job['will_retry'] is False, 'v6 says nothing of retries'
    assert [item['message'] for item in job['attention']] == ['Mailbox denied']


def test_v8_every_page_of_jobs_and_organizations_is_read(wire):
    wire.login()
    for path, first, second in (('/v8/Jobs', [raw_job(1, 'A'), raw_job(2, 'B', ORG_B)], [raw_job(3, 'C', ORG_B)]),
                                ('/v8/Organizations', ORGS[:1], ORGS[1:])):
        # A server that caps the limit: full pages with a next link, then a short one.
        wire.expect('GET', path, query={'offset': '0', 'limit': '1000'},
                    body=dict(page(first, len(first)), _links={'next': {'href': 'next'}}))
        wire.expect('GET', path, query={'offset': str(len(first)), 'limit': '1000'}, body=page(second, len(first)))
    result = collect_jobs(jobs_client(), organization='fabrikam <script>x</script>', now=NOW)
    assert [(job['name'], job['organization_id']) for job in result['jobs']] == [('B', ORG_B), ('C', ORG_B)]


@pytest.mark.parametrize('retried, verdict, expected', [
    (True, 'Error', True), (True, 'Warning', False), (True, 'Stop', False), (False, 'Error', False),
    (None, 'Error', False)])
def test_a_session_is_left_to_the_server_only_when_it_failed_and_the_server_retries_it(retried, verdict, expected):
    session = {'id': 's', 'job_id': 'j', 'job_name': 'Contoso - Mailboxes', 'will_be_retried': retried}
    assert will_retry(session, verdict) is expected
    entry = session_job_result(session, {'total': 3}, [], 0, verdict)
    assert (entry['will_retry'], entry['verdict'], entry['job_name'], entry['job_id'], entry['organization']) == (
        expected, verdict, 'Contoso - Mailboxes', 'j', None)
    assert will_retry(None, 'Error') is False

# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vb365.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import pytest

from ansible_collections.vb365.backup.plugins.module_utils.server_health import (
    health_record, license_record, proxy_record, repository_record, worst)

NOW = 1800000000.0  # 2027-01-15T08:00:00Z


@pytest.mark.parametrize('raw, version, verdict', [
    ({'status': 'Expired', 'licenseExpires': '2027-01-01T00:00:00Z'}, 'v8', 'Error'),
    ({'status': 'Valid', 'licenseExpires': '2027-02-01T00:00:00Z', 'totalNumber': 5, 'usedNumber': 6}, 'v7', 'Error'),
    ({'status': 'Valid', 'licenseExpires': '2027-02-01T00:00:00Z', 'totalNumber': 5, 'usedNumber': 5}, 'v7', 'Warning'),
    ({'status': 'Valid', 'expirationDate': '2027-06-01T00:00:00Z'}, 'v6', 'Success'),
    ({'status': 'Valid', 'expirationDate': '2027-01-20T00:00:00Z'}, 'v6', 'Warning'),
])
def test_license_verdicts(raw, version, verdict):
    assert license_record(raw, version, 30, NOW)['verdict'] == verdict


def test_license_warning_days_is_the_limit():
    raw = {'status': 'Valid', 'licenseExpires': '2027-02-01T00:00:00Z'}
    assert license_record(raw, 'v8', 10, NOW)['verdict'] == 'Success'
    assert license_record(raw, 'v8', 10, NOW)['days_left'] == 16


@pytest.mark.parametrize('free, verdict', [(5, 'Error'), (6, 'Warning'), (14, 'Warning'), (15, 'Success')])
def test_repository_thresholds(free, verdict):
    assert repository_record({'name': 'R', 'capacityBytes': 100, 'freeSpaceBytes': free}, 85, 95)['verdict'] == verdict


def test_repository_unknown_size_outdated_and_out_of_sync():
    assert repository_record({'name': 'R', 'capacityBytes': None, 'freeSpaceBytes': None})['verdict'] == 'Success'
    assert repository_record({'name': 'R', 'isOutdated': True})['reasons'] == ['Repository R is outdated: upgrade it.']
    assert repository_record({'name': 'R', 'isOutOfSync': True})['verdict'] == 'Warning'


@pytest.mark.parametrize('raw, verdict', [
    ({'status': 'Offline'}, 'Error'),
    ({'status': 'Offline', 'maintenanceModeState': 'Disabled'}, 'Error'),
    ({'status': 'Offline', 'maintenanceModeState': 'Enabling'}, 'Success'),
    ({'status': 'Online', 'maintenanceModeState': 'Disabled'}, 'Success'),
])
def test_proxy_verdicts(raw, verdict):
    assert proxy_record(dict(raw, hostName='p'))['verdict'] == verdict


def test_health_names_the_component():
    record = health_record({'status': 'Unhealthy', 'entries': {'Db': {'status': 'Unhealthy', 'description': 'Full'}}})
    assert record['verdict'] == 'Error'
    assert record['reasons'] == ['Component Db is unhealthy: Full']
    assert health_record({'status': 'Healthy', 'entries': {}})['verdict'] == 'Success'


def test_worst():
    assert worst([]) == 'Success'
    assert worst(['Warning', 'Error', 'Success']) == 'Error'

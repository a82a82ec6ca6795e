# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vb365.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit fixtures: the wire (exact HTTP calls, in order), instant sleeps, a clock for job_actions and a clean VB365_*
environment."""

from __future__ import annotations

import pytest
import responses
from responses.registries import OrderedRegistry

from ansible_collections.vb365.backup.plugins.module_utils import job_actions, vb365_api
from ansible_collections.vb365.backup.tests.unit.plugins.wire import Wire


@pytest.fixture
def wire():
    with responses.RequestsMock(registry=OrderedRegistry, assert_all_requests_are_fired=True) as mock:
        Wire.current = Wire(mock)
        yield Wire.current
    Wire.current = None


@pytest.fixture
def sleeps(monkeypatch):
    """Every delay the client asked for, without waiting."""
    waited = []
    monkeypatch.setattr(vb365_api.time, 'sleep', waited.append)
    return waited


@pytest.fixture
def clock(monkeypatch):
    """A clock of job_actions that only moves when it sleeps; returns the sleeps."""
    now = [1000.0]
    slept = []

    def sleep(seconds):
        slept.append(seconds)
        now[0] += seconds
    monkeypatch.setattr(job_actions, '_sleep', sleep)
    monkeypatch.setattr(job_actions, '_monotonic', lambda: now[0])
    return slept


@pytest.fixture(autouse=True)
def clean_vb365_environment(monkeypatch):
    for name in ('SERVER', 'PORT', 'USERNAME', 'PASSWORD', 'ACCESS_TOKEN', 'REFRESH_TOKEN', 'API_VERSION',
                 'VALIDATE_CERTS', 'CA_PATH', 'TIMEOUT', 'RETRIES'):
        monkeypatch.delenv('VB365_' + name, raising=False)

# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vb365.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The client's post_once: an action is sent once, whatever becomes of its answer; only a 401 is resent."""

from __future__ import annotations

import pytest
import requests

from ansible_collections.vb365.backup.plugins.module_utils.vb365_api import Vb365Client, Vb365Error
from ansible_collections.vb365.backup.tests.unit.plugins.wire import PASSWORD

PATH = '/v8/Jobs/2dc1c0fd-8d7c-4848-a9bb-9ca16329eabd/start'


def client(**overrides):
    settings = dict(server='vb365.test', username='backup-admin', password=PASSWORD, api_version='v8', retries=5)
    settings.update(overrides)
    return Vb365Client(**settings)


@pytest.mark.parametrize('failure, kind', [
    (requests.exceptions.ReadTimeout('read timed out'), 'timeout'),
    (requests.exceptions.ConnectionError('Connection aborted.'), 'connection'),
    (503, 'http'), (500, 'http'), (429, 'http')])
def test_a_post_whose_answer_is_lost_or_refused_is_sent_once(wire, sleeps, failure, kind):
    wire.login()
    if isinstance(failure, int):
        wire.expect('POST', PATH, status=failure, body={'message': 'Try again later.'}, headers={'Retry-After': '1'})
    else:
        wire.expect('POST', PATH, exception=failure)
    with pytest.raises(Vb365Error) as raised:
        client().post_once(PATH[3:], {'full': False})
    assert raised.value.kind == kind
    assert raised.value.attempts == 1
    assert [call for call in wire.calls if call == ('POST', PATH)] == [('POST', PATH)]
    assert sleeps == []


def test_a_refused_token_is_renewed_and_the_post_sent_again(wire, sleeps):
    wire.expect('POST', PATH, status=401, body={'message': 'Authorization has been denied for this request.'})
    wire.login(access='access-two')
    wire.expect('POST', PATH, status=204)
    assert client(access_token='expired-one').post_once(PATH[3:], {'full': False}) == {}
    assert wire.request(2).headers['Authorization'] == 'Bearer access-two'


def test_reads_and_the_login_are_still_retried(wire, sleeps):
    wire.expect('POST', '/v8/token', status=503)
    wire.login()
    wire.expect('GET', '/v8/Jobs', status=503)
    wire.expect('GET', '/v8/Jobs', body=[])
    assert client().get('/Jobs') == []
    assert len(sleeps) == 2

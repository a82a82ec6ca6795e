# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vb365.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Jinja test vb365.backup.uuid, as a template uses it."""

from __future__ import annotations

import jinja2
import pytest

from ansible_collections.vb365.backup.plugins.test.uuid import TestModule as UuidTests

ID = '7f3f1f4e-2c41-4f7c-9b0e-5d2b8f7a9c10'


@pytest.mark.parametrize('value, expected', [
    (ID, True), (ID.upper(), True), (' %s' % ID, False), (ID + '\n', False), ('../' + ID, False),
    ('{{ lookup("pipe", "id") }}', False), ('', False), (None, False), (42, False), ([ID], False)])
def test_only_a_uuid_text_passes(value, expected):
    environment = jinja2.Environment()
    environment.tests.update(UuidTests().tests())
    assert environment.from_string('{{ value is uuid }}').render(value=value) == str(expected)

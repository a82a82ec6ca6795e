# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vb365.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Integration markers (which cores run a test) and the catcher fixture; the emulators come from tests/conftest.py."""

from __future__ import annotations

import pytest

from helpers.catcher import catching


def pytest_configure(config):
    config.addinivalue_line('markers', 'edge_cores_only: run on the lowest and the newest claimed core only '
                                       '(what it checks does not depend on the core; noxfile.py)')
    config.addinivalue_line('markers', 'newest_core_only: run on the newest claimed core only (long playbook round '
                                       'trips over what no core changes; noxfile.py)')
    config.addinivalue_line('markers', 'v8_on_every_core: the VB365 8 case runs on every core, the other releases '
                                       'as edge_cores_only (their answers differ by API version, not by core)')


def pytest_collection_modifyitems(items):
    for item in items:
        if item.get_closest_marker('v8_on_every_core'):
            params = getattr(getattr(item, 'callspec', None), 'params', {})
            if 8 not in params.values():
                item.add_marker(pytest.mark.edge_cores_only)


@pytest.fixture
def catcher():
    """The URL of a plain-http host that records what reaches it (helpers.catcher.Catcher.received)."""
    with catching() as url:
        yield url

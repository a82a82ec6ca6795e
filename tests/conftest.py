# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vb365.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fixtures every suite may use: emulators on 127.0.0.1 over HTTPS, each stopped when its test ends."""

from __future__ import annotations

import pytest


def start(folder, *arguments):
    # Imported here, not at the top: ansible-test units loads this file too, as part of the collection,
    # without the tests folder on the path (tests/pytest.ini puts it there for the other suites).
    import vb365_emulator  # pylint: disable=import-outside-toplevel
    return vb365_emulator.start(folder, *arguments)


@pytest.fixture
def make_emulator(tmp_path_factory):
    """make_emulator(*arguments) starts one more emulator with those command-line arguments."""
    started = []

    def factory(*arguments):
        emulator = start(tmp_path_factory.mktemp('emulator'), *arguments)
        started.append(emulator)
        return emulator

    yield factory
    for emulator in started:
        emulator.stop()


@pytest.fixture(scope='module')
def emulator8(tmp_path_factory):
    """A VB365 8 emulator without the login rate limit, shared by the tests of a module."""
    with start(tmp_path_factory.mktemp('emulator8'), '--product', '8', '--no-rate-limit') as emulator:
        yield emulator


@pytest.fixture
def fresh(emulator8):
    """The shared VB365 8 emulator with its faults and counters reset."""
    emulator8.admin('reset', {})
    return emulator8

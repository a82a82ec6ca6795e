# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vb365.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Changelog fragments in the form the Ansible ecosystem writes them (antsibull-changelog lint checks the rest)."""

from __future__ import annotations

import glob
import os
import re

import pytest
import yaml

FRAGMENTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'changelogs', 'fragments')
# "component - what changed": a plugin, role, playbook or area name, then " - ".
ENTRY = re.compile(r'\A[\w.,/ -]+? - \S')


def entries():
    for path in sorted(glob.glob(os.path.join(FRAGMENTS, '*.yml'))):
        with open(path) as handle:
            fragment = yaml.safe_load(handle)
        for section, texts in fragment.items():
            if section != 'release_summary':
                for text in texts:
                    yield os.path.basename(path), section, text


def test_there_are_fragments_and_one_release_summary():
    summaries = []
    for path in glob.glob(os.path.join(FRAGMENTS, '*.yml')):
        with open(path) as handle:
            summaries += [path] if 'release_summary' in yaml.safe_load(handle) else []
    assert len(list(entries())) > 10
    assert len(summaries) == 1


@pytest.mark.parametrize('name, section, text', list(entries()))
def test_each_entry_names_its_component_first(name, section, text):
    assert ENTRY.match(text), '%s (%s) should start with "component - ": %s' % (name, section, text[:80])

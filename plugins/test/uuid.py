# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vb365.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Jinja test ``vb365.backup.uuid``: whether a text is a UUID, by the rule every module applies to an id."""

from __future__ import annotations

from ansible_collections.vb365.backup.plugins.module_utils.normalize import is_uuid


class TestModule:
    def tests(self):
        return {'uuid': is_uuid}

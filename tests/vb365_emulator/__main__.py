# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vb365.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""python -m vb365_emulator: see cli.py and docs/emulator.md."""

from __future__ import annotations

import sys

from .cli import main

sys.exit(main())

# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vb365.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Interpreter wrapper for the benchmark: runs the module and appends its peak RSS (KiB) to $VB365_BENCH_RSS."""

from __future__ import annotations

import os
import resource
import subprocess
import sys

code = subprocess.call([sys.executable] + sys.argv[1:])
if os.environ.get('VB365_BENCH_RSS'):
    with open(os.environ['VB365_BENCH_RSS'], 'a') as handle:
        handle.write('%d\n' % resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
sys.exit(code)

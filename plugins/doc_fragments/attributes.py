# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vb365.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:

    # Attributes every module of the collection shares; check_mode comes from READ_ONLY or the module.
    DOCUMENTATION = r'''
attributes:
  diff_mode:
    support: none
    description: The modules change nothing on the server that a diff could show.
  action_group:
    support: full
    description: Part of the C(vb365.backup.vb365) action group, for C(module_defaults).
    membership:
      - vb365.backup.vb365
'''

    # check_mode of the read-only (info) modules; a module that changes something states its own.
    READ_ONLY = r'''
attributes:
  check_mode:
    support: full
    description: The module only reads.
'''

# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vb365.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What several test suites share that is not a fixture: running ansible-playbook and ansible-rulebook,
and a host that records what reaches it. Importable because pytest.ini puts the tests folder on the path.
"""

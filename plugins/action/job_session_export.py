# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vb365.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Runs the job_session_export module and sets its items_fact the cheap way where the core allows it.

A module's ansible_facts become cacheable host facts, which ansible-core deep-copies for every later
task: for 100,000 operations about a second per task. From ansible-core 2.21 an action can register
them as ephemeral facts instead (what set_fact does), which later tasks read without copying. Older
cores keep the module's own behaviour.
"""

from __future__ import annotations

from ansible.plugins.action import ActionBase

try:
    from ansible.plugins.action import VariableLayer
except ImportError:  # ansible-core before 2.21
    VariableLayer = None


class ActionModule(ActionBase):

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        result.update(self._execute_module(module_name='vb365.backup.job_session_export',
                                           module_args=self._task.args, task_vars=task_vars))
        if VariableLayer is not None and not result.get('failed'):
            facts = result.pop('ansible_facts', None) or {}
            self.register_host_variables(facts, VariableLayer.EPHEMERAL_FACT)
            # An empty cacheable layer keeps the core from also registering ansible_facts from the result.
            self.register_host_variables({}, VariableLayer.CACHEABLE_FACT)
        return result

#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vb365.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
---
module: report_file
short_description: Write a report on the controller from a template or a text, or make its folder
version_added: 0.2.0
description:
  - Renders the template O(src) as M(ansible.builtin.template) does, or takes O(content), and writes it to
    O(dest) on the Ansible controller, whatever host the task runs for. The file is replaced atomically,
    and only when its content or mode differs.
  - With O(state=directory), makes sure O(dest) is a folder the controller's user can write to, and creates
    it when it is missing (with its parents). A folder that exists keeps its mode.
  - An action that runs in the controller's worker process. M(ansible.builtin.template) and
    M(ansible.builtin.copy) run two modules per file (stat, then copy), which for the reports of the
    C(vb365.backup.job_session_report) role cost more than reading the session.
  - Unlike M(ansible.builtin.template), it sets no C(ansible_managed) or C(template_*) variables for the
    template, and shows no diff.
author:
  - vb365.backup maintainers (@vb365-backup)
options:
  src:
    description:
      - A Jinja2 template, found like the O(ansible.builtin.template#module:src) of
        M(ansible.builtin.template) (in the role's or the play's C(templates) folder), rendered with the
        task's variables and C(trim_blocks).
      - With O(state=file), exactly one of O(src) and O(content).
    type: str
  content:
    description:
      - The text of the file, written as it is.
      - With O(state=file), exactly one of O(src) and O(content).
    type: str
  dest:
    description:
      - Path of the file on the controller. Its folder must exist.
    type: path
    required: true
  mode:
    description:
      - Permission bits of the file, or of a folder this task creates, as an octal string such as V("0640").
      - Defaults to V("0640") for a file and V("0750") for a folder.
    type: raw
  state:
    description:
      - V(file) writes the file; V(directory) makes sure the folder O(dest) can be written to.
    type: str
    choices: [file, directory]
    default: file
attributes:
  action:
    support: full
    description: Runs on the controller as an action plugin.
  async:
    support: none
    description: Runs on the controller, at once.
  bypass_host_loop:
    support: none
    description: Runs once per host; use C(run_once) for one file of the whole play.
  check_mode:
    support: full
    description: Says whether the file would change, or the folder would be created, and writes nothing.
  diff_mode:
    support: none
    description: Shows no diff.
  platform:
    support: full
    platforms: posix
    description: Writes on the controller only.
seealso:
  - module: ansible.builtin.template
  - module: ansible.builtin.copy
'''

EXAMPLES = r'''
- name: Make sure the report folder exists (created with mode 0750 when missing)
  vb365.backup.report_file:
    dest: /srv/reports
    state: directory

- name: Write a report from a template of the play (templates/summary.md.j2)
  vb365.backup.report_file:
    src: summary.md.j2
    dest: /srv/reports/summary.md

- name: Write a CSV built by a filter
  vb365.backup.report_file:
    content: "{{ vb365__protection.problems | vb365.backup.protection_csv(inventory_hostname) }}"
    dest: /srv/reports/protection.csv
    mode: "0600"
'''

RETURN = r'''
dest:
  description: Path of the file.
  returned: always
  type: str
  sample: /srv/reports/summary.md
reason:
  description: With O(state=directory), why O(dest) cannot be used as a folder.
  returned: failure
  type: str
  sample: it is a folder this user cannot write to
'''

# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vb365.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Benchmark contender F: return N log items of the real shape, with no HTTP (what carrying them costs)."""

from __future__ import annotations

DOCUMENTATION = r'''
module: fake_log_items
short_description: Return N log items without any HTTP, for the benchmark
description: Benchmark contender F; not part of the collection.
options:
  count:
    description: How many items.
    type: int
    required: true
author:
  - vb365.backup maintainers (@vb365-backup)
'''

from ansible.module_utils.basic import AnsibleModule


def main():
    module = AnsibleModule(argument_spec=dict(count=dict(type='int', required=True)), supports_check_mode=True)
    log_items = [{
        'id': 'd1c4cea5-32ce-4a98-9cf7-%012x' % index,
        'usn': index + 1 + (index // 4) * 3,
        'status': 'Success',
        'title': '[Success] Processing mailbox adele.vance@contoso.com (%d items, 3.4 MB)' % index,
        'message': 'Processing mailbox adele.vance@contoso.com (%d items, 3.4 MB)' % index,
        'creation_time': '2026-11-27T22:46:57.0031676+01:00',
        'end_time': '2026-11-27T22:46:58.0418916+01:00',
        'duration_seconds': 1.038724,
    } for index in range(module.params['count'])]
    module.exit_json(changed=False, log_items=log_items)


if __name__ == '__main__':
    main()

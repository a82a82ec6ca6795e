#!/usr/bin/env python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vb365.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Write tests/emulator/schema_subset.json: the part of the vendor's OpenAPI documents the emulator's route tests check.

    python tests/tools/schema_subset.py [OPENAPI_DIR]   (default ../shared/vb365-api/openapi)

Each schema keeps per property its type, enum, nullable, and a reference: the name of another schema
in the subset, or ``object`` for one outside it. An enum schema referenced by a property is written inline.
"""

from __future__ import annotations

import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
TARGET = os.path.join(HERE, '..', 'emulator', 'schema_subset.json')
DEFAULT_DIR = os.path.join(HERE, '..', '..', '..', 'shared', 'vb365-api', 'openapi')

COMMON = ['OAuthTokenResponse', 'PageOfRESTJobSession', 'PageOfRESTLogItem', 'RESTExceptionInfo', 'RESTJob',
          'RESTJobSession', 'RESTLogItem', 'RESTServiceInstance',
          # Server health and protection (server_info, protection_info).
          'RESTLicense', 'PageOfRESTLicensedUser', 'RESTLicensedUser', 'RESTBackupRepository', 'RESTProxy',
          'PageOfRESTUser', 'RESTUser', 'PageOfRESTOrganizationStorageSpaceUsage',
          'RESTOrganizationStorageSpaceUsage', 'RESTOrganizationLicensingInformation']
NAMES = {
    'v6': COMMON,
    'v7': COMMON,
    'v8': COMMON + ['PageOfRESTJob', 'PageOfRESTBackupRepository', 'PageOfRESTProxy', 'RESTHealthReport',
                    'RESTHealthReportEntry', 'PageOfRESTProtectedUser', 'RESTProtectedUser'],
}


def convert(schemas, name, wanted):
    schema = schemas[name]
    result = {'properties': {}, 'required': list(schema.get('required', []))}
    for key, prop in sorted(schema.get('properties', {}).items()):
        if '$ref' in prop:
            target = prop['$ref'].rsplit('/', 1)[-1]
            if 'enum' in schemas[target]:
                spec = {'enum': schemas[target]['enum'], 'type': schemas[target]['type']}
            else:
                spec = {'ref': target if target in wanted else 'object'}
        else:
            spec = {'type': prop.get('type')}
            if 'enum' in prop:
                spec['enum'] = prop['enum']
            if 'items' in prop:
                item = prop['items'].get('$ref', '').rsplit('/', 1)[-1]
                spec['items'] = item if item in wanted else 'object'
        if prop.get('nullable'):
            spec['nullable'] = True
        result['properties'][key] = spec
    return result


def main(argv):
    directory = argv[1] if len(argv) > 1 else DEFAULT_DIR
    subset = {}
    for version, names in sorted(NAMES.items()):
        with open(os.path.join(directory, 'vb365_rest_%s.json' % version)) as handle:
            schemas = json.load(handle)['components']['schemas']
        subset[version] = dict((name, convert(schemas, name, set(names))) for name in sorted(names))
    with open(TARGET, 'w') as handle:
        handle.write(json.dumps(subset, indent=1, sort_keys=True))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))

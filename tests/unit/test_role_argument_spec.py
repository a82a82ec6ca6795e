# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vb365.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The role's argument spec and defaults against the option layer of the modules: they must not drift apart."""

from __future__ import annotations

import os
import re

import pytest
import yaml

from ansible_collections.vb365.backup.plugins.module_utils import options
from ansible_collections.vb365.backup.plugins.module_utils.normalize import API_VERSION_CHOICES

ROLE = os.path.join(os.path.dirname(__file__), '..', '..', 'roles', 'job_session_report')
CONNECTION = ('server', 'username', 'password', 'access_token', 'api_version', 'validate_certs', 'ca_path')


def load(*parts):
    with open(os.path.join(ROLE, *parts)) as handle:
        return yaml.safe_load(handle)


SPEC = load('meta', 'argument_specs.yml')['argument_specs']['main']['options']
DEFAULTS = load('defaults', 'main.yml')
MODULE_SPEC = options.connection_argument_spec()
ENVIRONMENT = dict(options.SETTING_ENV, **options.CREDENTIAL_ENV)


def description(name):
    text = SPEC[name]['description']
    return ' '.join(text) if isinstance(text, list) else text


@pytest.mark.parametrize('name', CONNECTION)
def test_each_connection_variable_falls_back_to_the_modules_environment_variable(name):
    default = DEFAULTS['vb365_' + name]
    assert "lookup('ansible.builtin.env', '%s')" % ENVIRONMENT[name] in default
    assert 'E(%s)' % ENVIRONMENT[name] in description('vb365_' + name)


@pytest.mark.parametrize('name', CONNECTION)
def test_secrets_are_no_log_in_both(name):
    assert bool(SPEC['vb365_' + name].get('no_log')) == bool(MODULE_SPEC[name].get('no_log'))


@pytest.mark.parametrize('name, as_text', [('api_version', str), ('validate_certs', lambda value: str(value).lower())])
def test_the_role_defaults_are_the_modules_defaults(name, as_text):
    fallback = re.search(r"default\(([^,]+), true\)", DEFAULTS['vb365_' + name]).group(1).strip("'")
    assert fallback == as_text(MODULE_SPEC[name]['default'])


def test_the_role_documents_the_modules_api_versions():
    text = description('vb365_api_version')
    assert set(re.findall(r'V\((auto|v\d+)\)', text)) == set(API_VERSION_CHOICES)


def test_no_task_hands_validate_certs_to_the_modules_through_jinjas_bool_filter():
    """The bool filter reads a word it does not know as false; the modules get the checked value, or the
    value as given (their bool option refuses what is not a boolean)."""
    root = os.path.join(ROLE, '..', '..')
    for folder in (os.path.join(ROLE, 'tasks'), os.path.join(root, 'playbooks')):
        for name in sorted(name for name in os.listdir(folder) if name.endswith('.yml')):
            with open(os.path.join(folder, name)) as handle:
                for number, line in enumerate(handle, 1):
                    if line.strip().startswith('validate_certs:'):
                        assert '| bool' not in line and '|bool' not in line, '%s:%d' % (name, number)


def test_every_documented_default_is_the_default_the_role_uses():
    for name, option in SPEC.items():
        assert name in DEFAULTS, '%s is documented but has no default in defaults/main.yml' % name
        if 'default' in option:
            assert option['default'] == DEFAULTS[name], name
    assert sorted(set(DEFAULTS) - set(SPEC)) == [], 'undocumented role variables'

# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vb365.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Writes one report on the controller, from a template or a text, in the worker process, without a module.

ansible.builtin.template and ansible.builtin.copy run two modules (stat, then copy) for each file, which
is most of what the role's reports cost. Reports are controller files, so this action renders the template
as ansible.builtin.template does (trim_blocks, the play's search path) and writes the file itself: replaced
atomically, and only when it changed.
"""

from __future__ import annotations

import os
import stat
import tempfile

from ansible.errors import AnsibleActionFail, AnsibleError
from ansible.module_utils.common.text.converters import to_bytes, to_text
from ansible.plugins.action import ActionBase

try:  # ansible-core 2.19 and later: a template file's text must be marked as trusted to be rendered
    from ansible.template import trust_as_template
    AnsibleEnvironment = None
except ImportError:
    trust_as_template = None
    from ansible.template import AnsibleEnvironment

ARGUMENT_SPEC = {
    'src': {'type': 'str'},
    'content': {'type': 'str'},
    'dest': {'type': 'path', 'required': True},
    'mode': {'type': 'raw'},
    'state': {'type': 'str', 'choices': ['file', 'directory'], 'default': 'file'},
}
MODE = {'file': 0o640, 'directory': 0o750}


def file_mode(mode):
    """An octal string such as '0640', or an int, as permission bits; else a ValueError."""
    if isinstance(mode, int) and not isinstance(mode, bool):
        bits = mode
    elif isinstance(mode, str) and mode.isdigit() and set(mode) <= set('01234567'):
        bits = int(mode, 8)
    else:
        raise ValueError('mode must be octal permission bits such as "0640", not %r' % (mode,))
    if not 0 <= bits <= 0o7777:
        raise ValueError('mode must be octal permission bits such as "0640", not %r' % (mode,))
    return bits


def ensure_folder(path, bits, check_mode):
    """Make path a folder this user can write to, created with bits when missing; True when it was created.

    A folder that exists keeps its mode: pointing dest at /tmp or a shared folder changes nothing there.
    """
    created = False
    if not os.path.lexists(path):
        if check_mode:
            return True
        try:
            os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
            try:
                os.mkdir(path, 0o700)  # the mode follows; until then only this user can enter it
                os.chmod(path, bits)
                created = True
            except FileExistsError:  # another run created it meanwhile
                pass
        except OSError as exc:
            raise ValueError('it cannot be created (%s)' % (exc.strerror or exc))
    if not os.path.exists(path):
        raise ValueError('it is a broken symbolic link')
    if not (os.path.isdir(path) and os.access(path, os.W_OK | os.X_OK)):  # a link to a folder is that folder
        raise ValueError('it is not a folder this user can write to')
    return created


def write_if_changed(dest, data, bits, check_mode):
    """Replace dest with data (bytes) unless it holds them already with these bits; True when it changed.

    Only a regular file of the same size is read to compare: a FIFO or a device there is replaced, never read.
    """
    try:
        found = os.stat(dest)
    except OSError:
        found = None
    same = False
    if found is not None and stat.S_ISREG(found.st_mode) and found.st_size == len(data):
        with open(dest, 'rb') as handle:
            same = handle.read() == data and stat.S_IMODE(found.st_mode) == bits
    if same or check_mode:
        return not same
    descriptor, temp = tempfile.mkstemp(prefix='.vb365-', dir=os.path.dirname(os.path.abspath(dest)))
    try:
        with os.fdopen(descriptor, 'wb') as handle:
            handle.write(data)
        os.chmod(temp, bits)
        os.replace(temp, dest)
    except BaseException:
        os.remove(temp)
        raise
    return True


class ActionModule(ActionBase):

    TRANSFERS_FILES = False
    _requires_connection = False

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        _validation, args = self.validate_argument_spec(
            ARGUMENT_SPEC, mutually_exclusive=[('src', 'content')],
            required_if=[('state', 'file', ('src', 'content'), True)])
        dest = args['dest']
        try:
            bits = MODE[args['state']] if args['mode'] is None else file_mode(args['mode'])
        except ValueError as exc:
            raise AnsibleActionFail(str(exc))
        if args['state'] == 'directory':
            if args['src'] is not None or args['content'] is not None:
                raise AnsibleActionFail('state=directory takes neither src nor content')
            try:
                result.update(changed=ensure_folder(dest, bits, self._task.check_mode), dest=dest)
            except ValueError as exc:
                # A failed result, not an exception: failed_when and register see it on every core.
                result.update(failed=True, msg='Cannot use %s as a folder: %s.' % (dest, exc), reason=str(exc))
            return result
        text = args['content'] if args['src'] is None else self._render(args['src'], task_vars or {})
        try:
            result['changed'] = write_if_changed(dest, to_bytes(text or '', errors='surrogate_or_strict'), bits,
                                                 self._task.check_mode)
        except OSError as exc:
            result.update(failed=True, msg='Cannot write %s: %s.' % (dest, exc.strerror or exc))
        result['dest'] = dest
        return result

    def _render(self, src, task_vars):
        """The template's text rendered with the task's variables, as ansible.builtin.template renders it."""
        try:
            source = self._find_needle('templates', src)
            real = self._loader.get_real_file(source)  # decrypts a vaulted template, as ansible.builtin.template does
            try:
                with open(to_bytes(real, errors='surrogate_or_strict'), 'rb') as handle:
                    text = to_text(handle.read(), errors='surrogate_or_strict')
            finally:
                self._loader.cleanup_tmp_file(real)
        except (AnsibleError, OSError, UnicodeError) as exc:
            raise AnsibleActionFail('Cannot read the template %s: %s' % (src, to_text(exc)))
        folders = task_vars.get('ansible_search_path', []) + [self._loader.get_basedir(), os.path.dirname(source)]
        searchpath = [path for folder in folders for path in (os.path.join(folder, 'templates'), folder)]
        # A shallow copy, as ansible.builtin.template makes: the template only reads the variables.
        variables = dict(task_vars)
        if trust_as_template is not None:
            templar = self._templar.copy_with_new_env(searchpath=searchpath, available_variables=variables)
            return templar.template(trust_as_template(text), escape_backslashes=False, overrides={'trim_blocks': True})
        templar = self._templar.copy_with_new_env(environment_class=AnsibleEnvironment, searchpath=searchpath,
                                                  available_variables=variables)
        return templar.do_template(text, preserve_trailing_newlines=True, escape_backslashes=False,
                                   overrides={'trim_blocks': True})

# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vb365.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The report_file action: a file replaced only when it changed, a folder created only when missing."""

from __future__ import annotations

import os
import stat
from unittest.mock import MagicMock

import pytest

from ansible_collections.vb365.backup.plugins.action.report_file import (
    ActionModule,
    ensure_folder,
    file_mode,
    write_if_changed,
)


def bits_of(path):
    return stat.S_IMODE(os.stat(path).st_mode)


def run_action(args, check_mode=False):
    task = MagicMock(args=args, check_mode=check_mode, async_val=0, diff=False)
    action = ActionModule(task, MagicMock(), MagicMock(), loader=MagicMock(), templar=MagicMock(),
                          shared_loader_obj=MagicMock())
    return action.run(task_vars={})


@pytest.mark.parametrize('mode, bits', [('0640', 0o640), ('750', 0o750), (0o600, 0o600)])
def test_modes_are_octal_strings_or_numbers(mode, bits):
    assert file_mode(mode) == bits


@pytest.mark.parametrize('mode', ['u=rw', '0999', '', True, '077777', None])
def test_other_modes_are_refused(mode):
    with pytest.raises(ValueError, match='octal permission bits'):
        file_mode(mode)


def test_a_file_is_written_once_and_left_alone_while_it_holds_the_same(tmp_path):
    target = tmp_path / 'report.md'
    assert write_if_changed(str(target), b'# one\n', 0o640, False) is True
    assert target.read_bytes() == b'# one\n' and bits_of(target) == 0o640
    before = os.stat(target).st_ino
    assert write_if_changed(str(target), b'# one\n', 0o640, False) is False
    assert os.stat(target).st_ino == before
    assert write_if_changed(str(target), b'# one\n', 0o600, False) is True
    assert bits_of(target) == 0o600
    assert [path.name for path in tmp_path.iterdir()] == ['report.md']


def test_check_mode_says_what_would_change_and_writes_nothing(tmp_path):
    target = tmp_path / 'report.md'
    assert write_if_changed(str(target), b'x', 0o640, True) is True
    assert not target.exists()
    target.write_bytes(b'x')
    os.chmod(target, 0o640)
    assert write_if_changed(str(target), b'x', 0o640, True) is False
    assert write_if_changed(str(target), b'y', 0o640, True) is True
    assert target.read_bytes() == b'x'


def test_a_symbolic_link_is_replaced_and_its_target_left_alone(tmp_path):
    elsewhere = tmp_path / 'elsewhere.txt'
    elsewhere.write_bytes(b'keep')
    link = tmp_path / 'report.md'
    link.symlink_to(elsewhere)
    assert write_if_changed(str(link), b'new', 0o640, False) is True
    assert not link.is_symlink() and link.read_bytes() == b'new'
    assert elsewhere.read_bytes() == b'keep'


def test_a_missing_folder_is_created_with_the_mode_and_an_existing_one_keeps_its_own(tmp_path):
    folder = tmp_path / 'reports' / 'nightly'
    assert ensure_folder(str(folder), 0o750, False) is True
    assert bits_of(folder) == 0o750
    os.chmod(folder, 0o777)
    assert ensure_folder(str(folder), 0o750, False) is False
    assert bits_of(folder) == 0o777


def test_a_link_to_a_folder_is_that_folder(tmp_path):
    (tmp_path / 'real').mkdir()
    (tmp_path / 'link').symlink_to(tmp_path / 'real')
    assert ensure_folder(str(tmp_path / 'link'), 0o750, False) is False


def test_check_mode_creates_no_folder(tmp_path):
    assert ensure_folder(str(tmp_path / 'new'), 0o750, True) is True
    assert not (tmp_path / 'new').exists()


@pytest.mark.parametrize('make, reason', [
    (lambda path: path.write_text('x'), 'it is not a folder this user can write to'),
    (lambda path: path.symlink_to(path.parent / 'gone'), 'it is a broken symbolic link'),
])
def test_what_is_no_folder_is_refused(tmp_path, make, reason):
    path = tmp_path / 'reports'
    make(path)
    with pytest.raises(ValueError, match=reason):
        ensure_folder(str(path), 0o750, False)


@pytest.mark.skipif(os.geteuid() == 0, reason='root writes to any folder')
def test_a_folder_this_user_cannot_write_to_is_refused(tmp_path):
    folder = tmp_path / 'locked'
    folder.mkdir(mode=0o500)
    with pytest.raises(ValueError, match='not a folder this user can write to'):
        ensure_folder(str(folder), 0o750, False)


def test_the_action_writes_content_with_the_default_mode(tmp_path):
    target = tmp_path / 'users.csv'
    result = run_action({'content': 'a,b\n', 'dest': str(target)})
    assert result['changed'] is True and result['dest'] == str(target)
    assert target.read_text() == 'a,b\n' and bits_of(target) == 0o640
    assert run_action({'content': 'a,b\n', 'dest': str(target)})['changed'] is False


def test_the_action_reports_a_folder_it_cannot_use_as_a_failed_result_with_the_reason(tmp_path):
    (tmp_path / 'file').write_text('x')
    result = run_action({'dest': str(tmp_path / 'file'), 'state': 'directory'})
    assert result['failed'] is True
    assert result['reason'] == 'it is not a folder this user can write to'
    assert result['msg'] == 'Cannot use %s as a folder: it is not a folder this user can write to.' % (tmp_path / 'file')


def test_a_folder_another_run_creates_meanwhile_is_used(tmp_path, monkeypatch):
    folder = tmp_path / 'reports'
    real_mkdir = os.mkdir

    def racing_mkdir(path, mode=0o777):
        real_mkdir(path, 0o755)
        raise FileExistsError(17, 'File exists')
    monkeypatch.setattr(os, 'mkdir', racing_mkdir)
    assert ensure_folder(str(folder), 0o750, False) is False
    assert bits_of(folder) == 0o755


def test_a_folder_that_cannot_be_created_says_why(tmp_path):
    (tmp_path / 'file').write_text('x')
    with pytest.raises(ValueError, match=r'it cannot be created \(File exists\)'):
        ensure_folder(str(tmp_path / 'file' / 'reports'), 0o750, False)


def test_a_fifo_at_the_destination_is_replaced_without_being_read(tmp_path):
    target = tmp_path / 'report.md'
    os.mkfifo(target)
    assert write_if_changed(str(target), b'# report\n', 0o640, False) is True
    assert target.read_bytes() == b'# report\n'


def test_the_action_creates_a_folder_with_0750_unless_told(tmp_path):
    assert run_action({'dest': str(tmp_path / 'a'), 'state': 'directory'})['changed'] is True
    assert bits_of(tmp_path / 'a') == 0o750
    run_action({'dest': str(tmp_path / 'b'), 'state': 'directory', 'mode': '0700'})
    assert bits_of(tmp_path / 'b') == 0o700


@pytest.mark.parametrize('args, message', [
    ({'dest': '/tmp/x'}, 'src, content'),
    ({'dest': '/tmp/x', 'src': 'a.j2', 'content': 'b'}, 'mutually exclusive'),
    ({'dest': '/tmp/x', 'state': 'directory', 'content': 'b'}, 'neither src nor content'),
    ({'dest': '/tmp/x', 'content': 'b', 'mode': 'rw'}, 'octal permission bits'),
])
def test_the_action_refuses_wrong_arguments(args, message):
    with pytest.raises(Exception, match=message):
        run_action(args)

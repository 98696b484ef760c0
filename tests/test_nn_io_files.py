"""Weights files on disk: special files untouched, permissions kept, links kept, hostile input."""

from __future__ import annotations

import os
import socket
import stat

import pytest

import nn
import nn.io


def saved(tmp_path, name="w.json", seed=0):
    path = tmp_path / name
    nn.MLP(2, [1], seed=seed).save(path)
    return path


def test_a_fifo_is_refused_and_left_a_fifo(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(ValueError, match="is a FIFO .*not a regular file; nothing was written"):
        nn.MLP(2, [1], seed=0).save(fifo)
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    assert os.listdir(tmp_path) == ["pipe"]
    with pytest.raises(ValueError, match="is a FIFO .*not a weights file"):
        nn.load_state_dict(fifo)  # opening it would wait forever for a writer


def test_a_directory_and_a_socket_are_refused(tmp_path):
    directory = tmp_path / "d"
    directory.mkdir()
    with pytest.raises(ValueError, match="is a directory"):
        nn.MLP(2, [1], seed=0).save(directory)
    assert os.listdir(directory) == []
    path = tmp_path / "s"
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(str(path))
        with pytest.raises(ValueError, match="is a socket"):
            nn.MLP(2, [1], seed=0).save(path)
        assert stat.S_ISSOCK(os.stat(path).st_mode)


def test_a_character_device_is_refused_before_anything_is_written(tmp_path, monkeypatch):
    # /dev/null itself is not used: if this check ever broke, the test would replace it.
    path = saved(tmp_path)
    real_stat = os.stat

    def as_device(p, *args, **kwargs):
        result = real_stat(p, *args, **kwargs)
        if os.fspath(p) == str(path):
            fields = list(result)
            fields[0] = stat.S_IFCHR | 0o666
            return os.stat_result(fields)
        return result

    before = path.read_bytes()
    monkeypatch.setattr(os, "stat", as_device)
    with pytest.raises(ValueError, match="is a character device"):
        nn.MLP(2, [1], seed=3).save(path)
    monkeypatch.undo()
    assert path.read_bytes() == before and os.listdir(tmp_path) == ["w.json"]


def test_a_new_file_respects_the_umask_and_a_replaced_one_keeps_its_mode(tmp_path):
    old_mask = os.umask(0o077)
    try:
        path = saved(tmp_path)
    finally:
        os.umask(old_mask)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    os.chmod(path, 0o664)
    nn.MLP(2, [1], seed=1).save(path)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o664


def test_a_read_only_file_needs_overwrite(tmp_path):
    path = saved(tmp_path)
    os.chmod(path, 0o444)
    before = path.read_bytes()
    model = nn.MLP(2, [1], seed=9)
    with pytest.raises(PermissionError, match="read-only .*overwrite=True"):
        model.save(path)
    assert path.read_bytes() == before
    model.save(path, overwrite=True)
    assert nn.load_state_dict(path) == model.state_dict()
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o444


def test_a_hard_linked_file_is_refused_naming_the_path_and_left_whole(tmp_path):
    path = saved(tmp_path)
    twin = tmp_path / "twin.json"
    os.link(path, twin)
    before = path.read_bytes()
    with pytest.raises(ValueError, match=r"twin\.json'.* 2 hard links.*Nothing was written"):
        nn.MLP(2, [1], seed=4).save(twin)
    assert path.read_bytes() == before and os.stat(path).st_ino == os.stat(twin).st_ino
    assert sorted(os.listdir(tmp_path)) == ["twin.json", "w.json"]


def test_a_file_in_a_folder_we_may_not_write_is_refused_not_rewritten_in_place(tmp_path,
                                                                               monkeypatch):
    path = saved(tmp_path)
    before = path.read_bytes()
    real_access = os.access
    # Simulated, so the test means the same as root (who may write any directory) and as a user.
    monkeypatch.setattr(os, "access", lambda p, mode: False if os.fspath(p) == str(tmp_path)
                        else real_access(p, mode))
    with pytest.raises(PermissionError, match=r"w\.json'.*folder .* is not writable"):
        nn.MLP(2, [3, 1], seed=2).save(path)
    assert path.read_bytes() == before and os.listdir(tmp_path) == ["w.json"]


@pytest.mark.parametrize("text, message", [
    ('{"format": "valuegrad-weights", "version": 1, "parameters": {"w": ' + "7" * 5000 + "}}",
     "parameter 'w' is an integer of 5000 digits, too large for a float"),
    ('{"format": "valuegrad-weights", "version": ' + "1" * 5000 + ', "parameters": {}}',
     "\"version\" must be an integer, got an integer of 5000 digits"),
    ('{"format": "valuegrad-weights", "version": 1, "parameters": {"w": '
     + "[" * 100_000 + "]" * 100_000 + "}}", "nested too deeply"),
    ("{" + '"a": {' * 100_000 + "}" * 100_001, "nested too deeply"),
], ids=["huge-int", "huge-version", "deep-list", "deep-object"])
def test_hostile_numbers_and_nesting_give_a_value_error_naming_the_file(tmp_path, text, message):
    path = tmp_path / "hostile.json"
    path.write_text(text)
    with pytest.raises(ValueError, match=message) as err:
        nn.load_state_dict(path)
    assert str(path) in str(err.value)


def test_bytes_that_are_not_utf8_give_a_value_error_naming_the_file(tmp_path):
    path = tmp_path / "latin1.json"
    raw = b'{"format": "valuegrad-weights", "version": 1, "parameters": {"\xe9": 1}}'
    path.write_bytes(raw)
    with pytest.raises(ValueError, match=f"byte {raw.index(0xE9)} is not UTF-8") as err:
        nn.load_state_dict(path)
    assert str(path) in str(err.value)


def test_a_bad_entry_names_the_file_and_the_parameter(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text('{"format": "valuegrad-weights", "version": 1, "parameters": {"b": "x"}}')
    with pytest.raises(ValueError, match=r"bad\.json'?: parameter 'b' must be one number"):
        nn.load_state_dict(path)

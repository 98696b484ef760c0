"""Weights files: a state dict as JSON, saved atomically, with a format name and version.

The file looks like::

    {"format": "valuegrad-weights", "version": 1,
     "parameters": {"layers.0.neurons.0.w.0": 0.15, ...}}

Python writes each float as the shortest decimal that reads back as the same float, so the
round trip is bit-exact.  JSON is plain data: loading a file never runs code (unlike pickle).

Saving never damages what is at the path: anything that exists and is not a regular file (a
directory, a device such as /dev/null, a FIFO, a socket) is refused before anything is written;
a read-only file is refused unless ``overwrite=True``; a new file gets the permissions the umask
allows, a replaced one keeps its permission bits (and, where allowed, its owner).  The new text
normally goes to a temporary file renamed over the old one.  A file with several hard links, or in
a directory we may not write, is instead rewritten in place (so every link sees the new weights),
and the old bytes are written back if that write fails.
"""

from __future__ import annotations

import json
import math
import numbers
import os
import secrets
import stat
from collections.abc import Mapping
from typing import Any

from autograd import Value

FORMAT = "valuegrad-weights"
VERSION = 1
# The longest integer a weights file may hold: float64's largest finite value has 309 digits.
MAX_INT_DIGITS = 400


def save_state_dict(state: Mapping[str, Any], path: str | os.PathLike[str], *,
                    overwrite: bool = False) -> None:
    """Write a state dict to `path` as JSON, replacing any old file only once it is complete.

    A read-only file at `path` is replaced only with ``overwrite=True``.
    """
    path = _check_path(path)
    if not isinstance(state, Mapping):
        raise TypeError(f"state must be a dict of name -> number, got {type(state).__name__}")
    parameters = {}
    for name, entry in state.items():
        if not isinstance(name, str):
            raise TypeError(f"parameter names must be str, got {type(name).__name__}: {name!r}")
        parameters[name] = parameter_number(name, entry)
    text = json.dumps({"format": FORMAT, "version": VERSION, "parameters": parameters},
                      indent=1, allow_nan=False) + "\n"
    write_file(path, text.encode("utf-8"), overwrite=overwrite)


def write_file(path: str, data: bytes, overwrite: bool = False) -> None:
    """Put `data` at `path` safely: refuse special files, keep permissions, never half-write."""
    # A symbolic link is followed first: renaming over the link itself would leave its target
    # holding the old weights while the link became a separate file.
    path = os.path.realpath(path)
    try:
        old = os.stat(path)
    except FileNotFoundError:
        old = None
    if old is not None:
        if not stat.S_ISREG(old.st_mode):
            raise ValueError(f"cannot save weights to {path!r}: it is {_kind(old.st_mode)}, not "
                             f"a regular file; nothing was written")
        read_only = not old.st_mode & 0o222 or not os.access(path, os.W_OK)
        if read_only and not overwrite:
            raise PermissionError(f"{path!r} is read-only (mode {stat.filemode(old.st_mode)}); "
                                  f"nothing was written.  Pass overwrite=True to replace it")
        directory = os.path.dirname(path)
        if old.st_nlink > 1 or (not read_only and not os.access(directory, os.W_OK)):
            _write_in_place(path, data)
            return
    _replace(path, data, old)


def _kind(mode: int) -> str:
    kinds = [(stat.S_ISDIR, "a directory"), (stat.S_ISCHR, "a character device"),
             (stat.S_ISBLK, "a block device"), (stat.S_ISFIFO, "a FIFO (named pipe)"),
             (stat.S_ISSOCK, "a socket")]
    return next((text for test, text in kinds if test(mode)), "a special file")


def _replace(path: str, data: bytes, old: os.stat_result | None) -> None:
    # The data goes to a temporary file in the same directory, which is flushed to disk and then
    # renamed over `path`.  A crash at any point leaves either the old file or the new one.
    directory, base = os.path.split(path)
    temporary = os.path.join(directory, f".{base}.{secrets.token_hex(6)}.tmp")
    # A new file is created 0666 less the umask, as open() would; a replacement starts private
    # and takes the old file's permission bits before it becomes visible.
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0),
                 0o666 if old is None else 0o600)
    try:
        try:
            _write_all(fd, data)
            if old is not None:
                os.fchmod(fd, stat.S_IMODE(old.st_mode))
                _keep_owner(fd, old)
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(temporary, path)
    except BaseException:
        try:
            os.unlink(temporary)
        except FileNotFoundError:
            pass
        raise


def _keep_owner(fd: int, old: os.stat_result) -> None:
    if (old.st_uid, old.st_gid) != (os.getuid(), os.getgid()):
        try:
            os.fchown(fd, old.st_uid, old.st_gid)
        except PermissionError:
            pass  # only root may give a file away; the file is ours then, as with any editor


def _write_in_place(path: str, data: bytes) -> None:
    with open(path, "rb") as f:
        before = f.read()
    fd = os.open(path, os.O_WRONLY | getattr(os, "O_CLOEXEC", 0))
    try:
        try:
            _write_all(fd, data)
            os.ftruncate(fd, len(data))
            os.fsync(fd)
        except BaseException:
            # Put the old weights back, so that a failed save loses nothing.
            os.lseek(fd, 0, os.SEEK_SET)
            _write_all(fd, before)
            os.ftruncate(fd, len(before))
            raise
    finally:
        os.close(fd)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def load_state_dict(path: str | os.PathLike[str]) -> dict[str, float]:
    """Read a weights file written by save_state_dict(); every entry is checked."""
    path = _check_path(path)
    mode = os.stat(path).st_mode  # FileNotFoundError names a missing file well enough
    if not stat.S_ISREG(mode):  # reading a FIFO would wait forever, /dev/zero never end
        raise ValueError(f"{path!r} is {_kind(mode)}, not a weights file")
    with open(path, "rb") as f:
        raw = f.read()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        raise ValueError(f"{path!r} is not a valuegrad weights file: byte {err.start} is not "
                         f"UTF-8 text ({raw[err.start:err.start + 1]!r})") from None
    return parse_state_dict(text, source=repr(path))


class _HugeInt:
    """An integer too long to be a weight, kept as its digit count for the error message."""

    def __init__(self, digits: str) -> None:
        self.digits = len(digits.lstrip("-"))

    def __repr__(self) -> str:
        return f"an integer of {self.digits} digits"


def _parse_int(digits: str) -> int | _HugeInt:
    # Converting thousands of digits is slow (and Python refuses beyond 4,300): no weight needs
    # more than float64's 309.
    return _HugeInt(digits) if len(digits) > MAX_INT_DIGITS else int(digits)


def parse_state_dict(text: str, source: str = "weights") -> dict[str, float]:
    """Parse the JSON text of a weights file into a state dict, with clear errors."""
    try:
        document = json.loads(text, object_pairs_hook=_no_duplicates, parse_int=_parse_int)
    except json.JSONDecodeError as err:
        raise ValueError(f"{source} is not valid JSON: {err}") from None
    except RecursionError:
        raise ValueError(f"{source} is not a valuegrad weights file: its JSON is nested too "
                         f"deeply to read") from None
    except ValueError as err:
        raise ValueError(f"{source}: {err}") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise ValueError(f"{source} is not a valuegrad weights file "
                         f"(expected a JSON object with \"format\": \"{FORMAT}\")")
    version = document.get("version")
    if isinstance(version, bool) or not isinstance(version, int):
        raise ValueError(f"{source}: \"version\" must be an integer, got {version!r}"[:200])
    if version > VERSION:
        raise ValueError(f"{source} has format version {version}; this valuegrad reads up to "
                         f"version {VERSION} (upgrade valuegrad)")
    if version < 1:
        raise ValueError(f"{source}: unknown format version {version}")
    parameters = document.get("parameters")
    if not isinstance(parameters, dict):
        raise ValueError(f"{source}: \"parameters\" must be a JSON object of name -> number")
    state = {}
    for name, entry in parameters.items():
        if isinstance(entry, _HugeInt):
            raise ValueError(f"{source}: parameter {name!r} is {entry!r}, too large for a float")
        try:
            state[name] = parameter_number(name, entry)
        except ValueError as err:
            raise ValueError(f"{source}: {err}") from None
    return state


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # Plain json.loads keeps the last of two equal keys silently; a weights file with a parameter
    # listed twice is damaged, so say so.
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"key {key!r} appears twice in the weights file")
        result[key] = value
    return result


def _check_path(path: Any) -> str:
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a str or os.PathLike, got {type(path).__name__}")
    return os.fspath(path)


def parameter_number(name: str, entry: Any) -> float:
    """Check that a stored weight is one finite real number and return it as a float."""
    if isinstance(entry, Value):
        entry = entry.data
    if isinstance(entry, bool) or not isinstance(entry, numbers.Real):
        shape = f"a list of {len(entry)}" if isinstance(entry, (list, tuple)) else repr(entry)
        raise ValueError(f"parameter {name!r} must be one number, got {shape}"[:300])
    try:
        number = float(entry)
    except OverflowError:
        raise ValueError(f"parameter {name!r} is too large for a float: {entry!r}"[:300]) from None
    if not math.isfinite(number):
        raise ValueError(f"parameter {name!r} is {number!r}; weights must be finite numbers")
    return number

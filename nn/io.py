"""Weights files: a state dict as JSON, saved atomically, with a format name and version.

The file looks like::

    {"format": "valuegrad-weights", "version": 1,
     "parameters": {"layers.0.neurons.0.w.0": 0.15, ...}}

Python writes each float as the shortest decimal that reads back as the same float, so the
round trip is bit-exact.  JSON is plain data: loading a file never runs code (unlike pickle).

Saving never damages what is at the path (autograd.output.files says how): anything that exists
and is not a regular file (a directory, a device such as /dev/null, a FIFO, a socket) is refused
before anything is written; a read-only file is refused unless ``overwrite=True``; a new file gets
the permissions the umask allows, a replaced one keeps its permission bits (and, where allowed, its
owner).  The new text goes to a temporary file renamed over the old one, so a killed save leaves
the old file or the new one; a file with several hard links, or in a folder we may not write, is
refused, since it cannot be replaced that way.
"""

from __future__ import annotations

import json
import math
import numbers
import os
import stat
from collections.abc import Mapping
from typing import Any

from autograd import Value
from autograd.output.files import kind, write_file

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
    write_file(path, text.encode("utf-8"), what="weights", overwrite=overwrite)


def load_state_dict(path: str | os.PathLike[str]) -> dict[str, float]:
    """Read a weights file written by save_state_dict(); every entry is checked."""
    path = _check_path(path)
    mode = os.stat(path).st_mode  # FileNotFoundError names a missing file well enough
    if not stat.S_ISREG(mode):  # reading a FIFO would wait forever, /dev/zero never end
        raise ValueError(f"{path!r} is {kind(mode)}, not a weights file")
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

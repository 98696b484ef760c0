"""Weights files: a state dict as JSON, saved atomically, with a format name and version.

The file looks like::

    {"format": "valuegrad-weights", "version": 1,
     "parameters": {"layers.0.neurons.0.w.0": 0.15, ...}}

Python writes each float as the shortest decimal that reads back as the same float, so the
round trip is bit-exact.  JSON is plain data: loading a file never runs code (unlike pickle).
"""

from __future__ import annotations

import json
import os
import stat
import tempfile
from collections.abc import Mapping
from typing import Any

from .module import parameter_number

FORMAT = "valuegrad-weights"
VERSION = 1


def save_state_dict(state: Mapping[str, Any], path: str | os.PathLike[str]) -> None:
    """Write a state dict to `path` as JSON, replacing any old file only once it is complete."""
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
    _atomic_write(path, text)


def _atomic_write(path: str, text: str) -> None:
    # The text goes to a temporary file in the same directory, which is flushed to disk and then
    # renamed over `path`.  A crash at any point leaves either the old file or the new one.
    # A symbolic link is followed first: renaming over the link itself would leave its target
    # holding the old weights while the link became a separate file.
    path = os.path.realpath(path)
    directory = os.path.dirname(path)
    fd, temporary = tempfile.mkstemp(prefix=".weights-", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        # mkstemp makes a private (0600) file; keep the old file's permissions, else 0644.
        try:
            mode = stat.S_IMODE(os.stat(path).st_mode)
        except FileNotFoundError:
            mode = 0o644
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        try:
            os.unlink(temporary)
        except FileNotFoundError:
            pass
        raise


def load_state_dict(path: str | os.PathLike[str]) -> dict[str, float]:
    """Read a weights file written by save_state_dict(); every entry is checked."""
    path = _check_path(path)
    with open(path, encoding="utf-8") as f:
        text = f.read()
    return parse_state_dict(text, source=path)


def parse_state_dict(text: str, source: str = "weights") -> dict[str, float]:
    """Parse the JSON text of a weights file into a state dict, with clear errors."""
    try:
        document = json.loads(text, object_pairs_hook=_no_duplicates)
    except json.JSONDecodeError as err:
        raise ValueError(f"{source} is not valid JSON: {err}") from None
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
    return {name: parameter_number(name, entry) for name, entry in parameters.items()}


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

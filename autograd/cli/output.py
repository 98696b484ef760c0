"""What the command writes and where: output paths checked up front, text any terminal can show."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TextIO

from ..explanations.rules import ascii_text
from ..output.files import check_target, check_writable


class UsageError(ValueError):
    """Something on the command line is wrong; exit code 2."""


PAGE_SUFFIXES = (".html", ".htm")


def check_output_path(option: str, path: str, suffixes: tuple[str, ...]) -> Path:
    """Refuse, before any work, an output name that cannot be written as a file of that kind."""
    target = Path(path)
    if path.endswith(("/", os.sep)) or target.is_dir():
        example = ("steps" if suffixes[0] == ".html" else "graph") + suffixes[0]
        raise UsageError(f"{option} {path}: that is a folder; give a file name, such as "
                         f"{target / example}")
    if target.suffix.lower() not in suffixes:
        raise UsageError(f"{option} {path}: cannot tell the format; use "
                         + ", ".join(suffixes[:-1]) + f" or {suffixes[-1]}")
    try:
        check_target(target, "the output")  # a FIFO or a device would block or be clobbered
    except ValueError as err:
        raise UsageError(f"{option} {path}: {err}") from None
    folder = target.parent
    if not folder.is_dir():
        raise UsageError(f"{option} {path}: the folder {folder} does not exist")
    if not os.access(folder, os.W_OK) or (target.exists() and not os.access(target, os.W_OK)):
        raise UsageError(f"{option} {path}: cannot write there (permission denied)")
    try:
        check_writable(target, "the output")  # what the save would refuse (a hard link, ...)
    except (ValueError, OSError) as err:
        raise UsageError(f"{option} {path}: {err}") from None
    return target


def say(text: str = "", end: str = "\n", stream: TextIO | None = None) -> None:
    """Print, falling back to ASCII (∂ as d, × as x) when the terminal cannot encode the text."""
    out = sys.stdout if stream is None else stream
    try:
        out.write(text + end)
    except UnicodeEncodeError:  # nothing was written: the whole string is encoded first
        out.write(ascii_text(text + end))


def silence_stdout() -> None:
    """Point stdout at devnull, so a closed pipe cannot raise again at exit."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # a captured stdout has no file descriptor
        pass

"""Which core runs Value's arithmetic and backward: the compiled one, or the pure-Python one.

The native core (``_native.c``, built by ``pip install`` where a C compiler is found) and the
pure-Python engine give the same numbers, bit for bit; the pure one is the reference and the
fallback.  ``VALUEGRAD_CORE=pure`` in the environment forces the pure engine, ``=native``
requires the compiled one (an ImportError if it is not built).  ``autograd.CORE`` tells which runs.
"""

from __future__ import annotations

import hashlib
import os
import warnings
from pathlib import Path
from types import ModuleType

ENVIRONMENT_VARIABLE = "VALUEGRAD_CORE"
# The files the native core is built from (setup.py hashes the same, into _native.SOURCE_HASH).
SOURCES = ("_native.c", "_native_docs.h")


class PureCoreWarning(RuntimeWarning):
    """The native core is not built here, so the (slower) pure-Python engine runs."""


def _load() -> tuple[ModuleType | None, str]:
    wanted = os.environ.get(ENVIRONMENT_VARIABLE, "").strip().lower()
    if wanted not in ("", "native", "pure"):
        raise ValueError(f"{ENVIRONMENT_VARIABLE} must be 'native' or 'pure' (or unset), got "
                         f"{wanted!r}")
    if wanted == "pure":
        return None, f"the pure-Python engine ({ENVIRONMENT_VARIABLE}=pure)"
    try:
        from . import _native  # a C extension, built at install (its types: _native.pyi)
    except ImportError as error:
        if wanted == "native":
            raise ImportError(f"{ENVIRONMENT_VARIABLE}=native, but the native core is not built "
                              f"({error}); reinstall valuegrad where a C compiler and the "
                              "Python headers are found") from error
        # Said once per process, where the user imports the package.
        warnings.warn("valuegrad's native core is not built here (no C compiler at install?): "
                      "the pure-Python engine runs, with the same numbers, more slowly. "
                      f"Set {ENVIRONMENT_VARIABLE}=pure to choose it and silence this.",
                      PureCoreWarning, stacklevel=4)
        return None, "the pure-Python engine (the native core is not built)"
    stale = _stale(_native.SOURCE_HASH)
    if stale:
        if wanted == "native":
            raise ImportError(f"{ENVIRONMENT_VARIABLE}=native, but {stale}")
        warnings.warn(f"valuegrad's {stale}: the pure-Python engine runs (same numbers, more "
                      f"slowly) until you run `pip install -e .` again", PureCoreWarning,
                      stacklevel=4)
        return None, "the pure-Python engine (the native core is out of date)"
    return _native, "the native core (C)"


def _stale(built_from: str) -> str:
    """Why the built core does not match the sources beside it ("" if it does, or if there are
    no sources here: an installed wheel carries only the built core)."""
    here = Path(__file__).resolve().parent
    files = [here / name for name in SOURCES]
    if not built_from or not all(f.exists() for f in files):
        return ""
    digest = hashlib.sha256(b"".join(f.read_bytes() for f in files)).hexdigest()[:16]
    if digest == built_from:
        return ""
    return (f"native core was built from other sources than those in {here} (edited since "
            "the last install)")


_loaded = _load()
module: ModuleType | None = _loaded[0]  # autograd.core._native, or None: the pure engine runs
DESCRIPTION: str = _loaded[1]  # which core runs, and why, in words
NAME: str = "native" if module is not None else "pure"
"""Which core runs Value's arithmetic and backward: "native" (the C core) or "pure" (Python).

Both give the same numbers, bit for bit; ``VALUEGRAD_CORE=pure`` chooses the pure engine."""

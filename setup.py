"""Build the optional native core (autograd/core/_native.c); the rest is in setup.cfg.

The extension is optional: where it cannot be compiled (no C compiler, no Python headers) the
install goes on without it and the pure-Python engine runs (autograd.CORE says which).
"""

import hashlib
import sys
from pathlib import Path

from setuptools import Extension, setup

CORE = Path(__file__).resolve().parent / "autograd" / "core"
SOURCES = ("_native.c", "_native_docs.h")  # autograd/core/native.py hashes the same files

# A fused multiply-add rounds once where Python rounds twice: the native core must not use one,
# or its numbers would differ from the pure engine's in the last bit.
FLAGS = [] if sys.platform == "win32" else ["-O2", "-ffp-contract=off", "-fno-fast-math"]

# The hash of the sources the core is built from: an in-place build (pip install -e .) left
# behind by sources edited since is noticed at import, and the pure engine runs instead.
DIGEST = hashlib.sha256(b"".join((CORE / name).read_bytes() for name in SOURCES)).hexdigest()[:16]

setup(ext_modules=[Extension("autograd.core._native", ["autograd/core/_native.c"],
                             depends=[f"autograd/core/{name}" for name in SOURCES],
                             define_macros=[("SOURCE_HASH", f'"{DIGEST}"')],
                             extra_compile_args=FLAGS, optional=True)])

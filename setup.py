"""Build the optional native core (autograd/core/_native.c); the rest is in setup.cfg.

The extension is optional: where it cannot be compiled (no C compiler, no Python headers) the
install goes on without it and the pure-Python engine runs (autograd.CORE says which).
"""

import sys

from setuptools import Extension, setup

# A fused multiply-add rounds once where Python rounds twice: the native core must not use one,
# or its numbers would differ from the pure engine's in the last bit.
FLAGS = [] if sys.platform == "win32" else ["-O2", "-ffp-contract=off", "-fno-fast-math"]

setup(ext_modules=[Extension("autograd.core._native", ["autograd/core/_native.c"],
                             extra_compile_args=FLAGS, optional=True)])

"""Shared test helpers: PyTorch must be present in CI (CI=true), never silently skipped there."""

from __future__ import annotations

import os
import shutil

import pytest
from hypothesis import settings

# CI runs one clean clone once: a fixed seed makes that run reproducible (the same few thousand
# random graphs every time); local runs keep exploring new ones.
settings.register_profile("ci", derandomize=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

# Where the native core is not built, importing autograd warns once (PureCoreWarning): this
# process has said it.  The CLI runs, notebook kernels and scripts the tests start run the same
# engine, chosen explicitly, so they do not say it again into the outputs they check.
import autograd  # noqa: E402

if autograd.CORE == "pure":
    os.environ.setdefault("VALUEGRAD_CORE", "pure")


def require_torch():
    """Import torch; skip locally when absent, fail in CI where .ci/run installs it."""
    try:
        import torch
    except ImportError:
        if os.environ.get("CI"):
            pytest.fail("PyTorch is required in CI (.ci/run installs torch==2.13.0)")
        pytest.skip("PyTorch not installed (CI installs it)")
    torch.set_default_dtype(torch.float64)
    return torch


@pytest.fixture(scope="session")
def torch():
    """require_torch() as a fixture: a hypothesis test taking it skips before its examples run,
    so an explicit @example is never reported as "Failing explicit example" on a skip."""
    return require_torch()


@pytest.fixture(params=["graphviz-pure", "dot"])
def renderer(request, monkeypatch) -> str:
    """Each renderer valuegrad may find (set by VALUEGRAD_DOT); a failure in CI if absent."""
    from autograd.viz import render

    if request.param == "graphviz-pure":
        program = render._graphviz_pure_executable()
    else:
        program = shutil.which("dot")
    if program is None:
        if os.environ.get("CI"):
            pytest.fail(f"{request.param} is required in CI (.ci/run installs Graphviz; pip "
                        "installs graphviz-pure)")
        pytest.skip(f"{request.param} not installed (CI installs it)")
    monkeypatch.setenv(render.RENDERER_ENV, program)
    return program

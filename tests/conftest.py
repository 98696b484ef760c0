"""Shared test helpers: PyTorch must be present in CI (CI=true), never silently skipped there."""

from __future__ import annotations

import os

import pytest


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

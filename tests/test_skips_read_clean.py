"""A skipped PyTorch test reads as a skip: no hypothesis "Failing explicit example" report."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

TESTS = Path(__file__).resolve().parent


def test_a_pytorch_property_test_with_explicit_examples_skips_without_a_failure_report(tmp_path):
    hidden = tmp_path / "torch"
    hidden.mkdir()
    (hidden / "__init__.py").write_text('raise ImportError("PyTorch hidden for this test")\n')
    env = {k: v for k, v in os.environ.items() if k != "CI"}  # CI would fail, not skip
    env["PYTHONPATH"] = os.pathsep.join([str(tmp_path), str(TESTS.parent),
                                         env.get("PYTHONPATH", "")])
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                          str(TESTS / "test_property.py"), "-k", "match_pytorch"],
                         capture_output=True, text=True, env=env, cwd=tmp_path, timeout=300)
    assert "1 skipped" in run.stdout, run.stdout[-2000:]
    assert "Failing explicit example" not in run.stdout + run.stderr
    assert run.returncode == 0

"""The demo's size limits: an absurd --samples is refused at once with a clear message."""

from __future__ import annotations

import pytest

from autograd.cli import main as engine_cli
from nn import cli


@pytest.mark.parametrize("samples", ["100000000", "10001"])
def test_too_many_demo_samples_are_refused_before_anything_runs(samples, tmp_path, capsys):
    out = tmp_path / "demo"
    assert cli.main(["demo", "--out", str(out), "--samples", samples]) == 2
    message = capsys.readouterr().err
    assert "--samples: at most 10,000 points" in message and f"{int(samples):,}" in message
    assert not out.exists()  # nothing was trained or written


def test_the_largest_allowed_sample_count_parses():
    args = engine_cli._parser((cli.add_demo,)).parse_args(["demo", "--samples", "10000"])
    assert args.samples == 10_000

"""The repository keeps its promises: README's commands, CI running them, typed public API."""

import pathlib
import re
import warnings

import autograd

ROOT = pathlib.Path(__file__).resolve().parent.parent


def readme_commands():
    text = (ROOT / "README.md").read_text()
    quick = text.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```bash\n(.+?)\n```", quick)


def test_readme_has_exactly_a_demo_and_a_test_command():
    demo, tests = readme_commands()
    assert "pip install" in demo and "valuegrad demo" in demo
    assert "pip install" in tests and "pytest" in tests


def test_ci_runs_the_readme_test_command_verbatim():
    _, tests = readme_commands()
    ci = (ROOT / ".ci" / "run").read_text().splitlines()
    assert tests in ci
    assert any("torch==2.13.0" in line for line in ci)


def test_public_names_have_docstrings_and_package_is_typed():
    assert (ROOT / "autograd" / "py.typed").exists() and (ROOT / "nn" / "py.typed").exists()
    for name in autograd.__all__:
        obj = getattr(autograd, name)
        if callable(obj) and not isinstance(obj, dict):
            assert obj.__doc__, f"autograd.{name} has no docstring"


def _readme_op_rows() -> dict[str, str]:
    """README's op list: op name -> its row, as written there."""
    from autograd.core.ops import REFERENCE_HEADER

    text = (ROOT / "README.md").read_text()
    assert REFERENCE_HEADER in text, (
        "README has no op list (paste autograd.core.ops.reference_table())")
    block = text[text.index(REFERENCE_HEADER) + len(REFERENCE_HEADER):].split("\n\n")[0]
    rows = {}
    for line in block.splitlines():
        name = line[1:].split("|", 1)[0].strip().strip("`")
        assert name not in rows, f"README's op list has two rows for {name!r}"
        rows[name] = line
    return rows


def test_readme_op_rows_agree_with_the_op_table():
    # A row README has must say what the table says; an op README lacks is only reported, so that
    # adding an op is one entry in autograd/core/ops.py (this warning then gives the row to paste).
    from autograd.core.ops import OPS, reference_row

    listed = _readme_op_rows()
    for name, line in listed.items():
        assert name in OPS, f"README's op list has a row for {name!r}, which the op table lacks"
        assert line == reference_row(OPS[name]), (
            f"README's row for {name!r} differs from the op table; paste:\n"
            + reference_row(OPS[name]))
    missing = [reference_row(op) for name, op in OPS.items() if name not in listed]
    if missing:
        warnings.warn("README's op list has no row for some ops of the table; paste:\n"
                      + "\n".join(missing), stacklevel=1)

"""The op table page (docs/ops.md) lists the ops exactly as the op table defines them."""

import warnings
from pathlib import Path

from autograd.core.ops import OPS, REFERENCE_HEADER, reference_row

PAGE = Path(__file__).resolve().parent.parent / "docs" / "ops.md"


def _page_op_rows() -> dict[str, str]:
    """The page's op list: op name -> its row, as written there."""
    text = PAGE.read_text(encoding="utf-8")
    assert REFERENCE_HEADER in text, (
        "docs/ops.md has no op list (paste autograd.core.ops.reference_table())")
    block = text[text.index(REFERENCE_HEADER) + len(REFERENCE_HEADER):].split("\n\n")[0]
    rows = {}
    for line in block.splitlines():
        name = line[1:].split("|", 1)[0].strip().strip("`")
        assert name not in rows, f"docs/ops.md's op list has two rows for {name!r}"
        rows[name] = line
    return rows


def test_op_page_rows_agree_with_the_op_table():
    # A row the page has must say what the table says; an op the page lacks is only reported, so
    # that adding an op is one entry in autograd/core/ops.py (this warning then gives the row).
    listed = _page_op_rows()
    assert len(listed) >= 10
    for name, line in listed.items():
        assert name in OPS, f"docs/ops.md has a row for {name!r}, which the op table lacks"
        assert line == reference_row(OPS[name]), (
            f"docs/ops.md's row for {name!r} differs from the op table; paste:\n"
            + reference_row(OPS[name]))
    missing = [reference_row(op) for name, op in OPS.items() if name not in listed]
    if missing:
        warnings.warn("docs/ops.md's op list has no row for some ops of the table; paste:\n"
                      + "\n".join(missing), stacklevel=1)

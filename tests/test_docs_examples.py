"""Every Python example of README.md and of the documentation pages runs, printing what it shows.

The convention of the pages: a ```python block runs, in page order, in one namespace per page (in
a fresh working directory, so files it saves go there); when the next block after it is a
```text block, that block is exactly what the Python block prints. A block that only includes a
file of the repository (``--8<-- "autograd/minimal.py"``) shows that file and is not run.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FENCE = re.compile(r"^```(\w*)[^\n]*\n(.*?)^```[ \t]*$", re.S | re.M)
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]


def examples(path: Path) -> list[tuple[str, str | None, int]]:
    """The page's Python blocks: (source, expected output or None, line number)."""
    text = path.read_text(encoding="utf-8")
    blocks = [(m.group(1), m.group(2), text.count("\n", 0, m.start()) + 1, m.start(), m.end())
              for m in FENCE.finditer(text)]
    found = []
    for k, (lang, body, line, _, end) in enumerate(blocks):
        if lang != "python" or body.lstrip().startswith("--8<--"):
            continue
        expected = None
        if k + 1 < len(blocks) and blocks[k + 1][0] == "text" \
                and not text[end:blocks[k + 1][3]].strip():
            expected = blocks[k + 1][1]
        found.append((body, expected, line))
    return found


def _tidy(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.strip("\n").splitlines())


PAGES_WITH_CODE = [p for p in PAGES if examples(p)]


def test_the_pages_have_examples_and_the_readme_shows_output():
    assert len(PAGES_WITH_CODE) >= 10
    readme = examples(ROOT / "README.md")
    assert len(readme) >= 2 and all(expected for _, expected, _ in readme)


@pytest.mark.parametrize("page", PAGES_WITH_CODE, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_python_block_runs_and_prints_what_the_page_shows(page, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MPLBACKEND", "Agg")
    namespace: dict = {"__name__": "__docs__"}
    for source, expected, line in examples(page):
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            try:
                exec(compile(source, f"{page.name}:{line}", "exec"), namespace)  # our own pages
            except Exception as exc:
                raise AssertionError(f"{page.name}, the block at line {line} fails: {exc!r}") \
                    from exc
        if expected is not None:
            assert _tidy(out.getvalue()) == _tidy(expected), (
                f"{page.name}, the block at line {line} prints:\n{out.getvalue()}")
    assert os.getcwd() == str(tmp_path)

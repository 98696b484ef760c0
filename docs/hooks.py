"""MkDocs hooks: parts of pages generated from the repository's own data while the site builds."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

# The tables are made by the repository's own code (bench/report.py, docs/bench_tables.py), which
# is not part of the installed packages: the build reads it from the checkout.
ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def on_page_markdown(markdown: str, page: Any, **kwargs: Any) -> str:
    """Fill the markers a page holds with what the code and the saved benchmark run say now."""
    if "<!-- bench-tables -->" in markdown:
        from docs.bench_tables import tables

        markdown = markdown.replace("<!-- bench-tables -->", tables())
    if "<!-- native-core-table -->" in markdown:
        from docs.bench_tables import native_core_table

        markdown = markdown.replace("<!-- native-core-table -->", native_core_table())
    return markdown


def on_post_build(config: Any, **kwargs: Any) -> None:
    """Ship MathJax with the site, so the notebooks' mathematics shows without a network."""
    import shutil

    import jupyter_server_mathjax

    static = Path(jupyter_server_mathjax.__file__).resolve().parent / "static"
    target = Path(config["site_dir"]) / "assets" / "mathjax"
    if not (target / "MathJax.js").exists():
        shutil.copytree(static, target, dirs_exist_ok=True,
                        ignore=shutil.ignore_patterns("*.md", "*.txt"))

"""MkDocs hooks: parts of pages generated from the repository's own data while the site builds."""

from __future__ import annotations

from typing import Any


def on_page_markdown(markdown: str, page: Any, **kwargs: Any) -> str:
    """Fill the markers a page holds with what the code and the saved benchmark run say now."""
    if "<!-- bench-tables -->" in markdown:
        from docs.bench_tables import tables

        markdown = markdown.replace("<!-- bench-tables -->", tables())
    return markdown

"""The pictures of README and the documentation are made by docs/make_pictures.py, not pasted.

Each committed picture shows the texts and numbers the script draws from the code now, every
picture a page shows is one the script makes, and each is legible in a real browser at 900 px.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

import pytest
from test_draw_browser import check, measure, page  # noqa: F401  (page: the browser fixture)

from docs.make_pictures import MAKERS, PICTURES

ROOT = Path(__file__).resolve().parent.parent
SVG = "{http://www.w3.org/2000/svg}"


def texts(svg: str) -> Counter:
    """Every text the picture shows (labels, numbers), counted: what a reader reads in it."""
    root = ET.fromstring(svg[svg.index("<svg"):])
    return Counter("".join(t.itertext()).strip() for t in root.iter(f"{SVG}text"))


def test_every_picture_shown_is_made_by_the_script():
    shown = set()
    for path in [ROOT / "README.md", *(ROOT / "docs").rglob("*.md")]:
        shown |= set(re.findall(r"\]\((?:docs/)?pictures/([^)\s]+)\)", path.read_text("utf-8")))
    assert "network-2-2-2.svg" in shown and len(shown) >= 5
    assert shown <= set(MAKERS), f"pictures no script makes: {sorted(shown - set(MAKERS))}"
    committed = {p.name for p in PICTURES.iterdir() if p.suffix == ".svg"}
    assert committed == set(MAKERS), "run: python -m docs.make_pictures"


@pytest.mark.parametrize("name", MAKERS)
def test_committed_picture_shows_what_the_code_draws_now(name):
    committed = texts((PICTURES / name).read_text(encoding="utf-8"))
    now = texts(MAKERS[name]())
    assert sum(now.values()) > 5
    assert committed == now, (
        f"docs/pictures/{name} is stale (run: python -m docs.make_pictures); "
        f"only in the file: {sorted((committed - now).elements())[:8]}, "
        f"only drawn now: {sorted((now - committed).elements())[:8]}")


@pytest.mark.parametrize("name", MAKERS)
def test_picture_is_legible_in_a_900_px_column(page, name):  # noqa: F811
    svg = (PICTURES / name).read_text(encoding="utf-8")
    check(measure(page, svg[svg.index("<svg"):], 900), 900, every_text=True)

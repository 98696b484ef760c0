"""The documentation site builds strictly from the code, and documents every public name.

`mkdocs build --strict` fails on a broken link, a reference that does not resolve, a notebook
that raises or any other warning. The build executes the notebooks (mkdocs-jupyter), generates
the API reference from the docstrings (mkdocstrings) and the benchmark tables from the saved run.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import zlib
from pathlib import Path

import pytest
from test_draw_browser import MIN_TEXT_PX, measure, page  # noqa: F401  (page: the browser fixture)

import autograd
import nn

ROOT = Path(__file__).resolve().parent.parent
README_MAX_LINES = 150


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """The site, built once with --strict into a temporary directory."""
    out = tmp_path_factory.mktemp("site")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "MPLBACKEND": "Agg",
           "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    done = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet",
                           "-f", str(ROOT / "mkdocs.yml"), "-d", str(out)],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    # --strict fails the build on MkDocs' warnings; none may be printed at all (a kernel's own
    # notices, "[IPKernelApp] WARNING | ...", are not MkDocs' and are not about the site).
    assert not re.search(r"^WARNING\s+-", done.stdout + done.stderr, re.M), done.stderr
    return out


def inventory(site: Path) -> dict[str, str]:
    """mkdocstrings' objects.inv: every documented object's identifier -> its page and anchor."""
    data = (site / "objects.inv").read_bytes()
    body = zlib.decompress(data.split(b"\n", 4)[4]).decode()
    entries = {}
    for line in body.splitlines():
        name, domain, _, uri = line.split(" ", 4)[:4]
        if domain.startswith("py:"):
            entries[name] = uri.replace("$", name)
    return entries


def test_every_public_name_has_a_reference_entry(site):
    documented = inventory(site)
    public = [f"autograd.{name}" for name in [*autograd.__all__, "compile"]] + \
             [f"nn.{name}" for name in nn.__all__]
    missing = [name for name in public if name not in documented]
    assert not missing, f"no reference entry: {missing}"
    assert all(documented[name].startswith("reference/") for name in public)


@pytest.mark.parametrize("name", ["autograd.Value", "autograd.draw", "autograd.explain",
                                  "autograd.compile", "autograd.jvp", "nn.MLP", "nn.fit",
                                  "nn.diagram"])
def test_reference_pages_document_names_as_users_import_them(site, name):
    uri = inventory(site)[name]
    html = (site / uri.split("#")[0] / "index.html").read_text(encoding="utf-8")
    assert f'id="{name}"' in html
    module, attribute = name.split(".")
    summary = getattr({"autograd": autograd, "nn": nn}[module], attribute).__doc__.splitlines()[0]
    words = re.findall(r"[A-Za-z]{4,}", summary)[:4]
    assert words and all(word in html for word in words), (name, summary)  # its docstring


def test_value_reference_lists_the_op_table_methods(site):
    documented = inventory(site)
    for op in autograd.OPS.values():
        for method in (op.method, op.reflected):
            if method:
                assert f"autograd.Value.{method}" in documented, method
        if op.function:
            assert f"autograd.{op.function}" in documented, op.function


def test_notebooks_are_pages_with_their_outputs(site):
    worked = (site / "notebooks" / "worked_example_2_2_2" / "index.html").read_text("utf-8")
    assert "E_total = 0.298371109" in worked and "dE/dw5 (engine) = 0.082167041" in worked
    quick = (site / "notebooks" / "quickstart" / "index.html").read_text("utf-8")
    assert "<svg" in quick  # a graph drawn by a cell
    assert (site / "notebooks" / "moons" / "index.html").exists()
    # Their mathematics is typeset by a MathJax the site carries (no network needed).
    src = re.search(r'<script src="([^"?]*MathJax\.js)\?config=([^",]*)', worked)
    assert src, "no MathJax script on the notebook page"
    mathjax = (site / "notebooks" / "worked_example_2_2_2" / src.group(1)).resolve()
    assert mathjax.exists() and (mathjax.parent / "config" / f"{src.group(2)}.js").exists()


def test_benchmark_page_is_generated_from_the_saved_run(site):
    html = (site / "benchmarks" / "index.html").read_text("utf-8")
    assert "bench-tables" not in html
    assert "python -m bench --quick --json docs/bench/results.json" in html
    assert "load average at start / end" in html and "W2 compiled vs micrograd" in html


def test_pictures_are_on_the_pages(site):
    html = (site / "seeing-gradients" / "index.html").read_text("utf-8")
    pictures = set(re.findall(r'src="\.\./pictures/([\w.-]+\.svg)"', html))
    assert {"neuron.svg", "network-2-2-2.svg", "paths-w1.svg"} <= pictures
    assert all((site / "pictures" / name).exists() for name in pictures)


def test_readme_is_short_and_its_links_resolve():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(text.splitlines()) <= README_MAX_LINES
    links = re.findall(r"\]\(([^)\s]+)\)", text)
    local = [link.split("#")[0] for link in links if "://" not in link]
    assert len(local) >= 10
    missing = [link for link in local if not (ROOT / link).exists()]
    assert not missing, missing
    assert "mkdocs serve" in text  # how to read the manual locally


def test_pictures_are_legible_where_the_pages_show_them(site, page):  # noqa: F811
    # A reader's window: 1280 x 800. Each picture is shown as wide as the page lets it be; its
    # smallest text at that width must still be MIN_TEXT_PX tall.
    shown: dict[str, float] = {}
    for html in ["index.html", "seeing-gradients/index.html"]:
        page.set_viewport_size({"width": 1280, "height": 800})
        page.goto((site / html).as_uri())
        for src, width in page.evaluate(
                "() => [...document.querySelectorAll('img')].map(i => [i.src, i.width])"):
            if "/pictures/" in src:
                name = src.rsplit("/", 1)[1]
                shown[name] = min(width, shown.get(name, width))
    assert {"network-2-2-2.svg", "neuron.svg", "paths-w1.svg"} <= set(shown)
    for name, width in shown.items():
        svg = (site / "pictures" / name).read_text(encoding="utf-8")
        found = measure(page, svg[svg.index("<svg"):], round(width))
        assert found["smallestText"] >= MIN_TEXT_PX, (name, width, found["smallText"])

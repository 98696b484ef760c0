"""autograd.explore and nn.explore in a real JupyterLab, driven by headless Chromium.

The test starts JupyterLab on a free localhost port with a token in a temporary directory, opens
a notebook that builds a graph and explores it, drags a slider and reads the changed number in
the rendered SVG (it must be the engine's), clicks a node and reads its explanation row, and
clicks *step* on a network and reads the changed weight.  The server and its kernels are stopped
at the end and the test checks that nothing it started is left running.
"""

from __future__ import annotations

import inspect
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from labharness import browser_path

from nn.demo import TUTORIAL_NAMES

REPO = Path(__file__).resolve().parent.parent
SHOTS_ENV = "VALUEGRAD_SCREENSHOTS"  # a directory: the test saves its screenshots there too
STARTUP_S = 90


def hidden_graph(a: float = 1.5, b: float = -0.75, c: float = 0.4):
    """A graph no picture of the project shows: two parameters, one input, a few ops."""
    from autograd import Value

    a_ = Value(a, label="a")
    b_ = Value(b, label="b")
    c_ = Value(c, label="c", requires_grad=False)
    d = a_ * b_ + c_.exp()
    d.label = "d"
    e = (d - a_).sigmoid() * d
    loss = e ** 2 + (b_ / 2.0).tanh()
    loss.label = "loss"
    return loss




def _notebook() -> dict:
    cells = [
        "import autograd, nn\nfrom nn.tutorial import INPUTS, TARGETS, tutorial_network",
        inspect.getsource(hidden_graph) + "\nautograd.explore(hidden_graph())",
        f"NAMES = {TUTORIAL_NAMES!r}\n"
        "nn.explore(tutorial_network(), INPUTS, TARGETS, names=NAMES, lr=0.5)",
    ]
    return {"nbformat": 4, "nbformat_minor": 5,
            "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3",
                                        "language": "python"}},
            "cells": [{"cell_type": "code", "id": f"c{k}", "metadata": {}, "source": src,
                       "outputs": [], "execution_count": None} for k, src in enumerate(cells)]}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _ours(marker: str) -> list[int]:
    """Processes whose command line names our temporary directory (server, kernels)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if marker in cmdline:
            found.append(int(entry.name))
    return found


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """(base url, token): a JupyterLab server of this checkout, stopped after the module."""
    pytest.importorskip("jupyterlab", reason="pip install '.[test]' installs jupyterlab")
    root = tmp_path_factory.mktemp("lab")
    (root / "explore.ipynb").write_text(json.dumps(_notebook()), encoding="utf-8")
    # Start the notebook's own kernel without asking, and ask nothing about news.
    settings = root / "settings"
    for plugin, values in (("notebook-extension/tracker", {"autoStartDefaultKernel": True}),
                           ("apputils-extension/notification", {"fetchNews": "false"})):
        path = settings / "@jupyterlab" / f"{plugin}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values), encoding="utf-8")
    port, token = _free_port(), secrets.token_hex(16)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(REPO), *filter(None, [os.environ.get("PYTHONPATH")])]),
        "JUPYTER_CONFIG_DIR": str(root / "config"), "JUPYTER_RUNTIME_DIR": str(root / "run"),
        "IPYTHONDIR": str(root / "ipython"), "JUPYTER_PLATFORM_DIRS": "1",
        "JUPYTERLAB_SETTINGS_DIR": str(settings)}
    log = open(root / "server.log", "wb")  # noqa: SIM115 (closed below)
    server = subprocess.Popen(
        [sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
         f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}",
         "--LabApp.expose_app_in_browser=True", "--ServerApp.open_browser=False",
         f"--LabApp.workspaces_dir={root / 'workspaces'}", "--LabApp.extension_manager=readonly",
         "--allow-root"],
        env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTUP_S
        while True:
            try:
                urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2)
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("JupyterLab did not start:\n" +
                                       (root / "server.log").read_text()[-3000:]) from None
                time.sleep(0.3)
        yield base, token, root
    finally:
        _stop(base, token, server)
        log.close()
        left = _ours(str(root))
        for pid in left:  # never expected: fail below, but leave nothing behind either
            os.kill(pid, signal.SIGKILL)
        assert not left, f"processes left running: {left}"


def _stop(base: str, token: str, server: subprocess.Popen) -> None:
    """Shut the kernels down through the API (they run in sessions of their own), then the
    server's process group."""
    try:
        with urllib.request.urlopen(f"{base}/api/kernels?token={token}", timeout=5) as r:
            kernels = json.load(r)
        for k in kernels:
            request = urllib.request.Request(f"{base}/api/kernels/{k['id']}?token={token}",
                                             method="DELETE")
            urllib.request.urlopen(request, timeout=10)
    except OSError:
        pass
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


@pytest.fixture(scope="module")
def notebook_page(lab):
    """The notebook open in headless Chromium at a 900 px window, every cell run."""
    sync_api = pytest.importorskip("playwright.sync_api", reason="pip install '.[test]'")
    executable = browser_path()
    base, token, root = lab
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 900, "height": 1400})
        page.goto(f"{base}/lab/tree/explore.ipynb?token={token}")
        page.wait_for_function("window.jupyterapp && document.querySelector('.jp-Notebook')",
                               timeout=60_000)
        _wait_for_kernel(page, sync_api)
        page.evaluate("""() => {
            const app = window.jupyterapp;
            if (!app.shell.leftCollapsed) app.commands.execute('application:toggle-left-area');
            app.commands.execute('notebook:run-all-cells');  // resolves only when all ran
        }""")
        try:
            page.wait_for_function(
                "document.querySelectorAll('.vg-explore svg').length === 2", timeout=90_000)
        except sync_api.TimeoutError:
            page.screenshot(path=str(root / "not-rendered.png"))
            raise
        yield page, root
        browser.close()


def _wait_for_kernel(page, sync_api) -> None:
    """Wait until the notebook's kernel is idle, accepting a kernel dialog if one is shown."""
    idle = """() => {
        const panel = window.jupyterapp.shell.currentWidget;
        const kernel = panel && panel.sessionContext && panel.sessionContext.session
            && panel.sessionContext.session.kernel;
        return Boolean(kernel) && kernel.status === 'idle';
    }"""
    deadline = time.monotonic() + 60
    while not page.evaluate(idle):
        dialog = page.locator(".jp-Dialog .jp-mod-accept")
        if dialog.count():
            dialog.first.click()
        if time.monotonic() > deadline:
            raise RuntimeError("the notebook's kernel did not start")
        time.sleep(0.5)


def _text(page, widget: int, key: str) -> str:
    return page.locator(".vg-explore").nth(widget).locator(f'[data-vg-text="{key}"]') \
        .text_content()


def _shot(page, locator, root: Path, name: str) -> Path:
    locator.scroll_into_view_if_needed()
    path = root / name
    locator.screenshot(path=str(path))
    if os.environ.get(SHOTS_ENV):
        shutil.copy(path, Path(os.environ[SHOTS_ENV]) / name)
    return path


def _smallest_number_px(page, widget: int) -> float:
    """The smallest font size, in screen pixels, of the numbers the widget's drawing shows."""
    return page.locator(".vg-explore").nth(widget).evaluate("""(root) => {
        const svg = root.querySelector('svg');
        const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
        let least = Infinity;
        for (const t of svg.querySelectorAll('[data-vg-text]')) {
            const size = parseFloat(t.getAttribute('font-size') || '14') * scale;
            least = Math.min(least, size);
        }
        return least;
    }""")


def test_dragging_a_slider_updates_the_drawing_with_the_engines_numbers(notebook_page):
    from autograd import explain
    from autograd.core.graph import topological_order

    page, root = notebook_page
    order = topological_order(hidden_graph())
    key = {v.label: f"n{i}" for i, v in enumerate(order) if v.label}
    widget = page.locator(".vg-explore").nth(0)
    labels = widget.locator(".vg-name").all_text_contents()
    assert labels == ["c", "a", "b"]  # every changeable leaf, inputs first; no constants
    before = _text(page, 0, f"{key['loss']}.data")
    slider = widget.locator('input.vg-range[aria-label="a"]')
    box = slider.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * 0.62, box["y"] + box["height"] / 2, steps=6)
    page.mouse.up()
    a = float(slider.input_value())
    assert a != 1.5
    fresh = hidden_graph(a=a)
    fresh.backward()
    expected = {}
    for v in topological_order(fresh):
        if v.label and v.label != "c":
            expected[f"{key[v.label]}.data"] = f"data {v.data:.4g}"
            expected[f"{key[v.label]}.grad"] = f"grad {v.grad:.4g}"
    # every number of the drawing as the engine computes it for the slider's number
    shows = """(expected) => Object.entries(expected).every(([key, text]) =>
        document.querySelector(`.vg-explore [data-vg-text="${key}"]`).textContent === text)"""
    try:
        page.wait_for_function(shows, arg=expected, timeout=20_000)
    except Exception:
        assert {k: _text(page, 0, k) for k in expected} == expected
        raise
    assert _text(page, 0, f"{key['loss']}.data") != before
    assert _text(page, 0, f"{key['c']}.data") == "data 0.4"
    assert _smallest_number_px(page, 0) >= 9

    # a click on b's box shows its row of the explained pass
    widget.locator(f'[data-vg-node="{key["b"]}"]').first.click()
    page.wait_for_function("document.querySelector('.vg-explore .vg-detail table')",
                           timeout=20_000)
    ex = explain(hidden_graph(a=a), number_format=".4g")
    rows = [r for r in ex.rows() if r[4] == "b"]
    shown = widget.locator(".vg-detail tbody tr").all()
    cells = [[c.text_content() for c in row.locator("td").all()] for row in shown]
    assert [c[-1] for c in cells] == [r[9] for r in rows]  # the rules with their operands
    assert [c[5:7] for c in cells] == [[r[7], r[8]] for r in rows]  # product, running sum
    paths = widget.locator(".vg-paths").text_content()
    assert paths.splitlines()[0] == str(ex.paths("b")).splitlines()[0]
    _shot(page, widget, root, "explore-graph-900.png")


def test_step_on_the_network_changes_a_weight_as_sgd_does(notebook_page):
    import nn
    from nn.tutorial import INPUTS, TARGETS, tutorial_network

    page, root = notebook_page
    widget = page.locator(".vg-explore").nth(1)
    assert _text(page, 1, "w1_0_0.0") == "w5 = 0.4"
    widget.locator("button.vg-step").click()
    twin = tutorial_network()
    nn.half_sse(twin(INPUTS), TARGETS).backward()
    nn.SGD(twin.parameters(), lr=0.5).step()
    w5 = dict(twin.named_parameters())["layers.1.neurons.0.w.0"].data
    page.wait_for_function(
        """(text) => [...document.querySelectorAll('.vg-explore')][1]
               .querySelector('[data-vg-text="w1_0_0.0"]').textContent === text""",
        arg=f"w5 = {w5:.4g}", timeout=20_000)
    log = widget.locator(".vg-steplog tbody tr").nth(4).locator("td").all_text_contents()
    assert log == ["w5", "0.4", "0.08217", f"{w5:.4g}"]
    assert _smallest_number_px(page, 1) >= 9
    _shot(page, widget, root, "explore-network-900.png")

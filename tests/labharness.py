"""A real JupyterLab for tests: a server on a free port, headless Chromium, notebooks run.

``lab`` (a pytest fixture, import it into a test module) starts JupyterLab on 127.0.0.1 with a
random token, in a temporary copy of notebooks/, kernels importing this checkout, and yields a
``Lab``; on exit it shuts every kernel and the server down and kills what is left of its process
group, so nothing keeps running.  ``Lab.open(page, name)`` opens a notebook in a playwright page,
``run_all`` runs every cell and waits until the kernel is idle, and ``measure_outputs`` reports
what the outputs look like on screen (``OUTPUT_JS``).
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
COLUMN = 900  # px: the width of a notebook's output column the tests look at
START_TIMEOUT = 90.0  # s for the server to answer
SETTINGS = {"@jupyterlab/notebook-extension/tracker": {"windowingMode": "none"},
            "@jupyterlab/apputils-extension/notification": {"fetchNews": "false",
                                                           "checkForUpdates": False}}


def browser_path() -> str:
    """Debian's headless Chromium and playwright; skipped locally without them, failed in CI."""
    path = shutil.which("chromium-headless-shell") or shutil.which("chromium")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        path = None
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("CI needs chromium-headless-shell (.ci/run installs it) and playwright")
        pytest.skip("no headless Chromium or playwright here")
    return path


def _require_jupyterlab() -> None:
    try:
        import jupyterlab  # noqa: F401
    except ImportError:
        if os.environ.get("CI"):
            pytest.fail("CI needs jupyterlab (the test extra installs it)")
        pytest.skip("jupyterlab is not installed here")


def free_port() -> int:
    """A TCP port nobody listens on now (the server binds it right after)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Lab:
    """A running JupyterLab: where it is, its token, and the folder it serves."""

    url: str  # base URL, ending in /
    token: str
    root: Path
    process: subprocess.Popen[bytes]

    def api(self, method: str, path: str) -> Any:
        """Call the server's REST API (api/...) with the token; the decoded JSON or None."""
        request = urllib.request.Request(self.url + path, method=method,
                                         headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(request, timeout=10) as response:
            body = response.read()
        return json.loads(body) if body else None

    def open(self, page: Any, name: str) -> None:
        """Open notebooks/<name> in JupyterLab, side panels closed, the kernel started and idle."""
        # ?reset: a fresh workspace, so no notebook of an earlier test opens with it.
        page.goto(f"{self.url}lab/tree/{name}?reset&token={self.token}")
        page.wait_for_function("() => window.jupyterapp && window.jupyterapp.shell"
                               " && window.jupyterapp.shell.currentWidget"
                               " && window.jupyterapp.shell.currentWidget.content"
                               " && window.jupyterapp.shell.currentWidget.content.widgets"
                               ".length > 0", timeout=60_000)
        page.evaluate("() => { const s = window.jupyterapp.shell;"
                      " s.collapseLeft(); s.collapseRight(); }")
        wait_idle(page)

    def close(self, page: Any) -> None:
        """Shut down the open notebook's kernel and close the tab."""
        try:
            page.evaluate("() => window.jupyterapp.shell.currentWidget.sessionContext.shutdown()")
        finally:
            page.close()

    def stop(self) -> None:
        """Shut down every kernel and the server; kill what is left of its process group."""
        try:
            for kernel in self.api("GET", "api/kernels") or []:
                self.api("DELETE", f"api/kernels/{kernel['id']}")
            self.api("POST", "api/shutdown")
            self.process.wait(timeout=15)
        except (OSError, urllib.error.URLError, subprocess.TimeoutExpired):
            pass
        try:  # the server started its own session: kernels and helpers are in its group
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process.wait(timeout=15)


def start_lab(workdir: Path) -> Lab:
    """Start JupyterLab serving a copy of notebooks/ in `workdir`; wait until it answers."""
    _require_jupyterlab()
    root = workdir / "notebooks"
    shutil.copytree(ROOT / "notebooks", root)
    home = workdir / "jupyter"
    env = {**os.environ,
           "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT),
                                                       os.environ.get("PYTHONPATH", "")])),
           "JUPYTER_CONFIG_DIR": str(home / "config"),
           "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
           "JUPYTERLAB_SETTINGS_DIR": str(home / "settings"),
           "JUPYTERLAB_WORKSPACES_DIR": str(home / "workspaces"),
           "IPYTHONDIR": str(home / "ipython"),
           "MPLBACKEND": "module://matplotlib_inline.backend_inline"}
    # Every cell rendered (not only those scrolled into view), and no news or update toasts.
    for plugin, settings in SETTINGS.items():
        target = home / "settings" / f"{plugin}.jupyterlab-settings"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(settings), encoding="utf-8")
    token, port = secrets.token_hex(16), free_port()
    log = open(workdir / "jupyterlab.log", "wb")  # noqa: SIM115 (kept open for the server)
    process = subprocess.Popen(
        [sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1",
         f"--port={port}", "--port-retries=0", f"--IdentityProvider.token={token}",
         f"--ServerApp.root_dir={root}", "--LabApp.expose_app_in_browser=True",
         "--LabApp.news_url=", "--ServerApp.open_browser=False", "--allow-root",
         "--ServerApp.terminals_enabled=False", "--LabApp.extension_manager=readonly"],
        cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    lab = Lab(f"http://127.0.0.1:{port}/", token, root, process)
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        try:
            lab.api("GET", "api/status")
            return lab
        except (OSError, urllib.error.URLError):
            if process.poll() is not None or time.monotonic() > deadline:
                lab.stop()
                raise RuntimeError("JupyterLab did not start: "
                                   + (workdir / "jupyterlab.log").read_text(errors="replace")
                                   [-2000:]) from None
            time.sleep(0.5)


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    """A JupyterLab serving a temporary copy of the notebooks, stopped afterwards."""
    browser_path()
    server = start_lab(tmp_path_factory.mktemp("jupyterlab"))
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Headless Chromium through playwright."""
    executable = browser_path()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        yield chromium
        chromium.close()


def column_page(browser: Any, lab: Lab, name: str) -> Any:
    """A tab with notebooks/<name> open, sized so a cell's output column is COLUMN px wide."""
    page = browser.new_page(viewport={"width": COLUMN + 300, "height": 900})
    lab.open(page, name)
    width = page.evaluate("() => document.querySelector('.jp-CodeCell .cm-editor')"
                          ".getBoundingClientRect().width")
    page.set_viewport_size({"width": COLUMN + 300 + round(COLUMN - width), "height": 900})
    page.wait_for_timeout(300)
    return page


def wait_idle(page: Any, timeout: float = 240.0) -> None:
    """Wait until the notebook's kernel is idle and no cell waits to run."""
    page.wait_for_function("""() => {
        const panel = window.jupyterapp.shell.currentWidget;
        const kernel = panel.sessionContext.session && panel.sessionContext.session.kernel;
        const queued = [...document.querySelectorAll('.jp-InputPrompt')]
            .some(p => p.textContent.includes('*'));
        return kernel && kernel.status === 'idle' && !queued;
    }""", timeout=timeout * 1000, polling=250)


def run_all(page: Any, timeout: float = 240.0) -> None:
    """Run every cell from the top, as Run > Run All Cells does, and wait until it is done."""
    page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
    page.wait_for_function("() => [...document.querySelectorAll('.jp-CodeCell .jp-InputPrompt')]"
                           ".some(p => p.textContent.includes('*') || /\\d/.test(p.textContent))",
                           timeout=30_000)
    wait_idle(page, timeout)
    page.wait_for_timeout(500)  # widgets and images lay themselves out


# What each output looks like: its overflow beyond the column (except inside a box of its own
# that scrolls), the smallest rendered text with a digit (HTML text, inline SVG text, and the
# text of an SVG shown as an <img>, measured at the image's size), errors, and widgets.
OUTPUT_JS = """(column) => {
  const notebook = window.jupyterapp.shell.currentWidget.node;  // this notebook's tab only
  const outputs = [...notebook.querySelectorAll('.jp-OutputArea-output')];
  const result = [];
  function scrollsOwnBox(el, out) {
    // Inside (or itself) a box narrower than the column that scrolls: its overflow is its own.
    for (let a = el; a && a !== out; a = a.parentElement) {
      const style = getComputedStyle(a);
      if (['auto', 'scroll'].includes(style.overflowX) && a.clientWidth <= column + 1) {
        return true;
      }
    }
    return false;
  }
  function digitTexts(root) {
    const found = [];
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      if (!/[0-9]/.test(n.textContent)) continue;
      const owner = n.parentElement;
      if (owner.closest('svg')) continue;  // SVG text is measured below
      const range = document.createRange();
      range.selectNodeContents(n);
      for (const r of range.getClientRects()) {
        if (r.width > 0) found.push({text: n.textContent.slice(0, 40), height: r.height});
      }
    }
    for (const t of root.querySelectorAll('svg text')) {
      if (!/[0-9]/.test(t.textContent)) continue;
      const r = t.getBoundingClientRect();
      if (r.width > 0) found.push({text: t.textContent.slice(0, 40), height: r.height});
    }
    return found;
  }
  function imageTexts(img) {
    // An SVG shown as an image: put it inline at the image's size and measure its texts.
    const src = img.getAttribute('src') || '';
    let svg = null;
    if (src.startsWith('data:image/svg+xml;base64,')) {
      svg = new TextDecoder().decode(Uint8Array.from(atob(src.split(',')[1]),
                                                     c => c.charCodeAt(0)));
    } else if (src.startsWith('data:image/svg+xml')) {
      svg = decodeURIComponent(src.split(',').slice(1).join(','));
    }
    if (svg === null) return [];
    const box = document.createElement('div');
    box.style.cssText = 'position:absolute;left:0;top:0;width:' + img.clientWidth + 'px;';
    box.innerHTML = svg;
    const el = box.querySelector('svg');
    if (!el) return [];
    el.setAttribute('width', img.clientWidth);
    el.setAttribute('height', img.clientHeight);
    el.style.maxWidth = 'none';
    document.body.appendChild(box);
    const found = digitTexts(box);
    box.remove();
    return found;
  }
  for (const out of outputs) {
    const box = out.getBoundingClientRect();
    let right = box.left;
    for (const el of out.querySelectorAll('*')) {
      if (scrollsOwnBox(el, out)) continue;
      const r = el.getBoundingClientRect();
      if (r.width > 0) right = Math.max(right, r.right);
    }
    const walker = document.createTreeWalker(out, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      if (scrollsOwnBox(n.parentElement, out)) continue;
      const range = document.createRange();
      range.selectNodeContents(n);
      for (const r of range.getClientRects()) right = Math.max(right, r.right);
    }
    let texts = digitTexts(out);
    for (const img of out.querySelectorAll('img')) texts = texts.concat(imageTexts(img));
    const smallest = texts.reduce((a, b) => (a === null || b.height < a.height ? b : a), null);
    // Printed table lines (columns aligned by runs of spaces) longer than the column: wrapped,
    // they no longer read as a table.  Prose may wrap.
    let wrapped = 0;
    for (const pre of out.querySelectorAll('pre')) {
      const probe = document.createElement('span');
      probe.textContent = '0'.repeat(40);
      pre.appendChild(probe);
      const charWidth = probe.getBoundingClientRect().width / 40;
      probe.remove();
      for (const line of pre.textContent.split('\\n')) {
        if (/\\S {2,}\\S/.test(line) && line.length * charWidth > pre.clientWidth + 1) {
          wrapped += 1;
        }
      }
    }
    const cell = out.closest('.jp-CodeCell');
    const cells = [...notebook.querySelectorAll('.jp-Notebook .jp-Cell')];
    result.push({
      cell: cells.indexOf(cell),
      mime: out.getAttribute('data-mime-type'),
      column: box.width,
      wrapped: wrapped,
      width: right - box.left,
      smallest: smallest,
      error: out.getAttribute('data-mime-type') === 'application/vnd.jupyter.stderr',
      progress: !!out.querySelector('.widget-hprogress, .jupyter-widgets progress,'
                                    + ' .widget-progress'),
      text: out.textContent.slice(0, 200),
    });
  }
  return result;
}"""


def measure_outputs(page: Any, column: int = COLUMN) -> list[dict[str, Any]]:
    """Every output of the open notebook as it shows on screen (see OUTPUT_JS)."""
    result: list[dict[str, Any]] = page.evaluate(OUTPUT_JS, column)
    return result

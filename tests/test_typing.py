"""Type checkers see the package: mypy on autograd and nn, mypy and pyright on a user's script.

tests/typing_user_example.py is a script written from the README (every op as a method and as
``autograd.<op>``, numbers on either side of the operators, grad, draw, explain, nn.MLP, fit, the
optimisers, a micrograd-style update loop).  It is checked from a directory outside the project,
with this tree importable as an installed package is, as a user's editor (Pylance runs pyright)
and mypy would check it.  mypy and pyright come with the `test` extra (pyright[nodejs] brings its
own Node.js; its first run fetches the pyright npm package).
"""

import importlib.util
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = Path(__file__).resolve().parent / "typing_user_example.py"


def _require(module: str) -> None:
    if importlib.util.find_spec(module) is None:  # not a skip: the test extra installs it
        pytest.fail(f"{module} is not installed; pip install '.[test]' installs it")


def _env() -> dict[str, str]:
    """This tree first on the path, as if installed; nothing else of the project's."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), *filter(None, [env.get("PYTHONPATH")])])
    return env


def _run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, *args], cwd=cwd, env=_env(), capture_output=True,
                          text=True, timeout=900)


@pytest.fixture
def user_dir(tmp_path: Path) -> Path:
    """A directory outside the project holding only the user's script."""
    shutil.copy(EXAMPLE, tmp_path / "script.py")
    return tmp_path


def test_package_is_clean_under_mypy():
    _require("mypy")
    # The configuration is pyproject.toml's [tool.mypy]: the files, strictness, Python 3.10.
    done = _run(["-m", "mypy"], ROOT)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Success: no issues found" in done.stdout


def test_users_script_has_no_mypy_errors(user_dir):
    _require("mypy")
    done = _run(["-m", "mypy", "--python-executable", sys.executable, "--strict",
                 "--cache-dir", str(user_dir / ".mypy_cache"), "script.py"], user_dir)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Success: no issues found in 1 source file" in done.stdout


def _pyright(args: list[str], cwd: Path) -> dict:
    _require("pyright")
    done = _run(["-m", "pyright", "--outputjson", "--pythonpath", sys.executable, *args], cwd)
    try:
        return json.loads(done.stdout)
    except json.JSONDecodeError:
        pytest.fail(f"pyright did not run: {done.stdout[-2000:]} {done.stderr[-2000:]}")


def test_users_script_has_no_pyright_errors(user_dir):
    report = _pyright(["script.py"], user_dir)
    errors = [f"{d['range']['start']['line'] + 1}: {d['message']}"
              for d in report["generalDiagnostics"] if d["severity"] == "error"]
    assert report["summary"]["filesAnalyzed"] == 1
    assert not errors, "\n".join(errors)
    assert report["summary"]["errorCount"] == 0


def test_users_script_runs(user_dir):
    done = _run(["script.py"], user_dir)
    assert done.returncode == 0, done.stderr[-3000:]


def test_the_core_exports_only_known_types(user_dir):
    # pyright --verifytypes: every public symbol of the core (Value and its operators, the op
    # functions, grad, backward, no_grad, ...) has a type a checker knows, none inferred or Any
    # by accident.  Symbols beyond the core are reported but not yet all complete.
    report = _pyright(["--verifytypes", "autograd", "--ignoreexternal"], user_dir)
    symbols = report["typeCompleteness"]["symbols"]
    core = [s for s in symbols if s["isExported"]
            and s["name"].startswith(("autograd.core.", "autograd.minimal."))]
    assert any(s["name"] == "autograd.core.value.Value.__rpow__" for s in core)
    assert any(s["name"] == "autograd.core.op_functions.maximum" for s in core)
    unknown = [f"{s['name']}: {[d['message'] for d in s['diagnostics']]}"
               for s in core if not s["isTypeKnown"]]
    assert not unknown, "\n".join(unknown)
    from autograd.core import op_functions

    top = {s["name"]: s for s in symbols if s["name"].count(".") == 1}
    for name in ["autograd.Value", "autograd.grad", "autograd.backward", "autograd.no_grad",
                 *(f"autograd.{f}" for f in op_functions.__all__)]:
        assert top[name]["isTypeKnown"], (name, top[name]["diagnostics"])

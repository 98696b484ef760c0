"""The architecture: no import cycles, the import-linter contracts, and a light `import autograd`.

Cycles are counted over every import in autograd/ and nn/, those inside functions and under
``TYPE_CHECKING`` included: a lazy import hides an arrow from Python, not from a reader.
``from pkg import name`` depends on the submodule ``pkg.name`` when there is one, else on
``pkg/__init__.py``.  (The parent packages Python runs first are not counted as dependencies, as
import-linter and pydeps do not count them either.)
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("autograd", "nn")


def _modules(root: Path, packages: tuple[str, ...]) -> dict[str, tuple[Path, bool]]:
    """Dotted module name -> (file, whether it is a package's __init__).

    A C extension counts as the module its source builds (autograd/core/_native.c is
    autograd.core._native): it imports nothing of ours, but `from . import _native` imports it,
    not its package.
    """
    found = {}
    for package in packages:
        for path in sorted([*(root / package).rglob("*.py"), *(root / package).rglob("*.c")]):
            parts = list(path.relative_to(root).with_suffix("").parts)
            is_package = parts[-1] == "__init__"
            found[".".join(parts[:-1] if is_package else parts)] = (path, is_package)
    return found


def import_graph(root: Path, packages: tuple[str, ...] = PACKAGES) -> dict[str, set[str]]:
    """Each module of `packages` under `root` -> the modules of them it imports, anywhere."""
    modules = _modules(root, packages)
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, (path, is_package) in modules.items():
        package = name if is_package else name.rpartition(".")[0]
        if path.suffix != ".py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                graph[name] |= {a.name for a in node.names if a.name in modules}
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.split(".")[:len(package.split(".")) - node.level + 1]
                    target = ".".join(base + ([node.module] if node.module else []))
                else:
                    target = node.module or ""
                for alias in node.names:
                    if f"{target}.{alias.name}" in modules:
                        graph[name].add(f"{target}.{alias.name}")
                    elif target in modules:
                        graph[name].add(target)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The import cycles: strongly connected groups of two or more modules, or a self-import."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for start in sorted(graph):
        if start in index:
            continue
        # Tarjan's algorithm, iterative: (node, its remaining successors) per frame.
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, successors = work[-1]
            for nxt in successors:
                if nxt not in index:
                    index[nxt] = low[nxt] = len(index)
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, iter(sorted(graph[nxt]))))
                    break
                if nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    group = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        group.append(member)
                        if member == node:
                            break
                    if len(group) > 1 or node in graph[node]:
                        found.append(sorted(group))
    return found


def test_no_import_cycles_in_autograd_and_nn():
    graph = import_graph(ROOT)
    assert len(graph) >= 80  # every module was read
    assert cycles(graph) == []


def test_the_cycle_count_sees_lazy_and_type_checking_imports(tmp_path):
    # The counter must find what the test above says is absent: a cycle closed by an import inside
    # a function, one closed under TYPE_CHECKING, and `from pkg import submodule`.
    pkg = tmp_path / "pkg"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "sub" / "__init__.py").write_text("")
    (pkg / "a.py").write_text("from . import b\n")
    (pkg / "b.py").write_text("def f():\n    from .a import x\n")
    (pkg / "c.py").write_text("from .sub import d\n")
    (pkg / "sub" / "d.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from ..c import C\n")
    (pkg / "e.py").write_text("import pkg.e\n")
    assert cycles(import_graph(tmp_path, ("pkg",))) == [
        ["pkg.a", "pkg.b"], ["pkg.c", "pkg.sub.d"], ["pkg.e"]]


def test_import_linter_contracts_are_kept():
    lint = Path(sys.executable).with_name("lint-imports")
    command = [str(lint)] if lint.exists() else ["lint-imports"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}  # this checkout's packages, not an install
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert " 0 broken" in done.stdout and "kept" in done.stdout


def test_every_layer_of_autograd_has_a_contract():
    # A new subpackage must be placed in the layers contract, or it escapes the check.
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    layers = next(c for c in config["contracts"] if c["containers"] == ["autograd"]
                  if c["type"] == "layers")["layers"]
    named = {part.strip() for layer in layers for part in layer.split("|")}
    subpackages = {p.name for p in (ROOT / "autograd").iterdir() if (p / "__init__.py").exists()}
    assert named == subpackages


def _loaded_after(statement: str) -> dict[str, object]:
    """What a fresh interpreter holds after `statement`: our modules, heavy libraries, time."""
    code = (
        "import sys, time\n"
        "t = time.perf_counter()\n"
        f"{statement}\n"
        "t = time.perf_counter() - t\n"
        "import json\n"
        "print(json.dumps({'ours': sorted(m for m in sys.modules\n"
        "                   if m.split('.')[0] in ('autograd', 'nn')),\n"
        "                  'heavy': [m for m in ('graphviz', 'numpy', 'torch', 'tqdm')\n"
        "                            if m in sys.modules], 'seconds': t}))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120, check=True)
    return json.loads(done.stdout)


def test_import_autograd_loads_the_core_only():
    found = _loaded_after("import autograd")
    ours = found["ours"]
    assert len(ours) <= 15, ours
    assert all(m == "autograd" or m.startswith("autograd.core") for m in ours), ours
    assert found["heavy"] == []


def test_import_nn_loads_no_drawing_no_training_and_no_heavy_library():
    found = _loaded_after("import nn")
    ours = found["ours"]
    assert not [m for m in ours if m.startswith(("nn.viz", "nn.training", "autograd.viz"))], ours
    assert len(ours) <= 27, ours  # 25, and the core's choice (native.py) and the C core
    assert found["heavy"] == []


def test_drawing_loads_on_first_use():
    found = _loaded_after("import autograd\nautograd.draw")
    assert "autograd.viz.draw" in found["ours"] and "graphviz" in found["heavy"]


@pytest.mark.parametrize("package", ["autograd", "nn"])
def test_lazy_names_are_the_type_checking_imports_and_all_resolve(package):
    # __getattr__'s table and the imports type checkers read must name the same things.
    import importlib

    module = importlib.import_module(package)
    tree = ast.parse((ROOT / package / "__init__.py").read_text(encoding="utf-8"))
    checked: dict[str, str] = {}
    for node in tree.body:
        if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING":
            for imp in node.body:
                assert isinstance(imp, ast.ImportFrom)
                for alias in imp.names:
                    checked[alias.asname or alias.name] = "." * imp.level + (imp.module or "")
    assert checked == module._LAZY
    for name in checked:
        assert getattr(module, name) is getattr(importlib.import_module(
            checked[name], package), name)
    assert set(module.__all__) <= set(dir(module))
    with pytest.raises(AttributeError, match="no attribute 'nonexistent'"):
        module.nonexistent  # noqa: B018


def test_nn_names_its_nodes_without_loading_its_pictures_first():
    # nn registers its describer at import; the describer loads nn.viz.describe when it runs.
    code = ("import nn, autograd\n"
            "from autograd.explanations.naming import describe\n"
            "m = nn.MLP(2, [1], seed=0)\n"
            "out = m([1.0, 2.0])\n"
            "from autograd import topological_order\n"
            "names = {i.name for i in describe(topological_order(out)).values() if i.name}\n"
            "print(sorted(names)[:2])\n")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120, check=True)
    assert "layers.0.neurons.0" in done.stdout

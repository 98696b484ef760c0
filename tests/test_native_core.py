"""The native core (autograd/core/_native.c) against the pure-Python engine it must equal.

Which core runs is chosen at import (autograd/core/native.py), so the other core runs in a
subprocess: the same random programs bit for bit (tests/corerun.py), and the property, parity and
IEEE tests run again on it.  Where a C compiler and the Python headers are found (CI), the native
core must be built and in use: a failed build cannot hide behind the fallback.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import weakref
from pathlib import Path

import pytest

import autograd
from autograd import OPS, Value
from autograd.core import native

ROOT = Path(__file__).resolve().parents[1]
# The tests of numbers that run again on the other core.
CORE_SUITE = ["tests/test_property.py", "tests/test_ops.py", "tests/test_float64.py",
              "tests/test_backward.py", "tests/test_higher_order.py", "tests/test_forward_mode.py",
              "tests/test_modes.py", "tests/test_threads.py", "tests/test_fast_paths.py",
              "tests/test_minimal.py", "tests/test_crosscheck.py", "tests/test_generate.py",
              "tests/test_graph_break.py", "tests/test_functional.py", "tests/test_jacobians.py",
              "tests/test_nn_worked_example.py"]


def _compiler_here() -> bool:
    """Whether this machine can build the native core: its C compiler (CC, as the build reads it)
    compiles a file that includes Python.h."""
    cc = (os.environ.get("CC") or sysconfig.get_config_var("CC") or "cc").split()
    include = sysconfig.get_paths()["include"]
    try:
        done = subprocess.run([*cc, "-I", include, "-x", "c", "-c", "-", "-o", os.devnull],
                              input="#include <Python.h>\nint valuegrad_probe;\n", text=True,
                              capture_output=True, timeout=60)
    except OSError:  # no such compiler
        return False
    return done.returncode == 0


def _run(core: str, *args: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, native.ENVIRONMENT_VARIABLE: core, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=timeout)


def _native_available() -> bool:
    return native.module is not None or _run("native", "-c", "import autograd").returncode == 0


needs_native = pytest.mark.skipif(not _compiler_here(),
                                  reason="no C compiler here: only the pure engine can run")


def test_the_native_core_is_built_and_runs_where_a_compiler_is():
    forced = os.environ.get(native.ENVIRONMENT_VARIABLE, "")
    assert autograd.CORE in ("native", "pure") and autograd.CORE == native.NAME
    if _compiler_here() and forced != "pure":
        assert autograd.CORE == "native", (
            f"a C compiler is here but {native.DESCRIPTION} runs: the build of "
            "autograd/core/_native.c failed (pip install -v shows why)")
    if autograd.CORE == "native":
        assert type(Value(1.0) * 2.0) is Value and isinstance(Value(1.0), native.module.Node)


@needs_native
def test_the_two_cores_give_the_same_bits_on_random_programs_with_every_op():
    runs = {}
    for core in ("pure", "native"):
        done = _run(core, "tests/corerun.py", "400", "20261207")
        assert done.returncode == 0, done.stderr[-2000:]
        runs[core] = json.loads(done.stdout)
        assert runs[core]["core"] == core
    pure, fast = runs["pure"]["programs"], runs["native"]["programs"]
    assert len(pure) == len(fast) == 400
    for k, (a, b) in enumerate(zip(pure, fast)):
        assert a == b, f"program {k} differs between the cores"
    # The programs reach every op, and the edge cases made infinities and nans.
    ops = {node[0] for p in pure for node in p["nodes"]}
    assert ops >= set(OPS), set(OPS) - ops
    numbers = {node[1] for p in pure for node in p["nodes"]}
    assert {"inf", "-inf", "nan", "0x0.0p+0", "-0x0.0p+0"} <= numbers


@needs_native
def test_the_core_suite_passes_on_the_other_core_too():
    other = "pure" if autograd.CORE == "native" else "native"
    done = _run(other, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-x", *CORE_SUITE,
                timeout=1200)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert " passed" in done.stdout and " skipped" not in done.stdout.splitlines()[-1]


def test_every_op_of_the_table_has_a_rule_on_the_running_core():
    # A kernel in C, or the generated Python method behind it: adding an op to the table needs
    # no C to work on the native core (it runs the Python method until it gets a kernel).
    for op in OPS.values():
        for name in (op.method, op.reflected):
            if name is None:
                continue
            found = getattr(Value, name)
            if autograd.CORE == "native" and op.name in native.module.KERNELS:
                assert found is getattr(native.module.Node, name), name
            else:  # written out from the table in value.py
                assert found is Value.__dict__[name], name
    if autograd.CORE == "native":
        assert set(native.module.KERNELS) <= set(OPS)


def test_values_are_weakly_referenced_and_subclassed_on_either_core():
    class Named(Value):
        pass

    x = Named(2.0, "x")
    ref = weakref.ref(x)
    y = (x * 3.0).tanh()
    assert ref() is x and type(y) is Value and y.inputs[0].inputs[0] is x
    y.backward()
    assert x.grad == pytest.approx(3.0 * (1.0 - y.data ** 2))
    del x, y
    assert ref() is None


@pytest.mark.skipif(autograd.CORE != "native", reason="the pure engine's slots take any object")
def test_a_value_refuses_a_non_value_input():
    v = Value(1.0) + 2.0
    with pytest.raises(TypeError, match="Value or None"):
        v._a = 3.0  # type: ignore[assignment]
    v._b = None
    assert v.inputs == (v._a,)


def test_a_reference_cycle_through_a_users_attribute_is_collected():
    # The native core keeps atomic nodes out of the collector's lists; a node made from a Value
    # that carries attributes stays in them, so this cycle is found and freed.
    import gc

    class Tagged(Value):
        pass

    x = Tagged(1.0)
    x.child = x * 2.0  # x -> its __dict__ -> child -> x
    ref = weakref.ref(x)
    del x
    gc.collect()
    assert ref() is None


def test_memory_per_node_is_no_worse_than_the_pure_engine():
    code = ("import tracemalloc; from autograd import Value\n"
            "xs = [Value(float(k)) for k in range(100)]\n"
            "tracemalloc.start(); s = xs[0]\n"
            "for k in range(20000): s = s * xs[k % 100] + 1.0\n"
            "print(tracemalloc.get_traced_memory()[0] / 60000)\n")
    sizes = {}
    for core in ("pure", "native") if _native_available() else ("pure",):
        done = _run(core, "-c", code)
        assert done.returncode == 0, done.stderr
        sizes[core] = float(done.stdout)
    assert sizes["pure"] > 100  # each node (and constant) costs bytes: the measure sees them
    if "native" in sizes:
        assert sizes["native"] <= sizes["pure"], sizes


def test_the_environment_variable_is_checked():
    done = _run("fast", "-c", "import autograd")
    assert done.returncode != 0 and "VALUEGRAD_CORE must be 'native' or 'pure'" in done.stderr
    done = _run("pure", "-c", "import autograd; print(autograd.CORE)")
    assert done.returncode == 0 and done.stdout.strip() == "pure"


def test_an_install_without_a_compiler_runs_the_pure_engine_and_says_so(tmp_path):
    # CC=false: the build of the extension fails, as on a machine without a compiler; the
    # install must go on, and the package must say once which engine runs.
    # From a copy of the sources without what an editable install built in place.
    source, target = tmp_path / "source", tmp_path / "site"
    for part in ("autograd", "nn"):
        shutil.copytree(ROOT / part, source / part,
                        ignore=shutil.ignore_patterns("*.so", "__pycache__"))
    for name in ("setup.py", "setup.cfg", "pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    env = {**os.environ, "CC": "false", "PIP_NO_INPUT": "1"}
    done = subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps",
                           "--no-build-isolation", "--no-cache-dir", "--target", str(target),
                           str(source)], env=env, capture_output=True, text=True, timeout=300,
                          cwd=tmp_path)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert list((target / "autograd").glob("core/*.py")) and not list(target.rglob("*.so"))
    base = {k: v for k, v in os.environ.items() if k != native.ENVIRONMENT_VARIABLE}
    check = ("import warnings; warnings.simplefilter('always')\n"
             "import autograd, nn; x = autograd.Value(0.5); y = (x * 3.0).tanh(); y.backward()\n"
             "print(autograd.CORE); print(x.grad == 3.0 * (1.0 - y.data * y.data))")
    ran = subprocess.run([sys.executable, "-c", check], env={**base, "PYTHONPATH": str(target)},
                         capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.split() == ["pure", "True"]
    assert ran.stderr.count("PureCoreWarning") == 1 and "native core is not built" in ran.stderr
    forced = subprocess.run([sys.executable, "-c", "import autograd"], capture_output=True,
                            env={**base, "PYTHONPATH": str(target),
                                 native.ENVIRONMENT_VARIABLE: "native"}, text=True, timeout=120,
                            cwd=tmp_path)
    assert forced.returncode != 0 and "the native core is not built" in forced.stderr


def test_a_core_built_from_other_sources_is_noticed():
    # An in-place build left behind by edited sources must not run: native.py compares the hash
    # setup.py compiled in with the sources beside it.
    assert "built from other sources" in native._stale("0" * 16)
    assert native._stale("") == ""  # built by hand: nothing to compare
    if native.module is not None:
        assert native._stale(native.module.SOURCE_HASH) == ""


def test_nodes_survive_any_order_of_making_and_freeing():
    # The native core reuses the memory of freed nodes (slabs): graphs made and dropped in any
    # order, nodes kept across them, weak references and a user's subclass among the inputs must
    # all keep their numbers, and a freed node's weak reference must die with it.
    import gc
    import math
    import random

    class Tagged(Value):
        pass

    rng = random.Random(7)
    kept: list[tuple[Value, float]] = []  # (a node, the number it must still hold)
    refs = []
    for round_ in range(60):
        x = (Tagged if round_ % 7 == 0 else Value)(rng.uniform(-1.0, 1.0))
        nodes, numbers = [x], [x.data]
        for _ in range(rng.randint(1, 400)):
            i, j = rng.randrange(len(nodes)), rng.randrange(len(nodes))
            kind = rng.random()
            if kind < 0.4:
                nodes.append(nodes[i] * nodes[j] + 0.5)
                numbers.append(numbers[i] * numbers[j] + 0.5)
            elif kind < 0.8:
                nodes.append((nodes[i] - nodes[j]).tanh())
                numbers.append(math.tanh(numbers[i] - numbers[j]))
            else:
                nodes.append(nodes[i].relu())
                numbers.append(max(numbers[i], 0.0))
        nodes[-1].backward()
        for k in rng.sample(range(len(nodes)), min(3, len(nodes))):
            kept.append((nodes[k], numbers[k]))
        refs.append(weakref.ref(nodes[rng.randrange(len(nodes))]))
        if round_ % 10 == 9:
            kept = [pair for pair in kept if rng.random() < 0.5]
            gc.collect()
        del nodes, x
    for v, number in kept:
        assert v.data == number and math.isfinite(v.grad)
    # Only what the kept nodes hold is alive: every other node's weak reference has died.
    gc.collect()
    reachable = {id(u) for v, _ in kept for u in autograd.topological_order(v)}
    live = [ref() for ref in refs if ref() is not None]
    assert all(id(u) in reachable for u in live)
    assert len(live) < len(refs)  # (and some did die)

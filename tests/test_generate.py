"""Value's op methods and autograd's op functions are the source the generator writes from OPS.

After changing the op table (autograd/core/ops.py), run ``python -m autograd.core.generate``
and commit what it rewrites in autograd/core/value.py and autograd/core/op_functions.py.
"""

import inspect

import pytest

import autograd
from autograd import Value
from autograd.core import generate, native, op_functions, ops, value
from autograd.core.ops import OPS, Op


def test_generated_code_is_what_the_op_table_gives():
    stale = generate.stale()
    assert not stale, (f"{stale} differ from the op table: run `python -m autograd.core.generate` "
                       "and commit the result")


def test_check_mode_fails_on_an_edited_region(tmp_path, monkeypatch):
    for name in [*generate.regions(), *generate.whole_files()]:
        (tmp_path / name).write_text((generate.PACKAGE / name).read_text(encoding="utf-8"),
                                     encoding="utf-8")
    monkeypatch.setattr(generate, "PACKAGE", tmp_path)
    assert generate.main(["--check"]) == 0
    edited = (tmp_path / "value.py").read_text(encoding="utf-8").replace(
        'v._op = "+"', 'v._op = "-"', 1)
    (tmp_path / "value.py").write_text(edited, encoding="utf-8")
    assert generate.main(["--check"]) == 1
    assert generate.main([]) == 0  # rewrites it
    assert generate.main(["--check"]) == 0
    with open(value.__file__, encoding="utf-8") as committed:
        assert (tmp_path / "value.py").read_text(encoding="utf-8") == committed.read()
    (tmp_path / "_native_docs.h").write_text("/* edited */\n", encoding="utf-8")
    assert generate.main(["--check"]) == 1  # the C core's docstrings are checked as well
    assert generate.main([]) == 0
    assert (tmp_path / "_native_docs.h").read_text(encoding="utf-8") == generate.native_docs()


def test_a_new_table_entry_is_one_method_and_one_function(monkeypatch):
    cube = Op("cube", 1, lambda x: (x * x * x, 3.0 * x * x), lambda v: (3.0 * v.inputs[0] ** 2,),
              "cube({x})", ("3·{x}²",), "x to the third power.", method="cube", function="cube")
    monkeypatch.setattr(generate, "OPS", {**OPS, "cube": cube})
    regions = generate.regions()
    source = generate.render((generate.PACKAGE / "value.py").read_text(encoding="utf-8"),
                             regions["value.py"])
    # Defined unless the native core has a kernel: with no C written, the native core runs it.
    assert '    if "cube" not in _IN_C:  # else the native core\'s serves\n' \
           '        def cube(self) -> Value:\n' in source
    assert "#define DOC_cube" in generate.native_docs()
    assert "∂(cube(x))/∂x = 3·x²" in source
    assert '_forward_cube = ops.OPS["cube"].forward' in source
    compile(source, "value.py", "exec")  # valid Python (compiled, not run)
    functions = regions["op_functions.py"]["functions"]
    assert "def cube(x: Operand) -> Value:" in functions and '    "cube",\n' in functions


def test_a_region_without_markers_is_an_error():
    with pytest.raises(ValueError, match="no markers for the generated region 'methods'"):
        generate.render("class Value:\n    pass\n", {"methods": "def f(self): ...\n"}, "x.py")


def test_every_method_and_function_is_written_in_its_module_with_its_derivatives():
    for op in OPS.values():
        operands = ("x", "y") if op.arity == 2 else ("x",)
        rules = op.rules(*operands)
        for name in (op.method, op.reflected):
            if name is None:
                continue
            if op.name in value._IN_C:  # the native core's method, its docstring from the table
                method = getattr(Value, name)
                assert method is getattr(native.module.Node, name)
                if not name.startswith("__"):  # an operator's docstring is CPython's
                    assert all(rule in method.__doc__ for rule in rules), (name, method.__doc__)
                continue
            method = Value.__dict__[name]  # defined by the class body, not attached later
            assert method.__qualname__ == f"Value.{name}"
            assert inspect.getsourcefile(method) == value.__file__
            assert all(rule in method.__doc__ for rule in rules), (name, method.__doc__)
        if op.function:
            function = getattr(autograd, op.function)
            assert function is getattr(op_functions, op.function)
            assert inspect.getsourcefile(function) == op_functions.__file__
            assert all(rule in function.__doc__ for rule in rules), (op.function,
                                                                       function.__doc__)
            assert autograd.functions[op.function] is function
            assert op.function in autograd.__all__


def test_the_constant_exponent_is_documented_on_pow():
    # (With the native core, `**` is CPython's slot wrapper: the pure run of this test reads it.)
    if "**" not in value._IN_C:
        assert "∂(x**c)/∂x = c·x**(c-1)" in Value.__pow__.__doc__
    assert "∂(x**c)/∂x = c·x**(c-1)" in generate.methods()


def test_generated_nodes_match_apply_and_the_float_functions():
    # The written-out recording makes the same node as _node() (through apply()).
    x = Value(0.7)
    for op in OPS.values():
        if op.method is None or op.arity != 1:
            continue
        a, b = getattr(x, op.method)(), autograd.apply(op.name, x)
        assert (a.data, a.op, a.inputs, a.local_grads, a.label, a.grad) == \
            (b.data, b.op, b.inputs, b.local_grads, b.label, b.grad)
    for made, name, local in ((x ** 2, "**c", (2 * 0.7, None)), (2 ** x, "**", None),
                              (x.maximum(1), "maximum", (0.0, 1.0))):
        assert made.op == name and made.data == ops.OPS[name].forward(
            *(v.data for v in made.inputs))[0]
        if local is not None:
            assert made.local_grads == pytest.approx(local)

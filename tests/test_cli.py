"""The valuegrad command: graph and explain end to end, hostile expressions, exit codes."""

from __future__ import annotations

import importlib
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd import Value
from autograd.cli.main import (
    FUNCTIONS,
    ExpressionError,
    UsageError,
    build,
    main,
    parse_expression,
)
from nn.cli import main as valuegrad_main

rendermod = importlib.import_module("autograd.viz.render")
SVG = "{http://www.w3.org/2000/svg}"
NEURON = ["tanh(x*w + b)", "x=2", "w=-3", "b=6.8813735870195432"]
REPO = Path(__file__).resolve().parents[1]


def test_graph_writes_an_svg_of_the_expression_after_backward(tmp_path, capsys):
    target = tmp_path / "neuron.svg"
    assert main(["graph", *NEURON, "-o", str(target)]) == 0
    assert f"wrote {target}" in capsys.readouterr().out
    root = ET.parse(target).getroot()
    nodes = [g for g in root.iter(f"{SVG}g") if g.get("class") == "node"]
    texts = ["\n".join(t.text or "" for t in g.iter(f"{SVG}text")) for g in nodes]
    assert len(nodes) == 6 + 3  # x, w, b, x*w, x*w + b, tanh(...) and the 3 op nodes
    assert "w\ndata -3\ngrad 1" in texts and "x\ndata 2\ngrad -1.5" in texts
    assert "tanh(x*w + b)\ndata 0.7071\ngrad 1" in texts


def test_graph_png_and_dot_output(tmp_path, capsys, monkeypatch):
    assert main(["graph", *NEURON, "-o", str(tmp_path / "n.png"), "--rankdir", "TB"]) == 0
    assert (tmp_path / "n.png").read_bytes()[:4] == b"\x89PNG"
    # --dot needs no renderer at all.
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.delenv(rendermod.RENDERER_ENV, raising=False)
    monkeypatch.setattr(rendermod, "_graphviz_pure_executable", lambda: None)
    capsys.readouterr()
    assert main(["graph", *NEURON, "--dot"]) == 0
    assert capsys.readouterr().out.startswith("digraph valuegrad {")
    assert main(["graph", *NEURON, "-o", str(tmp_path / "n.svg")]) == 1
    assert "pip install graphviz-pure" in capsys.readouterr().err


def test_explain_prints_the_table_paths_markdown_and_a_step_through_page(tmp_path, capsys):
    page = tmp_path / "steps.html"
    assert main(["explain", *NEURON, "--paths", "w", "--step-through", str(page)]) == 0
    out = capsys.readouterr().out
    assert "backward pass of tanh(x*w + b)" in out
    assert "∂tanh(x*w + b)/∂w: 1 path" in out and "= 0.5 · 1 · 2 = 1" in out
    assert page.read_text(encoding="utf-8").count('class="frame"') == 11
    assert main(["explain", *NEURON, "--markdown"]) == 0
    assert "| step | node | value | grad |" in capsys.readouterr().out
    assert main(["explain", *NEURON, "--paths", "zz"]) == 2


def error_of(argv: list[str], capsys) -> str:
    assert main(argv) == 2
    return capsys.readouterr().err


def test_syntax_errors_point_at_the_column(capsys):
    err = error_of(["graph", "x*w ^^ b", "x=1", "w=2", "b=3"], capsys)
    assert "syntax error" in err
    lines = err.splitlines()
    text_line, caret_line = lines[-2], lines[-1]
    assert text_line == "  x*w ^^ b"
    assert text_line[caret_line.index("^")] == "^"
    err = error_of(["graph", "x ^ w", "x=1", "w=2"], capsys)
    assert "** for powers" in err and err.splitlines()[-1] == "    ^"


@pytest.mark.parametrize("expression, message", [
    ("x.__class__", "attribute access"),
    ("__import__('os').system('true')", "only calls of the known functions"),
    ("__import__('os')", "unknown function '__import__'"),
    ("open('f')", "unknown function 'open'"),
    ("exp(x, x)", "exactly one argument"),
    ("exp(x=1)", "exactly one argument"),
    ("exp + x", "exp is a function"),
    ("x if x else x", "IfExp is not allowed"),
    ("[x]", "List is not allowed"),
    ("x < 1", "Compare is not allowed"),
    ("lambda: 1", "Lambda is not allowed"),
    ("'text'", "only numbers"),
    ("True + x", "only numbers"),
    ("1j * x", "only numbers"),
    ("x // 2", "the operator //"),
    ("not x", "only unary - and +"),
    ("(x := 3)", "NamedExpr is not allowed"),
    ("", "empty"),
    ("x +\n1", "one line"),
    ("x" + "+x" * 300, "characters; the limit"),
    ("+".join(["x"] * 120), "parts; the limit"),
])
def test_hostile_and_invalid_expressions_are_refused_by_name(expression, message, capsys):
    assert message in error_of(["explain", expression, "x=1"], capsys)


def test_parsing_never_runs_code(tmp_path):
    marker = tmp_path / "ran"
    for payload in [f"__import__('os').system('touch {marker}')",
                    f"exp(__import__('pathlib').Path('{marker}').touch())"]:
        with pytest.raises(ExpressionError):
            parse_expression(payload)
    assert not marker.exists()


def test_missing_unused_and_malformed_variables_are_named(capsys):
    assert "no value for w, b: pass w=NUMBER b=NUMBER" in error_of(
        ["graph", "tanh(x*w + b)", "x=2"], capsys)
    assert "q is not used" in error_of(["graph", "x*2", "x=2", "q=1"], capsys)
    assert "x is given twice" in error_of(["graph", "x*2", "x=2", "x=3"], capsys)
    assert "not a number" in error_of(["graph", "x*2", "x=abc"], capsys)
    assert "expected NAME=NUMBER" in error_of(["graph", "x*2", "x"], capsys)
    assert "not a valid variable name" in error_of(["graph", "x*2", "1x=3"], capsys)


def test_usage_errors_exit_2_and_help_exits_0(capsys):
    assert main([]) == 2
    assert main(["paint"]) == 2
    assert main(["graph"]) == 2
    assert valuegrad_main(["demo", "--steps", "0"]) == 2  # the console script adds demo
    assert main(["demo"]) == 2  # the engine's own command line has no demo: it imports no nn
    assert main(["--help"]) == 0
    assert "exit codes" in capsys.readouterr().out


def test_evaluation_matches_python_arithmetic():
    root, values = build("-x**2 / (y - 1) + sqrt(abs(y)) * exp(-x)", ["x=1.5", "y=-2"])
    x, y = 1.5, -2.0
    import math

    assert root.data == pytest.approx(-x**2 / (y - 1) + math.sqrt(abs(y)) * math.exp(-x))
    assert parse_expression("b*a + a*c").names == ("b", "a", "c")  # in written order
    single, _ = build("x", ["x=4"])
    assert single.data == 4.0 and single.op == "*"  # a bare name still gets one operation


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="xw()+-*/^.,=[]'\"0123456789 eaptnh_\\", max_size=40))
def test_random_text_either_parses_or_raises_a_usage_error(text):
    try:
        expression = parse_expression(text)
    except UsageError:
        return
    # Whatever got through the whitelist evaluates on Values without raising.
    assert all(name.isidentifier() and name not in FUNCTIONS for name in expression.names)
    result = expression.evaluate({name: Value(1.0) for name in expression.names})
    assert isinstance(result, Value)


def test_python_dash_m_runs_the_command():
    done = subprocess.run([sys.executable, "-m", "autograd", "explain", "x*y", "x=3", "y=4"],
                          capture_output=True, text=True, cwd=REPO, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert "backward pass of x*y" in done.stdout
    leading_minus = subprocess.run([sys.executable, "-m", "autograd", "explain", "--", "-x*y",
                                    "x=3", "y=4"], capture_output=True, text=True, cwd=REPO,
                                   timeout=120, check=False)
    assert leading_minus.returncode == 0 and "backward pass of -x*y" in leading_minus.stdout
    bad = subprocess.run([sys.executable, "-m", "autograd", "explain", "x*"], capture_output=True,
                         text=True, cwd=REPO, timeout=120, check=False)
    assert bad.returncode == 2 and "column 3" in bad.stderr


# --- hostile numbers, output names and early usage checks ----------


@pytest.mark.parametrize("number", ["nan", "-nan", "inf", "-inf", "Infinity", "1e999", "-1e400"])
def test_non_finite_variable_values_are_a_usage_error(number, capsys):
    assert main(["explain", "x*2", f"x={number}"]) == 2
    captured = capsys.readouterr()
    assert "finite" in captured.err and captured.out == ""


@pytest.mark.parametrize("expression", ["1e999*x", "x*1e309", "x+.1e400"])
def test_float_literals_that_overflow_are_refused(expression):
    with pytest.raises(ExpressionError, match="too large"):
        parse_expression(expression)


def test_large_but_finite_numbers_still_work():
    root, _ = build("x*1e300", ["x=1e-300"])
    assert root.data == pytest.approx(1.0)


@pytest.mark.parametrize("name", ["out.txt", "out", "out.SVGZ"])
def test_unknown_output_extension_is_a_usage_error_before_any_work(name, tmp_path, capsys):
    assert main(["graph", *NEURON, "-o", str(tmp_path / name)]) == 2
    err = capsys.readouterr().err
    assert ".svg, .png or .dot" in err and "Traceback" not in err
    assert list(tmp_path.iterdir()) == []


def test_unknown_paths_variable_is_refused_before_printing_the_table(capsys):
    assert main(["explain", *NEURON, "--paths", "zz"]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and "--paths zz" in captured.err


def test_variable_names_are_read_as_python_reads_them():
    # Python folds compatible characters (NFKC) in names: the fullwidth ｘ is the name x.
    root, values = build("ｘ*2", ["ｘ=3"])
    assert root.data == 6.0 and list(values) == ["x"]


def test_generated_node_names_never_repeat_a_variable_name(capsys):
    from autograd import explain, topological_order
    from autograd.explanations.names import display_names

    assert main(["explain", "v1*x + v2", "v1=2", "x=3", "v2=1", "--paths", "v1"]) == 0
    out = capsys.readouterr().out
    assert "∂(v1*x + v2)/∂(v1*x) · ∂(v1*x)/∂v1" in out  # the product reads as its source text
    root, values = build("v1*x + v2", ["v1=2", "x=3", "v2=1"])
    names = [s.name for s in explain(root).steps]
    assert len(names) == len(set(names))
    # Where no expression can be written, the place-name vN skips the names variables have.
    v1, x, v2 = Value(2.0, label="v1"), Value(3.0, label="x"), Value(1.0, label="v2")
    big = v1
    for _ in range(12):
        big = big * x + v2
    shown = list(display_names(topological_order(big)).values())
    assert len(set(shown)) == len(shown)  # no vN repeats a variable's name
    assert any(re.fullmatch(r"v\d+'*", n) for n in shown[3:])


@pytest.mark.parametrize("expression", ["x*2 #\x1b[31mred", "x*\x1b", "x\u202e*2", "x*2\x00"])
def test_control_and_bidi_characters_are_refused_without_echoing_them(expression, capsys):
    assert main(["explain", expression, "x=1"]) == 2
    captured = capsys.readouterr()
    assert "is not allowed" in captured.err and captured.out == ""
    assert not any(ch in captured.err for ch in "\x1b\u202e\x00")


def test_the_valuegrad_console_script_is_declared_for_cli_main():
    import configparser
    from pathlib import Path

    from nn import cli  # the engine's commands plus the demo, which needs nn

    config = configparser.ConfigParser()
    config.read(Path(__file__).resolve().parents[1] / "setup.cfg", encoding="utf-8")
    scripts = config["options.entry_points"]["console_scripts"].split("\n")
    assert "valuegrad = nn.cli:main" in [s.strip() for s in scripts]
    assert callable(cli.main)


# --- polish: version, help, terminals, pipes, output paths ----------


def test_version_and_help_for_every_option(capsys):
    from autograd import __version__
    from autograd.cli.main import _parser
    from autograd.core import native

    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == (f"valuegrad {__version__}, on "
                                               f"{native.DESCRIPTION}")
    parser = _parser()
    subparsers = next(a for a in parser._actions if a.dest == "command").choices
    for command, sub in [("valuegrad", parser), *subparsers.items()]:
        for action in sub._actions:
            if action.dest not in ("help", "command"):
                assert action.help, f"{command}: {action.dest} has no help text"


def test_a_terminal_that_cannot_encode_gets_ascii_not_a_traceback():
    import os

    env = {**os.environ, "PYTHONIOENCODING": "ascii", "PYTHONPATH": str(REPO)}
    done = subprocess.run([sys.executable, "-m", "autograd", "explain", "y/x", "x=2", "y=1",
                           "--paths", "y"], capture_output=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    out = done.stdout.decode("ascii")
    assert "d(y/x)/dy = 1/x = 0.5" in out and "Traceback" not in done.stderr.decode()


def test_a_closed_pipe_exits_quietly():
    import os

    env = {**os.environ, "PYTHONPATH": str(REPO)}
    script = (f"{sys.executable} -m autograd explain 'tanh(x*w + b)' x=2 w=-3 b=1 "
              "--paths x | head -c 20")
    done = subprocess.run(["bash", "-c", script], capture_output=True, env=env, timeout=120)
    assert done.stderr == b"" and len(done.stdout) == 20


@pytest.mark.parametrize(("argv", "message"), [
    (["graph", *NEURON, "-o", "{dir}/"], "that is a folder"),
    (["graph", *NEURON, "-o", "{dir}"], "that is a folder"),
    (["graph", *NEURON, "-o", "{dir}/missing/n.svg"], "does not exist"),
    (["explain", *NEURON, "--step-through", "{dir}/steps.txt"], "use .html or .htm"),
    (["explain", *NEURON, "--step-through", "{dir}/"], "that is a folder"),
])
def test_output_paths_are_checked_before_any_work(argv, message, tmp_path, capsys):
    argv = [a.replace("{dir}", str(tmp_path)) for a in argv]
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert message in captured.err and captured.out == ""
    assert list(tmp_path.iterdir()) == []


def test_nodes_are_named_by_their_source_text():
    from autograd import explain

    sources: dict = {}
    root, _ = build("tanh(x*w+b) * 2", ["x=2", "w=-3", "b=1"], sources)
    assert set(sources.values()) >= {"x*w", "x*w+b", "tanh(x*w+b)"}
    names = [s.name for s in explain(root, names=sources).steps]
    assert names[:3] == ["tanh(x*w+b) * 2", "tanh(x*w+b)", "x*w+b"]

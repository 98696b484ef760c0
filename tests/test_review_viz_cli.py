"""Review of the valuegrad command: hostile numbers, output names and early usage checks."""

from __future__ import annotations

import pytest

from autograd.cli import ExpressionError, build, main, parse_expression

NEURON = ["tanh(x*w + b)", "x=2", "w=-3", "b=6.8813735870195432"]


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
    assert main(["explain", "v1*x + v2", "v1=2", "x=3", "v2=1", "--paths", "v1"]) == 0
    out = capsys.readouterr().out
    # The product v1*x is v2 by position; a variable already has that name.
    assert "∂(v1*x + v2)/∂v2' · ∂v2'/∂v1" in out
    root, values = build("v1*x + v2", ["v1=2", "x=3", "v2=1"])
    from autograd import explain

    names = [s.name for s in explain(root).steps]
    assert len(names) == len(set(names))


@pytest.mark.parametrize("expression", ["x*2 #\x1b[31mred", "x*\x1b", "x\u202e*2", "x*2\x00"])
def test_control_and_bidi_characters_are_refused_without_echoing_them(expression, capsys):
    assert main(["explain", expression, "x=1"]) == 2
    captured = capsys.readouterr()
    assert "is not allowed" in captured.err and captured.out == ""
    assert not any(ch in captured.err for ch in "\x1b\u202e\x00")


def test_explain_spells_out_control_characters_in_labels():
    from autograd import Value, explain

    x = Value(2.0, label="x\x1b]0;title\x07")
    y = x * 3.0
    y.label = "line\nbreak"
    ex = explain(y)
    text = str(ex) + ex.to_markdown() + ex.to_html() + str(ex.paths("line\nbreak"))
    assert "\x1b" not in text and "\x07" not in text and "line\nbreak" not in text
    assert "x\\x1b]0;title\\x07" in str(ex) and "line\\x0abreak" in str(ex)
    assert ex.paths(x).gradient == 3.0 and ex.paths("x\\x1b]0;title\\x07").gradient == 3.0


def test_a_one_step_pass_reads_as_one_step():
    from autograd import Value, explain

    ex = explain(Value(3.0, label="x"))
    assert "1 step;" in str(ex) and "1 steps" not in repr(ex)


def test_the_valuegrad_console_script_is_declared_for_cli_main():
    import configparser
    from pathlib import Path

    from autograd import cli

    config = configparser.ConfigParser()
    config.read(Path(__file__).resolve().parents[1] / "setup.cfg", encoding="utf-8")
    scripts = config["options.entry_points"]["console_scripts"].split("\n")
    assert "valuegrad = autograd.cli:main" in [s.strip() for s in scripts]
    assert callable(cli.main)

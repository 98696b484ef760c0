"""The repository keeps its promises: README's commands, CI running them, typed public API."""

import pathlib
import re

import autograd

ROOT = pathlib.Path(__file__).resolve().parent.parent


def readme_commands():
    text = (ROOT / "README.md").read_text()
    quick = text.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```bash\n(.+?)\n```", quick)


def test_readme_has_exactly_a_demo_and_a_test_command():
    demo, tests = readme_commands()
    assert "pip install" in demo and "valuegrad demo" in demo
    assert "pip install" in tests and "pytest" in tests


def test_ci_runs_the_readme_test_command_verbatim():
    _, tests = readme_commands()
    ci = (ROOT / ".ci" / "run").read_text().splitlines()
    assert tests in ci
    assert any("torch==2.13.0" in line for line in ci)


def test_public_names_have_docstrings_and_package_is_typed():
    assert (ROOT / "autograd" / "py.typed").exists() and (ROOT / "nn" / "py.typed").exists()
    for name in autograd.__all__:
        obj = getattr(autograd, name)
        if callable(obj) and not isinstance(obj, dict):
            assert obj.__doc__, f"autograd.{name} has no docstring"

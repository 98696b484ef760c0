"""The installed package (not the source tree) works: the console script runs from anywhere."""

import pathlib
import subprocess
import sys


def test_installed_console_script_explains_from_another_folder(tmp_path):
    script = pathlib.Path(sys.executable).parent / "valuegrad"
    assert script.exists(), "install the package first (README's test command does)"
    done = subprocess.run([str(script), "explain", "x*w", "x=2", "w=-3"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "-3" in done.stdout and "2" in done.stdout

"""Every save path: old files survive kill -9, hard links and special files are refused, no hang."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import textwrap
import time
import warnings
from pathlib import Path

import pytest

import nn

ROOT = Path(__file__).resolve().parent.parent
# Long enough for any save to finish; a save that blocks on a FIFO never would.
TIMEOUT = 30


def python(code: str) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, "-c", textwrap.dedent(code)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


BIG = [nn.MLP(30, [60, 60, 1], seed=s) for s in (1, 2)]  # a save takes a few milliseconds


def saver(path: Path, ready: int) -> None:
    """In a forked child: save the two big models by turns forever; report the first result."""
    warnings.simplefilter("ignore")  # leftovers of earlier kills are removed with a warning
    i = 0
    while True:
        try:
            BIG[i % 2].save(path)
        except ValueError as err:
            os.write(ready, f"refused {err}\n".encode())
            time.sleep(TIMEOUT)
        i += 1
        if i == 1:
            os.write(ready, b"saved\n")


def kill_during_saves(path: Path, rounds: int) -> list[str]:
    """Fork a saving child `rounds` times and kill -9 it at a random moment; what each said."""
    rng = random.Random(7)
    said = []
    for _ in range(rounds):
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: never returns into pytest
            try:
                os.close(read)
                saver(path, write)
            finally:
                os._exit(1)
        os.close(write)
        with os.fdopen(read) as pipe:
            said.append(pipe.readline().strip())
            time.sleep(rng.uniform(0.0, 0.03))
            os.kill(pid, signal.SIGKILL)  # no handler, no cleanup
            os.waitpid(pid, 0)
    return said


def test_killed_saves_leave_the_old_or_the_new_weights_and_no_leftovers(tmp_path):
    path = tmp_path / "w.json"
    models = [model.state_dict() for model in BIG]
    said = kill_during_saves(path, rounds=10)
    assert said == ["saved"] * 10
    assert nn.load_state_dict(path) in models  # never a mixture, never unreadable
    with pytest.warns(UserWarning, match="temporary file"):
        # Leftovers of killed saves are removed by the next save, with a warning, or there
        # were none: make sure there is one to see the warning.
        leftover = tmp_path / f".w.json.valuegrad-{dead_pid()}-abcdef.tmp"
        leftover.write_text("half")
        nn.MLP(2, [1], seed=0).save(path)
    assert os.listdir(tmp_path) == ["w.json"]


def test_killed_saves_to_a_hard_linked_file_leave_it_whole(tmp_path):
    path = tmp_path / "w.json"
    BIG[0].save(path)
    os.link(path, tmp_path / "twin.json")
    before = path.read_bytes()
    said = kill_during_saves(path, rounds=15)
    assert all(line.startswith("refused") and "2 hard links" in line for line in said)
    assert path.read_bytes() == before and (tmp_path / "twin.json").read_bytes() == before
    assert sorted(os.listdir(tmp_path)) == ["twin.json", "w.json"]


def dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_a_leftover_temporary_file_of_a_dead_save_is_removed_by_the_next_save(tmp_path):
    path = tmp_path / "w.json"
    nn.MLP(2, [1], seed=0).save(path)
    leftover = tmp_path / f".w.json.valuegrad-{dead_pid()}-0123456789ab.tmp"
    leftover.write_text('{"format": "valuegrad-weig')
    mine = tmp_path / f".w.json.valuegrad-{os.getpid()}-0123456789ab.tmp"  # a live save's
    mine.write_text("in progress")
    from autograd.output.files import stale_temporaries

    assert stale_temporaries(str(tmp_path), "w.json") == [str(leftover)]
    with pytest.warns(UserWarning, match=rf"removed 1 temporary file.*{leftover.name}"):
        nn.MLP(2, [1], seed=1).save(path)
    assert sorted(os.listdir(tmp_path)) == sorted([mine.name, "w.json"])


def test_saving_to_dev_stdout_on_a_pipe_names_dev_stdout_not_a_temporary_file():
    child = python("""
        import nn
        try:
            nn.MLP(2, [1], seed=0).save("/dev/stdout")
        except ValueError as err:
            import sys
            print(err, file=sys.stderr)
    """)
    out, err = child.communicate(timeout=TIMEOUT)
    assert "'/dev/stdout'" in err and "FIFO" in err, err
    assert ".tmp" not in err and "/proc/" not in err, err
    assert out == ""


def test_an_error_while_writing_names_the_users_path(tmp_path, monkeypatch):
    path = tmp_path / "w.json"
    nn.MLP(2, [1], seed=0).save(path)
    before = path.read_bytes()

    def full(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(OSError, match=r"No space left on device \(saving weights to '.*w\.json'"):
        nn.MLP(2, [3, 1], seed=1).save(path)
    monkeypatch.undo()
    assert path.read_bytes() == before and os.listdir(tmp_path) == ["w.json"]


FIFO_SAVES = {
    "draw": "from autograd import Value, draw\n"
            "x = Value(2.0, label='x'); y = x * x; y.backward(); draw(y).save(FIFO)",
    "draw_png": "from autograd import Value, draw\n"
                "x = Value(2.0, label='x'); y = x * x; y.backward(); draw(y).save(FIFO)",
    "step_through": "from autograd import Value, step_through\n"
                    "x = Value(2.0, label='x'); y = x * x; step_through(y).save(FIFO)",
    "diagram": "import nn\nnn.diagram(nn.MLP(2, [2, 1], seed=0)).save(FIFO)",
    "weights": "import nn\nnn.MLP(2, [1], seed=0).save(FIFO)",
    "cli_graph": "import sys\nfrom nn.cli import main\n"
                 "sys.exit(main(['graph', 'x*y', 'x=2', 'y=3', '-o', FIFO]))",
    "cli_step_through": "import sys\nfrom nn.cli import main\n"
                        "sys.exit(main(['explain', 'x*y', 'x=2', 'y=3', '--step-through', FIFO]))",
}


@pytest.mark.parametrize("case", sorted(FIFO_SAVES))
def test_every_save_path_refuses_a_fifo_instead_of_blocking(tmp_path, case):
    suffix = {"draw_png": ".png", "weights": ".json", "draw": ".svg", "diagram": ".svg",
              "cli_graph": ".svg"}.get(case, ".html")
    fifo = tmp_path / f"pipe{suffix}"
    os.mkfifo(fifo)
    child = python(f"FIFO = {str(fifo)!r}\n" + FIFO_SAVES[case])
    try:
        out, err = child.communicate(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        child.kill()
        child.communicate()
        pytest.fail(f"{case}: saving to a FIFO blocked")
    assert child.returncode != 0
    assert "FIFO" in out + err and "not a regular file" in out + err, out + err
    if case.startswith("cli"):
        assert child.returncode == 2 and "Traceback" not in err, err
    assert sorted(os.listdir(tmp_path)) == [fifo.name]


def test_a_missing_folder_is_named_as_missing_not_as_unwritable(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"folder '.*nowhere' does not exist"):
        nn.MLP(2, [1], seed=0).save(tmp_path / "nowhere" / "w.json")
    assert os.listdir(tmp_path) == []


def test_drawings_pages_and_cli_outputs_refuse_a_hard_linked_target_before_any_work(tmp_path,
                                                                                     capsys):
    from autograd import Value, draw, step_through
    from nn.cli import main

    x = Value(2.0, label="x")
    y = x * x
    for name, save in [("g.svg", lambda p: draw(y).save(p)),
                       ("s.html", lambda p: step_through(y).save(p))]:
        path = tmp_path / name
        path.write_text("old")
        os.link(path, tmp_path / f"twin-{name}")
        with pytest.raises(ValueError, match=rf"{name}'.* 2 hard links"):
            save(path)
        assert path.read_text() == "old"
    assert main(["graph", "x*y", "x=2", "y=3", "-o", str(tmp_path / "g.svg")]) == 2
    assert "2 hard links" in capsys.readouterr().err
    assert (tmp_path / "g.svg").read_text() == "old"

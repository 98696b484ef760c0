"""Weights as data: state_dict, JSON files (bit-exact, versioned, atomic) and their errors."""

from __future__ import annotations

import json
import math
import os
import struct

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import nn
import nn.io


def bits(x: float) -> bytes:
    return struct.pack("<d", x)


def test_state_dict_round_trip_through_a_file(tmp_path):
    model = nn.MLP(3, [4, 2], seed=1)
    path = tmp_path / "weights.json"
    model.save(path)
    other = nn.MLP(3, [4, 2], seed=2)
    assert other.state_dict() != model.state_dict()
    other.load(str(path))
    assert [bits(v) for v in other.state_dict().values()] == \
        [bits(v) for v in model.state_dict().values()]
    document = json.loads(path.read_text())
    assert document["format"] == "valuegrad-weights" and document["version"] == 1
    assert list(document["parameters"]) == [name for name, _ in model.named_parameters()]


finite = st.floats(allow_nan=False, allow_infinity=False)


@settings(max_examples=60, deadline=None)
@given(st.lists(finite, min_size=4, max_size=4))
def test_floats_round_trip_bit_exactly(tmp_path_factory, numbers):
    model = nn.MLP(1, [2], activation="linear", seed=0)
    model.set_weights([[[numbers[0]], [numbers[1]]]], [[numbers[2], numbers[3]]])
    path = tmp_path_factory.mktemp("w") / "w.json"
    model.save(path)
    loaded = nn.load_state_dict(path)
    assert [bits(v) for v in loaded.values()] == [bits(v) for v in model.state_dict().values()]


def test_signed_zero_and_extremes_survive():
    state = {"a": -0.0, "b": 5e-324, "c": 1.7976931348623157e308, "d": 0.1 + 0.2}
    text = json.dumps({"format": "valuegrad-weights", "version": 1, "parameters": state})
    back = nn.io.parse_state_dict(text)
    assert [bits(v) for v in back.values()] == [bits(v) for v in state.values()]


def test_missing_and_unexpected_parameters_are_named():
    small = nn.MLP(2, [2, 1], seed=0)
    state = small.state_dict()
    del state["layers.1.neurons.0.b"]
    with pytest.raises(ValueError, match="missing parameter\\(s\\) 'layers.1.neurons.0.b'"):
        small.load_state_dict(state)
    wider = nn.MLP(2, [3, 1], seed=0).state_dict()
    with pytest.raises(ValueError, match="wrong shape .*unexpected parameter\\(s\\) "
                                         "'layers.0.neurons.2.w.0'"):
        small.load_state_dict(wider)


@pytest.mark.parametrize("entry, message", [
    ([0.1, 0.2], "must be one number, got a list of 2"),
    ("0.5", "must be one number, got '0.5'"),
    (True, "must be one number, got True"),
    (None, "must be one number, got None"),
    (math.nan, "is nan; weights must be finite"),
    (-math.inf, "is -inf; weights must be finite"),
    (10 ** 400, "is too large for a float"),
], ids=["list", "str", "bool", "none", "nan", "-inf", "huge-int"])
def test_bad_entries_are_named_and_change_nothing(entry, message):
    model = nn.MLP(2, [1], seed=0)
    before = model.state_dict()
    state = dict(before)
    state["layers.0.neurons.0.w.0"] = 9.0  # a good entry before the bad one...
    state["layers.0.neurons.0.w.1"] = entry
    with pytest.raises(ValueError, match=f"parameter 'layers.0.neurons.0.w.1' {message}"):
        model.load_state_dict(state)
    assert model.state_dict() == before  # ...is not applied either


@pytest.mark.parametrize("text, message", [
    ("{not json", "is not valid JSON"),
    ('{"version": 1, "parameters": {}}', "is not a valuegrad weights file"),
    ('[1, 2]', "is not a valuegrad weights file"),
    ('{"format": "valuegrad-weights", "version": 2, "parameters": {}}',
     "format version 2; this valuegrad reads up to version 1"),
    ('{"format": "valuegrad-weights", "version": "1", "parameters": {}}',
     "\"version\" must be an integer"),
    ('{"format": "valuegrad-weights", "version": 1, "parameters": [1.0]}',
     "\"parameters\" must be a JSON object"),
    ('{"format": "valuegrad-weights", "version": 1, "parameters": {"w": NaN}}',
     "parameter 'w' is nan"),
    ('{"format": "valuegrad-weights", "version": 1, "parameters": {"w": 1e999}}',
     "parameter 'w' is inf"),
    ('{"format": "valuegrad-weights", "version": 1, "parameters": {"w": 1, "w": 2}}',
     "key 'w' appears twice"),
])
def test_damaged_files_give_clear_errors(tmp_path, text, message):
    path = tmp_path / "bad.json"
    path.write_text(text)
    with pytest.raises(ValueError, match=message):
        nn.load_state_dict(path)


def test_saving_refuses_non_finite_weights_and_keeps_the_old_file(tmp_path):
    model = nn.MLP(2, [1], seed=0)
    path = tmp_path / "w.json"
    model.save(path)
    old = path.read_bytes()
    model.layers[0].neurons[0].b.data = math.nan
    with pytest.raises(ValueError, match="parameter 'layers.0.neurons.0.b' is nan"):
        model.save(path)
    assert path.read_bytes() == old
    assert os.listdir(tmp_path) == ["w.json"]


def test_an_interrupted_save_leaves_the_old_file_intact(tmp_path, monkeypatch):
    path = tmp_path / "w.json"
    nn.MLP(2, [1], seed=0).save(path)
    old = path.read_bytes()
    os.chmod(path, 0o640)

    def crash(*args):
        raise KeyboardInterrupt  # e.g. Ctrl-C just before the rename

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(KeyboardInterrupt):
        nn.MLP(2, [1], seed=5).save(path)
    monkeypatch.undo()
    assert path.read_bytes() == old
    assert os.listdir(tmp_path) == ["w.json"]  # the temporary file is cleaned up
    nn.MLP(2, [1], seed=5).save(path)
    assert path.read_bytes() != old
    assert os.stat(path).st_mode & 0o777 == 0o640  # permissions kept


def test_bad_paths_and_states():
    with pytest.raises(TypeError, match="path must be a str or os.PathLike, got int"):
        nn.save_state_dict({}, 3)
    with pytest.raises(TypeError, match="state must be a dict"):
        nn.save_state_dict([1.0], "x.json")
    with pytest.raises(TypeError, match="load_state_dict needs a dict"):
        nn.MLP(2, [1], seed=0).load_state_dict([1.0, 2.0, 3.0])

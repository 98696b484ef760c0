"""nn refuses inputs that would give a silent wrong answer, with a clear error."""

import math

import pytest

import nn
from autograd import Value


def test_set_weights_rejects_nan_and_inf_like_load_state_dict():
    model = nn.MLP(2, [2, 1], seed=0)
    before = model.state_dict()
    with pytest.raises(ValueError, match=r"weights\[0\]\[1\] must be a finite number, got nan"):
        model.set_weights([[[0.1, math.nan], [0.3, 0.4]], [[0.5, 0.6]]])
    with pytest.raises(ValueError, match="finite"):
        model.layers[1].neurons[0].set_weights([0.1, 0.2], b=math.inf)
    assert model.state_dict() == before


def test_rng_must_be_a_random_generator():
    with pytest.raises(TypeError, match="rng must be a random.Random"):
        nn.Neuron(2, rng=3)
    with pytest.raises(TypeError, match="rng must be a random.Random"):
        nn.Layer(2, 2, rng=3)


@pytest.mark.parametrize("loss", [nn.mse, nn.half_sse])
@pytest.mark.parametrize("bad", [math.nan, math.inf])
def test_regression_losses_reject_non_finite_targets(loss, bad):
    with pytest.raises(ValueError, match=r"target\[1\] must be a finite number"):
        loss([Value(1.0), Value(2.0)], [1.0, bad])


@pytest.mark.parametrize("alpha", [-1e-4, math.nan, math.inf, "1e-4", True])
def test_l2_alpha_is_checked(alpha):
    with pytest.raises(ValueError, match="alpha"):
        nn.l2([Value(1.0)], alpha)


def test_fit_rejects_non_finite_features_and_a_loss_that_is_not_a_function():
    model = nn.MLP(2, [1], seed=0)
    opt = nn.SGD(model, 0.1)
    with pytest.raises(ValueError, match="sample 1, feature 0 must be a finite number"):
        nn.fit(model, [[0.0, 1.0], [math.nan, 1.0]], [0.0, 1.0], loss=nn.mse, optimizer=opt,
               steps=1, quiet=True)
    with pytest.raises(TypeError, match="loss must be a function"):
        nn.fit(model, [[0.0, 1.0]], [0.0], loss="mse", optimizer=opt, steps=1, quiet=True)


def test_fit_rejects_a_nan_target():
    model = nn.MLP(2, [1], seed=0)
    with pytest.raises(ValueError, match="finite"):
        nn.fit(model, [[0.0, 1.0]], [math.nan], loss=nn.mse, optimizer=nn.SGD(model, 0.1),
               steps=1, quiet=True)


def test_an_optimiser_refuses_a_parameter_listed_twice():
    w = Value(1.0)
    with pytest.raises(ValueError, match="parameter 1 .* same Value as parameter 0"):
        nn.SGD([w, w], lr=0.1)
    model = nn.MLP(2, [1], seed=0)
    with pytest.raises(ValueError, match="same Value"):
        nn.Adam(model.parameters() + [model.layers[0].neurons[0].b])


class Embedding(nn.Module):
    """A module keeping its parameters in a dict, as a user's own module might."""

    def __init__(self) -> None:
        self.table = {"cat": Value(1.0), "dog": [Value(2.0), Value(3.0)]}
        self.head = nn.Neuron(1, "linear", rng=__import__("random").Random(0))


def test_values_kept_in_a_dict_are_parameters_trained_and_saved(tmp_path):
    model = Embedding()
    names = [name for name, _ in model.named_parameters()]
    assert names == ["table.cat", "table.dog.0", "table.dog.1", "head.w.0", "head.b"]
    loss = model.head([model.table["cat"]])
    loss.backward()
    nn.SGD(model, 0.5).step()
    assert model.table["cat"].data != 1.0  # it was trained
    path = tmp_path / "w.json"
    model.save(path)
    other = Embedding()
    other.load(path)
    assert other.state_dict() == model.state_dict()


def test_dict_keys_must_make_names():
    class Odd(nn.Module):
        """Keys that cannot be part of a dotted name."""

        def __init__(self) -> None:
            self.table = {(1, 2): Value(1.0)}

    with pytest.raises(TypeError, match="keys must be str or int"):
        Odd().parameters()


def test_saving_through_a_symbolic_link_updates_its_target(tmp_path):
    model = nn.MLP(2, [1], seed=0)
    target = tmp_path / "real.json"
    model.save(target)
    link = tmp_path / "latest.json"
    link.symlink_to(target)
    model.layers[0].neurons[0].b.data = 0.25
    model.save(link)
    assert link.is_symlink()
    assert nn.load_state_dict(target)["layers.0.neurons.0.b"] == 0.25

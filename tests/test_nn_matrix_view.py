"""nn.matrix_view: backprop in matrix form, its numbers, its check against .grad, its formats."""

from __future__ import annotations

import pytest
from conftest import require_torch

import nn
from autograd import Value
from nn.tutorial import INPUTS, TARGETS, tutorial_network

# The 2-2-2 tutorial's published numbers (9 decimals).
OUTPUT_DELTA = ["0.138498562", "-0.038098237"]
OUTPUT_DW = [["0.082167041", "0.082667628"], ["-0.022602540", "-0.022740242"]]
HIDDEN_DW_W1 = "0.000438568"


def flat(rows):
    return [v for row in rows for v in row]


def printed(v):
    return f"{v:.9f}"


def test_the_2_2_2_network_gives_the_tutorials_numbers_and_the_engines_grads():
    net = tutorial_network()
    view = nn.matrix_view(net, INPUTS, TARGETS, loss=nn.half_sse)
    hidden, output = view.layers
    assert [printed(d) for d in output.delta] == OUTPUT_DELTA
    assert [[printed(g) for g in row] for row in output.dW] == OUTPUT_DW
    assert printed(hidden.dW[0][0]) == HIDDEN_DW_W1
    assert printed(view.error) == "0.298371109"
    assert [printed(o) for o in hidden.out] == ["0.593269992", "0.596884378"]
    # ∂E/∂W = δ xᵀ with x the hidden layer's output; ∂E/∂b = δ.
    assert output.dW == [[d * h for h in hidden.out] for d in output.delta]
    assert output.db == output.delta
    # Wᵀ δ passed down, times σ'(net) = out (1 - out), is the hidden δ.
    passed = [sum(output.W[j][k] * output.delta[j] for j in range(2)) for k in range(2)]
    assert output.passed_down == passed
    assert hidden.delta == [p * o * (1 - o) for p, o in zip(passed, hidden.out, strict=True)]

    # The same numbers through the scalar engine's backward(), on a fresh network.
    twin = tutorial_network()
    nn.half_sse(twin(INPUTS), TARGETS).backward()
    engine = [w.grad for layer in twin.layers for n in layer.neurons for w in n.w]
    assert engine == pytest.approx(flat(hidden.dW + output.dW), rel=1e-12, abs=1e-16)
    assert view.agrees and not view.mismatches and view.entries == 12
    assert "all 12 entries of ∂E/∂W and ∂E/∂b equal the scalar engine's .grad" in str(view)


def test_every_format_shows_the_numbers():
    view = nn.matrix_view(tutorial_network(), INPUTS, TARGETS)
    text, latex, markdown, page = str(view), view.to_latex(), view.to_markdown(), view.to_html()
    for number in [*OUTPUT_DELTA, *OUTPUT_DW[0], *OUTPUT_DW[1], HIDDEN_DW_W1]:
        assert number in text and number in latex and number in markdown
        assert number.replace("-", "\u2212") in page
    assert "δ = (∂E/∂out) ⊙ sigmoid'(net)" in text and "∂E/∂W = δ xᵀ" in text
    assert latex.count(r"\begin{align*}") == latex.count(r"\end{align*}") == 5
    assert latex.count(r"\begin{bmatrix}") == latex.count(r"\end{bmatrix}")
    assert r"\paragraph{Loss (\text{half\_sse})}" in latex
    assert markdown.count("$$") == 10
    assert view._repr_html_() == page and view._repr_markdown_() == markdown
    assert page.startswith('<div class="vg-mv">') and "<script" not in page
    assert 'class="ok"' in page and 'class="bad"' not in page


def test_the_view_leaves_grad_and_frozen_flags_alone():
    net = tutorial_network()
    params = net.parameters()
    for k, p in enumerate(params):
        p.grad = 100.0 + k  # whatever a user had there
    frozen = [p.requires_grad for p in params]
    view = nn.matrix_view(net, INPUTS, TARGETS)
    assert [p.grad for p in params] == [100.0 + k for k in range(len(params))]
    assert [p.requires_grad for p in params] == frozen
    # Frozen biases get their gradient in the check pass too: ∂E/∂b = δ.
    assert view.layers[1].engine_db == pytest.approx(view.layers[1].delta, rel=1e-12)


@pytest.mark.parametrize(("activations", "loss", "target"), [
    (["tanh", "relu", "linear"], nn.mse, [0.3, -0.7]),
    (["relu", "sigmoid", "sigmoid"], nn.half_sse, [1.0, 0.0]),
    (["sigmoid", "tanh", "linear"], nn.cross_entropy, 1),
])
def test_matrix_form_equals_pytorch_float64(activations, loss, target):
    torch = require_torch()
    model = nn.MLP(3, [4, 3, 2], activation=activations, seed=7)
    x = [0.4, -1.2, 0.9]
    view = nn.matrix_view(model, x, target, loss=loss)
    assert view.agrees
    a = torch.tensor(x, dtype=torch.float64)
    weights = []
    acts = {"tanh": torch.tanh, "relu": torch.relu, "sigmoid": torch.sigmoid,
            "linear": lambda z: z}
    for layer, name in zip(model.layers, activations, strict=True):
        W = torch.tensor([[w.data for w in n.w] for n in layer.neurons], requires_grad=True)
        b = torch.tensor([n.b.data for n in layer.neurons], requires_grad=True)
        weights.append((W, b))
        a = acts[name](W @ a + b)
    if loss is nn.mse:
        E = ((a - torch.tensor(target)) ** 2).mean()
    elif loss is nn.half_sse:
        E = 0.5 * ((torch.tensor(target) - a) ** 2).sum()
    else:
        E = torch.nn.functional.cross_entropy(a.unsqueeze(0), torch.tensor([target]))
    E.backward()
    assert view.error == pytest.approx(E.item(), rel=1e-12)
    for step, (W, b) in zip(view.layers, weights, strict=True):
        assert flat(step.dW) == pytest.approx(flat(W.grad.tolist()), rel=1e-10, abs=1e-14)
        assert step.db == pytest.approx(b.grad.tolist(), rel=1e-10, abs=1e-14)


class TiedNet(nn.Module):
    """Hand-made: two neurons share one weight, so its gradient is the sum of two entries."""

    def __init__(self):
        self.layers = [nn.Layer(2, 2, "tanh", rng=__import__("random").Random(1)),
                       nn.Layer(2, 1, "linear", rng=__import__("random").Random(2))]
        self.layers[0].neurons[1].w[0] = self.layers[0].neurons[0].w[0]
        self.label_parameters()

    def __call__(self, x):
        out = x
        for layer in self.layers:
            out = layer(out)
        return out[0]


class ScaledNet(TiedNet):
    """Hand-made: its __call__ doubles the output, which the layers alone do not say."""

    def __init__(self):
        super().__init__()
        self.layers[0].neurons[1].w[0] = Value(0.3)
        self.label_parameters()

    def __call__(self, x):
        return 2.0 * super().__call__(x)


def test_a_hand_made_model_where_the_two_differ_is_named_entry_by_entry():
    view = nn.matrix_view(TiedNet(), [0.5, -0.25], 1.0, loss=nn.mse)
    assert not view.agrees and view.forward_matches
    assert {m.where for m in view.mismatches} == {"layer 0 ∂E/∂W[0][0]", "layer 0 ∂E/∂W[1][0]"}
    assert {m.parameter for m in view.mismatches} == {"layers.0.neurons.0.w.0"}
    first = view.mismatches[0]
    step = view.layers[0]
    assert first.engine == pytest.approx(step.dW[0][0] + step.dW[1][0], rel=1e-12)
    text = str(view)
    assert "check FAILED: 2 of 9 entries differ from the scalar engine's .grad" in text
    assert "layer 0 ∂E/∂W[0][0] (layers.0.neurons.0.w.0): matrix form" in text
    assert "layers.0.neurons.0.w.0 sit(s) in more than one entry: a shared parameter's" in text
    assert view.to_html().count('class="bad"') == 4  # two entries, in both matrices shown
    assert 'class="fail"' in view.to_html()


def test_a_model_whose_call_is_not_its_layers_says_so():
    view = nn.matrix_view(ScaledNet(), [0.5, -0.25], 1.0, loss=nn.mse)
    assert not view.forward_matches and not view.agrees
    assert "the model's own output is not the last layer's out" in view.verdict()
    assert len(view.mismatches) == view.entries  # every gradient is off by the factor 2


def test_a_single_layer_and_a_one_output_mlp():
    layer = nn.Layer(2, 3, "tanh", rng=__import__("random").Random(0))
    assert nn.matrix_view(layer, [0.1, 0.2], [0.0, 1.0, 0.5], loss=nn.mse).agrees
    mlp = nn.MLP(2, [3, 1], seed=0)  # returns one Value, not a list
    view = nn.matrix_view(mlp, [0.1, 0.2], 1, loss=nn.hinge)
    assert view.agrees and len(view.output_grad) == 1


def test_bad_input():
    net = tutorial_network()
    with pytest.raises(ValueError, match="matrix_view expects 2 inputs, got 3"):
        nn.matrix_view(net, [0.1, 0.2, 0.3], TARGETS)
    with pytest.raises(TypeError, match="needs an nn.MLP, an nn.Layer or a Module"):
        nn.matrix_view(object(), INPUTS, TARGETS)
    with pytest.raises(TypeError, match="loss must be a function"):
        nn.matrix_view(net, INPUTS, TARGETS, loss="half_sse")
    with pytest.raises(ValueError, match="target should be a list of 2"):
        nn.matrix_view(net, INPUTS, 0.5)
    assert all(p.grad == 0.0 for p in net.parameters())

"""Teaching views show one fresh backward pass, whatever earlier passes left in .grad.

explain, step_through, draw, nn.diagram and nn.matrix_view on the 2-2-2 tutorial network after
one and after two earlier ``E.backward()``: each shows ∂E/∂w5 = 0.082167041 (the tutorial's
number, not 2× or 3× it), leaves every ``.grad`` as the user's passes left it, and says so where
the eye already is (title line, caption, first frame) when ``.grad`` holds something else.
"""

from __future__ import annotations

import pytest
from handwritten import warning_of
from svgread import groups, node_text, svg_root
from test_stepthrough import boxes

import nn
from autograd import Value, draw, explain, step_through
from nn.tutorial import INPUTS, TARGETS

W5 = 0.082167041  # the tutorial's ∂E/∂w5



def tutorial_after(passes: int) -> tuple[nn.MLP, Value, dict[str, float]]:
    """The tutorial's network and E after `passes` backward passes, and what .grad then holds."""
    net = nn.tutorial_network()
    error = nn.tutorial_error(net)
    for _ in range(passes):
        error.backward()
    held = {p.label: p.grad for p in net.parameters()}
    return net, error, held


def grads(net: nn.MLP) -> dict[str, float]:
    return {p.label: p.grad for p in net.parameters()}


def test_the_tutorial_network_gives_the_tutorials_numbers_digit_for_digit():
    net = nn.tutorial_network()
    error = nn.tutorial_error(net)
    assert f"{error.data:.9f}" == "0.298371109"
    error.backward()
    w = {p.label: p for p in net.parameters()}
    assert sorted(w) == ["b1", "b2", "w1", "w2", "w3", "w4", "w5", "w6", "w7", "w8"]
    assert f"{w['w5'].grad:.9f}" == "0.082167041"
    assert f"{w['w1'].grad:.9f}" == "0.000438568"
    report = explain(error, number_format=".9g").paths("w5")  # the tutorial's name finds it
    assert f"{report.total:.9f}" == "0.082167041" and len(report.paths) == 1


def test_the_obvious_construction_is_documented_with_its_linear_output_layer():
    plain = nn.MLP(2, [2, 2], activation="sigmoid")  # the output layer is linear by default
    plain.set_weights([[[0.15, 0.20], [0.25, 0.30]], [[0.40, 0.45], [0.50, 0.55]]],
                      [[0.35, 0.35], [0.60, 0.60]])
    assert abs(nn.half_sse(plain(INPUTS), TARGETS).data - 0.298371109) > 0.3  # 0.628
    doc = " ".join(nn.MLP.__doc__.split())
    assert 'MLP(2, [2, 2], activation="sigmoid")' in doc and "linear output layer" in doc
    assert 'output_activation="sigmoid"' in doc and "tutorial_network" in doc


@pytest.mark.parametrize("passes", [1, 2])
def test_explain_shows_one_fresh_pass_and_leaves_grad_alone(passes):
    net, error, held = tutorial_after(passes)
    ex = explain(error)
    w5 = next(p for p in net.parameters() if p.label == "w5")
    assert f"{ex.grad_of(w5):.9f}" == f"{W5:.9f}"
    assert f"{ex.paths('w5').total:.9f}" == f"{W5:.9f}"
    assert grads(net) == held  # nothing added, nothing reset
    # The warning follows the title, wrapped to the text form's width: read it as one line.
    lines = str(ex).splitlines()[1:]
    warning = [lines[0]]
    for line in lines[1:]:
        if not line.startswith("    "):
            break
        warning.append(line.strip())
    title_line = " ".join(warning)
    if passes == 1:
        assert "⚠" not in str(ex)  # .grad is what one pass gives: nothing to say
    else:
        assert title_line.startswith("⚠") and "w5.grad = 0.164334 (one pass: 0.082167)" \
            in title_line and "2 backward passes" in title_line


def test_explain_on_a_fresh_graph_fills_grad_as_backward_would_bit_for_bit():
    net = nn.tutorial_network()
    error = nn.tutorial_error(net)
    ex = explain(error)
    twin = nn.tutorial_network()
    twin_error = nn.tutorial_error(twin)
    twin_error.backward()
    assert grads(net) == grads(twin)  # exactly backward()'s numbers, nothing more
    assert "⚠" not in str(ex)


@pytest.mark.parametrize("passes", [1, 2])
def test_step_through_shows_one_fresh_pass_and_says_so_on_its_first_frame(passes):
    net, error, held = tutorial_after(passes)
    st = step_through(error, lr=0.5)
    assert boxes(st.frames[-2].svg)["w5"][1] == "grad 0.08217"  # the last backward frame
    assert "w5 = 0.4 - 0.5 × 0.08217 = 0.3589" in st.frames[-1].caption  # the update uses it
    assert grads(net) == held
    first = st.frames[0].caption
    if passes == 1:
        assert "⚠" not in first
    else:
        assert first.startswith("⚠ .grad holds other numbers than shown here: ")
        assert "w5.grad = 0.1643 (one pass: 0.08217)" in first
        assert "2 backward passes" in first


@pytest.mark.parametrize("passes", [1, 2])
def test_draw_shows_one_fresh_pass_and_a_banner_when_grad_holds_more(passes):
    net, error, held = tutorial_after(passes)
    root = svg_root(draw(error))
    shown = [node_text(g) for g in groups(root, "node")]
    banner = [t.text or "" for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert grads(net) == held
    if passes == 1:
        assert "w5\ndata 0.4\ngrad 0.08217" in shown
        assert not any("backward" in t for t in banner)
    else:
        assert "w5\ndata 0.4\ngrad 0.08217 (.grad 0.1643)" in shown
        assert "w5.grad = 0.1643 (one pass: 0.08217)" in banner
        assert "why: 2 backward passes added into it" in banner


@pytest.mark.parametrize("passes", [1, 2])
def test_network_diagram_shows_one_fresh_pass_and_says_what_grad_holds(passes):
    net, error, held = tutorial_after(passes)
    picture = nn.diagram(net, INPUTS, TARGETS)
    edge = next(e for e in picture.numbers.edges if e.name == "layers.1.neurons.0.w.0")
    assert f"{edge.grad:.9f}" == f"{W5:.9f}"
    assert grads(net) == held
    texts = [t.text or "" for t in svg_root(picture).iter("{http://www.w3.org/2000/svg}text")]
    assert "∂loss/∂w5 = 0.08217" in texts  # the tutorial's names, from the labels
    if passes == 1:
        assert not picture.numbers.held
    else:
        assert "w5.grad = 0.1643 (one pass: 0.08217)" in texts
        assert "why: 2 backward passes added into it" in texts


@pytest.mark.parametrize("passes", [1, 2])
def test_matrix_view_shows_one_fresh_pass_and_says_what_grad_holds(passes):
    net, error, held = tutorial_after(passes)
    view = nn.matrix_view(net, INPUTS, TARGETS)
    assert f"{view.layers[1].dW[0][0]:.9f}" == f"{W5:.9f}" and view.agrees
    assert grads(net) == held
    head = str(view).split("\nforward")[0]
    if passes == 1:
        assert "⚠" not in head
    else:
        assert "w5.grad = 0.164334 (one pass: 0.082167)" in head
        assert "2 backward passes" in head
        assert "w5.grad = 0.164334" in view.to_html().split("layer 0")[0]
        assert "w5.grad = 0.164334" in view.to_markdown().split("*forward")[0]


def test_views_name_a_grad_set_by_hand_or_from_another_graph():
    x = Value(3.0, label="x")
    y = x * 2.0
    y.label = "y"
    x.grad = 7.0  # not what any pass of y gives
    ex = explain(y)
    assert ex.grad_of(x) == 2.0 and x.grad == 7.0
    assert "x.grad = 7 (one pass: 2)" in warning_of(ex)
    assert "set by hand" in warning_of(ex)

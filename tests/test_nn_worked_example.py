"""The 2-2-2 backprop tutorial and micrograd's moons demo, reproduced to the published digit.

Each number is printed with as many decimals as the issue quotes and compared as text, so a
test fails on any difference in the printed digits (run with -s to see them).
"""

from __future__ import annotations

import nn
from autograd import Value
from nn.tutorial import INPUTS, LEARNING_RATE, TARGETS, delta_rule_step, tutorial_network


def shown(name: str, value: float, decimals: int) -> str:
    text = f"{value:.{decimals}f}"
    print(f"{name:>22} = {text}")
    return text


def decimals_of(expected: str) -> int:
    return len(expected.split(".")[1])


def check(name: str, value: float, expected: str) -> None:
    assert shown(name, value, decimals_of(expected)) == expected, name


def weights(net: nn.MLP) -> list[float]:
    """w1..w8 in the tutorial's numbering."""
    return [w.data for layer in net.layers for n in layer.neurons for w in n.w]


def test_network_matches_the_tutorial_picture():
    net = tutorial_network()
    assert weights(net) == [0.15, 0.20, 0.25, 0.30, 0.40, 0.45, 0.50, 0.55]
    assert [n.b.data for layer in net.layers for n in layer.neurons] == [0.35, 0.35, 0.6, 0.6]
    trainable = [name for name, p in net.named_parameters() if p.requires_grad]
    assert len(trainable) == 8 and not any(name.endswith(".b") for name in trainable)
    labels = [w.label for layer in net.layers for n in layer.neurons for w in n.w]
    assert labels == [f"w{k}" for k in range(1, 9)]  # the tutorial's own names
    assert [n.b.label for layer in net.layers for n in layer.neurons] == ["b1", "b1", "b2", "b2"]
    assert [n.display_name for layer in net.layers for n in layer.neurons] == \
        ["h1", "h2", "o1", "o2"]


def test_forward_and_backward_numbers():
    net = tutorial_network()
    hidden = net.layers[0](INPUTS)
    out = net.layers[1](hidden)
    # The pre-activation ("net") of a unit is the input of its sigmoid node.
    net_h1, net_o1 = hidden[0].inputs[0], out[0].inputs[0]
    assert hidden[0].op == "sigmoid" and out[0].op == "sigmoid"
    error_o1 = nn.half_sse(out[0], TARGETS[0])
    error_o2 = nn.half_sse(out[1], TARGETS[1])
    error = nn.half_sse(out, TARGETS)
    check("net_h1", net_h1.data, "0.3775")
    check("out_h1", hidden[0].data, "0.593269992")
    check("out_h2", hidden[1].data, "0.596884378")
    check("net_o1", net_o1.data, "1.105905967")
    check("out_o1", out[0].data, "0.75136507")
    check("out_o2", out[1].data, "0.772928465")
    check("E_o1", error_o1.data, "0.274811083")
    check("E_o2", error_o2.data, "0.023560026")
    check("E_total", error.data, "0.298371109")

    error.backward()
    w1 = net.layers[0].neurons[0].w[0]
    w5 = net.layers[1].neurons[0].w[0]
    check("dE/dout_o1", out[0].grad, "0.74136507")
    check("dout_o1/dnet_o1", out[0].local_grads[0], "0.186815602")
    check("dE/dw5", w5.grad, "0.082167041")
    check("dE_total/dout_h1", hidden[0].grad, "0.036350306")
    check("dout_h1/dnet_h1", hidden[0].local_grads[0], "0.241300709")
    check("dE/dw1", w1.grad, "0.000438568")
    # Frozen biases take no gradient.
    assert all(n.b.grad == 0.0 for layer in net.layers for n in layer.neurons)


def test_one_sgd_step():
    net = tutorial_network()
    optimizer = nn.SGD(net, lr=LEARNING_RATE)
    history = nn.fit(net, [INPUTS], [TARGETS], loss=nn.half_sse, optimizer=optimizer, steps=1,
                     quiet=True)
    check("E before the step", history["loss"][0], "0.298371109")
    w = weights(net)
    for k, expected in zip(range(4, 8), ["0.35891648", "0.408666186", "0.511301270",
                                         "0.561370121"], strict=True):
        check(f"w{k + 1}", w[k], expected)
    for k, expected in enumerate(["0.149780716", "0.19956143", "0.24975114", "0.29950229"]):
        check(f"w{k + 1}", w[k], expected)
    check("E after one step", nn.half_sse(net(INPUTS), TARGETS).data, "0.2910277737")
    # Biases are frozen: unchanged.
    assert [n.b.data for layer in net.layers for n in layer.neurons] == [0.35, 0.35, 0.6, 0.6]


def test_ten_thousand_steps():
    net = tutorial_network()
    nn.fit(net, [INPUTS], [TARGETS], loss=nn.half_sse,
           optimizer=nn.SGD(net, lr=LEARNING_RATE), steps=10_000, quiet=True)
    out = net(INPUTS)
    error = nn.half_sse(out, TARGETS).data
    print(f"{'E after 10,000 steps':>22} = {error:.5e}")
    assert f"{error:.5e}" == "3.51019e-05"
    check("out_o1", out[0].data, "0.015913620")
    check("out_o2", out[1].data, "0.984064274")


def test_delta_rule_in_gradient_order_agrees_with_autograd():
    by_hand, by_autograd = tutorial_network(), tutorial_network()
    optimizer = nn.SGD(by_autograd, lr=LEARNING_RATE)
    for _ in range(50):
        delta_rule_step(by_hand, INPUTS, TARGETS, LEARNING_RATE)
        optimizer.zero_grad()
        nn.half_sse(by_autograd(INPUTS), TARGETS).backward()
        optimizer.step()
    for a, b in zip(weights(by_hand), weights(by_autograd), strict=True):
        assert abs(a - b) <= 1e-15


def test_tutorial_order_gives_the_published_numbers():
    net = tutorial_network()
    before = delta_rule_step(net, INPUTS, TARGETS, LEARNING_RATE, output_weights_first=True)
    check("E before (tutorial)", before, "0.298371109")
    # The output weights are the same in both orders; the hidden ones are not.
    w = weights(net)
    check("w5 (tutorial order)", w[4], "0.35891648")
    assert f"{w[0]:.9f}" != "0.149780716"
    check("E after one step (tut.)", nn.half_sse(net(INPUTS), TARGETS).data, "0.291027924")
    for _ in range(9_999):
        delta_rule_step(net, INPUTS, TARGETS, LEARNING_RATE, output_weights_first=True)
    out = net(INPUTS)
    check("out_o1 (tutorial order)", out[0].data, "0.015912196")
    check("out_o2 (tutorial order)", out[1].data, "0.984065734")


def test_micrograd_moons_demo_reaches_full_accuracy():
    X, y = nn.make_moons(100, noise=0.1, seed=1337)
    y = nn.signed(y)
    model = nn.MLP(2, [16, 16, 1], seed=1337)
    assert len(model.parameters()) == 337
    optimizer = nn.SGD(model, lr=lambda k: 1.0 - 0.9 * k / 100)  # micrograd's decay
    history = nn.fit(model, X, y, loss=nn.hinge, optimizer=optimizer, steps=100, l2=1e-4,
                     quiet=True)
    first = history["accuracy"].index(1.0) if 1.0 in history["accuracy"] else None
    print(f"moons: accuracy {history['accuracy'][0]:.2f} at step 0, first 100% at step {first}, "
          f"loss {history['loss'][0]:.4f} -> {history['loss'][-1]:.4f}")
    assert first is not None and first < 100
    assert history["lr"][0] == 1.0 and history["lr"][99] == 1.0 - 0.9 * 99 / 100
    # The recorded loss is the hinge loss plus the penalty, recomputable from the final model.
    with_penalty = nn.hinge([model(x) for x in X], y) + nn.l2(model, 1e-4)
    assert with_penalty.data < history["loss"][0]


def test_values_are_plain_autograd_values():
    net = tutorial_network()
    assert all(type(p) is Value for p in net.parameters())

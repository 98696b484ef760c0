"""A user's script written from the README, type-checked by tests/test_typing.py.

It is not imported by the tests: mypy and pyright read it, from a directory outside the project,
with `autograd` and `nn` importable as installed packages, and must report no error.  Every op
of the op table appears as a method (or operator) and as `autograd.<op>`, with plain numbers on
either side of the operators.
"""

from __future__ import annotations

import autograd
import nn
from autograd import Value, draw, explain, grad, no_grad, value_and_grad, zero_grad

# --- a neuron, as in the README's first example ----------
x = Value(2.0, label="x")
w = Value(-3.0, label="w")
b = Value(6.8813735870195432, label="b")
y = (x * w + b).tanh()
y.backward()
slopes: tuple[float, float, float] = (y.data, x.grad, w.grad)

# --- numbers on either side of every operator ----------
a = Value(1.5)
checked: list[Value] = [
    x + 1, 1 + x, x + 1.5, x + a,
    x - 1, 1 - x, x - a,
    x * 3, 3 * x, 2.5 * x, x * a,
    x / 2, 2 / x, x / a,
    x ** 2, 2 ** x, x ** a, x ** 0.5,
    -a, abs(a), +a,
    (x * 3 - 1).tanh(),
]

# --- every op of the table as a method and as autograd.<op> ----------
methods: list[Value] = [
    x.exp(), x.expm1(), x.log(), x.log1p(), x.sin(), x.cos(), x.tanh(), x.sigmoid(), x.relu(),
    x.softplus(), x.sqrt(), x.maximum(a), x.maximum(2), x.minimum(0.5), a.minimum(x),
]
functions: list[Value] = [
    autograd.exp(y), autograd.expm1(y), autograd.log(x), autograd.log1p(x), autograd.sin(x),
    autograd.cos(x), autograd.tanh(x), autograd.sigmoid(x), autograd.relu(x),
    autograd.softplus(x), autograd.sqrt(x), autograd.maximum(a, 2), autograd.maximum(2.0, a),
    autograd.minimum(x, a), autograd.exp(1.0), autograd.apply("+", x, 1),
]
total: Value = sum(checked, Value(0.0)) + sum(methods, Value(0.0)) + sum(functions, Value(0.0))

# --- numbers out, comparisons ----------
number: float = float(total) + total.item() + total.data
if a > 1 and a <= x and not a < 0:
    number += 1.0

# --- grad, value_and_grad, draw, explain ----------
dx, dw = grad((x * w).sigmoid(), [x, w])
first: float = dx + dw  # floats: no create_graph
value, slope = value_and_grad(lambda t: (t * t).sin())(0.5)
graph = draw(y)
dot_text: str = graph.source
explanation = explain((x * w + b).tanh())
report: str = str(explanation)
zero_grad([x, w, b])
with no_grad():
    frozen = x * w
    assert frozen.is_leaf

# --- nn: a model, the README's fit, the optimisers, a micrograd-style loop ----------
X, labels = nn.make_moons(40, noise=0.1, seed=1337)
targets = nn.signed(labels)
model = nn.MLP(2, [8, 8, 1], seed=1337)
history = nn.fit(model, X, targets, loss=nn.hinge, optimizer=nn.SGD(model, lr=0.1), steps=3,
                 quiet=True)
adam = nn.Adam(model.parameters(), lr=1e-3)

lr = 0.05
loss = Value(0.0)
for _step in range(3):
    scores = [model(row) for row in X]
    loss = nn.hinge(scores, targets) + nn.l2(model, 1e-4)
    model.zero_grad()
    loss.backward()
    for p in model.parameters():
        p.data -= lr * p.grad
    adam.step()
    adam.zero_grad()
last_loss: float = loss.data

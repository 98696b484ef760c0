"""The classic 2-2-2 tutorial network written out with Values by hand (shared by several tests)."""

from types import SimpleNamespace

from autograd import Value


def two_two_two() -> SimpleNamespace:
    """Inputs 0.05/0.10, weights w1..w8, shared biases b1/b2, logistic units, E = Σ ½(t − o)²."""
    i1 = Value(0.05, label="i1", requires_grad=False)
    i2 = Value(0.10, label="i2", requires_grad=False)
    w = [None] + [Value(x, label=f"w{k}") for k, x in
                  enumerate([0.15, 0.20, 0.25, 0.30, 0.40, 0.45, 0.50, 0.55], start=1)]
    b1, b2 = Value(0.35, label="b1"), Value(0.60, label="b2")
    out_h1 = (w[1] * i1 + w[2] * i2 + b1).sigmoid()
    out_h2 = (w[3] * i1 + w[4] * i2 + b1).sigmoid()
    out_o1 = (w[5] * out_h1 + w[6] * out_h2 + b2).sigmoid()
    out_o2 = (w[7] * out_h1 + w[8] * out_h2 + b2).sigmoid()
    error = 0.5 * (0.01 - out_o1) ** 2 + 0.5 * (0.99 - out_o2) ** 2
    error.label = "E"
    return SimpleNamespace(w=w, b1=b1, b2=b2, out_h1=out_h1, out_h2=out_h2, out_o1=out_o1,
                           out_o2=out_o2, error=error)


def plain_tutorial_network():
    """The tutorial's 2-2-2 network built with nn the obvious way, without the tutorial's names.

    So nn's derived names (layers.0.neurons.0.wx.0, ...) show: nn.tutorial_network() labels its
    weights w1 ... w8 and names its neurons h1 ... o2 instead.
    """
    import nn
    from nn.tutorial import BIASES, WEIGHTS

    net = nn.MLP(2, [2, 2], activation="sigmoid", output_activation="sigmoid", seed=0)
    net.set_weights(WEIGHTS, BIASES)
    net.freeze([name for name, _ in net.named_parameters() if name.endswith(".b")])
    return net


def warning_of(ex: object) -> str:
    """The warning under an explanation's title, as one line (the text form wraps it)."""
    lines = str(ex).splitlines()[1:]
    kept = [lines[0]]
    for line in lines[1:]:
        if not line.startswith("    "):
            break
        kept.append(line.strip())
    return " ".join(kept)

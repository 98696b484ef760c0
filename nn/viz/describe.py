"""Tell drawings and explanations what nn's nodes are: names like layers.0.neurons.1.out, groups.

Registered with ``autograd.explanations.naming`` by nn/__init__.py when ``nn`` is imported.
Everything is derived at draw or explain time from the live modules (never from labels, which
users may change), so the forward pass pays nothing:

* a parameter's group is the path of every module holding it, outermost first
  (``("layers.0", "layers.0.neurons.1")``); its name is its dotted parameter name;
* an operation joins a group when one input is a parameter of it (``w*x``, ``s+b``), when all its
  inputs belong to it (the neuron's running sum) or when it is unary on a node of it (the
  activation); anything mixing a group with outside numbers (``out - y``, a loss) stays outside;
* inside a neuron, which computes ``act(w.0*x.0 + w.1*x.1 + ... + b)`` with x its inputs, the
  product ``w.k*x.k`` is named ``<neuron>.wx.k``, the running sum of the products up to k
  ``<neuron>.sum.k``, the weighted sum with the bias ``<neuron>.net`` and the activation's output
  ``<neuron>.out`` (a linear neuron's sum is its output and is named ``.out``).  So the 2-2-2
  tutorial's hidden neuron reads ``net = sum.1 + b``, ``sum.1 = wx.0 + wx.1``, ``wx.0 = w.0 * i1``
  -- the tutorial's ``net_h1 = w1*i1 + w2*i2 + b1`` a term at a time.  ``wx.k`` rather than
  ``w.k*x.k``: explain writes its rules with ``*``, and a name holding one would read as a
  product of two names; ``wx.k`` is also what one types to look the node up;
* the nodes of a loss above the neurons' outputs (mse, half_sse, hinge, bce, bce_with_logits,
  cross_entropy) and of an l2 penalty are named by nn/viz/describe_losses.py.
"""

from __future__ import annotations

from collections.abc import Sequence

from autograd import Value
from autograd.explanations.naming import NodeInfo

from ..discovery import join, walk
from ..layers import ACTIVATIONS, Neuron
from ..module import Module, live_modules
from .describe_losses import name_losses, name_penalties


def _holders(params: set[Value]) -> dict[Value, list[tuple[str, Module]]]:
    """For each parameter in the graph: (its name inside the module, module) for every holder."""
    holders: dict[Value, list[tuple[str, Module]]] = {}
    for module in live_modules():
        try:
            found = walk(module)  # not named_parameters(), which may relabel parameters
        except (TypeError, ValueError):
            continue  # a module its own parameters() refuses too: drawn without its names
        for name, _, p in found:
            if p in params and (name, module) not in holders.get(p, ()):
                holders.setdefault(p, []).append((name, module))
    return holders


def _parameter_infos(order: Sequence[Value]) -> tuple[dict[Value, NodeInfo], dict[Neuron, str]]:
    """NodeInfo of every nn parameter in `order`, and the path of each neuron they belong to."""
    infos: dict[Value, NodeInfo] = {}
    neuron_paths: dict[Neuron, str] = {}
    for p, held in _holders({v for v in order if v.is_leaf}).items():
        full = max(held, key=lambda h: len(h[0]))[0]  # the outermost module's name is longest
        prefixes = set()
        for name, module in held:
            if name != full and not full.endswith("." + name):
                continue  # an unrelated model sharing this Value
            prefix = full[:len(full) - len(name)].rstrip(".")
            if prefix:
                prefixes.add(prefix)
            if isinstance(module, Neuron):
                neuron_paths[module] = _shown(module, prefix)
        group = tuple(sorted(prefixes, key=len))
        group = tuple(_shown(m, g) for g in group for m in [_neuron_at(held, full, g)])
        infos[p] = NodeInfo(full, group)
    return infos, neuron_paths


def _shown(module: Module | None, path: str) -> str:
    """A neuron's path as drawings show it: its display_name when it has one."""
    name = getattr(module, "display_name", "") if isinstance(module, Neuron) else ""
    return name if isinstance(name, str) and name else path


def _neuron_at(held: list[tuple[str, Module]], full: str, path: str) -> Module | None:
    """The module among `held` whose path (within the outermost one) is `path`."""
    for name, module in held:
        if full[:len(full) - len(name)].rstrip(".") == path:
            return module
    return None


def _interior_groups(order: Sequence[Value], infos: dict[Value, NodeInfo]) -> None:
    """Put each operation made inside a module into that module's group (see the module doc)."""
    for v in order:
        if v.is_leaf:
            continue
        ins = v.inputs
        param_groups = {infos[x].group for x in ins if x.is_leaf and x in infos}
        if len(param_groups) == 1:
            infos[v] = NodeInfo(None, param_groups.pop())
            continue
        inner = {infos[x].group if x in infos else () for x in ins}
        if len(inner) == 1 and () not in inner:
            infos[v] = NodeInfo(None, inner.pop())


def _neuron_names(order: Sequence[Value], infos: dict[Value, NodeInfo],
                  neuron_paths: dict[Neuron, str]) -> set[Value]:
    """Name each neuron's products, running sums, net and output; return the outputs named.

    A net is a bias added to the neuron's weighted sum exactly as Neuron.forward builds it
    (``out + b`` written by hand is no second run of the neuron).  A neuron run more than once in
    the graph (a batch: one run per sample) gets the run's number after each name,
    ``layers.0.neurons.1.out[3]``, counted in graph order, which is the order a loss over a batch
    takes its samples in; one run needs no number.
    """
    by_bias = {n.b: (n, path) for n, path in neuron_paths.items()}
    nets: dict[Value, tuple[Neuron, str, int, list[tuple[Value, str]]]] = {}
    runs: dict[Neuron, int] = {}
    for v in order:
        if v.op == "+" and len(v.inputs) == 2 and v.inputs[1] in by_bias:
            neuron, path = by_bias[v.inputs[1]]
            parts = _weighted_sum(v.inputs[0], neuron)
            if parts is not None:
                nets[v] = (neuron, path, runs.get(neuron, 0), parts)
                runs[neuron] = runs.get(neuron, 0) + 1
    outs: set[Value] = set()
    for v in order:
        if v in nets:
            neuron, path, run, parts = nets[v]
            suffix = f"[{run}]" if runs[neuron] > 1 else ""
            linear = ACTIVATIONS[neuron.activation] is None
            _name(infos, v, join(path, "out" if linear else "net") + suffix)
            for node, name in parts:
                _name(infos, node, join(path, name) + suffix)
            if linear:
                outs.add(v)
        elif v.op is not None and len(v.inputs) == 1 and v.inputs[0] in nets:
            neuron, path, run, _ = nets[v.inputs[0]]
            if v.op == neuron.activation:
                _name(infos, v, join(path, "out") + (f"[{run}]" if runs[neuron] > 1 else ""))
                outs.add(v)
    return outs


def _name(infos: dict[Value, NodeInfo], v: Value, name: str) -> None:
    """Give `v` a derived name, keeping the group it has."""
    info = infos.get(v)
    infos[v] = NodeInfo(name, () if info is None else info.group)


def _weighted_sum(top: Value, neuron: Neuron) -> list[tuple[Value, str]] | None:
    """The nodes of w.0*x.0 + ... + w.k*x.k ending at top and their names, else None.

    The walk goes from the last product down to the first, as Neuron.forward built them; any
    other shape (a subclass summing differently, a hand-written sum) is not the neuron's.
    """
    w = neuron.w
    node = top
    found: list[tuple[Value, str]] = []
    for k in range(len(w) - 1, 0, -1):
        if not (node.op == "+" and len(node.inputs) == 2
                and _is_product(node.inputs[1], w[k])):
            return None
        found += [(node, f"sum.{k}"), (node.inputs[1], f"wx.{k}")]
        node = node.inputs[0]
    return [*found, (node, "wx.0")] if _is_product(node, w[0]) else None


def _is_product(v: Value, weight: Value) -> bool:
    """Whether `v` is weight * (an input), the term forward() makes for that weight."""
    return v.op == "*" and len(v.inputs) == 2 and v.inputs[0] is weight


def describe_network(order: Sequence[Value]) -> dict[Value, NodeInfo]:
    """autograd.explanations.naming describer for graphs made by nn modules: names and groups."""
    infos, neuron_paths = _parameter_infos(order)
    if not infos:
        return {}
    _interior_groups(order, infos)
    outs = _neuron_names(order, infos, neuron_paths)
    name_losses(order, outs, infos)
    name_penalties(order, infos)
    return infos

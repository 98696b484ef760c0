"""Tell drawings and explanations what nn's nodes are: names like layers.0.neurons.1.out, groups.

Registered with ``autograd.naming`` when ``nn`` is imported.  Everything is derived at draw or
explain time from the live modules (never from labels, which users may change), so the forward
pass pays nothing:

* a parameter's group is the path of every module holding it, outermost first
  (``("layers.0", "layers.0.neurons.1")``); its name is its dotted parameter name;
* an operation joins a group when one input is a parameter of it (``w*x``, ``s+b``), when all its
  inputs belong to it (the neuron's running sum) or when it is unary on a node of it (the
  activation); anything mixing a group with outside numbers (``out - y``, a loss) stays outside;
* each neuron's weighted sum is named ``<neuron>.net`` and its activation's output ``<neuron>.out``
  (a linear neuron's sum is its output and is named ``.out``).
"""

from __future__ import annotations

from collections.abc import Sequence

from autograd import Value
from autograd.naming import NodeInfo, register_describer

from .discovery import join, walk
from .layers import ACTIVATIONS, Neuron
from .module import Module, live_modules


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
                neuron_paths[module] = prefix
        group = tuple(sorted(prefixes, key=len))
        infos[p] = NodeInfo(full, group)
    return infos, neuron_paths


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
                  neuron_paths: dict[Neuron, str]) -> None:
    """Name each neuron's weighted sum (.net) and output (.out) where they are in the graph."""
    by_bias = {n.b: (n, path) for n, path in neuron_paths.items()}
    nets: dict[Value, tuple[Neuron, str]] = {}
    for v in order:
        if v.op == "+" and len(v.inputs) == 2 and v.inputs[1] in by_bias:
            neuron, path = by_bias[v.inputs[1]]
            nets[v] = (neuron, path)
            linear = ACTIVATIONS[neuron.activation] is None
            infos[v] = NodeInfo(join(path, "out" if linear else "net"),
                                infos.get(v, NodeInfo()).group)
        elif v.op is not None and len(v.inputs) == 1 and v.inputs[0] in nets:
            neuron, path = nets[v.inputs[0]]
            if v.op == neuron.activation:
                infos[v] = NodeInfo(join(path, "out"), infos.get(v, NodeInfo()).group)


def describe_network(order: Sequence[Value]) -> dict[Value, NodeInfo]:
    """autograd.naming describer for graphs made by nn modules: names and groups (module doc)."""
    infos, neuron_paths = _parameter_infos(order)
    if not infos:
        return {}
    _interior_groups(order, infos)
    _neuron_names(order, infos, neuron_paths)
    return infos


register_describer(describe_network)

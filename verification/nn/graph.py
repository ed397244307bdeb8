"""The graph of an ``nn.Module`` that the law patterns read: torch.fx first, torch.export as the fallback.

* **torch.fx** (symbolic tracing) gives module-level calls: ``call_module`` nodes for every Linear, Conv,
  norm, activation.  Modules analysed as a whole (attention, Transformer layers: ``LEAF_TYPES``) stay single
  calls.  With example inputs, every node gets its shape (fake tensors: nothing is computed or mutated).
* **torch.export** (``find_laws(model, example_inputs=...)``), when fx cannot trace the model (``x.shape``
  unpacked into Python ints, data-dependent control flow): the exported ATen graph carries shapes and each
  node's module stack, and is *lifted* back to the fx form: ``aten.linear``/``conv``/``batch_norm``/
  ``layer_norm``/``rms_norm`` whose weight is a parameter ``X.weight`` of a module X of that type become
  ``call_module X``; the ops of a ``LEAF_TYPES`` module become one call of it; parameters and buffers become
  ``get_attr``; every other op is kept, named by its ATen name (``relu``, ``view``, ``matmul``).
* Without example inputs, or when export fails too, the submodules fx cannot trace are kept **opaque**
  (single calls, no law inside analysed) and named with the reason.
"""
from __future__ import annotations

import operator
from dataclasses import dataclass, field

import torch
import torch.fx as fx
from torch import nn

from conslaw.algebra import ConslawError

from .zoo import SelfAttention

LINEAR_TYPES = (nn.Linear, nn.Conv1d, nn.Conv2d, nn.Conv3d)
AFFINE_NORM_TYPES = (nn.LayerNorm,) + ((nn.RMSNorm,) if hasattr(nn, "RMSNorm") else ())
NORM_TYPES = (nn.BatchNorm1d, nn.BatchNorm2d, nn.BatchNorm3d)
# modules analysed as a whole (torch.fx cannot trace their fast paths; their structure is known)
LEAF_TYPES = (SelfAttention, nn.MultiheadAttention, nn.TransformerEncoderLayer, nn.TransformerEncoder)

# ATen ops that are a module's whole forward: op name → (module types, position of the weight, of the bias)
_MODULE_OPS = {
    "linear": ((nn.Linear,), 1, 2),
    "conv1d": ((nn.Conv1d,), 1, 2), "conv2d": ((nn.Conv2d,), 1, 2), "conv3d": ((nn.Conv3d,), 1, 2),
    "batch_norm": (NORM_TYPES, 1, 2),
    "layer_norm": ((nn.LayerNorm,), 2, 3),
    "rms_norm": (AFFINE_NORM_TYPES[1:], 2, None),
}


class ModuleTracingError(ConslawError):
    """Neither torch.fx nor torch.export could trace the model: say why, and how to declare the law groups by hand."""


@dataclass
class ModuleGraph:
    """A model's graph in fx form, how it was obtained, and the submodules left opaque (name → reason)."""

    graph: fx.Graph
    method: str  # "torch.fx" or "torch.export"
    opaque: dict[str, str] = field(default_factory=dict)
    shapes: bool = False  # whether the nodes carry their shapes (example inputs were given)
    notes: list[str] = field(default_factory=list)


def op_name(node: fx.Node) -> str:
    """The name of a call's function or method, the same for fx and export graphs (``aten.relu_.default`` → ``relu_``)."""
    target = node.target
    if isinstance(target, torch._ops.OpOverload):
        return target._schema.name.split("::")[-1]
    if target is operator.getitem:
        return "getitem"
    return getattr(target, "__name__", str(target))


def node_shape(node) -> tuple[int, ...] | None:
    """The shape of a node's value, where tracing recorded it."""
    if not isinstance(node, fx.Node):
        return None
    value = node.meta.get("val", node.meta.get("tensor_meta"))
    shape = getattr(value, "shape", None)
    if shape is None:
        return None
    try:
        return tuple(int(s) for s in shape)
    except (TypeError, ValueError):  # symbolic sizes
        return None


class _Tracer(fx.Tracer):
    def __init__(self, opaque: frozenset[str] = frozenset()):
        super().__init__()
        self.opaque = opaque  # submodules torch.fx cannot trace: kept as single calls, their laws not analysed

    def is_leaf_module(self, m: nn.Module, qualname: str) -> bool:
        return qualname in self.opaque or isinstance(m, LEAF_TYPES) or super().is_leaf_module(m, qualname)


def _error_text(exc: Exception) -> str:
    return f"{type(exc).__name__}: {(str(exc).splitlines() or [''])[0][:160]}"


def _untraceable(module: nn.Module, prefix: str = "") -> dict[str, str]:
    """The deepest submodules that torch.fx cannot trace on their own, with the reason."""
    try:
        _Tracer().trace(module)
        return {}
    except Exception as exc:  # noqa: BLE001 - any tracing failure
        reason = _error_text(exc)
    found: dict[str, str] = {}
    for name, child in module.named_children():
        if not _Tracer().is_leaf_module(child, ""):
            found.update(_untraceable(child, f"{prefix}{name}."))
    return found or {prefix.rstrip("."): reason}


def _propagate_shapes(model: nn.Module, graph: fx.Graph, example_inputs: tuple) -> str:
    """Record every node's shape (``meta["val"]``) with fake tensors; '' or the reason it failed."""
    from torch._subclasses.fake_tensor import FakeTensorMode
    from torch.fx.passes.fake_tensor_prop import FakeTensorProp

    try:  # the parameters stay real tensors: the mode converts them as it meets them
        FakeTensorProp(fx.GraphModule(model, graph), FakeTensorMode(allow_non_fake_inputs=True)).propagate(*example_inputs)
        return ""
    except Exception as exc:  # noqa: BLE001 - shapes are optional: the patterns that need them are skipped
        return _error_text(exc)


def _module_path(node: fx.Node, mods: dict, types: tuple) -> str | None:
    """The outermost module of ``types`` whose forward produced this export node (from its module stack)."""
    for path, _ in node.meta.get("nn_module_stack", {}).values():
        path = path.removeprefix("L['self'].")
        if isinstance(mods.get(path), types):
            return path
    return None


def _lift_export(model: nn.Module, example_inputs: tuple) -> fx.Graph:
    """torch.export's ATen graph in the fx form the patterns read (see the module docstring)."""
    exported = torch.export.export(model, tuple(example_inputs))
    sig = exported.graph_signature
    attrs = {**sig.inputs_to_parameters, **sig.inputs_to_buffers,
             **getattr(sig, "inputs_to_lifted_tensor_constants", {})}
    mods = dict(model.named_modules())
    nodes = list(exported.graph.nodes)
    leaf = {n: _module_path(n, mods, LEAF_TYPES) for n in nodes if n.op == "call_function"}
    last = {p: n for n, p in leaf.items() if p}  # a leaf module's call is placed at its last op
    members = {p: [n for n, q in leaf.items() if q == p] for p in last}
    graph = fx.Graph()
    env: dict[fx.Node, fx.Node] = {}

    def arg(a):
        return env[a]

    for node in nodes:
        if node.op == "placeholder":
            env[node] = graph.get_attr(attrs[node.name]) if node.name in attrs else graph.placeholder(node.name)
            env[node].meta = dict(node.meta)
        elif node.op == "output":
            graph.output(fx.map_arg(node.args[0], arg))
        elif leaf.get(node):
            path = leaf[node]
            if last[path] is node:
                inside = set(members[path])
                outer = [a for m in inside for a in m.all_input_nodes
                         if a not in inside and not (a.op == "placeholder" and a.name in attrs)]
                call = graph.call_module(path, tuple(dict.fromkeys(env[a] for a in outer)))
                call.meta = dict(node.meta)
                for m in inside:
                    env[m] = call
        else:
            env[node] = _lift_call(graph, node, arg, attrs, mods)
    for n in nodes:  # a value used before its leaf module's call was placed: the lifting is not faithful
        if n.op != "output" and n not in env:
            raise ModuleTracingError(f"the exported graph of {type(model).__name__} interleaves a module's ops")
    return graph


def _lift_call(graph: fx.Graph, node: fx.Node, arg, attrs: dict, mods: dict) -> fx.Node:
    """``call_module X`` for an ATen op that is exactly module X's forward (weight X.weight, bias X.bias); else a copy."""
    spec = _MODULE_OPS.get(op_name(node)) if node.op == "call_function" else None
    if spec is not None:
        types, w_at, b_at = spec
        weight = node.args[w_at] if len(node.args) > w_at else None
        bias = node.args[b_at] if b_at is not None and len(node.args) > b_at else None
        w_name = attrs.get(getattr(weight, "name", None), "")
        path = w_name[:-len(".weight")] if w_name.endswith(".weight") else None
        b_ok = bias is None or attrs.get(getattr(bias, "name", None)) == f"{path}.bias"
        if path is not None and isinstance(mods.get(path), types) and b_ok:
            call = graph.call_module(path, (arg(node.args[0]),))
            call.meta = dict(node.meta)
            return call
    return graph.node_copy(node, arg)


def trace_module(model: nn.Module, example_inputs: tuple | None = None) -> ModuleGraph:
    """The model's graph: torch.fx; where fx fails and ``example_inputs`` are given, torch.export lifted to fx
    form; else fx with the untraceable submodules kept opaque.  Raises :class:`ModuleTracingError` when none works."""
    example_inputs = tuple(example_inputs) if example_inputs is not None else None
    try:
        graph = _Tracer().trace(model)
    except Exception as exc:  # noqa: BLE001
        first, graph = exc, None
    if graph is not None:
        result = ModuleGraph(graph, "torch.fx")
        if example_inputs is not None:
            failed = _propagate_shapes(model, graph, example_inputs)
            result.shapes = not failed
            if failed:
                result.notes.append(f"shapes not recorded ({failed}): patterns that need them are skipped")
        return result
    export_failure = ""
    if example_inputs is not None:
        try:
            return ModuleGraph(_lift_export(model, example_inputs), "torch.export", shapes=True,
                               notes=[f"torch.fx could not trace {type(model).__name__} ({_error_text(first)}): "
                                      "read through torch.export"])
        except Exception as exc:  # noqa: BLE001
            export_failure = f"; torch.export failed too ({_error_text(exc)})"
    opaque = {k: v + export_failure for k, v in _untraceable(model).items() if k}
    if opaque:
        try:
            result = ModuleGraph(_Tracer(frozenset(opaque)).trace(model), "torch.fx", opaque)
            if example_inputs is not None:
                result.shapes = not _propagate_shapes(model, result.graph, example_inputs)
            return result
        except Exception:  # noqa: BLE001 - the failure is in the model's own forward: report the first one
            pass
    hint = "" if example_inputs is not None else "pass example_inputs=(x,) to read it through torch.export, or "
    raise ModuleTracingError(
        f"torch.fx could not trace {type(model).__name__}: {_error_text(first)}{export_failure}; {hint}declare the law "
        "groups by hand, e.g. find_laws(model, groups=[rescale_group(model, 'fc1', 'fc2'), attention_group(model, ...)])")

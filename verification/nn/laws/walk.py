"""Following a channel through the traced graph: which layers absorb a scaling of a writer's output channel
(homogeneous activations, dropout, pools, a flatten, gated products, concatenations), with the axis each reads."""
from __future__ import annotations

from dataclasses import dataclass
from math import prod

import torch.fx as fx
from torch import nn

from ..graph import (  # noqa: F401
    AFFINE_NORM_TYPES,
    LEAF_TYPES,
    LINEAR_TYPES,
    NORM_TYPES,
    ModuleTracingError,
    node_shape,
    op_name,
    trace_module,
)


def _single_user(node: fx.Node) -> fx.Node | None:
    users = list(node.users)
    return users[0] if len(users) == 1 else None


# channel-wise, positively homogeneous maps: f(α z) = α f(z) for α > 0, channel by channel, so a hidden
# channel can be scaled by α before them and by 1/α after them (Neural Mechanics' rescale symmetry)
HOMOGENEOUS_MODULES = (nn.ReLU, nn.LeakyReLU, nn.PReLU, nn.Identity, nn.Dropout, nn.Dropout1d, nn.Dropout2d,
                       nn.Dropout3d, nn.MaxPool1d, nn.MaxPool2d, nn.MaxPool3d, nn.AvgPool1d, nn.AvgPool2d,
                       nn.AvgPool3d, nn.AdaptiveAvgPool1d, nn.AdaptiveAvgPool2d, nn.AdaptiveAvgPool3d,
                       nn.AdaptiveMaxPool1d, nn.AdaptiveMaxPool2d, nn.AdaptiveMaxPool3d)


HOMOGENEOUS_FUNCTIONS = {"relu", "relu_", "leaky_relu", "leaky_relu_", "prelu", "dropout", "max_pool1d", "max_pool2d",
                         "max_pool3d", "avg_pool1d", "avg_pool2d", "avg_pool3d", "adaptive_avg_pool1d",
                         "adaptive_avg_pool2d", "adaptive_avg_pool3d", "adaptive_max_pool1d", "adaptive_max_pool2d",
                         "adaptive_max_pool3d", "identity"}


def _is_flatten(node: fx.Node, mods: dict) -> bool:
    """Flatten from dimension 1 on: channel c becomes the contiguous features c·S … (c+1)·S − 1."""
    if node.op == "call_module":
        m = mods[node.target]
        return isinstance(m, nn.Flatten) and m.start_dim == 1 and m.end_dim == -1
    if node.op in ("call_function", "call_method") and op_name(node) == "flatten":
        start = node.args[1] if len(node.args) > 1 else node.kwargs.get("start_dim", 0)
        end = node.args[2] if len(node.args) > 2 else node.kwargs.get("end_dim", -1)
        return start == 1 and end == -1
    return False


def _is_homogeneous(node: fx.Node, mods: dict) -> bool:
    if node.op == "call_module":
        return isinstance(mods[node.target], HOMOGENEOUS_MODULES)
    return node.op in ("call_function", "call_method") and op_name(node) in HOMOGENEOUS_FUNCTIONS


_MULTIPLY = {"mul", "mul_", "__mul__", "__rmul__", "multiply"}


_DIVIDE = {"truediv", "div", "div_", "__truediv__"}


_SHAPE_QUERIES = {"size", "dim", "sym_size"}


_CONCAT = {"cat", "concat", "concatenate"}
_ADD = {"add", "__add__", "add_", "__iadd__"}


def _is_shape_query(node: fx.Node, name: str) -> bool:
    """x.size(), x.dim(), x.shape, x.ndim (and export's sym_size): they read the shape, not the values."""
    return (node.op == "call_method" and name in _SHAPE_QUERIES or name == "sym_size"
            or node.op == "call_function" and name == "getattr" and node.args[1:2] in (("shape",), ("ndim",)))


@dataclass(frozen=True)
class Reading:
    """How a consumer reads hidden channel j of the scaled layer: its input columns base + j·S … base + (j+1)·S − 1
    (S = 1 without a flatten; S = None: a flatten whose size per channel is read off the consumer)."""

    flattened: bool = False
    base: int = 0
    per_channel: int | None = 1
    total: int | None = None  # the size of the channel (or feature) axis here, where known


def _channel_axis(module: nn.Module) -> int:
    """The axis of a layer's output channels: the last for a Linear or LayerNorm, 1 for a Conv or BatchNorm."""
    return -1 if isinstance(module, (nn.Linear,) + AFFINE_NORM_TYPES) else 1


def _concatenated(node: fx.Node, source: fx.Node, axis: int, reading: Reading) -> Reading | None:
    """The reading after ``torch.cat``: along the channel axis, channel j moves by the sizes of the tensors before."""
    parts = node.args[0] if node.args else None
    dim = node.args[1] if len(node.args) > 1 else node.kwargs.get("dim", 0)
    shape = node_shape(source)
    if not isinstance(parts, (list, tuple)) or not isinstance(dim, int) or shape is None:
        return None
    if sum(p is source for p in parts) != 1 or dim % len(shape) != axis % len(shape):
        return None  # not along the channel axis, or the scaled value concatenated twice
    sizes = [node_shape(p) for p in parts]
    if any(s is None for s in sizes):
        return None
    at = next(k for k, p in enumerate(parts) if p is source)
    before = sum(s[dim] for s in sizes[:at])
    return Reading(reading.flattened, reading.base + before, reading.per_channel, node_shape(node)[dim])


WRITER_TYPES = LINEAR_TYPES + NORM_TYPES + AFFINE_NORM_TYPES


def _out_channels(module: nn.Module) -> int | None:
    """How many output channels a layer can scale one by one with its own parameters (rows, or γ and β)."""
    if isinstance(module, LINEAR_TYPES):
        return module.weight.shape[0]
    weight = getattr(module, "weight", None)
    return weight.shape[0] if isinstance(module, NORM_TYPES + AFFINE_NORM_TYPES) and weight is not None \
        and weight.ndim == 1 else None


def _absorbers(start: fx.Node, mods: dict) -> tuple[list[tuple[fx.Node, Reading]], list[fx.Node]] | None:
    """Where a channel scaling of ``start``'s output is absorbed, and which other layers must scale with it: (the
    Linear/Conv layers that absorb it, each with how it reads the channels; the layers that join ``start`` as
    writers); None when the scaling reaches anything that does not carry it.

    Scale channel j of the output by α > 0 and follow it forward in the graph: a channel-wise positively
    homogeneous map (ReLU, LeakyReLU, PReLU, identity, dropout, pools), a flatten or a concatenation along the
    channels (with shapes: ``find_laws(model, example_inputs=...)``) carries it; a product or a quotient with a
    value the scaling does not reach carries it (a squeeze-excitation gate: x · s(x) where s reads x through a
    Linear/Conv that absorbs the scaling); a sum carries it when every summand is scaled — a summand that is the
    output of a Linear/Conv/norm layer used nowhere else is scaled by its own rows (or γ, β) and joins the
    writers (the residual stream of a ResNet: every block's last batch norm, the shortcut's); a Linear/Conv
    absorbs it when its input columns of channel j are scaled by 1/α; anything else — a sum with any other value,
    a normalisation, the model's output — breaks the symmetry.  Shape queries do not see values.
    """
    axis = _channel_axis(mods[start.target])
    channels = _out_channels(mods[start.target])
    scaled: dict[fx.Node, Reading] = {start: Reading(total=node_shape(start)[axis] if node_shape(start) else None)}
    found: list[tuple[fx.Node, Reading]] = []
    writers: list[fx.Node] = []
    for node in _after(start):
        inputs = [a for a in node.all_input_nodes if a in scaled]
        if not inputs:
            continue
        if node.op == "output":
            return None
        name = op_name(node) if node.op in ("call_function", "call_method") else ""
        if _is_shape_query(node, name):
            continue  # the shape, not the values
        if name in _ADD:
            reading = _joined_sum(node, scaled, mods, axis, channels, writers)
            if reading is None:
                return None
            scaled[node] = reading
            continue
        if len(inputs) != 1:
            return None
        source = inputs[0]
        reading = scaled[source]
        if node.op == "call_module" and isinstance(mods[node.target], LINEAR_TYPES) and len(node.all_input_nodes) == 1:
            found.append((node, reading))  # absorbed: the node's output is not scaled
            continue
        first = node.args[0] if node.args else None
        if _is_flatten(node, mods):
            if reading.flattened:
                return None
            shape = node_shape(source)
            per = prod(shape[2:]) if shape is not None and len(shape) > 2 else (1 if shape is not None else None)
            if per is None and reading.base:
                return None
            total = reading.total * per if per is not None and reading.total is not None else None
            scaled[node] = Reading(True, reading.base * (per or 0), per, total)
        elif name in _CONCAT:
            after = _concatenated(node, source, 1 if reading.flattened else axis, reading)
            if after is None:
                return None
            scaled[node] = after
        elif _is_homogeneous(node, mods) and first is source:
            scaled[node] = reading
        elif name in _MULTIPLY or name in _DIVIDE and first is source:
            scaled[node] = reading
        else:
            return None
    return (found, writers) if found else None


def _joined_sum(node: fx.Node, scaled: dict, mods: dict, axis: int, channels: int | None,
                writers: list[fx.Node]) -> Reading | None:
    """The reading of a sum a + b reached by the scaling, or None if the sum breaks it: every summand must be
    scaled alike, or be the sole use of a layer that can scale its own output channels (which joins ``writers``)."""
    if len(node.args) != 2 or node.kwargs or not all(isinstance(a, fx.Node) for a in node.args):
        return None
    readings = {scaled[a] for a in node.args if a in scaled}
    if len(readings) != 1:
        return None
    reading = readings.pop()
    for a in node.args:
        if a in scaled:
            continue
        m = mods.get(a.target) if a.op == "call_module" else None
        plain = not reading.flattened and reading.base == 0
        if not isinstance(m, WRITER_TYPES) or len(a.users) != 1 or not plain or _out_channels(m) != channels \
                or _channel_axis(m) != axis:
            return None
        if node_shape(a) is not None and node_shape(node) is not None and node_shape(a) != node_shape(node):
            return None
        writers.append(a)
        scaled[a] = reading
    return reading


def _after(start: fx.Node):
    """The nodes after ``start`` in the graph's (topological) order."""
    node = start.next
    while node.op != "root":
        yield node
        node = node.next

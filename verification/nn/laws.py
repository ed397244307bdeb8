"""Conservation laws of real PyTorch modules: find them by the module graph, check them on batches.

The graph (``torch.fx``) is read for the patterns whose laws the papers give:

* **rescale** (positive homogeneity; Neural Mechanics, Prop. 3.5, Theorem 3.6): for a Linear, Conv
  or BatchNorm A, the scaling of its channel j is followed through the graph (:func:`_absorbers`:
  homogeneous activations, dropout, pools, a flatten, gated products) to every Linear/Conv B that
  absorbs it — per hidden channel j, ‖A_j‖² (+ b_j²) − Σ_B ‖B_{:,j}‖²;
* **scale** (weights before batch norm; Neural Mechanics): a Linear or Conv feeding only a
  BatchNorm — per output channel c, ‖W_c‖², and its bias b_c (the batch mean removes it: ∂L/∂b = 0);
* **attention** (Cor. 3.9–3.10): a :class:`~conslaw.verification.nn.zoo.SelfAttention` —
  per head, the entries of Q_hᵀQ_h − K_hᵀK_h and V_hᵀV_h − O_hᵀO_h;
* **bias differences** (translation, :func:`_translation_group`): a shift of layer A's output through its bias,
  carried by sums and removed by batch norms (after an unpadded Linear/Conv) or LayerNorms, cancelled by the
  bias of a layer B added further on — per channel j, b_A,j − b_B,j (Σ_j over the channels where a LayerNorm
  reads the shift);
* **column sums** (Prop. 3.11): a Linear whose output is the model's output, trained with the
  cross-entropy loss — Σ_k W_{k,j} for each input j (and Σ_k b_k);
* **torch's attention**: ``nn.MultiheadAttention`` (packed ``in_proj``, with or without biases) —
  per head, [W_q|b_q][W_q|b_q]ᵀ − [W_k|b_k][W_k|b_k]ᵀ and [W_v|b_v][W_v|b_v]ᵀ − W_oᵀW_o;
  ``nn.TransformerEncoder(Layer)`` — its attention, the feed-forward rescale laws when the
  activation is ReLU, and with ``norm_first`` each LayerNorm's γ_j² + β_j² − ‖W_{:,j}‖² against
  the Linear it feeds (post-norm LayerNorms feed the residual stream: no such law).

Parametrised modules of other types are listed in ``unsupported``, known types around which no
pattern matched in ``without_laws``, tied-weight patterns in ``skipped``: never skipped silently.
A model torch.fx cannot trace raises :class:`ModuleTracingError`, whose message gives the way
out: ``find_laws(model, groups=[rescale_group(model, "fc1", "fc2"), ...])``.
:func:`check_laws` measures, on real batches, the relative orthogonality
|⟨∇h, ∇L⟩| / (‖∇h‖ ‖∇L‖) of every law to the loss gradient (∇L over all parameters).
"""
from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from math import prod
from typing import Callable, Iterable, Sequence

import torch
import torch.fx as fx
from torch import nn

from conslaw.algebra import ConslawError

from ..report.prose import text_latex as latex_text
from .attention_graph import find_attention
from .graph import (  # noqa: F401
    AFFINE_NORM_TYPES,
    LEAF_TYPES,
    LINEAR_TYPES,
    NORM_TYPES,
    ModuleTracingError,
    node_shape,
    op_name,
    trace_module,
)
from .zoo import SelfAttention

KNOWN_TYPES = LINEAR_TYPES + NORM_TYPES + AFFINE_NORM_TYPES + (SelfAttention,)


@dataclass
class LawGroup:
    """m laws of one pattern on one or two modules; ``values`` maps named parameters to an (m,) tensor."""

    kind: str
    modules: tuple[str, ...]
    latex: str
    params: tuple[str, ...]
    values: Callable[[dict[str, torch.Tensor]], torch.Tensor]
    count: int
    requires: str = ""
    norm: str = ""  # scale laws: the batch norm that makes them hold (its eps breaks them slightly)
    # ‖∇h_i(θ)‖ in closed form, where the laws are signed sums of squares (or sums) on disjoint supports
    gradient_norms: Callable[[dict[str, torch.Tensor]], torch.Tensor] | None = None


@dataclass
class LawInventory:
    groups: list[LawGroup] = field(default_factory=list)
    unsupported: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # patterns found but not claimed, with the reason
    without_laws: list[str] = field(default_factory=list)  # known layer types around which no pattern matched
    traced_by: str = ""  # "torch.fx" or "torch.export" ("" when the groups were declared by hand)
    refuted: list[str] = field(default_factory=list)  # groups a pattern gave that the example inputs refuted
    notes: list[str] = field(default_factory=list)  # how the graph was read, near misses

    @property
    def count(self) -> int:
        return sum(g.count for g in self.groups)


def _tex(name: str) -> str:
    return r"\mathtt{" + latex_text(name) + "}"


_VALUES_ONLY: ContextVar[bool] = ContextVar("values_only", default=False)


@contextmanager
def values_only():
    """Within it, law values are computed for their values alone — no derivative will be taken — so a row's
    squared norm may come from ``vector_norm`` (one pass, no temporary; its derivative at a zero row is NaN, hence
    never used where derivatives are: check_laws, counts).  The monitor evaluates its laws this way."""
    token = _VALUES_ONLY.set(True)
    try:
        yield
    finally:
        _VALUES_ONLY.reset(token)


def _rows(w: torch.Tensor) -> torch.Tensor:
    """Per output unit, the squared norm of its incoming weights: (out,)."""
    flat = w.reshape(w.shape[0], -1)
    if _VALUES_ONLY.get():
        return torch.linalg.vector_norm(flat, dim=1).square()
    return flat.pow(2).sum(1)


def _cols(w: torch.Tensor, groups: int = 1) -> torch.Tensor:
    """Per input unit, the squared norm of its outgoing weights: (in,).

    For a grouped convolution (``groups`` = G, weight of shape (out, in/G, *k)) input
    channel j = g·(in/G) + i feeds only the outputs of group g, through ``w[g·out/G:(g+1)·out/G, i]``.
    The squares are summed over the taps by ``einsum`` (no temporary of w's size), then over the outputs.
    """
    out, per_group = w.shape[0], w.shape[1]
    taps = w.reshape(groups, out // groups, per_group, -1)
    return torch.einsum("gopx,gopx->gop", taps, taps).sum(1).reshape(groups * per_group)


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


def _shared_parameters(model: nn.Module) -> dict[str, list[str]]:
    """Canonical parameter name → every name it has, for parameters registered under several names (tied weights)."""
    names: dict[int, list[str]] = {}
    for name, p in model.named_parameters(remove_duplicate=False):
        names.setdefault(id(p), []).append(name)
    return {v[0]: v for v in names.values() if len(v) > 1}


def find_laws(model: nn.Module, groups: Sequence[LawGroup] | None = None,
              example_inputs: Sequence[torch.Tensor] | torch.Tensor | None = None) -> LawInventory:
    """Every law the patterns of the module docstring give, and the parametrised modules left unanalysed.

    A pattern whose parameters are shared with another module (tied weights) is not
    claimed: the other use breaks the symmetry in general; it is listed in ``skipped``.
    ``groups``: law groups declared by hand (e.g. ``rescale_group(model, "fc1", "fc2")``); with
    them the model is not traced, so a model torch.fx cannot trace can still be checked.
    ``example_inputs`` (a tensor or a tuple of the forward's arguments): the graph then carries shapes, which
    the hand-written attention pattern and concatenations need, and a model torch.fx cannot trace is read
    through torch.export (:mod:`module_graph`).  Nothing is computed on them: shapes come from fake tensors.
    Tracing failures raise :class:`ModuleTracingError` with the way out.
    """
    mods = dict(model.named_modules())
    inv = LawInventory()
    if groups is not None:
        inv.groups = list(groups)
        inv.unsupported, inv.without_laws = _not_analysed(model, inv.groups, mods)
        return inv
    if isinstance(example_inputs, torch.Tensor):
        example_inputs = (example_inputs,)
    traced = trace_module(model, example_inputs)
    graph, opaque = traced.graph, traced.opaque
    inv.traced_by, inv.notes = traced.method, list(traced.notes)
    way_out = "declare them with find_laws(model, groups=[...])" if example_inputs is not None else \
        "pass example_inputs=(x,) to read it through torch.export, or declare them with find_laws(model, groups=[...])"
    for name, reason in opaque.items():
        inv.unsupported.append(f"{name} ({type(mods[name]).__name__}): torch.fx cannot trace it ({reason}), so no "
                               f"law inside it is analysed; {way_out}")
    shared = _shared_parameters(model)
    alias = {name: canon for canon, names in shared.items() for name in names}
    writing: set[str] = set()  # layers already scaled with another in a rescale group (a residual stream)
    shifts: set[frozenset] = set()  # pairs of biases already tied by a translation law
    for node in graph.nodes:
        if node.op != "call_module":
            continue
        name, m = node.target, mods[node.target]
        if isinstance(m, SelfAttention):
            inv.groups.append(_attention_group(name, m))
            continue
        if isinstance(m, nn.MultiheadAttention):
            _add_mha(inv, name, m)
            continue
        if isinstance(m, nn.TransformerEncoderLayer):
            _add_encoder_layer(inv, name, m)
            continue
        if isinstance(m, nn.TransformerEncoder):
            for k, layer in enumerate(m.layers):
                _add_encoder_layer(inv, f"{name}.layers.{k}", layer)
            _add_encoder_stream(inv, name, m)
            continue
        user = _single_user(node)
        if isinstance(m, LINEAR_TYPES) and user is not None and user.op == "call_module" and isinstance(mods[user.target], NORM_TYPES):
            inv.groups.append(LawGroup(
                "scale", (name,), rf"\|{_tex(name + '.weight')}_{{c}}\|^2", (f"{name}.weight",),
                lambda p, n=name: _rows(p[f"{n}.weight"]), m.weight.shape[0],
                requires="batch norm in training mode (batch statistics); exact up to its eps (relative error ~ eps / variance)",
                norm=user.target, gradient_norms=lambda p, n=name: 2 * _rows(p[f"{n}.weight"]).sqrt()))
            if m.bias is not None:  # the batch mean removes it: ∂L/∂b = 0, each entry conserved
                inv.groups.append(LawGroup(
                    "bias_before_norm", (name,), rf"{_tex(name + '.bias')}_{{c}}", (f"{name}.bias",),
                    lambda p, n=name: p[f"{n}.bias"], m.bias.shape[0],
                    requires="batch norm in training mode (it subtracts the batch mean, bias included)",
                    gradient_norms=lambda p, n=name: torch.ones_like(p[f"{n}.bias"])))
        if isinstance(m, LINEAR_TYPES + NORM_TYPES) and name not in writing:
            found = _absorbers(node, mods)
            if found is not None:
                readers, joined = found
                group = _rescale_group([(name, m)] + [(w.target, mods[w.target]) for w in joined],
                                       [(n.target, mods[n.target], r) for n, r in readers])
                if group is not None:
                    inv.groups.append(group)
                    writing.update(w.target for w in joined)
        if isinstance(m, AFFINE_NORM_TYPES) and getattr(m, "weight", None) is not None and m.weight.ndim == 1:
            consumers = list(node.users)
            if consumers and all(u.op == "call_module" and isinstance(mods[u.target], nn.Linear) for u in consumers):
                inv.groups.append(_layer_norm_group(name, m, ",".join(u.target for u in consumers),
                                                    [f"{u.target}.weight" for u in consumers]))
        if isinstance(m, nn.Linear) and user is not None and user.op == "output":
            inv.groups.append(_column_sum_group(name, m))
        if _bias_of(m) is not None:
            group = _translation_group(node, mods)
            if group is not None and frozenset(group.modules) not in shifts:
                shifts.add(frozenset(group.modules))
                inv.groups.append(group)
    if traced.shapes:
        matches, near = find_attention(graph, mods, set(dict(model.named_parameters())))
        inv.groups += [_head_pair_group(mods, match) for match in matches]
        inv.groups += [_key_bias_group(match.b, match.rows_b) for match in matches
                       if match.kind == "qk" and match.softmax_over_keys and mods[match.b].bias is not None]
        inv.notes += near
    elif example_inputs is None and any(isinstance(m, nn.Linear) for m in mods.values()):
        inv.notes.append("hand-written attention (q, k, v, o Linear layers) is found only with shapes: "
                         "find_laws(model, example_inputs=(x,))")
    unknown, inv.without_laws = _not_analysed(model, inv.groups, mods, opaque)
    inv.unsupported += unknown
    calls: dict[str, int] = {}
    for node in graph.nodes:
        if node.op == "call_module":
            calls[node.target] = calls.get(node.target, 0) + 1
    frozen = {n for n, p in model.named_parameters() if not p.requires_grad}
    reads = _reads(graph, calls, set(dict(model.named_parameters())))
    kept = []
    for g in inv.groups:
        why = _unclaimable(g, frozen, reads, alias, shared, calls)
        if why:
            inv.skipped.append(why)
        else:
            kept.append(g)
    inv.groups = kept
    if example_inputs is not None:  # every group verified on the inputs before it is returned
        inv.groups, refuted = refute_on_inputs(model, inv.groups, tuple(example_inputs))
        inv.refuted = refuted
        inv.skipped += refuted
    else:
        inv.notes.append("no example inputs: the laws are those of the patterns, not verified on data (pass "
                         "example_inputs=(x,) to verify each group on it, or use check_laws)")
    return inv


DROPOUT_TYPES = (nn.Dropout, nn.Dropout1d, nn.Dropout2d, nn.Dropout3d, nn.AlphaDropout)


@contextmanager
def dropout_off(model: nn.Module):
    """Dropout draws a fresh mask at every call: within this, the model's dropout layers are off (their masks are
    positively homogeneous, so they neither add nor remove a law); other layers keep their mode.  Yields how many
    were switched off; they are switched back on after."""
    dropouts = [m for m in model.modules() if isinstance(m, DROPOUT_TYPES) and m.training]
    for m in dropouts:
        m.eval()
    try:
        yield len(dropouts)
    finally:
        for m in dropouts:
            m.train()


def _reads(graph: fx.Graph, calls: dict[str, int], names: set[str]) -> dict[str, int]:
    """How many places of the forward pass read each parameter: its module's calls, plus every op that reads it
    directly (an fx ``get_attr``, e.g. ``F.embedding(idx, self.head.weight)``).  Two or more: tied."""
    reads = {n: calls.get(n.rsplit(".", 1)[0], 0) for n in names}
    for node in graph.nodes:
        if node.op == "get_attr" and node.target in names:
            reads[node.target] += len(node.users)  # (a lifted graph keeps unused get_attr nodes)
    return reads


def _unclaimable(g: LawGroup, frozen: set[str], reads: dict[str, int], alias: dict, shared: dict,
                 calls: dict[str, int]) -> str:
    """Why a group cannot be claimed ("" when it can): a frozen parameter (a law may not need it to move), a
    module called twice, a parameter read in two places (tied functionally) or registered twice (tied)."""
    what = f"{g.kind} laws of {', '.join(g.modules)}"
    still = [p for p in g.params if p in frozen]
    if still:
        return (f"{what}: {', '.join(still)} is frozen (requires_grad=False): a constant, which the symmetry would "
                "have to move; not claimed")
    reused = sorted({p.rsplit(".", 1)[0] for p in g.params if calls.get(p.rsplit(".", 1)[0], 0) > 1})
    if reused:
        return (f"{what}: {', '.join(reused)} is called more than once in the forward pass, and each call sees the "
                "rescaling differently; not claimed")
    twice = [p for p in g.params if reads.get(p, 0) > 1]
    if twice:
        return (f"{what}: {', '.join(twice)} is read in more than one place of the forward pass (tied weights, e.g. "
                "an embedding that reuses it), whose other use breaks the symmetry; not claimed")
    tied = [p for p in g.params if p in alias]
    if tied:
        others = sorted({n for p in tied for n in shared[alias[p]] if n != p})
        return (f"{what}: {', '.join(tied)} is shared with {', '.join(others)} (tied weights), whose other use breaks "
                "the symmetry; not claimed")
    return ""


EPS_SLACK = 1e-2


def _combined_lean(group: LawGroup, tensors: list[torch.Tensor], direction: list[torch.Tensor],
                   norm_L: torch.Tensor, gen: torch.Generator) -> float:
    """|⟨∇(c·h), ∇L⟩| / (‖∇(c·h)‖ ‖∇L‖) for one random combination c of the group's laws h: one jvp and one vjp,
    so the memory is that of one gradient, whatever the number of laws.  Zero (to rounding) when every law of the
    group is orthogonal to ∇L; a law that is not makes it nonzero for almost every c."""
    def values(*ts):
        return group.values(dict(zip(group.params, ts)))

    h, dots = torch.func.jvp(values, tuple(tensors), tuple(direction))
    c = torch.randn(h.shape, generator=gen, dtype=h.dtype).to(h.device)
    _, pullback = torch.func.vjp(values, *tensors)
    norm = torch.sqrt(sum(gr.pow(2).sum() for gr in pullback(c)))
    return float((c * dots).sum().abs() / (norm * norm_L)) if norm > 0 else 0.0


def refute_on_inputs(model: nn.Module, groups: Sequence[LawGroup], inputs: tuple, draws: int = 3,
                     seed: int = 0) -> tuple[list[LawGroup], list[str]]:
    """(the groups that hold, why each other one is refuted) on the example inputs: every law (each group tested
    through a random combination of its laws, :func:`_combined_lean`) must be orthogonal to
    the gradient of ⟨w, f(θ, x)⟩ for random output directions w summing to zero along the class axis (axis 1 of
    outputs of 2 or more dimensions, torch's cross-entropy convention; every pattern holds for the cross-entropy),
    to the dtype's rounding (1e-9 in float64, 1e-4 in float32), or within ``EPS_SLACK`` for a scale law that its
    batch norm's eps breaks slightly (relative 1e-6 to 1e-2 measured; exact at eps = 0).  The model's buffers
    (batch-norm statistics) are restored after, and dropout
    is off while it runs."""
    every = dict(model.named_parameters())
    named = {n: p for n, p in every.items() if p.requires_grad}
    if not groups or not named:
        return list(groups), []
    gen = torch.Generator().manual_seed(seed)
    buffers = {n: b.detach().clone() for n, b in model.named_buffers()}
    worst = [0.0] * len(groups)
    try:
        with dropout_off(model):
            for _ in range(draws):
                out = model(*inputs)
                if not isinstance(out, torch.Tensor):
                    return list(groups), []
                axis = 1 if out.ndim >= 2 else 0
                w = torch.randn(out.shape, generator=gen, dtype=out.dtype).to(out.device)
                w = w - w.mean(dim=axis, keepdim=True)
                grads = torch.autograd.grad((out * w).sum(), list(named.values()), allow_unused=True)
                grad = {n: g if g is not None else torch.zeros_like(p) for (n, p), g in zip(named.items(), grads)}
                norm_L = torch.sqrt(sum(g.pow(2).sum() for g in grad.values()))
                if norm_L == 0:
                    continue
                for k, g in enumerate(groups):
                    worst[k] = max(worst[k], _combined_lean(g, [every[p].detach() for p in g.params],
                                                            [grad[p] for p in g.params], norm_L, gen))
    finally:
        with torch.no_grad():
            for n, b in model.named_buffers():
                b.copy_(buffers[n])
    kept, refuted = [], []
    mods = dict(model.named_modules())
    for g, err in zip(groups, worst):
        tol = _tolerance(every[g.params[0]].dtype)
        slack = EPS_SLACK if g.norm in mods and float(getattr(mods[g.norm], "eps", 0.0)) > 0 else 0.0
        if err <= tol + slack:
            kept.append(g)
        else:
            refuted.append(f"{g.kind} laws of {', '.join(g.modules)}: refuted on the example inputs (a law leans on "
                           f"the loss gradient by {err:.1e} > {tol:g}); not claimed")
    return kept, refuted


def _not_analysed(model: nn.Module, groups: Sequence[LawGroup], mods: dict,
                  opaque: dict[str, str] | None = None) -> tuple[list[str], list[str]]:
    """Modules with parameters of their own that no law group uses: (unknown layer types, known types around
    which no pattern matched), each named with the reason; inside an opaque module, the opaque one says it."""
    used = {p for g in groups for p in g.params}
    inside = tuple(f"{o}." for o in (opaque or {}))
    unknown, unmatched = [], []
    for name, m in mods.items():
        if inside and name.startswith(inside):
            unmatched.append(f"{name} ({type(m).__name__}): inside a module torch.fx cannot trace: not analysed")
            continue
        own = [f"{name}.{n}" if name else n for n, _ in m.named_parameters(recurse=False)]
        if not own or any(p in used for p in own):
            continue
        if isinstance(m, KNOWN_TYPES + LEAF_TYPES):
            unmatched.append(f"{name} ({type(m).__name__}): no law pattern matched around it (e.g. not followed by a "
                             "ReLU and a Linear/Conv, nor by a BatchNorm)")
        else:
            unknown.append(f"{name} ({type(m).__name__}): no law pattern known for this layer type")
    return unknown, unmatched


def _signed_squares(kind: str, modules: tuple[str, ...], latex: str, params: tuple[str, ...], incoming: Callable,
                    outgoing: Callable, count: int) -> LawGroup:
    """Laws h_j = incoming_j − outgoing_j, each a signed sum of squares over its own entries (disjoint supports),
    so that ‖∇h_j‖² = 4 (incoming_j + outgoing_j): the gradient norms come in closed form."""
    return LawGroup(kind, modules, latex, params, lambda p: incoming(p) - outgoing(p), count,
                    gradient_norms=lambda p: 2 * (incoming(p) + outgoing(p)).sqrt())


def _named(model: nn.Module, name: str, types: tuple, what: str) -> nn.Module:
    """The submodule ``name`` of ``model``, refused in one line unless it is one of ``types``."""
    m = dict(model.named_modules()).get(name)
    if m is None:
        raise ConslawError(f"no module named {name!r} in {type(model).__name__}")
    if not isinstance(m, types):
        raise ConslawError(f"{name!r} is not {what} of {type(model).__name__}")
    return m


def rescale_group(model: nn.Module, first: str, second: str) -> LawGroup:
    """The rescale laws of a hidden layer declared by hand: ``first`` (Linear/Conv/BatchNorm) → a positively
    homogeneous activation → ``second`` (Linear/Conv), for ``find_laws(model, groups=[...])``."""
    a = _named(model, first, LINEAR_TYPES + NORM_TYPES, "a Linear, Conv or BatchNorm layer")
    return _rescale_group([(first, a)], [(second, _named(model, second, LINEAR_TYPES, "a Linear or Conv layer"), Reading())])


def _rescale_group(writers: Sequence[tuple[str, nn.Module]],
                   consumers: Sequence[tuple[str, nn.Module, Reading]]) -> LawGroup | None:
    """Per hidden channel j: Σ_A ‖A_j‖² (+ b_j², or γ_j² + β_j²) over the writers A (the layers whose channel j is
    scaled: one, or every layer writing into a residual stream) − Σ_B ‖B's weights reading channel j‖² over the
    consumers B (name, module, how it reads the channels); None if a consumer's shape does not fit.

    A grouped convolution B reads channel c = g·(in/G) + i through ``B.weight[g·out/G:(g+1)·out/G, i]``; after a
    concatenation, channel j is the consumer's channel base + j; after a flatten, a Linear's columns
    base + j·S … base + (j+1)·S − 1 (S = in_features / channels when the shapes are not known)."""
    channels = writers[0][1].weight.shape[0]
    readers = []
    for b_name, b, r in consumers:
        size = getattr(b, "in_features", getattr(b, "in_channels", None))
        if r.total is not None and size != r.total:
            return None
        if r.flattened:
            per = r.per_channel if r.per_channel is not None else (size // channels if size % channels == 0 else 0)
            if not isinstance(b, nn.Linear) or not per or r.base + channels * per > size \
                    or r.per_channel is None and size != channels * per:
                return None
            readers.append((b_name, b, r.base, per))
        else:
            if r.base + channels > size or r.total is None and size != channels:
                return None
            readers.append((b_name, b, r.base, 0))
    own = [(n, f"{n}.weight", f"{n}.bias" if getattr(m, "bias", None) is not None else None) for n, m in writers]
    params = tuple(dict.fromkeys([w for _, w, _ in own] + [b for _, _, b in own if b]
                                 + [f"{n}.weight" for n, *_ in readers]))

    def incoming(p):
        total = 0
        for _, w, b in own:
            total = total + (_rows(p[w]) if p[w].ndim > 1 else p[w].pow(2))
            if b:
                total = total + p[b].pow(2)
        return total

    def outgoing(p):
        total = 0
        for b_name, b, base, per in readers:
            w = p[f"{b_name}.weight"]
            if per:
                block = w[:, base:base + channels * per]
                total = total + block.reshape(w.shape[0], channels, per).pow(2).sum(dim=(0, 2))
            else:
                total = total + _cols(w, getattr(b, "groups", 1))[base:base + channels]
        return total

    def columns(base: int, per: int) -> str:
        if per:
            return "{:," + (f"{base}+" if base else "") + "jS:" + (f"{base}+" if base else "") + "(j+1)S}"
        return "{:," + (f"{base}+j" if base else "j") + "}"

    def row(name: str, w: str, b: str | None, module: nn.Module) -> str:
        first = rf"\|{_tex(w)}_{{j}}\|^2" if module.weight.ndim > 1 else rf"({_tex(w)}_{{j}})^2"
        return first + (rf" + ({_tex(b)}_{{j}})^2" if b else "")

    latex = " + ".join(row(n, w, b, m) for (n, w, b), (_, m) in zip(own, writers))
    latex += "".join(rf" - \|{_tex(n + '.weight')}_{columns(base, per)}\|^2" for n, _, base, per in readers)
    modules = tuple(dict.fromkeys([n for n, _ in writers] + [n for n, *_ in readers]))
    if len(modules) < len(writers) + len(readers):  # a layer both writes and reads the stream: supports overlap
        return LawGroup("rescale", modules, latex, params, lambda p: incoming(p) - outgoing(p), channels)
    return _signed_squares("rescale", modules, latex, params, incoming, outgoing, channels)


_ADD = {"add", "__add__", "add_", "__iadd__"}


def _bias_of(module: nn.Module) -> tuple[str, int] | None:
    """(the parameter added per channel, its channel axis) for a layer whose output is ... + b_j on channel j."""
    bias = getattr(module, "bias", None)
    if not isinstance(bias, nn.Parameter) or bias.ndim != 1:
        return None
    if isinstance(module, (nn.Linear,) + AFFINE_NORM_TYPES):
        return "bias", -1
    if isinstance(module, LINEAR_TYPES[1:] + NORM_TYPES):
        return "bias", 1
    return None


def _compatible_writers(a: fx.Node, b: fx.Node, mods: dict) -> bool:
    """Whether two layers' biases act on the same channels of the same values (axis, count and, where known, shape)."""
    ma, mb = mods[a.target], mods[b.target]
    ba, bb = _bias_of(ma), _bias_of(mb)
    if ba is None or bb is None or ba[1] != bb[1] or ma.bias.shape != mb.bias.shape:
        return False
    if node_shape(a) is not None and node_shape(b) is not None:
        return node_shape(a) == node_shape(b)
    return not (ba[1] == 1 and isinstance(ma, nn.Linear) != isinstance(mb, nn.Linear))


def _removes_shift(node: fx.Node, mods: dict, axis: int) -> str | None:
    """How a layer reading a shifted value removes the shift: "channel" (a Linear, or a Conv without padding, whose
    only user is a batch norm: the batch mean removes any per-channel constant), "uniform" (a LayerNorm over the
    channel axis: it removes a shift by the same constant in every channel), or None."""
    if node.op != "call_module" or len(node.all_input_nodes) != 1:
        return None
    m = mods[node.target]
    if isinstance(m, nn.LayerNorm) and axis == -1 and len(m.normalized_shape) == 1:
        return "uniform"
    user = _single_user(node)
    if isinstance(m, LINEAR_TYPES) and _unpadded(m) and user is not None and user.op == "call_module" \
            and isinstance(mods[user.target], NORM_TYPES):
        return "channel"
    return None


def _unpadded(m: nn.Module) -> bool:
    """A Linear, or a Conv without padding: a constant input gives a constant output (padding makes the border
    differ)."""
    if isinstance(m, nn.Linear):
        return True
    pad = m.padding
    return pad == "valid" if isinstance(pad, str) else all(p == 0 for p in pad)


def _translation_group(start: fx.Node, mods: dict) -> LawGroup | None:
    """Shift channel j of layer A's output by c through its bias and follow the shift: it passes through sums, is
    removed by the layers of :func:`_removes_shift`, and is cancelled at a sum whose other summand is a layer B
    used only there, by B's bias shifted by −c.  If nothing else reads it, ∂L/∂b_A = ∂L/∂b_B on the shifted
    channels, so b_A,j − b_B,j is conserved per channel — or, where a LayerNorm reads it (only a shift equal in
    every channel is removed), Σ_j b_A,j − Σ_j b_B,j.  The simplest case: a residual block's batch norm and its
    shortcut's, added directly; in MobileNet, consecutive projection batch norms along the residual stream; in a
    pre-norm Transformer, the attention's and the MLP's output biases around a LayerNorm."""
    axis = _bias_of(mods[start.target])[1]
    shifted, partner, mode, by_batch_norm = {start}, None, "channel", False
    for node in _after(start):
        inputs = [x for x in node.all_input_nodes if x in shifted]
        if not inputs:
            continue
        name = op_name(node) if node.op in ("call_function", "call_method") else ""
        if node.op == "output":
            return None
        if _is_shape_query(node, name):
            continue
        if name in _ADD:
            if len(node.args) != 2 or node.kwargs or not all(isinstance(x, fx.Node) for x in node.args) \
                    or all(x in shifted for x in node.args):
                return None
            other = next(x for x in node.args if x not in shifted)
            if partner is None and other.op == "call_module" and len(other.users) == 1 \
                    and _compatible_writers(start, other, mods):
                partner = other  # cancelled here: the sum is not shifted
            else:
                shifted.add(node)
            continue
        removed = _removes_shift(node, mods, axis)
        if removed is None:
            return None
        mode = "uniform" if removed == "uniform" else mode
        by_batch_norm = by_batch_norm or removed == "channel"
    if partner is None:
        return None
    pa, pb = f"{start.target}.bias", f"{partner.target}.bias"
    n = mods[start.target].bias.shape[0]
    requires = "batch norm in training mode (the batch mean removes the shift)" if by_batch_norm else ""
    if mode == "uniform":
        group = _bias_sums(pa, pb, n)
    else:
        group = LawGroup("bias_difference", (start.target, partner.target), rf"{_tex(pa)}_{{j}} - {_tex(pb)}_{{j}}",
                         (pa, pb), lambda p: p[pa] - p[pb], n,
                         gradient_norms=lambda p: torch.full((n,), 2.0 ** 0.5, dtype=p[pa].dtype, device=p[pa].device))
    group.requires = requires
    return group


def _column_sum_group(name: str, m: nn.Linear) -> LawGroup:
    has_bias = m.bias is not None
    params = (f"{name}.weight",) + ((f"{name}.bias",) if has_bias else ())

    def values(p):
        sums = p[f"{name}.weight"].sum(0)
        return torch.cat([sums, p[f"{name}.bias"].sum()[None]]) if has_bias else sums

    latex = rf"\sum_k {_tex(name + '.weight')}_{{k,j}}" + (rf",\ \sum_k {_tex(name + '.bias')}_k" if has_bias else "")
    count = m.in_features + int(has_bias)
    return LawGroup("column_sum", (name,), latex, params, values, count,
                    requires="the cross-entropy loss on the model's output",
                    gradient_norms=lambda p: torch.full((count,), float(m.out_features) ** 0.5,
                                                        dtype=p[params[0]].dtype, device=p[params[0]].device))


def _attention_group(name: str, m: SelfAttention) -> LawGroup:
    H, dk, dv = m.heads, m.dk, m.dv
    params = tuple(f"{name}.{x}.weight" for x in "qkvo")
    iu_k = torch.triu_indices(dk, dk)
    iu_v = torch.triu_indices(dv, dv)

    def values(p):
        out = []
        for h in range(H):
            Q = p[f"{name}.q.weight"][h * dk:(h + 1) * dk].T  # d × dk
            K = p[f"{name}.k.weight"][h * dk:(h + 1) * dk].T
            V = p[f"{name}.v.weight"][h * dv:(h + 1) * dv].T  # d × dv
            O = p[f"{name}.o.weight"][:, h * dv:(h + 1) * dv]  # d × dv
            out.append((Q.T @ Q - K.T @ K)[iu_k[0], iu_k[1]])
            out.append((V.T @ V - O.T @ O)[iu_v[0], iu_v[1]])
        return torch.cat(out)

    latex = r"Q_h^\top Q_h - K_h^\top K_h,\ V_h^\top V_h - O_h^\top O_h \ (\text{" + latex_text(name) + "})"
    return LawGroup("attention", (name,), latex, params, values, H * (dk * (dk + 1) // 2 + dv * (dv + 1) // 2))


def norm_group(model: nn.Module, norm: str, consumers: Sequence[str]) -> LawGroup:
    """LayerNorm/RMSNorm ``norm`` whose output feeds only the Linear layers ``consumers``, declared by hand."""
    m = _named(model, norm, AFFINE_NORM_TYPES, "a LayerNorm/RMSNorm")
    for c in consumers:
        _named(model, c, (nn.Linear,), "a Linear layer")
    return _layer_norm_group(norm, m, ",".join(consumers), [f"{c}.weight" for c in consumers])


def column_sum_group(model: nn.Module, linear: str) -> LawGroup:
    """Column sums of the Linear layer ``linear`` that produces the logits of a cross-entropy loss, declared by hand."""
    return _column_sum_group(linear, _named(model, linear, (nn.Linear,), "a Linear layer"))


def _paired_laws(A: torch.Tensor, rows_a: torch.Tensor, B: torch.Tensor, rows_b: torch.Tensor,
                 b_columns: bool = False) -> torch.Tensor:
    """Per head h, the upper triangle of A_h A_hᵀ − B_h B_hᵀ with A_h = A[rows_a[h]] and B_h = B[rows_b[h]]
    (or, with ``b_columns``, B_h = B[:, rows_b[h]]ᵀ: the output matrix's columns of the head)."""
    hd = rows_a.shape[1]
    iu = torch.triu_indices(hd, hd, device=A.device)
    a = A[rows_a]  # (H, hd, cols)
    b = B[:, rows_b].permute(1, 2, 0) if b_columns else B[rows_b]
    gram = a @ a.transpose(1, 2) - b @ b.transpose(1, 2)
    return gram[:, iu[0], iu[1]].reshape(-1)


def _per_head_laws(Aq, Ak, Av, O, H: int, hd: int) -> torch.Tensor:
    """Per head h (rows h·hd … (h+1)·hd − 1 of the augmented q, k, v maps, columns of O): the upper triangles of
    A_q A_qᵀ − A_k A_kᵀ and A_v A_vᵀ − O_hᵀ O_h."""
    rows = torch.arange(H * hd, device=Aq.device).reshape(H, hd)
    return torch.cat([_paired_laws(Aq, rows, Ak, rows), _paired_laws(Av, rows, O, rows, b_columns=True)])


def _augmented(p: dict, name: str, bias: bool) -> torch.Tensor:
    """[W | b] of a Linear layer (W alone without bias)."""
    return torch.cat([p[f"{name}.weight"], p[f"{name}.bias"][:, None]], 1) if bias else p[f"{name}.weight"]


def _head_pair_group(mods: dict, match) -> LawGroup:
    """The laws of a hand-written attention pairing found in the graph (:func:`attention_patterns.find_attention`):
    q/k — per head, the entries of [W_q|b_q]_h[W_q|b_q]_hᵀ − [W_k|b_k]_h[W_k|b_k]_hᵀ (rows of the head);
    v/o — per head, the entries of [W_v|b_v]_h[W_v|b_v]_hᵀ − W_{o,h}ᵀW_{o,h} (W_{o,h}: o's columns of the head)."""
    a, b = match.a, match.b
    bias_a = mods[a].bias is not None
    bias_b = match.kind == "qk" and mods[b].bias is not None
    rows_a = torch.tensor(match.rows_a)
    rows_b = torch.tensor(match.rows_b)
    params = tuple(dict.fromkeys((f"{a}.weight",) + ((f"{a}.bias",) if bias_a else ()) + (f"{b}.weight",)
                                 + ((f"{b}.bias",) if bias_b else ())))
    H, hd = rows_a.shape

    def values(p):
        A, B = _augmented(p, a, bias_a), _augmented(p, b, bias_b)
        return _paired_laws(A, rows_a.to(A.device), B, rows_b.to(B.device), b_columns=match.kind == "vo")

    def aug(name: str, bias: bool) -> str:
        t = latex_text(name)
        return rf"[W_{{\text{{{t}}}}}|b_{{\text{{{t}}}}}]_h" if bias else rf"W_{{\text{{{t}}},h}}"

    heads = rf"\ (\text{{{H} heads of {hd} rows}})"
    if match.kind == "qk":
        latex = rf"{aug(a, bias_a)}{aug(a, bias_a)}^\top - {aug(b, bias_b)}{aug(b, bias_b)}^\top" + heads
    else:
        o = latex_text(b)
        latex = rf"{aug(a, bias_a)}{aug(a, bias_a)}^\top - W_{{\text{{{o}}},h}}^\top W_{{\text{{{o}}},h}}" + heads
    return LawGroup("attention", (a, b) if a != b else (a,), latex, params, values, H * hd * (hd + 1) // 2)


def _key_bias_group(bias_of: str, rows: Sequence[Sequence[int]], bias: str | None = None) -> LawGroup:
    """Each entry of the key bias b_k (rows ``rows`` of ``bias``, default ``{bias_of}.bias``): the scores
    q_i·(W_k x_j + b_k) = q_i·W_k x_j + q_i·b_k differ by the same q_i·b_k for every key j, which the softmax over
    the keys cancels; so ∂L/∂b_k = 0 and b_k never moves."""
    name = bias or f"{bias_of}.bias"
    index = torch.tensor([r for head in rows for r in head])

    def values(p):
        return p[name][index.to(p[name].device)]

    return LawGroup("key_bias", (bias_of,), rf"{_tex(name)}_i\ (\text{{key rows}})", (name,), values, len(index),
                    gradient_norms=lambda p: torch.ones(len(index), dtype=p[name].dtype, device=p[name].device))


def attention_group(model: nn.Module, q: str, k: str, v: str, o: str, heads: int) -> LawGroup:
    """The per-head attention laws of hand-written q, k, v, o Linear layers (with or without biases), declared
    by hand for ``find_laws(model, groups=[...])``: per head, [W_q|b_q][W_q|b_q]ᵀ − [W_k|b_k][W_k|b_k]ᵀ and
    [W_v|b_v][W_v|b_v]ᵀ − W_{o,h}ᵀW_{o,h} (the scores q_h·k_h and the output Σ_h W_{o,h} v_h are unchanged by
    (A_q, A_k) ↦ (G A_q, G^{-T} A_k) and (A_v, W_{o,h}) ↦ (G A_v, W_{o,h} G^{-1})).  Valid when the model uses
    them as attention does: scores from q·k per head, a softmax over them, values mixed and fed to o."""
    lq, lk, lv, lo = (_named(model, n, (nn.Linear,), "a Linear layer") for n in (q, k, v, o))
    if lq.out_features != lk.out_features or lq.out_features % heads or lv.out_features % heads:
        raise ConslawError(f"q and k need equal sizes divisible by {heads} heads (and v by {heads} too), got "
                           f"{lq.out_features}, {lk.out_features}, {lv.out_features}")
    hd_k, hd_v = lq.out_features // heads, lv.out_features // heads
    if hd_k != hd_v:
        raise ConslawError("this helper needs equal key and value head sizes")
    with_bias = [m.bias is not None for m in (lq, lk, lv)]
    params = tuple(f"{n}.weight" for n in (q, k, v)) + tuple(f"{n}.bias" for n, b in zip((q, k, v), with_bias) if b)
    params += (f"{o}.weight",)

    def augmented(p, n, b):
        return torch.cat([p[f"{n}.weight"], p[f"{n}.bias"][:, None]], 1) if b else p[f"{n}.weight"]

    def values(p):
        Aq, Ak, Av = (augmented(p, n, b) for n, b in zip((q, k, v), with_bias))
        return _per_head_laws(Aq, Ak, Av, p[f"{o}.weight"], heads, hd_k)

    latex = (r"[W_q|b_q]_h[W_q|b_q]_h^\top - [W_k|b_k]_h[W_k|b_k]_h^\top,\ [W_v|b_v]_h[W_v|b_v]_h^\top - "
             rf"W_{{o,h}}^\top W_{{o,h}}\ (\text{{{latex_text(q)}, {latex_text(k)}, {latex_text(v)}, {latex_text(o)}}})")
    return LawGroup("attention", (q, k, v, o), latex, params, values, heads * hd_k * (hd_k + 1))


def _mha_group(name: str, m: nn.MultiheadAttention) -> LawGroup:
    """Per head h, with A_x = [W_x^h | b_x^h] the head's rows of the packed in_proj (x = q, k, v) and
    W_o^h its columns of out_proj: the entries (a ≤ b) of A_q A_qᵀ − A_k A_kᵀ and A_v A_vᵀ − W_o^hᵀ W_o^h
    (the symmetries (A_q, A_k) ↦ (G A_q, G^{-T} A_k), (A_v, W_o^h) ↦ (G A_v, W_o^h G^{-1}); Cor. 3.9–3.10)."""
    E, H = m.embed_dim, m.num_heads
    hd = E // H
    bias = m.in_proj_bias is not None
    params = (f"{name}.in_proj_weight",) + ((f"{name}.in_proj_bias",) if bias else ()) + (f"{name}.out_proj.weight",)

    def values(p):
        W = p[f"{name}.in_proj_weight"]
        A = torch.cat([W, p[f"{name}.in_proj_bias"][:, None]], 1) if bias else W  # (3E, E [+1])
        return _per_head_laws(A[:E], A[E:2 * E], A[2 * E:], p[f"{name}.out_proj.weight"], H, hd)

    def packed(x: str) -> str:
        return f"[W_{x}|b_{x}]_h" if bias else f"W_{{{x},h}}"

    latex = (rf"{packed('q')}{packed('q')}^\top - {packed('k')}{packed('k')}^\top,\ "
             rf"{packed('v')}{packed('v')}^\top - W_{{o,h}}^\top W_{{o,h}}\ (\text{{{latex_text(name)}}})")
    return LawGroup("attention", (name,), latex, params, values, H * hd * (hd + 1))


def _add_mha(inv: LawInventory, name: str, m: nn.MultiheadAttention) -> None:
    if not m._qkv_same_embed_dim:
        inv.unsupported.append(f"{name} (MultiheadAttention): separate q/k/v projections (kdim or vdim != embed_dim) "
                               "are not analysed")
    elif m.bias_k is not None or m.bias_v is not None:
        inv.unsupported.append(f"{name} (MultiheadAttention): add_bias_kv appends learned key/value tokens that break "
                               "the per-head symmetry; not analysed")
    else:
        inv.groups.append(_mha_group(name, m))
        if m.in_proj_bias is not None and not m.add_zero_attn:  # a zero key carries no bias: q·b_k would not cancel
            E = m.embed_dim
            inv.groups.append(_key_bias_group(name, [list(range(E, 2 * E))], f"{name}.in_proj_bias"))


def _layer_norm_group(norm_name: str, norm: nn.Module, consumer: str, weight: str | Sequence[str]) -> LawGroup:
    """γ_j² + β_j² − Σ_c ‖W^c_{:,j}‖² for a LayerNorm (or RMSNorm: no β) whose output feeds only the matrices
    ``weight`` (one, or several consumers such as q, k and v): scaling (γ_j, β_j) by α and column j of every
    consumer by 1/α changes nothing downstream."""
    weights = [weight] if isinstance(weight, str) else list(weight)
    has_bias = getattr(norm, "bias", None) is not None
    params = (f"{norm_name}.weight",) + ((f"{norm_name}.bias",) if has_bias else ()) + tuple(weights)

    def incoming(p):
        out = p[f"{norm_name}.weight"].pow(2)
        return out + p[f"{norm_name}.bias"].pow(2) if has_bias else out

    def outgoing(p):
        return sum(_cols(p[w]) for w in weights)

    latex = (rf"({_tex(norm_name + '.weight')}_{{j}})^2" + (rf" + ({_tex(norm_name + '.bias')}_{{j}})^2" if has_bias else "")
             + "".join(rf" - \|{_tex(w)}_{{:,j}}\|^2" for w in weights))
    return _signed_squares("norm_rescale", (norm_name, consumer), latex, params, incoming, outgoing, norm.weight.shape[0])


def _add_encoder_layer(inv: LawInventory, name: str, m: nn.TransformerEncoderLayer) -> None:
    """nn.TransformerEncoderLayer: its attention laws; the feed-forward rescale laws when the activation is ReLU;
    with norm_first, each LayerNorm's affine weights against the Linear it feeds; the output biases' sums."""
    _add_mha(inv, f"{name}.self_attn", m.self_attn)
    act = m.activation
    relu = act is nn.functional.relu or isinstance(act, nn.ReLU) or getattr(m, "activation_relu_or_gelu", 0) == 1
    if relu:
        inv.groups.append(_rescale_group([(f"{name}.linear1", m.linear1)], [(f"{name}.linear2", m.linear2, Reading())]))
    if m.norm_first and m.self_attn._qkv_same_embed_dim:
        inv.groups.append(_layer_norm_group(f"{name}.norm1", m.norm1, f"{name}.self_attn",
                                            f"{name}.self_attn.in_proj_weight"))
        inv.groups.append(_layer_norm_group(f"{name}.norm2", m.norm2, f"{name}.linear1", f"{name}.linear1.weight"))
    # a uniform shift c·1 of the stream is invisible to the LayerNorms: pre-norm, the attention's output bias
    # shifts what norm2 reads and the feed-forward's cancels it; post-norm, each sum is read by its norm alone
    biases = _stream_biases(name, m)
    if biases is not None:
        d = m.linear2.out_features
        if m.norm_first:
            inv.groups.append(_bias_sums(biases[0], biases[1], d))
        else:
            inv.groups += [_bias_sums(biases[0], None, d), _bias_sums(biases[1], None, d)]


def _bias_sums(a: str, b: str | None, n: int) -> LawGroup:
    """Σ_j a_j − Σ_j b_j (or Σ_j a_j alone): biases whose uniform shift c·1 only LayerNorms see, cancelled by b."""
    if b is None:
        return LawGroup("bias_sum", (a.rsplit(".", 1)[0],), rf"\sum_j {_tex(a)}_{{j}}", (a,),
                        lambda p: p[a].sum()[None], 1,
                        gradient_norms=lambda p: torch.full((1,), float(n) ** 0.5, dtype=p[a].dtype, device=p[a].device))
    return LawGroup("bias_difference", (a.rsplit(".", 1)[0], b.rsplit(".", 1)[0]),
                    rf"\sum_j {_tex(a)}_{{j}} - \sum_j {_tex(b)}_{{j}}", (a, b), lambda p: (p[a].sum() - p[b].sum())[None], 1,
                    gradient_norms=lambda p: torch.full((1,), (2.0 * n) ** 0.5, dtype=p[a].dtype, device=p[a].device))


def _stream_biases(name: str, m: nn.TransformerEncoderLayer) -> tuple[str, str] | None:
    """The attention's and the feed-forward's output biases of an encoder layer, which write into the stream."""
    if m.self_attn.out_proj.bias is None or m.linear2.bias is None:
        return None
    return f"{name}.self_attn.out_proj.bias", f"{name}.linear2.bias"


def _add_encoder_stream(inv: LawInventory, name: str, m: nn.TransformerEncoder) -> None:
    """Pre-norm layers in a row: the stream between layer k's feed-forward and layer k+1's attention is read only
    by layer k+1's norm1, so Σ b_{linear2,k} − Σ b_{out_proj,k+1} is conserved; with a final norm, the last
    layer's Σ b_{linear2} alone (the final norm is the only reader)."""
    layers = list(m.layers)
    if not all(isinstance(layer, nn.TransformerEncoderLayer) and layer.norm_first for layer in layers):
        return
    biases = [_stream_biases(f"{name}.layers.{k}", layer) for k, layer in enumerate(layers)]
    d = layers[0].linear2.out_features
    for k in range(len(layers) - 1):
        if biases[k] and biases[k + 1]:
            inv.groups.append(_bias_sums(biases[k][1], biases[k + 1][0], d))
    if isinstance(m.norm, nn.LayerNorm) and biases[-1]:
        inv.groups.append(_bias_sums(biases[-1][1], None, d))


@dataclass
class LawCheck:
    """One law group on real batches: the worst relative orthogonality and what it means.

    ``verdict`` is ``"pass"`` (every law orthogonal to ∇L up to the dtype's rounding,
    ``tolerance``), ``"broken by eps"`` (a scale law off by no more than its batch norm's
    eps allows: ``eps_bound`` = eps / (smallest batch variance + eps), times 10), or
    ``"fail"`` (the law does not hold on these batches: a wrong pattern, a batch norm in
    eval mode, a loss the law does not apply to).
    """

    group: LawGroup
    max_relative_error: float
    values: torch.Tensor
    verdict: str = ""
    tolerance: float = 0.0
    eps_bound: float | None = None

    @property
    def passed(self) -> bool:
        return self.verdict == "pass"


def law_dots_and_norms(group: LawGroup, tensors: list[torch.Tensor], direction: list[torch.Tensor],
                       chunk_bytes: int = 2**26) -> tuple[torch.Tensor, torch.Tensor]:
    """(⟨∇h_i, v⟩, ‖∇h_i‖) for every law h_i of the group: one jvp along v gives all the dots; the norms
    come in closed form where the group has them (signed sums of squares on disjoint supports), else from
    vjps batched with ``vmap`` in chunks of at most ``chunk_bytes`` of gradients."""
    def values(*ts):
        return group.values(dict(zip(group.params, ts)))

    h, dots = torch.func.jvp(values, tuple(tensors), tuple(direction))
    if group.gradient_norms is not None:
        return dots, group.gradient_norms(dict(zip(group.params, tensors)))
    _, pullback = torch.func.vjp(values, *tensors)
    numel = sum(t.numel() for t in tensors)
    chunk = max(1, min(group.count, chunk_bytes // (h.element_size() * max(numel, 1))))
    basis = torch.eye(group.count, dtype=h.dtype, device=h.device)
    grads = torch.func.vmap(pullback, chunk_size=chunk)(basis)
    norms = torch.sqrt(sum(gr.reshape(group.count, -1).pow(2).sum(1) for gr in grads))
    return dots, norms


def _tolerance(dtype: torch.dtype) -> float:
    return 1e-9 if dtype == torch.float64 else 1e-4


def check_laws(model: nn.Module, inventory: LawInventory, loss_fn: Callable, batches: Iterable) -> list[LawCheck]:
    """For each law group, the largest |⟨∇h_i, ∇L⟩| / (‖∇h_i‖ ‖∇L‖) over its laws and the batches, with a verdict."""
    named = dict(model.named_parameters())
    mods = dict(model.named_modules())
    worst = {id(g): 0.0 for g in inventory.groups}
    variance: dict[str, float] = {}
    hooks = []
    for g in inventory.groups:
        if g.norm and g.norm in mods and g.norm not in variance:
            variance[g.norm] = float("inf")

            def record(module, args, output, n=g.norm):
                x = args[0].detach()
                dims = [k for k in range(x.ndim) if k != 1]
                variance[n] = min(variance[n], float(x.var(dim=dims, unbiased=False).min()))

            hooks.append(mods[g.norm].register_forward_hook(record))
    try:
        for inputs, targets in batches:
            model.zero_grad()
            loss_fn(model(inputs), targets).backward()
            # ‖∇L‖ over all of θ: the cosine between ∇h_i and ∇L in R^D (a law may sit where ∇L vanishes: a key bias)
            norm_L = torch.sqrt(sum(p.grad.pow(2).sum() for p in named.values() if p.grad is not None))
            if norm_L == 0:
                continue
            for g in inventory.groups:
                tensors = [named[p].detach() for p in g.params]
                grad_L = [named[p].grad if named[p].grad is not None else torch.zeros_like(named[p]) for p in g.params]
                dots, norms = law_dots_and_norms(g, tensors, grad_L)
                ok = norms > 0
                if ok.any():
                    worst[id(g)] = max(worst[id(g)], float((dots[ok].abs() / (norms[ok] * norm_L)).max()))
    finally:
        for hook in hooks:
            hook.remove()
    params = {k: v.detach() for k, v in named.items()}
    out = []
    for g in inventory.groups:
        tol = _tolerance(named[g.params[0]].dtype)
        err = worst[id(g)]
        bound = None
        if g.norm and g.norm in variance and variance[g.norm] < float("inf"):
            eps = float(getattr(mods[g.norm], "eps", 0.0))
            bound = 10 * eps / (variance[g.norm] + eps)
        if err <= tol:
            verdict = "pass"
        elif bound is not None and mods[g.norm].training and err <= bound + tol:
            verdict = "broken by eps"
        else:
            verdict = "fail"
        out.append(LawCheck(g, err, g.values(params), verdict, tol, bound))
    return out

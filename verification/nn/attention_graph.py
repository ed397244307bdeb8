"""Hand-written attention found in a module graph: which rows of which Linear layers form the heads.

A Linear layer's output features are followed through the shape operations attention code uses
(view/reshape, transpose/permute, contiguous, split/chunk, multiplication by a constant) with a
*layout*: feature f = offset + Σ_a stride_a · i_a over the axes a that carry features.  At a
``matmul`` (or ``scaled_dot_product_attention``) the layouts say which features are contracted
together and which axes index the heads:

* scores S = Q Kᵀ with Q from Linear q (last axis contracted) and K from Linear k: per head h,
  the rows R_q^h, R_k^h of [W|b] paired by the contracted index.  (A_q, A_k) ↦ (G A_q, G^{-T} A_k)
  leaves q_h·k_h unchanged, so the entries of A_q^h A_q^hᵀ − A_k^h A_k^hᵀ are conserved (Cor. 3.9);
  and where the scores reach only a softmax over the keys, q·b_k is the same for every key and cancels:
  each entry of k's bias b_k is conserved (its gradient is zero);
* values Y = P V with V from Linear v, Y followed to a Linear o that reads it whole: per head,
  (A_v, W_o[:, C_h]) ↦ (G A_v, W_o[:, C_h] G^{-1}) leaves the output unchanged, so the entries of
  A_v^h A_v^hᵀ − W_o[:, C_h]ᵀ W_o[:, C_h] are conserved (Cor. 3.10).

The shapes come from the traced graph (``find_laws(model, example_inputs=...)``); anything else
on the way (a rotary embedding, a dropout on the values, a second use of the features) stops the
match, and no law is claimed.
"""
from __future__ import annotations

from dataclasses import dataclass
from itertools import product
from math import prod

import torch.fx as fx
from torch import nn

from .graph import node_shape, op_name

_SAME = {"contiguous", "clone", "alias", "detach"}
_RESHAPE = {"view", "reshape", "_unsafe_view", "flatten", "unflatten"}
_SPLIT = {"split", "chunk", "split_with_sizes", "tensor_split"}
_SCALAR = {"mul", "mul_", "__mul__", "__rmul__", "div", "div_", "truediv", "__truediv__"}
MATMUL = {"matmul", "bmm", "__matmul__"}
SDPA = "scaled_dot_product_attention"


@dataclass(frozen=True)
class Layout:
    """Where the features of a Linear output sit in a tensor: f = offset + Σ stride_a · i_a (None: not a feature axis)."""

    shape: tuple[int, ...]
    strides: tuple[int | None, ...]
    offset: int = 0

    def features(self) -> set[int]:
        out = {self.offset}
        for size, s in zip(self.shape, self.strides):
            if s is not None:
                out = {f + s * i for f in out for i in range(size)}
        return out


def _reshape(layout: Layout, new: tuple[int, ...]) -> Layout | None:
    """The layout after a row-major reshape: axes are matched in groups of equal size products."""
    old, tags = layout.shape, layout.strides
    out: list[int | None] = [None] * len(new)
    i = j = 0
    while i < len(old) and j < len(new):
        gi, gj, pi, pj = [i], [j], old[i], new[j]
        while pi != pj:
            if pi < pj and i + 1 < len(old):
                i += 1
                pi *= old[i]
                gi.append(i)
            elif pj < pi and j + 1 < len(new):
                j += 1
                pj *= new[j]
                gj.append(j)
            else:
                return None
        real = [a for a in gi if old[a] != 1]
        tagged = [a for a in real if tags[a] is not None]
        if tagged:
            if len(tagged) != len(real):
                return None
            base = tags[real[-1]]
            for a in real:  # row-major within the group: stride_a = base · Π sizes after a
                if tags[a] != base * prod(old[b] for b in gi if b > a):
                    return None
            for b in gj:
                if new[b] != 1:
                    out[b] = base * prod(new[c] for c in gj if c > b)
        i, j = i + 1, j + 1
    if any(old[a] != 1 and tags[a] is not None for a in range(i, len(old))) or any(new[b] != 1 for b in range(j, len(new))):
        return None
    return Layout(tuple(new), tuple(out), layout.offset)


def _dims(node: fx.Node, ndim: int) -> list[int] | None:
    args = node.args[1:]
    dims = list(args[0]) if len(args) == 1 and isinstance(args[0], (list, tuple)) else list(args)
    if not all(isinstance(d, int) for d in dims):
        return None
    return [d % ndim for d in dims]


def _step(node: fx.Node, source: fx.Node, layout: Layout) -> Layout | None | str:
    """The layout of ``node``'s output when ``source`` (its first argument) has ``layout``; "stop" if ``node`` is
    not a shape operation (a terminal use); None if it is one this analysis cannot follow."""
    if node.op not in ("call_function", "call_method"):
        return "stop"
    name = op_name(node)
    first = node.args[0] if node.args else None
    shape = node_shape(node)
    if name in _SAME and first is source:
        return layout
    if name in _SCALAR:
        other = [a for a in node.args if a is not source]
        if len(other) == 1 and isinstance(other[0], (int, float)) and (name.startswith("mul") or first is source
                                                                          or name == "__rmul__"):
            return layout
        return "stop"
    if first is not source:
        return "stop"
    if name in _RESHAPE:
        return _reshape(layout, shape) if shape is not None else None
    if name in ("transpose", "swapaxes"):
        d = _dims(node, len(layout.shape))
        if d is None or len(d) != 2:
            return None
        order = list(range(len(layout.shape)))
        order[d[0]], order[d[1]] = order[d[1]], order[d[0]]
    elif name == "permute":
        order = _dims(node, len(layout.shape))
        if order is None:
            return None
    elif name == "unsqueeze":
        d = node.args[1] if len(node.args) > 1 else node.kwargs.get("dim")
        if not isinstance(d, int) or shape is None:
            return None
        d %= len(layout.shape) + 1
        return Layout(shape, layout.strides[:d] + (None,) + layout.strides[d:], layout.offset)
    else:
        return "stop"
    return Layout(tuple(layout.shape[k] for k in order), tuple(layout.strides[k] for k in order), layout.offset)


def _split_parts(node: fx.Node, layout: Layout) -> list[tuple[int, int, int]] | None:
    """(axis, start, size) of each part of a split/chunk, from the parts' shapes."""
    values = node.meta.get("val")
    dim = node.args[2] if len(node.args) > 2 else node.kwargs.get("dim", 0)
    if not isinstance(dim, int):
        return None
    dim %= len(layout.shape)
    if not isinstance(values, (list, tuple)):
        return None
    sizes = [int(v.shape[dim]) for v in values]
    starts = [sum(sizes[:k]) for k in range(len(sizes))]
    return [(dim, s, n) for s, n in zip(starts, sizes)]


def follow(start: fx.Node, layout: Layout) -> list[tuple[fx.Node, int, Layout]] | None:
    """Every use the features of ``start`` reach through shape operations: (node, argument position, layout).
    None where they reach something this analysis cannot follow (then no pattern is claimed)."""
    out: list[tuple[fx.Node, int, Layout]] = []
    stack = [(start, layout)]
    while stack:
        node, lay = stack.pop()
        for user in node.users:
            if user.op in ("call_function", "call_method") and op_name(user) in _SPLIT and user.args[0] is node:
                parts = _split_parts(user, lay)
                if parts is None:
                    return None
                for item in user.users:
                    if op_name(item) != "getitem" or not isinstance(item.args[1], int):
                        return None
                    dim, begin, size = parts[item.args[1]]
                    shape = lay.shape[:dim] + (size,) + lay.shape[dim + 1:]
                    s = lay.strides[dim]
                    stack.append((item, Layout(shape, lay.strides, lay.offset + (s or 0) * begin)))
                continue
            nxt = _step(user, node, lay)
            if nxt is None:
                return None
            if nxt == "stop":
                positions = [k for k, a in enumerate(user.args) if a is node]
                if len(positions) != 1 or any(v is node for v in user.kwargs.values()):
                    return None
                out.append((user, positions[0], lay))
            else:
                stack.append((user, nxt))
    return out


@dataclass
class HeadMatch:
    """Rows of two Linear layers paired per head: ``rows_a[h][j]`` ↔ ``rows_b[h][j]`` (for v/o: rows of v, columns of o)."""

    kind: str  # "qk" or "vo"
    a: str
    b: str
    rows_a: list[list[int]]
    rows_b: list[list[int]]
    softmax_over_keys: bool = False  # qk: the scores reach only a softmax over the keys (q·b_k then cancels)


_PASS_SCORES = _SCALAR | {"masked_fill", "masked_fill_", "add", "__add__", "add_"}


def _parameter_free(node, graph_params: set[str]) -> bool:
    """Whether a value (a mask) is computed without any parameter: only inputs, buffers and constants before it."""
    stack, seen = [node], set()
    while stack:
        n = stack.pop()
        if not isinstance(n, fx.Node) or n in seen:
            continue
        seen.add(n)
        if n.op == "call_module" or n.op == "get_attr" and n.target in graph_params:
            return False
        stack.extend(n.all_input_nodes)
    return True


def _softmax_over_keys(scores: fx.Node, params: set[str]) -> bool:
    """The scores S (queries × keys) reach only softmax(S + mask, keys), through constant scalings and
    parameter-free masks: then adding q·b_k, the same for every key, changes nothing."""
    node = scores
    while True:
        users = list(node.users)
        if len(users) != 1 or users[0].op not in ("call_function", "call_method"):
            return False
        user = users[0]
        name = op_name(user)
        if name in ("softmax", "_softmax"):
            dim = user.args[1] if len(user.args) > 1 else user.kwargs.get("dim")
            shape = node_shape(node)
            return user.args[0] is node and isinstance(dim, int) and shape is not None and dim % len(shape) == len(shape) - 1
        if name not in _PASS_SCORES or user.args[0] is not node:
            return False
        others = [a for a in list(user.args[1:]) + list(user.kwargs.values()) if isinstance(a, fx.Node)]
        if name in _SCALAR and others or not all(_parameter_free(a, params) for a in others):
            return False
        node = user


def _heads(a: Layout, a_axis: int, b: Layout, b_axis: int) -> tuple[list[list[int]], list[list[int]]] | None:
    """Pair the features of two operands: the contracted axes ``a_axis``/``b_axis`` index the head dimension, the
    feature-carrying batch axes (aligned from the right, equal sizes) index the heads; nothing else carries features."""
    na, nb = len(a.shape), len(b.shape)
    if a.strides[a_axis] is None or b.strides[b_axis] is None or a.shape[a_axis] != b.shape[b_axis]:
        return None
    heads = []  # (size, stride in a, stride in b) per head axis
    for r in range(3, max(na, nb) + 1):  # batch axes counted from the right
        sa = a.strides[na - r] if r <= na else None
        sb = b.strides[nb - r] if r <= nb else None
        if (sa is None) != (sb is None):
            return None
        if sa is not None:
            if a.shape[na - r] != b.shape[nb - r]:
                return None
            heads.append((a.shape[na - r], sa, sb))
    if any(a.strides[k] is not None for k in range(na - 2, na) if k != a_axis):
        return None
    if any(b.strides[k] is not None for k in range(nb - 2, nb) if k != b_axis):
        return None
    rows_a, rows_b = [], []
    for t in product(*(range(size) for size, _, _ in heads)):
        base_a = a.offset + sum(i * sa for i, (_, sa, _) in zip(t, heads))
        base_b = b.offset + sum(i * sb for i, (_, _, sb) in zip(t, heads))
        rows_a.append([base_a + j * a.strides[a_axis] for j in range(a.shape[a_axis])])
        rows_b.append([base_b + j * b.strides[b_axis] for j in range(b.shape[b_axis])])
    return rows_a, rows_b


def _output_layout(v: Layout, out_shape: tuple[int, ...] | None) -> Layout | None:
    """The layout of P V (or of SDPA's output) given V's: the last axis and V's batch axes carry over."""
    if out_shape is None or v.strides[-2] is not None:
        return None
    n, nv = len(out_shape), len(v.shape)
    strides = [None] * n
    strides[-1] = v.strides[-1]
    for r in range(3, nv + 1):
        if v.strides[nv - r] is not None:
            if r > n or out_shape[n - r] != v.shape[nv - r]:
                return None
            strides[n - r] = v.strides[nv - r]
    return Layout(tuple(out_shape), tuple(strides), v.offset)


def find_attention(graph: fx.Graph, mods: dict, params: set[str] = frozenset()) -> tuple[list[HeadMatch], list[str]]:
    """The q/k and v/o head pairings of hand-written attention in a graph with shapes, and the near misses
    (a Linear whose features reach a matmul but could not be paired), each with the reason."""
    uses: dict[fx.Node, dict[int, tuple[str, Layout]]] = {}  # matmul/SDPA node → operand position → (linear, layout)
    notes: list[str] = []
    for node in graph.nodes:
        if node.op != "call_module" or not isinstance(mods.get(node.target), nn.Linear):
            continue
        shape = node_shape(node)
        if shape is None:
            continue
        start = Layout(shape, (None,) * (len(shape) - 1) + (1,))
        ends = follow(node, start)
        if not ends or not any(op_name(u) in MATMUL | {SDPA} for u, _, _ in ends if u.op != "call_module"):
            continue
        if any(u.op == "call_module" or op_name(u) not in MATMUL | {SDPA} for u, _, _ in ends):
            notes.append(f"{node.target}: its features reach a matmul and something else; no attention law claimed")
            continue
        sets = [lay.features() for _, _, lay in ends]
        if sum(len(s) for s in sets) != len(set().union(*sets)):
            notes.append(f"{node.target}: the same features reach two products; no attention law claimed")
            continue
        for u, pos, lay in ends:
            uses.setdefault(u, {})[pos] = (node.target, lay)
    matches: list[HeadMatch] = []
    for node, ops in uses.items():
        name = op_name(node)
        if name == SDPA:
            qk_axes = (-1, -1)
            value_pos = 2
        else:
            qk_axes = (-1, -2)
            value_pos = 1
        if 0 in ops and 1 in ops:
            (qa, ql), (ka, kl) = ops[0], ops[1]
            paired = _heads(ql, len(ql.shape) + qk_axes[0], kl, len(kl.shape) + qk_axes[1])
            if paired is None:
                notes.append(f"{qa}, {ka}: their features meet in a product whose head layout was not recognised")
            else:
                if name == SDPA:
                    mask = node.args[3] if len(node.args) > 3 else node.kwargs.get("attn_mask")
                    over_keys = mask is None or _parameter_free(mask, params)
                else:
                    over_keys = _softmax_over_keys(node, params)
                matches.append(HeadMatch("qk", qa, ka, *paired, softmax_over_keys=over_keys))
        if value_pos in ops and (name == SDPA or 0 not in ops):
            va, vl = ops[value_pos]
            out = _output_layout(vl, node_shape(node))
            ends = follow(node, out) if out is not None else None
            if not ends or len(ends) != 1:
                notes.append(f"{va}: the mixed values are not read by one Linear layer; no value/output law claimed")
                continue
            user, pos, lay = ends[0]
            o = mods.get(user.target) if user.op == "call_module" else None
            if not isinstance(o, nn.Linear) or pos != 0 or any(s is not None for s in lay.strides[:-1]) \
                    or lay.strides[-1] is None or lay.shape[-1] != o.in_features:
                notes.append(f"{va}: the mixed values are not read whole by one Linear layer; no value/output law claimed")
                continue
            column = {lay.offset + lay.strides[-1] * c: c for c in range(lay.shape[-1])}
            rows_v = _value_rows(vl)
            if rows_v is None or any(r not in column for rv in rows_v for r in rv):
                notes.append(f"{va}: head layout of the values not recognised; no value/output law claimed")
                continue
            matches.append(HeadMatch("vo", va, user.target, rows_v, [[column[r] for r in rv] for rv in rows_v]))
    return matches, notes


def _value_rows(v: Layout) -> list[list[int]] | None:
    """Per head (the feature-carrying batch axes), V's rows in the order of its last axis."""
    n = len(v.shape)
    if v.strides[-1] is None or v.strides[-2] is not None:
        return None
    heads = [(v.shape[k], v.strides[k]) for k in range(n - 2) if v.strides[k] is not None]
    index = product(*(range(size) for size, _ in heads))
    return [[v.offset + sum(i * s for i, (_, s) in zip(t, heads)) + j * v.strides[-1] for j in range(v.shape[-1])]
            for t in index]

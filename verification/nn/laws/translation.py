"""Pattern **bias differences** (translation): a shift of layer A's output through its bias, carried by sums and
removed by batch norms or LayerNorms, cancelled by the bias of a layer B further on — b_A,j − b_B,j."""
from __future__ import annotations

import torch
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
from .inventory import LawGroup, _bias_sums, _tex
from .walk import _ADD, _after, _is_shape_query, _single_user


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


def match(node, m, ctx) -> bool:
    """A layer with a bias whose shift is removed or cancelled further on; each pair of biases once."""
    if _bias_of(m) is None:
        return False
    group = _translation_group(node, ctx.mods)
    if group is not None and frozenset(group.modules) not in ctx.shifts:
        ctx.shifts.add(frozenset(group.modules))
        ctx.inventory.groups.append(group)
    return False

"""Pattern **scale** (weights before batch norm; Neural Mechanics): a Linear or Conv feeding only a BatchNorm — per
output channel c, ‖W_c‖², and its bias b_c (the batch mean removes it: ∂L/∂b = 0)."""
from __future__ import annotations

import torch

from ..graph import LINEAR_TYPES, NORM_TYPES
from .inventory import LawGroup, _rows, _tex
from .walk import _single_user


def match(node, m, ctx) -> bool:
    user = _single_user(node)
    if not (isinstance(m, LINEAR_TYPES) and user is not None and user.op == "call_module"
            and isinstance(ctx.mods[user.target], NORM_TYPES)):
        return False
    name = node.target
    ctx.inventory.groups.append(LawGroup(
        "scale", (name,), rf"\|{_tex(name + '.weight')}_{{c}}\|^2", (f"{name}.weight",),
        lambda p, n=name: _rows(p[f"{n}.weight"]), m.weight.shape[0],
        requires="batch norm in training mode (batch statistics); exact up to its eps (relative error ~ eps / variance)",
        norm=user.target, gradient_norms=lambda p, n=name: 2 * _rows(p[f"{n}.weight"]).sqrt()))
    if m.bias is not None:  # the batch mean removes it: ∂L/∂b = 0, each entry conserved
        ctx.inventory.groups.append(LawGroup(
            "bias_before_norm", (name,), rf"{_tex(name + '.bias')}_{{c}}", (f"{name}.bias",),
            lambda p, n=name: p[f"{n}.bias"], m.bias.shape[0],
            requires="batch norm in training mode (it subtracts the batch mean, bias included)",
            gradient_norms=lambda p, n=name: torch.ones_like(p[f"{n}.bias"])))
    return False  # the same layer may also write a rescale or a translation

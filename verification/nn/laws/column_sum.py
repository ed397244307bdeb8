"""Pattern **column sums** (Prop. 3.11): a Linear whose output is the model's output, trained with the
cross-entropy loss — Σ_k W_{k,j} for each input j (and Σ_k b_k)."""
from __future__ import annotations

import torch
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
from .inventory import LawGroup, _named, _tex
from .walk import _single_user


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


def column_sum_group(model: nn.Module, linear: str) -> LawGroup:
    """Column sums of the Linear layer ``linear`` that produces the logits of a cross-entropy loss, declared by hand."""
    return _column_sum_group(linear, _named(model, linear, (nn.Linear,), "a Linear layer"))


def match(node, m, ctx) -> bool:
    """A Linear whose only user is the model's output."""
    user = _single_user(node)
    if isinstance(m, nn.Linear) and user is not None and user.op == "output":
        ctx.inventory.groups.append(_column_sum_group(node.target, m))
    return False

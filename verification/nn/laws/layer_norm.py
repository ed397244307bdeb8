"""Pattern **norm rescale**: a LayerNorm (or RMSNorm) feeding only Linear layers — γ_j² + β_j² − Σ_c ‖W^c_{:,j}‖²."""
from __future__ import annotations

from typing import Sequence

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
from .inventory import LawGroup, _cols, _named, _signed_squares, _tex


def norm_group(model: nn.Module, norm: str, consumers: Sequence[str]) -> LawGroup:
    """LayerNorm/RMSNorm ``norm`` whose output feeds only the Linear layers ``consumers``, declared by hand."""
    m = _named(model, norm, AFFINE_NORM_TYPES, "a LayerNorm/RMSNorm")
    for c in consumers:
        _named(model, c, (nn.Linear,), "a Linear layer")
    return _layer_norm_group(norm, m, ",".join(consumers), [f"{c}.weight" for c in consumers])


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


def match(node, m, ctx) -> bool:
    """An affine norm (1-D weight) whose every consumer is a Linear: γ_j² + β_j² − Σ ‖W_{:,j}‖²."""
    if not (isinstance(m, AFFINE_NORM_TYPES) and getattr(m, "weight", None) is not None and m.weight.ndim == 1):
        return False
    consumers = list(node.users)
    if consumers and all(u.op == "call_module" and isinstance(ctx.mods[u.target], nn.Linear) for u in consumers):
        ctx.inventory.groups.append(_layer_norm_group(node.target, m, ",".join(u.target for u in consumers),
                                                      [f"{u.target}.weight" for u in consumers]))
    return False

"""Pattern **attention** (Cor. 3.9–3.10) for :class:`~conslaw.verification.nn.zoo.SelfAttention`: per head, the
entries of Q_hᵀQ_h − K_hᵀK_h and V_hᵀV_h − O_hᵀO_h."""
from __future__ import annotations

import torch

from ...report.prose import text_latex as latex_text
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
from ..zoo import SelfAttention
from .inventory import LawGroup


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


def match(node, m, ctx) -> bool:
    """A :class:`SelfAttention` module: its per-head laws (nothing else is read inside it)."""
    if not isinstance(m, SelfAttention):
        return False
    ctx.inventory.groups.append(_attention_group(node.target, m))
    return True

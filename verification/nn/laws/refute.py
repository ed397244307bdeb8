"""Every law group verified on example inputs before it is returned: one random combination of its laws against
the loss gradient (one vjp), with dropout off; a group that fails is refuted with the reason."""
from __future__ import annotations

from typing import Sequence

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
from ..model_map import DROPOUT_TYPES, dropout_off  # noqa: F401  (re-exported)
from .inventory import LawGroup, _tolerance

EPS_SLACK = 1e-2


def _combined_lean(group: LawGroup, tensors: list[torch.Tensor], direction: list[torch.Tensor],
                   norm_L: torch.Tensor, gen: torch.Generator) -> float:
    """|⟨∇(c·h), ∇L⟩| / (‖∇(c·h)‖ ‖∇L‖) for one random combination c of the group's laws h: one vjp gives
    ∇(c·h) = J_hᵀ c, whose dot with ∇L and norm follow, so the memory is that of one gradient, whatever the number of
    laws.  Zero (to rounding) when every law of the group is orthogonal to ∇L; a law that is not makes it nonzero
    for almost every c."""
    def values(*ts):
        return group.values(dict(zip(group.params, ts)))

    h, pullback = torch.func.vjp(values, *tensors)
    c = torch.randn(h.shape, generator=gen, dtype=h.dtype).to(h.device)
    grads = pullback(c)
    # reductions without temporaries of the parameters' size (an 84M-parameter model has several)
    norm = torch.sqrt(sum(torch.linalg.vector_norm(gr).square() for gr in grads))
    dot = sum(torch.dot(gr.reshape(-1), d.reshape(-1)) for gr, d in zip(grads, direction))
    return float(dot.abs() / (norm * norm_L)) if norm > 0 else 0.0


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
            out = model(*inputs)  # one forward pass; each draw is one backward pass through it
            if not isinstance(out, torch.Tensor):
                return list(groups), []
            for draw in range(draws):
                axis = 1 if out.ndim >= 2 else 0
                w = torch.randn(out.shape, generator=gen, dtype=out.dtype).to(out.device)
                w = w - w.mean(dim=axis, keepdim=True)
                grads = torch.autograd.grad((out * w).sum(), list(named.values()), allow_unused=True,
                                            retain_graph=draw < draws - 1)
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

"""Every law group verified on example inputs before it is returned: one random combination of its laws against
the loss gradient (one vjp), with dropout off; a group that fails is refuted with the reason."""
from __future__ import annotations

from typing import Optional, Sequence

import torch
from torch import nn

from conslaw.algebra import ConslawError

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
from ..model_map import DROPOUT_TYPES, LOSSES, class_axis, dropout_off  # noqa: F401  (re-exported)
from .inventory import LawGroup, _tolerance

EPS_SLACK = 1e-2


def _combined_lean(group: LawGroup, tensors: list[torch.Tensor], directions: list[list[torch.Tensor]],
                   norms_L: list[torch.Tensor], gen: torch.Generator) -> float:
    """max over the draws of |⟨∇(c·h), ∇L⟩| / (‖∇(c·h)‖ ‖∇L‖) for one random combination c of the group's laws h:
    one vjp gives ∇(c·h) = J_hᵀ c, whose dot with every draw's ∇L and norm follow, so the memory is that of one
    gradient, whatever the number of laws, and the cost one vjp whatever the number of draws.  Zero (to rounding)
    when every law of the group is orthogonal to ∇L; a law that is not makes it nonzero for almost every c."""
    def values(*ts):
        return group.values(dict(zip(group.params, ts)))

    h, pullback = torch.func.vjp(values, *tensors)
    c = torch.randn(h.shape, generator=gen, dtype=h.dtype).to(h.device)
    grads = pullback(c)
    # reductions without temporaries of the parameters' size (an 84M-parameter model has several)
    norm = torch.sqrt(sum(torch.linalg.vector_norm(gr).square() for gr in grads))
    if norm == 0:
        return 0.0
    worst = 0.0
    for direction, norm_L in zip(directions, norms_L):
        dot = sum(torch.dot(gr.reshape(-1), d.reshape(-1)) for gr, d in zip(grads, direction))
        worst = max(worst, float(dot.abs() / (norm * norm_L)))
    return worst


def refute_on_inputs(model: nn.Module, groups: Sequence[LawGroup], inputs: tuple, draws: int = 3,
                     seed: int = 0, *, loss: str = "cross_entropy",
                     class_dim: Optional[int] = None) -> tuple[list[LawGroup], list[str]]:
    """(the groups that hold, why each other one is refuted) on the example inputs: every law (each group tested
    through a random combination of its laws, :func:`_combined_lean`) must be orthogonal to
    the gradient of ⟨w, f(θ, x)⟩ for random output directions w — for the cross-entropy summing to zero along the
    class axis (``class_dim``, else axis 1 of outputs of 2 or more dimensions, torch's convention:
    :func:`~..model_map.class_axis`), for ``loss="mse"`` any w (a column sum or bias difference, laws of the
    cross-entropy only, is then refuted),
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
    used = sorted({p for g in groups for p in g.params if p in named})
    try:
        with dropout_off(model):
            out = model(*inputs)  # one forward pass; each draw is one backward pass through it
            if not isinstance(out, torch.Tensor):
                return list(groups), []
            directions: list[dict[str, torch.Tensor]] = []
            norms_L: list[torch.Tensor] = []
            if loss not in LOSSES:
                raise ConslawError(f"unknown loss {loss!r}: use one of {', '.join(LOSSES)}")
            axis = class_axis(out.ndim, class_dim)
            for draw in range(draws):
                w = torch.randn(out.shape, generator=gen, dtype=out.dtype).to(out.device)
                if loss == "cross_entropy":
                    w = w - w.mean(dim=axis, keepdim=True)
                grads = torch.autograd.grad((out * w).sum(), list(named.values()), allow_unused=True,
                                            retain_graph=draw < draws - 1)
                grad = {n: g if g is not None else torch.zeros_like(p) for (n, p), g in zip(named.items(), grads)}
                norm_L = torch.sqrt(sum(torch.linalg.vector_norm(g).square() for g in grad.values()))
                if norm_L == 0:
                    continue
                directions.append({n: grad[n] for n in used})  # only the parameters some law involves are kept
                norms_L.append(norm_L)
            for k, g in enumerate(groups):
                if directions:
                    worst[k] = _combined_lean(g, [every[p].detach() for p in g.params],
                                              [[d[p] for p in g.params] for d in directions], norms_L, gen)
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

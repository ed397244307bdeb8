"""Measure laws on real batches: the relative orthogonality |⟨∇h, ∇L⟩| / (‖∇h‖ ‖∇L‖) of every law to the loss
gradient (∇L over all parameters)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable

import torch
from torch import nn

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
from .laws.inventory import LawGroup, LawInventory, _tolerance, law_dots_and_norms


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

"""The numerical law count of any ``nn.Module``, set against the laws the pattern matcher found.

For a model g(θ, x) trained with a loss whose gradient in the outputs spans a space S of
directions (all directions for the square loss; the zero-sum ones for cross-entropy, which
is invariant under adding a constant to the logits), the fields are
X_{x,w}(θ) = ∂_θ⟨w, g(θ, x)⟩, w ∈ S (docs/THEORY.md §1).  On a pool of inputs, the map
θ ↦ (P_S g(θ, x_s))_s has exactly these fields as the gradients of its components, so the
scalable trace of :func:`numeric_random.random_lie_trace` counts D − dim Lie(fields)(θ): the
number of laws the model has at θ, *as seen from these inputs* (more inputs can only lower
it), in floating point — evidence, not a proof.  :func:`find_laws` gives the laws it
recognises; the gap between the two is what the pattern matcher missed (or, where it is
negative, laws it claims that these inputs do not confirm).
"""
from __future__ import annotations

import time
from typing import Optional

import torch
from torch import nn
from torch.func import functional_call, jacrev

from conslaw.algebra import ConslawError

from .module_laws import LawInventory, find_laws
from .numeric_random import random_lie_trace
from .numeric_rank import numerical_rank

LOSSES = ("cross_entropy", "mse")
DROPOUT_TYPES = (nn.Dropout, nn.Dropout1d, nn.Dropout2d, nn.Dropout3d, nn.AlphaDropout)


def module_map(model: nn.Module, inputs: torch.Tensor, loss: str = "cross_entropy"):
    """(θ_0 flat, names, θ ↦ the model's outputs on ``inputs`` projected on the loss's directions, flattened)."""
    if loss not in LOSSES:
        raise ConslawError(f"unknown loss {loss!r}: use one of {', '.join(LOSSES)}")
    named = dict(model.named_parameters())  # tied weights appear once
    names = list(named)
    shapes = [named[n].shape for n in names]
    sizes = [named[n].numel() for n in names]
    theta0 = torch.cat([named[n].detach().reshape(-1) for n in names])

    def g(theta: torch.Tensor) -> torch.Tensor:
        params = {n: t.reshape(s) for n, t, s in zip(names, torch.split(theta, sizes), shapes)}
        out = functional_call(model, params, (inputs,))
        if loss == "cross_entropy":  # softmax is invariant along 1: only zero-sum directions w
            out = out - out.mean(dim=-1, keepdim=True)
        return out.reshape(-1)

    return theta0, names, g


def _found_rank(inventory: LawInventory, model: nn.Module, names: list[str], theta0: torch.Tensor) -> int:
    """Number of independent laws among those found: rank of their gradients at θ_0."""
    if not inventory.groups:
        return 0
    shapes = {n: p.shape for n, p in model.named_parameters()}
    sizes = [shapes[n].numel() for n in names]

    def laws(theta):
        params = {n: t.reshape(shapes[n]) for n, t in zip(names, torch.split(theta, sizes))}
        return torch.cat([g.values(params) for g in inventory.groups])

    jac = jacrev(laws)(theta0)
    return numerical_rank(jac).rank


def count_module_laws(model: nn.Module, inputs: torch.Tensor, *, loss: str = "cross_entropy", seed: int = 0,
                      max_level: int = 10, time_limit: Optional[float] = None,
                      inventory: Optional[LawInventory] = None) -> dict:
    """The numerical count of ``model``'s laws at its current θ on ``inputs``, and what :func:`find_laws` found.

    Returns a JSON-ready dict: ``D``, ``rank``, ``laws`` (numerical: D − rank), ``found`` (laws the
    pattern matcher lists), ``found_independent`` (their gradients' rank at θ), ``missed``
    (laws − found_independent), the trace's evidence, the seed and the time.  Batch norm in
    training mode couples the inputs of a batch; put such models in eval mode or expect the
    count of that coupled map.
    """
    t0 = time.perf_counter()
    if not isinstance(inputs, torch.Tensor) or inputs.ndim < 1 or inputs.shape[0] < 1:
        raise ConslawError("inputs must be a tensor with a batch dimension of at least one input")
    theta0, names, g = module_map(model, inputs, loss)
    inventory = inventory if inventory is not None else find_laws(model)
    # dropout draws a fresh mask at every call: the count uses the model with its dropout layers off (their masks
    # are positively homogeneous, so they neither add nor remove a law); other layers keep their mode
    dropouts = [m for m in model.modules() if isinstance(m, DROPOUT_TYPES) and m.training]
    for m in dropouts:
        m.eval()
    try:
        result = random_lie_trace(g, theta0, seed=seed, max_level=max_level, time_limit=time_limit)
    finally:
        for m in dropouts:
            m.train()
    report = result.to_dict()
    found_rank = _found_rank(inventory, model, names, theta0)
    report.update({
        "model": type(model).__name__,
        "loss": loss,
        "inputs": int(inputs.shape[0]),
        "found": inventory.count,
        "found_independent": found_rank,
        "missed": report["laws"] - found_rank,
        "not_analysed": inventory.unsupported + inventory.without_laws + inventory.skipped,
        "seed": seed,
        "method": "numerical (floating point): the model's own fields on these inputs; evidence, not a proof",
        "dropout_off": len(dropouts),
        "seconds": round(time.perf_counter() - t0, 4),
    })
    return report

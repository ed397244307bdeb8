"""Block-restricted laws of a deep model, numerically (Proposition 4.3 with the torch fallback).

h(θ_B) is conserved iff ∇h(θ_B) ⊥ X_B(θ_B, θ_rest) for every field X of W and
every θ_rest.  The generator family on R^B therefore has the rows
∂_{θ_B} ⟨w_s, g((θ_B, θ_rest,s), x_s)⟩ over samples s of an input x_s, a
direction w_s and a value θ_rest,s of the other parameters (drawn around
θ_0,rest); its Lie algebra's trace at θ_0,B gives |B| − rank laws.  This is
how blocks with a softmax (attention) are handled, where the exact engine of
:mod:`conslaw.algebra.deep` cannot go.
"""
from __future__ import annotations

from typing import Callable, Sequence

import torch

from .fields import family_from_model
from .trace import NumericTraceResult, numeric_lie_trace


def subset_lie_trace(
    g: Callable[[torch.Tensor, torch.Tensor], torch.Tensor], theta0: torch.Tensor, subset: Sequence[int],
    inputs: torch.Tensor, directions: torch.Tensor, *, spread: float = 0.5, generator=None,
) -> NumericTraceResult:
    """Numerical trace of the Lie algebra of the B-restricted fields; ``.laws`` = |B| − rank."""
    D = theta0.shape[0]
    inside = torch.zeros(D, dtype=torch.bool, device=theta0.device)
    inside[list(subset)] = True
    rest_idx = (~inside).nonzero().flatten()
    sub_idx = inside.nonzero().flatten()
    S = inputs.shape[0]
    noise = torch.randn(S, len(rest_idx), dtype=theta0.dtype, generator=generator)  # a CPU generator: seeded alike everywhere
    rests = theta0[rest_idx] + spread * noise.to(theta0.device)
    packed = torch.cat([inputs.reshape(S, -1), rests], dim=1)
    shape = inputs.shape[1:]

    def model_b(theta_b: torch.Tensor, packed_x: torch.Tensor) -> torch.Tensor:
        x = packed_x[: inputs[0].numel()].reshape(shape)
        theta = theta_b.new_zeros(D).index_put((sub_idx,), theta_b).index_put(
            (rest_idx,), packed_x[inputs[0].numel():])
        return g(theta, x)

    return numeric_lie_trace(family_from_model(model_b, packed, directions), theta0[sub_idx])

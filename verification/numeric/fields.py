"""Numerical vector fields with torch.func, on CUDA when present (float64 by default).

A *generator family* is one batched function G: θ ↦ (m × D) whose rows are
vector fields evaluated at θ:

* from a polynomial (or any smooth) map φ: G = jacrev(φ), rows ∇φ_k;
* from a model g(θ, x): rows X_{x,w}(θ) = ∂_θ g(θ, x)ᵀ w for the given
  inputs x and directions w (``vjp`` under ``vmap``).

Brackets [X, Y](θ) = ∂Y(θ) X(θ) − ∂X(θ) Y(θ) use forward-over-reverse
``jvp``; :func:`family_brackets` forms [X_k, Y] for all rows k at once.
"""
from __future__ import annotations

from typing import Callable, Sequence

import torch
from torch.func import jacrev, jvp, vjp, vmap

Field = Callable[[torch.Tensor], torch.Tensor]
Family = Callable[[torch.Tensor], torch.Tensor]


def default_device() -> torch.device:
    """CUDA when available, else the CPU."""
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def resolve_dtype(precision: str) -> torch.dtype:
    if precision not in ("float64", "float32"):
        raise ValueError(f"precision must be 'float64' or 'float32', got {precision!r}")
    return torch.float64 if precision == "float64" else torch.float32


def family_from_map(phi: Callable[[torch.Tensor], torch.Tensor]) -> Family:
    """G(θ) = ∂φ(θ): its rows are the generators ∇φ_k (docs/THEORY.md §1)."""
    return jacrev(phi)


def family_from_model(model: Callable[[torch.Tensor, torch.Tensor], torch.Tensor], inputs: torch.Tensor,
                      directions: torch.Tensor) -> Family:
    """G(θ)[s] = ∂_θ g(θ, x_s)ᵀ w_s, batched over the pairs (x_s, w_s)."""
    if inputs.shape[0] != directions.shape[0]:
        raise ValueError(f"{inputs.shape[0]} inputs but {directions.shape[0]} directions")

    def one(theta, x, w):
        _, pullback = vjp(lambda t: model(t, x), theta)
        return pullback(w)[0]

    return lambda theta: vmap(one, in_dims=(None, 0, 0))(theta, inputs, directions)


def bracket(X: Field, Y: Field) -> Field:
    """[X, Y] = ∂Y·X − ∂X·Y as a new field (forward-over-reverse)."""

    def field(theta):
        return jvp(Y, (theta,), (X(theta),))[1] - jvp(X, (theta,), (Y(theta),))[1]

    return field


def family_row(G: Family, k: int) -> Field:
    return lambda theta: G(theta)[k]


def family_brackets(G: Family, rows: Sequence[int], Y: Field, theta: torch.Tensor) -> torch.Tensor:
    """[G_k, Y](θ) for k in ``rows``, all at once: ∂Y·G_k − (∂G·Y)_k."""
    idx = torch.as_tensor(list(rows), device=theta.device, dtype=torch.long)
    gk = G(theta)[idx]
    y = Y(theta)
    dy_gk = vmap(lambda v: jvp(Y, (theta,), (v,))[1])(gk)
    dg_y = jvp(G, (theta,), (y,))[1][idx]
    return dy_gk - dg_y

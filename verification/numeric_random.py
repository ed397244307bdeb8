"""Numerical trace at scale: brackets of random combinations of the generators.

The brackets are bilinear, so span{[X, Y](θ) : X ∈ W_0, Y ∈ W_k} is spanned, with probability
one, by brackets of random combinations X_a = Σ_k a_k X_k.  For a map φ (or a model), a
combination is the gradient of one scalar, X_a(θ) = ∇_θ⟨a, φ(θ)⟩ — one backward pass, never the
m × D matrix of all generators — and a bracket is two Hessian-vector products
(forward-over-reverse ``jvp``).  Each level draws random brackets in batches until a batch adds
no direction; the final rank uses the tolerance policy of :mod:`numeric_rank` on every value
drawn.  This is what reaches thousands of parameters on a CPU.
"""
from __future__ import annotations

import time
from typing import Callable, Optional

import torch
from torch.func import grad, jvp, vmap

from .numeric_rank import numerical_rank, trace_tolerances
from .numeric_trace import NumericTraceResult, _Basis

Field = Callable[[torch.Tensor], torch.Tensor]


def _combination(phi: Callable, a: torch.Tensor) -> Field:
    return grad(lambda t: (a * phi(t)).sum())


def _bracket(X: Field, Y: Field) -> Field:
    return lambda t: jvp(Y, (t,), (X(t),))[1] - jvp(X, (t,), (Y(t),))[1]


def _mix(fields: list[Field], coeffs: torch.Tensor) -> Field:
    return lambda t: sum(c * f(t) for c, f in zip(coeffs, fields))


def random_lie_trace(phi: Callable[[torch.Tensor], torch.Tensor], theta: torch.Tensor, *, batch: Optional[int] = None,
                     max_level: int = 10, accept_tol: Optional[float] = None, seed: int = 0,
                     time_limit: Optional[float] = None) -> NumericTraceResult:
    """Trace of Lie({∇φ_k}) at θ from random combinations; ``.laws`` = D − rank, with evidence."""
    t0 = time.perf_counter()
    D = theta.shape[0]
    default_accept, zero_tol = trace_tolerances(theta.dtype)
    accept_tol = accept_tol or default_accept
    m = phi(theta).shape[0]
    gen = torch.Generator(device="cpu").manual_seed(seed)
    batch = batch or max(8, D // 8)
    basis = _Basis(D, theta)
    values: list[torch.Tensor] = []
    scale = 0.0
    levels = []

    def draw_gen() -> Field:
        return _combination(phi, torch.randn(m, generator=gen, dtype=theta.dtype).to(theta.device))

    def offer(block: torch.Tensor) -> int:
        nonlocal scale
        values.append(block)
        scale = max(scale, float(block.norm(dim=1).max()))
        return basis.add_batch(block, accept_tol, zero_tol * scale)

    # level 0: random combinations of the generators until a batch adds nothing (one vmap per batch)
    combos = vmap(lambda a: grad(lambda t: (a * phi(t)).sum())(theta))
    kept0 = 0
    while True:
        added = offer(combos(torch.randn(batch, m, generator=gen, dtype=theta.dtype).to(theta.device)))
        kept0 += added
        if added == 0 or basis.q.shape[0] >= D:
            break
    levels.append({"level": 0, "new": kept0})
    frontier: list[Field] = [draw_gen() for _ in range(2)]
    level = 0
    while basis.q.shape[0] < D and level < max_level:
        level += 1
        new_fields: list[Field] = []
        while True:
            fields = []
            for _ in range(batch):
                X = draw_gen()
                Y = _mix(frontier, torch.randn(len(frontier), generator=gen, dtype=theta.dtype)) if level > 1 else draw_gen()
                fields.append(_bracket(X, Y))
            added = offer(torch.stack([Z(theta) for Z in fields]))
            new_fields.extend(fields[:added])  # random brackets: any `added` of them span the same new part
            if added == 0 or basis.q.shape[0] >= D or (time_limit and time.perf_counter() - t0 > time_limit):
                break
        levels.append({"level": level, "new": len(new_fields)})
        if not new_fields:
            break
        frontier = new_fields
    rank = numerical_rank(torch.cat(values))
    return NumericTraceResult(D, rank, levels, time.perf_counter() - t0, str(theta.device), str(theta.dtype).replace("torch.", ""))

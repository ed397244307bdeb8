"""Non-Euclidean flows for positive parameters, with and without momentum (Marcotte, Gribonval, Peyré 2024,
"Keep the Momentum", the NMF setting).

On the positive orthant θ > 0, the entropic potential F(θ) = Σ_i (θ_i log θ_i − θ_i) has Hessian metric
diag(1/θ).  Its mirror (natural-gradient) flow d/dt ∇F(θ) = −∇L(θ) reads

    θ̇ = −θ ⊙ ∇L(θ) = −Σ_k c_k θ ⊙ ∇φ_k(θ),                                         (mirror flow)

the continuous limit of the multiplicative NMF updates.  Its generators X_k = θ ⊙ ∇φ_k are polynomial.  For
φ = UVᵀ, the r column sums Σ_i U_ir − Σ_j V_jr are laws (Σ_i U_ir ∂φ/∂U_ir = Σ_j V_jr ∂φ/∂V_jr = U_r V_rᵀ).

With momentum, the same metric gives d²/dt² ∇F(θ) + τ d/dt ∇F(θ) = −∇L(θ).  With p = d/dt ∇F(θ) = θ̇ / θ and
s = e^{τt} it is first order and polynomial on (s, θ, p):

    ṡ = τ s,    θ̇ = θ ⊙ p,    ṗ = −τ p − Σ_k c_k ∇φ_k(θ),                           (mirror momentum flow)

with generators V_0 = τ s ∂_s + Σ_i θ_i p_i ∂_{θ_i} − τ Σ_i p_i ∂_{p_i} and W_k = −Σ_i ∂_iφ_k ∂_{p_i}.  The
counts are D − dim Lie(X_k) and (2D + 1) − dim Lie(V_0, W_k) by the same bracket engine.  The working points
are positive (the flows live on θ > 0); the ranks are generic, so any point off a proper algebraic set gives
them.

Input-convex networks (ICNNs, the paper's other example) keep the weights after the first layer non-negative: the
entropic metric on those (:func:`icnn_positive`), the Euclidean one on the others.  For a two-layer ReLU ICNN
x ↦ Σ_j w_j σ(⟨a_j, x⟩ + b_j), w ≥ 0, the rescaling of neuron j gives Σ_i a_ji ∂_{a_ji}L + b_j ∂_{b_j}L =
w_j ∂_{w_j}L, hence the law ½(‖a_j‖² + b_j²) − w_j (one per hidden neuron).
"""
from __future__ import annotations

import random
from typing import Optional, Sequence

from sympy import QQ

from .architectures.base import Architecture
from .errors import ShapeError
from .fields import PolynomialVectorField
from .parameters import ParameterSpace
from .phase_space import phase_space, pushes

DUAL_PREFIX = "p_"  # p = d/dt ∇F(θ) = θ̇ / θ


def positive_points(dim: int, seed: int = 0, count: int = 2, bound: int = 97) -> list[list]:
    """``count`` seeded rational points of the positive orthant: coordinates a/b, 1 ≤ a, b ≤ ``bound``."""
    if count < 1:
        raise ShapeError(f"need at least one working point, got {count}")
    rng = random.Random(seed)
    return [[QQ(rng.randint(1, bound), rng.randint(1, bound)) for _ in range(dim)] for _ in range(count)]


def icnn_positive(arch: Architecture) -> list[int]:
    """The parameters an input-convex network keeps non-negative: the weights of every layer after the first
    (``U2``, ``U3``, …) of a ReLU or linear architecture; the first layer and the biases stay free."""
    return [i for i, n in enumerate(arch.space.names) if n.startswith("U") and not n.startswith("U1[")]


def _positive(arch: Architecture, positive: Optional[Sequence[int]]) -> set[int]:
    chosen = set(range(arch.dim)) if positive is None else set(positive)
    if not chosen <= set(range(arch.dim)):
        raise ShapeError(f"positive parameter indices must lie in 0..{arch.dim - 1}")
    return chosen


def mirror_fields(arch: Architecture, positive: Optional[Sequence[int]] = None) -> list[PolynomialVectorField]:
    """The generators K(θ)∇φ_k of the mirror flow θ̇ = −K(θ)∇L, K = diag(θ_i on the ``positive`` parameters
    (default: all), 1 elsewhere): the entropic metric on the positive ones, Euclidean on the others."""
    gens = arch.space.ring.gens
    chosen = _positive(arch, positive)
    return [PolynomialVectorField(arch.space, [gens[i] * c if i in chosen else c for i, c in enumerate(X.components)])
            for X in arch.generators()]


def mirror_momentum_fields(arch: Architecture, tau=QQ(1),
                           positive: Optional[Sequence[int]] = None) -> tuple[ParameterSpace, list[PolynomialVectorField]]:
    """The phase space (s, θ, p) of the mirror flow with momentum (friction ``tau`` > 0) and its generators
    [V_0, W_1, …, W_d] (module docstring); θ̇_i = θ_i p_i on the ``positive`` parameters (default: all), θ̇_i = p_i
    on the others (Euclidean there)."""
    chosen = _positive(arch, positive)
    space, tau = phase_space(arch, tau, DUAL_PREFIX)
    gens = space.ring.gens
    s, theta, dual = gens[0], gens[1:arch.dim + 1], gens[arch.dim + 1:]
    moved = [t * p if i in chosen else p for i, (t, p) in enumerate(zip(theta, dual))]
    drift = PolynomialVectorField(space, [tau * s] + moved + [-tau * p for p in dual])
    return space, [drift] + pushes(arch, space)


def _count(space: ParameterSpace, fields, points, degree: int) -> dict:
    """D − exact trace rank at ``points``, and a maximal set of laws of degree ≤ ``degree`` independent at the
    first point (lowest degrees first)."""
    from .exact_rank import independent_rows
    from .law_discovery import polynomial_laws
    from .trace import lie_trace

    trace = lie_trace(fields, points=points)
    count = space.dim - trace.rank
    laws = polynomial_laws(fields, degree).laws if count else []
    laws = sorted(laws, key=lambda h: max(sum(m) for m in h.monoms()))
    grads = [PolynomialVectorField.gradient(space, h).evaluate(points[0]) for h in laws]
    laws = [laws[i] for i in independent_rows(grads)] if laws else []
    flow_box = len(fields) == 1 and trace.rank == 1  # one field, nonzero: exactly D − 1 laws near the points
    return {"dim": space.dim, "rank": trace.rank, "ranks_per_point": list(trace.ranks), "laws": count,
            "laws_found": len(laws), "proven": len(laws) == count or flow_box, "flow_box": flow_box,
            "laws_text": [str(h.as_expr()) for h in laws]}


def metric_counts(arch: Architecture, *, seed: int = 0, n_points: int = 2, degree: int = 2, tau=QQ(1),
                  positive: Optional[Sequence[int]] = None) -> dict:
    """The law counts of the mirror flow and of its momentum version (plain data), at seeded positive rational
    points; each is proven when the independent polynomial laws found meet it.  ``positive``: the parameters
    under the entropic metric (default all; :func:`icnn_positive` for an input-convex network)."""
    points = positive_points(arch.dim, seed, n_points)
    mirror = _count(arch.space, mirror_fields(arch, positive), points, degree)
    space, fields = mirror_momentum_fields(arch, tau, positive)
    lifted = positive_points(space.dim, seed, n_points)
    momentum = _count(space, fields, lifted, degree + 1 if degree < 3 else degree)
    return {"D": arch.dim, "seed": seed, "mirror": mirror, "mirror_momentum": momentum}


__all__ = ["DUAL_PREFIX", "icnn_positive", "metric_counts", "mirror_fields", "mirror_momentum_fields", "positive_points"]

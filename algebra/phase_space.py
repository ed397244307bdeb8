"""Momentum (heavy-ball) flows as polynomial vector fields on phase space (Marcotte, Gribonval, Peyré 2024,
"Keep the Momentum").

The flow θ'' + τθ' = −∇L(θ), with L(θ) = ℓ(φ(θ)), is first order on (t, θ, v), v = θ'.  Its time dependence
is made polynomial with s = e^{τt} (so ṡ = τs):

    ṡ = τ s,    θ̇ = v,    v̇ = −τ v − Σ_k c_k ∇φ_k(θ),    c_k = ∂ℓ/∂φ_k (any, as the data and loss vary).

A function h(s, θ, v) is conserved by every such flow iff it is annihilated by the drift
V_0 = τ s ∂_s + Σ_i v_i ∂_{θ_i} − τ Σ_i v_i ∂_{v_i} and by every W_k = −Σ_i ∂_iφ_k(θ) ∂_{v_i} (the c_k are
arbitrary), hence by the Lie algebra they generate: the count is (2D + 1) − dim Lie(V_0, W_1, …, W_d)(s, θ, v),
computed by the same bracket engine as for gradient flows.  Example: the O(r) symmetry U ↦ UO, V ↦ VO of a
two-layer linear network gives the r(r − 1)/2 "angular momenta" s·(UᵀU̇ − U̇ᵀU + VᵀV̇ − V̇ᵀV)_{ij}, i < j.
"""
from __future__ import annotations

from sympy import QQ

from .architectures.base import Architecture
from .errors import ShapeError
from .fields import PolynomialVectorField
from .parameters import ParameterSpace

TIME = "s"  # s = e^{τt}
VELOCITY_PREFIX = "v_"


def momentum_fields(arch: Architecture, tau=QQ(1)) -> tuple[ParameterSpace, list[PolynomialVectorField]]:
    """The phase space (s, θ, v) of the heavy-ball flow with friction ``tau`` (a positive rational) and its
    generators [V_0, W_1, …, W_d] (module docstring)."""
    space, tau = phase_space(arch, tau, VELOCITY_PREFIX)
    gens = space.ring.gens
    s, velocity = gens[0], gens[arch.dim + 1:]
    drift = PolynomialVectorField(space, [tau * s] + list(velocity) + [-tau * x for x in velocity])
    return space, [drift] + pushes(arch, space)


def phase_space(arch: Architecture, tau, prefix: str) -> tuple[ParameterSpace, object]:
    """The space (s, θ, ``prefix``θ) of a second-order flow of ``arch`` and the friction τ as an element of QQ
    (a ShapeError unless τ > 0)."""
    tau = QQ(tau)
    if tau <= 0:
        raise ShapeError(f"the friction tau must be positive, got {tau}")
    names = list(arch.space.names)
    return ParameterSpace([TIME] + names + [prefix + n for n in names]), tau


def pushes(arch: Architecture, space: ParameterSpace) -> list[PolynomialVectorField]:
    """The fields W_k = −Σ_i ∂_iφ_k(θ) ∂_{v_i} on a phase space (s, θ, v) of ``arch`` (v: the last D coordinates)."""
    D = arch.dim
    out = []
    for p in arch.phi:
        grad = [lift_to_phase_space(p.diff(arch.space.ring.gens[i]), space) for i in range(D)]
        out.append(PolynomialVectorField(space, [space.ring.zero] * (D + 1) + [-g for g in grad]))
    return out


def lift_to_phase_space(poly, space: ParameterSpace):
    """A polynomial in θ as one of the phase space's ring QQ[s, θ, v] (exponents shifted past s, none in v)."""
    D = (space.dim - 1) // 2
    return space.ring.from_dict({(0,) + tuple(m) + (0,) * D: c for m, c in poly.terms()})


def momentum_count(arch: Architecture, *, seed: int = 0, n_points: int = 2, max_level: int = 50,
                   degree: int = 3) -> dict:
    """The heavy-ball flow's law count beside the gradient flow's (plain data): the exact trace ranks of
    Lie(V_0, W_k) at ``n_points`` seeded rational points, 2D + 1 − rank laws, the laws of degree ≤ ``degree``
    found (polynomial identities) with how many are independent at the first point — the count is proven when
    they meet it — and the gradient flow's D − rank at the same points."""
    from .law_discovery import polynomial_laws
    from .laws import gradient_rank
    from .trace import lie_trace

    space, fields = momentum_fields(arch)
    trace = lie_trace(fields, seed=seed, n_points=n_points, max_level=max_level)
    count = space.dim - trace.rank
    laws = polynomial_laws(fields, degree).laws if count else []
    found = gradient_rank(space, laws, trace.points[0]) if laws else 0
    gradient_flow = arch.dim - lie_trace(arch.generators(), seed=seed, n_points=n_points).rank
    return {"D": arch.dim, "phase_space_dim": space.dim, "rank": trace.rank, "ranks_per_point": list(trace.ranks),
            "laws": count, "laws_found": found, "proven": found == count, "gradient_flow_laws": gradient_flow,
            "laws_text": [str(h.as_expr()) for h in laws], "seed": seed}


__all__ = ["TIME", "VELOCITY_PREFIX", "lift_to_phase_space", "momentum_count", "momentum_fields", "phase_space", "pushes"]

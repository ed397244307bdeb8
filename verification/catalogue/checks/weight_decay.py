"""Check kind ``weight_decay`` (Theorem 2.1): with weight decay the laws become ψ(e^{λt}θ) — exactly
(polynomial identities) and along a flow integrated numerically."""
from __future__ import annotations

import math

import numpy as np

from conslaw.algebra import (
    PolynomialVectorField,
    violations,
)

from ...proofs.polynomial_flow import rk4, weight_decay_flow
from ..schema import Instance, Result, Verdict
from .model_span import _float_poly

WEIGHT_DECAY = 0.5  # λ of the numerical flow
FLOW_TIME, FLOW_STEPS, FLOW_TOLERANCE = 1.0, 400, 1e-8


def _degree(h) -> int:
    """The degree of a homogeneous polynomial, or -1 when it is not homogeneous."""
    degrees = {sum(m) for m in h.monoms()}
    return degrees.pop() if len(degrees) == 1 else -1


def check_weight_decay(result: Result, inst: Instance, seed: int) -> dict:
    """Theorem 2.1 on each stated law h (homogeneous of degree k): along θ' = −∇L(θ) − λθ,
    h(θ(t)) = e^{−kλt} h(θ(0)), i.e. ψ = h is a law of the plain flow and h(e^{λt}θ) is conserved.

    Exactly: ⟨∇h, ∇φ_j⟩ ≡ 0 for every j and Euler's identity ⟨∇h, θ⟩ ≡ k h, as polynomial identities over QQ;
    together they give d/dt h(θ(t)) = −λ⟨∇h, θ⟩ = −kλ h.  Numerically (independent evidence): the flow of
    L = ½‖φ(θ) − y‖² (seeded θ(0), y) with λ = 1/2, integrated by RK4 to t = 1 in float64, against e^{−kλ}."""
    arch = inst.build()
    space, gens = arch.space, arch.generators()
    theta = [space.ring.gens[i] for i in range(arch.dim)]
    record = {"instance": inst.label, "D": arch.dim, "laws_checked": len(arch.known_laws), "lambda": WEIGHT_DECAY,
              "t": FLOW_TIME, "rk4_steps": FLOW_STEPS}
    degrees, broken = [], None
    for label, h in zip(arch.law_labels, arch.known_laws):
        k = _degree(h)
        degrees.append(k)
        grad = PolynomialVectorField.gradient(space, h).components
        euler = sum((g * t for g, t in zip(grad, theta)), space.ring.zero) - k * h
        if k < 0 or euler != 0:
            broken = broken or {"law": label, "not homogeneous" if k < 0 else "<grad h, theta> - k h": str(euler)}
    bad = violations(arch.known_laws, gens)
    if bad and broken is None:
        i, j, poly = bad[0]
        broken = {"law": arch.law_labels[i], "generator": j, "<grad h, grad phi_j>": str(poly)}
    record["degrees"] = sorted(set(degrees))
    rng = np.random.default_rng(seed)
    theta0 = rng.normal(size=arch.dim) * 0.7
    y = rng.normal(size=len(arch.phi))
    end = rk4(weight_decay_flow(arch.phi, gens), theta0, FLOW_TIME, FLOW_STEPS, y, WEIGHT_DECAY)
    worst = 0.0
    for h, k in zip(arch.known_laws, degrees):
        value = _float_poly(h)
        before, after = value(theta0), value(end)
        predicted = math.exp(-k * WEIGHT_DECAY * FLOW_TIME) * before
        worst = max(worst, abs(after - predicted) / max(abs(before), 1e-300))
    moved = float(np.linalg.norm(end - theta0 * math.exp(-WEIGHT_DECAY * FLOW_TIME)))
    record.update({"largest_relative_error": float(f"{worst:.3e}"), "tolerance": FLOW_TOLERANCE,
                   "distance_from_pure_decay": float(f"{moved:.3e}")})
    if broken is not None:
        record["verdict"] = Verdict.FAILS
        record["counterexample"] = broken
    elif worst > FLOW_TOLERANCE:
        record["verdict"] = Verdict.FAILS
        record["counterexample"] = {"relative error of h(theta(t)) against e^{-k lambda t} h(theta(0))": worst}
    elif moved < 1e-6:
        record["verdict"] = Verdict.FAILS
        record["counterexample"] = {"note": "the loss did not move θ beyond the decay: the check was not exercised"}
    else:
        record["verdict"] = Verdict.HOLDS
    return record

"""Check kind ``one_step``: a stated law moves by O(η²) in one gradient step (exact rational arithmetic)."""
from __future__ import annotations

import random

from sympy import QQ

from conslaw.algebra import PolynomialVectorField
from conslaw.algebra.points import format_point, working_points

from ..schema import Instance, Result, Verdict


def check_one_step(result: Result, inst: Instance, seed: int) -> dict:
    """Prop. 5.1, exactly: at a seeded rational θ, g = Σ_k c_k ∇φ_k(θ) (seeded rational c: the gradient of the
    loss ℓ(φ) = Σ c_k φ_k, and the gradient of any loss of φ lies in that span), η = 1/10; for each stated law h
    (a homogeneous quadratic), h(θ − ηg) − h(θ) − η² h(g) = 0 over QQ, while h(θ − ηg) − h(θ) ≠ 0 for at least
    one law (the step does move the laws: the identity is not vacuous)."""
    arch = inst.build()
    space = arch.space
    theta = working_points(arch.dim, seed=seed, count=1)[0]
    rng = random.Random(seed + 1)
    coeffs = [QQ(rng.randint(-9, 9), rng.randint(1, 9)) for _ in arch.phi]
    grads = [PolynomialVectorField.gradient(space, p).evaluate(theta) for p in arch.phi]
    g = [sum((c * v[i] for c, v in zip(coeffs, grads)), QQ(0)) for i in range(arch.dim)]
    eta = QQ(1, 10)
    stepped = [t - eta * x for t, x in zip(theta, g)]
    record = {"instance": inst.label, "D": arch.dim, "point": format_point(theta), "eta": "1/10",
              "laws_checked": len(arch.known_laws)}
    drifts, worst = [], None
    for label, h in zip(arch.law_labels, arch.known_laws):
        before, after, on_g = h(*theta), h(*stepped), h(*g)
        residue = after - before - eta ** 2 * on_g
        drifts.append(after - before)
        if residue != 0 and worst is None:
            worst = {"law": label, "h(theta - eta g) - h(theta) - eta^2 h(g)": str(residue)}
    record["largest_drift"] = str(max((abs(d) for d in drifts), default=QQ(0)))
    if worst is not None:
        record["verdict"] = Verdict.FAILS
        record["counterexample"] = worst
    elif not any(drifts):
        record["verdict"] = Verdict.FAILS
        record["counterexample"] = {"note": "no law moved: the identity was not exercised"}
    else:
        record["verdict"] = Verdict.HOLDS
    return record

"""Check kind ``model_span`` (Theorem 3.4): W_θ = range ∂φ(θ)ᵀ, exactly at a seeded rational point."""
from __future__ import annotations

import random

import numpy as np
from sympy import QQ

from conslaw.algebra import (
    gradient_rank,
    working_points,
)
from conslaw.algebra.architectures import spec_of
from conslaw.algebra.points import format_point, random_rational_point

from ...proofs.polynomial_flow import CompiledPolynomials
from ..schema import Instance, Result, Verdict


def _float_poly(h):
    compiled = CompiledPolynomials([h])
    return lambda theta: float(compiled(np.asarray(theta, dtype=np.float64))[0])


def _model_output(arch, x, point) -> list | None:
    """g(θ, x) ∈ QQ[θ]^m on the activation pattern of ``x`` at ``point`` (fully connected linear or ReLU nets),
    or None when a hidden pre-activation is 0 there (x on a kink)."""
    widths, bias = arch.shape["widths"], arch.shape.get("bias", False)
    piecewise = spec_of(arch.name.removeprefix("residual-")).piecewise_linear
    slope = QQ(arch.shape.get("slope", "0"))  # σ(t) = max(t, slope·t): ReLU has slope 0
    space = arch.space
    value = dict(zip(space.names, point))
    layer = [space.ring(c) for c in x]
    layer_value = list(x)
    q = len(widths) - 1
    for l in range(1, q + 1):
        out, out_value = [], []
        for i in range(widths[l]):
            names = [f"U{l}[{i},{j}]" for j in range(widths[l - 1])]
            z = sum((space.var(n) * h for n, h in zip(names, layer)), space.ring.zero)
            z_value = sum((value[n] * h for n, h in zip(names, layer_value)), QQ(0))
            if bias and l < q:
                z += space.var(f"b{l}[{i}]")
                z_value += value[f"b{l}[{i}]"]
            if piecewise and l < q:
                if z_value == 0:
                    return None
                if z_value < 0:
                    z, z_value = z * slope, z_value * slope
            out.append(z)
            out_value.append(z_value)
        layer, layer_value = out, out_value
    return layer


def check_model_span(result: Result, inst: Instance, seed: int) -> dict:
    """Theorem 3.4's conclusion at a seeded rational θ_0: W_θ0 = span{∂_θ g(θ_0, x)ᵀ w} equals range ∂φ(θ_0)ᵀ.

    ⊆ holds by the chain rule (g = f(φ(θ), x)).  ⊇: the exact rank of the model's own gradients ∇_θ⟨w, g(θ, x)⟩
    at θ_0, over 3D seeded rational inputs x (each on its activation pattern, as a polynomial of θ) and the
    standard basis w, reaches the exact rank of {∇φ_k(θ_0)}.  Fewer would not refute the theorem (the inputs
    may miss a region): it is reported as not proven; where the hypothesis fails at θ_0 (two neurons on one
    hyperplane, ``result.formula``), as such."""
    arch = inst.build()
    point = working_points(arch.dim, seed=seed, count=1)[0]
    rng = random.Random(seed + 7)
    target = gradient_rank(arch.space, arch.phi, point)
    outputs, skipped = [], 0
    for _ in range(3 * arch.dim):
        g = _model_output(arch, random_rational_point(arch.shape["widths"][0], rng), point)
        if g is None:
            skipped += 1
            continue
        outputs.extend(c for c in g if c != 0)
    reached = gradient_rank(arch.space, outputs, point) if outputs else 0
    expected = result.formula(inst, point)
    record = {"instance": inst.label, "D": arch.dim, "point": format_point(point), "inputs": 3 * arch.dim - skipped,
              "rank_range_dphi": target, "rank_model_gradients": reached, "in_hypotheses": expected.in_hypotheses,
              "argument": expected.argument}
    if reached > target:  # impossible by the chain rule: a bug, reported as a failure
        record["verdict"] = Verdict.FAILS
        record["counterexample"] = {"point": record["point"], "model rank": reached, "range rank": target}
    elif reached == target:
        record["verdict"] = Verdict.HOLDS if expected.in_hypotheses else Verdict.HOLDS_OUTSIDE
    elif not expected.in_hypotheses:
        record["verdict"] = Verdict.HYPOTHESIS_FAILS
        record["evidence"] = f"the model's gradients reach rank {reached} of {target}; {expected.argument}"
    else:
        record["verdict"] = Verdict.NOT_PROVEN
        record["evidence"] = f"the sampled inputs reach rank {reached} of {target}"
    return record

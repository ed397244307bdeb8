"""The exact laws of LayerNorm → Linear (issue 23's hypothesis that the mean removal W ↦ W + u(1/γ)ᵀ gives laws):
φ = (W diag(γ) restricted to the mean-zero inputs, W β + b), the model's output for mean-zero normalised n; the
exact trace and the polynomial laws of degree ≤ 3.  ``python benchmarks/layernorm_linear_laws.py [O D]``."""
from __future__ import annotations

import sys

from conslaw.algebra.fields import PolynomialVectorField
from conslaw.algebra.law_discovery import polynomial_laws
from conslaw.algebra.parameters import ParameterSpace
from conslaw.algebra.trace import lie_trace


def main(o: int = 2, d: int = 3) -> None:
    names = ([f"w{i}_{j}" for i in range(o) for j in range(d)] + [f"g{j}" for j in range(d)]
             + [f"be{j}" for j in range(d)] + [f"b{i}" for i in range(o)])
    space = ParameterSpace(names)
    p = dict(zip(names, space.gens))
    phi = []
    for i in range(o):  # n = Σ_k t_k (e_k − e_{d−1}) spans the mean-zero inputs
        phi += [p[f"w{i}_{k}"] * p[f"g{k}"] - p[f"w{i}_{d - 1}"] * p[f"g{d - 1}"] for k in range(d - 1)]
        phi.append(sum(p[f"w{i}_{j}"] * p[f"be{j}"] for j in range(d)) + p[f"b{i}"])
    fields = PolynomialVectorField.gradients_of_map(space, phi)
    trace = lie_trace(fields)
    print(f"LayerNorm ({d}) → Linear ({o} outputs): D = {space.dim}, exact trace rank {trace.rank}, "
          f"{trace.laws} laws")
    basis = polynomial_laws(fields, 3)
    print(f"polynomial laws of degree ≤ 3: {len(basis.laws)}")
    for law in basis.laws:
        print(f"  {law}")


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:3]))

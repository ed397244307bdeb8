"""Exact checks of candidate conservation laws (docs/THEORY.md §1–2).

* ``h`` is conserved by the flows of the fields V iff ⟨∇h, X⟩ ≡ 0 for every
  X ∈ V (Prop. 2.9: orthogonality to the generators suffices); this is
  checked as a polynomial identity, with no sampling.
* Laws are independent near θ_0 when their gradients at θ_0 have full rank.
"""
from __future__ import annotations

from typing import Sequence

from sympy.polys.rings import PolyElement

from .exact_rank import exact_rank
from .fields import PolynomialLike, PolynomialVectorField, to_polynomial
from .parameters import ParameterSpace


def violations(
    laws: Sequence[PolynomialLike], generators: Sequence[PolynomialVectorField]
) -> list[tuple[int, int, PolyElement]]:
    """All (law index, generator index, ⟨∇h, X⟩) whose polynomial is not identically zero."""
    if not generators:
        return []
    space = generators[0].space
    polys = [to_polynomial(space, h, f"law {i}") for i, h in enumerate(laws)]
    out = []
    for i, h in enumerate(polys):
        for k, x in enumerate(generators):
            d = x.directional_derivative(h)
            if d:
                out.append((i, k, d))
    return out


def gradient_rank(space: ParameterSpace, laws: Sequence[PolynomialLike], point: Sequence) -> int:
    """Exact rank of the gradients ∇h_i(θ_0): the number of independent laws among ``laws`` near θ_0."""
    grads = [PolynomialVectorField.gradient(space, h, f"law {i}").evaluate(point) for i, h in enumerate(laws)]
    return exact_rank(grads)

"""Values and Jacobians of polynomial fields at the working points, modulo p.

For working points θ^(1..P) a field X gives the *stacked* vector
(X(θ^(1)), …, X(θ^(P))) ∈ F_p^{P·D}; coordinate i at point q has stacked
index q·D + i.  Jacobians are kept column by column, which is what the
bracket value needs:

    [X, Y](θ) = ∂Y(θ) X(θ) − ∂X(θ) Y(θ)      (docs/THEORY.md §1),

so the value of a bracket at θ needs only values and Jacobians at θ, never
the symbolic bracket.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from .fields import PolynomialVectorField
from .modular import PRIME, to_mod

# stacked column s → list of (stacked row, residue)
JacobianColumns = dict[int, list[tuple[int, int]]]


@dataclass
class StackedEvaluation:
    """A field's stacked value (sparse) and Jacobian columns, modulo p."""

    value: dict[int, int]
    jacobian: JacobianColumns


def evaluate_stacked(field: PolynomialVectorField, points_mod: Sequence[Sequence[int]], p: int = PRIME) -> StackedEvaluation:
    """Stacked values and Jacobians of ``field`` at the points (given as residues mod p)."""
    D = field.dim
    terms_mod = [
        (i, [(to_mod(c, p), monom) for c, monom in terms]) for i, terms in field.sparse
    ]
    value: dict[int, int] = {}
    jac: JacobianColumns = {}
    for q, pt in enumerate(points_mod):
        off = q * D
        for i, terms in terms_mod:
            v = 0
            partial: dict[int, int] = {}
            for c, monom in terms:
                # value of the monomial, and each partial derivative of it
                prods = [pow(pt[j], e, p) for j, e in monom]
                t = c
                for x in prods:
                    t = t * x % p
                v += t
                for k, (j, e) in enumerate(monom):
                    d = c * e % p
                    for k2, x in enumerate(prods):
                        if k2 != k:
                            d = d * x % p
                    if e > 1:
                        d = d * pow(pt[j], e - 1, p) % p
                    partial[j] = partial.get(j, 0) + d
            v %= p
            if v:
                value[off + i] = v
            for j, d in partial.items():
                d %= p
                if d:
                    jac.setdefault(off + j, []).append((off + i, d))
    return StackedEvaluation(value, jac)


def bracket_value(x: StackedEvaluation, y: StackedEvaluation, p: int = PRIME) -> dict[int, int]:
    """Stacked value of [X, Y] = ∂Y·X − ∂X·Y at the points, modulo p."""
    out: dict[int, int] = {}
    for s, a in x.value.items():
        for r, b in y.jacobian.get(s, ()):
            out[r] = out.get(r, 0) + a * b
    for s, a in y.value.items():
        for r, b in x.jacobian.get(s, ()):
            out[r] = out.get(r, 0) - a * b
    return {k: v % p for k, v in out.items() if v % p}

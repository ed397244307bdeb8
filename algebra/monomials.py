"""Monomials θ^α in sparse-exponent form ``((j, e), ...)`` (j increasing, e ≥ 1).

Used as the unknowns of the law-discovery system: a polynomial law
P = Σ_α a_α θ^α of degree ≤ k.
"""
from __future__ import annotations

from itertools import combinations_with_replacement
from typing import Iterator, Sequence

Monomial = tuple[tuple[int, int], ...]


def monomials(dim: int, degree: int, homogeneous: bool = False) -> list[Monomial]:
    """Non-constant monomials of degree ≤ ``degree`` (or exactly it) in ``dim`` variables.

    Ordered by degree, then by the parameters they involve (lexicographically
    by variable index), so laws built on them read in parameter order.
    """
    out: list[Monomial] = []
    for d in range(degree if homogeneous else 1, degree + 1):
        for combo in combinations_with_replacement(range(dim), d):
            exps: dict[int, int] = {}
            for j in combo:
                exps[j] = exps.get(j, 0) + 1
            out.append(tuple(sorted(exps.items())))
    return out


def count_monomials(dim: int, degree: int, homogeneous: bool = False) -> int:
    """Number of monomials :func:`monomials` returns: Σ_d C(dim + d − 1, d)."""
    from math import comb

    lo = degree if homogeneous else 1
    return sum(comb(dim + d - 1, d) for d in range(lo, degree + 1))


def gradient_mod(monom: Monomial, point: Sequence[int], p: int) -> Iterator[tuple[int, int]]:
    """(j, ∂_j θ^α at the point) for the variables of the monomial, modulo p."""
    for k, (j, e) in enumerate(monom):
        d = e * pow(point[j], e - 1, p) % p
        for k2, (j2, e2) in enumerate(monom):
            if k2 != k:
                d = d * pow(point[j2], e2, p) % p
        yield j, d


def to_dense(monom: Monomial, dim: int) -> tuple[int, ...]:
    exps = [0] * dim
    for j, e in monom:
        exps[j] = e
    return tuple(exps)

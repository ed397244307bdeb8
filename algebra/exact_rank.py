"""Exact ranks of rational vectors with FLINT (multimodular, exact over QQ).

Each rational row is scaled by the lcm of its denominators (which leaves the
rank unchanged) and the integer matrix goes to ``flint.fmpz_mat.rank``.
"""
from __future__ import annotations

from math import lcm
from typing import Sequence

import flint

from .rationals import to_qq


def integer_row(row: Sequence) -> list[int]:
    """A rational row scaled to integers by the lcm of its denominators."""
    parts = [_fraction(c) for c in row]
    den = lcm(*(d for _, d in parts)) if parts else 1
    return [n * (den // d) for n, d in parts]


def _fraction(c) -> tuple[int, int]:
    """(numerator, denominator) of an exact rational; floats are refused by :func:`to_qq`."""
    num = getattr(c, "numerator", None)
    if num is None or callable(num) or isinstance(c, bool):
        c = to_qq(c)
        num = c.numerator
    return int(num), int(c.denominator)


def exact_rank(rows: Sequence[Sequence]) -> int:
    """rank over QQ of the matrix with the given rational rows."""
    rows = [integer_row(r) for r in rows]
    rows = [r for r in rows if any(r)]
    if not rows:
        return 0
    return flint.fmpz_mat(rows).rank()


def modular_rank(rows: Sequence[Sequence[int]], p: int) -> int:
    """rank modulo p of an integer matrix (a lower bound for the rank over QQ)."""
    rows = [r for r in rows if any(r)]
    if not rows:
        return 0
    return flint.nmod_mat(rows, p).rank()


def independent_rows(rows: Sequence[Sequence]) -> list[int]:
    """Indices of the first maximal set of linearly independent rows (greedy in order), exactly over QQ."""
    ints = [integer_row(r) for r in rows]
    if not ints or not any(any(r) for r in ints):
        return []
    rref, _den, rank = flint.fmpz_mat(ints).transpose().rref()
    table = rref.tolist()
    return [next(c for c, v in enumerate(table[r]) if v != 0) for r in range(rank)]

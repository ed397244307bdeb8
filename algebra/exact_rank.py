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
    qs = [to_qq(c) for c in row]
    den = lcm(*(int(q.denominator) for q in qs)) if qs else 1
    return [int(q.numerator) * (den // int(q.denominator)) for q in qs]


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

"""Arithmetic modulo a 61-bit prime: the fast screen in front of exact ranks.

Vectors are sparse ``dict[int, int]`` (index → residue).  A vector that is
independent modulo ``PRIME`` of a set of p-integral rational vectors is
independent over QQ as well (a primitive integer dependency would survive the
reduction mod p), so everything kept by the screen is exactly independent.
The converse can fail only when p divides a nonzero minor: the screen may
then call a candidate redundant that is not.  For the 61-bit Mersenne prime
and the small-height points of :mod:`points` this has probability of order
(height of the minor)/2^61.
"""
from __future__ import annotations

from typing import Sequence

from .rationals import to_qq

PRIME = (1 << 61) - 1


def to_mod(q, p: int = PRIME) -> int:
    """The residue of a rational ``q`` (with denominator prime to p) modulo p."""
    q = to_qq(q)
    num, den = int(q.numerator), int(q.denominator)
    return num % p if den == 1 else num * pow(den, -1, p) % p


def point_mod(point: Sequence, p: int = PRIME) -> list[int]:
    return [to_mod(c, p) for c in point]


class ModularEchelon:
    """An incrementally grown basis in reduced row echelon form modulo p.

    Each row is stored under its pivot index with the pivot entry 1, and every
    row is zero at every other pivot, so reducing a vector takes one pass.
    """

    def __init__(self, p: int = PRIME):
        self.p = p
        self.rows: dict[int, dict[int, int]] = {}

    @property
    def rank(self) -> int:
        return len(self.rows)

    def reduce(self, vec: dict[int, int]) -> dict[int, int]:
        """The remainder of ``vec`` after subtracting its projection on the basis."""
        p = self.p
        out = dict(vec)
        for col in [c for c in vec if c in self.rows]:
            f = out.get(col)
            if not f:
                continue
            for k, a in self.rows[col].items():
                v = (out.get(k, 0) - f * a) % p
                if v:
                    out[k] = v
                else:
                    out.pop(k, None)
        return out

    def insert(self, vec: dict[int, int]) -> bool:
        """Add ``vec`` to the basis if it is independent; return whether it was."""
        rem = self.reduce(vec)
        if not rem:
            return False
        p = self.p
        piv = min(rem)
        inv = pow(rem[piv], -1, p)
        row = {k: v * inv % p for k, v in rem.items()}
        for other in self.rows.values():
            f = other.get(piv)
            if f:
                for k, a in row.items():
                    v = (other.get(k, 0) - f * a) % p
                    if v:
                        other[k] = v
                    else:
                        other.pop(k, None)
        self.rows[piv] = row
        return True


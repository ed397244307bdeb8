"""Rational reconstruction: the fraction n/d with small |n|, d that is ≡ a (mod p).

Wang's algorithm (extended Euclid stopped half-way): returns n/d with
|n|, d ≤ √(p/2) and n ≡ a·d (mod p), or ``None`` when no such fraction exists.
Such a fraction is unique, so a correct reconstruction is recognised by
checking the result exactly afterwards.
"""
from __future__ import annotations

from math import gcd, isqrt
from typing import Optional

from sympy import QQ


def rational_reconstruction(a: int, p: int):
    """The QQ element n/d ≡ a (mod p) with |n|, d ≤ √(p/2), or ``None``."""
    a %= p
    bound = isqrt(p // 2)
    r0, r1 = p, a
    s0, s1 = 0, 1
    while r1 > bound:
        q = r0 // r1
        r0, r1 = r1, r0 - q * r1
        s0, s1 = s1, s0 - q * s1
    if s1 == 0 or abs(s1) > bound or gcd(r1, abs(s1)) != 1:
        return None
    num, den = (r1, s1) if s1 > 0 else (-r1, -s1)
    return QQ(num, den)


def reconstruct_vector(values, p: int) -> Optional[list]:
    out = []
    for v in values:
        q = rational_reconstruction(int(v), p)
        if q is None:
            return None
        out.append(q)
    return out

"""First-order jets over ball arithmetic: a + b·ε (ε² = 0) with a, b :class:`flint.arb` balls, for one directional
derivative carried through a computation with rigorous error bounds (issue 25).

Evaluating a gradient θ ↦ ∇f(θ), written with these jets, at θ + ε·v gives ∇f(θ) + ε·H_f(θ) v: the
Hessian-vector product that a bracket value [∇f_a, ∇f_b](θ) = H_b ∇f_a − H_a ∇f_b needs (forward mode over a
hand-written reverse pass).  Every operation is an arb operation, so each part is a ball that contains the exact
value; nothing is rounded to a float.
"""
from __future__ import annotations

from typing import Union

import flint

Number = Union["Jet", flint.arb, int]


class Jet:
    """a + b·ε with ε² = 0 over :class:`flint.arb`: ``value`` and ``slope`` (the derivative along the direction)."""

    __slots__ = ("value", "slope")

    def __init__(self, value, slope=0):
        self.value = value if isinstance(value, flint.arb) else flint.arb(value)
        self.slope = slope if isinstance(slope, flint.arb) else flint.arb(slope)

    @staticmethod
    def lift(x: Number) -> "Jet":
        return x if isinstance(x, Jet) else Jet(x)

    def __add__(self, other: Number) -> "Jet":
        o = Jet.lift(other)
        return Jet(self.value + o.value, self.slope + o.slope)

    __radd__ = __add__

    def __sub__(self, other: Number) -> "Jet":
        o = Jet.lift(other)
        return Jet(self.value - o.value, self.slope - o.slope)

    def __rsub__(self, other: Number) -> "Jet":
        return Jet.lift(other) - self

    def __neg__(self) -> "Jet":
        return Jet(-self.value, -self.slope)

    def __mul__(self, other: Number) -> "Jet":
        o = Jet.lift(other)
        return Jet(self.value * o.value, self.value * o.slope + self.slope * o.value)

    __rmul__ = __mul__

    def __truediv__(self, other: Number) -> "Jet":
        """(a + bε)/(c + dε) = a/c + ε (b c − a d)/c²; a ball c that contains 0 raises (arb's division)."""
        o = Jet.lift(other)
        q = self.value / o.value
        return Jet(q, (self.slope - q * o.slope) / o.value)

    def exp(self) -> "Jet":
        e = self.value.exp()
        return Jet(e, e * self.slope)


def rational_ball(q) -> flint.arb:
    """The ball of a rational (a ``Fraction``) at the working precision: it contains q exactly."""
    return flint.arb(flint.fmpq(q.numerator, q.denominator))


def jet_sum(items) -> Jet:
    total = Jet(0)
    for x in items:
        total = total + x
    return total


__all__ = ["Jet", "jet_sum", "rational_ball"]

"""Every activation region of a residual ReLU network at a rational θ_0, exactly.

At fixed θ_0 every pre-activation is an affine function of the input x on each
region where the earlier activation pattern is fixed.  The regions are therefore
the cells of a hyperplane arrangement refined layer by layer: for each region
found so far and each neuron of the next layer, the two sides {z > 0} and
{z < 0} are tested for a rational interior point with the exact simplex of
:mod:`.exact_lp`.  A side is kept exactly when it has one; so the list is
complete (every open region of inputs appears, with a rational witness input),
up to the measure-zero set where some pre-activation is 0 (ties), where g is
not differentiable in θ.

On a region with pattern P, g(θ, x) = A_P(θ) x + c_P(θ) is affine in x, so the
fields ∇_θ g_i(θ, x) for x in the (open) region span exactly
span{∇c_{P,i}, ∇A_{P,ik}} — all generators, with no sampling of inputs.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Sequence

from flint import fmpq

from .errors import ShapeError
from .exact_lp import interior_point
from .fields import PolynomialVectorField


class DegeneratePointError(ShapeError):
    """θ_0 makes a pre-activation identically 0 on a region of inputs (not a generic point)."""


class TooManyRegionsError(ShapeError):
    """The arrangement has more regions than the enumeration was allowed to list."""


class AffineInX:
    """x ↦ a·x + c with rational a, c: the value of a state coordinate or pre-activation at θ_0."""

    __slots__ = ("a", "c")

    def __init__(self, a: Sequence, c) -> None:
        self.a = tuple(a)
        self.c = c

    @classmethod
    def zero(cls, dim: int) -> "AffineInX":
        return cls((fmpq(0),) * dim, fmpq(0))

    @classmethod
    def coordinate(cls, i: int, dim: int) -> "AffineInX":
        return cls(tuple(fmpq(1) if k == i else fmpq(0) for k in range(dim)), fmpq(0))

    def __add__(self, other):
        if isinstance(other, AffineInX):
            return AffineInX(tuple(u + v for u, v in zip(self.a, other.a)), self.c + other.c)
        return AffineInX(self.a, self.c + other)

    __radd__ = __add__

    def __neg__(self) -> "AffineInX":
        return AffineInX(tuple(-u for u in self.a), -self.c)

    def __mul__(self, k):
        if isinstance(k, AffineInX):
            raise TypeError("the state is affine in x: no products of two states")
        return AffineInX(tuple(u * k for u in self.a), self.c * k)

    __rmul__ = __mul__

    def is_constant(self) -> bool:
        return all(u == 0 for u in self.a)

    def at(self, x: Sequence) -> fmpq:
        return sum((u * v for u, v in zip(self.a, x)), fmpq(0)) + self.c


@dataclass
class Region:
    """One open activation region: the pattern per block, a rational input inside it, and its inequalities."""

    pattern: tuple[tuple[bool, ...], ...]
    witness: list
    constraints: list = field(repr=False)


@dataclass
class RegionEnumeration:
    regions: list[Region]
    lps: int
    seconds: float
    method: str = ("exact enumeration of the hyperplane arrangement, block by block: each side of each "
                   "neuron's hyperplane tested for a rational interior point by an exact rational simplex")


def activation_regions(net, point: Sequence, *, max_regions: int = 5000) -> RegionEnumeration:
    """Every open activation region of ``net`` (a :class:`~.deep.ResidualMLP`) at θ_0 = ``point``."""
    t0 = time.perf_counter()
    value = {n: fmpq(int(c.numerator), int(c.denominator)) for n, c in zip(net.space.names, point)}
    v = value.__getitem__
    d = net.dim
    zero = AffineInX.zero(d)

    lps = 0
    # (constraints, witness, pattern so far, state as affine functions of x)
    current = [([], [fmpq(0)] * d, (), [AffineInX.coordinate(i, d) for i in range(d)])]
    for l, block in enumerate(net.layers, start=1):
        nxt = []
        for cons, wit, pattern, state in current:
            pre = block.pre_activations(l, state, v, zero)
            partial = [(cons, wit, ())]
            for j, z in enumerate(pre):
                grown = []
                for pc, pw, mask in partial:
                    if z.is_constant():
                        if z.c == 0:
                            raise DegeneratePointError(
                                f"at this point, pre-activation {j} of block {l} is 0 for every input of a region: "
                                "theta_0 is not generic; try another seed")
                        grown.append((pc, pw, mask + (bool(z.c > 0),)))
                        continue
                    here = z.at(pw)
                    for on in (True, False):
                        side = z if on else -z
                        with_side = pc + [(side.a, side.c)]
                        if here != 0 and (here > 0) == on:
                            w = pw
                        else:
                            lps += 1
                            w = interior_point(with_side, d)
                            if w is None:
                                continue
                        grown.append((with_side, w, mask + (on,)))
                partial = grown
            for pc, pw, mask in partial:
                hidden = [z if on else None for z, on in zip(pre, mask)]
                out = block.output(l, hidden, v, zero)
                nxt.append((pc, pw, pattern + (mask,), [s + o for s, o in zip(state, out)]))
                if len(nxt) > max_regions:
                    raise TooManyRegionsError(
                        f"more than {max_regions} activation regions at this point: too many to enumerate exactly; "
                        "use smaller widths")
        current = nxt
    regions = [Region(pattern, wit, cons) for cons, wit, pattern, _ in current]
    return RegionEnumeration(regions, lps, time.perf_counter() - t0)


def dead_and_always_active(net, regions: Sequence[Region]) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """(block, unit) pairs inactive in every region (dead: no input activates them) and active in every region."""
    dead, always = [], []
    for l in range(1, net.blocks + 1):
        for j in range(len(regions[0].pattern[l - 1])):
            states = {r.pattern[l - 1][j] for r in regions}
            if states == {False}:
                dead.append((l, j))
            elif states == {True}:
                always.append((l, j))
    return dead, always


def region_generators(net, regions: Sequence[Region]) -> list:
    """All generators ∇_θ c_{P,i}, ∇_θ A_{P,ik} over the regions (deduplicated up to scalars)."""
    d = net.dim
    origin = [0] * d
    fields, seen = [], set()
    for region in regions:
        base = net.piece_with_pattern(origin, region.pattern)
        polys = list(base)
        for k in range(d):
            unit = [1 if i == k else 0 for i in range(d)]
            polys += [g - g0 for g, g0 in zip(net.piece_with_pattern(unit, region.pattern), base)]
        for i, p in enumerate(polys):
            f = PolynomialVectorField.gradient(net.space, p, f"output {i}")
            if not f.is_zero() and f.canonical_key not in seen:
                seen.add(f.canonical_key)
                fields.append(f)
    return fields

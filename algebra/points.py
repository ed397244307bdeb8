"""Seeded random rational points θ_0 ∈ QQ^D.

The same ``(dim, seed, count)`` always gives the same points: each coordinate
is ``±a/b`` with ``a`` and ``b`` drawn uniformly from 1..``bound`` by
``random.Random(seed)``.  Zero coordinates are never drawn, since zeros are
the typical non-generic values of network parameters (dead neurons).
"""
from __future__ import annotations

import random
from typing import Sequence

from sympy import QQ

from .errors import ShapeError

DEFAULT_BOUND = 97


def random_rational_point(dim: int, rng: random.Random, bound: int = DEFAULT_BOUND) -> list:
    """One point of QQ^dim with nonzero coordinates ±a/b, 1 ≤ a, b ≤ bound."""
    return [QQ(rng.choice((-1, 1)) * rng.randint(1, bound), rng.randint(1, bound)) for _ in range(dim)]


def working_points(dim: int, seed: int = 0, count: int = 2, bound: int = DEFAULT_BOUND) -> list[list]:
    """``count`` seeded rational points of QQ^dim (see the module docstring)."""
    if count < 1:
        raise ShapeError(f"need at least one working point, got {count}")
    rng = random.Random(seed)
    return [random_rational_point(dim, rng, bound) for _ in range(count)]


def format_point(point: Sequence) -> list[str]:
    """Coordinates as strings ``"p/q"`` (or ``"p"``), for JSON reports."""
    return [str(c) for c in point]


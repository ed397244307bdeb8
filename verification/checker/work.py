"""The checker's work budget: estimated from the declared sizes before any algebra, and a deadline as a backstop.

Part of the checker's trusted base (it imports only the standard library).  Every stage of a check is priced in
*units*, roughly one multiplication of two polynomial terms of the checker's SymPy expressions, from numbers the
certificate declares and the checker can read without algebra (numbers of terms, degrees, digits, sizes of the
architecture):

* φ rebuilt from the architecture: (number of components) × (terms × degree of each);
* the law identities ⟨∇h_i, X_k⟩ ≡ 0: Σ_i T(h_i)·deg(h_i)·(1 + bits(h_i)/32) × Σ_k S(X_k), S(X) the number of
  terms of a generator, T and deg a law's terms and degree, bits its longest coefficient;
* the intrinsic claim's M = ∂φ∂φᵀ: (pairs of components of φ) × D;
* a sign-flow certificate's Jacobian ∂φ(θ_0): (components of φ) × D × degree.

A certificate whose estimate exceeds :data:`MAX_UNITS` is refused at once (exit 2, one line naming the stage).
The constants were measured on a 2-core machine (``benchmarks/checker_limits.py``): the checker runs about 10⁵
units a second, so the budget is about 10 s of algebra, and every certificate it accepts is checked in under
20 s; the 100 certificates of ``conslaw verify --grid paper23`` fit.  Estimates are not promises: a
:class:`Deadline` checked between steps refuses a check that runs past :data:`DEADLINE_SECONDS` all the same.
"""
from __future__ import annotations

import time
from dataclasses import dataclass

MAX_UNITS = 2_000_000
DEADLINE_SECONDS = 20.0


class WorkRefused(ValueError):
    """The estimated or measured work of a check is over the budget; the message names the stage."""


@dataclass(frozen=True)
class PolySize:
    """What the budget reads of a stored polynomial: its terms, degree and longest coefficient in bits."""

    terms: int
    degree: int
    bits: int


def law_units(laws: list[PolySize], generator_terms: list[int]) -> int:
    """Units of the identities ⟨∇h_i, X_k⟩ ≡ 0 for every law and generator."""
    per_generator = sum(generator_terms)
    return sum(h.terms * max(h.degree, 1) * (1 + h.bits // 32) for h in laws) * per_generator


def require(units: int, stage: str, limit: int = MAX_UNITS) -> None:
    """Refuse a stage whose estimated work is over the budget."""
    if units > limit:
        raise WorkRefused(f"{stage} would take about {units:,} units of work, over the checker's budget of "
                          f"{limit:,} (about {limit // 100_000} s on 2 cores); the certificate is refused unchecked")


class Deadline:
    """A wall-clock backstop: :meth:`check` raises :class:`WorkRefused` once ``seconds`` have passed."""

    def __init__(self, seconds: float = DEADLINE_SECONDS) -> None:
        self.seconds = seconds
        self.start = time.perf_counter()

    def check(self, stage: str) -> None:
        if time.perf_counter() - self.start > self.seconds:
            raise WorkRefused(f"{stage}: the check ran past the checker's time budget of {self.seconds:g} s and was "
                              "stopped; the certificate is refused unchecked")


def _witness_units(brackets: list, D: int, generator_terms: int) -> int:
    """Units of the witness brackets: each internal node of a tree is a Jacobian (D² derivatives) times a field,
    priced with the largest generator's terms squared; every value is then evaluated at the point (D each)."""
    nodes = 0
    for entry in brackets:
        stack = [entry.get("tree") if isinstance(entry, dict) else None]
        while stack:
            t = stack.pop()
            if isinstance(t, list):
                nodes += 1
                stack += t[:2]
            if nodes > 10**6:
                break
    return nodes * (D * D + generator_terms ** 2) + len(brackets) * D


__all__ = ["DEADLINE_SECONDS", "Deadline", "MAX_UNITS", "PolySize", "WorkRefused", "law_units", "require"]

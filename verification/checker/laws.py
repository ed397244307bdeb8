"""A certificate's laws read as SymPy expressions (plain or rational A/B)."""
from __future__ import annotations

from fractions import Fraction
from typing import Any

from .reading import _expr, _need, _polynomial


def _law_polys(spec: Any, i: int, version: int, names: list[str], fails: list[str]) -> tuple[dict, dict]:
    """(A, B) of a law A/B as parsed polynomials: a polynomial law has B = 1; ``{"numerator": …, "denominator": …}``
    is rational."""
    if isinstance(spec, dict) and "numerator" in spec:
        _need("denominator" in spec, f"law {i}: a rational law needs a \"denominator\"")
        A = _polynomial(spec["numerator"], f"law {i} numerator", version, names, fails)
        B = _polynomial(spec["denominator"], f"law {i} denominator", version, names, fails)
        _need(bool(B), f"law {i}: the denominator is zero")
        return A, B
    return _polynomial(spec, f"law {i}", version, names, fails), {(): Fraction(1)}


def _law(spec: Any, i: int, version: int, names: list[str], symbols: list, fails: list[str]) -> tuple:
    """(A, B) of a law A/B as SymPy expressions (:func:`_law_polys`)."""
    A, B = _law_polys(spec, i, version, names, fails)
    return _expr(A, symbols), _expr(B, symbols)

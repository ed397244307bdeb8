"""Conversion of exact scalars to SymPy's QQ domain (FLINT's ``fmpq`` when available)."""
from __future__ import annotations

from fractions import Fraction

import sympy
from sympy import QQ

from .errors import NonPolynomialError


def to_qq(value, label: str = "value"):
    """An exact rational as an element of QQ; floats and non-rationals are refused."""
    if isinstance(value, bool):
        raise NonPolynomialError(f"{label}: a boolean is not a rational number")
    if isinstance(value, float):
        raise NonPolynomialError(f"{label}: float {value!r} where an exact rational is required")
    if isinstance(value, int):
        return QQ(value)
    if isinstance(value, Fraction):
        return QQ(value.numerator, value.denominator)
    if isinstance(value, str):  # text is data: read as "p/q" by our own parser, never sympified
        from .polynomial_text import PolynomialTextError, parse_rational

        try:
            value = parse_rational(value)
        except PolynomialTextError as exc:
            raise NonPolynomialError(f"{label}: {exc}") from None
        return QQ(value.numerator, value.denominator)
    if isinstance(value, sympy.Basic):
        if isinstance(value, sympy.Rational):
            return QQ.from_sympy(value)
        raise NonPolynomialError(f"{label}: {value} is not an exact rational number")
    if QQ.of_type(value):
        return value
    try:  # other exact rationals (gmpy2.mpq, flint.fmpz, ...)
        return QQ(int(value.numerator), int(value.denominator))
    except (AttributeError, TypeError, ValueError):
        raise NonPolynomialError(f"{label}: {type(value).__name__} {value!r} is not an exact rational") from None

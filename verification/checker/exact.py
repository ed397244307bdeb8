"""Exact calculus for the checker: gradients and brackets of expression fields, ranks with SymPy's
``DomainMatrix`` over QQ."""
from __future__ import annotations

import sympy
from sympy.polys.matrices import DomainMatrix


# ------------------------------------------------------------- the checks
def _gradient(expr, symbols) -> list:
    free = expr.free_symbols
    return [sympy.diff(expr, s) if s in free else sympy.Integer(0) for s in symbols]


def _bracket(X: sympy.Matrix, Y: sympy.Matrix, theta: sympy.Matrix) -> sympy.Matrix:
    """[X, Y] = ∂Y·X − ∂X·Y."""
    return (Y.jacobian(theta) * X - X.jacobian(theta) * Y).applyfunc(sympy.expand)


def _rank(rows: list[list]) -> int:
    """Exact rank of a matrix of rationals: SymPy's DomainMatrix over QQ (fraction-free elimination in the field;
    ``Matrix.rank`` on expression entries took over 15 minutes on a 44 × 72 matrix of a 2023-paper certificate)."""
    return DomainMatrix.from_Matrix(sympy.Matrix(rows)).to_field().rank()

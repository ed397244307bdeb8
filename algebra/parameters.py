"""Named parameters θ ∈ R^D and the exact polynomial ring QQ[θ] they generate.

Names are human readable (``U1[0,1]`` for entry (0, 1) of the first weight
matrix, ``b1[2]`` for a bias).  The ring is SymPy's sparse polynomial ring
over QQ (``sympy.polys.rings``), so polynomials are dictionaries of exact
rational coefficients, never expression trees.
"""
from __future__ import annotations

import re
from typing import Iterable, Sequence

import sympy
from sympy import QQ
from sympy.polys.rings import PolyElement, PolyRing, ring

from .errors import ShapeError

_LATEX_NAME = re.compile(r"^([A-Za-z]+)(\d*)\[([\d,\s]+)\]$")


def matrix_names(stem: str, rows: int, cols: int) -> list[str]:
    """Row-major names ``stem[i,j]`` of the entries of a ``rows × cols`` matrix."""
    return [f"{stem}[{i},{j}]" for i in range(rows) for j in range(cols)]


def vector_names(stem: str, size: int) -> list[str]:
    """Names ``stem[i]`` of the entries of a vector of length ``size``."""
    return [f"{stem}[{i}]" for i in range(size)]


def parse_name(name: str) -> tuple[str, str, tuple[int, ...]] | None:
    """``"U1[0,2]"`` → ``("U", "1", (0, 2))``; ``None`` for names of another form."""
    m = _LATEX_NAME.match(name)
    if not m:
        return None
    stem, layer, idx = m.groups()
    return stem, layer, tuple(int(part) for part in idx.split(","))


def matrix_latex(stem: str, layer: str) -> str:
    """LaTeX of a weight matrix or vector: ``U^{(1)}`` (or ``U`` without a layer number)."""
    return f"{stem}^{{({layer})}}" if layer else stem


def latex_name(name: str) -> str:
    """LaTeX for a parameter, indices 1-based as in the papers: ``U1[0,1]`` → ``U^{(1)}_{1,2}``."""
    parsed = parse_name(name)
    if parsed is None:
        return sympy.latex(sympy.Symbol(name))
    stem, layer, idx = parsed
    return f"{matrix_latex(stem, layer)}_{{{','.join(str(i + 1) for i in idx)}}}"


class ParameterSpace:
    """The coordinates θ_1..θ_D, their names, and the ring QQ[θ_1..θ_D]."""

    def __init__(self, names: Sequence[str]):
        names = list(names)
        if not names:
            raise ShapeError("a parameter space needs at least one parameter")
        if len(set(names)) != len(names):
            dup = sorted({n for n in names if names.count(n) > 1})
            raise ShapeError(f"duplicate parameter names: {', '.join(dup[:5])}")
        self.names: tuple[str, ...] = tuple(names)
        self.symbols: tuple[sympy.Symbol, ...] = tuple(sympy.Symbol(n) for n in names)
        ring_, *gens = ring(list(self.symbols), QQ)
        self.ring: PolyRing = ring_
        self.gens: tuple[PolyElement, ...] = tuple(gens)
        self._index = {n: i for i, n in enumerate(names)}

    @property
    def dim(self) -> int:
        """D, the number of parameters."""
        return len(self.names)

    @property
    def positions(self) -> dict[str, int]:
        """Name → position of every parameter."""
        return self._index

    def index(self, name: str) -> int:
        """Position of a named parameter; ``KeyError`` names the unknown parameter."""
        try:
            return self._index[name]
        except KeyError:
            raise ShapeError(f"unknown parameter name {name!r}") from None

    def var(self, name: str) -> PolyElement:
        """The ring generator of a named parameter."""
        return self.gens[self.index(name)]

    def vars(self, names: Iterable[str]) -> list[PolyElement]:
        return [self.var(n) for n in names]

    def latex_names(self) -> dict[sympy.Symbol, str]:
        """Symbol → LaTeX map, for ``sympy.latex(..., symbol_names=...)``."""
        return {s: latex_name(n) for s, n in zip(self.symbols, self.names)}

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ParameterSpace) and other.names == self.names

    def __hash__(self) -> int:
        return hash(self.names)

    def __repr__(self) -> str:
        head = ", ".join(self.names[:4]) + (", ..." if self.dim > 4 else "")
        return f"ParameterSpace(D={self.dim}: {head})"

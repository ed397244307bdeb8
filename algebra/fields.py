"""Polynomial vector fields over QQ.

A field ``X`` on R^D is a tuple of D polynomials ``X_i ∈ QQ[θ]`` (elements of
SymPy's sparse ring).  The Lie bracket follows docs/THEORY.md §1:

    [X, Y](θ) = ∂Y(θ) X(θ) − ∂X(θ) Y(θ),   i.e.  [X, Y]_i = Σ_j X_j ∂_j Y_i − Y_j ∂_j X_i.

Generators of a model with reparametrisation φ are the gradients ∇φ_k
(Marcotte–Gribonval–Peyré 2023, Assumption 2.6).
"""
from __future__ import annotations

from fractions import Fraction
from functools import cached_property
from math import gcd, lcm
from typing import Iterable, Sequence, Union

import sympy
from sympy import QQ
from sympy.polys.polyerrors import CoercionFailed, GeneratorsNeeded, PolynomialError
from sympy.polys.rings import PolyElement

from .errors import NonPolynomialError, ShapeError
from .parameters import ParameterSpace
from .polynomial_text import SparsePolynomial, parse_polynomial
from .rationals import to_qq

# One term of a sparse polynomial: (coefficient, ((variable index, exponent), ...)).
SparseTerm = tuple[object, tuple[tuple[int, int], ...]]
PolynomialLike = Union[PolyElement, sympy.Expr, int, Fraction, str]


MAX_EXPANDED_TERMS = 200_000
MAX_EXPANDED_DEGREE = 256


def expression_size(expr: sympy.Basic, cap: int = 10**12) -> tuple[int, int]:
    """Upper bounds (terms, degree) of ``expr`` once expanded, read off its tree without expanding: a sum adds its
    terms, a product multiplies them, a power p**n has at most C(t + n − 1, n) terms (the multisets of n terms of
    p); numbers count as one term of degree 0.  Capped at ``cap`` so that the bound itself stays cheap."""
    from math import comb

    if expr.is_Number or expr.is_Symbol or not expr.args:
        return 1, (1 if expr.is_Symbol else 0)
    sizes = [expression_size(a, cap) for a in expr.args]
    if expr.is_Add:
        return min(sum(t for t, _ in sizes), cap), max(d for _, d in sizes)
    if expr.is_Mul:
        terms = 1
        for t, _ in sizes:
            terms = min(terms * t, cap)
        return terms, sum(d for _, d in sizes)
    if expr.is_Pow and expr.exp.is_Integer and expr.exp >= 0:
        (t, d), n = sizes[0], int(expr.exp)
        return (min(comb(t + n - 1, n), cap) if n < 10**6 else cap), d * n
    return 1, max((d for _, d in sizes), default=0)  # not a polynomial: sympy.Poly refuses it below


def to_polynomial(space: ParameterSpace, value: PolynomialLike, label: str) -> PolyElement:
    """Convert ``value`` to an element of QQ[θ]; refuse anything that is not a polynomial.

    ``label`` names the component in the error message (``"component 3"``,
    ``"phi[U1[0,1]]"``).  Floats are refused because exactness is required:
    write ``Rational(1, 3)`` rather than ``0.333``.
    """
    ring = space.ring
    if isinstance(value, PolyElement):
        if value.ring == ring:
            return value
        value = value.as_expr()
    if isinstance(value, bool):
        raise NonPolynomialError(f"{label}: a boolean is not a polynomial")
    if isinstance(value, float):
        raise NonPolynomialError(
            f"{label}: float {value!r} where an exact rational is required (use a Fraction or sympy.Rational)"
        )
    if isinstance(value, (int, Fraction)):
        return ring(to_qq(value, label))
    if isinstance(value, str):  # text is data: our own bounded grammar, never eval/sympify
        return from_sparse(space, parse_polynomial(value, space.positions, label=label))
    expr = value
    if not isinstance(expr, sympy.Basic):
        raise NonPolynomialError(f"{label}: {type(value).__name__} is not a polynomial")
    floats = expr.atoms(sympy.Float)
    if floats:
        raise NonPolynomialError(
            f"{label}: float coefficient {sorted(floats, key=str)[0]} in {expr} where an exact rational is required"
        )
    unknown = expr.free_symbols - set(space.symbols)
    if unknown:
        names = ", ".join(sorted(str(s) for s in unknown))
        raise NonPolynomialError(f"{label}: {expr} uses symbols that are not parameters: {names}")
    terms, degree = expression_size(expr)
    if terms > MAX_EXPANDED_TERMS or degree > MAX_EXPANDED_DEGREE:
        raise NonPolynomialError(f"{label}: expanding it could give up to {terms} terms of degree up to {degree}, over "
                                 f"the limits of {MAX_EXPANDED_TERMS} terms and degree {MAX_EXPANDED_DEGREE} (refused "
                                 "before expanding)")
    try:
        poly = sympy.Poly(expr, *space.symbols, domain=QQ)
    except (PolynomialError, CoercionFailed, GeneratorsNeeded, TypeError):
        raise NonPolynomialError(f"{label}: {expr} is not a polynomial over QQ in the parameters") from None
    return ring.from_dict({m: QQ.from_sympy(c) for m, c in poly.as_dict().items()})


def from_sparse(space: ParameterSpace, poly: SparsePolynomial) -> PolyElement:
    """A ring element from ``{((index, exponent), ...): Fraction}`` (see :mod:`.polynomial_text`)."""
    out = {}
    for monom, c in poly.items():
        exps = [0] * space.dim
        for k, e in monom:
            exps[k] += e
        out[tuple(exps)] = QQ(c.numerator, c.denominator)
    return space.ring.from_dict(out) if out else space.ring.zero


class PolynomialVectorField:
    """A vector field θ ↦ (X_1(θ), …, X_D(θ)) with components in QQ[θ]."""


    def __init__(self, space: ParameterSpace, components: Sequence[PolynomialLike]):
        if len(components) != space.dim:
            raise ShapeError(
                f"a vector field on {space.dim} parameters needs {space.dim} components, got {len(components)}"
            )
        self.space = space
        self.components: tuple[PolyElement, ...] = tuple(
            to_polynomial(space, c, f"component {i} ({space.names[i]})") for i, c in enumerate(components)
        )

    # ----------------------------------------------------------- constructors
    @classmethod
    def gradient(cls, space: ParameterSpace, poly: PolynomialLike, label: str = "polynomial") -> "PolynomialVectorField":
        """∇P for a polynomial ``P``."""
        p = to_polynomial(space, poly, label)
        zero = space.ring.zero
        support = {j for monom in p.itermonoms() for j, e in enumerate(monom) if e}
        return cls._trusted(space, tuple(partial(p, j) if j in support else zero for j in range(space.dim)))

    @classmethod
    def gradients_of_map(cls, space: ParameterSpace, phi: Sequence[PolynomialLike]) -> list["PolynomialVectorField"]:
        """The generators ``V_φ = {∇φ_1, …, ∇φ_d}`` of a polynomial map φ (docs/THEORY.md §1)."""
        return [cls.gradient(space, p, f"phi component {k}") for k, p in enumerate(phi)]

    @classmethod
    def from_exprs(cls, space: ParameterSpace, exprs: Sequence[PolynomialLike]) -> "PolynomialVectorField":
        """A field from SymPy expressions (or strings) in the parameter symbols."""
        return cls(space, exprs)

    @classmethod
    def _trusted(cls, space: ParameterSpace, comps: tuple[PolyElement, ...]) -> "PolynomialVectorField":
        obj = cls.__new__(cls)
        obj.space = space
        obj.components = comps
        return obj

    # ------------------------------------------------------------- structure
    @property
    def dim(self) -> int:
        return self.space.dim

    def is_zero(self) -> bool:
        return not any(self.components)

    def degree(self) -> int:
        """Largest total degree of a component (−1 for the zero field)."""
        degs = [max(sum(m) for m in c.itermonoms()) for c in self.components if c]
        return max(degs) if degs else -1

    @cached_property
    def sparse(self) -> tuple[tuple[int, tuple[SparseTerm, ...]], ...]:
        """Nonzero components as ``(i, terms)`` with terms in sparse-exponent form."""
        out = []
        for i, c in enumerate(self.components):
            if c:
                terms = tuple(
                    (coeff, tuple((j, e) for j, e in enumerate(monom) if e)) for monom, coeff in c.iterterms()
                )
                out.append((i, terms))
        return tuple(out)

    @cached_property
    def supports(self) -> tuple[frozenset[int], ...]:
        """For each component, the indices of the variables it depends on."""
        sup = [frozenset()] * self.dim
        for i, terms in self.sparse:
            sup[i] = frozenset(j for _, monom in terms for j, _ in monom)
        return tuple(sup)

    # ------------------------------------------------------------- algebra
    def bracket(self, other: "PolynomialVectorField") -> "PolynomialVectorField":
        """[X, Y] = ∂Y·X − ∂X·Y (docs/THEORY.md §1), exactly."""
        if other.space != self.space:
            raise ShapeError("cannot bracket fields on different parameter spaces")
        X, Y = self.components, other.components
        zero = self.space.ring.zero
        out = []
        for i in range(self.dim):
            acc = zero
            for j in other.supports[i]:
                if X[j]:
                    acc += X[j] * partial(Y[i], j)
            for j in self.supports[i]:
                if Y[j]:
                    acc -= Y[j] * partial(X[i], j)
            out.append(acc)
        return PolynomialVectorField._trusted(self.space, tuple(out))

    def __add__(self, other: "PolynomialVectorField") -> "PolynomialVectorField":
        return PolynomialVectorField._trusted(self.space, tuple(a + b for a, b in zip(self.components, other.components)))

    def __sub__(self, other: "PolynomialVectorField") -> "PolynomialVectorField":
        return PolynomialVectorField._trusted(self.space, tuple(a - b for a, b in zip(self.components, other.components)))

    def __neg__(self) -> "PolynomialVectorField":
        return PolynomialVectorField._trusted(self.space, tuple(-a for a in self.components))

    def scale(self, c: PolynomialLike) -> "PolynomialVectorField":
        """c·X for a rational constant c."""
        q = to_polynomial(self.space, c, "scalar")
        return PolynomialVectorField._trusted(self.space, tuple(q * a for a in self.components))

    def directional_derivative(self, poly: PolynomialLike) -> PolyElement:
        """⟨∇P, X⟩ = Σ_i X_i ∂_i P, a polynomial; it vanishes identically iff P is a first integral of X."""
        p = to_polynomial(self.space, poly, "law")
        acc = self.space.ring.zero
        for i, comp in enumerate(self.components):
            if comp:
                d = partial(p, i)
                if d:
                    acc += comp * d
        return acc

    # ------------------------------------------------------- exact evaluation
    def evaluate(self, point: Sequence) -> tuple:
        """X(θ) at a rational point, exactly (elements of QQ)."""
        if len(point) != self.dim:
            raise ShapeError(f"a point in R^{self.dim} needs {self.dim} coordinates, got {len(point)}")
        return self.evaluate_qq([to_qq(c, f"coordinate {i}") for i, c in enumerate(point)])

    def evaluate_qq(self, point: Sequence) -> tuple:
        """X(θ) at a point whose coordinates are already elements of QQ (no conversion, no checks)."""
        zero = QQ(0)
        out = [zero] * self.dim
        for i, terms in self.sparse:
            out[i] = evaluate_terms(terms, point, zero)
        return tuple(out)

    # ------------------------------------------------- equality and canonical form
    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, PolynomialVectorField)
            and other.space == self.space
            and other.components == self.components
        )

    def __hash__(self) -> int:
        return hash((self.space, self.components))

    def _canonical_factor(self):
        coeffs = [c for _, terms in self.sparse for c, _ in terms]
        den = lcm(*(int(c.denominator) for c in coeffs))
        num = gcd(*(int(c.numerator * (den // int(c.denominator))) for c in coeffs))
        lead = next(comp.LC for comp in self.components if comp)
        return QQ(den, num) if lead > 0 else QQ(-den, num)

    def canonical(self) -> "PolynomialVectorField":
        """The representative of {cX : c ≠ 0} with coprime integer coefficients and a positive leading one.

        The leading coefficient is that of the first nonzero component's
        leading term in the ring's order.  Two fields are equal up to a nonzero
        scalar iff their canonical forms are equal.
        """
        if self.is_zero():
            return self
        factor = self._canonical_factor()
        return PolynomialVectorField._trusted(self.space, tuple(factor * c if c else c for c in self.components))

    @cached_property
    def canonical_key(self) -> tuple:
        """A hashable key equal for two fields iff they are equal up to a nonzero scalar."""
        if self.is_zero():
            return ()
        factor = self._canonical_factor()
        return tuple((i, tuple(sorted((m, factor * c) for m, c in self.components[i].iterterms()))) for i, _ in self.sparse)

    # ------------------------------------------------------------- display
    def to_sympy(self) -> sympy.Matrix:
        """The components as a SymPy column of expressions."""
        return sympy.Matrix([c.as_expr() for c in self.components])

    def latex(self) -> str:
        r"""The field as a derivation, e.g. ``V^{(2)}_{0,0} \partial_{U^{(1)}_{0,0}} + …``."""
        if self.is_zero():
            return "0"
        names = self.space.latex_names()
        parts = []
        for i, _ in self.sparse:
            comp = sympy.latex(self.components[i].as_expr(), symbol_names=names)
            if self.components[i].is_monomial and not comp.startswith("-"):
                term = f"{comp} \\partial_{{{names[self.space.symbols[i]]}}}"
            else:
                term = f"\\left({comp}\\right) \\partial_{{{names[self.space.symbols[i]]}}}"
            parts.append(term)
        return " + ".join(parts).replace("+ -", "- ")

    def __str__(self) -> str:
        if self.is_zero():
            return "0"
        return " + ".join(f"({self.components[i].as_expr()})*d/d{self.space.names[i]}" for i, _ in self.sparse)

    def __repr__(self) -> str:
        return f"PolynomialVectorField({self})"


def partial(poly: PolyElement, j: int) -> PolyElement:
    """∂poly/∂θ_j, by variable index (SymPy's ``diff`` looks the generator up linearly)."""
    out = poly.ring.zero.copy()
    for monom, coeff in poly.iterterms():
        e = monom[j]
        if e:
            out[monom[:j] + (e - 1,) + monom[j + 1:]] = coeff * e
    return out


def evaluate_terms(terms: Iterable[SparseTerm], point: Sequence, zero):
    """Σ coeff · Π θ_j^e over sparse terms, in whatever ring ``point`` and ``zero`` live in."""
    acc = zero
    for coeff, monom in terms:
        val = coeff
        for j, e in monom:
            val = val * (point[j] if e == 1 else point[j] ** e)
        acc = acc + val
    return acc

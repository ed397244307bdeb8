"""Polynomial maps as flat integer tables, for exact work at sizes where SymPy's dense exponent tuples cannot go.

A :class:`PolynomialTable` stores the terms of K polynomials in D variables with integer coefficients as arrays:
term t belongs to component ``comp[t]``, has coefficient ``coef[t]`` and the variables ``var[t, 0..d−1]``
(a multiset, padded with −1).  It is built from an architecture's ``array_phi`` (the same layout as the numeric
fallback) by running it on an object array of :class:`MonomialSum` — tiny sparse polynomials — so that
``relu 50 50 50`` (D = 5,000, 125,000 components) is read in about half a second where the SymPy builder takes about 40 s.

Everything computed from a table is exact: values, Jacobian entries and Hessian entries at an integer point
modulo a prime (:mod:`.modular_rank`), and polynomial identities over the integers (:func:`product_vanishes`).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Optional, Sequence

import numpy as np

from conslaw.algebra.errors import ConslawError, NonPolynomialError
from conslaw.algebra.polynomial_text import add_term

MAX_TERM_PRODUCTS = 8_000_000  # about 8 s and 1.5 GB of Python objects: past it, a map is refused before it is read


class TableTooLargeError(ConslawError):
    """A polynomial map with too many terms to be read as a table."""


class MonomialSum:
    """A sparse polynomial with integer coefficients: ``{sorted tuple of variable indices: coefficient}``, with
    the arithmetic an ``array_phi`` uses (+, −, ×, small powers) so that numpy object arrays of them compose."""

    __slots__ = ("terms",)
    #: [term products a read may still form, its limit] (set by :meth:`PolynomialTable.from_array_map`; None:
    #: unbounded)
    budget: Optional[list[int]] = None

    def __init__(self, terms: dict):
        self.terms = terms

    @staticmethod
    def variable(i: int) -> "MonomialSum":
        return MonomialSum({(i,): 1})

    @staticmethod
    def _lift(other) -> "MonomialSum":
        if isinstance(other, MonomialSum):
            return other
        if isinstance(other, (int, np.integer)) and not isinstance(other, bool):
            return MonomialSum({(): int(other)} if other else {})
        raise NonPolynomialError(f"{type(other).__name__} {other!r} in a polynomial map read exactly (integers only)")

    def __add__(self, other):
        out = dict(self.terms)
        for m, c in self._lift(other).terms.items():
            add_term(out, m, c)
        return MonomialSum(out)

    __radd__ = __add__

    def __neg__(self):
        return MonomialSum({m: -c for m, c in self.terms.items()})

    def __sub__(self, other):
        return self + (-self._lift(other))

    def __rsub__(self, other):
        return self._lift(other) + (-self)

    def __mul__(self, other):
        other = self._lift(other)
        if MonomialSum.budget is not None:
            MonomialSum.budget[0] -= len(self.terms) * len(other.terms)
            if MonomialSum.budget[0] < 0:
                raise TableTooLargeError("the polynomial map has too many terms to be read as a table (over "
                                         f"{MonomialSum.budget[1]:,} term products); use smaller sizes or --numeric")
        out: dict = {}
        for m1, c1 in self.terms.items():
            for m2, c2 in other.terms.items():
                add_term(out, tuple(sorted(m1 + m2)), c1 * c2)
        return MonomialSum(out)

    __rmul__ = __mul__

    def __pow__(self, n: int):
        if not isinstance(n, int) or n < 0 or n > 8:
            raise NonPolynomialError(f"power {n!r} in a polynomial map read exactly (0 … 8 only)")
        out = MonomialSum({(): 1})
        for _ in range(n):
            out = out * self
        return out


@dataclass
class PolynomialTable:
    """K integer polynomials in D variables as term arrays (module docstring)."""

    D: int
    K: int
    comp: np.ndarray   # (T,) int64
    coef: np.ndarray   # (T,) int64 (object where a coefficient exceeds int64)
    var: np.ndarray    # (T, d) int64, −1 padded

    @property
    def degree(self) -> int:
        return int(self.var.shape[1])

    @staticmethod
    def from_polynomials(polys: Sequence[MonomialSum], D: int) -> "PolynomialTable":
        degree = max((len(m) for p in polys for m in p.terms), default=0)
        comp, coef, var = [], [], []
        for k, p in enumerate(polys):
            for m, c in p.terms.items():
                comp.append(k)
                coef.append(c)
                var.append(list(m) + [-1] * (degree - len(m)))
        return PolynomialTable(D, len(polys), np.array(comp, dtype=np.int64),
                               np.array(coef, dtype=np.int64 if all(abs(c) < 2**62 for c in coef) else object),
                               np.array(var, dtype=np.int64).reshape(len(comp), degree))

    @staticmethod
    def from_array_map(fn: Callable, D: int, max_products: int = 0) -> "PolynomialTable":
        """The table of ``fn`` (flat θ → list of arrays, an ``array_phi``), read on symbolic variables; refused
        with :class:`TableTooLargeError` past ``max_products`` term products (default ``MAX_TERM_PRODUCTS``)."""
        theta = np.empty(D, dtype=object)
        for i in range(D):
            theta[i] = MonomialSum.variable(i)
        limit = max_products or MAX_TERM_PRODUCTS
        MonomialSum.budget = [limit, limit]
        try:
            blocks = fn(theta)
        finally:
            MonomialSum.budget = None
        polys = [MonomialSum._lift(x) for b in blocks for x in np.asarray(b, dtype=object).reshape(-1)]
        return PolynomialTable.from_polynomials(polys, D)


def _products_mod(x: np.ndarray, var: np.ndarray, p: int) -> np.ndarray:
    """∏ over the columns of ``var`` of x[var] mod p (padding −1 counts as 1)."""
    out = np.ones(var.shape[0], dtype=np.int64)
    for c in range(var.shape[1]):
        v = var[:, c]
        out = out * np.where(v >= 0, x[np.maximum(v, 0)], 1) % p
    return out


def _derivative_terms(var: np.ndarray, *carried: np.ndarray) -> tuple[list[np.ndarray], np.ndarray, np.ndarray]:
    """The terms of the partial derivatives of terms with variables ``var`` (T, d; −1 padded): for each position m
    holding a variable, c·∏ θ_{v_l} gives c·∏_{l≠m} θ_{v_l} with respect to θ_{v_m} (a square gives its factor 2
    this way).  Returns (the ``carried`` per-term arrays repeated per derivative, v_m, the remaining variables)."""
    out: list[list[np.ndarray]] = [[] for _ in carried]
    js, rest = [], []
    for m in range(var.shape[1]):
        keep = var[:, m] >= 0
        for o, c in zip(out, carried):
            o.append(c[keep])
        js.append(var[keep, m])
        rest.append(np.delete(var, m, axis=1)[keep])
    if not js:
        return [c[:0] for c in carried], np.zeros(0, dtype=np.int64), np.zeros((0, 0), dtype=np.int64)
    return [np.concatenate(o) for o in out], np.concatenate(js), np.concatenate(rest)


def jacobian_entries_mod(table: PolynomialTable, x: np.ndarray, p: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(k, j, ∂φ_k/∂θ_j(x) mod p) for every term position (repeated (k, j) pairs are to be summed)."""
    (k, coef), j, rest = _derivative_terms(table.var, table.comp, np.mod(table.coef, p).astype(np.int64))
    return k, j, coef * _products_mod(x, rest, p) % p


def third_entries_mod(table: PolynomialTable, x: np.ndarray, p: int) -> tuple[np.ndarray, ...]:
    """(k, i, j, l, ∂³φ_k/∂θ_i∂θ_j∂θ_l(x) mod p) over ordered triples of distinct term positions (to be summed)."""
    (k, coef), i, rest = _derivative_terms(table.var, table.comp, np.mod(table.coef, p).astype(np.int64))
    (k, coef, i), j, rest = _derivative_terms(rest, k, coef, i)
    (k, coef, i, j), l, rest = _derivative_terms(rest, k, coef, i, j)
    return k, i, j, l, coef * _products_mod(x, rest, p) % p


def _gradient_table(table: PolynomialTable) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """∂h_k/∂θ_j as terms: (k, j, coefficient, remaining variables (T', d − 1))."""
    (k, coef), j, rest = _derivative_terms(table.var, table.comp, table.coef)
    return k, j, coef, rest.reshape(len(j), max(table.degree - 1, 0))


def product_vanishes(phi: PolynomialTable, law: PolynomialTable, chunk_pairs: int = 4_000_000,
                     compiled: bool = True) -> list[tuple[int, int]]:
    """For each law h_i with ⟨∇h_i, ∇φ_k⟩ ≢ 0 for some component k, the pair (i, the smallest such k), exactly
    over the integers: every product of a term of ∂φ_k/∂θ_j with a term of ∂h_i/∂θ_j is formed, the monomials
    sorted and packed, like terms summed.  Compiled (:mod:`.identity_kernel`: a small hash table per law and
    component) where the sums fit int64; otherwise (or with ``compiled=False``) in NumPy, laws taken a few at a
    time so that about ``chunk_pairs`` products are held at once."""
    pk, pj, pc, pr = _gradient_table(phi)
    hk, hj, hc, hr = _gradient_table(law)
    order = np.lexsort((pk, pj))  # φ's derivative terms by variable (to join on it), then by component
    pk, pj, pc, pr = pk[order], pj[order], pc[order], pr[order]
    per_var = np.bincount(pj, minlength=phi.D)
    first = np.concatenate([[0], np.cumsum(per_var)])
    width = pr.shape[1] + hr.shape[1]
    base = phi.D + 1
    if base ** max(width, 1) >= 2**62:
        raise NonPolynomialError("monomials too large to pack for the identity check")
    # a sum gathers at most len(pc) · len(hc) products: int64 while that many of the largest cannot overflow
    small = pc.dtype != object and hc.dtype != object and \
        int(np.abs(pc).max(initial=0)) * int(np.abs(hc).max(initial=0)) * max(len(pc), 1) * max(len(hc), 1) < 2**62
    law_order = np.argsort(hk, kind="stable")
    hk, hj, hc, hr = hk[law_order], hj[law_order], hc[law_order], hr[law_order]
    pairs_per_entry = per_var[hj]
    law_start = np.searchsorted(hk, np.arange(law.K + 1))
    if compiled and small:
        from .identity_kernel import unconserved_pairs  # Numba, loaded on first use (not by every CLI start)

        return sorted(unconserved_pairs(law_start, hj, hc.astype(np.int64), hr, first, pk, pc.astype(np.int64), pr,
                                        phi.D))
    bad: set[tuple[int, int]] = set()
    start = 0
    while start < hk.size:  # whole laws per chunk: a law's sums never straddle two chunks
        stop = start + max(1, int(np.searchsorted(np.cumsum(pairs_per_entry[start:]), chunk_pairs)))
        stop = min(hk.size, stop)
        while stop < hk.size and hk[stop] == hk[stop - 1]:
            stop += 1
        sl = slice(start, stop)
        counts = pairs_per_entry[sl]
        right = np.repeat(np.arange(start, stop), counts)
        left = np.repeat(first[hj[sl]] - np.cumsum(counts) + counts, counts) + np.arange(int(counts.sum()))
        start = stop
        if not left.size:
            continue
        mono = np.sort(np.concatenate([pr[left], hr[right]], axis=1), axis=1)[:, ::-1]  # −1 padding last
        packed = np.zeros(mono.shape[0], dtype=np.int64)
        for c in range(width):
            packed = packed * base + (mono[:, c] + 1)
        if small:
            coef = pc[left].astype(np.int64) * hc[right].astype(np.int64)
        else:
            coef = np.asarray(pc[left], dtype=object) * np.asarray(hc[right], dtype=object)
        keys = (hk[right], pk[left], packed)
        idx = np.lexsort(keys[::-1])
        a, b, c = (key[idx] for key in keys)
        cut = np.flatnonzero(np.r_[True, (a[1:] != a[:-1]) | (b[1:] != b[:-1]) | (c[1:] != c[:-1])])
        sums = np.add.reduceat(coef[idx], cut)
        for i in np.flatnonzero(sums != 0):
            bad.add((int(a[cut[i]]), int(b[cut[i]])))
    smallest: dict[int, int] = {}
    for i, k in sorted(bad, reverse=True):
        smallest[i] = k
    return sorted(smallest.items())


def canonical_positions(table: PolynomialTable) -> np.ndarray:
    """Each component's position when components are ordered by their smallest monomial (the variable indices of a
    term in ascending order, compared as tuples): the order in which a modular certificate names them, so that the
    checker, which builds φ its own way, finds the same components.  Two components with the same smallest
    monomial have no such order: :class:`ConslawError`."""
    width = max(table.degree, 1)
    var = table.var if table.degree else np.full((len(table.comp), 1), -1, dtype=np.int64)
    # −1 padding sorts a shorter monomial before its extensions, as a tuple prefix does
    order = np.lexsort(tuple(var[:, c] for c in reversed(range(width))) + (table.comp,))
    first = order[np.r_[True, table.comp[order][1:] != table.comp[order][:-1]]]
    if first.size != table.K:
        raise ConslawError("a component of phi has no terms: no canonical order for a certificate")
    smallest = var[first]  # component comp[first[i]] has smallest monomial smallest[i]
    by_monomial = np.lexsort(tuple(smallest[:, c] for c in reversed(range(width))))
    ordered = smallest[by_monomial]
    if len(ordered) > 1 and np.any(np.all(ordered[1:] == ordered[:-1], axis=1)):
        raise ConslawError("two components of phi share their smallest monomial: no canonical order for a certificate")
    positions = np.empty(table.K, dtype=np.int64)
    positions[table.comp[first][by_monomial]] = np.arange(table.K)
    return positions
